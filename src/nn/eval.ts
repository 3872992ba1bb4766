/**
 * The functional reference evaluator: runs an imported {@link NnGraph} on inputs, with no
 * platform and no timing. It is the oracle for the compiler and the speed baseline.
 *
 * Arithmetic follows onnxruntime (CPU EP, MLAS kernels) wherever bits matter: integer
 * accumulation, float32 requantization rounded half to even, QuantizeLinear as a true float32
 * division, float32 element-wise ops (`Math.fround` after every operation), and the float32
 * summation orders of MLAS average pooling (see {@link averagePool}).
 */
import { SimError } from '../util/index.js';
import { type NnGraph, type NnNode, attrFloat, attrInt, attrInts, attrString, describeNode } from './graph.js';
import { QONNX_DOMAINS } from './ops.js';
import {
  type FixedPointMultiplier, type QonnxRounding, float32Multiplier, qonnxIntRange, quantizeMultiplier, requantFixedPoint, roundBy, roundHalfEven,
} from './quant.js';
import { type DType, type Tensor, type TensorData, INT_RANGE, ONNX_DTYPES, isFloat, sizeOf, stridesOf, zeros } from './tensor.js';

const f32 = Math.fround;

/** Options of the evaluator. */
export interface EvalOptions {
  /**
   * Requantization of QLinearConv / QLinearMatMul: `float32` (onnxruntime, default) or
   * `fixed-point` (TFLite/gemmlowp multiplier and shift; see `quant.ts` for where they differ).
   */
  readonly requant?: 'float32' | 'fixed-point';
}

/** A compiled evaluator for one graph: prepared weights are cached between runs. */
export interface Evaluator {
  /** Runs the graph; returns the graph outputs by name. */
  run(inputs: ReadonlyMap<string, Tensor>): Map<string, Tensor>;
  /** Runs the graph; returns every tensor (inputs, initializers used, all node outputs) by name. */
  runAll(inputs: ReadonlyMap<string, Tensor>): Map<string, Tensor>;
}

type Inputs = readonly (Tensor | undefined)[];

class Ctx {
  readonly cache = new Map<NnNode, unknown>();
  readonly graph: NnGraph;
  readonly opts: EvalOptions;
  constructor(graph: NnGraph, opts: EvalOptions) {
    this.graph = graph;
    this.opts = opts;
  }
  opset(domain = ''): number {
    return this.graph.opsets.get(domain) ?? 13;
  }
}

const fail = (n: NnNode, code: string, msg: string): never => {
  throw new SimError(code, `${describeNode(n)}: ${msg}`, { path: n.name });
};

function need(n: NnNode, ins: Inputs, i: number): Tensor {
  const t = ins[i];
  if (t === undefined) return fail(n, 'missing-input', `input ${i} ('${n.inputs[i] ?? ''}') is required`);
  return t;
}

/** Values of a tensor as float32 (the same array when it already is). */
function asF32(t: Tensor): Float32Array {
  if (t.data instanceof Float32Array) return t.data;
  const out = new Float32Array(t.data.length);
  out.set(t.data);
  return out;
}

const scalar = (t: Tensor | undefined, dflt: number): number => (t === undefined ? dflt : t.data[0] ?? dflt);

function checkDtype(n: NnNode, t: Tensor, allowed: readonly DType[], what: string): void {
  if (!allowed.includes(t.dtype)) fail(n, 'unsupported-dtype', `${what} has type ${t.dtype}; supported: ${allowed.join(', ')}`);
}

function satRange(n: NnNode, d: DType): readonly [number, number] {
  const r = INT_RANGE[d];
  if (r === undefined) return fail(n, 'unsupported-dtype', `${d} is not an integer type`);
  return r;
}

// ---------------------------------------------------------------- broadcasting element-wise ops

function broadcastShape(n: NnNode, shapes: readonly (readonly number[])[]): number[] {
  const rank = Math.max(...shapes.map((s) => s.length));
  const out = new Array<number>(rank).fill(1);
  for (const s of shapes) {
    for (let i = 0; i < s.length; i++) {
      const o = rank - s.length + i;
      const d = s[i]!;
      if (out[o] === 1) out[o] = d;
      else if (d !== 1 && d !== out[o]) fail(n, 'shape-mismatch', `shapes ${shapes.map((x) => `[${x.join(',')}]`).join(' and ')} do not broadcast`);
    }
  }
  return out;
}

/** For each output element, the index into a tensor of shape `s` broadcast to `out`. */
function broadcastIndex(s: readonly number[], out: readonly number[]): Int32Array | undefined {
  if (s.length === out.length && s.every((d, i) => d === out[i])) return undefined; // identity
  const rank = out.length;
  const st = stridesOf(s);
  const eff = new Array<number>(rank).fill(0);
  for (let i = 0; i < s.length; i++) eff[rank - s.length + i] = s[i] === 1 ? 0 : st[i]!;
  return stridedOffsets(out, eff);
}

/**
 * The element offset, in a source tensor, of each element of an output of shape `out` walked in
 * row-major order, where a step along output dimension d moves `eff[d]` source elements
 * (0 for a broadcast dimension, a permuted stride for a transpose).
 */
function stridedOffsets(out: readonly number[], eff: readonly number[]): Int32Array {
  const rank = out.length;
  const idx = new Int32Array(sizeOf(out));
  const ctr = new Array<number>(rank).fill(0);
  let off = 0;
  for (let k = 0; k < idx.length; k++) {
    idx[k] = off;
    for (let d = rank - 1; d >= 0; d--) {
      ctr[d]!++;
      off += eff[d]!;
      if (ctr[d]! < out[d]!) break;
      off -= eff[d]! * out[d]!;
      ctr[d] = 0;
    }
  }
  return idx;
}

type BinOp = 'Add' | 'Sub' | 'Mul' | 'Div' | 'Pow' | 'Min' | 'Max';

function binary(n: NnNode, op: BinOp, a: Tensor, b: Tensor): Tensor {
  if (a.dtype !== b.dtype && !(isFloat(a.dtype) && op === 'Pow')) fail(n, 'unsupported-dtype', `operand types differ (${a.dtype}, ${b.dtype})`);
  const shape = broadcastShape(n, [a.shape, b.shape]);
  const out = zeros(a.dtype, shape);
  const ia = broadcastIndex(a.shape, shape);
  const ib = broadcastIndex(b.shape, shape);
  const A = a.data;
  const B = b.data;
  const O = out.data;
  const len = O.length;
  const fl = a.dtype === 'float32';
  const intDiv = !isFloat(a.dtype);
  for (let k = 0; k < len; k++) {
    const x = A[ia === undefined ? k : ia[k]!]!;
    const y = B[ib === undefined ? k : ib[k]!]!;
    let v: number;
    switch (op) {
      case 'Add': v = x + y; break;
      case 'Sub': v = x - y; break;
      case 'Mul': v = x * y; break;
      case 'Div': v = intDiv ? Math.trunc(x / y) : x / y; break;
      case 'Pow': v = Math.pow(x, y); break;
      case 'Min': v = x < y ? x : y; break;
      case 'Max': v = x > y ? x : y; break;
    }
    O[k] = fl ? f32(v) : v;
  }
  return out;
}

function unary(t: Tensor, f: (x: number) => number): Tensor {
  const out = zeros(t.dtype, t.shape);
  const I = t.data;
  const O = out.data;
  for (let k = 0; k < I.length; k++) O[k] = f(I[k]!);
  return out;
}

// ---------------------------------------------------------------- quantize / dequantize

