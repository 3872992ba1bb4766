/** TFC-2W2A (QONNX, Brevitas Quant nodes) and the float mnist-8 CNN against onnxruntime's outputs. */
import { describe, expect, it } from 'vitest';
import { type Tensor, createEvaluator, tensor } from '../../src/nn/index.js';
import { argmax, loadModel, readBytes, readJson } from './helpers.js';

interface Ref {
  samples: ({ index: number; top1: number; label: number } & Record<string, number[] | number>)[];
}
interface Index {
  samples: { sample: number; tensors: { name: string; op_type: string; dtype: string; dims: number[]; file: string }[] }[];
}

const images = readBytes('data/mnist_test1000_images_u8.bin');
const mnist = (i: number, scale: (p: number) => number): Tensor =>
  tensor('float32', [1, 1, 28, 28], Array.from(images.subarray(i * 784, (i + 1) * 784), scale));
const toTfc = (p: number): number => Math.fround(p / 255);

/** Largest |a - b| / max|b| over a vector. */
function relErr(a: ArrayLike<number>, b: readonly number[]): number {
  const scale = Math.max(...b.map(Math.abs));
  return Math.max(...b.map((v, i) => Math.abs(a[i]! - v))) / scale;
}

describe('TFC-2W2A (QONNX)', () => {
  const ref = readJson<Ref>('reference/qonnx_tfc_2w2a_mnist.json');

  for (const file of ['qonnx_tfc_2w2a_mnist.qonnx.onnx', 'qonnx_tfc_2w2a_mnist.std.onnx']) {
    it(`${file}: logits within 1e-5 relative of onnxruntime on 100 samples, same top-1`, () => {
      const g = loadModel(file);
      if (file.includes('.qonnx.')) expect(g.nodes.filter((n) => n.opType === 'Quant' && n.domain === 'onnx.brevitas')).toHaveLength(8);
      const ev = createEvaluator(g);
      let worst = 0;
      for (const s of ref.samples) {
        const out = ev.run(new Map([['0', mnist(s.index, toTfc)]])).get('90')!;
        const want = s['90'] as number[];
        worst = Math.max(worst, relErr(out.data, want));
        expect(argmax(out.data), `sample ${s.index}`).toBe(s.top1);
      }
      expect(ref.samples).toHaveLength(100);
      expect(worst).toBeLessThanOrEqual(1e-5);
    });
  }

  it('QONNX file: every Quant output and every tensor shared with the rewritten file equals onnxruntime on samples 0 and 1', () => {
    const g = loadModel('qonnx_tfc_2w2a_mnist.qonnx.onnx');
    const ev = createEvaluator(g);
    const index = readJson<Index>('reference/intermediates/tfc_2w2a/index.json');
    // The activation Quant nodes (the weight Quants act on initializers and are not in the reference dump).
    const activationQuants = g.nodes.filter((n) => n.opType === 'Quant' && !g.initializers.has(n.inputs[0]!));
    for (const s of index.samples) {
      const all = ev.runAll(new Map([['0', mnist(s.sample, toTfc)]]));
      const compared: string[] = [];
      for (const t of s.tensors) {
        const got = all.get(t.name);
        if (got === undefined || t.dtype !== 'float32') continue;
        const bytes = readBytes(`reference/intermediates/tfc_2w2a/${t.file}`);
        expect(Array.from(got.data), `sample ${s.sample} ${t.name}`).toEqual(Array.from(new Float32Array(bytes.buffer, bytes.byteOffset, bytes.length / 4)));
        compared.push(t.name);
      }
      expect(compared).toEqual(expect.arrayContaining(['39', '51', '63', '75', '90']));
      expect(activationQuants.flatMap((n) => n.outputs)).toEqual(['39', '51', '63', '75']);
    }
  });
});

describe('mnist-8 (float)', () => {
  it('logits within 1e-4 relative of onnxruntime on 100 samples, same top-1', () => {
    const ref = readJson<Ref>('reference/onnx_zoo_mnist8_float.json');
    const ev = createEvaluator(loadModel('onnx_zoo_mnist8_float.onnx'));
    let worst = 0;
    for (const s of ref.samples) {
      const out = ev.run(new Map([['Input3', mnist(s.index, (p) => p)]])).get('Plus214_Output_0')!;
      worst = Math.max(worst, relErr(out.data, s.Plus214_Output_0 as number[]));
      expect(argmax(out.data), `sample ${s.index}`).toBe(s.top1);
    }
    expect(worst).toBeLessThanOrEqual(1e-4);
  });
});

describe('TFC-2W2A (QONNX): accuracy over the 1000 MNIST images', () => {
  it('top-1 equals onnxruntime\'s 96.6 % (966 of 1000)', () => {
    const acc = readJson<{ correct: number; evaluated: number }>('reference/qonnx_tfc_2w2a_mnist.json');
    const labels = readBytes('data/mnist_test1000_labels_u8.bin');
    const ev = createEvaluator(loadModel('qonnx_tfc_2w2a_mnist.qonnx.onnx'));
    let correct = 0;
    for (let i = 0; i < 1000; i++) if (argmax(ev.run(new Map([['0', mnist(i, toTfc)]])).get('90')!.data) === labels[i]) correct++;
    expect([acc.evaluated, acc.correct]).toEqual([1000, 966]);
    expect(correct).toBe(acc.correct);
  });
});
