/**
 * `edgesim sweep` end to end on a small sweep (TFC-2W2A on diana-like: one layer's target x the
 * PE array's rows, 2 MNIST images per point, analytic and simulated): every point evaluated, the
 * swept values reach the compiler and the simulator (the layer moves; the rows change the
 * latency only when the layer runs on the PE array), the front equals an all-pairs check, the
 * cache skips every point of a second run with byte-identical outputs, a stopped sweep resumes to
 * the same output, 2 workers (built CLI) give the same output, and bad axes are reported at their
 * position in the sweep file.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sweepCommand, type SweepOutput } from '../../src/cli/sweep-command.js';
import { dominates } from '../../src/dse/index.js';
import { cliTestFolder } from '../helpers/cli.js';
import { repoRoot } from '../helpers/repo.js';
import { tfcSweepText } from '../helpers/sweep.js';

const dir = cliTestFolder('edgesim-sweep-');
const M = `${repoRoot}test/fixtures/models`;

const sweepFile = (name: string, axes: string, extra = ''): string => {
  const f = join(dir(), `${name}.yaml`);
  writeFileSync(f, tfcSweepText(name, { inferences: 2, axes, objectives: '{ accuracy: max, latency: min, energy: min }', extra }));
  return f;
};

const AXES = "  'target.MatMul_32': [aimc, dacc]\n  'dacc.cols': [4, 16]\n";
const read = (out: string): SweepOutput => JSON.parse(readFileSync(join(out, 'sweep.json'), 'utf8')) as SweepOutput;

describe('edgesim sweep', () => {
  it('evaluates every point with the swept values; front, cache, resume', async () => {
    const file = sweepFile('small', AXES);
    const out = join(dir(), 'small');
    const r = await sweepCommand(file, { workers: 1, out, quiet: true });
    expect(r.stderr).toBe('');
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(/4 point\(s\) \(grid\), 4 evaluated now on 1 worker\(s\), 0 from the cache/);
    const s = read(out);
    expect(s.points.map((p) => p.label)).toEqual(['target.MatMul_32=aimc,dacc.cols=4', 'target.MatMul_32=aimc,dacc.cols=16', 'target.MatMul_32=dacc,dacc.cols=4', 'target.MatMul_32=dacc,dacc.cols=16']);
    for (const p of s.points) {
      expect(p.error).toBeNull();
      expect(p.mapping['MatMul_32']).toBe(p.values['target.MatMul_32']);
      expect(p.simulated!.inferences).toBe(2);
      expect(p.analytic!.latencyPs).toBeGreaterThan(0);
    }
    const [a4, a16, d4, d16] = s.points;
    // the PE array is idle when the layer is on the AIMC tile: its columns change nothing simulated
    expect(a16!.simulated).toEqual(a4!.simulated);
    // on the PE array, 4 columns take 4x the folds of 16 (os dataflow: ceil(M/R) x ceil(N/C) folds, N = 64)
    expect(d4!.simulated!.latencyPs).toBeGreaterThan(d16!.simulated!.latencyPs);
    expect(d4!.analytic!.latencyPs).toBeGreaterThan(d16!.analytic!.latencyPs);
    // ideal tiles and exact mappings: the simulated accuracy is the evaluator's
    expect(s.analyticError.accuracyMismatches).toBe(0);
    expect(s.analyticError.points).toBe(4);
    // the front against an all-pairs check
    const senses = ['max', 'min', 'min'] as const;
    const vec = (p: SweepOutput['points'][number]): number[] => [p.objectives.accuracy!, p.objectives.latency!, p.objectives.energy!];
    const brute = s.points.filter((p) => !s.points.some((q) => dominates(vec(q), vec(p), [...senses]))).map((p) => p.index);
    expect(s.front.front).toEqual(brute);
    const csv = readFileSync(join(out, 'points.csv'), 'utf8').trim().split('\n');
    expect(csv).toHaveLength(5);
    expect(csv[0]).toMatch(/^index,target.MatMul_32,dacc.cols,error,accuracy_sim \[%\]/);
    expect(existsSync(join(out, 'report.html'))).toBe(true);
    expect(readdirSync(join(out, 'cache')).filter((f) => f.endsWith('.json'))).toHaveLength(4);

    // a second run takes every point from the cache and writes the same bytes
    const before = readFileSync(join(out, 'sweep.json'), 'utf8');
    const again = await sweepCommand(file, { workers: 1, out, quiet: true });
    expect(again.stdout).toMatch(/0 evaluated now on 1 worker\(s\), 4 from the cache/);
    expect(readFileSync(join(out, 'sweep.json'), 'utf8')).toBe(before);

    // stopped after one point, then resumed: the same output
    const out2 = join(dir(), 'resumed');
    const part = await sweepCommand(file, { workers: 1, out: out2, quiet: true, stopAfter: 1 });
    expect(part.stdout).toMatch(/1 point\(s\) evaluated, 3 of 4 still to do/);
    const rest = await sweepCommand(file, { workers: 1, out: out2, quiet: true });
    expect(rest.stdout).toMatch(/3 evaluated now on 1 worker\(s\), 1 from the cache/);
    expect(readFileSync(join(out2, 'sweep.json'), 'utf8').replace(out2, out)).toBe(before.replace(out2, out));

    // 2 workers (the built CLI): the same points and figures
    const out3 = join(dir(), 'two');
    const cli = spawnSync(process.execPath, [join(repoRoot, 'dist/cli/main.js'), 'sweep', file, '--workers', '2', '-o', out3, '--quiet'], { encoding: 'utf8' });
    expect(cli.stderr).toBe('');
    expect(cli.status).toBe(0);
    expect(read(out3).points).toEqual(s.points);
  }, 600_000);

  it('every shipped sweep (scenarios/sweep-*.yaml) loads, every point has its platform, the first compiles', async () => {
    const { readdirSync } = await import('node:fs');
    const { preparePoint, prepareSweep } = await import('../../src/cli/sweep-eval.js');
    const { compileAuto } = await import('../../src/cli/compile-command.js');
    const files = readdirSync(`${repoRoot}scenarios`).filter((f) => f.startsWith('sweep-') && f.endsWith('.yaml'));
    expect(files.length).toBeGreaterThanOrEqual(3);
    for (const f of files) {
      const p = prepareSweep(`${repoRoot}scenarios/${f}`);
      expect(p.diagnostics.filter((d) => d.severity === 'error'), f).toEqual([]);
      const ctx = p.value!;
      expect(ctx.spec.data, f).toBeDefined();
      for (const pt of ctx.points) {
        const pp = preparePoint(ctx, pt);
        expect(pp.diagnostics.filter((d) => d.severity === 'error'), `${f} ${pt.label}`).toEqual([]);
      }
      // the first point compiles (the others are the study's: scripts run them, not the tests)
      const first = preparePoint(ctx, ctx.points[0]!);
      expect(compileAuto(ctx.model, first.platform!, { targets: first.targets }).diagnostics.filter((d) => d.severity === 'error'), f).toEqual([]);
    }
  }, 120_000);

  it('a float model: post-training quantization (ptq) then per-layer weight bits, simulated on pulp-cluster bit-exact with the evaluator', async () => {
    const f = join(dir(), 'ptq.yaml');
    writeFileSync(f, `sweep: ptq
platform: ${repoRoot}platforms/pulp-cluster.yaml
model: ${M}/onnx_zoo_mnist8_float.onnx
data:
  images: ${M}/data/mnist_test1000_images_u8.bin
  labels: ${M}/data/mnist_test1000_labels_u8.bin
  shape: [1, 28, 28]
  preprocess: raw
inferences: 2
seed: 1
evaluate: both
ptq: { first: 500, samples: 10, weightBits: 8, actBits: 8, perChannel: true }
axes:
  'precision.*.weightBits': [3, 8]
objectives: { accuracy: max, latency: min }
`);
    const out = join(dir(), 'ptq');
    const r = await sweepCommand(f, { workers: 1, out, quiet: true });
    expect(r.stderr).toBe('');
    expect(r.exitCode).toBe(0);
    const s = read(out);
    expect(s.points.map((p) => p.error)).toEqual([null, null]);
    // the simulated program computes what the evaluator computes on the quantized graph
    for (const p of s.points) expect(p.simulated!.accuracy).toBe(p.analytic!.accuracy);
    expect(s.analyticError.accuracyMismatches).toBe(0);
  }, 300_000);

  it('bad axes: the sweep file position, exit 1, nothing evaluated', async () => {
    const cases: [string, RegExp][] = [
      ["  'dacc.rows': [0, 16]\n", /:12:17: error\[out-of-range\].*'dacc.rows' = 0: instance 'dacc'/],
      ["  'dacc.rowz': [4]\n", /:12:17: error\[unknown-param\].*instance 'dacc' \(pe-array\) has no param 'rowz'[^]*hint: did you mean 'rows'\?/],
      ["  'target.MatMul_99': [dacc]\n", /:12:3: error\[unknown-node\].*the model has no node 'MatMul_99'/],
      ["  'target.MatMul_32': [dacc, gpu]\n", /:12:30: error\[unknown-target\].*'gpu' is neither 'cores' nor an accelerator/],
    ];
    const f0 = sweepFile('bad', "  'dacc.cols': [4]\n", 'areaOf: gpu*\n');
    const r0 = await sweepCommand(f0, { workers: 1, out: join(dir(), 'bad'), quiet: true });
    expect(r0.exitCode).toBe(1);
    expect(r0.stderr).toMatch(/:14:9: error\[unknown-instance\]: areaOf: 'gpu\*' matches no instance of the platform/);
    for (const [axes, msg] of cases) {
      const f = sweepFile('bad', axes);
      const r = await sweepCommand(f, { workers: 1, out: join(dir(), 'bad'), quiet: true });
      expect(r.exitCode, r.stderr).toBe(1);
      expect(r.stderr).toMatch(msg);
      expect(r.stdout).toBe('');
    }
  }, 120_000);
});
