/**
 * Clip on int8 / uint8 codes (the b-bit saturation `requantizeGraph` inserts): folded into the
 * producer's requantization clamp when the Clip is the producer's only reader (cores and
 * accelerator post-passes), else a stand-alone element-wise layer; bit-exact with `evaluate`.
 */
import { describe, expect, it } from 'vitest';
import { type Compiled, compile, compileForAccelerators } from '../../src/compiler/index.js';
import { type NnGraph, type NnNode, type Tensor, createEvaluator, evaluate, requantizeGraph, tensor } from '../../src/nn/index.js';
import type { PlatformGraph } from '../../src/platform/index.js';
import { instantiate, readCompiledTensor, runCompiled } from '../../src/sim/index.js';
import { Rng, formatDiagnostics } from '../../src/util/index.js';
import { cleanGraph, loadRepoPlatform, readRepoFile } from '../helpers/repo.js';
import { loadModel, readBytes } from '../nn/helpers.js';
import { GraphBuilder, addConv, addMatMul, randQ, randomConv, toQdq } from './graphs.js';

const values = (t: Tensor | undefined): number[] => Array.from(t?.data ?? [], Number);

/**
 * Compiles, runs and compares the graph outputs with `evaluate`; with `all` (a program without
 * buffer reuse) also every tensor the program materializes under a graph name. Returns the
 * compiled network and the number of tensors compared.
 */
function check(graph: NnGraph, platform: PlatformGraph, inputs: ReadonlyMap<string, Tensor>, accel: boolean, what: string, all = false, targets?: ReadonlyMap<string, string>): Compiled & { checked: number } {
  const r = accel ? compileForAccelerators(graph, platform, targets === undefined ? {} : { targets }) : compile(graph, platform, all ? { reuse: false } : {});
  if (r.value === undefined) throw new Error(formatDiagnostics(r.diagnostics));
  const p = instantiate(platform);
  const run = runCompiled(p, r.value, inputs);
  const want = all ? createEvaluator(graph).runAll(inputs) : evaluate(graph, inputs);
  for (const o of graph.outputs) expect(values(run.outputs.get(o.name)), `${what}: ${o.name}`).toEqual(values(want.get(o.name)));
  let checked = 0;
  if (all) {
    expect(r.value.reuse).toBe(false);
    for (const t of r.value.tensors) {
      const w = want.get(t.name);
      if (w === undefined) continue;
      expect(values(readCompiledTensor(p, r.value, t.name)), `${what}: ${t.name}`).toEqual(values(w));
      checked++;
    }
  }
  return { ...r.value, checked };
}

