/**
 * Analog in-memory-compute (AIMC) crossbar tile: the functional, timing and energy model as pure
 * code (no kernel). Integer in, integer-valued out, computed the way the hardware computes it:
 * per DAC phase, every column sums input digit x cell level (an integer in cell-LSB units), the
 * ADC digitises it (adc/model.ts), and digital logic recombines slices and phases by shift-add.
 *
 * The analog non-idealities (MODELS.md sections 2-8: programming and read noise, drift and its
 * compensation, IR drop, stuck cells, finite conductance levels, ADC and DAC errors) are
 * `noise.ts`: a programmed tile with an analog state ({@link AimcTileState.analog}, attached by
 * `AimcAnalogDevice.program`) computes with real conductances; without it (the default, every
 * non-ideality off) conductances are integer levels (Gmin = level 0) and the tile is ideal
 * analog plus an ideal ADC: every deviation from the integer MVM comes from ADC range and
 * resolution, bit-exact.
 */
import { SimError } from '../../util/index.js';
import { aimcMvmAnalog, finishAimcMvm, type AimcAnalogState } from './noise.js';
import { mvmShape } from './shape.js';
import { adcClips, adcConversionTimePs, adcConvert, adcReconstruct, adcTransfer, roundHalfAwayFromZero, type AdcArchitecture, type AdcConfig, type AdcTimingParams, type AdcTransfer } from '../adc/model.js';

/**
 * Weight -> conductance mapping (MODELS.md section 1):
 * - `differential`: a pair of columns per weight slice (G+ then G-); a positive weight's
 *   magnitude is on G+, a negative one's on G-, the other cell at level 0. Weights are
 *   sign-magnitude: |w| <= 2^(weightBits-1) - 1 (-2^(weightBits-1) is refused).
 * - `offset`: one column per slice holding u = w + 2^(weightBits-1) in [0, 2^weightBits - 1]
 *   (full two's-complement weight range); after recombination the digital logic subtracts the
 *   offset term 2^(weightBits-1) * sum_i x_i, computed exactly from the digital inputs.
 * - `ternary`: DIANA: one cell (two SRAM bits) per weight in {-1, 0, +1}, contributing
 *   -x, 0 or +x to its column; one column per output, no slicing (`cellBits`, `weightBits`
 *   ignored).
 */
export type AimcMapping = 'differential' | 'offset' | 'ternary';
/** All mappings, in declaration order. */
export const AIMC_MAPPINGS = ['differential', 'offset', 'ternary'] as const satisfies readonly AimcMapping[];

/**
 * Where a differential pair is subtracted: `analog` (both currents on one summing node, one
 * conversion of G+ - G- per pair, needs a signed ADC) or `digital` (each column digitised,
 * the codes subtracted after the ADC: twice the conversions).
 */
export type AimcSubtraction = 'analog' | 'digital';
/** All subtraction places. */
export const AIMC_SUBTRACTIONS = ['analog', 'digital'] as const satisfies readonly AimcSubtraction[];

/**
 * Input encoding (MODELS.md section 7):
 * - `bit-serial`: a `dacSliceBits`-bit DAC drives one slice of every input per phase; each
 *   phase is digitised separately and recombined by shift-add (ISAAC: 1-bit; PRIME: 3-bit).
 *   Unsigned inputs: ceil(inputBits / b) phases, phase p drives bits [p b, p b + b).
 *   Signed inputs (two's complement, [-2^(B-1), 2^(B-1)-1]): the B-1 low bits in
 *   ceil((B-1) / b) unsigned phases plus one phase driving the sign bit, recombined with
 *   weight -2^(B-1) (x = low - 2^(B-1) sign). Every phase drives non-negative digits.
 * - `pulse-width`: one analog pass, the pulse length is |x| LSB steps. Signed inputs are
 *   sign-magnitude (DIANA: 7-bit signed-magnitude input, 6-bit time pulse): the sign selects
 *   the drive polarity, so inputs are in [-(2^(B-1)-1), 2^(B-1)-1] (-2^(B-1) is refused).
 */
