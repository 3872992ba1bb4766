/**
 * Lowering: an {@link NnGraph} to the compiler's layers. Weights, scales and zero points must be
 * constants (initializers, graph inputs bound with `constants`, or values folded at compile
 * time); activations are 8-bit (int32 for the outputs of ConvInteger / MatMulInteger and of
 * QONNX dot products, float32 on the float side). QONNX graphs (Quant, BipolarQuant,
 * BatchNormalization, float element-wise ops with constants, Conv / MatMul / Gemm on Quant
 * outputs) go through src/compiler/qonnx.ts: element-wise chains and integer codes.
 */
import {
  type NnGraph, type NnNode, type Tensor, INT_RANGE, attrFloat, attrInt, attrInts, attrString, describeNode, float32Multiplier, roundHalfEven, sizeOf, padAxis, tensor, zeros,
} from '../nn/index.js';
import { Diags } from './diag.js';
import {
  type CodesPlan, type Lazy, type QConst, NodeError, MOVE_OPS, channelsOf, codesPlan, dequantSteps, expandTo, extend, fail, foldNode, integerConst, isQonnxDomain, loadState, quantConst,
  quantParams, roundStep, stepState, weightTensor,
} from './qonnx.js';
import {
  type ActInfo, type AliasLayer, type ChainStep, type CompileResult, type DotLayer, type FloatLayer, type FloatOp, type Layer, type Lowered, type Requant, type TensorQuant, isActDType,
} from './ir.js';

/** The ops the compiler maps to code, and the ones it maps to buffer aliases. */
export const COMPILED_OPS: readonly string[] = ['ConvInteger', 'QLinearConv', 'MatMulInteger', 'QLinearMatMul'];
/** Float-side ops (float-kernels.ts arithmetic); DequantizeLinear -> Add/Mul -> QuantizeLinear is fused. */
export const FLOAT_OPS: readonly string[] = ['QuantizeLinear', 'DequantizeLinear', 'Add', 'Sub', 'Mul', 'Div', 'AveragePool', 'GlobalAveragePool', 'MaxPool', 'Softmax'];
/**
 * QONNX / float ops lowered as element-wise chains or integer dot products (src/compiler/qonnx.ts):
 * `Quant` and `BipolarQuant` (QONNX domains), BatchNormalization, Clip and Round with constant
 * operands, Conv / MatMul / Gemm on Quant outputs with quantized constant weights.
 */
export const QONNX_OPS: readonly string[] = ['Quant', 'BipolarQuant', 'BatchNormalization', 'Clip', 'Round', 'Conv', 'MatMul', 'Gemm'];
export const ALIAS_OPS: readonly string[] = ['Reshape', 'Flatten', 'Squeeze', 'Unsqueeze', 'Identity'];
/** The supported op list for messages. */
export const compilerOpList = (): string => [...COMPILED_OPS, ...FLOAT_OPS, ...QONNX_OPS, ...ALIAS_OPS].join(', ');

interface Ctx {
  readonly consts: ReadonlyMap<string, Tensor>;
  readonly acts: Map<string, ActInfo>;
}

function constant(ctx: Ctx, n: NnNode, i: number, what: string, required: boolean): Tensor | undefined {
  const name = n.inputs[i] ?? '';
  if (name === '') {
    if (required) fail('missing-input', `${what} (input ${i}) is required`);
    return undefined;
  }
  const t = ctx.consts.get(name);
  if (t === undefined) {
    fail('non-constant-input', `${what} '${name}' must be a constant (an initializer)`, 'compile with opts.constants to bind a graph input to fixed values');
  }
  return t;
}

function activation(ctx: Ctx, n: NnNode, i: number, what: string): { name: string; info: ActInfo } {
  const name = n.inputs[i] ?? '';
  const info = ctx.acts.get(name);
  if (info === undefined) {
    if (ctx.consts.has(name)) fail('constant-activation', `${what} '${name}' is a constant; the compiler computes layers on run-time inputs only (constant folding is not done)`);
    fail('missing-input', `${what} '${name}' is not available`);
  }
  return { name, info: info! };
}

const int8Type = (d: string, what: string, name: string): 'uint8' | 'int8' =>
  d === 'uint8' || d === 'int8' ? d : fail('unsupported-dtype', `${what} '${name}' has type ${d}; supported: uint8, int8`);

function scalarOf(t: Tensor | undefined, dflt: number, what: string): number {
  if (t === undefined) return dflt;
  if (t.data.length !== 1) fail('unsupported-attribute-value', `${what} must be per-tensor (one value), has ${t.data.length}`);
  return t.data[0]!;
}

/** Values per channel from a scalar or a 1-D tensor of `count` values. */
function perChannel(t: Tensor | undefined, count: number, dflt: number, what: string): Float64Array {
  const out = new Float64Array(count).fill(dflt);
  if (t === undefined) return out;
  if (t.data.length === 1) return out.fill(t.data[0]!);
  if (t.data.length !== count) fail('shape-mismatch', `${what} has ${t.data.length} values; expected 1 or ${count}`);
  for (let c = 0; c < count; c++) out[c] = t.data[c]!;
  return out;
}

function centre(w: Tensor, wzp: Float64Array, rows: number, rowLen: number, transpose: boolean, sets = 1): { weights: Int32Array; sums: Float64Array; bytes: 1 | 2 } {
  const weights = new Int32Array(sets * rows * rowLen);
  const sums = new Float64Array(sets * rows);
  let wide = false;
  for (let b = 0; b < sets; b++) {
    const base = b * rows * rowLen;
    for (let m = 0; m < rows; m++) {
      let s = 0;
      for (let k = 0; k < rowLen; k++) {
        // conv: w[m][k]; matmul (transposed): B[b][k][m] with rows = N columns
        const v = (transpose ? w.data[base + k * rows + m]! : w.data[base + m * rowLen + k]!) - wzp[m]!;
        weights[base + m * rowLen + k] = v;
        s += v;
        if (v < -128 || v > 127) wide = true;
      }
      sums[b * rows + m] = s;
    }
  }
  return { weights, sums, bytes: wide ? 2 : 1 };
}

/** numpy broadcasting of batch dimensions: the output's and, per output batch, each operand's batch index. */
function broadcastBatches(a: readonly number[], b: readonly number[]): { shape: number[]; ia: number[]; ib: number[] } {
  const rank = Math.max(a.length, b.length);
  const pa = [...new Array<number>(rank - a.length).fill(1), ...a];
  const pb = [...new Array<number>(rank - b.length).fill(1), ...b];
  const shape = pa.map((d, i) => {
    const e = pb[i]!;
    if (d !== e && d !== 1 && e !== 1) fail('shape-mismatch', `batch dimensions [${a.join(',')}] and [${b.join(',')}] do not broadcast`);
    return Math.max(d, e);
  });
  const total = sizeOf(shape);
  const ia: number[] = [];
  const ib: number[] = [];
  for (let k = 0; k < total; k++) {
    let rem = k;
    let xa = 0;
    let xb = 0;
    let sa = 1;
    let sb = 1;
    for (let d = rank - 1; d >= 0; d--) {
      const i = rem % shape[d]!;
      rem = Math.floor(rem / shape[d]!);
      xa += (pa[d] === 1 ? 0 : i) * sa;
      xb += (pb[d] === 1 ? 0 : i) * sb;
      sa *= pa[d]!;
      sb *= pb[d]!;
    }
    ia.push(xa);
    ib.push(xb);
  }
  return { shape, ia, ib };
}

function requantOf(n: NnNode, xs: Tensor, ws: Tensor, ys: Tensor, yzp: Tensor | undefined, channels: number): { rq: Requant; dtype: 'uint8' | 'int8' } {
  const dtype = yzp === undefined ? 'uint8' : int8Type(yzp.dtype, 'output zero point', n.inputs[7] ?? '');
  const [lo, hi] = INT_RANGE[dtype]!;
  const xsv = scalarOf(xs, 1, 'the input scale');
  const ysv = scalarOf(ys, 1, 'the output scale');
  const wsv = perChannel(ws, channels, 1, 'the weight scale');
  const multipliers = new Float32Array(channels);
  for (let c = 0; c < channels; c++) multipliers[c] = float32Multiplier(xsv, wsv[c]!, ysv);
  return { rq: { multipliers, zeroPoint: scalarOf(yzp, 0, 'the output zero point'), lo, hi }, dtype };
}

/**
 * The run-time input, the constant operand and both zero points of a conv or matmul, at their
 * positions in the QLinear* (x, x_scale, x_zp, w, w_scale, w_zp, ...) or *Integer (x, w, x_zp,
 * w_zp) input lists, each checked to be 8-bit.
 */
function dotOperands(ctx: Ctx, n: NnNode, names: { readonly x: string; readonly w: string; readonly xzp: string; readonly wzp: string }) {
  const q = n.opType.startsWith('QLinear');
  const x = activation(ctx, n, 0, names.x);
  const inDtype = int8Type(x.info.dtype, names.x, x.name);
  const w = constant(ctx, n, q ? 3 : 1, names.w, true)!;
  int8Type(w.dtype, names.w, n.inputs[q ? 3 : 1] ?? '');
  return { q, x, inDtype, w, xzp: constant(ctx, n, 2, names.xzp, false), wzp: constant(ctx, n, q ? 5 : 3, names.wzp, false) };
}

