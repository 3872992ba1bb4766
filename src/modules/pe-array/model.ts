/**
 * Functional model of a PE array: the values a systolic array of multiply-accumulate PEs
 * computes for a GEMM `OFMAP[M x N] = IFMAP[M x K] * FILTER[K x N]` and for a convolution
 * lowered to that GEMM by im2col, for five PE types (after QUIDAM, arXiv 2206.15463):
 *
 * - `int8`: int8 x int8 products, accumulated in a two's-complement register of `accBits`
 *   bits (default 32) that wraps on overflow like a hardware accumulator (no saturation).
 * - `int16`: int16 x int16 products, wrapping accumulator of `accBits` bits (default 48, as in
 *   DSP-style MAC units, so realistic layers never wrap).
 * - `fp32`: IEEE binary32 multiply, then binary32 add (two roundings, no fused multiply-add),
 *   round to nearest even, subnormals kept, in the dataflow's accumulation order (below).
 * - `lightpe1`: weights `0` or `sign * 2^-m`, `m` in `[0, mMax]`: one shifter, the sign picks
 *   add or subtract.
 * - `lightpe2`: weights `0` or `sign * (2^-m1 + b * 2^-m2)`, `0 <= m1 <= m2 <= mMax`, `b` in
 *   {0, 1}: two shifters and an adder (the second one can be gated, so every LightPE-1 weight is
 *   a LightPE-2 weight).
 *
 * Fixed-point convention of the LightPEs (QUIDAM only says "shift-add for power-of-two
 * weights"; this is our exact definition): activations are signed integers (int8 or int16, any
 * binary point, the scale is outside the array). Shift mode `exact` (default): the partial-sum
 * register has `mMax` more fractional bits than the activation, so the shifter moves the
 * activation left by `mMax - m` and no bit is lost; results are in units of `2^-mMax`
 * activation LSBs. Shift mode `floor`: the partial sum has the activation's format and the
 * shifter is an arithmetic right shift by `m` (rounds toward minus infinity; `-5 >> 1 = -3`),
 * applied to the activation before the sign: `product = sign * ((a >> m1) + b * (a >> m2))`.
 * Both modes accumulate in a wrapping `accBits` register (default 32).
 *
 * Accumulation order (what makes fp32 results depend on the dataflow; integer results are
 * identical for every dataflow because wrapping addition is associative modulo `2^accBits`):
 * - `os`: one PE holds output (m, n) and adds the products for k = 0, 1, ..., K-1 in order,
 *   starting from the first product.
 * - `ws` and `is`: the reduction dimension K is laid over the R array rows, so K is cut into
 *   row folds of R (k in [f*R, f*R+R)). Inside a fold the partial sum runs down a column
 *   starting from the first product, k increasing; each fold's partial sum leaves the array and
 *   is added to the output accumulator in fold order (out = fold0; out = out + fold1; ...),
 *   which is how SCALE-Sim counts ofmap writes for ws/is (one per row fold).
 *
 * Not modelled here: timing (see `scalesim.ts`), per-PE register-file capacities (the data
 * layout is not tiled to the scratchpads), faults, requantisation/activation functions after
 * the accumulator, row-stationary dataflow, sparsity and zero-skipping.
 *
 * Results are returned as `Float64Array` for every PE type: integer results are exact integers
 * (|value| < 2^52), fp32 results are binary32 values (exactly representable in binary64).
 */

/** PE types the array can be built from. */
export type PeType = 'int8' | 'int16' | 'fp32' | 'lightpe1' | 'lightpe2';
/** Dataflows (SCALE-Sim names): output, weight or input stationary. */
export type Dataflow = 'os' | 'ws' | 'is';
/** All PE types, in declaration order. */
export const PE_TYPES: readonly PeType[] = ['int8', 'int16', 'fp32', 'lightpe1', 'lightpe2'];
/** All dataflows, in declaration order. */
export const DATAFLOWS: readonly Dataflow[] = ['os', 'ws', 'is'];

/** LightPE shifter semantics (see the module doc): lossless left-aligned or truncating right shift. */
export type LightShiftMode = 'exact' | 'floor';

/**
 * Quantised LightPE weights, structure of arrays (one entry per weight): `sign` in {-1, 0, 1}
 * (0 = the zero weight, the PE skips the add), `m1` the first shift, `m2` the second shift or
 * `NO_SHIFT` when the second shifter is gated (always for LightPE-1). Value:
 * `sign * (2^-m1 + (m2 === NO_SHIFT ? 0 : 2^-m2))`.
 */
