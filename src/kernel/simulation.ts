import { EventEmitter } from 'eventemitter3';
import { SimError, Rng, deriveRng, formatTime, type Time } from '../util/index.js';
import type { PrimitiveChannel } from './channel.js';
import { SimEvent } from './event.js';
import type { Inspector } from './inspect.js';
import {
  Process,
  ProcessUnwind,
  WaitSpec,
  type MethodBody,
  type ProcessOptions,
  type ThreadBody,
  type Wait,
} from './process.js';
import { TimeQueue, type ClockEdgeTarget } from './time-queue.js';

// Hot-path copies of the state constants exported by event.ts and process.ts. V8 loads an
// imported binding (with a hole check) at every use, while a local literal const folds into the
// code: measured 14 % on a clocked-pipeline workload. test/kernel/states.test.ts checks that
// these copies equal the exported originals.
/** @internal */ export const KERNEL_STATE_COPIES = {} as Record<string, number>;
/** 2^53 - 1 ps, equal to util's MAX_TIME (a local literal, for the same reason). */
const MAX_TIME = 9007199254740991;
const NOTIFY_NONE = 0;
const NOTIFY_DELTA = 1;
const NOTIFY_TIMED = 2;
const SPEC_ALL = 2;
const W_NONE = 0;
const W_STATIC = 1;
const W_EVENT = 2;
const W_EVENT_TO = 3;
const W_ANY = 4;
const W_ANY_TO = 5;
const W_ALL = 6;
const W_ALL_TO = 7;
const W_TIME = 8;
const C_SUSPENDED = 1;
const C_DISABLED = 2;
const C_TERMINATED = 4;
Object.assign(KERNEL_STATE_COPIES, { NOTIFY_NONE, NOTIFY_DELTA, NOTIFY_TIMED, SPEC_ALL, W_NONE, W_STATIC, W_EVENT, W_EVENT_TO, W_ANY, W_ANY_TO, W_ALL, W_ALL_TO, W_TIME, C_SUSPENDED, C_DISABLED, C_TERMINATED });


/** Options of a {@link Simulation}. */
export interface SimulationOptions {
  /** Root seed for every random stream of this simulation. Default 1. */
  readonly seed?: number;
  /**
   * Maximum number of delta cycles at one simulated time before `delta-limit` (a guard against
   * zero-delay loops). Default 1,000,000; `Infinity` disables it.
   */
  readonly deltaLimit?: number;
  /**
   * Test aid: pick runnable processes in a random (seeded) order inside each evaluation phase,
   * to show that a model does not depend on that order. IEEE 1666 leaves it unspecified.
   */
  readonly shuffleSeed?: number;
  /**
   * Test aid: queue statically triggered methods one by one instead of as a batch per event
   * (the two must be indistinguishable; a differential test checks it). Default false.
   */
  readonly noStaticBatches?: boolean;
}

/** How {@link Simulation.run} returned. */
export type RunResult =
  /** Reached the requested time (events due exactly then are triggered but not run). */
  | 'time-limit'
  /** Nothing left to do. */
  | 'starved'
  /** `stop()` was called; the simulation cannot run again. */
  | 'stopped';

/** Behaviour of `run(duration)` when nothing is left to do before `duration` elapses. */
export type StarvationPolicy = 'run-to-time' | 'exit-on-starvation';

/** Lifecycle events (SystemC's elaboration and simulation callbacks), in the order they fire. */
export interface LifecycleEvents {
  'before-end-of-elaboration': () => void;
  'end-of-elaboration': () => void;
  'start-of-simulation': () => void;
  'end-of-simulation': () => void;
}

/** Something with an instance path that must be checked or resolved at the end of elaboration. */
export interface Elaboratable {
  readonly path: string;
  /** Called once at the end of elaboration; throws SimError on a binding problem. */
  completeBinding(): void;
}

/** Phase of the kernel. */
export type SimPhase = 'elaboration' | 'evaluate' | 'update' | 'notify' | 'paused' | 'stopped';

const EXECUTING: { sim: Simulation | null } = { sim: null };

/**
 * The root object of one simulation run: the scheduler, the timed queue, the name registry and
 * the random-stream root. There is no global simulation; any number can live in one process.
 *
 * Scheduling follows IEEE 1666 (SystemC 2.3.4):
 * 1. Evaluate: run every runnable process once (methods to completion, threads up to their next
 *    `yield`); immediate notifications add runnables to the same phase.
 * 2. Update: commit the channels that called `requestUpdate()`.
 * 3. Delta notify: trigger delta-notified events and one-delta waits. If that made processes
 *    runnable, the delta count grows (only if step 1 ran a process) and step 1 repeats.
 * 4. Advance time to the earliest live timed entry and trigger everything due then.
 *
 * The delta counter follows SystemC: it counts delta cycles whose evaluation phase ran a process,
 * including the initialization phase; a delta cut short by `stop()` is not counted.
 *
 * @example
 * const sim = new Simulation();
 * const e = sim.event('e');
 * sim.thread('t', function* () { yield ns(10); e.notify(); });
 * sim.method('m', () => console.log(formatTime(sim.now)), { sensitive: [e], dontInitialize: true });
 * sim.run();
 */
export class Simulation {
  /** Coarse lifecycle events (never per delta). */
  readonly lifecycle = new EventEmitter<LifecycleEvents>();
  /** Root seed. */
  // `declare`d: assigned in the constructor only (see PrimitiveChannel for why).
  declare readonly seed: number;
  private declare readonly deltaLimit: number;
  private declare readonly shuffleRng: Rng | null;

  private _now = 0;
  private _delta = 0;
  /** @internal Bumped at every update phase and time advance; signals use it for `event()`. */
  changeStamp = 1;
  /** @internal Change stamp of the latest lazily committed signal write (see Signal). */
  lazyWriteStamp = 0;
  private deltasHere = 0;
  /** End of the current `run` call (activity due then waits for the next call); see {@link advanceAlone}. */
  private runEnd = -1;
  private phase: SimPhase = 'elaboration';
  private elaborated = false;
  private stopRequested = false;
  private running = false;