/** Per-axis parameter lookup: element k uses parameter `(k / inner) % count`, or 0 when per-tensor. */
function axisLayout(n: NnNode, x: Tensor, param: Tensor, axisAttr: number): { inner: number; count: number } {
  const count = param.data.length;
  if (param.shape.length === 0 || count === 1) return { inner: 1, count: 1 };
  if (param.shape.length !== 1) return fail(n, 'unsupported-attribute-value', `blocked quantization (parameter shape [${param.shape.join(',')}]) is not supported`);
  const axis = axisAttr < 0 ? axisAttr + x.shape.length : axisAttr;
  if (x.shape[axis] !== count) fail(n, 'shape-mismatch', `${count} per-axis parameters for axis ${axisAttr} of shape [${x.shape.join(',')}]`);
  return { inner: sizeOf(x.shape.slice(axis + 1)), count };
}

function quantizeLinear(n: NnNode, x: Tensor, scale: Tensor, zp: Tensor | undefined): Tensor {
  const outType: DType = zp?.dtype ?? 'uint8';
  checkDtype(n, x, ['float32', 'int32'], 'input x');
  const [lo, hi] = satRange(n, outType);
  const { inner, count } = axisLayout(n, x, scale, attrInt(n, 'axis', 1));
  const out = zeros(outType, x.shape);
  const X = x.data;
  const S = scale.data;
  const Z = zp?.data;
  const O = out.data;
  for (let k = 0; k < X.length; k++) {
    const c = count === 1 ? 0 : Math.floor(k / inner) % count;
    let v = roundHalfEven(f32(X[k]! / S[c]!)) + (Z === undefined ? 0 : Z[c]!);
    v = v < lo ? lo : v > hi ? hi : v;
    O[k] = v;
  }
  return out;
}

function dequantizeLinear(n: NnNode, x: Tensor, scale: Tensor, zp: Tensor | undefined): Tensor {
  checkDtype(n, x, ['int8', 'uint8', 'int16', 'uint16', 'int32'], 'input x');
  const { inner, count } = axisLayout(n, x, scale, attrInt(n, 'axis', 1));
  const out = zeros('float32', x.shape);
  const X = x.data;
  const S = scale.data;
  const Z = zp?.data;
  const O = out.data;
  for (let k = 0; k < X.length; k++) {
    const c = count === 1 ? 0 : Math.floor(k / inner) % count;
    O[k] = f32(f32(X[k]! - (Z === undefined ? 0 : Z[c]!)) * S[c]!);
  }
  return out;
}

function dynamicQuantizeLinear(n: NnNode, x: Tensor): Tensor[] {
  checkDtype(n, x, ['float32'], 'input x');
  let mn = 0;
  let mx = 0;
  for (const v of x.data) {
    if (v < mn) mn = v;
    if (v > mx) mx = v;
  }
  const scale = mx === mn ? 1 : f32(f32(mx - mn) / 255);
  const zpf = f32(0 - f32(mn / scale));
  const zp = roundHalfEven(Math.max(0, Math.min(255, zpf)));
  const s = { dtype: 'float32', shape: [], data: new Float32Array([scale]) } as const;
  const z = { dtype: 'uint8', shape: [], data: new Uint8Array([zp]) } as const;
  return [quantizeLinear(n, x, s, z), s, z];
}

// ---------------------------------------------------------------- convolution

interface ConvGeom {
  N: number; C: number; H: number; W: number; M: number; kh: number; kw: number; group: number;
  pt: number; pl: number; pb: number; pr: number; sh: number; sw: number; dh: number; dw: number; OH: number; OW: number;
}

/**
 * Pads and output size for one spatial axis, including auto_pad: `[begin, end, out]` for an
 * input of `size`, kernel `k`, stride `s`, dilation `d` and explicit pads `b`, `e`.
 */
export function padAxis(autoPad: string, size: number, k: number, s: number, d: number, b: number, e: number, ceil = false): [number, number, number] {
  const ek = (k - 1) * d + 1;
  if (autoPad === 'VALID') return [0, 0, Math.floor((size - ek) / s) + 1];
  if (autoPad === 'SAME_UPPER' || autoPad === 'SAME_LOWER') {
    const out = Math.ceil(size / s);
    const total = Math.max(0, (out - 1) * s + ek - size);
    const small = Math.floor(total / 2);
    return autoPad === 'SAME_UPPER' ? [small, total - small, out] : [total - small, small, out];
  }
  const span = size + b + e - ek;
  return [b, e, (ceil ? Math.ceil(span / s) : Math.floor(span / s)) + 1];
}

function convGeometry(n: NnNode, x: Tensor, w: Tensor): ConvGeom {
  if (x.shape.length !== 4 || w.shape.length !== 4) fail(n, 'unsupported-shape', `only 2-D convolution (4-D input and weight) is supported; input [${x.shape.join(',')}], weight [${w.shape.join(',')}]`);
  const [N, C, H, W] = x.shape as [number, number, number, number];
  const [M, Cg, kh, kw] = w.shape as [number, number, number, number];
  const group = attrInt(n, 'group', 1);
  if (Cg * group !== C || M % group !== 0) fail(n, 'shape-mismatch', `weight [${w.shape.join(',')}] with group ${group} does not fit input channels ${C}`);
  const ks = attrInts(n, 'kernel_shape');
  if (ks !== undefined && (ks[0] !== kh || ks[1] !== kw)) fail(n, 'shape-mismatch', `kernel_shape [${ks.join(',')}] differs from the weight's [${kh},${kw}]`);
  const [sh, sw] = (attrInts(n, 'strides') ?? [1, 1]) as [number, number];
  const [dh, dw] = (attrInts(n, 'dilations') ?? [1, 1]) as [number, number];
  const pads = attrInts(n, 'pads') ?? [0, 0, 0, 0];
  const ap = attrString(n, 'auto_pad', 'NOTSET');
  const [pt, pb, OH] = padAxis(ap, H, kh, sh, dh, pads[0]!, pads[2]!);
  const [pl, pr, OW] = padAxis(ap, W, kw, sw, dw, pads[1]!, pads[3]!);
  if (OH <= 0 || OW <= 0) fail(n, 'shape-mismatch', `the output would be empty (${OH}x${OW})`);
  return { N, C, H, W, M, kh, kw, group, pt, pl, pb, pr, sh, sw, dh, dw, OH, OW };
}

/** Copies one image (C x H x W) minus `zp` into a zero-padded buffer. */
function padImage<A extends Int32Array | Float32Array>(dst: A, src: TensorData, off: number, g: ConvGeom, zp: Int32Array | undefined): void {
  const PH = g.H + g.pt + g.pb;
  const PW = g.W + g.pl + g.pr;
  for (let c = 0; c < g.C; c++) {
    const z = zp === undefined ? 0 : zp.length === 1 ? zp[0]! : zp[c]!;
    for (let h = 0; h < g.H; h++) {
      const d = c * PH * PW + (h + g.pt) * PW + g.pl;
      const s = off + (c * g.H + h) * g.W;
      for (let w = 0; w < g.W; w++) dst[d + w] = src[s + w]! - z;
    }
  }
}

/**
 * Integer convolution of one padded image: `out[m][p] += sum_k w[m][k] * cols[p][k]` after an
 * im2col of each group, four output channels per pass with the sums in locals (monomorphic int32
 * typed arrays keep V8 on its integer fast path; sums are exact int32 for 8-bit operands).
 */
