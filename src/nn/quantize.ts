/**
 * Mixed-precision quantization for design-space exploration ("Precision"):
 *
 * - {@link requantizeGraph} lowers the weights and activations of an int8/uint8 QOperator graph
 *   (QLinearConv, QLinearMatMul) to 2-8 bits per layer, with uniform, power-of-two (LightPE-1)
 *   or sum-of-two-powers (LightPE-2) weight codes. Codes stay in the 8-bit container.
 * - {@link quantizeFloatGraph} is post-training quantization of a float graph (Conv, MatMul,
 *   bias Add, Relu, MaxPool, Reshape, ...) into the QOperator form with min/max calibration.
 *
 * Both return plain {@link NnGraph}s that the reference evaluator runs and the compiler reads;
 * layers keep the name of the node they came from (the compiler's `targets` name layers by
 * graph node name).
 */
import { SimError } from '../util/index.js';
import { type NnAttribute, type NnGraph, type NnNode, type NnValueInfo, describeNode } from './graph.js';
import { createEvaluator, evaluate } from './eval.js';
import { roundHalfEven } from './quant.js';
import { type DType, type Tensor, INT_RANGE, tensor } from './tensor.js';

const f32 = Math.fround;

// ---------------------------------------------------------------- public types

/** Weight code schemes: uniform integers, 0 / ±2^k (LightPE-1), 0 / ±(2^k1 + 2^k2) (LightPE-2). */
export type WeightScheme = 'uniform' | 'pow2' | 'pow2x2';

/** The precision asked of one layer; absent fields keep the layer's 8 bits. */
export interface LayerPrecision {
  /** Weight bits, an integer 2..8 (default 8 when only `weights` is given). */
  readonly weightBits?: number;
  /** Bits of the layer's output activation codes, an integer 2..8. */
  readonly actBits?: number;
  /** Weight code scheme (default `uniform`). */
  readonly weights?: WeightScheme;
}

/** What {@link requantizeGraph} did to one layer. */
export interface RequantizedLayer {
  /** The graph node's name (the name the compiler's `targets` use). */
  readonly node: string;
  readonly opType: string;
  /** Weight bits applied (absent when the weights were left alone). */
  readonly weightBits?: number;
  /** Output activation bits applied (absent when left at 8). */
  readonly actBits?: number;
  /** Weight scheme applied (with `weightBits`). */
  readonly scheme?: WeightScheme;
  /** Largest |w - zero point| over the weight codes before, in LSB (with `weightBits`). */
  readonly maxAbsCodeBefore?: number;
  /** The same after requantization, in LSB. */
  readonly maxAbsCodeAfter?: number;
  /**
   * Relative RMS error of the real-valued weights `(w - zp) * scale`, in %:
   * `100 * sqrt(sum (w' - w)^2 / sum w^2)` over the whole weight tensor (0 for an all-zero one).
   */
  readonly weightRmsErrorPct?: number;
}

/** Options of {@link requantizeGraph}. */
export interface RequantizeOptions {
  /**
   * How b-bit activations saturate (default `clip`):
   * - `clip`: a `Clip` node (int8/uint8 bounds of the b-bit range, opset >= 12) follows every
   *   producer whose output goes to b < 8 bits, so its codes saturate exactly as a b-bit
   *   requantizer's would. The producer's output is renamed `<tensor>_wide`; the Clip writes the
   *   original tensor name, so consumers and graph outputs are unchanged. (The compiler folds
   *   such a Clip into its producer's requantization clamp: no extra layer, bit-exact.)
   * - `int8`: no node is added; the codes saturate only at the 8-bit container's bounds. Real
   *   values beyond the b-bit range then keep codes beyond it - including the negative
   *   pre-activations a folded ReLU (zero point at the low end) relies on saturation to remove,
   *   so this mode changes the network's function, not only its precision. Measured on ResNet-8
   *   (every QLinearConv and activation QuantizeLinear at 4 bits, CIFAR image 0): 28.2 % of
   *   those layers' output codes fall outside [-8, 7] (24.4 % below, 3.8 % above).
   */
  readonly saturate?: 'clip' | 'int8';
}

/** The result of {@link requantizeGraph}. */
export interface RequantizeResult {
  readonly graph: NnGraph;
  /** One entry per node the precision callback gave a precision for, in graph order. */
  readonly layers: readonly RequantizedLayer[];
}

// ---------------------------------------------------------------- shared helpers

const fail = (n: Pick<NnNode, 'name' | 'index' | 'opType' | 'domain'>, code: string, msg: string): never => {
  throw new SimError(code, `${describeNode(n)}: ${msg}`, { path: n.name });
};

function checkBits(n: NnNode | undefined, what: string, b: number): number {
  if (!Number.isInteger(b) || b < 2 || b > 8) {
    const m = `${what} ${b} is not supported (an integer 2..8)`;
    if (n === undefined) throw new SimError('quantize-bits', m);
    fail(n, 'quantize-bits', m);
  }
  return b;
}

/** The integer code range of `bits`-bit codes in a container type (signed for int8, unsigned for uint8). */
export function codeRange(dtype: DType, bits: number): [number, number] {
  return dtype === 'uint8' ? [0, 2 ** bits - 1] : [-(2 ** (bits - 1)), 2 ** (bits - 1) - 1];
}

/**
 * The non-negative weight magnitudes a scheme can represent at `bits`, ascending, 0 first:
 * `uniform` 0..2^(b-1)-1; `pow2` 0 and 2^k, k = 0..b-2; `pow2x2` 0 and every number with one or
 * two bits set among 2^0..2^(b-2) that fits 2^(b-1)-1 (e.g. b = 4: 0, 1, 2, 3, 4, 5, 6).
 */
