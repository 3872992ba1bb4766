import { defineModule, fault, param, port, stat, type Capability, type ParamProblem, type ParamValues, type PortSpec } from '../../spec/index.js';
import { SimError } from '../../util/index.js';
import { ADC_ARCHITECTURES, ADC_CODINGS, DEFAULT_ADC_TIMING, adcTransfer } from '../adc/model.js';
import { AIMC_DAC_MODES, AIMC_MAPPINGS, AIMC_SUBTRACTIONS, aimcLayout, type AimcTileConfig, type AimcTimingParams } from './model.js';
import { AIMC_DRIFT, AIMC_PROGRAM_NOISE, AIMC_READ_NOISE, type AimcNoiseConfig } from './noise.js';

/** The tile's architectural, timing and technology params. */
const TILE_PARAMS = {
  accelId: param.int({ doc: 'Accelerator number cores address with acc.* N (Xeacc, docs/ISA.md); unique among the accelerators a core reaches.', default: 0, min: 0, max: 127 }),
  queueDepth: param.int({ doc: 'Commands accepted and not finished (the executing one included); acc.cmd stalls beyond (placeholder: not characterised for HERMES or DIANA).', default: 4, min: 1 }),
  rows: param.int({ doc: 'Word lines = largest input vector (HERMES: 256; DIANA: 1152).', default: 256, min: 1 }),
  cols: param.int({ doc: 'Physical bit-line columns (HERMES: 256 unit cells, 512 with G+/G- as separate columns; DIANA: 512).', default: 512, min: 1 }),
  mapping: param.enum({ doc: 'Weight mapping: differential (G+/G- column pair), offset (w + 2^(weightBits-1), digital offset subtraction), ternary (DIANA, {-1,0,+1}, one column).', values: AIMC_MAPPINGS, default: 'differential' }),
  subtraction: param.enum({ doc: 'Differential only: G+ - G- formed in the analog domain (one conversion per pair) or after the ADC (two).', values: AIMC_SUBTRACTIONS, default: 'analog' }),
  cellBits: param.int({ doc: 'Bits per cell: levels 0..2^cellBits-1 (ISAAC: 2, PRIME: 4; ignored for ternary).', unit: 'bits', default: 7, min: 1, max: 8 }),
  weightBits: param.int({ doc: 'Weight precision including the sign (differential: sign-magnitude, |w| <= 2^(weightBits-1)-1; offset: two\'s complement; ignored for ternary).', unit: 'bits', default: 8, min: 1, max: 16 }),
  inputBits: param.int({ doc: 'Input precision including the sign when inputSigned (HERMES: 8; DIANA: 7 sign-magnitude).', unit: 'bits', default: 8, min: 1, max: 16 }),
  inputSigned: param.bool({ doc: 'Signed inputs: bit-serial two\'s complement (sign-bit phase), pulse-width sign-magnitude (drive polarity).', default: true }),
  dac: param.enum({ doc: 'Input encoding: bit-serial (dacSliceBits per phase) or pulse-width (one pass, HERMES and DIANA).', values: AIMC_DAC_MODES, default: 'pulse-width' }),
  dacSliceBits: param.int({ doc: 'Bit-serial DAC resolution b: ceil(inputBits / b) phases (ISAAC: 1, PRIME: 3).', unit: 'bits', default: 1, min: 1, max: 16 }),
  adcBits: param.int({ doc: 'Column ADC resolution (HERMES: 8; DIANA: 6).', unit: 'bits', default: 8, min: 1, max: 16 }),
  adcFullScale: param.int({ doc: 'ADC positive full-scale span in integer column-sum units (input digit x cell level); 2^(adcBits-1) with signed codes (2^adcBits unsigned) gives a step of one unit.', default: 128, min: 1 }),
  adcGainLog2: param.int({ doc: 'Gain before the ADC as a power of two (0 = unity).', default: 0, min: -16, max: 16 }),
  adcCoding: param.enum({ doc: 'ADC codes (see the adc kind).', values: ADC_CODINGS, default: 'twos-complement' }),
  adcArchitecture: param.enum({ doc: 'ADC type (HERMES: cco; DIANA: sar, unverified).', values: ADC_ARCHITECTURES, default: 'cco' }),
  columnsPerAdc: param.int({ doc: 'Conversion units (columns, or column pairs with analog subtraction) multiplexed onto one ADC (HERMES: 1; NeuroSim: 8).', default: 1, min: 1 }),
  sarExtraCycles: param.int({ doc: 'SAR ADC: cycles beyond one per bit (MNSIM: (B+2)/f_s).', unit: 'cycles', default: DEFAULT_ADC_TIMING.sarExtraCycles, min: 0 }),
  flashCycles: param.int({ doc: 'Flash ADC: cycles per conversion.', unit: 'cycles', default: DEFAULT_ADC_TIMING.flashCycles, min: 1 }),
  rampExtraCycles: param.int({ doc: 'Ramp ADC: cycles beyond 2^B.', unit: 'cycles', default: DEFAULT_ADC_TIMING.rampExtraCycles, min: 0 }),
  ccoTimePerLsb: param.time({ doc: 'CCO ADC: time per LSB (HERMES core: 300 ps/LSB, Khaddam-Aljameh et al., JSSC 2022).', default: `${DEFAULT_ADC_TIMING.ccoPsPerLsb}ps`, min: 1 }),
  rowWriteCycles: param.int({ doc: 'Cycles to program one word line (DIANA: 8, from ODiMO\'s 4 x 2 x 1152 = 9216 cycles per full array).', unit: 'cycles', default: 8, min: 1 }),
  dacTime: param.time({ doc: 'Bit-serial: DAC drive time per phase.', tech: true }),
  pulseLsbTime: param.time({ doc: 'Pulse-width: pulse length per input LSB.', tech: true }),
  settleTime: param.time({ doc: 'Column settling / integration time per phase.', tech: true }),
  adcConversionEnergy: param.energy({ doc: 'One ADC conversion at adcEnergyRefBits (ZigZag-IMC fit (100 fF B + 0.001 fF 4^B) VDD^2: 0.49 pJ at 6 b, 0.70 pJ at 8 b, 0.9 V).', tech: true }),
  adcEnergyRefBits: param.int({ doc: 'The resolution adcConversionEnergy is given at; a tile with other adcBits scales it by the same ZigZag-IMC fit, f(adcBits) / f(adcEnergyRefBits) with f(B) = 100 B + 0.001 4^B (fF), so a sweep over adcBits prices each resolution. 0 = adcBits (no scaling).', unit: 'bits', default: 0, min: 0, max: 16 }),
  rowDriveEnergy: param.energy({ doc: 'Driving one word line for one phase (ZigZag-IMC DAC: 50 fF x B x VDD^2, 0 for 1-bit).', tech: true }),
  cellReadEnergy: param.energy({ doc: 'One cell read in one phase (array share of the MVM energy).', tech: true }),
  shiftAddEnergy: param.energy({ doc: 'One digital shift-add of the recombination.', tech: true }),
  rowWriteEnergy: param.energy({ doc: 'Programming one word line (drivers).', tech: true }),
  cellWriteEnergy: param.energy({ doc: 'Programming one cell.', tech: true }),
  leakage: param.power({ doc: 'Static leakage of the tile.', tech: true }),
  cellArea: param.area({ doc: 'Area of one crossbar cell (all devices of one row x column position); the crossbar term is rows x cols x cellArea (0 = not split out: the tile\'s `area` covers it).', default: '0um2', tech: true }),
  adcArea: param.area({ doc: 'Area of one ADC at adcAreaRefBits, scaled by 2^(adcBits - adcAreaRefBits) (capacitive-DAC SAR and flash ADCs grow about 2x per bit; a first-order law, not a layout); the ADC term is the conversion units (cols, or cols / 2 with analog differential subtraction) / columnsPerAdc, rounded up, times that (0 = not split out).', default: '0um2', tech: true }),
  adcAreaRefBits: param.int({ doc: 'The resolution adcArea is given at; 0 = adcBits (no scaling).', unit: 'bits', default: 0, min: 0, max: 16 }),
  area: param.area({ doc: 'Area of the tile beyond the cell and ADC terms (periphery, drivers), or of the whole tile when those are 0.', tech: true }),
};

