/**
 * Reference semantics of the F extension (IEEE 754 binary32, RISC-V flavour) on register BITS:
 * every function takes and returns 32-bit patterns (as signed int32 numbers), so NaN payloads
 * survive where the ISA says they do, and results are correctly rounded in every rounding mode.
 *
 * Method: +, -, *, /, sqrt are computed in double and rounded once more with `Math.fround`;
 * since double has more than 2*24+2 significand bits, this double rounding is innocuous (the
 * result equals the correctly rounded round-to-nearest-even binary32 result). The exact
 * relation between that result and the exact value (above, below, equal, exact midpoint) is then
 * recovered exactly in double arithmetic (products of two binary32 are exact in double; sums
 * use the error-free two-sum), which gives the other rounding modes by one step of at most one
 * ulp, and the inexact flag. Fused multiply-add computes the exact product, the two-sum of
 * product and addend, and rounds that unevaluated exact sum once.
 */

/** fflags bits. */
export const FFLAG_NV = 16;
export const FFLAG_DZ = 8;
export const FFLAG_OF = 4;
export const FFLAG_UF = 2;
export const FFLAG_NX = 1;

/** Rounding modes (the rm field; 7 = dyn is resolved by the caller). */
export const RM_RNE = 0;
export const RM_RTZ = 1;
export const RM_RDN = 2;
export const RM_RUP = 3;
export const RM_RMM = 4;

/** The canonical NaN. */
export const CANONICAL_NAN = 0x7fc00000;

/** Accrued exception flags, ORed into `fflags` by every operation. */
export interface FpStatus {
  fflags: number;
}

const I32 = new Int32Array(1);
const F32 = new Float32Array(I32.buffer);

/** binary32 value of `bits` (a NaN becomes a double NaN; test NaN-ness on bits when it matters). */
export function f32FromBits(bits: number): number {
  I32[0] = bits;
  return F32[0]!;
}

/** Bits of a binary32 value (`v` must be representable; NaN gives the canonical NaN). */
export function bitsFromF32(v: number): number {
  if (v !== v) return CANONICAL_NAN;
  F32[0] = v;
  return I32[0]!;
}

const isNaNBits = (b: number): boolean => (b & 0x7fffffff) > 0x7f800000;
/** A signaling NaN: exponent all ones, mantissa nonzero with its top bit clear. */
export const isSignalingNaN = (b: number): boolean => isNaNBits(b) && (b & 0x00400000) === 0;

const MIN_NORMAL = 2 ** -126;
const MAX_F32 = (2 - 2 ** -23) * 2 ** 127;
/** Halfway between MAX_F32 and 2^128: round-to-nearest overflows from here. */
const OVERFLOW_MIDPOINT = 2 ** 128 - 2 ** 103;

/** The next binary32 above `v` (v finite or -inf). */
function nextUp(v: number): number {
  const b = bitsFromF32(v);
  if (v === 0) return 2 ** -149;
  return f32FromBits(v > 0 ? b + 1 : b - 1);
}

/** The next binary32 below `v` (v finite or +inf). */
function nextDown(v: number): number {
  const b = bitsFromF32(v);
  if (v === 0) return -(2 ** -149);
  return f32FromBits(v > 0 ? b - 1 : b + 1);
}

/**
 * Final rounding. `r` is the round-to-nearest-even binary32 result (a double, possibly ±inf),
 * `dir` the sign of (exact - r), `tie` whether the exact value is a midpoint between two
 * binary32 numbers. Returns the result bits in mode `rm` and accrues NX/OF/UF.
 */
function finish(r: number, dir: number, tie: boolean, rm: number, st: FpStatus): number {
  let v = r;
  if (dir !== 0) {
    switch (rm) {
      case RM_RTZ: if (dir < 0 && r > 0) v = nextDown(r); else if (dir > 0 && r < 0) v = nextUp(r); break;
      case RM_RDN: if (dir < 0) v = nextDown(r); break;
      case RM_RUP: if (dir > 0) v = nextUp(r); break;
      case RM_RMM: {
        const pos = r > 0 || Object.is(r, 0);
        if (tie && (dir > 0) === pos) v = dir > 0 ? nextUp(r) : nextDown(r); // rne went toward zero: go away
        break;
      }
      default: break;
    }
    let f = FFLAG_NX;
    const a = Math.abs(v);
    if (a === Infinity || (a === MAX_F32 && Math.abs(r) === Infinity)) f |= FFLAG_OF;
    else if (a < MIN_NORMAL) f |= FFLAG_UF;
    st.fflags |= f;
  }
  return bitsFromF32(v);
}

