import { describe, expect, it } from 'vitest';
import { refCode } from '../helpers/adc-ref.js';
import {
  AdcDef, adcClips, adcCodeToWord, adcConfigFromParams, adcConversionEnergyPj, adcConversionTimePs, adcConvert, adcAreaUm2Zigzag,
  adcReconstruct, adcTimingFromParams, adcTransfer, roundHalfAwayFromZero, type AdcCoding, type AdcConfig,
} from '../../src/modules/adc/index.js';
import { describeModule } from '../../src/spec/index.js';
import { Rng } from '../../src/util/index.js';
import { simError } from '../helpers/sim-error.js';

const cfg = (bits: number, fullScale: number, coding: AdcCoding, gain = 1): AdcConfig => ({ bits, fullScale, gain, coding });
const conv = (c: AdcConfig, v: number): number => adcConvert(adcTransfer(c), v);


describe('adc: rounding', () => {
  it('rounds half away from zero', () => {
    const cases: [number, number][] = [[0.5, 1], [1.5, 2], [2.5, 3], [-0.5, -1], [-1.5, -2], [-2.5, -3], [2.4999, 2], [-2.4999, -2], [0.49999999999999994, 0], [0, 0], [7, 7], [-7, -7]];
    for (const [x, r] of cases) expect(roundHalfAwayFromZero(x), String(x)).toBe(r);
  });
});

describe('adc: ideal transfer function', () => {
  it('unsigned 3 bits, step 1: rounding, saturation at 0 and 7', () => {
    const c = cfg(3, 8, 'unsigned');
    const got = [-5, -0.5, 0, 0.49, 0.5, 1.49, 1.5, 6.5, 7, 7.49, 7.5, 100].map((v) => conv(c, v));
    expect(got).toEqual([0, 0, 0, 0, 1, 1, 2, 7, 7, 7, 7, 7]);
    const t = adcTransfer(c);
    expect(adcClips(t, 7.49)).toBe(false);
    expect(adcClips(t, 7.5)).toBe(true);
    expect(adcClips(t, -0.49)).toBe(false);
    expect(adcClips(t, -0.5)).toBe(true);
  });

  it('twos-complement 4 bits, step 1: codes -8..7, ties away from zero, saturation at both ends', () => {
    const c = cfg(4, 8, 'twos-complement');
    const got = [-100, -8.5, -8.4, -7.5, -0.5, -0.49, 0.5, 6.5, 7.4, 7.5, 100].map((v) => conv(c, v));
    expect(got).toEqual([-8, -8, -8, -8, -1, 0, 1, 7, 7, 7, 7]);
    const t = adcTransfer(c);
    expect([t.minCode, t.maxCode, t.lsb]).toEqual([-8, 7, 1]);
    expect(adcClips(t, -8.5)).toBe(true);
    expect(adcClips(t, -8.49)).toBe(false);
  });

  it('sign-magnitude 3 bits: codes -3..3, words sign bit + magnitude', () => {
    const c = cfg(3, 4, 'sign-magnitude');
    expect([-4, -3.5, -3.4, -1, -0.4, 0.4, 3.6].map((v) => conv(c, v))).toEqual([-3, -3, -3, -1, 0, 0, 3]);
    const t = adcTransfer(c);
    expect([-3, -1, 0, 1, 3].map((k) => adcCodeToWord(t, k))).toEqual([0b111, 0b101, 0, 1, 3]);
    expect(conv(c, -0.2)).toBe(0);
    expect(Object.is(conv(c, -0.2), -0)).toBe(false);
  });

  it('twos-complement words are the low B bits', () => {
    const t = adcTransfer(cfg(4, 8, 'twos-complement'));
    expect([-8, -1, 0, 7].map((k) => adcCodeToWord(t, k))).toEqual([8, 15, 0, 7]);
    expect(adcCodeToWord(adcTransfer(cfg(4, 16, 'unsigned')), 13)).toBe(13);
  });

  it('1-bit converters: unsigned {0, 1}, twos-complement {-1, 0}', () => {
    const u = cfg(1, 2, 'unsigned');
    expect([-1, 0.49, 0.5, 5].map((v) => conv(u, v))).toEqual([0, 0, 1, 1]);
    const s = cfg(1, 1, 'twos-complement');
    expect([-3, -0.5, -0.49, 0.7].map((v) => conv(s, v))).toEqual([-1, -1, 0, 0]);
    expect(adcClips(adcTransfer(s), 0.7)).toBe(true);
    expect(adcClips(adcTransfer(s), 0.49)).toBe(false);
  });

  it('gain and a step other than 1; reconstruction = code x LSB / gain', () => {
    const c = cfg(4, 16, 'unsigned', 2); // LSB 1 after gain 2 -> step 0.5 in input units
    const t = adcTransfer(c);
    expect(t.step).toBe(0.5);
    expect(adcConvert(t, 3.25)).toBe(7); // 6.5 -> 7
    expect(adcReconstruct(t, 7)).toBe(3.5);
    const w = adcTransfer(cfg(3, 32, 'twos-complement')); // LSB 8
    expect(adcConvert(w, 12)).toBe(2); // 1.5 -> 2
    expect(adcConvert(w, 11.9)).toBe(1);
    expect(adcReconstruct(w, -4)).toBe(-32);
  });

  it('matches the nearest-code reference on a grid with exact ties, every coding, 1..5 bits', () => {
    const rng = new Rng(7);
    let n = 0;
    for (const coding of ['unsigned', 'twos-complement', 'sign-magnitude'] as const) {
      for (let bits = coding === 'sign-magnitude' ? 2 : 1; bits <= 5; bits++) {
        for (let trial = 0; trial < 6; trial++) {
          const c = cfg(bits, 1 + rng.int(64), coding, 2 ** (rng.int(5) - 2));
          const t = adcTransfer(c);
          // values on a grid of quarter steps around and beyond the range, ties included
          for (let q = -4 * (2 ** bits + 3); q <= 4 * (2 ** bits + 3); q++) {
            const v = (q / 4) * t.step;
            expect(adcConvert(t, v), `${JSON.stringify(c)} v=${v}`).toBe(refCode(c, v));
            n++;
          }
        }
      }
    }
    expect(n).toBeGreaterThan(2000);
  });

  it('refuses bad configurations with adc-bad-config naming the path and param', () => {
    for (const [c, param] of [[cfg(0, 8, 'unsigned'), 'bits'], [cfg(32, 8, 'unsigned'), 'bits'], [cfg(1, 8, 'sign-magnitude'), 'bits'], [cfg(4, 0, 'unsigned'), 'fullScale'], [cfg(4, 8, 'unsigned', 0), 'gain']] as const) {
      const e = simError(() => adcTransfer(c, 'soc.tile0.adc'));
      expect(e.code).toBe('adc-bad-config');
      expect(e.message).toContain('soc.tile0.adc');
      expect(e.message).toContain(`'${param}'`);
    }
  });
});

