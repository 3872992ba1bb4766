/**
 * Accelerator targets for dot layers (ConvInteger, QLinearConv, MatMulInteger, QLinearMatMul):
 * PE arrays (`pe-array`, GEMM / CONV commands) and AIMC tiles (`aimc-tile`, PROGRAM + MVM),
 * bit-exact with the reference evaluator whenever the mapping report says `exact`. See ACCEL.md.
 *
 * Every accelerated layer becomes host-core code placed between the core layers of `generate`:
 * a pre-pass that re-encodes the 8-bit input into the layout and type the accelerator reads,
 * the commands (descriptors are data images), and a post-pass that adds the per-channel
 * correction, requantizes exactly as the core path (float32, RV32F) or stores int32, and
 * writes the output placement. The inserted code keeps s0-s11, a0 and a1 (codegen's contract
 * for code between layers) and uses t0-t6, a2-a7, ft0, ft1.
 */
import { assemble } from '../isa/index.js';
import { type NnGraph, describeNode, sizeOf } from '../nn/index.js';
import type { AddressRegion, PlatformGraph } from '../platform/index.js';
import type { Diagnostic } from '../util/index.js';
import { type AimcBlockPlan, aimcGeometry, planAimcBlocks } from './accel-aimc.js';
import { type AccelTarget, type AimcTarget, type PeArrayTarget, acceleratorsOf, hostCore } from './accel-platform.js';
import { generate, layerCodeRanges, type LayerLines } from './codegen.js';
import { type CompileOptions, cycleCostsOf } from './compile.js';
import { Diags } from './diag.js';
import { ACT_BYTES, type Compiled, type CompileResult, type DataImage, type DotLayer, type Layer, type LayerReport, type Lowered, type Placement } from './ir.js';
import { type Layout, type Memories, findMemories, layout } from './layout.js';
import { lower } from './lower.js';
import { Asm, fits12 } from './asm-builder.js';

/** Options of {@link compileForAccelerators}. */
export interface AccelCompileOptions extends CompileOptions {
  /**
   * Forced targets by node name: `'cores'` or the instance name of an accelerator the host
   * reaches. A forced accelerator that cannot run the layer is an error; a forced AIMC tile
   * whose mapping is not exact is a warning (`aimc-inexact`) and the layer runs with the
   * error bound in the report. Layers not named get the default choice.
   */
  readonly targets?: ReadonlyMap<string, string>;
  /**
   * AIMC plans drive at least min(K, this) rows per MVM (default
   * {@link AIMC_DEFAULT_MIN_ROWS_PER_MVM}; 1 allows any active-row bound), default and forced
   * targets alike.
   */
  readonly aimcMinRowsPerMvm?: number;
  /**
   * ODiMO-style channel splits by node name (named as in `targets`): fraction f in [0, 1] of the
   * layer's output channels computed on the AIMC tile(s), the rest on the PE array, both writing
   * the same output tensor and running concurrently (see ACCEL.md "Channel splits"). The tiles
   * take the FIRST `round(f * Cout)` channels (`Math.round`: halves round up), the PE array the
   * others; f = 0 puts the layer on the PE array, f = 1 on the tiles (as forcing the target).
   * The platform needs a PE array and an AIMC tile the host commands (the first of each; the
   * AIMC part's blocks go round robin over the tiles configured like the first). A part that
   * cannot be placed is an error; an inexact AIMC part an `aimc-inexact` warning, as forced.
   * A node may not be both split and in `targets`.
   */
  readonly splits?: ReadonlyMap<string, number>;
}

/** Per-layer mapping report of {@link compileForAccelerators}. */
export interface AccelMapping {
  readonly node: string;
  readonly opType: string;
  /** `cores`, `alias`, or the accelerator instance. */
  readonly target: string;
  /** `split`: an ODiMO channel split over a PE array and AIMC tiles (see `split`). */
  readonly kind: 'cores' | 'alias' | 'pe-array' | 'aimc-tile' | 'split';
  /** Why this target (default choice, forced, or why an accelerator was not used). */
  readonly reason: string;
  readonly macs: number;
  /** Accelerator commands per inference (GEMM/CONV, or PROGRAMs + one MVM per band, block and digit plane). */
  readonly commands: number;
  /** PE array: SCALE-Sim-style folds (ceil(rows of the product / array rows) x ceil(N / array cols)) summed over commands; AIMC: tiles used. */
  readonly folds: number;
  /** Digital paths are always exact; AIMC: whether every ADC conversion is exact. */
  readonly exact: boolean;
  /** Bound on |accumulator - exact accumulator| per output (0 when exact), before requantization. */
  readonly errorBound: number;
  /** AIMC (and the AIMC part of a split): the plan (see {@link AccelAimcReport}). */
  readonly aimc: AccelAimcReport | undefined;
  /** A channel split: both parts (see {@link AccelSplitReport}); undefined otherwise. */
  readonly split: AccelSplitReport | undefined;
  /** Instructions the host core executes for the layer (estimate from the emitted loops). */
  readonly predictedInstructions: number;
  /**
   * Host-core cycles predicted for the layer, statically. Core layers: the loop-nest estimate with
   * the core's issue cycles (`LayerReport.predictedCycles`). Accelerated layers: the host's glue
   * instructions (one cycle each) plus the accelerator's time in host cycles: PE arrays
   * SCALE-Sim's output-stationary compute time per fold, `2 rows + cols + K - 2` array cycles
   * (SCALE-Sim `compute.py`; the simulation adds operand transfers and its `startupCycles`);
   * AIMC tiles: the PROGRAM time (`programCycles`) only, MVM time is not predicted here.
   */
  readonly predictedCycles: number;
}

/** The AIMC part of an {@link AccelMapping}: digit planes, blocks, tiles and their costs per inference. */
export interface AccelAimcReport {
  /** Input digit decomposition (`sliceBits` 0 = one plane holding the encoded value). */
  readonly sliceBits: number;
  readonly planes: number;
  /** `off` of the encoded inputs `v = x - off`. */
  readonly inputOffset: number;
  /** ADC value range per plane, over every block. */
  readonly unitRanges: readonly { readonly min: number; readonly max: number }[];
  /** Row groups (blocks along K; each a range of whole input channels) and the rows each drives per MVM (the last group: `lastRows`). */
  readonly rowGroups: number;
  readonly rowsPerMvm: number;
  readonly lastRows: number;
  /** Whether exactness needed more row groups than the tile's rows (`rowGroups` > ceil(K / rows) rounded to whole channels): the active-row bound. */
  readonly activeRowBound: boolean;
  /** Column blocks and outputs per block (the last may have fewer). */
  readonly colBlocks: number;
  readonly outputsPerBlock: number;
  /** Blocks = rowGroups x colBlocks, each programmed as its own matrix (diagonal: rowGroups). */
  readonly blocks: number;
  /** Grouped convolutions: blocks of whole convolution groups on the diagonal only (row group g with column block g). */
  readonly diagonal: boolean;
  /** Tiles the blocks went to (round robin). */
  readonly tiles: readonly string[];
  /** Tile MVMs per inference: input vectors x planes x blocks. */
  readonly mvms: number;
  /** PROGRAM commands per inference (one per block when the blocks fit the tiles; more when a band needs blocks programmed away by the previous band). */
  readonly programs: number;
  /** PROGRAMs onto a tile that already held another block of the layer (programs - tiles used): blocks > tiles, or several bands with more blocks than tiles. */
  readonly reprogrammings: number;
  /** Word lines written by the programs, and their cost: rows x `rowWriteCycles` tile cycles. */
  readonly programRows: number;
  readonly programCycles: number;
}

/** One part of a channel split ({@link AccelSplitReport}). */
export interface AccelSplitPart {
  /** The PE array, or the first AIMC tile (every tile used: `AccelMapping.aimc.tiles`). */
  readonly target: string;
  readonly kind: 'pe-array' | 'aimc-tile';
  /** Output channels [first, first + count) of the layer. */
  readonly firstChannel: number;
  readonly channels: number;
  readonly macs: number;
  /** Accelerator commands per inference of this part. */
  readonly commands: number;
  /** PE array: folds (as `AccelMapping.folds`); AIMC: tiles used. */
  readonly folds: number;
  readonly exact: boolean;
  readonly errorBound: number;
  /** Host instructions of this part's glue (pre-passes, descriptor fields, commands, post-passes). */
  readonly predictedInstructions: number;
}

/**
 * An ODiMO channel split (`AccelCompileOptions.splits`): the requested fraction and the two
 * parts. The parts run concurrently (see ACCEL.md "Channel splits").
 */
export interface AccelSplitReport {
  /** The requested fraction of output channels on the AIMC tiles. */
  readonly fraction: number;
  /** Channels [0, aimc.channels) on the tiles, [aimc.channels, Cout) on the PE array. */
  readonly aimc: AccelSplitPart;
  readonly digital: AccelSplitPart;
}

/** A compiled network with accelerator layers: `layers` lists the core and alias layers, `mapping` every layer. */
export interface AccelCompiled extends Compiled {
  readonly mapping: readonly AccelMapping[];
}

// ---------------------------------------------------------------------------------------------
// Target choice

interface PePlan {
  readonly kind: 'pe-array';
  readonly t: PeArrayTarget;
  /** Bytes per encoded activation (int8 1, int16 2; LightPE actBits / 8). */
  readonly eb: 1 | 2;
  /** Bytes per stored weight (int8 and lightpe1 codes 1, int16 and lightpe2 codes 2). */
  readonly wb: 1 | 2;
  /** The descriptor's PE type code (0 int8, 1 int16, 3 lightpe1, 4 lightpe2). */
  readonly typeCode: number;
  /** LightPE: the weight codes, `[weight set][channels][K]` as `DotLayer.weights`. */
  readonly codes: Int32Array | undefined;
  readonly off: number;
}
interface AimcPlan {
  readonly kind: 'aimc-tile';
  /** The first tile (the report's target). */
  readonly t: AimcTarget;
  /** Tiles the blocks go to, round robin (block b on `tiles[b % tiles.length]`). */
  readonly tiles: readonly AimcTarget[];
  readonly plan: AimcBlockPlan;
  readonly off: number;
  /** Weights K x N row-major (grouped convolutions: block-diagonal over all `channels` x taps rows). */
  readonly w: Int32Array;
  readonly wb: 1 | 2;
  readonly db: 1 | 2;
  /** Input channels the rows cover (grouped convolutions: all of them). */
  readonly channels: number;
}
/**
 * An ODiMO-style channel split of one dot layer: output channels [0, aimcChannels) on the AIMC
 * tile(s), [aimcChannels, N) on the PE array, each part a {@link DotLayer} with its slice of the
 * weights, biases and multipliers, both writing the same output tensor.
 */
interface SplitPlan {
  readonly kind: 'split';
  /** The PE array (the AIMC tiles are in `aimc`). */
  readonly t: PeArrayTarget;
  readonly fraction: number;
  readonly aimcChannels: number;
  readonly aimc: AimcPlan;
  readonly aimcLayer: DotLayer;
  readonly pe: PePlan;
  readonly peLayer: DotLayer;
}
type Plan = PePlan | AimcPlan | SplitPlan;

/**
 * Output channels [c0, c1) of a dot layer as a layer of its own (same input and output tensor;
 * the caller writes its results from channel c0 on): weights, biases and requantization
 * multipliers of every weight set sliced. Group 1 only (a grouped convolution's channels read
 * different inputs).
 */
function sliceChannels(l: DotLayer, c0: number, c1: number): DotLayer {
  const N = l.channels;
  const K = K_OF(l);
  const n = c1 - c0;
  const sets = l.weights.length / (N * K);
  const weights = new Int32Array(sets * n * K);
  const bias = new Int32Array(sets * n);
  for (let s = 0; s < sets; s++) {
    weights.set(l.weights.subarray((s * N + c0) * K, (s * N + c1) * K), s * n * K);
    bias.set(l.bias.subarray(s * N + c0, s * N + c1), s * n);
  }
  let weightBytes: 1 | 2 = 1;
  for (const w of weights) if (w < -128 || w > 127) weightBytes = 2;
  const requant = l.requant === undefined ? undefined : { ...l.requant, multipliers: l.requant.multipliers.slice(c0, c1) };
  return { ...l, channels: n, weights, bias, weightBytes, requant, macs: (l.macs / N) * n };
}

