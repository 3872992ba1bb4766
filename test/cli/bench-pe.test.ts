/** `bench pe` (src/cli/bench-pe.ts) with tiny sizes: the result's shape, never its times. */
import { describe, expect, it } from 'vitest';
import { peBenchLines, runPeBench } from '../../src/cli/bench-pe.js';
import { SimError } from '../../src/util/index.js';

describe('bench pe', () => {
  it('measures the model and the plain loop for int8 and int16 and returns figures and the ratio', () => {
    const r = runPeBench({ M: 5, N: 3, K: 7, repeats: 2, warmup: 0 });
    expect(r.map((f) => f.peType)).toEqual(['int8', 'int16']);
    for (const f of r) {
      expect(f).toMatchObject({ M: 5, N: 3, K: 7, macs: 5 * 3 * 7 * 2 });
      expect(f.modelCpuSeconds).toBeGreaterThanOrEqual(0);
      expect(f.plainCpuSeconds).toBeGreaterThanOrEqual(0);
      expect(f.modelMacsPerCpuSecond).toBeGreaterThan(0);
      expect(f.plainMacsPerCpuSecond).toBeGreaterThan(0);
      expect(typeof f.ratio).toBe('number');
    }
    expect(runPeBench({ M: 2, N: 2, K: 2, types: ['int16'], warmup: 0 })).toHaveLength(1);
  });

  it('prints one line per PE type and refuses bad sizes', () => {
    const lines = peBenchLines({ M: 4, N: 4, K: 4, warmup: 0 });
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^pe-array int8 gemm 4x4x4: model macs_per_cpu_s=\S+ \(cpu_s=\d+\.\d{4}\), plain typed-array loop macs_per_cpu_s=\S+ \(cpu_s=\d+\.\d{4}\), model \/ plain = \S+$/);
    expect(() => runPeBench({ M: 0 })).toThrow(SimError);
  });
});