export function weightLevels(scheme: WeightScheme, bits: number): readonly number[] {
  const qmax = 2 ** (bits - 1) - 1;
  if (scheme === 'uniform') return Array.from({ length: qmax + 1 }, (_, i) => i);
  const set = new Set<number>([0]);
  for (let i = 0; i <= bits - 2; i++) {
    set.add(2 ** i);
    if (scheme === 'pow2x2') for (let j = 0; j < i; j++) set.add(2 ** i + 2 ** j);
  }
  return [...set].filter((v) => v <= qmax).sort((a, b) => a - b);
}

/** The level nearest |v| in linear value, ties to the smaller magnitude, with v's sign. */
function nearestLevel(v: number, levels: readonly number[]): number {
  const a = Math.abs(v);
  let best = 0;
  for (const l of levels) if (Math.abs(l - a) < Math.abs(best - a)) best = l;
  return v < 0 ? -best : best;
}

function sameTensor(a: Tensor, b: Tensor): boolean {
  if (a.dtype !== b.dtype || a.shape.length !== b.shape.length || !a.shape.every((d, i) => d === b.shape[i]) || a.data.length !== b.data.length) return false;
  for (let i = 0; i < a.data.length; i++) if (!Object.is(a.data[i], b.data[i])) return false;
  return true;
}

const scalarT = (dtype: DType, v: number): Tensor => tensor(dtype, [], [v]);

const INT32: readonly [number, number] = [-2147483648, 2147483647];
const clampTo = (v: number, [lo, hi]: readonly [number, number]): number => (v < lo ? lo : v > hi ? hi : v);

/** Ops that move int8 codes without touching their values (the scale and zero point pass through). */
const CODE_MOVES: readonly string[] = ['Reshape', 'Flatten', 'Squeeze', 'Unsqueeze', 'Transpose', 'Identity', 'MaxPool'];

/** Input slots `[value, scale, zero point]` through which a node reads a quantized activation. */
const QUANT_READS: Readonly<Record<string, readonly (readonly [number, number, number])[]>> = {
  QLinearConv: [[0, 1, 2]],
  QLinearMatMul: [[0, 1, 2], [3, 4, 5]],
  DequantizeLinear: [[0, 1, 2]],
};

/** Output `[scale, zero point]` slots of the ops whose output quantization can be changed. */
const QUANT_WRITES: Readonly<Record<string, readonly [number, number]>> = {
  QLinearConv: [6, 7],
  QLinearMatMul: [6, 7],
  QuantizeLinear: [1, 2],
};

/** A unique name: `base`, else `base_2`, `base_3`, ... */
function uniqueName(used: Set<string>, base: string): string {
  let name = base;
  for (let i = 2; used.has(name); i++) name = `${base}_${i}`;
  used.add(name);
  return name;
}

/** Every tensor and node name of a graph (for minting new names). */
function namesOf(g: NnGraph): Set<string> {
  const s = new Set<string>([...g.initializers.keys(), ...g.inputs.map((i) => i.name), ...g.outputs.map((o) => o.name)]);
  for (const n of g.nodes) {
    s.add(n.name);
    for (const t of [...n.inputs, ...n.outputs]) if (t !== '') s.add(t);
  }
  return s;
}

const node = (name: string, opType: string, inputs: readonly string[], outputs: readonly string[], attributes: ReadonlyMap<string, NnAttribute> = new Map()): NnNode =>
  ({ name, index: -1, opType, domain: '', inputs, outputs, attributes });

/** Renumbers `index` to the position in the list (inserted nodes have no position in a file). */
const renumber = (nodes: readonly NnNode[]): NnNode[] => nodes.map((n, i) => (n.index === i ? n : { ...n, index: i }));

// ---------------------------------------------------------------- requantizeGraph

interface WeightPlan { readonly bits: number; readonly scheme: WeightScheme }

/** The weight input slots (codes, scale, zero point) of a QLinear op. */
function weightSlots(n: NnNode): { w: number; s: number; z: number } | undefined {
  if (n.opType === 'QLinearConv' || n.opType === 'QLinearMatMul') return { w: 3, s: 4, z: 5 };
  return undefined;
}