/** Sign of exact - r for an exact double value x. */
const cmp = (x: number, r: number): number => (x > r ? 1 : x < r ? -1 : 0);

/** Whether exact x (a double) is the midpoint between r and its neighbour in direction dir. */
function midpoint(x: number, r: number, dir: number): boolean {
  if (dir === 0 || !Number.isFinite(r)) return false;
  const n = dir > 0 ? nextUp(r) : nextDown(r);
  if (!Number.isFinite(n)) return false;
  return x === (r + n) / 2;
}

/** Rounds the exact unevaluated sum s + e (s = fl(s + e), |e| <= ulp(s)/2, both finite) to binary32 in mode rm. */
function roundSum(s: number, e: number, rm: number, st: FpStatus): number {
  if (e !== 0 && Math.abs(s) === OVERFLOW_MIDPOINT) {
    // s is the midpoint between the largest binary32 and 2^128; e decides the side
    const sg = s > 0 ? 1 : -1;
    if ((e > 0) === (sg > 0)) return finish(sg * Infinity, -sg, false, rm, st);
    return finish(sg * MAX_F32, sg, false, rm, st);
  }
  const r = Math.fround(s);
  let dir = cmp(s, r);
  if (dir === 0) dir = e > 0 ? 1 : e < 0 ? -1 : 0;
  // A midpoint of binary32 is a double; when s is one, e (if nonzero) decides the side.
  let rr = r;
  if (e !== 0 && s !== r && midpoint(s, r, cmp(s, r))) {
    // RNE rounded the midpoint s; the exact value is strictly on the side of e.
    const n = cmp(s, r) > 0 ? nextUp(r) : nextDown(r);
    const towardN = (n > r) === (e > 0);
    if (towardN) { rr = n; dir = cmp(s, n); } else { dir = cmp(s, r); }
    return finish(rr, dir, false, rm, st);
  }
  const tie = rm === RM_RMM && e === 0 && midpoint(s, r, dir); // only rmm reads tie
  return finish(r, dir, tie, rm, st);
}

function nanResult(a: number, b: number, c: number, invalid: boolean, st: FpStatus): number {
  if (invalid || isSignalingNaN(a) || isSignalingNaN(b) || isSignalingNaN(c)) st.fflags |= FFLAG_NV;
  return CANONICAL_NAN;
}

/** Exact-zero sum sign: +0 except in rdn (-0), unless both addends are zeros of the same sign. */
function zeroSum(x: number, y: number, rm: number): number {
  if (Object.is(x, -0) && Object.is(y, -0)) return 0x80000000 | 0;
  if (Object.is(x, 0) && Object.is(y, 0)) return 0;
  return rm === RM_RDN ? 0x80000000 | 0 : 0;
}

function add(ia: number, ib: number, negB: boolean, rm: number, st: FpStatus): number {
  const a = f32FromBits(ia);
  const b0 = f32FromBits(ib);
  const b = negB ? -b0 : b0;
  const s = a + b;
  if (s !== s) return nanResult(ia, ib, 0, !isNaNBits(ia) && !isNaNBits(ib), st);
  if (!Number.isFinite(a) || !Number.isFinite(b)) return bitsFromF32(s);
  const bb = s - a;
  const e = (a - (s - bb)) + (b - bb); // two-sum: s + e == a + b exactly
  if (s === 0 && e === 0) return zeroSum(a, b, rm);
  return roundSum(s, e, rm, st);
}

/** fadd.s */
export function fpAdd(ia: number, ib: number, rm: number, st: FpStatus): number {
  return add(ia, ib, false, rm, st);
}

/** fsub.s */
export function fpSub(ia: number, ib: number, rm: number, st: FpStatus): number {
  return add(ia, ib, true, rm, st);
}

