/**
 * The float-side kernels of src/compiler/float-kernels.ts, assembled and run on the stand-alone
 * ISS (RV32IMF) over a FlatMemory, compared BIT FOR BIT with src/nn's reference evaluator on a
 * one-node graph (or, for the requantization step, with `requantFloat32`).
 *
 * Instructions retired per element, measured on these runs (whole kernel incl. setup, one core,
 * `core.instructions / elements`; no timing is asserted):
 * - QuantizeLinear: 10 in the loop (`flw, fdiv.s, fmax.s, fmin.s, fcvt.w.s, add, sb` + 3);
 *   10.46 for 37 elements per tensor; per axis 10.9-12.8 with blocks of 5-20 elements, 24.5 when
 *   the axis is the last one (blocks of 1 element: a ~14-instruction channel switch each).
 * - DequantizeLinear: 8 in the loop; 8.25 for 60 elements per tensor, 8.8 per axis (blocks of 20),
 *   20.6 with blocks of 1.
 * - Add / Mul: 8 in the loop; 8.04 for 333 elements.
 * - fused DequantizeLinear x2 -> Add/Mul -> QuantizeLinear (`qdqBinary`): 19 in the loop (the
 *   four separate kernels: 8 + 8 + 8 + 10 and three float32 tensors in memory).
 * - requantize (QLinearConv output stage, `requantSnippet` in a loop): 11 in the loop; 11.39 with
 *   per-channel blocks of 40.
 * - GlobalAveragePool: 2.5 per input element + ~12 per plane; 2.69 for [1,64,8,8].
 * - AveragePool: 4 per window element + ~25 per output in row order (ResNet-8's 8x8/8 pool:
 *   5.04 per input element); in MLAS's column order 4 per window element + 6 per window column +
 *   ~25 per output (3x3 stride 1: 66 per output).
 * - Softmax: ~34 per element + ~35 per row (38.2 for ResNet-8's [1,10], 34.2 for rows of 40).
 */
import { describe, expect, it } from 'vitest';
import {
  type FloatKernel, type KernelData, averagePool, dequantizeLinear, elementwise, globalAveragePool, qdqBinary, quantizeLinear, requantize, requantLoadSnippet, requantSnippet, requantTable, softmax,
} from '../../src/compiler/float-kernels.js';
import { assembleOrThrow } from '../../src/isa/index.js';
import { FlatMemory, Rv32Core } from '../../src/modules/core/index.js';
import {
  type DType, type NnAttribute, type NnGraph, type Tensor, evaluate, float32Multiplier, requantFloat32, tensor,
} from '../../src/nn/index.js';
import { deriveRng, type Rng } from '../../src/util/index.js';

const f32 = Math.fround;
const MEM = 1 << 21;
const CODE = 0x0;
const TABLE = 0x20000;
const IN_A = 0x40000;
const IN_B = 0x80000;
const OUT = 0xc0000;
const SENTINEL = 0x7fbadbad; // a NaN payload no kernel produces (RISC-V NaN results are canonical)

const X_NAMES = ['zero', 'ra', 'sp', 'gp', 'tp', 't0', 't1', 't2', 's0', 's1', 'a0', 'a1', 'a2', 'a3', 'a4', 'a5', 'a6', 'a7', 's2', 's3', 's4', 's5', 's6', 's7', 's8', 's9', 's10', 's11', 't3', 't4', 't5', 't6'];
const F_NAMES = [...[0, 1, 2, 3, 4, 5, 6, 7].map((i) => `ft${i}`), 'fs0', 'fs1', ...[0, 1, 2, 3, 4, 5, 6, 7].map((i) => `fa${i}`), ...[2, 3, 4, 5, 6, 7, 8, 9, 10, 11].map((i) => `fs${i}`), 'ft8', 'ft9', 'ft10', 'ft11'];

interface Run { readonly mem: FlatMemory; readonly instructions: number[] }

/** Assembles `k`, writes its data, runs it on `harts` cores (a0 = id, a1 = harts) one after another. */
function run(k: FloatKernel, mem: FlatMemory, harts = 1, perHart?: (h: number) => void): Run {
  const prog = assembleOrThrow(`${k.asm}  ecall\n`, { origin: CODE });
  mem.writeWords(CODE, prog.words);
  for (const d of k.data) mem.write(d.address, d.bytes);
  const instructions: number[] = [];
  for (let h = 0; h < harts; h++) {
    const core = new Rv32Core(mem, { name: `c${h}`, pc: CODE, extensions: ['F'] });
    // register convention: every register starts with a marker; only the declared clobbers may change
    for (let i = 1; i < 32; i++) core.setReg(i, 0x5a5a0000 + i);
    for (let i = 0; i < 32; i++) core.setFreg(i, 0x7f8a0000 + i);
    core.setReg(10, h);
    core.setReg(11, harts);
    const r = core.run(50_000_000);
    if (r === 'error') throw core.error;
    expect(r).toBe('ecall');
    for (let i = 1; i < 32; i++) if (!k.clobbers.includes(X_NAMES[i]!)) expect(core.reg(i), `${X_NAMES[i]} preserved`).toBe(i === 10 ? h : i === 11 ? harts : 0x5a5a0000 + i);
    for (let i = 0; i < 32; i++) if (!k.clobbers.includes(F_NAMES[i]!)) expect(core.freg(i), `${F_NAMES[i]} preserved`).toBe(0x7f8a0000 + i);
    expect(k.clobbers.filter((c) => /^(a0|a1|s\d+|fs\d+|sp|ra|gp|tp)$/.test(c))).toEqual([]);
    instructions.push(core.instructions - 1); // without the final ecall
    perHart?.(h);
  }
  return { mem, instructions };
}

