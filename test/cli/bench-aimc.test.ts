/** `bench aimc`: the result's shape with tiny iteration counts (never asserts on time). */
import { describe, expect, it } from 'vitest';
import { AIMC_BENCH_CONFIGS, aimcBenchLines, runAimcBench } from '../../src/cli/bench-aimc.js';

describe('bench aimc', () => {
  it('measures the 256x256 and 1152x512 shapes, AIMC model and plain product, with a ratio', () => {
    const r = runAimcBench(2, 1);
    expect(r.shapes.map((s) => [s.name, s.k, s.n, s.iterations])).toEqual([['256x256', 256, 256, 2], ['1152x512', 1152, 512, 2]]);
    for (const s of r.shapes) {
      expect(s.aimcCpuSeconds).toBeGreaterThanOrEqual(0);
      expect(s.plainCpuSeconds).toBeGreaterThanOrEqual(0);
      expect(s.aimcMvmsPerCpuSecond).toBeGreaterThan(0);
      expect(s.plainMvmsPerCpuSecond).toBeGreaterThan(0);
      if (s.aimcCpuSeconds > 0 && s.plainCpuSeconds > 0) expect(s.ratio).toBeCloseTo(s.plainMvmsPerCpuSecond / s.aimcMvmsPerCpuSecond, 9);
      else expect(s.ratio).toBeNaN();
    }
    expect(AIMC_BENCH_CONFIGS.map((c) => c.config.inputBits)).toEqual([8, 8]);
  });

  it('prints one line per shape and refuses a bad iteration count', () => {
    const lines = aimcBenchLines(1);
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^aimc 256x256 \(K=256, N=256, 8-bit inputs\): aimc_mvm_per_cpu_s=\S+ plain_matvec_per_cpu_s=\S+ ratio=\S+ \(plain \/ aimc; iterations=1, /);
    expect(lines[1]).toMatch(/^aimc 1152x512 /);
    expect(() => runAimcBench(0)).toThrow(/iterations must be an integer >= 1/);
  });
});
