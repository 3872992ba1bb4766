import type { Time } from '../util/index.js';
import type { Process } from './process.js';
import type { Simulation } from './simulation.js';

/** Pending-notification states of an event. */
export const NOTIFY_NONE = 0;
export const NOTIFY_DELTA = 1;
export const NOTIFY_TIMED = 2;

/**
 * A kernel event (SystemC `sc_event`): something processes wait on or are sensitive to.
 *
 * Notification follows IEEE 1666:
 * - `notify()` (immediate) triggers sensitive and waiting processes now, in the current
 *   evaluation phase, and cancels a pending delta or timed notification. It is not remembered:
 *   a process that starts waiting afterwards misses it.
 * - `notifyDelta()` (= `notify(SC_ZERO_TIME)`) triggers in the delta-notification phase of the
 *   current delta cycle.
 * - `notifyAfter(t)` triggers `t` picoseconds from now (`t = 0` is a delta notification).
 * - At most one notification is pending; a new one replaces it only if it is strictly earlier.
 * - `cancel()` removes a pending delta or timed notification.
 *
 * Events belong to one {@link Simulation}; notifying an event of another simulation from a
 * running process is an error (`cross-simulation`).
 */
export class SimEvent {
  // Field order matters: what trigger() reads comes first, in the object's first cache line.
  /** @internal The only statically sensitive method, when there is exactly one (saves two loads). */
  soleMethod: Process | null = null;
  /** @internal Method processes statically sensitive to this event (when more than one). */
  staticMethods: Process[] | null = null;
  /** @internal Thread processes statically sensitive to this event, or null. */
  staticThreads: Process[] | null = null;
  /** @internal Number of processes dynamically waiting (wait / next_trigger). */
  nDyn = 0;
  /** @internal The first dynamic waiter (most events have at most one: saves two loads). */
  w0: Process | null = null;
  /** @internal Further dynamic waiters: waiter k (k >= 1) is `dyn[k - 1]`. */
  dyn: Process[] = [];
  /** @internal NOTIFY_NONE | NOTIFY_DELTA | NOTIFY_TIMED */
  pending = NOTIFY_NONE;
  /** Owning simulation (`declare`d: assigned in the constructor only, see PrimitiveChannel). */
  declare readonly sim: Simulation;
  /** Instance path, e.g. `top.done`. */
  declare readonly path: string;
  /** @internal Generation of the timed notification, to detect stale queue entries. */
  gen = 0;
  /** @internal Absolute time of the pending timed notification. */
  when = 0;

  /** @internal Use {@link Simulation.event}. */
  constructor(sim: Simulation, path: string) {
    this.sim = sim;
    this.path = path;
  }

  /** Immediate notification (SystemC `e.notify()`). Not allowed in the update phase. */
  notify(): void {
    this.sim.notifyImmediate(this);
  }

  /** Delta notification (SystemC `e.notify(SC_ZERO_TIME)`). */
  notifyDelta(): void {
    this.sim.notifyDelta(this);
  }

  /**
   * Timed notification `delay` picoseconds from now; `0` is a delta notification.
   * Replaces a pending notification only if strictly earlier.
   */
  notifyAfter(delay: Time): void {
    if (delay === 0) this.sim.notifyDelta(this);
    else this.sim.notifyTimed(this, delay);
  }

  /** Cancels a pending delta or timed notification; no effect if none is pending. */
  cancel(): void {
    this.sim.cancelNotification(this);
  }

  /** True if a delta or timed notification is pending. */
  get isPending(): boolean {
    return this.pending !== NOTIFY_NONE;
  }

  /** Absolute time of the pending notification, or undefined if none is pending. */
  get pendingAt(): Time | undefined {
    if (this.pending === NOTIFY_DELTA) return this.sim.now;
    if (this.pending === NOTIFY_TIMED) return this.when;
    return undefined;
  }

  /** @internal Adds a statically sensitive process (at elaboration or spawn). */
  addStatic(p: Process): void {
    if (p.isThread) {
      (this.staticThreads ??= []).push(p);
    } else if (this.staticMethods !== null) {
      this.staticMethods.push(p);
    } else if (this.soleMethod === null) {
      this.soleMethod = p;
    } else {
      this.staticMethods = [this.soleMethod, p];
      this.soleMethod = null;
    }
  }

  /** @internal Adds a dynamic waiter. */
  addDyn(p: Process): void {
    const n = this.nDyn;
    if (n === 0) this.w0 = p;
    else this.dyn[n - 1] = p;
    this.nDyn = n + 1;
  }

  /** @internal Removes a dynamic waiter; returns false if it was not waiting here. */
  removeDyn(p: Process): boolean {
    const n = this.nDyn;
    if (n === 0) return false;
    const d = this.dyn;
    const last = n === 1 ? this.w0! : d[n - 2]!;
    if (this.w0 === p) {
      this.w0 = n === 1 ? null : last;
      this.nDyn = n - 1;
      return true;
    }
    for (let i = 0; i < n - 1; i++) {
      if (d[i] === p) {
        d[i] = last;
        this.nDyn = n - 1;
        return true;
      }
    }
    return false;
  }

  toString(): string {
    return this.path;
  }
}

/**
 * A reference to an event that does not exist yet when a process declares its sensitivity,
 * such as the positive edge of a port that is bound later (SystemC event finders,
 * `sensitive << clk.pos()`). Resolved once at the end of elaboration.
 */
export interface EventFinder {
  /** Description for error messages, e.g. `top.clk.pos()`. */
  readonly description: string;
  /** Returns the event; called after all ports are bound. */
  resolve(): SimEvent;
}

/** What a process may be statically sensitive to. */
export type Sensitivity = SimEvent | EventFinder;
