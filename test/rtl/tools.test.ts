import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PLATFORMS, generate, missing, run, writeOut } from './helpers.js';
import { parseStat, type ModuleStat } from './stat.js';
import { repoRoot } from '../helpers/repo.js';

/**
 * The generated RTL of every shipped platform at CI size through the open tools: Verilator
 * lint (-Wall, zero warnings), Icarus Verilog (-Wall, zero warnings) on the RTL and the
 * testbench run, Yosys synthesis (hierarchy -check, synth, check -assert) with no latches, no
 * memories and only the manifest's macros as unknown cells. Cell counts per module are
 * printed and compared with test/fixtures/rtl/cells.json (fails on more than 10% growth;
 * UPDATE_RTL_CELLS=1 rewrites it).
 */
const need = missing(['verilator', 'iverilog', 'vvp', 'yosys']);
const baseline = JSON.parse(readFileSync(join(repoRoot, 'test/fixtures/rtl/cells.json'), 'utf8')) as Record<string, Record<string, number>>;
const measured: Record<string, Record<string, number>> = {};
const times: Record<string, Record<string, number>> = {};

describe.skipIf(need.length > 0)(`generated RTL through Verilator, Icarus Verilog and Yosys${need.length > 0 ? ` (skipped: ${need.join(', ')} not installed; .ci/run installs them)` : ''}`, () => {
  const dirs: string[] = [];
  afterAll(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
    if (process.env.UPDATE_RTL_CELLS === '1') writeFileSync(join(repoRoot, 'test/fixtures/rtl/cells.json'), `${JSON.stringify(measured, null, 1)}\n`);
    console.log(`rtl cell counts per module (Yosys generic cells):\n${JSON.stringify(measured, null, 1)}\nrtl tool times (s):\n${JSON.stringify(times)}`);
  });

  for (const file of [...PLATFORMS, 'test/fixtures/rtl/variants.yaml']) {
    it(`${file} (CI size): lint, compile, simulate, synthesize`, () => {
      const r = generate(file);
      const m = r.manifest!;
      const dir = writeOut(r, m.platform);
      dirs.push(dir);
      const models = m.macros.map((x) => x.model);
      const t: Record<string, number> = {};
      times[m.platform] = t;

      const lint = run('verilator', ['--lint-only', '-Wall', '--top-module', m.top, '-f', 'filelist_rtl.f', ...models], dir);
      t.lint = lint.seconds;
      expect(lint.out, 'verilator lint').toBe('');
      expect(lint.status).toBe(0);

      const unitsLint = run('verilator', ['--lint-only', '-Wall', '--top-module', `${m.top}_units`, '-f', 'filelist_rtl.f', ...models], dir);
      expect(unitsLint.out, 'verilator lint of the units').toBe('');
      const tbLint = run('verilator', ['--lint-only', '-Wall', '-Wno-BLKSEQ', '-Wno-UNUSEDSIGNAL', '--timing', '--top-module', m.testbench, '-f', 'filelist_sim.f'], dir);
      expect(tbLint.out, 'verilator testbench lint').toBe('');

      const iv = run('iverilog', ['-g2012', '-Wall', '-o', 'rtl.vvp', '-s', m.top, '-f', 'filelist_rtl.f', ...models], dir);
      t.iverilog = iv.seconds;
      expect(iv.out, 'iverilog -Wall').toBe('');
      expect(iv.status).toBe(0);

      const ivTb = run('iverilog', ['-g2012', '-Wall', '-o', 'tb.vvp', '-s', m.testbench, '-f', 'filelist_sim.f'], dir);
      expect(ivTb.out, 'iverilog testbench').toBe('');
      const sim = run('vvp', ['-n', 'tb.vvp'], dir);
      t.vvp = sim.seconds;
      expect(sim.out).toMatch(new RegExp(`${m.testbench}: [1-9]\\d* passed, 0 failed`));
      expect(sim.status).toBe(0);
      // DMAs: the RTL's cycles next to the simulator's predicted cycles (information, not checked)
      const dmaCycles = sim.out.split('\n').filter((l) => / group \d+: RTL \d+ cycles/.test(l));
      if (m.instances.some((i) => i.kind === 'dma')) {
        expect(dmaCycles.length).toBeGreaterThan(0);
        console.log(`${m.platform} DMA cycles:\n${dmaCycles.join('\n')}`);
      }

      const ys = run('yosys', ['-q', '-s', 'syn/synth.ys'], dir);
      t.yosys = ys.seconds;
      expect(ys.out, 'yosys warnings').toBe('');
      expect(ys.status).toBe(0);
      const stat = parseStat(readFileSync(join(dir, 'syn/stat.txt'), 'utf8'));
      const macros = new Set(m.macros.map((x) => x.name));
      const own = new Set(Object.keys(stat).map((k) => k.replace(/\(.*$/, '')));
      const cells: Record<string, number> = {};
      for (const [mod, s] of Object.entries(stat) as [string, ModuleStat][]) {
        cells[mod] = s.cells;
        for (const type of Object.keys(s.types)) {
          expect(type, `${mod}: latch`).not.toMatch(/DLATCH|dlatch/);
          expect(type, `${mod}: memory left`).not.toMatch(/^\$mem/);
          if (!type.startsWith('$')) expect(macros.has(type) || own.has(type.replace(/\(.*$/, '')), `${mod}: unknown cell ${type}`).toBe(true);
        }
      }
      measured[m.platform] = cells;
      const base = baseline[m.platform];
      if (base !== undefined) {
        for (const [mod, n] of Object.entries(cells)) {
          const b = base[mod];
          if (b !== undefined) expect(n, `${m.platform} ${mod}: ${n} cells, baseline ${b}`).toBeLessThanOrEqual(Math.ceil(b * 1.1));
        }
      }
    }, 300_000);
  }
});

describe.skipIf(need.length > 0)(`full-size RTL lints clean${need.length > 0 ? ` (skipped: ${need.join(', ')} not installed)` : ''}`, () => {
  for (const file of PLATFORMS) {
    it(`${file} (full size, as in the YAML): verilator -Wall and iverilog -Wall without a warning`, () => {
      const r = generate(file, false);
      const m = r.manifest!;
      const dir = writeOut(r, `full-${m.platform}`);
      try {
        const models = m.macros.map((x) => x.model);
        const lint = run('verilator', ['--lint-only', '-Wall', '--top-module', m.top, '-f', 'filelist_rtl.f', ...models], dir);
        expect(lint.out).toBe('');
        expect(lint.status).toBe(0);
        const iv = run('iverilog', ['-g2012', '-Wall', '-o', 'rtl.vvp', '-s', m.top, '-f', 'filelist_rtl.f', ...models], dir);
        expect(iv.out).toBe('');
        expect(iv.status).toBe(0);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }, 120_000);
  }
});
