/**
 * The discrete-event kernel: IEEE 1666 (SystemC) scheduling semantics in TypeScript.
 * See README.md in this folder for the invariants.
 */
export { Simulation } from './simulation.js';
export type { SimulationOptions, RunResult, StarvationPolicy, LifecycleEvents, Elaboratable, SimPhase } from './simulation.js';
export { SimEvent } from './event.js';
export type { EventFinder, Sensitivity } from './event.js';
export { Process, ProcessUnwind, WaitSpec, anyOf, allOf, timeout } from './process.js';
export type { Wait, ThreadBody, MethodBody, ProcessOptions, ResetSpec, ResetSource } from './process.js';
export { PrimitiveChannel } from './channel.js';
export { Signal } from './signal.js';
export type { SignalOptions, WriterPolicy } from './signal.js';
export { Clock } from './clock.js';
export type { ClockOptions } from './clock.js';
export { Fifo } from './fifo.js';
export { Mutex, Semaphore } from './sync.js';
export { Port, InPort, OutPort } from './port.js';
export type { SimInspection, Inspector } from './inspect.js';
