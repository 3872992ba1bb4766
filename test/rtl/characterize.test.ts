/**
 * The committed PE-array area characterization (platforms/tech/characterization/pe-array.json)
 * and the generated model (src/modules/pe-array/area.ts): a few small points re-synthesized with
 * Yosys give the committed cell counts; refitting the committed data reproduces the committed
 * module byte for byte; the fits' cross-validation errors are small; the data behave as
 * hardware must (GE grows with the array, wider PEs cost more).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../helpers/repo.js';
import {
  CHARACTERIZED_PE_TYPES, DEFAULT_DATA_FILE, DEFAULT_MODULE_FILE, GE_WEIGHTS, fitCharacterization, gateEquivalents, renderAreaModule, synthesizePoint, yosysVersion, type CharData,
} from '../../src/cli/characterize-command.js';
import { PE_AREA_FITS, peArrayGateEquivalents, peGateEquivalents } from '../../src/modules/pe-array/area.js';

const data = JSON.parse(readFileSync(join(repoRoot, DEFAULT_DATA_FILE), 'utf8')) as CharData;
const point = (t: string, r: number, c: number) => data.points.find((p) => p.peType === t && p.rows === r && p.cols === c)!;

/** Bound on every PE type's held-out (cross-validation) MAPE, %. */
const CV_MAPE_BOUND = 2;

const yosys = yosysVersion();
const why = yosys === undefined ? 'yosys is not installed' : yosys !== data.yosys ? `installed ${yosys} differs from the data's ${data.yosys} (counts are reproducible for one version only)` : '';

describe.skipIf(why !== '')(`re-synthesis of committed points with Yosys${why === '' ? '' : ` (skipped: ${why})`}`, () => {
  for (const [t, r, c] of [['int8', 1, 1], ['lightpe1', 2, 2], ['lightpe2', 1, 2]] as const) {
    it(`${t} ${r} x ${c}: same cells and GE as the data file`, async () => {
      const { point: p } = await synthesizePoint(t, r, c);
      const committed = point(t, r, c);
      expect(p).toEqual(committed);
    }, 60_000);
  }
});

describe('the committed characterization and model', () => {
  it('covers every PE type on the full grid, with weights for every cell type', () => {
    expect(data.points).toHaveLength(CHARACTERIZED_PE_TYPES.length * data.sizes.length ** 2);
    for (const p of data.points) {
      expect(p.cellCount).toBe(Object.values(p.cells).reduce((a, b) => a + b, 0));
      expect(p.ge).toBe(gateEquivalents(p.cells));
      for (const k of Object.keys(p.cells)) expect(GE_WEIGHTS[k], k).toBeDefined();
    }
    expect(data.geWeights).toEqual(GE_WEIGHTS);
  });

  it('refitting the committed data reproduces the committed module', () => {
    const text = renderAreaModule(data, fitCharacterization(data), DEFAULT_DATA_FILE);
    expect(text).toBe(readFileSync(join(repoRoot, DEFAULT_MODULE_FILE), 'utf8'));
  });

  it(`every fit's cross-validation MAPE is below ${CV_MAPE_BOUND} % and the model is close to every point`, () => {
    for (const t of CHARACTERIZED_PE_TYPES) {
      expect(PE_AREA_FITS[t].cvMape, t).toBeLessThan(CV_MAPE_BOUND);
      for (const p of data.points.filter((q) => q.peType === t)) {
        expect(Math.abs(peArrayGateEquivalents(t, p.rows, p.cols)! / p.ge - 1), `${t} ${p.rows}x${p.cols}`).toBeLessThan(CV_MAPE_BOUND / 100);
      }
    }
  });

  it('GE grows with rows and with cols, for every PE type', () => {
    for (const t of CHARACTERIZED_PE_TYPES) {
      const pts = data.points.filter((p) => p.peType === t);
      for (const a of pts) {
        for (const b of pts) {
          if (a !== b && a.rows <= b.rows && a.cols <= b.cols) expect(a.ge, `${t} ${a.rows}x${a.cols} < ${b.rows}x${b.cols}`).toBeLessThan(b.ge);
        }
      }
    }
  });

  it('per PE: int16 > int8 > lightpe1, and lightpe2 > lightpe1 (the data and the model)', () => {
    const n = Math.max(...data.sizes);
    const perPe = (t: string) => point(t, n, n).ge / (n * n);
    expect(perPe('int16')).toBeGreaterThan(perPe('int8'));
    expect(perPe('int8')).toBeGreaterThan(perPe('lightpe1'));
    expect(perPe('lightpe2')).toBeGreaterThan(perPe('lightpe1'));
    expect(peGateEquivalents('int16')!).toBeGreaterThan(peGateEquivalents('int8')!);
    expect(peGateEquivalents('int8')!).toBeGreaterThan(peGateEquivalents('lightpe1')!);
    expect(peGateEquivalents('fp32')).toBeUndefined();
  });

  it('beyond the characterized sizes the model is linear in the PE count', () => {
    const n = Math.max(...data.sizes);
    for (const t of CHARACTERIZED_PE_TYPES) {
      expect(peArrayGateEquivalents(t, 2 * n, 2 * n)!).toBeCloseTo(4 * peArrayGateEquivalents(t, n, n)!, 6);
      expect(peArrayGateEquivalents(t, 3 * n, n)!).toBeCloseTo(3 * peArrayGateEquivalents(t, n, n)!, 6);
    }
  });
});
