import { describe, expect, it } from 'vitest';
import { buildWorkload, expectedResults, type WorkloadName } from '../../src/bench/workloads.js';

/**
 * W1-W5 at small sizes: counts, checksums, simulated times and delta counts must equal the
 * specification (shared WORKLOADS.md, copied to test/bench/systemc/), whose values are SystemC's.
 * Speed is measured by `edgesim bench`, never asserted here.
 */
const cases: [WorkloadName, number[]][] = [
  ['w1', [1000, 100, 200_000]],
  ['w1', [10, 10, 1000]],
  ['w1', [7, 1, 70]],
  ['w2', [1000, 100, 200_000]],
  ['w2', [5, 5, 500]],
  ['w3', [1000, 100, 100_000]],
  ['w3', [3, 1, 30]],
  ['w4', [64, 2000]],
  ['w4', [1, 10]],
  ['w5', [1, 100_000]],
  ['w5', [16, 100_000]],
  ['w5', [3, 1000]],
];

describe('kernel workloads W1-W5 reproduce the specification exactly', () => {
  for (const [name, sizes] of cases) {
    it(`${name} ${sizes.join(' ')}`, () => {
      const w = buildWorkload(name, sizes);
      w.run();
      const r = w.result();
      const exp = expectedResults(name, sizes);
      expect(r.count).toBe(exp.count);
      expect(r.fields).toContain(` sim_time=${exp.simTime} `);
      expect(r.fields).toMatch(new RegExp(`deltas=${exp.deltas}(\\s|$)`));
      if (exp.out !== undefined) expect(r.fields).toContain(`out=${exp.out}`);
      if (exp.checksum !== undefined) expect(r.fields).toContain(`checksum=${exp.checksum}`);
    });
  }

  it('the specification values match SystemC\'s published defaults', () => {
    // RESULTS.md: W1 400000 deltas at 399999 ns; W4 4,500,000 deltas, out=1500000; W5 checksums.
    expect(expectedResults('w1')).toMatchObject({ count: 40_000_000, simTime: '399999 ns', deltas: 400_000 });
    expect(expectedResults('w2')).toMatchObject({ count: 50_000_000, simTime: '0 s', deltas: 500_000 });
    expect(expectedResults('w3')).toMatchObject({ count: 20_000_000, simTime: '199999 ns', deltas: 200_000 });
    expect(expectedResults('w4')).toMatchObject({ count: 96_000_000, simTime: '1500 us', deltas: 4_500_000, out: 1_500_000 });
    expect(expectedResults('w5', [1, 100_000_000])).toMatchObject({ checksum: 4999999950000000, deltas: 12_500_000 });
    expect(expectedResults('w5', [16, 100_000_000])).toMatchObject({ checksum: 312499950000000, deltas: 781_250 });
  });
});