function graph1(opType: string, inputs: readonly Tensor[], attrs: Record<string, NnAttribute> = {}, opset = 13, outDtype: DType = 'float32'): { g: NnGraph; feeds: Map<string, Tensor> } {
  const names = inputs.map((_, i) => `in${i}`);
  const g: NnGraph = {
    name: opType,
    inputs: inputs.map((t, i) => ({ name: names[i]!, dtype: t.dtype, shape: t.shape })),
    outputs: [{ name: 'y', dtype: outDtype, shape: undefined }],
    initializers: new Map(),
    nodes: [{ name: 'n', index: 0, opType, domain: '', inputs: names, outputs: ['y'], attributes: new Map(Object.entries(attrs)) }],
    opsets: new Map([['', opset]]),
    irVersion: 8,
  };
  return { g, feeds: new Map(inputs.map((t, i) => [names[i]!, t])) };
}

const evalNode = (op: string, inputs: readonly Tensor[], attrs: Record<string, NnAttribute> = {}, opset = 13): Tensor => {
  const { g, feeds } = graph1(op, inputs, attrs, opset);
  return evaluate(g, feeds).get('y')!;
};

const int = (value: number): NnAttribute => ({ kind: 'int', value });
const ints = (value: readonly number[]): NnAttribute => ({ kind: 'ints', value });

/** Bytes of a typed array (little-endian host). */
const bytesOf = (a: ArrayBufferView): Uint8Array => new Uint8Array(a.buffer, a.byteOffset, a.byteLength).slice();

/** Random float32 with a spread of magnitudes and signs. */
function randF32(rng: Rng, n: number, spread = 8): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = f32((rng.next() * 2 - 1) * 2 ** (rng.int(spread * 2) - spread));
  return out;
}

function readF32(mem: FlatMemory, addr: number, n: number): Uint32Array {
  return new Uint32Array(mem.read(addr, n * 4).slice().buffer);
}

const bitsOf = (a: Float32Array): Uint32Array => new Uint32Array(a.slice().buffer);


/** Float32 bits with every NaN as the canonical 0x7fc00000 (the evaluator's NaN bits depend on the host). */
const canon = (a: Uint32Array): Uint32Array => a.map((b) => ((b & 0x7f800000) === 0x7f800000 && (b & 0x7fffff) !== 0 ? 0x7fc00000 : b));

describe('float kernels: QuantizeLinear', () => {
  const cases: { shape: number[]; channels: number; axis?: number; dtype: 'int8' | 'uint8' }[] = [
    { shape: [1, 3, 4, 5], channels: 1, dtype: 'int8' },
    { shape: [2, 7], channels: 1, dtype: 'uint8' },
    { shape: [1, 3, 4, 5], channels: 3, dtype: 'int8' },
    { shape: [2, 4, 3, 3], channels: 4, axis: 1, dtype: 'uint8' },
    { shape: [5, 6], channels: 5, axis: 0, dtype: 'int8' },
    { shape: [3, 2, 7], channels: 7, axis: -1, dtype: 'uint8' },
    { shape: [37], channels: 1, dtype: 'int8' },
  ];
  for (const [ci, c] of cases.entries()) {
    it(`${c.dtype} [${c.shape.join(',')}] with ${c.channels} scale(s)${c.axis === undefined ? '' : ` on axis ${c.axis}`}: bit-exact incl. ties and saturation`, () => {
      const rng = deriveRng(1, 'float-kernels', `q${ci}`);
      const n = c.shape.reduce((p, d) => p * d, 1);
      const [lo, hi] = c.dtype === 'int8' ? [-128, 127] : [0, 255];
      // scales: powers of two (exact ties x / s = k + 0.5) and arbitrary float32 values
      const scales = Array.from({ length: c.channels }, (_, k) => (k % 2 === 0 ? 2 ** -(rng.int(6) + 1) : f32(0.001 + rng.next() * 0.2)));
      const zps = scales.map(() => lo + rng.int(hi - lo + 1));
      const axis = c.axis ?? 1;
      const ax = axis < 0 ? axis + c.shape.length : axis;
      const inner = c.shape.slice(ax + 1).reduce((p, d) => p * d, 1);
      const x = new Float32Array(n);
      for (let k = 0; k < n; k++) {
        const s = scales[c.channels === 1 ? 0 : Math.floor(k / inner) % c.channels]!;
        const mode = rng.int(4);
        if (mode === 0) x[k] = f32((rng.int(400) - 200 + 0.5) * s); // ties (exact for power-of-two s), some saturating
        else if (mode === 1) x[k] = f32((rng.next() * 2 - 1) * 1000 * s); // mostly saturating
        else x[k] = f32((rng.next() * 2 - 1) * 150 * s);
      }
      const X = tensor('float32', c.shape, x);
      const S = c.channels === 1 ? tensor('float32', [], scales) : tensor('float32', [c.channels], scales);
      const Z = c.channels === 1 ? tensor(c.dtype, [], zps) : tensor(c.dtype, [c.channels], zps);
      const ref = evalNode('QuantizeLinear', [X, S, Z], c.axis === undefined ? {} : { axis: int(c.axis) });
      const k = quantizeLinear({ prefix: 'q', inAddr: IN_A, outAddr: OUT, shape: c.shape, quant: { scales, zeroPoints: zps, dtype: c.dtype, ...(c.axis === undefined ? {} : { axis: c.axis }) }, tableAddress: TABLE });
      const mem = new FlatMemory(0, MEM);
      mem.write(IN_A, bytesOf(x));
      run(k, mem);
      expect(Array.from(mem.read(OUT, n))).toEqual(Array.from(bytesOf(ref.data)));
      // the test does exercise exact .5 ties and both saturation bounds
      const q = Array.from(ref.data);
      expect(q.includes(lo) && q.includes(hi)).toBe(true);
      const ties = Array.from(x).filter((v, k) => {
        const ch = c.channels === 1 ? 0 : Math.floor(k / inner) % c.channels;
        const y = f32(v / scales[ch]!);
        return Math.abs(y - Math.trunc(y)) === 0.5 && y + zps[ch]! > lo && y + zps[ch]! < hi; // unsaturated ties
      }).length;
      expect(ties).toBeGreaterThan(0);
    });
  }
});

