/**
 * LightPE arrays (QUIDAM shift-add PEs, src/modules/pe-array) as compiler targets
 * (src/compiler/accel.ts `peCheck`, `lightPeCode`; ACCEL.md "LightPE arrays"): eyeriss-like with
 * its PE array's peType overridden to lightpe1 / lightpe2 (8- and 16-bit activations) runs random
 * convolutions and matrix products whose centred weights are powers of two (lightpe1) or sums of
 * two (lightpe2) bit-exact with src/nn's evaluator under `lightShift: exact` (and weights 0/+-1
 * under `floor`); the weight codes the compiler writes give the integer products in the
 * functional model; layers whose weights are not representable stay on the cores by default (the
 * reason in the mapping report) and are an error naming the node and the weight when forced.
 */
import { describe, expect, it } from 'vitest';
import { type AccelCompileOptions, type AccelCompiled, compileForAccelerators, lightPeCode } from '../../src/compiler/accel.js';
import { NO_SHIFT, gemm, type LightWeights } from '../../src/modules/pe-array/model.js';
import { type NnGraph, type Tensor, evaluate, tensor } from '../../src/nn/index.js';
import type { PlatformGraph } from '../../src/platform/index.js';
import { instantiate, runCompiled } from '../../src/sim/index.js';
import { Rng, formatDiagnostics } from '../../src/util/index.js';
import { loadRepoPlatform, readRepoFile } from '../helpers/repo.js';
import { GraphBuilder, addConv, addMatMul, pick, randInt, randQ, randomConv, type ConvSpec } from './graphs.js';
import { values } from './helpers.js';

type Light = 'lightpe1' | 'lightpe2';

/** eyeriss-like with its PE array `pes` made a LightPE array (a YAML variant written here). */
function lightPlatform(peType: Light, actBits: 8 | 16, shift: 'exact' | 'floor' = 'exact', maxShift = 7, accBits = 0): PlatformGraph {
  const file = 'platforms/eyeriss-like.yaml';
  const text0 = readRepoFile(file)!;
  expect(text0.match(/peType: int16/g)?.length).toBe(1);
  const text = text0.replace('peType: int16', `peType: ${peType}\n      actBits: ${actBits}\n      lightShift: ${shift}\n      lightMaxShift: ${maxShift}\n      accBits: ${accBits}`);
  const r = loadRepoPlatform(file, text);
  expect(r.diagnostics).toEqual([]);
  return r.graph!;
}

/** The centred integer weights a LightPE array represents (|w| <= 255: what 8-bit weights minus a zero point give). */
function representable(t: Light, base: number): number[] {
  const out = new Set<number>([0]);
  for (let k1 = 0; k1 <= base; k1++) {
    out.add(2 ** k1);
    if (t === 'lightpe2') for (let k2 = 0; k2 <= k1; k2++) out.add(2 ** k1 + 2 ** k2);
  }
  return [...out].filter((v) => v <= 255).flatMap((v) => (v === 0 ? [0] : [v, -v]));
}

/** Replaces initializer `name`'s values by zp + a random representable centred weight (within the type's range). */
function lightWeights(b: GraphBuilder, r: Rng, name: string, set: readonly number[]): void {
  const t = b.initializers.get(name)!;
  const zp = b.initializers.get(name.replace(/^(w|b)/, '$1zp'))!;
  const [lo, hi] = t.dtype === 'uint8' ? [0, 255] : [-128, 127];
  const perCh = zp.data.length > 1;
  const data = Array.from(t.data, (_, i) => {
    // conv weights [M][...]: channel i / (size / M); matmul B [K][N]: channel i % N
    const ch = !perCh ? 0 : t.shape.length === 4 ? Math.floor(i / (t.data.length / t.shape[0]!)) : i % t.shape[t.shape.length - 1]!;
    const z = zp.data[ch]!;
    for (;;) {
      const v = z + pick(r, set);
      if (v >= lo && v <= hi) return v;
    }
  });
  b.initializers.set(name, tensor(t.dtype, [...t.shape], data));
}

function compileOk(graph: NnGraph, p: PlatformGraph, opts: AccelCompileOptions = {}): AccelCompiled {
  const r = compileForAccelerators(graph, p, opts);
  if (r.value === undefined) throw new Error(formatDiagnostics(r.diagnostics));
  return r.value;
}

/** Compiles, runs and checks every output against the evaluator; every dot layer must be on `pes`. */
function exactOnPes(graph: NnGraph, p: PlatformGraph, inputs: Map<string, Tensor>, opts: AccelCompileOptions = {}): AccelCompiled {
  const c = compileOk(graph, p, opts);
  for (const m of c.mapping) if (m.kind !== 'alias') expect(m.target, m.reason).toBe('pes');
  const out = runCompiled(instantiate(p), c, inputs).outputs;
  for (const [name, t] of evaluate(graph, inputs)) expect(values(out.get(name)), `${graph.name} ${name}`).toEqual(values(t));
  return c;
}

