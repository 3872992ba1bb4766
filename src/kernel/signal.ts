import { SimError } from '../util/index.js';
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
  /** @internal */
  cur: T;
  /** @internal */
  next: T;
  private readonly policy: WriterPolicy;
  private readonly equals: ((a: T, b: T) => boolean) | null;
  /** Writer policy is not 'unchecked'. */
  private readonly checked: boolean;
  private writer: Process | null = null;
  /** Some event or reset hook exists (the update has more to do than commit the value). */
  private extras = false;
  /**
   * Writes may be committed lazily: nobody can be woken by a change (no event, no reset hook),
   * the policy needs no per-delta bookkeeping and equality is `===`. Then a write skips the
   * update list; the value is committed on the first access after the update phase that follows
   * the write (it is then exactly what an eager update would have produced).
   */
  private lazyOk: boolean;
  /** A lazily committed write is outstanding. */
  private pending = false;
  /** Change stamp at the outstanding lazy write. */
  private wStamp = 0;
  private changedAt = 0;
  private changedEv: SimEvent | null = null;
  private posEv: SimEvent | null = null;
  private negEv: SimEvent | null = null;
  private resetHooks: ResetHook[] | null = null;

  constructor(sim: Simulation, path: string, initial: T, opts: SignalOptions<T> = {}) {
    super(sim, path);
    this.cur = initial;
    this.next = initial;
    this.policy = opts.writerPolicy ?? 'one';
    this.equals = opts.equals ?? null;
    this.checked = this.policy !== 'unchecked';
    this.lazyOk = this.policy !== 'many' && this.equals === null;
  }

  /** Current (committed) value. */
  read(): T {
    if (this.pending) this.settle();
    return this.cur;
  }

  /** Schedules `v` to become the value in the next update phase. */
  write(v: T): void {
    if (this.checked) {
      const p = this.sim.current;
      if (p !== this.writer && p !== null) this.newWriter(p);
    }
    if (this.lazyOk) {
      const st = this.sim.changeStamp;
      if (this.pending && st !== this.wStamp) this.commitLazy();
      this.next = v;
      this.pending = true;
      this.wStamp = st;
      this.sim.lazyWriteStamp = st;
      return;
    }
    this.next = v;
    if (this.equals === null ? v !== this.cur : !this.equals(v, this.cur)) this.requestUpdate();
    else if (this.policy === 'many') this.requestUpdate();
  }

  /** Commits an outstanding lazy write if an update phase has passed since it. */
  private settle(): void {
    if (this.sim.changeStamp !== this.wStamp) this.commitLazy();
  }

  private commitLazy(): void {
    this.pending = false;
    if (this.next !== this.cur) {
      this.cur = this.next;
      this.changedAt = this.wStamp + 1; // the stamp of the update phase right after the write
    }
  }

  /** Switches to eager updates (an event or reset hook now depends on this signal). */
  private needEager(): void {
    this.extras = true;
    if (!this.lazyOk) return;
    this.lazyOk = false;
    if (this.pending) {
      if (this.sim.changeStamp !== this.wStamp) this.commitLazy();
      else {
        this.pending = false;
        this.requestUpdate();
      }
    }
  }

  private newWriter(p: Process): void {
    const w = this.writer;
    if (w === null) this.writer = p;
    else {
      const why =
        this.policy === 'one'
          ? `signal '${this.path}' is written by '${w.path}' and '${p.path}'; with writer policy 'one' only one process may write it (use writerPolicy 'many' for several writers in different deltas)`
          : `signal '${this.path}' is written by '${w.path}' and '${p.path}' in the same delta cycle; with writer policy 'many' writers must not conflict within one delta`;
      throw new SimError(this.policy === 'one' ? 'multiple-writers' : 'conflicting-write', why, { path: this.path, time: this.sim.now });
    }
  }

  /** @internal */
  update(): void {
    if (this.policy === 'many') this.writer = null;
    const nv = this.next;
    const old = this.cur;
    if (this.equals === null ? nv === old : this.equals(nv, old)) return;
    this.cur = nv;
    this.changedAt = this.sim.changeStamp;
    if (this.extras) this.afterChange(nv, old);
  }

  private afterChange(nv: T, old: T): void {
    if (this.changedEv !== null) this.sim.notifyDelta(this.changedEv);
    if (nv === true) {
      if (this.posEv !== null) this.sim.notifyDelta(this.posEv);
    } else if (nv === false) {
      if (this.negEv !== null) this.sim.notifyDelta(this.negEv);
    }
    if (this.resetHooks !== null) this.fireResetHooks(nv, old);
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
    if (this.pending) this.settle();
    return this.changedAt === this.sim.changeStamp;
  }
  /** True if the value just changed to true (SystemC `posedge()`). */
  posedge(): boolean {
    if (this.pending) this.settle();
    return this.changedAt === this.sim.changeStamp && (this.cur as unknown) === true;
  }
  /** True if the value just changed to false (SystemC `negedge()`). */
  negedge(): boolean {
    if (this.pending) this.settle();
    return this.changedAt === this.sim.changeStamp && (this.cur as unknown) === false;
  }

  /** Delta-notified whenever the committed value changes. */
  get valueChangedEvent(): SimEvent {
    if (this.changedEv === null) this.needEager();
    return (this.changedEv ??= this.sim.event(`${this.path}.value_changed_event`));
  }
  /** Delta-notified when the value changes to true (boolean signals). */
  get posedgeEvent(): SimEvent {
    if (this.posEv === null) this.needEager();
    return (this.posEv ??= this.sim.event(`${this.path}.posedge_event`));
  }
  /** Delta-notified when the value changes to false (boolean signals). */
  get negedgeEvent(): SimEvent {
    if (this.negEv === null) this.needEager();
    return (this.negEv ??= this.sim.event(`${this.path}.negedge_event`));
  }

  /**
   * @internal Makes `process` reset while this signal equals `active`
   * (SystemC `reset_signal_is` / `async_reset_signal_is`).
   */
  addResetHook(proc: Process, active: boolean, isAsync: boolean): void {
    this.needEager();
    (this.resetHooks ??= []).push({ process: proc, active, isAsync });
    if ((this.read() as unknown) === active) proc.resetLevel++;
  }
}
