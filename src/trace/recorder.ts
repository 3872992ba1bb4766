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
 * What one selected module records during a run. Modules hold `null` instead when they are not
 * traced, so every trace point costs one branch when tracing is off. Times are integer ps.
 *
 * Every module feeds {@link busy} through its `BusyTracker`; the recorder keeps the union of the
 * intervals (exact even when starts are not in order, e.g. memories serving cores that run ahead
 * by a quantum) for the VCD `busy` wire, the Perfetto `busy` slices (unless the module records
 * its own, finer slices: {@link busySlices}) and the sampled busy-fraction counter.
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
  private readonly nextFlow: () => number;
  /** Closed busy intervals as flat pairs [start, end, ...], unordered until {@link finish}. */
  private iv: Time[] = [];
  private cs = 0;
  private ce = -1;
  private runStart = 0;
  private runEnd = -1;
  private runInstr = 0;
  private runCycles = 0;
  private finished = false;

  constructor(path: string, kind: string, nextFlow: () => number) {
    this.path = path;
    this.kind = kind;
    this.nextFlow = nextFlow;
  }

  /** Marks `[start, end)` busy (called by the module's `BusyTracker`). */
  busy(start: Time, end: Time): void {
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

  /** Closes pending state (the open busy interval, the open run group); the hub calls it once after the run. */
  finish(): void {
    if (this.finished) return;
    this.finished = true;
    this.flushRun();
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

  /** The busy time as disjoint, ordered intervals, flat `[start, end, ...]` (after {@link finish}). */
  busyIntervals(): readonly Time[] {
    return this.iv;
  }
}