describe('float kernels: DequantizeLinear', () => {
  const cases: { shape: number[]; channels: number; axis?: number; dtype: 'int8' | 'uint8' }[] = [
    { shape: [1, 3, 4, 5], channels: 1, dtype: 'int8' },
    { shape: [1, 3, 4, 5], channels: 3, dtype: 'uint8' },
    { shape: [4, 9], channels: 4, axis: 0, dtype: 'int8' },
    { shape: [2, 3, 5], channels: 5, axis: -1, dtype: 'uint8' },
  ];
  for (const [ci, c] of cases.entries()) {
    it(`${c.dtype} [${c.shape.join(',')}] with ${c.channels} scale(s): bit-exact`, () => {
      const rng = deriveRng(1, 'float-kernels', `dq${ci}`);
      const n = c.shape.reduce((p, d) => p * d, 1);
      const [lo, hi] = c.dtype === 'int8' ? [-128, 127] : [0, 255];
      const scales = Array.from({ length: c.channels }, () => f32(rng.next() * 0.3 + 1e-4));
      const zps = scales.map(() => lo + rng.int(hi - lo + 1));
      const x = Array.from({ length: n }, () => lo + rng.int(hi - lo + 1));
      const X = tensor(c.dtype, c.shape, x);
      const S = c.channels === 1 ? tensor('float32', [], scales) : tensor('float32', [c.channels], scales);
      const Z = c.channels === 1 ? tensor(c.dtype, [], zps) : tensor(c.dtype, [c.channels], zps);
      const ref = evalNode('DequantizeLinear', [X, S, Z], c.axis === undefined ? {} : { axis: int(c.axis) });
      const k = dequantizeLinear({ prefix: 'dq', inAddr: IN_A, outAddr: OUT, shape: c.shape, quant: { scales, zeroPoints: zps, dtype: c.dtype, ...(c.axis === undefined ? {} : { axis: c.axis }) }, tableAddress: TABLE });
      const mem = new FlatMemory(0, MEM);
      mem.write(IN_A, bytesOf(X.data));
      run(k, mem);
      expect(readF32(mem, OUT, n)).toEqual(bitsOf(ref.data as Float32Array));
    });
  }
});

describe('float kernels: Add and Mul (equal shapes)', () => {
  for (const op of ['Add', 'Mul'] as const) {
    for (const n of [1, 5, 64, 333]) {
      it(`${op} of ${n} elements: bit-exact`, () => {
        const rng = deriveRng(1, 'float-kernels', `${op}${n}`);
        const a = randF32(rng, n, 20);
        const b = randF32(rng, n, 20);
        const ref = evalNode(op, [tensor('float32', [n], a), tensor('float32', [n], b)]);
        const k = elementwise({ prefix: 'ew', op: op === 'Add' ? 'add' : 'mul', aAddr: IN_A, bAddr: IN_B, outAddr: OUT, elements: n });
        const mem = new FlatMemory(0, MEM);
        mem.write(IN_A, bytesOf(a));
        mem.write(IN_B, bytesOf(b));
        run(k, mem);
        expect(readF32(mem, OUT, n)).toEqual(bitsOf(ref.data as Float32Array));
      });
    }
  }
});

