/** Builders of small random quantized graphs (NnGraph objects, no ONNX file) for the compiler tests. */
import type { NnAttribute, NnGraph, NnNode, NnValueInfo, Tensor } from '../../src/nn/index.js';
import { tensor } from '../../src/nn/index.js';
import type { Rng } from '../../src/util/index.js';

type Q8 = 'uint8' | 'int8';
const RANGE: Record<Q8, [number, number]> = { uint8: [0, 255], int8: [-128, 127] };

export const randInt = (r: Rng, lo: number, hi: number): number => lo + r.int(hi - lo + 1);
export const pick = <T>(r: Rng, xs: readonly T[]): T => xs[r.int(xs.length)]!;
export const randQ = (r: Rng, d: Q8, n: number): number[] => Array.from({ length: n }, () => randInt(r, RANGE[d][0], RANGE[d][1]));
const f32 = Math.fround;

export class GraphBuilder {
  readonly nodes: NnNode[] = [];
  readonly initializers = new Map<string, Tensor>();
  readonly inputs: NnValueInfo[] = [];
  readonly outputs: NnValueInfo[] = [];
  private count = 0;
  input(name: string, dtype: Q8 | 'float32', shape: number[]): string {
    this.inputs.push({ name, dtype, shape });
    return name;
  }
  init(name: string, t: Tensor): string {
    this.initializers.set(name, t);
    return name;
  }
  node(opType: string, inputs: string[], attrs: Record<string, NnAttribute> = {}, domain = ''): string {
    const i = this.count++;
    const out = `${opType.toLowerCase()}_${i}`;
    this.nodes.push({ name: `n${i}`, index: i, opType, domain, inputs, outputs: [out], attributes: new Map(Object.entries(attrs)) });
    return out;
  }
  /**
   * A QONNX `Quant` (domain qonnx.custom_op.general) of `x` with constant scale, zero point
   * (tensors or numbers: per tensor) and bit width.
   */
  quant(x: string, scale: Tensor | number, zp: Tensor | number, bits: number, opts: { signed?: boolean; narrow?: boolean; mode?: string } = {}): string {
    const id = this.count;
    const t = (v: Tensor | number): Tensor => (typeof v === 'number' ? tensor('float32', [], [v]) : v);
    const ins = [x, this.init(`qs${id}`, t(scale)), this.init(`qz${id}`, t(zp)), this.init(`qb${id}`, tensor('float32', [], [bits]))];
    const attrs: Record<string, NnAttribute> = {
      signed: { kind: 'int', value: opts.signed === false ? 0 : 1 }, narrow: { kind: 'int', value: opts.narrow === true ? 1 : 0 },
      rounding_mode: { kind: 'string', value: opts.mode ?? 'ROUND' },
    };
    return this.node('Quant', ins, attrs, 'qonnx.custom_op.general');
  }
  output(name: string): void {
    this.outputs.push({ name, dtype: undefined, shape: undefined });
  }
  build(name: string): NnGraph {
    return { name, inputs: this.inputs, outputs: this.outputs, initializers: this.initializers, nodes: this.nodes, opsets: new Map([['', 13]]), irVersion: 8 };
  }
}

const ints = (value: number[]): NnAttribute => ({ kind: 'ints', value });

export interface ConvSpec {
  readonly quantized: boolean;
  readonly xType: Q8;
  readonly wType: Q8;
  readonly yType: Q8;
  readonly C: number;
  readonly M: number;
  readonly group: number;
  readonly kh: number;
  readonly kw: number;
  readonly strides: [number, number];
  readonly dilations: [number, number];
  readonly pads: [number, number, number, number];
  readonly perChannel: boolean;
  readonly bias: boolean;
  /** A multiplier of exactly 0.5 (ties to even are exercised). */
  readonly tieScales: boolean;
  /** Weight zero point 0 (int8) or 128 (uint8): centred weights fit int8 (the packed SIMD path). */
  readonly symmetric?: boolean;
}

/** A random convolution spec whose output is not empty for an H x W input. */
export function randomConv(r: Rng, H: number, W: number, C: number, quantized: boolean): ConvSpec {
  for (;;) {
    const group = pick(r, [1, 1, 2, C]);
    if (C % group !== 0) continue;
    const M = group * randInt(r, 1, group === C ? 2 : 4);
    const kh = randInt(r, 1, 3);
    const kw = randInt(r, 1, 3);
    const strides: [number, number] = [randInt(r, 1, 2), randInt(r, 1, 2)];
    const dilations: [number, number] = [randInt(r, 1, 2), randInt(r, 1, 2)];
    const pads: [number, number, number, number] = [randInt(r, 0, 2), randInt(r, 0, 2), randInt(r, 0, 2), randInt(r, 0, 2)];
    const oh = Math.floor((H + pads[0] + pads[2] - ((kh - 1) * dilations[0] + 1)) / strides[0]) + 1;
    const ow = Math.floor((W + pads[1] + pads[3] - ((kw - 1) * dilations[1] + 1)) / strides[1]) + 1;
    if (oh <= 0 || ow <= 0) continue;
    return {
      quantized, xType: pick(r, ['uint8', 'int8']), wType: pick(r, ['uint8', 'int8']), yType: pick(r, ['uint8', 'int8']), C, M, group, kh, kw,
      strides, dilations, pads, perChannel: r.int(2) === 1, bias: r.int(2) === 1, tieScales: r.int(4) === 0,
    };
  }
}

