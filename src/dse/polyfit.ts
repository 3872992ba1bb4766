/**
 * QUIDAM-style pre-characterized models: multivariate polynomial regression of total degree d,
 * fitted by least squares through a Householder QR factorization, with the degree chosen by
 * k-fold cross-validation.
 *
 * Percentage errors, both in %, over actual values y_i and predictions p_i, i = 1..n:
 * - MAPE (mean absolute percentage error) = 100 / n * sum |(y_i - p_i) / y_i|
 * - RMSPE (root mean square percentage error) = 100 * sqrt(1 / n * sum ((y_i - p_i) / y_i)^2)
 *
 * Zero targets: a percentage error is undefined where y_i = 0, so every function here that
 * reports MAPE/RMSPE rejects data with a zero target (`dse-zero-target`) instead of skipping the
 * sample or adding an epsilon, either of which would silently bias the figure. Area, power and
 * cell counts are positive; shift or rescale other targets before fitting.
 */
import { SimError, type Rng } from '../util/index.js';

/** One term of a fitted polynomial: coefficient * prod_j x_j^exponents[j], in the caller's (unscaled) variables. */
export interface PolyTerm {
  readonly exponents: readonly number[];
  readonly coefficient: number;
}

/** Held-out errors of one candidate degree. */
export interface CvScore {
  readonly degree: number;
  /** Number of monomials (unknowns) of this degree. */
  readonly terms: number;
  /** MAPE of the held-out predictions, %. */
  readonly mape: number;
  /** RMSPE of the held-out predictions, %. */
  readonly rmspe: number;
}

/** A fitted polynomial model. */
export interface PolyModel {
  /** Number of input variables. */
  readonly variables: number;
  /** Total degree of the polynomial. */
  readonly degree: number;
  /** All monomials of total degree <= `degree` with their coefficients, in graded lexicographic order, in the original variables. */
  readonly terms: readonly PolyTerm[];
  /** In-sample MAPE of the final fit on all samples, %. */
  readonly mape: number;
  /** In-sample RMSPE of the final fit on all samples, %. */
  readonly rmspe: number;
  /** Cross-validation scores of every candidate degree (empty for a fixed-degree fit). */
  readonly cv: readonly CvScore[];
  /** Evaluates the model at `x` (one value per variable). */
  predict(x: readonly number[]): number;
}

/** Options of {@link fitPolynomial}. */
export interface FitOptions {
  /**
   * Scale every variable affinely to [-1, 1] (from the samples' min and max) before building the
   * design matrix. Improves conditioning; the fitted polynomial is the same up to rounding, since
   * the space of polynomials of total degree <= d is invariant under affine maps. Default true.
   */
  readonly scale?: boolean;
}

/** Options of {@link selectPolynomial}. */
export interface SelectOptions extends FitOptions {
  /** The stream that assigns samples to folds (e.g. `deriveRng(seed, path, 'cv-folds')`). */
  readonly rng: Rng;
  /** Number of folds, 2 <= folds <= number of samples. Default 5. */
  readonly folds?: number;
  /** Smallest candidate degree. Default 1. */
  readonly minDegree?: number;
  /** Largest candidate degree. Default 4. */
  readonly maxDegree?: number;
  /** Held-out error minimized by the choice. Default 'rmspe'. */
  readonly criterion?: 'rmspe' | 'mape';
}

/** Number of monomials of total degree <= d in m variables: C(m + d, d). */
export function monomialCount(variables: number, degree: number): number {
  let c = 1;
  for (let i = 1; i <= degree; i++) c = (c * (variables + i)) / i;
  return Math.round(c);
}

/**
 * All exponent vectors of total degree <= `degree` over `variables` variables, in graded
 * lexicographic order: by total degree, then lexicographically descending (x0 before x1).
 */
export function monomials(variables: number, degree: number): number[][] {
  if (!Number.isInteger(variables) || variables < 1) throw new SimError('dse-polyfit', `number of variables must be a positive integer, got ${variables}`);
  if (!Number.isInteger(degree) || degree < 0) throw new SimError('dse-polyfit', `degree must be a non-negative integer, got ${degree}`);
  const out: number[][] = [];
  const rec = (prefix: number[], left: number): void => {
    if (prefix.length === variables - 1) {
      out.push([...prefix, left]);
      return;
    }
    for (let e = left; e >= 0; e--) rec([...prefix, e], left - e);
  };
  for (let t = 0; t <= degree; t++) rec([], t);
  return out;
}

