/**
 * Compiler layer: quantized networks (src/nn graphs) to programs for a platform's cores (src/isa
 * assembly), with memory planning from the platform graph. Pure: no files, no clock. See
 * README.md in this folder.
 */
export { compile, type CompileOptions } from './compile.js';
export { lower, COMPILED_OPS, FLOAT_OPS, ALIAS_OPS, compilerOpList } from './lower.js';
export type { Layout, Memories, DotAddressing, FloatAddressing } from './layout.js';
export { generate, type CodegenInput, type CodegenOutput } from './codegen.js';
export { packTensor, unpackTensor } from './io.js';
export * from './ir.js';
export type { Tensor } from '../nn/index.js';
export * as floatKernels from './float-kernels.js';
// accelerator targets (PE arrays, AIMC tiles): see ACCEL.md
export { compileForAccelerators, type AccelCompileOptions, type AccelCompiled, type AccelMapping, type AccelAimcReport, type AccelSplitReport, type AccelSplitPart, lightPeCode } from './accel.js';
