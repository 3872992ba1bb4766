import { defineModule, fault, param, port, stat, type ParamProblem } from '../../spec/index.js';
import { SimError } from '../../util/index.js';
import { ADC_ARCHITECTURES, ADC_CODINGS, DEFAULT_ADC_TIMING, adcTransfer } from '../adc/model.js';
import { AIMC_DAC_MODES, AIMC_MAPPINGS, AIMC_SUBTRACTIONS, aimcLayout, type AimcTileConfig, type AimcTimingParams } from './model.js';

/**
 * Analog in-memory-compute crossbar tile (DIANA's AIMC core, an IBM HERMES core): weights
 * stationary as integer conductance levels, inputs through a DAC, column ADCs, digital
 * shift-add. The functional/timing/energy behaviour is `model.ts`; this is the declaration.
 * Defaults are a HERMES-like 256 x 256 core (8-bit inputs and ADCs, MODELS.md section 1 and 8,
 * PLATFORMS.md (c)); DIANA's tile is 1152 x 512 ternary with 7-bit sign-magnitude pulse-width
 * inputs and 6-bit ADCs.
 */
export const AimcTileDef = defineModule({
  kind: 'aimc-tile',
  doc: {
    summary: 'Analog in-memory-compute crossbar tile: integer weights as conductance levels, DAC inputs, column ADCs, shift-add recombination.',
    models: 'weight mapping (differential G+/G- with analog or digital subtraction, offset with digital subtraction of 2^(weightBits-1) x sum(x), ternary {-1,0,+1} as in DIANA); bit slicing over ceil(storedBits / cellBits) columns; bit-serial DAC (b-bit slices, signed inputs as a sign-bit phase of weight -2^(B-1)) or pulse-width DAC (one pass, sign-magnitude inputs); every column sum digitised by the ideal ADC (saturation, rounding) and recombined by shift-add; per-output scale; programming; operation counts.',
    doesNotModel: 'programming and read noise, drift, IR drop, stuck cells, ADC offset/INL (fault and noise layer, MODELS.md sections 2-6), analog conductance values (cells hold integer levels), input/output buffering beyond the command port, overlap of phases.',
    timing: 'MVM: phases x (t_drive + settleTime + min(columnsPerAdc, conversion units) x t_conv); t_drive = dacTime (bit-serial) or (2^Bmag - 1) x pulseLsbTime (pulse-width); t_conv: SAR (B + sarExtraCycles), flash, ramp 2^B cycles, CCO 2^B x ccoTimePerLsb. Programming: K x rowWriteCycles cycles.',
    energy: '`adcConversionEnergy` per conversion, `rowDriveEnergy` per word line per phase, `cellReadEnergy` per cell per phase, `shiftAddEnergy` per recombination step, `rowWriteEnergy` per word line and `cellWriteEnergy` per cell programmed, `leakage` always.',
  },
  params: {
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
    adcConversionEnergy: param.energy({ doc: 'One ADC conversion at adcBits (ZigZag-IMC fit (100 fF B + 0.001 fF 4^B) VDD^2: 0.49 pJ at 6 b, 0.70 pJ at 8 b, 0.9 V).', tech: true }),
    rowDriveEnergy: param.energy({ doc: 'Driving one word line for one phase (ZigZag-IMC DAC: 50 fF x B x VDD^2, 0 for 1-bit).', tech: true }),
    cellReadEnergy: param.energy({ doc: 'One cell read in one phase (array share of the MVM energy).', tech: true }),
    shiftAddEnergy: param.energy({ doc: 'One digital shift-add of the recombination.', tech: true }),
    rowWriteEnergy: param.energy({ doc: 'Programming one word line (drivers).', tech: true }),
    cellWriteEnergy: param.energy({ doc: 'Programming one cell.', tech: true }),
    leakage: param.power({ doc: 'Static leakage of the tile.', tech: true }),
    area: param.area({ doc: 'Silicon area of the tile.', tech: true }),
  },
  ports: () => [
    port.target('cfg', 'mem', { widthBits: 32, required: false, doc: 'Status (read-only: commands pending at +0x0, last tag at +0x4); commands come through acc.cmd (see AimcTileSim).' }),
    port.initiator('mem', 'mem', { widthBits: 32, required: false, doc: 'Reads inputs and weights from, writes outputs to the L1.' }),
    port.eventOut('done', { required: false, doc: 'Pulses when an MVM or programming completes.' }),
  ],
  energy: (e) => ({
    conversion: e.perEvent('adcConversionEnergy', 'One ADC conversion.'),
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
  check: (p) => aimcParamProblems(p) as readonly (ParamProblem & { readonly param: 'rows' })[],
  caps: (p) => [{
    name: 'aimc', rows: p.rows, cols: p.cols, mapping: p.mapping, subtraction: p.subtraction, cellBits: p.cellBits, weightBits: p.weightBits,
    inputBits: p.inputBits, inputSigned: p.inputSigned, dac: p.dac, dacSliceBits: p.dacSliceBits,
    adcBits: p.adcBits, adcFullScale: p.adcFullScale, adcCoding: p.adcCoding, columnsPerAdc: p.columnsPerAdc,
  }],
});

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
  return out;
}
