/** Shared foundations with no dependencies: simulated time, errors, deterministic random streams. */
export * from './time.js';
export * from './errors.js';
export * from './rng.js';
