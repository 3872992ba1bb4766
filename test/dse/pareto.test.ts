import { describe, expect, it } from 'vitest';
import { Rng, deriveRng } from '../../src/util/index.js';
import { simErrorCode } from '../helpers/sim-error.js';
import { dominates, hypervolume, paretoFront, type ParetoPoint, type Sense } from '../../src/dse/index.js';

/** Random points; small integer grids make ties and duplicates common. */
function randomPoints(rng: Rng, n: number, k: number, levels: number): ParetoPoint[] {
  return Array.from({ length: n }, (_, i) => ({
    id: `p${i}`,
    values: Array.from({ length: k }, () => (levels > 0 ? rng.int(levels) : rng.next() * 10 - 5)),
  }));
}
const randomSenses = (rng: Rng, k: number): Sense[] => Array.from({ length: k }, () => (rng.int(2) === 0 ? 'min' : 'max'));

/** Every pair: a point is on the front iff no other point dominates it. */
function bruteFront(points: readonly ParetoPoint[], senses: readonly Sense[]): string[] {
  // independent of the module: b dominates a iff no worse everywhere and better somewhere
  const better = (x: number, y: number, d: number): number => (senses[d] === 'min' ? y - x : x - y); // > 0: x better
  const dom = (b: ParetoPoint, a: ParetoPoint): boolean =>
    b.values.every((v, d) => better(v, a.values[d]!, d) >= 0) && b.values.some((v, d) => better(v, a.values[d]!, d) > 0);
  return points.filter((a) => !points.some((b) => b !== a && dom(b, a))).map((p) => p.id);
}

/** Inclusion-exclusion over all non-empty subsets of the boxes (small n only). */
function bruteHv(points: readonly ParetoPoint[], senses: readonly Sense[], reference: readonly number[]): number {
  const m = points.map((p) => p.values.map((v, i) => (senses[i] === 'max' ? -v : v)));
  const r = reference.map((v, i) => (senses[i] === 'max' ? -v : v));
  let total = 0;
  for (let mask = 1; mask < 1 << m.length; mask++) {
    let vol = 1;
    let bits = 0;
    for (let d = 0; d < r.length; d++) {
      let lo = -Infinity;
      for (let j = 0; j < m.length; j++) if (mask & (1 << j)) lo = Math.max(lo, m[j]![d]!);
      vol *= Math.max(0, r[d]! - lo);
    }
    for (let j = 0; j < m.length; j++) if (mask & (1 << j)) bits++;
    total += bits % 2 === 1 ? vol : -vol;
  }
  return total;
}

/** A reference strictly worse than every point (so the error case does not trigger). */
function worseReference(points: readonly ParetoPoint[], senses: readonly Sense[], margin: number): number[] {
  return senses.map((s, d) => {
    const vals = points.map((p) => p.values[d]!);
    return s === 'min' ? Math.max(...vals) + margin : Math.min(...vals) - margin;
  });
}

const code = simErrorCode;

