/** Energy, power and area model: pure functions from a platform graph, activity counts and time to a report. */
export {
  energyReport, parseOrigin, powerUw,
  type ActivityCounts, type AreaFormula, type PriceSource, type Price, type UnpricedReason, type UnpricedFlag, type EventEnergy, type ComponentEnergy, type EnergyReport,
} from './model.js';
export { formatEnergyReport, describeSource, formatEnergy, formatPower, formatArea } from './format.js';