  /** @internal The process now running, or null. */
  current: Process | null = null;
  /**
   * @internal `current.uid`, or 0 when no process runs; kept with every change of `current`.
   * Signal.write's writer check compares these numbers: comparing `current` itself (an object
   * or null) made V8 load its map and check its instance type at every write (profiled as
   * about 10 % of the W4 clocked pipeline).
   */
  curId = 0;
  private lastProcessId = 0;
  private rq: Process[] = [];
  private rqHead = 0;
  private rqTail = 0;
  // Static-sensitivity batches: when an event with several statically sensitive methods
  // triggers, its whole list is queued as one entry instead of touching every method twice
  // (trigger, then run). A member runs if, when its batch comes, it is idle on its static
  // sensitivity, has not started a run since the trigger (runStamp <= serial), was not the
  // method running at the trigger, is neither suspended nor disabled, nor queued on its own.
  // Process control calls first expand pending batches into the run queue (expandBatches), so
  // eligibility is always judged on the state the process had when the event triggered.
  private declare readonly batchOk: boolean;
  private bq: Process[][] = [];
  private bqSerial: number[] = [];
  /** uid of the method running at the trigger (it is not re-run by its own notification), or 0. */
  private bqExcl: number[] = [];
  private nBq = 0;
  private bqHead = 0;
  private curBatch: Process[] | null = null;
  private curBatchSerial = 0;
  private curBatchExcl = 0;
  /** @internal Bumped when a method starts a run; see Process.runStamp. */
  runSerial = 0;
  /** @internal A clock edge was performed for the coming evaluation phase (see crunch). */
  clockRan = false;
  private clocksAtStart: ClockEdgeTarget[] = [];
  private readonly edgeBuf: ClockEdgeTarget[] = [];

  // Pending delta notifications of events and one-delta time-outs of processes, in one list as
  // SystemC's m_delta_events: triggered last-scheduled first; a cancelled entry is replaced by the
  // last one (swap-remove). The order decides ties between a zero time-out and an event.
  private dq: (SimEvent | Process)[] = [];
  /** For a process entry of dq: the process's waitSeq when the time-out was scheduled. */
  private dqSeq: number[] = [];
  private nDq = 0;
  /** A process time-out was added to dq since the last delta-notification phase. */
  private dqHasProc = false;
  /** deltaNotify() is walking dq: cancelled entries are then skipped instead of removed. */
  private inDeltaNotify = false;

  private upd: PrimitiveChannel[] = [];
  private nUpd = 0;

  private readonly tq = new TimeQueue();
  private readonly names = new Map<string, unknown>();
  private readonly processes: Process[] = [];
  private readonly elaboratables: Elaboratable[] = [];
  /** @internal */
  inspector: Inspector | null = null;

  constructor(options: SimulationOptions = {}) {
    this.seed = options.seed ?? 1;
    this.deltaLimit = options.deltaLimit ?? 1_000_000;
    this.shuffleRng = options.shuffleSeed === undefined ? null : new Rng(options.shuffleSeed);
    // Shuffled runs queue every process on its own so that the shuffle reaches them all.
    this.batchOk = this.shuffleRng === null && options.noStaticBatches !== true;
  }

  // ---------------------------------------------------------------- queries

  /** Current simulated time in ps (SystemC `sc_time_stamp()`). */
  get now(): Time {
    return this._now;
  }
  /** Delta cycles completed so far (SystemC `sc_delta_count()`). */
  get deltaCount(): number {
    return this._delta;
  }
  /** Current kernel phase. */
  get currentPhase(): SimPhase {
    return this.phase;
  }
  /** True while `run()` is executing (SystemC `sc_is_running()`). */
  get isRunning(): boolean {
    return this.running;
  }
  /** True once `stop()` took effect (SystemC status `SC_STOPPED`). */
  get isStopped(): boolean {
    return this.phase === 'stopped';
  }
  /** The running process (SystemC `sc_get_current_process_handle()`), or null. */
  get currentProcess(): Process | null {
    return this.current;
  }
  /** All processes created so far, in creation order. */
  get allProcesses(): readonly Process[] {
    return this.processes;
  }

  /** A random stream for (this simulation's seed, path, purpose). */
  rng(path: string, purpose: string): Rng {
    return deriveRng(this.seed, path, purpose);
  }

  /** True if anything can happen at the current time (SystemC `sc_pending_activity_at_current_time`). */
  pendingActivityAtCurrentTime(): boolean {
    if (this.nBq > this.bqHead) this.expandBatches(); // count only members that would run
    if (this.rqTail > this.rqHead || this.nUpd > 0 || this.nDq > 0) return true;
    if (this.lazyWriteStamp === this.changeStamp) return true; // a signal write awaits its update
    return this.tq.peekTime() === this._now;
  }

  /** True if anything is pending now or later (SystemC `sc_pending_activity`). */
  pendingActivity(): boolean {
    return this.pendingActivityAtCurrentTime() || this.tq.peekTime() >= 0;
  }

  /**
   * Time until the next activity: 0 if something is pending now, else the distance to the
   * earliest timed entry, or `MAX_TIME - now` if nothing is pending (as SystemC).
   */
  timeToPendingActivity(): Time {
    if (this.pendingActivityAtCurrentTime()) return 0;
    const t = this.tq.peekTime();
    return t < 0 ? MAX_TIME - this._now : t - this._now;
  }

  // ---------------------------------------------------------------- construction

  /** @internal Registers a unique instance path. */
  registerName(path: string, obj: unknown): void {
    if (path.length === 0) throw new SimError('bad-name', 'an instance path must not be empty');
    if (this.names.has(path)) {
      throw new SimError('duplicate-name', `the instance path '${path}' is already used in this simulation; choose a unique name`, { path });
    }
    this.names.set(path, obj);
  }

  /** Looks up an object by instance path. */
  find(path: string): unknown {
    return this.names.get(path);
  }

  /** @internal Numbers processes 1, 2, ... (Process.uid). */
  nextProcessId(): number {
    return ++this.lastProcessId;
  }

  /** Creates an event. */
  event(path: string): SimEvent {
    const e = new SimEvent(this, path);
    this.registerName(path, e);
    return e;
  }

  /**
   * Creates a method process: `body` runs to completion each time the process is triggered.
   * Created during simulation it is a dynamically spawned process (SystemC `sc_spawn` with
   * `spawn_method`) and becomes runnable at once unless `dontInitialize`.
   */
  method(path: string, body: MethodBody, opts: ProcessOptions = {}, data?: unknown): Process {
    return this.addProcess(new Process(this, path, null, body, opts, data));
  }

  /**
   * Creates a thread process from a generator function. Inside, `yield e` waits for an event,
   * `yield ns(5)` for a time, `yield 0` for one delta, `yield` for the static sensitivity, and
   * `yield anyOf(...)`, `allOf(...)`, `timeout(t, ...)` for the rest.
   */
  thread(path: string, body: ThreadBody, opts: ProcessOptions = {}, data?: unknown): Process {
    return this.addProcess(new Process(this, path, body, null, opts, data));
  }

  private addProcess(p: Process): Process {
    if (this.phase === 'stopped') {
      throw new SimError('simulation-finished', `cannot create process '${p.path}': the simulation has stopped`, { path: p.path, time: this._now });
    }
    this.registerName(p.path, p);
    this.processes.push(p);
    if (this.elaborated) {
      // Dynamic spawn: resolve sensitivity now, run in the current or next evaluation phase.
      // A pending batch must not pick up a process that did not exist when it triggered.
      this.expandBatches();
      this.resolveSensitivity(p);
      if (!p.dontInitialize) this.makeRunnable(p);
      else p.waitKind = W_STATIC;
    }
    return p;
  }

