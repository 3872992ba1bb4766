/**
 * Packed convolutions (im2col + Xesimd `pv.mac.b`): random convolutions whose centred weights fit
 * int8 (weight zero point 0 for int8, 128 for uint8), with reductions that are not multiples of 4,
 * strides, pads, dilations, groups (incl. depthwise), uint8 and int8 inputs, batches, ConvInteger
 * (int32 out) and QLinearConv, compiled for pulp-cluster on 1 and 8 cores with SIMD on and off:
 * every output equals src/nn's reference evaluator bit for bit, and the SIMD program really uses
 * the packed path (and the scalar one does not).
 */
import { describe, expect, it } from 'vitest';
import { type Compiled, compile } from '../../src/compiler/index.js';
import { type NnGraph, type Tensor, evaluate, tensor } from '../../src/nn/index.js';
import { instantiate, runCompiled } from '../../src/sim/index.js';
import { Rng, formatDiagnostics } from '../../src/util/index.js';
import { type ConvSpec, GraphBuilder, addConv, pick, randInt, randQ, randomConv } from './graphs.js';
import { WORKERS, pulpF, values } from './helpers.js';

const platform = pulpF();

function build(graph: NnGraph, cores: readonly string[], simd: boolean): Compiled {
  const r = compile(graph, platform, { cores, simd });
  if (r.value === undefined) throw new Error(formatDiagnostics(r.diagnostics));
  return r.value;
}

/** Compiles with SIMD on and off for 1 and 8 cores; all equal the evaluator. Returns the 8-core SIMD program. */
function check(graph: NnGraph, inputs: Map<string, Tensor>): Compiled {
  const want = evaluate(graph, inputs);
  let packed: Compiled | undefined;
  for (const simd of [true, false]) {
    for (const cores of [WORKERS.slice(0, 1), WORKERS]) {
      const c = build(graph, cores, simd);
      expect(c.program.asm.includes('im2col'), `${graph.name}: packed path with simd ${simd}`).toBe(simd);
      if (simd) expect(c.extensions).toContain('Xesimd');
      const run = runCompiled(instantiate(platform), c, inputs);
      expect(run.cores.map((k) => k.exitCode)).toEqual(cores.map(() => 0));
      for (const [name, t] of want) expect(values(run.outputs.get(name)), `${graph.name} ${name} simd ${simd} on ${cores.length} core(s)`).toEqual(values(t));
      if (simd && cores.length > 1) packed = c;
    }
  }
  return packed!;
}

const input = (r: Rng, s: ConvSpec, shape: number[]): Map<string, Tensor> =>
  new Map([['x', tensor(s.xType, shape, randQ(r, s.xType, shape.reduce((p, d) => p * d, 1)))]]);

