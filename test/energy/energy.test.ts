import { describe, expect, it } from 'vitest';
import { cleanGraph } from '../helpers/repo.js';
import {
  energyReport, formatArea, formatEnergy, formatEnergyReport, formatPower, parseOrigin, powerUw, type ActivityCounts, type EnergyReport,
} from '../../src/energy/index.js';
import { catalog, type ModuleSnapshot } from '../../src/modules/index.js';
import { SimError } from '../../src/util/index.js';

const load = cleanGraph;

const TINY = 'test/energy/fixtures/tiny.yaml';
const TECH = 'test/energy/fixtures/tech/tiny.yaml';
const US = 1_000_000; // 1 us in ps

/** Synthetic counts for the tiny platform (see the hand computation in each test). */
const COUNTS: readonly ActivityCounts[] = [
  { path: 'cpu', kind: 'core', busyPs: 800_000, energyEvents: { instruction: 1000 } },
  { path: 'bus', busyPs: 0, energyEvents: { transfer: 30 } },
  { path: 'l1', busyPs: 0, energyEvents: { read: 400, write: 100 } },
  { path: 'dma', busyPs: 250_000, energyEvents: {} },
  { path: 'l2', busyPs: 0, energyEvents: { access: 20 } },
];

const comp = (r: EnergyReport, name: string) => r.components.find((c) => c.instance === name)!;
const ev = (r: EnergyReport, name: string, event: string) => comp(r, name).events.find((e) => e.event === event)!;

