/**
 * Non-dominated filtering and exact hypervolume for k objectives, each minimized or maximized.
 *
 * Dominance: `a` dominates `b` when `a` is at least as good as `b` in every objective and
 * strictly better in at least one. Two points with identical objective vectors therefore do not
 * dominate each other: duplicates are all kept on the front (callers that want one
 * representative per vector dedupe by value themselves).
 */
import { SimError } from '../util/index.js';

/** Whether an objective is minimized or maximized. */
export type Sense = 'min' | 'max';

/** A design point as the Pareto routines see it: a unique id and one value per objective. */
export interface ParetoPoint {
  readonly id: string;
  readonly values: readonly number[];
}

function checkSenses(senses: readonly Sense[]): void {
  if (senses.length === 0) throw new SimError('dse-objectives', 'at least one objective is needed');
  senses.forEach((s, i) => {
    if (s !== 'min' && s !== 'max') throw new SimError('dse-objectives', `objective ${i}: sense must be 'min' or 'max', got '${String(s)}'`);
  });
}

function checkPoints(points: readonly ParetoPoint[], k: number): void {
  const ids = new Set<string>();
  for (const p of points) {
    if (ids.has(p.id)) throw new SimError('dse-duplicate-id', `point id '${p.id}' appears more than once`);
    ids.add(p.id);
    if (p.values.length !== k) {
      throw new SimError('dse-dimension', `point '${p.id}' has ${p.values.length} objective values, expected ${k}`);
    }
    p.values.forEach((v, i) => {
      if (!Number.isFinite(v)) throw new SimError('dse-non-finite', `point '${p.id}': objective ${i} is ${v} (values must be finite numbers)`);
    });
  }
}

/** The objective vector turned into "all minimized" form (max objectives negated). */
function toMin(values: readonly number[], senses: readonly Sense[]): number[] {
  return values.map((v, i) => (senses[i] === 'max' ? -v : v));
}

/** True when `a` dominates `b` under `senses` (no validation: both must have `senses.length` values). */
export function dominates(a: readonly number[], b: readonly number[], senses: readonly Sense[]): boolean {
  let strictly = false;
  for (let i = 0; i < senses.length; i++) {
    const x = senses[i] === 'max' ? -a[i]! : a[i]!;
    const y = senses[i] === 'max' ? -b[i]! : b[i]!;
    if (x > y) return false;
    if (x < y) strictly = true;
  }
  return strictly;
}

/**
 * The non-dominated points of `points`, in input order.
 *
 * Duplicates (identical objective vectors) do not dominate each other and are all kept.
 * Cost: O(n log n) for 2 objectives (sort by the first objective, sweep the best second
 * objective seen among strictly better first values); O(k n^2) pairwise checks otherwise.
 *
 * @throws SimError `dse-objectives`, `dse-dimension`, `dse-non-finite`, `dse-duplicate-id`.
 */
export function paretoFront<P extends ParetoPoint>(points: readonly P[], senses: readonly Sense[]): P[] {
  checkSenses(senses);
  checkPoints(points, senses.length);
  const keep = senses.length === 2 ? front2(points, senses) : frontPairwise(points, senses);
  return points.filter((_, i) => keep[i]);
}

function front2(points: readonly ParetoPoint[], senses: readonly Sense[]): boolean[] {
  const m = points.map((p) => toMin(p.values, senses));
  const order = m.map((_, i) => i).sort((i, j) => m[i]![0]! - m[j]![0]! || m[i]![1]! - m[j]![1]!);
  const keep = new Array<boolean>(points.length).fill(false);
  let best = Infinity; // min second objective among points with a strictly smaller first objective
  let g = 0;
  while (g < order.length) {
    const x = m[order[g]!]![0]!;
    let end = g;
    while (end < order.length && m[order[end]!]![0]! === x) end++;
    // within the group (same first objective) sorted by second: only the minimum(s) can survive
    const groupMin = m[order[g]!]![1]!;
    if (groupMin < best) {
      for (let t = g; t < end && m[order[t]!]![1]! === groupMin; t++) keep[order[t]!] = true;
      best = groupMin;
    }
    g = end;
  }
  return keep;
}

