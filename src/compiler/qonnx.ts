/**
 * QONNX support for lowering: compile-time constant folding (through the reference evaluator),
 * quantized constants (the integer codes and scales behind a folded `Quant` / `BipolarQuant`),
 * and the element-wise chains that QONNX activations, BatchNormalization and dot-product
 * epilogues become ({@link ChainOp}). See src/compiler/README.md, "QONNX".
 */
import {
  type NnGraph, type NnNode, type QonnxRounding, type Tensor, QONNX_DOMAINS, attrInt, attrString, createEvaluator, qonnxIntRange, roundBy, sizeOf, stridesOf, tensor, zeros,
} from '../nn/index.js';
import type { ActDType, ChainStep } from './ir.js';
import { chainRegisters } from './qonnx-codegen.js';

/** A problem with one node, turned into a diagnostic naming the node by `lower`. */
export class NodeError extends Error {
  readonly code: string;
  readonly hint: string | undefined;
  constructor(code: string, message: string, hint?: string) {
    super(message);
    this.code = code;
    this.hint = hint;
  }
}

/** Throws a {@link NodeError}. */
export const fail = (code: string, message: string, hint?: string): never => {
  throw new NodeError(code, message, hint);
};

/** True for the QONNX / Brevitas / FINN custom-op domains. */
export const isQonnxDomain = (d: string): boolean => QONNX_DOMAINS.includes(d);

const f32 = Math.fround;

/**
 * Runs one node on constant inputs with the reference evaluator (`src/nn`), so a folded value is
 * bit for bit what the evaluator computes at run time. `inputs` overrides some of the constants.
 */
export function foldNode(n: NnNode, consts: ReadonlyMap<string, Tensor>, opsets: ReadonlyMap<string, number>, inputs: ReadonlyMap<string, Tensor> = new Map()): Tensor[] {
  const inits = new Map<string, Tensor>();
  for (const i of n.inputs) {
    if (i === '') continue;
    const t = inputs.get(i) ?? consts.get(i);
    if (t === undefined) fail('internal-fold', `input '${i}' is not a constant`);
    inits.set(i, t!);
  }
  const outs = n.outputs.filter((o) => o !== '');
  const g: NnGraph = { name: 'fold', inputs: [], outputs: outs.map((o) => ({ name: o, dtype: undefined, shape: undefined })), initializers: inits, nodes: [n], opsets, irVersion: 8 };
  try {
    const r = createEvaluator(g).run(new Map());
    return outs.map((o) => r.get(o)!);
  } catch (e) {
    return fail('constant-folding', `folding at compile time failed: ${e instanceof Error ? e.message : String(e)}`);
  }
}

/** A tensor of the given shape with `t` broadcast to it (numpy rules; `t` may not be larger). */
export function expandTo(t: Tensor, shape: readonly number[]): Float64Array {
  const out = new Float64Array(sizeOf(shape));
  const rank = shape.length;
  if (t.shape.length > rank) fail('shape-mismatch', `[${t.shape.join(',')}] does not broadcast to [${shape.join(',')}]`);
  const st = stridesOf(t.shape);
  const eff = shape.map((d, i) => {
    const j = i - (rank - t.shape.length);
    if (j < 0) return 0;
    const e = t.shape[j]!;
    if (e !== 1 && e !== d) fail('shape-mismatch', `[${t.shape.join(',')}] does not broadcast to [${shape.join(',')}]`);
    return e === 1 ? 0 : st[j]!;
  });
  const ctr = new Array<number>(rank).fill(0);
  let off = 0;
  for (let k = 0; k < out.length; k++) {
    out[k] = t.data[off]!;
    for (let d = rank - 1; d >= 0; d--) {
      ctr[d]!++;
      off += eff[d]!;
      if (ctr[d]! < shape[d]!) break;
      off -= eff[d]! * shape[d]!;
      ctr[d] = 0;
    }
  }
  return out;
}

