/**
 * `bench campaign` (src/cli/bench-campaign.ts) on a tiny scenario (TFC-2W2A on hermes-exact with
 * AIMC noise, test/fixtures/bench-campaign/): the table's structure and units, the determinism
 * line, the JSON form, and bad options. Never asserts on time values. The pool runs the built
 * worker (dist/cli/campaign-worker.js), so the command is run from the built CLI.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { benchItems, formatCampaignBench, parseWorkerCounts, type CampaignBenchResult } from '../../src/cli/bench-campaign.js';
import { SimError } from '../../src/util/index.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const main = `${root}dist/cli/main.js`;
const scenario = 'test/fixtures/bench-campaign/tfc-noise-hermes.yaml';

function cli(...args: string[]): { code: number; out: string; err: string } {
  const r = spawnSync(process.execPath, [main, ...args], { encoding: 'utf8', cwd: root });
  return { code: r.status ?? -1, out: r.stdout, err: r.stderr };
}

beforeAll(() => {
  if (!existsSync(`${root}dist/cli/bench-campaign.js`)) execFileSync('npm', ['run', 'build'], { cwd: root, stdio: 'ignore' });
});

const num = String.raw`\d+\.\d\d`;

describe('bench campaign', () => {
  it('times ideal (1 worker) and noisy (1 and 2 workers) on the same items: table with units, identical results', () => {
    const r = cli('bench', 'campaign', '--scenario', scenario, '--items', '2', '--workers', '1,2');
    expect(r.err).not.toMatch(/error\[|internal error/);
    expect(r.code).toBe(0);
    const lines = r.out.split('\n');
    expect(lines[0]).toBe(`bench campaign: scenario 'bench-tfc-noise-hermes' (${scenario}), seed 5: 2 items per configuration (1 chip(s) x 2 inference(s), chip-major)`);
    expect(lines[1]).toMatch(/^noisy: the scenario as it is: analog non-idealities on aimc0 \(programNoise, readNoise, adcNoise\); .*, 0 fault\(s\); ideal: the same platform with the analog params at their defaults, no faults$/);
    expect(lines[2]).toMatch(/^cores: \d+ \(os\.availableParallelism\(\)\)$/);
    expect(lines[3]).toMatch(new RegExp(`^prepare \\(this thread: load, compile\\): ${num} s \\(not in any rate\\)$`));
    const head = lines.findIndex((l) => l.startsWith('configuration'));
    expect(lines[head]!.split(/\s{2,}/)).toEqual(['configuration', 'workers', 'items', 'setup (s)', 'wall (s)', 'inferences/s', 'speed-up vs 1 worker', 'noise cost (s/inference vs ideal)', 'accuracy']);
    const acc = String.raw`\d+\.\d\d % \(\d\/2\)`;
    expect(lines[head + 1]).toMatch(new RegExp(`^ideal\\s+1\\s+2\\s+${num}\\s+${num}\\s+\\d+\\.\\d{3}\\s+-\\s+1\\.00x\\s+${acc}$`));
    expect(lines[head + 2]).toMatch(new RegExp(`^noisy\\s+1\\s+2\\s+${num}\\s+${num}\\s+\\d+\\.\\d{3}\\s+1\\.00x\\s+${num}x\\s+${acc}$`));
    expect(lines[head + 3]).toMatch(new RegExp(`^noisy\\s+2\\s+2\\s+${num}\\s+${num}\\s+\\d+\\.\\d{3}\\s+${num}x\\s+-\\s+${acc}$`));
    expect(r.out).toContain('\ndeterminism: noisy results on 2 worker(s) identical to 1 worker (all 2 item results: top-1, outcome, latency, energy, faults; so the summaries are identical)\n');
    expect(r.out).toMatch(new RegExp(`\\nspeed-up from 1 to 2 workers: ${num}x \\(issue target >= 1\\.7x: (met|not met)`));
    // the scenario's analog noise makes the compiler's "exact" mapping report untrue: the campaign's warning
    expect(r.err).toContain('warning[aimc-not-exact]');
  });

  it('--json: the measurement as JSON (1 worker only: nothing to compare)', () => {
    const r = cli('bench', 'campaign', '--scenario', scenario, '--items', '1', '--workers', '1', '--json');
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out) as CampaignBenchResult;
    expect(j).toMatchObject({ scenario: 'bench-tfc-noise-hermes', items: 1, chips: 1, inferencesPerChip: 2, seed: 5, faults: 0, deterministic: true, difference: null, samples: 1 });
    expect(j.rows.map((x) => [x.config, x.workers, x.items, x.speedup === null, x.noiseCost === null])).toEqual([['ideal', 1, 1, true, false], ['noisy', 1, 1, false, false]]);
    expect(j.rows[0]!.noiseCost).toBe(1);
    expect(Object.keys(j.noise)).toEqual(['aimc0', 'aimc1', 'aimc2', 'aimc3']);
    expect(formatCampaignBench(j).text).toContain('determinism: only 1 worker measured, nothing to compare');
  });

  it('a bad --workers or --items is a usage error naming the option (exit 1, before any work)', () => {
    for (const bad of ['0,2', '2', '1,x', '1,1', '1,300', '']) {
      const r = cli('bench', 'campaign', '--scenario', scenario, '--workers', bad);
      expect(r.code).toBe(1);
      expect(r.err).toContain(`edgesim: error [bad-argument]: --workers '${bad}' must be a comma-separated list of distinct integers between 1 and 256 including 1`);
      expect(r.out).toBe('');
    }
    const items = cli('bench', 'campaign', '--scenario', scenario, '--items', '0');
    expect(items.code).toBe(1);
    expect(items.err).toContain("--items '0' must be an integer between 1 and 100000");
    const missing = cli('bench', 'campaign', '--scenario', 'no/such.yaml');
    expect(missing.code).toBe(1);
    expect(missing.err).toContain("cannot read scenario file 'no/such.yaml'");
  });

  it('worker lists, chip-major items and the few-cores warning', () => {
    expect(parseWorkerCounts('2, 1,4')).toEqual([1, 2, 4]);
    expect(() => parseWorkerCounts('2,4')).toThrow(SimError);
    expect(benchItems(10, 2, 5)).toEqual([
      { chip: 0, inference: 0, sample: 10 }, { chip: 0, inference: 1, sample: 11 },
      { chip: 1, inference: 0, sample: 10 }, { chip: 1, inference: 1, sample: 11 }, { chip: 2, inference: 0, sample: 10 },
    ]);
    const row = { items: 5, setupSeconds: 1, wallSeconds: 2, inferencesPerSecond: 2.5, accuracy: null, correct: null, differRate: 0 };
    const r: CampaignBenchResult = {
      scenario: 's', file: 's.yaml', cores: 1, items: 5, chips: 3, inferencesPerChip: 2, seed: 1, noise: {}, faults: 1, samples: 2, prepareSeconds: 1,
      rows: [
        { ...row, config: 'ideal', workers: 1, speedup: null, noiseCost: 1 },
        { ...row, config: 'noisy', workers: 1, speedup: 1, noiseCost: 1 },
        { ...row, config: 'noisy', workers: 2, speedup: 1, noiseCost: null },
      ],
      deterministic: false, difference: '2 workers, item c1/i0',
    };
    const f = formatCampaignBench(r);
    expect(f.warning).toBe('only 1 core(s) available (os.availableParallelism()) for up to 2 workers: the speed-up is bounded by the cores');
    expect(f.text).toContain('5 items per configuration (2 chip(s) x 2 inference(s) + 1 chip x 1, chip-major)');
    expect(f.text).toContain('determinism: NOT IDENTICAL: 2 workers, item c1/i0 differs from the 1-worker run');
    expect(f.text).toContain('(issue target >= 1.7x: not met; fewer than 2 cores, not meaningful)');
    expect(f.text).toContain('on every worker, 2 warm-up item(s) of another chip, one per timed sample');
    expect(formatCampaignBench({ ...r, cores: 2 }).warning).toBeNull();
  });
});
