import type { SimEvent } from './event.js';
import type { Process } from './process.js';

/**
 * All timed activity due at one simulated time: event notifications and process wake-ups.
 *
 * Hardware models put many notifications on the same few times, so the queue keeps one
 * bucket per distinct time in a binary heap and appends to buckets in FIFO order (measured
 * 4x faster than one heap entry per notification in V8; see JS-KERNEL-LESSONS). Entries are
 * cancelled lazily: each carries the generation of its event or process, and `live` counts
 * the entries still valid so that time never advances to a bucket that holds only cancelled
 * entries.
 * @internal
 */
export class Bucket {
  time = 0;
  evs: SimEvent[] = [];
  gens: number[] = [];
  nEv = 0;
  procs: Process[] = [];
  seqs: number[] = [];
  nProc = 0;
  live = 0;
}

/**
 * @internal Min-heap of buckets keyed by time, with object reuse. Lookup of a time's bucket is a
 * cache of the last bucket, then a linear scan while few times are pending (the common case:
 * Map operations cost ~50 ns each in V8, a short scan far less), and a Map beyond that.
 */
export class TimeQueue {
  private heap: Bucket[] = [];
  private size = 0;
  private byTime: Map<number, Bucket> | null = null;
  private last: Bucket | null = null;
  private pool: Bucket[] = [];

  /** The bucket for time `t`, created if needed. */
  bucketAt(t: number): Bucket {
    const last = this.last;
    if (last !== null && last.time === t) return last;
    let b: Bucket | undefined;
    if (this.byTime === null) {
      const h = this.heap;
      for (let i = 0; i < this.size; i++) {
        if (h[i]!.time === t) {
          b = h[i]!;
          break;
        }
      }
    } else {
      b = this.byTime.get(t);
    }
    if (b === undefined) {
      b = this.pool.pop() ?? new Bucket();
      b.time = t;
      this.push(b);
      if (this.byTime !== null) this.byTime.set(t, b);
      else if (this.size > 32) this.byTime = new Map(this.heap.slice(0, this.size).map((x) => [x.time, x]));
    }
    this.last = b;
    return b;
  }

  /** Earliest time holding a live entry, or -1; drops buckets with no live entry. */
  peekTime(): number {
    while (this.size > 0) {
      const top = this.heap[0]!;
      if (top.live > 0) return top.time;
      const b = this.pop();
      this.forget(b);
      this.recycle(b);
    }
    return -1;
  }

  /** Removes and returns the earliest bucket. Call after {@link peekTime} returned >= 0. */
  popBucket(): Bucket {
    const b = this.pop();
    this.forget(b);
    return b;
  }

  private forget(b: Bucket): void {
    if (this.byTime !== null) {
      this.byTime.delete(b.time);
      if (this.size < 16) this.byTime = null;
    }
    if (this.last === b) this.last = null;
  }

  /** Returns a processed bucket (already removed from the heap) to the pool. */
  recycle(b: Bucket): void {
    if (this.last === b) this.last = null;
    const evs = b.evs;
    for (let i = 0; i < b.nEv; i++) evs[i] = undefined as unknown as SimEvent;
    const procs = b.procs;
    for (let i = 0; i < b.nProc; i++) procs[i] = undefined as unknown as Process;
    b.nEv = 0;
    b.nProc = 0;
    b.live = 0;
    if (this.pool.length < 64) this.pool.push(b);
  }

  private push(b: Bucket): void {
    const h = this.heap;
    let i = this.size++;
    const t = b.time;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const pb = h[parent]!;
      if (pb.time <= t) break;
      h[i] = pb;
      i = parent;
    }
    h[i] = b;
  }

  private pop(): Bucket {
    const h = this.heap;
    const top = h[0]!;
    const n = --this.size;
    if (n > 0) {
      const b = h[n]!;
      const t = b.time;
      let i = 0;
      for (;;) {
        let c = 2 * i + 1;
        if (c >= n) break;
        const r = c + 1;
        if (r < n && h[r]!.time < h[c]!.time) c = r;
        const cb = h[c]!;
        if (cb.time >= t) break;
        h[i] = cb;
        i = c;
      }
      h[i] = b;
    }
    h[n] = undefined as unknown as Bucket;
    return top;
  }
}
