/**
 * The design points of a sweep file and what becomes of their measurements: sampling the axes,
 * turning a point into platform overrides, per-layer targets, channel splits and precision,
 * objectives and constraints, the Pareto front with its hypervolume, the analytic path's error
 * against simulation, and QUIDAM-style normalization. Pure: no files, no simulation (the CLI,
 * `src/cli/sweep-command.ts`, prepares and evaluates the points).
 */
import type { DseAxis, ObjectiveName, ParamOverride, SourcePos, SweepAxisWhat, SweepSpec } from '../platform/index.js';
import { OBJECTIVE_UNIT } from '../platform/index.js';
import { SimError, deriveRng } from '../util/index.js';
import { hypervolume, paretoFront, type Sense } from './pareto.js';
import { gridSample, latinHypercubeSample, randomSample, type Axis, type AxisValue, type Sample } from './sampling.js';

/** One design point: its index in sampling order, a label and the value of every axis. */
export interface DesignPoint {
  readonly index: number;
  /** `key=value` per axis, comma separated (file-name safe form: {@link pointSlug}). */
  readonly label: string;
  readonly values: Readonly<Record<string, AxisValue>>;
}

/** Per-layer precision set by a point: the layer glob and the fields the point sets. */
export interface PrecisionRule {
  readonly layers: string;
  readonly weightBits?: number;
  readonly actBits?: number;
  readonly weights?: 'uniform' | 'pow2' | 'pow2x2';
}

/** What a point changes, in the terms of the loader, the compiler and the quantizer. */
export interface PointSettings {
  /** Fixed `params:` of the file first, then the point's param axes (later ones win). */
  readonly overrides: readonly ParamOverride[];
  /** Per-layer targets set by `target.<layer>` axes (over the file's mapping). */
  readonly targets: ReadonlyMap<string, string>;
  /** Per-layer share of output channels on the AIMC tile (`split.<layer>` axes). */
  readonly splits: ReadonlyMap<string, number>;
  /** Precision rules in axis order (a layer takes the fields of every rule whose glob matches it). */
  readonly precision: readonly PrecisionRule[];
}

/** The sampling axis of a file axis: lists are categorical (any values), ranges numeric. */
function samplingAxis(a: DseAxis): Axis {
  if (a.domain.kind === 'values') return { kind: 'categorical', name: a.key, values: a.domain.values };
  return { kind: 'numeric', name: a.key, min: a.domain.min, max: a.domain.max, integer: a.domain.integer, ...(a.domain.steps === undefined ? {} : { steps: a.domain.steps }) };
}

/** A value as text in labels: numbers to 6 significant digits. */
export const formatAxisValue = (v: AxisValue): string => (typeof v === 'number' && !Number.isInteger(v) ? String(Number(v.toPrecision(6))) : String(v));

/** A label safe as a folder or file name. */
export const pointSlug = (label: string): string => label.replace(/[^A-Za-z0-9._=,-]+/g, '_');

/**
 * The design points of a sweep: grid (every combination, the last axis fastest; at most
 * `limit` points, checked before any is built), random or Latin hypercube (`samples` points
 * from the stream `deriveRng(seed, 'sweep/<name>', method)`, so the same file gives the same
 * points). Duplicate samples (possible with categorical or integer axes) are kept once, in
 * first-seen order.
 */
export function designPoints(spec: SweepSpec, limit = 100_000): DesignPoint[] {
  const axes = spec.axes.map(samplingAxis);
  let samples: Sample[];
  if (spec.sampling.method === 'grid') samples = gridSample(axes, limit);
  else {
    const rng = deriveRng(spec.seed, `sweep/${spec.name}`, spec.sampling.method);
    samples = spec.sampling.method === 'random' ? randomSample(axes, spec.sampling.samples, rng) : latinHypercubeSample(axes, spec.sampling.samples, rng);
  }
  const seen = new Set<string>();
  const out: DesignPoint[] = [];
  for (const s of samples) {
    const label = spec.axes.map((a) => `${a.key}=${formatAxisValue(s[a.key]!)}`).join(',');
    if (seen.has(label)) continue;
    seen.add(label);
    out.push({ index: out.length, label, values: withLinked(spec, s) });
  }
  return out;
}