/** Adds a ConvInteger or QLinearConv node reading `x` (type s.xType). */
export function addConv(b: GraphBuilder, r: Rng, x: string, s: ConvSpec): string {
  const id = b.nodes.length;
  const Cg = s.C / s.group;
  const w = b.init(`w${id}`, tensor(s.wType, [s.M, Cg, s.kh, s.kw], randQ(r, s.wType, s.M * Cg * s.kh * s.kw)));
  const xzp = b.init(`xzp${id}`, tensor(s.xType, [], randQ(r, s.xType, 1)));
  const wzs = s.symmetric === true ? new Array<number>(s.perChannel ? s.M : 1).fill(s.wType === 'uint8' ? 128 : 0) : randQ(r, s.wType, s.perChannel ? s.M : 1);
  const wzp = b.init(`wzp${id}`, tensor(s.wType, s.perChannel ? [s.M] : [], wzs));
  const attrs = { group: { kind: 'int', value: s.group }, strides: ints(s.strides), dilations: ints(s.dilations), pads: ints(s.pads), kernel_shape: ints([s.kh, s.kw]) } as const;
  if (!s.quantized) return b.node('ConvInteger', [x, w, xzp, wzp], attrs);
  const K = Cg * s.kh * s.kw;
  const xs = b.init(`xs${id}`, tensor('float32', [], [s.tieScales ? 1 : f32(0.005 + 0.02 * r.next())]));
  const ws = b.init(`ws${id}`, tensor('float32', s.perChannel ? [s.M] : [], Array.from({ length: s.perChannel ? s.M : 1 }, () => (s.tieScales ? 0.5 : f32(0.002 + 0.01 * r.next())))));
  const ys = b.init(`ys${id}`, tensor('float32', [], [s.tieScales ? 1 : f32((0.0002 + 0.0004 * r.next()) * Math.sqrt(K) * 64)]));
  const yzp = b.init(`yzp${id}`, tensor(s.yType, [], randQ(r, s.yType, 1)));
  const ins = [x, xs, xzp, w, ws, wzp, ys, yzp];
  if (s.bias) ins.push(b.init(`bias${id}`, tensor('int32', [s.M], Array.from({ length: s.M }, () => randInt(r, -20000, 20000)))));
  return b.node('QLinearConv', ins, attrs);
}

export interface MatSpec {
  readonly quantized: boolean;
  readonly aType: Q8;
  readonly bType: Q8;
  readonly yType: Q8;
  readonly K: number;
  readonly N: number;
  readonly bBatch: number[];
  readonly perColumn: boolean;
  /** B zero point 0 (int8) or 128 (uint8): centred weights fit int8 (the packed SIMD path). */
  readonly symmetric?: boolean;
}

/** Adds a MatMulInteger or QLinearMatMul node reading `a` (last dimension K). */
export function addMatMul(b: GraphBuilder, r: Rng, a: string, s: MatSpec): string {
  const id = b.nodes.length;
  const n = s.bBatch.reduce((p, x) => p * x, 1) * s.K * s.N;
  const bw = b.init(`b${id}`, tensor(s.bType, [...s.bBatch, s.K, s.N], randQ(r, s.bType, n)));
  const azp = b.init(`azp${id}`, tensor(s.aType, [], randQ(r, s.aType, 1)));
  const zps = s.symmetric === true ? new Array<number>(s.perColumn ? s.N : 1).fill(s.bType === 'uint8' ? 128 : 0) : randQ(r, s.bType, s.perColumn ? s.N : 1);
  const bzp = b.init(`bzp${id}`, tensor(s.bType, s.perColumn ? [s.N] : [], zps));
  if (!s.quantized) return b.node('MatMulInteger', [a, bw, azp, bzp]);
  const as = b.init(`as${id}`, tensor('float32', [], [f32(0.005 + 0.02 * r.next())]));
  const bs = b.init(`bs${id}`, tensor('float32', s.perColumn ? [s.N] : [], Array.from({ length: s.perColumn ? s.N : 1 }, () => f32(0.002 + 0.01 * r.next()))));
  const ys = b.init(`ys${id}`, tensor('float32', [], [f32((0.0002 + 0.0004 * r.next()) * Math.sqrt(s.K) * 64)]));
  const yzp = b.init(`yzp${id}`, tensor(s.yType, [], randQ(r, s.yType, 1)));
  return b.node('QLinearMatMul', [a, as, azp, bw, bs, bzp, ys, yzp]);
}

