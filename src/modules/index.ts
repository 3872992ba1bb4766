/** The module library: one declaration per kind, behaviour (`sim.ts`) for the kinds that have it, the catalogs. */
export {
  CoreDef, CoreSim, coreSim, loadProgram, type ProgramImage, type CoreStartOptions, Rv32Core, DEFAULT_CORE_COSTS, CLASS_ORDER, ENV_WAIT, ENV_EXIT, ENV_YIELD, FlatMemory, parseElf, elfSymbol, loadElfSegments,
  type CoreMemory, type CoreEnv, type CoreCosts, type CoreOptions, type StopReason, type FlatMemoryOptions, type ElfImage, type ElfSegment, type ElfSymbol,
} from './core/index.js';
export { DmaDef, Dma, dmaSim, DMA_REGS, type DmaTransfer, type DmaTransferRecord } from './dma/index.js';
export { ScratchpadDef, Scratchpad, scratchpadSim } from './scratchpad/index.js';
export { XbarDef, Xbar, xbarSim, type XbarRoute } from './xbar/index.js';
export { MemoryDef, Memory, memorySim } from './memory/index.js';
export { EventUnitDef, EventUnit, eventUnitSim, SYNC_OPS, IRQ_EVENT_BASE, type SyncOp } from './event-unit/index.js';
export * from './adc/index.js';
export * from './aimc-tile/index.js';
export * from './pe-array/index.js';
export { AcceleratorSim, type AccelCommand } from './accel.js';
export { catalog } from './catalog.js';
export { simCatalog, makeSimCatalog } from './sims.js';
export { StuckBits, DataCorruptor, type StuckBit, type DataCorruption } from './faults.js';
export { SimModule, Counter, BusyTracker, portProtocol, type ModuleContext, type ModuleSnapshot, type PortTraffic, type AddressWindow, type SimFactory } from './base.js';