const K_OF = (l: DotLayer): number => l.inChannelsPerGroup * l.kh * l.kw;
/** Tile rows as channels x taps: conv C x (kh kw), matmul K x 1 (row `c * taps + t`). */
const TAPS_OF = (l: DotLayer): number => (l.op === 'conv' ? l.kh * l.kw : 1);
const CHANNELS_OF = (l: DotLayer): number => K_OF(l) / TAPS_OF(l);
const IN_RANGE: Record<'uint8' | 'int8', [number, number]> = { uint8: [0, 255], int8: [-128, 127] };
const U16 = 65535;

/**
 * The LightPE weight code of the centred integer weight `w` (see `pe-array/sim.ts`): with
 * `base` = lightMaxShift in `exact` shift mode (weight 2^k is shift m = mMax - k: the shifted
 * activation keeps mMax fractional bits, so the accumulator holds the integer dot product) and 0
 * in `floor` mode (shift m truncates unless m = 0: only 2^0 is exact), lightpe1 codes
 * `s0n0mmmm` for 0 or +-2^k, lightpe2 halfwords (bit 15 sign, 14 non-zero, 8 second shifter,
 * 7:4 m2, 3:0 m1) for 0, +-2^k1 or +-(2^k1 + 2^k2), k2 <= k1 <= base. Undefined when `w` is not
 * representable.
 */
export function lightPeCode(kind: 'lightpe1' | 'lightpe2', w: number, base: number): number | undefined {
  if (w === 0) return 0;
  const a = Math.abs(w);
  if (!Number.isSafeInteger(a) || a >= 2 ** 31) return undefined;
  /** k when v = 2^k. */
  const log = (v: number): number | undefined => (v > 0 && Number.isInteger(Math.log2(v)) ? Math.log2(v) : undefined);
  const k = log(a);
  if (k !== undefined && k <= base) return kind === 'lightpe1' ? (w < 0 ? 0x80 : 0) | 0x40 | (base - k) : (w < 0 ? 0x8000 : 0) | 0x4000 | (base - k);
  if (kind === 'lightpe1') return undefined;
  // two shifters: 2^k1 + 2^k2 (k2 <= k1), the highest and the lowest set bit; 2^k = 2^(k-1) + 2^(k-1)
  const lo = a & -a;
  const k1 = k !== undefined ? k - 1 : log(a - lo);
  const k2 = k !== undefined ? k - 1 : log(lo);
  if (k1 === undefined || k2 === undefined || k1 > base) return undefined;
  return (w < 0 ? 0x8000 : 0) | 0x4000 | 0x100 | ((base - k2) << 4) | (base - k1);
}

/** What a LightPE array's integer weights may be, for messages. */
function lightPeRange(t: PeArrayTarget, base: number): string {
  const s = t.lightShift === 'exact' ? `exact shifts, lightMaxShift ${t.lightMaxShift}` : 'floor shifts: only shift 0 is exact';
  return t.peType === 'lightpe1' ? `0 or +-2^k, k <= ${base} (${t.peType}, ${s})` : `0, +-2^k or +-(2^k1 + 2^k2), k2 <= k1 <= ${base} (${t.peType}, ${s})`;
}

function peCheck(l: DotLayer, t: PeArrayTarget): string | PePlan {
  const light = t.peType === 'lightpe1' || t.peType === 'lightpe2';
  if (t.peType !== 'int8' && t.peType !== 'int16' && !light) return `PE type ${t.peType} (integer layers need int8, int16, lightpe1 or lightpe2 PEs)`;
  if (t.actMemory === undefined || t.weightMemory === undefined) return 'its mem port reaches no memory in the address map';
  if (t.accBits !== 0 && t.accBits < 32) return `accBits ${t.accBits}: the accumulator wraps before int32 (onnxruntime's accumulator); use accBits 0 or >= 32`;
  const eb = t.peType === 'int8' || (light && t.actBits === 8) ? 1 : 2;
  if (t.peType === 'int8' && l.weightBytes !== 1) return 'the centred weights (w - w_zp) do not fit int8';
  let codes: Int32Array | undefined;
  if (light) {
    const base = t.lightShift === 'exact' ? t.lightMaxShift : 0;
    codes = new Int32Array(l.weights.length);
    const K = K_OF(l);
    for (let i = 0; i < l.weights.length; i++) {
      const c = lightPeCode(t.peType as 'lightpe1' | 'lightpe2', l.weights[i]!, base);
      if (c === undefined) {
        const ch = Math.floor(i / K) % l.channels;
        return `centred weight ${l.weights[i]!} (output channel ${ch}, weight ${i % K}) is not representable: ${t.peType} weights are ${lightPeRange(t, base)}; quantize weights to powers of two, e.g. the quantizer's pow2 scheme`;
      }
      codes[i] = c;
    }
  }
  const K = K_OF(l);
  if (l.op === 'matmul') {
    if (l.outH > U16 || l.channels > U16 || K > U16) return `GEMM sizes M ${l.outH}, N ${l.channels}, K ${K} exceed 65535`;
  } else {
    if (l.groups !== 1) return `grouped convolution (group ${l.groups}) is not a CONV command`;
    if (l.dilations[0] !== 1 || l.dilations[1] !== 1) return `dilations [${l.dilations.join(',')}] are not supported by CONV`;
    if (l.strides[0] > U16 || l.strides[1] > U16) return 'strides exceed 65535';
  }
  // 8-bit activations (int8 PEs, LightPE actBits 8): uint8 inputs are stored as x - 128;
  // 16-bit ones (int16 PEs, LightPE actBits 16): x - x_zp (exact in int16).
  const off = eb === 1 ? (l.inDtype === 'uint8' ? 128 : 0) : l.inZeroPoint;
  const wb = t.peType === 'int8' || t.peType === 'lightpe1' ? 1 : 2;
  const typeCode = ['int8', 'int16', 'fp32', 'lightpe1', 'lightpe2'].indexOf(t.peType);
  return { kind: 'pe-array', t, eb, wb, typeCode, codes, off };
}

/**
 * AIMC plans drive at least min(K, this) rows per MVM unless `aimcMinRowsPerMvm` says otherwise:
 * fewer active rows multiply the MVMs and the host's shift-add work (hermes-like's 8-bit ADCs
 * would need one row per MVM for ResNet-8's 1x1 convolutions).
 */
export const AIMC_DEFAULT_MIN_ROWS_PER_MVM = 32;

function aimcCheck(l: DotLayer, t: AimcTarget, tiles: readonly AimcTarget[] = [t], minRowsPerMvm = 1): string | AimcPlan {
  const c = t.params;
  if (c.dac !== 'pulse-width') return 'bit-serial DACs are not supported by the compiler yet';
  if (t.actMemory === undefined) return 'its mem port reaches no memory in the address map';
  const K = K_OF(l);
  const N = l.channels;
  const taps = TAPS_OF(l);
  if (l.weights.length !== K * N) return 'batched weights (several weight sets) are not mapped to tiles yet';
  // grouped convolutions as one block-diagonal matrix over all input channels (zero weights
  // between the groups): output j of group j / (N / groups) reads channels of that group only
  const groups = l.op === 'conv' ? l.groups : 1;
  const channels = CHANNELS_OF(l) * groups;
  const Kd = channels * taps;
  const perGroup = N / groups;
  const g = aimcGeometry(c);
  if (taps > c.rows) return `a channel's ${taps} kernel taps exceed the tile's ${c.rows} rows`;
  if (g.colsPerOutput > c.cols) return `one output needs ${g.colsPerOutput} columns, the tile has ${c.cols}`;
  const w = new Int32Array(Kd * N);
  for (let j = 0; j < N; j++) {
    const row0 = Math.floor(j / perGroup) * K;
    for (let i = 0; i < K; i++) {
      const v = l.weights[j * K + i]!;
      if (v < g.minWeight || v > g.maxWeight) return `centred weight ${v} (channel ${j}) is outside the ${c.mapping} mapping's [${g.minWeight}, ${g.maxWeight}]`;
      w[(row0 + i) * N + j] = v;
    }
  }
  const [lo, hi] = l.inRange ?? IN_RANGE[l.inDtype];
  const off = c.inputSigned ? l.inZeroPoint : lo;
  const plan = planAimcBlocks(c, w, channels, taps, N, lo - off, hi - off, minRowsPerMvm, groups);
  if (plan === undefined) return `the inputs (${lo - off}..${hi - off} after the offset) cannot be split into digits the tile accepts (${g.minInput}..${g.maxInput})`;
  const fits8 = (a: number, b: number): boolean => a >= -128 && b <= 127;
  const db = plan.digitRanges.every(([a, b]) => fits8(a, b)) ? 1 : 2;
  const wb = fits8(g.minWeight, g.maxWeight) ? 1 : 2;
  return { kind: 'aimc-tile', t, tiles, plan, off, w, wb, db, channels };
}

function check(l: DotLayer, t: AccelTarget, minRows: number): string | PePlan | AimcPlan {
  return t.kind === 'pe-array' ? peCheck(l, t) : aimcCheck(l, t, [t], minRows);
}

// ---------------------------------------------------------------------------------------------
// Code


/** One loop level: iterations and the byte advance of the source (a2) and destination (a3) pointers per iteration. */
interface Loop {
  readonly count: number;
  readonly src: number;
  readonly dst: number;
}
/** Loop counters by level (the post-pass, which keeps t3-t6 for its pointers and clamps, uses at most 3 levels). */
const COUNTERS = ['a4', 'a5', 'a6', 'a7', 't3', 't4'];

/** Nested loops over a2 / a3 from `src` / `dst`; returns the executed instructions. */
function emitLoops(a: Asm, src: number, dst: number, loops: readonly Loop[], body: () => void, beforeInner: () => void): number {
  a.la('a2', src);
  a.la('a3', dst);
  const level = (i: number): number => {
    const L = loops[i]!;
    const inner = i === loops.length - 1;
    let pre = a.n;
    if (inner) beforeInner();
    a.li(COUNTERS[i]!, L.count);
    pre = a.n - pre;
    const lab = a.fresh('loop');
    a.label(lab);
    let bodyN: number;
    if (inner) {
      const b0 = a.n;
      body();
      bodyN = a.n - b0;
    } else bodyN = level(i + 1);
    const t0 = a.n;
    const next = inner ? undefined : loops[i + 1]!;
    a.addConst('a2', 'a2', L.src - (next === undefined ? 0 : next.count * next.src), 't2');
    a.addConst('a3', 'a3', L.dst - (next === undefined ? 0 : next.count * next.dst), 't2');
    a.ins(`addi ${COUNTERS[i]!}, ${COUNTERS[i]!}, -1`);
    a.ins(`bnez ${COUNTERS[i]!}, ${lab}`);
    return pre + L.count * (bodyN + (a.n - t0));
  };
  return 4 + level(0);
}

interface PrePass {
  readonly src: number;
  readonly dst: number;
  readonly loops: readonly Loop[];
  readonly inDtype: 'uint8' | 'int8';
  readonly off: number;
  /** Element bytes written. */
  readonly eb: 1 | 2;
  readonly sliceBits: number;
  readonly planes: number;
  readonly planeStride: number;
  /** Unroll an innermost loop of at most 8 iterations (AIMC im2col: the kernel columns). */
  readonly unroll?: boolean;
}

/** Stores `value` into `count` elements of `eb` bytes from `address` (a loop on a2/a4/t0); returns its instructions. */
function emitFill(a: Asm, address: number, count: number, eb: 1 | 2, value: number, what: string): number {
  const L = a.fresh('fill');
  a.comment(what);
  a.la('a2', address);
  a.li('a4', count);
  a.li('t0', value);
  a.label(L);
  a.ins(`${eb === 1 ? 'sb' : 'sh'} t0, 0(a2)`);
  a.ins(`addi a2, a2, ${eb}`);
  a.ins('addi a4, a4, -1');
  a.ins(`bnez a4, ${L}`);
  return 7 + 4 * count;
}

