import type { Time } from '../util/index.js';

/** Arguments shown with a slice (Perfetto's `args`). */
export type SliceArgs = Readonly<Record<string, number | string>>;

/**
 * One integer state variable of a component over time (a VCD `integer` var, a Perfetto counter
 * track): DMA transfers in flight, the accelerator's queue, the running command word. Changes are
 * appended as they happen; the writers order them by time and keep the last value written at a
 * time.
 */
export class TraceLevel {
  readonly name: string;
  /** A one-bit variable (a boolean signal): a `wire 1` in the VCD instead of an integer. */
  bit = false;
  readonly times: Time[] = [];
  readonly values: number[] = [];
  constructor(name: string) {
    this.name = name;
  }
  /** The variable takes value `v` at time `t` (ps). */
  set(t: Time, v: number): void {
    this.times.push(t);
    this.values.push(v);
  }
}

/** A named interval on the component's track. `flow` is the id of a flow arrow ending in it, or 0. */
export interface TraceSlice {
  readonly name: string;
  readonly start: Time;
  readonly end: Time;
  readonly args: SliceArgs | undefined;
}

/**
 * A flow arrow (Perfetto 's'/'f'): from `fromTs` on the track `fromTrack` (an instance path; the
 * recorder's own when the origin is unknown) to `toTs` on the recorder's track, e.g. from the
 * core that submitted a DMA transfer to the transfer's completion.
 */
export interface TraceFlow {
  readonly id: number;
  readonly name: string;
  readonly fromTrack: string;
  readonly fromTs: Time;
  readonly toTs: Time;
}

/**
 * The union of intervals `[start, end)` added in any order (integer ps): the current run of
 * overlapping or touching intervals is kept open, others are pushed as they close; {@link finish}
 * sorts and merges them into disjoint, ordered intervals. Exact even when starts are not in
 * order (memories serving cores that run ahead by a quantum).
 */
export class IntervalUnion {
  /** Closed intervals as flat pairs [start, end, ...], unordered until {@link finish}. */
  private iv: Time[] = [];
  private cs = 0;
  private ce = -1;
  private done = false;

  /** Adds `[start, end)`. */
  add(start: Time, end: Time): void {
    if (start >= this.cs && start <= this.ce) {
      if (end > this.ce) this.ce = end;
    } else if (start < this.cs && end >= this.cs) {
      this.cs = start;
      if (end > this.ce) this.ce = end;
    } else {
      if (this.ce >= 0) this.iv.push(this.cs, this.ce);
      this.cs = start;
      this.ce = end;
    }
  }

  /** The end of the open interval (the latest end added last), or -1 before any. */
  get lastEnd(): Time {
    return this.ce;
  }

  /** Sorts and merges (once). */
  finish(): void {
    if (this.done) return;
    this.done = true;
    if (this.ce >= 0) this.iv.push(this.cs, this.ce);
    this.ce = -1;
    const n = this.iv.length / 2;
    const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => this.iv[2 * a]! - this.iv[2 * b]!);
    const out: Time[] = [];
    for (const i of order) {
      const s = this.iv[2 * i]!;
      const e = this.iv[2 * i + 1]!;
      if (e <= s) continue;
      const k = out.length;
      if (k > 0 && s <= out[k - 1]!) {
        if (e > out[k - 1]!) out[k - 1] = e;
      } else out.push(s, e);
    }
    this.iv = out;
  }

  /** Disjoint, ordered intervals, flat `[start, end, ...]` (after {@link finish}). */
  intervals(): readonly Time[] {
    return this.iv;
  }
}

/** An energy event counter a module exposes to its recorder (`Counter` of `src/modules`). */
export interface EnergyCounterView {
  readonly value: number;
}

/**
 * What one selected module records during a run. Modules hold `null` instead when they are not
 * traced, so every trace point costs one branch when tracing is off. Times are integer ps.
 *
 * Every module feeds {@link busy} through its `BusyTracker`; the recorder keeps the union of the
 * intervals ({@link IntervalUnion}) for the VCD `busy` wire, the Perfetto `busy` slices (unless
 * the module records its own, finer slices: {@link busySlices}) and the sampled busy-fraction
 * counter. Sub-signals of the component (a scratchpad's banks) are {@link lane}s: a busy union
 * each, written as a VCD wire and a busy-fraction counter.
 *
 * Energy over time: the module registers its per-event energy counters ({@link energyProbe});
 * every busy interval (and {@link sampleEnergy}) reads them and spreads the events counted since
 * the previous reading over the interval's sample windows, so that the counts per window sum to
 * the run's counts exactly (what was counted after the last reading goes to the last busy end at
 * {@link finish}). The writers price them after the run (`perfettoTrace`'s `energy` option).
 */
export class ModuleRecorder {
  /** Instance path (the track's name). */
  readonly path: string;
  /** Module kind (`core`, `dma`, ...). */
  readonly kind: string;
  /** False when the module records finer slices itself (cores, DMAs, accelerators): busy then only drives the VCD wire and the counter. */
  busySlices = true;
  /** Finished slices, in the order recorded. */
  readonly slices: TraceSlice[] = [];
  readonly flows: TraceFlow[] = [];
  readonly levels = new Map<string, TraceLevel>();
  /** Named busy sub-signals (e.g. `bank0`), in creation order. */
  readonly lanes = new Map<string, IntervalUnion>();
  /** Names of the energy events counted per window (see {@link energyProbe}). */
  energyEvents: readonly string[] = [];
  /** Events counted per sample window: window index -> counts in {@link energyEvents} order (fractions where an interval spans windows). */
  readonly energyWindows = new Map<number, Float64Array>();
  /** Sample window of {@link energyWindows}, ps. */
  readonly windowPs: Time;
  private readonly nextFlow: () => number;
  private readonly union = new IntervalUnion();
  private counters: readonly EnergyCounterView[] = [];
  private seen: Float64Array = new Float64Array(0);
  private lastSampleEnd: Time = 0;
  private runStart = 0;
  private runEnd = -1;
  private runInstr = 0;
  private runCycles = 0;
  private finished = false;

