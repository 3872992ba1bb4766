import type { Time } from '../util/index.js';
import type { TraceHub } from './hub.js';
import type { ModuleRecorder } from './recorder.js';

/** One trace event of the Chrome trace-event format (the subset written here). */
export interface TraceEvent {
  readonly name: string;
  readonly ph: 'X' | 'M' | 's' | 'f' | 'C';
  readonly pid: number;
  readonly tid?: number;
  /** Microseconds (float): simulated ps / 1e6. */
  readonly ts?: number;
  /** Microseconds, X events only. */
  readonly dur?: number;
  readonly cat?: string;
  readonly id?: number;
  readonly bp?: 'e';
  readonly args?: Readonly<Record<string, number | string>>;
}

/** The JSON Object Format of the trace-event format, as Perfetto and chrome://tracing load it. */
export interface TraceEventFile {
  readonly traceEvents: readonly TraceEvent[];
  readonly displayTimeUnit: 'ns' | 'ms';
}

/**
 * Prices of one component's energy events, from the energy model (`src/energy`), to turn the
 * recorders' per-window event counts into energy. The CLI builds it from the run's
 * `EnergyReport`: the trace layer imports no energy model.
 */
export interface ComponentPrices {
  /** pJ per event, by per-event energy event name (missing: 0). */
  readonly perEventPj: Readonly<Record<string, number>>;
  /** Dynamic power while busy, pJ per ps of busy time (the `busy` energy events). */
  readonly busyPjPerPs: number;
  /** Power drawn while clocked but idle, pJ per ps of idle time (`idle` events: dynamic, as in the energy model). */
  readonly idlePjPerPs: number;
  /** Static (leakage, background) power, pJ per ps of elapsed time. */
  readonly staticPjPerPs: number;
}

/** Options of {@link perfettoTrace}. */
export interface PerfettoOptions {
  /** Name of the process (the platform, usually). */
  readonly processName?: string;
  /**
   * Energy prices by instance path: adds the `energy` track with counters per sample window
   * (see {@link energyWindows}). Components without prices count 0.
   */
  readonly energy?: ReadonlyMap<string, ComponentPrices>;
}

/** Energy per sample window of the traced components (see {@link energyWindows}). */
export interface EnergyWindows {
  readonly windowPs: Time;
  /** Start of each window, ps (every window from 0 to the end of the run). */
  readonly starts: readonly Time[];
  /** Dynamic energy (per-event events, busy power x busy time, idle power x idle time) per window, pJ. */
  readonly dynamicPj: readonly number[];
  /** Static energy (leakage, background: static power x window length) per window, pJ. */
  readonly staticPj: readonly number[];
}

/**
 * Energy per sample window `[k w, (k + 1) w)` over the run `[0, hub.endPs)`: each traced
 * component's per-event counts per window (spread over the busy intervals that counted them,
 * see `ModuleRecorder`) times their prices, plus its busy power times its busy time and its idle
 * power times its idle time in the window (dynamic, as the energy model counts them), and its
 * static power times the window's length (static; the last window is clipped at the end of the run). The
 * sums over the windows are the components' dynamic and static energies of the energy report
 * (within float rounding), when every component is traced.
 */
export function energyWindows(hub: TraceHub, prices: ReadonlyMap<string, ComponentPrices>): EnergyWindows {
  const end = hub.endPs;
  const w = hub.sampleWindowPs;
  const n = Math.max(1, Math.ceil(end / w));
  const dyn = new Array<number>(n).fill(0);
  const stat = new Array<number>(n).fill(0);
  const len = (k: number): number => Math.max(0, Math.min(end, (k + 1) * w) - k * w);
  for (const r of hub.recorders) {
    const p = prices.get(r.path);
    if (p === undefined) continue;
    const ev = r.energyEvents.map((e) => p.perEventPj[e] ?? 0);
    for (const [k, counts] of r.energyWindows) {
      let e = 0;
      for (let i = 0; i < ev.length; i++) e += counts[i]! * ev[i]!;
      dyn[Math.min(n - 1, Math.max(0, k))]! += e;
    }
    const busy = busyPerWindow(r.busyIntervals(), w, end);
    for (let k = 0; k < n; k++) {
      const b = busy.get(k) ?? 0;
      dyn[k]! += p.busyPjPerPs * b + p.idlePjPerPs * Math.max(0, len(k) - b);
      stat[k]! += p.staticPjPerPs * len(k);
    }
  }
  return { windowPs: w, starts: Array.from({ length: n }, (_, k) => k * w), dynamicPj: dyn, staticPj: stat };
}

