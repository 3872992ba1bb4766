/**
 * edgesim's public API: the kernel (IEEE 1666 scheduling), the TLM-2.0 loosely-timed layer and
 * the utilities (time, errors, random streams).
 */
export * from './util/index.js';
export * from './kernel/index.js';
export * from './tlm/index.js';