describe('adc: conversion time (MODELS.md section 8)', () => {
  it('SAR (B+2) cycles, flash 1 cycle, ramp 2^B cycles, CCO 2^B x 300 ps', () => {
    expect(adcConversionTimePs(8, 'sar', 1000)).toBe(10 * 1000);
    expect(adcConversionTimePs(6, 'sar', 3846)).toBe(8 * 3846);
    expect(adcConversionTimePs(8, 'flash', 1000)).toBe(1000);
    expect(adcConversionTimePs(8, 'ramp', 1000)).toBe(256 * 1000);
    expect(adcConversionTimePs(4, 'ramp', 500)).toBe(16 * 500);
    expect(adcConversionTimePs(8, 'cco', 1000)).toBe(76_800); // HERMES: 256 LSB x 300 ps
    expect(adcConversionTimePs(8, 'cco', 5)).toBe(76_800); // independent of the clock
  });
  it('takes the clock-relative params', () => {
    const p = { sarExtraCycles: 1, flashCycles: 2, rampExtraCycles: 3, ccoPsPerLsb: 100 };
    expect(adcConversionTimePs(8, 'sar', 1000, p)).toBe(9000);
    expect(adcConversionTimePs(8, 'flash', 1000, p)).toBe(2000);
    expect(adcConversionTimePs(4, 'ramp', 1000, p)).toBe(19_000);
    expect(adcConversionTimePs(4, 'cco', 1000, p)).toBe(1600);
  });
});