/** Busy time per window index of disjoint, ordered intervals, clipped at `end`. */
function busyPerWindow(iv: readonly Time[], w: Time, end: Time): Map<number, number> {
  const acc = new Map<number, number>();
  for (let i = 0; i < iv.length; i += 2) {
    let s = iv[i]!;
    const e = Math.min(iv[i + 1]!, end);
    while (s < e) {
      const k = Math.floor(s / w);
      const stop = Math.min(e, (k + 1) * w);
      acc.set(k, (acc.get(k) ?? 0) + (stop - s));
      s = stop;
    }
  }
  return acc;
}

const PID = 1;
/** Integer ps to the format's float microseconds. */
const us = (ps: Time): number => ps / 1e6;

/** Busy fraction per window `[k w, (k + 1) w)` of the disjoint, ordered intervals, as changes only: `[time, fraction, ...]`. */
function busyFractions(iv: readonly Time[], w: Time): number[] {
  const acc = new Map<number, number>();
  for (let i = 0; i < iv.length; i += 2) {
    let s = iv[i]!;
    const e = iv[i + 1]!;
    while (s < e) {
      const k = Math.floor(s / w);
      const stop = Math.min(e, (k + 1) * w);
      acc.set(k, (acc.get(k) ?? 0) + (stop - s));
      s = stop;
    }
  }
  const out: number[] = [];
  let last = -1;
  const keys = [...acc.keys()].sort((a, b) => a - b);
  let prevK = -2;
  for (const k of keys) {
    if (k !== prevK + 1 && last !== 0 && prevK >= 0) {
      out.push((prevK + 1) * w, 0);
      last = 0;
    }
    const f = acc.get(k)! / w;
    if (f !== last) {
      out.push(k * w, f);
      last = f;
    }
    prevK = k;
  }
  if (prevK >= 0 && last !== 0) out.push((prevK + 1) * w, 0);
  return out;
}

/**
 * The hub's recordings as a Chrome / Perfetto trace-event file (JSON Object Format), for
 * ui.perfetto.dev or chrome://tracing. One process (`processName`); one thread track per traced
 * component, named by its instance path (`M` `thread_name`, sorted in instantiation order);
 * slices as complete events (`X`, `ts`/`dur` in microseconds as floats from integer ps, `dur` >= 0):
 * the module's own (core `run` groups with instruction counts and `wait` stalls, DMA `transfer #id`,
 * accelerator commands by name) or, for the others, `busy` (the union of busy intervals); flow
 * arrows `s`/`f` with matching `id` (the `f` binds to its enclosing slice, `bp: "e"`) from the
 * issuing core to a DMA transfer's or a command's completion; counters (`C`) for each state
 * variable (`<path>.<variable>`) and the busy fraction per sample window (`<path>.busy_fraction`,
 * and `<path>.<lane>.busy_fraction` per lane, e.g. a scratchpad's `bank3`); extra tracks such as
 * `layers` (the network's layers as slices, from `runCompiled`); with `opts.energy`, an `energy`
 * track: `energy.dynamic [pJ per 1 us]` and `energy.static [pJ per 1 us]` at each window's start
 * ({@link energyWindows}), `energy.dynamic cumulative [pJ]` and `energy.total cumulative [pJ]`
 * (dynamic + static) at each window's end.
 * Not written: instant events, async (`b`/`e`) events, stack frames.
 */
