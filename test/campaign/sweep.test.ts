/**
 * Sweeps: one campaign per point (every combination of at most two axes), one table row per
 * point, `sweep.json`; param axes override platform params, fault axes replace a fault's amount.
 * ResNet-8 on pulp-cluster, 1 chip x 2 CIFAR images per point.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CampaignSummary } from '../../src/campaign/index.js';
import { campaignCommand } from '../../src/cli/campaign-command.js';
import { loadScenario, scenarioAtPoint, sweepLabel, sweepPoints } from '../../src/platform/index.js';
import { resnet8Scenario } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'edgesim-sweep-'));
const head = (name: string): string => `${resnet8Scenario(name, { seed: 5, chips: 1, inferences: 2 })}threshold: 50%\n`;

describe('sweeps', () => {
  it('points, labels and per-point scenarios; bad axes are positioned diagnostics', () => {
    const s = loadScenario('s.yaml', `${head('s')}faults:\n  - { kind: bit-flip, target: l1, count: 1 }\nsweep:\n  'l1.accessCycles': [1, 2, 3]\n  faults.1.count: [0, 10]\n`).value!;
    expect(sweepPoints(s)).toEqual([[0, 0], [0, 1], [1, 0], [1, 1], [2, 0], [2, 1]]);
    expect(sweepLabel(s, [2, 1])).toBe('accessCycles=3,fault1.count=10');
    const p = scenarioAtPoint(s, [2, 1]).value!;
    expect(p.faults[0]!.count).toBe(10);
    expect(p.params.at(-1)).toMatchObject({ target: 'l1', values: [{ name: 'accessCycles', raw: 3 }] });
    const bad = loadScenario('b.yaml', `${head('b')}faults:\n  - { kind: bit-flip, target: l1, count: 1 }\nsweep:\n  faults.2.rate: [0.1]\n  nodot: [1]\n  'x.y': []\n`);
    expect(bad.diagnostics.map((d) => `${d.line}:${d.column} ${d.code}`)).toEqual(['18:3 too-many-axes', '16:3 bad-sweep-axis', '17:3 bad-sweep-axis']);
    expect(bad.diagnostics.map((d) => d.code)).toEqual(expect.arrayContaining(['bad-sweep-axis', 'too-many-axes']));
    expect(bad.diagnostics.find((d) => d.code === 'bad-sweep-axis')!.message).toContain('the scenario has 1 fault(s)');
    const rate = scenarioAtPoint(loadScenario('r.yaml', `${head('r')}faults:\n  - { kind: bit-flip, target: l1, count: 1 }\nsweep:\n  faults.1.rate: [2]\n`).value!, [0]);
    expect(rate.diagnostics.map((d) => `${d.line}:${d.column} ${d.code}`)).toEqual(['16:19 bad-value']);
  });

  it('a param axis and a fault axis: slower L1 costs latency, not accuracy; flips change outputs only when there are some', async () => {
    const file = join(dir, 'sweep.yaml');
    writeFileSync(file, `${head('sweep')}faults:\n  - { kind: bit-flip, target: l1, count: 0, window: [0ns, 6ms] }\nsweep:\n  'l1.accessCycles': [1, 2]\n  faults.1.count: [0, 400]\n`);
    const r = await campaignCommand(file, { workers: 1, quiet: true, out: join(dir, 'out') });
    expect(r.stderr).toBe('');
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(/l1\.accessCycles\s+faults\.1\.count\s+accuracy\s+95 % CI\s+differ\s+latency \(mean\)\s+energy \(mean\)\s+>= 50\.00 %/);
    const sweep = JSON.parse(readFileSync(join(dir, 'out', 'sweep.json'), 'utf8')) as { points: { values: number[]; summary: CampaignSummary }[] };
    const at = (a: number, c: number): CampaignSummary => sweep.points.find((p) => p.values[0] === a && p.values[1] === c)!.summary;
    expect(sweep.points).toHaveLength(4);
    expect(at(2, 0).latencyPs.mean).toBeGreaterThan(at(1, 0).latencyPs.mean * 1.05);
    expect(at(2, 0).accuracy).toEqual(at(1, 0).accuracy);
    expect(at(1, 0).differRate).toBe(0);
    expect(at(1, 0).faults.drawn).toBe(0);
    expect(at(1, 400).faults.applied).toBe(800);
    expect(at(1, 400).differRate).toBeGreaterThan(0);
    // a flip may also crash the program (a corrupted address): an outcome, not a campaign error
    expect(at(1, 400).outcomes.masked + at(1, 400).outcomes.sdc + at(1, 400).outcomes.crash + at(1, 400).outcomes.hang).toBe(2);
    expect(at(1, 0).outcomes).toEqual({ masked: 2, sdc: 0, crash: 0, hang: 0 });
    // each point resumes on its own: a second run runs nothing and prints the same table
    const again = await campaignCommand(file, { workers: 1, quiet: true, out: join(dir, 'out') });
    expect(again.stdout).toBe(r.stdout);
  }, 300_000);
});