export type AimcDacMode = 'bit-serial' | 'pulse-width';
/** All DAC modes. */
export const AIMC_DAC_MODES = ['bit-serial', 'pulse-width'] as const satisfies readonly AimcDacMode[];

/** A tile's functional configuration. */
export interface AimcTileConfig {
  /** Word lines (inputs): the largest K. */
  readonly rows: number;
  /** Physical bit-line columns. */
  readonly cols: number;
  readonly mapping: AimcMapping;
  /** Differential mapping only: where G+ - G- is formed. */
  readonly subtraction: AimcSubtraction;
  /** Bits per cell: levels 0 .. 2^cellBits - 1 (1..8). Ignored for `ternary`. */
  readonly cellBits: number;
  /** Weight precision including the sign (2..16 differential, 1..16 offset). Ignored for `ternary`. */
  readonly weightBits: number;
  /** Input precision including the sign when `inputSigned` (1..16; 2..16 for signed pulse-width). */
  readonly inputBits: number;
  readonly inputSigned: boolean;
  readonly dac: AimcDacMode;
  /** Bit-serial DAC resolution b (1 = 1-bit DAC). Ignored for `pulse-width`. */
  readonly dacSliceBits: number;
  /** The column ADCs (fullScale in integer column-sum units: input digit x cell level). */
  readonly adc: AdcConfig;
}

/** Quantities derived from a configuration (see {@link aimcLayout}). */
export interface AimcLayout {
  /** Weight bits stored in cells: differential weightBits - 1 (magnitude), offset weightBits, ternary 1. */
  readonly storedBits: number;
  /** Slices S per weight: ceil(storedBits / cellBits) (ternary: 1). */
  readonly slices: number;
  /** Physical columns per output: differential 2S, offset S, ternary 1. */
  readonly colsPerOutput: number;
  /** ADC conversions per output per phase: differential-digital 2S, differential-analog S, offset S, ternary 1. */
  readonly unitsPerOutput: number;
  /** DAC phases per MVM (pulse-width: 1). */
  readonly phases: number;
  /** Phases driving magnitude bits (signed bit-serial: ceil((B-1)/b); others = phases). */
  readonly magnitudePhases: number;
  readonly minWeight: number;
  readonly maxWeight: number;
  readonly minInput: number;
  readonly maxInput: number;
  /** Range of a cell level. */
  readonly minLevel: number;
  readonly maxLevel: number;
  /** Range of one phase's input digit (over all phases). */
  readonly minDigit: number;
  readonly maxDigit: number;
  /** Offset mapping: the offset 2^(weightBits-1) (0 otherwise). */
  readonly weightOffset: number;
}

function cfgError(path: string, param: string, why: string): never {
  throw new SimError('aimc-bad-config', `${path}: tile param '${param}' ${why}`, { path });
}

const intIn = (v: number, lo: number, hi: number): boolean => Number.isInteger(v) && v >= lo && v <= hi;

/**
 * Checks a configuration and derives its layout; throws SimError `aimc-bad-config` naming
 * `path` and the parameter.
 */