function convCoreInt(out: Int32Array, outOff: number, xp: Int32Array, w: Float64Array, g: ConvGeom, cols: Float64Array): void {
  const PH = g.H + g.pt + g.pb;
  const PW = g.W + g.pl + g.pr;
  const Cg = g.C / g.group;
  const Mg = g.M / g.group;
  const { OH, OW, sh, sw, dh, dw, kh, kw } = g;
  const P = OH * OW;
  const K = Cg * kh * kw;
  for (let grp = 0; grp < g.group; grp++) {
    // im2col: one contiguous row of K inputs per output pixel.
    for (let c = 0; c < Cg; c++) {
      const cb = (grp * Cg + c) * PH * PW;
      for (let i = 0; i < kh; i++) {
        for (let j = 0; j < kw; j++) {
          const k = (c * kh + i) * kw + j;
          for (let oh = 0; oh < OH; oh++) {
            const rb = cb + (oh * sh + i * dh) * PW + j * dw;
            const pb = oh * OW;
            for (let ow = 0; ow < OW; ow++) cols[(pb + ow) * K + k] = xp[rb + ow * sw]!;
          }
        }
      }
    }
    // Four output channels at a time, the sums held in locals.
    const m0 = grp * Mg;
    let m = m0;
    for (; m + 4 <= m0 + Mg; m += 4) {
      const w0 = m * K;
      const w1 = w0 + K;
      const w2 = w1 + K;
      const w3 = w2 + K;
      const o0 = outOff + m * P;
      for (let p = 0; p < P; p++) {
        let s0 = out[o0 + p]!;
        let s1 = out[o0 + P + p]!;
        let s2 = out[o0 + 2 * P + p]!;
        let s3 = out[o0 + 3 * P + p]!;
        const cb = p * K;
        for (let k = 0; k < K; k++) {
          const x = cols[cb + k]!;
          s0 += w[w0 + k]! * x;
          s1 += w[w1 + k]! * x;
          s2 += w[w2 + k]! * x;
          s3 += w[w3 + k]! * x;
        }
        out[o0 + p] = s0;
        out[o0 + P + p] = s1;
        out[o0 + 2 * P + p] = s2;
        out[o0 + 3 * P + p] = s3;
      }
    }
    for (; m < m0 + Mg; m++) {
      const wb = m * K;
      const ob = outOff + m * P;
      for (let p = 0; p < P; p++) {
        let s0 = out[ob + p]!;
        const cb = p * K;
        for (let k = 0; k < K; k++) s0 += w[wb + k]! * cols[cb + k]!;
        out[ob + p] = s0;
      }
    }
  }
}

/** The float version of {@link convCoreInt} (accumulates in double; the caller rounds to float32). */
function convCoreFloat(out: Float64Array, outOff: number, xp: Float32Array, w: Float32Array, g: ConvGeom): void {
  const PH = g.H + g.pt + g.pb;
  const PW = g.W + g.pl + g.pr;
  const Cg = g.C / g.group;
  const Mg = g.M / g.group;
  const { OH, OW, sh, sw, dh, dw, kh, kw } = g;
  const plane = OH * OW;
  for (let m = 0; m < g.M; m++) {
    const grp = Math.floor(m / Mg);
    const o0 = outOff + m * plane;
    for (let c = 0; c < Cg; c++) {
      const cin = grp * Cg + c;
      for (let i = 0; i < kh; i++) {
        for (let j = 0; j < kw; j++) {
          const wv = w[((m * Cg + c) * kh + i) * kw + j]!;
          if (wv === 0) continue;
          const base = cin * PH * PW + i * dh * PW + j * dw;
          for (let oh = 0; oh < OH; oh++) {
            const rb = base + oh * sh * PW;
            const ob = o0 + oh * OW;
            if (sw === 1) {
              for (let ow = 0; ow < OW; ow++) out[ob + ow] = out[ob + ow]! + wv * xp[rb + ow]!;
            } else {
              for (let ow = 0; ow < OW; ow++) out[ob + ow] = out[ob + ow]! + wv * xp[rb + ow * sw]!;
            }
          }
        }
      }
    }
  }
}

/** Weights minus their zero point (per tensor or per output channel) as int32. */
function centeredWeights(w: Tensor, zp: Tensor | undefined): Float64Array {
  const M = w.shape[0]!;
  const per = w.data.length / M;
  const out = new Float64Array(w.data.length);
  for (let m = 0; m < M; m++) {
    const z = zp === undefined ? 0 : zp.data.length === 1 ? zp.data[0]! : zp.data[m]!;
    for (let k = 0; k < per; k++) out[m * per + k] = w.data[m * per + k]! - z;
  }
  return out;
}

function intConv(n: NnNode, ctx: Ctx, x: Tensor, w: Tensor, xzp: Tensor | undefined, wzp: Tensor | undefined, bias: Tensor | undefined): { acc: Int32Array; g: ConvGeom } {
  checkDtype(n, x, ['int8', 'uint8'], 'input x');
  checkDtype(n, w, ['int8', 'uint8'], 'weight w');
  const g = convGeometry(n, x, w);
  let wc = ctx.cache.get(n) as Float64Array | undefined;
  if (wc === undefined || !ctx.graph.initializers.has(n.inputs[n.opType === 'QLinearConv' ? 3 : 1] ?? '')) {
    wc = centeredWeights(w, wzp);
    ctx.cache.set(n, wc);
  }
  const xz = xzp === undefined ? undefined : Int32Array.from(xzp.data);
  if (xz !== undefined && xz.length !== 1) fail(n, 'unsupported-attribute-value', 'the input zero point must be per-tensor');
  const plane = g.OH * g.OW;
  const acc = new Int32Array(g.N * g.M * plane);
  const xp = new Int32Array(g.C * (g.H + g.pt + g.pb) * (g.W + g.pl + g.pr));
  const cols = new Float64Array(g.OH * g.OW * (g.C / g.group) * g.kh * g.kw);
  for (let b = 0; b < g.N; b++) {
    if (b > 0) xp.fill(0);
    padImage(xp, x.data, b * g.C * g.H * g.W, g, xz);
    if (bias !== undefined) {
      for (let m = 0; m < g.M; m++) acc.fill(bias.data[m]!, (b * g.M + m) * plane, (b * g.M + m + 1) * plane);
    }
    convCoreInt(acc, b * g.M * plane, xp, wc, g, cols);
  }
  return { acc, g };
}

/** Per-channel requantization multipliers (float32 or fixed point) of a QLinear op. */
function requantize(n: NnNode, ctx: Ctx, acc: Int32Array, channels: number, inner: number, xs: Tensor, ws: Tensor, ys: Tensor, yzp: Tensor | undefined, outShape: number[], perLast: boolean): Tensor {
  const outType: DType = yzp?.dtype ?? 'uint8';
  const [lo, hi] = satRange(n, outType);
  const out = zeros(outType, outShape);
  const O = out.data;
  const zp = scalar(yzp, 0);
  const xsv = scalar(xs, 1);
  const ysv = scalar(ys, 1);
  const mult = new Float32Array(channels);
  for (let c = 0; c < channels; c++) mult[c] = float32Multiplier(xsv, ws.data.length === 1 ? ws.data[0]! : ws.data[c]!, ysv);
  if (ctx.opts.requant === 'fixed-point') {
    const fp: FixedPointMultiplier[] = [];
    for (let c = 0; c < channels; c++) fp.push(quantizeMultiplier((xsv * (ws.data.length === 1 ? ws.data[0]! : ws.data[c]!)) / ysv));
    for (let k = 0; k < acc.length; k++) {
      const c = perLast ? k % channels : Math.floor(k / inner) % channels;
      O[k] = requantFixedPoint(acc[k]!, fp[c]!, zp, lo, hi);
    }
    return out;
  }
  const step = perLast ? 1 : inner;
  for (let k0 = 0; k0 < acc.length; k0 += step) {
    const c = perLast ? k0 % channels : Math.floor(k0 / inner) % channels;
    const mc = mult[c]!;
    for (let k = k0; k < k0 + step; k++) {
      const v = f32(f32(acc[k]!) * mc); // float(acc) first, as onnxruntime (exact only while |acc| <= 2^24)
      // round half to even, inlined
      let r = Math.round(v);
      if (r - v === 0.5 && (r & 1) !== 0) r -= 1;
      r += zp;
      O[k] = r < lo ? lo : r > hi ? hi : r;
    }
  }
  return out;
}