/** fmul.s */
export function fpMul(ia: number, ib: number, rm: number, st: FpStatus): number {
  const a = f32FromBits(ia), b = f32FromBits(ib);
  const p = a * b; // exact in double for finite binary32 operands
  if (p !== p) return nanResult(ia, ib, 0, !isNaNBits(ia) && !isNaNBits(ib), st);
  if (!Number.isFinite(p)) return bitsFromF32(p);
  const r = Math.fround(p);
  const dir = cmp(p, r);
  return finish(r, dir, rm === RM_RMM && midpoint(p, r, dir), rm, st); // only rmm reads tie
}

/** fdiv.s */
export function fpDiv(ia: number, ib: number, rm: number, st: FpStatus): number {
  const a = f32FromBits(ia), b = f32FromBits(ib);
  const q = a / b;
  if (q !== q) return nanResult(ia, ib, 0, !isNaNBits(ia) && !isNaNBits(ib), st);
  if (!Number.isFinite(a) || !Number.isFinite(b)) return bitsFromF32(q);
  if (b === 0) { st.fflags |= FFLAG_DZ; return bitsFromF32(q); }
  const r = Math.fround(q);
  // sign(exact - r) = sign(a - r*b) * sign(b); r*b is exact (or infinite when r is)
  const rb = r * b;
  const dir = cmp(a, rb) * (b > 0 ? 1 : -1);
  let tie = false;
  if (rm === RM_RMM && dir !== 0 && Number.isFinite(r)) { // only rmm reads tie
    const n = dir > 0 ? nextUp(r) : nextDown(r);
    tie = Number.isFinite(n) && ((r + n) / 2) * b === a;
  }
  return finish(r, dir, tie, rm, st);
}

/** fsqrt.s */
export function fpSqrt(ia: number, rm: number, st: FpStatus): number {
  const a = f32FromBits(ia);
  if (a !== a) return nanResult(ia, 0, 0, false, st);
  if (a < 0) { st.fflags |= FFLAG_NV; return CANONICAL_NAN; }
  if (a === 0 || a === Infinity) return ia;
  const r = Math.fround(Math.sqrt(a));
  const dir = cmp(a, r * r); // r*r exact; a square root is never a binary32 midpoint
  return finish(r, dir, false, rm, st);
}

/**
 * Fused multiply-add family: (negP ? -(a*b) : a*b) + (negC ? -c : c), one rounding.
 * fmadd: (false,false), fmsub: (false,true), fnmsub: (true,false), fnmadd: (true,true).
 */
export function fpFma(ia: number, ib: number, ic: number, negP: boolean, negC: boolean, rm: number, st: FpStatus): number {
  const a = f32FromBits(ia), b = f32FromBits(ib), c0 = f32FromBits(ic);
  const p0 = a * b;
  const p = negP ? -p0 : p0;
  const c = negC ? -c0 : c0;
  const aNaN = isNaNBits(ia), bNaN = isNaNBits(ib), cNaN = isNaNBits(ic);
  // 0 * inf is invalid even when c is a quiet NaN
  if ((a === 0 && Math.abs(b) === Infinity) || (b === 0 && Math.abs(a) === Infinity)) { st.fflags |= FFLAG_NV; return CANONICAL_NAN; }
  const s = p + c;
  if (s !== s) return nanResult(ia, ib, ic, !aNaN && !bNaN && !cNaN, st);
  if (!Number.isFinite(p) || !Number.isFinite(c)) return bitsFromF32(s);
  const bb = s - p;
  const e = (p - (s - bb)) + (c - bb);
  if (s === 0 && e === 0) return zeroSum(p, c, rm);
  return roundSum(s, e, rm, st);
}

/** fsgnj.s / fsgnjn.s / fsgnjx.s (k = 0, 1, 2): bit operations. */
export function fpSgnj(ia: number, ib: number, k: number): number {
  const mag = ia & 0x7fffffff;
  const sign = k === 0 ? ib & 0x80000000 : k === 1 ? ~ib & 0x80000000 : (ia ^ ib) & 0x80000000;
  return mag | sign;
}