function checkTargetsNonZero(ys: readonly number[]): void {
  const i = ys.findIndex((y) => y === 0);
  if (i >= 0) {
    throw new SimError('dse-zero-target', `target ${i} is 0: MAPE and RMSPE are relative to the actual value and undefined at 0 (shift or rescale the targets)`);
  }
}

function percentErrors(actual: readonly number[], predicted: readonly number[]): number[] {
  if (actual.length !== predicted.length) throw new SimError('dse-polyfit', `${actual.length} actual values but ${predicted.length} predictions`);
  if (actual.length === 0) throw new SimError('dse-polyfit', 'percentage errors of an empty set');
  checkTargetsNonZero(actual);
  return actual.map((y, i) => (y - predicted[i]!) / y);
}

/** Mean absolute percentage error in %: 100 / n * sum |(y_i - p_i) / y_i|. Throws `dse-zero-target` on a zero actual value. */
export function mape(actual: readonly number[], predicted: readonly number[]): number {
  const e = percentErrors(actual, predicted);
  return (100 * e.reduce((s, x) => s + Math.abs(x), 0)) / e.length;
}

/** Root mean square percentage error in %: 100 * sqrt(1 / n * sum ((y_i - p_i) / y_i)^2). Throws `dse-zero-target` on a zero actual value. */
export function rmspe(actual: readonly number[], predicted: readonly number[]): number {
  const e = percentErrors(actual, predicted);
  return 100 * Math.sqrt(e.reduce((s, x) => s + x * x, 0) / e.length);
}

/**
 * Least-squares solution of A x ~= b (A is n x p, n >= p, given as rows) by Householder QR:
 * A = Q R, x = R^-1 (Q^T b). O(n p^2). Throws `dse-rank-deficient` when a column is (numerically)
 * a combination of the previous ones, naming it by index (or by `columnName`).
 */
export function leastSquares(rows: readonly (readonly number[])[], b: readonly number[], columnName?: (j: number) => string): number[] {
  const n = rows.length;
  const p = rows[0]?.length ?? 0;
  if (b.length !== n) throw new SimError('dse-polyfit', `${n} rows but ${b.length} right-hand values`);
  if (n < p) throw new SimError('dse-too-few-samples', `${n} equations for ${p} unknowns`);
  // column-major copy
  const a: Float64Array[] = Array.from({ length: p }, (_, j) => Float64Array.from(rows, (r) => r[j]!));
  const y = Float64Array.from(b);
  let maxNorm = 0;
  for (const col of a) {
    let s2 = 0;
    for (const v of col) s2 += v * v;
    maxNorm = Math.max(maxNorm, Math.sqrt(s2));
  }
  const tol = 1e-12 * Math.max(n, p) * maxNorm;
  const diag = new Float64Array(p);
  for (let j = 0; j < p; j++) {
    const cj = a[j]!;
    let s = 0;
    for (let i = j; i < n; i++) s += cj[i]! * cj[i]!;
    const norm = Math.sqrt(s);
    if (norm <= tol) {
      const name = columnName ? columnName(j) : `column ${j}`;
      throw new SimError('dse-rank-deficient', `the least-squares system is rank deficient at ${name}: the samples do not determine it (too few distinct values of a variable?)`);
    }
    const alpha = cj[j]! > 0 ? -norm : norm;
    // v = x - alpha e1, stored in cj[j..]; H = I - 2 v v^T / (v^T v)
    const v0 = cj[j]! - alpha;
    const vtv = s - cj[j]! * cj[j]! + v0 * v0;
    cj[j] = v0;
    const apply = (col: Float64Array): void => {
      let d = 0;
      for (let i = j; i < n; i++) d += cj[i]! * col[i]!;
      const f = (2 * d) / vtv;
      for (let i = j; i < n; i++) col[i] = col[i]! - f * cj[i]!;
    };
    for (let k = j + 1; k < p; k++) apply(a[k]!);
    apply(y);
    diag[j] = alpha;
  }
  const x = new Array<number>(p).fill(0);
  for (let j = p - 1; j >= 0; j--) {
    let s = y[j]!;
    for (let k = j + 1; k < p; k++) s -= a[k]![j]! * x[k]!;
    x[j] = s / diag[j]!;
  }
  return x;
}

interface Scaling {
  readonly center: readonly number[];
  readonly half: readonly number[];
}

