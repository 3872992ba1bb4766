/**
 * Analog non-idealities of the AIMC tile (src/modules/aimc-tile/noise.ts): sampled statistics
 * of every model against its formula over many draws, with the tolerance stated in each test;
 * the ideal tile stays bit-exact; seeding by (seed, chip, inference, instance path, purpose).
 *
 * Tile used for statistics: offset mapping, 8-bit cells holding 8-bit weights in one slice, so a
 * weight w is the level w + 128 of one device (g = (w + 128) / 255) and output j of an input
 * e_0 = 1 on one row is that device's conductance in level units minus 128; a 16-bit ADC with
 * an LSB of 1/64 level unit (quantization std 0.0045, negligible against every sigma tested).
 */
import { describe, expect, it } from 'vitest';
import {
  AimcAnalogDevice, AimcTileDef, IDEAL_AIMC_NOISE, aimcActiveNonIdealities, aimcMvm, aimcNoiseFromParams, driftNuParams, programSigmaUs, programTile,
  readNoiseQs, readNoiseTimeFactor, type AimcNoiseConfig, type AimcTileConfig, type AimcTileState,
} from '../../src/modules/aimc-tile/index.js';
import { Rng } from '../../src/util/index.js';

const cfg = (o: Partial<AimcTileConfig> = {}): AimcTileConfig => ({
  rows: 256, cols: 256, mapping: 'offset', subtraction: 'analog', cellBits: 8, weightBits: 8, inputBits: 8, inputSigned: true, dac: 'pulse-width', dacSliceBits: 1,
  adc: { bits: 16, fullScale: 512, gain: 1, coding: 'twos-complement' }, ...o,
});
const noise = (o: Partial<AimcNoiseConfig>): AimcNoiseConfig => ({ ...IDEAL_AIMC_NOISE, ...o });
const device = (c: AimcTileConfig, n: AimcNoiseConfig, o: { chip?: number; inference?: number; path?: string; seed?: number } = {}): AimcAnalogDevice =>
  new AimcAnalogDevice(c, n, { path: o.path ?? 'aimc0', columnsPerAdc: 1, streams: { seed: o.seed ?? 7, chip: o.chip ?? 0, inference: o.inference ?? 0 } });
/** K x N matrix of one weight, programmed on `d`. */
const programConst = (d: AimcAnalogDevice, w: number, k: number, n: number): AimcTileState => d.program(programTile(d.config, new Int32Array(k * n).fill(w), k, n));

function stats(a: ArrayLike<number>): { mean: number; std: number } {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]!;
  const mean = s / a.length;
  let v = 0;
  for (let i = 0; i < a.length; i++) v += (a[i]! - mean) ** 2;
  return { mean, std: Math.sqrt(v / (a.length - 1)) };
}
/** The programmed K x N block of device conductances (uS). */
const block = (st: AimcTileState): Float64Array => {
  const out = new Float64Array(st.k * st.n);
  for (let i = 0; i < st.k; i++) for (let j = 0; j < st.n; j++) out[i * st.n + j] = st.analog!.gProgUs[i * st.config.cols + j]!;
  return out;
};
/** Outputs of `reps` MVMs of input x on `st` (concatenated). */
function mvms(st: AimcTileState, x: number[], reps: number): Float64Array {
  const out = new Float64Array(reps * st.n);
  for (let r = 0; r < reps; r++) out.set(aimcMvm(st, x).out, r * st.n);
  return out;
}

describe('aimc-tile noise: the declaration', () => {
  it('every non-ideality is off by default (the ideal tile), and the file units map to natural units', () => {
    const defaults = Object.fromEntries(Object.entries(AimcTileDef.params).map(([k, s]) => [k, s.default === undefined ? undefined : s.parse(s.default).ok ? (s.parse(s.default) as { value: unknown }).value : undefined]));
    const n = aimcNoiseFromParams(defaults as never);
    expect(aimcActiveNonIdealities(n)).toEqual([]);
    expect(n).toEqual(IDEAL_AIMC_NOISE);
    const p = aimcNoiseFromParams({ ...defaults, programNoise: 'normal', programNoiseStd: 50000, stuckOffRate: 90000, driftTime: 86400, drift: 'pcm', adcOffsetStd: 500, gMax: 25000, programNoiseScale: 50 } as never);
    expect(p).toMatchObject({ programNoiseStd: 0.05, stuckOffRate: 0.09, driftTimeS: 86400, adc: { offsetStdLsb: 0.5 }, gMaxUs: 25, programNoiseScale: 0.5 });
    expect(aimcActiveNonIdealities(p)).toEqual(['programNoise', 'drift', 'stuckCells', 'adcOffset']);
    // zero-valued settings count as off
    expect(aimcActiveNonIdealities(noise({ programNoise: 'normal', programNoiseStd: 0, drift: 'pcm', driftTimeS: 0, readNoise: 'pcm', readNoiseScale: 0 }))).toEqual([]);
  });
});