/** A sample with the settings of its linked axes' values added under their own keys (for normalization and tables). */
function withLinked(spec: SweepSpec, s: Sample): Sample {
  const out: Record<string, AxisValue> = { ...s };
  for (const a of spec.axes) {
    if (a.what.kind !== 'linked' || a.domain.kind !== 'values') continue;
    for (const x of a.linked![a.domain.values.indexOf(s[a.key]!)]!) if (!(x.key in out)) out[x.key] = x.value;
  }
  return out;
}

/** The overrides, targets, splits and precision of `point`. */
export function pointSettings(spec: SweepSpec, point: DesignPoint): PointSettings {
  const overrides: ParamOverride[] = spec.params.map((p) => ({ target: p.target, param: p.param, raw: p.raw, at: p.at }));
  const targets = new Map<string, string>();
  const splits = new Map<string, number>();
  const precision: PrecisionRule[] = [];
  const apply = (what: SweepAxisWhat, v: AxisValue, at: SourcePos): void => {
    switch (what.kind) {
      case 'param':
        overrides.push({ target: what.target, param: what.param, raw: v, at });
        break;
      case 'target':
        targets.set(what.node, String(v));
        break;
      case 'split':
        splits.set(what.node, Number(v));
        break;
      case 'precision':
        precision.push({ layers: what.layers, [what.field]: what.field === 'weights' ? String(v) : Number(v) } as PrecisionRule);
        break;
    }
  };
  spec.axes.forEach((a) => {
    const v = point.values[a.key]!;
    const i = a.domain.kind === 'values' ? a.domain.values.indexOf(v) : -1;
    const at = a.domain.kind === 'values' ? a.domain.at[i] ?? a.at : a.at;
    if (a.what.kind === 'linked') for (const s of a.linked![i]!) apply(s.what, s.value, s.at);
    else apply(a.what, v, at);
  });
  return { overrides, targets, splits, precision };
}

/** Simulated measurements of a point (means over its inferences). */
export interface SimulatedMetrics {
  /** Top-1 accuracy in [0, 1], null without labels. */
  readonly accuracy: number | null;
  /** 95 % Wilson interval of the accuracy. */
  readonly accuracyCi95: readonly [number, number] | null;
  readonly latencyPs: number;
  readonly energyPj: number;
  readonly inferences: number;
}

/** Analytic estimates of a point (one inference). */
export interface AnalyticMetrics {
  /** The reference evaluator's top-1 accuracy of the (re)quantized graph on the same samples: ideal arithmetic. */
  readonly accuracy: number | null;
  /** False when a layer's mapping is not exact (inexact AIMC plans): the evaluator's accuracy does not describe the hardware. */
  readonly accuracyExact: boolean;
  readonly latencyPs: number;
  readonly energyPj: number;
}

/** The result of one point: its measurements, or why it has none. */
export interface PointResult {
  readonly index: number;
  readonly label: string;
  readonly values: Readonly<Record<string, AxisValue>>;
  /** Hash of everything that determines the result (the cache key). */
  readonly hash: string;
  /** Set when the point could not be evaluated (compile error, unrealizable params): the message. */
  readonly error: string | null;
  readonly areaUm2: number | null;
  /** Where the mapping placed each computed layer (`node -> target`), for the tables. */
  readonly mapping: Readonly<Record<string, string>>;
  readonly analytic: AnalyticMetrics | null;
  readonly simulated: SimulatedMetrics | null;
  /** Prices missing from the energy model (energy is then a lower bound). */
  readonly energyUnpriced: readonly string[];
}

/** Objective values of a point in result units (accuracy %, latency us, energy uJ, area mm2, inf/s/mm2); simulated figures where there are some, else analytic. */
export function objectiveValues(r: PointResult): Partial<Record<ObjectiveName, number>> {
  const m = r.simulated ?? r.analytic;
  const out: Partial<Record<ObjectiveName, number>> = {};
  if (m === null || r.error !== null) return out;
  const acc = r.simulated !== null ? r.simulated.accuracy : r.analytic !== null && r.analytic.accuracyExact ? r.analytic.accuracy : null;
  if (acc !== null) out.accuracy = 100 * acc;
  out.latency = m.latencyPs / 1e6;
  out.energy = m.energyPj / 1e6;
  if (r.areaUm2 !== null && r.areaUm2 > 0) {
    out.area = r.areaUm2 / 1e6;
    out.perfPerArea = 1e12 / m.latencyPs / out.area;
  }
  return out;
}

