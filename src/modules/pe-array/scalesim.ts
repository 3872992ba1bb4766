/**
 * Cycle, access-count and energy closed forms of a systolic PE array, compatible with
 * SCALE-Sim v2 (`scalesim-project/scale-sim-v2`, commit 22f88b1; summary in the project's
 * research notes, SCALESIM-FORMULAS.md). Pure functions of the layer shape and the array.
 *
 * Layer -> GEMM `OFMAP[M x N] = IFMAP[M x K] * FILTER[K x N]`. The dataflow lays two GEMM
 * dimensions over the array (`Sr` over the R rows, `Sc` over the C columns) and streams the
 * third (`T`) in time: os (Sr, Sc, T) = (M, N, K); ws = (K, N, M); is = (K, M, N).
 * Folds: `rowFolds = ceil(Sr / R)`, `colFolds = ceil(Sc / C)`, `F = rowFolds * colFolds`, run
 * one after another, edge folds as long as full ones. Per-fold latency `L`:
 * os `K + R + C - 2`; ws `2R + C + M - 2`; is `2R + C + N - 2`.
 * SCALE-Sim reports `F * L - 1` (the 0-based index of the last cycle); our `cycles` is the
 * count, `F * L`.
 *
 * Not modelled: SCALE-Sim's DRAM-side double-buffered scratchpad simulation (its USER-mode
 * stalls and all DRAM columns depend on a cycle-by-cycle sliding-window buffer simulation; our
 * `stalls` mode is a documented first-order per-fold bandwidth model instead), batch > 1 and
 * depthwise splitting of SCALE-Sim topologies, sparsity, overlap of one fold's fill/drain with
 * the next fold (SCALE-Sim does not overlap either).
 */
import type { Dataflow, GemmDims } from './model.js';

/** The array geometry the cycle model needs. */
export interface ArrayGeometry {
  readonly rows: number;
  readonly cols: number;
  readonly dataflow: Dataflow;
}

/**
 * One SCALE-Sim convolution topology row (`Layer name, IFMAP Height, IFMAP Width, Filter
 * Height, Filter Width, Channels, Num Filter, Strides`; v2 uses one stride for both axes).
 */
export interface ScaleSimConvLayer {
  readonly ifmapH: number;
  readonly ifmapW: number;
  readonly filterH: number;
  readonly filterW: number;
  readonly channels: number;
  readonly numFilters: number;
  readonly strideH: number;
  readonly strideW: number;
}

/**
 * SCALE-Sim's lowering of a convolution: no padding, output size `ceil((H - F + s) / s)` (one
 * more than the usual rule when `H - F` is not a multiple of `s`; the extra outputs count),
 * `M = Eh*Ew`, `N = numFilters`, `K = Fh*Fw*C`, batch 1.
 */
export function scaleSimConvGemm(l: ScaleSimConvLayer): GemmDims & { readonly eh: number; readonly ew: number } {
  const eh = Math.ceil((l.ifmapH - l.filterH + l.strideH) / l.strideH);
  const ew = Math.ceil((l.ifmapW - l.filterW + l.strideW) / l.strideW);
  return { eh, ew, M: eh * ew, N: l.numFilters, K: l.filterH * l.filterW * l.channels };
}

/** How a dataflow maps the GEMM: `sr` over rows, `sc` over columns, `t` streamed in time. */
export function spatialMapping(d: GemmDims, dataflow: Dataflow): { readonly sr: number; readonly sc: number; readonly t: number } {
  switch (dataflow) {
    case 'os': return { sr: d.M, sc: d.N, t: d.K };
    case 'ws': return { sr: d.K, sc: d.N, t: d.M };
    case 'is': return { sr: d.K, sc: d.M, t: d.N };
  }
}

/** Folding of a layer onto the array. */
export interface FoldPlan {
  readonly sr: number;
  readonly sc: number;
  readonly t: number;
  readonly rowFolds: number;
  readonly colFolds: number;
  readonly folds: number;
  /** `L`, cycles per fold (every fold, edge folds included). */
  readonly cyclesPerFold: number;
  /** Rows used by the last row fold (R if `sr` is a multiple of R). */
  readonly lastRows: number;
  /** Columns used by the last column fold. */
  readonly lastCols: number;
}

function checkPos(name: string, v: number): void {
  if (!Number.isInteger(v) || v < 1) throw new RangeError(`${name} must be a positive integer, got ${v}`);
}