  /**
   * @internal Schedules a clock edge `delay` ps from now; an edge at time 0 of the simulation
   * happens in the initialization evaluation phase, as SystemC's clock process runs there.
   */
  scheduleClockEdge(c: ClockEdgeTarget, delay: Time): void {
    if (this.elaborated) {
      throw new SimError('clock-after-elaboration', 'clocks must be created before the simulation starts (as sc_clock)', { time: this._now });
    }
    if (delay === 0) this.clocksAtStart.push(c);
    else this.tq.insert(this._now + delay, c, 0);
  }

  /** @internal The next edge of a running clock (never stale, generation 0). */
  nextClockEdge(c: ClockEdgeTarget, delay: Time): void {
    this.tq.insert(this._now + delay, c, 0);
  }

  /** @internal Ports and sockets register here to be checked at the end of elaboration. */
  registerElaboratable(x: Elaboratable): void {
    this.elaboratables.push(x);
    if (this.elaborated) x.completeBinding();
  }

  /** Attaches an inspector (one at a time); returns a function that detaches it. */
  inspect(inspector: Inspector): () => void {
    this.inspector = inspector;
    return () => {
      if (this.inspector === inspector) this.inspector = null;
    };
  }

  // ---------------------------------------------------------------- notification

  private checkOwner(e: SimEvent): void {
    const ex = EXECUTING.sim;
    if (ex !== null && ex !== this) {
      const by = ex.current;
      throw new SimError('cross-simulation', `${by ? `process '${by.path}'` : 'the running simulation'} notified event '${e.path}', which belongs to another simulation; events cannot be shared between simulations`, { path: by?.path ?? e.path, time: ex._now });
    }
  }

  /** @internal */
  notifyImmediate(e: SimEvent): void {
    if (EXECUTING.sim !== this) this.checkOwner(e);
    if (this.phase === 'update') {
      throw new SimError('immediate-notify-in-update', `immediate notification of '${e.path}' in the update phase is not allowed; use notifyDelta()`, { path: e.path, time: this._now });
    }
    if (this.phase === 'elaboration') {
      // SystemC E521: nothing can be waiting yet, so the notification would be lost.
      throw new SimError('immediate-notify-in-elaboration', `immediate notification of '${e.path}' before the simulation started (elaboration) is not allowed; use notifyDelta() or notifyAfter()`, { path: e.path, time: this._now });
    }
    if (e.pending !== NOTIFY_NONE) this.cancelNotification(e);
    this.trigger(e);
  }

  /** @internal */
  notifyDelta(e: SimEvent): void {
    if (EXECUTING.sim !== this) this.checkOwner(e);
    const st = e.pending;
    if (st === NOTIFY_DELTA) return;
    if (st === NOTIFY_TIMED) e.gen++; // its timed-queue entry becomes stale
    e.pending = NOTIFY_DELTA;
    const i = this.nDq++;
    this.dq[i] = e;
  }

  /** @internal */
  notifyTimed(e: SimEvent, delay: Time): void {
    if (EXECUTING.sim !== this) this.checkOwner(e);
    const when = this._now + delay;
    if (!(delay > 0) || delay !== Math.floor(delay) || when > MAX_TIME) this.badDelay(delay, `${e.path}.notifyAfter`);
    const st = e.pending;
    if (st !== NOTIFY_NONE) {
      if (st === NOTIFY_DELTA || e.when <= when) return;
      // strictly earlier: the old entry becomes stale by the generation bump below
    }
    this.tq.insert(when, e, ++e.gen);
    e.when = when;
    e.pending = NOTIFY_TIMED;
  }

  /** @internal */
  cancelNotification(e: SimEvent): void {
    const st = e.pending;
    if (st === NOTIFY_TIMED) e.gen++;
    else if (st === NOTIFY_DELTA && !this.inDeltaNotify) this.removeDelta(this.dq.lastIndexOf(e, this.nDq - 1));
    e.pending = NOTIFY_NONE;
  }

  /** Removes entry `i` of the delta list as SystemC does (the last entry takes its place). */
  private removeDelta(i: number): void {
    if (this.inDeltaNotify) return; // being walked: the entry is skipped as stale
    const last = --this.nDq;
    const dq = this.dq;
    if (i !== last) {
      const x = dq[last]!;
      dq[i] = x;
      this.dqSeq[i] = this.dqSeq[last]!;
      if (x instanceof Process) x.deltaIndex = i;
    }
    dq[last] = undefined as unknown as SimEvent;
  }

  /** Schedules the one-delta time-out of `p` (wait(0), timeout(0, ...)). */
  private addDeltaProc(p: Process): void {
    const i = this.nDq++;
    this.dq[i] = p;
    this.dqSeq[i] = p.waitSeq;
    p.deltaIndex = i;
    this.dqHasProc = true;
  }

  private badDelay(delay: number, what: string): never {
    if (delay < 0 || !Number.isFinite(delay) || delay !== Math.floor(delay)) {
      throw new SimError('bad-time', `${what}: ${delay} is not a delay (delays are non-negative integer picoseconds; build them with ns(), ps(), ...)`, this.where());
    }
    throw new SimError('time-overflow', `${what}: now (${this._now} ps) + ${delay} ps exceeds the largest time ${MAX_TIME} ps`, this.where());
  }

  private where(): { path?: string; time: number } {
    return this.current ? { path: this.current.path, time: this._now } : { time: this._now };
  }

  /** @internal Triggers an event now: static sensitivity and dynamic waiters. */
  trigger(e: SimEvent): void {
    const m1 = e.soleMethod;
    if (m1 !== null) {
      // A method is not re-triggered by an immediate notification from its own run.
      if (m1.waitKind === W_STATIC && m1 !== this.current) {
        if (m1.ctrl === 0) {
          if (m1.queued === false) {
            m1.queued = true;
            this.rq[this.rqTail++] = m1;
          }
        } else {
          this.triggerStatic(m1);
        }
      }
    } else {
      const sm = e.staticMethods;
      if (sm !== null && this.batchOk === true) {
        const i = this.nBq++;
        this.bq[i] = sm;
        this.bqSerial[i] = this.runSerial;
        this.bqExcl[i] = this.curId;
      } else if (sm !== null) {
        const cur = this.current;
        for (let i = 0; i < sm.length; i++) {
          const p = sm[i]!;
          if (p.waitKind === W_STATIC && p !== cur) {
            if (p.ctrl === 0) {
              if (p.queued === false) {
                p.queued = true;
                this.rq[this.rqTail++] = p;
              }
            } else {
              this.triggerStatic(p);
            }
          }
        }
      }
    }
    const stt = e.staticThreads;
    if (stt !== null) {
      for (let i = 0; i < stt.length; i++) {
        const p = stt[i]!;
        if (p.waitKind === W_STATIC) this.triggerStatic(p);
      }
    }
    const n = e.nDyn;
    if (n === 0) return;
    const d = e.dyn;
    e.nDyn = 0;
    let keep = 0;
    for (let i = 0; i < n; i++) {
      const p = i === 0 ? e.w0! : d[i - 1]!;
      if (p.waitKind === W_EVENT && p.ctrl === 0) {
        p.waitKind = W_NONE;
        p.waitEvent = null;
        p.timedOut = false;
        if (p.queued === false) {
          p.queued = true;
          this.rq[this.rqTail++] = p;
        }
      } else if (!this.triggerDynamic(p, e)) {
        // Disabled: keeps waiting here. Positions only move down, so this never overwrites
        // an entry still to be visited.
        if (keep === 0) e.w0 = p;
        else d[keep - 1] = p;
        keep++;
      }
    }
    if (keep === 0) e.w0 = null;
    // New waiters cannot have been added during the loop (triggering only queues processes).
    e.nDyn = keep;
  }