/** The constraints a point violates, as text (`area 2.31 mm2 > 2 mm2`); empty when feasible. */
export function violations(spec: SweepSpec, r: PointResult): string[] {
  const v = objectiveValues(r);
  const out: string[] = [];
  for (const c of spec.constraints) {
    const x = v[c.metric];
    if (x === undefined) {
      out.push(`${c.metric} unknown (${c.text})`);
      continue;
    }
    const internal = c.metric === 'accuracy' ? x / 100 : c.metric === 'latency' ? x * 1e6 : c.metric === 'energy' ? x * 1e6 : c.metric === 'area' ? x * 1e6 : x;
    const ok = c.op === '<=' ? internal <= c.value : internal >= c.value;
    if (!ok) out.push(`${c.metric} ${Number(x.toPrecision(4))} ${OBJECTIVE_UNIT[c.metric]} violates ${c.text}`);
  }
  return out;
}

/** Error statistics of the analytic path against simulation over the points evaluated both ways. */
export interface AnalyticError {
  readonly points: number;
  /** analytic / simulated - 1, in %: mean of absolute values, max absolute, mean signed. */
  readonly latency: { readonly meanAbsPct: number; readonly maxAbsPct: number; readonly meanPct: number } | null;
  readonly energy: { readonly meanAbsPct: number; readonly maxAbsPct: number; readonly meanPct: number } | null;
  /** Points where the evaluator's accuracy differs from the simulated one (ideal vs simulated hardware). */
  readonly accuracyMismatches: number;
}

function errStats(pairs: readonly [number, number][]): AnalyticError['latency'] {
  if (pairs.length === 0) return null;
  const e = pairs.map(([a, s]) => 100 * (a / s - 1));
  const abs = e.map(Math.abs);
  return { meanAbsPct: abs.reduce((x, y) => x + y, 0) / e.length, maxAbsPct: Math.max(...abs), meanPct: e.reduce((x, y) => x + y, 0) / e.length };
}

/** The analytic path's error against simulation, over the points evaluated both ways. */
export function analyticError(results: readonly PointResult[]): AnalyticError {
  const both = results.filter((r) => r.analytic !== null && r.simulated !== null && r.error === null);
  return {
    points: both.length,
    latency: errStats(both.map((r) => [r.analytic!.latencyPs, r.simulated!.latencyPs])),
    energy: errStats(both.filter((r) => r.simulated!.energyPj > 0).map((r) => [r.analytic!.energyPj, r.simulated!.energyPj])),
    accuracyMismatches: both.filter((r) => r.analytic!.accuracy !== null && r.simulated!.accuracy !== null && r.analytic!.accuracy !== r.simulated!.accuracy).length,
  };
}

/** The Pareto front of a sweep and its hypervolume. */
export interface SweepFront {
  readonly objectives: readonly { readonly name: ObjectiveName; readonly sense: Sense; readonly unit: string }[];
  /** Indices of the feasible points with every objective measured. */
  readonly feasible: readonly number[];
  /** Indices of the points on the front (a subset of `feasible`), in index order. */
  readonly front: readonly number[];
  /**
   * Hypervolume of the front in the objectives' result units, against `reference`: per objective
   * the worst feasible value, moved 10 % of the feasible range (or 1 % of the value when the
   * range is 0) beyond it, so every front point contributes. Comparable only between sweeps with
   * the same reference.
   */
  readonly hypervolume: number;
  readonly reference: readonly number[];
}

/** The front over the feasible points (constraints hold, every objective measured). */
export function sweepFront(spec: SweepSpec, results: readonly PointResult[]): SweepFront {
  const objectives = spec.objectives.map((o) => ({ name: o.name, sense: o.sense, unit: OBJECTIVE_UNIT[o.name] }));
  const senses = objectives.map((o) => o.sense);
  const pts = results.flatMap((r) => {
    if (r.error !== null || violations(spec, r).length > 0) return [];
    const v = objectiveValues(r);
    const vals = objectives.map((o) => v[o.name]);
    return vals.every((x): x is number => x !== undefined && Number.isFinite(x)) ? [{ id: String(r.index), values: vals }] : [];
  });
  const front = paretoFront(pts, senses);
  let reference: number[] = [];
  let hv = 0;
  if (pts.length > 0) {
    reference = objectives.map((o, k) => {
      const xs = pts.map((p) => p.values[k]!);
      const lo = Math.min(...xs);
      const hi = Math.max(...xs);
      const pad = hi > lo ? 0.1 * (hi - lo) : Math.max(Math.abs(hi) * 0.01, 1e-12);
      return o.sense === 'min' ? hi + pad : lo - pad;
    });
    hv = hypervolume(front, senses, reference);
  }
  return { objectives, feasible: pts.map((p) => Number(p.id)), front: front.map((p) => Number(p.id)).sort((a, b) => a - b), hypervolume: hv, reference };
}

