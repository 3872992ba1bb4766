/** Scratchpad (banked L1): declaration and behaviour. */
export { ScratchpadDef } from './def.js';
export { Scratchpad, scratchpadSim } from './sim.js';
