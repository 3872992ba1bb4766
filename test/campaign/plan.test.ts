/** Fault draws: deterministic per (seed, chip, inference, fault), exact counts, Bernoulli rates, windows, bits and regions. */
import { describe, expect, it } from 'vitest';
import { campaignItems, drawFlips, drawStuckBits } from '../../src/campaign/index.js';
import type { FaultTargets, ScenarioFault } from '../../src/platform/index.js';

const spec = (o: Partial<ScenarioFault>): ScenarioFault => ({
  kind: 'bit-flip', target: 'l1', count: undefined, rate: undefined, bits: [0, 1, 2, 3, 4, 5, 6, 7], region: undefined,
  window: [0, 1_000_000], value: undefined, registers: undefined, at: { file: 'x', line: 1, column: 1 }, ...o,
});
const target = (o: Partial<ScenarioFault>, ranges = [{ instance: 'l1', from: 0x1000, to: 0x2000 }], space: FaultTargets['space'] = 'bytes'): FaultTargets => ({
  spec: spec(o), space, ranges, bits: o.bits ?? (space === 'registers' ? Array.from({ length: 32 }, (_, i) => i) : [0, 1, 2, 3, 4, 5, 6, 7]),
});

describe('fault draws', () => {
  it('same (seed, chip, inference) same flips; another chip, inference or seed other flips; adding a fault keeps the others', () => {
    const t = [target({ count: 5 })];
    const a = drawFlips(1, { chip: 0, inference: 0 }, t);
    expect(drawFlips(1, { chip: 0, inference: 0 }, t)).toEqual(a);
    expect(a).toHaveLength(5);
    for (const other of [drawFlips(1, { chip: 1, inference: 0 }, t), drawFlips(1, { chip: 0, inference: 1 }, t), drawFlips(2, { chip: 0, inference: 0 }, t)]) expect(other).not.toEqual(a);
    const both = drawFlips(1, { chip: 0, inference: 0 }, [...t, target({ count: 3, target: 'l2' }, [{ instance: 'l2', from: 0x8000, to: 0x9000 }])]);
    expect(both.filter((f) => f.fault === 0)).toEqual(a);
    expect(both.filter((f) => f.fault === 1)).toHaveLength(3);
  });

  it('count: distinct bits inside the ranges, allowed bit positions only, times in the window, sorted by time', () => {
    const t = [target({ count: 200, bits: [3, 7], window: [5000, 6000] }, [{ instance: 'l1', from: 0x1000, to: 0x1040 }, { instance: 'l2', from: 0x8000, to: 0x8040 }])];
    const f = drawFlips(9, { chip: 3, inference: 2 }, t);
    expect(f).toHaveLength(200);
    expect(new Set(f.map((x) => `${x.address}.${x.bit}`)).size).toBe(200);
    for (const x of f) {
      expect([3, 7]).toContain(x.bit);
      expect((x.address >= 0x1000 && x.address < 0x1040 && x.instance === 'l1') || (x.address >= 0x8000 && x.address < 0x8040 && x.instance === 'l2')).toBe(true);
      expect(x.time >= 5000 && x.time < 6000).toBe(true);
    }
    expect(f.map((x) => x.time)).toEqual([...f.map((x) => x.time)].sort((a, b) => a - b));
    // both ranges are hit (256 targetable bits, 200 drawn)
    expect(new Set(f.map((x) => x.instance)).size).toBe(2);
    expect(() => drawFlips(9, { chip: 0, inference: 0 }, [target({ count: 257, bits: [3, 7] }, [{ instance: 'l1', from: 0, to: 128 }])])).toThrow(/exceeds the 256 targetable bits/);
  });

  it('rate: the number of flips per inference is Binomial(bits, rate) (mean and variance over 2000 draws), positions uniform', () => {
    const bits = 0x1000 * 8;
    const p = 5e-4; // mean 16.4 flips
    const t = [target({ rate: p })];
    const counts: number[] = [];
    let high = 0;
    for (let i = 0; i < 2000; i++) {
      const f = drawFlips(3, { chip: 0, inference: i }, t);
      counts.push(f.length);
      high += f.filter((x) => x.address >= 0x1800).length;
    }
    const mean = counts.reduce((a, b) => a + b, 0) / counts.length;
    const variance = counts.reduce((a, b) => a + (b - mean) ** 2, 0) / (counts.length - 1);
    const mu = bits * p;
    const sigma2 = bits * p * (1 - p);
    // the sample mean within 4 standard errors; the variance within 15 %
    expect(Math.abs(mean - mu)).toBeLessThan(4 * Math.sqrt(sigma2 / counts.length));
    expect(Math.abs(variance / sigma2 - 1)).toBeLessThan(0.15);
    // half the bytes are in the upper half: about half the flips land there
    const total = counts.reduce((a, b) => a + b, 0);
    expect(Math.abs(high / total - 0.5)).toBeLessThan(4 * Math.sqrt(0.25 / total));
    expect(drawFlips(3, { chip: 0, inference: 0 }, [target({ rate: 0 })])).toEqual([]);
    expect(drawFlips(3, { chip: 0, inference: 0 }, [target({ rate: 1, bits: [0] }, [{ instance: 'l1', from: 0, to: 16 }])])).toHaveLength(16);
    expect(() => drawFlips(3, { chip: 0, inference: 0 }, [target({ rate: 0.5 }, [{ instance: 'l2', from: 0, to: 1 << 20 }])])).toThrow(/too-many|more than/);
  });

  it('items: chip-major, the same subset of samples on every chip', () => {
    const items = campaignItems({ chips: 2, inferences: 3, data: { first: 10 } } as never);
    expect(items.map((i) => `${i.chip}:${i.inference}:${i.sample}`)).toEqual(['0:0:10', '0:1:11', '0:2:12', '1:0:10', '1:1:11', '1:2:12']);
  });
});