describe('float kernels: fused DequantizeLinear -> Add/Mul -> QuantizeLinear', () => {
  const cases = [
    { op: 'Add', n: 300, a: 'int8', b: 'int8', out: 'int8' },
    { op: 'Add', n: 97, a: 'uint8', b: 'int8', out: 'uint8' },
    { op: 'Mul', n: 64, a: 'int8', b: 'uint8', out: 'int8' },
  ] as const;
  for (const [ci, c] of cases.entries()) {
    it(`${c.op} ${c.a} x ${c.b} -> ${c.out}, ${c.n} elements: bit-exact with the four-node graph, incl. ties`, () => {
      const rng = deriveRng(1, 'float-kernels', `qdq${ci}`);
      const rangeOf = (d: 'int8' | 'uint8'): [number, number] => (d === 'int8' ? [-128, 127] : [0, 255]);
      const q = (d: 'int8' | 'uint8', scale: number) => ({ dtype: d, scale: f32(scale), zeroPoint: rangeOf(d)[0] + rng.int(256) });
      // power-of-two scales make exact .5 ties after the division common; the output scale is arbitrary in one case
      const qa = q(c.a, 2 ** -5);
      const qb = q(c.b, 2 ** -4);
      const qo = q(c.out, ci === 1 ? 0.0371 : 2 ** -4);
      const xa = Array.from({ length: c.n }, () => rangeOf(c.a)[0] + rng.int(256));
      const xb = Array.from({ length: c.n }, () => rangeOf(c.b)[0] + rng.int(256));
      const sc = (v: number): Tensor => tensor('float32', [], [v]);
      const g: NnGraph = {
        name: 'qdq', irVersion: 8, opsets: new Map([['', 13]]),
        inputs: [{ name: 'a', dtype: c.a, shape: [c.n] }, { name: 'b', dtype: c.b, shape: [c.n] }],
        outputs: [{ name: 'y', dtype: c.out, shape: [c.n] }],
        initializers: new Map<string, Tensor>([
          ['sa', sc(qa.scale)], ['za', tensor(c.a, [], [qa.zeroPoint])], ['sb', sc(qb.scale)], ['zb', tensor(c.b, [], [qb.zeroPoint])],
          ['so', sc(qo.scale)], ['zo', tensor(c.out, [], [qo.zeroPoint])],
        ]),
        nodes: [
          { name: 'dqa', index: 0, opType: 'DequantizeLinear', domain: '', inputs: ['a', 'sa', 'za'], outputs: ['fa'], attributes: new Map() },
          { name: 'dqb', index: 1, opType: 'DequantizeLinear', domain: '', inputs: ['b', 'sb', 'zb'], outputs: ['fb'], attributes: new Map() },
          { name: 'op', index: 2, opType: c.op, domain: '', inputs: ['fa', 'fb'], outputs: ['fy'], attributes: new Map() },
          { name: 'q', index: 3, opType: 'QuantizeLinear', domain: '', inputs: ['fy', 'so', 'zo'], outputs: ['y'], attributes: new Map() },
        ],
      };
      const ref = evaluate(g, new Map([['a', tensor(c.a, [c.n], xa)], ['b', tensor(c.b, [c.n], xb)]])).get('y')!;
      const mem = new FlatMemory(0, MEM);
      mem.write(IN_A, bytesOf(tensor(c.a, [c.n], xa).data));
      mem.write(IN_B, bytesOf(tensor(c.b, [c.n], xb).data));
      // 19 instructions per element (+ ~25 setup)
      run(qdqBinary({ prefix: 'qdq', op: c.op === 'Add' ? 'add' : 'mul', aAddr: IN_A, bAddr: IN_B, outAddr: OUT, elements: c.n, a: qa, b: qb, out: qo, tableAddress: TABLE, split: { kind: 'harts' } }), mem, 3);
      expect(Array.from(mem.read(OUT, c.n))).toEqual(Array.from(bytesOf(ref.data)));
      const ties = xa.filter((v, i) => {
        const fa = f32(f32(v - qa.zeroPoint) * qa.scale);
        const fb = f32(f32(xb[i]! - qb.zeroPoint) * qb.scale);
        const y = f32(f32(c.op === 'Add' ? fa + fb : fa * fb) / qo.scale);
        return Math.abs(y - Math.trunc(y)) === 0.5;
      }).length;
      if (ci !== 1) expect(ties).toBeGreaterThan(5);
    });
  }
});

interface PoolCase {
  readonly shape: [number, number, number, number];
  readonly kernel: [number, number];
  readonly strides?: [number, number];
  readonly pads?: [number, number, number, number];
  readonly autoPad?: 'NOTSET' | 'VALID' | 'SAME_UPPER' | 'SAME_LOWER';
  readonly ceil?: boolean;
  readonly includePad?: boolean;
}

function poolAttrs(c: PoolCase): Record<string, NnAttribute> {
  const a: Record<string, NnAttribute> = { kernel_shape: ints(c.kernel) };
  if (c.strides) a.strides = ints(c.strides);
  if (c.pads) a.pads = ints(c.pads);
  if (c.autoPad) a.auto_pad = { kind: 'string', value: c.autoPad };
  if (c.ceil) a.ceil_mode = int(1);
  if (c.includePad) a.count_include_pad = int(1);
  return a;
}

describe('float kernels: AveragePool in MLAS summation order', () => {
  const cases: PoolCase[] = [
    { shape: [1, 4, 8, 8], kernel: [8, 8], strides: [8, 8] }, // ResNet-8's final pool: generic (row-major) order
    { shape: [1, 3, 7, 9], kernel: [3, 3], pads: [1, 1, 1, 1] }, // vector (column) order, pads not counted
    { shape: [1, 3, 7, 9], kernel: [3, 3], pads: [1, 1, 1, 1], includePad: true },
    { shape: [2, 2, 10, 11], kernel: [2, 3], strides: [2, 2], pads: [0, 1, 1, 0], ceil: true },
    { shape: [1, 2, 9, 9], kernel: [3, 3], strides: [3, 3], pads: [1, 1, 1, 1] }, // generic order with pads
    { shape: [1, 1, 4, 40], kernel: [2, 34] }, // kernel_w > 32: generic order
    { shape: [1, 2, 6, 7], kernel: [3, 2], strides: [2, 1], autoPad: 'SAME_UPPER' },
    { shape: [1, 2, 5, 5], kernel: [2, 2], strides: [1, 2], pads: [3, 0, 3, 0] }, // windows entirely in padding
    { shape: [1, 1, 3, 600], kernel: [2, 3], strides: [1, 2] }, // row stride over 2047 bytes, column order
    { shape: [1, 1, 3, 600], kernel: [2, 3], strides: [1, 3] }, // the same in row order
  ];
  for (const [ci, c] of cases.entries()) {
    it(`[${c.shape.join(',')}] kernel ${c.kernel.join('x')} strides ${(c.strides ?? [1, 1]).join('x')} pads [${(c.pads ?? [0, 0, 0, 0]).join(',')}]${c.autoPad ? ` ${c.autoPad}` : ''}${c.ceil ? ' ceil' : ''}${c.includePad ? ' count_include_pad' : ''}: bit-exact`, () => {
      const rng = deriveRng(1, 'float-kernels', `ap${ci}`);
      const n = c.shape.reduce((p, d) => p * d, 1);
      const x = randF32(rng, n, 6);
      const ref = evalNode('AveragePool', [tensor('float32', c.shape, x)], poolAttrs(c));
      const k = averagePool({
        prefix: 'ap', inAddr: IN_A, outAddr: OUT, shape: c.shape, kernel: c.kernel, tableAddress: TABLE,
        ...(c.strides ? { strides: c.strides } : {}), ...(c.pads ? { pads: c.pads } : {}), ...(c.autoPad ? { autoPad: c.autoPad } : {}),
        ...(c.ceil ? { ceilMode: true } : {}), ...(c.includePad ? { countIncludePad: true } : {}),
      });
      const mem = new FlatMemory(0, MEM);
      mem.write(IN_A, bytesOf(x));
      run(k, mem);
      expect(ref.data.length).toBe(k.units * (ref.shape[2]! * ref.shape[3]!));
      expect(canon(readF32(mem, OUT, ref.data.length))).toEqual(canon(bitsOf(ref.data as Float32Array)));
    });
  }

  it('the summation order matters: a plain row-major sum differs from MLAS column order in some outputs', () => {
    const rng = deriveRng(1, 'float-kernels', 'order');
    const shape: [number, number, number, number] = [1, 8, 6, 6];
    const x = randF32(rng, 288, 12);
    const ref = evalNode('AveragePool', [tensor('float32', shape, x)], { kernel_shape: ints([3, 3]) });
    let differ = 0;
    for (let p = 0; p < 8; p++) for (let oh = 0; oh < 4; oh++) for (let ow = 0; ow < 4; ow++) {
      let s = 0;
      for (let h = oh; h < oh + 3; h++) for (let w = ow; w < ow + 3; w++) s = f32(s + x[p * 36 + h * 6 + w]!);
      if (f32(s / 9) !== ref.data[p * 16 + oh * 4 + ow]) differ++;
    }
    expect(differ).toBeGreaterThan(0);
    const mem = new FlatMemory(0, MEM);
    mem.write(IN_A, bytesOf(x));
    run(averagePool({ prefix: 'ap', inAddr: IN_A, outAddr: OUT, shape, kernel: [3, 3], tableAddress: TABLE }), mem);
    expect(readF32(mem, OUT, 128)).toEqual(bitsOf(ref.data as Float32Array));
  });
});

