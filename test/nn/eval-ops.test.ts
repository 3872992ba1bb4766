/** Reference evaluator op semantics against plain re-statements of the ONNX / QONNX formulas. */
import { describe, expect, it } from 'vitest';
import {
  type NnAttribute, type NnGraph, type Tensor, createEvaluator, evaluate, fmaf, multiplyByQuantizedMultiplier, qonnxIntRange,
  quantizeMultiplier, requantFloat32, roundBy, roundHalfEven, saturatingRoundingDoublingHighMul, saturatingRoundingDoublingHighMulBig, tensor,
} from '../../src/nn/index.js';
import { SimError, deriveRng } from '../../src/util/index.js';

/** A one-node graph: inputs named by `feeds`, constants as initializers. */
function oneNode(opType: string, inputs: string[], attrs: Record<string, NnAttribute>, inits: Record<string, Tensor>, outputs = ['y'], domain = ''): NnGraph {
  const feeds = inputs.filter((i) => i !== '' && !(i in inits));
  return {
    name: 't',
    inputs: feeds.map((name) => ({ name, dtype: undefined, shape: undefined })),
    outputs: outputs.map((name) => ({ name, dtype: undefined, shape: undefined })),
    initializers: new Map(Object.entries(inits)),
    nodes: [{ name: 'n', index: 0, opType, domain, inputs, outputs, attributes: new Map(Object.entries(attrs)) }],
    opsets: new Map([['', 13]]),
    irVersion: 8,
  };
}
const ints = (value: number[]): NnAttribute => ({ kind: 'ints', value });
const int = (value: number): NnAttribute => ({ kind: 'int', value });
const str = (value: string): NnAttribute => ({ kind: 'string', value });
const f32 = Math.fround;

function randomInts(seed: string, n: number, lo: number, hi: number): number[] {
  const r = deriveRng(1, 'test.nn', seed);
  return Array.from({ length: n }, () => lo + Math.floor(r.next() * (hi - lo + 1)));
}

describe('quantization helpers', () => {
  it('rounds half to even and by the QONNX modes', () => {
    expect([-2.5, -1.5, -0.5, 0.5, 1.5, 2.5, 2.4, -2.6].map(roundHalfEven)).toEqual([-2, -2, -0, 0, 2, 2, 2, -3]);
    expect(['ROUND', 'ROUND_TO_ZERO', 'CEIL', 'FLOOR'].map((m) => roundBy(m as 'ROUND', -1.5))).toEqual([-2, -1, -1, -2]);
    expect(qonnxIntRange(2, true, true)).toEqual([-1, 1]);
    expect(qonnxIntRange(2, true, false)).toEqual([-2, 1]);
    expect(qonnxIntRange(8, false, true)).toEqual([0, 254]);
    expect(qonnxIntRange(1, false, false)).toEqual([0, 1]);
  });

  it('computes gemmlowp multipliers and products like TFLite', () => {
    expect(quantizeMultiplier(0.5)).toEqual({ mantissa: 2 ** 30, shift: 0 });
    expect(quantizeMultiplier(1)).toEqual({ mantissa: 2 ** 30, shift: 1 });
    const m = quantizeMultiplier(0.0123);
    for (const acc of [0, 1, -1, 1000, -1000, 123456, -98765]) {
      expect(Math.abs(multiplyByQuantizedMultiplier(acc, m) - acc * 0.0123)).toBeLessThanOrEqual(0.5 + 1e-9);
    }
    // Ties in the doubling high multiply round up (toward +infinity), not to even as float32 does.
    const half = quantizeMultiplier(0.5);
    expect([1, 3, -1, -3].map((a) => multiplyByQuantizedMultiplier(a, half))).toEqual([1, 2, 0, -1]);
    // Ties in the power-of-two shift round away from zero.
    const quarter = quantizeMultiplier(0.25);
    expect(quarter.shift).toBe(-1);
    expect([2, 6, -2, -6].map((a) => multiplyByQuantizedMultiplier(a, quarter))).toEqual([1, 2, -1, -2]);
  });

  it('computes the doubling high multiply exactly without BigInt', () => {
    const r = deriveRng(3, 'test.nn', 'srdhm');
    const edge = [0, 1, -1, 2 ** 30, -(2 ** 30), 2 ** 31 - 1, -(2 ** 31), 12345, -12345];
    const pairs: [number, number][] = edge.flatMap((a) => edge.map((b) => [a, b] as [number, number]));
    for (let i = 0; i < 5000; i++) pairs.push([Math.floor(r.next() * 2 ** 32) - 2 ** 31, Math.floor(r.next() * 2 ** 31)]);
    for (const [a, b] of pairs) expect(saturatingRoundingDoublingHighMul(a, b), `${a} * ${b}`).toBe(saturatingRoundingDoublingHighMulBig(a, b));
  });

  it('fuses multiply-add with one rounding', () => {
    const a = f32(1 + 2 ** -23);
    // (1 + 2^-23)^2 = 1 + 2^-22 + 2^-46: separate rounding loses 2^-46, fused keeps it against -1 - 2^-22.
    expect(fmaf(a, a, f32(-(1 + 2 ** -22)))).toBe(2 ** -46);
    expect(f32(f32(a * a) - f32(1 + 2 ** -22))).toBe(0);
    const r = deriveRng(2, 'test.nn', 'fma');
    for (let i = 0; i < 2000; i++) {
      const [x, y, z] = [f32(r.next() * 4 - 2), f32(r.next() * 4 - 2), f32(r.next() * 4 - 2)];
      expect(fmaf(x, y, z)).toBe(f32(x * y + z)); // exact in double for these magnitudes
    }
  });
});

