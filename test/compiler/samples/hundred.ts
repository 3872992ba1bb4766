/**
 * The onnxruntime reference samples (100 per network) run on one shipped platform with its
 * default mapping: compiled once, each inference simulated on a fresh instantiation.
 * ResNet-8 (int8, CIFAR-10): both outputs equal onnxruntime's stored outputs bit for bit.
 * TFC-2W2A (QONNX, MNIST): the float logits within 1e-5 relative of onnxruntime's and the same
 * top-1. So the top-1 accuracy on these samples is onnxruntime's. One file per platform
 * (`*.test.ts` here) so vitest spreads them over workers.
 */
import { describe, expect, it } from 'vitest';
import { compile, compileForAccelerators } from '../../../src/compiler/index.js';
import { tensor, type Tensor } from '../../../src/nn/index.js';
import { instantiate, runCompiled } from '../../../src/sim/index.js';
import { formatDiagnostics, hasErrors } from '../../../src/util/index.js';
import { cleanGraph } from '../../helpers/repo.js';
import { argmax, loadModel, readBytes, readJson } from '../../nn/helpers.js';

interface Ref { samples: { index: number; label: number; top1: number; output: number[]; logits_q: number[] }[] }

const compileFor = (name: string, graph: ReturnType<typeof loadModel>, platform: ReturnType<typeof cleanGraph>) =>
  (name === 'pulp-cluster' ? compile(graph, platform) : compileForAccelerators(graph, platform));

/** Declares the test of ResNet-8 on `platforms/<name>.yaml` over the first `n` (default all 100) reference samples. */
export function resnet8OnHundredSamples(name: string, n = 100): void {
  describe(`ResNet-8 on ${name} (default mapping): ${n} reference samples`, () => {
    it('every output of every sample equals onnxruntime\'s; same top-1 and accuracy', () => {
      const graph = loadModel('mlperf_tiny_resnet8_int8_qop.onnx');
      const images = readBytes('data/cifar10_test500_images_u8.bin');
      const ref = readJson<Ref>('reference/mlperf_tiny_resnet8_int8_qop.json');
      expect(ref.samples).toHaveLength(100);
      const platform = cleanGraph(`platforms/${name}.yaml`);
      const r = compileFor(name, graph, platform);
      expect(hasErrors(r.diagnostics), formatDiagnostics(r.diagnostics)).toBe(false);
      let correct = 0;
      let refCorrect = 0;
      for (const s of ref.samples.slice(0, n)) {
        const x: Tensor = tensor('int8', [1, 3, 32, 32], Array.from(images.subarray(s.index * 3072, (s.index + 1) * 3072), (p) => p - 128));
        const run = runCompiled(instantiate(platform), r.value!, new Map([['input', x]]));
        const logits = Array.from(run.outputs.get('logits_q')!.data);
        expect(logits, `sample ${s.index} logits_q`).toEqual(s.logits_q);
        expect(Array.from(run.outputs.get('output')!.data), `sample ${s.index} output`).toEqual(s.output);
        if (argmax(logits) === s.label) correct++;
        if (s.top1 === s.label) refCorrect++;
      }
      expect(correct).toBe(refCorrect);
    }, 900_000);
  });
}

interface TfcRef { samples: ({ index: number; label: number; top1: number } & Record<string, number[] | number>)[] }

/** Declares the 100-sample test of TFC-2W2A on `platforms/<name>.yaml`. */
export function tfcOnHundredSamples(name: string): void {
  describe(`TFC-2W2A on ${name} (default mapping): the 100 reference samples`, () => {
    it('logits within 1e-5 relative of onnxruntime\'s for every sample; same top-1 and accuracy', () => {
      const graph = loadModel('qonnx_tfc_2w2a_mnist.qonnx.onnx');
      const images = readBytes('data/mnist_test1000_images_u8.bin');
      const ref = readJson<TfcRef>('reference/qonnx_tfc_2w2a_mnist.json');
      expect(ref.samples).toHaveLength(100);
      const platform = cleanGraph(`platforms/${name}.yaml`);
      const r = compileFor(name, graph, platform);
      expect(hasErrors(r.diagnostics), formatDiagnostics(r.diagnostics)).toBe(false);
      let correct = 0;
      let refCorrect = 0;
      for (const s of ref.samples) {
        const x = tensor('float32', [1, 1, 28, 28], Array.from(images.subarray(s.index * 784, (s.index + 1) * 784), (p) => Math.fround(p / 255)));
        const run = runCompiled(instantiate(platform), r.value!, new Map([['0', x]]));
        const got = Array.from(run.outputs.get('90')!.data);
        const want = s['90'] as number[];
        const scale = Math.max(...want.map(Math.abs));
        expect(Math.max(...want.map((v, i) => Math.abs(got[i]! - v))) / scale, `sample ${s.index}`).toBeLessThanOrEqual(1e-5);
        expect(argmax(got), `sample ${s.index} top-1`).toBe(s.top1);
        if (argmax(got) === s.label) correct++;
        if (s.top1 === s.label) refCorrect++;
      }
      expect(correct).toBe(refCorrect);
    }, 600_000);
  });
}

/**
 * Declares the accuracy test over a whole shipped dataset on `platforms/<name>.yaml`: every image
 * simulated, top-1 counted against the labels, and the count equal to onnxruntime's stored one
 * (ResNet-8: 442 of the 500 CIFAR-10 images; TFC-2W2A: 966 of the 1000 MNIST images).
 */
export function accuracyOnDataset(name: string, net: 'resnet8' | 'tfc'): void {
  const cfg = net === 'resnet8'
    ? { model: 'mlperf_tiny_resnet8_int8_qop.onnx', ref: 'reference/mlperf_tiny_resnet8_int8_qop.json', images: 'data/cifar10_test500_images_u8.bin', labels: 'data/cifar10_test500_labels_u8.bin', per: 3072, shape: [1, 3, 32, 32], input: 'input', output: 'logits_q' }
    : { model: 'qonnx_tfc_2w2a_mnist.qonnx.onnx', ref: 'reference/qonnx_tfc_2w2a_mnist.json', images: 'data/mnist_test1000_images_u8.bin', labels: 'data/mnist_test1000_labels_u8.bin', per: 784, shape: [1, 1, 28, 28], input: '0', output: '90' };
  describe(`${net === 'resnet8' ? 'ResNet-8' : 'TFC-2W2A'} on ${name}: top-1 accuracy over the whole shipped dataset`, () => {
    it('equals onnxruntime\'s stored accuracy', () => {
      const acc = readJson<{ correct: number; evaluated: number }>(cfg.ref);
      const graph = loadModel(cfg.model);
      const images = readBytes(cfg.images);
      const labels = readBytes(cfg.labels);
      const platform = cleanGraph(`platforms/${name}.yaml`);
      const r = compileFor(name, graph, platform);
      expect(hasErrors(r.diagnostics), formatDiagnostics(r.diagnostics)).toBe(false);
      let correct = 0;
      for (let i = 0; i < acc.evaluated; i++) {
        const px = images.subarray(i * cfg.per, (i + 1) * cfg.per);
        const x = net === 'resnet8' ? tensor('int8', cfg.shape, Array.from(px, (p) => p - 128)) : tensor('float32', cfg.shape, Array.from(px, (p) => Math.fround(p / 255)));
        const run = runCompiled(instantiate(platform), r.value!, new Map([[cfg.input, x]]));
        if (argmax(run.outputs.get(cfg.output)!.data) === labels[i]) correct++;
      }
      expect(correct).toBe(acc.correct);
    }, 900_000);
  });
}