function emitPrePass(a: Asm, p: PrePass): number {
  const st = p.eb === 1 ? 'sb' : 'sh';
  // AIMC: a short innermost loop (kernel taps) is unrolled, and plane q is stored through
  // t2 = a3 + q * planeStride (t5 = planeStride) when the stride exceeds a 12-bit offset
  const last = p.loops[p.loops.length - 1]!;
  const unroll = p.unroll === true && p.loops.length > 1 && last.count <= 8 ? last : undefined;
  const loops = unroll === undefined ? p.loops : p.loops.slice(0, -1);
  const reach = (p.planes - 1) * p.planeStride + (unroll === undefined ? 0 : (unroll.count - 1) * unroll.dst);
  const viaReg = p.planes > 1 && !fits12(reach);
  let n = 0;
  if (viaReg) {
    const n0 = a.n;
    a.li('t5', p.planeStride);
    n += a.n - n0;
  }
  const one = (src: number, dst: number): void => {
    a.mem(p.inDtype === 'uint8' ? 'lbu' : 'lb', 't0', 'a2', src, 't2');
    a.addConst('t0', 't0', -p.off, 't1');
    if (p.planes === 1) {
      a.mem(st, 't0', 'a3', dst, 't2');
      return;
    }
    const mask = 2 ** p.sliceBits - 1;
    for (let q = 0; q < p.planes; q++) {
      const sh = q * p.sliceBits;
      const top = q === p.planes - 1;
      if (sh === 0) a.ins(`andi t1, t0, ${mask}`);
      else {
        a.ins(`srai t1, t0, ${sh}`);
        if (!top) a.ins(`andi t1, t1, ${mask}`);
      }
      if (!viaReg) a.mem(st, 't1', 'a3', q * p.planeStride + dst, 't2');
      else {
        if (q === 1) a.ins('add t2, a3, t5');
        else if (q > 1) a.ins('add t2, t2, t5');
        a.mem(st, 't1', q === 0 ? 'a3' : 't2', dst, 't6');
      }
    }
  };
  return n + emitLoops(a, p.src, p.dst, loops, () => {
    if (unroll === undefined) one(0, 0);
    else for (let k = 0; k < unroll.count; k++) one(k * unroll.src, k * unroll.dst);
  }, () => undefined);
}

interface PostPass {
  readonly src: number;
  readonly dst: number;
  readonly loops: readonly Loop[];
  readonly corr: number;
  readonly mult: number | undefined;
  readonly planes: number;
  readonly sliceBits: number;
  readonly planeStride: number;
  /** Partial sums of several row groups (AIMC): group g, plane q at `g * groupStride + q * planeStride`. */
  readonly groups?: number;
  readonly groupStride?: number;
  readonly requant: DotLayer['requant'];
  readonly outDtype: DotLayer['outDtype'];
}

/** int32 results (+ digit planes by shift-add) + correction, requantized as `emitRequantStore` in codegen (bit-exact with requantFloat32). */
function emitPostPass(a: Asm, p: PostPass): number {
  const rq = p.requant;
  if (rq !== undefined) {
    a.li('t5', rq.lo - rq.zeroPoint);
    a.li('t6', rq.hi - rq.zeroPoint);
  }
  // the two clamp moves are usually skipped
  const skipped = rq === undefined ? 0 : 2 * p.loops.reduce((n, l) => n * l.count, 1);
  return -skipped + emitLoops(a, p.src, p.dst, p.loops, () => {
    const G = p.groups ?? 1;
    const plane = (q: number, first: boolean): void => {
      for (let g = 0; g < G; g++) {
        const off = g * (p.groupStride ?? 0) + q * p.planeStride;
        if (first && g === 0) a.mem('lw', 't0', 'a2', off, 't2');
        else {
          a.mem('lw', 't1', 'a2', off, 't2');
          a.ins('add t0, t0, t1');
        }
      }
    };
    plane(p.planes - 1, true);
    for (let q = p.planes - 2; q >= 0; q--) {
      a.ins(`slli t0, t0, ${p.sliceBits}`);
      plane(q, false);
    }
    a.ins('lw t1, 0(t3)');
    a.ins('add t0, t0, t1');
    a.ins('addi t3, t3, 4');
    if (rq === undefined) {
      a.ins(`${p.outDtype === 'int32' ? 'sw' : 'sb'} t0, 0(a3)`);
      return;
    }
    a.ins('flw ft1, 0(t4)');
    a.ins('addi t4, t4, 4');
    a.ins('fcvt.s.w ft0, t0, rne');
    a.ins('fmul.s ft0, ft0, ft1, rne');
    a.ins('fcvt.w.s t0, ft0, rne');
    const lo = a.fresh('rq_lo');
    const hi = a.fresh('rq_hi');
    a.ins(`bge t0, t5, ${lo}`);
    a.ins('mv t0, t5');
    a.label(lo);
    a.ins(`bge t6, t0, ${hi}`);
    a.ins('mv t0, t6');
    a.label(hi);
    a.addConst('t0', 't0', rq.zeroPoint, 't1');
    a.ins('sb t0, 0(a3)');
  }, () => {
    a.la('t3', p.corr);
    if (p.mult !== undefined) a.la('t4', p.mult);
  });
}

// ---------------------------------------------------------------------------------------------
// Memory for the accelerator buffers

class Arena {
  next: number;
  readonly region: AddressRegion;
  constructor(region: AddressRegion, start: number) {
    this.region = region;
    this.next = start;
  }
  alloc(bytes: number, align: number): number | undefined {
    const a = Math.ceil(this.next / align) * align;
    if (a + bytes > this.region.end) return undefined;
    this.next = a + bytes;
    return a;
  }
}

function usedEnd(region: AddressRegion, lay: Layout, codeBytes: number): number {
  let end = region.base;
  const inside = (m: string): boolean => m === region.target;
  for (const p of lay.placements.values()) if (inside(p.memory)) end = Math.max(end, p.buffer.address + p.buffer.bytes);
  for (const i of lay.images) if (inside(i.memory)) end = Math.max(end, i.address + i.bytes.length);
  if (inside(lay.codeMemory)) end = Math.max(end, lay.codeOrigin + codeBytes);
  return end;
}

const words = (vals: readonly number[]): Uint8Array => {
  const b = new Uint8Array(4 * vals.length);
  const v = new DataView(b.buffer);
  vals.forEach((x, i) => v.setUint32(4 * i, x >>> 0, true));
  return b;
};

const intBytes = (vals: ArrayLike<number>, eb: 1 | 2 | 4): Uint8Array => {
  const b = new Uint8Array(eb * vals.length);
  const v = new DataView(b.buffer);
  for (let i = 0; i < vals.length; i++) {
    const x = vals[i]!;
    if (eb === 1) v.setInt8(i, x);
    else if (eb === 2) v.setInt16(2 * i, x, true);
    else v.setInt32(4 * i, x, true);
  }
  return b;
};

interface Emitted {
  readonly asm: string;
  readonly predicted: number;
  readonly commands: number;
  readonly folds: number;
  /** AIMC: PROGRAM commands, word lines they write, MVMs (vectors x planes x blocks) and the tiles used. */
  readonly programs?: number;
  readonly programRows?: number;
  readonly mvms?: number;
  readonly tilesUsed?: readonly string[];
  /** A channel split: what each part emitted (the fields above are their sums; `folds` the PE array's). */
  readonly parts?: { readonly aimc: Emitted; readonly pe: Emitted };
}

/** Constant data of one accelerated layer (data images, allocated once). */
interface Persistent {
  readonly corrAt: number;
  readonly multAt: number | undefined;
  readonly wAt: number;
  /** PE weights: bytes per weight set (aligned). */
  readonly setBytes: number;
  /** One descriptor buffer (GEMM 32 B, CONV 64 B; AIMC: the MVM descriptor); the code rewrites the fields that change per command. */
  readonly descAt: number;
  /** AIMC: the PROGRAM descriptor of each block (static). */
  readonly progAt?: readonly number[];
}

const alignUp = (v: number, a: number): number => Math.ceil(v / a) * a;

/** Allocates and writes the constant data of an accelerated layer: weights, corrections, multipliers, descriptor. */
function persist(l: DotLayer, plan: PePlan | AimcPlan, arena: (r: AddressRegion) => Arena, images: DataImage[], d: Diags): Persistent | undefined {
  const K = K_OF(l);
  const N = l.channels;
  const align = plan.t.align;
  const actR = plan.t.actMemory!;
  const alloc = (r: AddressRegion, bytes: number, what: string): number | undefined => {
    const ar = arena(r);
    const at = ar.alloc(Math.max(bytes, 1), align);
    if (at === undefined) d.error('out-of-memory', `${l.node}: no room for ${what} (${bytes} B) in '${r.target}' (${Math.max(0, ar.region.end - ar.next)} B free) for ${plan.t.name}`);
    return at;
  };
  const img = (address: number, bytes: Uint8Array, what: string, memory: string): void => {
    images.push({ address, bytes, what: `${what} of ${l.node}`, memory });
  };
  // correction per weight set and channel: bias + off * sum_k w (see ACCEL.md)
  const sets = l.weights.length / (N * K);
  const corr = new Int32Array(sets * N);
  for (let s = 0; s < sets; s++) {
    for (let m = 0; m < N; m++) {
      let sum = 0;
      for (let k = 0; k < K; k++) sum += l.weights[(s * N + m) * K + k]!;
      corr[s * N + m] = (l.bias[s * N + m]! + plan.off * sum) | 0;
    }
  }
  const corrAt = alloc(actR, 4 * corr.length, 'the correction table');
  let multAt: number | undefined;
  if (l.requant !== undefined) {
    const mb = new Uint8Array(4 * N);
    const mv = new DataView(mb.buffer);
    l.requant.multipliers.forEach((v, i) => mv.setFloat32(4 * i, v, true));
    multAt = alloc(actR, mb.length, 'the requantization multipliers');
    if (multAt !== undefined) img(multAt, mb, 'multipliers', actR.target);
  }
  if (corrAt === undefined || (l.requant !== undefined && multAt === undefined)) return undefined;
  img(corrAt, intBytes(corr, 4), 'channel corrections', actR.target);
  const descAt = alloc(actR, 64, 'the descriptor');
  if (descAt === undefined) return undefined;
  if (plan.kind === 'pe-array') {
    const { t, wb: eb } = plan;
    // weights (LightPE: their codes): GEMM B[K][N] per set; CONV HWIO W[fh][fw][c][cout]
    const src = plan.codes ?? l.weights;
    const wv = new Int32Array(l.weights.length);
    for (let s = 0; s < sets; s++) {
      for (let m = 0; m < N; m++) {
        for (let k = 0; k < K; k++) {
          const v = src[(s * N + m) * K + k]!;
          if (l.op === 'matmul') wv[s * K * N + k * N + m] = v;
          else {
            const c = Math.floor(k / (l.kh * l.kw));
            const i = Math.floor(k / l.kw) % l.kh;
            const j = k % l.kw;
            wv[((i * l.kw + j) * l.inChannelsPerGroup + c) * N + m] = v;
          }
        }
      }
    }
    const setBytes = alignUp(K * N * eb, align);
    // the weight memory while it has room, else the activation memory (the array reads B/W
    // through wmem only where wmem reaches)
    let wR = t.weightMemory!;
    let wAt = wR !== actR ? arena(wR).alloc(setBytes * sets, align) : undefined;
    if (wAt === undefined) {
      wR = actR;
      wAt = alloc(actR, setBytes * sets, 'the weights');
    }
    if (wAt === undefined) return undefined;
    for (let s = 0; s < sets; s++) img(wAt + s * setBytes, intBytes(wv.subarray(s * K * N, (s + 1) * K * N), eb), `weights (set ${s}, ${plan.codes !== undefined ? `${t.peType} codes` : eb === 1 ? 'int8' : 'int16'})`, wR.target);
    return { corrAt, multAt, wAt, setBytes, descAt };
  }
  // AIMC: one weight matrix and PROGRAM descriptor per block (column block cb, row group g)
  const bp = plan.plan;
  const taps = TAPS_OF(l);
  const progAt: number[] = [];
  for (const b of aimcBlocks(l, bp)) {
    const wv = new Int32Array(b.rows * b.outputs);
    for (let i = 0; i < b.rows; i++) {
      for (let j = 0; j < b.outputs; j++) wv[i * b.outputs + j] = plan.w[(b.g * bp.channelsPerGroup * taps + i) * N + b.cb * bp.outputsPerBlock + j]!;
    }
    const wAt = alloc(actR, wv.length * plan.wb, `the weights of block ${b.index}`);
    const pAt = alloc(actR, 16, 'a PROGRAM descriptor');
    if (wAt === undefined || pAt === undefined) return undefined;
    img(wAt, intBytes(wv, plan.wb), `weights of block ${b.index} (rows ${b.g * bp.channelsPerGroup * taps}.., outputs ${b.cb * bp.outputsPerBlock}..: ${b.rows} x ${b.outputs}, ${plan.t.params.mapping})`, actR.target);
    img(pAt, words([wAt, b.rows, b.outputs, plan.wb]), `PROGRAM descriptor of block ${b.index}`, actR.target);
    progAt.push(pAt);
  }
  img(descAt, words([0, plan.db, 0, 0]), 'MVM descriptor', actR.target);
  return { corrAt, multAt, wAt: 0, setBytes: 0, descAt, progAt };
}