export interface LightWeights {
  readonly kind: 'lightpe1' | 'lightpe2';
  /** Largest shift `mMax` (0..15). */
  readonly mMax: number;
  readonly sign: Int8Array;
  readonly m1: Uint8Array;
  readonly m2: Uint8Array;
}

/** Marks a gated second shifter in {@link LightWeights.m2}. */
export const NO_SHIFT = 0xff;

/** Default accumulator width per PE type (bits): int8 32, int16 48, LightPEs 32 (fp32: n/a). */
export function defaultAccBits(t: PeType): number {
  return t === 'int16' ? 48 : 32;
}

/**
 * Operands of a GEMM, typed by PE type. IFMAP is `M x K` row-major, FILTER is `K x N`
 * row-major. `accBits` (16..52) overrides {@link defaultAccBits}.
 */
export type GemmOperands =
  | { readonly peType: 'int8'; readonly ifmap: Int8Array; readonly filter: Int8Array; readonly accBits?: number }
  | { readonly peType: 'int16'; readonly ifmap: Int16Array; readonly filter: Int16Array; readonly accBits?: number }
  | { readonly peType: 'fp32'; readonly ifmap: Float32Array; readonly filter: Float32Array }
  | {
    readonly peType: 'lightpe1' | 'lightpe2';
    readonly ifmap: Int8Array | Int16Array;
    readonly filter: LightWeights;
    readonly accBits?: number;
    readonly shift?: LightShiftMode;
  };

/** GEMM sizes: OFMAP `M x N`, reduction `K`. */
export interface GemmDims {
  readonly M: number;
  readonly N: number;
  readonly K: number;
}

/** What the functional model needs from the array: its dataflow and row count (the row-fold size of ws/is). */
export interface ArrayShape {
  readonly dataflow: Dataflow;
  readonly rows: number;
}

function checkInt(name: string, v: number, min: number, max = Number.MAX_SAFE_INTEGER): void {
  if (!Number.isInteger(v) || v < min || v > max) throw new RangeError(`${name} must be an integer in [${min}, ${max}], got ${v}`);
}

/** Wraps an exact integer (|s| < 2^53) into two's complement of `bits` bits. */
function wrapTo(s: number, half: number, full: number): number {
  return s >= half || s < -half ? s - Math.floor((s + half) / full) * full : s;
}

/**
 * Computes `OFMAP = IFMAP * FILTER` as the PE array does (see the module doc for number
 * formats and the accumulation order per dataflow). Throws a `RangeError` on inconsistent
 * sizes. Cost: one pass over M*N*K with typed arrays; the filter is transposed once.
 */
