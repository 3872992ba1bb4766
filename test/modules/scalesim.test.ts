import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  PeArrayDef, bandwidthStalls, foldDemands, foldPlan, layerTiming, layerTimingFromParams, overallUtilization, scaleSimCompute, scaleSimConvGemm,
  type ArrayGeometry, type Dataflow,
} from '../../src/modules/pe-array/index.js';

/** SCALE-Sim v2 runs (test/fixtures/scalesim/README.md): configs, topology, per-layer results. */
const FIX = new URL('../fixtures/scalesim/', import.meta.url);
const read = (f: string): string => readFileSync(new URL(f, FIX), 'utf8');

function parseCfg(text: string): { rows: number; cols: number; dataflow: Dataflow; bwMode: string; bandwidth: number } {
  const kv = new Map<string, string>();
  for (const line of text.split('\n')) {
    const m = /^\s*([A-Za-z]+)\s*[:=]\s*(\S+)\s*$/.exec(line);
    if (m) kv.set(m[1]!, m[2]!);
  }
  const df = kv.get('Dataflow');
  if (df !== 'os' && df !== 'ws' && df !== 'is') throw new Error(`bad dataflow ${df}`);
  return { rows: Number(kv.get('ArrayHeight')), cols: Number(kv.get('ArrayWidth')), dataflow: df, bwMode: kv.get('InterfaceBandwidth')!, bandwidth: Number(kv.get('Bandwidth')) };
}

/** SCALE-Sim topology: every row ends with a trailing comma. */
function parseTopology(text: string): Array<{ name: string; M: number; N: number; K: number }> {
  const rows = text.trim().split('\n').slice(1);
  return rows.map((r) => {
    const f = r.split(',').map((x) => x.trim());
    return { name: f[0]!, M: Number(f[1]), N: Number(f[2]), K: Number(f[3]) };
  });
}

function parseCsv(text: string): Array<Record<string, string>> {
  const [head, ...rows] = text.trim().split('\n');
  const keys = head!.split(',');
  return rows.map((r) => Object.fromEntries(r.split(',').map((v, i) => [keys[i]!, v])));
}

/** CSV percentages and bandwidths are printed with 4 decimals. */
const close4 = (actual: number, printed: string): void => {
  expect(Math.abs(actual - Number(printed))).toBeLessThanOrEqual(0.5e-4 + 1e-9);
};

const RUNS = [
  { cfg: 'a8_os_calc.cfg', csv: 'gemm_a8_os_calc.csv' },
  { cfg: 'a8_ws_calc.cfg', csv: 'gemm_a8_ws_calc.csv' },
  { cfg: 'a8_is_calc.cfg', csv: 'gemm_a8_is_calc.csv' },
  { cfg: 'a8_os_user.cfg', csv: 'gemm_a8_os_user.csv' },
];

describe('SCALE-Sim v2 reference runs, reproduced column by column', () => {
  const topo = parseTopology(read('gemms_mnk.csv'));

  it('the topology has the three GEMMs', () => {
    expect(topo.map((t) => t.name)).toEqual(['GEMM_64x64x64', 'GEMM_128x256x64', 'GEMM_1000x512x1']);
  });

  for (const run of RUNS) {
    const cfg = parseCfg(read(run.cfg));
    const rows = parseCsv(read(run.csv));
    const arr: ArrayGeometry = { rows: cfg.rows, cols: cfg.cols, dataflow: cfg.dataflow };

    it(`${run.csv}: one row per topology layer, with the config's array and mode`, () => {
      expect(rows.length).toBe(topo.length);
      for (const [i, r] of rows.entries()) {
        expect(r.layer).toBe(topo[i]!.name);
        expect([Number(r.M), Number(r.N), Number(r.K)]).toEqual([topo[i]!.M, topo[i]!.N, topo[i]!.K]);
        expect(r.array).toBe(`${cfg.rows}x${cfg.cols}`);
        expect(r.dataflow).toBe(cfg.dataflow);
        expect(r.bw_mode).toBe(cfg.bwMode);
      }
    });

    for (const [i, layer] of topo.entries()) {
      it(`${run.csv} ${layer.name}: folds, cycles, MACs, SRAM accesses, utilisations`, () => {
        const r = rows[i]!;
        const c = scaleSimCompute(layer, arr);
        expect(c.rowFolds).toBe(Number(r.row_folds));
        expect(c.colFolds).toBe(Number(r.col_folds));
        expect(c.folds).toBe(Number(r.folds));
        expect(c.cyclesPerFold).toBe(Number(r.cycles_per_fold));
        expect(c.macs).toBe(Number(r.macs));
        // Stall-free compute cycles = SCALE-Sim total minus its stalls.
        expect(c.scaleSimCycles).toBe(Number(r.total_cycles) - Number(r.stall_cycles));
        expect(c.scaleSimCycles).toBe(Number(r.formula_cycles));
        expect(c.sramIfmapReads).toBe(Number(r.sram_ifmap_reads));
        expect(c.sramFilterReads).toBe(Number(r.sram_filter_reads));
        expect(c.sramOfmapWrites).toBe(Number(r.sram_ofmap_writes));
        close4(100 * c.mappingEfficiency, r.mapping_eff_pct!);
        close4(100 * c.computeUtilization, r.compute_util_pct!);
        const total = Number(r.total_cycles);
        close4(100 * overallUtilization(c.macs, total, arr), r.overall_util_pct!);
        close4(c.sramIfmapReads / total, r.avg_ifmap_sram_bw!);
        close4(c.sramFilterReads / total, r.avg_filter_sram_bw!);
        close4(c.sramOfmapWrites / total, r.avg_ofmap_sram_bw!);
        if (cfg.bwMode === 'CALC') {
          // CALC never stalls: our stall-free cycle count is SCALE-Sim's total + 1 (it prints the last index).
          expect(Number(r.stall_cycles)).toBe(0);
          expect(layerTiming(layer, arr, { mode: 'scalesim' }).cycles).toBe(total + 1);
        }
      });
    }
  }

  it('the worked examples of the formula notes: 64^3 GEMM on 8x8 os 4991, ws 5503 cycles', () => {
    expect(scaleSimCompute({ M: 64, N: 64, K: 64 }, { rows: 8, cols: 8, dataflow: 'os' }).scaleSimCycles).toBe(4991);
    expect(scaleSimCompute({ M: 64, N: 64, K: 64 }, { rows: 8, cols: 8, dataflow: 'ws' }).scaleSimCycles).toBe(5503);
  });
});

