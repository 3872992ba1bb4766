/**
 * Sampling of design spaces: grid (Cartesian product), uniform random and Latin-hypercube
 * sampling over numeric ranges and categorical axes. Random draws come only from the `Rng`
 * the caller passes (e.g. `deriveRng(seed, sweepPath, 'lhs')`), so the same stream gives the
 * same samples.
 */
import { SimError, type Rng } from '../util/index.js';

/** A value a sample takes on one axis. */
export type AxisValue = number | string | boolean;

/**
 * A numeric axis over [min, max]. `integer` restricts it to the integers in [min, max] (min and
 * max must then be integers). `steps` is the number of grid points (evenly spaced, both ends
 * included); grid sampling needs it, unless the axis is integer, where the default is every
 * integer in the range.
 */
export interface NumericAxis {
  readonly kind: 'numeric';
  readonly name: string;
  readonly min: number;
  readonly max: number;
  readonly integer?: boolean;
  readonly steps?: number;
}

/** A categorical axis: one of `values` (at least one; duplicates are rejected). */
export interface CategoricalAxis {
  readonly kind: 'categorical';
  readonly name: string;
  readonly values: readonly AxisValue[];
}

/** One axis of a design space. */
export type Axis = NumericAxis | CategoricalAxis;

/** One design point: a value per axis name. */
export type Sample = Readonly<Record<string, AxisValue>>;

function checkAxes(axes: readonly Axis[]): void {
  if (axes.length === 0) throw new SimError('dse-axis', 'a design space needs at least one axis');
  const names = new Set<string>();
  for (const a of axes) {
    if (names.has(a.name)) throw new SimError('dse-axis', `axis '${a.name}' appears more than once`);
    names.add(a.name);
    if (a.kind === 'numeric') {
      if (!Number.isFinite(a.min) || !Number.isFinite(a.max)) throw new SimError('dse-axis', `axis '${a.name}': min and max must be finite, got [${a.min}, ${a.max}]`);
      if (a.min > a.max) throw new SimError('dse-axis', `axis '${a.name}': min ${a.min} is larger than max ${a.max}`);
      if (a.integer === true && (!Number.isInteger(a.min) || !Number.isInteger(a.max))) {
        throw new SimError('dse-axis', `axis '${a.name}': an integer axis needs integer bounds, got [${a.min}, ${a.max}]`);
      }
      if (a.steps !== undefined && (!Number.isInteger(a.steps) || a.steps < 1)) throw new SimError('dse-axis', `axis '${a.name}': steps must be a positive integer, got ${a.steps}`);
    } else {
      if (a.values.length === 0) throw new SimError('dse-axis', `axis '${a.name}' has no values`);
      if (new Set(a.values).size !== a.values.length) throw new SimError('dse-axis', `axis '${a.name}' lists a value more than once`);
      for (const v of a.values) {
        if (typeof v === 'number' && !Number.isFinite(v)) throw new SimError('dse-axis', `axis '${a.name}': value ${v} is not finite`);
      }
    }
  }
}

function checkCount(n: number): void {
  if (!Number.isInteger(n) || n < 0) throw new SimError('dse-sampling', `number of samples must be a non-negative integer, got ${n}`);
}

/** The grid values of one axis, ascending for numeric axes, in the given order for categorical ones. */
export function axisGridValues(a: Axis): AxisValue[] {
  if (a.kind === 'categorical') return [...a.values];
  if (a.steps === undefined) {
    if (a.integer === true) return Array.from({ length: a.max - a.min + 1 }, (_, i) => a.min + i);
    throw new SimError('dse-axis', `axis '${a.name}': grid sampling of a continuous axis needs 'steps'`);
  }
  if (a.steps === 1) {
    if (a.min !== a.max) throw new SimError('dse-axis', `axis '${a.name}': steps 1 needs min = max`);
    return [a.min];
  }
  const vals = Array.from({ length: a.steps }, (_, i) => (i === a.steps! - 1 ? a.max : a.min + ((a.max - a.min) * i) / (a.steps! - 1)));
  return a.integer === true ? [...new Set(vals.map(Math.round))] : vals;
}

/**
 * The Cartesian product of the axes' grid values ({@link axisGridValues}), the last axis varying
 * fastest. Deterministic, no random draws. Throws `dse-sampling` beyond `limit` points (default
 * 1e6) so a mistyped step count does not exhaust memory.
 */