function floatConv(n: NnNode, x: Tensor, w: Tensor, bias: Tensor | undefined): Tensor {
  checkDtype(n, x, ['float32'], 'input x');
  checkDtype(n, w, ['float32'], 'weight w');
  const g = convGeometry(n, x, w);
  const plane = g.OH * g.OW;
  const acc = new Float64Array(g.N * g.M * plane);
  const xp = new Float32Array(g.C * (g.H + g.pt + g.pb) * (g.W + g.pl + g.pr));
  for (let b = 0; b < g.N; b++) {
    if (b > 0) xp.fill(0);
    padImage(xp, x.data, b * g.C * g.H * g.W, g, undefined);
    convCoreFloat(acc, b * g.M * plane, xp, asF32(w), g);
  }
  const out = zeros('float32', [g.N, g.M, g.OH, g.OW]);
  for (let k = 0; k < acc.length; k++) {
    const m = Math.floor(k / plane) % g.M;
    out.data[k] = bias === undefined ? f32(acc[k]!) : f32(f32(acc[k]!) + bias.data[m]!);
  }
  return out;
}

// ---------------------------------------------------------------- matmul

interface MatGeom { batch: number[]; M: number; K: number; N: number; ia: Int32Array | undefined; ib: Int32Array | undefined; outShape: number[] }

/** numpy matmul shapes: batch broadcasting, 1-D promotion. `ia`/`ib` map output batches to operand batches. */
function matGeometry(n: NnNode, a: Tensor, b: Tensor): MatGeom {
  const as = a.shape.length === 1 ? [1, a.shape[0]!] : [...a.shape];
  const bs = b.shape.length === 1 ? [b.shape[0]!, 1] : [...b.shape];
  if (as.length < 2 || bs.length < 2) fail(n, 'unsupported-shape', 'scalar operands are not supported');
  const M = as[as.length - 2]!;
  const K = as[as.length - 1]!;
  const N = bs[bs.length - 1]!;
  if (bs[bs.length - 2] !== K) fail(n, 'shape-mismatch', `inner dimensions differ: [${a.shape.join(',')}] x [${b.shape.join(',')}]`);
  const ab = as.slice(0, -2);
  const bb = bs.slice(0, -2);
  const batch = broadcastShape(n, [ab, bb]);
  const outShape = [...batch, ...(a.shape.length === 1 ? [] : [M]), ...(b.shape.length === 1 ? [] : [N])];
  return { batch, M, K, N, ia: broadcastIndex(ab, batch), ib: broadcastIndex(bb, batch), outShape };
}

function intMatMul(n: NnNode, a: Tensor, b: Tensor, azp: Tensor | undefined, bzp: Tensor | undefined): { acc: Int32Array; g: MatGeom } {
  checkDtype(n, a, ['int8', 'uint8'], 'input A');
  checkDtype(n, b, ['int8', 'uint8'], 'input B');
  const g = matGeometry(n, a, b);
  const { M, K, N } = g;
  const nb = sizeOf(g.batch);
  const acc = new Int32Array(nb * M * N);
  const A = a.data;
  const B = b.data;
  const az = azp?.data;
  const bz = bzp?.data;
  const row = new Int32Array(K);
  for (let p = 0; p < nb; p++) {
    const aOff = (g.ia === undefined ? p : g.ia[p]!) * M * K;
    const bOff = (g.ib === undefined ? p : g.ib[p]!) * K * N;
    for (let i = 0; i < M; i++) {
      const za = az === undefined ? 0 : az.length === 1 ? az[0]! : az[i]!;
      for (let k = 0; k < K; k++) row[k] = A[aOff + i * K + k]! - za;
      const o = (p * M + i) * N;
      for (let j = 0; j < N; j++) {
        const zb = bz === undefined ? 0 : bz.length === 1 ? bz[0]! : bz[j]!;
        let s = 0;
        for (let k = 0; k < K; k++) s += row[k]! * (B[bOff + k * N + j]! - zb);
        acc[o + j] = s;
      }
    }
  }
  return { acc, g };
}

/** float32 matmul, each output summed in float32 over k in increasing order. */
function floatMatMul(n: NnNode, a: Tensor, b: Tensor): Tensor {
  checkDtype(n, a, ['float32'], 'input A');
  checkDtype(n, b, ['float32'], 'input B');
  const g = matGeometry(n, a, b);
  const { M, K, N } = g;
  const nb = sizeOf(g.batch);
  const out = zeros('float32', g.outShape);
  const A = a.data;
  const B = b.data;
  const O = out.data;
  for (let p = 0; p < nb; p++) {
    const aOff = (g.ia === undefined ? p : g.ia[p]!) * M * K;
    const bOff = (g.ib === undefined ? p : g.ib[p]!) * K * N;
    for (let i = 0; i < M; i++) {
      for (let j = 0; j < N; j++) {
        let s = 0;
        for (let k = 0; k < K; k++) s = f32(s + f32(A[aOff + i * K + k]! * B[bOff + k * N + j]!));
        O[(p * M + i) * N + j] = s;
      }
    }
  }
  return out;
}

function gemm(n: NnNode, a: Tensor, b: Tensor, c: Tensor | undefined): Tensor {
  checkDtype(n, a, ['float32'], 'input A');
  checkDtype(n, b, ['float32'], 'input B');
  if (a.shape.length !== 2 || b.shape.length !== 2) fail(n, 'unsupported-shape', 'Gemm needs 2-D A and B');
  const ta = attrInt(n, 'transA', 0) !== 0;
  const tb = attrInt(n, 'transB', 0) !== 0;
  const alpha = f32(attrFloat(n, 'alpha', 1));
  const beta = f32(attrFloat(n, 'beta', 1));
  const M = ta ? a.shape[1]! : a.shape[0]!;
  const K = ta ? a.shape[0]! : a.shape[1]!;
  const N = tb ? b.shape[0]! : b.shape[1]!;
  if ((tb ? b.shape[1] : b.shape[0]) !== K) fail(n, 'shape-mismatch', `inner dimensions differ: [${a.shape.join(',')}] x [${b.shape.join(',')}]`);
  const out = zeros('float32', [M, N]);
  const ci = c === undefined ? undefined : broadcastIndex(c.shape, [M, N]);
  for (let i = 0; i < M; i++) {
    for (let j = 0; j < N; j++) {
      let s = 0;
      for (let k = 0; k < K; k++) s = f32(s + f32(a.data[ta ? k * M + i : i * K + k]! * b.data[tb ? j * K + k : k * N + j]!));
      let v = f32(alpha * s);
      if (c !== undefined) v = f32(v + f32(beta * c.data[ci === undefined ? i * N + j : ci[i * N + j]!]!));
      out.data[i * N + j] = v;
    }
  }
  return out;
}

// ---------------------------------------------------------------- pooling