export function perfettoTrace(hub: TraceHub, opts: PerfettoOptions = {}): TraceEventFile {
  hub.endPs; // throws if the hub was not finished
  const recs = hub.recorders;
  const tid = new Map<string, number>(recs.map((r, i) => [r.path, i + 1]));
  const meta: TraceEvent[] = [{ name: 'process_name', ph: 'M', pid: PID, args: { name: opts.processName ?? 'edgesim' } }];
  const ev: TraceEvent[] = [];
  recs.forEach((r: ModuleRecorder, i) => {
    const t = i + 1;
    meta.push({ name: 'thread_name', ph: 'M', pid: PID, tid: t, args: { name: r.path } });
    meta.push({ name: 'thread_sort_index', ph: 'M', pid: PID, tid: t, args: { sort_index: i } });
    for (const s of r.slices) {
      ev.push({ name: s.name, cat: r.kind, ph: 'X', pid: PID, tid: t, ts: us(s.start), dur: us(Math.max(0, s.end - s.start)), ...(s.args === undefined ? {} : { args: s.args }) });
    }
    const iv = r.busyIntervals();
    if (r.busySlices) {
      for (let k = 0; k < iv.length; k += 2) ev.push({ name: 'busy', cat: r.kind, ph: 'X', pid: PID, tid: t, ts: us(iv[k]!), dur: us(iv[k + 1]! - iv[k]!) });
    }
    for (const f of r.flows) {
      ev.push({ name: f.name, cat: 'flow', ph: 's', id: f.id, pid: PID, tid: tid.get(f.fromTrack) ?? t, ts: us(f.fromTs) });
      ev.push({ name: f.name, cat: 'flow', ph: 'f', bp: 'e', id: f.id, pid: PID, tid: t, ts: us(f.toTs) });
    }
    for (const l of r.levels.values()) {
      const order = l.times.map((_, j) => j).sort((a, b) => l.times[a]! - l.times[b]!);
      for (let j = 0; j < order.length; j++) {
        const at = l.times[order[j]!]!;
        if (j + 1 < order.length && l.times[order[j + 1]!] === at) continue; // last value at a time
        ev.push({ name: `${r.path}.${l.name}`, ph: 'C', pid: PID, tid: t, ts: us(at), args: { value: l.values[order[j]!]! } });
      }
    }
    const fr = busyFractions(iv, hub.sampleWindowPs);
    for (let k = 0; k < fr.length; k += 2) ev.push({ name: `${r.path}.busy_fraction`, ph: 'C', pid: PID, tid: t, ts: us(fr[k]!), args: { value: fr[k + 1]! } });
    for (const [name, lane] of r.lanes) {
      const lf = busyFractions(lane.intervals(), hub.sampleWindowPs);
      for (let k = 0; k < lf.length; k += 2) ev.push({ name: `${r.path}.${name}.busy_fraction`, ph: 'C', pid: PID, tid: t, ts: us(lf[k]!), args: { value: lf[k + 1]! } });
    }
  });
  if (opts.energy !== undefined) {
    const t = recs.length + 1;
    meta.push({ name: 'thread_name', ph: 'M', pid: PID, tid: t, args: { name: 'energy' } });
    meta.push({ name: 'thread_sort_index', ph: 'M', pid: PID, tid: t, args: { sort_index: recs.length } });
    const e = energyWindows(hub, opts.energy);
    const win = `${e.windowPs / 1e6} us`;
    let cum = 0;
    let cumStatic = 0;
    e.starts.forEach((at, k) => {
      const d = e.dynamicPj[k]!;
      const st = e.staticPj[k]!;
      ev.push({ name: `energy.dynamic [pJ per ${win}]`, ph: 'C', pid: PID, tid: t, ts: us(at), args: { value: d } });
      ev.push({ name: `energy.static [pJ per ${win}]`, ph: 'C', pid: PID, tid: t, ts: us(at), args: { value: st } });
      cum += d;
      cumStatic += st;
      const next = Math.min(hub.endPs, at + e.windowPs);
      ev.push({ name: 'energy.dynamic cumulative [pJ]', ph: 'C', pid: PID, tid: t, ts: us(next), args: { value: cum } });
      ev.push({ name: 'energy.total cumulative [pJ]', ph: 'C', pid: PID, tid: t, ts: us(next), args: { value: cum + cumStatic } });
    });
  }
  ev.sort((a, b) => a.ts! - b.ts!);
  return { traceEvents: [...meta, ...ev], displayTimeUnit: 'ns' };
}

/** {@link perfettoTrace} as JSON text, one event per line (diff- and grep-friendly). */
export function formatPerfetto(hub: TraceHub, opts: PerfettoOptions = {}): string {
  const f = perfettoTrace(hub, opts);
  return `{"displayTimeUnit":${JSON.stringify(f.displayTimeUnit)},"traceEvents":[\n${f.traceEvents.map((e) => JSON.stringify(e)).join(',\n')}\n]}\n`;
}