/** Folds and per-fold latency (see the module doc). Throws a `RangeError` on non-positive sizes. */
export function foldPlan(d: GemmDims, a: ArrayGeometry): FoldPlan {
  checkPos('M', d.M);
  checkPos('N', d.N);
  checkPos('K', d.K);
  checkPos('rows', a.rows);
  checkPos('cols', a.cols);
  const { sr, sc, t } = spatialMapping(d, a.dataflow);
  const R = a.rows;
  const C = a.cols;
  const rowFolds = Math.ceil(sr / R);
  const colFolds = Math.ceil(sc / C);
  const cyclesPerFold = a.dataflow === 'os' ? d.K + R + C - 2 : a.dataflow === 'ws' ? 2 * R + C + d.M - 2 : 2 * R + C + d.N - 2;
  return { sr, sc, t, rowFolds, colFolds, folds: rowFolds * colFolds, cyclesPerFold, lastRows: sr - (rowFolds - 1) * R, lastCols: sc - (colFolds - 1) * C };
}

/** Stall-free compute of one layer: cycles, utilisation and SRAM (global buffer) access counts. */
export interface ComputeReport extends FoldPlan {
  /** Useful multiply-accumulates, `M*N*K` (idle PEs of edge folds are not counted). */
  readonly macs: number;
  /** Stall-free cycles, `F * L`. */
  readonly cycles: number;
  /** What SCALE-Sim prints as `total_cycles` without stalls: `F * L - 1`. */
  readonly scaleSimCycles: number;
  /** SCALE-Sim's "Mapping Efficiency": mean over folds of used PEs / (R*C) = `Sr*Sc / (F*R*C)` (fraction, not %). */
  readonly mappingEfficiency: number;
  /** SCALE-Sim's "Compute Util": `Sr*Sc*T / (F*R*C*L')`, `L' = L` (os) or `L + C - 1` (ws, is) (fraction). */
  readonly computeUtilization: number;
  /** IFMAP SRAM reads as SCALE-Sim counts them: os/ws `M*K*ceil(N/C)`... (table in the module doc). */
  readonly sramIfmapReads: number;
  readonly sramFilterReads: number;
  /** OFMAP SRAM writes as SCALE-Sim counts them (os includes its `F*(R+C)` counting quirk). */
  readonly sramOfmapWrites: number;
  /** OFMAP words really written: os `M*N`; ws/is `M*N*rowFolds` (one partial sum per row fold). */
  readonly ofmapWrites: number;
  /** Partial sums read back to accumulate row folds (ws/is): `M*N*(rowFolds-1)`; os 0. Not counted by SCALE-Sim. */
  readonly ofmapReads: number;
}

/**
 * Stall-free cycles and access counts of one layer. SRAM counts (words):
 *
 * | dataflow | IFMAP reads | FILTER reads | OFMAP writes (SCALE-Sim) |
 * | os | `M*K*ceil(N/C)` | `K*N*ceil(M/R)` | `M*N + F*(R+C)` |
 * | ws | `M*K*ceil(N/C)` | `K*N` | `M*N*ceil(K/R)` |
 * | is | `M*K` | `K*N*ceil(M/C)` | `M*N*ceil(K/R)` |
 */
export function scaleSimCompute(d: GemmDims, a: ArrayGeometry): ComputeReport {
  const p = foldPlan(d, a);
  const { M, N, K } = d;
  const R = a.rows;
  const C = a.cols;
  const macs = M * N * K;
  const cycles = p.folds * p.cyclesPerFold;
  const lPrime = a.dataflow === 'os' ? p.cyclesPerFold : p.cyclesPerFold + C - 1;
  let sramIfmapReads: number;
  let sramFilterReads: number;
  let sramOfmapWrites: number;
  let ofmapWrites: number;
  switch (a.dataflow) {
    case 'os':
      sramIfmapReads = M * K * Math.ceil(N / C);
      sramFilterReads = K * N * Math.ceil(M / R);
      ofmapWrites = M * N;
      sramOfmapWrites = M * N + p.folds * (R + C);
      break;
    case 'ws':
      sramIfmapReads = M * K * Math.ceil(N / C);
      sramFilterReads = K * N;
      ofmapWrites = sramOfmapWrites = M * N * Math.ceil(K / R);
      break;
    case 'is':
      sramIfmapReads = M * K;
      sramFilterReads = K * N * Math.ceil(M / C);
      ofmapWrites = sramOfmapWrites = M * N * Math.ceil(K / R);
      break;
  }
  return {
    ...p,
    macs,
    cycles,
    scaleSimCycles: cycles - 1,
    mappingEfficiency: (p.sr * p.sc) / (p.folds * R * C),
    computeUtilization: (p.sr * p.sc * p.t) / (p.folds * R * C * lPrime),
    sramIfmapReads,
    sramFilterReads,
    sramOfmapWrites,
    ofmapWrites,
    ofmapReads: a.dataflow === 'os' ? 0 : M * N * (p.rowFolds - 1),
  };
}

/**
 * SCALE-Sim's "Overall Util": `macs / (totalCycles * R * C)` with its `totalCycles` (which
 * includes stalls and the `-1`). A fraction.
 */
