/**
 * An independent exact reference for binary32 arithmetic: values as BigInt rationals, rounded
 * to binary32 by integer arithmetic in each RISC-V rounding mode. Written from IEEE 754 alone
 * (no doubles involved), so it can catch errors in src/isa/fpu.ts's double-based method.
 */

/** A rational n / d with d > 0. */
export interface Rat { readonly n: bigint; readonly d: bigint }

const f32 = new Float32Array(1);
const i32 = new Int32Array(f32.buffer);

export const toBits = (v: number): number => { f32[0] = v; return i32[0]!; };
export const fromBits = (b: number): number => { i32[0] = b; return f32[0]!; };
export const isNaNBits = (b: number): boolean => (b & 0x7fffffff) > 0x7f800000;

/** Exact value of finite binary32 bits. */
export function ratOf(bits: number): Rat {
  const neg = bits < 0;
  const e = (bits >>> 23) & 0xff;
  const m = BigInt(bits & 0x7fffff) + (e === 0 ? 0n : 1n << 23n);
  const k = (e === 0 ? 1 : e) - 150; // value = m * 2^k
  const n = neg ? -m : m;
  return k >= 0 ? { n: n << BigInt(k), d: 1n } : { n, d: 1n << BigInt(-k) };
}

export const add = (a: Rat, b: Rat): Rat => ({ n: a.n * b.d + b.n * a.d, d: a.d * b.d });
export const mul = (a: Rat, b: Rat): Rat => ({ n: a.n * b.n, d: a.d * b.d });
export const neg = (a: Rat): Rat => ({ n: -a.n, d: a.d });
export const div = (a: Rat, b: Rat): Rat => (b.n < 0n ? { n: -a.n * b.d, d: a.d * -b.n } : { n: a.n * b.d, d: a.d * b.n });

const bitLen = (v: bigint): number => v.toString(2).length;

/**
 * Rounds the nonzero rational r to binary32 in mode rm (0 rne, 1 rtz, 2 rdn, 3 rup, 4 rmm).
 * Returns the bits and whether the result is inexact.
 */
export function roundRat(r: Rat, rm: number): { bits: number; inexact: boolean } {
  const negative = r.n < 0n;
  const n = negative ? -r.n : r.n;
  const d = r.d;
  // e = floor(log2(n/d))
  let e = bitLen(n) - bitLen(d);
  const ge = (k: number): boolean => (k >= 0 ? n >= d << BigInt(k) : n << BigInt(-k) >= d); // n/d >= 2^k
  if (!ge(e)) e--;
  const q = Math.max(e, -126) - 23; // quantum exponent
  // m = floor(n / (d * 2^q)), rem relative
  const num = q >= 0 ? n : n << BigInt(-q);
  const den = q >= 0 ? d << BigInt(q) : d;
  let m = num / den;
  const rem = num - m * den;
  const inexact = rem !== 0n;
  const twice = 2n * rem;
  let up = false;
  switch (rm) {
    case 0: up = twice > den || (twice === den && (m & 1n) === 1n); break;
    case 1: up = false; break;
    case 2: up = negative && inexact; break;
    case 3: up = !negative && inexact; break;
    case 4: up = twice >= den && inexact; break;
  }
  if (up) m += 1n;
  let bits: number;
  let overflow = false;
  if (m === 0n) bits = 0;
  else {
    const exp = Math.max(e, -126); // value = m * 2^(exp - 23), m in [2^23, 2^24] or subnormal
    if (e < -126) bits = Number(m); // subnormal (m = 2^23 becomes the smallest normal)
    else bits = exp + 127 >= 255 ? 0x7f800000 : (exp + 127) * 2 ** 23 + Number(m - (1n << 23n));
    if (bits >= 0x7f800000) {
      const toInf = rm === 0 || rm === 4 || (rm === 3 && !negative) || (rm === 2 && negative);
      bits = toInf ? 0x7f800000 : 0x7f7fffff;
      overflow = true;
    }
  }
  return { bits: (negative ? bits | 0x80000000 : bits) | 0, inexact: inexact || overflow };
}

/** Rounds rational r to an integer (BigInt) in mode rm. */
export function roundRatToInt(r: Rat, rm: number): bigint {
  const negative = r.n < 0n;
  const n = negative ? -r.n : r.n;
  let m = n / r.d;
  const rem = n - m * r.d;
  const twice = 2n * rem;
  let up = false;
  switch (rm) {
    case 0: up = twice > r.d || (twice === r.d && (m & 1n) === 1n); break;
    case 1: break;
    case 2: up = negative && rem !== 0n; break;
    case 3: up = !negative && rem !== 0n; break;
    case 4: up = twice >= r.d && rem !== 0n; break;
  }
  if (up) m += 1n;
  return negative ? -m : m;
}
