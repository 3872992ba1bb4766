/** Scenario text for campaign tests: ResNet-8 on CIFAR-10 and TFC-2W2A on MNIST from the repo's fixtures (absolute paths). */
import { repoRoot } from '../helpers/repo.js';

interface HeadOptions { platform?: string; mapping?: string; first?: number; seed: number; chips: number; inferences: number }

/** The head of a scenario (everything but faults, params and sweep) for a fixture model and dataset. */
function scenarioHead(name: string, net: { model: string; images: string; labels: string; shape: string }, o: HeadOptions): string {
  const fx = `${repoRoot}test/fixtures/models/`;
  return `scenario: ${name}
platform: ${repoRoot}platforms/${o.platform ?? 'pulp-cluster'}.yaml
model: ${fx}${net.model}
${o.mapping === undefined ? '' : `mapping: ${o.mapping}\n`}data:
  images: ${fx}data/${net.images}
  labels: ${fx}data/${net.labels}
  shape: ${net.shape}
  first: ${o.first ?? 0}
seed: ${o.seed}
chips: ${o.chips}
inferences: ${o.inferences}
`;
}

/** The head of a ResNet-8 scenario (everything but faults, params and sweep). */
export function resnet8Scenario(name: string, o: HeadOptions): string {
  return scenarioHead(name, { model: 'mlperf_tiny_resnet8_int8_qop.onnx', images: 'cifar10_test500_images_u8.bin', labels: 'cifar10_test500_labels_u8.bin', shape: '[3, 32, 32]' }, o);
}

/** The head of a TFC-2W2A (QONNX, MNIST) scenario: a small, fast network (48 us simulated per inference on pulp-cluster, all in L1). */
export function tfcScenario(name: string, o: HeadOptions): string {
  return scenarioHead(name, { model: 'qonnx_tfc_2w2a_mnist.qonnx.onnx', images: 'mnist_test1000_images_u8.bin', labels: 'mnist_test1000_labels_u8.bin', shape: '[1, 28, 28]' }, o);
}
