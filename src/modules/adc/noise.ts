/**
 * ADC non-idealities on top of the ideal transfer of `model.ts` (MODELS.md section 8): a static
 * offset and gain error per converter instance, INL/DNL from SAR capacitor mismatch per instance,
 * thermal noise per conversion, and saturation (clipping) at the end codes as in the ideal ADC.
 *
 * Per-instance errors are drawn once (per chip, by the caller's stream) with {@link drawAdcErrors};
 * {@link adcConvertNonIdeal} then converts one value with those errors and one thermal-noise
 * sample. With every error at zero the conversion is exactly {@link adcConvert}'s.
 *
 * Units: offsets and noise in LSB of the ideal converter, gain error and capacitor mismatch
 * as relative (dimensionless) standard deviations.
 */
import type { Rng } from '../../util/index.js';
import { adcConvert, roundHalfAwayFromZero, type AdcTransfer } from './model.js';

/**
 * Standard normal sample from a seeded stream (Box-Muller, both uniforms from `rng`; one draw
 * uses two `next()` calls, the cosine branch only, so the stream position per sample is fixed).
 */
export function normalSample(rng: Rng): number {
  const u1 = 1 - rng.next(); // (0, 1]
  const u2 = rng.next();
  return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
}

/** Statistical error parameters of a converter (all 0 = ideal). */
export interface AdcErrorParams {
  /** Standard deviation of the static input-referred offset, in LSB (drawn once per instance). */
  readonly offsetStdLsb: number;
  /** Standard deviation of the relative gain error (gain = 1 + e, e drawn once per instance). */
  readonly gainErrorStd: number;
  /**
   * Relative standard deviation sigma_u of one unit capacitor of a SAR's binary-weighted
   * capacitive DAC (drawn once per instance): C_k = 2^k C_u (1 + e_k), e_k ~ N(0, sigma_u^2 / 2^k)
   * (2^k unit capacitors in parallel), plus a dummy (termination) unit capacitor; the DAC level of
   * word t is D(t) = 2^n sum_k t_k C_k / (C_dummy + sum_k C_k), so the transition into code t
   * lies at D(t) - 1/2 and INL_t = D(t) - t, DNL_t = D(t) - D(t-1) - 1 (Spear et al., "The
   * Impact of ADC Architecture and Variability on Analog NN Accuracy", JxCDC 2023; CrossSim's
   * circuit ADCs sample `sigma_capacitor` once per ADC).
   */
  readonly capMismatch: number;
  /** Standard deviation of the input-referred thermal (kT/C) noise per conversion, in LSB. */
  readonly noiseStdLsb: number;
}

/** No error at all. */
export const IDEAL_ADC_ERRORS: AdcErrorParams = { offsetStdLsb: 0, gainErrorStd: 0, capMismatch: 0, noiseStdLsb: 0 };

/** Whether any static (per-instance) error is non-zero. */
export const adcHasStaticErrors = (p: AdcErrorParams): boolean => p.offsetStdLsb > 0 || p.gainErrorStd > 0 || p.capMismatch > 0;

/** The drawn errors of one converter instance. */
export interface AdcInstanceErrors {
  /** Offset in LSB, added to the ideal (gained) code value. */
  readonly offsetLsb: number;
  /** Gain factor 1 + e. */
  readonly gain: number;
  /**
   * SAR DAC weights (bit k's level in LSB, least significant first) when the converter has
   * capacitor mismatch; undefined = ideal binary weights (round to nearest).
   */
  readonly weights: Float64Array | undefined;
}

/** Bits of the SAR search over the codes of `t` (offset-binary words 0 .. maxCode - minCode). */
const sarBits = (t: AdcTransfer): number => Math.max(1, Math.ceil(Math.log2(t.maxCode - t.minCode + 1)));