/**
 * Requantizes an int8/uint8 QOperator graph to per-layer precisions. `precision` is asked once
 * per node (by graph order); `undefined` leaves the node alone.
 *
 * **Weights** (QLinearConv, QLinearMatMul with initializer weights): the codes stay in their
 * int8/uint8 container and keep their zero point zp. Per output channel (per tensor when the
 * weight scale is a single value: then one factor for the whole tensor), with m = max|w - zp|:
 * - `uniform`, qmax = min(2^(b-1) - 1, room in the container around zp): when m > qmax the scale
 *   becomes `float32(scale * m / qmax)` and each code `zp + roundHalfEven((w - zp) * scale /
 *   scale')`; channels that already fit are left exactly as they are (so 8 bits reproduces the
 *   graph whenever no code is at -128 with zp 0).
 * - `pow2`: codes become 0 or ±2^k, k = 0..b-2; `pow2x2`: 0, ±2^k or ±(2^k1 + 2^k2) within
 *   ±(2^(b-1) - 1) (see {@link weightLevels}). The scale becomes `scale * m / top` (top = the
 *   largest level, so the largest |w| keeps its value up to float32 rounding) and each value v
 *   (in new LSB) goes to the level nearest in linear value, ties to the smaller magnitude: for
 *   `pow2` that rounds log2|v| up at 1.5 * 2^k (the arithmetic midpoint, not the geometric
 *   sqrt(2) * 2^k), and |v| <= 0.5 becomes 0. Both need zero point 0 (else
 *   `quantize-unsupported`), so the stored int8 codes themselves are 0 or (sums of) powers of
 *   two and a compiler can recognise them.
 *
 * The QLinearConv bias (int32 at `x_scale * w_scale`) is rescaled to the new scales:
 * `roundHalfEven(bias * (xs * ws) / (xs' * ws'))` in double, saturated to int32 - the real bias
 * moves by at most half an accumulator LSB.
 *
 * **Activations** (`actBits` = b on a QLinearConv, QLinearMatMul or QuantizeLinear: its output
 * tensor), k = 8 - b: the output scale becomes `scale * 2^k` (exact in float32) and the zero
 * point `roundHalfEven(zp / 2^k)` clamped to the b-bit range, on the producer and on EVERY
 * reader's copy - QLinearConv / QLinearMatMul / DequantizeLinear inputs, also through
 * Reshape, Flatten, Squeeze, Unsqueeze, Transpose, Identity and MaxPool on the codes (every
 * reader's copy must equal the producer's, else `quantize-unsupported`). A QLinearConv reading a
 * changed input gets its bias rescaled as above. With `saturate: 'clip'` (default) the codes lie
 * in the b-bit range ([-2^(b-1), 2^(b-1) - 1] for int8, [0, 2^b - 1] for uint8) exactly as a
 * b-bit requantizer computes them (float32 multiplier with the new scales, half to even).
 *
 * What is exact and what is approximate: the arithmetic of the new graph is exact (it is an
 * ordinary QOperator graph). Relative to the 8-bit graph, (1) the zero-point rounding shifts the
 * represented real range by up to half a b-bit LSB; (2) 2^b codes of scale * 2^k cover
 * (2^b - 1) * 2^k of the original 255 steps, so the top 2^k - 1 original steps are clipped
 * (ResNet-8 at 4 bits: 240 of 255); (3) the requantization multiplier of every affected layer is
 * recomputed in float32 from the new scales; (4) bias rounding as above. Graph outputs produced
 * by a changed layer carry codes at the new scale (argmax is unaffected).
 *
 * Not supported (SimError `quantize-unsupported` naming the node): ConvInteger / MatMulInteger
 * (no scale inside the node to absorb a new weight step: the real scale lives in downstream
 * float ops whose pattern is not fixed, so the node is refused rather than silently changed);
 * weights that are not initializers; per-axis activation scales; readers of a changed tensor
 * other than those listed. Bit widths outside 2..8: `quantize-bits`.
 */