function convCase(seed: number, set: readonly number[]): { g: NnGraph; inputs: Map<string, Tensor> } {
  const r = new Rng(seed * 3571);
  const C = pick(r, [1, 2, 3, 5]);
  const H = randInt(r, 3, 7);
  const W = randInt(r, 3, 7);
  let s: ConvSpec;
  do s = { ...randomConv(r, H, W, C, seed % 2 === 0), group: 1, dilations: [1, 1], M: randInt(r, 1, 6) };
  while (Math.floor((H + s.pads[0] + s.pads[2] - s.kh) / s.strides[0]) < 0 || Math.floor((W + s.pads[1] + s.pads[3] - s.kw) / s.strides[1]) < 0);
  const b = new GraphBuilder();
  const x = b.input('x', s.xType, [1, C, H, W]);
  b.output(addConv(b, r, x, s));
  lightWeights(b, r, 'w0', set);
  return { g: b.build(`light-conv${seed}`), inputs: new Map([['x', tensor(s.xType, [1, C, H, W], randQ(r, s.xType, C * H * W))]]) };
}

function matCase(seed: number, set: readonly number[]): { g: NnGraph; inputs: Map<string, Tensor> } {
  const r = new Rng(seed * 2237);
  const aType = pick(r, ['uint8', 'int8'] as const);
  const M = randInt(r, 1, 5);
  const K = pick(r, [1, 4, 9, 30]);
  const N = randInt(r, 1, 9);
  const b = new GraphBuilder();
  const a = b.input('a', aType, [M, K]);
  b.output(addMatMul(b, r, a, { quantized: seed % 2 === 1, aType, bType: pick(r, ['uint8', 'int8']), yType: pick(r, ['uint8', 'int8']), K, N, bBatch: [], perColumn: r.int(2) === 1 }));
  lightWeights(b, r, 'b0', set);
  return { g: b.build(`light-mm${seed}`), inputs: new Map([['a', tensor(aType, [M, K], randQ(r, aType, M * K))]]) };
}

/** Decodes a weight code as documented for the pe-array commands (src/modules/README.md). */
function decode(t: Light, code: number, mMax: number): LightWeights {
  const one = { kind: t, mMax, sign: new Int8Array(1), m1: new Uint8Array(1), m2: new Uint8Array(1).fill(NO_SHIFT) };
  if (code === 0) return one;
  if (t === 'lightpe1') {
    expect(code & 0x70).toBe(0x40);
    one.sign[0] = code & 0x80 ? -1 : 1;
    one.m1[0] = code & 15;
  } else {
    expect(code & 0x7e00).toBe(0x4000);
    one.sign[0] = code & 0x8000 ? -1 : 1;
    one.m1[0] = code & 15;
    if (code & 0x100) {
      one.m2[0] = (code >> 4) & 15;
      expect(one.m2[0]).toBeGreaterThanOrEqual(one.m1[0]);
    }
  }
  expect(Math.max(one.m1[0]!, one.m2[0] === NO_SHIFT ? 0 : one.m2[0]!)).toBeLessThanOrEqual(mMax);
  return one;
}

describe('LightPE weight codes against the functional model', () => {
  for (const t of ['lightpe1', 'lightpe2'] as const) {
    it(`${t}: every representable integer weight's code gives x * w in exact mode (and in floor mode for shift 0); others have no code`, () => {
      for (const mMax of [0, 3, 7]) {
        const ok = new Set(representable(t, mMax));
        for (let w = -255; w <= 255; w++) {
          const code = lightPeCode(t, w, mMax);
          expect(code !== undefined, `${t} w ${w} mMax ${mMax}`).toBe(ok.has(w));
          if (code === undefined) continue;
          const filter = decode(t, code, mMax);
          const xs = [-128, -77, -1, 0, 1, 3, 127];
          for (const actBits of [8, 16]) {
            const ifmap = actBits === 8 ? Int8Array.from(xs) : Int16Array.from(xs.map((x) => 2 * x + 1));
            const out = gemm({ peType: t, ifmap, filter, shift: 'exact' }, { M: xs.length, N: 1, K: 1 }, { dataflow: 'ws', rows: 4 });
            expect(Array.from(out), `${t} w ${w} code 0x${code.toString(16)}`).toEqual(Array.from(ifmap, (x) => x * w + 0));
          }
        }
        // floor mode: base 0, the shifters do not truncate (shift 0 only)
        for (const w of representable(t, 0)) {
          const filter = decode(t, lightPeCode(t, w, 0)!, mMax);
          const out = gemm({ peType: t, ifmap: Int8Array.from([-3, 5]), filter: { ...filter, mMax }, shift: 'floor' }, { M: 2, N: 1, K: 1 }, { dataflow: 'os', rows: 4 });
          expect(Array.from(out)).toEqual([-3 * w + 0, 5 * w + 0]);
        }
      }
    });
  }
});