export function aimcLayout(c: AimcTileConfig, path = 'aimc'): AimcLayout {
  if (!intIn(c.rows, 1, 1 << 20)) cfgError(path, 'rows', `must be an integer >= 1, got ${c.rows}`);
  if (!intIn(c.cols, 1, 1 << 20)) cfgError(path, 'cols', `must be an integer >= 1, got ${c.cols}`);
  if (!intIn(c.inputBits, c.inputSigned && c.dac === 'pulse-width' ? 2 : 1, 16)) cfgError(path, 'inputBits', `must be in ${c.inputSigned && c.dac === 'pulse-width' ? 2 : 1}..16, got ${c.inputBits}`);
  if (c.dac === 'bit-serial' && !intIn(c.dacSliceBits, 1, 16)) cfgError(path, 'dacSliceBits', `must be in 1..16, got ${c.dacSliceBits}`);
  const ternary = c.mapping === 'ternary';
  if (!ternary) {
    if (!intIn(c.cellBits, 1, 8)) cfgError(path, 'cellBits', `must be in 1..8, got ${c.cellBits}`);
    if (!intIn(c.weightBits, c.mapping === 'differential' ? 2 : 1, 16)) cfgError(path, 'weightBits', `must be in ${c.mapping === 'differential' ? 2 : 1}..16 for ${c.mapping} mapping, got ${c.weightBits}`);
  }
  const storedBits = ternary ? 1 : c.mapping === 'differential' ? c.weightBits - 1 : c.weightBits;
  const slices = ternary ? 1 : Math.ceil(storedBits / c.cellBits);
  const diff = c.mapping === 'differential';
  const colsPerOutput = diff ? 2 * slices : slices;
  const unitsPerOutput = diff && c.subtraction === 'digital' ? 2 * slices : slices;
  const B = c.inputBits;
  const b = c.dac === 'pulse-width' ? B : c.dacSliceBits;
  const magnitudePhases = c.dac === 'pulse-width' ? 1 : Math.ceil((c.inputSigned ? B - 1 : B) / b);
  const phases = c.dac === 'pulse-width' ? 1 : magnitudePhases + (c.inputSigned ? 1 : 0);
  const half = 2 ** (c.weightBits - 1);
  const minWeight = ternary ? -1 : diff ? -(half - 1) : -half;
  const maxWeight = ternary ? 1 : half - 1;
  const inHalf = 2 ** (B - 1);
  const minInput = !c.inputSigned ? 0 : c.dac === 'pulse-width' ? -(inHalf - 1) : -inHalf;
  const maxInput = c.inputSigned ? inHalf - 1 : 2 ** B - 1;
  const maxLevel = ternary ? 1 : 2 ** Math.min(c.cellBits, storedBits) - 1;
  const minLevel = ternary ? -1 : 0;
  let minDigit = 0;
  let maxDigit: number;
  if (c.dac === 'pulse-width') {
    minDigit = minInput;
    maxDigit = maxInput;
  } else {
    const magBits = c.inputSigned ? B - 1 : B;
    maxDigit = Math.max(magBits > 0 ? 2 ** Math.min(b, magBits) - 1 : 0, c.inputSigned ? 1 : 0);
  }
  return {
    storedBits, slices, colsPerOutput, unitsPerOutput, phases, magnitudePhases, minWeight, maxWeight, minInput, maxInput,
    minLevel, maxLevel, minDigit, maxDigit, weightOffset: c.mapping === 'offset' ? half : 0,
  };
}

/** Counts of one programming operation (for timing and energy). */
export interface AimcProgramCounts {
  /** Word lines written (= K). */
  readonly rowWrites: number;
  /** Cells written (= K x columns used). */
  readonly cellWrites: number;
}

/**
 * A programmed tile: integer conductance levels per cell and the per-column output scale.
 * `levels` is rows x cols row-major; cells outside the K x columnsUsed block are 0.
 * Column of output n, slice s (least significant first), polarity p (0 = G+, 1 = G-):
 * `n * colsPerOutput + s * (differential ? 2 : 1) + p`.
 */
