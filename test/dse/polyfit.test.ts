import { describe, expect, it } from 'vitest';
import { deriveRng } from '../../src/util/index.js';
import { simErrorCode } from '../helpers/sim-error.js';
import { fitPolynomial, formatPolynomial, leastSquares, mape, monomialCount, monomials, rmspe, selectPolynomial } from '../../src/dse/index.js';

const code = simErrorCode;

/** y = 3 + 2 x0 - 0.5 x1 + 0.25 x0^2 - 1.5 x0 x1 + 0.75 x1^2 + 0.1 x0^2 x1 (degree 3, two variables). */
const TRUE: Record<string, number> = { '0,0': 3, '1,0': 2, '0,1': -0.5, '2,0': 0.25, '1,1': -1.5, '0,2': 0.75, '2,1': 0.1 };
const f = (x: readonly number[]): number =>
  Object.entries(TRUE).reduce((s, [k, c]) => {
    const [a, b] = k.split(',').map(Number) as [number, number];
    return s + c * x[0]! ** a * x[1]! ** b;
  }, 0);

function samples(seed: number, n: number): number[][] {
  const rng = deriveRng(seed, 'polyfit', 'inputs');
  // inputs in [1, 4] x [2, 8] (ranges like PE counts and buffer sizes in arbitrary units)
  return Array.from({ length: n }, () => [1 + 3 * rng.next(), 2 + 6 * rng.next()]);
}

describe('monomials', () => {
  it('lists every monomial of total degree <= d once, graded', () => {
    expect(monomials(2, 2)).toEqual([[0, 0], [1, 0], [0, 1], [2, 0], [1, 1], [0, 2]]);
    for (const [m, d] of [[1, 5], [2, 3], [3, 4], [4, 2]] as const) {
      const e = monomials(m, d);
      expect(e.length).toBe(monomialCount(m, d));
      expect(new Set(e.map((x) => x.join(','))).size).toBe(e.length);
      expect(e.every((x) => x.reduce((s, v) => s + v, 0) <= d)).toBe(true);
    }
    expect(monomialCount(3, 4)).toBe(35);
  });
});

describe('leastSquares (Householder QR)', () => {
  it('solves a square system exactly and an overdetermined one as least squares', () => {
    const x = leastSquares([[2, 1], [1, 3]], [5, 10]);
    expect(x[0]).toBeCloseTo(1, 12);
    expect(x[1]).toBeCloseTo(3, 12);
    // fit of a line through (0,1), (1,2), (2,2): normal-equation answer 7/6 + x/2
    const l = leastSquares([[1, 0], [1, 1], [1, 2]], [1, 2, 2]);
    expect(l[0]).toBeCloseTo(7 / 6, 12);
    expect(l[1]).toBeCloseTo(0.5, 12);
  });
  it('reports rank deficiency', () => {
    expect(code(() => leastSquares([[1, 2], [2, 4], [3, 6]], [1, 2, 3]))).toBe('dse-rank-deficient');
  });
});

describe('percentage errors', () => {
  it('MAPE and RMSPE match hand-computed values', () => {
    // relative errors: (100-90)/100 = 0.1, (200-250)/200 = -0.25, (50-50)/50 = 0, (-10 - -12)/-10 = -0.2
    const y = [100, 200, 50, -10];
    const p = [90, 250, 50, -12];
    expect(mape(y, p)).toBeCloseTo((100 * (0.1 + 0.25 + 0 + 0.2)) / 4, 12); // 13.75
    expect(rmspe(y, p)).toBeCloseTo(100 * Math.sqrt((0.01 + 0.0625 + 0 + 0.04) / 4), 12); // 16.77...
    expect(mape(y, p)).toBeCloseTo(13.75, 12);
  });
  it('rejects zero targets', () => {
    expect(code(() => mape([1, 0], [1, 1]))).toBe('dse-zero-target');
    expect(code(() => rmspe([0], [1]))).toBe('dse-zero-target');
    expect(() => mape([1, 0], [1, 1])).toThrow(/target 1 is 0/);
  });
});