/** ZigZag-IMC's ADC energy fit (MODELS.md section 8), in fF of switched capacitance at B bits: 100 B + 0.001 4^B. */
export const adcEnergyFit = (bits: number): number => 100 * bits + 0.001 * 4 ** bits;

/** ADCs of a tile: conversion units (column pairs with analog subtraction, else columns) per columnsPerAdc, rounded up. */
export const adcCount = (p: { readonly cols: number; readonly mapping: string; readonly subtraction: string; readonly columnsPerAdc: number }): number =>
  Math.ceil((p.mapping === 'differential' && p.subtraction === 'analog' ? p.cols / 2 : p.cols) / p.columnsPerAdc);

/**
 * The tile's analog non-ideality params (noise.ts; MODELS.md sections 2-8), all off by default.
 * Dimensionless values are integers in ppm (1 % = 10000), LSB fractions in milli-LSB.
 */
const ANALOG_PARAMS = {
  programNoise: param.enum({ doc: 'Programming (write) noise drawn once per chip per PROGRAM, G = max(0, G_t + sigma N(0,1)): pcm = AIHWKit PCMLikeNoiseModel sigma = (0.26348 + 1.9650 g - 1.1731 g^2) Gmax/25 uS (Nandakumar et al., ICECS 2019); hermes / hermes-1 = AIHWKit HermesNoiseModel cubic fits for 2 devices (Gmax 20.7 uS) / 1 device (10.35 uS) (Le Gallo et al., Nat. Electron. 2023; Vasilopoulos et al., TED 2023); pcm-joshi = CrossSim PCM_Joshi sigma = -0.00178767 G^2 + 0.07585724 G + 0.28638599 uS (Joshi et al., Nat. Commun. 2020); rram, rram-1d, rram-2d = AIHWKit ReRamWan2022 quartic fits at 1 s, 1 day, 2 days (Gmax 40 uS; Wan et al., Nature 2022); normal / uniform = sigma programNoiseStd x Gmax, independent of G; normal-rel / uniform-rel = programNoiseStd x G_t (CrossSim generic_device, MNSIM Device_Variation).', values: AIMC_PROGRAM_NOISE, default: 'none' }),
  programNoiseScale: param.int({ doc: 'Multiplies the programming-noise sigma (AIHWKit prog_noise_scale), in percent: 100 = the fit.', unit: '%', default: 100, min: 0 }),
  programNoiseStd: param.int({ doc: 'Generic programming noise: standard deviation relative to Gmax (normal, uniform) or to G_t (-rel), in ppm (MNSIM default 5 % = 50000).', unit: 'ppm', default: 0, min: 0 }),
  readNoise: param.enum({ doc: 'Read noise re-drawn at every MVM: pcm = AIHWKit 1/f form sigma = |G(t)| Q_s(g) sqrt(ln((t + t0 + t_read)/(2 t_read))), Q_s = min(0.0088 / max(g^0.65, 1e-3), 0.2), t_read 250 ns; hermes / hermes-1 = AIHWKit hermes.py Q_s fits, t_read 512 ns; normal = sigma readNoiseStd x Gmax; normal-rel = readNoiseStd x |G(t)|. t = driftTime.', values: AIMC_READ_NOISE, default: 'none' }),
  readNoiseScale: param.int({ doc: 'Multiplies the read-noise sigma (AIHWKit read_noise_scale), in percent.', unit: '%', default: 100, min: 0 }),
  readNoiseStd: param.int({ doc: 'Generic read noise: standard deviation relative to Gmax (normal) or |G(t)| (normal-rel), in ppm.', unit: 'ppm', default: 0, min: 0 }),
  drift: param.enum({ doc: 'Conductance drift G(t) = G_p ((t + t0)/t0)^-nu, nu = |N(mu(g), sigma(g))| per device drawn once per chip: pcm = AIHWKit mu = clip(-0.0155 ln g + 0.0244, 0.049, 0.1), sigma = clip(-0.0125 ln g - 0.0059, 0.008, 0.045), t0 20 s; hermes / hermes-1 = AIHWKit hermes.py fits, t0 300 s / 200 s; generic = mu driftNu, sigma driftNuStd, t0 20 s.', values: AIMC_DRIFT, default: 'none' }),
  driftNu: param.int({ doc: 'Generic drift: mean drift exponent nu in ppm (0.05 = 50000: G falls to 0.66x after 1 day at t0 20 s, MODELS.md section 4).', unit: 'ppm', default: 50000, min: 0 }),
  driftNuStd: param.int({ doc: 'Generic drift: standard deviation of nu in ppm.', unit: 'ppm', default: 0, min: 0 }),
  driftT0: param.int({ doc: 'Drift reference time t0 in seconds; 0 = the model\'s (pcm 20 s, hermes 300 s, hermes-1 200 s, generic 20 s).', unit: 's', default: 0, min: 0 }),
  driftTime: param.int({ doc: 'Time since programming (after t0) at which the chip is used, in seconds (AIHWKit t_inference; 1 h = 3600, 1 day = 86400, 1 year = 31536000). 0 = no drift.', unit: 's', default: 0, min: 0 }),
  driftCompensation: param.bool({ doc: 'Global drift compensation (AIHWKit GlobalDriftCompensation): outputs x mean|y(t0)| / mean|y(t)| for an all-ones reference read, one digital scalar per PROGRAM.', default: false }),
  gMax: param.int({ doc: 'Device Gmax in nS (the conductance of the top level); 0 = the model\'s reference: pcm 25 uS, hermes 20.7 uS (2 devices), hermes-1 10.35 uS, rram 40 uS (MODELS.md section 1).', unit: 'nS', default: 0, min: 0 }),
  stuckOnRate: param.int({ doc: 'Probability of a cell stuck at ON (Gmax), persistent per chip, in ppm (MNSIM default 1 % = 10000).', unit: 'ppm', default: 0, min: 0, max: 1_000_000 }),
  stuckOffRate: param.int({ doc: 'Probability of a cell stuck at OFF (0), persistent per chip, in ppm (MNSIM default 9 % = 90000).', unit: 'ppm', default: 0, min: 0, max: 1_000_000 }),
  conductanceLevels: param.int({ doc: 'Distinct programmable conductance levels (g quantised to round(g (L-1))/(L-1); CrossSim cell_bits, MemTorch FiniteConductanceStates); 0 = the cell\'s 2^cellBits levels as they are.', default: 0, min: 0 }),
  irDrop: param.int({ doc: 'First-order IR drop alpha in ppm: the conductance of row i is divided by 1 + alpha (i+1)/rows (MODELS.md section 5 surrogate, alpha ~ r_w Gmax N^2 / 2 for fully-on inputs).', unit: 'ppm', default: 0, min: 0 }),
  adcOffsetStd: param.int({ doc: 'ADC offset standard deviation per ADC instance (drawn once per chip), in milli-LSB (CrossSim sigma_comparator).', unit: 'mLSB', default: 0, min: 0 }),
  adcGainErrorStd: param.int({ doc: 'ADC relative gain error standard deviation per instance, in ppm.', unit: 'ppm', default: 0, min: 0 }),
  adcCapMismatch: param.int({ doc: 'SAR unit-capacitor mismatch sigma_u in ppm (C_k = 2^k C_u (1 + e_k), e_k ~ N(0, sigma_u^2/2^k), per instance): INL/DNL (Spear et al., JxCDC 2023; CrossSim sigma_capacitor).', unit: 'ppm', default: 0, min: 0 }),
  adcNoiseStd: param.int({ doc: 'ADC input-referred thermal noise per conversion, in milli-LSB (kT/C: 0.20 mV at 100 fF, 300 K, MODELS.md section 8).', unit: 'mLSB', default: 0, min: 0 }),
  dacNoiseStd: param.int({ doc: 'DAC noise per driven input digit per MVM (pulse-length jitter / level noise), in milli-LSB of the input.', unit: 'mLSB', default: 0, min: 0 }),
  dacInl: param.int({ doc: 'DAC bow-shaped INL at mid-scale in milli-LSB: a digit m of full scale M is driven as m + inl 4 (m/M)(1 - m/M).', unit: 'mLSB', default: 0, min: -1_000_000, max: 1_000_000 }),
};