export interface AimcTileState {
  readonly config: AimcTileConfig;
  readonly layout: AimcLayout;
  readonly adc: AdcTransfer;
  /** Instance path used in error messages. */
  readonly path: string;
  /** Rows used (K) and outputs (N). */
  readonly k: number;
  readonly n: number;
  /** Physical columns used: N x colsPerOutput. */
  readonly colsUsed: number;
  readonly levels: Int32Array;
  /**
   * What one conversion unit sums, rows x `unitCols` row-major: the levels themselves, except
   * with analog differential subtraction, where unit (n, s) holds level(G+) - level(G-) (the
   * current the summing node sees), so the MVM does half the work with the same result.
   */
  readonly unitLevels: Int32Array;
  /** Units per row of `unitLevels`: N x unitsPerOutput (analog differential) or columns used. */
  readonly unitCols: number;
  /** Per-output scale applied after recombination (and offset subtraction); undefined = 1. */
  readonly scale: Float64Array | undefined;
  readonly program: AimcProgramCounts;
  /** Scratch: column sums of one phase, and the phase's input digits. */
  readonly acc: Float64Array;
  readonly digits: Int32Array;
  /** Analog non-idealities of this programming (noise.ts); absent = the ideal integer tile. */
  readonly analog?: AimcAnalogState | undefined;
}

/**
 * Programs a K x N integer weight matrix (row-major: `weights[i * n + j]` = weight from input i
 * to output j) into a tile. `scale` (length N) is the per-output-column scale applied after
 * recombination: an integer scale keeps the output exact, a float one (e.g. a dequantisation
 * factor, AIHWKit column-wise weight scaling) multiplies it in double precision.
 *
 * Throws SimError `aimc-weights-dont-fit` (K > rows, N x colsPerOutput > cols, bad lengths) or
 * `aimc-weight-out-of-range` (a weight outside the mapping's range), naming `path` and the
 * parameter that limits it.
 */
export function programTile(c: AimcTileConfig, weights: ArrayLike<number>, k: number, n: number, path = 'aimc', scale?: ArrayLike<number>): AimcTileState {
  const layout = aimcLayout(c, path);
  const adc = adcTransfer(c.adc, `${path}.adc`);
  const fit = (why: string): never => {
    throw new SimError('aimc-weights-dont-fit', `${path}: ${why}`, { path });
  };
  if (!Number.isInteger(k) || k < 1) fit(`weight matrix must have K >= 1 rows, got ${k}`);
  if (!Number.isInteger(n) || n < 1) fit(`weight matrix must have N >= 1 columns, got ${n}`);
  if (weights.length !== k * n) fit(`weight array has ${weights.length} values, expected K x N = ${k} x ${n} = ${k * n}`);
  if (k > c.rows) fit(`weight matrix has K = ${k} rows but the tile has ${c.rows} (param 'rows')`);
  const colsUsed = n * layout.colsPerOutput;
  if (colsUsed > c.cols) {
    fit(`N = ${n} outputs need ${colsUsed} columns (${layout.colsPerOutput} per output: ${c.mapping}${c.mapping === 'ternary' ? '' : `, ${layout.slices} slice(s) of cellBits = ${c.cellBits}`}) but the tile has ${c.cols} (param 'cols')`);
  }
  if (scale !== undefined && scale.length !== n) fit(`scale has ${scale.length} values, expected N = ${n}`);
  const levels = new Int32Array(c.rows * c.cols);
  const { minWeight, maxWeight, slices, colsPerOutput, weightOffset } = layout;
  const cb = c.cellBits;
  const mask = (1 << cb) - 1;
  const diff = c.mapping === 'differential';
  for (let i = 0; i < k; i++) {
    const base = i * c.cols;
    for (let j = 0; j < n; j++) {
      const w = weights[i * n + j]!;
      if (!Number.isInteger(w) || w < minWeight || w > maxWeight) {
        const what = c.mapping === 'ternary' ? 'ternary mapping' : `weightBits = ${c.weightBits}, ${c.mapping} mapping`;
        throw new SimError('aimc-weight-out-of-range', `${path}: weight [${i}][${j}] = ${w} is outside [${minWeight}, ${maxWeight}] (${what}; param 'weightBits')`, { path });
      }
      const col0 = base + j * colsPerOutput;
      if (c.mapping === 'ternary') {
        levels[col0] = w;
      } else if (diff) {
        const m = Math.abs(w);
        const pol = w < 0 ? 1 : 0;
        for (let s = 0; s < slices; s++) levels[col0 + 2 * s + pol] = (m >>> (s * cb)) & mask;
      } else {
        const u = w + weightOffset;
        for (let s = 0; s < slices; s++) levels[col0 + s] = (u >>> (s * cb)) & mask;
      }
    }
  }
  let unitLevels = levels;
  let unitCols = c.cols;
  if (diff && c.subtraction === 'analog') {
    unitCols = n * slices;
    unitLevels = new Int32Array(c.rows * unitCols);
    for (let i = 0; i < k; i++) {
      for (let u = 0; u < unitCols; u++) unitLevels[i * unitCols + u] = levels[i * c.cols + 2 * u]! - levels[i * c.cols + 2 * u + 1]!;
    }
  }
  return {
    config: c, layout, adc, path, k, n, colsUsed, levels, unitLevels, unitCols,
    scale: scale === undefined ? undefined : Float64Array.from(scale),
    program: { rowWrites: k, cellWrites: k * colsUsed },
    acc: new Float64Array(c.cols), digits: new Int32Array(c.rows),
  };
}