export function requantizeGraph(graph: NnGraph, precision: (node: NnNode) => LayerPrecision | undefined, opts: RequantizeOptions = {}): RequantizeResult {
  const saturate = opts.saturate ?? 'clip';
  const inits = graph.initializers;
  const weightPlans = new Map<NnNode, WeightPlan>();
  const actPlans = new Map<NnNode, number>();
  const asked: NnNode[] = [];
  for (const n of graph.nodes) {
    const p = precision(n);
    if (p === undefined) continue;
    asked.push(n);
    const wantsWeights = p.weightBits !== undefined || p.weights !== undefined;
    if (wantsWeights) {
      const bits = checkBits(n, 'weightBits', p.weightBits ?? 8);
      if (n.opType === 'ConvInteger' || n.opType === 'MatMulInteger') {
        fail(n, 'quantize-unsupported', `${n.opType} has no weight scale to absorb a new weight step (its scale lives in downstream float ops); requantize QLinearConv / QLinearMatMul graphs`);
      }
      const ws = weightSlots(n);
      if (ws === undefined) fail(n, 'quantize-unsupported', 'weights can be requantized on QLinearConv and QLinearMatMul only');
      if (!inits.has(n.inputs[ws!.w] ?? '') || !inits.has(n.inputs[ws!.s] ?? '')) fail(n, 'quantize-unsupported', 'the weights and their scale must be initializers');
      weightPlans.set(n, { bits, scheme: p.weights ?? 'uniform' });
    }
    if (p.actBits !== undefined) {
      const bits = checkBits(n, 'actBits', p.actBits);
      if (n.opType === 'ConvInteger' || n.opType === 'MatMulInteger') {
        fail(n, 'quantize-unsupported', `${n.opType} has an int32 output without a scale; its activation precision cannot be changed`);
      }
      if (QUANT_WRITES[n.opType] === undefined) fail(n, 'quantize-unsupported', `activation bits apply to the outputs of ${Object.keys(QUANT_WRITES).join(', ')}`);
      actPlans.set(n, bits);
    }
  }

  // Edits of node inputs (slot -> new constant), resolved to initializer names at the end.
  const edits = new Map<NnNode, Map<number, Tensor>>();
  const current = (n: NnNode, slot: number): Tensor | undefined => edits.get(n)?.get(slot) ?? inits.get(n.inputs[slot] ?? '');
  const edit = (n: NnNode, slot: number, t: Tensor): void => {
    const old = inits.get(n.inputs[slot] ?? '');
    if (old !== undefined && sameTensor(old, t)) return;
    if ((n.inputs[slot] ?? '') === '') fail(n, 'quantize-unsupported', `input ${slot} (a zero point) is absent; it cannot be changed`);
    let m = edits.get(n);
    if (m === undefined) edits.set(n, (m = new Map()));
    m.set(slot, t);
  };
  const consumers = new Map<string, { n: NnNode; slot: number }[]>();
  for (const n of graph.nodes) n.inputs.forEach((x, slot) => {
    if (x === '') return;
    let l = consumers.get(x);
    if (l === undefined) consumers.set(x, (l = []));
    l.push({ n, slot });
  });

  // ---- activations
  const clips = new Map<NnNode, { bits: number; dtype: DType }>();
  for (const [n, bits] of actPlans) {
    if (bits === 8) continue;
    const [ss, zs] = QUANT_WRITES[n.opType]!;
    const s = current(n, ss);
    const z = current(n, zs);
    if (s === undefined) return fail(n, 'quantize-unsupported', `the output scale '${n.inputs[ss] ?? ''}' must be an initializer`);
    if (s.data.length !== 1) fail(n, 'quantize-unsupported', 'per-axis output scales are not supported');
    const dtype: DType = z?.dtype ?? 'uint8';
    if (dtype !== 'int8' && dtype !== 'uint8') fail(n, 'quantize-unsupported', `output type ${dtype} is not int8 or uint8`);
    const k = 2 ** (8 - bits);
    const sv = s.data[0]!;
    const zv = z === undefined ? 0 : z.data[0]!;
    const ns = scalarT('float32', f32(sv * k));
    const nzv = clampTo(roundHalfEven(zv / k), codeRange(dtype, bits));
    const nz = tensor(dtype, z?.shape ?? [], [nzv]);
    edit(n, ss, { ...ns, shape: [...s.shape] });
    if (z !== undefined) edit(n, zs, nz);
    else if (nzv !== 0) fail(n, 'quantize-unsupported', 'the output zero point is absent');
    if (saturate === 'clip') clips.set(n, { bits, dtype });
    // Every reader's copy, through code-moving ops.
    const walk = (t: string): void => {
      for (const { n: m, slot } of consumers.get(t) ?? []) {
        if (CODE_MOVES.includes(m.opType) && slot === 0) {
          walk(m.outputs[0] ?? '');
          continue;
        }
        const read = QUANT_READS[m.opType]?.find((r) => r[0] === slot);
        if (read === undefined) {
          fail(m, 'quantize-unsupported', `reads '${t}' (output of ${describeNode(n)}, now ${bits}-bit) in input ${slot}; only ${Object.keys(QUANT_READS).join(', ')} (and ${CODE_MOVES.join(', ')} on the codes) can follow a precision change`);
        }
        const [, rs, rz] = read!;
        const cs = current(m, rs);
        const cz = rz < m.inputs.length && m.inputs[rz] !== '' ? current(m, rz) : undefined;
        if (cs === undefined || cs.data.length !== 1 || cs.data[0] !== sv || (cz?.data[0] ?? 0) !== zv) {
          fail(m, 'quantize-unsupported', `its scale / zero point for '${t}' (${cs?.data[0] ?? '?'}, ${cz?.data[0] ?? 0}) differ from the producer's (${sv}, ${zv}); cannot change them consistently`);
        }
        edit(m, rs, { ...ns, shape: [...cs!.shape] });
        if (cz !== undefined) edit(m, rz, { ...nz, shape: [...cz.shape] });
      }
    };
    walk(n.outputs[0] ?? '');
  }

  // ---- weights
  const reports = new Map<NnNode, RequantizedLayer>();
  for (const [n, plan] of weightPlans) {
    const sl = weightSlots(n)!;
    const w = current(n, sl.w)!;
    const s = current(n, sl.s)!;
    const z = current(n, sl.z);
    if (w.dtype !== 'int8' && w.dtype !== 'uint8') fail(n, 'quantize-unsupported', `weights of type ${w.dtype} (int8 or uint8 only)`);
    const isMat = n.opType === 'QLinearMatMul';
    if (isMat && w.shape.length !== 2) fail(n, 'quantize-unsupported', `weight B of shape [${w.shape.join(',')}] (2-D only)`);
    const C = isMat ? w.shape[1]! : w.shape[0]!;
    const per = w.data.length / C;
    const chanOf = (i: number): number => (isMat ? i % C : Math.floor(i / per));
    const perTensor = s.data.length === 1;
    if (!perTensor && s.data.length !== C) fail(n, 'quantize-unsupported', `${s.data.length} weight scales for ${C} channels`);
    const zOf = (c: number): number => (z === undefined ? 0 : z.data.length === 1 ? z.data[0]! : z.data[c]!);
    if (plan.scheme !== 'uniform') for (let c = 0; c < C; c++) if (zOf(c) !== 0) fail(n, 'quantize-unsupported', `${plan.scheme} weights need a zero weight zero point (channel ${c} has ${zOf(c)})`);
    const range = INT_RANGE[w.dtype]!;
    // max |w - zp| per scale group (channel, or the whole tensor)
    const groups = perTensor ? 1 : C;
    const maxAbs = new Float64Array(groups);
    let qmax = 2 ** (plan.bits - 1) - 1;
    for (let c = 0; c < C; c++) qmax = Math.min(qmax, range[1] - zOf(c), zOf(c) - range[0]);
    const levels = weightLevels(plan.scheme, plan.bits).filter((l) => l <= qmax);
    const top = levels[levels.length - 1]!;
    for (let i = 0; i < w.data.length; i++) {
      const c = chanOf(i);
      const g = perTensor ? 0 : c;
      maxAbs[g] = Math.max(maxAbs[g]!, Math.abs(w.data[i]! - zOf(c)));
    }
    const newScale = new Float32Array(s.data.length);
    for (let g = 0; g < s.data.length; g++) {
      const m = maxAbs[g]!;
      const factor = m === 0 ? 1 : plan.scheme === 'uniform' ? (m > top ? m / top : 1) : m / top;
      newScale[g] = factor === 1 ? s.data[g]! : f32(s.data[g]! * factor);
    }
    const nw = tensor(w.dtype, w.shape, w.data);
    let num = 0;
    let den = 0;
    let before = 0;
    let after = 0;
    for (let i = 0; i < w.data.length; i++) {
      const c = chanOf(i);
      const g = perTensor ? 0 : c;
      const zp = zOf(c);
      const q = w.data[i]! - zp;
      const so = s.data[g]!;
      const sn = newScale[g]!;
      let qn = q;
      if (sn !== so || plan.scheme !== 'uniform') {
        const v = (q * so) / sn;
        qn = plan.scheme === 'uniform' ? clampTo(roundHalfEven(v), [-top, top]) : nearestLevel(v, levels);
      }
      nw.data[i] = zp + qn;
      const r0 = q * so;
      const r1 = qn * sn;
      num += (r1 - r0) ** 2;
      den += r0 * r0;
      before = Math.max(before, Math.abs(q));
      after = Math.max(after, Math.abs(qn));
    }
    edit(n, sl.w, nw);
    edit(n, sl.s, tensor('float32', s.shape, newScale));
    reports.set(n, {
      node: n.name, opType: n.opType, weightBits: plan.bits, scheme: plan.scheme, maxAbsCodeBefore: before, maxAbsCodeAfter: after,
      weightRmsErrorPct: den === 0 ? 0 : 100 * Math.sqrt(num / den),
    });
  }

  // ---- QLinearConv biases: int32 at x_scale * w_scale
  for (const n of graph.nodes) {
    if (n.opType !== 'QLinearConv' || (n.inputs[8] ?? '') === '' || !edits.has(n)) continue;
    const b = inits.get(n.inputs[8]!);
    if (b === undefined) fail(n, 'quantize-unsupported', 'the bias must be an initializer to be rescaled');
    const xs0 = inits.get(n.inputs[1] ?? '');
    const ws0 = inits.get(n.inputs[4] ?? '');
    const xs1 = current(n, 1);
    const ws1 = current(n, 4);
    if (xs0 === xs1 && ws0 === ws1) continue;
    if (xs0 === undefined || ws0 === undefined || xs1 === undefined || ws1 === undefined) return fail(n, 'quantize-unsupported', 'the input and weight scales must be initializers to rescale the bias');
    const wsAt = (t: Tensor, c: number): number => (t.data.length === 1 ? t.data[0]! : t.data[c]!);
    const nb = tensor('int32', b!.shape, b!.data);
    for (let c = 0; c < nb.data.length; c++) {
      const ratio = (xs0.data[0]! * wsAt(ws0, c)) / (xs1.data[0]! * wsAt(ws1, c));
      nb.data[c] = clampTo(roundHalfEven(b!.data[c]! * ratio), INT32);
    }
    edit(n, 8, nb);
  }

  // ---- materialize
  const used = namesOf(graph);
  const initializers = new Map(inits);
  const uses = new Map<string, number>();
  for (const n of graph.nodes) for (const x of n.inputs) if (x !== '') uses.set(x, (uses.get(x) ?? 0) + 1);
  // Group edits by the initializer they replace: in place when every use gets the same tensor.
  const byName = new Map<string, { n: NnNode; slot: number; t: Tensor }[]>();
  for (const [n, m] of edits) for (const [slot, t] of m) {
    const name = n.inputs[slot]!;
    let l = byName.get(name);
    if (l === undefined) byName.set(name, (l = []));
    l.push({ n, slot, t });
  }
  const rename = new Map<NnNode, Map<number, string>>();
  for (const [name, l] of byName) {
    const first = l[0]!.t;
    if (l.length === uses.get(name) && l.every((e) => sameTensor(e.t, first)) && !graph.outputs.some((o) => o.name === name)) {
      initializers.set(name, first);
      continue;
    }
    const minted: { t: Tensor; name: string }[] = [];
    for (const e of l) {
      let m = minted.find((x) => sameTensor(x.t, e.t));
      if (m === undefined) {
        m = { t: e.t, name: uniqueName(used, `${name}_${e.n.name}`) };
        minted.push(m);
        initializers.set(m.name, e.t);
      }
      let r = rename.get(e.n);
      if (r === undefined) rename.set(e.n, (r = new Map()));
      r.set(e.slot, m.name);
    }
  }
  const opset = graph.opsets.get('') ?? 13;
  if (clips.size > 0 && opset < 12) {
    const [n] = clips.keys();
    fail(n!, 'quantize-unsupported', `saturating at b bits adds int8 Clip nodes, which need opset >= 12 (the graph has ${opset}); pass saturate: 'int8' to skip them`);
  }
  const nodes: NnNode[] = [];
  for (const n of graph.nodes) {
    const r = rename.get(n);
    const inputs = r === undefined ? n.inputs : n.inputs.map((x, i) => r.get(i) ?? x);
    const clip = clips.get(n);
    if (clip === undefined) {
      nodes.push(r === undefined ? n : { ...n, inputs });
      continue;
    }
    const out = n.outputs[0]!;
    const wide = uniqueName(used, `${out}_wide`);
    const [lo, hi] = codeRange(clip.dtype, clip.bits);
    const loName = uniqueName(used, `${out}_clip_min`);
    const hiName = uniqueName(used, `${out}_clip_max`);
    initializers.set(loName, scalarT(clip.dtype, lo));
    initializers.set(hiName, scalarT(clip.dtype, hi));
    nodes.push({ ...n, inputs, outputs: [wide, ...n.outputs.slice(1)] });
    nodes.push(node(uniqueName(used, `${n.name}_clip`), 'Clip', [wide, loName, hiName], [out]));
  }
  // Drop initializers no node reads any more.
  const read = new Set(nodes.flatMap((n) => n.inputs));
  for (const name of byName.keys()) if (!read.has(name) && !graph.outputs.some((o) => o.name === name)) initializers.delete(name);

  const layers = asked.map((n): RequantizedLayer => {
    const w = reports.get(n);
    const a = actPlans.get(n);
    return { ...(w ?? { node: n.name, opType: n.opType }), ...(a === undefined ? {} : { actBits: a }) };
  });
  return { graph: { ...graph, nodes: renumber(nodes), initializers }, layers };
}

