/**
 * edgesim's public API: the kernel (IEEE 1666 scheduling), the TLM-2.0 loosely-timed layer, the
 * instruction set (RV32IM + edgesim custom extensions), module declarations (spec), the module
 * catalog, platform loading, the network IR with ONNX/QONNX import and reference evaluator (nn),
 * the compiler from networks to core programs, and the utilities (time, units, errors,
 * diagnostics, random streams).
 */
export * from './util/index.js';
export * from './kernel/index.js';
export * from './tlm/index.js';
export * from './isa/index.js';
export * from './spec/index.js';
export * from './platform/index.js';
export * from './modules/index.js';
export * from './sim/index.js';
export * from './energy/index.js';
export * from './nn/index.js';
export * from './compiler/index.js';