describe('energy model on a hand-computed platform (1 us, tech/tiny.yaml)', () => {
  const graph = load(TINY);
  const r = energyReport(graph, COUNTS, US, catalog);

  it('per-event energy = count x cost', () => {
    expect(ev(r, 'cpu', 'instruction')).toMatchObject({ kind: 'per-event', category: 'dynamic', count: 1000, energyPj: 2500, energy: '2.5 nJ' });
    expect(ev(r, 'l1', 'read').energyPj).toBe(600); // 400 x 1.5 pJ
    expect(ev(r, 'bus', 'transfer').energyPj).toBe(15); // 30 x 0.5 pJ
    expect(ev(r, 'l2', 'access').energyPj).toBe(2000); // 20 x 100 pJ
  });

  it('busy energy = power x busy time; static energy = power x elapsed', () => {
    // 200 uW x 250 ns = 200e-6 W x 250e-9 s = 50e-12 J
    expect(ev(r, 'dma', 'active')).toMatchObject({ kind: 'busy', category: 'dynamic', timePs: 250_000, energyPj: 50, energy: '50 pJ' });
    // 50 uW x (1 us - 250 ns busy) = 37.5 pJ (background is drawn while clocked and idle: dynamic)
    expect(ev(r, 'dma', 'background')).toMatchObject({ kind: 'idle', category: 'dynamic', timePs: US - 250_000, energyPj: 37.5 });
    expect(ev(r, 'dma', 'leakage').energyPj).toBe(5);
    expect(ev(r, 'cpu', 'leakage').energyPj).toBe(10);
    expect(ev(r, 'l1', 'leakage').energyPj).toBe(4);
    expect(ev(r, 'bus', 'leakage').energyPj).toBe(1);
  });

  it('component totals, power, duty cycle and area', () => {
    expect(comp(r, 'cpu')).toMatchObject({ dynamicPj: 2500, staticPj: 10, totalPj: 2510, total: '2.51 nJ', averagePowerUw: 2510, averagePower: '2.51 mW', dutyCycle: 0.8, areaUm2: 250_000, area: '0.25 mm2' });
    expect(comp(r, 'l1')).toMatchObject({ dynamicPj: 600, staticPj: 4, totalPj: 604, averagePowerUw: 604, areaUm2: 16_384 }); // 16 KiB x 8 bits x 0.125 um2
    expect(comp(r, 'dma')).toMatchObject({ dynamicPj: 87.5, staticPj: 5, totalPj: 92.5, averagePowerUw: 92.5, dutyCycle: 0.25, areaUm2: 0 });
    expect(comp(r, 'l2')).toMatchObject({ dynamicPj: 2000, staticPj: 0, totalPj: 2000, averagePower: '2 mW', areaUm2: 1_048_576 }); // 64 KiB x 8 bits x 2 um2
    expect(comp(r, 'bus')).toMatchObject({ dynamicPj: 15, staticPj: 1, totalPj: 16, averagePowerUw: 16, areaUm2: 1000, area: '1000 um2' });
  });

  it('report totals: energy, split, average power, area', () => {
    expect(r.components.map((c) => c.instance)).toEqual(['cpu', 'bus', 'l1', 'dma', 'l2']);
    expect(r).toMatchObject({
      platform: 'tiny', elapsedPs: US, elapsed: '1 us',
      dynamicPj: 5202.5, staticPj: 20, totalPj: 5222.5, total: '5.2225 nJ',
      averagePowerUw: 5222.5, averagePower: '5.2225 mW',
      areaUm2: 250_000 + 1000 + 16_384 + 1_048_576,
    });
  });

  it('every price names its source: tech file and text, platform file, or declaration default', () => {
    expect(ev(r, 'cpu', 'instruction').price).toEqual({ param: 'instrEnergy', value: 2.5, unit: 'pJ', text: '2.5 pJ', origin: 'tech', file: TECH, source: 'paper A, table 2' });
    expect(ev(r, 'dma', 'active').price).toMatchObject({ param: 'activePower', value: 200, unit: 'uW', origin: 'tech', file: TECH, source: 'paper C (active)' });
    expect(comp(r, 'l2').areaPrice).toEqual({ param: 'bitArea', value: 2, unit: 'um2', text: '2 um2', origin: 'instance', file: TINY, source: 'instance params in the platform file' });
    expect(comp(r, 'l2').areaFormula).toEqual({ units: 524_288, per: 'bit', text: '524288 bits x 2 um2' });
    expect(comp(r, 'dma').areaPrice).toMatchObject({ origin: 'default', source: 'declaration default', value: 0 });
    expect(r.prices).toHaveLength(17); // 12 energy events + 5 areas, each used once
    expect(r.prices.find((p) => p.kind === 'xbar' && p.param === 'transferEnergy')).toMatchObject({ source: 'derived: router model D scaled to 32 bits', file: TECH, instances: ['bus'] });
  });

  it('unpriced events and areas are flagged, never silently zero', () => {
    expect(r.unpriced.map(({ instance, event, param, reason }) => ({ instance, event, param, reason }))).toEqual([
      { instance: 'l1', event: 'write', param: 'writeEnergy', reason: 'not-characterised' },
      { instance: 'dma', event: 'area', param: 'area', reason: 'zero' },
      { instance: 'l2', event: 'leakage', param: 'leakage', reason: 'not-characterised' },
    ]);
    expect(ev(r, 'l1', 'write')).toMatchObject({ count: 100, energyPj: 0, unpriced: 'not-characterised' });
    expect(ev(r, 'l1', 'read').unpriced).toBeUndefined();
    expect(comp(r, 'l1').unpriced).toHaveLength(1);
    expect(r.unpriced[0]!.message).toBe(`l1.write: writeEnergy = 0 pJ is not characterised (${TECH}: not characterised (placeholder 0))`);
    expect(r.unpriced[1]!.message).toBe('dma.area: area = 0 um2 (declaration default)');
  });

  it('formats a table with units, numbered sources and the unpriced list', () => {
    const t = formatEnergyReport(r);
    expect(t).toContain('energy report: platform tiny, simulated time 1 us');
    expect(t).toContain('total energy 5.2225 nJ (dynamic 5.2025 nJ, static 20 pJ), average power 5.2225 mW, area 1.31596 mm2');
    expect(t).toMatch(/^cpu +instruction +per-event +1000 x +2\.5 pJ +2\.5 nJ +47\.9 % +\[1\]$/m);
    expect(t).toMatch(/^dma +background +idle +idle 750 ns +50 uW +37\.5 pJ +0\.7 % +\[12\]$/m);
    expect(t).toMatch(/^dma +active +busy +busy 250 ns +200 uW +50 pJ +1\.0 % +\[11\]$/m);
    expect(t).toMatch(/^l1 +write +per-event +100 x +0 pJ +0 pJ +0\.0 % +\[8\] UNPRICED$/m);
    expect(t).toMatch(/^total +5\.2025 nJ +20 pJ +5\.2225 nJ +100\.0 % +5\.2225 mW +1\.31596 mm2$/m);
    expect(t).toMatch(/^l2 +memory +0\.0 % +2 nJ +0 pJ +2 nJ +38\.3 % +2 mW +1\.04858 mm2 +\[17\]$/m);
    expect(t).toContain(`  [1] core.instrEnergy = 2.5 pJ: tech ${TECH}: paper A, table 2 (cpu)`);
    expect(t).toContain(`  [17] memory.bitArea = 2 um2: platform ${TINY}: instance params in the platform file (l2)`);
    expect(t).toContain('unpriced (counted as 0 or a placeholder; characterise before trusting the totals): 3');
  });
});