/** Operation counts of one MVM (for timing and energy). */
export interface AimcMvmCounts {
  /** DAC phases (analog passes). */
  readonly phases: number;
  /** Word-line drives: phases x K (every used row is driven each phase, a zero digit at 0 V). */
  readonly rowActivations: number;
  /** Cell reads: phases x K x columns used. */
  readonly cellReads: number;
  /** ADC conversions: phases x N x unitsPerOutput. */
  readonly adcConversions: number;
  /** Digital shift-adds: one per conversion (recombination), plus N for the offset subtraction. */
  readonly shiftAdds: number;
  /** Conversions clipped by the ADC range (value beyond the end codes; see adcClips). */
  readonly saturations: number;
}

/** Result of {@link aimcMvm}. */
export interface AimcMvmResult {
  /** Length N; integer values whenever the ADC step and the scale are integers. */
  readonly out: Float64Array;
  readonly counts: AimcMvmCounts;
}

/**
 * Matrix-vector product y = x W on a programmed tile, as the hardware computes it:
 *
 * ```
 * for each DAC phase p (digit d_i,p of input i, phase weight w_p):
 *   a_c = sum_i d_i,p * level[i][c]                  (exact integer column sum)
 *   v_u = R(Q(a_c))   (analog differential: R(Q(a_c+ - a_c-)); digital: R(Q(a_c+)) - R(Q(a_c-)))
 *   y_n += w_p * sum_s 2^(s * cellBits) * v_(n,s)
 * offset mapping: y_n -= 2^(weightBits-1) * sum_i x_i
 * y_n *= scale_n
 * ```
 * with Q the ADC transfer ({@link adcConvert}) and R its reconstruction ({@link adcReconstruct}),
 * w_p = 2^(p b) for magnitude phases and -2^(B-1) for the sign phase of signed bit-serial inputs,
 * w_p = 1 for pulse-width (digit = x_i, signed drive). With an ADC step of 1 and a range covering
 * every column value (see {@link aimcMinimumExactAdc}) y is exactly the integer product x W.
 *
 * `x` has K integer entries in [minInput, maxInput] (SimError `aimc-input-out-of-range`
 * otherwise). `out` (length >= N) is reused when given. No allocation per element.
 * A tile with an analog state ({@link AimcTileState.analog}) computes the same steps with its
 * non-idealities (noise.ts `aimcMvmAnalog`).
 */