/**
 * Analog in-memory-compute crossbar tile (DIANA's AIMC core, an IBM HERMES core): weights
 * stationary as integer conductance levels, inputs through a DAC, column ADCs, digital
 * shift-add. The functional/timing/energy behaviour is `model.ts`; this is the declaration.
 * Defaults are a HERMES-like 256 x 256 core (8-bit inputs and ADCs, MODELS.md section 1 and 8,
 * PLATFORMS.md (c)); DIANA's tile is 1152 x 512 ternary with 7-bit sign-magnitude pulse-width
 * inputs and 6-bit ADCs.
 */
/** The compiler capability of a tile (from its architectural params only). */
const tileCaps = (p: ParamValues<typeof TILE_PARAMS>): Capability[] => [{
    name: 'aimc', rows: p.rows, cols: p.cols, mapping: p.mapping, subtraction: p.subtraction, cellBits: p.cellBits, weightBits: p.weightBits,
    inputBits: p.inputBits, inputSigned: p.inputSigned, dac: p.dac, dacSliceBits: p.dacSliceBits,
    adcBits: p.adcBits, adcFullScale: p.adcFullScale, adcCoding: p.adcCoding, columnsPerAdc: p.columnsPerAdc,
  }];

const def = defineModule({
  kind: 'aimc-tile',
  doc: {
    summary: 'Analog in-memory-compute crossbar tile: integer weights as conductance levels, DAC inputs, column ADCs, shift-add recombination.',
    models: 'weight mapping (differential G+/G- with analog or digital subtraction, offset with digital subtraction of 2^(weightBits-1) x sum(x), ternary {-1,0,+1} as in DIANA); bit slicing over ceil(storedBits / cellBits) columns; bit-serial DAC (b-bit slices, signed inputs as a sign-bit phase of weight -2^(B-1)) or pulse-width DAC (one pass, sign-magnitude inputs); every column sum digitised by the ADC (saturation, rounding) and recombined by shift-add; per-output scale; programming; operation counts. Analog non-idealities, all off by default (ideal and bit-exact then; noise.ts): programming noise (PCM, HERMES, PCM-Joshi and RRAM fits, generic normal/uniform), read noise per MVM (PCM/HERMES 1/f, generic), drift with per-device nu and global drift compensation, stuck-at-ON/OFF cells, finite conductance levels, first-order IR drop, ADC offset, gain error, SAR capacitor-mismatch INL/DNL and thermal noise per ADC instance, DAC bow INL and noise; per-chip draws persist across inferences, read/DAC/ADC noise is drawn per inference.',
    doesNotModel: 'I-V non-linearity, the CrossSim circuit solver for IR drop (first-order surrogate only), endurance, temperature, per-column drift compensation, ADC output S-shape non-linearity, input/output buffering beyond the command port, overlap of phases; time-dependent RRAM fits other than as programming-noise variants.',
    timing: 'MVM: phases x (t_drive + settleTime + min(columnsPerAdc, conversion units) x t_conv); t_drive = dacTime (bit-serial) or (2^Bmag - 1) x pulseLsbTime (pulse-width); t_conv: SAR (B + sarExtraCycles), flash, ramp 2^B cycles, CCO 2^B x ccoTimePerLsb. Programming: K x rowWriteCycles cycles.',
    energy: '`adcConversionEnergy` per conversion, `rowDriveEnergy` per word line per phase, `cellReadEnergy` per cell per phase, `shiftAddEnergy` per recombination step, `rowWriteEnergy` per word line and `cellWriteEnergy` per cell programmed, `leakage` always.',
  },
  params: { ...TILE_PARAMS, ...ANALOG_PARAMS },
  ports: () => [
    port.target('cfg', 'mem', { widthBits: 32, required: false, doc: 'Status (read-only: commands pending at +0x0, last tag at +0x4); commands come through acc.cmd (see AimcTileSim).' }),
    port.initiator('mem', 'mem', { widthBits: 32, required: false, doc: 'Reads inputs and weights from, writes outputs to the L1.' }),
    port.eventOut('done', { required: false, doc: 'Pulses when an MVM or programming completes.' }),
  ],
  energy: (e) => ({
    conversion: e.perEvent('adcConversionEnergy', 'One ADC conversion.', {
      by: (p) => (p.adcEnergyRefBits === 0 ? 1 : adcEnergyFit(p.adcBits) / adcEnergyFit(p.adcEnergyRefBits)),
      doc: 'f(adcBits) / f(adcEnergyRefBits), f(B) = 100 B + 0.001 4^B (ZigZag-IMC fit); 1 when adcEnergyRefBits is 0',
    }),
    rowDrive: e.perEvent('rowDriveEnergy', 'One word line driven for one DAC phase.'),
    cellRead: e.perEvent('cellReadEnergy', 'One cell read in one phase.'),
    shiftAdd: e.perEvent('shiftAddEnergy', 'One digital shift-add.'),
    rowWrite: e.perEvent('rowWriteEnergy', 'One word line programmed.'),
    cellWrite: e.perEvent('cellWriteEnergy', 'One cell programmed.'),
    leakage: e.static('leakage', 'Always-on leakage.'),
  }),
  stats: {
    mvms: stat.counter('MVMs', 'Matrix-vector products computed.'),
    phases: stat.counter('phases', 'DAC phases (analog passes).'),
    conversions: stat.counter('conversions', 'ADC conversions.'),
    saturations: stat.counter('conversions', 'Conversions clipped by the ADC range.'),
    macs: stat.counter('MACs', 'Logical multiply-accumulates (K x N per MVM).'),
    programs: stat.counter('programs', 'Weight matrices programmed.'),
    rowWrites: stat.counter('rows', 'Word lines programmed.'),
    busy: stat.time('Time computing or programming.'),
  },
  faults: {
    stuckCell: fault.stuckAt('cell levels', 'Cells stuck at level 0 (stuck-at-OFF) or the maximum level (stuck-at-ON) (MODELS.md section 6).'),
    levelFlip: fault.bitFlip('cell levels', 'Flip bits of a stored cell level (SRAM cells, DIANA; MODELS.md section 9).'),
    adcCodeFlip: fault.bitFlip('ADC codes', 'Flip bits of a conversion result (stands in for ADC offset / comparator errors until an analog fault kind exists).'),
    slowMvm: fault.delay('MVMs', 'An MVM takes longer than nominal.'),
  },
  area: [
    { param: 'cellArea', scale: (p) => p.rows * p.cols, per: 'cell', optional: true, doc: 'crossbar: rows x cols cells' },
    { param: 'adcArea', scale: (p) => adcCount(p) * 2 ** (p.adcBits - (p.adcAreaRefBits === 0 ? p.adcBits : p.adcAreaRefBits)), per: 'reference ADC', optional: true, doc: 'ADCs: ceil(conversion units / columnsPerAdc) x 2^(adcBits - adcAreaRefBits)' },
    { param: 'area', scale: () => 1, per: '', doc: 'the rest of the tile (or all of it when the cell and ADC terms are 0)' },
  ],
  check: (p) => aimcParamProblems(p) as readonly (ParamProblem & { readonly param: 'rows' })[],
  caps: tileCaps,
});