describe('aimc-tile noise: programming noise (65536 devices per case; mean within 4 sigma/sqrt(n), std within 2 %)', () => {
  // MODELS.md section 2 values, recomputed here from the published coefficients
  it('the fits give the published values', () => {
    expect(programSigmaUs('pcm', 0.01 * 25, 25)).toBeCloseTo(0.28, 2);
    expect(programSigmaUs('pcm', 0.1 * 25, 25)).toBeCloseTo(0.45, 2);
    expect(programSigmaUs('pcm', 0.5 * 25, 25)).toBeCloseTo(0.95, 2);
    expect(programSigmaUs('pcm', 25, 25)).toBeCloseTo(1.06, 2);
    expect(programSigmaUs('hermes', 20.7, 20.7)).toBeCloseTo(0.16603 + 4.71806 - 8.48101 + 4.68961, 4);
    expect(programSigmaUs('hermes-1', 10.35, 10.35)).toBeCloseTo(0.15782 + 2.32444 - 2.16311 + 0.68842, 4);
    expect(programSigmaUs('pcm-joshi', 10, 25)).toBeCloseTo(-0.00178767 * 100 + 0.07585724 * 10 + 0.28638599, 8);
    expect(programSigmaUs('rram', 20, 40)).toBeCloseTo(0.348 + 16.03 * 0.5 - 43.853 * 0.25 + 45.393 * 0.125 - 16.815 * 0.0625, 8);
    // Gmax other than the fit's reference scales sigma (AIHWKit g_max / reference)
    expect(programSigmaUs('pcm', 5, 10)).toBeCloseTo((programSigmaUs('pcm', 12.5, 25) * 10) / 25, 10);
  });

  const c = cfg();
  for (const [model, w] of [['pcm', 127], ['pcm', 0], ['hermes', 127], ['hermes', -100], ['hermes-1', 50], ['pcm-joshi', 0], ['rram', 0], ['rram-1d', 100]] as const) {
    it(`${model} at g = ${((w + 128) / 255).toFixed(3)}: mean G_t, std sigma_prog(g)`, () => {
      const d = device(c, noise({ programNoise: model }));
      const st = programConst(d, w, 256, 256);
      const gMax = d.gMaxUs;
      const Gt = ((w + 128) / 255) * gMax;
      const sigma = programSigmaUs(model, Gt, gMax);
      const s = stats(block(st));
      expect(Math.abs(s.mean - Gt)).toBeLessThan((4 * sigma) / 256);
      expect(s.std / sigma).toBeGreaterThan(0.98);
      expect(s.std / sigma).toBeLessThan(1.02);
    });
  }
  it('programNoiseScale 50 % halves sigma; generic normal / uniform, absolute and relative to G_t', () => {
    const half = stats(block(programConst(device(c, noise({ programNoise: 'pcm', programNoiseScale: 0.5 })), 0, 256, 256)));
    expect(half.std / (0.5 * programSigmaUs('pcm', (128 / 255) * 25, 25))).toBeCloseTo(1, 1);
    const gMax = 25;
    for (const [model, w, sigma] of [['normal', 127, 0.05 * gMax], ['normal-rel', -64, 0.05 * (64 / 255) * gMax], ['uniform', 0, 0.05 * gMax], ['uniform-rel', 127, 0.05 * gMax]] as const) {
      const st = programConst(device(c, noise({ programNoise: model, programNoiseStd: 0.05 })), w, 256, 256);
      const g = block(st);
      const s = stats(g);
      const Gt = ((w + 128) / 255) * gMax;
      expect(Math.abs(s.mean - Gt), model).toBeLessThan((4 * sigma) / 256);
      expect(s.std / sigma, model).toBeGreaterThan(0.98);
      expect(s.std / sigma, model).toBeLessThan(1.02);
      if (model.startsWith('uniform')) {
        // bounded: |G - G_t| <= sqrt(3) sigma
        for (const v of g) expect(Math.abs(v - Gt)).toBeLessThanOrEqual(Math.sqrt(3) * sigma + 1e-12);
      }
    }
  });
  it('conductances are clipped at 0 (AIHWKit): a level-0 device under pcm noise is never negative', () => {
    const g = block(programConst(device(c, noise({ programNoise: 'pcm' })), -128, 64, 64));
    expect(Math.min(...g)).toBe(0);
    expect(g.filter((v) => v > 0).length / g.length).toBeCloseTo(0.5, 1);
  });
});

