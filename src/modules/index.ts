/** The module library: one declaration per kind (behaviour comes with the simulation work) and the catalog. */
export { CoreDef } from './core/def.js';
export { DmaDef } from './dma/def.js';
export { ScratchpadDef } from './scratchpad/def.js';
export { XbarDef } from './xbar/def.js';
export { MemoryDef } from './memory/def.js';
export { EventUnitDef } from './event-unit/def.js';
export { catalog } from './catalog.js';
