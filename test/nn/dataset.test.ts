/** Datasets of raw uint8 samples and their preprocessing into model inputs. */
import { describe, expect, it } from 'vitest';
import { createEvaluator, defaultPreprocess, makeDataset, sampleInput } from '../../src/nn/index.js';
import { simError } from '../helpers/sim-error.js';
import { argmax, loadModel, readBytes, readJson } from './helpers.js';

describe('datasets and preprocessing', () => {
  const cifar = makeDataset(readBytes('data/cifar10_test500_images_u8.bin'), readBytes('data/cifar10_test500_labels_u8.bin'), [3, 32, 32], 'cifar10');
  const mnist = makeDataset(readBytes('data/mnist_test1000_images_u8.bin'), readBytes('data/mnist_test1000_labels_u8.bin'), [28, 28], 'mnist');

  it('counts samples from the file sizes and checks labels', () => {
    expect([cifar.count, mnist.count]).toEqual([500, 1000]);
    expect(Array.from(cifar.labels.subarray(0, 10))).toEqual([3, 8, 8, 0, 6, 6, 1, 6, 3, 1]); // data README: cat, ship, ship, airplane, ...
    expect(simError(() => makeDataset(new Uint8Array(10), new Uint8Array(1), [3, 2], 'x.bin')).message).toBe('x.bin: 10 image bytes are not a whole number of 6-byte samples (shape [3, 2])');
    expect(simError(() => makeDataset(new Uint8Array(12), new Uint8Array(3), [3, 2], 'x.bin')).message).toBe('x.bin: 3 labels for 2 samples');
  });

  it('reproduces the reference preprocessing of each model (their onnxruntime top-1 on the first 20 samples)', () => {
    const cases: [string, typeof cifar, string, string][] = [
      ['mlperf_tiny_resnet8_int8_qop.onnx', cifar, 'reference/mlperf_tiny_resnet8_int8_qop.json', 'logits_q'],
      ['qonnx_tfc_2w2a_mnist.qonnx.onnx', mnist, 'reference/qonnx_tfc_2w2a_mnist.json', '90'],
    ];
    for (const [file, ds, refFile, out] of cases) {
      const g = loadModel(file);
      const input = g.inputs[0]!;
      const ref = readJson<{ samples: { index: number; top1: number }[] }>(refFile);
      const ev = createEvaluator(g);
      for (const s of ref.samples.slice(0, 20)) {
        const y = ev.run(new Map([[input.name, sampleInput(ds, s.index, input, defaultPreprocess(input))]])).get(out)!;
        expect(argmax(y.data), `${file} sample ${s.index}`).toBe(s.top1);
      }
    }
    expect(defaultPreprocess({ name: 'x', dtype: 'int8', shape: [1] })).toBe('sub128');
    expect(defaultPreprocess({ name: 'x', dtype: 'float32', shape: [1] })).toBe('div255');
  });

  it('mismatched inputs are named', () => {
    const g = loadModel('mlperf_tiny_resnet8_int8_qop.onnx');
    expect(simError(() => sampleInput(mnist, 0, g.inputs[0]!, 'sub128')).message).toBe("input 'input' [1, 3, 32, 32] has 3072 elements, a sample of shape [28, 28] has 784");
    expect(simError(() => sampleInput(cifar, 0, g.inputs[0]!, 'div255')).message).toBe("preprocess div255 makes float32 values, but input 'input' is int8");
    expect(simError(() => sampleInput(cifar, 500, g.inputs[0]!, 'sub128')).code).toBe('dataset-index');
  });
});