/** Naive QLinearConv: the ONNX definition with onnxruntime's float32 requantization. */
function naiveQLinearConv(x: number[], w: number[], o: { C: number; H: number; W: number; M: number; k: number; group: number; pads: number[]; strides: number[]; dil: number[]; xzp: number; wzp: number[]; xScale: number; wScale: number[]; yScale: number; yzp: number; bias: number[] }): number[] {
  const { C, H, W, M, k, group } = o;
  const [pt, pl, pb, pr] = o.pads as [number, number, number, number];
  const OH = Math.floor((H + pt + pb - ((k - 1) * o.dil[0]! + 1)) / o.strides[0]!) + 1;
  const OW = Math.floor((W + pl + pr - ((k - 1) * o.dil[1]! + 1)) / o.strides[1]!) + 1;
  const Cg = C / group;
  const Mg = M / group;
  const out: number[] = [];
  for (let m = 0; m < M; m++) {
    const g = Math.floor(m / Mg);
    const mult = f32(f32(f32(o.xScale) * f32(o.wScale[m]!)) / f32(o.yScale));
    for (let oh = 0; oh < OH; oh++) {
      for (let ow = 0; ow < OW; ow++) {
        let acc = o.bias[m]!;
        for (let c = 0; c < Cg; c++) {
          for (let i = 0; i < k; i++) {
            for (let j = 0; j < k; j++) {
              const h = oh * o.strides[0]! - pt + i * o.dil[0]!;
              const ww = ow * o.strides[1]! - pl + j * o.dil[1]!;
              if (h < 0 || h >= H || ww < 0 || ww >= W) continue;
              acc += (x[((g * Cg + c) * H + h) * W + ww]! - o.xzp) * (w[((m * Cg + c) * k + i) * k + j]! - o.wzp[m]!);
            }
          }
        }
        out.push(Math.min(127, Math.max(-128, roundHalfEven(f32(f32(acc) * mult)) + o.yzp)));
      }
    }
  }
  return out;
}