function lowerConv(ctx: Ctx, n: NnNode): DotLayer {
  const { q, x, inDtype, w, xzp, wzp } = dotOperands(ctx, n, { x: 'input x', w: 'weight w', xzp: 'input zero point', wzp: 'weight zero point' });
  const bias = q ? constant(ctx, n, 8, 'bias B', false) : undefined;
  if (x.info.shape.length !== 4 || w.shape.length !== 4) fail('unsupported-shape', `only 2-D convolution (4-D input and weight) is supported; input [${x.info.shape.join(',')}], weight [${w.shape.join(',')}]`);
  const [N, C, H, W] = x.info.shape as [number, number, number, number];
  const [M, Cg, kh, kw] = w.shape as [number, number, number, number];
  const group = attrInt(n, 'group', 1);
  if (Cg * group !== C || M % group !== 0) fail('shape-mismatch', `weight [${w.shape.join(',')}] with group ${group} does not fit input channels ${C}`);
  const ks = attrInts(n, 'kernel_shape');
  if (ks !== undefined && (ks[0] !== kh || ks[1] !== kw)) fail('shape-mismatch', `kernel_shape [${ks.join(',')}] differs from the weight's [${kh},${kw}]`);
  const [sh, sw] = (attrInts(n, 'strides') ?? [1, 1]) as [number, number];
  const [dh, dw] = (attrInts(n, 'dilations') ?? [1, 1]) as [number, number];
  const pads = attrInts(n, 'pads') ?? [0, 0, 0, 0];
  const ap = attrString(n, 'auto_pad', 'NOTSET');
  const [pt, pb, OH] = padAxis(ap, H, kh, sh, dh, pads[0]!, pads[2]!);
  const [pl, pr, OW] = padAxis(ap, W, kw, sw, dw, pads[1]!, pads[3]!);
  if (OH <= 0 || OW <= 0) fail('shape-mismatch', `the output would be empty (${OH}x${OW})`);
  const xz = scalarOf(xzp, 0, 'the input zero point');
  const K = Cg * kh * kw;
  const c = centre(w, perChannel(wzp, M, 0, 'the weight zero point'), M, K, false);
  const b = perChannel(bias, M, 0, 'the bias');
  const accStart = new Int32Array(M);
  for (let m = 0; m < M; m++) accStart[m] = b[m]! - xz * c.sums[m]!;
  let requant: Requant | undefined;
  let outDtype: DotLayer['outDtype'] = 'int32';
  if (q) {
    const r = requantOf(n, constant(ctx, n, 1, 'input scale', true)!, constant(ctx, n, 4, 'weight scale', true)!, constant(ctx, n, 6, 'output scale', true)!, constant(ctx, n, 7, 'output zero point', false), M);
    requant = r.rq;
    outDtype = r.dtype;
  }
  return {
    kind: 'dot', op: 'conv', node: describeNode(n), opType: n.opType, input: x.name, output: n.outputs[0] ?? '', inDtype, outDtype,
    batch: N, inBatch: Array.from({ length: N }, (_, i) => i), weightSet: new Array<number>(N).fill(0), channels: M, groups: group, inChannelsPerGroup: Cg, kh, kw, strides: [sh, sw], dilations: [dh, dw], pads: [pt, pl, pb, pr],
    outH: OH, outW: OW, inZeroPoint: xz, weights: c.weights, weightBytes: c.bytes, bias: accStart, requant, macs: N * M * OH * OW * K,
  };
}

function lowerMatMul(ctx: Ctx, n: NnNode): { layer: DotLayer; outShape: number[] } {
  const { q, x: a, inDtype, w: b, xzp: azp, wzp: bzp } = dotOperands(ctx, n, { x: 'input A', w: 'input B', xzp: 'A zero point', wzp: 'B zero point' });
  if (a.info.shape.length < 2) fail('unsupported-shape', `input A must have rank >= 2, has shape [${a.info.shape.join(',')}]`);
  if (b.shape.length < 2) fail('unsupported-shape', `constant B must have rank >= 2, has shape [${b.shape.join(',')}]`);
  const as = a.info.shape;
  const M = as[as.length - 2]!;
  const K = as[as.length - 1]!;
  const Kb = b.shape[b.shape.length - 2]!;
  const N = b.shape[b.shape.length - 1]!;
  if (Kb !== K) fail('shape-mismatch', `inner dimensions differ: [${as.join(',')}] x [${b.shape.join(',')}]`);
  const bc = broadcastBatches(as.slice(0, -2), b.shape.slice(0, -2));
  const batchDims = bc.shape;
  const sets = sizeOf(b.shape.slice(0, -2));
  const az = scalarOf(azp, 0, 'the A zero point (per-row A zero points are not supported yet)');
  const c = centre(b, perChannel(bzp, N, 0, 'the B zero point'), N, K, true, sets);
  const accStart = new Int32Array(sets * N);
  for (let j = 0; j < sets * N; j++) accStart[j] = -az * c.sums[j]!;
  let requant: Requant | undefined;
  let outDtype: DotLayer['outDtype'] = 'int32';
  if (q) {
    const r = requantOf(n, constant(ctx, n, 1, 'A scale', true)!, constant(ctx, n, 4, 'B scale', true)!, constant(ctx, n, 6, 'output scale', true)!, constant(ctx, n, 7, 'output zero point', false), N);
    requant = r.rq;
    outDtype = r.dtype;
  }
  const batch = sizeOf(batchDims);
  return {
    layer: {
      kind: 'dot', op: 'matmul', node: describeNode(n), opType: n.opType, input: a.name, output: n.outputs[0] ?? '', inDtype, outDtype,
      batch, inBatch: bc.ia, weightSet: bc.ib, channels: N, groups: 1, inChannelsPerGroup: 1, kh: 1, kw: K, strides: [1, 1], dilations: [1, 1], pads: [0, 0, 0, 0],
      outH: M, outW: 1, inZeroPoint: az, weights: c.weights, weightBytes: c.bytes, bias: accStart, requant, macs: batch * M * N * K,
    },
    outShape: [...batchDims, M, N],
  };
}

function intList(t: Tensor): number[] {
  return Array.from(t.data, (v) => Number(v));
}

function aliasShape(ctx: Ctx, n: NnNode, x: ActInfo): number[] {
  const r = x.shape.length;
  const norm = (a: number, rank: number): number => {
    const v = a < 0 ? a + rank : a;
    if (v < 0 || v >= rank) fail('bad-axis', `axis ${a} is out of range for rank ${rank}`);
    return v;
  };
  const axesOf = (): number[] | undefined => {
    const attr = attrInts(n, 'axes');
    if (attr !== undefined) return [...attr];
    if ((n.inputs[1] ?? '') === '') return undefined;
    return intList(constant(ctx, n, 1, 'axes', true)!);
  };
  switch (n.opType) {
    case 'Identity': return [...x.shape];
    case 'Flatten': {
      const axis = attrInt(n, 'axis', 1);
      const a = axis < 0 ? axis + r : axis;
      return [sizeOf(x.shape.slice(0, a)), sizeOf(x.shape.slice(a))];
    }
    case 'Reshape': {
      const s = intList(constant(ctx, n, 1, 'shape', true)!);
      const allowZero = attrInt(n, 'allowzero', 0) !== 0;
      const shape = s.map((d, i) => (d === 0 && !allowZero ? x.shape[i] ?? 0 : d));
      const total = sizeOf(x.shape);
      const known = shape.reduce((p, d) => (d === -1 ? p : p * d), 1);
      const inferred = shape.indexOf(-1);
      if (inferred >= 0) shape[inferred] = known === 0 ? 0 : total / known;
      if (sizeOf(shape) !== total || shape.some((d) => !Number.isInteger(d) || d < 0)) fail('shape-mismatch', `cannot reshape [${x.shape.join(',')}] to [${s.join(',')}]`);
      return shape;
    }
    case 'Squeeze': {
      const axes = axesOf()?.map((a) => norm(a, r));
      return x.shape.filter((d, i) => (axes === undefined ? d !== 1 : !axes.includes(i)));
    }
    case 'Unsqueeze': {
      const axes = axesOf() ?? fail('missing-attribute', 'Unsqueeze needs axes');
      const rank = r + axes.length;
      const nv = axes.map((a) => norm(a, rank));
      const shape: number[] = [];
      let j = 0;
      for (let i = 0; i < rank; i++) shape.push(nv.includes(i) ? 1 : x.shape[j++]!);
      return shape;
    }
  }
  return fail('unsupported-op', `alias op ${n.opType}`);
}

/** Per-tensor quantization of a QuantizeLinear / DequantizeLinear node (scale input 1, zero point input 2). */
function tensorQuant(ctx: Ctx, n: NnNode): TensorQuant {
  const s = constant(ctx, n, 1, 'scale', true)!;
  const z = constant(ctx, n, 2, 'zero point', false);
  if (s.data.length !== 1 || (z !== undefined && z.data.length !== 1)) fail('unsupported-attribute-value', 'per-axis quantization parameters are not supported yet (per tensor only)');
  const dtype = z === undefined ? 'uint8' : int8Type(z.dtype, 'zero point', n.inputs[2] ?? '');
  return { scale: Math.fround(s.data[0]!), zeroPoint: z === undefined ? 0 : z.data[0]!, dtype };
}

const floatAct = (ctx: Ctx, n: NnNode, i: number, what: string): { name: string; info: ActInfo } => {
  const x = activation(ctx, n, i, what);
  if (x.info.dtype !== 'float32') fail('unsupported-dtype', `${what} '${x.name}' has type ${x.info.dtype}; ${n.opType} is compiled on float32 tensors (from DequantizeLinear)`);
  return x;
};

const floatLayer = (n: NnNode, inputs: string[], op: FloatOp, shape: readonly number[], fused: string[] = [], node = describeNode(n), opType = n.opType): FloatLayer =>
  ({ kind: 'float', node, opType, inputs, output: n.outputs[0] ?? '', op, elements: sizeOf(shape), fused });

/** Output size of one pooling axis (the evaluator's padAxis without dilation). */
function poolAxis(autoPad: string, size: number, k: number, s: number, b: number, e: number, ceil: boolean): number {
  return padAxis(autoPad, size, k, s, 1, b, e, ceil)[2];
}