describe('float kernels: GlobalAveragePool (four lanes, MLAS order)', () => {
  const shapes: [number, number, number, number][] = [[1, 4, 8, 8], [2, 3, 5, 5], [1, 2, 3, 1], [1, 3, 7, 2], [1, 64, 8, 8]];
  for (const [ci, shape] of shapes.entries()) {
    it(`[${shape.join(',')}]: bit-exact`, () => {
      const rng = deriveRng(1, 'float-kernels', `gap${ci}`);
      const n = shape.reduce((p, d) => p * d, 1);
      const x = randF32(rng, n, 10);
      const ref = evalNode('GlobalAveragePool', [tensor('float32', shape, x)]);
      const mem = new FlatMemory(0, MEM);
      mem.write(IN_A, bytesOf(x));
      run(globalAveragePool({ prefix: 'gap', inAddr: IN_A, outAddr: OUT, shape }), mem);
      expect(readF32(mem, OUT, shape[0] * shape[1])).toEqual(bitsOf(ref.data as Float32Array));
    });
  }
});

describe('float kernels: Softmax (MLAS exp polynomial, eight lanes)', () => {
  const cases: { shape: number[]; opset?: number; axis?: number; spread: number }[] = [
    { shape: [1, 10], spread: 4 }, // ResNet-8's logits
    { shape: [3, 17], spread: 6 },
    { shape: [2, 8], spread: 2 },
    { shape: [4, 1], spread: 3 },
    { shape: [2, 3, 5], spread: 5 },
    { shape: [2, 40], spread: 8 }, // large differences: exp below MLAS's lower range clamp
    { shape: [3, 12], opset: 11, axis: 1, spread: 4 },
  ];
  for (const [ci, c] of cases.entries()) {
    it(`[${c.shape.join(',')}]${c.opset ? ` opset ${c.opset}` : ''}: bit-exact`, () => {
      const rng = deriveRng(1, 'float-kernels', `sm${ci}`);
      const n = c.shape.reduce((p, d) => p * d, 1);
      const D = c.shape[c.shape.length - 1]!;
      const x = randF32(rng, n, c.spread);
      if (ci === 5) for (let i = 0; i < n; i += 3) x[i] = f32(x[i]! * 1000);
      const ref = evalNode('Softmax', [tensor('float32', c.shape, x)], c.axis === undefined ? {} : { axis: int(c.axis) }, c.opset ?? 13);
      const mem = new FlatMemory(0, MEM);
      mem.write(IN_A, bytesOf(x));
      run(softmax({ prefix: 'sm', inAddr: IN_A, outAddr: OUT, rows: n / D, length: D, tableAddress: TABLE }), mem);
      expect(readF32(mem, OUT, n)).toEqual(bitsOf(ref.data as Float32Array));
    });
  }

  it('in place (output = input): bit-exact', () => {
    const rng = deriveRng(1, 'float-kernels', 'sm-inplace');
    const x = randF32(rng, 30, 4);
    const ref = evalNode('Softmax', [tensor('float32', [3, 10], x)]);
    const mem = new FlatMemory(0, MEM);
    mem.write(IN_A, bytesOf(x));
    run(softmax({ prefix: 'sm', inAddr: IN_A, outAddr: IN_A, rows: 3, length: 10, tableAddress: TABLE }), mem);
    expect(readF32(mem, IN_A, 30)).toEqual(bitsOf(ref.data as Float32Array));
  });
});