describe('Clip on int8 codes: ResNet-8 requantized to b-bit activations', () => {
  const resnet = loadModel('mlperf_tiny_resnet8_int8_qop.onnx');
  const images = readBytes('data/cifar10_test500_images_u8.bin');
  const cifar = (i: number): Map<string, Tensor> => new Map([['input', tensor('int8', [1, 3, 32, 32], Array.from(images.subarray(3072 * i, 3072 * (i + 1)), (p) => p - 128))]]);
  const allActs = (b: number) => (n: NnNode) => (n.opType === 'QLinearConv' || n.opType === 'QuantizeLinear' ? { actBits: b } : undefined);
  for (const b of [4, 6]) {
    const g = requantizeGraph(resnet, allActs(b)).graph;
    const clips = g.nodes.filter((n) => n.opType === 'Clip').length;
    it(`${b} bits, pulp-cluster (cores): every Clip folded, outputs bit-exact on 2 images`, () => {
      expect(clips).toBeGreaterThan(10);
      const p = cleanGraph('platforms/pulp-cluster.yaml');
      const c = check(g, p, cifar(0), false, `${b} bits image 0`);
      // every Clip folded into its producer: no Clip layer of its own
      expect(c.layers.filter((l) => l.opType.endsWith('+Clip')).length).toBe(clips);
      expect(c.layers.some((l) => l.opType === 'Clip')).toBe(false);
      check(g, p, cifar(1), false, `${b} bits image 1`);
    }, 120_000);
    it(`${b} bits, pulp-cluster with a 256 KiB L1, no buffer reuse: every materialized tensor bit-exact`, () => {
      const text = readRepoFile('platforms/pulp-cluster.yaml')!.replace('sizeBytes: 64KiB, banks: 16', 'sizeBytes: 256KiB, banks: 16');
      expect(text).toContain('sizeBytes: 256KiB');
      const big = loadRepoPlatform('platforms/pulp-cluster.yaml', text).graph!;
      const c = check(g, big, cifar(0), false, `${b} bits, all tensors`, true);
      console.log(`pulp-cluster, ${b} bits: ${c.checked} tensors compared`);
      expect(c.checked).toBeGreaterThan(20);
    }, 120_000);
    it(`${b} bits, diana-like (accelerators): every tensor bit-exact`, () => {
      const p = cleanGraph('platforms/diana-like.yaml');
      const c = check(g, p, cifar(0), true, `${b} bits diana-like`, true) as Compiled & { checked: number; mapping: readonly { opType: string; kind: string }[] };
      expect(c.checked).toBeGreaterThan(20);
      const folded = c.mapping.filter((l) => l.opType.endsWith('+Clip'));
      expect(folded.length).toBe(clips);
      // the clamps of accelerated layers are in their host post-passes
      const accel = folded.filter((l) => l.kind === 'pe-array' || l.kind === 'aimc-tile').length;
      console.log(`diana-like, ${b} bits: ${c.checked} tensors compared, ${folded.length} Clips folded, ${accel} into accelerator layers (${c.mapping.filter((l) => l.kind !== 'cores' && l.kind !== 'alias').map((l) => l.kind).join(', ')})`);
      expect(accel).toBeGreaterThan(0);
    }, 120_000);
    it(`${b} bits, diana-like with two convolutions forced onto the AIMC tile: every tensor bit-exact`, () => {
      const p = cleanGraph('platforms/diana-like.yaml');
      // the tile holds ternary weights: those two layers get 2-bit weights (codes -1, 0, 1)
      const convs = resnet.nodes.filter((n) => n.opType === 'QLinearConv').map((n) => n.name);
      const tern = new Set([convs[1]!, convs[4]!]);
      const g = requantizeGraph(resnet, (n) => (tern.has(n.name) ? { actBits: b, weightBits: 2 } : allActs(b)(n))).graph;
      const targets = new Map([...tern].map((t) => [t, 'aimc']));
      const c = check(g, p, cifar(0), true, `${b} bits diana-like + AIMC`, true, targets) as Compiled & { checked: number; mapping: readonly { opType: string; kind: string; exact: boolean }[] };
      const onTile = c.mapping.filter((l) => l.kind === 'aimc-tile');
      expect(onTile.map((l) => [l.opType, l.exact])).toEqual([['QLinearConv+Clip', true], ['QLinearConv+Clip', true]]);
      expect(c.checked).toBeGreaterThan(20);
    }, 120_000);
  }
});