function frontPairwise(points: readonly ParetoPoint[], senses: readonly Sense[]): boolean[] {
  const m = points.map((p) => toMin(p.values, senses));
  const all: Sense[] = senses.map(() => 'min');
  return m.map((a) => !m.some((b) => dominates(b, a, all)));
}

/**
 * Exact hypervolume of `points` with respect to `reference`: the measure of the union of the
 * boxes spanned between each point and the reference point, in objective space (max objectives
 * are negated first, so the reference must be worse than the points: larger for 'min', smaller
 * for 'max').
 *
 * Points that do not strictly improve on the reference in every objective span an empty box and
 * contribute nothing; dominated points contribute nothing either. An empty point set has
 * hypervolume 0.
 *
 * Algorithm: 1-D is a minimum; 2-D sorts by the first objective and sums strips, O(n log n);
 * k >= 3 is HSO slicing: sort by the last objective, and for each slice between consecutive
 * values multiply its thickness by the (k-1)-D hypervolume of the points at or below it.
 * O(n^2 log n) for 3 objectives, O(n^3 log n) for 4, O(n^(k-1) log n) in general; meant for
 * fronts of up to a few thousand points in 3-D and a few hundred in 4-D.
 *
 * @throws SimError `dse-objectives`, `dse-dimension`, `dse-non-finite`, `dse-duplicate-id`, and
 *   `dse-reference` when the reference has the wrong dimension or is non-finite, or when points
 *   are given and none strictly improves on the reference in every objective (a reference that
 *   no point improves on is almost always a sign of a wrong sense or a swapped reference).
 */
export function hypervolume(points: readonly ParetoPoint[], senses: readonly Sense[], reference: readonly number[]): number {
  checkSenses(senses);
  const k = senses.length;
  if (reference.length !== k) throw new SimError('dse-reference', `reference point has ${reference.length} values, expected ${k}`);
  reference.forEach((v, i) => {
    if (!Number.isFinite(v)) throw new SimError('dse-reference', `reference point: objective ${i} is ${v} (must be finite)`);
  });
  checkPoints(points, k);
  if (points.length === 0) return 0;
  const ref = toMin(reference, senses);
  const inside = points.map((p) => toMin(p.values, senses)).filter((v) => v.every((x, i) => x < ref[i]!));
  if (inside.length === 0) {
    throw new SimError(
      'dse-reference',
      `no point improves on the reference point [${reference.join(', ')}] in every objective ` +
        `(senses [${senses.join(', ')}]); the reference must be worse than the front: larger for 'min', smaller for 'max'`,
    );
  }
  return hv(inside, ref, k);
}

/** Hypervolume of minimized points that all strictly dominate `ref`, over the first `k` objectives. */
function hv(pts: readonly (readonly number[])[], ref: readonly number[], k: number): number {
  if (pts.length === 0) return 0;
  if (k === 1) return ref[0]! - Math.min(...pts.map((p) => p[0]!));
  if (k === 2) {
    const s = [...pts].sort((a, b) => a[0]! - b[0]! || a[1]! - b[1]!);
    let vol = 0;
    let y = ref[1]!;
    for (const p of s) {
      if (p[1]! < y) {
        vol += (ref[0]! - p[0]!) * (y - p[1]!);
        y = p[1]!;
      }
    }
    return vol;
  }
  const d = k - 1;
  const s = [...pts].sort((a, b) => a[d]! - b[d]!);
  let vol = 0;
  for (let i = 0; i < s.length; i++) {
    const next = i + 1 < s.length ? s[i + 1]![d]! : ref[d]!;
    const depth = next - s[i]![d]!;
    if (depth > 0) vol += hv(s.slice(0, i + 1), ref, d) * depth;
  }
  return vol;
}