describe('energy model: edge cases', () => {
  const graph = load(TINY);

  it('an instance without counts still draws static power and is flagged not simulated', () => {
    const r = energyReport(graph, COUNTS.filter((c) => c.path !== 'bus'), US, catalog);
    expect(comp(r, 'bus')).toMatchObject({ simulated: false, dynamicPj: 0, staticPj: 1, totalPj: 1, dutyCycle: 0 });
    expect(comp(r, 'bus').unpriced.map((u) => [u.event, u.reason])).toEqual([['transfer', 'not-simulated']]);
    expect(r.totalPj).toBe(5222.5 - 15);
    expect(formatEnergyReport(r)).toMatch(/^bus +xbar +n\/a /m);
  });

  it('busy time beyond the elapsed time is clipped; zero elapsed time gives zero power', () => {
    const r = energyReport(graph, [{ path: 'dma', busyPs: 3 * US, energyEvents: {} }], US, catalog);
    expect(ev(r, 'dma', 'active')).toMatchObject({ timePs: US, energyPj: 200 });
    expect(comp(r, 'dma').dutyCycle).toBe(1);
    const z = energyReport(graph, COUNTS, 0, catalog);
    expect(z).toMatchObject({ staticPj: 0, dynamicPj: 2500 + 15 + 600 + 2000, averagePowerUw: 0, averagePower: '0 uW', elapsed: '0 s' });
    expect(formatEnergyReport(z)).toContain('total energy 5.115 nJ');
  });

  it('accepts module snapshots as they are', () => {
    const snap: ModuleSnapshot = { path: 'l1', kind: 'scratchpad', periodPs: 10_000, busyPs: 0, energyEvents: { read: 2, write: 0 }, stats: { reads: 2 }, ports: {} };
    expect(ev(energyReport(graph, [snap], US, catalog), 'l1', 'read').energyPj).toBe(3);
  });

  it('refuses counts that do not fit the platform', () => {
    const code = (f: () => unknown): string => {
      try {
        f();
      } catch (e) {
        return e instanceof SimError ? `${e.code}: ${e.message}` : String(e);
      }
      return 'no error';
    };
    expect(code(() => energyReport(graph, [{ path: 'gpu', busyPs: 0, energyEvents: {} }], US, catalog))).toBe("energy-unknown-instance: energy: counts given for 'gpu', which is not an instance of platform 'tiny'");
    expect(code(() => energyReport(graph, [{ path: 'l1', kind: 'memory', busyPs: 0, energyEvents: {} }], US, catalog))).toMatch(/^energy-unknown-instance: .*kind 'memory'.*scratchpad/);
    expect(code(() => energyReport(graph, [{ path: 'l1', busyPs: 0, energyEvents: { leakage: 1 } }], US, catalog))).toBe("energy-unknown-event: energy: 'l1' (scratchpad) has no per-event energy event 'leakage' (declared: read, write)");
    expect(code(() => energyReport(graph, [{ path: 'l1', busyPs: 0, energyEvents: { read: -1 } }], US, catalog))).toMatch(/^energy-bad-input: /);
    expect(code(() => energyReport(graph, [COUNTS[0]!, COUNTS[0]!], US, catalog))).toMatch(/^energy-bad-input: .*twice/);
    expect(code(() => energyReport(graph, [], -1, catalog))).toMatch(/^energy-bad-input: /);
  });

  it('parses graph origins and formats quantities', () => {
    expect(parseOrigin('tech:platforms/tech/x.yaml: a: b, c', 'p.yaml')).toEqual({ origin: 'tech', file: 'platforms/tech/x.yaml', source: 'a: b, c' });
    expect(parseOrigin('instance', 'p.yaml')).toEqual({ origin: 'instance', file: 'p.yaml', source: 'instance params in the platform file' });
    expect(parseOrigin('default', 'p.yaml')).toEqual({ origin: 'default', source: 'declaration default' });
    expect(parseOrigin(undefined, 'p.yaml')).toEqual({ origin: 'unknown', source: 'no value' });
    expect([formatEnergy(0.25), formatEnergy(5235), formatEnergy(3e12), formatEnergy(0)]).toEqual(['250 fJ', '5.235 nJ', '3 J', '0 pJ']);
    expect([formatPower(0.5), formatPower(187), formatPower(2.5e6)]).toEqual(['500 nW', '187 uW', '2.5 W']);
    expect([formatArea(9999), formatArea(12_500), formatArea(2e6)]).toEqual(['9999 um2', '0.0125 mm2', '2 mm2']);
    expect(powerUw(50, 1e6)).toBe(50); // 50 pJ over 1 us = 50 uW
  });
});

