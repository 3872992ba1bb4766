/** Model and platform files written for the CLI tests. */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { onnxTypes } from '../../src/nn/index.js';
import { repoRoot } from '../helpers/repo.js';

export const NODE = 'test/fixtures/models/onnx_node_tests/test_qlinearmatmul_2D';

/** The node test model with inputs 1..7 (scales, zero points, b) turned into initializers. */
export function deployable(dir: string): string {
  const m = onnxTypes.ModelProto.toObject(onnxTypes.ModelProto.decode(readFileSync(`${repoRoot}${NODE}/model.onnx`)), { bytes: Array }) as {
    graph: { input: { name: string }[]; initializer?: unknown[] };
  };
  const names = m.graph.input.map((i) => i.name);
  m.graph.initializer = names.slice(1).map((name, k) => ({
    ...(onnxTypes.TensorProto.toObject(onnxTypes.TensorProto.decode(readFileSync(`${repoRoot}${NODE}/test_data_set_0/input_${k + 1}.pb`)), { bytes: Array }) as object),
    name,
  }));
  m.graph.input = m.graph.input.slice(0, 1);
  const file = join(dir, 'qlinearmatmul.onnx');
  writeFileSync(file, onnxTypes.ModelProto.encode(onnxTypes.ModelProto.fromObject(m)).finish());
  return file;
}

/** pulp-cluster (cores with F) copied next to the model, its tech include made absolute. */
export const PLATFORM_F = (dir: string): string => {
  const yaml = readFileSync(`${repoRoot}platforms/pulp-cluster.yaml`, 'utf8')
    .replace('include: [tech/pulp-open.yaml]', `include: [${repoRoot}platforms/tech/pulp-open.yaml]`);
  const file = join(dir, 'pulp-f.yaml');
  writeFileSync(file, yaml);
  return file;
};