/** How {@link toQdq} writes the QLinear* nodes. */
export interface QdqForm {
  /** The bias: int32 through DequantizeLinear at scale x_scale * w_scale, or a float32 initializer holding bias * x_scale * w_scale. */
  readonly bias: 'dq' | 'float';
  /** QLinearMatMul with 2-D operands as Gemm (else MatMul). */
  readonly gemm?: boolean;
  /** Gemm with the weight stored transposed ([N, K], per-channel axis 0) and transB = 1. */
  readonly transB?: boolean;
}

/**
 * The QDQ form of a graph of QLinearConv / QLinearMatMul nodes, with the same parameters:
 * each becomes DequantizeLinear(x) and DequantizeLinear(w) (per-channel along the output axis)
 * -> Conv / MatMul / Gemm (bias as {@link QdqForm}) -> QuantizeLinear, writing the same output
 * tensor. Other nodes are copied.
 */
export function toQdq(g: NnGraph, form: QdqForm): NnGraph {
  const inits = new Map(g.initializers);
  const nodes: NnNode[] = [];
  const add = (base: NnNode, opType: string, inputs: string[], out: string, attrs: Record<string, NnAttribute> = {}): void => {
    nodes.push({ name: `${base.name}_${opType.toLowerCase()}`, index: nodes.length, opType, domain: '', inputs, outputs: [out], attributes: new Map(Object.entries(attrs)) });
  };
  const int = (value: number): NnAttribute => ({ kind: 'int', value });
  for (const n of g.nodes) {
    if (n.opType !== 'QLinearConv' && n.opType !== 'QLinearMatMul') {
      nodes.push({ ...n, index: nodes.length });
      continue;
    }
    const [x, xs, xzp, w, ws, wzp, ys, yzp, bias] = n.inputs as [string, string, string, string, string, string, string, string, string | undefined];
    const out = n.outputs[0]!;
    const conv = n.opType === 'QLinearConv';
    const wt = inits.get(w)!;
    const wsT = inits.get(ws)!;
    const perCh = wsT.data.length > 1;
    const gemm = !conv && form.gemm === true && wt.shape.length === 2;
    const transB = gemm && form.transB === true;
    let wName = w;
    if (transB) {
      const [K, N] = wt.shape as [number, number];
      const t: number[] = [];
      for (let j = 0; j < N; j++) for (let k = 0; k < K; k++) t.push(wt.data[k * N + j]!);
      wName = `${w}_t`;
      inits.set(wName, tensor(wt.dtype, [N, K], t));
    }
    const axis = conv || transB ? 0 : wt.shape.length - 1;
    add(n, 'DequantizeLinear', [x, xs, xzp], `${out}_xf`);
    add({ ...n, name: `${n.name}_w` }, 'DequantizeLinear', [wName, ws, wzp], `${out}_wf`, perCh ? { axis: int(axis) } : {});
    const ins = [`${out}_xf`, `${out}_wf`];
    if (bias !== undefined && bias !== '') {
      const bt = inits.get(bias)!;
      const xsv = inits.get(xs)!.data[0]!;
      const M = bt.data.length;
      const bs = Array.from({ length: M }, (_, m) => f32(xsv * wsT.data[perCh ? m : 0]!));
      if (form.bias === 'dq') {
        inits.set(`${bias}_s`, tensor('float32', [M], bs));
        add({ ...n, name: `${n.name}_b` }, 'DequantizeLinear', [bias, `${bias}_s`], `${out}_bf`, { axis: int(0) });
        ins.push(`${out}_bf`);
      } else {
        inits.set(`${bias}_f`, tensor('float32', [M], Array.from(bt.data, (v, m) => f32(v * bs[m]!))));
        ins.push(`${bias}_f`);
      }
    }
    const attrs: Record<string, NnAttribute> = conv ? Object.fromEntries(n.attributes) : transB ? { transB: int(1) } : {};
    add(n, conv ? 'Conv' : gemm ? 'Gemm' : 'MatMul', ins, `${out}_yf`, attrs);
    add({ ...n, name: `${n.name}_q` }, 'QuantizeLinear', [`${out}_yf`, ys, yzp], out);
  }
  return { ...g, nodes, initializers: inits, name: `${g.name}_qdq` };
}