  private triggerStatic(p: Process): void {
    const c = p.ctrl;
    if (c !== 0) {
      if (c & (C_TERMINATED | C_DISABLED)) return;
      // suspended
      if (p.isThread === true) p.waitKind = W_NONE;
      p.readyWhileSuspended = true;
      return;
    }
    if (p.isThread === true) p.waitKind = W_NONE;
    this.makeRunnable(p);
  }

  /** Handles a dynamic trigger; returns false if the process stays waiting on `e`. */
  private triggerDynamic(p: Process, e: SimEvent): boolean {
    const c = p.ctrl;
    if (c & C_TERMINATED) return true;
    // As SystemC's trigger_dynamic: any dynamic trigger clears timed_out() first.
    p.timedOut = false;
    if (c & C_DISABLED) return false;
    switch (p.waitKind) {
      case W_EVENT:
        p.waitEvent = null;
        break;
      case W_EVENT_TO:
        this.cancelTimeout(p);
        p.waitEvent = null;
        p.timedOut = false;
        break;
      case W_ANY:
      case W_ANY_TO: {
        if (p.waitKind === W_ANY_TO) this.cancelTimeout(p);
        const list = p.waitList!;
        for (let i = 0; i < list.length; i++) {
          const o = list[i]!;
          if (o !== e) o.removeDyn(p);
        }
        p.waitList = null;
        p.timedOut = false;
        break;
      }
      case W_ALL:
      case W_ALL_TO:
        if (--p.allRemaining > 0) return true;
        if (p.waitKind === W_ALL_TO) this.cancelTimeout(p);
        p.waitList = null;
        p.timedOut = false;
        break;
      default:
        return true; // stale entry
    }
    this.wake(p);
    return true;
  }

  private cancelTimeout(p: Process): void {
    // A timed entry becomes stale by the waitSeq bump; a one-delta entry is removed.
    p.hasTimeout = false;
    if (p.deltaIndex >= 0) {
      this.removeDelta(p.deltaIndex);
      p.deltaIndex = -1;
    }
    p.waitSeq++;
  }

  /** A dynamic wait of `p` is satisfied. */
  private wake(p: Process): void {
    p.waitKind = W_NONE;
    if (p.ctrl & C_SUSPENDED) {
      p.readyWhileSuspended = true;
      return;
    }
    this.makeRunnable(p);
  }

  /** @internal */
  makeRunnable(p: Process): void {
    if (p.queued === false) {
      p.queued = true;
      this.rq[this.rqTail++] = p;
    }
  }

  /** @internal */
  queueUpdate(ch: PrimitiveChannel): void {
    this.upd[this.nUpd++] = ch;
  }


  // ---------------------------------------------------------------- waits

  /** @internal Installs a wait for `p` (thread yield or method next_trigger). */
  applyWait(p: Process, w: Wait): void {
    if (w instanceof SimEvent) {
      if (w.sim !== this) this.foreignWait(p, w);
      p.waitKind = W_EVENT;
      p.waitEvent = w;
      w.addDyn(p);
    } else if (typeof w === 'number') {
      if (w === 0) {
        p.waitKind = W_TIME;
        if (p.ntPre) p.ntPre = false;
        else this.addDeltaProc(p);
      } else {
        const when = this._now + w;
        if (!(w > 0) || w !== Math.floor(w) || when > MAX_TIME) this.badDelay(w, `${p.path}: wait`);
        p.waitKind = W_TIME;
        if (p.ntPre) p.ntPre = false;
        else this.addTimeout(p, when);
      }
    } else if (w === undefined) {
      p.waitKind = W_STATIC;
    } else if (w instanceof WaitSpec) {
      const evs = w.events;
      for (let i = 0; i < evs.length; i++) {
        const e = evs[i]!;
        if (e.sim !== this) this.foreignWait(p, e);
        e.addDyn(p);
      }
      p.waitList = evs;
      const hasTo = w.timeout >= 0;
      if (w.kind === SPEC_ALL) {
        p.allRemaining = evs.length;
        p.waitKind = hasTo ? W_ALL_TO : W_ALL;
      } else {
        p.waitKind = hasTo ? W_ANY_TO : W_ANY;
      }
      if (evs.length === 1 && !hasTo) {
        p.waitKind = W_EVENT;
        p.waitEvent = evs[0]!;
        p.waitList = null;
      } else if (evs.length === 1) {
        p.waitKind = W_EVENT_TO;
        p.waitEvent = evs[0]!;
        p.waitList = null;
      }
      if (hasTo) {
        const when = this._now + w.timeout;
        if (w.timeout !== Math.floor(w.timeout) || when > MAX_TIME) this.badDelay(w.timeout, `${p.path}: wait timeout`);
        if (p.ntPre) p.ntPre = false;
        else if (w.timeout === 0) this.addDeltaProc(p);
        else this.addTimeout(p, when);
      }
    } else {
      throw new SimError('bad-wait', `${p.path} yielded ${String(w)}; yield an event, a time (number of ps), undefined (static sensitivity) or anyOf/allOf/timeout`, this.where());
    }
  }