/** One programmed block of an AIMC layer: row group g (input channels [g Cg, ...)), column block cb. */
interface AimcBlock {
  readonly index: number;
  readonly g: number;
  readonly cb: number;
  readonly rows: number;
  readonly outputs: number;
}

/** The blocks of an AIMC plan, column block major (diagonal plans: row group g = column block g only). */
function aimcBlocks(l: DotLayer, p: AimcBlockPlan): AimcBlock[] {
  const out: AimcBlock[] = [];
  for (let cb = 0; cb < p.colBlocks; cb++) {
    for (let g = 0; g < p.rowGroups; g++) {
      if (p.diagonal && g !== cb) continue;
      out.push({ index: out.length, g, cb, rows: g === p.rowGroups - 1 ? p.lastRows : p.rowsPerMvm, outputs: Math.min(p.outputsPerBlock, l.channels - cb * p.outputsPerBlock) });
    }
  }
  return out;
}

/** Issues accelerator command `word` with descriptor `desc` to accelerator `accelId` and (unless `wait` is false) waits for it; returns its issue cycles. */
function emitAccelCommand(a: Asm, accelId: number, word: number, desc: number, what: string, wait = true): number {
  a.comment(what);
  a.li('t1', word);
  a.la('t2', desc);
  a.ins(`acc.cmd t3, t1, t2, ${accelId}`);
  if (wait) a.ins(`acc.wait t3, ${accelId}`);
  return wait ? 6 : 5;
}

/**
 * How an accelerated layer's code is emitted: on its own, or as one part of an ODiMO channel
 * split ({@link emitSplitLayer}).
 */
interface EmitOpts {
  /** Label prefix of the layer's code (unique per part). */
  readonly prefix: string;
  /** The output placement to write: a split part writes the layer's output from its first channel on. */
  readonly y?: Placement;
  /** Appended to the layer's first comment (a split part: its output channels). */
  readonly part?: string;
  /** The other part fills the output's padded border. */
  readonly skipFill?: boolean;
  /**
   * PE arrays: every command is issued without waiting; these lines (the other part's code for
   * this band) follow it, then `acc.drain`. Called once per band, in order.
   */
  readonly between?: (band: number, bands: number) => { readonly lines: readonly string[]; readonly predicted: number };
  /** AIMC: receives the index in the code lines at which each band starts. */
  readonly bandStarts?: number[];
}

/** Writes descriptor word `i` (at `descAt + 4 i`) = `v` (an address: `la`, else `li`); returns its issue cycles. */
function emitDescField(a: Asm, descAt: number, i: number, v: number, addr: boolean): number {
  if (addr) a.la('t0', v);
  else a.li('t0', v);
  a.la('t1', descAt + 4 * i);
  a.ins('sw t0, 0(t1)');
  return 5;
}

/**
 * Emits an accelerated layer: encode the input into scratch, then per batch and band of output
 * rows, the commands and the post-pass (int32 results of one band at a time in scratch).
 */
function emitLayer(l: DotLayer, plan0: PePlan | AimcPlan, P: Persistent, o: EmitOpts, lay: Layout, scratch: { base: number; end: number }, d: Diags): Emitted | undefined {
  if (plan0.kind === 'aimc-tile') return emitAimcLayer(l, plan0, P, o, lay, scratch, d);
  const plan = plan0;
  const x = lay.placements.get(l.input)!;
  const y = o.y ?? lay.placements.get(l.output)!;
  const K = K_OF(l);
  const N = l.channels;
  const align = plan.t.align;
  const xs = x.strides;
  const ys = y.strides;
  const ey = ACT_BYTES[y.dtype];
  const conv = l.op === 'conv';
  const a = new Asm(o.prefix);
  a.comment(`---- accelerated layer: ${l.node} on ${plan.t.name} (${plan.kind})${o.part ?? ''}`);
  const planes = 1;
  const sliceBits = 0;
  const yRow = conv ? ys[2]! * ey : ys[ys.length - 2]! * ey;
  const yChan = conv ? ys[1]! * ey : ys[ys.length - 1]! * ey;
  const yCol = conv ? ys[3]! * ey : 0;
  const yBatch = conv ? ys[0]! * ey : ys.length > 2 ? ys[ys.length - 3]! * ey : 0;
  const outRows = l.outH; // bands are whole output rows (conv: outW pixels each; matmul: 1 row)
  const rowOut = l.outW * N * 4; // int32 bytes per output row
  let predicted = 0;
  let commands = 0;
  let folds = 0;
  let band = 0;
  let bands = 0;
  const cmd = (word: number, desc: number, what: string): void => {
    if (o.between === undefined) predicted += emitAccelCommand(a, plan.t.accelId, word, desc, what);
    else {
      // split: the other part runs while the array computes, then wait for the array
      predicted += emitAccelCommand(a, plan.t.accelId, word, desc, what, false);
      const b = o.between(band++, bands);
      a.lines.push(...b.lines);
      predicted += b.predicted + 1;
      a.ins(`acc.drain ${plan.t.accelId}`);
    }
    commands++;
  };
  const field = (i: number, v: number, addr: boolean): void => {
    predicted += emitDescField(a, P.descAt, i, v, addr);
  };

  // input encoding into scratch
  let inBatchBytes: number;
  let inPlane = 0;
  let Hp = 0;
  let Wp = 0;
  let C = 0;
  const [pt, pl, pb, pr] = l.pads;
  const padded = pt + pl + pb + pr > 0;
  {
    const eb = plan.eb;
    if (!conv) {
      const r = xs.length;
      const M = l.outH;
      inBatchBytes = alignUp(M * K * eb, align);
      const inBatches = sizeOf(x.shape.slice(0, -2));
      if (scratch.base + inBatchBytes * inBatches > scratch.end) return oom(d, l, plan, inBatchBytes * inBatches, scratch);
      predicted += emitPrePass(a, {
        src: x.address, dst: scratch.base, inDtype: l.inDtype, off: plan.off, eb, sliceBits: 0, planes: 1, planeStride: 0,
        loops: [{ count: inBatches, src: r > 2 ? xs[r - 3]! : 0, dst: inBatchBytes }, { count: M, src: xs[r - 2]!, dst: K * eb }, { count: K, src: xs[r - 1]!, dst: eb }],
      });
      inPlane = inBatchBytes * inBatches;
    } else {
      [C, Hp, Wp] = [l.inChannelsPerGroup, x.shape[2]! + pt + pb, x.shape[3]! + pl + pr];
      const [H, W] = [x.shape[2]!, x.shape[3]!];
      if (Hp > U16 || Wp > U16 || C > U16 || N > U16) {
        d.error('unsupported-shape', `${l.node}: CONV sizes exceed 65535`);
        return undefined;
      }
      // convolutions encode per band only the padded input rows the band reads (below), so
      // the scratch holds one band's input rows and results, not the whole input
      void H;
      void W;
      inBatchBytes = 0;
    }
  }
  // conv: padded input rows a band of n output rows reads (dilation 1 on PE arrays)
  const bandInRows = (n: number): number => (n - 1) * l.strides[0] + l.kh;
  const bandInBytes = (n: number): number => alignUp(bandInRows(n) * Wp * C * plan.eb, align);
  let outBase: number;
  let rows: number;
  if (conv) {
    rows = Math.min(outRows, Math.floor((scratch.end - scratch.base) / rowOut));
    while (rows > 0 && scratch.base + bandInBytes(rows) + rows * rowOut > scratch.end) rows--;
    if (rows <= 0) return oom(d, l, plan, bandInBytes(1) + rowOut, scratch);
    inPlane = bandInBytes(rows);
    outBase = scratch.base + inPlane;
  } else {
    outBase = alignUp(scratch.base + inPlane, align);
    // band rows: as many output rows as the scratch holds, start offsets aligned for the array
    const inRowBytes = K * plan.eb;
    const g = (p: number, q: number): number => (q === 0 ? p : g(q, p % q));
    const unit = align / g(inRowBytes % align, align);
    rows = Math.floor((scratch.end - outBase) / rowOut);
    if (rows >= outRows) rows = outRows;
    else rows -= rows % unit;
    rows = Math.min(rows, U16);
    if (rows <= 0) return oom(d, l, plan, outBase - scratch.base + rowOut * unit, scratch);
  }
  const inRowBytes = K * plan.eb;
  const bandPlane = rows * l.outW * N * 4;
  {
    const type = plan.typeCode;
    if (conv) {
      // constant fields: W, n = 1, w, c, fh, fw, cout, stride, padding 0, type, out 0
      const fixed = [scratch.base, P.wAt, outBase, 1, 0, Wp, C, l.kh, l.kw, N, l.strides[0] | (l.strides[1] << 16), 0, type, 0, 0, 0];
      fixed.forEach((v, i) => {
        if (i !== 4) field(i, v, i <= 2);
      });
    } else {
      field(5, K, false);
      field(6, type, false);
      field(7, 0, false);
    }
  }
  if (y.buffer.bytes !== sizeOf(y.shape) * ey && o.skipFill !== true) {
    // a padded output (a padded convolution reads it): its writer fills the border (here: the
    // whole buffer, then the post-passes write the interior)
    predicted += emitFill(a, y.buffer.address, y.buffer.bytes, 1, y.fill, `border of '${y.name}' = ${y.fill}`);
  }
  bands = l.batch * Math.ceil(outRows / rows);
  for (let b = 0; b < l.batch; b++) {
    for (let r0 = 0; r0 < outRows; r0 += rows) {
      const n = Math.min(rows, outRows - r0);
      {
        if (conv) {
          // the band's padded input rows [r0 s, r0 s + bandInRows(n)) into scratch: the border
          // (pads, rows outside the input) holds the encoded zero point
          const [H, W] = [x.shape[2]!, x.shape[3]!];
          const p0 = r0 * l.strides[0];
          const p1 = p0 + bandInRows(n);
          const h0 = Math.max(0, p0 - pt);
          const h1 = Math.min(H, p1 - pt);
          const eb = plan.eb;
          if (padded) predicted += emitFill(a, scratch.base, bandInRows(n) * Wp * C, eb, l.inZeroPoint - plan.off, 'the band\'s padded input: encoded zero point');
          if (h1 > h0) {
            predicted += emitPrePass(a, {
              src: x.address + b * xs[0]! + h0 * xs[2]!, dst: scratch.base + ((h0 + pt - p0) * Wp + pl) * C * eb, inDtype: l.inDtype, off: plan.off, eb, sliceBits: 0, planes: 1, planeStride: 0,
              loops: [{ count: C, src: xs[1]!, dst: eb }, { count: h1 - h0, src: xs[2]!, dst: Wp * C * eb }, { count: W, src: xs[3]!, dst: C * eb }],
            });
          }
          field(4, bandInRows(n), false);
          cmd(2, P.descAt, `CONV batch ${b}, output rows ${r0}..${r0 + n - 1}`);
          folds += Math.ceil((n * l.outW) / plan.t.rows) * Math.ceil(N / plan.t.cols);
        } else {
          field(0, scratch.base + l.inBatch[b]! * inBatchBytes + r0 * inRowBytes, true);
          field(1, P.wAt + l.weightSet[b]! * P.setBytes, true);
          field(2, outBase, true);
          field(3, n, false);
          field(4, N, false);
          cmd(1, P.descAt, `GEMM batch ${b}, rows ${r0}..${r0 + n - 1}: ${n}x${K} x ${K}x${N}`);
          folds += Math.ceil(n / plan.t.rows) * Math.ceil(N / plan.t.cols);
        }
      }
      const set = !conv ? l.weightSet[b]! : 0;
      const loops: Loop[] = conv
        ? [{ count: n, src: l.outW * N * 4, dst: yRow }, { count: l.outW, src: N * 4, dst: yCol }, { count: N, src: 4, dst: yChan }]
        : [{ count: n, src: N * 4, dst: yRow }, { count: N, src: 4, dst: yChan }];
      predicted += emitPostPass(a, {
        src: outBase, dst: y.address + b * yBatch + r0 * yRow, loops, corr: P.corrAt + 4 * set * N, mult: P.multAt,
        planes, sliceBits, planeStride: bandPlane, requant: l.requant, outDtype: l.outDtype,
      });
    }
  }
  return { asm: `${a.lines.join('\n')}\n`, predicted, commands, folds };
}