describe('aimc-tile noise: stuck cells, finite levels, IR drop', () => {
  it('stuck-at-ON 1 % / OFF 9 % (MNSIM defaults): rates within 5 binomial sigma over 65536 cells, persistent per chip, new per chip', () => {
    const c = cfg();
    const n = noise({ stuckOnRate: 0.01, stuckOffRate: 0.09 });
    const d = device(c, n);
    const g = block(programConst(d, 0, 256, 256)); // mid level: stuck values are the only 0 and Gmax
    const on = g.filter((v) => v === 25).length / g.length;
    const off = g.filter((v) => v === 0).length / g.length;
    const tol = (p: number): number => 5 * Math.sqrt((p * (1 - p)) / g.length);
    expect(Math.abs(on - 0.01)).toBeLessThan(tol(0.01));
    expect(Math.abs(off - 0.09)).toBeLessThan(tol(0.09));
    // a second PROGRAM on the same chip, and another inference on the chip: the same cells
    const again = block(programConst(d, 0, 256, 256));
    expect(again).toEqual(g);
    expect(block(programConst(device(c, n, { inference: 5 }), 0, 256, 256))).toEqual(g);
    expect(block(programConst(device(c, n, { chip: 1 }), 0, 256, 256))).not.toEqual(g);
  });
  it('finite conductance levels: 4 levels give only 0, Gmax/3, 2 Gmax/3, Gmax', () => {
    const c = cfg();
    const W = Int32Array.from({ length: 64 * 64 }, (_, i) => (i % 256) - 128);
    const st = device(c, noise({ conductanceLevels: 4 })).program(programTile(c, W, 64, 64));
    const vals = new Set(Array.from(block(st), (v) => Math.round(v * 1e9) / 1e9));
    expect([...vals].sort((a, b) => a - b)).toEqual([0, 25 / 3, 50 / 3, 25].map((v) => Math.round(v * 1e9) / 1e9));
  });
  it('first-order IR drop: row i conducts G / (1 + alpha (i + 1) / rows)', () => {
    const c = cfg();
    const st = device(c, noise({ irDrop: 0.2 })).program(programTile(c, new Int32Array(256 * 4).fill(127), 256, 4));
    for (const i of [0, 100, 255]) expect(st.analog!.unitG[i * 256 + 3]).toBeCloseTo(255 / (1 + (0.2 * (i + 1)) / 256), 9);
  });
});

