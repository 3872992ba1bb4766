/**
 * Analog non-idealities in campaigns: a scenario's `params` block (overrides applied to the
 * platform, positioned diagnostics for bad ones), the ideal reference platform, the item's
 * streams reaching the tiles, and accuracy degrading in the expected direction with read noise
 * on ResNet-8's FC layer forced onto an AIMC tile of hermes-like (4 CIFAR-10 images, 1 chip).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CampaignRunner, analogNonIdealities, campaignItems, idealPlatform, type ItemResult } from '../../src/campaign/index.js';
import { campaignCommand, prepareCampaign } from '../../src/cli/campaign-command.js';
import { AimcTileSim, catalog } from '../../src/modules/index.js';
import { instantiate } from '../../src/sim/index.js';
import { applyScenarioParams, loadScenario } from '../../src/platform/index.js';
import type { Diagnostic } from '../../src/util/index.js';
import { cleanGraph, readRepoFile, repoRoot } from '../helpers/repo.js';
import { resnet8Scenario } from './helpers.js';

const HEAD = `scenario: t
platform: p.yaml
model: m.onnx
data: { images: i.bin, shape: [3, 32, 32] }
seed: 1
chips: 2
inferences: 3
`;

const hermes = cleanGraph('platforms/hermes-like.yaml');

describe('scenario params', () => {
  it('the shipped analog scenario loads, its overrides apply to the four tiles and only to them', () => {
    const f = 'scenarios/aimc-noise-hermes.yaml';
    const s = loadScenario(f, readRepoFile(f)!);
    expect(s.diagnostics).toEqual([]);
    const plat = cleanGraph('platforms/hermes-exact.yaml');
    const r = applyScenarioParams(s.value!, plat, catalog);
    expect(r.diagnostics).toEqual([]);
    const g = r.value!;
    for (const n of ['aimc0', 'aimc1', 'aimc2', 'aimc3']) {
      expect(g.instances[n]!.params).toMatchObject({ programNoise: 'hermes', drift: 'hermes', driftTime: 86400, driftCompensation: true, adcNoiseStd: 300, cellBits: 1 });
      expect(g.instances[n]!.paramOrigin['driftTime']).toMatch(/^scenario:scenarios\/aimc-noise-hermes\.yaml:\d+$/);
    }
    expect(g.instances['act']).toBe(plat.instances['act']);
    expect(plat.instances['aimc0']!.params['programNoise']).toBe('none'); // the input graph is unchanged
    expect([...analogNonIdealities(g).keys()]).toEqual(['aimc0', 'aimc1', 'aimc2', 'aimc3']);
    expect(analogNonIdealities(g).get('aimc0')).toEqual(['programNoise', 'readNoise', 'drift', 'adcOffset', 'adcNoise']);
    // the fault-free reference: the same platform with the analog params back at their defaults
    const ideal = idealPlatform(g);
    expect(analogNonIdealities(ideal).size).toBe(0);
    expect(ideal.instances['aimc2']!.params).toEqual(plat.instances['aimc2']!.params);
    expect(idealPlatform(plat)).toBe(plat);
  });

  it('bad overrides: positioned diagnostics (glob matching nothing, unknown param, bad value, bad combination, a change of structure)', () => {
    const text = `${HEAD}params:
  'tile*': { driftTime: 10 }
  'aimc*': { driftTme: 10, readNoise: loud }
  aimc1: { conductanceLevels: 1 }
  noc: { targets: 6 }
  ctrl: { programNoise: pcm }
`;
    const s = loadScenario('s.yaml', text);
    expect(s.diagnostics).toEqual([]);
    const r = applyScenarioParams(s.value!, hermes, catalog);
    expect(r.value).toBeUndefined();
    const d = r.diagnostics.map((x) => `${x.line}:${x.column} ${x.code}: ${x.message}`);
    expect(d).toEqual([
      "9:3 unknown-param-target: params: 'tile*' matches no instance of platform 'hermes-like'",
      "10:14 unknown-param: params 'aimc*': 'aimc0' (aimc-tile), 'aimc1' (aimc-tile), 'aimc2' (aimc-tile), 'aimc3' (aimc-tile) have no param 'driftTme'",
      "10:39 bad-value: params 'aimc*': instance 'aimc0': param 'readNoise': \"loud\" is not one of none, pcm, hermes, hermes-1, normal, normal-rel",
      "13:11 unknown-param: params 'ctrl': 'ctrl' (core) has no param 'programNoise'",
      "11:31 bad-param-combination: params: instance 'aimc1' (aimc-tile): conductanceLevels 1 cannot hold a weight: use 0 (the cell's levels) or at least 2",
      "12:19 param-changes-structure: params: the overrides of instance 'noc' (xbar) change its ports",
    ]);
    expect(r.diagnostics[1]!.hint).toMatch(/driftTime/);
    expect(r.diagnostics.every((x) => x.file === 's.yaml' && x.severity === 'error')).toBe(true);
  });

  it('instantiate passes (seed, chip, inference) to the tiles; a tile without non-idealities has no analog model', () => {
    const s = loadScenario('s.yaml', `${HEAD}params:\n  aimc1: { readNoise: pcm }\n`);
    const g = applyScenarioParams(s.value!, hermes, catalog).value!;
    const p = instantiate(g, { streams: { seed: 9, chip: 2, inference: 5 } });
    expect(p.get('aimc1', AimcTileSim).analog!.streams).toEqual({ seed: 9, chip: 2, inference: 5 });
    expect(p.get('aimc0', AimcTileSim).analog).toBeUndefined();
    expect(instantiate(g).get('aimc1', AimcTileSim).analog!.streams).toEqual({ seed: 0, chip: 0, inference: 0 });
  });

  it('the params block itself: keys must be globs and values maps', () => {
    const s = loadScenario('s.yaml', `${HEAD}params:\n  aimc0: 3\n  7: { x: 1 }\n`);
    expect(s.diagnostics.map((x) => `${x.line}:${x.column} ${x.code}`)).toEqual(['9:10 bad-type', '10:3 bad-type']);
  });
});

// ---------------------------------------------------------------------------------------------
// End to end: ResNet-8 on hermes-like, its FC layer (64 x 10) forced onto aimc0 by a mapping
// file, everything else on the control core; read noise on aimc0 only.
// ---------------------------------------------------------------------------------------------

const dir = mkdtempSync(join(tmpdir(), 'edgesim-analog-'));
writeFileSync(join(dir, 'fc-on-aimc0.yaml'), 'mapping: fc-on-aimc0\nlayers:\n  fully_connected_14: aimc0\n');

function scenario(name: string, params: string): string {
  const f = join(dir, `${name}.yaml`);
  writeFileSync(f, `${resnet8Scenario(name, { platform: 'hermes-like', mapping: 'fc-on-aimc0.yaml', seed: 5, chips: 1, inferences: 4 })}${params}`);
  return f;
}

/** Runs every item of a scenario in this thread; the ideal accuracy from the runner's fault-free references. */
function runAll(file: string): { results: ItemResult[]; idealCorrect: number; diagnostics: readonly Diagnostic[] } {
  const p = prepareCampaign(file);
  expect(p.value, p.diagnostics.map((d) => d.message).join('\n')).toBeDefined();
  const ctx = p.value!.ctx;
  const runner = new CampaignRunner(ctx);
  const results = campaignItems(ctx.scenario).map((it) => runner.run(it));
  let idealCorrect = 0;
  for (const r of results) {
    const y = runner.reference(r.sample).outputs.get(ctx.output)!.data;
    let best = 0;
    for (let i = 1; i < y.length; i++) if (y[i]! > y[best]!) best = i;
    if (best === r.label) idealCorrect++;
  }
  return { results, idealCorrect, diagnostics: p.diagnostics };
}