export function gemm(op: GemmOperands, dims: GemmDims, array: ArrayShape): Float64Array {
  const { M, N, K } = dims;
  checkInt('M', M, 1);
  checkInt('N', N, 1);
  checkInt('K', K, 1);
  checkInt('rows', array.rows, 1);
  if (op.ifmap.length !== M * K) throw new RangeError(`ifmap has ${op.ifmap.length} elements, expected M*K = ${M * K}`);
  const flen = 'sign' in op.filter ? op.filter.sign.length : op.filter.length;
  if (flen !== K * N) throw new RangeError(`filter has ${flen} elements, expected K*N = ${K * N}`);
  const group = array.dataflow === 'os' ? K : array.rows;
  const out = new Float64Array(M * N);
  const a = op.ifmap;

  if (op.peType === 'fp32') {
    const wT = new Float32Array(K * N);
    for (let k = 0; k < K; k++) for (let n = 0; n < N; n++) wT[n * K + k] = op.filter[k * N + n]!;
    for (let m = 0; m < M; m++) {
      const ab = m * K;
      for (let n = 0; n < N; n++) {
        const wb = n * K;
        let acc = 0;
        for (let k0 = 0; k0 < K; k0 += group) {
          const k1 = Math.min(K, k0 + group);
          let ps = Math.fround(a[ab + k0]! * wT[wb + k0]!);
          for (let k = k0 + 1; k < k1; k++) ps = Math.fround(ps + Math.fround(a[ab + k]! * wT[wb + k]!));
          acc = k0 === 0 ? ps : Math.fround(acc + ps);
        }
        out[m * N + n] = acc;
      }
    }
    return out;
  }

  const accBits = op.accBits ?? defaultAccBits(op.peType);
  checkInt('accBits', accBits, 16, 52);
  const half = 2 ** (accBits - 1);
  const full = 2 ** accBits;

  if ((op.peType === 'lightpe1' || op.peType === 'lightpe2') && (op.shift ?? 'exact') === 'floor') {
    // Truncating shifters: product = sign * ((a >> m1) + (a >> m2)), int32 shifts on int8/16 activations.
    const w = op.filter;
    checkLight(w, op.peType);
    // Transposed per-weight sign, shifts and second-shifter gate (int32 arrays keep the loop monomorphic).
    const sT = new Int32Array(K * N);
    const s1T = new Int32Array(K * N);
    const s2T = new Int32Array(K * N);
    const g2T = new Int32Array(K * N);
    for (let k = 0; k < K; k++) for (let n = 0; n < N; n++) {
      const i = k * N + n;
      const j = n * K + k;
      const m2 = w.m2[i]!;
      sT[j] = w.sign[i]!;
      s1T[j] = w.m1[i]!;
      s2T[j] = m2 === NO_SHIFT ? 0 : m2;
      g2T[j] = m2 === NO_SHIFT ? 0 : 1;
    }
    const x32 = Int32Array.from(a);
    for (let m = 0; m < M; m++) {
      const ab = m * K;
      for (let n = 0; n < N; n++) {
        const wb = n * K;
        let acc = 0;
        for (let k0 = 0; k0 < K; k0 += group) {
          const k1 = Math.min(K, k0 + group);
          let ps = 0;
          for (let k = k0; k < k1; k++) {
            const x = x32[ab + k]!;
            const j = wb + k;
            // |x| < 2^15, so the magnitude and the signed product fit in int32.
            const prod = sT[j]! * ((x >> s1T[j]!) + g2T[j]! * (x >> s2T[j]!));
            ps = wrapTo(ps + prod, half, full);
          }
          acc = k0 === 0 ? ps : wrapTo(acc + ps, half, full);
        }
        out[m * N + n] = acc;
      }
    }
    return out;
  }

  // Integer products: int8/int16 directly; exact LightPE shifts are multiplications by
  // sign * (2^(mMax-m1) + 2^(mMax-m2)), computed exactly in binary64.
  const wT = new Float64Array(K * N);
  if (op.peType === 'lightpe1' || op.peType === 'lightpe2') {
    const w = op.filter;
    checkLight(w, op.peType);
    for (let k = 0; k < K; k++) for (let n = 0; n < N; n++) {
      const i = k * N + n;
      const m2 = w.m2[i]!;
      wT[n * K + k] = w.sign[i]! * (2 ** (w.mMax - w.m1[i]!) + (m2 === NO_SHIFT ? 0 : 2 ** (w.mMax - m2)));
    }
  } else if (op.peType === 'int8' || op.peType === 'int16') {
    const f = op.filter;
    for (let k = 0; k < K; k++) for (let n = 0; n < N; n++) wT[n * K + k] = f[k * N + n]!;
  }
  // Wrapping addition is associative modulo 2^accBits, so when the plain sum of all K products is
  // exact in binary64 (|products| <= 2^31 for 16-bit operands, or |w| <= 2^16 for LightPE:
  // K x 2^32 < 2^53), one wrap at the end equals the PE's wrap after every addition, in every
  // dataflow order. Otherwise wrap per addition as the hardware does.
  let maxW = 0;
  for (let i = 0; i < wT.length; i++) maxW = Math.max(maxW, Math.abs(wT[i]!));
  if (K * 32768 * maxW < 2 ** 53) {
    // Every partial sum is an exact integer, so the order of the additions does not matter:
    // four outputs per pass over the input row (one load of a[k] for four products).
    for (let m = 0; m < M; m++) {
      const ab = m * K;
      const ob = m * N;
      let n = 0;
      for (; n + 4 <= N; n += 4) {
        const w0 = n * K;
        const w1 = w0 + K;
        const w2 = w1 + K;
        const w3 = w2 + K;
        let s0 = 0;
        let s1 = 0;
        let s2 = 0;
        let s3 = 0;
        for (let k = 0; k < K; k++) {
          const x = a[ab + k]!;
          s0 += x * wT[w0 + k]!;
          s1 += x * wT[w1 + k]!;
          s2 += x * wT[w2 + k]!;
          s3 += x * wT[w3 + k]!;
        }
        out[ob + n] = wrapTo(s0, half, full);
        out[ob + n + 1] = wrapTo(s1, half, full);
        out[ob + n + 2] = wrapTo(s2, half, full);
        out[ob + n + 3] = wrapTo(s3, half, full);
      }
      for (; n < N; n++) {
        const wb = n * K;
        let s = 0;
        for (let k = 0; k < K; k++) s += a[ab + k]! * wT[wb + k]!;
        out[ob + n] = wrapTo(s, half, full);
      }
    }
    return out;
  }
  for (let m = 0; m < M; m++) {
    const ab = m * K;
    for (let n = 0; n < N; n++) {
      const wb = n * K;
      let acc = 0;
      for (let k0 = 0; k0 < K; k0 += group) {
        const k1 = Math.min(K, k0 + group);
        let ps = 0;
        for (let k = k0; k < k1; k++) ps = wrapTo(ps + a[ab + k]! * wT[wb + k]!, half, full);
        acc = k0 === 0 ? ps : wrapTo(acc + ps, half, full);
      }
      out[m * N + n] = acc;
    }
  }
  return out;
}