  constructor(path: string, kind: string, nextFlow: () => number, windowPs: Time = 1_000_000) {
    this.path = path;
    this.kind = kind;
    this.nextFlow = nextFlow;
    this.windowPs = windowPs;
  }

  /** Marks `[start, end)` busy (called by the module's `BusyTracker`); reads the energy counters when registered. */
  busy(start: Time, end: Time): void {
    this.union.add(start, end);
    if (this.counters.length > 0) this.sampleEnergy(start, end);
  }

  /** A busy sub-signal of this component (created on first use: get it once, then `add`). */
  lane(name: string): IntervalUnion {
    let l = this.lanes.get(name);
    if (l === undefined) {
      l = new IntervalUnion();
      this.lanes.set(name, l);
    }
    return l;
  }

  /** Registers the module's per-event energy counters (names and live counters, same order). */
  energyProbe(names: readonly string[], counters: readonly EnergyCounterView[]): void {
    this.energyEvents = [...names];
    this.counters = counters;
    this.seen = new Float64Array(counters.length);
    for (let i = 0; i < counters.length; i++) this.seen[i] = counters[i]!.value;
  }

  /**
   * Reads the energy counters and spreads what they counted since the last reading uniformly
   * over `[start, end)` (a zero-length interval: the window of `start`).
   */
  sampleEnergy(start: Time, end: Time): void {
    const cs = this.counters;
    const n = cs.length;
    let deltas: Float64Array | undefined;
    for (let i = 0; i < n; i++) {
      const v = cs[i]!.value;
      const d = v - this.seen[i]!;
      if (d !== 0) {
        deltas ??= new Float64Array(n);
        deltas[i] = d;
        this.seen[i] = v;
      }
    }
    if (end > this.lastSampleEnd) this.lastSampleEnd = end;
    if (deltas === undefined) return;
    const w = this.windowPs;
    const k0 = Math.floor(start / w);
    const k1 = end > start ? Math.floor((end - 1) / w) : k0;
    for (let k = k0; k <= k1; k++) {
      const share = k0 === k1 ? 1 : (Math.min(end, (k + 1) * w) - Math.max(start, k * w)) / (end - start);
      let a = this.energyWindows.get(k);
      if (a === undefined) {
        a = new Float64Array(n);
        this.energyWindows.set(k, a);
      }
      for (let i = 0; i < n; i++) a[i]! += deltas[i]! * share;
    }
  }

  /** A state variable of this component, created on first use (get it once, then call `set`). */
  level(name: string): TraceLevel {
    let l = this.levels.get(name);
    if (l === undefined) {
      l = new TraceLevel(name);
      this.levels.set(name, l);
    }
    return l;
  }

  /** A slice `[start, end)` named `name` (a command, a transfer, a stall). */
  slice(name: string, start: Time, end: Time, args?: SliceArgs): void {
    this.slices.push({ name, start, end, args });
  }

  /**
   * A flow arrow from `fromTs` on `fromTrack` (default: this track) to `toTs` on this track.
   * Returns its id.
   */
  flow(name: string, fromTs: Time, toTs: Time, fromTrack?: string): number {
    const id = this.nextFlow();
    this.flows.push({ id, name, fromTrack: fromTrack ?? this.path, fromTs, toTs });
    return id;
  }

  /**
   * A core's run batch `[start, end)` of `instructions` instructions and `cycles` cycles:
   * batches that follow each other without a gap are merged into one `run` slice (an
   * instruction group between stalls), so the trace does not grow with the quantum.
   */
  run(start: Time, end: Time, instructions: number, cycles: number): void {
    if (start === this.runEnd) {
      this.runEnd = end;
      this.runInstr += instructions;
      this.runCycles += cycles;
      return;
    }
    this.flushRun();
    this.runStart = start;
    this.runEnd = end;
    this.runInstr = instructions;
    this.runCycles = cycles;
  }

  private flushRun(): void {
    if (this.runEnd > this.runStart) this.slice('run', this.runStart, this.runEnd, { instructions: this.runInstr, cycles: this.runCycles });
    this.runEnd = -1;
  }

  /** Closes pending state (the open busy interval, the open run group, energy counted since the last reading); the hub calls it once after the run with the run's end time. */
  finish(endPs?: Time): void {
    if (this.finished) return;
    this.finished = true;
    this.flushRun();
    // counted after the last reading: at the last busy end (never read: spread over the run)
    if (this.counters.length > 0) {
      if (this.lastSampleEnd > 0 || endPs === undefined) this.sampleEnergy(this.lastSampleEnd, this.lastSampleEnd);
      else this.sampleEnergy(0, endPs);
    }
    this.union.finish();
    for (const l of this.lanes.values()) l.finish();
  }

  /** The busy time as disjoint, ordered intervals, flat `[start, end, ...]` (after {@link finish}). */
  busyIntervals(): readonly Time[] {
    return this.union.intervals();
  }
}
