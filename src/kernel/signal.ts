import { SimError, type Time } from '../util/index.js';
import { PrimitiveChannel } from './channel.js';
import type { SimEvent } from './event.js';
import type { Process } from './process.js';
import type { Simulation } from './simulation.js';

/**
 * Who may write a signal (SystemC `sc_writer_policy`):
 * - `one` (default, `SC_ONE_WRITER`): only one process may ever write it; writes from outside
 *   any process (the test bench before or between runs) are always allowed;
 * - `many` (`SC_MANY_WRITERS`): several processes may write it, but not two different ones in
 *   the same delta cycle;
 * - `unchecked` (`SC_UNCHECKED_WRITERS`): anything goes, the last write of a delta wins.
 */
export type WriterPolicy = 'one' | 'many' | 'unchecked';

/** Options of a {@link Signal}. */
export interface SignalOptions<T> {
  readonly writerPolicy?: WriterPolicy;
  /** Value equality used to decide whether a write changes the value. Default `===`. */
  readonly equals?: (a: T, b: T) => boolean;
}

interface ResetHook {
  readonly process: Process;
  readonly active: boolean;
  readonly isAsync: boolean;
}

/**
 * A signal (SystemC `sc_signal<T>`): a write becomes visible only after the update phase of the
 * delta in which it was written; if the value changed, `valueChangedEvent` is delta-notified
 * (and, for booleans, `posedgeEvent` or `negedgeEvent`). Several writes in one delta: the last
 * one wins. Widths are not modelled here: store a number (up to 53 bits exact) or a bigint.
 */
export class Signal<T> extends PrimitiveChannel {
  // Value representation (read() is the hot path, so it stores nothing):
  // - `next` is the last value written, `wStamp` the change stamp of the evaluation phase in
  //   which it was written. The update phase that follows bumps the simulation's change stamp,
  //   so "written in an earlier phase" is `wStamp !== sim.changeStamp`.
  // - `cur` is the value before that write. read() returns `next` once the write's update phase
  //   has passed, `cur` before.
  // - Eager signals (someone may be woken by a change: an event or a reset hook exists, or the
  //   policy or equality needs the update phase) also queue an update, which sets `cur = next`
  //   and notifies; lazy ones never touch the update list.
  // Every field is `declare`d and assigned in the constructor, hot ones first (what read() and
  // write() touch), so that none is first defined as undefined (see PrimitiveChannel).
  /** @internal Change stamp of the evaluation phase of the last write (-1: never written). */
  declare wStamp: number;
  /** @internal */
  declare next: T;
  /** @internal */
  declare cur: T;
  /** Writer policy is not 'unchecked'. */
  private declare readonly checked: boolean;
  /** Updates go through the update phase (events or reset hooks may react, or policy/equality need it). */
  private declare eager: boolean;
  private declare writer: Process | null;
  /** `writer.uid`, or 0 (compared with Simulation.curId, see there). */
  private declare writerId: number;
  /** Change stamp of the update phase that last changed the value (maintained lazily for lazy signals). */
  private declare changedAt: number;
  private declare readonly policy: WriterPolicy;
  private declare readonly equals: ((a: T, b: T) => boolean) | null;
  private declare changedEv: SimEvent | null;
  private declare posEv: SimEvent | null;
  private declare negEv: SimEvent | null;
  private declare resetHooks: ResetHook[] | null;
  private declare watchers: ((value: T, time: Time) => void)[] | null;

  constructor(sim: Simulation, path: string, initial: T, opts: SignalOptions<T> = {}) {
    super(sim, path);
    const policy = opts.writerPolicy ?? 'one';
    const equals = opts.equals ?? null;
    this.wStamp = -1;
    this.next = initial;
    this.cur = initial;
    this.checked = policy !== 'unchecked';
    this.eager = policy === 'many' || equals !== null;
    this.writer = null;
    this.writerId = 0;
    this.changedAt = 0;
    this.policy = policy;
    this.equals = equals;
    this.changedEv = null;
    this.posEv = null;
    this.negEv = null;
    this.resetHooks = null;
    this.watchers = null;
  }

  /** Current (committed) value. */
  read(): T {
    return this.wStamp !== this.sim.changeStamp ? this.next : this.cur;
  }

  /** Schedules `v` to become the value in the next update phase. */
  write(v: T): void {
    if (this.checked === true) {
      const id = this.sim.curId;
      if (id !== this.writerId && id !== 0) this.newWriter(this.sim.current!);
    }
    const sim = this.sim;
    const st = sim.changeStamp;
    if (this.wStamp !== st) {
      // First write of this evaluation phase: the previous write is committed by now.
      const prev = this.next;
      if (prev !== this.cur) {
        this.changedAt = this.wStamp + 1;
        this.cur = prev;
      }
      this.wStamp = st;
    }
    this.next = v;
    if (this.eager === true) {
      if (this.equals === null ? v !== this.cur : !this.equals(v, this.cur)) this.requestUpdate();
      else if (this.policy === 'many') this.requestUpdate();
    } else if (v !== this.cur) {
      sim.lazyWriteStamp = st; // counts as pending activity, as a requested update would
    }
  }