describe('campaigns with analog noise (ResNet-8 FC on an AIMC tile of hermes-like, 4 images)', () => {
  it('accuracy falls and outputs depart from the ideal run as read noise grows: none, 10 %, 100 % of Gmax per device', () => {
    const light = runAll(scenario('light', "params:\n  aimc0: { readNoise: normal, readNoiseStd: 100000 }\n"));
    const heavy = runAll(scenario('heavy', "params:\n  aimc0: { readNoise: normal, readNoiseStd: 1000000 }\n"));
    // the warning names the layer whose exactness no longer holds
    expect(light.diagnostics.find((d) => d.code === 'aimc-not-exact')?.message).toMatch(/^analog non-idealities on aimc0 \(readNoise\): the 1 layer\(s\) on these tiles are not exact .*fully_connected_14/);
    const correct = (r: { results: ItemResult[] }): number => r.results.filter((x) => x.correct === true).length;
    const differ = (r: { results: ItemResult[] }): number => r.results.filter((x) => x.differs).length;
    expect(heavy.idealCorrect).toBe(light.idealCorrect); // the same ideal reference
    expect(light.idealCorrect).toBeGreaterThanOrEqual(3);
    expect(differ(light)).toBeGreaterThan(0);
    expect(differ(heavy)).toBe(4);
    expect(correct(light)).toBeLessThanOrEqual(light.idealCorrect);
    expect(correct(heavy)).toBeLessThan(light.idealCorrect);
    expect(correct(heavy)).toBeLessThanOrEqual(correct(light));
    // noise changes values, not the tiles' timing: latency within 0.1 % (the host's data-dependent code may differ slightly)
    heavy.results.forEach((r, i) => expect(Math.abs(r.latencyPs / light.results[i]!.latencyPs - 1)).toBeLessThan(1e-3));
  }, 300_000);

  it('noise on tiles no layer uses: a warning, no effect; an item is the same whatever runner or order runs it', () => {
    const f = scenario('unused', "params:\n  aimc3: { programNoise: pcm, readNoise: pcm }\n  aimc0: { readNoise: normal, readNoiseStd: 50000 }\n");
    const p = prepareCampaign(f);
    expect(p.value).toBeDefined();
    expect(p.diagnostics.map((x) => x.code).filter((c) => c.startsWith('aimc-n'))).toEqual(['aimc-not-exact']);
    const u = prepareCampaign(scenario('unused2', "params:\n  aimc3: { programNoise: pcm }\n"));
    expect(u.diagnostics.filter((x) => x.code.startsWith('aimc-n')).map((x) => `${x.code}: ${x.message}`)).toEqual(['aimc-noise-unused: analog non-idealities on aimc3 (programNoise), but no layer runs on these tiles: they have no effect']);
    // two runners (as two workers would), items in different orders: identical results
    const a = new CampaignRunner(p.value!.ctx);
    const b = new CampaignRunner(p.value!.ctx);
    const items = [0, 1].map((i) => ({ chip: 0, inference: i, sample: i }));
    const ra = items.map((it) => a.run(it));
    const rb = [...items].reverse().map((it) => b.run(it)).reverse();
    expect(rb).toEqual(ra);
  }, 120_000);

  // needs a build with the analog models (npm run build): the workers run dist/cli/campaign-worker.js
  it.skipIf(!existsSync(join(repoRoot, 'dist/modules/aimc-tile/noise.js')))('1 worker (in process) and 2 workers (built CLI) give byte-identical summaries with analog noise', async () => {
    const f = scenario('workers', "params:\n  aimc0: { programNoise: pcm, readNoise: pcm, adcNoiseStd: 500 }\n");
    const one = await campaignCommand(f, { workers: 1, quiet: true, out: join(dir, 'w1') });
    expect(one.exitCode).toBe(0);
    const r = spawnSync(process.execPath, [join(repoRoot, 'dist/cli/main.js'), 'campaign', f, '--workers', '2', '-o', join(dir, 'w2'), '--quiet'], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain('on 2 worker(s)');
    expect(readFileSync(join(dir, 'w2', 'summary.json'), 'utf8')).toBe(readFileSync(join(dir, 'w1', 'summary.json'), 'utf8'));
  }, 300_000);
});