/**
 * AveragePool and GlobalAveragePool in onnxruntime's MLAS float32 summation order, so that
 * exact .5 ties after a following QuantizeLinear round as onnxruntime's do:
 *
 * - GlobalAveragePool: four float32 lane accumulators over the H*W elements in chunks of 4,
 *   reduced `(l0 + l2) + (l1 + l3)`, then the tail elements one by one, divided by `float(H*W)`
 *   (as described in the models README; no onnxruntime reference covers it yet);
 * - AveragePool with stride_w <= 2 and kernel_w <= 32 (MLAS's vector kernel): per output, column
 *   sums over the window's rows top to bottom, added left to right (padding columns add +0.0f);
 * - any other AveragePool (MLAS's generic kernel): the window row by row, left to right, in one
 *   float32 accumulator. This includes a window covering the whole input (ResNet-8's 8x8 pool
 *   with stride 8), which onnxruntime does NOT route to the global kernel: checked against its
 *   intermediates, the sequential sum matches all 128 channels of samples 0 and 1 and the
 *   four-lane order misses 61 of them.
 *
 * The divisor is the number of valid elements (count_include_pad = 0) or kh * kw.
 */
function averagePool(n: NnNode, x: Tensor, global: boolean): Tensor {
  checkDtype(n, x, ['float32'], 'input x');
  if (x.shape.length !== 4) fail(n, 'unsupported-shape', `only 2-D pooling (4-D input) is supported; input [${x.shape.join(',')}]`);
  const [N, C, H, W] = x.shape as [number, number, number, number];
  const X = x.data;
  if (global) {
    const out = zeros('float32', [N, C, 1, 1]);
    for (let p = 0; p < N * C; p++) out.data[p] = globalMean(X, p * H * W, H * W);
    return out;
  }
  const g = poolGeometry(n, H, W);
  const includePad = attrInt(n, 'count_include_pad', 0) !== 0;
  const out = zeros('float32', [N, C, g.OH, g.OW]);
  const O = out.data;
  const vector = g.sw <= 2 && g.kw <= 32;
  const col = new Float32Array(g.kw);
  for (let p = 0; p < N * C; p++) {
    const xb = p * H * W;
    for (let oh = 0; oh < g.OH; oh++) {
      const h0 = oh * g.sh - g.pt;
      const hs = Math.max(h0, 0);
      const he = Math.min(h0 + g.kh, H);
      for (let ow = 0; ow < g.OW; ow++) {
        const w0 = ow * g.sw - g.pl;
        const ws = Math.max(w0, 0);
        const we = Math.min(w0 + g.kw, W);
        const count = includePad ? g.kh * g.kw : (he - hs) * (we - ws);
        let sum = 0;
        if (vector) {
          for (let j = 0; j < g.kw; j++) {
            const w = w0 + j;
            let s = 0;
            if (w >= 0 && w < W) for (let h = hs; h < he; h++) s = f32(s + X[xb + h * W + w]!);
            col[j] = s;
          }
          for (let j = 0; j < g.kw; j++) sum = f32(sum + col[j]!);
        } else {
          for (let h = hs; h < he; h++) for (let w = ws; w < we; w++) sum = f32(sum + X[xb + h * W + w]!);
        }
        O[(p * g.OH + oh) * g.OW + ow] = f32(sum / count);
      }
    }
  }
  return out;
}

function globalSum(X: TensorData, off: number, len: number): number {
  let l0 = 0, l1 = 0, l2 = 0, l3 = 0;
  const body = len - (len % 4);
  for (let i = 0; i < body; i += 4) {
    l0 = f32(l0 + X[off + i]!);
    l1 = f32(l1 + X[off + i + 1]!);
    l2 = f32(l2 + X[off + i + 2]!);
    l3 = f32(l3 + X[off + i + 3]!);
  }
  let s = f32(f32(l0 + l2) + f32(l1 + l3));
  for (let i = body; i < len; i++) s = f32(s + X[off + i]!);
  return s;
}

const globalMean = (X: TensorData, off: number, len: number): number => f32(globalSum(X, off, len) / len);

interface PoolGeom { kh: number; kw: number; sh: number; sw: number; dh: number; dw: number; pt: number; pl: number; pb: number; pr: number; OH: number; OW: number }

function poolGeometry(n: NnNode, H: number, W: number): PoolGeom {
  const ks = attrInts(n, 'kernel_shape');
  if (ks?.length !== 2) return fail(n, 'unsupported-attribute-value', 'kernel_shape must have 2 entries (2-D pooling)');
  const [kh, kw] = ks as [number, number];
  const [sh, sw] = (attrInts(n, 'strides') ?? [1, 1]) as [number, number];
  const [dh, dw] = (attrInts(n, 'dilations') ?? [1, 1]) as [number, number];
  const pads = attrInts(n, 'pads') ?? [0, 0, 0, 0];
  const ap = attrString(n, 'auto_pad', 'NOTSET');
  const ceil = attrInt(n, 'ceil_mode', 0) !== 0;
  const [pt, pb, OH] = padAxis(ap, H, kh, sh, dh, pads[0]!, pads[2]!, ceil);
  const [pl, pr, OW] = padAxis(ap, W, kw, sw, dw, pads[1]!, pads[3]!, ceil);
  if ((dh !== 1 || dw !== 1) && n.opType === 'AveragePool') fail(n, 'unsupported-attribute-value', 'dilated average pooling is not supported');
  return { kh, kw, sh, sw, dh, dw, pt, pl, pb, pr, OH, OW };
}

function maxPool(n: NnNode, x: Tensor): Tensor {
  if (n.outputs.length > 1 && n.outputs[1] !== '') fail(n, 'unsupported-attribute-value', 'the Indices output of MaxPool is not supported');
  if (x.shape.length !== 4) fail(n, 'unsupported-shape', `only 2-D pooling (4-D input) is supported; input [${x.shape.join(',')}]`);
  const [N, C, H, W] = x.shape as [number, number, number, number];
  const g = poolGeometry(n, H, W);
  const out = zeros(x.dtype, [N, C, g.OH, g.OW]);
  const X = x.data;
  for (let p = 0; p < N * C; p++) {
    for (let oh = 0; oh < g.OH; oh++) {
      for (let ow = 0; ow < g.OW; ow++) {
        let m = -Infinity;
        for (let i = 0; i < g.kh; i++) {
          const h = oh * g.sh - g.pt + i * g.dh;
          if (h < 0 || h >= H) continue;
          for (let j = 0; j < g.kw; j++) {
            const w = ow * g.sw - g.pl + j * g.dw;
            if (w < 0 || w >= W) continue;
            const v = X[(p * H + h) * W + w]!;
            if (v > m) m = v;
          }
        }
        out.data[(p * g.OH + oh) * g.OW + ow] = m;
      }
    }
  }
  return out;
}

// ---------------------------------------------------------------- shape ops

const normAxis = (n: NnNode, axis: number, rank: number): number => {
  const a = axis < 0 ? axis + rank : axis;
  if (a < 0 || a >= rank) fail(n, 'bad-axis', `axis ${axis} is out of range for rank ${rank}`);
  return a;
};

const withShape = (t: Tensor, shape: readonly number[]): Tensor => ({ dtype: t.dtype, shape: [...shape], data: t.data });

function reshape(n: NnNode, x: Tensor, s: Tensor): Tensor {
  const allowZero = attrInt(n, 'allowzero', 0) !== 0;
  const shape = Array.from(s.data, (d, i) => (d === 0 && !allowZero ? x.shape[i] ?? 0 : d));
  const known = shape.reduce((p, d) => (d === -1 ? p : p * d), 1);
  const inferred = shape.indexOf(-1);
  if (inferred >= 0) shape[inferred] = known === 0 ? 0 : x.data.length / known;
  if (sizeOf(shape) !== x.data.length || shape.some((d) => !Number.isInteger(d) || d < 0)) fail(n, 'shape-mismatch', `cannot reshape [${x.shape.join(',')}] to [${Array.from(s.data).join(',')}]`);
  return withShape(x, shape);
}

