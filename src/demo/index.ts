/** The built-in demo model run by `edgesim demo`. */
export { runDemo, formatDemo } from './producer-consumer.js';
export type { DemoOptions, DemoEvent, DemoReport } from './producer-consumer.js';