export function overallUtilization(macs: number, totalCycles: number, a: Pick<ArrayGeometry, 'rows' | 'cols'>): number {
  return macs / (totalCycles * a.rows * a.cols);
}

// ---------------------------------------------------------------------------------------------
// First-order bandwidth stalls

/** Bandwidth of the memories feeding the array, words per cycle (`Infinity` = never stalls). */
export interface Bandwidths {
  readonly ifmap: number;
  readonly filter: number;
  readonly ofmap: number;
}

/** Words one fold moves through each interface, and how many folds share that shape. */
export interface FoldDemand {
  readonly count: number;
  readonly usedRows: number;
  readonly usedCols: number;
  readonly ifmapWords: number;
  readonly filterWords: number;
  readonly ofmapWords: number;
}

/**
 * Per-fold operand traffic, grouped by fold shape (full / last row fold x full / last column
 * fold; at most 4 groups). A fold using `ur` rows and `uc` columns moves:
 * os: ifmap `ur*K`, filter `uc*K`, ofmap `ur*uc`; ws: filter `ur*uc`, ifmap `M*ur`, ofmap
 * `M*uc`; is: ifmap `ur*uc`, filter `N*ur`, ofmap `N*uc`. Summed over the folds these are the
 * SCALE-Sim SRAM counts (os ofmap without its counting quirk).
 */
export function foldDemands(d: GemmDims, a: ArrayGeometry): readonly FoldDemand[] {
  const p = foldPlan(d, a);
  const rowShapes: Array<[number, number]> = p.lastRows === a.rows ? [[a.rows, p.rowFolds]] : [[a.rows, p.rowFolds - 1], [p.lastRows, 1]];
  const colShapes: Array<[number, number]> = p.lastCols === a.cols ? [[a.cols, p.colFolds]] : [[a.cols, p.colFolds - 1], [p.lastCols, 1]];
  const out: FoldDemand[] = [];
  for (const [ur, nr] of rowShapes) {
    for (const [uc, nc] of colShapes) {
      const count = nr * nc;
      if (count === 0) continue;
      const w = a.dataflow === 'os'
        ? { ifmapWords: ur * d.K, filterWords: uc * d.K, ofmapWords: ur * uc }
        : a.dataflow === 'ws'
          ? { ifmapWords: d.M * ur, filterWords: ur * uc, ofmapWords: d.M * uc }
          : { ifmapWords: ur * uc, filterWords: d.N * ur, ofmapWords: d.N * uc };
      out.push({ count, usedRows: ur, usedCols: uc, ...w });
    }
  }
  return out;
}

function transferCycles(words: number, bw: number): number {
  if (!(bw > 0)) throw new RangeError(`bandwidth must be positive, got ${bw}`);
  return bw === Infinity ? 0 : Math.ceil(words / bw);
}

/**
 * First-order stall model (not SCALE-Sim's): during a fold of `L` cycles each interface moves
 * that fold's words at its bandwidth, the three in parallel and overlapped with compute; the
 * array waits for the slowest: `stall = max(0, max(ceil(I/Bi), ceil(F/Bf), ceil(O/Bo)) - L)`
 * per fold, summed over folds. No prefetch across folds, no buffering beyond one fold.
 */
export function bandwidthStalls(d: GemmDims, a: ArrayGeometry, bw: Bandwidths): number {
  const L = foldPlan(d, a).cyclesPerFold;
  let stalls = 0;
  for (const f of foldDemands(d, a)) {
    const need = Math.max(transferCycles(f.ifmapWords, bw.ifmap), transferCycles(f.filterWords, bw.filter), transferCycles(f.ofmapWords, bw.ofmap));
    stalls += f.count * Math.max(0, need - L);
  }
  return stalls;
}

/** Timing modes: `scalesim` = stall-free SCALE-Sim cycles; `stalls` = plus {@link bandwidthStalls}. */
export type TimingMode = 'scalesim' | 'stalls';

/** Cycles of one layer in a timing mode. */
export interface LayerTiming {
  readonly compute: ComputeReport;
  /** Stall cycles (0 in `scalesim` mode). */
  readonly stalls: number;
  /** `compute.cycles + stalls`. */
  readonly cycles: number;
  /** `macs / (cycles * R * C)`: fraction of PE-cycles doing useful MACs. */
  readonly utilization: number;
}

/** Options of {@link layerTiming}. */
export interface TimingOptions {
  readonly mode: TimingMode;
  /** Required in `stalls` mode. */
  readonly bandwidths?: Bandwidths;
  /** Cycles from the command to the first fold (not in SCALE-Sim); default 0. */
  readonly startupCycles?: number;
}