  /**
   * @internal The fast path of `yield delay` (a timed wait, delay > 0) for the running thread
   * when nothing else can happen before it resumes: no other process runnable or batched, no
   * channel update or delta notification pending, no timed entry due at or before `now + delay`,
   * `now + delay` before the end of the current `run` call, and no stop, clock edge, inspector,
   * shuffling or process control in the way. Then it does to the simulation exactly what the
   * scheduler would do between the yield and the thread's resumption (the delta ends, the
   * time-out entry goes in and out of the timed queue, which keeps the queue's shape, time
   * advances) and returns true: the caller continues as if resumed. Otherwise it changes nothing
   * and returns false: the caller yields. Loosely-timed initiators that are alone (a host core
   * while its accelerator computes) use it at every quantum boundary.
   */
  advanceAlone(delay: Time): boolean {
    const p = this.current;
    if (p === null || !p.isThread || p.ctrl !== 0 || p.forceReset || p.resetLevel > 0 || p.ntPre) return false;
    if (this.inspector !== null || this.shuffleRng !== null || this.stopRequested || this.clockRan || this.phase !== 'evaluate') return false;
    if (this.rqHead !== this.rqTail || this.bqHead !== this.nBq || this.curBatch !== null || this.nUpd !== 0 || this.nDq !== 0) return false;
    if (!(delay > 0) || delay !== Math.floor(delay)) return false;
    const when = this._now + delay;
    if (!(when < this.runEnd) || when > MAX_TIME) return false;
    const tq = this.tq;
    if (tq.n > 0 && !(tq.times[1]! > when)) return false;
    // applyWait + end of the delta (update phase, no delta notification) + time advance +
    // fireTimed (its entry is the only one due) + timeoutWake, in that order:
    tq.insert(when, p, -1 - p.waitSeq);
    this._delta++;
    this.changeStamp++;
    this._now = when;
    this.changeStamp++;
    this.deltasHere = 0;
    tq.removeTop();
    p.hasTimeout = false;
    p.deltaIndex = -1;
    p.waitSeq++;
    p.timedOut = false;
    return true;
  }

  private foreignWait(p: Process, e: SimEvent): never {
    throw new SimError('cross-simulation', `${p.path} waits on event '${e.path}' of another simulation`, { path: p.path, time: this._now });
  }

  private addTimeout(p: Process, when: number): void {
    this.tq.insert(when, p, -1 - p.waitSeq);
    p.hasTimeout = true;
  }

  /** A timed wait, timeout or one-delta wait of `p` expired. */
  private timeoutWake(p: Process): void {
    p.hasTimeout = false;
    p.deltaIndex = -1;
    p.waitSeq++;
    const k = p.waitKind;
    if (k === W_EVENT_TO) {
      p.waitEvent!.removeDyn(p);
      p.waitEvent = null;
      p.timedOut = true;
    } else if (k === W_ANY_TO || k === W_ALL_TO) {
      const list = p.waitList!;
      for (let i = 0; i < list.length; i++) list[i]!.removeDyn(p);
      p.waitList = null;
      p.timedOut = true;
    } else if (k === W_TIME) {
      p.timedOut = false; // wait(t) / wait(0) ended: timed_out() is false (SystemC)
    } else {
      return;
    }
    if (p.ctrl & C_DISABLED) {
      throw new SimError('disabled-timeout', `the time-out of disabled process '${p.path}' expired; disabling a process that waits with a time-out is undefined in IEEE 1666 (SystemC E559)`, { path: p.path, time: this._now });
    }
    if (p.ctrl & C_TERMINATED) return;
    this.wake(p);
  }

  /** Removes every pending wait registration of `p`. */
  private clearWait(p: Process): void {
    switch (p.waitKind) {
      case W_EVENT:
      case W_EVENT_TO:
        p.waitEvent?.removeDyn(p);
        break;
      case W_ANY:
      case W_ANY_TO:
      case W_ALL:
      case W_ALL_TO: {
        const list = p.waitList;
        if (list) for (let i = 0; i < list.length; i++) list[i]!.removeDyn(p);
        break;
      }
      default:
        break;
    }
    p.hasTimeout = false; // its timed entry becomes stale by the waitSeq bump
    if (p.deltaIndex >= 0) {
      this.removeDelta(p.deltaIndex);
      p.deltaIndex = -1;
    }
    p.waitSeq++;
    p.waitEvent = null;
    p.waitList = null;
    p.waitKind = W_NONE;
  }

  /** @internal Throws unless a thread process is running (blocking calls need one). */
  assertInThread(what: string): Process {
    const p = this.current;
    if (p === null || !p.isThread) {
      throw new SimError('wait-outside-thread', `${what} may block and can only be used in a thread process (with yield*)${p ? `, not in method '${p.path}'` : ', not outside the simulation'}`, this.where());
    }
    return p;
  }

  /** @internal */
  setNextTrigger(p: Process, w: Wait): void {
    if (p.isThread || this.current !== p) {
      throw new SimError('next-trigger-outside-method', `nextTrigger() on '${p.path}' must be called by that method process while it runs`, this.where());
    }
    // A later call replaces an earlier one of the same run (SystemC clear_trigger: the earlier
    // time-out is cancelled).
    if (p.ntSet && p.ntPre) {
      p.ntPre = false;
      this.cancelTimeout(p);
    }
    p.ntSet = true;
    p.ntWait = w;
    // SystemC schedules the time-out at the call; do the same so that it is queued before any
    // notification the method makes afterwards (the order decides ties at equal times). The
    // event part is registered when the method returns, which is equivalent: a method ignores
    // its own notifications.
    const to = typeof w === 'number' ? w : w instanceof WaitSpec ? w.timeout : -1;
    if (to >= 0) {
      if (to !== Math.floor(to) || this._now + to > MAX_TIME) this.badDelay(to, `${p.path}: nextTrigger`);
      if (to === 0) this.addDeltaProc(p);
      else this.addTimeout(p, this._now + to);
      p.ntPre = true;
    }
  }

  // ---------------------------------------------------------------- process control

  /** @internal */
  killProcess(p: Process): void {
    this.expandBatches();
    if (p.ctrl & C_TERMINATED) return;
    if (p.isThread && this.current === p) throw new ProcessUnwind(p, false);
    this.clearWait(p);
    if (p.isThread && p.gen !== null) this.unwind(p);
    this.terminate(p);
  }

  /** @internal */
  resetProcess(p: Process): void {
    this.expandBatches();
    if (p.ctrl & C_TERMINATED) return;
    if (p.isThread && this.current === p) throw new ProcessUnwind(p, true);
    this.clearWait(p);
    this.runNested(p, true);
  }

  /** @internal */
  suspendProcess(p: Process): void {
    this.expandBatches();
    if (p.ctrl & C_TERMINATED) return;
    p.ctrl |= C_SUSPENDED;
    if (p.queued || (this.current === p && !p.isThread)) {
      // Taken out of this evaluation phase; it runs again at resume(). A method that suspends
      // itself is also marked ready, so it runs again at resume() (SystemC suspend_process).
      p.readyWhileSuspended = true;
    }
  }

  /** @internal */
  resumeProcess(p: Process): void {
    this.expandBatches();
    if (!(p.ctrl & C_SUSPENDED)) return;
    p.ctrl &= ~C_SUSPENDED;
    if (p.readyWhileSuspended) {
      p.readyWhileSuspended = false;
      if (p.isThread) {
        this.makeRunnable(p);
      } else if (this.current !== p) {
        // SystemC resume_process of a method: queue it and drop its dynamic sensitivity
        // (a next_trigger() set before it suspended itself); a self-resume does not queue it.
        this.clearWait(p);
        this.makeRunnable(p);
      }
    }
  }

