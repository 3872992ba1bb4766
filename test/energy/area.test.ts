/**
 * Area from the declarations: the pe-array's area terms (logic GE from the Yosys
 * characterization x gateArea, per-PE scratchpad bits x spadBitArea), memories' bits x bitArea,
 * on the shipped platforms with their tech files; and the MAC energy scaled by PE type.
 */
import { describe, expect, it } from 'vitest';
import { cleanGraph } from '../helpers/repo.js';
import { tracePrices } from '../../src/cli/run-command.js';
import { energyReport, type EnergyReport } from '../../src/energy/index.js';
import { catalog } from '../../src/modules/index.js';
import { peArrayGateEquivalents, peGateEquivalents } from '../../src/modules/pe-array/area.js';
import { macEnergyScale } from '../../src/modules/pe-array/def.js';
import type { PlatformGraph } from '../../src/platform/index.js';

const comp = (r: EnergyReport, name: string) => r.components.find((c) => c.instance === name)!;

/** The graph with some params of one instance replaced (what a sweep point does). */
function withParams(g: PlatformGraph, inst: string, params: Readonly<Record<string, unknown>>): PlatformGraph {
  const node = g.instances[inst]!;
  return { ...g, instances: { ...g.instances, [inst]: { ...node, params: { ...node.params, ...params } } } };
}

describe('area of eyeriss-like (platforms/tech/eyeriss-65nm.yaml)', () => {
  const g = cleanGraph('platforms/eyeriss-like.yaml');
  const r = energyReport(g, [], 0, catalog);

  it('PE array = GE(int16, 12, 14) x gateArea + spad bits x spadBitArea', () => {
    const ge = peArrayGateEquivalents('int16', 12, 14)!;
    const spadBits = 12 * 14 * (12 + 224 + 24) * 16; // 698880 bits
    const pes = comp(r, 'pes');
    expect(pes.areaTerms.map((t) => [t.price.param, t.units])).toEqual([['gateArea', ge], ['spadBitArea', spadBits], ['area', 1]]);
    expect(pes.areaTerms[0]!.price).toMatchObject({ value: 1.44, origin: 'tech', file: 'platforms/tech/eyeriss-65nm.yaml', source: expect.stringContaining('estimate') });
    expect(pes.areaUm2).toBeCloseTo(ge * 1.44 + spadBits * 1.6, 6);
    // 12 x 14 is beyond the characterized 8 x 8: linear in the PE count from the 8 x 8 fit
    expect(ge).toBeCloseTo((peArrayGateEquivalents('int16', 8, 8)! * 168) / 64, 9);
    // the extra `area` term is 0 by default and not flagged; the priced terms are not flagged either
    expect(r.unpriced.filter((u) => u.instance === 'pes' && u.event === 'area')).toEqual([]);
  });

  it('a PE type without characterization (fp32) has unknown logic area: flagged, never a silent 0', () => {
    const f = energyReport(withParams(g, 'pes', { peType: 'fp32' }), [], 0, catalog);
    const flags = f.unpriced.filter((u) => u.instance === 'pes' && u.event === 'area');
    expect(flags.map((u) => [u.param, u.reason])).toEqual([['gateArea', 'not-characterised']]);
    expect(flags[0]!.message).toContain('no NAND2 equivalents known for these params');
    expect(comp(f, 'pes').areaUm2).toBeCloseTo(12 * 14 * 260 * 16 * 1.6, 6); // the scratchpads only
  });

  it('memories = bits x bitArea; the off-chip DRAM counts 0 (flagged zero, with its reason)', () => {
    expect(comp(r, 'glb').areaUm2).toBeCloseTo(108 * 1024 * 8 * 0.81, 6);
    expect(comp(r, 'glb').areaFormula).toEqual({ units: 884_736, per: 'bit', text: `884736 bits x ${comp(r, 'glb').areaPrice!.text}` });
    expect(comp(r, 'dram').areaUm2).toBe(0);
    expect(r.unpriced.find((u) => u.instance === 'dram' && u.event === 'area')?.message).toContain('off-chip DRAM');
  });

  it('the report area is the sum of the components and non-zero', () => {
    expect(r.areaUm2).toBeGreaterThan(0);
    expect(r.areaUm2).toBeCloseTo(r.components.reduce((s, c) => s + c.areaUm2, 0), 6);
  });
});

describe('area of the other shipped platforms becomes non-zero', () => {
  for (const [file, inst] of [['platforms/diana-like.yaml', 'l1'], ['platforms/pulp-cluster.yaml', 'l1'], ['platforms/hermes-like.yaml', undefined]] as const) {
    it(file, () => {
      const r = energyReport(cleanGraph(file), [], 0, catalog);
      expect(r.areaUm2).toBeGreaterThan(0);
      if (inst !== undefined) {
        const c = comp(r, inst);
        expect(c.areaUm2).toBeCloseTo(c.areaFormula!.units * c.areaPrice!.value, 6);
        expect(c.areaPrice!.source).toContain('estimate');
      }
    });
  }

  it('diana-like PE array: GE(int8, 16, 16) x 0.267 um2; its spad term is flagged not characterised', () => {
    const r = energyReport(cleanGraph('platforms/diana-like.yaml'), [], 0, catalog);
    const name = r.components.find((c) => c.kind === 'pe-array')!.instance;
    expect(comp(r, name).areaUm2).toBeCloseTo(peArrayGateEquivalents('int8', 16, 16)! * 0.267, 6);
    expect(r.unpriced.filter((u) => u.instance === name && u.event === 'area').map((u) => [u.param, u.reason])).toEqual([['spadBitArea', 'not-characterised']]);
  });
});

