/**
 * Mixed-precision requantization of ResNet-8 (int8 QOperator) and post-training quantization of
 * the float mnist-8, checked with the reference evaluator and the quantization formulas.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import {
  type LayerPrecision, type NnGraph, type NnNode, type Tensor, createEvaluator, quantizeFloatGraph, requantizeGraph, tensor, weightLevels,
} from '../../src/nn/index.js';
import { SimError } from '../../src/util/index.js';
import { argmax, loadModel, readBytes } from './helpers.js';

const resnet = loadModel('mlperf_tiny_resnet8_int8_qop.onnx');
const cifarImages = readBytes('data/cifar10_test500_images_u8.bin');
const cifarLabels = readBytes('data/cifar10_test500_labels_u8.bin');
/** CIFAR sample i as ResNet-8's input: int8 = pixel - 128, [1,3,32,32] (as test/nn/resnet8.test.ts). */
const cifar = (i: number): Map<string, Tensor> =>
  new Map([['input', tensor('int8', [1, 3, 32, 32], Array.from(cifarImages.subarray(i * 3072, (i + 1) * 3072), (p) => p - 128))]]);

const mnistImages = readBytes('data/mnist_test1000_images_u8.bin');
const mnistLabels = readBytes('data/mnist_test1000_labels_u8.bin');
/** MNIST sample i as mnist-8's input: float32 0..255 (as test/nn/mnist-models.test.ts). */
const mnist = (i: number): Map<string, Tensor> =>
  new Map([['Input3', tensor('float32', [1, 1, 28, 28], Array.from(mnistImages.subarray(i * 784, (i + 1) * 784)))]]);

const init = (g: NnGraph, name: string): Tensor => {
  const t = g.initializers.get(name);
  if (t === undefined) throw new Error(`no initializer ${name}`);
  return t;
};
const byName = (g: NnGraph, name: string): NnNode => g.nodes.find((n) => n.name === name)!;
const at = (t: Tensor, c: number): number => (t.data.length === 1 ? t.data[0]! : t.data[c]!);

/** Every QLinearConv at b bits (weights and output) and every activation QuantizeLinear but the final softmax one. */
const allLayers = (b: number, weights: LayerPrecision['weights'] = 'uniform') => (n: NnNode): LayerPrecision | undefined =>
  n.opType === 'QLinearConv' ? { weightBits: b, actBits: b, weights } : n.opType === 'QuantizeLinear' && n.name !== 'quant_145' ? { actBits: b } : undefined;

function accuracy(g: NnGraph, count: number): number {
  const ev = createEvaluator(g);
  let correct = 0;
  for (let i = 0; i < count; i++) if (argmax(ev.run(cifar(i)).get('logits_q')!.data) === cifarLabels[i]) correct++;
  return correct;
}

const convs = resnet.nodes.filter((n) => n.opType === 'QLinearConv');

