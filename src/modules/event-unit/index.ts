/** Cluster event unit: declaration and behaviour. */
export { EventUnitDef } from './def.js';
export { EventUnit, eventUnitSim, SYNC_OPS, IRQ_EVENT_BASE, type SyncOp } from './sim.js';