// ---------------------------------------------------------------- quantizeFloatGraph

/** Options of {@link quantizeFloatGraph}. */
export interface FloatQuantOptions {
  /** Weight bits, 2..8: symmetric codes in [-(2^(b-1) - 1), 2^(b-1) - 1], zero point 0. */
  readonly weightBits: number;
  /** Activation bits, 2..8: asymmetric codes in [-2^(b-1), 2^(b-1) - 1] (int8 container). */
  readonly actBits: number;
  /** One weight scale per output channel (true) or per tensor. */
  readonly perChannel: boolean;
  /** Range calibration: the min / max over the calibration set (the only method). */
  readonly method?: 'minmax';
  /** Saturation of b-bit activations, as in {@link RequantizeOptions} (default `clip`). */
  readonly saturate?: 'clip' | 'int8';
}

/** One integer layer made by {@link quantizeFloatGraph}. */
export interface QuantizedFloatLayer {
  /** The QLinearConv's name: the name of the float Conv / MatMul it replaces. */
  readonly node: string;
  /** The float nodes folded into it (the Conv / MatMul, a bias Add, a Relu). */
  readonly fused: readonly string[];
  readonly weightBits: number;
  readonly actBits: number;
}

/** The result of {@link quantizeFloatGraph}. */
export interface FloatQuantResult {
  readonly graph: NnGraph;
  /** Calibrated [min, max] of every float tensor computed from the inputs (real units). */
  readonly ranges: ReadonlyMap<string, readonly [number, number]>;
  readonly layers: readonly QuantizedFloatLayer[];
  /** Float nodes kept as float ops between DequantizeLinear and QuantizeLinear. */
  readonly floatNodes: readonly string[];
}