function checkLight(w: LightWeights, t: 'lightpe1' | 'lightpe2'): void {
  if (w.kind !== t) throw new RangeError(`filter was quantised for ${w.kind}, the array is ${t}`);
  checkInt('mMax', w.mMax, 0, 15);
  if (w.m1.length !== w.sign.length || w.m2.length !== w.sign.length) throw new RangeError('LightWeights arrays differ in length');
}

// ---------------------------------------------------------------------------------------------
// Convolution via im2col

/** An NHWC activation tensor's shape (batch `n`, height `h`, width `w`, channels `c`). */
export interface NhwcShape {
  readonly n: number;
  readonly h: number;
  readonly w: number;
  readonly c: number;
}

/**
 * A 2D convolution's geometry. Filters are HWIO (`fh x fw x c x cout`, row-major), which is the
 * `K x N` FILTER matrix with `k = (ky * fw + kx) * c + ci` (SCALE-Sim's `K = Fh*Fw*C` order).
 * Missing stride/dilation are 1, missing padding is 0. Padded positions read the value 0.
 */
export interface ConvGeometry {
  readonly fh: number;
  readonly fw: number;
  readonly cout: number;
  readonly strideH?: number;
  readonly strideW?: number;
  readonly padTop?: number;
  readonly padBottom?: number;
  readonly padLeft?: number;
  readonly padRight?: number;
  readonly dilationH?: number;
  readonly dilationW?: number;
}

/** Output size and GEMM dimensions of a convolution. */
export interface ConvDims extends GemmDims {
  readonly oh: number;
  readonly ow: number;
}

/**
 * Output size with the usual rule `floor((h + pads - d*(f-1) - 1) / s) + 1` (PyTorch/ONNX),
 * and the GEMM sizes: `M = n*oh*ow`, `N = cout`, `K = fh*fw*c`. Note that SCALE-Sim's own rule
 * differs (no padding, `ceil((H - F + s) / s)`); see `scaleSimConvGemm`.
 */
export function convDims(x: NhwcShape, g: ConvGeometry): ConvDims {
  const sh = g.strideH ?? 1;
  const sw = g.strideW ?? 1;
  const dh = g.dilationH ?? 1;
  const dw = g.dilationW ?? 1;
  for (const [k, v] of Object.entries({ n: x.n, h: x.h, w: x.w, c: x.c, fh: g.fh, fw: g.fw, cout: g.cout, sh, sw, dh, dw })) checkInt(k, v, 1);
  const ph = (g.padTop ?? 0) + (g.padBottom ?? 0);
  const pw = (g.padLeft ?? 0) + (g.padRight ?? 0);
  const oh = Math.floor((x.h + ph - dh * (g.fh - 1) - 1) / sh) + 1;
  const ow = Math.floor((x.w + pw - dw * (g.fw - 1) - 1) / sw) + 1;
  if (oh < 1 || ow < 1) throw new RangeError(`convolution output would be ${oh} x ${ow}`);
  return { oh, ow, M: x.n * oh * ow, N: g.cout, K: g.fh * g.fw * x.c };
}

/** Typed arrays usable as activations. */
export type ActivationArray = Int8Array | Int16Array | Float32Array;

