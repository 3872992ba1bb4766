/** Interconnect (bus / crossbar): declaration and behaviour. */
export { XbarDef } from './def.js';
export { Xbar, xbarSim, type XbarRoute } from './sim.js';