/**
 * Analog in-memory-compute crossbar tile (see the declaration above). `ports` and `caps` also
 * accept the architectural params alone (they do not depend on the analog ones).
 */
export const AimcTileDef: typeof def & {
  readonly ports: (p: ParamValues<typeof TILE_PARAMS>) => readonly PortSpec[];
  readonly caps: (p: ParamValues<typeof TILE_PARAMS>) => readonly Capability[];
} = def as never;

/** Typed params of an `aimc-tile` instance (the subset the model needs). */
type TileParams = {
  readonly [K in 'rows' | 'cols' | 'cellBits' | 'weightBits' | 'inputBits' | 'dacSliceBits' | 'adcBits' | 'adcFullScale' | 'adcGainLog2' | 'columnsPerAdc'
    | 'sarExtraCycles' | 'flashCycles' | 'rampExtraCycles' | 'ccoTimePerLsb' | 'rowWriteCycles' | 'dacTime' | 'pulseLsbTime' | 'settleTime']: number;
} & {
  readonly mapping: AimcTileConfig['mapping'];
  readonly subtraction: AimcTileConfig['subtraction'];
  readonly inputSigned: boolean;
  readonly dac: AimcTileConfig['dac'];
  readonly adcCoding: AimcTileConfig['adc']['coding'];
  readonly adcArchitecture: AimcTimingParams['adcArchitecture'];
};