/**
 * QUIDAM-style normalization: each objective of each point as a ratio to the best value among
 * the feasible points whose `axis` has `value` (e.g. the best INT16 configuration), so >1 is
 * better for max objectives and <1 better for min objectives. Null where the point or the
 * reference lacks the objective.
 */
export function normalizedObjectives(spec: SweepSpec, results: readonly PointResult[]): { readonly reference: Partial<Record<ObjectiveName, { readonly value: number; readonly point: number }>>; readonly ratios: readonly Partial<Record<ObjectiveName, number>>[] } | undefined {
  const n = spec.normalize;
  if (n === undefined) return undefined;
  const feasible = results.filter((r) => r.error === null && violations(spec, r).length === 0);
  const refs = feasible.filter((r) => r.values[n.axis] === n.value);
  const reference: Partial<Record<ObjectiveName, { value: number; point: number }>> = {};
  for (const o of spec.objectives) {
    let best: { value: number; point: number } | undefined;
    for (const r of refs) {
      const x = objectiveValues(r)[o.name];
      if (x === undefined) continue;
      if (best === undefined || (o.sense === 'max' ? x > best.value : x < best.value)) best = { value: x, point: r.index };
    }
    if (best !== undefined) reference[o.name] = best;
  }
  const ratios = results.map((r) => {
    const v = objectiveValues(r);
    const out: Partial<Record<ObjectiveName, number>> = {};
    for (const o of spec.objectives) {
      const x = v[o.name];
      const ref = reference[o.name];
      if (x !== undefined && ref !== undefined && ref.value !== 0) out[o.name] = x / ref.value;
    }
    return out;
  });
  return { reference, ratios };
}

/** The axis values of a point as CSV cells, then objectives; one header row first. */
export function resultsCsv(spec: SweepSpec, results: readonly PointResult[], front: SweepFront): string {
  const q = (s: string): string => (/[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
  const onFront = new Set(front.front);
  const head = ['index', ...spec.axes.map((a) => a.key), 'error',
    'accuracy_sim [%]', 'accuracy_ci_lo [%]', 'accuracy_ci_hi [%]', 'latency_sim [us]', 'energy_sim [uJ]',
    'accuracy_eval [%]', 'latency_analytic [us]', 'energy_analytic [uJ]', 'area [mm2]', 'perf_per_area [inf/s/mm2]', 'feasible', 'pareto'];
  const f = (x: number | null | undefined, digits = 6): string => (x === null || x === undefined || !Number.isFinite(x) ? '' : String(Number(x.toPrecision(digits))));
  const rows = results.map((r) => {
    const v = objectiveValues(r);
    const s = r.simulated;
    const a = r.analytic;
    return [String(r.index), ...spec.axes.map((ax) => q(formatAxisValue(r.values[ax.key]!))), q(r.error ?? ''),
      f(s?.accuracy === null || s === null ? null : 100 * s.accuracy), f(s?.accuracyCi95 == null ? null : 100 * s.accuracyCi95[0]), f(s?.accuracyCi95 == null ? null : 100 * s.accuracyCi95[1]),
      f(s === null ? null : s.latencyPs / 1e6), f(s === null ? null : s.energyPj / 1e6),
      f(a?.accuracy == null ? null : 100 * a.accuracy), f(a === null ? null : a.latencyPs / 1e6), f(a === null ? null : a.energyPj / 1e6),
      f(v.area), f(v.perfPerArea), r.error === null && violations(spec, r).length === 0 ? 'yes' : 'no', onFront.has(r.index) ? 'yes' : 'no'].join(',');
  });
  return `${[head.map(q).join(','), ...rows].join('\n')}\n`;
}

/** Checks a set of results covers the points exactly once (resumed runs); throws naming the first problem. */
export function checkResults(points: readonly DesignPoint[], results: readonly PointResult[]): void {
  const want = new Map(points.map((p) => [p.index, p.label]));
  const seen = new Set<number>();
  for (const r of results) {
    if (want.get(r.index) !== r.label) throw new SimError('corrupt-results', `result for point ${r.index} (${r.label}) is not a point of this sweep`);
    if (seen.has(r.index)) throw new SimError('corrupt-results', `point ${r.index} (${r.label}) has two results`);
    seen.add(r.index);
  }
}
