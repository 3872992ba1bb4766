import type { Time } from '../util/index.js';
import type { SimEvent, Sensitivity } from './event.js';
import type { Simulation } from './simulation.js';

/**
 * What a thread yields, or what a method passes to `nextTrigger`:
 * - a {@link SimEvent}: wait for that event;
 * - a `Time` (number of ps): wait that long; `0` waits one delta cycle;
 * - `undefined` (a bare `yield`): wait on the static sensitivity;
 * - a {@link WaitSpec} from {@link anyOf}, {@link allOf} or {@link timeout}.
 *
 * Yielding an event or a number allocates nothing, which keeps thread switches cheap.
 */
export type Wait = SimEvent | Time | undefined | WaitSpec;

/** Body of a thread process: a generator function. Called again from the top on reset. */
export type ThreadBody = (self: Process) => Generator<Wait, void, unknown>;
/** Body of a method process: runs to completion each time the process is triggered. */
export type MethodBody = (self: Process) => void;

/** @internal Wait-list kinds. */
export const SPEC_ANY = 1;
export const SPEC_ALL = 2;

/**
 * A composite wait: any or all of several events, optionally with a time-out.
 * Build with {@link anyOf}, {@link allOf}, {@link timeout}; may be built once and reused.
 */
export class WaitSpec {
  /** SPEC_ANY (or-list) or SPEC_ALL (and-list). */
  readonly kind: number;
  readonly events: readonly SimEvent[];
  /** Time-out in ps, or -1 for none. */
  readonly timeout: number;
  constructor(kind: number, events: readonly SimEvent[], timeout: number) {
    this.kind = kind;
    this.events = events;
    this.timeout = timeout;
  }
  /** The same list with a time-out (SystemC `wait(t, e1 | e2)`). */
  orTimeout(t: Time): WaitSpec {
    return new WaitSpec(this.kind, this.events, t);
  }
}

/** Wait until any of the events is notified (SystemC `wait(e1 | e2)`). */
export function anyOf(...events: SimEvent[]): WaitSpec {
  return new WaitSpec(SPEC_ANY, dedupe(events), -1);
}
/** Wait until every event has been notified at least once since the wait began (`e1 & e2`). */
export function allOf(...events: SimEvent[]): WaitSpec {
  return new WaitSpec(SPEC_ALL, dedupe(events), -1);
}
/**
 * Wait for an event, or any/all of a list, but at most `t` (SystemC `wait(t, e)`). Check
 * `self.timedOut` afterwards.
 */
export function timeout(t: Time, what: SimEvent | WaitSpec): WaitSpec {
  if (what instanceof WaitSpec) return what.orTimeout(t);
  return new WaitSpec(SPEC_ANY, [what], t);
}

function dedupe(events: SimEvent[]): SimEvent[] {
  return events.filter((e, i) => events.indexOf(e) === i);
}

/** @internal Process wait states. */
export const W_NONE = 0; // runnable, running (threads) or terminated
export const W_STATIC = 1; // waiting on static sensitivity (methods: idle)
export const W_EVENT = 2;
export const W_EVENT_TO = 3;
export const W_ANY = 4;
export const W_ANY_TO = 5;
export const W_ALL = 6;
export const W_ALL_TO = 7;
export const W_TIME = 8; // wait(t) / next_trigger(t), including one delta

/** @internal Control flags. */
export const C_SUSPENDED = 1;
export const C_DISABLED = 2;
export const C_TERMINATED = 4;

/** Something a process can be reset by: a boolean signal or a port bound to one. */
export interface ResetSource {
  /** @internal Registers `process` to be reset while the value equals `active`. */
  addResetHook(process: Process, active: boolean, isAsync: boolean): void;
}

/**
 * A reset of a process (SystemC `reset_signal_is` when `async` is false,
 * `async_reset_signal_is` when true). While the signal is at `active`, a thread restarts from
 * the top each time it resumes; an asynchronous reset also restarts it (or runs a method) as
 * soon as the signal becomes active.
 */