describe('requantizeGraph on ResNet-8', () => {
  it('8 bits uniform (weights and activations, every layer) gives back an identical graph and identical outputs', () => {
    const r = requantizeGraph(resnet, allLayers(8));
    expect(r.graph.nodes.map((n) => [n.name, n.opType, n.inputs])).toEqual(resnet.nodes.map((n) => [n.name, n.opType, n.inputs]));
    for (const [k, t] of resnet.initializers) expect(Array.from(init(r.graph, k).data), k).toEqual(Array.from(t.data));
    expect(r.layers.filter((l) => l.weightBits !== undefined)).toHaveLength(convs.length);
    for (const l of r.layers.filter((x) => x.weightBits !== undefined)) {
      expect(l.weightRmsErrorPct).toBe(0);
      expect(l.maxAbsCodeAfter).toBe(l.maxAbsCodeBefore);
    }
    const a = createEvaluator(resnet);
    const b = createEvaluator(r.graph);
    for (const i of [0, 1, 2]) {
      const x = a.run(cifar(i));
      const y = b.run(cifar(i));
      for (const o of ['logits_q', 'output']) expect(Array.from(y.get(o)!.data), `${o} ${i}`).toEqual(Array.from(x.get(o)!.data));
    }
  });

  it('uniform weights at b bits: codes in the symmetric b-bit range, each within half a new LSB of the old value, RMS error falls as b grows', () => {
    const rmsSum: number[] = [];
    for (const b of [2, 3, 4, 5, 6, 7, 8]) {
      const r = requantizeGraph(resnet, (n) => (n.opType === 'QLinearConv' ? { weightBits: b } : undefined));
      const qmax = 2 ** (b - 1) - 1;
      let sum = 0;
      for (const n of convs) {
        const w0 = init(resnet, n.inputs[3]!);
        const s0 = init(resnet, n.inputs[4]!);
        const m = byName(r.graph, n.name);
        const w1 = init(r.graph, m.inputs[3]!);
        const s1 = init(r.graph, m.inputs[4]!);
        const z1 = init(r.graph, m.inputs[5]!);
        const per = w0.data.length / w0.shape[0]!;
        let outOfRange = 0;
        let farFromOld = 0;
        for (let i = 0; i < w1.data.length; i++) {
          const c = Math.floor(i / per);
          const q = w1.data[i]! - at(z1, c);
          if (Math.abs(q) > qmax) outOfRange++;
          // rounding to nearest on the new grid: |w' - w| <= scale' / 2 (real units, float32 slack)
          if (Math.abs(q * at(s1, c) - (w0.data[i]! - at(z1, c)) * at(s0, c)) > at(s1, c) * (0.5 + 1e-6)) farFromOld++;
        }
        expect([n.name, b, outOfRange, farFromOld]).toEqual([n.name, b, 0, 0]);
        // the bias follows the new weight scale: |bias' xs ws' - bias xs ws| <= xs ws' / 2
        const b0 = init(resnet, n.inputs[8]!);
        const b1 = init(r.graph, m.inputs[8]!);
        const xs = init(resnet, n.inputs[1]!).data[0]!;
        for (let c = 0; c < b0.data.length; c++) {
          expect(Math.abs(b1.data[c]! * xs * at(s1, c) - b0.data[c]! * xs * at(s0, c))).toBeLessThanOrEqual(xs * at(s1, c) * (0.5 + 1e-6));
        }
        const l = r.layers.find((x) => x.node === n.name)!;
        expect(l.maxAbsCodeAfter).toBeLessThanOrEqual(qmax);
        sum += l.weightRmsErrorPct!;
      }
      rmsSum.push(sum / convs.length);
    }
    console.log(`ResNet-8 mean weight RMS error (%) at 2..8 bits uniform: ${rmsSum.map((v) => v.toFixed(2)).join(', ')}`);
    for (let i = 1; i < rmsSum.length; i++) expect(rmsSum[i]!).toBeLessThan(rmsSum[i - 1]!);
    expect(rmsSum[rmsSum.length - 1]).toBe(0);
  });

  it('pow2 codes are 0 or ±2^k (k <= b-2) and pow2x2 codes have at most two bits set; the largest |w| keeps the top level', () => {
    for (const b of [3, 4, 6, 8]) {
      for (const scheme of ['pow2', 'pow2x2'] as const) {
        const r = requantizeGraph(resnet, (n) => (n.opType === 'QLinearConv' ? { weightBits: b, weights: scheme } : undefined));
        const levels = new Set(weightLevels(scheme, b));
        const top = Math.max(...levels);
        for (const n of convs) {
          const m = byName(r.graph, n.name);
          const w = init(r.graph, m.inputs[3]!);
          // one scale group per output channel, or the whole tensor when the scale is per tensor (the classifier)
          const groups = init(r.graph, m.inputs[4]!).data.length;
          const per = w.data.length / groups;
          let bad = 0;
          for (let c = 0; c < groups; c++) {
            const ch = Array.from(w.data.subarray(c * per, (c + 1) * per));
            for (const v of ch) {
              const a = Math.abs(v);
              const bitsSet = a.toString(2).split('').filter((d) => d === '1').length;
              if (!levels.has(a) || bitsSet > (scheme === 'pow2' ? 1 : 2) || (scheme === 'pow2' && a !== 0 && Math.log2(a) > b - 2)) bad++;
            }
            if (ch.some((v) => v !== 0)) expect(Math.max(...ch.map(Math.abs))).toBe(top);
          }
          expect([n.name, scheme, b, bad]).toEqual([n.name, scheme, b, 0]);
        }
        if (b === 8 || b === 4) {
          const mean = r.layers.reduce((s, l) => s + l.weightRmsErrorPct!, 0) / r.layers.length;
          console.log(`ResNet-8 ${scheme} at ${b} bits: mean weight RMS error ${mean.toFixed(2)} %`);
        }
      }
    }
    expect(weightLevels('pow2', 4)).toEqual([0, 1, 2, 4]);
    expect(weightLevels('pow2x2', 4)).toEqual([0, 1, 2, 3, 4, 5, 6]);
  });

  it('activations at b bits: scale x 2^(8-b) on the producer and every reader, codes within the b-bit range; dequantized values stay within half an LSB of the 8-bit ones', () => {
    const b = 4;
    const r = requantizeGraph(resnet, allLayers(b));
    const g = r.graph;
    // conv_2d_0's output qconv_9 is read by conv_2d_1 (x_scale scale_13) and dq_29 (scale_32): all three copies change together.
    const p = byName(g, 'conv_2d_0');
    const s8 = init(resnet, 'scale_5').data[0]!;
    expect(init(g, p.inputs[6]!).data[0]).toBe(Math.fround(s8 * 16));
    expect(init(g, p.inputs[7]!).data[0]).toBe(-8);
    for (const [node, slot] of [['conv_2d_1', 1], ['dq_29', 1]] as const) expect(init(g, byName(g, node).inputs[slot]!).data[0]).toBe(Math.fround(s8 * 16));
    // through the Reshapes: the classifier's input copy follows quant_123
    expect(init(g, byName(g, 'fully_connected_14').inputs[1]!).data[0]).toBe(Math.fround(init(resnet, 'scale_130').data[0]! * 16));
    expect(g.nodes.filter((n) => n.opType === 'Clip')).toHaveLength(convs.length + 4);

    const ev8 = createEvaluator(resnet);
    const evb = createEvaluator(g);
    const producers = resnet.nodes.filter((n) => allLayers(b)(n)?.actBits !== undefined);
    // conv_2d_0 alone at b-bit output: it reads the unchanged input, so its b-bit real values are within
    // (s4 + s8) / 2 of the 8-bit ones wherever the 8-bit value lies inside the b-bit range (zero point
    // -128 -> -8 is exact, so the grids align).
    const ev0 = createEvaluator(requantizeGraph(resnet, (n) => (n.name === 'conv_2d_0' ? { actBits: b } : undefined)).graph);
    let checked = 0;
    let outside = 0;
    for (const i of [0, 1]) {
      const all = evb.runAll(cifar(i));
      for (const n of producers) {
        const t = all.get(n.outputs[0]!)!;
        for (const v of t.data) if (v < -(2 ** (b - 1)) || v > 2 ** (b - 1) - 1) outside++;
        checked += t.data.length;
      }
      const x8 = ev8.runAll(cifar(i)).get('qconv_9')!;
      const xb = ev0.runAll(cifar(i)).get('qconv_9')!;
      const s4 = s8 * 16;
      let inside = 0;
      for (let k = 0; k < x8.data.length; k++) {
        const r8 = (x8.data[k]! + 128) * s8;
        if (r8 > 15 * s4) continue;
        inside++;
        expect(Math.abs((xb.data[k]! + 8) * s4 - r8)).toBeLessThanOrEqual((s4 + s8) / 2 + 1e-5);
      }
      expect(inside).toBeGreaterThan(x8.data.length / 2);
    }
    expect(checked).toBeGreaterThan(0);
    expect(outside).toBe(0);
  });

  it("saturate: 'int8' adds no node; codes then leave the b-bit range (measured), which clipping prevents", () => {
    const b = 4;
    const r = requantizeGraph(resnet, allLayers(b), { saturate: 'int8' });
    expect(r.graph.nodes).toHaveLength(resnet.nodes.length);
    const all = createEvaluator(r.graph).runAll(cifar(0));
    let below = 0;
    let above = 0;
    let total = 0;
    for (const n of resnet.nodes.filter((x) => allLayers(b)(x)?.actBits !== undefined)) {
      for (const v of all.get(n.outputs[0]!)!.data) {
        if (v < -(2 ** (b - 1))) below++;
        if (v > 2 ** (b - 1) - 1) above++;
        total++;
      }
    }
    console.log(`ResNet-8 at ${b} bits without Clip, image 0: ${below} codes below and ${above} above the ${b}-bit range of ${total} (${((100 * (below + above)) / total).toFixed(1)} %)`);
    expect(below + above).toBeGreaterThan(0);
  });

  it('accuracy over 100 CIFAR-10 images: 8 bits equals the original exactly, 2 bits is worse', () => {
    const count = 100;
    const base = accuracy(resnet, count);
    const acc = new Map<number, number>();
    for (const b of [8, 6, 4, 2]) acc.set(b, accuracy(requantizeGraph(resnet, allLayers(b)).graph, count));
    console.log(`ResNet-8 top-1 on ${count} CIFAR-10 images, all layers (weights + activations) at b bits: original ${base}, ${[...acc].map(([b, a]) => `${b}b ${a}`).join(', ')}`);
    expect(acc.get(8)).toBe(base);
    expect(acc.get(2)!).toBeLessThan(acc.get(8)!);
  }, 180_000);
});

