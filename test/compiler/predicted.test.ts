/**
 * The compiler's static cycle prediction (`predictedCycles` per layer) against the simulation
 * of ResNet-8 (CIFAR image 0): the sum over layers against the simulated time to the last
 * core's exit, in host-core cycles. The prediction leaves out memory latency beyond the issue
 * cost, bank conflicts, barrier waits and the accelerators' operand transfers, so it is below
 * the simulation; the test bounds the error (figures in src/compiler/README.md).
 */
import { describe, expect, it } from 'vitest';
import { compile, compileForAccelerators, type Compiled } from '../../src/compiler/index.js';
import { tensor } from '../../src/nn/index.js';
import { instantiate, runCompiled } from '../../src/sim/index.js';
import { cleanGraph } from '../helpers/repo.js';
import { loadModel, readBytes } from '../nn/helpers.js';

const graph = loadModel('mlperf_tiny_resnet8_int8_qop.onnx');
const images = readBytes('data/cifar10_test500_images_u8.bin');
const x = new Map([['input', tensor('int8', [1, 3, 32, 32], Array.from(images.subarray(0, 3072), (p) => p - 128))]]);

describe('predicted cycles (static) against the simulation', () => {
  // measured: pulp-cluster -12 %, diana-like -36 % (host loads and PE-array operand transfers
  // through the interconnect). eyeriss-like is not predicted usefully (-92 %: its host runs
  // from DRAM, about 12.7 cycles per instruction, and the prediction has no fetch latency).
  const cases: [string, number][] = [['pulp-cluster', 0.2], ['diana-like', 0.45]];
  for (const [name, tol] of cases) {
    it(`${name}: the layers' predicted cycles add up to the simulated cycles within ${100 * tol} %`, () => {
      const platform = cleanGraph(`platforms/${name}.yaml`);
      const c: Compiled & { mapping?: readonly { predictedCycles: number }[] } = (name === 'pulp-cluster' ? compile(graph, platform) : compileForAccelerators(graph, platform)).value!;
      const predicted = (c.mapping ?? c.layers).reduce((s, l) => s + l.predictedCycles, 0);
      const run = runCompiled(instantiate(platform), c, x);
      const host = platform.instances[c.cores[0]!]!;
      const simulated = run.time / platform.clocks[host.clock]!.periodPs;
      const err = predicted / simulated - 1;
      console.log(`${name}: predicted ${predicted} cycles, simulated ${Math.round(simulated)} (${(100 * err).toFixed(1)} %)`);
      expect(Math.abs(err)).toBeLessThan(tol);
      // per layer: every computed layer has a prediction, at least its instruction count for core layers
      for (const l of c.layers) if (l.target === 'cores') expect(l.predictedCycles).toBeGreaterThanOrEqual(l.predictedInstructions);
    }, 120_000);
  }
});