describe('paretoFront', () => {
  it('matches a brute-force pairwise check on random sets, k = 1..5, min/max mixes, ties', () => {
    for (let k = 1; k <= 5; k++) {
      for (const n of [0, 1, 2, 3, 7, 20, 60, 200]) {
        for (const levels of [0, 3, 8]) {
          const rng = deriveRng(42, `k${k}/n${n}/l${levels}`, 'pareto');
          const senses = randomSenses(rng, k);
          const pts = randomPoints(rng, n, k, levels);
          expect(paretoFront(pts, senses).map((p) => p.id), `k=${k} n=${n} levels=${levels}`).toEqual(bruteFront(pts, senses));
        }
      }
    }
  });

  it('keeps duplicates, drops weakly dominated points, keeps input order', () => {
    const pts = [
      { id: 'a', values: [1, 5] },
      { id: 'b', values: [1, 5] },
      { id: 'c', values: [1, 6] }, // same x, worse y: dominated
      { id: 'd', values: [2, 5] }, // worse x, same y: dominated
      { id: 'e', values: [3, 1] },
      { id: 'f', values: [0, 9] },
    ];
    expect(paretoFront(pts, ['min', 'min']).map((p) => p.id)).toEqual(['a', 'b', 'e', 'f']);
    expect(paretoFront(pts, ['max', 'max']).map((p) => p.id)).toEqual(['c', 'd', 'e', 'f']);
    expect(paretoFront(pts, ['min', 'max']).map((p) => p.id)).toEqual(['f']);
    // same answers through the pairwise path (3 objectives with a constant third)
    const p3 = pts.map((p) => ({ id: p.id, values: [...p.values, 0] }));
    expect(paretoFront(p3, ['min', 'min', 'max']).map((p) => p.id)).toEqual(['a', 'b', 'e', 'f']);
  });

  it('adding a dominated point does not change the front', () => {
    const rng = deriveRng(7, 'dominated', 'pareto');
    for (let k = 2; k <= 4; k++) {
      const senses = randomSenses(rng, k);
      const pts = randomPoints(rng, 40, k, 0);
      const front = paretoFront(pts, senses);
      const base = front[0]!;
      const worse = { id: 'worse', values: base.values.map((v, d) => (senses[d] === 'min' ? v + 1 : v - 1)) };
      expect(paretoFront([...pts, worse], senses)).toEqual(front);
    }
  });

  it('dominates: weak in all, strict in one; equal vectors do not dominate', () => {
    expect(dominates([1, 2], [1, 3], ['min', 'min'])).toBe(true);
    expect(dominates([1, 3], [1, 3], ['min', 'min'])).toBe(false);
    expect(dominates([1, 3], [1, 2], ['min', 'max'])).toBe(true);
    expect(dominates([0, 3], [1, 2], ['min', 'min'])).toBe(false);
  });

  it('rejects bad input with clear errors', () => {
    expect(code(() => paretoFront([{ id: 'a', values: [1, Number.NaN] }], ['min', 'min']))).toBe('dse-non-finite');
    expect(code(() => paretoFront([{ id: 'a', values: [1] }], ['min', 'min']))).toBe('dse-dimension');
    expect(code(() => paretoFront([{ id: 'a', values: [1] }, { id: 'a', values: [2] }], ['min']))).toBe('dse-duplicate-id');
    expect(code(() => paretoFront([], []))).toBe('dse-objectives');
    expect(() => paretoFront([{ id: 'x', values: [1, Number.NaN] }], ['min', 'min'])).toThrow(/point 'x': objective 1 is NaN/);
  });
});