/** The model configuration of an `aimc-tile` instance's params (ADC gain = 2^adcGainLog2). */
export function aimcConfigFromParams(p: TileParams): AimcTileConfig {
  return {
    rows: p.rows, cols: p.cols, mapping: p.mapping, subtraction: p.subtraction, cellBits: p.cellBits, weightBits: p.weightBits,
    inputBits: p.inputBits, inputSigned: p.inputSigned, dac: p.dac, dacSliceBits: p.dacSliceBits,
    adc: { bits: p.adcBits, fullScale: p.adcFullScale, gain: 2 ** p.adcGainLog2, coding: p.adcCoding },
  };
}

/** The timing parameters of an `aimc-tile` instance at a clock period in ps. */
export function aimcTimingFromParams(p: TileParams, clockPeriodPs: number): AimcTimingParams {
  return {
    clockPeriodPs, dacTimePs: p.dacTime, pulseLsbPs: p.pulseLsbTime, settleTimePs: p.settleTime,
    adcArchitecture: p.adcArchitecture, columnsPerAdc: p.columnsPerAdc, rowWriteCycles: p.rowWriteCycles,
    adcTiming: { sarExtraCycles: p.sarExtraCycles, flashCycles: p.flashCycles, rampExtraCycles: p.rampExtraCycles, ccoPsPerLsb: p.ccoTimePerLsb },
  };
}