describe('float kernels: QLinearConv requantization step', () => {
  it('matches requantFloat32 bit for bit: ties to even, |acc| > 2^24, saturation, int8 and uint8, per channel', () => {
    const rng = deriveRng(1, 'float-kernels', 'rq');
    for (const dtype of ['int8', 'uint8'] as const) {
      const C = 5;
      const inner = 40;
      const n = 2 * C * inner;
      const [lo, hi] = dtype === 'int8' ? [-128, 127] : [0, 255];
      // multipliers: powers of two (exact .5 ties) and float32Multiplier-style values
      const mult = [0.5, 2 ** -4, float32Multiplier(0.0235, 0.0031, 0.0417), float32Multiplier(0.5, 0.00123, 0.25), 2 ** -20];
      const zp = dtype === 'int8' ? -3 : 131;
      const acc = new Int32Array(n);
      for (let k = 0; k < n; k++) {
        const m = rng.int(4);
        acc[k] = m === 0 ? rng.int(600) - 300 : m === 1 ? (rng.nextU32() | 0) : m === 2 ? (rng.nextU32() | 0) >> rng.int(28) : 2 ** 24 + rng.int(64) - 32;
      }
      acc[0] = 2147483647; acc[1] = -2147483648; acc[2] = 16777217; acc[3] = -16777219; // beyond 2^24: fcvt.s.w rounds
      const k = requantize({ prefix: 'rq', inAddr: IN_A, outAddr: OUT, shape: [2, C, inner], multipliers: mult, zeroPoint: zp, dtype, tableAddress: TABLE });
      const mem = new FlatMemory(0, MEM);
      mem.write(IN_A, bytesOf(acc));
      run(k, mem);
      const got = Array.from(mem.read(OUT, n), (b) => (dtype === 'int8' ? (b << 24) >> 24 : b));
      const want = Array.from(acc, (a, i) => requantFloat32(a, mult[Math.floor(i / inner) % C]!, zp, lo, hi));
      expect(got).toEqual(want);
      const ties = Array.from(acc).filter((a, i) => { const v = f32(f32(a) * mult[Math.floor(i / inner) % C]!); return v - Math.floor(v) === 0.5; }).length;
      expect(ties).toBeGreaterThan(10);
      expect(want.includes(lo) && want.includes(hi)).toBe(true);
    }
  });

  it('converts the accumulator to float32 before multiplying, as MLAS (_mm_cvtepi32_ps, then mulps)', () => {
    // acc = 2^24 + 1 is not a float32: f32(acc) * m = 100.49999.. -> 100, while the exact acc * m
    // rounds to 100.5000.. -> 101 (what src/nn/eval.ts's inlined QLinearConv requantization computes).
    const m = f32(100.5 / 2 ** 24);
    const k = requantize({ prefix: 'rq', inAddr: IN_A, outAddr: OUT, shape: [1, 1, 2], multipliers: [m], zeroPoint: 0, dtype: 'int8', tableAddress: TABLE });
    const mem = new FlatMemory(0, MEM);
    mem.write(IN_A, bytesOf(new Int32Array([16777217, -16777217])));
    run(k, mem);
    expect(Array.from(new Int8Array(mem.read(OUT, 2).slice().buffer))).toEqual([100, -100]);
    expect(requantFloat32(16777217, m, 0, -128, 127)).toBe(100);
  });

  it('agrees with the evaluator on a one-node QLinearConv (1x1, per-channel weight scales)', () => {
    const rng = deriveRng(1, 'float-kernels', 'qconv');
    const [Cin, M, H, W] = [6, 4, 3, 5];
    const x = Array.from({ length: Cin * H * W }, () => rng.int(256) - 128);
    const w = Array.from({ length: M * Cin }, () => rng.int(256) - 128);
    const bias = Array.from({ length: M }, () => rng.int(2000) - 1000);
    const [xs, xzp, ys, yzp] = [f32(0.0173), -7, f32(0.0625), 5];
    const ws = Array.from({ length: M }, () => f32(0.001 + rng.next() * 0.01));
    const { g, feeds } = graph1('QLinearConv', [
      tensor('int8', [1, Cin, H, W], x), tensor('float32', [], [xs]), tensor('int8', [], [xzp]),
      tensor('int8', [M, Cin, 1, 1], w), tensor('float32', [M], ws), tensor('int8', [M], new Array<number>(M).fill(0)),
      tensor('float32', [], [ys]), tensor('int8', [], [yzp]), tensor('int32', [M], bias),
    ], {}, 13, 'int8');
    const ref = evaluate(g, feeds).get('y')!;
    const acc = new Int32Array(M * H * W);
    for (let m = 0; m < M; m++) for (let p = 0; p < H * W; p++) {
      let s = bias[m]!;
      for (let c = 0; c < Cin; c++) s += (x[c * H * W + p]! - xzp) * w[m * Cin + c]!;
      acc[m * H * W + p] = s;
    }
    const mult = ws.map((s) => float32Multiplier(xs, s, ys));
    const mem = new FlatMemory(0, MEM);
    mem.write(IN_A, bytesOf(acc));
    run(requantize({ prefix: 'rq', inAddr: IN_A, outAddr: OUT, shape: [1, M, H, W], multipliers: mult, zeroPoint: yzp, dtype: 'int8', tableAddress: TABLE }), mem);
    expect(Array.from(mem.read(OUT, acc.length))).toEqual(Array.from(bytesOf(ref.data)));
  });

  it('the snippet is reusable with caller-chosen registers', () => {
    // one accumulator in s3, constants loaded from a table entry at s2; result in s4
    const tbl: KernelData = requantTable([0.5], -1, 'int8', TABLE);
    const accs = [5, 7, -5, -7, 1000, -1000, 3, 0x7fffffff];
    for (const a of accs) {
      const src = `li s2, ${TABLE}\n${requantLoadSnippet('s2', { mult: 'fs1', lo: 'fs2', hi: 'fs3', zp: 's5' })}li s3, ${a}\n${requantSnippet({ acc: 's3', out: 's4', mult: 'fs1', lo: 'fs2', hi: 'fs3', zp: 's5', ftmp: 'fs4' })}ecall\n`;
      const mem = new FlatMemory(0, MEM);
      mem.write(tbl.address, tbl.bytes);
      mem.writeWords(0, assembleOrThrow(src).words);
      const core = new Rv32Core(mem, { extensions: ['F'] });
      expect(core.run(100)).toBe('ecall');
      expect(core.reg(20)).toBe(requantFloat32(a, 0.5, -1, -128, 127));
    }
  });
});