describe('MAC energy by PE type (switched-capacitance proxy)', () => {
  const g = cleanGraph('platforms/eyeriss-like.yaml');
  const macs = (graph: PlatformGraph) => energyReport(graph, [{ path: 'pes', busyPs: 0, energyEvents: { mac: 1000 } }], 1000, catalog);
  const mac = (r: EnergyReport) => comp(r, 'pes').events.find((e) => e.event === 'mac')!;

  it('the tech file\'s own PE type (int16) costs macEnergy as is', () => {
    expect(mac(macs(g))).toMatchObject({ scale: 1, energyPj: 1000 }); // 1000 x 1 pJ
  });

  it('another PE type costs macEnergy x GE(PE of that type) / GE(int16 PE)', () => {
    for (const t of ['int8', 'lightpe1', 'lightpe2'] as const) {
      const e = mac(macs(withParams(g, 'pes', { peType: t })));
      const s = peGateEquivalents(t)! / peGateEquivalents('int16')!;
      expect(e.scale).toBeCloseTo(s, 12);
      expect(e.energyPj).toBeCloseTo(1000 * s, 9);
      expect(e.scale).toBeLessThan(1);
    }
    expect(macEnergyScale('int8', 'same')).toBe(1);
    expect(macEnergyScale('fp32', 'int16')).toBe(1); // no characterization: unscaled, as documented
  });
});

describe('AIMC tiles of hermes-like (platforms/tech/hermes-14nm.yaml): cells + ADCs, ADC energy by resolution', () => {
  const g = cleanGraph('platforms/hermes-like.yaml');
  const area = (p: PlatformGraph): number => comp(energyReport(p, [], 0, catalog), 'aimc0').areaUm2;

  it('area = rows x cols x cellArea + ceil(units / columnsPerAdc) x adcArea x 2^(adcBits - 8); the shipped tile is the derived 0.62 mm2', () => {
    // 256 x 512 cells, differential with analog subtraction: 256 conversion units, one ADC each, 8 bits
    expect(area(g)).toBeCloseTo(256 * 512 * 2.365 + 256 * 1211, 3);
    expect(area(g) / 1e6).toBeCloseTo(0.62, 2);
    expect(area(withParams(g, 'aimc0', { rows: 1024 }))).toBeCloseTo(1024 * 512 * 2.365 + 256 * 1211, 3);
    expect(area(withParams(g, 'aimc0', { adcBits: 5 }))).toBeCloseTo(256 * 512 * 2.365 + 256 * 1211 / 8, 3);
    expect(area(withParams(g, 'aimc0', { columnsPerAdc: 8, subtraction: 'digital' }))).toBeCloseTo(256 * 512 * 2.365 + 64 * 1211, 3);
  });

  it('an ADC conversion costs adcConversionEnergy x f(adcBits) / f(8), f(B) = 100 B + 0.001 4^B', () => {
    const f = (b: number): number => 100 * b + 0.001 * 4 ** b;
    const conv = (p: PlatformGraph): number => {
      const r = energyReport(p, [{ path: 'aimc0', energyEvents: { conversion: 1000 }, busyPs: 0 }], 1, catalog);
      return comp(r, 'aimc0').events.find((e) => e.event === 'conversion')!.energyPj;
    };
    expect(conv(g)).toBeCloseTo(1000 * 0.7, 9);
    for (const b of [4, 6, 9]) expect(conv(withParams(g, 'aimc0', { adcBits: b }))).toBeCloseTo(1000 * 0.7 * f(b) / f(8), 9);
    // hermes-exact gives 0.94 pJ at its own 9 bits (adcEnergyRefBits 9): unscaled
    const exact = cleanGraph('platforms/hermes-exact.yaml');
    expect(conv(exact)).toBeCloseTo(1000 * 0.94, 9);
  });
});

describe('trace energy prices', () => {
  it('a per-event price is the tech price times the kind\'s scale for the instance, with or without events (LightPE-1 MACs on eyeriss-like, no MAC run)', () => {
    const g = withParams(cleanGraph('platforms/eyeriss-like.yaml'), 'pes', { peType: 'lightpe1' });
    const r = energyReport(g, [], 0, catalog);
    const mac = comp(r, 'pes').events.find((e) => e.event === 'mac')!;
    expect(mac.count ?? 0).toBe(0);
    expect(mac.scale).toBeCloseTo(macEnergyScale('lightpe1', 'int16'), 12);
    expect(mac.scale).toBeLessThan(1);
    expect(tracePrices(r).get('pes')!.perEventPj['mac']).toBeCloseTo(mac.price.value * macEnergyScale('lightpe1', 'int16'), 12);
  });
});
