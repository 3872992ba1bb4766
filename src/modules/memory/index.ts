/** L2 / external memory: declaration and behaviour. */
export { MemoryDef } from './def.js';
export { Memory, memorySim } from './sim.js';