describe('float kernels: work split over harts (a0 = hart id, a1 = harts)', () => {
  /** Runs `k` on `harts` cores sharing one memory; each hart must write exactly its own unit range. */
  function splitRun(k: FloatKernel, mem: FlatMemory, harts: number, outAddr: number, perUnit: number): void {
    const outBytes = k.units * perUnit * 4;
    mem.writeWords(outAddr, new Array<number>(outBytes / 4).fill(SENTINEL));
    let before = readF32(mem, outAddr, outBytes / 4);
    const owner = new Int32Array(outBytes / 4).fill(-1);
    run(k, mem, harts, (h) => {
      const after = readF32(mem, outAddr, outBytes / 4);
      const lo = Math.floor((k.units * h) / harts) * perUnit;
      const hi = Math.floor((k.units * (h + 1)) / harts) * perUnit;
      for (let i = 0; i < after.length; i++) {
        if (after[i] !== before[i]) {
          expect(owner[i], `word ${i} written twice`).toBe(-1);
          owner[i] = h;
        }
        if (i >= lo && i < hi) expect(after[i], `hart ${h} left word ${i} of its range unwritten`).not.toBe(SENTINEL);
        else expect(owner[i] === h).toBe(false);
      }
      before = after;
    });
    expect(Array.from(owner).every((o) => o >= 0)).toBe(true);
  }

  for (const harts of [2, 3, 4]) {
    it(`${harts} harts: Add, AveragePool, GlobalAveragePool, Softmax, Dequantize and Quantize cover every unit once, results bit-exact`, () => {
      const rng = deriveRng(1, 'float-kernels', `split${harts}`);
      const split = { kind: 'harts' } as const;
      // Add over 101 elements
      {
        const a = randF32(rng, 101, 10);
        const b = randF32(rng, 101, 10);
        const mem = new FlatMemory(0, MEM);
        mem.write(IN_A, bytesOf(a));
        mem.write(IN_B, bytesOf(b));
        const k = elementwise({ prefix: 'ew', op: 'add', aAddr: IN_A, bAddr: IN_B, outAddr: OUT, elements: 101, split });
        splitRun(k, mem, harts, OUT, 1);
        expect(readF32(mem, OUT, 101)).toEqual(bitsOf(evalNode('Add', [tensor('float32', [101], a), tensor('float32', [101], b)]).data as Float32Array));
      }
      // AveragePool over 2 x 5 planes
      {
        const shape: [number, number, number, number] = [2, 5, 6, 6];
        const x = randF32(rng, 360, 6);
        const mem = new FlatMemory(0, MEM);
        mem.write(IN_A, bytesOf(x));
        const k = averagePool({ prefix: 'ap', inAddr: IN_A, outAddr: OUT, shape, kernel: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1], tableAddress: TABLE, split });
        splitRun(k, mem, harts, OUT, 9);
        expect(readF32(mem, OUT, 90)).toEqual(bitsOf(evalNode('AveragePool', [tensor('float32', shape, x)], { kernel_shape: ints([3, 3]), strides: ints([2, 2]), pads: ints([1, 1, 1, 1]) }).data as Float32Array));
      }
      // GlobalAveragePool over 7 planes
      {
        const shape: [number, number, number, number] = [1, 7, 5, 3];
        const x = randF32(rng, 105, 6);
        const mem = new FlatMemory(0, MEM);
        mem.write(IN_A, bytesOf(x));
        const k = globalAveragePool({ prefix: 'gap', inAddr: IN_A, outAddr: OUT, shape, split });
        splitRun(k, mem, harts, OUT, 1);
        expect(readF32(mem, OUT, 7)).toEqual(bitsOf(evalNode('GlobalAveragePool', [tensor('float32', shape, x)]).data as Float32Array));
      }
      // Softmax over 5 rows of 10
      {
        const x = randF32(rng, 50, 4);
        const mem = new FlatMemory(0, MEM);
        mem.write(IN_A, bytesOf(x));
        const k = softmax({ prefix: 'sm', inAddr: IN_A, outAddr: OUT, rows: 5, length: 10, tableAddress: TABLE, split });
        splitRun(k, mem, harts, OUT, 10);
        expect(readF32(mem, OUT, 50)).toEqual(bitsOf(evalNode('Softmax', [tensor('float32', [5, 10], x)]).data as Float32Array));
      }
      // DequantizeLinear per channel over 3 x 13 elements (block boundaries inside hart ranges)
      {
        const scales = [f32(0.02), f32(0.13), f32(0.007)];
        const zps = [-3, 0, 9];
        const xq = Array.from({ length: 39 }, () => rng.int(256) - 128);
        const mem = new FlatMemory(0, MEM);
        mem.write(IN_A, bytesOf(new Int8Array(xq)));
        const k = dequantizeLinear({ prefix: 'dq', inAddr: IN_A, outAddr: OUT, shape: [1, 3, 13], quant: { scales, zeroPoints: zps, dtype: 'int8' }, tableAddress: TABLE, split });
        splitRun(k, mem, harts, OUT, 1);
        const ref = evalNode('DequantizeLinear', [tensor('int8', [1, 3, 13], xq), tensor('float32', [3], scales), tensor('int8', [3], zps)]);
        expect(readF32(mem, OUT, 39)).toEqual(bitsOf(ref.data as Float32Array));
      }
      // QuantizeLinear per channel (byte outputs: checked against the evaluator after all harts ran)
      {
        const scales = [f32(0.05), 0.125, f32(0.3)];
        const zps = [10, -20, 0];
        const x = randF32(rng, 3 * 29, 4);
        const mem = new FlatMemory(0, MEM);
        mem.write(IN_A, bytesOf(x));
        mem.fill(OUT, 87, 0x55);
        const k = quantizeLinear({ prefix: 'q', inAddr: IN_A, outAddr: OUT, shape: [1, 3, 29], quant: { scales, zeroPoints: zps, dtype: 'int8' }, tableAddress: TABLE, split });
        run(k, mem, harts);
        const ref = evalNode('QuantizeLinear', [tensor('float32', [1, 3, 29], x), tensor('float32', [3], scales), tensor('int8', [3], zps)]);
        expect(Array.from(mem.read(OUT, 87))).toEqual(Array.from(bytesOf(ref.data)));
      }
    });
  }
});

