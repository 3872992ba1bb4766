import { SimError, type Time } from '../util/index.js';
import { PrimitiveChannel } from './channel.js';
import type { SimEvent } from './event.js';
import type { Wait } from './process.js';
import type { Simulation } from './simulation.js';

/**
 * A bounded FIFO (SystemC `sc_fifo<T>`) with sc_fifo's visibility rules: items written in a
 * delta become readable only after that delta's update phase, and slots freed by reads become
 * writable only after it. In the update phase `dataWrittenEvent` / `dataReadEvent` are
 * delta-notified if anything was written / read in that delta.
 *
 * Hot loops should use the non-blocking calls and block only when needed, which allocates
 * nothing per item. Faster still: keep the per-item loop in a plain function and yield only when
 * it stops (V8 optimizes loops without a suspension point better; +25 % on the W5 workload):
 * ```ts
 * while (!fifo.nbWrite(v)) yield fifo.dataReadEvent;
 * let x; while ((x = fifo.nbRead()) === undefined) yield fifo.dataWrittenEvent;
 * ```
 * The blocking `yield* fifo.write(v)` / `yield* fifo.read()` do the same with one generator
 * object per call.
 */
export class Fifo<T> extends PrimitiveChannel {
  // Every field is `declare`d and assigned in the constructor, those of nbWrite/nbRead first, so
  // that none is first defined as undefined (see PrimitiveChannel).
  private declare free: number; // slots a writer can fill now (capacity minus committed, minus writes since)
  private declare tail: number; // index where the next item goes
  private declare readonly buf: (T | undefined)[];
  /** Capacity in items. */
  declare readonly capacity: number;
  private declare avail: number; // items a reader can take now (committed at the last update, minus reads since)
  private declare head: number; // index of the oldest item
  private declare committed: number; // items committed at the last update
  /** Delta-notified after a delta in which items were written. */
  declare readonly dataWrittenEvent: SimEvent;
  /** Delta-notified after a delta in which items were read. */
  declare readonly dataReadEvent: SimEvent;
  private declare watchers: ((items: number, time: Time) => void)[] | null;

  constructor(sim: Simulation, path: string, capacity = 16) {
    super(sim, path);
    if (!Number.isSafeInteger(capacity) || capacity < 1) {
      throw new SimError('bad-fifo', `fifo '${path}': capacity ${capacity} must be a positive integer`, { path });
    }
    // A packed array (filled by push, not `new Array(n)`, which stays holey): nbRead's load then
    // needs no hole check.
    const buf: (T | undefined)[] = [];
    for (let i = 0; i < capacity; i++) buf.push(undefined);
    this.free = capacity;
    this.tail = 0;
    this.buf = buf;
    this.capacity = capacity;
    this.avail = 0;
    this.head = 0;
    this.committed = 0;
    this.dataWrittenEvent = sim.event(`${path}.data_written_event`);
    this.dataReadEvent = sim.event(`${path}.data_read_event`);
    this.watchers = null;
  }

  /** Items a reader can take now (SystemC `num_available()`). */
  get numAvailable(): number {
    return this.avail;
  }
  /** Slots a writer can fill now (SystemC `num_free()`). */
  get numFree(): number {
    return this.free;
  }

  /** Writes if a slot is free; returns false otherwise (SystemC `nb_write`). */
  nbWrite(v: T): boolean {
    if (this.free === 0) return false;
    this.free--;
    const t = this.tail;
    this.buf[t] = v;
    this.tail = t + 1 === this.capacity ? 0 : t + 1;
    if (this.updateRequested === false) {
      this.updateRequested = true;
      this.sim.queueUpdate(this);
    }
    return true;
  }

  /**
   * Takes the oldest readable item, or returns undefined if none is readable
   * (SystemC `nb_read`). Check {@link numAvailable} first if `T` itself admits undefined.
   * The slot is not cleared: a FIFO of objects keeps at most `capacity` stale references alive.
   */
  nbRead(): T | undefined {
    if (this.avail === 0) return undefined;
    this.avail--;
    const h = this.head;
    this.head = h + 1 === this.capacity ? 0 : h + 1;
    if (this.updateRequested === false) {
      this.updateRequested = true;
      this.sim.queueUpdate(this);
    }
    return this.buf[h];
  }

  /** The oldest readable item without removing it, or undefined (SystemC `peek` without blocking). */
  peek(): T | undefined {
    return this.avail === 0 ? undefined : this.buf[this.head];
  }

  /** Blocking write: `yield* fifo.write(v)` in a thread. */
  write(v: T): Generator<Wait, void, unknown> {
    this.sim.assertInThread(`fifo '${this.path}'.write()`);
    return this.writeGen(v);
  }

  /** Blocking read: `const v = yield* fifo.read()` in a thread. */
  read(): Generator<Wait, T, unknown> {
    this.sim.assertInThread(`fifo '${this.path}'.read()`);
    return this.readGen();
  }

  private *writeGen(v: T): Generator<Wait, void, unknown> {
    while (!this.nbWrite(v)) yield this.dataReadEvent;
  }

  private *readGen(): Generator<Wait, T, unknown> {
    while (this.avail === 0) yield this.dataWrittenEvent;
    return this.nbRead() as T;
  }

  /** @internal */
  update(): void {
    const c = this.committed;
    const nRead = c - this.avail;
    const nWritten = this.capacity - c - this.free;
    if (nRead > 0) this.sim.notifyDelta(this.dataReadEvent);
    if (nWritten > 0) this.sim.notifyDelta(this.dataWrittenEvent);
    const now = c - nRead + nWritten;
    this.committed = now;
    this.avail = now;
    this.free = this.capacity - now;
    if (this.watchers !== null && now !== c) for (const w of this.watchers) w(now, this.sim.now);
  }

  /**
   * Calls `cb(items, time)` whenever the number of items in the FIFO changes (in the update
   * phase that commits the reads and writes of a delta), e.g. to trace its occupancy. Returns a
   * function that stops the calls.
   */
  watch(cb: (items: number, time: Time) => void): () => void {
    (this.watchers ??= []).push(cb);
    return () => {
      const i = this.watchers?.indexOf(cb) ?? -1;
      if (i >= 0) this.watchers!.splice(i, 1);
      if (this.watchers?.length === 0) this.watchers = null;
    };
  }

  /** The items committed at the last update (what a reader saw at the start of this delta). */
  get occupancy(): number {
    return this.committed;
  }
}
