/**
 * AIMC tile arithmetic the compiler needs to decide whether a mapping is exact, re-derived from
 * an `aimc-tile` instance's params (the compiler may not import `src/modules`; the formulas are
 * those of `src/modules/aimc-tile/model.ts`, and `test/compiler/accel.test.ts` checks that
 * {@link aimcUnitRange} agrees with the model's `aimcColumnRange`).
 *
 * Only pulse-width DACs are handled (one analog pass per MVM: the input digit drives every row
 * with its sign): then the value a conversion unit sees is `sum_i d_i * level_i` over the rows,
 * and with inputs restricted to digits in `[dlo, dhi]` its range is
 * `[sum_i min(dlo l_i, dhi l_i), sum_i max(dlo l_i, dhi l_i)]`.
 */

/** The functional params of an `aimc-tile` instance (names as in its declaration). */
export interface AimcParams {
  readonly rows: number;
  readonly cols: number;
  readonly mapping: 'differential' | 'offset' | 'ternary';
  readonly subtraction: 'analog' | 'digital';
  readonly cellBits: number;
  readonly weightBits: number;
  readonly inputBits: number;
  readonly inputSigned: boolean;
  readonly dac: 'bit-serial' | 'pulse-width';
  readonly adcBits: number;
  readonly adcFullScale: number;
  readonly adcGainLog2: number;
  readonly adcCoding: 'unsigned' | 'twos-complement' | 'sign-magnitude';
}

/** Reads {@link AimcParams} from an elaborated instance's params (defaults are filled in by the loader). */
export function aimcParamsOf(p: Readonly<Record<string, unknown>>): AimcParams {
  const n = (k: string, d: number): number => (typeof p[k] === 'number' ? (p[k] as number) : d);
  const s = <T extends string>(k: string, d: T): T => (typeof p[k] === 'string' ? (p[k] as T) : d);
  return {
    rows: n('rows', 256), cols: n('cols', 512), mapping: s('mapping', 'differential'), subtraction: s('subtraction', 'analog'),
    cellBits: n('cellBits', 7), weightBits: n('weightBits', 8), inputBits: n('inputBits', 8), inputSigned: p['inputSigned'] !== false,
    dac: s('dac', 'pulse-width'), adcBits: n('adcBits', 8), adcFullScale: n('adcFullScale', 128), adcGainLog2: n('adcGainLog2', 0),
    adcCoding: s('adcCoding', 'twos-complement'),
  };
}

/** Derived quantities (as `aimcLayout` in the model). */
export interface AimcGeometry {
  readonly slices: number;
  readonly colsPerOutput: number;
  readonly unitsPerOutput: number;
  readonly minWeight: number;
  readonly maxWeight: number;
  readonly minInput: number;
  readonly maxInput: number;
  /** Offset mapping: 2^(weightBits-1), else 0. */
  readonly weightOffset: number;
}

/** The geometry of a tile configuration. */
export function aimcGeometry(c: AimcParams): AimcGeometry {
  const ternary = c.mapping === 'ternary';
  const diff = c.mapping === 'differential';
  const storedBits = ternary ? 1 : diff ? c.weightBits - 1 : c.weightBits;
  const slices = ternary ? 1 : Math.ceil(storedBits / c.cellBits);
  const half = 2 ** (c.weightBits - 1);
  const inHalf = 2 ** (c.inputBits - 1);
  return {
    slices,
    colsPerOutput: diff ? 2 * slices : slices,
    unitsPerOutput: diff && c.subtraction === 'digital' ? 2 * slices : slices,
    minWeight: ternary ? -1 : diff ? -(half - 1) : -half,
    maxWeight: ternary ? 1 : half - 1,
    minInput: !c.inputSigned ? 0 : c.dac === 'pulse-width' ? -(inHalf - 1) : -inHalf,
    maxInput: c.inputSigned ? inHalf - 1 : 2 ** c.inputBits - 1,
    weightOffset: c.mapping === 'offset' ? half : 0,
  };
}

/**
 * What conversion unit `u` of output `j` integrates per unit input on row `i`, for weight `w`:
 * ternary `w`; differential slice s of |w| on G+ (w >= 0) or G- (analog subtraction: G+ - G-;
 * digital: units 2s (G+) and 2s + 1 (G-)); offset slice s of `w + 2^(weightBits-1)`.
 */
export function aimcUnitLevel(c: AimcParams, g: AimcGeometry, w: number, unit: number): number {
  if (c.mapping === 'ternary') return w;
  const mask = 2 ** c.cellBits - 1;
  const slice = (v: number, s: number): number => Math.floor(v / 2 ** (s * c.cellBits)) % (mask + 1);
  if (c.mapping === 'offset') return slice(w + g.weightOffset, unit);
  const m = Math.abs(w);
  if (c.subtraction === 'analog') return w < 0 ? -slice(m, unit) : slice(m, unit);
  const s = unit >> 1;
  const neg = (unit & 1) === 1;
  return neg === w < 0 ? slice(m, s) : 0;
}

/**
 * Range [min, max] (min <= 0 <= max, as the model's `aimcColumnRange`) of the values the ADCs
 * see for a K x N weight matrix (`w[i * n + j]`) when every input digit is in `[dlo, dhi]`.
 */
