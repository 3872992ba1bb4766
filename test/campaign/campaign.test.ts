/**
 * Campaigns end to end on pulp-cluster with ResNet-8 (2 chips x 2 CIFAR images each): faults
 * outside their window or region have no effect, faults in live L1 data do, results are the
 * same for 1 and 2 workers, and a stopped campaign resumes to the same summary.
 */
import { spawnSync } from 'node:child_process';
import { appendFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CampaignSummary } from '../../src/campaign/index.js';
import { campaignCommand } from '../../src/cli/campaign-command.js';
import { repoRoot } from '../helpers/repo.js';
import { resnet8Scenario } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'edgesim-campaign-'));

/** Writes a scenario (repo files by absolute path) with the given faults block; returns its path. */
function scenario(name: string, faults: string, extra = ''): string {
  const f = join(dir, `${name}.yaml`);
  writeFileSync(f, `${resnet8Scenario(name, { first: 3, seed: 11, chips: 2, inferences: 2 })}${extra}faults:
${faults}`);
  return f;
}

async function run(file: string, o: Parameters<typeof campaignCommand>[1] = {}): Promise<{ out: string; summary: CampaignSummary | undefined; folder: string }> {
  const folder = o.out ?? join(dir, `out-${file.replace(/^.*[\\/]/, '')}`);
  const r = await campaignCommand(file, { workers: 1, quiet: true, ...o, out: folder });
  expect(r.stderr).toBe('');
  expect(r.exitCode).toBe(0);
  let summary: CampaignSummary | undefined;
  try {
    summary = JSON.parse(readFileSync(join(folder, 'summary.json'), 'utf8')) as CampaignSummary;
  } catch {
    summary = undefined;
  }
  return { out: r.stdout, summary, folder };
}

describe('campaigns (ResNet-8 on pulp-cluster)', () => {
  it('a fault window after the program ends and a region no data uses change nothing; flips in live L1 data do', async () => {
    // the run ends at about 6.4 ms: flips at 1..2 s never happen (and do not extend the simulation)
    const late = (await run(scenario('late', '  - { kind: bit-flip, target: l1, count: 50, window: [1s, 2s] }\n'))).summary!;
    expect(late.faults).toEqual({ drawn: 200, applied: 0 });
    expect(late.differRate).toBe(0);
    expect(late.latencyPs.max).toBeLessThan(7e9);
    // the top 64 KiB of L2 hold neither code nor data: 50 flips per inference there, no effect
    const unused = (await run(scenario('unused', '  - { kind: bit-flip, target: l2, count: 50, region: [0x1C070000, 0x1C080000], window: [0ns, 6ms] }\n'))).summary!;
    expect(unused.faults).toEqual({ drawn: 200, applied: 200 });
    expect(unused.differRate).toBe(0);
    expect(unused.accuracy).toEqual(late.accuracy);
    // the injector's wake-ups may reorder equal-time events (SystemC's heap order), so bank
    // arbitration can shift by a few cycles: latency within 0.2 %, energy within 0.2 %
    expect(Math.abs(unused.latencyPs.mean / late.latencyPs.mean - 1)).toBeLessThan(0.002);
    expect(Math.abs(unused.energyPj.mean / late.energyPj.mean - 1)).toBeLessThan(0.002);
    // 400 flips per inference over L1 (activations, biases, staged weights): outputs change
    const hit = (await run(scenario('hit', '  - { kind: bit-flip, target: l1, count: 400, window: [0ns, 6ms] }\n'))).summary!;
    expect(hit.faults.applied).toBe(1600);
    expect(hit.differRate).toBeGreaterThan(0);
  }, 240_000);

  it('1 worker and 2 workers (built CLI) give byte-identical summaries; a stopped campaign resumes to the same summary', async () => {
    const file = scenario('resume', '  - { kind: bit-flip, target: l1, count: 100, window: [0ns, 6ms] }\n', 'threshold: 50%\n');
    const whole = await run(file, { out: join(dir, 'whole') });
    const text = readFileSync(join(whole.folder, 'summary.json'), 'utf8');
    expect(whole.out).toContain('threshold 50.00 %:');
    // stop after one item, add a line cut off by a kill, resume
    const part = await run(file, { out: join(dir, 'part'), stopAfter: 1 });
    expect(part.out).toMatch(/1 items run, 3 of 4 still to run/);
    appendFileSync(join(part.folder, 'results.jsonl'), '{"key":"c0/i1","chip":0,"infer');
    const resumed = await run(file, { out: join(dir, 'part') });
    expect(resumed.out).toContain('3 run now on 1 worker(s), 1 from earlier results');
    expect(readFileSync(join(part.folder, 'summary.json'), 'utf8')).toBe(text);
    expect(readFileSync(join(part.folder, 'results.jsonl'), 'utf8').trim().split('\n')).toHaveLength(5); // header + 4 items
    // two worker threads through the built CLI
    const r = spawnSync(process.execPath, [join(repoRoot, 'dist/cli/main.js'), 'campaign', file, '--workers', '2', '-o', join(dir, 'two'), '--quiet'], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('on 2 worker(s)');
    expect(readFileSync(join(dir, 'two', 'summary.json'), 'utf8')).toBe(text);
    // a changed scenario does not resume into old results
    writeFileSync(file, readFileSync(file, 'utf8').replace('seed: 11', 'seed: 12'));
    const changed = await campaignCommand(file, { workers: 1, quiet: true, out: join(dir, 'whole') });
    expect(changed.exitCode).toBe(1);
    expect(changed.stderr).toMatch(/error \[scenario-changed\].*--fresh/);
  }, 300_000);

  it('bad scenarios: positioned diagnostics, exit 1, nothing run', async () => {
    const file = scenario('bad', '  - { kind: bit-flip, target: l9, count: 1 }\n  - { kind: bit-flip, target: l1, rate: -1 }\n');
    const r = await campaignCommand(file, { workers: 1, quiet: true, out: join(dir, 'bad') });
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain(`${file}:14:41: error[bad-value]: fault 2: rate -1 is outside [0, 1]`);
    const r2 = await campaignCommand(scenario('bad2', '  - { kind: bit-flip, target: l9, count: 1 }\n'), { workers: 1, quiet: true, out: join(dir, 'bad2') });
    expect(r2.stderr).toMatch(/bad2\.yaml:13:31: error\[unknown-fault-target\]: target 'l9' matches no instance of platform 'pulp-cluster'/);
  });
});
