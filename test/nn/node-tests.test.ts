/** The ONNX backend node tests for quantized operators (and the Model Zoo's mnist-8 vector) in the reference evaluator. */
import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { type Tensor, createEvaluator, isFloat } from '../../src/nn/index.js';
import { MODELS, loadModel, loadTensorPb } from './helpers.js';

const dirs = readdirSync(MODELS + 'onnx_node_tests').sort();

describe('ONNX node tests', () => {
  it('has the 17 quantized-op tests and the mnist-8 vector', () => {
    expect(dirs.filter((d) => d.startsWith('test_'))).toHaveLength(17);
  });

  for (const dir of dirs) {
    it(dir, () => {
      const base = `onnx_node_tests/${dir}/`;
      const g = loadModel(`${base}model.onnx`);
      const files = readdirSync(`${MODELS}${base}test_data_set_0`);
      const inputs = new Map<string, Tensor>(g.inputs.map((vi, i) => [vi.name, loadTensorPb(`${base}test_data_set_0/input_${i}.pb`)]));
      expect(files.filter((f) => f.startsWith('input_'))).toHaveLength(g.inputs.length);
      const out = createEvaluator(g).run(inputs);
      g.outputs.forEach((vi, i) => {
        const want = loadTensorPb(`${base}test_data_set_0/output_${i}.pb`);
        const got = out.get(vi.name)!;
        expect(got.dtype, vi.name).toBe(want.dtype);
        expect(got.shape, vi.name).toEqual(want.shape);
        if (isFloat(want.dtype)) {
          const scale = Math.max(1e-30, ...Array.from(want.data, Math.abs));
          const tol = dir === 'zoo_mnist8' ? 1e-4 : 1e-6;
          Array.from(want.data).forEach((w, k) => expect(Math.abs(got.data[k]! - w) / scale, `${vi.name}[${k}]`).toBeLessThanOrEqual(tol));
        } else {
          expect(Array.from(got.data), vi.name).toEqual(Array.from(want.data));
        }
      });
    });
  }
});