describe('LightPE arrays (eyeriss-like pes overridden), bit-exact with the evaluator', () => {
  for (const t of ['lightpe1', 'lightpe2'] as const) {
    for (const actBits of [8, 16] as const) {
      const p = lightPlatform(t, actBits);
      const set = representable(t, 7);
      for (let seed = 1; seed <= 3; seed++) {
        it(`${t}, ${actBits}-bit activations: seed ${seed} random convolution and matrix product (default mapping)`, () => {
          const k = convCase(seed + actBits, set);
          exactOnPes(k.g, p, k.inputs);
          const m = matCase(seed + actBits, set);
          exactOnPes(m.g, p, m.inputs);
        });
      }
    }
  }
  it('lightShift floor: weights 0, +-1 (lightpe1) and +-2 (lightpe2) are exact; a weight 2 on lightpe1 is refused', () => {
    const k = convCase(41, [-1, 0, 1]);
    exactOnPes(k.g, lightPlatform('lightpe1', 8, 'floor'), k.inputs, { targets: new Map([['n0', 'pes']]) });
    const k2 = convCase(42, [-2, -1, 0, 1, 2]);
    exactOnPes(k2.g, lightPlatform('lightpe2', 16, 'floor'), k2.inputs);
    const r = compileForAccelerators(k2.g, lightPlatform('lightpe1', 8, 'floor'), { targets: new Map([['n0', 'pes']]) });
    expect(r.diagnostics.map((x) => x.code)).toEqual(['unsupported-target']);
    expect(r.diagnostics[0]!.message).toContain('floor shifts');
  });
});

describe('weights a LightPE array cannot represent', () => {
  const p = lightPlatform('lightpe1', 8);
  const b = new GraphBuilder();
  const r = new Rng(77);
  const a = b.input('a', 'int8', [2, 6]);
  b.output(addMatMul(b, r, a, { quantized: true, aType: 'int8', bType: 'int8', yType: 'int8', K: 6, N: 3, bBatch: [], perColumn: false, symmetric: true }));
  // powers of two except one weight 3 (row 4, column 1: centred weight 3 of output channel 1)
  b.initializers.set('b0', tensor('int8', [6, 3], Array.from({ length: 18 }, (_, i) => (i === 13 ? 3 : pick(r, [-4, -1, 0, 2, 8])))));
  const g = b.build('not-pow2');
  const inputs = new Map([['a', tensor('int8', [2, 6], randQ(r, 'int8', 12))]]);
  it('the default mapping keeps the layer on the cores (bit-exact), with the reason in the report', () => {
    const c = compileOk(g, p);
    const m = c.mapping.find((x) => x.kind !== 'alias')!;
    expect(m.target).toBe('cores');
    expect(m.reason).toContain('pes: centred weight 3 (output channel 1, weight 4) is not representable');
    expect(m.reason).toContain('pow2');
    const out = runCompiled(instantiate(p), c, inputs).outputs;
    for (const [name, t] of evaluate(g, inputs)) expect(values(out.get(name))).toEqual(values(t));
  });
  it('forced to the LightPE array: an error naming the node, the first offending weight and the fix', () => {
    const res = compileForAccelerators(g, p, { targets: new Map([['n0', 'pes']]) });
    expect(res.value).toBeUndefined();
    expect(res.diagnostics.map((x) => x.code)).toEqual(['unsupported-target']);
    const msg = res.diagnostics[0]!.message;
    expect(msg).toContain("node 'n0'");
    expect(msg).toContain('centred weight 3 (output channel 1, weight 4)');
    expect(msg).toContain('0 or +-2^k, k <= 7 (lightpe1, exact shifts, lightMaxShift 7)');
    expect(msg).toContain("quantize weights to powers of two, e.g. the quantizer's pow2 scheme");
  });
  it('an accumulator narrower than int32 (accBits 24) is not a target', () => {
    const m = compileOk(g, lightPlatform('lightpe2', 8, 'exact', 7, 24)).mapping.find((x) => x.kind !== 'alias')!;
    expect(m.target).toBe('cores');
    expect(m.reason).toContain('accBits 24: the accumulator wraps before int32');
  });
  it('lightpe2 takes the weight 3 (2 + 1)', () => {
    exactOnPes(g, lightPlatform('lightpe2', 8), inputs, { targets: new Map([['n0', 'pes']]) });
  });
});
