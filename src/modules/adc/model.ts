/**
 * ADC model: pure functions (no kernel). The ideal transfer function (value -> code -> value),
 * conversion time per architecture and conversion energy scaling with resolution.
 *
 * Not modelled here (see MODELS.md section 8): thermal noise, offset and gain error, INL/DNL,
 * output nonlinearity; the fault and noise layer adds them on top of this ideal transfer.
 */
import { SimError } from '../../util/index.js';

/** ADC architectures (MODELS.md section 8, "Conversion time"). */
export type AdcArchitecture = 'sar' | 'flash' | 'ramp' | 'cco';
/** All architectures, in declaration order. */
export const ADC_ARCHITECTURES = ['sar', 'flash', 'ramp', 'cco'] as const satisfies readonly AdcArchitecture[];

/**
 * Output code format.
 * - `unsigned`: codes 0 .. 2^B - 1, input range [0, fullScale).
 * - `twos-complement`: codes -2^(B-1) .. 2^(B-1) - 1, input range [-fullScale, fullScale).
 * - `sign-magnitude`: codes -(2^(B-1) - 1) .. 2^(B-1) - 1 (a sign bit and B-1 magnitude bits,
 *   -0 reads as 0), input range (-fullScale, fullScale); needs B >= 2 (CrossSim ISAAC config).
 */
export type AdcCoding = 'unsigned' | 'twos-complement' | 'sign-magnitude';
/** All codings, in declaration order. */
export const ADC_CODINGS = ['unsigned', 'twos-complement', 'sign-magnitude'] as const satisfies readonly AdcCoding[];

/**
 * The ideal ADC's configuration.
 *
 * `fullScale` is in the unit of the digitised quantity (for an AIMC tile: integer column-sum
 * units, i.e. sum of input digit x cell level). It is the span of the positive side: the step
 * (LSB) is `fullScale / 2^B` for `unsigned` and `fullScale / 2^(B-1)` for the signed codings,
 * so `fullScale = 2^B` (unsigned) or `2^(B-1)` (signed) gives a step of exactly 1.
 * `gain` multiplies the input before quantisation (a programmable-gain stage).
 */
export interface AdcConfig {
  /** Resolution B, 1 .. 31 here (the `adc` declaration allows 1 .. 16). */
  readonly bits: number;
  /** Positive full-scale span, in input units (> 0). */
  readonly fullScale: number;
  /** Gain applied to the input before quantisation (> 0); 1 = none. */
  readonly gain: number;
  readonly coding: AdcCoding;
}

/**
 * A configuration prepared for fast repeated conversions (the step and code limits computed once).
 * Build it with {@link adcTransfer}.
 */
export interface AdcTransfer {
  readonly config: AdcConfig;
  /** LSB in gained input units: `fullScale / 2^B` (unsigned) or `fullScale / 2^(B-1)` (signed). */
  readonly lsb: number;
  /** Input-unit value of one code step: `lsb / gain`. */
  readonly step: number;
  /** Smallest and largest code. */
  readonly minCode: number;
  readonly maxCode: number;
}

/** Checks an ADC configuration and prepares it; throws SimError `adc-bad-config` naming `path`. */
export function adcTransfer(c: AdcConfig, path = 'adc'): AdcTransfer {
  const bad = (param: string, why: string): never => {
    throw new SimError('adc-bad-config', `${path}: ADC param '${param}' ${why}`, { path });
  };
  if (!Number.isInteger(c.bits) || c.bits < 1 || c.bits > 31) bad('bits', `must be an integer in 1..31, got ${c.bits}`);
  if (c.coding === 'sign-magnitude' && c.bits < 2) bad('bits', 'must be at least 2 for sign-magnitude codes');
  if (!(c.fullScale > 0) || !Number.isFinite(c.fullScale)) bad('fullScale', `must be a positive finite number, got ${c.fullScale}`);
  if (!(c.gain > 0) || !Number.isFinite(c.gain)) bad('gain', `must be a positive finite number, got ${c.gain}`);
  const signed = c.coding !== 'unsigned';
  const lsb = c.fullScale / 2 ** (signed ? c.bits - 1 : c.bits);
  const half = 2 ** (c.bits - 1);
  const minCode = c.coding === 'unsigned' ? 0 : c.coding === 'twos-complement' ? -half : -(half - 1);
  const maxCode = c.coding === 'unsigned' ? 2 ** c.bits - 1 : half - 1;
  return { config: c, lsb, step: lsb / c.gain, minCode, maxCode };
}

/**
 * Rounds half away from zero: 2.5 -> 3, -2.5 -> -3, 2.4999 -> 2. Exact for every double (no
 * `x + 0.5` double rounding).
 */
export function roundHalfAwayFromZero(x: number): number {
  const a = Math.abs(x);
  const f = Math.floor(a);
  const r = a - f >= 0.5 ? f + 1 : f;
  return x < 0 ? -r : r;
}

/**
 * The ideal transfer function: value -> code.
 *
 * `code = clamp(roundHalfAwayFromZero(gain * v / lsb), minCode, maxCode)` computed in IEEE
 * double in that order. Ties round away from zero (so the transfer is odd-symmetric for the
 * signed codings); values beyond the range saturate at the end codes (for `unsigned`, every
 * negative value reads 0). NaN reads as 0.
 */
export function adcConvert(t: AdcTransfer, v: number): number {
  const r = roundHalfAwayFromZero((t.config.gain * v) / t.lsb);
  return r > t.maxCode ? t.maxCode : r < t.minCode ? t.minCode : r === r ? r + 0 : 0;
}

