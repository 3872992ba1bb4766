/**
 * Run, campaign and sweep folders made by the CLI's commands (small: TFC-2W2A on pulp-cluster,
 * a DMA program), for the report tests. Made once per test file, in a temporary folder.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { campaignCommand } from '../../src/cli/campaign-command.js';
import { runCommand } from '../../src/cli/run-command.js';
import { runModelCommand } from '../../src/cli/run-model.js';
import { tfcScenario } from '../campaign/helpers.js';
import { repoRoot } from '../helpers/repo.js';

/** The folders: `model` and `program` runs (without report.html), `sweep` with its points' folders (reports written by the campaign command). */
export interface ReportFolders {
  readonly model: string;
  readonly program: string;
  readonly sweep: string;
  /** One point's folder of the sweep (a campaign). */
  readonly campaign: string;
}

/** Runs the commands; about 5 s. */
export async function makeFolders(): Promise<ReportFolders> {
  const dir = mkdtempSync(join(tmpdir(), 'edgesim-report-'));
  const fx = `${repoRoot}test/fixtures/models/`;
  const model = join(dir, 'model-run');
  const m = runModelCommand(`${repoRoot}platforms/pulp-cluster.yaml`, `${fx}qonnx_tfc_2w2a_mnist.qonnx.onnx`, {
    data: `${fx}data/mnist_test1000_images_u8.bin`, labels: `${fx}data/mnist_test1000_labels_u8.bin`, shape: '1,28,28', n: '4', out: model,
  });
  if (m.exitCode !== 0) throw new Error(`run --model failed: ${m.stderr}`);
  const program = join(dir, 'program-run');
  const p = runCommand(`${repoRoot}platforms/pulp-cluster.yaml`, `${repoRoot}test/fixtures/asm/dma_tile.s`, { out: program });
  if (p.exitCode !== 0) throw new Error(`run failed: ${p.stderr}`);
  // a Perfetto trace-event file as 'edgesim run --trace perfetto' writes it (complete slices per thread track), for the timeline
  const tracks = ['pe0', 'pe1', 'dma', 'l1'];
  writeFileSync(join(program, 'trace.json'), `${JSON.stringify({ displayTimeUnit: 'ns', traceEvents: [
    ...tracks.map((name, i) => ({ name: 'thread_name', ph: 'M', pid: 1, tid: i + 1, args: { name } })),
    ...tracks.flatMap((_, i) => [0, 1, 2, 3].map((k) => ({ name: k === 3 ? 'wait' : 'busy', ph: 'X', pid: 1, tid: i + 1, ts: 3 * k + 0.5 * i, dur: 1.5 + 0.25 * i }))),
  ] })}\n`);
  const scenario = join(dir, 'sweep.yaml');
  writeFileSync(scenario, `${tfcScenario('report-sweep', { seed: 3, chips: 3, inferences: 4 })}threshold: 75%
faults:
  - { kind: bit-flip, target: 'pe*', registers: ['x1-x31'], count: 0, window: [0ns, 47us] }
sweep:
  faults.1.count: [0, 2, 8]
`);
  const sweep = join(dir, 'sweep');
  const s = await campaignCommand(scenario, { workers: 1, quiet: true, out: sweep });
  if (s.exitCode !== 0) throw new Error(`campaign failed: ${s.stderr}`);
  return { model, program, sweep, campaign: join(sweep, 'fault1.count=8') };
}
