/**
 * A mapping file's ODiMO channel split reaches campaigns: TFC-2W2A on diana-like with one layer
 * split between the PE array and the noisy AIMC core compiles with the split, and the
 * `aimc-not-exact` warning names the split layer (its AIMC part runs on the noisy tile).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { prepareCampaign } from '../../src/cli/campaign-command.js';
import type { AccelCompiled, AccelMapping } from '../../src/compiler/index.js';
import { tfcScenario } from './helpers.js';

describe('campaigns with a split mapping', () => {
  it('the split layer is compiled as a split and named by the noisy-tile warning', () => {
    const dir = mkdtempSync(join(tmpdir(), 'edgesim-split-campaign-'));
    writeFileSync(join(dir, 'split.mapping.yaml'), 'layers:\n  MatMul_32: { split: 0.5 }\n');
    const f = join(dir, 'split.yaml');
    writeFileSync(f, `${tfcScenario('split', { platform: 'diana-like', mapping: 'split.mapping.yaml', seed: 1, chips: 1, inferences: 2 })}params:\n  aimc: { readNoise: normal, readNoiseStd: 100000 }\n`);
    const p = prepareCampaign(f);
    expect(p.value).toBeDefined();
    const compiled = p.value!.ctx.compiled as AccelCompiled;
    const mapping: readonly AccelMapping[] = compiled.mapping;
    const split = mapping.find((m) => m.kind === 'split');
    expect(split?.node).toMatch(/MatMul_32/);
    expect(split?.split).toMatchObject({ fraction: 0.5, aimc: { kind: 'aimc-tile', channels: 32 }, digital: { kind: 'pe-array', channels: 32 } });
    const w = p.diagnostics.find((d) => d.code === 'aimc-not-exact');
    expect(w?.message).toMatch(/MatMul_32/);
  }, 60_000);
});