/**
 * True when `v` lies beyond the ADC's range, i.e. its rounded code would fall outside
 * [minCode, maxCode] and {@link adcConvert} clips it (a value that rounds exactly to an end code
 * is not clipped).
 */
export function adcClips(t: AdcTransfer, v: number): boolean {
  const r = roundHalfAwayFromZero((t.config.gain * v) / t.lsb);
  return r > t.maxCode || r < t.minCode;
}

/** Code -> reconstructed value in input units: `code * lsb / gain` (the centre of the code's bin). */
export function adcReconstruct(t: AdcTransfer, code: number): number {
  return code * t.step;
}

/**
 * The B-bit word the ADC outputs for a code (what a register would hold): the code itself for
 * `unsigned`, its two's-complement bits for `twos-complement`, sign bit (MSB) + magnitude for
 * `sign-magnitude`.
 */
export function adcCodeToWord(t: AdcTransfer, code: number): number {
  const b = t.config.bits;
  if (t.config.coding === 'unsigned') return code;
  if (t.config.coding === 'twos-complement') return code < 0 ? code + 2 ** b : code;
  return code < 0 ? 2 ** (b - 1) + -code : code;
}

/** Clock-relative conversion-time parameters (defaults in {@link DEFAULT_ADC_TIMING}). */
export interface AdcTimingParams {
  /** SAR: cycles beyond one per bit (sampling + reset): MNSIM uses (B + 2) / f_s, so 2. */
  readonly sarExtraCycles: number;
  /** Flash: cycles per conversion (1). */
  readonly flashCycles: number;
  /** Ramp (single slope): extra cycles beyond the 2^B counter cycles (0). */
  readonly rampExtraCycles: number;
  /** CCO / time-based: picoseconds per LSB (HERMES core: 300 ps/LSB, Khaddam-Aljameh JSSC 2022). */
  readonly ccoPsPerLsb: number;
}

/** Default timing: SAR B+2 cycles (MNSIM), flash 1 cycle, ramp 2^B cycles, CCO 300 ps/LSB (HERMES). */
export const DEFAULT_ADC_TIMING: AdcTimingParams = { sarExtraCycles: 2, flashCycles: 1, rampExtraCycles: 0, ccoPsPerLsb: 300 };

/**
 * Conversion time of one conversion, in ps (MODELS.md section 8):
 * - `sar`:   (B + sarExtraCycles) x clockPeriodPs
 * - `flash`: flashCycles x clockPeriodPs
 * - `ramp`:  (2^B + rampExtraCycles) x clockPeriodPs
 * - `cco`:   2^B x ccoPsPerLsb (counts a full-scale window; independent of the clock)
 *
 * The clock is the ADC's conversion clock. Not modelled: data-dependent early termination.
 */
export function adcConversionTimePs(bits: number, arch: AdcArchitecture, clockPeriodPs: number, p: AdcTimingParams = DEFAULT_ADC_TIMING): number {
  switch (arch) {
    case 'sar': return (bits + p.sarExtraCycles) * clockPeriodPs;
    case 'flash': return p.flashCycles * clockPeriodPs;
    case 'ramp': return (2 ** bits + p.rampExtraCycles) * clockPeriodPs;
    case 'cco': return 2 ** bits * p.ccoPsPerLsb;
  }
}

/**
 * How the conversion energy scales with resolution B (MODELS.md section 8, "Energy scaling
 * with bits"):
 * - `zigzag`: ZigZag-IMC 28 nm fit over three AIMC papers,
 *   `E = (cLinFf * B + cExpFf * 4^B) * VDD^2` (defaults cLinFf = 100 fF, cExpFf = 0.001 fF;
 *   0.32 / 0.49 / 0.70 / 1.66 pJ at 4 / 6 / 8 / 10 b and 0.9 V);
 * - `walden`: `E = FoM_W * 2^B` (Walden figure of merit, energy per conversion step);
 * - `reference`: a measured converter scaled by the ZigZag shape,
 *   `E = refPj * s(B) / s(refBits)`, `s(B) = B + 1e-5 * 4^B` (the fit's capacitance ratio).
 */
export type AdcEnergyLaw =
  | { readonly kind: 'zigzag'; readonly vddV: number; readonly cLinFf?: number; readonly cExpFf?: number }
  | { readonly kind: 'walden'; readonly fomFjPerStep: number }
  | { readonly kind: 'reference'; readonly refPj: number; readonly refBits: number };

const zigzagShape = (b: number): number => b + 1e-5 * 4 ** b;

/** Energy of one conversion at B bits in pJ, by the chosen law ({@link AdcEnergyLaw}). */
export function adcConversionEnergyPj(bits: number, law: AdcEnergyLaw): number {
  switch (law.kind) {
    case 'zigzag': return ((law.cLinFf ?? 100) * bits + (law.cExpFf ?? 0.001) * 4 ** bits) * law.vddV * law.vddV * 1e-3;
    case 'walden': return law.fomFjPerStep * 2 ** bits * 1e-3;
    case 'reference': return (law.refPj * zigzagShape(bits)) / zigzagShape(law.refBits);
  }
}

/**
 * ZigZag-IMC area fit `A = 10^(-0.0369 B + 1.206) * 2^B` um^2 (28 nm; MODELS.md section 8):
 * 183 / 618 / 2085 / 7036 um^2 at 4 / 6 / 8 / 10 b.
 */
export function adcAreaUm2Zigzag(bits: number): number {
  return 10 ** (-0.0369 * bits + 1.206) * 2 ** bits;
}