/** The analog params of an `aimc-tile` instance (file units: ppm, %, mLSB, nS, s). */
export type AimcNoiseParams = {
  readonly [K in 'programNoiseScale' | 'programNoiseStd' | 'readNoiseScale' | 'readNoiseStd' | 'driftNu' | 'driftNuStd' | 'driftT0' | 'driftTime' | 'gMax'
    | 'stuckOnRate' | 'stuckOffRate' | 'conductanceLevels' | 'irDrop' | 'adcOffsetStd' | 'adcGainErrorStd' | 'adcCapMismatch' | 'adcNoiseStd' | 'dacNoiseStd' | 'dacInl']: number;
} & {
  readonly programNoise: AimcNoiseConfig['programNoise'];
  readonly readNoise: AimcNoiseConfig['readNoise'];
  readonly drift: AimcNoiseConfig['drift'];
  readonly driftCompensation: boolean;
};

/** The non-ideality configuration (natural units) of an `aimc-tile` instance's params. */
export function aimcNoiseFromParams(p: AimcNoiseParams): AimcNoiseConfig {
  return {
    programNoise: p.programNoise, programNoiseScale: p.programNoiseScale / 100, programNoiseStd: p.programNoiseStd / 1e6,
    readNoise: p.readNoise, readNoiseScale: p.readNoiseScale / 100, readNoiseStd: p.readNoiseStd / 1e6,
    drift: p.drift, driftNu: p.driftNu / 1e6, driftNuStd: p.driftNuStd / 1e6, driftT0S: p.driftT0, driftTimeS: p.driftTime, driftCompensation: p.driftCompensation,
    gMaxUs: p.gMax / 1000, stuckOnRate: p.stuckOnRate / 1e6, stuckOffRate: p.stuckOffRate / 1e6, conductanceLevels: p.conductanceLevels, irDrop: p.irDrop / 1e6,
    adc: { offsetStdLsb: p.adcOffsetStd / 1000, gainErrorStd: p.adcGainErrorStd / 1e6, capMismatch: p.adcCapMismatch / 1e6, noiseStdLsb: p.adcNoiseStd / 1000 },
    dacNoiseStdLsb: p.dacNoiseStd / 1000, dacInlLsb: p.dacInl / 1000,
  };
}

