/** Design-space exploration foundations: Pareto fronts and hypervolume, polynomial models, sampling. */
export * from './pareto.js';
export * from './polyfit.js';
export * from './sampling.js';