describe('requantizeGraph on a QLinearMatMul (per-column weight scales)', () => {
  const B = [100, -20, 3, -127, 50, 0, 60, 7, -1, 5, -90, 2]; // [4, 3]: column maxima 127, 90, 3
  const bs = [0.01, 0.02, 0.5];
  const g: NnGraph = {
    name: 'mm', irVersion: 8, opsets: new Map([['', 13]]),
    inputs: [{ name: 'x', dtype: 'float32', shape: [2, 4] }],
    outputs: [{ name: 'out', dtype: 'float32', shape: [2, 3] }],
    initializers: new Map([
      ['sx', tensor('float32', [], [0.05])], ['zx', tensor('int8', [], [0])], ['B', tensor('int8', [4, 3], B)], ['bs', tensor('float32', [3], bs)],
      ['bz', tensor('int8', [3], [0, 0, 0])], ['ys', tensor('float32', [], [0.1])], ['yz', tensor('int8', [], [3])], ['ys2', tensor('float32', [], [0.1])], ['yz2', tensor('int8', [], [3])],
    ]),
    nodes: [
      { name: 'q', index: 0, opType: 'QuantizeLinear', domain: '', inputs: ['x', 'sx', 'zx'], outputs: ['xq'], attributes: new Map() },
      { name: 'mm', index: 1, opType: 'QLinearMatMul', domain: '', inputs: ['xq', 'sx', 'zx', 'B', 'bs', 'bz', 'ys', 'yz'], outputs: ['y'], attributes: new Map() },
      { name: 'dq', index: 2, opType: 'DequantizeLinear', domain: '', inputs: ['y', 'ys2', 'yz2'], outputs: ['out'], attributes: new Map() },
    ],
  };
  const x = new Map([['x', tensor('float32', [2, 4], [0.5, -1, 2, 0.25, -0.75, 1.5, 0.1, -2])]]);

  it('3-bit weights: one factor per column, codes within ±3, within half a new step; 4-bit output changes the DequantizeLinear copy too', () => {
    const r = requantizeGraph(g, (n) => (n.name === 'mm' ? { weightBits: 3, actBits: 4 } : undefined));
    const mm = byName(r.graph, 'mm');
    const w = init(r.graph, mm.inputs[3]!);
    const s = init(r.graph, mm.inputs[4]!);
    for (let i = 0; i < 12; i++) {
      const j = i % 3;
      expect(Math.abs(w.data[i]!)).toBeLessThanOrEqual(3);
      expect(Math.abs(w.data[i]! * s.data[j]! - B[i]! * bs[j]!)).toBeLessThanOrEqual(s.data[j]! * (0.5 + 1e-6));
    }
    // float32(scale * max|w| / qmax) for the columns that do not fit, the old scale for the one that does
    expect(Array.from(s.data)).toEqual([Math.fround(Math.fround(bs[0]!) * (127 / 3)), Math.fround(Math.fround(bs[1]!) * (90 / 3)), Math.fround(bs[2]!)]);
    expect([w.data[2], w.data[5], w.data[8], w.data[11]]).toEqual([3, 0, -1, 2]); // column 2 already fits 3 bits: unchanged
    expect(init(r.graph, byName(r.graph, 'dq').inputs[1]!).data[0]).toBe(Math.fround(0.1 * 16));
    expect(init(r.graph, byName(r.graph, 'dq').inputs[2]!).data[0]).toBe(0); // roundHalfEven(3 / 16)
    const y = createEvaluator(r.graph).runAll(x).get('y')!;
    for (const v of y.data) expect(v >= -8 && v <= 7).toBe(true);
    // the result is the float product of the dequantized operands, to within the 4-bit output step
    const xs = createEvaluator(g).runAll(x).get('xq')!;
    const out = createEvaluator(r.graph).run(x).get('out')!;
    for (let i = 0; i < 2; i++) {
      for (let j = 0; j < 3; j++) {
        let ref = 0;
        for (let k = 0; k < 4; k++) ref += xs.data[i * 4 + k]! * 0.05 * w.data[k * 3 + j]! * s.data[j]!;
        const clipped = Math.min(Math.max(ref, -8 * 1.6), 7 * 1.6);
        expect(Math.abs(out.data[i * 3 + j]! - clipped)).toBeLessThanOrEqual(0.8 + 1e-5);
      }
    }
  });
});