describe('adc: conversion energy and area', () => {
  it('ZigZag-IMC fit at 0.9 V: 0.32 / 0.49 / 0.70 / 1.66 pJ at 4 / 6 / 8 / 10 b', () => {
    const z = { kind: 'zigzag', vddV: 0.9 } as const;
    expect(adcConversionEnergyPj(4, z)).toBeCloseTo(0.32, 2);
    expect(adcConversionEnergyPj(6, z)).toBeCloseTo(0.49, 2);
    expect(adcConversionEnergyPj(8, z)).toBeCloseTo(0.70, 2);
    expect(adcConversionEnergyPj(10, z)).toBeCloseTo(1.66, 2);
    // by hand: (100 fF x 8 + 0.001 fF x 65536) x 0.81 V^2 = 701.08 fJ
    expect(adcConversionEnergyPj(8, z)).toBeCloseTo(0.70108416, 8);
    expect(adcConversionEnergyPj(8, { kind: 'zigzag', vddV: 0.8, cLinFf: 50, cExpFf: 0 })).toBeCloseTo(0.256, 10);
  });
  it('Walden: 1 fJ/step -> 64 fJ at 6 b, 256 fJ at 8 b', () => {
    expect(adcConversionEnergyPj(6, { kind: 'walden', fomFjPerStep: 1 })).toBeCloseTo(0.064, 12);
    expect(adcConversionEnergyPj(8, { kind: 'walden', fomFjPerStep: 1 })).toBeCloseTo(0.256, 12);
  });
  it('reference converter scaled by the ZigZag shape', () => {
    const r = { kind: 'reference', refPj: 1.67, refBits: 8 } as const; // ISAAC ADC
    expect(adcConversionEnergyPj(8, r)).toBeCloseTo(1.67, 12);
    // shape ratio (6 + 1e-5 x 4096) / (8 + 1e-5 x 65536)
    expect(adcConversionEnergyPj(6, r)).toBeCloseTo((1.67 * 6.04096) / 8.65536, 12);
  });
  it('ZigZag area fit: 183 / 618 / 2085 / 7036 um2', () => {
    expect([4, 6, 8, 10].map((b) => Math.round(adcAreaUm2Zigzag(b)))).toEqual([183, 618, 2085, 7036]);
  });
});

describe('adc: declaration', () => {
  it('declares params, energy, stats, faults and caps', () => {
    expect(AdcDef.kind).toBe('adc');
    expect(AdcDef.params.bits.min).toBe(1);
    expect(AdcDef.params.bits.max).toBe(16);
    expect(AdcDef.params.architecture.values).toEqual(['sar', 'flash', 'ramp', 'cco']);
    for (const t of ['conversionEnergy', 'leakage', 'area'] as const) {
      expect(AdcDef.params[t].tech, t).toBe(true);
      expect(AdcDef.params[t].default, t).toBeUndefined();
    }
    expect(AdcDef.energy.conversion).toEqual({ kind: 'per-event', cost: 'conversionEnergy', doc: 'One conversion.' });
    expect(AdcDef.params.ccoTimePerLsb.parse('300ps')).toEqual({ ok: true, value: 300 });
    expect(AdcDef.params.bits.parse(17).ok).toBe(false);
    expect(Object.keys(AdcDef.faults).length).toBeGreaterThan(0);
    expect(describeModule(AdcDef)).toContain('conversionEnergy');
  });
  it('maps params to the model config and timing', () => {
    const p = { bits: 6, fullScale: 32, gainLog2: -1, coding: 'twos-complement' as const };
    expect(adcConfigFromParams(p)).toEqual({ bits: 6, fullScale: 32, gain: 0.5, coding: 'twos-complement' });
    expect(adcTimingFromParams({ sarExtraCycles: 2, flashCycles: 1, rampExtraCycles: 0, ccoTimePerLsb: 300 }).ccoPsPerLsb).toBe(300);
    const caps = AdcDef.caps({ ...p, architecture: 'sar', adcs: 4, columnsPerAdc: 8, sarExtraCycles: 2, flashCycles: 1, rampExtraCycles: 0, ccoTimePerLsb: 300, conversionEnergy: 0.5, leakage: 1, area: 100 });
    expect(caps[0]).toMatchObject({ name: 'adc', bits: 6, columnsPerAdc: 8, coding: 'twos-complement' });
  });
});