describe('QLinearConv', () => {
  const cases = [
    { name: 'per-tensor 3x3 pad 1', C: 3, M: 4, group: 1, k: 3, pads: [1, 1, 1, 1], strides: [1, 1], dil: [1, 1], perChannel: false },
    { name: 'per-channel stride 2 asymmetric pads', C: 4, M: 6, group: 1, k: 3, pads: [0, 1, 1, 0], strides: [2, 2], dil: [1, 1], perChannel: true },
    { name: 'grouped, dilated', C: 4, M: 4, group: 2, k: 3, pads: [2, 2, 2, 2], strides: [1, 2], dil: [2, 2], perChannel: true },
    { name: 'depthwise', C: 5, M: 5, group: 5, k: 3, pads: [1, 1, 1, 1], strides: [1, 1], dil: [1, 1], perChannel: true },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const H = 7;
      const W = 6;
      const x = randomInts(`${c.name}.x`, c.C * H * W, -128, 127);
      const w = randomInts(`${c.name}.w`, c.M * (c.C / c.group) * c.k * c.k, -127, 127);
      const wScale = c.perChannel ? Array.from({ length: c.M }, (_, i) => 0.002 + 0.0007 * i) : [0.003];
      const wzp = c.perChannel ? Array(c.M).fill(0) : [0];
      const bias = randomInts(`${c.name}.b`, c.M, -2000, 2000);
      const o = { C: c.C, H, W, M: c.M, k: c.k, group: c.group, pads: c.pads, strides: c.strides, dil: c.dil, xzp: -3, wzp: c.perChannel ? wzp : Array(c.M).fill(0), xScale: 0.05, wScale: c.perChannel ? wScale : Array(c.M).fill(wScale[0]), yScale: 0.11, yzp: 5, bias };
      const g = oneNode('QLinearConv', ['x', 'xs', 'xz', 'w', 'ws', 'wz', 'ys', 'yz', 'b'],
        { group: int(c.group), pads: ints(c.pads), strides: ints(c.strides), dilations: ints(c.dil), kernel_shape: ints([c.k, c.k]) },
        {
          xs: tensor('float32', [], [0.05]), xz: tensor('int8', [], [-3]),
          w: tensor('int8', [c.M, c.C / c.group, c.k, c.k], w), ws: tensor('float32', [wScale.length], wScale), wz: tensor('int8', [wzp.length], wzp),
          ys: tensor('float32', [], [0.11]), yz: tensor('int8', [], [5]), b: tensor('int32', [c.M], bias),
        });
      const y = evaluate(g, new Map([['x', tensor('int8', [1, c.C, H, W], x)]])).get('y')!;
      expect(Array.from(y.data)).toEqual(naiveQLinearConv(x, w, o));
      // Fixed-point requantization differs from float32 by at most 1 LSB.
      const yf = evaluate(g, new Map([['x', tensor('int8', [1, c.C, H, W], x)]]), { requant: 'fixed-point' }).get('y')!;
      Array.from(yf.data).forEach((v, i) => expect(Math.abs(v - y.data[i]!)).toBeLessThanOrEqual(1));
    });
  }
});

describe('pooling, QONNX quantizers and errors', () => {
  it('GlobalAveragePool sums in four float32 lanes; AveragePool with padding divides by valid counts', () => {
    const vals = Array.from({ length: 2 * 5 * 5 }, (_, i) => f32(Math.sin(i) * 3));
    const x = tensor('float32', [1, 2, 5, 5], vals);
    const gap = evaluate(oneNode('GlobalAveragePool', ['x'], {}, {}), new Map([['x', x]])).get('y')!;
    for (let c = 0; c < 2; c++) {
      const l = [0, 0, 0, 0];
      const v = vals.slice(c * 25, c * 25 + 25);
      for (let i = 0; i < 24; i++) l[i % 4] = f32(l[i % 4]! + v[i]!);
      const s = f32(f32(f32(l[0]! + l[2]!) + f32(l[1]! + l[3]!)) + v[24]!);
      expect(gap.data[c]).toBe(f32(s / 25));
    }
    const ap = evaluate(oneNode('AveragePool', ['x'], { kernel_shape: ints([3, 3]), pads: ints([1, 1, 1, 1]), strides: ints([2, 2]) }, {}), new Map([['x', x]])).get('y')!;
    expect(ap.shape).toEqual([1, 2, 3, 3]);
    const corner = f32(f32(f32(vals[0]! + vals[5]!) + f32(vals[1]! + vals[6]!)) / 4);
    expect(ap.data[0]).toBe(corner);
    const mp = evaluate(oneNode('MaxPool', ['x'], { kernel_shape: ints([2, 2]), strides: ints([2, 2]), ceil_mode: int(1) }, {}), new Map([['x', x]])).get('y')!;
    expect(mp.shape).toEqual([1, 2, 3, 3]);
    expect(mp.data[8]).toBe(vals[24]);
  });

  it('Quant follows qonnx int_quant at every bit width and rounding mode; BipolarQuant gives +-scale', () => {
    const xs = [-3.7, -1.25, -0.5, -0.2, 0, 0.2, 0.5, 0.75, 1.5, 2.5, 9.9];
    for (const bits of [1, 2, 3, 4, 8]) {
      for (const signed of [0, 1]) {
        for (const narrow of [0, 1]) {
          if (bits === 1 && signed === 1 && narrow === 1) continue;
          for (const mode of ['ROUND', 'ROUND_TO_ZERO', 'CEIL', 'FLOOR'] as const) {
            const g = oneNode('Quant', ['x', 's', 'z', 'b'], { signed: int(signed), narrow: int(narrow), rounding_mode: str(mode) },
              { s: tensor('float32', [], [0.5]), z: tensor('float32', [], [0]), b: tensor('float32', [], [bits]) }, ['y'], 'qonnx.custom_op.general');
            const y = evaluate(g, new Map([['x', tensor('float32', [xs.length], xs)]])).get('y')!;
            const [lo, hi] = qonnxIntRange(bits, signed === 1, narrow === 1);
            expect(Array.from(y.data), `${bits} ${signed} ${narrow} ${mode}`).toEqual(xs.map((v) => roundBy(mode, Math.min(hi, Math.max(lo, f32(v) / 0.5))) * 0.5));
          }
        }
      }
    }
    const bq = oneNode('BipolarQuant', ['x', 's'], {}, { s: tensor('float32', [], [0.25]) }, ['y'], 'onnx.brevitas');
    expect(Array.from(evaluate(bq, new Map([['x', tensor('float32', [3], [-1, 0, 2])]])).get('y')!.data)).toEqual([-0.25, 0.25, 0.25]);
  });

  it('throws SimError (never a raw exception) for missing or mistyped inputs and bad shapes', () => {
    const g = oneNode('Relu', ['x'], {}, {});
    const typed: NnGraph = { ...g, inputs: [{ name: 'x', dtype: 'float32', shape: [1, 2] }] };
    expect(() => evaluate(g, new Map())).toThrow(SimError);
    expect(() => evaluate(typed, new Map([['x', tensor('int8', [1, 2], [1, 2])]]))).toThrow(/must be float32/);
    expect(() => evaluate(typed, new Map([['x', tensor('float32', [1, 3], [1, 2, 3])]]))).toThrow(/must have shape/);
    const add = oneNode('Add', ['a', 'b'], {}, {});
    expect(() => evaluate(add, new Map([['a', tensor('float32', [2], [1, 2])], ['b', tensor('float32', [3], [1, 2, 3])]]))).toThrow(/do not broadcast/);
    const conv = oneNode('QLinearConv', ['x', 's', 'z', 'w', 's', 'z', 's', 'z'], {}, { s: tensor('float32', [], [1]), z: tensor('int8', [], [0]), w: tensor('int8', [1, 1, 1, 1], [1]) });
    expect(() => evaluate(conv, new Map([['x', tensor('float32', [1, 1, 2, 2], [1, 2, 3, 4])]]))).toThrow(/input x has type float32; supported: int8, uint8/);
  });

  it('broadcasts element-wise ops and keeps every tensor with runAll', () => {
    const g = oneNode('Mul', ['a', 'b'], {}, { b: tensor('float32', [3, 1], [1, 2, 3]) });
    const ev = createEvaluator(g);
    const all = ev.runAll(new Map([['a', tensor('float32', [1, 2], [10, 20])]]));
    expect(all.get('y')!.shape).toEqual([3, 2]);
    expect(Array.from(all.get('y')!.data)).toEqual([10, 20, 20, 40, 30, 60]);
    expect(all.has('b')).toBe(true);
  });
});

