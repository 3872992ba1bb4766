/**
 * The fault kinds beyond transient memory flips, end to end on pulp-cluster: permanent stuck-at
 * bits (drawn once per chip) and transient register flips in the cores with TFC-2W2A (3 chips x
 * 4 MNIST images; it fits in L1), corruption of the data the DMA engine moves with ResNet-8 (whose
 * weights the DMA stages from L2). Each has no effect outside its window or region and an effect
 * inside; counts of faults drawn and applied follow the scenario.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CampaignSummary, ItemResult } from '../../src/campaign/index.js';
import { campaignCommand } from '../../src/cli/campaign-command.js';
import { resnet8Scenario, tfcScenario } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'edgesim-fault-kinds-'));

async function run(name: string, faults: string, head = tfcScenario(name, { seed: 5, chips: 3, inferences: 4 })): Promise<{ summary: CampaignSummary; items: ItemResult[] }> {
  const file = join(dir, `${name}.yaml`);
  writeFileSync(file, `${head}faults:\n${faults}`);
  const out = join(dir, `out-${name}`);
  const r = await campaignCommand(file, { workers: 1, quiet: true, out });
  expect(r.stderr).toBe('');
  expect(r.exitCode).toBe(0);
  const lines = readFileSync(join(out, 'results.jsonl'), 'utf8').trim().split('\n').slice(1);
  return { summary: JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')) as CampaignSummary, items: lines.map((l) => JSON.parse(l) as ItemResult) };
}

describe('fault kinds on pulp-cluster', () => {
  it('stuck-at: in unused L2 no effect; in L1 the same bits on every inference of a chip, other bits on other chips, outputs change', async () => {
    const unused = await run('stuck-unused', '  - { kind: stuck-at, target: l2, count: 300, value: 1, region: [0x1C070000, 0x1C080000] }\n');
    expect(unused.summary.faults).toEqual({ drawn: 3600, applied: 3600 });
    expect(unused.summary.differRate).toBe(0);
    const l1 = await run('stuck-l1', '  - { kind: stuck-at, target: l1, rate: 2e-3, value: random }\n');
    const perChip = [0, 1, 2].map((c) => l1.items.filter((i) => i.chip === c).map((i) => i.faultsApplied));
    for (const n of perChip) expect(new Set(n).size).toBe(1); // the chip's bits, on every inference
    expect(new Set(perChip.map((n) => n[0])).size).toBeGreaterThan(1); // Bernoulli(2e-3) over 512 Kib: other counts per chip
    for (const n of perChip) expect(Math.abs(n[0]! - 2e-3 * 65536 * 8)).toBeLessThan(5 * Math.sqrt(2e-3 * 65536 * 8));
    expect(l1.summary.differRate).toBeGreaterThan(0);
  }, 120_000);

  it('register flips: after the program nothing; in x1..x31 while it runs, wrong outputs, crashes or hangs', async () => {
    const late = await run('reg-late', "  - { kind: bit-flip, target: 'pe*', count: 3, window: [1s, 2s] }\n");
    expect(late.summary.faults).toEqual({ drawn: 36, applied: 0 });
    expect(late.summary.differRate).toBe(0);
    const live = await run('reg-live', "  - { kind: bit-flip, target: 'pe*', count: 40, registers: ['x1-x31'], window: [0ns, 30us] }\n");
    expect(live.summary.faults.applied).toBeGreaterThan(0);
    expect(live.summary.outcomes.masked).toBeLessThan(12);
    expect(live.summary.outcomes.sdc + live.summary.outcomes.crash + live.summary.outcomes.hang).toBeGreaterThan(0);
  }, 120_000);

  it('data corruption in the DMA engine (ResNet-8, whose weights the DMA stages from L2): outside its window nothing; inside, flips change outputs', async () => {
    // TFC fits in L1 and moves nothing through the DMA; ResNet-8 stages about 80 KB of weights per inference
    const head = (name: string): string => resnet8Scenario(name, { seed: 5, chips: 1, inferences: 2 });
    const late = await run('dma-late', '  - { kind: data-corruption, target: dma, rate: 1e-2, window: [1s, 2s] }\n', head('dma-late'));
    expect(late.summary.faults).toEqual({ drawn: 0, applied: 0 });
    expect(late.summary.differRate).toBe(0);
    const live = await run('dma-live', '  - { kind: data-corruption, target: dma, rate: 1e-4 }\n', head('dma-live'));
    expect(live.summary.faults.applied).toBeGreaterThan(0);
    expect(live.summary.differRate).toBeGreaterThan(0);
    // per item the flips are a Bernoulli count over the same bytes moved: they differ between items
    expect(new Set(live.items.map((i) => i.faultsApplied)).size).toBeGreaterThan(1);
  }, 240_000);
});