/** Asymmetric activation parameters at `bits` for a real range (always containing 0). */
function actParams(mn: number, mx: number, bits: number): { scale: number; zp: number } {
  const lo = Math.min(mn, 0);
  const hi = Math.max(mx, 0);
  const [qlo, qhi] = codeRange('int8', bits);
  if (!(hi > lo)) return { scale: 1, zp: 0 };
  const scale = f32((hi - lo) / (qhi - qlo));
  return { scale, zp: clampTo(roundHalfEven(qlo - lo / scale), [qlo, qhi]) };
}

/** True when a constant of `shape` added to a rank-`rank` tensor is one value per axis-1 channel (or a scalar). */
function perChannelConst(shape: readonly number[], rank: number, channels: number): boolean {
  if (shape.length > rank) return false;
  const s = [...new Array<number>(rank - shape.length).fill(1), ...shape];
  return s.every((d, i) => (i === 1 ? d === 1 || d === channels : d === 1));
}

/**
 * Post-training quantization of a float graph into the QOperator form, calibrated by min / max.
 *
 * - Calibration: the float graph runs in the reference evaluator on every calibration input map
 *   and each float tensor's min / max is recorded (widened to contain 0).
 * - Activations: asymmetric, `scale = (max - min) / (2^b - 1)` (float32), zero point
 *   `roundHalfEven(-2^(b-1) - min / scale)` clamped, int8 container (onnxruntime's MinMax
 *   calibration at b bits). For b < 8 every producer gets a b-bit Clip (see
 *   {@link RequantizeOptions.saturate}).
 * - Conv with constant weights, followed by a bias Add of a per-channel constant and/or a Relu
 *   (each the only reader of the tensor before it) -> one QLinearConv named as the Conv, its
 *   output quantized with the range of the last fused tensor (after a Relu: zero point at the
 *   low end of the code range, so saturation is the ReLU). MatMul [M,K] x constant [K,N] (+ bias
 *   Add, + Relu) -> Reshape to [M,K,1,1], a 1x1 QLinearConv named as the MatMul, Reshape back
 *   (as ResNet-8's classifier). Weights: symmetric, zero point 0, scale max|w| / (2^(b-1) - 1)
 *   per output channel or per tensor, codes half to even; bias int32 at x_scale * w_scale.
 * - MaxPool, Reshape, Flatten, Squeeze, Unsqueeze, Transpose, Identity run on the codes when
 *   their input is quantized (the scale and zero point pass through).
 * - Nodes whose inputs are all constants are folded (run once). Any other op runs in float:
 *   DequantizeLinear before, QuantizeLinear (with its output's calibrated range) after, when the
 *   neighbours are integer. Graph inputs are quantized by a QuantizeLinear where an integer op
 *   reads them; graph outputs are dequantized to float32 under their original names.
 * - The default-domain opset becomes max(13, the graph's): ops kept in float whose semantics
 *   changed between opsets (e.g. Softmax's default axis) are not rewritten - not modelled.
 *
 * Not modelled: other calibration methods (entropy, percentile), QDQ output, uint8 activations,
 * Gemm/ConvTranspose/grouped-channel bias shapes beyond the patterns above, bias correction.
 * @throws SimError `quantize-bits` (bits outside 2..8), `quantize-calibration` (no calibration
 * data), and the evaluator's errors for calibration inputs that do not fit the graph.
 */