export interface ResetSpec {
  readonly signal: ResetSource;
  readonly active: boolean;
  readonly async?: boolean;
}

/** Options for creating a process. */
export interface ProcessOptions {
  /** Reset signals of the process. */
  readonly resets?: readonly ResetSpec[];
  /** Static sensitivity (SystemC `sensitive << ...`). */
  readonly sensitive?: readonly Sensitivity[];
  /** Do not run in the initialization phase (SystemC `dont_initialize()`). */
  readonly dontInitialize?: boolean;
}

/**
 * A method or thread process and its handle (SystemC `sc_process_handle`).
 *
 * Process control follows IEEE 1666: `suspend`/`resume` remember triggers that arrive while
 * suspended; `disable`/`enable` drop them; `kill` terminates at once (a thread's `finally`
 * blocks run before `kill()` returns, as C++ destructors do when SystemC unwinds a stack);
 * `reset` restarts a thread from the top at once, or runs a method at once. Reset signals
 * (`resetSignalIs`, `asyncResetSignalIs` on the signal's side) and `syncResetOn/Off` keep a
 * thread restarting from the top each time it resumes while a reset is active.
 */
export class Process {
  // Field order matters: the scheduler's hot fields come first, in one cache line.
  /** @internal In the runnable queue. */
  queued = false;
  /** @internal Value of the simulation's run serial when this method last started a run. */
  runStamp = 0;
  /** @internal W_* */
  waitKind = W_NONE;
  /** @internal C_* flags. */
  ctrl = 0;
  /** @internal Number of the process in its simulation (1, 2, ...; see Simulation.curId). */
  uid = 0;
  /** True for threads, false for methods. */
  readonly isThread: boolean;
  /** @internal */
  readonly methodBody: MethodBody | null;
  /** Free slot for the model's own use (e.g. an index), so that one shared body can serve many processes. */
  data: unknown;
  /** @internal */
  gen: Generator<Wait, void, unknown> | null = null;
  /** @internal next_trigger() was called in the current run. */
  ntSet = false;
  /** @internal Number of active resets (signals at their active level + syncResetOn). */
  resetLevel = 0;
  /** @internal Restart from the top at the next resumption (async reset, reset()). */
  forceReset = false;
  /** @internal Bumped whenever a wait ends or is cancelled; stale queue entries mismatch. */
  waitSeq = 0;
  /** @internal Event of a single-event wait. */
  waitEvent: SimEvent | null = null;
  /** @internal A timed (non-zero) time-out of this process is in the timed queue. */
  hasTimeout = false;
  /** @internal Index in the simulation's delta-notification list of a pending one-delta time-out, or -1. */
  deltaIndex = -1;
  /** @internal nextTrigger() already scheduled the time-out of `ntWait` (SystemC schedules it at the call). */
  ntPre = false;
  /** @internal */
  readonly threadBody: ThreadBody | null;
  /** True if the last wait with a time-out ended by the time-out (SystemC `timed_out()`). */
  timedOut = false;
  /** @internal Events of an any/all wait. */
  waitList: readonly SimEvent[] | null = null;
  /** @internal Events of an and-list still to occur. */
  allRemaining = 0;
  readonly sim: Simulation;
  /** Instance path, e.g. `top.dma0.engine`. */
  readonly path: string;
  /** @internal Declared static sensitivity, resolved at the end of elaboration. */
  sensitivity: Sensitivity[];
  /** @internal Resolved static sensitivity. */
  staticEvents: SimEvent[] = [];
  /** @internal Reset specifications, hooked at the end of elaboration. */
  readonly resets: readonly ResetSpec[];
  /** True if created with `dontInitialize`. */
  readonly dontInitialize: boolean;
  /** @internal Triggered while suspended. */
  readyWhileSuspended = false;
  /** @internal syncResetOn() is in force. */
  stickySyncReset = false;
  /** @internal The next_trigger() argument. */
  ntWait: Wait = undefined;
  /** True while the stack unwinds for kill or reset (SystemC `is_unwinding`). */
  unwinding = false;
  /** @internal */
  termEvent: SimEvent | null = null;
  /** @internal */
  rstEvent: SimEvent | null = null;