export function aimcMvm(st: AimcTileState, x: ArrayLike<number>, out: Float64Array = new Float64Array(st.n)): AimcMvmResult {
  const { config: c, layout: L, k, n, acc, digits, adc } = st;
  if (x.length !== k) throw new SimError('aimc-input-out-of-range', `${st.path}: input vector has ${x.length} entries, expected K = ${k}`, { path: st.path });
  let sumX = 0;
  for (let i = 0; i < k; i++) {
    const v = x[i]!;
    if (!Number.isInteger(v) || v < L.minInput || v > L.maxInput) {
      throw new SimError('aimc-input-out-of-range', `${st.path}: input [${i}] = ${v} is outside [${L.minInput}, ${L.maxInput}] (param 'inputBits' = ${c.inputBits}, ${c.inputSigned ? 'signed' : 'unsigned'}, ${c.dac})`, { path: st.path });
    }
    sumX += v;
  }
  if (st.analog !== undefined) return aimcMvmAnalog(st, st.analog, x, sumX, out);
  out.fill(0, 0, n);
  const { mode, used, slices, cpo, cb, pwm, b, dmask, lowMask } = mvmShape(st);
  const levels = st.unitLevels;
  const cols = st.unitCols;
  const minCode = adc.minCode;
  const maxCode = adc.maxCode;
  let saturations = 0;
  for (let p = 0; p < L.phases; p++) {
    let wp: number;
    if (pwm) {
      for (let i = 0; i < k; i++) digits[i] = x[i]!;
      wp = 1;
    } else if (p < L.magnitudePhases) {
      const sh = p * b;
      for (let i = 0; i < k; i++) digits[i] = ((x[i]! & lowMask) >>> sh) & dmask;
      wp = 2 ** sh;
    } else {
      for (let i = 0; i < k; i++) digits[i] = x[i]! < 0 ? 1 : 0;
      wp = -(2 ** (c.inputBits - 1));
    }
    acc.fill(0, 0, used);
    for (let i = 0; i < k; i++) {
      const d = digits[i]!;
      if (d === 0) continue;
      const base = i * cols;
      for (let col = 0; col < used; col++) acc[col]! += d * levels[base + col]!;
    }
    for (let j = 0; j < n; j++) {
      let y = 0;
      const c0 = j * cpo;
      for (let s = 0; s < slices; s++) {
        let v: number;
        if (mode === 0) {
          const q = adcConvert(adc, acc[c0 + s]!);
          if ((q === minCode || q === maxCode) && adcClips(adc, acc[c0 + s]!)) saturations++;
          v = adcReconstruct(adc, q);
        } else if (mode === 1) {
          const a = acc[c0 + s]!;
          const q = adcConvert(adc, a);
          if ((q === minCode || q === maxCode) && adcClips(adc, a)) saturations++;
          v = adcReconstruct(adc, q);
        } else {
          const qp = adcConvert(adc, acc[c0 + 2 * s]!);
          const qn = adcConvert(adc, acc[c0 + 2 * s + 1]!);
          if ((qp === minCode || qp === maxCode) && adcClips(adc, acc[c0 + 2 * s]!)) saturations++;
          if ((qn === minCode || qn === maxCode) && adcClips(adc, acc[c0 + 2 * s + 1]!)) saturations++;
          v = adcReconstruct(adc, qp) - adcReconstruct(adc, qn);
        }
        y += 2 ** (s * cb) * v;
      }
      out[j]! += wp * y;
    }
  }
  return finishAimcMvm(st, out, sumX, k, n, saturations);
}

/**
 * Range [min, max] of the values the ADCs see (per conversion unit, per phase), in integer
 * column-sum units. Without `st`: the worst case over every weight matrix and input the config
 * accepts (rows x the extreme products of digit and level). With `st`: over every input for the
 * programmed weights (each unit's column sum maximised and minimised row by row; `st.config`
 * is used then).
 */