export function gridSample(axes: readonly Axis[], limit = 1_000_000): Sample[] {
  checkAxes(axes);
  // count before materializing: an integer axis over a huge range must not allocate its values
  const sizes = axes.map((a) => (a.kind === 'categorical' ? a.values.length : a.steps ?? (a.integer === true ? a.max - a.min + 1 : 1)));
  const bound = sizes.reduce((p, v) => p * v, 1);
  if (bound > limit) throw new SimError('dse-sampling', `the grid has ${bound} points, more than the limit of ${limit}`);
  const values = axes.map(axisGridValues);
  const total = values.reduce((p, v) => p * v.length, 1);
  const out: Sample[] = [];
  const idx = new Array<number>(axes.length).fill(0);
  for (let t = 0; t < total; t++) {
    out.push(Object.fromEntries(axes.map((a, j) => [a.name, values[j]![idx[j]!]!])));
    for (let j = axes.length - 1; j >= 0; j--) {
      idx[j] = idx[j]! + 1;
      if (idx[j]! < values[j]!.length) break;
      idx[j] = 0;
    }
  }
  return out;
}

/** Maps u in [0, 1) to an axis value (numeric: min + u (max - min), integers by floor over max - min + 1 cells; categorical: floor(u m)). */
function fromUnit(a: Axis, u: number): AxisValue {
  if (a.kind === 'categorical') return a.values[Math.min(a.values.length - 1, Math.floor(u * a.values.length))]!;
  if (a.integer === true) return Math.min(a.max, a.min + Math.floor(u * (a.max - a.min + 1)));
  return a.min + u * (a.max - a.min);
}

/**
 * `n` independent uniform samples: every axis drawn independently, numeric axes uniform over
 * [min, max) (integer axes uniform over the integers in [min, max]), categorical axes uniform
 * over their values. Draws one `rng.next()` per axis per sample, samples in order, axes in order.
 */
export function randomSample(axes: readonly Axis[], n: number, rng: Rng): Sample[] {
  checkAxes(axes);
  checkCount(n);
  return Array.from({ length: n }, () => Object.fromEntries(axes.map((a) => [a.name, fromUnit(a, rng.next())])));
}

/**
 * A Latin hypercube in the unit cube [0, 1)^d: `n` points such that in every dimension each of
 * the `n` strata [s/n, (s+1)/n) holds exactly one point. `strata[i][j]` is the stratum of point
 * i in dimension j; `points[i][j] = (strata[i][j] + u) / n` with u uniform in [0, 1) (or 0.5
 * when `centered`). Per dimension: one Fisher-Yates permutation, then one draw per point.
 */
export function latinHypercubeUnit(n: number, dimensions: number, rng: Rng, centered = false): { points: number[][]; strata: number[][] } {
  checkCount(n);
  if (!Number.isInteger(dimensions) || dimensions < 1) throw new SimError('dse-sampling', `dimensions must be a positive integer, got ${dimensions}`);
  const strata: number[][] = Array.from({ length: n }, () => []);
  const points: number[][] = Array.from({ length: n }, () => []);
  for (let j = 0; j < dimensions; j++) {
    const perm = Array.from({ length: n }, (_, i) => i);
    for (let i = n - 1; i > 0; i--) {
      const r = rng.int(i + 1);
      [perm[i], perm[r]] = [perm[r]!, perm[i]!];
    }
    for (let i = 0; i < n; i++) {
      const s = perm[i]!;
      const u = centered ? 0.5 : rng.next();
      strata[i]!.push(s);
      // (s + u) / n can round up to (s + 1) / n for u close to 1: keep it inside [s/n, (s+1)/n)
      let x = (s + u) / n;
      if (x >= (s + 1) / n) x = s / n;
      points[i]!.push(x);
    }
  }
  return { points, strata };
}

/**
 * `n` Latin-hypercube samples over the axes: {@link latinHypercubeUnit} mapped per axis. For a
 * continuous numeric axis the n strata are the equal sub-intervals of [min, max), one sample in
 * each. A discrete axis with c cells (the integers of an integer axis, the values of a
 * categorical one) maps stratum s to cell floor(s c / n), so every cell gets floor(n / c) or
 * ceil(n / c) samples (exactly n / c when c divides n).
 */
export function latinHypercubeSample(axes: readonly Axis[], n: number, rng: Rng, centered = false): Sample[] {
  checkAxes(axes);
  const { points, strata } = latinHypercubeUnit(n, axes.length, rng, centered);
  return points.map((p, i) =>
    Object.fromEntries(
      axes.map((a, j): [string, AxisValue] => {
        const s = strata[i]![j]!;
        if (a.kind === 'categorical') return [a.name, a.values[Math.floor((s * a.values.length) / n)]!];
        if (a.integer === true) return [a.name, a.min + Math.floor((s * (a.max - a.min + 1)) / n)];
        return [a.name, fromUnit(a, p[j]!)];
      }),
    ),
  );
}