function checkData(xs: readonly (readonly number[])[], ys: readonly number[]): number {
  if (xs.length !== ys.length) throw new SimError('dse-polyfit', `${xs.length} input samples but ${ys.length} targets`);
  if (xs.length === 0) throw new SimError('dse-too-few-samples', 'no samples');
  const m = xs[0]!.length;
  if (m === 0) throw new SimError('dse-polyfit', 'samples have no input variables');
  xs.forEach((x, i) => {
    if (x.length !== m) throw new SimError('dse-dimension', `sample ${i} has ${x.length} inputs, expected ${m}`);
    x.forEach((v, j) => {
      if (!Number.isFinite(v)) throw new SimError('dse-non-finite', `sample ${i}: input ${j} is ${v}`);
    });
    if (!Number.isFinite(ys[i]!)) throw new SimError('dse-non-finite', `sample ${i}: target is ${ys[i]}`);
  });
  checkTargetsNonZero(ys);
  return m;
}

function scaling(xs: readonly (readonly number[])[], m: number, scale: boolean): Scaling {
  if (!scale) return { center: new Array<number>(m).fill(0), half: new Array<number>(m).fill(1) };
  const center: number[] = [];
  const half: number[] = [];
  for (let j = 0; j < m; j++) {
    let lo = Infinity;
    let hi = -Infinity;
    for (const x of xs) {
      lo = Math.min(lo, x[j]!);
      hi = Math.max(hi, x[j]!);
    }
    center.push((lo + hi) / 2);
    half.push(hi > lo ? (hi - lo) / 2 : 1);
  }
  return { center, half };
}

function basisRow(x: readonly number[], exps: readonly (readonly number[])[], sc: Scaling): number[] {
  const z = x.map((v, j) => (v - sc.center[j]!) / sc.half[j]!);
  return exps.map((e) => e.reduce((prod, k, j) => prod * z[j]! ** k, 1));
}

const monomialName = (e: readonly number[]): string =>
  e.every((k) => k === 0) ? '1' : e.flatMap((k, j) => (k === 0 ? [] : [k === 1 ? `x${j}` : `x${j}^${k}`])).join('*');

function binomial(n: number, k: number): number {
  let c = 1;
  for (let i = 1; i <= k; i++) c = (c * (n - k + i)) / i;
  return c;
}

/** Expands sum beta_a prod_j ((x_j - c_j) / h_j)^a_j into coefficients of prod_j x_j^b_j. */
function unscale(exps: readonly (readonly number[])[], beta: readonly number[], sc: Scaling): number[] {
  const index = new Map(exps.map((e, i) => [e.join(','), i]));
  const out = new Array<number>(exps.length).fill(0);
  exps.forEach((a, t) => {
    // per variable: coefficients of x_j^b for b = 0..a_j
    const perVar = a.map((aj, j) =>
      Array.from({ length: aj + 1 }, (_, bj) => (binomial(aj, bj) * (-sc.center[j]!) ** (aj - bj)) / sc.half[j]! ** aj),
    );
    const rec = (j: number, e: number[], coef: number): void => {
      if (j === a.length) {
        const i = index.get(e.join(','))!;
        out[i] = out[i]! + beta[t]! * coef;
        return;
      }
      perVar[j]!.forEach((c, bj) => {
        if (c !== 0) rec(j + 1, [...e, bj], coef * c);
      });
    };
    rec(0, [], 1);
  });
  return out;
}

function fitScaled(xs: readonly (readonly number[])[], ys: readonly number[], exps: readonly (readonly number[])[], sc: Scaling): number[] {
  return leastSquares(
    xs.map((x) => basisRow(x, exps, sc)),
    ys,
    (j) => `monomial ${monomialName(exps[j]!)}`,
  );
}

function tooFew(degree: number, m: number, p: number, n: number, what: string): SimError {
  return new SimError(
    'dse-too-few-samples',
    `degree ${degree} in ${m} variable(s) has ${p} coefficients but ${what} has only ${n} sample(s); lower the degree or add samples`,
  );
}

function model(m: number, degree: number, exps: readonly (readonly number[])[], beta: readonly number[], sc: Scaling, xs: readonly (readonly number[])[], ys: readonly number[], cv: readonly CvScore[]): PolyModel {
  const predict = (x: readonly number[]): number => {
    if (x.length !== m) throw new SimError('dse-dimension', `predict: ${x.length} inputs, expected ${m}`);
    return basisRow(x, exps, sc).reduce((s, v, i) => s + v * beta[i]!, 0);
  };
  const raw = unscale(exps, beta, sc);
  const pred = xs.map(predict);
  return {
    variables: m,
    degree,
    terms: exps.map((e, i) => ({ exponents: e, coefficient: raw[i]! })),
    mape: mape(ys, pred),
    rmspe: rmspe(ys, pred),
    cv,
    predict,
  };
}

