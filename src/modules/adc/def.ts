import { defineModule, fault, param, port, stat, type Capability, type ParamValues, type PortSpec } from '../../spec/index.js';
import { ADC_ARCHITECTURES, ADC_CODINGS, DEFAULT_ADC_TIMING, type AdcConfig, type AdcTimingParams } from './model.js';
import type { AdcErrorParams } from './noise.js';

/** The bank's architectural, timing and technology params. */
const BANK_PARAMS = {
  bits: param.int({ doc: 'Resolution B (DIANA: 6, HERMES: 8; MODELS.md section 8).', unit: 'bits', default: 8, min: 1, max: 16 }),
  fullScale: param.int({ doc: 'Positive full-scale span in units of the digitised quantity (for an AIMC tile: integer column-sum units, input digit x cell level). The step is fullScale / 2^B (unsigned) or fullScale / 2^(B-1) (signed); 2^B resp. 2^(B-1) gives a step of exactly one unit.', default: 128, min: 1 }),
  gainLog2: param.int({ doc: 'Programmable gain before quantisation as a power of two: gain = 2^gainLog2 (0 = unity).', default: 0, min: -16, max: 16 }),
  coding: param.enum({ doc: 'Output codes: unsigned [0, 2^B-1]; twos-complement [-2^(B-1), 2^(B-1)-1]; sign-magnitude [-(2^(B-1)-1), 2^(B-1)-1] (B >= 2).', values: ADC_CODINGS, default: 'twos-complement' }),
  architecture: param.enum({ doc: 'Converter type; sets the conversion time (sar: successive approximation, flash, ramp: single slope, cco: current-controlled-oscillator time-based, HERMES).', values: ADC_ARCHITECTURES, default: 'sar' }),
  adcs: param.int({ doc: 'Number of converters in the bank (HERMES: 256 per 256 columns).', default: 1, min: 1 }),
  columnsPerAdc: param.int({ doc: 'Inputs (columns) multiplexed onto one converter and converted in series (NeuroSim: 8; HERMES, DIANA: 1).', default: 1, min: 1 }),
  sarExtraCycles: param.int({ doc: 'SAR: cycles beyond one per bit (sample, reset); MNSIM (B+2)/f_s.', unit: 'cycles', default: DEFAULT_ADC_TIMING.sarExtraCycles, min: 0 }),
  flashCycles: param.int({ doc: 'Flash: cycles per conversion.', unit: 'cycles', default: DEFAULT_ADC_TIMING.flashCycles, min: 1 }),
  rampExtraCycles: param.int({ doc: 'Ramp: cycles beyond the 2^B counter cycles.', unit: 'cycles', default: DEFAULT_ADC_TIMING.rampExtraCycles, min: 0 }),
  ccoTimePerLsb: param.time({ doc: 'CCO: time per LSB of the count window (HERMES core: 300 ps/LSB, Khaddam-Aljameh et al., JSSC 2022).', default: `${DEFAULT_ADC_TIMING.ccoPsPerLsb}ps`, min: 1 }),
  conversionEnergy: param.energy({ doc: 'Energy of one conversion at `bits` (see doc.energy for the fits).', tech: true }),
  leakage: param.power({ doc: 'Static leakage of the bank.', tech: true }),
  area: param.area({ doc: 'Silicon area of the bank (ZigZag-IMC fit per ADC: 10^(-0.0369 B + 1.206) 2^B um2 at 28 nm).', tech: true }),
};

/** The converters' non-ideality params (noise.ts), all 0 (ideal) by default; mLSB = milli-LSB, ppm = 1e-6. */
const ERROR_PARAMS = {
  offsetStd: param.int({ doc: 'Offset standard deviation per converter instance (drawn once per chip), in milli-LSB (CrossSim sigma_comparator).', unit: 'mLSB', default: 0, min: 0 }),
  gainErrorStd: param.int({ doc: 'Relative gain error standard deviation per instance, in ppm (1 % = 10000).', unit: 'ppm', default: 0, min: 0 }),
  capMismatch: param.int({ doc: 'SAR unit-capacitor mismatch sigma_u in ppm: C_k = 2^k C_u (1 + e_k), e_k ~ N(0, sigma_u^2 / 2^k), per instance; gives INL_t = D(t) - t, DNL_t = D(t) - D(t-1) - 1 (Spear et al., JxCDC 2023; CrossSim sigma_capacitor).', unit: 'ppm', default: 0, min: 0 }),
  noiseStd: param.int({ doc: 'Input-referred thermal (kT/C) noise per conversion in milli-LSB (sqrt(kT/C) = 0.20 mV at 100 fF, 300 K, MODELS.md section 8).', unit: 'mLSB', default: 0, min: 0 }),
};

/**
 * Analog-to-digital converter bank (one or more ADCs shared by columns), the read-out of an
 * analog in-memory-compute array. The behaviour is the pure model in `model.ts`; this is the
 * declaration (params, energy, stats, faults, caps). A stand-alone kind so platforms and the
 * design-space exploration can vary the read-out independently of the array.
 */