/** A float-side node: the layer and its output's type and shape. */
function lowerFloat(ctx: Ctx, n: NnNode, opset: number): { layer: FloatLayer; info: ActInfo } {
  switch (n.opType) {
    case 'DequantizeLinear': {
      const x = activation(ctx, n, 0, 'input x');
      const q = tensorQuant(ctx, n);
      if (x.info.dtype !== q.dtype) fail('unsupported-dtype', `input x '${x.name}' has type ${x.info.dtype}; its zero point is ${q.dtype} (int8/uint8 inputs only)`);
      return { layer: floatLayer(n, [x.name], { type: 'dequantize', q }, x.info.shape), info: { dtype: 'float32', shape: x.info.shape } };
    }
    case 'QuantizeLinear': {
      const x = floatAct(ctx, n, 0, 'input x');
      const q = tensorQuant(ctx, n);
      return { layer: floatLayer(n, [x.name], { type: 'quantize', q }, x.info.shape), info: { dtype: q.dtype, shape: x.info.shape } };
    }
    case 'Add': case 'Sub': case 'Mul': case 'Div': {
      const a = floatAct(ctx, n, 0, 'input A');
      const b = floatAct(ctx, n, 1, 'input B');
      if (a.info.shape.join(',') !== b.info.shape.join(',')) fail('unsupported-shape', `inputs of shapes [${a.info.shape.join(',')}] and [${b.info.shape.join(',')}]: broadcasting two run-time tensors is not supported (equal shapes, or one constant operand)`);
      const op = n.opType === 'Add' ? 'add' : n.opType === 'Sub' ? 'sub' : n.opType === 'Mul' ? 'mul' : 'div';
      return { layer: floatLayer(n, [a.name, b.name], { type: 'binary', op }, a.info.shape), info: { dtype: 'float32', shape: a.info.shape } };
    }
    case 'AveragePool': case 'GlobalAveragePool': {
      const x = floatAct(ctx, n, 0, 'input x');
      if (x.info.shape.length !== 4) fail('unsupported-shape', `only 2-D pooling (4-D input) is supported; input [${x.info.shape.join(',')}]`);
      const [N, C, H, W] = x.info.shape as [number, number, number, number];
      if (n.opType === 'GlobalAveragePool') return { layer: floatLayer(n, [x.name], { type: 'globalAveragePool' }, [N, C]), info: { dtype: 'float32', shape: [N, C, 1, 1] } };
      const ks = attrInts(n, 'kernel_shape');
      if (ks?.length !== 2) fail('unsupported-attribute-value', 'kernel_shape must have 2 entries (2-D pooling)');
      const [kh, kw] = ks as [number, number];
      const [sh, sw] = (attrInts(n, 'strides') ?? [1, 1]) as [number, number];
      const dl = attrInts(n, 'dilations') ?? [1, 1];
      if (dl.some((v) => v !== 1)) fail('unsupported-attribute-value', 'dilated average pooling is not supported');
      const pads = (attrInts(n, 'pads') ?? [0, 0, 0, 0]) as [number, number, number, number];
      const ap = attrString(n, 'auto_pad', 'NOTSET');
      if (!['NOTSET', 'VALID', 'SAME_UPPER', 'SAME_LOWER'].includes(ap)) fail('unsupported-attribute-value', `auto_pad ${ap}`);
      const ceil = attrInt(n, 'ceil_mode', 0) !== 0;
      const OH = poolAxis(ap, H, kh, sh, pads[0], pads[2], ceil);
      const OW = poolAxis(ap, W, kw, sw, pads[1], pads[3], ceil);
      if (OH < 1 || OW < 1) fail('shape-mismatch', `the output would be empty (${OH}x${OW})`);
      const op: FloatOp = {
        type: 'averagePool', kernel: [kh, kw], strides: [sh, sw], pads, autoPad: ap as 'NOTSET', ceilMode: ceil, countIncludePad: attrInt(n, 'count_include_pad', 0) !== 0,
      };
      return { layer: floatLayer(n, [x.name], op, [N, C, OH, OW]), info: { dtype: 'float32', shape: [N, C, OH, OW] } };
    }
    case 'MaxPool': {
      const x = activation(ctx, n, 0, 'input x');
      const dtype = x.info.dtype as 'int8' | 'uint8' | 'float32';
      if (x.info.dtype === 'int32') fail('unsupported-dtype', `input x '${x.name}' has type ${dtype}; MaxPool is compiled on int8, uint8 and float32 tensors`);
      if (n.outputs.length > 1 && (n.outputs[1] ?? '') !== '') fail('unsupported-attribute-value', 'the Indices output of MaxPool is not supported');
      if (x.info.shape.length !== 4) fail('unsupported-shape', `only 2-D pooling (4-D input) is supported; input [${x.info.shape.join(',')}]`);
      const [N, C, H, W] = x.info.shape as [number, number, number, number];
      const ks = attrInts(n, 'kernel_shape');
      if (ks?.length !== 2) fail('unsupported-attribute-value', 'kernel_shape must have 2 entries (2-D pooling)');
      const [kh, kw] = ks as [number, number];
      const [sh, sw] = (attrInts(n, 'strides') ?? [1, 1]) as [number, number];
      const dl = attrInts(n, 'dilations') ?? [1, 1];
      if (dl.some((v) => v !== 1)) fail('unsupported-attribute-value', 'dilated max pooling is not supported');
      if (attrInt(n, 'storage_order', 0) !== 0) fail('unsupported-attribute-value', 'storage_order 1 is not supported');
      const p0 = (attrInts(n, 'pads') ?? [0, 0, 0, 0]) as [number, number, number, number];
      const ap = attrString(n, 'auto_pad', 'NOTSET');
      if (!['NOTSET', 'VALID', 'SAME_UPPER', 'SAME_LOWER'].includes(ap)) fail('unsupported-attribute-value', `auto_pad ${ap}`);
      const ceil = attrInt(n, 'ceil_mode', 0) !== 0;
      const [pt, pb, OH] = padAxis(ap, H, kh, sh, 1, p0[0], p0[2], ceil);
      const [pl, pr, OW] = padAxis(ap, W, kw, sw, 1, p0[1], p0[3], ceil);
      if (OH < 1 || OW < 1) fail('shape-mismatch', `the output would be empty (${OH}x${OW})`);
      // a window entirely in the padding has no element (ceil_mode with strides beyond the kernel)
      const empty = (O: number, s: number, p: number, k: number, size: number): boolean =>
        Array.from({ length: O }, (_, o) => o * s - p).some((b) => Math.min(b + k, size) <= Math.max(b, 0));
      if (empty(OH, sh, pt, kh, H) || empty(OW, sw, pl, kw, W)) fail('unsupported-attribute-value', 'a pooling window lies entirely in the padding (no input element)');
      const op: FloatOp = { type: 'maxPool', dtype, kernel: [kh, kw], strides: [sh, sw], pads: [pt, pl, pb, pr] };
      return { layer: floatLayer(n, [x.name], op, [N, C, OH, OW]), info: { dtype, shape: [N, C, OH, OW] } };
    }
    case 'Softmax': {
      const x = floatAct(ctx, n, 0, 'input');
      const rank = x.info.shape.length;
      const ax0 = attrInt(n, 'axis', opset >= 13 ? -1 : 1);
      const axis = ax0 < 0 ? ax0 + rank : ax0;
      if (axis < 0 || axis >= rank) fail('bad-axis', `axis ${ax0} is out of range for rank ${rank}`);
      if (opset >= 13 && axis !== rank - 1) fail('unsupported-attribute-value', 'Softmax is supported along the last axis only');
      const length = sizeOf(x.info.shape.slice(axis));
      return { layer: floatLayer(n, [x.name], { type: 'softmax', rows: sizeOf(x.info.shape) / length, length }, x.info.shape), info: { dtype: 'float32', shape: x.info.shape } };
    }
  }
  return fail('unsupported-op', `float op ${n.opType}`);
}

/** A DequantizeLinear x2 -> Add/Mul -> QuantizeLinear chain that can be fused (found before lowering). */
interface QdqChain {
  readonly da: NnNode;
  readonly db: NnNode;
  readonly bin: NnNode;
}

/**
 * Finds the fusable chains, keyed by their QuantizeLinear: both Add/Mul inputs come from
 * DequantizeLinear nodes with per-tensor constant parameters, and every intermediate (the two
 * float inputs, the float sum) is read by the next node of the chain only and is not a graph output.
 */
function findQdqChains(graph: NnGraph, consts: ReadonlyMap<string, Tensor>): Map<NnNode, QdqChain> {
  const producer = new Map<string, NnNode>();
  const uses = new Map<string, number>();
  for (const n of graph.nodes) {
    n.outputs.forEach((o) => producer.set(o, n));
    n.inputs.forEach((i) => uses.set(i, (uses.get(i) ?? 0) + 1));
  }
  const outs = new Set(graph.outputs.map((o) => o.name));
  const known = (n: NnNode): boolean => n.domain === '' || n.domain === 'ai.onnx';
  const single = (t: string | undefined): boolean => t !== undefined && uses.get(t) === 1 && !outs.has(t);
  const perTensor = (n: NnNode): boolean => {
    const s = consts.get(n.inputs[1] ?? '');
    const z = (n.inputs[2] ?? '') === '' ? undefined : consts.get(n.inputs[2]!);
    return s !== undefined && s.data.length === 1 && ((n.inputs[2] ?? '') === '' || (z !== undefined && z.data.length === 1 && (z.dtype === 'int8' || z.dtype === 'uint8')));
  };
  const chains = new Map<NnNode, QdqChain>();
  for (const q of graph.nodes) {
    if (!known(q) || q.opType !== 'QuantizeLinear' || !perTensor(q)) continue;
    const bin = producer.get(q.inputs[0] ?? '');
    if (bin === undefined || !known(bin) || (bin.opType !== 'Add' && bin.opType !== 'Mul') || !single(bin.outputs[0])) continue;
    const da = producer.get(bin.inputs[0] ?? '');
    const db = producer.get(bin.inputs[1] ?? '');
    const isDq = (d: NnNode | undefined): d is NnNode => d !== undefined && known(d) && d.opType === 'DequantizeLinear' && perTensor(d) && single(d.outputs[0]);
    if (!isDq(da) || !isDq(db) || da === db) continue;
    chains.set(q, { da, db, bin });
  }
  return chains;
}

function lowerQdqChain(ctx: Ctx, q: NnNode, c: QdqChain): { layer: FloatLayer; info: ActInfo } {
  const a = activation(ctx, c.da, 0, 'input x');
  const b = activation(ctx, c.db, 0, 'input x');
  const qa = tensorQuant(ctx, c.da);
  const qb = tensorQuant(ctx, c.db);
  const qo = tensorQuant(ctx, q);
  if (a.info.dtype !== qa.dtype || b.info.dtype !== qb.dtype) fail('unsupported-dtype', `the DequantizeLinear inputs '${a.name}' (${a.info.dtype}) and '${b.name}' (${b.info.dtype}) must have their zero points' types (${qa.dtype}, ${qb.dtype})`);
  if (a.info.shape.join(',') !== b.info.shape.join(',')) fail('unsupported-shape', `${describeNode(c.bin)}: inputs of shapes [${a.info.shape.join(',')}] and [${b.info.shape.join(',')}]: broadcasting is not supported (equal shapes only)`);
  const op = c.bin.opType === 'Add' ? 'add' : 'mul';
  const fused = [c.da.outputs[0]!, c.db.outputs[0]!, c.bin.outputs[0]!];
  const node = `${describeNode(c.bin)} fused with ${c.da.name === '' ? 'its DequantizeLinear inputs' : `'${c.da.name}', '${c.db.name}'`} and '${q.name}'`;
  const layer = floatLayer(q, [a.name, b.name], { type: 'qdqBinary', op, a: qa, b: qb, out: qo }, a.info.shape, fused, node, `DequantizeLinear+${c.bin.opType}+QuantizeLinear`);
  return { layer, info: { dtype: qo.dtype, shape: a.info.shape } };
}