describe('float kernels: the tests can tell the exact forms from near misses', () => {
  it('Softmax with fmul.s + fadd.s instead of fmadd.s differs from the evaluator (so fmadd.s is what matches fmaf)', () => {
    const rng = deriveRng(1, 'float-kernels', 'sm-sens');
    const x = randF32(rng, 400, 4);
    const ref = bitsOf(evalNode('Softmax', [tensor('float32', [10, 40], x)]).data as Float32Array);
    const k = softmax({ prefix: 'sm', inAddr: IN_A, outAddr: OUT, rows: 10, length: 40, tableAddress: TABLE });
    const unfused = k.asm.replace(/fmadd\.s (\w+), (\w+), (\w+), (\w+), rne/g, 'fmul.s ft3, $2, $3, rne\n  fadd.s $1, ft3, $4, rne');
    expect(unfused).not.toBe(k.asm);
    const exact = new FlatMemory(0, MEM);
    exact.write(IN_A, bytesOf(x));
    run(k, exact);
    expect(readF32(exact, OUT, 400)).toEqual(ref);
    const mem = new FlatMemory(0, MEM);
    mem.write(IN_A, bytesOf(x));
    run({ ...k, asm: unfused, clobbers: [...k.clobbers, 'ft3'] }, mem);
    const got = readF32(mem, OUT, 400);
    expect(got.filter((b, i) => b !== ref[i]).length).toBeGreaterThan(0);
  });

  it('GlobalAveragePool: a sequential float32 sum differs from the four-lane order on some planes', () => {
    const rng = deriveRng(1, 'float-kernels', 'gap-sens');
    const x = randF32(rng, 64 * 64, 10);
    const ref = evalNode('GlobalAveragePool', [tensor('float32', [1, 64, 8, 8], x)]).data;
    let differ = 0;
    for (let p = 0; p < 64; p++) {
      let sum = 0;
      for (let i = 0; i < 64; i++) sum = f32(sum + x[p * 64 + i]!);
      if (f32(sum / 64) !== ref[p]) differ++;
    }
    expect(differ).toBeGreaterThan(0);
  });

  it('QuantizeLinear: x * (1 / scale) differs from the float32 division on some inputs', () => {
    const rng = deriveRng(1, 'float-kernels', 'q-sens');
    const s = f32(0.0372);
    const x = Array.from({ length: 20000 }, () => f32((rng.int(255) - 127 + 0.5) * s));
    const inv = f32(1 / s);
    const differ = x.filter((v) => Math.round(f32(v * inv)) !== Math.round(f32(v / s))).length;
    expect(differ).toBeGreaterThan(0);
  });
});

describe('float kernels: generator checks', () => {
  it('refuses bad prefixes, ranges and mismatched per-axis parameters', () => {
    expect(() => elementwise({ prefix: '1x', op: 'add', aAddr: 0, bAddr: 0, outAddr: 0, elements: 4 })).toThrow(/prefix/);
    expect(() => elementwise({ prefix: 'x', op: 'add', aAddr: 0, bAddr: 0, outAddr: 0, elements: 4, split: { kind: 'range', start: 2, end: 5 } })).toThrow(/range/);
    expect(() => quantizeLinear({ prefix: 'q', inAddr: 0, outAddr: 0, shape: [1, 3, 2], quant: { scales: [1, 2], dtype: 'int8' }, tableAddress: 0 })).toThrow(/per-axis/);
    expect(() => quantizeLinear({ prefix: 'q', inAddr: 0, outAddr: 0, shape: [4], quant: { scales: [1], zeroPoints: [300], dtype: 'uint8' }, tableAddress: 0 })).toThrow(/zero point/);
  });

  it('a fixed range handles only its units; two kernels with different prefixes concatenate', () => {
    const rng = deriveRng(1, 'float-kernels', 'concat');
    const a = randF32(rng, 20, 4);
    const b = randF32(rng, 20, 4);
    const mem = new FlatMemory(0, MEM);
    mem.write(IN_A, bytesOf(a));
    mem.write(IN_B, bytesOf(b));
    mem.writeWords(OUT, new Array<number>(20).fill(SENTINEL));
    const k1 = elementwise({ prefix: 'p1', op: 'mul', aAddr: IN_A, bAddr: IN_B, outAddr: OUT, elements: 20, split: { kind: 'range', start: 3, end: 9 } });
    const k2 = elementwise({ prefix: 'p2', op: 'add', aAddr: IN_A, bAddr: IN_B, outAddr: OUT, elements: 20, split: { kind: 'range', start: 9, end: 9 } });
    run({ ...k1, asm: k1.asm + k2.asm }, mem);
    const got = readF32(mem, OUT, 20);
    const mulRef = bitsOf(evalNode('Mul', [tensor('float32', [20], a), tensor('float32', [20], b)]).data as Float32Array);
    for (let i = 0; i < 20; i++) expect(got[i]).toBe(i >= 3 && i < 9 ? mulRef[i] : SENTINEL);
  });
});