export function aimcColumnRange(config: AimcTileConfig, st?: AimcTileState): { readonly min: number; readonly max: number } {
  const c = st?.config ?? config;
  const L = st?.layout ?? aimcLayout(c);
  const analogDiff = c.mapping === 'differential' && c.subtraction === 'analog';
  if (st === undefined) {
    const lMin = analogDiff ? -L.maxLevel : L.minLevel;
    const lMax = L.maxLevel;
    const prods = [L.minDigit * lMin, L.minDigit * lMax, L.maxDigit * lMin, L.maxDigit * lMax];
    return { min: c.rows * Math.min(0, ...prods), max: c.rows * Math.max(0, ...prods) };
  }
  let min = 0;
  let max = 0;
  const units = st.n * L.unitsPerOutput;
  for (let u = 0; u < units; u++) {
    // unit u -> its column (or pair)
    const j = Math.floor(u / L.unitsPerOutput);
    const r = u % L.unitsPerOutput;
    let lo = 0;
    let hi = 0;
    for (let i = 0; i < st.k; i++) {
      const base = i * c.cols + j * L.colsPerOutput;
      const lv = analogDiff ? st.levels[base + 2 * r]! - st.levels[base + 2 * r + 1]! : st.levels[base + r]!;
      const a = L.minDigit * lv;
      const bb = L.maxDigit * lv;
      lo += Math.min(a, bb);
      hi += Math.max(a, bb);
    }
    min = Math.min(min, lo);
    max = Math.max(max, hi);
  }
  return { min, max };
}

/**
 * The smallest ideal ADC (gain 1, step 1 column unit) under which {@link aimcMvm} equals the
 * integer matrix-vector product for every accepted input (and, without `st`, every weight
 * matrix): unsigned codes with B = bits of the largest column value when no column value can
 * be negative, two's complement otherwise; fullScale = 2^B (unsigned) or 2^(B-1) (signed).
 * B may exceed 16 (the `adc` declaration's limit): then no declared ADC is exact.
 */
export function aimcMinimumExactAdc(c: AimcTileConfig, st?: AimcTileState): AdcConfig {
  const { min, max } = aimcColumnRange(c, st);
  let bits = 1;
  if (min >= 0) {
    while (2 ** bits - 1 < max) bits++;
    return { bits, fullScale: 2 ** bits, gain: 1, coding: 'unsigned' };
  }
  while (-(2 ** (bits - 1)) > min || 2 ** (bits - 1) - 1 < max) bits++;
  return { bits, fullScale: 2 ** (bits - 1), gain: 1, coding: 'twos-complement' };
}

/** Timing parameters of a tile (all times in ps). */
export interface AimcTimingParams {
  /** Tile (and ADC) clock period. */
  readonly clockPeriodPs: number;
  /** Bit-serial: time the DAC drives one phase. */
  readonly dacTimePs: number;
  /** Pulse-width: pulse length per input LSB. */
  readonly pulseLsbPs: number;
  /** Column settling / integration after the drive, per phase. */
  readonly settleTimePs: number;
  readonly adcArchitecture: AdcArchitecture;
  readonly adcTiming: AdcTimingParams;
  /** Conversion units (columns, or column pairs with analog subtraction) multiplexed onto one ADC. */
  readonly columnsPerAdc: number;
  /** Clock cycles to write one word line (DIANA: 4 x 2 = 8, ODiMO full array 9216 cycles / 1152 rows). */
  readonly rowWriteCycles: number;
}

/**
 * ADC conversion rounds per phase: ADC a serves units [a m, a m + m) (m = columnsPerAdc) through
 * a multiplexer, units are packed from column 0, so the busiest ADC converts min(m, U) units in
 * series (U = N x unitsPerOutput).
 */
export function aimcAdcRounds(st: Pick<AimcTileState, 'n' | 'layout'>, columnsPerAdc: number): number {
  return Math.min(columnsPerAdc, st.n * st.layout.unitsPerOutput);
}