describe('energy model on the PULP cluster (platforms/pulp-cluster.yaml)', () => {
  const graph = load('platforms/pulp-cluster.yaml');
  const r = energyReport(graph, [
    { path: 'pe0', busyPs: 40_000, energyEvents: { instruction: 10 } },
    { path: 'l1', busyPs: 0, energyEvents: { read: 100, write: 0 } },
  ], 40_000, catalog); // 10 cycles at 250 MHz

  it('prices from the GVSoC tables with their sources', () => {
    expect(ev(r, 'pe0', 'instruction').energyPj).toBeCloseTo(24.9, 12); // 10 x 2.49 pJ
    expect(ev(r, 'pe0', 'instruction').price).toMatchObject({ origin: 'tech', file: 'platforms/tech/pulp-open.yaml', source: expect.stringContaining('gvsoc/gvsoc-pulp') });
    expect(ev(r, 'pe0', 'leakage').energyPj).toBeCloseTo(1.2, 12); // 30 uW x 40 ns
    expect(ev(r, 'l1', 'read').energyPj).toBeCloseTo(212, 10); // 100 x 2.12 pJ
  });

  it('flags what the tech file does not characterise', () => {
    const flagged = new Set(r.unpriced.map((u) => `${u.instance}.${u.event}:${u.reason}`));
    expect(flagged).toContain('l1.leakage:not-characterised');
    expect(flagged).toContain('eu.request:not-characterised');
    expect(flagged).toContain('pe0.area:not-characterised');
    expect(flagged).not.toContain('l1.area:not-characterised'); // bitArea: a 22 nm-class SRAM estimate (tech file)
    expect(flagged).toContain('pe1.instruction:not-simulated');
    expect(flagged).not.toContain('pe0.instruction:not-characterised');
  });
});