describe('aimc-tile noise: drift (AIHWKit PCM and HERMES fits)', () => {
  const c = cfg();
  it('nu ~ |N(mu(g), sigma(g))|: sample mean and std of nu within 2 % (65536 devices); the fits give MODELS.md section 4 values', () => {
    expect(driftNuParams({ drift: 'pcm', driftNu: 0, driftNuStd: 0 }, 0.01).mu).toBeCloseTo(0.096, 3);
    expect(driftNuParams({ drift: 'pcm', driftNu: 0, driftNuStd: 0 }, 0.1).mu).toBeCloseTo(0.060, 3);
    expect(driftNuParams({ drift: 'pcm', driftNu: 0, driftNuStd: 0 }, 0.7).mu).toBe(0.049);
    expect(driftNuParams({ drift: 'hermes', driftNu: 0, driftNuStd: 0 }, 1).mu).toBeCloseTo(0.0174, 4);
    for (const [drift, w] of [['pcm', 127], ['hermes', 127], ['hermes-1', 50]] as const) {
      const st = programConst(device(c, noise({ drift, driftTimeS: 3600 })), w, 256, 256);
      const nu = new Float64Array(256 * 256);
      for (let i = 0; i < 256; i++) for (let j = 0; j < 256; j++) nu[i * 256 + j] = st.analog!.nu![i * 256 + j]!;
      const { mu, sigma } = driftNuParams({ drift, driftNu: 0, driftNuStd: 0 }, (w + 128) / 255);
      expect(mu / sigma).toBeGreaterThan(3); // folding |.| is negligible here
      const s = stats(nu);
      expect(Math.abs(s.mean / mu - 1), drift).toBeLessThan(0.02);
      expect(Math.abs(s.std / sigma - 1), drift).toBeLessThan(0.02);
    }
  });
  it('the drift exponent fitted from mean ln G(t) at t = 0, 1 min, 1 h, 1 day, 1 year equals the mean nu (within 1 %), the same devices at every t', () => {
    const ts = [0, 60, 3600, 86400, 31_536_000];
    const w = 127;
    const series = ts.map((t) => {
      const st = programConst(device(c, noise({ programNoise: 'pcm', drift: 'pcm', driftTimeS: t })), w, 128, 128);
      let s = 0;
      for (let i = 0; i < 128; i++) for (let j = 0; j < 128; j++) s += Math.log(st.analog!.unitG[i * 256 + j]!);
      return { x: Math.log((t + 20) / 20), y: s / (128 * 128), st };
    });
    const mx = stats(series.map((p) => p.x)).mean;
    const my = stats(series.map((p) => p.y)).mean;
    let sxy = 0;
    let sxx = 0;
    for (const p of series) {
      sxy += (p.x - mx) * (p.y - my);
      sxx += (p.x - mx) ** 2;
    }
    const slope = sxy / sxx;
    const nu0 = series[0]!.st.analog!;
    expect(series[4]!.st.analog!.gProgUs).toEqual(nu0.gProgUs); // same chip: same programming at every t
    let nuMean = 0;
    for (let i = 0; i < 128; i++) for (let j = 0; j < 128; j++) nuMean += series[4]!.st.analog!.nu![i * 256 + j]!;
    nuMean /= 128 * 128;
    expect(Math.abs(-slope / nuMean - 1)).toBeLessThan(0.01);
    expect(Math.abs(nuMean / 0.049 - 1)).toBeLessThan(0.02);
    // MODELS.md: with nu = 0.05 G falls to 0.66x after one day (t0 = 20 s)
    const oneDay = programConst(device(c, noise({ drift: 'generic', driftNu: 0.05, driftTimeS: 86400 })), w, 4, 4);
    expect(oneDay.analog!.unitG[0]! / 255).toBeCloseTo(0.66, 2);
  });
  it('global drift compensation: all-ones outputs after 1 day within 1 % of the ideal with it, about 0.66x without', () => {
    const c = cfg({ adc: { bits: 24, fullScale: 2 ** 23, gain: 1, coding: 'twos-complement' } }); // LSB 1, no clipping
    const k = 64;
    const W = Int32Array.from({ length: k * 8 }, (_, i) => ((i * 37) % 200) - 100);
    const ideal = aimcMvm(programTile(c, W, k, 8), new Array<number>(k).fill(1)).out;
    const run = (comp: boolean): Float64Array => aimcMvm(device(c, noise({ drift: 'pcm', driftTimeS: 86400, driftCompensation: comp })).program(programTile(c, W, k, 8)), new Array<number>(k).fill(1)).out;
    const analog = (o: ArrayLike<number>): number => Array.from(o).reduce((s, v) => s + Math.abs(v + 128 * k), 0); // offset mapping: add the offset back
    expect(Math.abs(analog(run(true)) / analog(ideal) - 1)).toBeLessThan(0.01);
    expect(analog(run(false)) / analog(ideal)).toBeGreaterThan(0.6);
    expect(analog(run(false)) / analog(ideal)).toBeLessThan(0.7);
  });
});

