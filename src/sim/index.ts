/**
 * Live simulations from platforms: instantiation of an elaborated platform with the module
 * library, and run reports. See README.md in this folder.
 */
export { instantiate, ClockDomainHandle, type Instantiated, type InstantiateOptions, type SkippedInstance } from './instantiate.js';
export { startProgram } from './program.js';
export { runReport, formatReport, type RunReport, type ComponentReport } from './report.js';
export { runCompiled, readCompiledTensor, type CompiledRun, type CompiledCoreRun, type LayerInterval } from './compiled.js';