/**
 * A QDQ dot product: DequantizeLinear(x) and DequantizeLinear(w) (and optionally a bias) ->
 * Conv / MatMul / Gemm -> QuantizeLinear, found before lowering and lowered as the equivalent
 * QLinearConv / QLinearMatMul (integer accumulation, float32 requantization).
 */
interface QdqDot {
  readonly dx: NnNode;
  readonly op: NnNode;
  /** The weight's DequantizeLinear (undefined: the weight is not dequantized; diagnosed). */
  readonly dw: NnNode | undefined;
  /** The bias's DequantizeLinear, when the bias is one. */
  readonly db: NnNode | undefined;
}

/** Reported on every fused QDQ layer: the integer path need not equal the float32 QDQ graph bit for bit. */
export const QDQ_FUSION_NOTE = 'fused QDQ (integer accumulation; may differ from the float reference by 1 LSB where float32 rounding of the sums differs)';

const DOT_OPS = ['Conv', 'MatMul', 'Gemm'];

/**
 * Finds the QDQ dot products, keyed by their QuantizeLinear: the Conv/MatMul/Gemm output is read
 * by the QuantizeLinear only (and is not a graph output), its input 0 comes from a
 * DequantizeLinear. Whether the parameters are supported is checked when lowering (diagnostics
 * name the Conv/MatMul/Gemm node).
 */
function findQdqDots(graph: NnGraph): Map<NnNode, QdqDot> {
  const producer = new Map<string, NnNode>();
  const uses = new Map<string, number>();
  for (const n of graph.nodes) {
    n.outputs.forEach((o) => producer.set(o, n));
    n.inputs.forEach((i) => uses.set(i, (uses.get(i) ?? 0) + 1));
  }
  const outs = new Set(graph.outputs.map((o) => o.name));
  const known = (n: NnNode | undefined): n is NnNode => n !== undefined && (n.domain === '' || n.domain === 'ai.onnx');
  const single = (t: string | undefined): boolean => t !== undefined && uses.get(t) === 1 && !outs.has(t);
  const dq = (t: string | undefined): NnNode | undefined => {
    const d = t === undefined || t === '' ? undefined : producer.get(t);
    return known(d) && d.opType === 'DequantizeLinear' ? d : undefined;
  };
  const dots = new Map<NnNode, QdqDot>();
  for (const q of graph.nodes) {
    if (!known(q) || q.opType !== 'QuantizeLinear') continue;
    const op = producer.get(q.inputs[0] ?? '');
    if (!known(op) || !DOT_OPS.includes(op.opType) || !single(op.outputs[0])) continue;
    const dx = dq(op.inputs[0]);
    if (dx === undefined) continue;
    dots.set(q, { dx, op, dw: dq(op.inputs[1]), db: op.opType === 'MatMul' ? undefined : dq(op.inputs[2]) });
  }
  return dots;
}

/** Per-tensor or per-axis (along `axis` of a tensor of shape `shape`) parameters of a DequantizeLinear. */
function dqParams(ctx: Ctx, d: NnNode, what: string): { scale: Tensor; zp: Tensor | undefined; axis: number } {
  const scale = constant(ctx, d, 1, `the ${what} scale`, true)!;
  const zp = constant(ctx, d, 2, `the ${what} zero point`, false);
  if (scale.dtype !== 'float32') fail('unsupported-dtype', `the ${what} scale of ${describeNode(d)} has type ${scale.dtype}; supported: float32`);
  if (zp !== undefined && zp.data.length !== scale.data.length) fail('shape-mismatch', `${describeNode(d)}: the ${what} scale has ${scale.data.length} values, its zero point ${zp.data.length}`);
  return { scale, zp, axis: attrInt(d, 'axis', 1) };
}

/**
 * Lowers a QDQ dot product by building the equivalent QLinearConv / QLinearMatMul node (same
 * input, weights, scales and zero points; the bias as int32 at scale x_scale * w_scale) and
 * lowering that: the result is bit-exact with the reference evaluator on the QOperator graph.
 */
function lowerQdqDot(ctx: Ctx, q: NnNode, c: QdqDot): { layer: DotLayer; info: ActInfo } {
  const { op, dx } = c;
  const x = activation(ctx, dx, 0, 'input x');
  const inDtype = int8Type(x.info.dtype, 'input x', x.name);
  const xp = dqParams(ctx, dx, 'input');
  if (xp.scale.data.length !== 1) fail('unsupported-attribute-value', `the activation's ${describeNode(dx)} is per-axis (${xp.scale.data.length} scales); fused QDQ needs a per-tensor input scale and zero point`);
  if (xp.zp !== undefined && xp.zp.dtype !== inDtype) fail('unsupported-dtype', `${describeNode(dx)}: input '${x.name}' is ${inDtype}, its zero point ${xp.zp.dtype}`);
  const qs = constant(ctx, q, 1, 'output scale', true)!;
  const qz = constant(ctx, q, 2, 'output zero point', false);
  if (qs.data.length !== 1 || (qz !== undefined && qz.data.length !== 1)) fail('unsupported-attribute-value', `${describeNode(q)} is per-axis; fused QDQ needs a per-tensor output scale and zero point`);
  if (qs.dtype !== 'float32') fail('unsupported-dtype', `the output scale of ${describeNode(q)} has type ${qs.dtype}; supported: float32`);
  if (qz !== undefined) int8Type(qz.dtype, 'output zero point', q.inputs[2] ?? '');
  // the weight: an initializer through DequantizeLinear
  if (c.dw === undefined) fail('non-constant-input', `the weight '${op.inputs[1] ?? ''}' does not come from a DequantizeLinear of an initializer (fused QDQ needs quantized constant weights)`);
  const dw = c.dw!;
  const wname = dw.inputs[0] ?? '';
  const w0 = ctx.consts.get(wname);
  if (w0 === undefined) fail('non-constant-input', `the weight '${wname}' (input of ${describeNode(dw)}) must be a constant (an initializer)`, 'compile with opts.constants to bind a graph input to fixed values');
  int8Type(w0!.dtype, 'weight', wname);
  const wp = dqParams(ctx, dw, 'weight');
  if (wp.zp !== undefined && wp.zp.dtype !== w0!.dtype) fail('unsupported-dtype', `${describeNode(dw)}: weight '${wname}' is ${w0!.dtype}, its zero point ${wp.zp.dtype}`);
  const extra = new Map<string, Tensor>();
  const nm = (s: string): string => `${q.outputs[0] ?? ''}::qdq_${s}`;
  let w = w0!;
  let outAxis: number;
  let note = '';
  if (op.opType === 'Conv') {
    outAxis = 0;
  } else if (op.opType === 'MatMul') {
    outAxis = w.shape.length - 1;
  } else {
    if (attrInt(op, 'transA', 0) !== 0) fail('unsupported-attribute-value', 'Gemm with transA = 1 is not supported in fused QDQ');
    if (Math.fround(attrFloat(op, 'alpha', 1)) !== 1) fail('unsupported-attribute-value', `Gemm alpha ${attrFloat(op, 'alpha', 1)}: only alpha = 1 is supported in fused QDQ`);
    if ((op.inputs[2] ?? '') !== '' && Math.fround(attrFloat(op, 'beta', 1)) !== 1) fail('unsupported-attribute-value', `Gemm beta ${attrFloat(op, 'beta', 1)} with a bias: only beta = 1 is supported in fused QDQ`);
    if (x.info.shape.length !== 2 || w.shape.length !== 2) fail('unsupported-shape', `Gemm needs 2-D A and B; A [${x.info.shape.join(',')}], B [${w.shape.join(',')}]`);
    const tb = attrInt(op, 'transB', 0) !== 0;
    outAxis = tb ? 0 : 1;
    if (tb) {
      // B [N, K] -> [K, N]
      const [N, K] = w.shape as [number, number];
      const t = new Array<number>(N * K);
      for (let n = 0; n < N; n++) for (let k = 0; k < K; k++) t[k * N + n] = w.data[n * K + k]!;
      w = tensor(w.dtype, [K, N], t);
      note = ', transB folded';
    }
  }
  const channels = w0!.shape[outAxis] ?? 0;
  if (wp.scale.data.length !== 1) {
    const ax = wp.axis < 0 ? wp.axis + w0!.shape.length : wp.axis;
    if (ax !== outAxis || wp.scale.data.length !== channels) fail('unsupported-attribute-value', `${describeNode(dw)} is per-axis along axis ${wp.axis} (${wp.scale.data.length} scales); fused QDQ needs the weight per-tensor or per-channel along the output axis ${outAxis} of [${w0!.shape.join(',')}]`);
  }
  // the bias: a float initializer, or int32 through DequantizeLinear at scale x_scale * w_scale
  const xsv = xp.scale.data[0]!;
  const wsv = perChannel(wp.scale, channels, 1, 'the weight scale');
  const bname = op.opType === 'MatMul' ? '' : op.inputs[2] ?? '';
  let bias: number[] | undefined;
  if (bname !== '') {
    const db = c.db;
    let bt: Tensor | undefined;
    if (db !== undefined) {
      bt = ctx.consts.get(db.inputs[0] ?? '');
      if (bt === undefined || bt.dtype !== 'int32') fail('non-constant-input', `the bias '${db.inputs[0] ?? ''}' (input of ${describeNode(db)}) must be an int32 initializer`);
      const bp = dqParams(ctx, db, 'bias');
      if (bp.zp !== undefined && bp.zp.data.some((v) => v !== 0)) fail('unsupported-attribute-value', `${describeNode(db)}: the bias zero point must be 0`);
      const bs = perChannel(bp.scale, channels, 1, 'the bias scale');
      for (let m = 0; m < channels; m++) {
        const want = Math.fround(xsv * wsv[m]!);
        if (Math.abs(bs[m]! - want) > 1e-6 * want) fail('unsupported-attribute-value', `${describeNode(db)}: the bias scale ${bs[m]} of channel ${m} is not x_scale * w_scale = ${want}`);
      }
    } else {
      bt = ctx.consts.get(bname);
      if (bt === undefined) fail('non-constant-input', `the bias '${bname}' must be an initializer (float32, or int32 through DequantizeLinear)`);
      if (bt!.dtype !== 'float32') fail('unsupported-dtype', `the bias '${bname}' has type ${bt!.dtype}; supported: float32, or int32 through DequantizeLinear`);
      note += ', float bias rounded to int32 at x_scale * w_scale';
    }
    const bv = perChannel(bt, channels, 0, 'the bias');
    bias = [];
    for (let m = 0; m < channels; m++) {
      const v = db !== undefined ? bv[m]! : roundHalfEven(bv[m]! / Math.fround(xsv * wsv[m]!));
      if (!(v >= -2147483648 && v <= 2147483647)) fail('unsupported-attribute-value', `the bias of channel ${m} (${bv[m]}) does not fit int32 at scale x_scale * w_scale`);
      bias.push(v);
    }
  }
  const one = (t: Tensor | undefined, name: string): string => {
    if (t === undefined) return '';
    extra.set(nm(name), t);
    return nm(name);
  };
  const ins = [
    x.name, one(xp.scale, 'xs'), one(xp.zp, 'xzp'), one(w, 'w'), one(wp.scale, 'ws'), one(wp.zp, 'wzp'), one(qs, 'ys'), one(qz, 'yzp'),
  ];
  if (bias !== undefined) ins.push(one(tensor('int32', [channels], bias), 'bias'));
  const isConv = op.opType === 'Conv';
  const qop: NnNode = { ...op, opType: isConv ? 'QLinearConv' : 'QLinearMatMul', inputs: ins, outputs: q.outputs };
  const sub: Ctx = { consts: new Map([...ctx.consts, ...extra]), acts: ctx.acts };
  const node = `${describeNode(op)} fused with ${describeNode(dx)}, ${describeNode(dw)}${c.db === undefined ? '' : `, ${describeNode(c.db)}`} and ${describeNode(q)}: ${QDQ_FUSION_NOTE}${note}`;
  const opType = `DequantizeLinear+${op.opType}+QuantizeLinear`;
  if (isConv) {
    const l = lowerConv(sub, qop);
    return { layer: { ...l, node, opType }, info: { dtype: l.outDtype, shape: [l.batch, l.channels, l.outH, l.outW] } };
  }
  const { layer, outShape } = lowerMatMul(sub, qop);
  // QLinearMatMul has no bias: the Gemm's is added to the accumulator start (int32 wrap-around, as QLinearConv's)
  const acc = Int32Array.from(layer.bias);
  if (bias !== undefined) for (let j = 0; j < acc.length; j++) acc[j] = acc[j]! + bias[j % channels]!;
  return { layer: { ...layer, bias: acc, node, opType }, info: { dtype: layer.outDtype, shape: outShape } };
}