/** The broadcast shape of some shapes (numpy rules), or undefined when they do not broadcast. */
export function broadcastShapes(shapes: readonly (readonly number[])[]): number[] | undefined {
  const rank = Math.max(...shapes.map((s) => s.length));
  const out = new Array<number>(rank).fill(1);
  for (const s of shapes) {
    for (let i = 0; i < s.length; i++) {
      const o = rank - s.length + i;
      const d = s[i]!;
      if (out[o] === 1) out[o] = d;
      else if (d !== 1 && d !== out[o]) return undefined;
    }
  }
  return out;
}

/**
 * A quantized constant: the value of element k is `float32(codes[k] * scale[k])` (codes already
 * minus the zero point, small integers). Kept next to the folded float value of a `Quant` /
 * `BipolarQuant` of an initializer, and carried through data-movement ops (Transpose, Reshape, ...).
 */
export interface QConst {
  /** Centred integer codes (q - zero point), float32 tensor of the value's shape. */
  readonly codes: Tensor;
  /** The scale of every element, float32 tensor of the value's shape. */
  readonly scale: Tensor;
}

/** Ops that only move elements: a quantized constant stays quantized through them. */
export const MOVE_OPS: readonly string[] = ['Transpose', 'Reshape', 'Flatten', 'Squeeze', 'Unsqueeze', 'Identity'];

/** QONNX Quant parameters (scale, zero point, bit width as constants; attributes). */
export interface QuantParams {
  readonly scale: Tensor;
  readonly zp: Tensor;
  readonly bits: number;
  readonly signed: boolean;
  readonly narrow: boolean;
  readonly mode: QonnxRounding;
  readonly lo: number;
  readonly hi: number;
}

const MODES: readonly string[] = ['ROUND', 'ROUND_TO_ZERO', 'CEIL', 'FLOOR'];

/** Reads a Quant node's constant parameters (inputs 1-3 must be constants). */
export function quantParams(n: NnNode, consts: ReadonlyMap<string, Tensor>): QuantParams {
  const c = (i: number, what: string): Tensor => {
    const t = consts.get(n.inputs[i] ?? '');
    if (t === undefined) fail('non-constant-input', `the ${what} '${n.inputs[i] ?? ''}' (input ${i}) must be a constant`);
    return t!;
  };
  const scale = c(1, 'scale');
  const zp = c(2, 'zero point');
  const bw = c(3, 'bit width');
  const bits = bw.data[0] ?? 0;
  if (bw.data.length !== 1 || !Number.isInteger(bits) || bits < 1 || bits > 8) fail('unsupported-attribute-value', `bit width ${Array.from(bw.data).join(',')} is not supported (a single integer 1-8)`);
  const mode = attrString(n, 'rounding_mode', 'ROUND');
  if (!MODES.includes(mode)) fail('unsupported-attribute-value', `rounding_mode ${mode} is not supported (${MODES.join(', ')})`);
  const signed = attrInt(n, 'signed', 1) !== 0;
  const narrow = attrInt(n, 'narrow', 0) !== 0;
  const [lo, hi] = qonnxIntRange(bits, signed, narrow);
  return { scale, zp, bits, signed, narrow, mode: mode as QonnxRounding, lo, hi };
}

/**
 * The codes of a folded Quant / BipolarQuant of a constant, computed with the evaluator's
 * arithmetic; undefined when a zero point is not an integer (the value is then a plain float
 * constant) or the value does not equal `codes * scale` in float32.
 */