describe('requantization of accumulators beyond 2^24', () => {
  it('rounds the accumulator to float32 before the multiply, as onnxruntime: acc 16777217 x (201 / 2^25) -> 100, not 101', () => {
    // K = 260: 258 x (255 x 255) + 255 x 3 + 2 x 1 = 16777217. float32(16777217) = 16777216 (ties to
    // even), x 201/2^25 = 100.5 exactly -> 100 (half to even). Multiplying the exact integer first
    // gives f32(100.500006) = 100.5000076 -> 101.
    const K = 260;
    const a = [...Array(258).fill(255), 255, 2];
    const b = [...Array(258).fill(255), 3, 1];
    const M = Math.fround(201 / 2 ** 25);
    expect(requantFloat32(16777217, M, 0, -128, 127)).toBe(100);
    const g: NnGraph = {
      name: 'rq', irVersion: 8, opsets: new Map([['', 13]]),
      inputs: [{ name: 'a', dtype: 'uint8', shape: [1, K] }], outputs: [{ name: 'y', dtype: 'int8', shape: [1, 1] }],
      initializers: new Map<string, Tensor>([
        ['as', tensor('float32', [], [M])], ['az', tensor('uint8', [], [0])],
        ['b', tensor('uint8', [K, 1], b)], ['bs', tensor('float32', [], [1])], ['bz', tensor('uint8', [], [0])],
        ['ys', tensor('float32', [], [1])], ['yz', tensor('int8', [], [0])],
      ]),
      nodes: [{ name: 'mm', index: 0, opType: 'QLinearMatMul', domain: '', inputs: ['a', 'as', 'az', 'b', 'bs', 'bz', 'ys', 'yz'], outputs: ['y'], attributes: new Map() }],
    };
    const y = evaluate(g, new Map([['a', tensor('uint8', [1, K], a)]])).get('y')!;
    expect(Array.from(y.data)).toEqual([100]);
  });
});
