/** Shared foundations with no dependencies: simulated time, units, errors, diagnostics, deterministic random streams. */
export * from './time.js';
export * from './errors.js';
export * from './rng.js';
export * from './units.js';
export * from './diagnostic.js';
export * from './table.js';