describe('timing from the declaration params', () => {
  it('reads geometry, mode, bandwidths and startup from PeArrayDef params', () => {
    const p = { rows: 4, cols: 4, dataflow: 'os' as const, timing: 'stalls' as const, ifmapWordsPerCycle: 1, filterWordsPerCycle: 100, ofmapWordsPerCycle: 100, startupCycles: 3 };
    // Same case as the hand-computed os 8x8x8 below: 56 compute cycles + 72 stalls, + 3 startup.
    expect(layerTimingFromParams({ M: 8, N: 8, K: 8 }, p).cycles).toBe(3 + 56 + 72);
    expect(layerTimingFromParams({ M: 8, N: 8, K: 8 }, { ...p, timing: 'scalesim' }).cycles).toBe(3 + 56);
    const defaults = Object.fromEntries(Object.entries(PeArrayDef.params).map(([k, s]) => [k, s.default === undefined ? undefined : (s.parse(s.default) as { value: unknown }).value]));
    // Eyeriss-like defaults: 12 x 14 ws; 64^3 GEMM: ceil(64/12) * ceil(64/14) = 6 * 5 folds of 2*12 + 14 + 64 - 2 = 100 cycles.
    expect(layerTimingFromParams({ M: 64, N: 64, K: 64 }, defaults as unknown as Parameters<typeof layerTimingFromParams>[1]).cycles).toBe(30 * 100);
  });
});

describe('SCALE-Sim convolution lowering', () => {
  it('uses ceil((H - F + s) / s) without padding', () => {
    // ResNet-18 Conv1 in SCALE-Sim's bundled topology: 224x224, 7x7, 3 channels, 64 filters, stride 2 -> 110x110.
    const conv1 = scaleSimConvGemm({ ifmapH: 224, ifmapW: 224, filterH: 7, filterW: 7, channels: 3, numFilters: 64, strideH: 2, strideW: 2 });
    expect(conv1).toEqual({ eh: 110, ew: 110, M: 12100, N: 64, K: 147 });
    // Conv3_s: 56x56, 1x1, stride 2 -> 29x29 (the usual rule gives 28).
    const c3s = scaleSimConvGemm({ ifmapH: 56, ifmapW: 56, filterH: 1, filterW: 1, channels: 64, numFilters: 128, strideH: 2, strideW: 2 });
    expect([c3s.eh, c3s.ew, c3s.K]).toEqual([29, 29, 64]);
    // 3x3 s1 on 56x56: 54x54.
    expect(scaleSimConvGemm({ ifmapH: 56, ifmapW: 56, filterH: 3, filterW: 3, channels: 64, numFilters: 64, strideH: 1, strideW: 1 }).M).toBe(54 * 54);
  });

  it('GEMM mode rows are convs with ifmap M x K, 1 x K filter, stride 1', () => {
    const g = scaleSimConvGemm({ ifmapH: 128, ifmapW: 64, filterH: 1, filterW: 64, channels: 1, numFilters: 256, strideH: 1, strideW: 1 });
    expect([g.M, g.N, g.K]).toEqual([128, 256, 64]);
  });
});

