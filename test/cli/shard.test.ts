/**
 * Sharding (`--shard k/n`) and `edgesim merge`: the shards of a campaign (TFC-2W2A on
 * pulp-cluster with L1 upsets, 2 chips x 5 images), of a scenario sweep and of a design-space
 * sweep cover every item exactly once, and their merge is byte for byte the unsharded run's
 * summary / sweep.json; a stopped shard resumes without losing or repeating items; missing,
 * duplicated, incomplete and mismatched shards are named.
 */
import { appendFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { campaignCommand } from '../../src/cli/campaign-command.js';
import { mergeCommand } from '../../src/cli/merge-command.js';
import { parseShard, readShardInfo, shardItems } from '../../src/cli/shard.js';
import { sweepCommand } from '../../src/cli/sweep-command.js';
import { tfcSweepText } from '../helpers/sweep.js';
import { tfcScenario } from '../campaign/helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'edgesim-shard-'));
const text = (p: string): string => readFileSync(p, 'utf8');

function scenario(name: string, extra = ''): string {
  const f = join(dir, `${name}.yaml`);
  writeFileSync(f, `${tfcScenario(name, { seed: 5, chips: 2, inferences: 5 })}threshold: 80%\nfaults:\n  - { kind: bit-flip, target: l1, count: 4, window: [0ns, 40us] }\n${extra}`);
  return f;
}

async function campaign(file: string, out: string, o: Parameters<typeof campaignCommand>[1] = {}): Promise<string> {
  const r = await campaignCommand(file, { workers: 1, quiet: true, out, ...o });
  expect(r.stderr).toBe('');
  expect(r.exitCode).toBe(0);
  return r.stdout;
}

describe('--shard k/n', () => {
  it('parses 0-based k/n and partitions round robin: every item in exactly one shard', () => {
    expect(parseShard('2/4')).toEqual({ k: 2, n: 4 });
    for (const bad of ['4/4', '1/0', '-1/3', 'a/b', '1', '1/2/3']) expect(() => parseShard(bad), bad).toThrow(/--shard '.*' must be k\/n with 0 <= k < n/);
    const items = Array.from({ length: 23 }, (_, i) => i);
    for (const n of [1, 2, 3, 7, 30]) {
      const parts = Array.from({ length: n }, (_, k) => shardItems(items, { k, n }));
      expect(parts.flat().sort((a, b) => a - b)).toEqual(items);
      expect(Math.max(...parts.map((p) => p.length)) - Math.min(...parts.map((p) => p.length))).toBeLessThanOrEqual(1);
    }
  });

  it('campaign: 3 shards merge into the unsharded summary byte for byte; a stopped shard resumes', async () => {
    const f = scenario('c');
    await campaign(f, join(dir, 'whole'));
    const shards = [0, 1, 2].map((k) => join(dir, `c-shard-${k}`));
    // shard 1 is stopped after one item, then resumed
    expect(await campaign(f, shards[1]!, { shard: { k: 1, n: 3 }, stopAfter: 1 })).toMatch(/1 items run, 2 of 3 still to run/);
    expect(mergeCommand(shards.slice(1, 2), { out: join(dir, 'early') }).stderr).toMatch(/shard\(s\) not complete: 1\/3 .*1 of 3 done/);
    for (const [k, s] of shards.entries()) expect(await campaign(f, s, { shard: { k, n: 3 } })).toMatch(new RegExp(`shard ${k}/3: [34] of 10 items .*complete`));
    const lines = shards.map((s) => text(join(s, 'results.jsonl')).trim().split('\n').length - 1);
    expect(lines).toEqual([4, 3, 3]);
    const m = mergeCommand(shards, { out: join(dir, 'merged') });
    expect(m.stderr).toBe('');
    expect(m.stdout).toMatch(/merged 3 shard\(s\) of campaign 'c' \(10 items\)/);
    expect(text(join(dir, 'merged', 'summary.json'))).toBe(text(join(dir, 'whole', 'summary.json')));
    // the merged results are the unsharded run's items (the order of a run is its workers')
    const items = (p: string): string[] => text(p).trim().split('\n').slice(1).sort();
    expect(items(join(dir, 'merged', 'results.jsonl'))).toEqual(items(join(dir, 'whole', 'results.jsonl')));

    // bad merges: each names the shard
    expect(mergeCommand(shards.slice(0, 2), { out: join(dir, 'm2') }).stderr).toMatch(/missing shard\(s\) 2\/3 of 'c' \(have 0, 1\)/);
    expect(mergeCommand([shards[0]!, shards[0]!, shards[2]!], { out: join(dir, 'm3') }).stderr).toMatch(/shard 0\/3 is given twice/);
    const other = scenario('c2').replace('c2.yaml', 'c2.yaml');
    writeFileSync(other, text(other).replace('seed: 5', 'seed: 6'));
    await campaign(other, join(dir, 'other-2'), { shard: { k: 2, n: 3 } });
    expect(mergeCommand([shards[0]!, shards[1]!, join(dir, 'other-2')], { out: join(dir, 'm4') }).stderr).toMatch(/is a shard of 'c2' \(hash [0-9a-f]+\), .* of 'c' \(hash [0-9a-f]+\)/);
    expect(mergeCommand([join(dir, 'whole')], { out: join(dir, 'm5') }).stderr).toMatch(/has no shard.json: not the folder of a --shard run/);
    // a shard folder reused for another shard is refused
    const r = await campaignCommand(f, { workers: 1, quiet: true, out: shards[0]!, shard: { k: 1, n: 3 } });
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(/holds results of shard 0\/3, this run is shard 1\/3/);
  }, 300_000);

  it('scenario sweep: 2 shards merge into the unsharded sweep.json byte for byte', async () => {
    const f = scenario('s', "sweep:\n  'faults.1.count': [0, 8]\n");
    await campaign(f, join(dir, 's-whole'));
    for (const k of [0, 1]) expect(await campaign(f, join(dir, `s-${k}`), { shard: { k, n: 2 } })).toMatch(new RegExp(`campaign sweep 's' shard ${k}/2: 2 point\\(s\\), 10 of 10 items done`));
    const m = mergeCommand([join(dir, 's-0'), join(dir, 's-1')], { out: join(dir, 's-merged') });
    expect(m.stderr).toBe('');
    expect(text(join(dir, 's-merged', 'sweep.json'))).toBe(text(join(dir, 's-whole', 'sweep.json')));
  }, 300_000);

  it('design-space sweep: 3 shards merge into the unsharded sweep.json byte for byte', async () => {
    const f = join(dir, 'dse.yaml');
    writeFileSync(f, tfcSweepText('dse', { inferences: 1, axes: "  'split.MatMul_32': [0, 0.5, 1]\n  'dacc.cols': [8, 16]\n", objectives: '{ latency: min, energy: min }' }));
    const whole = await sweepCommand(f, { workers: 1, quiet: true, out: join(dir, 'd-whole') });
    expect(whole.exitCode).toBe(0);
    // shard 0 killed after one point, mid-line: the cut-off line is dropped, the shard resumes from the cache
    await sweepCommand(f, { workers: 1, quiet: true, out: join(dir, 'd-0'), shard: { k: 0, n: 3 }, stopAfter: 1 });
    appendFileSync(join(dir, 'd-0', 'points.jsonl'), '{"index": 3, "lab');
    expect(readShardInfo(join(dir, 'd-0'))).toMatchObject({ kind: 'sweep', shard: 0, shards: 3, total: 2, done: 1, complete: false });
    for (const k of [0, 1, 2]) {
      const r = await sweepCommand(f, { workers: 1, quiet: true, out: join(dir, `d-${k}`), shard: { k, n: 3 } });
      expect(r.stderr).toBe('');
      expect(r.stdout).toMatch(new RegExp(`sweep 'dse' shard ${k}/3: 2 of 6 point\\(s\\)`));
    }
    const m = mergeCommand([0, 1, 2].map((k) => join(dir, `d-${k}`)), { out: join(dir, 'd-merged') });
    expect(m.stderr).toBe('');
    expect(text(join(dir, 'd-merged', 'sweep.json'))).toBe(text(join(dir, 'd-whole', 'sweep.json')));
    expect(text(join(dir, 'd-merged', 'points.csv'))).toBe(text(join(dir, 'd-whole', 'points.csv')));
    // the sweep file changed after the shards ran: refused
    writeFileSync(f, text(f).replace('inferences: 1', 'inferences: 2'));
    expect(mergeCommand([0, 1, 2].map((k) => join(dir, `d-${k}`)), { out: join(dir, 'd-m2') }).stderr).toMatch(/changed since the shards ran/);
  }, 300_000);
});