export function quantizeFloatGraph(graph: NnGraph, calibration: readonly ReadonlyMap<string, Tensor>[], opts: FloatQuantOptions): FloatQuantResult {
  const wb = checkBits(undefined, 'weightBits', opts.weightBits);
  const ab = checkBits(undefined, 'actBits', opts.actBits);
  if ((opts.method ?? 'minmax') !== 'minmax') throw new SimError('quantize-method', `calibration method '${String(opts.method)}' is not supported (minmax)`);
  if (calibration.length === 0) throw new SimError('quantize-calibration', 'no calibration inputs were given');
  const saturate = opts.saturate ?? 'clip';

  // Constant folding.
  const consts = new Map(graph.initializers);
  const folded = new Set<NnNode>();
  for (const n of graph.nodes) {
    const ins = n.inputs.filter((x) => x !== '');
    if (!ins.every((x) => consts.has(x))) continue;
    const outs: NnValueInfo[] = n.outputs.filter((o) => o !== '').map((name) => ({ name, dtype: undefined, shape: undefined }));
    const r = evaluate({ ...graph, inputs: [], outputs: outs, nodes: [n], initializers: new Map(ins.map((x) => [x, consts.get(x)!])) }, new Map());
    for (const [k, v] of r) consts.set(k, v);
    folded.add(n);
  }

  // Calibration.
  const ranges = new Map<string, [number, number]>();
  const shapes = new Map<string, readonly number[]>();
  const ev = createEvaluator(graph);
  for (const inputs of calibration) {
    for (const [name, t] of ev.runAll(inputs)) {
      if (consts.has(name) || t.dtype !== 'float32') continue;
      shapes.set(name, t.shape);
      let r = ranges.get(name);
      if (r === undefined) ranges.set(name, (r = [Infinity, -Infinity]));
      for (const v of t.data) {
        if (v < r[0]) r[0] = v;
        if (v > r[1]) r[1] = v;
      }
    }
  }

  const live = graph.nodes.filter((n) => !folded.has(n));
  const readers = new Map<string, NnNode[]>();
  for (const n of live) for (const x of n.inputs) if (x !== '') readers.set(x, [...(readers.get(x) ?? []), n]);
  const isOutput = (t: string): boolean => graph.outputs.some((o) => o.name === t);
  const soleReader = (t: string, op: string): NnNode | undefined => {
    const r = readers.get(t);
    return r?.length === 1 && r[0]!.opType === op && !isOutput(t) ? r[0] : undefined;
  };

  const used = namesOf(graph);
  const inits = new Map<string, Tensor>();
  const nodes: NnNode[] = [];
  const layers: QuantizedFloatLayer[] = [];
  const floatNodes: string[] = [];
  const fused = new Set<NnNode>();
  const floatOf = new Map<string, string>(graph.inputs.map((i) => [i.name, i.name]));
  const quantOf = new Map<string, { name: string; scale: string; zp: string; s: number; z: number }>();
  const constInput = (x: string): string => {
    if (x !== '' && !inits.has(x)) inits.set(x, consts.get(x)!);
    return x;
  };
  const newInit = (base: string, t: Tensor): string => {
    const name = uniqueName(used, base);
    inits.set(name, t);
    return name;
  };
  const rangeOf = (t: string): [number, number] => ranges.get(t) ?? [0, 0];
  /** Quantization parameters of a new activation tensor, and its b-bit Clip. */
  const emitQuantized = (orig: string, produce: (out: string, scale: string, zp: string) => NnNode): void => {
    const [mn, mx] = rangeOf(orig);
    const { scale: s, zp: z } = actParams(mn, mx, ab);
    const scale = newInit(`${orig}_scale`, scalarT('float32', s));
    const zp = newInit(`${orig}_zero_point`, scalarT('int8', z));
    const q = uniqueName(used, `${orig}_quantized`);
    if (saturate === 'clip' && ab < 8) {
      const wide = uniqueName(used, `${q}_wide`);
      const p = produce(wide, scale, zp);
      nodes.push(p);
      const [lo, hi] = codeRange('int8', ab);
      nodes.push(node(uniqueName(used, `${p.name}_clip`), 'Clip', [wide, newInit(`${q}_clip_min`, scalarT('int8', lo)), newInit(`${q}_clip_max`, scalarT('int8', hi))], [q]));
    } else nodes.push(produce(q, scale, zp));
    quantOf.set(orig, { name: q, scale, zp, s, z });
  };
  const needQ = (x: string): { name: string; scale: string; zp: string; s: number; z: number } => {
    const have = quantOf.get(x);
    if (have !== undefined) return have;
    const f = needF(x);
    emitQuantized(x, (out, scale, zp) => node(uniqueName(used, `${x}_QuantizeLinear`), 'QuantizeLinear', [f, scale, zp], [out]));
    return quantOf.get(x)!;
  };
  const needF = (x: string): string => {
    if (consts.has(x)) return constInput(x);
    const have = floatOf.get(x);
    if (have !== undefined) return have;
    const q = quantOf.get(x);
    if (q === undefined) throw new SimError('quantize-internal', `tensor '${x}' has no value`);
    nodes.push(node(uniqueName(used, `${x}_DequantizeLinear`), 'DequantizeLinear', [q.name, q.scale, q.zp], [x]));
    floatOf.set(x, x);
    return x;
  };
  /** Symmetric weight codes [M, per] with per-channel (or one) scales. */
  const quantWeights = (w: Float32Array, M: number): { codes: Int8Array; scales: Float32Array } => {
    const per = w.length / M;
    const qmax = 2 ** (wb - 1) - 1;
    const scales = new Float32Array(opts.perChannel ? M : 1);
    for (let g = 0; g < scales.length; g++) {
      let m = 0;
      const [a, b] = opts.perChannel ? [g * per, (g + 1) * per] : [0, w.length];
      for (let i = a; i < b; i++) m = Math.max(m, Math.abs(w[i]!));
      scales[g] = m === 0 ? 1 : f32(m / qmax);
    }
    const codes = new Int8Array(w.length);
    for (let i = 0; i < w.length; i++) codes[i] = clampTo(roundHalfEven(w[i]! / scales[opts.perChannel ? Math.floor(i / per) : 0]!), [-qmax, qmax]);
    return { codes, scales };
  };

  for (const n of live) {
    if (fused.has(n)) continue;
    const isConv = n.opType === 'Conv' && consts.has(n.inputs[1] ?? '') && !consts.has(n.inputs[0] ?? '') && consts.get(n.inputs[1]!)!.shape.length === 4;
    const bMat = n.opType === 'MatMul' ? consts.get(n.inputs[1] ?? '') : undefined;
    const aShape = shapes.get(n.inputs[0] ?? '');
    const isMat = bMat !== undefined && bMat.shape.length === 2 && aShape?.length === 2;
    if (isConv || isMat) {
      const wT = consts.get(n.inputs[1]!)!;
      const M = isConv ? wT.shape[0]! : wT.shape[1]!;
      const rank = isConv ? 4 : 2;
      const bias = new Float64Array(M);
      const chain = [n.name];
      if (isConv && (n.inputs[2] ?? '') !== '') {
        const b = consts.get(n.inputs[2]!);
        if (b === undefined) fail(n, 'quantize-unsupported', 'the Conv bias must be a constant');
        for (let c = 0; c < M; c++) bias[c] = b!.data[c]!;
      }
      let last = n.outputs[0]!;
      const add = soleReader(last, 'Add');
      if (add !== undefined) {
        const other = add.inputs[0] === last ? add.inputs[1]! : add.inputs[0]!;
        const c = consts.get(other);
        if (c !== undefined && perChannelConst(c.shape, rank, M)) {
          for (let k = 0; k < M; k++) bias[k]! += c.data[c.data.length === 1 ? 0 : k]!;
          fused.add(add);
          chain.push(add.name);
          last = add.outputs[0]!;
        }
      }
      const relu = soleReader(last, 'Relu');
      if (relu !== undefined) {
        fused.add(relu);
        chain.push(relu.name);
        last = relu.outputs[0]!;
      }
      const xq = needQ(n.inputs[0]!);
      // Weights as [M, K...]: a MatMul's B [K, N] is transposed to [N, K, 1, 1].
      let wData: Float32Array;
      let wShape: number[];
      if (isConv) {
        wData = Float32Array.from(wT.data);
        wShape = [...wT.shape];
      } else {
        const [K, N] = wT.shape as [number, number];
        wData = new Float32Array(K * N);
        for (let k = 0; k < K; k++) for (let j = 0; j < N; j++) wData[j * K + k] = wT.data[k * N + j]!;
        wShape = [N, K, 1, 1];
      }
      const { codes, scales } = quantWeights(wData, M);
      const wName = newInit(`${n.inputs[1]!}_quantized`, tensor('int8', wShape, codes));
      const wsName = newInit(`${n.inputs[1]!}_scale`, tensor('float32', opts.perChannel ? [M] : [], scales));
      const wzName = newInit(`${n.inputs[1]!}_zero_point`, tensor('int8', opts.perChannel ? [M] : [], new Int8Array(scales.length)));
      const biasQ = new Int32Array(M);
      for (let c = 0; c < M; c++) biasQ[c] = clampTo(roundHalfEven(bias[c]! / f32(xq.s * scales[opts.perChannel ? c : 0]!)), INT32);
      const bName = newInit(`${n.name}_bias_quantized`, tensor('int32', [M], biasQ));
      let xin = xq.name;
      if (isMat) {
        const [rows, K] = aShape as [number, number];
        xin = uniqueName(used, `${n.inputs[0]!}_4d`);
        nodes.push(node(uniqueName(used, `${n.name}_to4d`), 'Reshape', [xq.name, newInit(`${n.name}_shape4d`, tensor('int64', [4], [rows, K, 1, 1]))], [xin]));
      }
      const attrs = isConv ? n.attributes : new Map<string, NnAttribute>([['kernel_shape', { kind: 'ints', value: [1, 1] }]]);
      const convOut = (out: string): string => (isMat ? uniqueName(used, `${out}_4d`) : out);
      emitQuantized(last, (out, scale, zp) => {
        const o = convOut(out);
        const conv = node(n.name, 'QLinearConv', [xin, xq.scale, xq.zp, wName, wsName, wzName, scale, zp, bName], [o], attrs);
        if (!isMat) return conv;
        nodes.push(conv);
        return node(uniqueName(used, `${n.name}_from4d`), 'Reshape', [o, newInit(`${n.name}_shape2d`, tensor('int64', [2], [aShape![0]!, M]))], [out]);
      });
      layers.push({ node: n.name, fused: chain, weightBits: wb, actBits: ab });
      continue;
    }
    const x0 = n.inputs[0] ?? '';
    if (CODE_MOVES.includes(n.opType) && quantOf.has(x0) && !floatOf.has(x0)) {
      const q = quantOf.get(x0)!;
      const out = uniqueName(used, `${n.outputs[0]!}_quantized`);
      nodes.push({ ...n, inputs: [q.name, ...n.inputs.slice(1).map((x) => (x === '' ? x : needF(x)))], outputs: [out, ...n.outputs.slice(1)] });
      quantOf.set(n.outputs[0]!, { ...q, name: out });
      continue;
    }
    // Float fallback.
    nodes.push({ ...n, inputs: n.inputs.map((x) => (x === '' ? x : needF(x))) });
    for (const o of n.outputs) if (o !== '') floatOf.set(o, o);
    floatNodes.push(n.name);
  }
  for (const o of graph.outputs) needF(o.name);
  const opsets = new Map(graph.opsets);
  opsets.set('', Math.max(13, graph.opsets.get('') ?? 13));
  const outputs = graph.outputs.map((o) => ({ ...o, dtype: 'float32' as const }));
  return {
    graph: { ...graph, outputs, nodes: renumber(nodes), initializers: inits, opsets },
    ranges: new Map([...ranges].map(([k, v]) => [k, [v[0], v[1]] as const])),
    layers,
    floatNodes,
  };
}