  /** @internal */
  enableProcess(p: Process): void {
    this.expandBatches();
    p.ctrl &= ~C_DISABLED;
  }

  /** @internal */
  disableProcess(p: Process): void {
    this.expandBatches();
    if (p.ctrl & C_TERMINATED) return;
    if (p.hasTimeout && p.waitKind !== W_TIME) {
      throw new SimError('disable-timeout-wait', `cannot disable '${p.path}' while it waits with a time-out (undefined in IEEE 1666, SystemC E559)`, { path: p.path, time: this._now });
    }
    p.ctrl |= C_DISABLED;
  }

  /** @internal A reset signal of `p` became active (async) at its active level. */
  asyncResetAsserted(p: Process): void {
    this.expandBatches();
    if (p.ctrl & C_TERMINATED) return;
    this.clearWait(p);
    if (p.isThread) {
      p.forceReset = true;
      p.waitKind = W_NONE;
      this.makeRunnable(p);
    } else {
      // SystemC preempts with the method at once, even inside the update phase.
      this.runNested(p, true);
    }
  }

  /** Runs `p` now, inside whatever is running (reset(), async reset of a method). */
  private runNested(p: Process, reset: boolean): void {
    const saved = this.current;
    const savedPhase = this.phase;
    if (p.queued) {
      // It will be popped later; make that a no-op by marking it dequeued and skipping.
      p.queued = false;
      this.removeFromRunQueue(p);
    }
    try {
      this.current = p;
      this.curId = p.uid;
      if (p.isThread) {
        if (reset) p.forceReset = true;
        this.resumeThread(p);
      } else {
        // reset() of a method notifies reset_event() before the run (runMethod does it if a reset is active)
        if (reset && p.rstEvent !== null && p.resetLevel === 0) this.trigger(p.rstEvent);
        this.runMethod(p);
      }
    } finally {
      this.current = saved;
      this.curId = saved === null ? 0 : saved.uid;
      this.phase = savedPhase;
    }
  }

  private removeFromRunQueue(p: Process): void {
    for (let i = this.rqHead; i < this.rqTail; i++) {
      if (this.rq[i] === p) {
        this.rq.splice(i, 1);
        this.rqTail--;
        return;
      }
    }
  }

  private unwind(p: Process): void {
    const gen = p.gen!;
    p.gen = null;
    const saved = this.current;
    p.unwinding = true;
    this.current = p;
    this.curId = p.uid;
    try {
      const r = gen.return(undefined);
      if (!r.done) {
        throw new SimError('wait-while-unwinding', `'${p.path}' yielded (waited) in a finally block while being killed or reset; cleanup code must not wait`, { path: p.path, time: this._now });
      }
    } finally {
      p.unwinding = false;
      this.current = saved;
      this.curId = saved === null ? 0 : saved.uid;
    }
  }

  private terminate(p: Process): void {
    p.ctrl |= C_TERMINATED;
    p.waitKind = W_NONE;
    p.gen = null;
    if (p.termEvent) this.trigger(p.termEvent);
  }

  // ---------------------------------------------------------------- running processes

  private runMethod(p: Process): void {
    p.runStamp = ++this.runSerial;
    // Invariant: ntSet is false between runs (only the running method can set it). While it
    // runs, a method keeps the wait state it was woken from; trigger() skips the running
    // process, so that its own immediate notifications do not re-trigger it.
    // A method that runs while a reset is active (reset signal, syncResetOn) notifies its
    // reset_event() first, as SystemC's sc_process_b::semantics().
    if (p.resetLevel > 0 && p.rstEvent !== null) this.trigger(p.rstEvent); // hot field first
    p.methodBody!(p);
    if (p.ctrl & C_TERMINATED) return;
    if (p.ntSet === true) {
      const w = p.ntWait;
      p.ntSet = false;
      p.ntWait = undefined;
      this.applyWait(p, w);
    } else if (p.waitKind !== W_STATIC) {
      p.waitKind = W_STATIC;
    }
  }

  private resumeThread(p: Process): void {
    let gen = p.gen;
    if (gen === null || p.forceReset === true || p.resetLevel > 0) {
      if (gen !== null) {
        p.forceReset = false;
        this.unwind(p);
        if (p.rstEvent) this.trigger(p.rstEvent);
      }
      p.forceReset = false;
      gen = p.gen = p.threadBody!(p);
    }
    this.step(p, gen);
  }

  /** Resumes `gen` (the thread's generator) to its next wait. Kept small so that it inlines. */
  private step(p: Process, gen: Generator<Wait, void, unknown>): void {
    let r: IteratorResult<Wait, void>;
    try {
      r = gen.next();
    } catch (err) {
      this.threadThrew(p, err);
      return;
    }
    if (r.done === true) {
      this.terminate(p);
      return;
    }
    const w = r.value;
    if (w instanceof SimEvent && w.sim === this) {
      // The common `yield event`, without the call into applyWait.
      p.waitKind = W_EVENT;
      p.waitEvent = w;
      w.addDyn(p);
    } else {
      this.applyWait(p, w);
    }
  }

  private threadThrew(p: Process, err: unknown): void {
    if (err instanceof ProcessUnwind && err.process === p) {
      p.gen = null;
      this.clearWait(p);
      if (err.isReset) {
        if (p.rstEvent) this.trigger(p.rstEvent);
        this.resumeThread(p);
      } else {
        this.terminate(p);
      }
      return;
    }
    throw err;
  }

  // ---------------------------------------------------------------- phases