describe('quantizeFloatGraph on mnist-8', () => {
  const graph = loadModel('onnx_zoo_mnist8_float.onnx');
  const calibration = Array.from({ length: 100 }, (_, i) => mnist(500 + i)); // disjoint from the 200 test images
  const N = 200;
  let floatLogits: Float32Array[] = [];
  let floatCorrect = 0;
  beforeAll(() => {
    const ev = createEvaluator(graph);
    floatLogits = Array.from({ length: N }, (_, i) => ev.run(mnist(i)).get('Plus214_Output_0')!.data as Float32Array);
    floatCorrect = floatLogits.filter((l, i) => argmax(l) === mnistLabels[i]).length;
  }, 60_000);

  function run(g: NnGraph): { correct: number; worst: number } {
    const ev = createEvaluator(g);
    let correct = 0;
    let worst = 0;
    for (let i = 0; i < N; i++) {
      const o = ev.run(mnist(i)).get('Plus214_Output_0')!;
      expect(o.dtype).toBe('float32');
      if (argmax(o.data) === mnistLabels[i]) correct++;
      const f = floatLogits[i]!;
      const mx = Math.max(...Array.from(f, Math.abs));
      for (let k = 0; k < f.length; k++) worst = Math.max(worst, Math.abs(o.data[k]! - f[k]!) / mx);
    }
    return { correct, worst };
  }

  it('8 bits: QOperator form (QuantizeLinear, QLinearConv with Relu folded, MaxPool/Reshape on codes, DequantizeLinear), accuracy within 2 points of float, logits close', () => {
    for (const perChannel of [true, false]) {
      const r = quantizeFloatGraph(graph, calibration, { weightBits: 8, actBits: 8, perChannel });
      const ops = r.graph.nodes.map((n) => n.opType);
      expect(ops.filter((o) => o === 'QLinearConv')).toHaveLength(3);
      expect(ops).not.toContain('Relu');
      expect(ops).not.toContain('Conv');
      expect(ops).not.toContain('MatMul');
      expect(ops[0]).toBe('QuantizeLinear');
      expect(ops[ops.length - 1]).toBe('DequantizeLinear');
      expect(r.floatNodes).toEqual([]);
      expect(r.layers.map((l) => l.fused)).toEqual([['Convolution28', 'Plus30', 'ReLU32'], ['Convolution110', 'Plus112', 'ReLU114'], ['Times212', 'Plus214']]);
      // a folded Relu puts the zero point at the low end of the code range
      const c1 = byName(r.graph, 'Convolution28');
      expect(init(r.graph, c1.inputs[7]!).data[0]).toBe(-128);
      // weights: symmetric codes within half a step of the float weights
      const w = init(graph, 'Parameter5');
      const q = init(r.graph, c1.inputs[3]!);
      const s = init(r.graph, c1.inputs[4]!);
      expect(s.data.length).toBe(perChannel ? 8 : 1);
      for (let i = 0; i < w.data.length; i++) expect(Math.abs(q.data[i]! * at(s, Math.floor(i / 25)) - w.data[i]!)).toBeLessThanOrEqual(at(s, Math.floor(i / 25)) * (0.5 + 1e-6));
      const { correct, worst } = run(r.graph);
      console.log(`mnist-8 PTQ 8 bits ${perChannel ? 'per-channel' : 'per-tensor'}: ${correct}/${N} (float ${floatCorrect}/${N}), worst |logit - float| / max|float logit| ${worst.toFixed(4)}`);
      expect(Math.abs(correct - floatCorrect)).toBeLessThanOrEqual(0.02 * N);
      expect(worst).toBeLessThan(0.06);
    }
  }, 120_000);

  it('4 bits per channel: codes within the 4-bit ranges, accuracy no better than 8 bits', () => {
    const r8 = quantizeFloatGraph(graph, calibration, { weightBits: 8, actBits: 8, perChannel: true });
    const r4 = quantizeFloatGraph(graph, calibration, { weightBits: 4, actBits: 4, perChannel: true });
    for (const n of r4.graph.nodes.filter((x) => x.opType === 'QLinearConv')) {
      for (const v of init(r4.graph, n.inputs[3]!).data) expect(Math.abs(v)).toBeLessThanOrEqual(7);
    }
    const all = createEvaluator(r4.graph).runAll(mnist(0));
    for (const n of r4.graph.nodes.filter((x) => x.opType === 'Clip')) for (const v of all.get(n.outputs[0]!)!.data) expect(v >= -8 && v <= 7).toBe(true);
    expect(init(r4.graph, byName(r4.graph, 'Convolution28').inputs[7]!).data[0]).toBe(-8);
    const a8 = run(r8.graph);
    const a4 = run(r4.graph);
    console.log(`mnist-8 PTQ per-channel: 8 bits ${a8.correct}/${N}, 4 bits ${a4.correct}/${N} (worst relative logit error ${a4.worst.toFixed(3)})`);
    expect(a4.correct).toBeLessThanOrEqual(a8.correct);
  }, 120_000);
});

