import { rmSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { PLATFORMS, generate, missing, run, writeOut } from './helpers.js';

/**
 * The generated testbench of every shipped platform (CI size) built and run with Verilator:
 * one build per configuration (about 30-40 s each on the shared 2-core machine; the run is
 * instant). The same vectors pass under Icarus Verilog in tools.test.ts.
 */
const need = missing(['verilator', 'make', 'g++']);

describe.skipIf(need.length > 0)(`generated testbench under Verilator${need.length > 0 ? ` (skipped: ${need.join(', ')} not installed; .ci/run installs them)` : ''}`, () => {
  const dirs: string[] = [];
  const times: Record<string, number> = {};
  afterAll(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
    console.log(`verilator build+run times (s): ${JSON.stringify(times)}`);
  });
  for (const file of [...PLATFORMS, 'test/fixtures/rtl/variants.yaml']) {
    it(`${file} (CI size): testbench passes`, () => {
      const r = generate(file);
      const m = r.manifest!;
      const dir = writeOut(r, `vl-${m.platform}`);
      dirs.push(dir);
      const build = run('verilator', ['--binary', '-j', '2', '--top-module', m.testbench, '-Mdir', 'obj_dir', '-o', 'Vtb', '-f', 'filelist_sim.f'], dir);
      expect(build.status, build.out.slice(-2000)).toBe(0);
      expect(build.out).not.toMatch(/%Warning/);
      const sim = run('./obj_dir/Vtb', [], dir);
      times[m.platform] = build.seconds + sim.seconds;
      expect(sim.out).toMatch(new RegExp(`${m.testbench}: [1-9]\\d* passed, 0 failed`));
      expect(sim.status).toBe(0);
    }, 400_000);
  }
});