/** Names of the analog non-ideality params of `aimc-tile` (what a campaign's fault-free reference resets to their defaults). */
export const AIMC_NOISE_PARAMS = [
  'programNoise', 'programNoiseScale', 'programNoiseStd', 'readNoise', 'readNoiseScale', 'readNoiseStd', 'drift', 'driftNu', 'driftNuStd', 'driftT0', 'driftTime',
  'driftCompensation', 'gMax', 'stuckOnRate', 'stuckOffRate', 'conductanceLevels', 'irDrop', 'adcOffsetStd', 'adcGainErrorStd', 'adcCapMismatch', 'adcNoiseStd',
  'dacNoiseStd', 'dacInl',
] as const satisfies readonly (keyof AimcNoiseParams)[];

/** The declaration defaults of the analog params (every non-ideality off), by name. */
export function aimcIdealNoiseParams(): Record<(typeof AIMC_NOISE_PARAMS)[number], unknown> {
  const out: Partial<Record<(typeof AIMC_NOISE_PARAMS)[number], unknown>> = {};
  for (const k of AIMC_NOISE_PARAMS) {
    const spec = ANALOG_PARAMS[k];
    const r = spec.parse(spec.default);
    if (!r.ok) throw new Error(`declaration bug: default of '${k}' is invalid`);
    out[k] = r.value;
  }
  return out as Record<(typeof AIMC_NOISE_PARAMS)[number], unknown>;
}