describe('aimc-tile noise: read noise, re-drawn at every MVM (102400 samples; std within 3 %)', () => {
  const c = cfg();
  it('PCM 1/f: sigma = |G| Q_s(g) sqrt(ln((t + t0 + t_read) / (2 t_read))), at t = 0 and 1 day; the MODELS.md values', () => {
    expect(readNoiseTimeFactor('pcm', 86400, 20)).toBeCloseTo(5.09, 2);
    expect(readNoiseQs('pcm', 1) * readNoiseTimeFactor('pcm', 86400, 20)).toBeCloseTo(0.045, 3);
    for (const [t, w] of [[0, 127], [86400, 127], [86400, -50]] as const) {
      const st = programConst(device(c, noise({ readNoise: 'pcm', driftTimeS: t })), w, 1, 256);
      const out = mvms(st, [1], 400);
      const level = w + 128;
      const sigma = level * readNoiseQs('pcm', level / 255) * readNoiseTimeFactor('pcm', t, 20);
      const s = stats(out);
      expect(Math.abs(s.mean - w)).toBeLessThan((4 * sigma) / Math.sqrt(out.length));
      expect(Math.abs(s.std / sigma - 1)).toBeLessThan(0.03);
    }
  });
  it('generic normal: per-device sigma x Gmax; a column of K rows has variance sum_i d_i^2 sigma_i^2', () => {
    const st = programConst(device(c, noise({ readNoise: 'normal', readNoiseStd: 0.01 })), 10, 4, 256);
    const x = [1, 2, -3, 0];
    const out = mvms(st, x, 400);
    const sigma = 0.01 * 255 * Math.sqrt(1 + 4 + 9);
    const s = stats(out);
    expect(Math.abs(s.mean - 10 * 0)).toBeLessThan(1 + (4 * sigma) / 320); // sum(x) = 0: the mean output is 10 x 0 = 0
    expect(Math.abs(s.std / sigma - 1)).toBeLessThan(0.03);
  });
  it('HERMES read noise: Q_s fits per AIHWKit hermes.py', () => {
    expect(readNoiseQs('hermes', 1)).toBeCloseTo(0.0069 - 0.028 + 0.0211 + 0.0123, 10);
    expect(readNoiseQs('hermes-1', 0.01)).toBeCloseTo(Math.min(Math.max(-0.0078 * Math.log(0.01) + 0.0038, 0.0179), 0.04), 10);
    const st = programConst(device(c, noise({ readNoise: 'hermes' })), 127, 1, 256);
    const s = stats(mvms(st, [1], 400));
    const sigma = 255 * readNoiseQs('hermes', 1) * readNoiseTimeFactor('hermes', 0, 300);
    expect(Math.abs(s.std / sigma - 1)).toBeLessThan(0.03);
  });
});

describe('aimc-tile noise: DAC', () => {
  const c = cfg();
  it('bow INL: digit m drives m + inl 4 (m/M)(1 - m/M); noise: output std = sigma_dac x level (within 3 %)', () => {
    const st = programConst(device(c, noise({ dacInlLsb: 2 })), -127, 1, 4); // level 1: the column value is the driven digit
    const m = 64;
    const want = m + 2 * 4 * (m / 127) * (1 - m / 127) - 128 * m;
    expect(Math.abs(aimcMvm(st, [m]).out[0]! - want)).toBeLessThanOrEqual(1 / 128);
    expect(aimcMvm(st, [127]).out[0]).toBe(127 - 128 * 127); // zero INL at full scale
    expect(aimcMvm(st, [-m]).out[0]).toBeCloseTo(-want, 1); // odd: the sign drives the polarity
    const noisy = programConst(device(c, noise({ dacNoiseStdLsb: 0.5 })), -127, 1, 1);
    const out = mvms(noisy, [10], 20000);
    expect(Math.abs(stats(out).std / 0.5 - 1)).toBeLessThan(0.03);
  });
});

describe('aimc-tile noise: ADC instances of the tile', () => {
  it('one offset per physical ADC: units sharing an ADC (columnsPerAdc 4) read the same offset; persistent per chip, new per chip', () => {
    const c = cfg({ rows: 4, cols: 64, adc: { bits: 8, fullScale: 128, gain: 1, coding: 'twos-complement' } });
    const n = noise({ adc: { offsetStdLsb: 5, gainErrorStd: 0, capMismatch: 0, noiseStdLsb: 0 } });
    const dev = (chip: number, inference = 0): AimcAnalogDevice => new AimcAnalogDevice(c, n, { path: 'aimc0', columnsPerAdc: 4, streams: { seed: 1, chip, inference } });
    const read = (d: AimcAnalogDevice): number[] => Array.from(aimcMvm(d.program(programTile(c, new Int32Array(64).fill(-128), 1, 64)), [0]).out); // level 0, input 0: the offset alone
    const a = read(dev(0));
    for (let j = 0; j < 64; j++) expect(a[j]).toBe(a[j - (j % 4)]);
    expect(new Set(a).size).toBeGreaterThan(4);
    expect(read(dev(0, 3))).toEqual(a);
    expect(read(dev(1))).not.toEqual(a);
  });
});