/** The compiler capability of a bank (from its architectural params only). */
const bankCaps = (p: ParamValues<typeof BANK_PARAMS>): Capability[] => [{ name: 'adc', bits: p.bits, fullScale: p.fullScale, gainLog2: p.gainLog2, coding: p.coding, architecture: p.architecture, adcs: p.adcs, columnsPerAdc: p.columnsPerAdc }];

const def = defineModule({
  kind: 'adc',
  doc: {
    summary: 'Bank of ADCs (SAR, flash, ramp or CCO) digitising analog column values, with column sharing; ideal by default, optional offset, gain error, SAR INL/DNL and thermal noise.',
    models: 'uniform quantiser: code = clamp(round-half-away-from-zero(gain * v / LSB)), LSB = fullScale / 2^B (unsigned) or fullScale / 2^(B-1) (signed); saturation (clipping) at both ends; unsigned, two\'s-complement or sign-magnitude codes; conversion time per architecture; column sharing (columnsPerAdc conversions in series). Non-idealities (noise.ts, off by default): per-instance offset and gain error and SAR capacitor-mismatch INL/DNL (drawn once per chip), thermal noise per conversion. The aimc-tile kind has the same params with an adc prefix and applies them to its column ADCs.',
    doesNotModel: 'output S-shape nonlinearity, metastability, data-dependent conversion time, reference settling; the stand-alone adc kind has no simulation model (its params document and size a read-out; the tile simulates its own ADCs).',
    timing: 'one conversion: SAR (B + sarExtraCycles) cycles, flash flashCycles, ramp (2^B + rampExtraCycles) cycles, CCO 2^B x ccoTimePerLsb (MODELS.md section 8); columnsPerAdc conversions per ADC in series.',
    energy: '`conversionEnergy` per conversion at the configured `bits` (model.ts adcConversionEnergyPj gives it from the ZigZag-IMC fit (100 fF B + 0.001 fF 4^B) VDD^2, a Walden FoM x 2^B, or a reference converter), `leakage` always.',
  },
  params: { ...BANK_PARAMS, ...ERROR_PARAMS },
  ports: () => [
    port.target('cfg', 'mem', { widthBits: 32, required: false, doc: 'Configuration registers (gain, full scale) when the bank is used stand-alone.' }),
  ],
  energy: (e) => ({
    conversion: e.perEvent('conversionEnergy', 'One conversion.'),
    leakage: e.static('leakage', 'Always-on leakage.'),
  }),
  stats: {
    conversions: stat.counter('conversions', 'Conversions performed.'),
    saturations: stat.counter('conversions', 'Conversions clipped at the lowest or highest code.'),
    busy: stat.time('Time with a conversion in progress.'),
  },
  faults: {
    stuckCode: fault.stuckAt('output code bits', 'An output code bit that reads as a fixed value (e.g. a dead comparator).'),
    codeBitFlip: fault.bitFlip('output codes', 'Flip bits of a conversion result.'),
    slowConversion: fault.delay('conversions', 'Conversions take longer than nominal (timing fault).'),
  },
  caps: bankCaps,
});

/**
 * Analog-to-digital converter bank (see the declaration above). `ports` and `caps` also accept
 * the architectural params alone (they do not depend on the error params).
 */
export const AdcDef: typeof def & {
  readonly ports: (p: ParamValues<typeof BANK_PARAMS>) => readonly PortSpec[];
  readonly caps: (p: ParamValues<typeof BANK_PARAMS>) => readonly Capability[];
} = def as never;

/** The ideal-transfer configuration of an `adc` instance's params (gain = 2^gainLog2). */
export function adcConfigFromParams(p: { readonly bits: number; readonly fullScale: number; readonly gainLog2: number; readonly coding: AdcConfig['coding'] }): AdcConfig {
  return { bits: p.bits, fullScale: p.fullScale, gain: 2 ** p.gainLog2, coding: p.coding };
}

/** The error parameters (natural units) of an `adc` instance's params (mLSB -> LSB, ppm -> fraction). */
export function adcErrorsFromParams(p: { readonly offsetStd: number; readonly gainErrorStd: number; readonly capMismatch: number; readonly noiseStd: number }): AdcErrorParams {
  return { offsetStdLsb: p.offsetStd / 1000, gainErrorStd: p.gainErrorStd / 1e6, capMismatch: p.capMismatch / 1e6, noiseStdLsb: p.noiseStd / 1000 };
}

/** The conversion-time params of an `adc` instance (`ccoTimePerLsb` is a Time in ps). */
export function adcTimingFromParams(p: { readonly sarExtraCycles: number; readonly flashCycles: number; readonly rampExtraCycles: number; readonly ccoTimePerLsb: number }): AdcTimingParams {
  return { sarExtraCycles: p.sarExtraCycles, flashCycles: p.flashCycles, rampExtraCycles: p.rampExtraCycles, ccoPsPerLsb: p.ccoTimePerLsb };
}