export function aimcUnitRange(c: AimcParams, w: ArrayLike<number>, k: number, n: number, dlo: number, dhi: number): { min: number; max: number } {
  const g = aimcGeometry(c);
  let min = 0;
  let max = 0;
  for (let j = 0; j < n; j++) {
    for (let u = 0; u < g.unitsPerOutput; u++) {
      let lo = 0;
      let hi = 0;
      for (let i = 0; i < k; i++) {
        const lv = aimcUnitLevel(c, g, w[i * n + j]!, u);
        const a = dlo * lv;
        const b = dhi * lv;
        lo += Math.min(a, b);
        hi += Math.max(a, b);
      }
      min = Math.min(min, lo);
      max = Math.max(max, hi);
    }
  }
  return { min, max };
}

/**
 * Whether the tile's ADC converts every integer in `[min, max]` exactly (code = r v with
 * r = 2^adcGainLog2 / lsb a power of two >= 1, within the codes), and otherwise a bound on the
 * error of one conversion (clipping beyond the end codes plus half a step when r < 1 or not a
 * power of two), in column-sum units.
 */
export function aimcAdcExact(c: AimcParams, min: number, max: number): { exact: boolean; unitError: number } {
  const signed = c.adcCoding !== 'unsigned';
  const lsb = c.adcFullScale / 2 ** (signed ? c.adcBits - 1 : c.adcBits);
  const r = 2 ** c.adcGainLog2 / lsb;
  const half = 2 ** (c.adcBits - 1);
  const minCode = c.adcCoding === 'unsigned' ? 0 : c.adcCoding === 'twos-complement' ? -half : -(half - 1);
  const maxCode = c.adcCoding === 'unsigned' ? 2 ** c.adcBits - 1 : half - 1;
  const step = 1 / r;
  const pow2 = r >= 1 && Number.isInteger(Math.log2(r));
  const over = Math.max(0, max - maxCode * step, minCode * step - min);
  const unitError = over + (pow2 ? 0 : step / 2);
  return { exact: unitError === 0, unitError };
}

/** Digit decomposition of the encoded inputs `v` (see {@link planAimcInputs}). */
export interface AimcInputPlan {
  /** Bits of every digit but the top one (0 when there is one plane: the value itself). */
  readonly sliceBits: number;
  /** Digit planes: `v = sum_p 2^(sliceBits p) d_p`, d_p = (v >> sliceBits p) & mask below the top, d_top = v >> sliceBits (P-1). */
  readonly planes: number;
  /** Digit range per plane (low planes [0, 2^sliceBits - 1]). */
  readonly digitRanges: readonly (readonly [number, number])[];
  /** ADC value range per plane with the programmed weights. */
  readonly unitRanges: readonly { readonly min: number; readonly max: number }[];
  readonly exact: boolean;
  /** Bound on |computed - exact| of an integer output (0 when exact). */
  readonly errorBound: number;
}

function planFor(c: AimcParams, g: AimcGeometry, w: ArrayLike<number>, k: number, n: number, vlo: number, vhi: number, s: number, planes: number): AimcInputPlan | undefined {
  const top = s * (planes - 1);
  if (s === 0 ? planes !== 1 : 2 ** s - 1 > g.maxInput) return undefined;
  if (vlo >> top < g.minInput || vhi >> top > g.maxInput) return undefined;
  const digitRanges: (readonly [number, number])[] = [];
  for (let p = 0; p < planes - 1; p++) digitRanges.push([0, 2 ** s - 1]);
  digitRanges.push([vlo >> top, vhi >> top]);
  const unitRanges = digitRanges.map(([lo, hi]) => aimcUnitRange(c, w, k, n, lo, hi));
  let exact = true;
  let errorBound = 0;
  // one output = sum over planes 2^(s p) sum over slices 2^(slice cellBits) (+-) unit values
  const sliceWeight = c.mapping === 'ternary' ? 1 : Array.from({ length: g.slices }, (_, i) => 2 ** (i * c.cellBits)).reduce((a, b) => a + b, 0) * (g.unitsPerOutput / g.slices);
  unitRanges.forEach((r, p) => {
    const e = aimcAdcExact(c, r.min, r.max);
    if (!e.exact) exact = false;
    errorBound += 2 ** (s * p) * sliceWeight * e.unitError;
  });
  return { sliceBits: s, planes, digitRanges, unitRanges, exact, errorBound };
}

/**
 * Chooses how to feed encoded inputs `v` in `[vlo, vhi]` to a pulse-width tile programmed with
 * `w` (K x N, row-major): one plane when the values fit the tile's input range and the mapping
 * is exact, else the widest digit slicing (largest sliceBits, then the fewest planes) whose every
 * plane is exact; when none is exact, the one with the fewest planes and its error bound. Undefined when no
 * decomposition fits the inputs (e.g. signed values on an unsigned tile).
 */
export function planAimcInputs(c: AimcParams, w: ArrayLike<number>, k: number, n: number, vlo: number, vhi: number): AimcInputPlan | undefined {
  const g = aimcGeometry(c);
  let first: AimcInputPlan | undefined;
  for (const s of [0, 7, 6, 5, 4, 3, 2, 1]) {
    // planes from the fewest that fit the tile's inputs up to a top digit of -1..0
    for (let planes = 1; planes <= (s === 0 ? 1 : Math.ceil(32 / s) + 1); planes++) {
      const p = planFor(c, g, w, k, n, vlo, vhi, s, planes);
      if (p === undefined) continue;
      if (p.exact) return p;
      if (first === undefined || p.planes < first.planes) first = p;
      if (vlo >> (s * (planes - 1)) >= -1 && vhi >> (s * (planes - 1)) <= 0) break;
    }
  }
  return first;
}
