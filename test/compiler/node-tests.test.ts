/**
 * The ONNX node tests of the integer ops compiled for pulp-cluster and simulated: every output
 * equals the test's expected output exactly, with 1 and with 8 cores.
 */
import { describe, expect, it } from 'vitest';
import { WORKERS, compileAndRun, nodeTest, pulp, pulpF, values } from './helpers.js';

const CYCLE_PS = 4000;

/** Every graph input except the first activation is a weight, scale or zero point: bind it. */
const bindAllBut = (inputs: Map<string, unknown>, keep: string): Map<string, never> =>
  new Map([...inputs].filter(([k]) => k !== keep)) as Map<string, never>;

const CASES: readonly { name: string; activation: string; float: boolean }[] = [
  { name: 'test_basic_convinteger', activation: 'x', float: false },
  { name: 'test_convinteger_with_padding', activation: 'x', float: false },
  { name: 'test_convinteger_without_padding', activation: 'x', float: false },
  { name: 'test_matmulinteger', activation: 'A', float: false },
  { name: 'test_qlinearconv', activation: 'x', float: true },
  { name: 'test_qlinearmatmul_2D', activation: 'a', float: true },
  { name: 'test_qlinearmatmul_3D', activation: 'a', float: true },
];

describe('ONNX node tests compiled for pulp-cluster and simulated', () => {
  for (const c of CASES) {
    for (const cores of [WORKERS.slice(0, 1), WORKERS]) {
      it(`${c.name} on ${cores.length} core(s) equals the expected output`, () => {
        const t = nodeTest(c.name);
        const platform = c.float ? pulpF() : pulp();
        const { run, compiled } = compileAndRun(t.graph, platform, cores, t.inputs, bindAllBut(t.inputs, c.activation));
        for (const [name, want] of t.outputs) expect(values(run.outputs.get(name)), name).toEqual(values(want));
        const instr = run.cores.map((r) => r.instructions);
        // figures for the README/report (not asserted): busiest core's instructions, predicted, cycles
        void [Math.max(...instr), compiled.layers.map((l) => l.predictedInstructions), run.time / CYCLE_PS];
      });
    }
  }
});