/**
 * Emits an AIMC layer split into blocks (see ACCEL.md): per batch, the padded raw input (padded
 * convolutions), then per band of output rows: the im2col pre-pass (encoded digit planes, one
 * `[vector][rows]` area per row group and plane), per block (serpentine order, so the blocks
 * programmed last stay for the next band) a PROGRAM when its tile holds another block and one
 * MVM per plane, and per column block the post-pass adding the groups' and planes' partial sums.
 */
function emitAimcLayer(l: DotLayer, plan: AimcPlan, P: Persistent, o: EmitOpts, lay: Layout, scratch: { base: number; end: number }, d: Diags): Emitted | undefined {
  const x = lay.placements.get(l.input)!;
  const y = o.y ?? lay.placements.get(l.output)!;
  const bp = plan.plan;
  const { planes, sliceBits, rowGroups: G, channelsPerGroup: Cg, lastChannels: Cl, outputsPerBlock: Nb0 } = bp;
  const taps = TAPS_OF(l);
  const Kg = bp.rowsPerMvm;
  const db = plan.db;
  const xs = x.strides;
  const ys = y.strides;
  const ey = ACT_BYTES[y.dtype];
  const conv = l.op === 'conv';
  const a = new Asm(o.prefix);
  const blocks = aimcBlocks(l, bp);
  const T = plan.tiles.length;
  a.comment(`---- accelerated layer: ${l.node} on ${plan.tiles.slice(0, Math.min(T, blocks.length)).map((t) => t.name).join(', ')} (aimc-tile): ${blocks.length} block(s) = ${G} row group(s) of ${Kg} rows x ${bp.colBlocks} column block(s) of ${Nb0} outputs, ${planes} digit plane(s)${o.part ?? ''}`);
  const yRow = conv ? ys[2]! * ey : ys[ys.length - 2]! * ey;
  const yChan = conv ? ys[1]! * ey : ys[ys.length - 1]! * ey;
  const yCol = conv ? ys[3]! * ey : 0;
  const yBatch = conv ? ys[0]! * ey : ys.length > 2 ? ys[ys.length - 3]! * ey : 0;
  const outW = l.outW;
  let predicted = 0;
  let commands = 0;
  let programs = 0;
  let programRows = 0;
  let mvms = 0;
  const cmd = (t: AimcTarget, word: number, desc: number, what: string): void => {
    predicted += emitAccelCommand(a, t.accelId, word, desc, what);
    commands++;
  };
  const field = (i: number, v: number, addr: boolean): void => {
    predicted += emitDescField(a, P.descAt, i, v, addr);
  };
  // source of the im2col (encoded while gathered): the input itself, or for padded convolutions
  // a raw copy with a border of the zero point. (Encoding digit planes of the padded input once
  // and gathering them as plain copies was measured slower on ResNet-8: more loop overhead and
  // smaller bands.)
  const [pt, pl, pb, pr] = l.pads;
  const padded = conv && pt + pl + pb + pr > 0;
  const C = plan.channels;
  const H = conv ? x.shape[2]! : 0;
  const W = conv ? x.shape[3]! : 0;
  const staged = padded;
  const Hp = H + pt + pb;
  const Wp = W + pl + pr;
  const stagePlane = staged ? alignUp(C * Hp * Wp, 8) : 0;
  const r = xs.length;
  // strides (bytes) of the im2col source: channel (matmul: k), row, column
  const sChan = conv ? (staged ? Hp * Wp : xs[1]!) : xs[r - 1]!;
  const sRow = conv ? (staged ? Wp : xs[2]!) : xs[r - 2]!;
  const sCol = conv ? (staged ? 1 : xs[3]!) : 0;
  // band size: output rows whose encoded inputs and partial sums fit the scratch
  const outRows = l.outH;
  const base = alignUp(scratch.base + stagePlane, 8);
  const sizes = (rows: number): { groupStride: number; planeStride: number; outAt: number; outStride: number; end: number } => {
    const nv = rows * outW;
    const groupStride = alignUp(nv * Kg * db, 4);
    const planeStride = G * groupStride;
    const outAt = alignUp(base + planes * planeStride, 8);
    const outStride = nv * Nb0 * 4;
    return { groupStride, planeStride, outAt, outStride, end: outAt + G * planes * outStride };
  };
  const perRow = outW * (planes * G * Kg * db + G * planes * Nb0 * 4);
  let rows = Math.min(outRows, Math.floor((scratch.end - base) / perRow));
  while (rows > 0 && sizes(rows).end > scratch.end) rows--;
  if (rows <= 0) {
    d.error('out-of-memory', `${l.node}: ${plan.t.name} needs ${sizes(1).end - scratch.base} B of scratch in '${plan.t.actMemory!.target}' for the padded input, one output row's encoded input vectors and partial sums; ${Math.max(0, scratch.end - scratch.base)} B are free`, 'activation buffers are not reused with accelerator targets yet');
    return undefined;
  }
  const S = sizes(rows);
  if (y.buffer.bytes !== sizeOf(y.shape) * ey && o.skipFill !== true) predicted += emitFill(a, y.buffer.address, y.buffer.bytes, 1, y.fill, `border of '${y.name}' = ${y.fill}`);
  const resident = new Map<AimcTarget, number>();
  const tileOf = (b: AimcBlock): AimcTarget => plan.tiles[b.index % T]!;
  const used = new Set<string>();
  let band = 0;
  for (let bt = 0; bt < l.batch; bt++) {
    const src0 = conv ? x.address + bt * xs[0]! : x.address + (r > 2 ? l.inBatch[bt]! * xs[r - 3]! : 0);
    let src = src0;
    if (staged) {
      // raw copy with a border of the zero point (encoded with the interior by the im2col)
      predicted += emitFill(a, scratch.base, C * Hp * Wp, 1, l.inZeroPoint, `batch ${bt}: input with its border of ${l.inZeroPoint} (raw)`);
      predicted += emitCopy(a, src0, scratch.base + pt * Wp + pl, keep([{ count: C, src: xs[1]!, dst: Hp * Wp }, { count: H, src: xs[2]!, dst: Wp }, { count: W, src: xs[3]!, dst: 1 }]), 1);
      src = scratch.base;
    }
    for (let r0 = 0; r0 < outRows; r0 += rows) {
      o.bandStarts?.push(a.lines.length);
      const n = Math.min(rows, outRows - r0);
      const nv = n * outW;
      // im2col: vector (oh, ow), row (c, i, j) -> plane q, group g, vector v, row c' kh kw + i kw + j
      const vecLoops = (k: number): Loop[] => (conv
        ? [{ count: n, src: l.strides[0] * sRow, dst: outW * k * db }, { count: outW, src: l.strides[1] * sCol, dst: k * db }]
        : [{ count: n, src: sRow, dst: k * db }]);
      const tapLoops: Loop[] = conv ? [{ count: l.kh, src: l.dilations[0] * sRow, dst: l.kw * db }, { count: l.kw, src: l.dilations[1] * sCol, dst: db }] : [];
      const srcBand = src + r0 * (conv ? l.strides[0] * sRow : sRow);
      const full = Cl === Cg ? G : G - 1;
      a.comment(`batch ${bt}, output rows ${r0}..${r0 + n - 1}: ${nv} input vectors, ${planes} digit plane(s)`);
      const pre = (s0: number, d0: number, loops: Loop[]): void => {
        predicted += emitPrePass(a, { src: s0, dst: d0, inDtype: l.inDtype, off: plan.off, eb: db, sliceBits, planes, planeStride: S.planeStride, loops: keep(loops), unroll: true });
      };
      if (full > 0) pre(srcBand, base, [...vecLoops(Kg), { count: full, src: Cg * sChan, dst: S.groupStride }, { count: Cg, src: sChan, dst: taps * db }, ...tapLoops]);
      if (full < G) pre(srcBand + (G - 1) * Cg * sChan, base + (G - 1) * S.groupStride, [...vecLoops(Cl * taps), { count: Cl, src: sChan, dst: taps * db }, ...tapLoops]);
      const order = band % 2 === 0 ? blocks : [...blocks].reverse();
      band++;
      for (let i = 0; i < order.length; i++) {
        const b = order[i]!;
        const t = tileOf(b);
        used.add(t.name);
        if (resident.get(t) !== b.index) {
          cmd(t, 1, P.progAt![b.index]!, `PROGRAM block ${b.index} (row group ${b.g}, column block ${b.cb}: ${b.rows} x ${b.outputs}) on ${t.name}`);
          resident.set(t, b.index);
          programs++;
          programRows += b.rows;
        }
        for (let q = 0; q < planes; q++) {
          field(0, base + q * S.planeStride + b.g * S.groupStride, true);
          field(2, S.outAt + (b.g * planes + q) * S.outStride, true);
          field(3, nv, false);
          cmd(t, 2, P.descAt, `MVM x ${nv} vectors, block ${b.index}, digit plane ${q}`);
          mvms += nv;
        }
        const next = order[i + 1];
        if (next !== undefined && next.cb === b.cb) continue;
        // every row group of column block b.cb is done: add the partial sums, requantize
        const Nb = b.outputs;
        const loops: Loop[] = conv
          ? [{ count: n, src: outW * Nb * 4, dst: yRow }, { count: outW, src: Nb * 4, dst: yCol }, { count: Nb, src: 4, dst: yChan }]
          : [{ count: n, src: Nb * 4, dst: yRow }, { count: Nb, src: 4, dst: yChan }];
        predicted += emitPostPass(a, {
          src: S.outAt + (bp.diagonal ? b.g * planes * S.outStride : 0), dst: y.address + bt * yBatch + r0 * yRow + b.cb * Nb0 * yChan, loops, corr: P.corrAt + 4 * b.cb * Nb0,
          mult: P.multAt === undefined ? undefined : P.multAt + 4 * b.cb * Nb0,
          planes, sliceBits, planeStride: S.outStride, groups: bp.diagonal ? 1 : G, groupStride: planes * S.outStride, requant: l.requant, outDtype: l.outDtype,
        });
      }
    }
  }
  return { asm: `${a.lines.join('\n')}\n`, predicted, commands, folds: used.size, programs, programRows, mvms, tilesUsed: [...used] };
}

/**
 * Emits an ODiMO channel split (see ACCEL.md "Channel splits"): the AIMC part's code (its bands)
 * is interleaved with the PE-array part's so that both accelerators compute at once: per PE band,
 * the host encodes the band, issues the array's command without waiting, runs the AIMC bands of
 * the same share of the layer (pre-pass, MVMs, post-pass), then `acc.drain`s the array and runs
 * the PE post-pass. Both parts write the same output placement (AIMC from channel 0, the PE array
 * from channel `aimcChannels`); scratch is split between them when they share a memory.
 */