/** Cycles (`startupCycles + F*L + stalls`), stalls and utilisation of one layer. */
export function layerTiming(d: GemmDims, a: ArrayGeometry, o: TimingOptions): LayerTiming {
  const compute = scaleSimCompute(d, a);
  let stalls = 0;
  if (o.mode === 'stalls') {
    if (o.bandwidths === undefined) throw new RangeError('stalls mode needs the bandwidths');
    stalls = bandwidthStalls(d, a, o.bandwidths);
  }
  const startup = o.startupCycles ?? 0;
  if (!Number.isInteger(startup) || startup < 0) throw new RangeError(`startupCycles must be a non-negative integer, got ${startup}`);
  const cycles = startup + compute.cycles + stalls;
  return { compute, stalls, cycles, utilization: overallUtilization(compute.macs, cycles, a) };
}

/** The params of a `pe-array` declaration that {@link layerTimingFromParams} reads (a `ParamsOf<typeof PeArrayDef>` fits). */
export interface PeArrayTimingParams {
  readonly rows: number;
  readonly cols: number;
  readonly dataflow: Dataflow;
  readonly timing: TimingMode;
  readonly ifmapWordsPerCycle: number;
  readonly filterWordsPerCycle: number;
  readonly ofmapWordsPerCycle: number;
  readonly startupCycles: number;
}

/** {@link layerTiming} with the geometry, mode, bandwidths and startup taken from the declaration's params. */
export function layerTimingFromParams(d: GemmDims, p: PeArrayTimingParams): LayerTiming {
  return layerTiming(d, { rows: p.rows, cols: p.cols, dataflow: p.dataflow }, {
    mode: p.timing,
    bandwidths: { ifmap: p.ifmapWordsPerCycle, filter: p.filterWordsPerCycle, ofmap: p.ofmapWordsPerCycle },
    startupCycles: p.startupCycles,
  });
}

// ---------------------------------------------------------------------------------------------
// Energy

/**
 * Access counts that energy is charged on. First-order, Eyeriss convention (Chen et al., ISCA
 * 2016): every MAC reads its ifmap, filter and partial-sum registers (3 RF reads) and writes
 * the partial sum (1 RF write); every word entering the array from the global buffer is written
 * into a PE register once (+1 RF write). Global buffer (GLB) reads: ifmap + filter SRAM reads
 * (SCALE-Sim counts) + partial sums read back for accumulation (ws/is); GLB writes: the ofmap
 * words really written (no os counting quirk). Idle PEs are assumed clock-gated (no energy).
 */
export interface AccessCounts {
  readonly macs: number;
  readonly rfReads: number;
  readonly rfWrites: number;
  readonly glbReads: number;
  readonly glbWrites: number;
}

/** {@link AccessCounts} of one layer from its compute report. */
export function accessCounts(c: ComputeReport): AccessCounts {
  const fills = c.sramIfmapReads + c.sramFilterReads;
  return {
    macs: c.macs,
    rfReads: 3 * c.macs,
    rfWrites: c.macs + fills,
    glbReads: fills + c.ofmapReads,
    glbWrites: c.ofmapWrites,
  };
}

/**
 * Technology values, in the framework's internal units: energies in pJ, power in uW. The names
 * are the declaration's tech params, so a `ParamsOf<typeof PeArrayDef>` can be passed as is.
 */
export interface PeArrayTech {
  readonly macEnergy: number;
  readonly rfReadEnergy: number;
  readonly rfWriteEnergy: number;
  readonly glbReadEnergy: number;
  readonly glbWriteEnergy: number;
  readonly leakage: number;
}

/** Energy of a layer by component, pJ. */
export interface EnergyBreakdown {
  readonly mac: number;
  readonly rfRead: number;
  readonly rfWrite: number;
  readonly glbRead: number;
  readonly glbWrite: number;
  readonly leakage: number;
  readonly total: number;
}

/**
 * Energy (pJ) = counts x per-access energies + leakage (uW) x duration (ps) x 1e-6
 * (1 uW for 1 ps is 1e-18 J = 1e-6 pJ). Voltage/frequency scaling and data-dependent
 * (toggle-rate) energy are not modelled.
 */
export function layerEnergy(n: AccessCounts, t: PeArrayTech, durationPs: number): EnergyBreakdown {
  const mac = n.macs * t.macEnergy;
  const rfRead = n.rfReads * t.rfReadEnergy;
  const rfWrite = n.rfWrites * t.rfWriteEnergy;
  const glbRead = n.glbReads * t.glbReadEnergy;
  const glbWrite = n.glbWrites * t.glbWriteEnergy;
  const leakage = t.leakage * durationPs * 1e-6;
  return { mac, rfRead, rfWrite, glbRead, glbWrite, leakage, total: mac + rfRead + rfWrite + glbRead + glbWrite + leakage };
}
