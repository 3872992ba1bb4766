/** Kernel speed workloads W1-W5, built with the public kernel API. */
export { buildWorkload, expectedResults, DEFAULT_SIZES, SIZE_NAMES } from './workloads.js';
export type { WorkloadName, BuiltWorkload } from './workloads.js';