/** What a materialized integer-codes activation stands for: value = float32(float32(code - zp) * scale). */
interface CodesMeta {
  readonly zp: number;
  readonly scale: number;
  /** The codes' integer range. */
  readonly range: readonly [number, number];
}

/**
 * Lowers a graph. `constants` binds graph inputs to fixed values (they become initializers).
 * Nodes whose inputs are all constants (and Shape of a tensor with a static shape) are folded at
 * compile time with the reference evaluator. Every unsupported node is reported (never thrown);
 * nodes that depend on a failed node are skipped without further messages.
 */
export function lower(graph: NnGraph, constants: ReadonlyMap<string, Tensor> = new Map()): CompileResult<Lowered> {
  const d = new Diags(graph.name === '' ? '<model>' : graph.name);
  const consts = new Map<string, Tensor>(graph.initializers);
  for (const [k, v] of constants) consts.set(k, v);
  const acts = new Map<string, ActInfo>();
  const ctx: Ctx = { consts, acts };
  const inputs: string[] = [];
  /** Shapes of every run-time tensor seen (materialized or pending), for Shape folding. */
  const shapes = new Map<string, readonly number[]>();
  for (const vi of graph.inputs) {
    if (consts.has(vi.name)) continue;
    if (vi.dtype === undefined || !isActDType(vi.dtype) || vi.dtype === 'int32') {
      d.error('unsupported-dtype', `graph input '${vi.name}' has type ${vi.dtype ?? 'unknown'}; the compiler takes uint8, int8 or float32 inputs`, 'quantize the input outside the network, or bind it with opts.constants');
      continue;
    }
    if (vi.shape === undefined || vi.shape.some((s) => typeof s !== 'number' || s <= 0)) {
      d.error('dynamic-shape', `graph input '${vi.name}' has shape [${(vi.shape ?? []).join(',')}]; the compiler needs every dimension fixed`);
      continue;
    }
    acts.set(vi.name, { dtype: vi.dtype, shape: vi.shape as number[] });
    shapes.set(vi.name, vi.shape as number[]);
    inputs.push(vi.name);
  }
  const opsets = graph.opsets;
  const qconsts = new Map<string, QConst>();
  const folded = new Set<NnNode>();
  /** Folds a node whose inputs are all constants (or a Shape of a known shape); false when it is not foldable. */
  const tryFold = (n: NnNode): boolean => {
    const known = n.domain === '' || n.domain === 'ai.onnx' || isQonnxDomain(n.domain);
    if (!known) return false;
    let outs: Tensor[];
    if (n.opType === 'Shape' && shapes.has(n.inputs[0] ?? '')) {
      outs = foldNode(n, consts, opsets, new Map([[n.inputs[0]!, zeros('float32', shapes.get(n.inputs[0]!)!)]]));
    } else {
      if (!n.inputs.every((i) => i === '' || consts.has(i))) return false;
      outs = foldNode(n, consts, opsets);
    }
    n.outputs.filter((o) => o !== '').forEach((o, k) => consts.set(o, outs[k]!));
    const o = n.outputs[0] ?? '';
    const x = n.inputs[0] ?? '';
    if (isQonnxDomain(n.domain) && (n.opType === 'Quant' || n.opType === 'BipolarQuant')) {
      const q = quantConst(n, consts, outs[0]!);
      if (q !== undefined) qconsts.set(o, q);
    } else if ((n.domain === '' || n.domain === 'ai.onnx') && MOVE_OPS.includes(n.opType) && qconsts.has(x)) {
      const q = qconsts.get(x)!;
      const [codes] = foldNode(n, consts, opsets, new Map([[x, q.codes]]));
      const [scale] = foldNode(n, consts, opsets, new Map([[x, q.scale]]));
      qconsts.set(o, { codes: codes!, scale: scale! });
    }
    folded.add(n);
    return true;
  };
  const failed = new Set<string>();
  // constant folding before lowering (so fusion decisions see every constant)
  for (const n of graph.nodes) {
    try {
      tryFold(n);
    } catch (e) {
      if (!(e instanceof NodeError)) throw e;
      d.error(e.code, `${describeNode(n)}: ${e.message}`, e.hint);
      folded.add(n);
      n.outputs.forEach((o) => failed.add(o));
    }
  }
  const layers: Layer[] = [];
  const chains = findQdqChains(graph, consts);
  const inChain = new Set<NnNode>([...chains.values()].flatMap((c) => [c.da, c.db, c.bin]));
  const dots = findQdqDots(graph);
  for (const q of [...dots.keys()]) if (chains.has(q)) dots.delete(q);
  for (const c of dots.values()) inChain.add(c.op);
  // activation, weight and bias DequantizeLinear nodes read only by fused dot products are not lowered
  const readers = new Map<string, NnNode[]>();
  for (const n of graph.nodes) {
    for (const i of n.inputs) {
      const r = readers.get(i);
      if (r === undefined) readers.set(i, [n]);
      else r.push(n);
    }
  }
  const graphOuts = new Set(graph.outputs.map((o) => o.name));
  const fusedOps = new Set([...dots.values()].map((c) => c.op));
  for (const c of dots.values()) {
    for (const d of [c.dx, c.dw, c.db]) {
      const o = d?.outputs[0];
      if (d !== undefined && o !== undefined && !graphOuts.has(o) && (readers.get(o) ?? []).every((r) => fusedOps.has(r))) inChain.add(d);
    }
  }
  // a DequantizeLinear of a constant read only by Conv/MatMul/Gemm nodes that are not fused: the
  // unsupported-op diagnostic of the reader says why (not a constant-activation one here)
  for (const n of graph.nodes) {
    const o = n.outputs[0];
    if (n.opType !== 'DequantizeLinear' || !consts.has(n.inputs[0] ?? '') || o === undefined || graphOuts.has(o)) continue;
    const rs = readers.get(o) ?? [];
    if (rs.length > 0 && rs.every((r) => DOT_OPS.includes(r.opType) && (r.domain === '' || r.domain === 'ai.onnx'))) inChain.add(n);
  }
  const opset = graph.opsets.get('') ?? 13;

  // ---- QONNX: element-wise chains (pending until their single reader extends or needs them) and codes
  const pending = new Map<string, Lazy>();
  const codes = new Map<string, CodesMeta>();
  const floatCopies = new Map<string, string>();
  const isStd = (n: NnNode): boolean => n.domain === '' || n.domain === 'ai.onnx';
  /** A Clip on the int8 / uint8 graph tensor itself (not on QONNX codes, whose graph values are float). */
  const isCodeClip = (n: NnNode): boolean => {
    if (!isStd(n) || n.opType !== 'Clip') return false;
    const x = n.inputs[0] ?? '';
    const info = pending.has(x) ? undefined : acts.get(x);
    return info !== undefined && (info.dtype === 'int8' || info.dtype === 'uint8') && !codes.has(x);
  };
  /** The run-time input a chain op extends (-1: the node is not a chain op on the current constants). */
  const chainInput = (n: NnNode): number => {
    const c = (i: number): boolean => (n.inputs[i] ?? '') === '' || consts.has(n.inputs[i]!);
    const rt = (i: number): boolean => (n.inputs[i] ?? '') !== '' && !consts.has(n.inputs[i]!);
    if (isQonnxDomain(n.domain)) {
      if (n.opType === 'Quant') return rt(0) && c(1) && c(2) && c(3) ? 0 : -1;
      if (n.opType === 'BipolarQuant') return rt(0) && c(1) ? 0 : -1;
      return -1;
    }
    if (!isStd(n)) return -1;
    switch (n.opType) {
      case 'Add': case 'Sub': case 'Mul': case 'Div':
        if (rt(0) && !rt(1)) return 0;
        if (rt(1) && !rt(0)) return 1;
        return -1;
      case 'BatchNormalization': return rt(0) && [1, 2, 3, 4].every(c) ? 0 : -1;
      case 'Clip': return rt(0) && c(1) && c(2) && !isCodeClip(n) ? 0 : -1;
      case 'Round': return rt(0) ? 0 : -1;
    }
    return -1;
  };
  const chainLayer = (lz: Lazy, steps: readonly ChainStep[], outDtype: 'float32' | 'int8' | 'uint8'): FloatLayer => {
    const E = sizeOf(lz.shape);
    const perChannel = steps.some((s) => 'c' in s && s.c.length > 1);
    const channels = perChannel ? lz.shape[lz.axis]! : 1;
    const inner = perChannel ? sizeOf(lz.shape.slice(lz.axis + 1)) : E;
    return {
      kind: 'float', node: lz.nodes.join(' + '), opType: lz.opTypes.join('+'), inputs: [lz.src], output: lz.name,
      op: { type: 'chain', inDtype: lz.srcDtype, outDtype, steps, channels, inner }, elements: E, fused: [...lz.fused],
    };
  };
  /** Emits the layer of a pending chain: integer codes when its result allows (not for graph outputs), else float32. */
  const materialize = (name: string): void => {
    const lz = pending.get(name);
    if (lz === undefined) return;
    pending.delete(name);
    const plan: CodesPlan | undefined = graphOuts.has(name) ? undefined : codesPlan(lz);
    if (plan !== undefined) {
      if (plan.keep === 0) {
        const src = acts.get(lz.src)!;
        layers.push({ kind: 'alias', node: lz.nodes.join(' + '), opType: lz.opTypes.join('+'), input: lz.src, output: name, shape: [...lz.shape] });
        acts.set(name, { dtype: src.dtype, shape: [...lz.shape], codes: { scale: plan.scale, zeroPoint: plan.zp } });
      } else {
        // the sign of a zero cannot change an integer code unless a later step divides by the value: x + (+0) is dropped
        const kept = lz.steps.slice(0, plan.keep);
        const steps = kept.filter((st, i) => !(st.k === 'add' && st.c.length === 1 && Object.is(st.c[0], 0) && !kept.slice(i + 1).some((t) => t.k === 'rdiv')));
        layers.push(chainLayer(lz, steps, plan.dtype));
        acts.set(name, { dtype: plan.dtype, shape: [...lz.shape], codes: { scale: plan.scale, zeroPoint: plan.zp } });
      }
      codes.set(name, { zp: plan.zp, scale: plan.scale, range: plan.range });
      return;
    }
    layers.push(chainLayer(lz, lz.steps, 'float32'));
    acts.set(name, { dtype: 'float32', shape: [...lz.shape] });
  };
  /** A chain starting at a materialized tensor (codes are dequantized by its first steps). */
  const startLazy = (name: string): Lazy => {
    const info = acts.get(name);
    if (info === undefined) {
      if (consts.has(name)) fail('constant-activation', `input '${name}' is a constant`);
      return fail('missing-input', `input '${name}' is not available`);
    }
    const meta = codes.get(name);
    if (info.dtype !== 'float32' && meta === undefined) fail('unsupported-dtype', `input '${name}' has type ${info.dtype}; element-wise float ops are compiled on float32 tensors or QONNX Quant outputs`);
    const steps = meta === undefined ? [] : dequantSteps(meta.zp, meta.scale);
    const states = [loadState(info.dtype, meta?.range)];
    for (const s of steps) states.push(stepState(states[states.length - 1]!, s));
    return { name, src: name, srcDtype: info.dtype, shape: info.shape, steps, states, axis: -1, nodes: [], opTypes: [], fused: [] };
  };
  /** Keeps a new chain pending when its only reader extends it, else materializes it now. */
  const settle = (lz: Lazy): void => {
    pending.set(lz.name, lz);
    shapes.set(lz.name, lz.shape);
    const rs = (readers.get(lz.name) ?? []).filter((r) => !(r.opType === 'Shape' && isStd(r)));
    if (graphOuts.has(lz.name) || rs.length !== 1 || rs[0]!.inputs.filter((i) => i === lz.name).length !== 1 || rs[0]!.inputs[chainInput(rs[0]!)] !== lz.name) materialize(lz.name);
  };
  /** A float32 version of a tensor (codes dequantized into a new buffer `<name>::f32`). */
  const floatOf = (name: string): string => {
    materialize(name);
    const meta = codes.get(name);
    if (meta === undefined) return name;
    const have = floatCopies.get(name);
    if (have !== undefined) return have;
    const lz = { ...startLazy(name), name: `${name}::f32`, nodes: [`dequantized codes of '${name}'`], opTypes: ['Dequantize'] };
    layers.push(chainLayer(lz, lz.steps, 'float32'));
    acts.set(lz.name, { dtype: 'float32', shape: [...lz.shape] });
    floatCopies.set(name, lz.name);
    return lz.name;
  };

  /**
   * Clip on int8 / uint8 codes with constant bounds. Folded into the producer's saturation when
   * the producer requantizes (QLinearConv / QLinearMatMul / fused QDQ dot product: `Requant`
   * bounds; QuantizeLinear / fused DQ -> Add/Mul -> Q: the output `clamp`) and the Clip is the
   * only reader of its input, which is not a graph output: clamping the rounded value to
   * [lo_q, hi_q] then to [lo, hi] is clamping it to [clamp(lo_q, lo, hi), clamp(hi_q, lo, hi)]
   * (exact; [max(lo_q, lo), min(hi_q, hi)] when the ranges overlap). The
   * producer then writes the Clip's output. Otherwise a stand-alone element-wise layer (the chain
   * `max lo, min hi` on the codes: exact, every int8 / uint8 value is a float32).
   */
  const lowerCodeClip = (n: NnNode): void => {
    const x = activation(ctx, n, 0, 'input');
    const dt = x.info.dtype as 'int8' | 'uint8';
    const [tlo, thi] = INT_RANGE[dt]!;
    const bound = (i: number, what: string, attr: string): number | undefined => {
      if (opset < 11) return n.attributes.has(attr) ? attrFloat(n, attr, 0) : undefined;
      if ((n.inputs[i] ?? '') === '') return undefined;
      const t = constant(ctx, n, i, what, true)!;
      if (t.data.length !== 1) fail('unsupported-shape', `${what} '${n.inputs[i]}' must be a scalar, has ${t.data.length} values`);
      return Number(t.data[0]!);
    };
    const blo = bound(1, 'the min bound', 'min');
    const bhi = bound(2, 'the max bound', 'max');
    // integer codes: v < lo <=> v < ceil(lo), v > hi <=> v > floor(hi)
    const lo = Math.max(tlo, blo === undefined ? tlo : Math.ceil(blo));
    const hi = Math.min(thi, bhi === undefined ? thi : Math.floor(bhi));
    if (lo > hi) fail('unsupported-attribute-value', `the bounds [${blo ?? '-inf'}, ${bhi ?? 'inf'}] are empty on ${dt} codes`);
    if ((blo !== undefined && !Number.isInteger(blo)) || (bhi !== undefined && !Number.isInteger(bhi))) fail('unsupported-attribute-value', `non-integer bounds on ${dt} codes`);
    const T = n.outputs[0] ?? '';
    const clipNote = `${describeNode(n)} [${lo}, ${hi}]`;
    const rs = readers.get(x.name) ?? [];
    const sole = !graphOuts.has(x.name) && rs.length === 1 && rs[0] === n && n.inputs.filter((i) => i === x.name).length === 1;
    const writer = (t: string): number => {
      for (let k = layers.length - 1; k >= 0; k--) if (layers[k]!.output === t) return k;
      return -1;
    };
    const soleReader = (t: string, r: NnNode): boolean => {
      const rr = readers.get(t) ?? [];
      return !graphOuts.has(t) && rr.length === 1 && rr[0] === r && r.inputs.filter((i) => i === t).length === 1;
    };
    let pi = writer(x.name);
    // through Reshape-like aliases, each the only reader of its input: the producer clamps and the
    // Clip becomes one more alias (not when a convolution reads the Clip's output: a padded
    // buffer cannot be reshaped)
    let through = false;
    const convReads = (readers.get(T) ?? []).some((r) => r.opType.includes('Conv'));
    if (sole && !convReads) {
      let k = pi;
      let reader: NnNode = n;
      let t = x.name;
      while (k >= 0 && layers[k]!.kind === 'alias' && soleReader(t, reader)) {
        const al = layers[k] as AliasLayer;
        const an = graph.nodes.find((g) => g.outputs[0] === al.output && describeNode(g) === al.node);
        if (an === undefined || !soleReader(al.input, an)) break;
        reader = an;
        t = al.input;
        k = writer(t);
      }
      if (k !== pi && k >= 0 && layers[k]!.kind !== 'alias') {
        pi = k;
        through = true;
      }
    }
    const p = pi < 0 ? undefined : layers[pi]!;
    let folded: Layer | undefined;
    // clamp(clamp(v, a, b), lo, hi) = clamp(v, clamp(a, lo, hi), clamp(b, lo, hi)) for a <= b, lo <= hi
    const clampTo = (v: number): number => Math.min(hi, Math.max(lo, v));
    if (sole && p !== undefined) {
      const gname = (l: DotLayer): string | undefined => l.graphNode ?? graph.nodes.find((g) => describeNode(g) === l.node)?.name;
      if (p.kind === 'dot' && p.requant !== undefined) {
        const rq = p.requant;
        const g = gname(p);
        folded = {
          ...p, output: T, opType: `${p.opType}+Clip`, requant: { ...rq, lo: clampTo(rq.lo), hi: clampTo(rq.hi) }, ...(g === undefined ? {} : { graphNode: g }),
        };
      } else if (p.kind === 'float' && (p.op.type === 'quantize' || p.op.type === 'qdqBinary')) {
        const narrow = (q: TensorQuant): TensorQuant => {
          const [qlo, qhi] = q.clamp ?? INT_RANGE[q.dtype]!;
          return { ...q, clamp: [clampTo(qlo), clampTo(qhi)] };
        };
        const op: FloatOp = p.op.type === 'quantize' ? { ...p.op, q: narrow(p.op.q) } : { ...p.op, out: narrow(p.op.out) };
        folded = { ...p, output: T, op, opType: `${p.opType}+Clip`, node: `${p.node} + ${clipNote} (folded into the quantization clamp)`, fused: [...p.fused, x.name] };
      }
    }
    if (folded !== undefined && through) {
      // the producer keeps its output (read by the aliases); the Clip aliases its input
      layers[pi] = { ...folded, output: p!.output, ...(folded.kind === 'float' ? { fused: (p as FloatLayer).fused } : {}) } as Layer;
      layers.push({ kind: 'alias', node: `${clipNote} (folded into the clamp of ${p!.node})`, opType: 'Clip', input: x.name, output: T, shape: [...x.info.shape] });
      acts.set(T, { dtype: dt, shape: [...x.info.shape] });
      shapes.set(T, x.info.shape);
      return;
    }
    if (folded !== undefined) {
      layers[pi] = folded;
      acts.delete(x.name);
      acts.set(T, { dtype: dt, shape: [...x.info.shape] });
      shapes.set(T, x.info.shape);
      return;
    }
    const steps: ChainStep[] = [];
    if (lo > tlo) steps.push({ k: 'max', c: Float32Array.of(lo) });
    if (hi < thi) steps.push({ k: 'min', c: Float32Array.of(hi) });
    const E = sizeOf(x.info.shape);
    // (bounds that cannot clip: a copy, not an alias, so both tensors may have their own padding)
    layers.push({
      kind: 'float', node: clipNote, opType: 'Clip', inputs: [x.name], output: T,
      op: { type: 'chain', inDtype: dt, outDtype: dt, steps, channels: 1, inner: E }, elements: E, fused: [],
    });
    acts.set(T, { dtype: dt, shape: [...x.info.shape] });
    shapes.set(T, x.info.shape);
  };

  /** The steps of a chain op (with the per-channel axis of each). */
  const opSteps = (n: NnNode, xi: number, shape: readonly number[], bounds: () => readonly [number, number]): { step: ChainStep; axis: number }[] => {
    const cst = (i: number, what: string): Tensor => {
      const t = consts.get(n.inputs[i] ?? '');
      if (t === undefined) fail('non-constant-input', `${what} '${n.inputs[i] ?? ''}' must be a constant`);
      return t!;
    };
    const ch = (t: Tensor, what: string): { c: Float32Array; axis: number } => {
      if (t.dtype !== 'float32') fail('unsupported-dtype', `${what} has type ${t.dtype}; float32 constants are supported`);
      const r = channelsOf(t, shape, what);
      return { c: r.values, axis: r.axis };
    };
    if (isQonnxDomain(n.domain) && n.opType === 'Quant') {
      const p = quantParams(n, consts);
      const s = ch(p.scale, 'the scale');
      const z = ch(p.zp, 'the zero point');
      const out: { step: ChainStep; axis: number }[] = [{ step: { k: 'div', c: s.c }, axis: s.axis }, { step: { k: 'add', c: z.c }, axis: z.axis }];
      out.push({ step: { k: 'max', c: Float32Array.of(p.lo) }, axis: -1 }, { step: { k: 'min', c: Float32Array.of(p.hi) }, axis: -1 });
      out.push({ step: roundStep(p.mode, [p.lo, p.hi]), axis: -1 });
      out.push({ step: { k: 'sub', c: z.c }, axis: z.axis }, { step: { k: 'mul', c: s.c }, axis: s.axis });
      return out;
    }
    if (isQonnxDomain(n.domain) && n.opType === 'BipolarQuant') {
      const s = ch(cst(1, 'the scale'), 'the scale');
      return [{ step: { k: 'sign' }, axis: -1 }, { step: { k: 'mul', c: s.c }, axis: s.axis }];
    }
    switch (n.opType) {
      case 'Add': case 'Sub': case 'Mul': case 'Div': {
        const c = ch(cst(1 - xi, 'the constant operand'), `the constant operand '${n.inputs[1 - xi]}'`);
        const k = n.opType === 'Add' ? 'add' : n.opType === 'Mul' ? 'mul' : n.opType === 'Sub' ? (xi === 0 ? 'sub' : 'rsub') : xi === 0 ? 'div' : 'rdiv';
        return [{ step: { k, c: c.c }, axis: c.axis }];
      }
      case 'BatchNormalization': {
        if (n.outputs.filter((o) => o !== '').length > 1) fail('unsupported-attribute-value', 'training-mode outputs are not supported');
        if (shape.length < 2) fail('unsupported-shape', `BatchNormalization needs an input of rank >= 2, has [${shape.join(',')}]`);
        const C = shape[1]!;
        const [sc, b, mean, v] = [1, 2, 3, 4].map((i) => cst(i, ['', 'scale', 'B', 'mean', 'var'][i]!));
        for (const t of [sc!, b!, mean!, v!]) if (t.data.length !== C) fail('shape-mismatch', `BatchNormalization parameters need ${C} values (channels), have ${t.data.length}`);
        // the evaluator's (onnxruntime's) float32 formula: scale = sc / sqrt(var + eps), bias = B - mean * scale
        const f = Math.fround;
        const eps = f(attrFloat(n, 'epsilon', 1e-5));
        const scale = new Float32Array(C);
        const bias = new Float32Array(C);
        for (let c = 0; c < C; c++) {
          const inv = f(1 / f(Math.sqrt(f(v!.data[c]! + eps))));
          scale[c] = f(inv * sc!.data[c]!);
          bias[c] = f(b!.data[c]! - f(mean!.data[c]! * scale[c]!));
        }
        const one = (a: Float32Array): { c: Float32Array; axis: number } => (a.every((x) => Object.is(x, a[0])) ? { c: Float32Array.of(a[0]!), axis: -1 } : { c: a, axis: 1 });
        const m = one(scale);
        const a = one(bias);
        return [{ step: { k: 'mul', c: m.c }, axis: m.axis }, { step: { k: 'add', c: a.c }, axis: a.axis }];
      }
      case 'Clip': {
        const out: { step: ChainStep; axis: number }[] = [];
        const lo = opset >= 11 ? (n.inputs[1] ?? '') === '' ? undefined : cst(1, 'min') : n.attributes.has('min') ? tensor('float32', [], [attrFloat(n, 'min', 0)]) : undefined;
        const hi = opset >= 11 ? (n.inputs[2] ?? '') === '' ? undefined : cst(2, 'max') : n.attributes.has('max') ? tensor('float32', [], [attrFloat(n, 'max', 0)]) : undefined;
        if (lo !== undefined) out.push({ step: { k: 'max', c: Float32Array.of(lo.data[0]!) }, axis: -1 });
        if (hi !== undefined) out.push({ step: { k: 'min', c: Float32Array.of(hi.data[0]!) }, axis: -1 });
        return out;
      }
      case 'Round': return [{ step: roundStep('ROUND', bounds()), axis: -1 }];
    }
    return fail('unsupported-op', `internal: ${n.opType} is not a chain op`);
  };
  /** Lowers a chain op: extends the pending chain of its input (or starts one) and settles it. */
  const lowerChainOp = (n: NnNode, xi: number): void => {
    const xname = n.inputs[xi]!;
    const T = n.outputs[0] ?? '';
    const node = describeNode(n);
    const opType = n.opType;
    const apply = (lz: Lazy): Lazy | undefined => {
      // Round's bounds come from the chain state just before it
      let cur: Lazy | undefined = lz;
      const steps = opSteps(n, xi, lz.shape, () => cur!.states[cur!.states.length - 1]!.bounds);
      for (const s of steps) {
        cur = extend(cur, T, s.step, s.axis, node, opType);
        if (cur === undefined) return undefined;
      }
      if (steps.length === 0) cur = { ...cur, name: T, nodes: [...cur.nodes, node], opTypes: [...cur.opTypes, opType], fused: cur.name === cur.src ? cur.fused : [...cur.fused, cur.name] };
      return cur;
    };
    const lz = pending.get(xname);
    pending.delete(xname);
    let out = lz === undefined ? undefined : apply(lz);
    if (out === undefined) {
      if (lz !== undefined) {
        pending.set(xname, lz);
        materialize(xname);
      }
      out = apply(startLazy(xname));
      if (out === undefined) fail('unsupported-shape', 'its constants vary along an axis other than the channel axis of the fused chain, or it needs too many constants');
    }
    settle(out!);
  };

  /** Conv / MatMul / Gemm on QONNX codes with quantized constant weights: an integer DotLayer + a pending float epilogue. */
  const lowerQonnxDot = (n: NnNode): void => {
    const aName = n.inputs[0] ?? '';
    materialize(aName);
    const meta = codes.get(aName);
    const a = activation(ctx, n, 0, 'input');
    if (meta === undefined) {
      fail('unsupported-op', `the compiler does not support ${n.opType} on ${a.info.dtype} input '${aName}' (not the integer output of a QONNX Quant / BipolarQuant with a per-tensor scale and an integer zero point)`,
        `a float ${n.opType} is compiled only as DequantizeLinear -> ${n.opType} -> QuantizeLinear (its output read by the QuantizeLinear only), or on QONNX Quant outputs with Quant-ed constant weights`);
    }
    const wName = n.inputs[1] ?? '';
    const wv = consts.get(wName);
    if (wv === undefined) fail('non-constant-input', `the weight '${wName}' must be a constant (a Quant / BipolarQuant of an initializer, possibly transposed or reshaped, or an integer-valued initializer)`);
    const wq = qconsts.get(wName) ?? integerConst(wv!);
    if (wq === undefined) fail('unsupported-dtype', `the weight '${wName}' is a float constant that is neither the output of a QONNX Quant / BipolarQuant (folded) nor integer-valued; the compiler needs integer weight codes`);
    const T = n.outputs[0] ?? '';
    const acc = `${T}::acc`;
    const extra = new Map<string, Tensor>();
    const nm = (s: string, t: Tensor): string => {
      extra.set(`${acc}::${s}`, t);
      return `${acc}::${s}`;
    };
    const azp = nm('xzp', tensor(a.info.dtype, [], [meta!.zp]));
    /** The constants with this layer's synthetic operands (codes, zero points) added. */
    const sub = (): Ctx => ({ consts: new Map([...consts, ...extra]), acts });
    /** Per output channel weight scales: the scale must be constant over everything but `axis` of `shape`. */
    const channelScales = (scale: Tensor, axis: number): Float32Array => {
      const shape = scale.shape;
      const C = shape[axis]!;
      const inner = sizeOf(shape.slice(axis + 1));
      const out = new Float32Array(C).fill(Number.NaN);
      for (let k = 0; k < scale.data.length; k++) {
        const c = Math.floor(k / inner) % C;
        const v = scale.data[k]!;
        if (Number.isNaN(out[c]!)) out[c] = v;
        else if (!Object.is(out[c], v)) fail('unsupported-attribute-value', `the weight scales of '${wName}' vary along another axis than the output channels (axis ${axis} of [${shape.join(',')}])`);
      }
      return out;
    };
    let layer: DotLayer;
    let outShape: number[];
    let mults: Float32Array;
    let chanAxis: number;
    const post: { step: ChainStep; axis: number }[] = [];
    const opNote = `${describeNode(n)} on the QONNX codes of '${aName}' (int32 accumulation, float32 epilogue)`;
    if (n.opType === 'Conv') {
      const w = weightTensor(wq!.codes, wq!.codes.shape, `'${wName}'`);
      mults = channelScales(wq!.scale, 0);
      const ins = [aName, nm('w', w.w), azp, w.zp === undefined ? '' : nm('wzp', w.zp)];
      const l = lowerConv(sub(), { ...n, opType: 'ConvInteger', domain: '', inputs: ins, outputs: [acc] });
      layer = l;
      outShape = [l.batch, l.channels, l.outH, l.outW];
      chanAxis = 1;
      const bName = n.inputs[2] ?? '';
      if (bName !== '') {
        const bt = consts.get(bName);
        if (bt === undefined || bt.dtype !== 'float32') fail('non-constant-input', `the bias '${bName}' must be a float32 constant`);
        const bv = Float32Array.from(expandTo(bt!, [l.channels]));
        post.push({ step: { k: 'add', c: bv.every((v) => Object.is(v, bv[0])) ? Float32Array.of(bv[0]!) : bv }, axis: 1 });
      }
    } else {
      let codesT = wq!.codes;
      let scaleT = wq!.scale;
      if (n.opType === 'Gemm') {
        if (attrInt(n, 'transA', 0) !== 0) fail('unsupported-attribute-value', 'Gemm with transA = 1 is not supported');
        if (a.info.shape.length !== 2 || codesT.shape.length !== 2) fail('unsupported-shape', `Gemm needs 2-D A and B; A [${a.info.shape.join(',')}], B [${codesT.shape.join(',')}]`);
        if (attrInt(n, 'transB', 0) !== 0) {
          const tr: NnNode = { name: 'transB', index: n.index, opType: 'Transpose', domain: '', inputs: ['b'], outputs: ['bt'], attributes: new Map([['perm', { kind: 'ints', value: [1, 0] }]]) };
          codesT = foldNode(tr, new Map([['b', codesT]]), opsets)[0]!;
          scaleT = foldNode(tr, new Map([['b', scaleT]]), opsets)[0]!;
        }
      } else if (codesT.shape.length < 2) fail('unsupported-shape', `constant B must have rank >= 2, has shape [${codesT.shape.join(',')}]`);
      const w = weightTensor(codesT, codesT.shape, `'${wName}'`);
      mults = channelScales(scaleT, scaleT.shape.length - 1);
      const ins = [aName, nm('w', w.w), azp, w.zp === undefined ? '' : nm('wzp', w.zp)];
      const r = lowerMatMul(sub(), { ...n, opType: 'MatMulInteger', domain: '', inputs: ins, outputs: [acc] });
      layer = r.layer;
      outShape = r.outShape;
      chanAxis = outShape.length - 1;
      if (n.opType === 'Gemm') {
        const alpha = Math.fround(attrFloat(n, 'alpha', 1));
        const beta = Math.fround(attrFloat(n, 'beta', 1));
        if (alpha !== 1) post.push({ step: { k: 'mul', c: Float32Array.of(alpha) }, axis: -1 });
        const cName = n.inputs[2] ?? '';
        if (cName !== '') {
          const ct = consts.get(cName);
          if (ct === undefined || ct.dtype !== 'float32') fail('non-constant-input', `the bias C '${cName}' must be a float32 constant`);
          const cb = tensor('float32', ct!.shape, Array.from(ct!.data, (v) => Math.fround(beta * v)));
          const r2 = channelsOf(cb, outShape, `the bias C '${cName}'`);
          post.push({ step: { k: 'add', c: r2.values }, axis: r2.axis });
        }
      }
    }
    const [rlo, rhi] = meta!.range;
    layers.push({ ...layer, node: opNote, opType: `Quant+${n.opType}`, graphNode: n.name, inRange: [Math.min(rlo, meta!.zp), Math.max(rhi, meta!.zp)] });
    acts.set(acc, { dtype: 'int32', shape: outShape });
    shapes.set(acc, outShape);
    // the epilogue: int32 -> float32 times x_scale * w_scale (per channel), then bias etc.
    const m = Float32Array.from(mults, (s) => Math.fround(meta!.scale * s));
    let lz: Lazy = { name: acc, src: acc, srcDtype: 'int32', shape: outShape, steps: [], states: [loadState('int32', undefined)], axis: -1, nodes: [`epilogue of ${describeNode(n)}`], opTypes: [`${n.opType}-epilogue`], fused: [] };
    const steps: { step: ChainStep; axis: number }[] = [];
    if (!m.every((v) => v === 1)) steps.push({ step: { k: 'mul', c: m.every((v) => Object.is(v, m[0])) ? Float32Array.of(m[0]!) : m }, axis: chanAxis });
    steps.push(...post);
    for (const s of steps) lz = extend(lz, T, s.step, s.axis, `epilogue of ${describeNode(n)}`, `${n.opType}-epilogue`) ?? fail('unsupported-shape', 'the epilogue constants vary along different axes');
    settle({ ...lz, name: T });
  };

  for (const n of graph.nodes) {
    if (folded.has(n)) continue;
    // the nodes of a fused chain are lowered with its QuantizeLinear
    if (inChain.has(n)) continue;
    const chain = chains.get(n);
    const dot = dots.get(n);
    const reads = dot !== undefined ? [dot.dx.inputs[0] ?? ''] : chain === undefined ? n.inputs : [chain.da.inputs[0] ?? '', chain.db.inputs[0] ?? ''];
    if (reads.some((i) => failed.has(i))) {
      n.outputs.forEach((o) => failed.add(o));
      continue;
    }
    const known = isStd(n);
    try {
      if (tryFold(n)) continue;
      if (isCodeClip(n)) {
        for (const x of n.inputs) materialize(x);
        lowerCodeClip(n);
        continue;
      }
      const ci = dot === undefined && chain === undefined ? chainInput(n) : -1;
      // a pending chain is materialized unless this node extends it
      for (const [i, x] of n.inputs.entries()) if (i !== ci) materialize(x);
      if (dot !== undefined || chain !== undefined) for (const x of reads) materialize(x);
      if (ci >= 0) {
        lowerChainOp(n, ci);
        continue;
      }
      if (dot !== undefined) {
        const { layer, info } = lowerQdqDot(ctx, n, dot);
        acts.set(layer.output, info);
        layers.push(layer);
      } else if (chain !== undefined) {
        const { layer, info } = lowerQdqChain(ctx, n, chain);
        acts.set(layer.output, info);
        layers.push(layer);
      } else if (known && DOT_OPS.includes(n.opType)) {
        lowerQonnxDot(n);
        continue;
      } else if (known && FLOAT_OPS.includes(n.opType)) {
        const dequantized = n.opType === 'DequantizeLinear' ? n : { ...n, inputs: n.inputs.map((x) => (x === '' || consts.has(x) ? x : floatOf(x))) };
        const { layer, info } = lowerFloat(ctx, dequantized, opset);
        acts.set(layer.output, info);
        layers.push(layer);
      } else if (known && COMPILED_OPS.includes(n.opType)) {
        if (n.opType.endsWith('Conv') || n.opType === 'ConvInteger') {
          const l = lowerConv(ctx, n);
          acts.set(l.output, { dtype: l.outDtype, shape: [l.batch, l.channels, l.outH, l.outW] });
          layers.push(l);
        } else {
          const { layer, outShape } = lowerMatMul(ctx, n);
          acts.set(layer.output, { dtype: layer.outDtype, shape: outShape });
          layers.push(layer);
        }
      } else if (known && ALIAS_OPS.includes(n.opType)) {
        const x = activation(ctx, n, 0, 'input');
        const shape = aliasShape(ctx, n, x.info);
        const l: AliasLayer = { kind: 'alias', node: describeNode(n), opType: n.opType, input: x.name, output: n.outputs[0] ?? '', shape };
        const meta = codes.get(x.name);
        acts.set(l.output, meta === undefined ? { dtype: x.info.dtype, shape } : { dtype: x.info.dtype, shape, codes: { scale: meta.scale, zeroPoint: meta.zp } });
        if (meta !== undefined) codes.set(l.output, meta);
        layers.push(l);
      } else {
        fail('unsupported-op', `the compiler does not support ${n.domain === '' ? '' : `${n.domain}:`}${n.opType} yet`, `supported: ${compilerOpList()}`);
      }
      for (const o of n.outputs) {
        const info = acts.get(o);
        if (info !== undefined) shapes.set(o, info.shape);
      }
    } catch (e) {
      if (!(e instanceof NodeError)) throw e;
      const named = dot === undefined ? describeNode(n) : `${describeNode(dot.op)} (QDQ pattern ending in ${describeNode(n)})`;
      d.error(e.code, `${named}: ${e.message}`, e.hint);
      n.outputs.forEach((o) => failed.add(o));
    }
  }
  for (const name of [...pending.keys()]) materialize(name);
  const outputs: string[] = [];
  for (const o of graph.outputs) {
    if (failed.has(o.name)) continue;
    if (!acts.has(o.name)) {
      d.error('constant-output', `graph output '${o.name}' is not computed by any node the compiler runs (a constant or unknown tensor)`);
      continue;
    }
    if (codes.has(o.name)) {
      d.error('unsupported-layout', `graph output '${o.name}' is the integer codes of a QONNX Quant read through a Reshape-like alias; the compiler does not dequantize graph outputs there yet`, 'make the Quant node\'s own output the graph output');
      continue;
    }
    outputs.push(o.name);
  }
  if (d.failed) return { value: undefined, diagnostics: d.list };
  return { value: { layers, acts, inputs, outputs }, diagnostics: d.list };
}
