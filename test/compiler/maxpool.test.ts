/**
 * MaxPool on int8 / uint8 codes and float32 (src/compiler/codegen.ts `emitMaxPool`): random 2-D
 * pools (kernel, strides, pads, ceil_mode, auto_pad) bit-exact with `evaluate` on 1 and all
 * cores, through padded buffers; and mnist-8 quantized by `quantizeFloatGraph` (QuantizeLinear,
 * QLinearConv, MaxPool on codes, Reshape, 1x1 QLinearConv, DequantizeLinear) on pulp-cluster.
 */
import { describe, expect, it } from 'vitest';
import { compile } from '../../src/compiler/index.js';
import { type NnAttribute, type NnGraph, type Tensor, evaluate, padAxis, quantizeFloatGraph, tensor } from '../../src/nn/index.js';
import type { PlatformGraph } from '../../src/platform/index.js';
import { instantiate, runCompiled } from '../../src/sim/index.js';
import { Rng, formatDiagnostics } from '../../src/util/index.js';
import { cleanGraph } from '../helpers/repo.js';
import { loadModel, readBytes } from '../nn/helpers.js';
import { GraphBuilder, addConv, pick, randInt, randQ, randomConv } from './graphs.js';

const values = (t: Tensor | undefined): number[] => Array.from(t?.data ?? [], Number);
const ints = (value: number[]): NnAttribute => ({ kind: 'ints', value });
const pulp = (): PlatformGraph => cleanGraph('platforms/pulp-cluster.yaml');

function run(graph: NnGraph, inputs: ReadonlyMap<string, Tensor>, cores?: readonly string[]): { got: Map<string, Tensor>; want: Map<string, Tensor>; layers: readonly { opType: string; target: string; predictedInstructions: number }[] } {
  const platform = pulp();
  const r = compile(graph, platform, cores === undefined ? {} : { cores });
  if (r.value === undefined) throw new Error(formatDiagnostics(r.diagnostics));
  const got = runCompiled(instantiate(platform), r.value, inputs).outputs;
  return { got, want: evaluate(graph, inputs), layers: r.value.layers };
}

interface PoolSpec { kernel: [number, number]; strides: [number, number]; pads: [number, number, number, number]; autoPad: string; ceil: boolean }

/** A random pool whose windows all hold an input element (else lowering refuses it). */
function randomPool(r: Rng, H: number, W: number): PoolSpec {
  for (;;) {
    const kernel: [number, number] = [randInt(r, 1, 3), randInt(r, 1, 3)];
    const strides: [number, number] = [randInt(r, 1, 3), randInt(r, 1, 3)];
    const pads: [number, number, number, number] = [randInt(r, 0, kernel[0] - 1), randInt(r, 0, kernel[1] - 1), randInt(r, 0, kernel[0] - 1), randInt(r, 0, kernel[1] - 1)];
    const autoPad = pick(r, ['NOTSET', 'NOTSET', 'NOTSET', 'VALID', 'SAME_UPPER', 'SAME_LOWER']);
    const ceil = autoPad === 'NOTSET' && r.int(2) === 1;
    const ok = (size: number, k: number, s: number, b: number, e: number): boolean => {
      const [p0, , O] = padAxis(autoPad, size, k, s, 1, b, e, ceil);
      if (O < 1) return false;
      for (let o = 0; o < O; o++) if (Math.min(o * s - p0 + k, size) <= Math.max(o * s - p0, 0)) return false;
      return true;
    };
    if (ok(H, kernel[0], strides[0], pads[0], pads[2]) && ok(W, kernel[1], strides[1], pads[1], pads[3])) return { kernel, strides, pads, autoPad, ceil };
  }
}

function poolAttrs(s: PoolSpec): Record<string, NnAttribute> {
  const a: Record<string, NnAttribute> = { kernel_shape: ints(s.kernel), strides: ints(s.strides), ceil_mode: { kind: 'int', value: s.ceil ? 1 : 0 } };
  if (s.autoPad === 'NOTSET') a.pads = ints(s.pads);
  else a.auto_pad = { kind: 'string', value: s.autoPad };
  return a;
}