/** fmin.s (max = false) / fmax.s (max = true), IEEE 754-2019 minimumNumber/maximumNumber with -0 < +0. */
export function fpMinMax(ia: number, ib: number, max: boolean, st: FpStatus): number {
  if (isSignalingNaN(ia) || isSignalingNaN(ib)) st.fflags |= FFLAG_NV;
  const an = isNaNBits(ia), bn = isNaNBits(ib);
  if (an && bn) return CANONICAL_NAN;
  if (an) return ib;
  if (bn) return ia;
  const a = f32FromBits(ia), b = f32FromBits(ib);
  if (a === b) {
    // equal values; differ only for zeros of different sign
    const aNeg = ia < 0;
    return max ? (aNeg ? ib : ia) : (aNeg ? ia : ib);
  }
  return (a < b) !== max ? ia : ib;
}

/** feq.s (op 2), flt.s (op 1), fle.s (op 0): 1 or 0. */
export function fpCompare(ia: number, ib: number, op: number, st: FpStatus): number {
  if (isNaNBits(ia) || isNaNBits(ib)) {
    if (op !== 2 || isSignalingNaN(ia) || isSignalingNaN(ib)) st.fflags |= FFLAG_NV;
    return 0;
  }
  const a = f32FromBits(ia), b = f32FromBits(ib);
  return (op === 2 ? a === b : op === 1 ? a < b : a <= b) ? 1 : 0;
}

/** fclass.s: the one-hot class mask. */
export function fpClass(ia: number): number {
  const neg = ia < 0;
  const exp = (ia >>> 23) & 0xff;
  const man = ia & 0x7fffff;
  if (exp === 0xff) {
    if (man === 0) return neg ? 1 << 0 : 1 << 7;
    return (man & 0x400000) !== 0 ? 1 << 9 : 1 << 8;
  }
  if (exp === 0) {
    if (man === 0) return neg ? 1 << 3 : 1 << 4;
    return neg ? 1 << 2 : 1 << 5;
  }
  return neg ? 1 << 1 : 1 << 6;
}

/** Rounds a finite double v (a binary32 value) to an integer in mode rm. */
function roundToInt(v: number, rm: number): number {
  switch (rm) {
    case RM_RTZ: return Math.trunc(v);
    case RM_RDN: return Math.floor(v);
    case RM_RUP: return Math.ceil(v);
    case RM_RMM: return v < 0 ? -Math.floor(-v + 0.5) : Math.floor(v + 0.5);
    default: {
      const f = Math.floor(v);
      const d = v - f; // exact: v has at most 24 significant bits
      if (d > 0.5) return f + 1;
      if (d < 0.5) return f;
      return f % 2 === 0 ? f : f + 1;
    }
  }
}

/** fcvt.w.s (unsigned = false) / fcvt.wu.s (unsigned = true): the integer result as int32 bits. */
export function fpToInt(ia: number, unsigned: boolean, rm: number, st: FpStatus): number {
  const lo = unsigned ? 0 : -0x80000000;
  const hi = unsigned ? 0xffffffff : 0x7fffffff;
  if (isNaNBits(ia)) { st.fflags |= FFLAG_NV; return hi | 0; }
  const v = f32FromBits(ia);
  if (v === Infinity) { st.fflags |= FFLAG_NV; return hi | 0; }
  if (v === -Infinity) { st.fflags |= FFLAG_NV; return lo | 0; }
  const n = roundToInt(v, rm);
  if (n > hi) { st.fflags |= FFLAG_NV; return hi | 0; }
  if (n < lo) { st.fflags |= FFLAG_NV; return lo | 0; }
  if (n !== v) st.fflags |= FFLAG_NX;
  return n | 0;
}

/** fcvt.s.w (unsigned = false) / fcvt.s.wu (unsigned = true) of the integer register bits x. */
export function fpFromInt(x: number, unsigned: boolean, rm: number, st: FpStatus): number {
  const v = unsigned ? x >>> 0 : x | 0;
  const r = Math.fround(v);
  const dir = cmp(v, r);
  return finish(r, dir, rm === RM_RMM && midpoint(v, r, dir), rm, st); // only rmm reads tie
}
