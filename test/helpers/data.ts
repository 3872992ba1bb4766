/** Deterministic test data and plain-loop references shared by the accelerator tests. */

/** `n` deterministic integers in [lo, hi] (an LCG: the test's own data, not a model). */
export function ints(n: number, lo: number, hi: number, seed: number): number[] {
  let s = seed >>> 0;
  return Array.from({ length: n }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return lo + (s % (hi - lo + 1));
  });
}

/** C[m][n] = sum_k A[m][k] B[k][n], row-major, plain loops (exact while |sums| < 2^53). */
export function matmul(a: ArrayLike<number>, b: ArrayLike<number>, M: number, K: number, N: number): number[] {
  const c: number[] = [];
  for (let m = 0; m < M; m++) for (let n = 0; n < N; n++) {
    let s = 0;
    for (let k = 0; k < K; k++) s += a[m * K + k]! * b[k * N + n]!;
    c.push(s);
  }
  return c;
}