/** Model param names of the ADC checks, as the tile's params. */
const ADC_PARAM: Readonly<Record<string, string>> = { bits: 'adcBits', fullScale: 'adcFullScale', gain: 'adcGainLog2', coding: 'adcCoding' };

/**
 * Param combinations the tile cannot hold (the declaration's `check`): the model's own checks
 * (precisions, ADC range), and a column count too small for one output's slices.
 */
export function aimcParamProblems(p: TileParams): ParamProblem[] {
  const c = aimcConfigFromParams(p);
  const out: ParamProblem[] = [];
  const from = (e: unknown, map: (name: string) => string): void => {
    if (!(e instanceof SimError)) throw e;
    const name = /param '(\w+)'/.exec(e.message)?.[1] ?? 'rows';
    const message = e.message.replace(/^[^:]*: /, '').replace(/(?:ADC |tile )?param '(\w+)'/, (_m, n: string) => `param '${map(n)}'`);
    out.push({ param: map(name), message, hint: `see 'edgesim describe aimc-tile'` });
  };
  try {
    const l = aimcLayout(c, 'tile');
    if (l.colsPerOutput > c.cols) {
      out.push({
        param: 'cols',
        message: `cols ${c.cols} cannot hold one output: ${c.mapping} mapping of ${c.weightBits}-bit weights in ${c.cellBits}-bit cells takes ${l.colsPerOutput} columns per output`,
        hint: `use at least ${l.colsPerOutput} cols, more bits per cell or fewer weight bits`,
      });
    }
  } catch (e) {
    from(e, (n) => n);
  }
  try {
    adcTransfer(c.adc, 'tile');
  } catch (e) {
    from(e, (n) => ADC_PARAM[n] ?? n);
  }
  const q = p as Partial<AimcNoiseParams>;
  if (q.conductanceLevels === 1) out.push({ param: 'conductanceLevels', message: 'conductanceLevels 1 cannot hold a weight: use 0 (the cell\'s levels) or at least 2', hint: 'e.g. conductanceLevels: 16' });
  if ((q.stuckOnRate ?? 0) + (q.stuckOffRate ?? 0) > 1_000_000) out.push({ param: 'stuckOnRate', message: `stuckOnRate + stuckOffRate = ${(q.stuckOnRate ?? 0) + (q.stuckOffRate ?? 0)} ppm exceeds 1000000 ppm (a probability)`, hint: 'lower one of them' });
  return out;
}