/**
 * im2col: the `M x K` IFMAP matrix of a convolution over an NHWC tensor, row
 * `m = (b*oh + oy)*ow + ox`, column `k = (ky*fw + kx)*c + ci`, zeros where the window covers
 * padding. Returns the same typed-array kind as the input.
 */
export function im2col<T extends ActivationArray>(x: T, shape: NhwcShape, g: ConvGeometry): T {
  const d = convDims(shape, g);
  if (x.length !== shape.n * shape.h * shape.w * shape.c) throw new RangeError(`input has ${x.length} elements, expected n*h*w*c = ${shape.n * shape.h * shape.w * shape.c}`);
  const Ctor = x.constructor as new (len: number) => T;
  const out = new Ctor(d.M * d.K);
  const sh = g.strideH ?? 1;
  const sw = g.strideW ?? 1;
  const dh = g.dilationH ?? 1;
  const dw = g.dilationW ?? 1;
  const pt = g.padTop ?? 0;
  const pl = g.padLeft ?? 0;
  const { h, w, c } = shape;
  let m = 0;
  for (let b = 0; b < shape.n; b++) {
    for (let oy = 0; oy < d.oh; oy++) {
      for (let ox = 0; ox < d.ow; ox++, m++) {
        let k = m * d.K;
        for (let ky = 0; ky < g.fh; ky++) {
          const iy = oy * sh - pt + ky * dh;
          for (let kx = 0; kx < g.fw; kx++) {
            const ix = ox * sw - pl + kx * dw;
            if (iy < 0 || iy >= h || ix < 0 || ix >= w) {
              k += c;
              continue;
            }
            const base = ((b * h + iy) * w + ix) * c;
            for (let ci = 0; ci < c; ci++) out[k++] = x[base + ci]!;
          }
        }
      }
    }
  }
  return out;
}

/**
 * A convolution on the PE array: `im2col` then {@link gemm}. `op.ifmap` is the NHWC input
 * tensor (not the im2col matrix) and `op.filter` the HWIO filter (`K x N`). The result is NHWC
 * (`n x oh x ow x cout`), which is the GEMM's `M x N` OFMAP.
 */
export function conv2d(op: GemmOperands, shape: NhwcShape, g: ConvGeometry, array: ArrayShape): { readonly out: Float64Array; readonly dims: ConvDims } {
  const dims = convDims(shape, g);
  const cols = im2col(op.ifmap, shape, g);
  const lowered = { ...op, ifmap: cols } as GemmOperands;
  return { out: gemm(lowered, dims, array), dims };
}

// ---------------------------------------------------------------------------------------------
// LightPE weight quantisers

/**
 * The nearest LightPE-1 weight to `x`: `0` or `sign * 2^-m`, `m` in `[0, mMax]`. Magnitudes
 * above 1 clip to 1. Ties (x exactly between two representable values, e.g. 0.75 between 0.5
 * and 1, or `2^-(mMax+1)` between 0 and `2^-mMax`) go to the larger magnitude (round half away
 * from zero). Returns `{ sign, m }` (`sign` 0 for the zero weight, then `m` is 0).
 */
export function quantizeLightPe1(x: number, mMax: number): { readonly sign: -1 | 0 | 1; readonly m: number } {
  checkInt('mMax', mMax, 0, 15);
  if (Number.isNaN(x)) throw new RangeError('cannot quantise NaN');
  const a = Math.abs(x);
  const sign = x < 0 ? -1 : 1;
  for (let m = 0; m <= mMax; m++) {
    // Midpoint between 2^-m and the next candidate below (2^-(m+1), or 0 after mMax).
    const below = m === mMax ? 0 : 2 ** -(m + 1);
    if (a >= (2 ** -m + below) / 2) return { sign, m };
  }
  return { sign: 0, m: 0 };
}

interface Lpe2Entry {
  readonly v: number;
  readonly m1: number;
  readonly m2: number;
}

const lpe2Tables = new Map<number, readonly Lpe2Entry[]>();

