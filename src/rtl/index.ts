/**
 * RTL generation: Verilog-2005 of the synthesizable blocks (banked scratchpad with round-robin
 * arbitration; PE arrays of int8, int16 and LightPE PEs, output or weight stationary; the AIMC
 * tile's digital periphery around a black-box crossbar; the DMA engine; the interconnect; the
 * L2 memory; the event unit), a top level per platform, black boxes with models and stubs, file
 * lists, constraints, a Yosys script and a self-checking testbench whose vectors come from the
 * TypeScript models. Pure: no file system; the CLI writes the files.
 */
export { generateRtl, ciSizePlatform, CI_SIZE, RTL_GENERATOR_VERSION, type RtlOptions, type RtlResult, type RtlManifest, type RtlMacro } from './generate.js';
export { sha256Hex } from './sha256.js';
export { SV_KEYWORDS, verilogName, clog2 } from './names.js';
export { aimcGeom, aimcScenario, aimcVectors, AIMC_DIGITAL_CYCLES, AIMC_Y_BITS, AIMC_Y_EXACT_MAX, type AimcGeom, type AimcTest, type AimcScaleSet } from './aimc.js';
export { spmExpect, spmScenario, spmModuleName, sramMacroName, type SpmGeom, type SpmAccess, type SpmRound, type SpmExpect } from './scratchpad.js';
export { peScenario, peGeom, peArrayModuleName, lightWeightsOf, RTL_PE_TYPES, type PeGeom, type PeTile, type RtlPeType } from './pe-array.js';
export { dmaGeom, dmaLocalWindows, dmaExtBase, dmaScenario, dmaVectors, dmaPredictCycles, dmaApply, dmaModuleName, DMA_TB_RTT, RTL_DMA_REGS, type DmaGeom, type DmaTest, type DmaXfer, type DmaTiming, type DmaWindow } from './dma.js';
export { peArrayUnitRtl } from './unit.js';
export { memGeom, memExpect, memScenario, memModuleName, type MemGeom, type MemAccess, type MemExpect } from './memory.js';
export { euGeom, euExpect, euScenario, euModuleName, EU_OPS, type EuGeom, type EuTest, type EuExpect, type EuRequest } from './event-unit.js';