  /** @internal Use {@link Simulation.thread} / {@link Simulation.method}. */
  constructor(
    sim: Simulation,
    path: string,
    thread: ThreadBody | null,
    method: MethodBody | null,
    opts: ProcessOptions,
    data: unknown,
  ) {
    this.uid = sim.nextProcessId();
    this.sim = sim;
    this.path = path;
    this.isThread = thread !== null;
    this.threadBody = thread;
    this.methodBody = method;
    this.sensitivity = opts.sensitive ? [...opts.sensitive] : [];
    this.dontInitialize = opts.dontInitialize ?? false;
    this.resets = opts.resets ?? [];
    this.data = data;
  }

  /** `'method'` or `'thread'`. */
  get kind(): 'method' | 'thread' {
    return this.isThread ? 'thread' : 'method';
  }
  /** True once the process has returned or been killed. */
  get terminated(): boolean {
    return (this.ctrl & C_TERMINATED) !== 0;
  }
  /** True while suspended. */
  get suspended(): boolean {
    return (this.ctrl & C_SUSPENDED) !== 0;
  }
  /** True while disabled. */
  get disabled(): boolean {
    return (this.ctrl & C_DISABLED) !== 0;
  }
  /** Notified (immediately) when the process terminates. */
  get terminatedEvent(): SimEvent {
    return (this.termEvent ??= this.sim.event(`${this.path}.terminated_event`));
  }
  /** Notified (immediately) when the process is reset. */
  get resetEvent(): SimEvent {
    return (this.rstEvent ??= this.sim.event(`${this.path}.reset_event`));
  }

  /**
   * Sets the dynamic sensitivity for the next run of this method (SystemC `next_trigger`).
   * The last call in a run wins; `undefined` restores the static sensitivity.
   * @throws SimError `next-trigger-outside-method` unless called by this method while it runs.
   */
  nextTrigger(w: Wait): void {
    this.sim.setNextTrigger(this, w);
  }

  /** Kills the process (SystemC `kill()`). */
  kill(): void {
    this.sim.killProcess(this);
  }
  /** Resets the process at once (SystemC `reset()`). */
  reset(): void {
    this.sim.resetProcess(this);
  }
  /** Suspends: triggers are remembered and acted on at `resume()`. */
  suspend(): void {
    this.sim.suspendProcess(this);
  }
  /** Resumes a suspended process; it runs in this evaluation phase if it was triggered meanwhile. */
  resume(): void {
    this.sim.resumeProcess(this);
  }
  /** Disables: triggers are ignored until `enable()`. */
  disable(): void {
    this.sim.disableProcess(this);
  }
  /** Enables a disabled process. */
  enable(): void {
    this.sim.enableProcess(this);
  }
  /** Puts the process into synchronous reset until `syncResetOff()` (SystemC `sync_reset_on`). */
  syncResetOn(): void {
    if (!this.stickySyncReset) {
      this.stickySyncReset = true;
      this.resetLevel++;
    }
  }
  /** Ends a `syncResetOn()`. */
  syncResetOff(): void {
    if (this.stickySyncReset) {
      this.stickySyncReset = false;
      this.resetLevel--;
    }
  }

  toString(): string {
    return this.path;
  }
}

/**
 * Thrown through a thread's own generator to unwind it when the thread kills or resets
 * itself. Never catch it without rethrowing (like SystemC's `sc_unwind_exception`).
 */
export class ProcessUnwind {
  readonly process: Process;
  readonly isReset: boolean;
  constructor(process: Process, isReset: boolean) {
    this.process = process;
    this.isReset = isReset;
  }
}