function transpose(n: NnNode, x: Tensor): Tensor {
  const rank = x.shape.length;
  const perm = attrInts(n, 'perm') ?? Array.from({ length: rank }, (_, i) => rank - 1 - i);
  if (perm.length !== rank) fail(n, 'bad-axis', `perm [${perm.join(',')}] does not match rank ${rank}`);
  const shape = perm.map((p) => x.shape[p]!);
  const out = zeros(x.dtype, shape);
  const st = stridesOf(x.shape);
  const pst = perm.map((p) => st[p]!);
  const idx = stridedOffsets(shape, pst);
  for (let k = 0; k < idx.length; k++) out.data[k] = x.data[idx[k]!]!;
  return out;
}

function axesOf(n: NnNode, ctx: Ctx, ins: Inputs, inputIndex: number): number[] | undefined {
  const t = ins[inputIndex];
  if (t !== undefined) return Array.from(t.data);
  const a = attrInts(n, 'axes');
  return a === undefined ? undefined : [...a];
}

function concat(n: NnNode, ins: Inputs): Tensor {
  const ts = ins.filter((t): t is Tensor => t !== undefined);
  const first = ts[0] ?? fail(n, 'missing-input', 'Concat needs at least one input');
  const rank = first.shape.length;
  const axis = normAxis(n, attrInt(n, 'axis', 0), rank);
  const shape = [...first.shape];
  shape[axis] = 0;
  for (const t of ts) {
    if (t.dtype !== first.dtype || t.shape.length !== rank || t.shape.some((d, i) => i !== axis && d !== first.shape[i])) fail(n, 'shape-mismatch', `inputs [${ts.map((u) => u.shape.join(',')).join('] [')}] do not concatenate on axis ${axis}`);
    shape[axis]! += t.shape[axis]!;
  }
  const out = zeros(first.dtype, shape);
  const outer = sizeOf(shape.slice(0, axis));
  const inner = sizeOf(shape.slice(axis + 1));
  let o = 0;
  for (let p = 0; p < outer; p++) {
    for (const t of ts) {
      const len = t.shape[axis]! * inner;
      out.data.set(t.data.subarray(p * len, (p + 1) * len), o);
      o += len;
    }
  }
  return out;
}

function gather(n: NnNode, x: Tensor, idx: Tensor): Tensor {
  const axis = normAxis(n, attrInt(n, 'axis', 0), x.shape.length);
  const outer = sizeOf(x.shape.slice(0, axis));
  const inner = sizeOf(x.shape.slice(axis + 1));
  const dim = x.shape[axis]!;
  const shape = [...x.shape.slice(0, axis), ...idx.shape, ...x.shape.slice(axis + 1)];
  const out = zeros(x.dtype, shape);
  let o = 0;
  for (let p = 0; p < outer; p++) {
    for (const iv of idx.data) {
      const i = iv < 0 ? iv + dim : iv;
      if (i < 0 || i >= dim) fail(n, 'bad-index', `index ${iv} is out of range for dimension ${dim}`);
      out.data.set(x.data.subarray((p * dim + i) * inner, (p * dim + i + 1) * inner), o);
      o += inner;
    }
  }
  return out;
}

function reduce(n: NnNode, ctx: Ctx, ins: Inputs, isMax: boolean): Tensor {
  const x = need(n, ins, 0);
  const rank = x.shape.length;
  const keep = attrInt(n, 'keepdims', 1) !== 0;
  let axes = axesOf(n, ctx, ins, 1);
  if (axes === undefined || axes.length === 0) {
    if (attrInt(n, 'noop_with_empty_axes', 0) !== 0) return x;
    axes = Array.from({ length: rank }, (_, i) => i);
  }
  const red = new Set(axes.map((a) => normAxis(n, a, rank)));
  const keptShape = x.shape.map((d, i) => (red.has(i) ? 1 : d));
  const out = zeros(x.dtype, keptShape);
  out.data.fill(isMax ? -Infinity : Infinity);
  const idx = broadcastIndex(keptShape, x.shape);
  // idx maps each element of x to its place in the reduced (kept-dims) tensor.
  for (let k = 0; k < x.data.length; k++) {
    const o = idx === undefined ? k : idx[k]!;
    const v = x.data[k]!;
    if (isMax ? v > out.data[o]! : v < out.data[o]!) out.data[o] = v;
  }
  return keep ? out : withShape(out, x.shape.filter((_, i) => !red.has(i)));
}

/**
 * float32 fused multiply-add `a * b + c` rounded once (x86 `vfmadd`). The product of two float32
 * values is exact in double; the double sum can round a second time only onto a float32
 * midpoint, which the two-sum error term then resolves.
 */
export function fmaf(a: number, b: number, c: number): number {
  const p = a * b;
  const s = p + c;
  const r = f32(s);
  if (r === s) return r;
  const bb = s - p;
  const e = (p - (s - bb)) + (c - bb);
  if (e === 0) return r;
  const other = 2 * s - r;
  if (f32(other) !== other) return r; // s is not a midpoint: one rounding decides
  return e > 0 ? Math.max(r, other) : Math.min(r, other);
}

const bitsF = new Float32Array(1);
const bitsI = new Int32Array(bitsF.buffer);
const EXP = {
  lowerRangeSumExp: f32(-88.3762626647949), roundingBias: f32(12582912), log2Reciprocal: f32(1.44269504088896341),
  log2High: f32(-6.93145752e-1), log2Low: f32(-1.42860677e-6), poly0: f32(0.0013780593872070312) /* 0x1.694p-10 */, poly1: f32(0.008373124524950981) /* 0x1.125edcp-7 */,
  poly2: f32(0.041669536381959915) /* 0x1.555b5ap-5 */, poly3: f32(0.166664719581604) /* 0x1.55545p-3 */, poly4: f32(0.49999985098838806) /* 0x1.fffff6p-2 */, poly56: 1,
};

/** exp(x + negMax) as MLAS's FMA3 `MlasComputeSumExpF32KernelFma3` computes one lane. */
function mlasSumExpLane(x: number, negMax: number): number {
  let v = f32(x + negMax);
  if (v < EXP.lowerRangeSumExp) v = EXP.lowerRangeSumExp;
  const biased = fmaf(v, EXP.log2Reciprocal, EXP.roundingBias);
  const m = f32(biased - EXP.roundingBias);
  v = fmaf(m, EXP.log2High, v);
  v = fmaf(m, EXP.log2Low, v);
  let p = EXP.poly0;
  p = fmaf(p, v, EXP.poly1);
  p = fmaf(p, v, EXP.poly2);
  p = fmaf(p, v, EXP.poly3);
  p = fmaf(p, v, EXP.poly4);
  p = fmaf(p, v, EXP.poly56);
  p = fmaf(p, v, EXP.poly56);
  bitsF[0] = biased;
  bitsI[0] = (bitsI[0]! << 23) + 0x3f800000;
  return f32(p * bitsF[0]!);
}

/**
 * Softmax as onnxruntime's MLAS computes it on x86-64 with FMA3: the maximum, exp(x - max) by
 * MLAS's polynomial with fused multiply-adds, a sum in eight float32 lanes reduced
 * `((l4+l5)+(l6+l7)) + ((l0+l1)+(l2+l3))`, then each exp times `1/sum` in float32.
 */
