/** Sweep-file text for tests: TFC-2W2A (QONNX, MNIST) on diana-like from the repo's fixtures (absolute paths). */
import { repoRoot } from './repo.js';

/**
 * A sweep of TFC-2W2A on diana-like evaluated both ways; `axes` are the lines under `axes:`
 * (each ending in a newline). Layout (positions tests rely on): `axes:` is line 11, the first
 * axis line 12, `objectives:` follows the axes, then `extra`.
 */
export function tfcSweepText(name: string, o: { readonly inferences: number; readonly axes: string; readonly objectives: string; readonly extra?: string }): string {
  const M = `${repoRoot}test/fixtures/models`;
  return `sweep: ${name}
platform: ${repoRoot}platforms/diana-like.yaml
model: ${M}/qonnx_tfc_2w2a_mnist.qonnx.onnx
data:
  images: ${M}/data/mnist_test1000_images_u8.bin
  labels: ${M}/data/mnist_test1000_labels_u8.bin
  shape: [1, 28, 28]
inferences: ${o.inferences}
seed: 1
evaluate: both
axes:
${o.axes}objectives: ${o.objectives}
${o.extra ?? ''}`;
}