export function quantConst(n: NnNode, consts: ReadonlyMap<string, Tensor>, value: Tensor): QConst | undefined {
  const x = consts.get(n.inputs[0] ?? '')!;
  const shape = value.shape;
  const xv = expandTo(x, shape);
  const codes = zeros('float32', shape);
  const scale = zeros('float32', shape);
  if (n.opType === 'BipolarQuant') {
    const s = expandTo(consts.get(n.inputs[1] ?? '')!, shape);
    for (let k = 0; k < xv.length; k++) {
      codes.data[k] = xv[k]! >= 0 ? 1 : -1;
      scale.data[k] = s[k]!;
    }
  } else {
    const p = quantParams(n, consts);
    const s = expandTo(p.scale, shape);
    const z = expandTo(p.zp, shape);
    for (let k = 0; k < xv.length; k++) {
      let q = f32(f32(xv[k]! / s[k]!) + z[k]!);
      q = q < p.lo ? p.lo : q > p.hi ? p.hi : q;
      q = roundBy(p.mode, q);
      const c = q - z[k]!;
      if (!Number.isInteger(c)) return undefined;
      codes.data[k] = c;
      scale.data[k] = s[k]!;
    }
  }
  for (let k = 0; k < xv.length; k++) if (f32(codes.data[k]! * scale.data[k]!) !== value.data[k]) return undefined;
  return { codes, scale };
}

/** An integer-valued float constant as codes with scale 1 (e.g. bipolar weights stored as +-1). */
export function integerConst(t: Tensor): QConst | undefined {
  if (t.dtype !== 'float32' || t.data.length === 0) return undefined;
  for (const v of t.data) if (!Number.isInteger(v) || Math.abs(v) > 255) return undefined;
  return { codes: t, scale: tensor('float32', t.shape, new Float32Array(t.data.length).fill(1)) };
}

/**
 * Codes of a weight as an 8-bit tensor and zero point for the integer dot layers: int8 when
 * every code fits, else uint8 (with a zero point when some codes are negative). Fails when the
 * codes span more than 256 values.
 */
export function weightTensor(codes: Tensor, shape: readonly number[], what: string): { w: Tensor; zp: Tensor | undefined } {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of codes.data) {
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
  }
  if (lo >= -128 && hi <= 127) return { w: tensor('int8', shape, codes.data), zp: undefined };
  if (lo >= 0 && hi <= 255) return { w: tensor('uint8', shape, codes.data), zp: undefined };
  if (hi - lo <= 255 && lo < 0) return { w: tensor('uint8', shape, Array.from(codes.data, (v) => v - lo)), zp: tensor('uint8', [], [-lo]) };
  return fail('unsupported-attribute-value', `the codes of ${what} span [${lo}, ${hi}]: more than 8 bits`);
}

// ---------------------------------------------------------------- element-wise chains

/** Integer range / value bounds after a step (for the codes a chain can be stored as, and safe rounding). */
export interface ChainState {
  /** The value is an integer in [lo, hi] (undefined: not known to be an integer). */
  readonly range: readonly [number, number] | undefined;
  /** lo <= value <= hi (infinite when unknown). */
  readonly bounds: readonly [number, number];
}

/**
 * A chain of element-wise steps not yet materialized: the value of tensor `name` is the steps
 * applied to the run-time tensor `src`. Per-channel constants vary along `axis` (-1: none yet).
 */
export interface Lazy {
  readonly name: string;
  readonly src: string;
  readonly srcDtype: ActDType;
  readonly shape: readonly number[];
  readonly steps: readonly ChainStep[];
  /** State after the load (index 0) and after each step. */
  readonly states: readonly ChainState[];
  readonly axis: number;
  /** Node descriptions and op types fused so far, and the intermediate tensors not materialized. */
  readonly nodes: readonly string[];
  readonly opTypes: readonly string[];
  readonly fused: readonly string[];
}

/** Most constant registers one chain layer uses (the rest of the 30 are spare). */
export const MAX_CHAIN_REGISTERS = 26;

const isInt = (v: number): boolean => Number.isInteger(v);

