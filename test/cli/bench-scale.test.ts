/**
 * `edgesim bench sweep` and `edgesim bench shard` on tiny inputs: the rows they report, their
 * determinism checks (identical point results on every worker count; a merged summary identical
 * to the unsharded one) and the text. Times are printed by the commands, never asserted.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatShardBench, runShardBench } from '../../src/cli/bench-shard.js';
import { formatSweepBench, runSweepBench } from '../../src/cli/bench-sweep.js';
import { tfcScenario } from '../campaign/helpers.js';
import { tfcSweepText } from '../helpers/sweep.js';

const dir = mkdtempSync(join(tmpdir(), 'edgesim-bench-scale-'));

describe('bench sweep / bench shard', () => {
  it('bench sweep: analytic estimate, analytic with accuracy, simulated on 1 worker; deterministic', async () => {
    const f = join(dir, 'tiny-sweep.yaml');
    writeFileSync(f, tfcSweepText('tiny', { inferences: 2, axes: "  'dacc.cols': [8, 16, 32]\n", objectives: '{ latency: min }' }));
    const r = await runSweepBench({ sweep: f, points: 2, workers: [1] });
    expect(r.rows.map((x) => [x.path, x.workers, x.points, x.inferencesPerPoint])).toEqual([['analytic', 1, 2, 0], ['analytic', 1, 2, 2], ['simulated', 1, 2, 2]]);
    expect(r.deterministic).toBe(true);
    for (const x of r.rows) expect(x.pointsPerSecond).toBeGreaterThan(0);
    expect(formatSweepBench(r)).toMatch(/analytic \(estimate only\)[\s\S]*analytic \+ evaluator accuracy[\s\S]*simulated[\s\S]*results identical on every worker count: yes/);
    await expect(runSweepBench({ sweep: f, workers: [2, 1] })).rejects.toThrow(/--workers must start with 1/);
  }, 120_000);

  it('bench shard: 2 shards + merge give the unsharded summary; the overhead is reported', async () => {
    const f = join(dir, 'tiny-campaign.yaml');
    writeFileSync(f, `${tfcScenario('tiny', { seed: 2, chips: 1, inferences: 4 })}faults:\n  - { kind: bit-flip, target: l1, count: 2, window: [0ns, 40us] }\n`);
    const r = await runShardBench({ scenario: f, shards: 2 });
    expect(r.identical).toBe(true);
    expect(r.items).toBe(4);
    expect(r.shardSeconds).toHaveLength(2);
    expect(r.overhead).toBeGreaterThan(0);
    expect(formatShardBench(r)).toMatch(/overhead of sharding: [\d.]+x the unsharded wall time[\s\S]*merged summary identical to the unsharded one: yes/);
  }, 120_000);
});
