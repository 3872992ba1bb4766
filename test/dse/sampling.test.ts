import { describe, expect, it } from 'vitest';
import { deriveRng } from '../../src/util/index.js';
import { simErrorCode } from '../helpers/sim-error.js';
import { gridSample, latinHypercubeSample, latinHypercubeUnit, randomSample, type Axis } from '../../src/dse/index.js';

const code = simErrorCode;

const AXES: Axis[] = [
  { kind: 'numeric', name: 'freqMHz', min: 100, max: 800, steps: 3 },
  { kind: 'numeric', name: 'rows', min: 4, max: 7, integer: true },
  { kind: 'categorical', name: 'pe', values: ['int8', 'int16', 'lightpe'] },
];

describe('gridSample', () => {
  it('is the Cartesian product, last axis fastest', () => {
    const g = gridSample(AXES);
    expect(g.length).toBe(3 * 4 * 3);
    expect(g[0]).toEqual({ freqMHz: 100, rows: 4, pe: 'int8' });
    expect(g[1]).toEqual({ freqMHz: 100, rows: 4, pe: 'int16' });
    expect(g[3]).toEqual({ freqMHz: 100, rows: 5, pe: 'int8' });
    expect(g.at(-1)).toEqual({ freqMHz: 800, rows: 7, pe: 'lightpe' });
    expect(new Set(g.map((s) => JSON.stringify(s))).size).toBe(g.length);
    expect([...new Set(g.map((s) => s['freqMHz']))]).toEqual([100, 450, 800]);
  });
  it('rejects unusable axes', () => {
    expect(code(() => gridSample([{ kind: 'numeric', name: 'x', min: 0, max: 1 }]))).toBe('dse-axis');
    expect(code(() => gridSample([{ kind: 'numeric', name: 'x', min: 2, max: 1, steps: 2 }]))).toBe('dse-axis');
    expect(code(() => gridSample([{ kind: 'categorical', name: 'x', values: [] }]))).toBe('dse-axis');
    expect(code(() => gridSample([{ kind: 'categorical', name: 'x', values: [1] }, { kind: 'categorical', name: 'x', values: [2] }]))).toBe('dse-axis');
    expect(code(() => gridSample([{ kind: 'numeric', name: 'x', min: 0, max: 1e9, integer: true }]))).toBe('dse-sampling');
  });
});

describe('randomSample', () => {
  it('stays in range, is deterministic per stream and differs across streams', () => {
    const a = randomSample(AXES, 200, deriveRng(5, 'sweep', 'random'));
    const b = randomSample(AXES, 200, deriveRng(5, 'sweep', 'random'));
    const c = randomSample(AXES, 200, deriveRng(6, 'sweep', 'random'));
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
    for (const s of a) {
      const f = s['freqMHz'] as number;
      expect(f >= 100 && f < 800).toBe(true);
      expect([4, 5, 6, 7]).toContain(s['rows']);
      expect(['int8', 'int16', 'lightpe']).toContain(s['pe']);
    }
    expect(new Set(a.map((s) => s['rows'])).size).toBe(4);
  });
});

describe('Latin hypercube', () => {
  it('has exactly one sample per stratum per dimension', () => {
    for (const [n, d] of [[1, 1], [2, 3], [10, 4], [97, 2], [256, 6]] as const) {
      const { points, strata } = latinHypercubeUnit(n, d, deriveRng(1, `n${n}d${d}`, 'lhs'));
      expect(points.length).toBe(n);
      for (let j = 0; j < d; j++) {
        const s = strata.map((r) => r[j]!).sort((x, y) => x - y);
        expect(s).toEqual(Array.from({ length: n }, (_, i) => i));
        for (let i = 0; i < n; i++) {
          const x = points[i]![j]!;
          expect(x >= strata[i]![j]! / n && x < (strata[i]![j]! + 1) / n).toBe(true);
          expect(Math.floor(x * n)).toBe(strata[i]![j]);
        }
      }
    }
  });

  it('maps strata onto axes: one continuous sample per sub-interval, balanced categories and integers', () => {
    const n = 12;
    const axes: Axis[] = [
      { kind: 'numeric', name: 'x', min: -3, max: 9 },
      { kind: 'numeric', name: 'k', min: 1, max: 4, integer: true },
      { kind: 'categorical', name: 'c', values: ['a', 'b', 'c'] },
    ];
    const s = latinHypercubeSample(axes, n, deriveRng(9, 'lhs', 'map'));
    const cells = s.map((p) => Math.floor((((p['x'] as number) - -3) / 12) * n)).sort((a, b) => a - b);
    expect(cells).toEqual(Array.from({ length: n }, (_, i) => i));
    for (const v of [1, 2, 3, 4]) expect(s.filter((p) => p['k'] === v).length).toBe(3);
    for (const v of ['a', 'b', 'c']) expect(s.filter((p) => p['c'] === v).length).toBe(4);
  });

  it('discrete axes get floor or ceil of n / c samples per cell', () => {
    for (const n of [1, 5, 10, 11, 31]) {
      const s = latinHypercubeSample(
        [{ kind: 'numeric', name: 'k', min: 0, max: 3, integer: true }, { kind: 'categorical', name: 'c', values: ['a', 'b', 'c'] }],
        n,
        deriveRng(2, `n${n}`, 'lhs'),
      );
      for (const [name, cells] of [['k', [0, 1, 2, 3]], ['c', ['a', 'b', 'c']]] as const) {
        for (const v of cells) {
          const count = s.filter((p) => p[name] === v).length;
          expect(count === Math.floor(n / cells.length) || count === Math.ceil(n / cells.length), `n=${n} ${name}=${v}: ${count}`).toBe(true);
        }
      }
    }
  });

  it('same seed, same samples; centered puts points at stratum midpoints', () => {
    const a = latinHypercubeSample(AXES, 50, deriveRng(3, 'sweep', 'lhs'));
    expect(latinHypercubeSample(AXES, 50, deriveRng(3, 'sweep', 'lhs'))).toEqual(a);
    expect(latinHypercubeSample(AXES, 50, deriveRng(4, 'sweep', 'lhs'))).not.toEqual(a);
    const c = latinHypercubeUnit(4, 2, deriveRng(3, 'c', 'lhs'), true);
    for (const p of c.points) for (const x of p) expect([0.125, 0.375, 0.625, 0.875]).toContain(x);
    expect(latinHypercubeSample(AXES, 0, deriveRng(3, 'sweep', 'lhs'))).toEqual([]);
  });
});