/**
 * Least-squares fit of a polynomial of total degree `degree` to samples `xs` (one row of input
 * values per sample) and targets `ys`. Needs at least as many samples as monomials
 * ({@link monomialCount}) and enough distinct input values to determine every monomial.
 * O(n p^2) for n samples and p monomials.
 *
 * @throws SimError `dse-too-few-samples`, `dse-rank-deficient`, `dse-non-finite`, `dse-dimension`, `dse-zero-target`.
 */
export function fitPolynomial(xs: readonly (readonly number[])[], ys: readonly number[], degree: number, options: FitOptions = {}): PolyModel {
  const m = checkData(xs, ys);
  const exps = monomials(m, degree);
  if (xs.length < exps.length) throw tooFew(degree, m, exps.length, xs.length, 'the data set');
  const sc = scaling(xs, m, options.scale ?? true);
  return model(m, degree, exps, fitScaled(xs, ys, exps, sc), sc, xs, ys, []);
}

/**
 * Chooses the total degree in [minDegree, maxDegree] by k-fold cross-validation and fits it on
 * all samples. Samples are assigned to folds by a Fisher-Yates shuffle drawn from `rng`, then
 * round robin (fold = shuffled position mod k), so fold sizes differ by at most one and the
 * assignment depends only on the stream and the number of samples. Every candidate degree is
 * fitted k times, each on all folds but one, and scored by the MAPE and RMSPE of the held-out
 * predictions pooled over all samples; the degree with the smallest `criterion` wins, the
 * lowest degree on a tie. Cost: k fits per candidate degree.
 *
 * @throws SimError `dse-too-few-samples` when a training set (n minus the largest fold) has
 *   fewer samples than `maxDegree` has monomials, naming the degree; plus the errors of
 *   {@link fitPolynomial}.
 */
export function selectPolynomial(xs: readonly (readonly number[])[], ys: readonly number[], options: SelectOptions): PolyModel {
  const m = checkData(xs, ys);
  const n = xs.length;
  const k = options.folds ?? 5;
  const lo = options.minDegree ?? 1;
  const hi = options.maxDegree ?? 4;
  const criterion = options.criterion ?? 'rmspe';
  if (!Number.isInteger(k) || k < 2 || k > n) throw new SimError('dse-polyfit', `folds must be an integer in [2, ${n}] (number of samples), got ${k}`);
  if (!Number.isInteger(lo) || !Number.isInteger(hi) || lo < 0 || hi < lo) {
    throw new SimError('dse-polyfit', `degree range [${lo}, ${hi}] must be integers with 0 <= minDegree <= maxDegree`);
  }
  const train = n - Math.ceil(n / k);
  for (let d = lo; d <= hi; d++) {
    const p = monomialCount(m, d);
    if (train < p) throw tooFew(d, m, p, train, `a ${k}-fold training set`);
  }
  const perm = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = options.rng.int(i + 1);
    [perm[i], perm[j]] = [perm[j]!, perm[i]!];
  }
  const fold = new Array<number>(n).fill(0);
  perm.forEach((s, pos) => (fold[s] = pos % k));
  const sc = scaling(xs, m, options.scale ?? true);
  const scores: CvScore[] = [];
  for (let d = lo; d <= hi; d++) {
    const exps = monomials(m, d);
    const pred = new Array<number>(n).fill(0);
    for (let f = 0; f < k; f++) {
      const tr = perm.filter((i) => fold[i] !== f);
      const beta = fitScaled(tr.map((i) => xs[i]!), tr.map((i) => ys[i]!), exps, sc);
      for (let i = 0; i < n; i++) {
        if (fold[i] === f) pred[i] = basisRow(xs[i]!, exps, sc).reduce((s, v, t) => s + v * beta[t]!, 0);
      }
    }
    scores.push({ degree: d, terms: exps.length, mape: mape(ys, pred), rmspe: rmspe(ys, pred) });
  }
  let best = scores[0]!;
  for (const s of scores) if (s[criterion] < best[criterion]) best = s;
  const exps = monomials(m, best.degree);
  return model(m, best.degree, exps, fitScaled(xs, ys, exps, sc), sc, xs, ys, scores);
}

/** The model as text, e.g. `2.5 + 1*x0 - 3*x0*x1^2` (all terms, zeros included). */
export function formatPolynomial(terms: readonly PolyTerm[]): string {
  return terms.map((t, i) => {
    const c = i === 0 ? String(t.coefficient) : t.coefficient < 0 ? ` - ${-t.coefficient}` : ` + ${t.coefficient}`;
    const name = monomialName(t.exponents);
    return name === '1' ? c : `${c}*${name}`;
  }).join('');
}