describe('fold shapes and first-order bandwidth stalls (hand-computed)', () => {
  const os44: ArrayGeometry = { rows: 4, cols: 4, dataflow: 'os' };

  it('edge folds: used rows/cols of the last fold', () => {
    const p = foldPlan({ M: 6, N: 9, K: 8 }, os44);
    expect([p.rowFolds, p.colFolds, p.lastRows, p.lastCols, p.cyclesPerFold]).toEqual([2, 3, 2, 1, 14]);
  });

  it('per-fold demands add up to the SCALE-Sim SRAM counts (os ofmap without the quirk)', () => {
    for (const dataflow of ['os', 'ws', 'is'] as const) {
      for (const d of [{ M: 6, N: 9, K: 8 }, { M: 13, N: 5, K: 11 }, { M: 4, N: 4, K: 4 }, { M: 1000, N: 512, K: 1 }]) {
        const a = { rows: 4, cols: 3, dataflow };
        const c = scaleSimCompute(d, a);
        const f = foldDemands(d, a);
        const sum = (g: (x: (typeof f)[number]) => number): number => f.reduce((s, x) => s + x.count * g(x), 0);
        expect(sum((x) => 1)).toBe(c.folds);
        expect(sum((x) => x.ifmapWords)).toBe(c.sramIfmapReads);
        expect(sum((x) => x.filterWords)).toBe(c.sramFilterReads);
        expect(sum((x) => x.ofmapWords)).toBe(dataflow === 'os' ? d.M * d.N : c.sramOfmapWrites);
        expect(sum((x) => x.usedRows * x.usedCols)).toBe(c.sr * c.sc);
      }
    }
  });

  it('os 8x8x8 on 4x4: 4 folds of L = 14, each moving 32 ifmap, 32 filter, 16 ofmap words', () => {
    const d = { M: 8, N: 8, K: 8 };
    expect(bandwidthStalls(d, os44, { ifmap: 1, filter: 100, ofmap: 100 })).toBe(4 * (32 - 14));
    expect(bandwidthStalls(d, os44, { ifmap: 2, filter: 2, ofmap: 2 })).toBe(4 * (16 - 14));
    expect(bandwidthStalls(d, os44, { ifmap: 4, filter: 4, ofmap: 1 })).toBe(4 * (16 - 14));
    expect(bandwidthStalls(d, os44, { ifmap: 3, filter: 3, ofmap: 3 })).toBe(0); // ceil(32/3) = 11 <= 14
    expect(bandwidthStalls(d, os44, { ifmap: Infinity, filter: Infinity, ofmap: Infinity })).toBe(0);
    const t = layerTiming(d, os44, { mode: 'stalls', bandwidths: { ifmap: 1, filter: 100, ofmap: 100 } });
    expect(t.stalls).toBe(72);
    expect(t.cycles).toBe(4 * 14 + 72);
    expect(t.utilization).toBeCloseTo(512 / ((56 + 72) * 16), 12);
    expect(layerTiming(d, os44, { mode: 'scalesim', bandwidths: { ifmap: 1, filter: 1, ofmap: 1 } }).stalls).toBe(0);
    expect(layerTiming(d, os44, { mode: 'scalesim', startupCycles: 5 }).cycles).toBe(5 + 56);
  });

  it('os with an edge row fold: M = 6 gives two folds of 4 rows (32 words) and two of 2 rows (16 words)', () => {
    expect(bandwidthStalls({ M: 6, N: 8, K: 8 }, os44, { ifmap: 1, filter: 100, ofmap: 100 })).toBe(2 * (32 - 14) + 2 * (16 - 14));
  });

  it('ws M=10 N=4 K=6 on 4x4: folds of 4 and 2 rows, L = 20', () => {
    const a: ArrayGeometry = { rows: 4, cols: 4, dataflow: 'ws' };
    // fold 1: filter 16, ifmap 10*4 = 40, ofmap 10*4 = 40; fold 2: filter 8, ifmap 20, ofmap 40.
    expect(bandwidthStalls({ M: 10, N: 4, K: 6 }, a, { ifmap: 1, filter: 1, ofmap: 1 })).toBe((40 - 20) + (40 - 20));
    expect(bandwidthStalls({ M: 10, N: 4, K: 6 }, a, { ifmap: 1, filter: 10, ofmap: 10 })).toBe(20 + 0);
  });

  it('is M=4 N=12 K=4 on 4x4: one fold, L = 22, ifmap 16, filter 48, ofmap 48 words', () => {
    const a: ArrayGeometry = { rows: 4, cols: 4, dataflow: 'is' };
    expect(bandwidthStalls({ M: 4, N: 12, K: 4 }, a, { ifmap: 1, filter: 2, ofmap: 4 })).toBe(24 - 22);
    expect(bandwidthStalls({ M: 4, N: 12, K: 4 }, a, { ifmap: 10, filter: 10, ofmap: 1 })).toBe(48 - 22);
  });

  it('refuses missing or non-positive bandwidths and bad sizes', () => {
    expect(() => layerTiming({ M: 1, N: 1, K: 1 }, os44, { mode: 'stalls' })).toThrow(RangeError);
    expect(() => bandwidthStalls({ M: 1, N: 1, K: 1 }, os44, { ifmap: 0, filter: 1, ofmap: 1 })).toThrow(RangeError);
    expect(() => foldPlan({ M: 0, N: 1, K: 1 }, os44)).toThrow(RangeError);
  });
});
