/**
 * The declare-once DSL: `defineModule` with typed params, ports, energy events, statistics,
 * fault points and compiler capabilities; readers for parameter values; the generated reference.
 */
export * from './param.js';
export * from './port.js';
export * from './define-module.js';
export * from './describe.js';