  /** Runs every runnable process; returns true if at least one ran. */
  private evaluate(): boolean {
    this.phase = 'evaluate';
    let ran = false;
    const rq = this.rq;
    const shuffle = this.shuffleRng;
    for (;;) {
      while (this.rqHead < this.rqTail) {
        if (shuffle !== null) {
          const j = this.rqHead + shuffle.int(this.rqTail - this.rqHead);
          const t = rq[j]!;
          rq[j] = rq[this.rqHead]!;
          rq[this.rqHead] = t;
        }
        const p = rq[this.rqHead++]!;
        p.queued = false;
        if (p.ctrl !== 0) {
          if (p.ctrl & C_TERMINATED) continue;
          if (p.ctrl & C_SUSPENDED) {
            p.readyWhileSuspended = true;
            continue;
          }
        }
        ran = true;
        this.current = p;
        this.curId = p.uid;
        if (this.inspector !== null) this.inspector.inspect({ type: 'process-run', process: p, time: this._now, delta: this._delta });
        if (p.isThread === true) {
          const gen = p.gen;
          if (gen !== null && p.forceReset === false && p.resetLevel === 0) this.step(p, gen);
          else this.resumeThread(p);
        } else {
          this.runMethod(p);
        }
      }
      if (this.bqHead === this.nBq) break;
      const bi = this.bqHead++;
      const list = this.bq[bi]!;
      const serial = this.bqSerial[bi]!;
      const excl = this.bqExcl[bi]!;
      this.curBatch = list;
      this.curBatchSerial = serial;
      this.curBatchExcl = excl;
      for (let j = 0; j < list.length; j++) {
        const p = list[j]!;
        if (p.waitKind !== W_STATIC || p.runStamp > serial || p.uid === excl || p.queued === true) continue;
        if (p.ctrl !== 0) {
          this.triggerStatic(p); // suspended: remembered for resume(); disabled: dropped
          continue;
        }
        ran = true;
        this.current = p;
        this.curId = p.uid;
        if (this.inspector !== null) this.inspector.inspect({ type: 'process-run', process: p, time: this._now, delta: this._delta });
        this.runMethod(p);
        if (this.curBatch === null) break; // expanded into the run queue by a process control call
      }
      this.curBatch = null;
    }
    this.current = null;
    this.curId = 0;
    this.rqHead = 0;
    this.rqTail = 0;
    this.nBq = 0;
    this.bqHead = 0;
    return ran;
  }

  /**
   * Turns pending static-sensitivity batches into run-queue entries, judging each member as
   * trigger() would have at the trigger (nothing about them changed since, but their own runs,
   * which runStamp accounts for). Called before any process control that can change that.
   */
  private expandBatches(): void {
    if (this.curBatch !== null) {
      // From the start: members that already ran have runStamp > serial and are skipped again.
      this.expandList(this.curBatch, 0, this.curBatchSerial, this.curBatchExcl);
      this.curBatch = null;
    }
    for (let i = this.bqHead; i < this.nBq; i++) this.expandList(this.bq[i]!, 0, this.bqSerial[i]!, this.bqExcl[i]!);
    this.nBq = 0;
    this.bqHead = 0;
  }

  private expandList(list: readonly Process[], from: number, serial: number, excl: number): void {
    for (let j = from; j < list.length; j++) {
      const p = list[j]!;
      if (p.waitKind !== W_STATIC || p.runStamp > serial || p.uid === excl) continue;
      if (p.ctrl === 0) this.makeRunnable(p);
      else this.triggerStatic(p);
    }
  }

  private update(): void {
    this.phase = 'update';
    this.changeStamp++;
    const upd = this.upd;
    if (this.inspector !== null) {
      for (let i = 0; i < this.nUpd; i++) this.inspector.inspect({ type: 'channel-update', channel: upd[i]!.path, time: this._now, delta: this._delta });
    }
    // nUpd is re-read each iteration: a method run by an async reset inside this phase may add channels.
    for (let i = 0; i < this.nUpd; i++) {
      const ch = upd[i]!;
      ch.updateRequested = false;
      ch.update();
    }
    this.nUpd = 0;
  }


  private deltaNotify(): void {
    this.phase = 'notify';
    const n = this.nDq;
    if (n === 0) return;
    const dq = this.dq;
    this.inDeltaNotify = true;
    if (this.dqHasProc === false) {
      // Only events: the order in which they are triggered is not observable (it only orders
      // the runnable set), so walk forwards, which is faster.
      for (let i = 0; i < n; i++) {
        const e = dq[i] as SimEvent;
        if (e.pending === NOTIFY_DELTA) {
          e.pending = NOTIFY_NONE;
          this.trigger(e);
        }
      }
    } else {
      // Last scheduled first, as SystemC's crunch() walks m_delta_events: this decides whether
      // a zero time-out or an awaited event is triggered first.
      this.dqHasProc = false;
      const seqs = this.dqSeq;
      for (let i = n - 1; i >= 0; i--) {
        const x = dq[i]!;
        if (x instanceof Process) {
          if (x.waitSeq === seqs[i]) this.timeoutWake(x);
        } else if (x.pending === NOTIFY_DELTA) {
          x.pending = NOTIFY_NONE;
          this.trigger(x);
        }
      }
    }
    this.nDq = 0;
    this.inDeltaNotify = false;
  }

  /** Delta cycles at the current time until nothing is runnable (or one if `once`). */
  private crunch(once: boolean): void {
    for (;;) {
      // A clock edge due now counts as its driver process having run in this delta (SystemC
      // runs two internal method processes per clock; edgesim performs their work directly).
      const ran = this.evaluate() || this.clockRan === true;
      this.clockRan = false;
      this.update();
      if (this.stopRequested === true) return;
      if (ran) {
        this._delta++;
        if (this.inspector !== null) this.inspector.inspect({ type: 'delta-end', time: this._now, delta: this._delta });
      }
      this.deltaNotify();
      if ((this.rqTail === 0 && this.nBq === 0) || once) return;
      if (++this.deltasHere > this.deltaLimit) this.deltaLimitExceeded();
    }
  }

  private deltaLimitExceeded(): never {
    this.expandBatches();
    const names = this.rq.slice(this.rqHead, this.rqTail).map((p) => p.path);
    throw new SimError(
      'delta-limit',
      `more than ${this.deltaLimit} delta cycles at ${formatTime(this._now)} without time advancing (a zero-delay loop?); still runnable: ${names.slice(0, 10).join(', ')}${names.length > 10 ? ', ...' : ''}. Raise SimulationOptions.deltaLimit if this is intended`,
      { time: this._now },
    );
  }

  /** Triggers every timed entry due at `t` (the top of the queue), in heap order as SystemC. */
  private fireTimed(t: number): void {
    const tq = this.tq;
    const refs = tq.refs;
    const gens = tq.gens;
    const times = tq.times;
    if (tq.allEventsAt(t)) {
      // Fast path (the common hardware case: one time step, events only): see allEventsAt.
      const n = tq.n;
      let clocks = 0;
      for (let i = 1; i <= n; i++) {
        const g = gens[i]!;
        if (g === 0) {
          clocks++;
          continue;
        }
        const e = refs[i] as SimEvent;
        if (e.gen === g && e.pending === NOTIFY_TIMED) {
          e.pending = NOTIFY_NONE;
          this.trigger(e);
        }
      }
      if (clocks === 0) {
        tq.clear();
        return;
      }
      // Clock edges insert their next edge: take them out of the emptied queue first.
      const edges = this.edgeBuf;
      let k = 0;
      for (let i = 1; i <= n; i++) if (gens[i] === 0) edges[k++] = refs[i] as ClockEdgeTarget;
      tq.clear();
      for (let i = 0; i < k; i++) edges[i]!.edge();
      return;
    }
    do {
      const x = refs[1]!;
      const g = gens[1]!;
      tq.removeTop();
      if (g < 0) {
        if ((x as Process).waitSeq === -1 - g) this.timeoutWake(x as Process);
      } else if (g === 0) {
        (x as ClockEdgeTarget).edge();
      } else if ((x as SimEvent).gen === g && (x as SimEvent).pending === NOTIFY_TIMED) {
        (x as SimEvent).pending = NOTIFY_NONE;
        this.trigger(x as SimEvent);
      }
    } while (tq.n > 0 && times[1] === t);
  }