describe('MaxPool: random pools, bit-exact with the evaluator', () => {
  for (let seed = 1; seed <= 8; seed++) {
    it(`seed ${seed}: int8, uint8 and float32 pools on 1 and all cores`, () => {
      const r = new Rng(seed * 104723);
      const g = new GraphBuilder();
      const N = randInt(r, 1, 2);
      const C = randInt(r, 1, 5);
      const H = randInt(r, 3, 11);
      const W = randInt(r, 3, 11);
      const inputs = new Map<string, Tensor>();
      for (const d of ['int8', 'uint8', 'float32'] as const) {
        const x = g.input(`x_${d}`, d, [N, C, H, W]);
        const n = N * C * H * W;
        // float32: small integers (ties between values, signed zeros) and fractions
        const data = d === 'float32' ? Array.from({ length: n }, () => (r.int(3) === 0 ? pick(r, [0, -0, 1, -1]) : Math.fround((r.next() - 0.5) * 100))) : randQ(r, d, n);
        inputs.set(x, tensor(d, [N, C, H, W], data));
        g.output(g.node('MaxPool', [x], poolAttrs(randomPool(r, H, W))));
      }
      const graph = g.build(`maxpool${seed}`);
      for (const cores of [['pe0'], undefined]) {
        const { got, want } = run(graph, inputs, cores);
        for (const o of graph.outputs) expect(values(got.get(o.name)), `${o.name} on ${cores?.length ?? 'all'} core(s)`).toEqual(values(want.get(o.name)));
      }
    }, 60_000);
  }

  it('padded buffers: a pool reading a padded convolution input and writing one', () => {
    for (let seed = 1; seed <= 4; seed++) {
      const r = new Rng(seed * 31337);
      const g = new GraphBuilder();
      const C = randInt(r, 1, 3);
      const [H, W] = [randInt(r, 6, 9), randInt(r, 6, 9)];
      let spec = randomConv(r, H, W, C, true);
      spec = { ...spec, pads: [1, 2, 1, 0] };
      const x = g.input('x', spec.xType, [1, C, H, W]);
      // x is read by a padded convolution (its buffer has a border) and by the pool
      g.output(addConv(g, r, x, spec));
      const ps = randomPool(r, H, W);
      const p = g.node('MaxPool', [x], poolAttrs(ps));
      // the pool's output is read by a padded convolution too
      const oh = padAxis(ps.autoPad, H, ps.kernel[0], ps.strides[0], 1, ps.pads[0], ps.pads[2], ps.ceil)[2];
      const ow = padAxis(ps.autoPad, W, ps.kernel[1], ps.strides[1], 1, ps.pads[1], ps.pads[3], ps.ceil)[2];
      const spec2 = { ...randomConv(r, oh, ow, C, true), xType: spec.xType, pads: [1, 1, 1, 1] as [number, number, number, number], dilations: [1, 1] as [number, number] };
      g.output(addConv(g, r, p, spec2));
      g.output(p);
      const graph = g.build(`maxpool-padded${seed}`);
      const inputs = new Map([[x, tensor(spec.xType, [1, C, H, W], randQ(r, spec.xType, C * H * W))]]);
      const { got, want } = run(graph, inputs);
      for (const o of graph.outputs) expect(values(got.get(o.name)), `seed ${seed} ${o.name}`).toEqual(values(want.get(o.name)));
    }
  }, 60_000);

  it('a window entirely in the padding is refused (unsupported-attribute-value)', () => {
    const g = new GraphBuilder();
    const x = g.input('x', 'int8', [1, 1, 5, 5]);
    g.output(g.node('MaxPool', [x], { kernel_shape: ints([1, 1]), strides: ints([3, 3]), ceil_mode: { kind: 'int', value: 1 } }));
    const r = compile(g.build('empty-window'), pulp());
    expect(r.value).toBeUndefined();
    expect(r.diagnostics.map((d) => d.code)).toEqual(['unsupported-attribute-value']);
  });
});

describe('mnist-8 quantized with quantizeFloatGraph (MaxPool on int8 codes) on pulp-cluster', () => {
  const mnistImages = readBytes('data/mnist_test1000_images_u8.bin');
  const mnist = (i: number): Map<string, Tensor> => new Map([['Input3', tensor('float32', [1, 1, 28, 28], Array.from(mnistImages.subarray(i * 784, (i + 1) * 784)))]]);
  const graph = loadModel('onnx_zoo_mnist8_float.onnx');
  const calibration = Array.from({ length: 20 }, (_, i) => mnist(500 + i));
  for (const bits of [8, 4]) {
    it(`${bits}-bit activations, 8-bit per-channel weights: outputs equal the evaluator's on 2 images`, () => {
      const q = quantizeFloatGraph(graph, calibration, { weightBits: 8, actBits: bits, perChannel: true }).graph;
      expect(q.nodes.filter((n) => n.opType === 'MaxPool').length).toBe(2);
      for (const i of [0, 1]) {
        const { got, want, layers } = run(q, mnist(i));
        for (const o of q.outputs) expect(values(got.get(o.name)), `image ${i} ${o.name}`).toEqual(values(want.get(o.name)));
        if (i === 0) {
          expect(layers.filter((l) => l.opType === 'MaxPool').length).toBe(2);
          // 4 bits: every Clip folded (the classifier's through its Reshape: the Clip is an alias)
          expect(layers.filter((l) => l.opType === 'Clip').map((l) => l.target)).toEqual(bits === 8 ? [] : ['alias']);
          console.log(`mnist-8 PTQ ${bits} bits on pulp-cluster: ${layers.map((l) => `${l.opType} ${l.predictedInstructions}`).join(', ')}`);
        }
      }
    }, 60_000);
  }
});