describe('Clip on int8 codes: small random graphs', () => {
  const pulp = (): PlatformGraph => cleanGraph('platforms/pulp-cluster.yaml');
  const bounds = (r: Rng, d: 'int8' | 'uint8'): [number | undefined, number | undefined] => {
    const [lo, hi] = d === 'int8' ? [-128, 127] : [0, 255];
    const a = lo + r.int(hi - lo + 1);
    const b = a + r.int(hi - a + 1);
    const k = r.int(4);
    return [k === 1 ? undefined : a, k === 2 ? undefined : b];
  };
  const clip = (g: GraphBuilder, x: string, d: 'int8' | 'uint8', [lo, hi]: [number | undefined, number | undefined]): string => {
    const id = g.nodes.length;
    const ins = [x, lo === undefined ? '' : g.init(`clo${id}`, tensor(d, [], [lo])), hi === undefined ? '' : g.init(`chi${id}`, tensor(d, [], [hi]))];
    while (ins[ins.length - 1] === '') ins.pop();
    return g.node('Clip', ins);
  };
  for (let seed = 1; seed <= 6; seed++) {
    it(`seed ${seed}: folded (sole reader, twice) and stand-alone (graph input, a conv output also a graph output)`, () => {
      const r = new Rng(seed * 7717);
      const g = new GraphBuilder();
      const C = 1 + r.int(3);
      const H = 5 + r.int(4);
      const W = 5 + r.int(4);
      const spec = randomConv(r, H, W, C, true);
      const x = g.input('x', spec.xType, [1 + r.int(2), C, H, W]);
      // stand-alone on the graph input
      const cx = clip(g, x, spec.xType, bounds(r, spec.xType));
      g.output(cx);
      // folded into the QLinearConv (its only reader)
      const y = addConv(g, r, x, spec);
      const cy = clip(g, y, spec.yType, bounds(r, spec.yType));
      // a Clip of that Clip (a graph output): folded again, clamp(clamp(v, a, b), lo, hi) = clamp(v, clamp(a, lo, hi), clamp(b, lo, hi))
      const cyy = clip(g, cy, spec.yType, bounds(r, spec.yType));
      g.output(cyy);
      // a convolution read by a Clip and a graph output: stand-alone
      const spec2 = { ...randomConv(r, H, W, C, true), xType: spec.xType };
      const z = addConv(g, r, cx, spec2);
      g.output(z);
      g.output(clip(g, z, spec2.yType, bounds(r, spec2.yType)));
      const graph = g.build(`clip${seed}`);
      const xs = new Map([[x, tensor(spec.xType, [...g.inputs[0]!.shape!] as number[], randQ(r, spec.xType, g.inputs[0]!.shape!.reduce((p: number, v) => p * (v as number), 1)))]]);
      const c = check(graph, pulp(), xs, false, `seed ${seed}`);
      expect(c.layers.map((l) => l.opType)).toEqual(['Clip', 'QLinearConv+Clip+Clip', 'QLinearConv', 'Clip']);
    }, 60_000);
  }
  it('QLinearMatMul and its QDQ form (fused dot product) followed by a Clip: folded, equal to the QOperator graph', () => {
    for (let seed = 1; seed <= 3; seed++) {
      const r = new Rng(seed * 5471);
      const g = new GraphBuilder();
      const aType = seed % 2 === 0 ? 'uint8' : 'int8';
      const yType = seed === 2 ? 'int8' : 'uint8';
      const a = g.input('a', aType, [2, 5, 12]);
      const y = addMatMul(g, r, a, { quantized: true, aType, bType: 'int8', yType, K: 12, N: 6, bBatch: [], perColumn: seed !== 3 });
      g.output(clip(g, y, yType, bounds(r, yType)));
      const qop = g.build(`mmclip${seed}`);
      const inputs = new Map([[a, tensor(aType, [2, 5, 12], randQ(r, aType, 120))]]);
      const c = check(qop, pulp(), inputs, false, `QLinearMatMul seed ${seed}`);
      expect(c.layers.map((l) => l.opType)).toEqual(['QLinearMatMul+Clip']);
      // the QDQ form compiles to the same integer layer: compare with the QOperator graph's values
      const qdq = toQdq(qop, { bias: 'dq' });
      const r2 = compile(qdq, pulp());
      if (r2.value === undefined) throw new Error(formatDiagnostics(r2.diagnostics));
      expect(r2.value.layers.map((l) => l.opType)).toEqual(['DequantizeLinear+MatMul+QuantizeLinear+Clip']);
      const got = runCompiled(instantiate(pulp()), r2.value, inputs).outputs;
      const want = evaluate(qop, inputs);
      for (const o of qop.outputs) expect(values(got.get(o.name)), `QDQ seed ${seed}`).toEqual(values(want.get(o.name)));
    }
  }, 60_000);
  it('through a Reshape: folded when nothing convolves the Clip output (the Clip becomes an alias), else stand-alone', () => {
    for (let seed = 1; seed <= 4; seed++) {
      const r = new Rng(seed * 8887);
      const g = new GraphBuilder();
      const spec = { ...randomConv(r, 6, 6, 2, true), pads: [1, 1, 1, 1] as [number, number, number, number] };
      const x = g.input('x', spec.xType, [1, 2, 6, 6]);
      const y = addConv(g, r, x, spec);
      const oh = Math.floor((6 + 2 - ((spec.kh - 1) * spec.dilations[0] + 1)) / spec.strides[0]) + 1;
      const ow = Math.floor((6 + 2 - ((spec.kw - 1) * spec.dilations[1] + 1)) / spec.strides[1]) + 1;
      const shape = [1, spec.M, oh, ow];
      // a Reshape that keeps the shape (a convolution may read it) or flattens it
      const conv = seed % 2 === 0;
      const rs = g.node('Reshape', [y, g.init(`shape${seed}`, tensor('int64', [conv ? 4 : 2], conv ? shape : [1, spec.M * oh * ow]))]);
      const c = clip(g, rs, spec.yType, bounds(r, spec.yType));
      if (conv) g.output(addConv(g, r, c, { ...randomConv(r, oh, ow, spec.M, true), xType: spec.yType, pads: [1, 0, 1, 1] }));
      else g.output(g.node('DequantizeLinear', [c, g.init('ds', tensor('float32', [], [0.125])), g.init('dz', tensor(spec.yType, [], [3]))]));
      const graph = g.build(`reshape-clip${seed}`);
      const inputs = new Map([[x, tensor(spec.xType, [1, 2, 6, 6], randQ(r, spec.xType, 72))]]);
      const cc = check(graph, pulp(), inputs, false, `seed ${seed}`);
      expect(cc.layers.filter((l) => l.opType === 'Clip').map((l) => l.target), `seed ${seed}`).toEqual([conv ? 'cores' : 'alias']);
      expect(cc.layers[0]!.opType).toBe(conv ? 'QLinearConv' : 'QLinearConv+Clip');
    }
  }, 60_000);
  it('QuantizeLinear and fused DQ -> Add -> Q followed by a Clip: folded into the quantization clamp', () => {
    const r = new Rng(99);
    const g = new GraphBuilder();
    const f = g.input('f', 'float32', [1, 2, 6, 7]);
    const q = g.node('QuantizeLinear', [f, g.init('qs', tensor('float32', [], [0.05])), g.init('qz', tensor('int8', [], [3]))]);
    const cq = clip(g, q, 'int8', [-20, 9]);
    const a = g.input('a', 'uint8', [1, 2, 6, 7]);
    const da = g.node('DequantizeLinear', [a, g.init('as', tensor('float32', [], [0.02])), g.init('az', tensor('uint8', [], [100]))]);
    const db = g.node('DequantizeLinear', [cq, 'qs', 'qz']);
    const s = g.node('Add', [da, db]);
    const qo = g.node('QuantizeLinear', [s, g.init('os', tensor('float32', [], [0.03])), g.init('oz', tensor('uint8', [], [128]))]);
    g.output(clip(g, qo, 'uint8', [100, 160]));
    const graph = g.build('clipq');
    const inputs = new Map([
      [f, tensor('float32', [1, 2, 6, 7], Array.from({ length: 84 }, () => Math.fround((r.next() - 0.5) * 4)))],
      [a, tensor('uint8', [1, 2, 6, 7], randQ(r, 'uint8', 84))],
    ]);
    const c = check(graph, pulp(), inputs, false, 'quantize / qdqBinary');
    expect(c.layers.map((l) => l.opType)).toEqual(['QuantizeLinear+Clip', 'DequantizeLinear+Add+QuantizeLinear+Clip']);
  }, 60_000);
});