describe('packed convolutions (im2col + pv.mac.b) against the reference evaluator, SIMD on and off, 1 and 8 cores', () => {
  for (let seed = 1; seed <= 20; seed++) {
    it(`seed ${seed}: one random ${seed % 3 === 0 ? 'ConvInteger' : 'QLinearConv'} with int8-centred weights`, () => {
      const r = new Rng(seed * 31337);
      const N = randInt(r, 1, 2);
      const C = pick(r, [1, 2, 3, 4, 5, 6]);
      const H = randInt(r, 3, 9);
      const W = randInt(r, 3, 9);
      const s: ConvSpec = { ...randomConv(r, H, W, C, seed % 3 !== 0), symmetric: true };
      const b = new GraphBuilder();
      const x = b.input('x', s.xType, [N, C, H, W]);
      b.output(addConv(b, r, x, s));
      check(b.build(`simdconv${seed}`), input(r, s, [N, C, H, W]));
    });
  }

  const fixed: { name: string; C: number; H: number; W: number; spec: Partial<ConvSpec> }[] = [
    // K = 360: the packed reduction runs as a loop (more than 80 words)
    { name: 'K = 40 x 3 x 3, looped reduction, uint8 input', C: 40, H: 5, W: 6, spec: { M: 5, group: 1, kh: 3, kw: 3, pads: [1, 1, 1, 1], xType: 'uint8' } },
    { name: 'K = 27 (ResNet-8 first layer shape), int8, stride 2', C: 3, H: 9, W: 8, spec: { M: 11, group: 1, kh: 3, kw: 3, strides: [2, 2], pads: [1, 1, 1, 1], xType: 'int8' } },
    { name: 'depthwise 3x3, 6 channels, multiplier 2', C: 6, H: 7, W: 7, spec: { M: 12, group: 6, kh: 3, kw: 3, pads: [1, 0, 2, 1], xType: 'uint8' } },
    { name: 'groups 2, dilation 2, 1x3 kernel', C: 4, H: 6, W: 9, spec: { M: 6, group: 2, kh: 1, kw: 3, dilations: [2, 2], pads: [0, 2, 0, 2], xType: 'int8' } },
    { name: '1x1 stride 2 (K = 16, no padding of the reduction)', C: 16, H: 6, W: 5, spec: { M: 9, group: 1, kh: 1, kw: 1, strides: [2, 2], pads: [0, 0, 0, 0], xType: 'int8' } },
    { name: 'output 1 row (fewer rows than cores)', C: 5, H: 3, W: 11, spec: { M: 3, group: 1, kh: 3, kw: 2, pads: [0, 0, 0, 0], xType: 'uint8' } },
  ];
  for (const [i, f] of fixed.entries()) {
    it(f.name, () => {
      const r = new Rng(1000 + i);
      const base = randomConv(r, f.H, f.W, f.C, true);
      const s: ConvSpec = {
        ...base, strides: [1, 1], dilations: [1, 1], ...f.spec, C: f.C, symmetric: true, quantized: true,
      };
      const b = new GraphBuilder();
      const x = b.input('x', s.xType, [1, f.C, f.H, f.W]);
      b.output(addConv(b, r, x, s));
      const c = check(b.build(`fixed${i}`), input(r, s, [1, f.C, f.H, f.W]));
      expect(c.program.asm).toContain('pv.mac.b');
    });
  }

  it('a chain of two packed convolutions with padded intermediate (border = next zero point) and a matmul', () => {
    const r = new Rng(4242);
    const b = new GraphBuilder();
    const s1: ConvSpec = { ...randomConv(r, 8, 8, 3, true), M: 8, group: 1, kh: 3, kw: 3, strides: [1, 1], dilations: [1, 1], pads: [1, 1, 1, 1], xType: 'int8', yType: 'int8', symmetric: true };
    const x = b.input('x', s1.xType, [1, 3, 8, 8]);
    const y1 = addConv(b, r, x, s1);
    const s2: ConvSpec = { ...randomConv(r, 8, 8, 8, true), M: 8, group: 1, kh: 3, kw: 3, strides: [2, 2], dilations: [1, 1], pads: [1, 1, 1, 1], xType: 'int8', C: 8, symmetric: true };
    b.output(y1);
    b.output(addConv(b, r, y1, s2));
    check(b.build('chain'), input(r, s1, [1, 3, 8, 8]));
  });

  it('a packed convolution reading a Reshape of its input (unpadded alias)', () => {
    const r = new Rng(99);
    const b = new GraphBuilder();
    const s: ConvSpec = { ...randomConv(r, 4, 5, 3, true), M: 5, group: 1, kh: 2, kw: 3, strides: [1, 1], dilations: [1, 1], pads: [0, 0, 0, 0], xType: 'uint8', C: 3, symmetric: true };
    const x = b.input('x', 'uint8', [1, 60]);
    const y = b.node('Reshape', [x, b.init('shape', tensor('int64', [4], [1, 3, 4, 5]))]);
    b.output(addConv(b, r, y, s));
    check(b.build('reshaped'), input(r, s, [1, 60]));
  });

  it('weights whose centred values need int16 stay on the scalar path', () => {
    const r = new Rng(77);
    const s: ConvSpec = { ...randomConv(r, 6, 6, 2, true), group: 1, M: 3, wType: 'uint8', symmetric: false };
    const b = new GraphBuilder();
    const x = b.input('x', s.xType, [1, 2, 6, 6]);
    b.output(addConv(b, r, x, s));
    // force a zero point far from the middle: centred weights span more than int8
    const wz = [...b.initializers.keys()].find((k) => k.startsWith('wzp'))!;
    const old = b.initializers.get(wz)!;
    b.initializers.set(wz, tensor('uint8', [...old.shape], Array.from(old.data, () => 0)));
    const wk = [...b.initializers.keys()].find((k) => k.startsWith('w') && !k.startsWith('wzp') && !k.startsWith('ws'))!;
    const w = b.initializers.get(wk)!;
    b.initializers.set(wk, tensor('uint8', [...w.shape], Array.from(w.data, (v, j) => (j === 0 ? 255 : v))));
    const g = b.build('wide');
    const c = build(g, WORKERS, true);
    expect(c.program.asm).not.toContain('im2col');
    const inputs = input(r, s, [1, 2, 6, 6]);
    const run = runCompiled(instantiate(platform), c, inputs);
    for (const [name, t] of evaluate(g, inputs)) expect(values(run.outputs.get(name))).toEqual(values(t));
  });
});