describe('stuck-at and register draws', () => {
  it('stuck-at bits are per chip: the same for any inference, others for another chip; value random draws both values', () => {
    const t = [target({ kind: 'stuck-at', count: 400, value: 'random' })];
    const a = drawStuckBits(4, 0, t);
    expect(a).toHaveLength(400);
    expect(drawStuckBits(4, 0, t)).toEqual(a);
    expect(drawStuckBits(4, 1, t)).not.toEqual(a);
    const ones = a.filter((b) => b.value === 1).length;
    expect(Math.abs(ones - 200)).toBeLessThan(5 * 10); // binomial(400, 1/2): sd 10
    expect(drawStuckBits(4, 0, [target({ kind: 'stuck-at', count: 5, value: 0 })]).every((b) => b.value === 0)).toBe(true);
    // bit-flip draws ignore stuck-at faults and vice versa
    expect(drawFlips(4, { chip: 0, inference: 0 }, t)).toEqual([]);
    expect(drawStuckBits(4, 0, [target({ count: 3 })])).toEqual([]);
  });

  it('register flips spread uniformly over the registers and the 32 bits of each', () => {
    // x1..x31 of two cores: 62 registers x 32 bits = 1984 bits
    const t = [target({ count: 1000 }, [{ instance: 'pe0', from: 1, to: 32 }, { instance: 'pe1', from: 1, to: 32 }], 'registers')];
    const f = drawFlips(2, { chip: 0, inference: 0 }, t);
    expect(f).toHaveLength(1000);
    expect(new Set(f.map((x) => `${x.instance}/${x.address}/${x.bit}`)).size).toBe(1000); // distinct bits
    expect(f.every((x) => x.space === 'registers' && x.address >= 1 && x.address < 32 && x.bit >= 0 && x.bit < 32)).toBe(true);
    const perCore = ['pe0', 'pe1'].map((c) => f.filter((x) => x.instance === c).length);
    // without replacement from 1984 bits: the variance is below the binomial's, so 5 binomial sd bound it
    for (const n of perCore) expect(Math.abs(n - 500)).toBeLessThan(5 * Math.sqrt(1000 * 0.25));
    const highBits = f.filter((x) => x.bit >= 16).length;
    expect(Math.abs(highBits - 500)).toBeLessThan(5 * Math.sqrt(1000 * 0.25));
  });
});
