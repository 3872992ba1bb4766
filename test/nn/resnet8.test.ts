/** ResNet-8 (MLPerf Tiny, int8 QOperator) in the reference evaluator against onnxruntime's outputs. */
import { describe, expect, it } from 'vitest';
import { type Tensor, createEvaluator, tensor } from '../../src/nn/index.js';
import { argmax, loadModel, readBytes, readJson } from './helpers.js';

interface Ref {
  top1_from: string;
  samples: { index: number; output: number[]; logits_q: number[]; top1: number; label: number }[];
}
interface Index {
  samples: { sample: number; tensors: { name: string; op_type: string; dtype: string; dims: number[]; file: string }[] }[];
}

const graph = loadModel('mlperf_tiny_resnet8_int8_qop.onnx');
const images = readBytes('data/cifar10_test500_images_u8.bin');
const ref = readJson<Ref>('reference/mlperf_tiny_resnet8_int8_qop.json');

/** Sample i as the model input: int8 = pixel - 128, NCHW as stored. */
export function cifarInput(i: number): Map<string, Tensor> {
  const px = images.subarray(i * 3072, (i + 1) * 3072);
  return new Map([['input', tensor('int8', [1, 3, 32, 32], Array.from(px, (p) => p - 128))]]);
}

describe('ResNet-8 int8 QOperator', () => {
  const ev = createEvaluator(graph);

  it('equals onnxruntime bit for bit on all 100 reference samples, with the same top-1', () => {
    expect(ref.samples).toHaveLength(100);
    let mismatches = 0;
    for (const s of ref.samples) {
      const out = ev.run(cifarInput(s.index));
      const logits = Array.from(out.get('logits_q')!.data);
      const output = Array.from(out.get('output')!.data);
      if (JSON.stringify(logits) !== JSON.stringify(s.logits_q) || JSON.stringify(output) !== JSON.stringify(s.output)) mismatches++;
      expect(logits, `sample ${s.index} logits_q`).toEqual(s.logits_q);
      expect(output, `sample ${s.index} output`).toEqual(s.output);
      expect(argmax(logits)).toBe(s.top1);
    }
    expect(mismatches).toBe(0);
  });

  it('equals every intermediate tensor of samples 0 and 1', () => {
    const index = readJson<Index>('reference/intermediates/resnet8/index.json');
    for (const s of index.samples) {
      const all = ev.runAll(cifarInput(s.sample));
      for (const t of s.tensors) {
        const bytes = readBytes(`reference/intermediates/resnet8/${t.file}`);
        const want = t.dtype === 'int8' ? new Int8Array(bytes.buffer, bytes.byteOffset, bytes.length) : new Float32Array(bytes.slice().buffer);
        const got = all.get(t.name);
        expect(got, `${t.name}`).toBeDefined();
        expect(got!.dtype, t.name).toBe(t.dtype);
        expect(got!.shape, t.name).toEqual(t.dims);
        expect(Array.from(got!.data), `sample ${s.sample} ${t.name} (${t.op_type})`).toEqual(Array.from(want));
      }
    }
  });

  it('fixed-point requantization stays within 1 LSB per layer of float32 and keeps top-1 on the first 10 samples', () => {
    const fx = createEvaluator(graph, { requant: 'fixed-point' });
    for (const s of ref.samples.slice(0, 10)) {
      const out = fx.run(cifarInput(s.index));
      expect(argmax(out.get('logits_q')!.data)).toBe(s.top1);
    }
  });
});

describe('ResNet-8 int8 QOperator: accuracy over the 500 CIFAR-10 images', () => {
  it('top-1 equals onnxruntime\'s 88.4 % (442 of 500), from logits_q', () => {
    const acc = readJson<{ top1_accuracy: number; correct: number; evaluated: number }>('reference/mlperf_tiny_resnet8_int8_qop.json');
    const labels = readBytes('data/cifar10_test500_labels_u8.bin');
    const ev = createEvaluator(graph);
    let correct = 0;
    for (let i = 0; i < 500; i++) if (argmax(ev.run(cifarInput(i)).get('logits_q')!.data) === labels[i]) correct++;
    expect([acc.evaluated, acc.correct, acc.top1_accuracy]).toEqual([500, 442, 0.884]);
    expect(correct).toBe(acc.correct);
  });
});
