/** Design-space exploration: Pareto fronts and hypervolume, polynomial models, sampling, sweeps, the analytic estimate. */
export * from './pareto.js';
export * from './polyfit.js';
export * from './sampling.js';
export * from './sweep.js';
export * from './analytic.js';
