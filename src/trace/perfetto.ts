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

/** Options of {@link perfettoTrace}. */
export interface PerfettoOptions {
  /** Name of the process (the platform, usually). */
  readonly processName?: string;
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
 * variable (`<path>.<variable>`) and the busy fraction per sample window (`<path>.busy_fraction`).
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
  });
  ev.sort((a, b) => a.ts! - b.ts!);
  return { traceEvents: [...meta, ...ev], displayTimeUnit: 'ns' };
}

/** {@link perfettoTrace} as JSON text, one event per line (diff- and grep-friendly). */
export function formatPerfetto(hub: TraceHub, opts: PerfettoOptions = {}): string {
  const f = perfettoTrace(hub, opts);
  return `{"displayTimeUnit":${JSON.stringify(f.displayTimeUnit)},"traceEvents":[\n${f.traceEvents.map((e) => JSON.stringify(e)).join(',\n')}\n]}\n`;
}
