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
  /** Cycles to program one word line (the programming cost of a block: rows x rowWriteCycles). */
  readonly rowWriteCycles: number;
}

/** Reads {@link AimcParams} from an elaborated instance's params (defaults are filled in by the loader). */
export function aimcParamsOf(p: Readonly<Record<string, unknown>>): AimcParams {
  const n = (k: string, d: number): number => (typeof p[k] === 'number' ? (p[k] as number) : d);
  const s = <T extends string>(k: string, d: T): T => (typeof p[k] === 'string' ? (p[k] as T) : d);
  return {
    rows: n('rows', 256), cols: n('cols', 512), mapping: s('mapping', 'differential'), subtraction: s('subtraction', 'analog'),
    cellBits: n('cellBits', 7), weightBits: n('weightBits', 8), inputBits: n('inputBits', 8), inputSigned: p['inputSigned'] !== false,
    dac: s('dac', 'pulse-width'), adcBits: n('adcBits', 8), adcFullScale: n('adcFullScale', 128), adcGainLog2: n('adcGainLog2', 0),
    adcCoding: s('adcCoding', 'twos-complement'), rowWriteCycles: n('rowWriteCycles', 8),
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

/**
 * How a dot layer is split over AIMC tiles ({@link planAimcBlocks}): the input digit
 * decomposition, the row groups (a contiguous range of input channels, all their kernel taps:
 * one programmed block each, so that every MVM drives at most `rowsPerMvm` rows) and the column
 * blocks (outputs per programmed block). Every block is programmed as its own K x N matrix
 * (`rowsPerMvm` or `lastRows` rows x `outputsPerBlock` or fewer outputs); blocks x planes MVMs
 * per input vector, partial sums added by the host.
 */
export interface AimcBlockPlan extends AimcInputPlan {
  /** Input channels per row group (the last group may have fewer: `lastChannels`). */
  readonly channelsPerGroup: number;
  readonly lastChannels: number;
  /** Row groups G = ceil(channels / channelsPerGroup). */
  readonly rowGroups: number;
  /** Rows (word lines) driven per MVM: channelsPerGroup x taps (the last group: lastChannels x taps). */
  readonly rowsPerMvm: number;
  readonly lastRows: number;
  /** Column blocks CB = ceil(N / outputsPerBlock). */
  readonly colBlocks: number;
  /** Outputs per column block (the last block may have fewer). */
  readonly outputsPerBlock: number;
  /** Programmed blocks: rowGroups x colBlocks (diagonal plans: rowGroups). */
  readonly blocks: number;
  /** planes x blocks. */
  readonly mvmsPerVector: number;
  /** Fewest row groups the tile's rows allow (ceil(channels / floor(rows / taps))): `rowGroups` above it means the active-row bound for exactness. */
  readonly minRowGroups: number;
  /**
   * Grouped convolutions: row group g and column block g hold the same whole convolution groups
   * (`rowGroups` = `colBlocks` blocks on the diagonal; the zero blocks off it are not run).
   */
  readonly diagonal: boolean;
}

/**
 * The cheapest exact way (fewest MVMs per input vector: planes x row groups x column blocks;
 * ties: fewer planes, then fewer row groups, then the order of {@link planAimcInputs}) to run a K x N product on a
 * pulse-width tile, K = channels x taps (row `c * taps + t`, `w[i * n + j]` row-major), inputs
 * `v` in `[vlo, vhi]` digit-sliced as {@link planAimcInputs}: row groups are balanced ranges of
 * whole channels of at most `floor(rows / taps)` channels, made smaller (more groups, fewer
 * active rows per MVM) until every ADC conversion of every group and plane is exact; outputs are
 * split into column blocks of at most `floor(cols / colsPerOutput)`. When no split is exact: the
 * fewest row groups with the fewest planes, and its error bound (summed over the groups).
 * Row groups of fewer than min(K, `minRowsPerMvm`) rows are not considered. With `convGroups`
 * > 1 (a grouped convolution whose `w` is block-diagonal: output j reads the channels of group
 * j / (n / convGroups) only), diagonal plans are considered too: blocks of k whole groups (their
 * channels' rows x their outputs), ceil(convGroups / k) MVMs per plane. Undefined when a
 * channel's taps exceed the rows, one output does not fit the columns, or no digit
 * decomposition fits the inputs.
 */
export function planAimcBlocks(c: AimcParams, w: ArrayLike<number>, channels: number, taps: number, n: number, vlo: number, vhi: number, minRowsPerMvm = 1, convGroups = 1): AimcBlockPlan | undefined {
  const g = aimcGeometry(c);
  const maxCg = Math.floor(c.rows / taps);
  const maxN = Math.floor(c.cols / g.colsPerOutput);
  if (maxCg < 1 || maxN < 1 || channels < 1 || n < 1) return undefined;
  const colBlocks = Math.ceil(n / maxN);
  const outputsPerBlock = Math.ceil(n / colBlocks);
  const U = n * g.unitsPerOutput;
  // per unit: prefix sums over channels of the positive and negative levels
  const pos = new Float64Array(U * (channels + 1));
  const neg = new Float64Array(U * (channels + 1));
  for (let j = 0; j < n; j++) {
    for (let u0 = 0; u0 < g.unitsPerOutput; u0++) {
      const u = j * g.unitsPerOutput + u0;
      let p = 0;
      let q = 0;
      for (let ch = 0; ch < channels; ch++) {
        for (let t = 0; t < taps; t++) {
          const lv = aimcUnitLevel(c, g, w[(ch * taps + t) * n + j]!, u0);
          if (lv > 0) p += lv;
          else q += lv;
        }
        pos[u * (channels + 1) + ch + 1] = p;
        neg[u * (channels + 1) + ch + 1] = q;
      }
    }
  }
  const sliceWeight = c.mapping === 'ternary' ? 1 : Array.from({ length: g.slices }, (_, i) => 2 ** (i * c.cellBits)).reduce((a, b) => a + b, 0) * (g.unitsPerOutput / g.slices);
  /** Per plane: the range over every group and unit. */
  const evaluate = (digitRanges: readonly (readonly [number, number])[], cg: number, s: number): { unitRanges: { min: number; max: number }[]; exact: boolean; errorBound: number } => {
    const unitRanges = digitRanges.map(() => ({ min: 0, max: 0 }));
    for (let c0 = 0; c0 < channels; c0 += cg) {
      const c1 = Math.min(channels, c0 + cg);
      for (let u = 0; u < U; u++) {
        const P = pos[u * (channels + 1) + c1]! - pos[u * (channels + 1) + c0]!;
        const Q = neg[u * (channels + 1) + c1]! - neg[u * (channels + 1) + c0]!;
        digitRanges.forEach(([dlo, dhi], p) => {
          const r = unitRanges[p]!;
          r.min = Math.min(r.min, dlo * P + dhi * Q);
          r.max = Math.max(r.max, dhi * P + dlo * Q);
        });
      }
    }
    let exact = true;
    let errorBound = 0;
    const groups = Math.ceil(channels / cg);
    unitRanges.forEach((r, p) => {
      const e = aimcAdcExact(c, r.min, r.max);
      if (!e.exact) exact = false;
      errorBound += groups * 2 ** (s * p) * sliceWeight * e.unitError;
    });
    return { unitRanges, exact, errorBound };
  };
  const minGroups = Math.ceil(channels / maxCg);
  const make = (s: number, planes: number, digitRanges: readonly (readonly [number, number])[], cg: number, r: ReturnType<typeof evaluate>, diag?: { readonly outputs: number; readonly minGroups: number }): AimcBlockPlan => {
    const G = Math.ceil(channels / cg);
    const last = channels - (G - 1) * cg;
    const cb = diag === undefined ? colBlocks : G;
    return {
      sliceBits: s, planes, digitRanges, unitRanges: r.unitRanges, exact: r.exact, errorBound: r.exact ? 0 : r.errorBound,
      channelsPerGroup: cg, lastChannels: last, rowGroups: G, rowsPerMvm: cg * taps, lastRows: last * taps,
      colBlocks: cb, outputsPerBlock: diag?.outputs ?? outputsPerBlock, blocks: diag === undefined ? G * colBlocks : G, mvmsPerVector: planes * (diag === undefined ? G * colBlocks : G),
      minRowGroups: diag?.minGroups ?? minGroups, diagonal: diag !== undefined,
    };
  };
  const better = (p: AimcBlockPlan, b: AimcBlockPlan | undefined): boolean =>
    b === undefined || p.mvmsPerVector < b.mvmsPerVector || (p.mvmsPerVector === b.mvmsPerVector && (p.planes < b.planes || (p.planes === b.planes && p.blocks < b.blocks)));
  // diagonal plans of a grouped convolution: k whole groups per block
  const cpg = channels / convGroups;
  const mpg = n / convGroups;
  const diagOk = convGroups > 1 && Number.isInteger(cpg) && Number.isInteger(mpg) && cpg * taps <= c.rows && mpg <= maxN;
  const kMax = diagOk ? Math.min(convGroups, Math.floor(c.rows / (cpg * taps)), Math.floor(maxN / mpg)) : 0;
  const diagMin = diagOk ? Math.ceil(convGroups / kMax) : 0;
  let best: AimcBlockPlan | undefined;
  let fallback: AimcBlockPlan | undefined;
  for (const s of [0, 7, 6, 5, 4, 3, 2, 1]) {
    for (let planes = 1; planes <= (s === 0 ? 1 : Math.ceil(32 / s) + 1); planes++) {
      const top = s * (planes - 1);
      const fits = (s === 0 ? planes === 1 : 2 ** s - 1 <= g.maxInput) && vlo >> top >= g.minInput && vhi >> top <= g.maxInput;
      if (fits) {
        const digitRanges: (readonly [number, number])[] = [];
        for (let p = 0; p < planes - 1; p++) digitRanges.push([0, 2 ** s - 1]);
        digitRanges.push([vlo >> top, vhi >> top]);
        const maxG = Math.min(channels, best === undefined ? Infinity : Math.floor(best.mvmsPerVector / (planes * colBlocks)));
        let prev = 0;
        for (let G = minGroups; G <= maxG; G++) {
          const cg = Math.ceil(channels / G);
          if (G > minGroups && cg * taps < Math.min(channels * taps, minRowsPerMvm)) break;
          const G1 = Math.ceil(channels / cg);
          if (G1 === prev) continue;
          prev = G1;
          const r = evaluate(digitRanges, cg, s);
          if (G === minGroups && (fallback === undefined || planes < fallback.planes)) fallback = make(s, planes, digitRanges, cg, r);
          if (r.exact) {
            const p = make(s, planes, digitRanges, cg, r);
            if (better(p, best)) best = p;
            break;
          }
        }
        let prevD = 0;
        for (let G = diagMin; diagOk && G <= convGroups && planes * G <= (best?.mvmsPerVector ?? Infinity); G++) {
          const k = Math.ceil(convGroups / G);
          const cg = k * cpg;
          if (G > diagMin && cg * taps < Math.min(channels * taps, minRowsPerMvm)) break;
          const G1 = Math.ceil(convGroups / k);
          if (G1 === prevD) continue;
          prevD = G1;
          const r = evaluate(digitRanges, cg, s);
          if (r.exact) {
            const p = make(s, planes, digitRanges, cg, r, { outputs: k * mpg, minGroups: diagMin });
            if (better(p, best)) best = p;
            break;
          }
        }
      }
      if (vlo >> top >= -1 && vhi >> top <= 0) break;
    }
  }
  return best ?? fallback;
}