function emitSplitLayer(l: DotLayer, p: SplitPlan, Pa: Persistent, Pd: Persistent, prefix: string, lay: Layout, arena: (r: AddressRegion) => Arena, d: Diags): Emitted | undefined {
  const y = lay.placements.get(l.output)!;
  const ey = ACT_BYTES[y.dtype];
  const chanBytes = (l.op === 'conv' ? y.strides[1]! : y.strides[y.strides.length - 1]!) * ey;
  const yD: Placement = { ...y, address: y.address + p.aimcChannels * chanBytes };
  const rA = p.aimc.t.actMemory!;
  const rD = p.pe.t.actMemory!;
  const free = (r: AddressRegion): { base: number; end: number } => ({ base: alignUp(arena(r).next, 64), end: r.end });
  const N = l.channels;
  const na = p.aimcChannels;
  /** Both parts with the PE array's share `share` of a scratch area they share (else each its own). */
  const attempt = (share: number, ld: Diags): { ea: Emitted; ed: Emitted } | undefined => {
    let sA = free(rA);
    let sD = free(rD);
    if (rA.target === rD.target) {
      // one scratch area for both parts (they run at once): the PE array's band buffers first
      const mid = alignUp(sA.base + Math.floor((sA.end - sA.base) * share), 64);
      sD = { base: sA.base, end: mid };
      sA = { base: mid, end: sA.end };
    }
    const starts: number[] = [];
    const ea = emitAimcLayer(p.aimcLayer, p.aimc, Pa, { prefix: `${prefix}a`, bandStarts: starts, part: ` [split: output channels 0..${na - 1} of ${N}]` }, lay, sA, ld);
    if (ea === undefined) return undefined;
    const lines = ea.asm.replace(/\n$/, '').split('\n');
    const chunks = starts.map((st, k) => lines.slice(k === 0 ? 0 : st, starts[k + 1] ?? lines.length));
    const ed = emitLayer(p.peLayer, p.pe, Pd, {
      prefix: `${prefix}d`, y: yD, skipFill: true, part: ` [split: output channels ${na}..${N - 1} of ${N}, concurrently with ${p.aimc.t.name}]`,
      between: (band, bands) => {
        const k0 = Math.floor((band * chunks.length) / bands);
        const k1 = Math.floor(((band + 1) * chunks.length) / bands);
        return { lines: chunks.slice(k0, k1).flat(), predicted: 0 };
      },
    }, lay, sD, ld);
    return ed === undefined ? undefined : { ea, ed };
  };
  // half of the scratch each, else less for the PE array (its bands are small; AIMC bands hold
  // every row group's and digit plane's partial sums), else more
  let parts: { ea: Emitted; ed: Emitted } | undefined;
  let first: Diags | undefined;
  for (const share of [1 / 2, 1 / 4, 1 / 8, 1 / 16, 3 / 4]) {
    const ld = new Diags(d.file);
    parts = attempt(share, ld);
    if (parts !== undefined) break;
    first ??= ld;
  }
  if (parts === undefined) {
    d.list.push(...first!.list.map((x) => ({ ...x, message: `${x.message} (channel split: the two parts share the scratch)` })));
    return undefined;
  }
  const { ea, ed } = parts;
  // the output border (a padded output) once, before either part writes the interior
  const a = new Asm(`${prefix}f`);
  let fill = 0;
  if (y.buffer.bytes !== sizeOf(y.shape) * ey) fill = emitFill(a, y.buffer.address, y.buffer.bytes, 1, y.fill, `border of '${y.name}' = ${y.fill}`);
  const comment = `        # ---- accelerated layer: ${l.node} split (ODiMO, fraction ${p.fraction}): output channels 0..${na - 1} on ${p.aimc.t.name} (aimc-tile), ${na}..${N - 1} on ${p.t.name} (pe-array), run concurrently`;
  return {
    asm: `${[comment, ...a.lines].join('\n')}\n${ed.asm}`, predicted: fill + ea.predicted + ed.predicted, commands: ea.commands + ed.commands, folds: ed.folds,
    programs: ea.programs ?? 0, programRows: ea.programRows ?? 0, mvms: ea.mvms ?? 0, tilesUsed: ea.tilesUsed ?? [], parts: { aimc: ea, pe: ed },
  };
}

/** Copies elements of `eb` bytes through nested loops (a short innermost loop unrolled). */
function emitCopy(a: Asm, src: number, dst: number, loops: readonly Loop[], eb: 1 | 2): number {
  const last = loops[loops.length - 1]!;
  const unroll = loops.length > 1 && last.count <= 8 ? last : undefined;
  return emitLoops(a, src, dst, unroll === undefined ? loops : loops.slice(0, -1), () => {
    for (let k = 0; k < (unroll?.count ?? 1); k++) {
      a.mem(eb === 1 ? 'lb' : 'lh', 't0', 'a2', k * (unroll?.src ?? 0), 't2');
      a.mem(eb === 1 ? 'sb' : 'sh', 't0', 'a3', k * (unroll?.dst ?? 0), 't2');
    }
  }, () => undefined);
}

/** Drops loop levels that run once (the pointer arithmetic of the others is unchanged); keeps at least one. */
function keep(loops: readonly Loop[]): Loop[] {
  const k = loops.filter((l) => l.count !== 1);
  return k.length > 0 ? k : [loops[loops.length - 1]!];
}

