import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generate, missing, run, writeOut } from './helpers.js';
import { loadRepoPlatform } from '../helpers/repo.js';
import { generateRtl } from '../../src/rtl/index.js';

/**
 * Gate-level simulation: the Yosys netlist of the generated units (tiny fixture, the smallest
 * configuration, and diana-like at CI size: scratchpads, DMA, L2, AIMC periphery with its
 * requantizers) passes the same self-checking testbench under Icarus Verilog; and a corrupted
 * expected value makes the testbench fail. A file of its own (split from tools.test.ts) so that
 * vitest runs it beside the tool runs on the other worker.
 */
const need = missing(['iverilog', 'vvp', 'yosys']);

describe.skipIf(need.length > 0)(`gate-level simulation and failure detection${need.length > 0 ? ` (skipped: ${need.join(', ')} not installed)` : ''}`, () => {
  const tiny = (): ReturnType<typeof generate> => {
    const r = loadRepoPlatform('test/fixtures/rtl/tiny.yaml');
    return generateRtl(r.graph!, {});
  };

  for (const which of ['tiny', 'platforms/diana-like.yaml']) {
    it(`${which}: the Yosys netlist of the units passes the same testbench (iverilog)`, () => {
      const r = which === 'tiny' ? tiny() : generate(which);
      const m = r.manifest!;
      const dir = writeOut(r, `gl-${m.platform}`);
      try {
        const ys = run('yosys', ['-q', '-s', 'syn/gate_level.ys'], dir);
        expect(ys.status, ys.out).toBe(0);
        const iv = run('iverilog', ['-g2012', '-o', 'gl.vvp', '-s', m.testbench, '-f', 'filelist_gl.f'], dir);
        expect(iv.status, iv.out).toBe(0);
        const sim = run('vvp', ['-n', 'gl.vvp'], dir);
        console.log(`gate level ${m.platform}: yosys ${ys.seconds.toFixed(1)} s, iverilog ${iv.seconds.toFixed(1)} s, vvp ${sim.seconds.toFixed(1)} s: ${sim.out.trim().split('\n')[0]}`);
        expect(sim.out).toMatch(new RegExp(`${m.testbench}: [1-9]\\d* passed, 0 failed`));
        expect(sim.status).toBe(0);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }, 300_000);
  }

  it('a wrong expected value fails the testbench: a message, "1 failed" and exit status 1 ($fatal)', () => {
    const r = tiny();
    const m = r.manifest!;
    const dir = writeOut(r, 'neg');
    try {
      const f = join(dir, 'tb/vectors/pe_pe_expect.hex');
      const lines = readFileSync(f, 'utf8').split('\n');
      const l0 = lines[0]!;
      lines[0] = `${l0.slice(0, -1)}${l0.endsWith('0') ? '1' : '0'}`;
      writeFileSync(f, lines.join('\n'));
      expect(run('iverilog', ['-g2012', '-o', 'tb.vvp', '-s', m.testbench, '-f', 'filelist_sim.f'], dir).status).toBe(0);
      const sim = run('vvp', ['-n', 'tb.vvp'], dir);
      expect(sim.out).toMatch(new RegExp(`${m.testbench}: \\d+ passed, 1 failed`));
      expect(sim.out).toContain('pe: tile 0 output 0');
      expect(sim.status).toBe(1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