/** The state after a step. */
export function stepState(st: ChainState, s: ChainStep): ChainState {
  const [b0, b1] = st.bounds;
  const r = st.range;
  const cs = 'c' in s ? Array.from(s.c) : [];
  const cmin = Math.min(...cs);
  const cmax = Math.max(...cs);
  const ints = cs.every(isInt);
  const span = (vals: number[]): [number, number] => {
    const ok = vals.filter((v) => !Number.isNaN(v));
    return ok.length < vals.length ? [-Infinity, Infinity] : [Math.min(...ok), Math.max(...ok)];
  };
  switch (s.k) {
    case 'add': return { bounds: [b0 + cmin, b1 + cmax], range: r !== undefined && ints ? [r[0] + cmin, r[1] + cmax] : undefined };
    case 'sub': return { bounds: [b0 - cmax, b1 - cmin], range: r !== undefined && ints ? [r[0] - cmax, r[1] - cmin] : undefined };
    case 'rsub': return { bounds: [cmin - b1, cmax - b0], range: r !== undefined && ints ? [cmin - r[1], cmax - r[0]] : undefined };
    case 'mul': {
      const b = span([b0 * cmin, b0 * cmax, b1 * cmin, b1 * cmax]);
      return { bounds: b, range: r !== undefined && ints ? span([r[0] * cmin, r[0] * cmax, r[1] * cmin, r[1] * cmax]) : undefined };
    }
    case 'div': case 'rdiv': return { bounds: [-Infinity, Infinity], range: undefined };
    case 'max': return { bounds: [Math.max(b0, cmin), Math.max(b1, cmax)], range: r !== undefined && ints ? [Math.max(r[0], cmin), Math.max(r[1], cmax)] : undefined };
    case 'min': return { bounds: [Math.min(b0, cmin), Math.min(b1, cmax)], range: r !== undefined && ints ? [Math.min(r[0], cmin), Math.min(r[1], cmax)] : undefined };
    case 'round': {
      const mode: QonnxRounding = s.mode === 'rne' ? 'ROUND' : s.mode === 'rtz' ? 'ROUND_TO_ZERO' : s.mode === 'rup' ? 'CEIL' : 'FLOOR';
      const b: [number, number] = [Number.isFinite(b0) ? roundBy(mode, b0) : b0, Number.isFinite(b1) ? roundBy(mode, b1) : b1];
      return { bounds: b, range: Number.isFinite(b[0]) && Number.isFinite(b[1]) ? b : undefined };
    }
    case 'sign': return { bounds: [-1, 1], range: [-1, 1] };
  }
}

/** The state of a freshly loaded tensor: codes have their integer range, int32 / float32 nothing known. */
export function loadState(dtype: ActDType, codeRange: readonly [number, number] | undefined): ChainState {
  if ((dtype === 'int8' || dtype === 'uint8') && codeRange !== undefined) return { range: codeRange, bounds: codeRange };
  if (dtype === 'int8') return { range: [-128, 127], bounds: [-128, 127] };
  if (dtype === 'uint8') return { range: [0, 255], bounds: [0, 255] };
  return { range: undefined, bounds: [-Infinity, Infinity] };
}

/** A rounding step whose input is bounded by `bounds` (safe: converted through int32 without a range check). */
export function roundStep(mode: QonnxRounding, bounds: readonly [number, number]): ChainStep {
  const m = mode === 'ROUND' ? 'rne' : mode === 'ROUND_TO_ZERO' ? 'rtz' : mode === 'CEIL' ? 'rup' : 'rdn';
  return { k: 'round', mode: m, safe: Math.abs(bounds[0]) < 2 ** 30 && Math.abs(bounds[1]) < 2 ** 30 };
}

/**
 * A constant operand as per-channel values: scalar (one value, axis -1) or varying along exactly
 * one axis of `shape` (which the constant must not enlarge).
 */
export function channelsOf(c: Tensor, shape: readonly number[], what: string): { values: Float32Array; axis: number } {
  const out = broadcastShapes([shape, c.shape]);
  if (out === undefined || out.length !== shape.length || out.some((d, i) => d !== shape[i])) {
    fail('unsupported-shape', `${what} of shape [${c.shape.join(',')}] would broadcast the run-time input [${shape.join(',')}] to a larger shape`);
  }
  const rank = shape.length;
  const axes: number[] = [];
  c.shape.forEach((d, j) => {
    if (d !== 1) axes.push(rank - c.shape.length + j);
  });
  if (axes.length === 0) return { values: Float32Array.of(c.data[0]!), axis: -1 };
  if (axes.length > 1) fail('unsupported-shape', `${what} of shape [${c.shape.join(',')}] varies along ${axes.length} axes of [${shape.join(',')}]; constants per tensor or per channel (one axis) are supported`);
  const v = Float32Array.from(c.data);
  if (v.every((x) => Object.is(x, v[0]))) return { values: Float32Array.of(v[0]!), axis: -1 };
  return { values: v, axis: axes[0]! };
}