describe('quantizeFloatGraph on a graph with float-only ops (TFC-2W2A, standard-ONNX form)', () => {
  it('the four MatMuls become QLinearConvs, the other ops run in float between DequantizeLinear / QuantizeLinear, top-1 within 2 points on 100 images', () => {
    const g = loadModel('qonnx_tfc_2w2a_mnist.std.onnx');
    const tfc = (i: number): Map<string, Tensor> =>
      new Map([['0', tensor('float32', [1, 1, 28, 28], Array.from(mnistImages.subarray(i * 784, (i + 1) * 784), (p) => Math.fround(p / 255)))]]);
    const r = quantizeFloatGraph(g, Array.from({ length: 50 }, (_, i) => tfc(500 + i)), { weightBits: 8, actBits: 8, perChannel: true });
    expect(r.layers).toHaveLength(g.nodes.filter((n) => n.opType === 'MatMul').length);
    expect(r.floatNodes.length).toBeGreaterThan(0);
    const ops = r.graph.nodes.map((n) => n.opType);
    expect(ops).not.toContain('MatMul');
    expect(ops.filter((o) => o === 'QuantizeLinear')).toHaveLength(r.layers.length);
    const a = createEvaluator(g);
    const b = createEvaluator(r.graph);
    let ca = 0;
    let cb = 0;
    for (let i = 0; i < 100; i++) {
      if (argmax(a.run(tfc(i)).get('90')!.data) === mnistLabels[i]) ca++;
      if (argmax(b.run(tfc(i)).get('90')!.data) === mnistLabels[i]) cb++;
    }
    console.log(`TFC-2W2A (std) PTQ 8 bits: ${cb}/100, float ${ca}/100`);
    expect(Math.abs(ca - cb)).toBeLessThanOrEqual(2);
  }, 60_000);
});