/** Positive LightPE-2 magnitudes for `mMax`, ascending, one canonical code per value. */
function lpe2Table(mMax: number): readonly Lpe2Entry[] {
  const hit = lpe2Tables.get(mMax);
  if (hit) return hit;
  const byValue = new Map<number, Lpe2Entry>();
  // Single terms first, so a value that is both 2^-m and 2^-(m+1) + 2^-(m+1) keeps the one-term code.
  for (let m1 = 0; m1 <= mMax; m1++) byValue.set(2 ** -m1, { v: 2 ** -m1, m1, m2: NO_SHIFT });
  for (let m1 = 0; m1 <= mMax; m1++) {
    for (let m2 = m1; m2 <= mMax; m2++) {
      const v = 2 ** -m1 + 2 ** -m2;
      if (!byValue.has(v)) byValue.set(v, { v, m1, m2 });
    }
  }
  const t = [...byValue.values()].sort((p, q) => p.v - q.v);
  lpe2Tables.set(mMax, t);
  return t;
}

/**
 * The nearest LightPE-2 weight to `x`: `0` or `sign * (2^-m1 + b*2^-m2)` with
 * `0 <= m1 <= m2 <= mMax` (largest magnitude 2, smallest 2^-mMax). Magnitudes above 2 clip to
 * 2. Ties go to the larger magnitude. A value with two codes keeps the one-term code
 * (`m2 = NO_SHIFT`), e.g. 0.5 is `m1 = 1` rather than `m1 = m2 = 2`.
 */
export function quantizeLightPe2(x: number, mMax: number): { readonly sign: -1 | 0 | 1; readonly m1: number; readonly m2: number } {
  checkInt('mMax', mMax, 0, 15);
  if (Number.isNaN(x)) throw new RangeError('cannot quantise NaN');
  const t = lpe2Table(mMax);
  const a = Math.abs(x);
  const sign = x < 0 ? -1 : 1;
  // First entry with v >= a (binary search), then compare it with its lower neighbour (or 0).
  let lo = 0;
  let hi = t.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (t[mid]!.v < a) lo = mid + 1;
    else hi = mid;
  }
  if (lo === t.length) {
    const top = t[t.length - 1]!;
    return { sign, m1: top.m1, m2: top.m2 };
  }
  const up = t[lo]!;
  const downV = lo === 0 ? 0 : t[lo - 1]!.v;
  if (up.v - a <= a - downV) return { sign, m1: up.m1, m2: up.m2 };
  if (lo === 0) return { sign: 0, m1: 0, m2: NO_SHIFT };
  const down = t[lo - 1]!;
  return { sign, m1: down.m1, m2: down.m2 };
}

/**
 * Quantises real weights (already scaled so that 1 is the largest LightPE-1 magnitude) into
 * {@link LightWeights} with {@link quantizeLightPe1} / {@link quantizeLightPe2}.
 */
export function quantizeLightWeights(kind: 'lightpe1' | 'lightpe2', w: ArrayLike<number>, mMax: number): LightWeights {
  const n = w.length;
  const sign = new Int8Array(n);
  const m1 = new Uint8Array(n);
  const m2 = new Uint8Array(n).fill(NO_SHIFT);
  for (let i = 0; i < n; i++) {
    if (kind === 'lightpe1') {
      const q = quantizeLightPe1(w[i]!, mMax);
      sign[i] = q.sign;
      m1[i] = q.m;
    } else {
      const q = quantizeLightPe2(w[i]!, mMax);
      sign[i] = q.sign;
      m1[i] = q.m1;
      m2[i] = q.m2;
    }
  }
  return { kind, mMax, sign, m1, m2 };
}

/** The real value of LightPE weight `i`: `sign * (2^-m1 + (m2 gated ? 0 : 2^-m2))`. */
export function lightWeightValue(w: LightWeights, i: number): number {
  const s = w.sign[i]!;
  if (s === 0) return 0;
  const m2 = w.m2[i]!;
  return s * (2 ** -w.m1[i]! + (m2 === NO_SHIFT ? 0 : 2 ** -m2));
}

/** Operand widths in bits per PE type (activation, weight), for caps and energy scaling. LightPE weights: sign + shift code(s). */
export function operandBits(t: PeType, mMax = 7, actBits = 8): { readonly act: number; readonly weight: number } {
  const code = Math.ceil(Math.log2(mMax + 2)); // shifts 0..mMax plus one code for zero / gated
  switch (t) {
    case 'int8': return { act: 8, weight: 8 };
    case 'int16': return { act: 16, weight: 16 };
    case 'fp32': return { act: 32, weight: 32 };
    case 'lightpe1': return { act: actBits, weight: 1 + code };
    case 'lightpe2': return { act: actBits, weight: 1 + 2 * code };
  }
}