  // ---------------------------------------------------------------- elaboration

  private resolveSensitivity(p: Process): void {
    const evs: SimEvent[] = [];
    for (const s of p.sensitivity) {
      const e = s instanceof SimEvent ? s : s.resolve();
      if (e.sim !== this) {
        throw new SimError('cross-simulation', `process '${p.path}' is sensitive to '${e.path}' of another simulation`, { path: p.path });
      }
      if (!evs.includes(e)) evs.push(e);
    }
    p.staticEvents = evs;
    for (const e of evs) e.addStatic(p);
    for (const r of p.resets) r.signal.addResetHook(p, r.active, r.async ?? false);
  }

  private initialize(): void {
    this.lifecycle.emit('before-end-of-elaboration');
    for (const x of this.elaboratables) x.completeBinding();
    for (const p of this.processes) this.resolveSensitivity(p);
    this.elaborated = true;
    this.lifecycle.emit('end-of-elaboration');
    this.lifecycle.emit('start-of-simulation');
    // Initialization phase: every process without dont_initialize becomes runnable, then the
    // update and delta-notification phases run once (writes and delta notifications made during
    // elaboration take effect before the first evaluation).
    for (const p of this.processes) {
      if (p.dontInitialize) p.waitKind = W_STATIC;
      else this.makeRunnable(p);
    }
    this.update();
    this.deltaNotify();
  }

  // ---------------------------------------------------------------- run control

  /**
   * Runs the simulation (SystemC `sc_start`).
   * - `run()` runs until nothing is left to do or `stop()`; time stays at the last activity.
   * - `run(d)` runs until `now + d`: activity due exactly then is triggered but runs only at the
   *   next `run`. With nothing left to do, time still advances to `now + d` unless the policy is
   *   `'exit-on-starvation'`.
   * - `run(0)` runs exactly one delta cycle.
   * Callable repeatedly until the simulation is stopped.
   * @throws SimError `simulation-finished` after stop, `process-error` wrapping a throw inside a
   *   process (naming the process and time), `delta-limit`, `bad-time`.
   */
  run(duration?: Time, policy: StarvationPolicy = 'run-to-time'): RunResult {
    if (this.phase === 'stopped') {
      throw new SimError('simulation-finished', 'run() called on a simulation that has stopped; create a new Simulation to run again', { time: this._now });
    }
    if (this.running) throw new SimError('run-reentrant', 'run() called from inside the simulation (a process); use stop() or wait instead', this.where());
    if (EXECUTING.sim !== null) throw new SimError('run-reentrant', 'run() called while another simulation is executing in this call stack', { time: this._now });
    if (duration !== undefined && (!Number.isSafeInteger(duration) || duration < 0 || this._now + duration > MAX_TIME)) {
      this.badDelay(duration, 'run');
    }
    this.running = true;
    EXECUTING.sim = this;
    try {
      if (!this.elaborated) {
        this.initialize();
        for (const c of this.clocksAtStart) c.edge();
        this.clocksAtStart = [];
      }
      this.deltasHere = 0;
      this.runEnd = duration === undefined ? MAX_TIME : this._now + duration;
      if (duration === 0) {
        this.crunch(true);
        return this.afterCrunch() ?? this.paused('time-limit');
      }
      const until = duration === undefined ? MAX_TIME : this._now + duration;
      for (;;) {
        this.crunch(false);
        const stopped = this.afterCrunch();
        if (stopped) return stopped;
        const t = this.tq.peekTime();
        if (t < 0) {
          if (duration !== undefined && policy === 'run-to-time') {
            this._now = until;
            this.changeStamp++;
            return this.paused('time-limit');
          }
          return this.paused('starved');
        }
        if (t > until) {
          this._now = until;
          this.changeStamp++;
          return this.paused('time-limit');
        }
        if (this.inspector !== null) this.inspector.inspect({ type: 'time-advance', from: this._now, to: t });
        this._now = t;
        this.changeStamp++;
        this.deltasHere = 0;
        this.phase = 'notify';
        this.fireTimed(t);
        if (t === until) return this.paused('time-limit');
      }
    } catch (err) {
      throw this.wrapError(err);
    } finally {
      this.running = false;
      EXECUTING.sim = null;
      this.current = null;
      this.curId = 0;
    }
  }

  /** Runs until absolute time `t` (`run(t - now)`). */
  runUntil(t: Time, policy: StarvationPolicy = 'run-to-time'): RunResult {
    if (t < this._now) throw new SimError('bad-time', `runUntil(${formatTime(t)}) is in the past (now ${formatTime(this._now)})`, { time: this._now });
    return this.run(t - this._now, policy);
  }

  private afterCrunch(): RunResult | undefined {
    if (!this.stopRequested) return undefined;
    this.phase = 'stopped';
    this.running = false;
    this.lifecycle.emit('end-of-simulation');
    return 'stopped';
  }

  private paused(r: RunResult): RunResult {
    this.phase = 'paused';
    return r;
  }

  private wrapError(err: unknown): unknown {
    const p = this.current;
    this.phase = 'stopped';
    if (err instanceof SimError) {
      if (err.path === undefined && p !== null) {
        return new SimError(err.code, `${err.message} (in process '${p.path}' at ${formatTime(this._now)})`, { path: p.path, time: this._now, cause: err });
      }
      return err;
    }
    if (err instanceof ProcessUnwind) {
      return new SimError('unwind-escaped', `a kill/reset unwind of '${err.process.path}' escaped its thread (was it caught and not rethrown?)`, { path: err.process.path, time: this._now });
    }
    const msg = err instanceof Error ? err.message : String(err);
    const where = p !== null ? `process '${p.path}'` : 'the kernel';
    return new SimError('process-error', `${where} threw at ${formatTime(this._now)} (delta ${this._delta}): ${msg}`, { ...(p ? { path: p.path } : {}), time: this._now, cause: err });
  }

  /**
   * Requests the end of the simulation (SystemC `sc_stop()` with `SC_STOP_FINISH_DELTA`): the
   * current evaluation phase still runs every runnable process and its update phase is done;
   * then `run()` returns `'stopped'` and the simulation cannot run again.
   */
  stop(): void {
    if (this.phase === 'stopped') return;
    this.stopRequested = true;
    if (!this.running) {
      this.phase = 'stopped';
      this.lifecycle.emit('end-of-simulation');
    }
  }
}