function softmax(n: NnNode, ctx: Ctx, x: Tensor): Tensor {
  checkDtype(n, x, ['float32'], 'input');
  const rank = x.shape.length;
  const axis = normAxis(n, attrInt(n, 'axis', ctx.opset() >= 13 ? -1 : 1), rank);
  // opset < 13 flattens to 2-D at `axis`; opset >= 13 works along one axis. Both equal when axis is last.
  const D = ctx.opset() >= 13 ? x.shape[axis]! : sizeOf(x.shape.slice(axis));
  if (ctx.opset() >= 13 && axis !== rank - 1) fail(n, 'unsupported-attribute-value', 'Softmax is supported along the last axis only');
  const out = zeros('float32', x.shape);
  const X = x.data;
  const O = out.data;
  const lanes = new Float32Array(8);
  for (let r = 0; r < X.length / D; r++) {
    const o = r * D;
    let mx = -Infinity;
    for (let i = 0; i < D; i++) if (X[o + i]! > mx) mx = X[o + i]!;
    const negMax = f32(-mx);
    lanes.fill(0);
    for (let i = 0; i < D; i++) {
      const e = mlasSumExpLane(X[o + i]!, negMax);
      O[o + i] = e;
      lanes[i % 8] = f32(lanes[i % 8]! + e);
    }
    const L = lanes;
    const sum = f32(f32(f32(L[4]! + L[5]!) + f32(L[6]! + L[7]!)) + f32(f32(L[0]! + L[1]!) + f32(L[2]! + L[3]!)));
    const inv = f32(1 / sum);
    for (let i = 0; i < D; i++) O[o + i] = f32(O[o + i]! * inv);
  }
  return out;
}

function batchNorm(n: NnNode, ins: Inputs): Tensor {
  const [x, sc, b, mean, v] = [0, 1, 2, 3, 4].map((i) => need(n, ins, i)) as [Tensor, Tensor, Tensor, Tensor, Tensor];
  checkDtype(n, x, ['float32'], 'input');
  if (n.outputs.filter((o) => o !== '').length > 1) fail(n, 'unsupported-attribute-value', 'training-mode outputs are not supported');
  const C = x.shape[1] ?? 1;
  const eps = f32(attrFloat(n, 'epsilon', 1e-5));
  const scale = new Float32Array(C);
  const bias = new Float32Array(C);
  for (let c = 0; c < C; c++) {
    const inv = f32(1 / f32(Math.sqrt(f32(v.data[c]! + eps))));
    scale[c] = f32(inv * sc.data[c]!);
    bias[c] = f32(b.data[c]! - f32(mean.data[c]! * scale[c]!));
  }
  const inner = sizeOf(x.shape.slice(2));
  const out = zeros('float32', x.shape);
  for (let k = 0; k < x.data.length; k++) {
    const c = Math.floor(k / inner) % C;
    out.data[k] = f32(f32(x.data[k]! * scale[c]!) + bias[c]!);
  }
  return out;
}

function qonnxQuant(n: NnNode, ins: Inputs): Tensor {
  const [x, s, z, bw] = [0, 1, 2, 3].map((i) => need(n, ins, i)) as [Tensor, Tensor, Tensor, Tensor];
  checkDtype(n, x, ['float32'], 'input');
  const bits = scalar(bw, 8);
  if (bw.data.length !== 1 || !Number.isInteger(bits) || bits < 1 || bits > 8) fail(n, 'unsupported-attribute-value', `bit width ${Array.from(bw.data).join(',')} is not supported (a single integer 1-8)`);
  const signed = attrInt(n, 'signed', 1) !== 0;
  const narrow = attrInt(n, 'narrow', 0) !== 0;
  const mode = attrString(n, 'rounding_mode', 'ROUND') as QonnxRounding;
  const [lo, hi] = qonnxIntRange(bits, signed, narrow);
  const shape = broadcastShape(n, [x.shape, s.shape, z.shape]);
  const is = broadcastIndex(s.shape, shape);
  const iz = broadcastIndex(z.shape, shape);
  const ix = broadcastIndex(x.shape, shape);
  const out = zeros('float32', shape);
  for (let k = 0; k < out.data.length; k++) {
    const sv = s.data[is === undefined ? k : is[k]!]!;
    const zv = z.data[iz === undefined ? k : iz[k]!]!;
    let q = f32(f32(x.data[ix === undefined ? k : ix[k]!]! / sv) + zv);
    q = q < lo ? lo : q > hi ? hi : q;
    q = roundBy(mode, q);
    out.data[k] = f32(f32(q - zv) * sv);
  }
  return out;
}

function bipolarQuant(n: NnNode, ins: Inputs): Tensor {
  const x = need(n, ins, 0);
  const s = need(n, ins, 1);
  const shape = broadcastShape(n, [x.shape, s.shape]);
  const ix = broadcastIndex(x.shape, shape);
  const is = broadcastIndex(s.shape, shape);
  const out = zeros('float32', shape);
  for (let k = 0; k < out.data.length; k++) {
    const v = x.data[ix === undefined ? k : ix[k]!]!;
    out.data[k] = f32((v >= 0 ? 1 : -1) * s.data[is === undefined ? k : is[k]!]!);
  }
  return out;
}

function constant(n: NnNode): Tensor {
  for (const [name, a] of n.attributes) {
    if (a.kind === 'tensor') return a.value;
    if (name === 'value_float' && a.kind === 'float') return { dtype: 'float32', shape: [], data: new Float32Array([a.value]) };
    if (name === 'value_int' && a.kind === 'int') return { dtype: 'int64', shape: [], data: new Float64Array([a.value]) };
    if (name === 'value_floats' && a.kind === 'floats') return { dtype: 'float32', shape: [a.value.length], data: Float32Array.from(a.value) };
    if (name === 'value_ints' && a.kind === 'ints') return { dtype: 'int64', shape: [a.value.length], data: Float64Array.from(a.value) };
  }
  return fail(n, 'missing-attribute', 'Constant has no value');
}

function cast(n: NnNode, x: Tensor): Tensor {
  const to = ONNX_DTYPES[attrInt(n, 'to', 0)];
  if (to === undefined) return fail(n, 'unsupported-dtype', `cast to type ${attrInt(n, 'to', 0)} is not supported`);
  const out = zeros(to, x.shape);
  const fl = to === 'float32';
  for (let k = 0; k < x.data.length; k++) {
    const v = x.data[k]!;
    out.data[k] = fl ? f32(v) : isFloat(to) ? v : to === 'bool' ? (v !== 0 ? 1 : 0) : Math.trunc(v);
  }
  return out;
}

function clip(n: NnNode, ctx: Ctx, ins: Inputs): Tensor {
  const x = need(n, ins, 0);
  const lo = ctx.opset() >= 11 ? scalar(ins[1], -Infinity) : attrFloat(n, 'min', -Infinity);
  const hi = ctx.opset() >= 11 ? scalar(ins[2], Infinity) : attrFloat(n, 'max', Infinity);
  return unary(x, (v) => (v < lo ? lo : v > hi ? hi : v));
}

// ---------------------------------------------------------------- dispatch