/**
 * Draws one converter's static errors from `rng` (a per-chip stream): offset ~ N(0, offsetStd^2),
 * gain = 1 + N(0, gainErrorStd^2), capacitor errors as in {@link AdcErrorParams.capMismatch}.
 * Draw order (fixed): offset, gain, then the dummy capacitor and bits 0 .. n-1 (only the draws
 * whose parameter is non-zero).
 */
export function drawAdcErrors(t: AdcTransfer, p: AdcErrorParams, rng: Rng): AdcInstanceErrors {
  const offsetLsb = p.offsetStdLsb > 0 ? p.offsetStdLsb * normalSample(rng) : 0;
  const gain = p.gainErrorStd > 0 ? 1 + p.gainErrorStd * normalSample(rng) : 1;
  let weights: Float64Array | undefined;
  if (p.capMismatch > 0) {
    const n = sarBits(t);
    const dummy = 1 + p.capMismatch * normalSample(rng);
    const c = new Float64Array(n);
    let total = dummy;
    for (let k = 0; k < n; k++) {
      c[k] = 2 ** k * (1 + (p.capMismatch / Math.sqrt(2 ** k)) * normalSample(rng));
      total += c[k]!;
    }
    weights = c.map((ck) => (2 ** n * ck) / total);
  }
  return { offsetLsb, gain, weights };
}

/**
 * The DAC level D(t) of SAR word t (0 .. 2^n - 1) in LSB: sum of the weights of its set bits
 * (t itself without capacitor mismatch).
 */
export function adcSarLevel(e: AdcInstanceErrors, word: number): number {
  if (e.weights === undefined) return word;
  let d = 0;
  for (let k = 0; k < e.weights.length; k++) if ((word >>> k) & 1) d += e.weights[k]!;
  return d;
}

/**
 * Converts `v` (input units) with instance errors `e` and a thermal-noise sample `noiseLsb`
 * (already scaled, in LSB). Returns the code, and whether the value was clipped.
 *
 * ```
 * x = (gain * v / lsb) * e.gain + e.offsetLsb + noiseLsb          (in LSB, ideal code value)
 * without capacitor mismatch: code = clamp(roundHalfAwayFromZero(x), minCode, maxCode)
 * with: a SAR search on u = x - minCode: for k = n-1 .. 0, keep bit k of the trial word w
 *       if u >= D(w | 2^k) - 1/2; code = min(w + minCode, maxCode)
 * ```
 * The SAR search decides bit by bit as the hardware does, so a non-monotonic DAC gives missing
 * codes. With e ideal and noise 0 the result equals {@link adcConvert}.
 */
export function adcConvertNonIdeal(t: AdcTransfer, e: AdcInstanceErrors, v: number, noiseLsb: number): { code: number; clipped: boolean } {
  const x = ((t.config.gain * v) / t.lsb) * e.gain + e.offsetLsb + noiseLsb;
  if (e.weights === undefined) {
    if (e.gain === 1 && e.offsetLsb === 0 && noiseLsb === 0) {
      const code = adcConvert(t, v);
      const r = roundHalfAwayFromZero((t.config.gain * v) / t.lsb);
      return { code, clipped: r > t.maxCode || r < t.minCode };
    }
    const r = roundHalfAwayFromZero(x);
    if (r > t.maxCode) return { code: t.maxCode, clipped: true };
    if (r < t.minCode) return { code: t.minCode, clipped: true };
    return { code: r === r ? r + 0 : 0, clipped: false };
  }
  const u = x - t.minCode;
  const n = e.weights.length;
  let w = 0;
  let d = 0;
  for (let k = n - 1; k >= 0; k--) {
    const trial = d + e.weights[k]!;
    if (u >= trial - 0.5) {
      w |= 1 << k;
      d = trial;
    }
  }
  const code = Math.min(w + t.minCode, t.maxCode);
  const span = t.maxCode - t.minCode;
  return { code, clipped: u < -0.5 || u >= span + 0.5 };
}