describe('bad input', () => {
  const expectSimError = (f: () => unknown, code: string, text: string): void => {
    let err: unknown;
    try {
      f();
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(SimError);
    expect((err as SimError).code).toBe(code);
    expect((err as SimError).message).toContain(text);
  };

  it('bit widths outside 2..8 or not integers give quantize-bits naming the node', () => {
    for (const bits of [1, 9, 4.5, 0]) {
      expectSimError(() => requantizeGraph(resnet, (n) => (n.name === 'conv_2d_1' ? { weightBits: bits } : undefined)), 'quantize-bits', "node 'conv_2d_1'");
      expectSimError(() => requantizeGraph(resnet, (n) => (n.name === 'conv_2d_1' ? { actBits: bits } : undefined)), 'quantize-bits', "node 'conv_2d_1'");
      expectSimError(() => quantizeFloatGraph(loadModel('onnx_zoo_mnist8_float.onnx'), [mnist(0)], { weightBits: bits, actBits: 8, perChannel: true }), 'quantize-bits', 'weightBits');
    }
    expectSimError(() => quantizeFloatGraph(loadModel('onnx_zoo_mnist8_float.onnx'), [], { weightBits: 8, actBits: 8, perChannel: true }), 'quantize-calibration', 'calibration');
  });

  it('unsupported ops give quantize-unsupported naming the node', () => {
    expectSimError(() => requantizeGraph(resnet, (n) => (n.name === 'add_31' ? { actBits: 4 } : undefined)), 'quantize-unsupported', "node 'add_31'");
    expectSimError(() => requantizeGraph(resnet, (n) => (n.name === 'dq_29' ? { weightBits: 4 } : undefined)), 'quantize-unsupported', "node 'dq_29'");
    const t = (dtype: 'int8' | 'float32', shape: number[], v: number[]): Tensor => tensor(dtype, shape, v);
    const g: NnGraph = {
      name: 'tiny', irVersion: 8, opsets: new Map([['', 13]]),
      inputs: [{ name: 'x', dtype: 'float32', shape: [1, 1, 2, 2] }],
      outputs: [{ name: 'acc', dtype: 'int32', shape: [1, 1, 2, 2] }, { name: 'cat', dtype: 'int8', shape: [2, 1, 2, 2] }],
      initializers: new Map([['s', t('float32', [], [0.5])], ['z', t('int8', [], [0])], ['w', t('int8', [1, 1, 1, 1], [3])]]),
      nodes: [
        { name: 'q', index: 0, opType: 'QuantizeLinear', domain: '', inputs: ['x', 's', 'z'], outputs: ['xq'], attributes: new Map() },
        { name: 'ci', index: 1, opType: 'ConvInteger', domain: '', inputs: ['xq', 'w'], outputs: ['acc'], attributes: new Map() },
        { name: 'cat', index: 2, opType: 'Concat', domain: '', inputs: ['xq', 'xq'], outputs: ['cat'], attributes: new Map([['axis', { kind: 'int', value: 0 }]]) },
      ],
    };
    expectSimError(() => requantizeGraph(g, (n) => (n.name === 'ci' ? { weightBits: 4 } : undefined)), 'quantize-unsupported', "node 'ci' (#1, ConvInteger)");
    // a precision change on q reaches ConvInteger (no scale to update): refused, naming the reader
    expectSimError(() => requantizeGraph(g, (n) => (n.name === 'q' ? { actBits: 4 } : undefined)), 'quantize-unsupported', "node 'ci'");
    // pow2 weights need zero weight zero points (so the stored codes are the powers of two)
    const wzp: NnGraph = {
      ...g, outputs: [{ name: 'y', dtype: 'int8', shape: [1, 1, 2, 2] }],
      initializers: new Map([...g.initializers, ['wz', t('int8', [], [1])]]),
      nodes: [g.nodes[0]!, { name: 'qc', index: 1, opType: 'QLinearConv', domain: '', inputs: ['xq', 's', 'z', 'w', 's', 'wz', 's', 'z'], outputs: ['y'], attributes: new Map() }],
    };
    expectSimError(() => requantizeGraph(wzp, (n) => (n.name === 'qc' ? { weightBits: 4, weights: 'pow2' } : undefined)), 'quantize-unsupported', "node 'qc' (#1, QLinearConv): pow2 weights need a zero");
    expect(requantizeGraph(wzp, (n) => (n.name === 'qc' ? { weightBits: 4 } : undefined)).layers[0]!.weightBits).toBe(4);
    // a QuantizeLinear whose only readers are gone gets its b-bit Clip
    const tiny2: NnGraph = { ...g, nodes: g.nodes.slice(0, 1) };
    expect(requantizeGraph(tiny2, (n) => (n.name === 'q' ? { actBits: 4 } : undefined)).graph.nodes.map((n) => n.opType)).toEqual(['QuantizeLinear', 'Clip']);
  });
});
