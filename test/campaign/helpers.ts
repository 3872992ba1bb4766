/** Scenario text for campaign tests: ResNet-8 on CIFAR-10 from the repo's fixtures (absolute paths). */
import { repoRoot } from '../helpers/repo.js';

/** The head of a ResNet-8 scenario (everything but faults, params and sweep). */
export function resnet8Scenario(name: string, o: { platform?: string; mapping?: string; first?: number; seed: number; chips: number; inferences: number }): string {
  return `scenario: ${name}
platform: ${repoRoot}platforms/${o.platform ?? 'pulp-cluster'}.yaml
model: ${repoRoot}test/fixtures/models/mlperf_tiny_resnet8_int8_qop.onnx
${o.mapping === undefined ? '' : `mapping: ${o.mapping}\n`}data:
  images: ${repoRoot}test/fixtures/models/data/cifar10_test500_images_u8.bin
  labels: ${repoRoot}test/fixtures/models/data/cifar10_test500_labels_u8.bin
  shape: [3, 32, 32]
  first: ${o.first ?? 0}
seed: ${o.seed}
chips: ${o.chips}
inferences: ${o.inferences}
`;
}
