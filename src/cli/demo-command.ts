/**
 * `edgesim demo`: the main job on built-in defaults. MLPerf Tiny ResNet-8 (int8, QOperator ONNX)
 * compiled for `platforms/pulp-cluster.yaml` (8 worker cores + controller, all cores used) and
 * simulated on the first N CIFAR-10 test images shipped in the repository, each inference
 * checked bit for bit against the reference evaluator and against onnxruntime's stored outputs.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { CommandOutput } from './compile-command.js';
import { runModelCommand } from './run-model.js';

const file = (rel: string): string => fileURLToPath(new URL(`../../${rel}`, import.meta.url));

/** The demo's inputs (shipped with the repository; sources and licenses in test/fixtures/models/README.md). */
export const DEMO_FILES = {
  model: 'test/fixtures/models/mlperf_tiny_resnet8_int8_qop.onnx',
  platform: 'platforms/pulp-cluster.yaml',
  images: 'test/fixtures/models/data/cifar10_test500_images_u8.bin',
  labels: 'test/fixtures/models/data/cifar10_test500_labels_u8.bin',
  onnxruntime: 'test/fixtures/models/reference/mlperf_tiny_resnet8_int8_qop.json',
} as const;

interface StoredRef {
  readonly samples: readonly { readonly index: number; readonly output: readonly number[]; readonly logits_q: readonly number[] }[];
}

/**
 * Runs the demo on the first `n` images on `platform` (a shipped platform's name or a platform
 * file; default pulp-cluster); `out` is the trace folder (default `traces/demo-resnet8-<platform>`);
 * `json` prints the summary as JSON.
 */
export function demoCommand(o: { readonly n: number; readonly platform?: string; readonly out?: string; readonly json?: boolean; readonly progress?: (done: number, total: number) => void }): CommandOutput {
  const ref = JSON.parse(readFileSync(file(DEMO_FILES.onnxruntime), 'utf8')) as StoredRef;
  const byIndex = new Map(ref.samples.map((s) => [s.index, new Map([['output', s.output], ['logits_q', s.logits_q]])]));
  // a shipped platform by name (pulp-cluster, diana-like, hermes-like, eyeriss-like) or a path
  const platform = o.platform === undefined ? file(DEMO_FILES.platform) : /^[a-z0-9-]+$/.test(o.platform) ? file(`platforms/${o.platform}.yaml`) : o.platform;
  const name = o.platform === undefined ? 'pulp-cluster' : (/([^/]+?)(\.ya?ml)?$/.exec(o.platform)?.[1] ?? 'platform');
  return runModelCommand(platform, file(DEMO_FILES.model), {
    data: file(DEMO_FILES.images),
    labels: file(DEMO_FILES.labels),
    shape: '3,32,32',
    preprocess: 'sub128',
    n: String(o.n),
    output: 'logits_q',
    out: o.out ?? `traces/demo-resnet8-${name}`,
    stored: { name: 'onnxruntime 1.30 (stored outputs)', outputs: (i) => byIndex.get(i) },
    ...(o.json === true ? { json: true } : {}),
    ...(o.progress === undefined ? {} : { progress: o.progress }),
  });
}