describe('hypervolume', () => {
  it('hand-computed cases', () => {
    // 2-D staircase: (1,3), (2,2), (3,1) vs (4,4): 3*1 + 2*1 + 1*1 + ... = 6
    const s2 = [{ id: 'a', values: [1, 3] }, { id: 'b', values: [2, 2] }, { id: 'c', values: [3, 1] }];
    expect(hypervolume(s2, ['min', 'min'], [4, 4])).toBe(6);
    // same with a maximized second objective: y' = -y, reference -4
    const s2m = s2.map((p) => ({ id: p.id, values: [p.values[0]!, -p.values[1]!] }));
    expect(hypervolume(s2m, ['min', 'max'], [4, -4])).toBe(6);
    // 3-D vs (2,2,2): a 2x2x1 box and a 1x1x2 box overlapping in a unit cube: 4 + 2 - 1 = 5
    expect(hypervolume([{ id: 'a', values: [0, 0, 1] }, { id: 'b', values: [1, 1, 0] }], ['min', 'min', 'min'], [2, 2, 2])).toBe(4 + 2 - 1);
    // 4-D single point: product of the sides
    expect(hypervolume([{ id: 'a', values: [1, 2, 3, 4] }], ['max', 'max', 'max', 'max'], [0, 0, 0, 0])).toBe(24);
    // a point that does not improve on the reference in one objective contributes nothing
    expect(hypervolume([{ id: 'a', values: [1, 1] }, { id: 'b', values: [0, 5] }], ['min', 'min'], [3, 3])).toBe(4);
    expect(hypervolume([], ['min', 'min'], [0, 0])).toBe(0);
  });

  it('matches inclusion-exclusion over all subsets on random sets, k = 1..4', () => {
    let compared = 0;
    for (let k = 1; k <= 4; k++) {
      for (const n of [1, 2, 3, 5, 8, 11]) {
        for (const levels of [0, 4]) {
          const rng = deriveRng(3, `k${k}/n${n}/l${levels}`, 'hv');
          const senses = randomSenses(rng, k);
          const pts = randomPoints(rng, n, k, levels);
          // a reference inside the cloud in one objective so some points contribute nothing
          const ref = worseReference(pts, senses, 0.5);
          if (k >= 2 && n >= 3) ref[0] = pts[0]!.values[0]! + (senses[0] === 'min' ? 0.25 : -0.25);
          const want = bruteHv(pts, senses, ref);
          if (want === 0) continue;
          compared++;
          const got = hypervolume(pts, senses, ref);
          expect(Math.abs(got - want), `k=${k} n=${n} levels=${levels}: ${got} vs ${want}`).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(want)));
        }
      }
    }
    expect(compared).toBeGreaterThan(30);
  });

  it('invariances: dominated points add nothing, non-dominated points never decrease it, order does not matter', () => {
    for (let k = 2; k <= 4; k++) {
      const rng = deriveRng(11, `k${k}`, 'hv-inv');
      const senses = randomSenses(rng, k);
      const pts = randomPoints(rng, 30, k, 0);
      const ref = worseReference(pts, senses, 1);
      const h = hypervolume(pts, senses, ref);
      expect(hypervolume(paretoFront(pts, senses), senses, ref)).toBeCloseTo(h, 9);
      expect(hypervolume([...pts].reverse(), senses, ref)).toBeCloseTo(h, 9);
      const f = paretoFront(pts, senses)[0]!;
      const dominated = { id: 'dom', values: f.values.map((v, d) => (senses[d] === 'min' ? v + 0.1 : v - 0.1)) };
      expect(hypervolume([...pts, dominated], senses, ref)).toBeCloseTo(h, 9);
      const better = { id: 'better', values: f.values.map((v, d) => (d === 0 ? (senses[d] === 'min' ? v - 0.5 : v + 0.5) : v)) };
      expect(hypervolume([...pts, better], senses, ref)).toBeGreaterThan(h);
      for (let t = 0; t < 20; t++) {
        const q = randomPoints(rng, 1, k, 0)[0]!;
        expect(hypervolume([...pts, { id: 'q', values: q.values }], senses, ref)).toBeGreaterThanOrEqual(h - 1e-12);
      }
    }
  });

  it('handles fronts of a few hundred points in 4-D', () => {
    // points on the simplex sum = 1 are mutually non-dominated
    const rng = deriveRng(1, 'big', 'hv');
    const pts = Array.from({ length: 150 }, (_, i) => {
      const v = [rng.next(), rng.next(), rng.next(), rng.next()];
      const t = v.reduce((a, b) => a + b, 0);
      return { id: `s${i}`, values: v.map((x) => x / t) };
    });
    expect(paretoFront(pts, ['min', 'min', 'min', 'min']).length).toBe(150);
    const h = hypervolume(pts, ['min', 'min', 'min', 'min'], [1, 1, 1, 1]);
    expect(h > 0 && h < 1).toBe(true);
  });

  it('rejects bad references and points', () => {
    const pts = [{ id: 'a', values: [1, 1] }];
    expect(code(() => hypervolume(pts, ['min', 'min'], [0, 0]))).toBe('dse-reference');
    expect(() => hypervolume(pts, ['min', 'min'], [0, 0])).toThrow(/no point improves on the reference/);
    expect(code(() => hypervolume(pts, ['min', 'min'], [2]))).toBe('dse-reference');
    expect(code(() => hypervolume(pts, ['min', 'min'], [2, Number.NaN]))).toBe('dse-reference');
    expect(code(() => hypervolume([{ id: 'a', values: [Number.NaN, 1] }], ['min', 'min'], [2, 2]))).toBe('dse-non-finite');
    expect(code(() => hypervolume([{ id: 'a', values: [1, 1, 1] }], ['min', 'min'], [2, 2]))).toBe('dse-dimension');
  });
});
