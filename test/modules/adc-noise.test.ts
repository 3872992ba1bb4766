/**
 * ADC non-idealities (src/modules/adc/noise.ts): the ideal case equals the ideal transfer bit for
 * bit; offset, gain error and thermal noise statistics match their sigmas (tolerances stated per
 * test); SAR capacitor mismatch gives transitions at D(t) - 1/2 and the DNL/INL shape of a
 * binary-weighted DAC (largest DNL spread at the MSB transition, std sigma_u sqrt(2^n - 1)).
 */
import { describe, expect, it } from 'vitest';
import {
  AdcDef, IDEAL_ADC_ERRORS, adcConvert, adcConvertNonIdeal, adcErrorsFromParams, adcSarLevel, adcTransfer, drawAdcErrors, normalSample, type AdcConfig,
} from '../../src/modules/adc/index.js';
import { Rng, deriveRng } from '../../src/util/index.js';

function stats(a: ArrayLike<number>): { mean: number; std: number } {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]!;
  const mean = s / a.length;
  let v = 0;
  for (let i = 0; i < a.length; i++) v += (a[i]! - mean) ** 2;
  return { mean, std: Math.sqrt(v / (a.length - 1)) };
}

const ideal = { offsetLsb: 0, gain: 1, weights: undefined };

describe('adc noise', () => {
  it('declares the error params off by default; file units: mLSB and ppm', () => {
    for (const k of ['offsetStd', 'gainErrorStd', 'capMismatch', 'noiseStd'] as const) expect(AdcDef.params[k].default, k).toBe(0);
    expect(adcErrorsFromParams({ offsetStd: 500, gainErrorStd: 10000, capMismatch: 2000, noiseStd: 200 })).toEqual({ offsetStdLsb: 0.5, gainErrorStd: 0.01, capMismatch: 0.002, noiseStdLsb: 0.2 });
  });

  it('normalSample: mean 0 and std 1 within 1 % over 200000 draws', () => {
    const r = new Rng(1);
    const s = stats(Array.from({ length: 200_000 }, () => normalSample(r)));
    expect(Math.abs(s.mean)).toBeLessThan(0.01);
    expect(Math.abs(s.std - 1)).toBeLessThan(0.01);
  });

  it('no error: equal to the ideal transfer for every coding, on a fine sweep with ties and beyond the range', () => {
    for (const c of [{ bits: 4, fullScale: 8, gain: 1, coding: 'twos-complement' }, { bits: 5, fullScale: 32, gain: 2, coding: 'unsigned' }, { bits: 3, fullScale: 4, gain: 1, coding: 'sign-magnitude' }] as AdcConfig[]) {
      const t = adcTransfer(c);
      const e = drawAdcErrors(t, IDEAL_ADC_ERRORS, new Rng(1));
      expect(e).toEqual(ideal);
      for (let v = -40; v <= 40; v += 0.125) expect(adcConvertNonIdeal(t, e, v, 0).code).toBe(adcConvert(t, v));
    }
  });

  const t12 = adcTransfer({ bits: 12, fullScale: 2048, gain: 1, coding: 'twos-complement' }); // LSB 1
  it('offset per instance: std over 4000 instances within 5 % of offsetStd (20 LSB, read as code(0))', () => {
    const r = deriveRng(1, 'chip0/adc', 'adc');
    const codes = Array.from({ length: 4000 }, () => adcConvertNonIdeal(t12, drawAdcErrors(t12, { ...IDEAL_ADC_ERRORS, offsetStdLsb: 20 }, r), 0, 0).code);
    const s = stats(codes);
    expect(Math.abs(s.std / Math.sqrt(400 + 1 / 12) - 1)).toBeLessThan(0.05);
    expect(Math.abs(s.mean)).toBeLessThan((4 * 20) / Math.sqrt(4000));
  });
  it('gain error per instance: (code(1000) / 1000 - 1) has std within 5 % of gainErrorStd (1 %)', () => {
    const r = new Rng(2);
    const g = Array.from({ length: 4000 }, () => adcConvertNonIdeal(t12, drawAdcErrors(t12, { ...IDEAL_ADC_ERRORS, gainErrorStd: 0.01 }, r), 1000, 0).code / 1000 - 1);
    expect(Math.abs(stats(g).std / 0.01 - 1)).toBeLessThan(0.05);
  });
  it('thermal noise per conversion: codes of a constant input have std sqrt(sigma^2 + 1/12) within 3 % and mean the input within 0.03 LSB (100000 conversions, sigma 3 LSB)', () => {
    const r = new Rng(3);
    const codes = Array.from({ length: 100_000 }, () => adcConvertNonIdeal(t12, ideal, 0.3, 3 * normalSample(r)).code);
    const s = stats(codes);
    expect(Math.abs(s.std / Math.sqrt(9 + 1 / 12) - 1)).toBeLessThan(0.03);
    expect(Math.abs(s.mean - 0.3)).toBeLessThan(0.03);
  });
  it('clipping: values beyond the range read the end codes and are flagged', () => {
    expect(adcConvertNonIdeal(t12, ideal, 5000, 0)).toEqual({ code: 2047, clipped: true });
    expect(adcConvertNonIdeal(t12, ideal, -5000, 0)).toEqual({ code: -2048, clipped: true });
    expect(adcConvertNonIdeal(t12, { offsetLsb: 3, gain: 1, weights: undefined }, 2045, 0)).toEqual({ code: 2047, clipped: true });
  });

  const t8 = adcTransfer({ bits: 8, fullScale: 256, gain: 1, coding: 'unsigned' }); // LSB 1, codes 0..255
  it('SAR capacitor mismatch: the conversion changes code exactly at D(t) - 1/2 (bisection over every code of a monotonic instance)', () => {
    const r = new Rng(4);
    let e = drawAdcErrors(t8, { ...IDEAL_ADC_ERRORS, capMismatch: 0.003 }, r);
    const mono = (x: typeof e): boolean => Array.from({ length: 255 }, (_, k) => adcSarLevel(x, k + 1) > adcSarLevel(x, k)).every(Boolean);
    while (!mono(e)) e = drawAdcErrors(t8, { ...IDEAL_ADC_ERRORS, capMismatch: 0.003 }, r);
    expect(e.weights).toHaveLength(8);
    for (let k = 1; k < 256; k++) {
      let lo = k - 3;
      let hi = k + 2;
      for (let i = 0; i < 60; i++) {
        const mid = (lo + hi) / 2;
        if (adcConvertNonIdeal(t8, e, mid, 0).code >= k) hi = mid;
        else lo = mid;
      }
      expect(Math.abs(hi - (adcSarLevel(e, k) - 0.5))).toBeLessThan(1e-9);
    }
  });
  it('SAR INL/DNL shape over 800 instances (sigma_u 1 %): DNL at the MSB transition has std sigma_u sqrt(2^n - 1) within 10 %, the largest of all codes', () => {
    const r = deriveRng(5, 'adc', 'adc');
    const n = 8;
    const sigma = 0.01;
    const dnl: number[][] = Array.from({ length: 256 }, () => []);
    for (let i = 0; i < 800; i++) {
      const e = drawAdcErrors(t8, { ...IDEAL_ADC_ERRORS, capMismatch: sigma }, r);
      for (let k = 1; k < 256; k++) dnl[k]!.push(adcSarLevel(e, k) - adcSarLevel(e, k - 1) - 1);
      expect(adcSarLevel(e, 0)).toBe(0); // INL_0 = 0
    }
    const stds = dnl.map((d) => (d.length === 0 ? 0 : stats(d).std));
    expect(Math.abs(stds[128]! / (sigma * Math.sqrt(2 ** n - 1)) - 1)).toBeLessThan(0.1);
    expect(stds.indexOf(Math.max(...stds))).toBe(128);
    // quarter-scale major carries are next: their spread is about sigma sqrt(2^(n-1) - 1)
    expect(Math.abs(stds[64]! / (sigma * Math.sqrt(2 ** (n - 1) - 1)) - 1)).toBeLessThan(0.15);
    // odd codes (LSB toggles only) have the smallest spread
    expect(stds[1]!).toBeLessThan(stds[64]! / 4);
  });
  it('instance errors are drawn from the given stream: same stream, same errors', () => {
    const p = { offsetStdLsb: 0.5, gainErrorStd: 0.01, capMismatch: 0.01, noiseStdLsb: 0 };
    expect(drawAdcErrors(t8, p, deriveRng(1, 'chip0/aimc0', 'adc'))).toEqual(drawAdcErrors(t8, p, deriveRng(1, 'chip0/aimc0', 'adc')));
    expect(drawAdcErrors(t8, p, deriveRng(1, 'chip1/aimc0', 'adc'))).not.toEqual(drawAdcErrors(t8, p, deriveRng(1, 'chip0/aimc0', 'adc')));
  });
});