describe('aimc-tile noise: exactness and seeding', () => {
  it('zero noise: the analog path with every non-ideality off equals the ideal integer model bit for bit (every mapping and DAC mode)', () => {
    const r = new Rng(3);
    for (const o of [
      { mapping: 'offset' as const, cellBits: 2, weightBits: 8, dac: 'bit-serial' as const, dacSliceBits: 2 },
      { mapping: 'differential' as const, subtraction: 'analog' as const, cellBits: 3, weightBits: 8 },
      { mapping: 'differential' as const, subtraction: 'digital' as const, cellBits: 7, weightBits: 8, dac: 'bit-serial' as const, dacSliceBits: 1 },
      { mapping: 'ternary' as const },
    ]) {
      const c = cfg({ rows: 32, cols: 64, adc: { bits: 8, fullScale: 128, gain: 1, coding: 'twos-complement' }, ...o });
      const k = 32;
      const n = o.mapping === 'ternary' ? 64 : 8;
      const lo = o.mapping === 'ternary' ? -1 : -127;
      const hi = o.mapping === 'ternary' ? 1 : 127;
      const W = Int32Array.from({ length: k * n }, () => lo + r.int(hi - lo + 1));
      const ideal = programTile(c, W, k, n);
      const st = device(c, IDEAL_AIMC_NOISE).program(programTile(c, W, k, n));
      for (let v = 0; v < 20; v++) {
        const x = Array.from({ length: k }, () => -127 + r.int(255));
        expect(Array.from(aimcMvm(st, x).out), JSON.stringify(o)).toEqual(Array.from(aimcMvm(ideal, x).out));
      }
    }
  });
  it('same seed and chip: same programming; another chip: other programming noise; another inference: same programming, other read noise; another seed: other draws', () => {
    const c = cfg({ rows: 16, cols: 16 });
    const n = noise({ programNoise: 'pcm', readNoise: 'pcm', adc: { offsetStdLsb: 0.5, gainErrorStd: 0.01, capMismatch: 0, noiseStdLsb: 0.3 } });
    const W = Int32Array.from({ length: 16 * 16 }, (_, i) => (i % 200) - 100);
    const x = Array.from({ length: 16 }, (_, i) => (i % 5) - 2);
    const run = (o: Parameters<typeof device>[2]): { g: Float64Array; y: number[] } => {
      const st = device(c, n, o).program(programTile(c, W, 16, 16));
      return { g: st.analog!.gProgUs, y: [...aimcMvm(st, x).out, ...aimcMvm(st, x).out] };
    };
    const a = run({});
    expect(run({})).toEqual(a);
    const chip1 = run({ chip: 1 });
    expect(chip1.g).not.toEqual(a.g);
    const inf1 = run({ inference: 1 });
    expect(inf1.g).toEqual(a.g);
    expect(inf1.y).not.toEqual(a.y);
    expect(run({ seed: 8 }).g).not.toEqual(a.g);
    // two MVMs of one inference draw different read noise
    expect(a.y.slice(0, 16)).not.toEqual(a.y.slice(16));
  });
  it('the order of MVMs across tiles does not matter: each tile draws from its own streams', () => {
    const c = cfg({ rows: 16, cols: 16 });
    const n = noise({ programNoise: 'hermes', readNoise: 'hermes', drift: 'hermes', driftTimeS: 3600, adc: { offsetStdLsb: 0.5, gainErrorStd: 0, capMismatch: 0.01, noiseStdLsb: 0.5 }, dacNoiseStdLsb: 0.2 });
    const W = Int32Array.from({ length: 256 }, (_, i) => ((i * 13) % 255) - 127);
    const xs = Array.from({ length: 6 }, (_, v) => Array.from({ length: 16 }, (_, i) => ((i + v) % 7) - 3));
    const make = (path: string): AimcTileState => device(c, n, { path }).program(programTile(c, W, 16, 16));
    const seq = (order: ('a' | 'b')[]): Record<'a' | 'b', number[][]> => {
      const t = { a: make('aimc0'), b: make('aimc1') };
      const out: Record<'a' | 'b', number[][]> = { a: [], b: [] };
      const next = { a: 0, b: 0 };
      for (const w of order) out[w].push(Array.from(aimcMvm(t[w], xs[next[w]++]!).out));
      return out;
    };
    const interleaved = seq(['a', 'b', 'a', 'b', 'a', 'b', 'b', 'a']);
    const grouped = seq(['b', 'b', 'b', 'b', 'a', 'a', 'a', 'a']);
    expect(grouped).toEqual(interleaved);
    expect(interleaved.a).not.toEqual(interleaved.b); // different tiles, different draws
  });
});