function oom(d: Diags, l: DotLayer, plan: PePlan | AimcPlan, bytes: number, scratch: { base: number; end: number }): undefined {
  d.error('out-of-memory', `${l.node}: ${plan.t.name} needs ${bytes} B of scratch in '${plan.t.actMemory!.target}' for its encoded input and one band of results; ${Math.max(0, scratch.end - scratch.base)} B are free`, 'activation buffers are not reused with accelerator targets yet');
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Entry point

function fallBack(l: DotLayer, ld: Diags, forced: ReadonlySet<DotLayer>, d: Diags): Retry | undefined {
  if (!forced.has(l)) return { retry: l, why: ld.list.map((x) => x.message).join('; ') };
  d.list.push(...ld.list);
  return undefined;
}

const extensionsOf = (params: Readonly<Record<string, unknown>>): readonly string[] => {
  const e = params['extensions'];
  return Array.isArray(e) ? (e as string[]) : [];
};

/** Memories for `layout`: as `compile` (scratchpad on tcdm, first `memory`), else the first memory or scratchpad the cores reach. */
function memoriesFor(platform: PlatformGraph, cores: readonly string[], d: Diags): Memories | undefined {
  const m = findMemories(platform, cores, new Diags(d.file));
  if (m !== undefined) return m;
  const r = platform.addressMap.find((x) => ['memory', 'scratchpad'].includes(platform.instances[x.target]?.kind ?? ''));
  if (r === undefined) {
    d.error('no-memory', `platform '${platform.platform}' has no memory or scratchpad in its address map`);
    return undefined;
  }
  return { data: [r], code: r };
}

interface Pass {
  readonly asm: string;
  readonly lay: Layout;
  readonly images: DataImage[];
  readonly emitted: Map<DotLayer, Emitted>;
  readonly predicted: ReadonlyMap<Layer, number>;
  /** Every computed layer's code lines in `asm`, in program order (see `CodegenOutput.layerLines`). */
  readonly layerLines: readonly LayerLines[];
}

/** A default-mapped layer whose accelerator data do not fit: it goes back to the cores. */
interface Retry {
  readonly retry: DotLayer;
  readonly why: string;
}

function onePass(low: Lowered, coreLow: Lowered, plans: ReadonlyMap<DotLayer, Plan>, forced: ReadonlySet<DotLayer>, mem: Memories, codeBytes: number, hartIds: readonly number[], simd: boolean, d: Diags): Pass | Retry | undefined {
  // no buffer reuse: layout's lifetimes do not see the accelerated layers
  const lay = layout(coreLow, mem, codeBytes, d, simd, false);
  if (lay === undefined) return undefined;
  const gen = generate({ layers: coreLow.layers, addressing: lay.addressing, floats: lay.floats, placements: lay.placements, hartIds });
  const images: DataImage[] = [...lay.images];
  const arenas = new Map<string, Arena>();
  // the accelerator data go after everything layout placed (and the code) in their memory:
  // first the constants of every accelerated layer, then one scratch area all of them share
  const arena = (r: AddressRegion): Arena => {
    let ar = arenas.get(r.target);
    if (ar === undefined) {
      ar = new Arena(r, usedEnd(r, lay, codeBytes));
      arenas.set(r.target, ar);
    }
    return ar;
  };
  const accel: [DotLayer, Plan, Persistent, Persistent | undefined][] = [];
  for (const l of low.layers) {
    if (l.kind !== 'dot') continue;
    const p = plans.get(l);
    if (p === undefined) continue;
    const ld = new Diags(d.file);
    if (p.kind === 'split') {
      const Pa = persist(p.aimcLayer, p.aimc, arena, images, ld);
      const Pd = Pa === undefined ? undefined : persist(p.peLayer, p.pe, arena, images, ld);
      if (Pa === undefined || Pd === undefined) return fallBack(l, ld, forced, d);
      accel.push([l, p, Pa, Pd]);
      continue;
    }
    const P = persist(l, p, arena, images, ld);
    if (P === undefined) return fallBack(l, ld, forced, d);
    accel.push([l, p, P, undefined]);
  }
  const emitted = new Map<DotLayer, Emitted>();
  let index = 0;
  for (const [l, p, P, Pd] of accel) {
    const ld = new Diags(d.file);
    const prefix = `acc${index++}`;
    let e: Emitted | undefined;
    if (p.kind === 'split') e = emitSplitLayer(l, p, P, Pd!, prefix, lay, arena, ld);
    else {
      const ar = arena(p.t.actMemory!);
      e = emitLayer(l, p, P, { prefix }, lay, { base: alignUp(ar.next, 64), end: ar.region.end }, ld);
    }
    if (e === undefined) return fallBack(l, ld, forced, d);
    emitted.set(l, e);
  }
  // splice: an accelerated layer goes before the next core layer's code (codegen marks each
  // core layer with a `# ---- layer i:` comment), or before the final `li a0, 0`
  const lines = gen.asm.split('\n');
  const markers: number[] = [];
  lines.forEach((s, i) => {
    if (/^\s*# ---- layer \d+:/.test(s)) markers.push(i);
  });
  let end = -1;
  for (let i = lines.length - 1; i >= 0; i--) {
    if (/^\s*li a0, 0\s*$/.test(lines[i]!)) {
      end = i;
      break;
    }
  }
  const coreDots = coreLow.layers.filter((l) => l.kind !== 'alias');
  if (markers.length !== coreDots.length || end < 0) {
    d.error('internal-codegen', `cannot place accelerator code between the core layers (found ${markers.length} layer markers for ${coreDots.length} core layers)`, 'this is a compiler bug; please report it with the model');
    return undefined;
  }
  const inserts = new Map<number, string[]>();
  const insertNodes = new Map<number, string[]>();
  let coreSeen = 0;
  const pending: string[] = [];
  const pendingNodes: string[] = [];
  for (const l of low.layers) {
    if (l.kind === 'alias') continue;
    const e = l.kind === 'dot' ? emitted.get(l) : undefined;
    if (e !== undefined) {
      pending.push(e.asm);
      pendingNodes.push(l.node);
    } else {
      if (pending.length > 0) {
        inserts.set(markers[coreSeen]!, pending.splice(0));
        insertNodes.set(markers[coreSeen]!, pendingNodes.splice(0));
      }
      coreSeen++;
    }
  }
  if (pending.length > 0) {
    inserts.set(end, pending.splice(0));
    insertNodes.set(end, pendingNodes.splice(0));
  }
  const out: string[] = [];
  // line bookkeeping for the layers' code ranges: where each old line and each insert landed
  const pos: number[] = [];
  const before: number[] = [];
  const blocks = new Map<number, { node: string; start: number; end: number }[]>();
  let line = 0;
  lines.forEach((s, i) => {
    const ins = inserts.get(i);
    before[i] = line;
    if (ins !== undefined) {
      const nodes = insertNodes.get(i)!;
      const bl: { node: string; start: number; end: number }[] = [];
      ins.forEach((x, k) => {
        const text = x.replace(/\n$/, '');
        const n = text.split('\n').length;
        bl.push({ node: nodes[k]!, start: line, end: line + n });
        line += n;
        out.push(text);
      });
      blocks.set(i, bl);
    }
    pos[i] = line;
    out.push(s);
    line++;
  });
  // core layers keep their lines; accelerated code spliced inside a core layer (at its marker,
  // after its prologue) takes that prologue: the core layer then starts at its marker
  const layerLines: LayerLines[] = [];
  gen.layerLines.forEach((r, k) => {
    const m = markers[k]!;
    const bl = blocks.get(m);
    if (bl !== undefined) {
      bl[0] = { ...bl[0]!, start: Math.min(bl[0]!.start, before[r.start]!) };
      layerLines.push(...bl);
    }
    layerLines.push({ node: r.node, start: bl !== undefined ? pos[m]! : pos[r.start]!, end: before[r.end]! });
  });
  layerLines.push(...(blocks.get(end) ?? []));
  layerLines.sort((a, b) => a.start - b.start);
  return { asm: out.join('\n'), lay, images, emitted, predicted: gen.predicted, layerLines };
}

/**
 * The plan of a split layer (`AccelCompileOptions.splits`): the first round(f N) output channels on
 * the AIMC tiles (blocks round robin over the tiles configured like the first), the others on the
 * PE array; a fraction that rounds to 0 or N channels is the whole layer on one of them. Errors
 * (naming the node, the part and the fix) when a part cannot be placed; an inexact AIMC part is an
 * `aimc-inexact` warning, as a forced tile.
 */
function splitPlan(l: DotLayer, f: number, pe: PeArrayTarget, tiles: readonly AimcTarget[], minRows: number, d: Diags): { plan: Plan; reason: string } | undefined {
  const N = l.channels;
  const na = Math.round(f * N);
  const t = tiles[0]!;
  const same = tiles.filter((x) => JSON.stringify(x.params) === JSON.stringify(t.params) && x.actMemory?.target === t.actMemory?.target);
  const fix = `give the layer another fraction (0 = all on ${pe.name}, 1 = all on ${t.name}), or remove it from splits (default choice / targets)`;
  if (l.op === 'conv' && l.groups !== 1 && na > 0 && na < N) {
    d.error('split-unplaceable', `${l.node} cannot be split: a grouped convolution (group ${l.groups}) runs on PE arrays only as group 1`, fix);
    return undefined;
  }
  const what = `split ${f}: round(${f} x ${N}) = ${na} output channel(s)`;
  let aimc: AimcPlan | undefined;
  let dig: PePlan | undefined;
  const aimcLayer = na === N ? l : sliceChannels(l, 0, na);
  const peLayer = na === 0 ? l : sliceChannels(l, na, N);
  if (na > 0) {
    const p = aimcCheck(aimcLayer, t, same, minRows);
    if (typeof p === 'string') {
      d.error('split-unplaceable', `${l.node}: the AIMC part of the split (output channels 0..${na - 1} of ${N}) cannot run on ${t.name}: ${p}`, fix);
      return undefined;
    }
    if (!p.plan.exact) {
      d.list.push({ severity: 'warning', code: 'aimc-inexact', message: `${l.node} (split, output channels 0..${na - 1}) on ${t.name}: the ADC range does not cover every column value (per-plane ranges ${p.plan.unitRanges.map((r) => `[${r.min}, ${r.max}]`).join(', ')}); accumulators may differ from the exact ones by up to ${p.plan.errorBound}`, file: d.file, line: 1, column: 1, hint: 'results saturate as the tile model computes them; give the AIMC part fewer channels or weights with smaller column sums for an exact result' });
    }
    aimc = p;
  }
  if (na < N) {
    const p = peCheck(peLayer, pe);
    if (typeof p === 'string') {
      d.error('split-unplaceable', `${l.node}: the PE-array part of the split (output channels ${na}..${N - 1} of ${N}) cannot run on ${pe.name}: ${p}`, fix);
      return undefined;
    }
    dig = p;
  }
  if (aimc === undefined) return { plan: dig!, reason: `${what} on ${t.name}: all on ${pe.name}` };
  if (dig === undefined) return { plan: aimc, reason: `${what} on ${t.name}: all on ${t.name}` };
  const b = aimc.plan;
  return {
    plan: { kind: 'split', t: pe, fraction: f, aimcChannels: na, aimc, aimcLayer, pe: dig, peLayer },
    reason: `${what} on ${t.name} (${b.blocks} block(s), ${b.rowsPerMvm} rows per MVM, ${b.planes} digit plane(s)${b.exact ? '' : `, inexact: error bound ${b.errorBound}`}), ${N - na} on ${pe.name}, concurrently`,
  };
}

function aimcReport(p: AimcPlan, e: Emitted): AccelAimcReport {
  const b = p.plan;
  const programs = e.programs ?? 0;
  return {
    sliceBits: b.sliceBits, planes: b.planes, inputOffset: p.off, unitRanges: b.unitRanges,
    rowGroups: b.rowGroups, rowsPerMvm: b.rowsPerMvm, lastRows: b.lastRows, activeRowBound: b.rowGroups > b.minRowGroups,
    colBlocks: b.colBlocks, outputsPerBlock: b.outputsPerBlock, blocks: b.blocks, diagonal: b.diagonal, tiles: e.tilesUsed ?? [],
    mvms: e.mvms ?? 0, programs, reprogrammings: programs - (e.tilesUsed ?? []).length, programRows: e.programRows ?? 0,
    programCycles: (e.programRows ?? 0) * p.t.params.rowWriteCycles,
  };
}

/**
 * Compiles a quantized network for a platform's host core and its accelerators: each dot layer
 * goes to AIMC tiles when they support it and a plan (row groups, column blocks, digit planes) is
 * exact, else to a PE array
 * that supports its types, else to the cores (`opts.targets` forces a target per node name;
 * `opts.splits` divides a layer's output channels between the AIMC tiles and a PE array, both
 * computing at once: ACCEL.md "Channel splits").
 * Alias layers and core layers are compiled as {@link compile} does. Runs with `runCompiled`.
 * Accelerated layers need a single compiled core (default: the first core that reaches an
 * accelerator); with several cores the default keeps every layer on the cores and a forced
 * accelerator is an `accel-multicore` error. Pure: no files, no clock; every problem is a diagnostic.
 */
export function compileForAccelerators(graph: NnGraph, platform: PlatformGraph, opts: AccelCompileOptions = {}): CompileResult<AccelCompiled> {
  const d = new Diags(graph.name === '' ? '<model>' : graph.name);
  const host = hostCore(platform);
  const allCores = Object.values(platform.instances).filter((i) => i.kind === 'core').map((i) => i.name);
  const cores = opts.cores ?? (host !== undefined ? [host] : allCores);
  for (const c of cores) {
    if (platform.instances[c]?.kind !== 'core') d.error('unknown-core', `'${c}' is not a core of platform '${platform.platform}'`, `cores: ${allCores.join(', ')}`);
  }
  if (new Set(cores).size !== cores.length) d.error('duplicate-core', `the core list ${cores.join(', ')} names a core twice`);
  if (cores.length === 0) d.error('no-cores', `platform '${platform.platform}' has no core to compile for`);
  if (d.failed) return { value: undefined, diagnostics: d.list };
  const low = lower(graph, opts.constants);
  d.list.push(...low.diagnostics);
  if (d.failed || low.value === undefined) return { value: undefined, diagnostics: d.list };
  const lowered = low.value;
  const accels = acceleratorsOf(platform, cores[0]!);
  const names = new Map(graph.nodes.map((n) => [describeNode(n), n.name]));
  const known = new Set(graph.nodes.map((n) => n.name));
  for (const [k, v] of opts.targets ?? new Map<string, string>()) {
    if (!known.has(k)) d.error('unknown-node', `targets names node '${k}', which the graph does not have`);
    if (v !== 'cores' && !accels.some((a) => a.name === v)) d.error('unknown-target', `node '${k}' is forced to '${v}', which is neither 'cores' nor an accelerator core '${cores[0]!}' commands`, `accelerators: ${accels.map((a) => a.name).join(', ') || 'none'}`);
  }
  const peArrays = accels.filter((a): a is PeArrayTarget => a.kind === 'pe-array');
  const aimcTiles = accels.filter((a): a is AimcTarget => a.kind === 'aimc-tile');
  for (const [k, f] of opts.splits ?? new Map<string, number>()) {
    if (!known.has(k)) d.error('unknown-node', `splits names node '${k}', which the graph does not have`);
    if (!Number.isFinite(f) || f < 0 || f > 1) d.error('split-fraction', `node '${k}': split fraction ${f} is outside [0, 1] (the fraction of output channels on the AIMC tiles)`, 'give a fraction in [0, 1]: 0 = all on the PE array, 1 = all on the AIMC tiles');
    if (opts.targets?.has(k) === true) d.error('split-conflict', `node '${k}' is both split (fraction ${f}) and forced to '${opts.targets.get(k)!}'`, 'remove the node from targets or from splits');
    if (peArrays.length === 0 || aimcTiles.length === 0) {
      d.error('split-platform', `node '${k}' is split between a PE array and AIMC tiles, but core '${cores[0]!}' of platform '${platform.platform}' commands ${peArrays.length === 0 ? 'no PE array' : ''}${peArrays.length === 0 && aimcTiles.length === 0 ? ' and ' : ''}${aimcTiles.length === 0 ? 'no AIMC tile' : ''} (accelerators: ${accels.map((a) => `${a.name} (${a.kind})`).join(', ') || 'none'})`, 'split layers on a platform with both (e.g. diana-like), or map the layer with targets');
    }
  }
  if (d.failed) return { value: undefined, diagnostics: d.list };

  // Target choice
  const minRows = opts.aimcMinRowsPerMvm ?? AIMC_DEFAULT_MIN_ROWS_PER_MVM;
  const plans = new Map<DotLayer, Plan>();
  const reasons = new Map<DotLayer, string>();
  let nextTile = 0;
  const tiles = accels.filter((a): a is AimcTarget => a.kind === 'aimc-tile');
  const used = new Set<string>();
  const forcedSet = new Set<DotLayer>();
  const splitUsed = new Set<string>();
  for (const l of lowered.layers) {
    if (l.kind !== 'dot') continue;
    const name = l.graphNode ?? names.get(l.node) ?? '';
    const frac = opts.splits?.get(name);
    if (frac !== undefined) {
      splitUsed.add(name);
      const p = splitPlan(l, frac, peArrays[0]!, aimcTiles, minRows, d);
      if (p !== undefined) {
        plans.set(l, p.plan);
        reasons.set(l, p.reason);
        forcedSet.add(l);
      }
      continue;
    }
    const forced = opts.targets?.get(name);
    if (forced !== undefined) used.add(name);
    if (forced === 'cores') {
      reasons.set(l, 'forced to the cores');
      continue;
    }
    if (forced !== undefined) {
      const t = accels.find((a) => a.name === forced)!;
      const p = check(l, t, minRows);
      if (typeof p === 'string') {
        d.error('unsupported-target', `${l.node} is forced to ${t.name} (${t.kind}), which cannot run it: ${p}`, 'force it to cores or to another accelerator');
        continue;
      }
      if (p.kind === 'aimc-tile' && !p.plan.exact) {
        d.list.push({ severity: 'warning', code: 'aimc-inexact', message: `${l.node} on ${t.name}: the ADC range does not cover every column value (per-plane ranges ${p.plan.unitRanges.map((r) => `[${r.min}, ${r.max}]`).join(', ')}); accumulators may differ from the exact ones by up to ${p.plan.errorBound}`, file: d.file, line: 1, column: 1, hint: 'results saturate as the tile model computes them; leave the layer to the default choice for an exact result' });
      }
      plans.set(l, p);
      reasons.set(l, 'forced');
      forcedSet.add(l);
      continue;
    }
    if (cores.length > 1) {
      reasons.set(l, `cores (accelerators are used when compiling for one core; compiling for ${cores.length})`);
      continue;
    }
    // default: an exact AIMC tile (round robin), else a PE array, else the cores
    const why: string[] = [];
    let chosen: Plan | undefined;
    for (let i = 0; i < tiles.length && chosen === undefined; i++) {
      // blocks round robin over the tiles configured as this one, starting with it
      const rot = tiles.map((_, k) => tiles[(nextTile + i + k) % tiles.length]!);
      const t = rot[0]!;
      const same = rot.filter((x) => JSON.stringify(x.params) === JSON.stringify(t.params) && x.actMemory?.target === t.actMemory?.target);
      const p = aimcCheck(l, t, same, minRows);
      if (typeof p === 'string') why.push(`${t.name}: ${p}`);
      else if (!p.plan.exact) why.push(`${t.name}: not exact (error bound ${p.plan.errorBound}; no exact plan drives >= ${Math.min(K_OF(l), minRows)} rows per MVM)`);
      else {
        chosen = p;
        nextTile = (tiles.indexOf(t) + p.plan.blocks) % tiles.length;
      }
    }
    for (const t of accels) {
      if (chosen !== undefined || t.kind !== 'pe-array') continue;
      const p = check(l, t, minRows);
      if (typeof p === 'string') why.push(`${t.name}: ${p}`);
      else chosen = p;
    }
    if (chosen !== undefined) {
      plans.set(l, chosen);
      if (chosen.kind === 'aimc-tile') {
        const b = chosen.plan;
        const n = b.blocks;
        reasons.set(l, `default: exact on ${chosen.tiles.slice(0, Math.min(n, chosen.tiles.length)).map((t) => t.name).join(', ')} (${n === 1 ? '1 block' : b.diagonal ? `${n} diagonal blocks of whole convolution groups` : `${n} blocks: ${b.rowGroups} row group(s) x ${b.colBlocks} column block(s)`}, ${b.rowsPerMvm} rows per MVM${b.rowGroups > b.minRowGroups ? ' (active-row bound)' : ''}, ${b.planes} digit plane(s))`);
      } else reasons.set(l, `default: ${chosen.t.name} supports it`);
    } else reasons.set(l, why.length === 0 ? 'no accelerator' : `cores (${why.join('; ')})`);
  }
  for (const [k, v] of opts.targets ?? new Map<string, string>()) {
    if (!used.has(k)) d.list.push({ severity: 'warning', code: 'target-unused', message: `node '${k}' is mapped to '${v}', but it is not a matrix product (Conv, MatMul, Gemm and their integer forms) the compiler places: the entry has no effect`, file: d.file, line: 1, column: 1, hint: 'map the Conv/MatMul/Gemm nodes; element-wise layers run on the cores' });
  }
  for (const [k, f] of opts.splits ?? new Map<string, number>()) {
    if (!splitUsed.has(k)) d.error('split-not-dot', `node '${k}' is split (fraction ${f}), but it is not a matrix product (Conv, MatMul, Gemm and their integer forms) the compiler places`, 'split ConvInteger / QLinearConv / MatMulInteger / QLinearMatMul nodes (or their QDQ / QONNX forms); remove the entry');
  }
  if (plans.size > 0 && cores.length > 1) d.error('accel-multicore', `accelerated layers are compiled for one core; got ${cores.length} (${cores.join(', ')})`, `compile with cores: ['${cores[0]!}']`);

  // Capabilities
  const dots = lowered.layers.filter((l): l is DotLayer => l.kind === 'dot');
  const mem = memoriesFor(platform, cores, d);
  if (d.failed || mem === undefined) return { value: undefined, diagnostics: d.list };
  const hartIds = cores.map((c) => Number(platform.instances[c]!.params['hartId'] ?? 0));
  const simd = opts.simd !== false && cores.every((c) => extensionsOf(platform.instances[c]!.params).includes('Xesimd'));

  // Size the code and place it (the code's size is planned with the largest size seen and
  // padded with nops, in case a layout decision depends on the room the code leaves); a
  // default-mapped layer whose accelerator data do not fit goes back to the cores.
  let coreLow: Lowered;
  let pass: Pass | undefined;
  let codeBytes = 0;
  for (;;) {
    coreLow = { ...lowered, layers: lowered.layers.filter((l) => l.kind !== 'dot' || !plans.has(l)) };
    codeBytes = 0;
    let retry: Retry | undefined;
    pass = undefined;
    for (let i = 0; i < 8; i++) {
      const r = onePass(lowered, coreLow, plans, forcedSet, mem, codeBytes, hartIds, simd, new Diags(d.file));
      if (r !== undefined && 'retry' in r) {
        retry = r;
        break;
      }
      const size = r === undefined ? codeBytes : 4 * assemble(r.asm).words.length;
      if (r === undefined || size <= codeBytes) break;
      codeBytes = size;
    }
    if (retry === undefined) break;
    const t = plans.get(retry.retry)!.t.name;
    plans.delete(retry.retry);
    reasons.set(retry.retry, `cores (${t}: ${retry.why.replace(/^node '[^']*' \([^)]*\): /, '')})`);
  }
  const coreDots = coreLow.layers.filter((l) => l.kind !== 'alias');
  const needs: { ext: string; why: string }[] = [];
  const rq = dots.find((l) => l.requant !== undefined);
  const fl = lowered.layers.find((l) => l.kind === 'float');
  if (rq !== undefined) needs.push({ ext: 'F', why: `${rq.node} requantizes in float32 as onnxruntime (fcvt.s.w, fmul.s, fcvt.w.s)${plans.has(rq) ? ' after the accelerator' : ''}` });
  else if (fl !== undefined) needs.push({ ext: 'F', why: `${fl.node} (${fl.opType}) computes in float32 as onnxruntime` });
  if (plans.size > 0) needs.push({ ext: 'Xeacc', why: 'accelerators are commanded with acc.cmd / acc.wait' });
  if (cores.length > 1 && coreDots.length > 1 && plans.size === 0) needs.push({ ext: 'Xesync', why: 'layers are separated by barriers (sync.bar)' });
  for (const c of cores) {
    const ext = extensionsOf(platform.instances[c]!.params);
    for (const n of needs) {
      if (!ext.includes(n.ext)) d.error('missing-extension', `core '${c}' lacks the ${n.ext} extension, which the program needs: ${n.why}`, `add ${n.ext} to the core's extensions param (extensions: [${[...ext, n.ext].join(', ')}])`);
    }
  }
  if (d.failed) return { value: undefined, diagnostics: d.list };
  const final = onePass(lowered, coreLow, plans, forcedSet, mem, codeBytes, hartIds, simd, d);
  if (final !== undefined && 'retry' in final) d.error('internal-codegen', `${final.retry.node}: the memory plan changed between the sizing and the final pass (${final.why})`, 'this is a compiler bug; please report it with the model');
  if (d.failed || final === undefined || 'retry' in final) return { value: undefined, diagnostics: d.list };
  pass = final;
  const hostParams = platform.instances[cores[0]!]!.params;
  const cycles = generate({ layers: coreLow.layers, addressing: final.lay.addressing, floats: final.lay.floats, placements: final.lay.placements, hartIds, costs: cycleCostsOf(hostParams) }).predicted;
  const periodOf = (inst: string): number => platform.clocks[platform.instances[inst]?.clock ?? '']?.periodPs ?? 0;
  const hostPeriod = periodOf(cores[0]!);
  /** Accelerator cycles of `inst` in host cycles (same cycles when a clock is unknown). */
  const inHost = (accelCycles: number, inst: string): number => (hostPeriod > 0 && periodOf(inst) > 0 ? Math.ceil((accelCycles * periodOf(inst)) / hostPeriod) : accelCycles);
  const asm0 = assemble(pass.asm, { origin: pass.lay.codeOrigin });
  const pad = asm0.ok ? codeBytes / 4 - asm0.words.length : 0;
  if (pad > 0) pass = { ...pass, asm: `${pass.asm}\n${'        nop\n'.repeat(pad)}` };
  const asm = pad > 0 ? assemble(pass.asm, { origin: pass.lay.codeOrigin }) : asm0;
  if (!asm.ok || 4 * asm.words.length !== codeBytes) {
    d.error('internal-codegen', `the generated program does not assemble (${asm.diagnostics.map((x) => `line ${x.line}: ${x.message}`).join('; ') || `size ${4 * asm.words.length} B, planned ${codeBytes} B`})`, 'this is a compiler bug; please report it with the model');
    return { value: undefined, diagnostics: d.list };
  }

  const lay = pass.lay;
  const bytes = (p: Placement): number => p.shape.reduce((a, b) => a * b, 1) * ACT_BYTES[p.dtype];
  const layers: LayerReport[] = [];
  const mapping: AccelMapping[] = [];
  for (const l of lowered.layers) {
    const x = lay.placements.get(l.kind === 'float' ? l.inputs[0]! : l.input)!;
    const y = lay.placements.get(l.output)!;
    if (l.kind === 'alias') {
      layers.push({ node: l.node, opType: l.opType, target: 'alias', cores: 0, macs: 0, weightBytes: 0, inputBytes: bytes(x), outputBytes: 0, memories: undefined, predictedInstructions: 0, predictedCycles: 0 });
      mapping.push({ node: l.node, opType: l.opType, target: 'alias', kind: 'alias', reason: 'no code: the output aliases the input', macs: 0, commands: 0, folds: 0, exact: true, errorBound: 0, aimc: undefined, split: undefined, predictedInstructions: 0, predictedCycles: 0 });
      continue;
    }
    if (l.kind === 'float') {
      const F = lay.floats.get(l)!;
      const pi = pass.predicted.get(l) ?? 0;
      const pc = cycles.get(l) ?? 0;
      layers.push({
        node: l.node, opType: l.opType, target: 'cores', cores: cores.length, macs: 0, weightBytes: 0,
        inputBytes: l.inputs.reduce((s, t) => s + bytes(lay.placements.get(t)!), 0), outputBytes: bytes(y), memories: F.memories, predictedInstructions: pi, predictedCycles: pc,
      });
      mapping.push({ node: l.node, opType: l.opType, target: 'cores', kind: 'cores', reason: 'float layers run on the cores', macs: 0, commands: 0, folds: 0, exact: true, errorBound: 0, aimc: undefined, split: undefined, predictedInstructions: pi, predictedCycles: pc });
      continue;
    }
    const p = plans.get(l);
    if (p === undefined) {
      const A = lay.addressing.get(l)!;
      const pi = pass.predicted.get(l) ?? 0;
      const pc = cycles.get(l) ?? 0;
      layers.push({
        node: l.node, opType: l.opType, target: 'cores', cores: Math.min(cores.length, l.channels), macs: l.macs,
        weightBytes: l.weights.length * l.weightBytes + 4 * l.channels * (l.requant === undefined ? 1 : 2),
        inputBytes: bytes(x), outputBytes: bytes(y), memories: A.memories, predictedInstructions: pi, predictedCycles: pc,
      });
      mapping.push({ node: l.node, opType: l.opType, target: 'cores', kind: 'cores', reason: reasons.get(l) ?? '', macs: l.macs, commands: 0, folds: 0, exact: true, errorBound: 0, aimc: undefined, split: undefined, predictedInstructions: pi, predictedCycles: pc });
      continue;
    }
    const e = pass.emitted.get(l)!;
    if (p.kind === 'split') {
      const ea = e.parts!.aimc;
      const ed = e.parts!.pe;
      const A = aimcReport(p.aimc, ea);
      const peCycles = inHost(ed.folds * (2 * p.t.rows + p.t.cols + K_OF(l) - 2), p.t.name);
      const part = (kind: 'pe-array' | 'aimc-tile', sl: DotLayer, first: number, x: Emitted, target: string): AccelSplitPart => ({
        target, kind, firstChannel: first, channels: sl.channels, macs: sl.macs, commands: x.commands, folds: x.folds,
        exact: kind === 'pe-array' || p.aimc.plan.exact, errorBound: kind === 'pe-array' ? 0 : p.aimc.plan.errorBound, predictedInstructions: x.predicted,
      });
      mapping.push({
        node: l.node, opType: l.opType, target: `${p.t.name}+${p.aimc.t.name}`, kind: 'split', reason: reasons.get(l) ?? '', macs: l.macs, commands: e.commands, folds: e.folds,
        exact: p.aimc.plan.exact, errorBound: p.aimc.plan.errorBound, aimc: A,
        split: { fraction: p.fraction, aimc: part('aimc-tile', p.aimcLayer, 0, ea, p.aimc.t.name), digital: part('pe-array', p.peLayer, p.aimcChannels, ed, p.t.name) },
        predictedInstructions: e.predicted,
        // the PE array computes while the host runs the AIMC part: only its excess over that part's host work counts
        predictedCycles: e.predicted + inHost(A.programCycles, p.aimc.t.name) + Math.max(0, peCycles - ea.predicted),
      });
      continue;
    }
    const A = p.kind === 'aimc-tile' ? aimcReport(p, e) : undefined;
    const re = A !== undefined && A.reprogrammings > 0 ? `; ${A.blocks} blocks on ${A.tiles.length} tile(s): ${A.reprogrammings} reprogramming(s), ${A.programs} PROGRAMs writing ${A.programRows} rows (${A.programCycles} tile cycles) per inference` : '';
    mapping.push({
      node: l.node, opType: l.opType, target: p.t.name, kind: p.kind, reason: `${reasons.get(l) ?? ''}${re}`, macs: l.macs, commands: e.commands, folds: e.folds,
      exact: p.kind === 'pe-array' || p.plan.exact, errorBound: p.kind === 'pe-array' ? 0 : p.plan.errorBound,
      aimc: A, split: undefined,
      predictedInstructions: e.predicted,
      predictedCycles: e.predicted + inHost(p.kind === 'pe-array' ? e.folds * (2 * p.t.rows + p.t.cols + K_OF(l) - 2) : (A?.programCycles ?? 0), p.t.name),
    });
  }
  const extensions = [...new Set([...needs.map((n) => n.ext), ...([...lay.addressing.values()].some((x) => x.simd) ? ['Xesimd'] : [])])];
  const value: AccelCompiled = {
    graph: graph.name, platform: platform.platform, cores: [...cores],
    program: { asm: pass.asm, origin: lay.codeOrigin, words: asm.words, memory: lay.codeMemory },
    images: pass.images, inputs: lowered.inputs.map((n) => lay.placements.get(n)!), outputs: lowered.outputs.map((n) => lay.placements.get(n)!),
    tensors: [...lay.placements.values()], reuse: false, layers, extensions, mapping,
    layerCode: layerCodeRanges(pass.layerLines, asm),
  };
  return { value, diagnostics: d.list as Diagnostic[] };
}
