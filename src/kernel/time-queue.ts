import type { SimEvent } from './event.js';
import type { Process } from './process.js';

/**
 * The timed queue: every pending timed event notification and process time-out is one entry of
 * a binary min-heap on time that replays SystemC 2.3.4's `sc_ppq` (`sysc/utils/sc_pq.cpp`: 1-based
 * array, sift-up on insert while the parent is strictly later, `extract_top` moves the last entry
 * to the root and sifts it down towards a strictly earlier child, left child first).
 *
 * Why replay SystemC's heap instead of keeping one bucket per time: IEEE 1666 leaves open in which
 * order things due at the same time are triggered, and that order is observable when a time-out
 * and an awaited event fall on the same time (whichever is triggered first wins and decides
 * `timed_out()`). SystemC, the reference of the conformance suites, hands equal times out in the
 * order its heap produces: the order they were scheduled in the simple cases, but not in general
 * (it depends on every entry in the heap). Doing the same operations on the same heap gives the
 * same answer. Cost: O(log n) per entry, but an entry scheduled for the latest time in the heap
 * (the usual "now + delay") needs no sift-up, and extracting equal times stops at once, so a
 * burst of notifications for one time step stays O(1) per entry.
 *
 * Entries are cancelled lazily, as in SystemC: an entry carries the generation of its event
 * (`SimEvent.gen`, stored as is, >= 1) or process (`Process.waitSeq`, stored as `-1 - waitSeq`)
 * and is stale once that moved on. Stale entries stay in the heap (so its shape stays SystemC's)
 * until they reach the top in {@link peekTime} (SystemC `next_time()`) or their time comes.
 * @internal
 */
/** A clock whose edges are timed-queue entries of their own (generation 0, never stale). */
export interface ClockEdgeTarget {
  /** Performs the edge due now. */
  edge(): void;
}

export class TimeQueue {
  // Parallel arrays, index 0 unused (1-based, as sc_ppq). Read directly by the scheduler.
  /** Entry times. */
  readonly times: number[] = [0];
  /** Entry event or process. */
  readonly refs: (SimEvent | Process | ClockEdgeTarget | undefined)[] = [undefined];
  /** Entry generation: an event's `gen` (>= 1), `-1 - waitSeq` for a process time-out, 0 for a clock edge. */
  readonly gens: number[] = [0];
  /** Number of entries, stale ones included. */
  n = 0;
  /** Latest time inserted since the queue was last empty (an upper bound of every entry's time). */
  maxT = -1;
  /** Process time-out entries in the queue, stale ones included. */
  nProc = 0;

  /** Schedules an entry at time `t` (sc_ppq `insert`); `g` as in {@link gens}. */
  insert(t: number, ref: SimEvent | Process | ClockEdgeTarget, g: number): void {
    const times = this.times;
    const refs = this.refs;
    const gens = this.gens;
    let i = ++this.n;
    if (t > this.maxT) this.maxT = t;
    if (g < 0) this.nProc++;
    while (i > 1) {
      const p = i >> 1;
      const pt = times[p]!;
      if (!(pt > t)) break;
      times[i] = pt;
      refs[i] = refs[p];
      gens[i] = gens[p]!;
      i = p;
    }
    times[i] = t;
    refs[i] = ref;
    gens[i] = g;
  }

  /** Earliest time of a live entry, or -1; removes stale entries from the top (SystemC `next_time()`). */
  peekTime(): number {
    while (this.n > 0) {
      const r = this.refs[1]!;
      const g = this.gens[1]!;
      if (g === 0 || (g < 0 ? (r as Process).waitSeq === -1 - g : (r as SimEvent).gen === g)) return this.times[1]!;
      this.removeTop();
    }
    return -1;
  }

  /**
   * True if every entry is due at `t` and none is a process time-out. Then the order in which
   * they are taken out is not observable (it only orders the runnable set) and the queue ends up
   * empty, as SystemC's would: the caller may take them in array order and {@link clear}.
   */
  allEventsAt(t: number): boolean {
    return this.nProc === 0 && this.maxT === t;
  }

  /**
   * Empties the queue (after the caller consumed every entry). Slots keep their old references:
   * they only point at events and processes, which live as long as the simulation.
   */
  clear(): void {
    this.n = 0;
    this.maxT = -1;
  }

  /** Removes the top entry (sc_ppq `extract_top`); read it from index 1 first. */
  removeTop(): void {
    const times = this.times;
    const refs = this.refs;
    const gens = this.gens;
    const last = this.n;
    const n = last - 1;
    this.n = n;
    if (gens[1]! < 0) this.nProc--;
    if (n === 0) this.maxT = -1;
    // Move the last entry to the root and sift it down (sc_ppq heapify, with a hole instead of swaps).
    const t = times[last]!;
    const r = refs[last];
    const g = gens[last]!;
    refs[last] = undefined;
    let i = 1;
    for (;;) {
      const l = i << 1;
      if (l > n) break;
      let m = times[l]! < t ? l : i;
      const rr = l + 1;
      if (rr <= n && times[rr]! < (m === i ? t : times[m]!)) m = rr;
      if (m === i) break;
      times[i] = times[m]!;
      refs[i] = refs[m];
      gens[i] = gens[m]!;
      i = m;
    }
    if (n > 0) {
      times[i] = t;
      refs[i] = r;
      gens[i] = g;
    }
  }
}