function runNode(n: NnNode, ins: Inputs, ctx: Ctx): Tensor[] {
  if (QONNX_DOMAINS.includes(n.domain)) {
    if (n.opType === 'Quant') return [qonnxQuant(n, ins)];
    if (n.opType === 'BipolarQuant') return [bipolarQuant(n, ins)];
  }
  const i0 = (): Tensor => need(n, ins, 0);
  const i1 = (): Tensor => need(n, ins, 1);
  switch (n.opType) {
    case 'QLinearConv': {
      const w = need(n, ins, 3);
      const { acc, g } = intConv(n, ctx, i0(), w, need(n, ins, 2), ins[5], ins[8]);
      return [requantize(n, ctx, acc, g.M, g.OH * g.OW, need(n, ins, 1), need(n, ins, 4), need(n, ins, 6), ins[7], [g.N, g.M, g.OH, g.OW], false)];
    }
    case 'ConvInteger': {
      const { acc, g } = intConv(n, ctx, i0(), i1(), ins[2], ins[3], undefined);
      return [{ dtype: 'int32', shape: [g.N, g.M, g.OH, g.OW], data: acc }];
    }
    case 'QLinearMatMul': {
      const b = need(n, ins, 3);
      const { acc, g } = intMatMul(n, i0(), b, ins[2], ins[5]);
      const bs = need(n, ins, 4);
      return [requantize(n, ctx, acc, bs.data.length === 1 ? 1 : g.N, 1, i1(), bs, need(n, ins, 6), ins[7], g.outShape, true)];
    }
    case 'MatMulInteger': {
      const { acc, g } = intMatMul(n, i0(), i1(), ins[2], ins[3]);
      return [{ dtype: 'int32', shape: g.outShape, data: acc }];
    }
    case 'QuantizeLinear': return [quantizeLinear(n, i0(), i1(), ins[2])];
    case 'DequantizeLinear': return [dequantizeLinear(n, i0(), i1(), ins[2])];
    case 'DynamicQuantizeLinear': return dynamicQuantizeLinear(n, i0());
    case 'Conv': return [floatConv(n, i0(), i1(), ins[2])];
    case 'MatMul': return [floatMatMul(n, i0(), i1())];
    case 'Gemm': return [gemm(n, i0(), i1(), ins[2])];
    case 'BatchNormalization': return [batchNorm(n, ins)];
    case 'AveragePool': return [averagePool(n, i0(), false)];
    case 'GlobalAveragePool': return [averagePool(n, i0(), true)];
    case 'MaxPool': return [maxPool(n, i0())];
    case 'Add': case 'Sub': case 'Mul': case 'Div': case 'Pow':
      return [binary(n, n.opType, i0(), i1())];
    case 'Min': case 'Max': {
      const ts = ins.filter((t): t is Tensor => t !== undefined);
      let acc = ts[0] ?? fail(n, 'missing-input', `${n.opType} needs an input`);
      for (const t of ts.slice(1)) acc = binary(n, n.opType, acc, t);
      return [acc];
    }
    case 'Round': return [unary(i0(), (v) => roundHalfEven(v))];
    case 'Relu': return [unary(i0(), (v) => (v > 0 ? v : 0))];
    case 'Clip': return [clip(n, ctx, ins)];
    case 'Softmax': return [softmax(n, ctx, i0())];
    case 'Reshape': return [reshape(n, i0(), i1())];
    case 'Flatten': {
      const x = i0();
      const axis = attrInt(n, 'axis', 1);
      const a = axis < 0 ? axis + x.shape.length : axis;
      return [withShape(x, [sizeOf(x.shape.slice(0, a)), sizeOf(x.shape.slice(a))])];
    }
    case 'Transpose': return [transpose(n, i0())];
    case 'Squeeze': {
      const x = i0();
      const axes = axesOf(n, ctx, ins, 1)?.map((a) => normAxis(n, a, x.shape.length));
      return [withShape(x, x.shape.filter((d, i) => (axes === undefined ? d !== 1 : !axes.includes(i))))];
    }
    case 'Unsqueeze': {
      const x = i0();
      const axes = axesOf(n, ctx, ins, 1) ?? fail(n, 'missing-attribute', 'Unsqueeze needs axes');
      const rank = x.shape.length + axes.length;
      const norm = axes.map((a) => normAxis(n, a, rank));
      const shape: number[] = [];
      let j = 0;
      for (let i = 0; i < rank; i++) shape.push(norm.includes(i) ? 1 : x.shape[j++]!);
      return [withShape(x, shape)];
    }
    case 'Concat': return [concat(n, ins)];
    case 'Shape': {
      const x = i0();
      const r = x.shape.length;
      const clamp = (v: number): number => Math.min(Math.max(v < 0 ? v + r : v, 0), r);
      const dims = x.shape.slice(clamp(attrInt(n, 'start', 0)), clamp(attrInt(n, 'end', r)));
      return [{ dtype: 'int64', shape: [dims.length], data: Float64Array.from(dims) }];
    }
    case 'Gather': return [gather(n, i0(), i1())];
    case 'Identity': return [i0()];
    case 'Cast': return [cast(n, i0())];
    case 'Constant': return [constant(n)];
    case 'ReduceMin': return [reduce(n, ctx, ins, false)];
    case 'ReduceMax': return [reduce(n, ctx, ins, true)];
  }
  return fail(n, 'unsupported-op', `operator ${n.domain === '' ? '' : `${n.domain}:`}${n.opType} is not supported by the evaluator`);
}

/**
 * Prepares an evaluator for a graph (weights are centred once and cached).
 *
 * @example
 * const ev = createEvaluator(graph);
 * const out = ev.run(new Map([['input', tensor('int8', [1, 3, 32, 32], pixels)]]));
 */
export function createEvaluator(graph: NnGraph, opts: EvalOptions = {}): Evaluator {
  const ctx = new Ctx(graph, opts);
  const exec = (inputs: ReadonlyMap<string, Tensor>, keepAll: boolean): Map<string, Tensor> => {
    const env = new Map<string, Tensor>(graph.initializers);
    for (const vi of graph.inputs) {
      const t = inputs.get(vi.name);
      if (t === undefined) throw new SimError('missing-input', `graph input '${vi.name}' was not given`);
      if (vi.dtype !== undefined && t.dtype !== vi.dtype) throw new SimError('bad-input', `graph input '${vi.name}' must be ${vi.dtype}, got ${t.dtype}`);
      if (vi.shape !== undefined && (vi.shape.length !== t.shape.length || vi.shape.some((d, i) => typeof d === 'number' && d > 0 && d !== t.shape[i]))) {
        throw new SimError('bad-input', `graph input '${vi.name}' must have shape [${vi.shape.join(',')}], got [${t.shape.join(',')}]`);
      }
      env.set(vi.name, t);
    }
    // Free intermediates after their last use unless every tensor is kept.
    const lastUse = new Map<string, number>();
    graph.nodes.forEach((n, i) => n.inputs.forEach((x) => lastUse.set(x, i)));
    const outputs = new Set(graph.outputs.map((o) => o.name));
    graph.nodes.forEach((n, i) => {
      const ins = n.inputs.map((x) => (x === '' ? undefined : env.get(x)));
      const outs = runNode(n, ins, ctx);
      n.outputs.forEach((o, k) => {
        if (o === '') return;
        const t = outs[k];
        if (t === undefined) throw new SimError('missing-output', `${describeNode(n)}: output ${k} ('${o}') was not computed`);
        env.set(o, t);
      });
      if (!keepAll) for (const x of n.inputs) if (lastUse.get(x) === i && !outputs.has(x) && !graph.initializers.has(x)) env.delete(x);
    });
    if (keepAll) return env;
    return new Map(graph.outputs.map((o) => [o.name, env.get(o.name)!]));
  };
  return { run: (inputs) => exec(inputs, false), runAll: (inputs) => exec(inputs, true) };
}

/** Runs a graph once (see {@link createEvaluator}). */
export function evaluate(graph: NnGraph, inputs: ReadonlyMap<string, Tensor>, opts: EvalOptions = {}): Map<string, Tensor> {
  return createEvaluator(graph, opts).run(inputs);
}