  /** Switches to updates through the update phase (an event or reset hook now depends on this signal). */
  private makeEager(): void {
    if (this.eager) return;
    this.eager = true;
    // A write of the current phase must still reach the update phase to notify.
    if (this.wStamp === this.sim.changeStamp && this.next !== this.cur) this.requestUpdate();
    else if (this.wStamp !== this.sim.changeStamp && this.next !== this.cur) {
      // Already visible: record when it changed, as an eager update would have.
      this.changedAt = this.wStamp + 1;
      this.cur = this.next;
    }
  }

  private newWriter(p: Process): void {
    const w = this.writer;
    if (w === null) {
      this.writer = p;
      this.writerId = p.uid;
    } else {
      const why =
        this.policy === 'one'
          ? `signal '${this.path}' is written by '${w.path}' and '${p.path}'; with writer policy 'one' only one process may write it (use writerPolicy 'many' for several writers in different deltas)`
          : `signal '${this.path}' is written by '${w.path}' and '${p.path}' in the same delta cycle; with writer policy 'many' writers must not conflict within one delta`;
      throw new SimError(this.policy === 'one' ? 'multiple-writers' : 'conflicting-write', why, { path: this.path, time: this.sim.now });
    }
  }

  /** @internal */
  update(): void {
    if (this.policy === 'many') {
      this.writer = null;
      this.writerId = 0;
    }
    const nv = this.next;
    const old = this.cur;
    if (this.equals === null ? nv === old : this.equals(nv, old)) return;
    this.cur = nv;
    this.changedAt = this.sim.changeStamp;
    this.afterChange(nv, old);
  }

  private afterChange(nv: T, old: T): void {
    if (this.changedEv !== null) this.sim.notifyDelta(this.changedEv);
    if (nv === true) {
      if (this.posEv !== null) this.sim.notifyDelta(this.posEv);
    } else if (nv === false) {
      if (this.negEv !== null) this.sim.notifyDelta(this.negEv);
    }
    if (this.resetHooks !== null) this.fireResetHooks(nv, old);
    if (this.watchers !== null) for (const w of this.watchers) w(nv, this.sim.now);
  }

  /**
   * Calls `cb(value, time)` at every committed change of the value (in the update phase that
   * commits it; a clock's edges included), e.g. to trace the signal (SystemC `sc_trace`). The
   * signal then commits through the update phase like one a process is sensitive to. Returns a
   * function that stops the calls.
   */
  watch(cb: (value: T, time: Time) => void): () => void {
    this.makeEager();
    (this.watchers ??= []).push(cb);
    return () => {
      const i = this.watchers?.indexOf(cb) ?? -1;
      if (i >= 0) this.watchers!.splice(i, 1);
      if (this.watchers?.length === 0) this.watchers = null;
    };
  }

  private fireResetHooks(nv: T, old: T): void {
    for (const h of this.resetHooks!) {
      if ((nv as unknown) === h.active) {
        h.process.resetLevel++;
        if (h.isAsync) this.sim.asyncResetAsserted(h.process);
      } else if ((old as unknown) === h.active) {
        h.process.resetLevel--;
      }
    }
  }

  /** True if the value changed in the update phase just before this evaluation phase (SystemC `event()`). */
  event(): boolean {
    const stamp = this.sim.changeStamp;
    if (this.eager || this.wStamp === stamp) return this.changedAt === stamp;
    return this.wStamp + 1 === stamp && this.next !== this.cur;
  }
  /** True if the value just changed to true (SystemC `posedge()`). */
  posedge(): boolean {
    return this.event() && (this.read() as unknown) === true;
  }
  /** True if the value just changed to false (SystemC `negedge()`). */
  negedge(): boolean {
    return this.event() && (this.read() as unknown) === false;
  }

  /** Delta-notified whenever the committed value changes. */
  get valueChangedEvent(): SimEvent {
    this.makeEager();
    return (this.changedEv ??= this.sim.event(`${this.path}.value_changed_event`));
  }
  /** Delta-notified when the value changes to true (boolean signals). */
  get posedgeEvent(): SimEvent {
    this.makeEager();
    return (this.posEv ??= this.sim.event(`${this.path}.posedge_event`));
  }
  /** Delta-notified when the value changes to false (boolean signals). */
  get negedgeEvent(): SimEvent {
    this.makeEager();
    return (this.negEv ??= this.sim.event(`${this.path}.negedge_event`));
  }

  /**
   * @internal Makes `process` reset while this signal equals `active`
   * (SystemC `reset_signal_is` / `async_reset_signal_is`).
   */
  addResetHook(proc: Process, active: boolean, isAsync: boolean): void {
    this.makeEager();
    (this.resetHooks ??= []).push({ process: proc, active, isAsync });
    if ((this.read() as unknown) === active) proc.resetLevel++;
  }
}
