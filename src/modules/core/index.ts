/** RISC-V core: declaration, instruction-set simulator, ELF loader, a flat RAM for stand-alone runs. */
export { CoreDef } from './def.js';
export { Rv32Core, DEFAULT_CORE_COSTS, CLASS_ORDER, ENV_WAIT, ENV_EXIT, ENV_YIELD } from './iss.js';
export type { CoreMemory, CoreEnv, CoreCosts, CoreOptions, StopReason } from './iss.js';
export { FlatMemory, type FlatMemoryOptions } from './flat-memory.js';
export { parseElf, elfSymbol, loadElfSegments, type ElfImage, type ElfSegment, type ElfSymbol } from './elf.js';
export { CoreSim, coreSim, loadProgram, type ProgramImage, type CoreStartOptions } from './sim.js';