/**
 * MVM latency in ps:
 * `T = phases x (t_drive + settleTimePs + rounds x t_conv)`, with
 * t_drive = dacTimePs (bit-serial) or (2^Bmag - 1) x pulseLsbPs (pulse-width, the longest pulse;
 * Bmag = inputBits - 1 if signed else inputBits), rounds = {@link aimcAdcRounds},
 * t_conv = {@link adcConversionTimePs}(adc bits, architecture, clockPeriodPs).
 * Not modelled: overlap of one phase's conversions with the next phase's drive, the digital
 * recombination latency (assumed pipelined), data-dependent pulse lengths.
 */
export function aimcMvmTimePs(st: Pick<AimcTileState, 'n' | 'layout' | 'config'>, t: AimcTimingParams): number {
  const c = st.config;
  const drive = c.dac === 'bit-serial' ? t.dacTimePs : (2 ** (c.inputSigned ? c.inputBits - 1 : c.inputBits) - 1) * t.pulseLsbPs;
  const conv = adcConversionTimePs(c.adc.bits, t.adcArchitecture, t.clockPeriodPs, t.adcTiming);
  return st.layout.phases * (drive + t.settleTimePs + aimcAdcRounds(st, t.columnsPerAdc) * conv);
}

/** Programming latency in ps: K x rowWriteCycles x clockPeriodPs (rows written one at a time). */
export function aimcProgramTimePs(counts: AimcProgramCounts, t: Pick<AimcTimingParams, 'rowWriteCycles' | 'clockPeriodPs'>): number {
  return counts.rowWrites * t.rowWriteCycles * t.clockPeriodPs;
}

/** Energy per event, in pJ (the tile declaration's tech params). */
export interface AimcEnergyParams {
  /** One ADC conversion (adc/model.ts adcConversionEnergyPj gives it from a fit). */
  readonly adcConversionPj: number;
  /** Driving one word line for one phase (DAC; ZigZag-IMC: 50 fF x B_serial x VDD^2, 0 for 1 bit). */
  readonly rowDrivePj: number;
  /** One cell read in one phase (array current / bit-line charge per cell). */
  readonly cellReadPj: number;
  /** One digital shift-add. */
  readonly shiftAddPj: number;
  /** Writing one word line. */
  readonly rowWritePj: number;
  /** Writing one cell. */
  readonly cellWritePj: number;
}

/**
 * MVM energy in pJ: adcConversions x adcConversionPj + rowActivations x rowDrivePj +
 * cellReads x cellReadPj + shiftAdds x shiftAddPj. Static leakage is accounted by time, apart.
 */
export function aimcMvmEnergyPj(n: AimcMvmCounts, e: AimcEnergyParams): number {
  return n.adcConversions * e.adcConversionPj + n.rowActivations * e.rowDrivePj + n.cellReads * e.cellReadPj + n.shiftAdds * e.shiftAddPj;
}

/** Programming energy in pJ: rowWrites x rowWritePj + cellWrites x cellWritePj. */
export function aimcProgramEnergyPj(n: AimcProgramCounts, e: AimcEnergyParams): number {
  return n.rowWrites * e.rowWritePj + n.cellWrites * e.cellWritePj;
}

/**
 * An MVM output as the tile writes it (int32 words): rounded half away from zero, clamped to
 * int32 (-0 written as 0). The simulator's MVM and the RTL testbench's expectations both use it.
 */
export function aimcOutputInt32(v: number): number {
  const q = roundHalfAwayFromZero(v);
  return q > 2 ** 31 - 1 ? 2 ** 31 - 1 : q < -(2 ** 31) ? -(2 ** 31) : q + 0;
}

/** The value of a SCALE word (little-endian 32 bits): format 0 int32, format 1 float32 (widened to float64). */
export function aimcScaleValue(format: 0 | 1, word: number): number {
  const dv = new DataView(new ArrayBuffer(4));
  dv.setUint32(0, word >>> 0, true);
  return format === 0 ? dv.getInt32(0, true) : dv.getFloat32(0, true);
}