describe('fitPolynomial', () => {
  it('recovers a known polynomial on noiseless data to 1e-9 relative, with and without scaling', () => {
    const xs = samples(1, 40);
    const ys = xs.map(f);
    for (const scale of [true, false]) {
      const m = fitPolynomial(xs, ys, 3, { scale });
      expect(m.degree).toBe(3);
      expect(m.terms.length).toBe(10);
      for (const t of m.terms) {
        const want = TRUE[t.exponents.join(',')] ?? 0;
        expect(Math.abs(t.coefficient - want), `${t.exponents.join(',')} scale=${scale}`).toBeLessThanOrEqual(1e-9 * Math.max(Math.abs(want), 1));
      }
      expect(m.mape).toBeLessThan(1e-9);
      expect(m.rmspe).toBeLessThan(1e-9);
      expect(m.predict([2.5, 3])).toBeCloseTo(f([2.5, 3]), 9);
    }
  });

  it('reports in-sample MAPE/RMSPE consistent with its predictions', () => {
    // a line fitted to 4 points: y = 1, 3, 2, 5 at x = 1..4 -> 0.0 + ... compare against the helpers
    const xs = [[1], [2], [3], [4]];
    const ys = [1, 3, 2, 5];
    const m = fitPolynomial(xs, ys, 1);
    // least squares line: slope 1.1, intercept 0.0 -> predictions 1.1, 2.2, 3.3, 4.4
    const t = Object.fromEntries(m.terms.map((x) => [x.exponents.join(','), x.coefficient]));
    expect(t['0']).toBeCloseTo(0, 12);
    expect(t['1']).toBeCloseTo(1.1, 12);
    const e = [(1 - 1.1) / 1, (3 - 2.2) / 3, (2 - 3.3) / 2, (5 - 4.4) / 5];
    expect(m.mape).toBeCloseTo((100 * e.reduce((s, x) => s + Math.abs(x), 0)) / 4, 10);
    expect(m.rmspe).toBeCloseTo(100 * Math.sqrt(e.reduce((s, x) => s + x * x, 0) / 4), 10);
    expect(formatPolynomial(m.terms)).toMatch(/x0$/);
  });

  it('rejects bad data with clear errors', () => {
    expect(code(() => fitPolynomial([[1], [2]], [1, 2], 2))).toBe('dse-too-few-samples');
    expect(() => fitPolynomial([[1], [2]], [1, 2], 2)).toThrow(/degree 2 in 1 variable\(s\) has 3 coefficients but the data set has only 2/);
    expect(code(() => fitPolynomial([[1], [Number.NaN], [3]], [1, 2, 3], 1))).toBe('dse-non-finite');
    expect(code(() => fitPolynomial([[1], [2], [3]], [1, Infinity, 3], 1))).toBe('dse-non-finite');
    expect(code(() => fitPolynomial([[1], [2], [3]], [1, 0, 3], 1))).toBe('dse-zero-target');
    expect(code(() => fitPolynomial([[1, 1], [2], [3, 1]], [1, 2, 3], 1))).toBe('dse-dimension');
    expect(code(() => fitPolynomial([[1], [1], [1], [2]], [1, 2, 3, 4], 2))).toBe('dse-rank-deficient');
  });
});

describe('selectPolynomial (k-fold cross-validation)', () => {
  it('picks the true degree on noisy data with a fixed seed', () => {
    const xs = samples(2, 120);
    const noise = deriveRng(2, 'polyfit', 'noise');
    const ys = xs.map((x) => f(x) * (1 + 0.01 * (noise.next() * 2 - 1)));
    const m = selectPolynomial(xs, ys, { rng: deriveRng(2, 'polyfit', 'cv-folds'), folds: 5, minDegree: 1, maxDegree: 5 });
    expect(m.degree).toBe(3);
    expect(m.cv.map((s) => s.degree)).toEqual([1, 2, 3, 4, 5]);
    const best = m.cv.find((s) => s.degree === 3)!;
    for (const s of m.cv) expect(s.rmspe).toBeGreaterThanOrEqual(best.rmspe);
    expect(best.rmspe).toBeLessThan(1); // about the 0.58 % RMS of the noise
    expect(m.rmspe).toBeLessThan(1);
    expect(m.mape).toBeLessThanOrEqual(m.rmspe);
    // deterministic: same stream, same result
    const again = selectPolynomial(xs, ys, { rng: deriveRng(2, 'polyfit', 'cv-folds'), folds: 5, minDegree: 1, maxDegree: 5 });
    expect(again.cv).toEqual(m.cv);
    expect(again.terms).toEqual(m.terms);
    // MAPE as criterion agrees here
    expect(selectPolynomial(xs, ys, { rng: deriveRng(2, 'polyfit', 'cv-folds'), maxDegree: 5, criterion: 'mape' }).degree).toBe(3);
  });

  it('rejects a degree range the training folds cannot support, and bad fold counts', () => {
    const xs = samples(3, 12);
    const ys = xs.map(f);
    // 5 folds of 12: training sets of 9; degree 3 in 2 variables needs 10
    expect(code(() => selectPolynomial(xs, ys, { rng: deriveRng(3, 'x', 'cv'), maxDegree: 3 }))).toBe('dse-too-few-samples');
    expect(() => selectPolynomial(xs, ys, { rng: deriveRng(3, 'x', 'cv'), maxDegree: 3 })).toThrow(/degree 3 .* 10 coefficients but a 5-fold training set has only 9/);
    expect(selectPolynomial(xs, ys, { rng: deriveRng(3, 'x', 'cv'), maxDegree: 2 }).degree).toBe(2);
    expect(code(() => selectPolynomial(xs, ys, { rng: deriveRng(3, 'x', 'cv'), folds: 1 }))).toBe('dse-polyfit');
    expect(code(() => selectPolynomial(xs, ys, { rng: deriveRng(3, 'x', 'cv'), minDegree: 3, maxDegree: 2 }))).toBe('dse-polyfit');
  });
});