/** Appends a step to a chain (a new object); undefined when it would not fit one layer (another axis, too many registers). */
export function extend(lz: Lazy, name: string, step: ChainStep, axis: number, node: string, opType: string): Lazy | undefined {
  if (axis >= 0 && lz.axis >= 0 && axis !== lz.axis) return undefined;
  const meta = {
    name, nodes: lz.nodes.includes(node) ? lz.nodes : [...lz.nodes, node], opTypes: lz.opTypes.at(-1) === opType ? lz.opTypes : [...lz.opTypes, opType],
    fused: lz.name === lz.src || lz.name === name ? lz.fused : [...lz.fused, lz.name],
  };
  // x * 1, x / 1, x - (+0) and x + (-0) are x in float32 (zero signs included): no instruction
  const c0 = 'c' in step && step.c.length === 1 ? step.c[0]! : Number.NaN;
  if (((step.k === 'mul' || step.k === 'div') && c0 === 1) || (step.k === 'sub' && Object.is(c0, 0)) || (step.k === 'add' && Object.is(c0, -0))) return { ...lz, ...meta };
  const steps = [...lz.steps, step];
  if (chainRegisters(steps) > MAX_CHAIN_REGISTERS) return undefined;
  const last = lz.states[lz.states.length - 1]!;
  return { ...lz, ...meta, steps, states: [...lz.states, stepState(last, step)], axis: axis >= 0 ? axis : lz.axis };
}

/** How a chain's result can be stored as integer codes: keep the first `keep` steps; the value is `float32((code - zp) * scale)`. */
export interface CodesPlan {
  readonly keep: number;
  readonly dtype: 'int8' | 'uint8';
  readonly zp: number;
  readonly scale: number;
  readonly range: readonly [number, number];
}

/**
 * Finds the codes form of a chain: a trailing scalar `mul` (the scale) after scalar `add`/`sub`
 * of integers (the zero point) after a step whose result is an integer in an 8-bit range
 * (QONNX Quant: `..., round, sub zp, mul scale`).
 */
export function codesPlan(lz: Lazy): CodesPlan | undefined {
  let j = lz.steps.length;
  let scale = 1;
  let shift = 0;
  const s = lz.steps[j - 1];
  if (s !== undefined && s.k === 'mul' && s.c.length === 1) {
    scale = s.c[0]!;
    j--;
  }
  for (;;) {
    const t = lz.steps[j - 1];
    if (t === undefined || (t.k !== 'add' && t.k !== 'sub') || t.c.length !== 1 || !isInt(t.c[0]!)) break;
    shift += t.k === 'add' ? t.c[0]! : -t.c[0]!;
    j--;
  }
  const r = lz.states[j]!.range;
  if (r === undefined) return undefined;
  const zp = shift === 0 ? 0 : -shift;
  const dtype = r[0] >= -128 && r[1] <= 127 && zp >= -128 && zp <= 127 ? 'int8' : r[0] >= 0 && r[1] <= 255 && zp >= 0 && zp <= 255 ? 'uint8' : undefined;
  if (dtype === undefined) return undefined;
  return { keep: j, dtype, zp, scale, range: r };
}

/** The steps that re-create the value of codes `(code - zp) * scale` (the evaluator's `float32(float32(q - zp) * s)`). */
export function dequantSteps(zp: number, scale: number): ChainStep[] {
  const out: ChainStep[] = [];
  if (zp !== 0) out.push({ k: 'sub', c: Float32Array.of(zp) });
  if (scale !== 1) out.push({ k: 'mul', c: Float32Array.of(scale) });
  return out;
}
