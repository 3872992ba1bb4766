/**
 * Code generation: one assembly program (src/isa syntax) that every chosen core runs. Core h of
 * P computes output channels h, h + P, ... of each layer; `sync.bar zero` separates layers.
 *
 * Registers (whole program): a0 = hartId and a1 = P as at entry (a0 is set to h before each
 * float-kernels.ts kernel, whose `harts` split reads a0/a1; the final `li a0, 0`), s0 = core index h. Per layer: s2 channel m, s3 channel count, s4 weight row,
 * s5 output pointer, s6 input row base, s7 input pixel base, s8 accumulator start (bias),
 * s9/s10 row/column counters, s11/s1 clamp bounds minus the output zero point, t5/t6 reduction
 * row/channel advances (t6: the 0x80808080 mask in packed uint8 layers), ft1 the channel's
 * multiplier. Every layer sets what it uses, so code that keeps s0-s11, a0 and a1 (e.g. other
 * kernels) can run between layers. Reduction:
 * a2 input tap pointer, a3 weight pointer, a4/a5/a7 counters, a6 accumulator, t0-t4 scratch.
 * Packed convolutions (im2col + pv.mac.b, output rows split across cores) have their own
 * allocation: see {@link emitConvSimd}.
 * No stack, no calls; addresses are absolute (`la`, always two words, so the code size does
 * not depend on where the data go).
 */
import type { DotAddressing, FloatAddressing } from './layout.js';
import { ACT_BYTES, type DotLayer, type FloatLayer, type Layer, type LayerCode, type Placement, type TensorQuant } from './ir.js';
import { type FloatKernel, averagePool, globalAveragePool, softmax } from './float-kernels.js';
import { Asm, type CycleCosts } from './asm-builder.js';
import { emitChain } from './qonnx-codegen.js';


/** Inputs of {@link generate}. */
export interface CodegenInput {
  readonly layers: readonly Layer[];
  readonly addressing: ReadonlyMap<DotLayer, DotAddressing>;
  readonly floats: ReadonlyMap<FloatLayer, FloatAddressing>;
  readonly placements: ReadonlyMap<string, Placement>;
  /** hartId of core index 0, 1, ... */
  readonly hartIds: readonly number[];
  /** Count static cycles instead of instructions in `predicted` (see {@link Asm}). */
  readonly costs?: CycleCosts;
}

/** Output of {@link generate}. */
export interface CodegenOutput {
  readonly asm: string;
  /** Instructions executed by core index 0 (the busiest) per computed layer (float layers: an estimate). */
  readonly predicted: ReadonlyMap<DotLayer | FloatLayer, number>;
  /**
   * Each computed layer's code as 0-based line indices `[start, end)` of `asm`, in program order.
   * Contiguous except for the barrier (`sync.bar`) that starts each layer after the first on
   * several cores, which belongs to no layer: a layer starts after it, the previous one ends at
   * it (so the wait for a prefetched DMA stage before the barrier ends the previous layer).
   */
  readonly layerLines: readonly LayerLines[];
}

/** A layer's code as line indices `[start, end)` of an assembly text (see {@link layerCodeRanges}). */
export interface LayerLines {
  readonly node: string;
  readonly start: number;
  readonly end: number;
}


/**
 * Line ranges to addresses: `words` and `lines` as `assemble` returns them (each word's 1-based
 * source line), `origin` the address of the first word. A range's start is the first word at or
 * after its start line, its end the first word at or after its end line.
 */
export function layerCodeRanges(ranges: readonly LayerLines[], asm: { readonly lines: readonly number[]; readonly origin: number }): LayerCode[] {
  const addr = (line: number): number => {
    // first word whose 0-based line is >= line (lines are ascending)
    let lo = 0;
    let hi = asm.lines.length;
    while (lo < hi) {
      const m = (lo + hi) >> 1;
      if (asm.lines[m]! - 1 < line) lo = m + 1;
      else hi = m;
    }
    return (asm.origin + 4 * lo) >>> 0;
  };
  return ranges.map((r) => ({ node: r.node, start: addr(r.start), end: addr(r.end) }));
}

/** How the taps of one kernel row are emitted. */
interface RowPlan {
  readonly unrolled: boolean;
  /** Taps per loop iteration (= kw when unrolled). */
  readonly u: number;
  /** How far a2 has moved after the row. */
  readonly xAdvance: number;
}

function rowPlan(l: DotLayer, A: DotAddressing): RowPlan {
  const wb = l.weightBytes;
  const xTap = A.xTap;
  if (A.simd) {
    // 4 taps per word: unrolled up to 16 words, else a loop of 4, 2 or 1 words
    const words = l.kw / 4;
    if (words <= 16) return { unrolled: true, u: l.kw, xAdvance: 0 };
    const u = 4 * [4, 2, 1].find((c) => words % c === 0)!;
    return { unrolled: false, u, xAdvance: l.kw };
  }
  if (l.kw <= 32 && (l.kw - 1) * xTap <= 2047 && (l.kw - 1) * wb <= 2047) return { unrolled: true, u: l.kw, xAdvance: 0 };
  const u = [8, 4, 2, 1].find((c) => l.kw % c === 0 && (c - 1) * xTap <= 2047)!;
  return { unrolled: false, u, xAdvance: l.kw * xTap };
}

/**
 * `count` taps (a multiple of 4) as packed words with `pv.mac.b` (Xesimd: four signed int8
 * products per instruction), two words at a time. uint8 inputs are made signed with an xor by
 * 0x80808080 (t6); layout added the 128 * sum(w) this removes to the channel's bias.
 */
function emitSimdTaps(a: Asm, l: DotLayer, count: number): void {
  const words = count / 4;
  const u8 = l.inDtype === 'uint8';
  for (let w = 0; w < words; w += 2) {
    const pair = w + 1 < words;
    a.ins(`lw t0, ${4 * w}(a2)`);
    a.ins(`lw t1, ${4 * w}(a3)`);
    if (pair) {
      a.ins(`lw t2, ${4 * (w + 1)}(a2)`);
      a.ins(`lw t3, ${4 * (w + 1)}(a3)`);
    }
    if (u8) a.ins('xor t0, t0, t6');
    if (u8 && pair) a.ins('xor t2, t2, t6');
    a.ins('pv.mac.b a6, t0, t1');
    if (pair) a.ins('pv.mac.b a6, t2, t3');
  }
}

/** `count` taps at offsets 0.. (x stride xTap, weights stride wb), two at a time to hide the load-use stall. */
function emitTaps(a: Asm, l: DotLayer, count: number, xTap: number): void {
  const lx = l.inDtype === 'uint8' ? 'lbu' : 'lb';
  const lw = l.weightBytes === 1 ? 'lb' : 'lh';
  const wb = l.weightBytes;
  for (let t = 0; t < count; t += 2) {
    const pair = t + 1 < count;
    a.ins(`${lx} t0, ${t * xTap}(a2)`);
    a.ins(`${lw} t1, ${t * wb}(a3)`);
    if (pair) {
      a.ins(`${lx} t2, ${(t + 1) * xTap}(a2)`);
      a.ins(`${lw} t3, ${(t + 1) * wb}(a3)`);
    }
    a.ins('mul t0, t0, t1');
    if (pair) a.ins('mul t2, t2, t3');
    a.ins('add a6, a6, t0');
    if (pair) a.ins('add a6, a6, t2');
  }
}

/**
 * Requantization of the accumulator a6 to the output's 8 bits, stored at s5: float32 multiply
 * by the channel multiplier ft1 and round half to even, as onnxruntime (`requantFloat32`):
 * `fcvt.s.w` (int32 -> float32, rne), `fmul.s` (rne), `fcvt.w.s` (rne, saturating), then the
 * clamp to [lo - zp, hi - zp] (before adding zp, so a saturated conversion cannot wrap) and + zp.
 * The one function that needs the F extension.
 */
function emitRequantStore(a: Asm, zeroPoint: number, out = 's5'): void {
  const over = a.fresh('rq_lo');
  const done = a.fresh('rq_hi');
  a.ins('fcvt.s.w ft0, a6, rne');
  a.ins('fmul.s ft0, ft0, ft1, rne');
  a.ins('fcvt.w.s t0, ft0, rne');
  a.ins(`bge t0, s11, ${over}`);
  a.ins('mv t0, s11');
  a.label(over);
  a.ins(`bge s1, t0, ${done}`);
  a.ins('mv t0, s1');
  a.label(done);
  a.addConst('t0', 't0', zeroPoint, 't1');
  a.ins(`sb t0, 0(${out})`);
}

/**
 * A matrix product whose batches are consecutive rows (A and Y row-major over the batch, one
 * weight set) is one batch of batch x M rows: less code, same arithmetic.
 */
function foldBatches(l: DotLayer, A: DotAddressing): DotLayer {
  if (l.op !== 'matmul' || l.batch === 1) return l;
  const ok = l.weightSet.every((w) => w === l.weightSet[0]) && l.inBatch.every((v, i) => v === i) && A.xBatch === l.outH * A.xRow && A.yBatch === l.outH * A.yRow;
  return ok ? { ...l, batch: 1, outH: l.batch * l.outH, inBatch: [0], weightSet: [l.weightSet[0]!] } : l;
}

function emitDot(a: Asm, layer: DotLayer, A: DotAddressing, cores: number, index: number): number {
  const l = foldBatches(layer, A);
  const K = l.inChannelsPerGroup * l.kh * l.kw;
  const plan = rowPlan(l, A);
  const Mg = l.channels / l.groups;
  a.comment(`---- layer ${index}: ${l.node}: ${l.channels} channels x ${l.outH}x${l.outW} pixels x ${K} taps, batch ${l.batch}`);
  a.li('s3', l.channels);
  const rowAdv = A.xKRow - plan.xAdvance;
  const chanAdv = A.xChan - (l.kh > 1 ? l.kh * A.xKRow : plan.xAdvance);
  if (l.kh > 1) a.li('t5', rowAdv);
  if (l.inChannelsPerGroup > 1) a.li('t6', chanAdv);
  if (A.simd && l.inDtype === 'uint8') a.li('t6', 0x80808080);
  if (l.requant !== undefined) {
    a.li('s11', l.requant.lo - l.requant.zeroPoint);
    a.li('s1', l.requant.hi - l.requant.zeroPoint);
  }
  let perChannel = 0;
  let batchOverhead = 0;
  for (let b = 0; b < l.batch; b++) {
    const L = a.fresh(`L${index}_b${b}`);
    a.ins('mv s2, s0');
    a.label(`${L}_ch`);
    const c0 = a.n;
    a.ins(`bge s2, s3, ${L}_end`);
    a.li('t0', K * l.weightBytes);
    a.ins('mul t0, s2, t0');
    a.la('s4', A.wBase + l.weightSet[b]! * l.channels * K * l.weightBytes);
    a.ins('add s4, s4, t0');
    a.ins('slli t1, s2, 2');
    a.la('t0', A.biasBase + 4 * l.weightSet[b]! * l.channels);
    a.ins('add t0, t0, t1');
    a.ins('lw s8, 0(t0)');
    if (l.requant !== undefined) {
      a.la('t0', A.multBase);
      a.ins('add t0, t0, t1');
      a.ins('flw ft1, 0(t0)');
    }
    a.li('t0', A.yChan);
    a.ins('mul t0, s2, t0');
    a.la('s5', A.yBase + b * A.yBatch);
    a.ins('add s5, s5, t0');
    a.la('s6', A.xBase + l.inBatch[b]! * A.xBatch);
    if (l.groups > 1) {
      if (Mg === 1) a.ins('mv t1, s2');
      else {
        a.li('t0', Mg);
        a.ins('divu t1, s2, t0');
      }
      a.li('t0', A.xGroup);
      a.ins('mul t0, t1, t0');
      a.ins('add s6, s6, t0');
    }
    a.li('s9', l.outH);
    const setup = a.n - c0;
    a.label(`${L}_oh`);
    const r0 = a.n;
    a.ins('mv s7, s6');
    a.li('s10', l.outW);
    a.label(`${L}_ow`);
    const p0 = a.n;
    a.ins('mv a6, s8');
    a.ins('mv a2, s7');
    a.ins('mv a3, s4');
    // reduction over input channels of the group (c), kernel rows (i), taps (j)
    const d0 = a.n;
    if (l.inChannelsPerGroup > 1) {
      a.li('a4', l.inChannelsPerGroup);
      a.label(`${L}_c`);
    }
    if (l.kh > 1) {
      a.li('a5', l.kh);
      a.label(`${L}_i`);
    }
    const t0n = a.n;
    let rowN: number;
    const taps = (count: number): void => (A.simd ? emitSimdTaps(a, l, count) : emitTaps(a, l, count, A.xTap));
    if (plan.unrolled) {
      taps(l.kw);
      a.ins(`addi a3, a3, ${l.kw * l.weightBytes}`);
      rowN = a.n - t0n;
    } else {
      a.li('a7', l.kw / plan.u);
      a.label(`${L}_t`);
      const b0 = a.n;
      taps(plan.u);
      a.addConst('a2', 'a2', plan.u * A.xTap, 't4');
      a.ins(`addi a3, a3, ${plan.u * l.weightBytes}`);
      a.ins('addi a7, a7, -1');
      a.ins(`bnez a7, ${L}_t`);
      rowN = 1 + (l.kw / plan.u) * (a.n - b0);
    }
    let inner = rowN;
    if (l.kh > 1) {
      a.ins('add a2, a2, t5');
      a.ins('addi a5, a5, -1');
      a.ins(`bnez a5, ${L}_i`);
      inner = 1 + l.kh * (rowN + 3);
    }
    let red = inner;
    if (l.inChannelsPerGroup > 1) {
      a.ins('add a2, a2, t6');
      a.ins('addi a4, a4, -1');
      a.ins(`bnez a4, ${L}_c`);
      red = 1 + l.inChannelsPerGroup * (inner + 3);
    }
    const s0n = a.n;
    if (l.requant === undefined) a.ins(`${l.outDtype === 'int32' ? 'sw' : 'sb'} a6, 0(s5)`);
    else emitRequantStore(a, l.requant.zeroPoint);
    a.addConst('s5', 's5', A.yCol, 't0');
    a.addConst('s7', 's7', A.xCol, 't0');
    a.ins('addi s10, s10, -1');
    a.ins(`bnez s10, ${L}_ow`);
    const pixel = 3 + red + (a.n - s0n) - (l.requant === undefined ? 0 : 2); // the clamp moves are usually skipped
    void d0;
    void p0;
    const q0 = a.n;
    a.addConst('s6', 's6', A.xRow, 't0');
    a.addConst('s5', 's5', A.yRow - l.outW * A.yCol, 't0');
    a.ins('addi s9, s9, -1');
    a.ins(`bnez s9, ${L}_oh`);
    const row = (p0 - r0) + l.outW * pixel + (a.n - q0);
    const e0 = a.n;
    a.ins('add s2, s2, a1');
    a.ins(`j ${L}_ch`);
    a.label(`${L}_end`);
    perChannel = setup + l.outH * row + (a.n - e0);
    batchOverhead += 2; // mv s2 and the final bge
  }
  const mine = Math.ceil(l.channels / cores);
  return 6 + batchOverhead + l.batch * mine * perChannel;
}

/** Words of a packed reduction unrolled whole (beyond: a loop of 16, 8, 4, 2 or 1 words). */
const SIMD_UNROLL_WORDS = 80;

/**
 * A packed convolution (im2col + `pv.mac.b`). Core h computes the output rows h, h + P, ... of
 * every batch, all channels: per output pixel and group it copies the group's taps (input
 * channel, kernel row, kernel column: the weights' order) into its im2col buffer (s9; uint8
 * inputs then xor'ed with 0x80808080 word by word), then runs every channel of the group over
 * the buffer, four taps per `pv.mac.b`, the weights (rows of kPad bytes, zero padded, s4) read
 * in order, two channels at a time (each column word loaded once for both: 2.5 instructions per
 * word and channel). The copy is shared by the group's channels, so it costs about 2
 * instructions per tap and pixel, not per MAC. Registers: s2 output row, s3 rows, s5 output
 * pixel, s7 input pixel, s6 second accumulator, s8 bias pointer, a4 multiplier pointer, a5 output channel pointer, a2 copy source, a3 copy
 * destination / buffer pointer, a7 channels left, t4 groups left, t5 loop counter, t6 the xor
 * mask, s10 columns left.
 */
function emitConvSimd(a: Asm, l: DotLayer, A: DotAddressing, P: number, index: number): number {
  const col = A.col!;
  const Cg = l.inChannelsPerGroup;
  const kk = l.kh * l.kw;
  const kPad = col.kPad;
  const words = kPad / 4;
  const Mg = l.channels / l.groups;
  const u8 = l.inDtype === 'uint8';
  const rq = l.requant;
  a.comment(`---- layer ${index}: ${l.node}: ${l.channels} channels x ${l.outH}x${l.outW} pixels x ${Cg * kk} taps (im2col ${kPad} B, pv.mac.b), batch ${l.batch}; core h: rows h, h + P, ...`);
  const h0 = a.n;
  a.la('s9', col.base);
  a.li('t0', col.stride);
  a.ins('mul t0, s0, t0');
  a.ins('add s9, s9, t0');
  if (u8) a.li('t6', 0x80808080);
  if (rq !== undefined) {
    a.li('s11', rq.lo - rq.zeroPoint);
    a.li('s1', rq.hi - rq.zeroPoint);
  }
  a.li('s3', l.outH);
  const head = a.n - h0;
  let total = head;
  const rowsOf0 = Math.ceil(l.outH / P);
  for (let b = 0; b < l.batch; b++) {
    const L = a.fresh(`V${index}_b${b}`);
    a.ins('mv s2, s0');
    a.label(`${L}_oh`);
    const r0 = a.n;
    a.ins(`bge s2, s3, ${L}_end`);
    a.li('t0', A.xRow);
    a.ins('mul t0, s2, t0');
    a.la('s7', A.xBase + l.inBatch[b]! * A.xBatch);
    a.ins('add s7, s7, t0');
    a.li('t0', A.yRow);
    a.ins('mul t0, s2, t0');
    a.la('s5', A.yBase + b * A.yBatch);
    a.ins('add s5, s5, t0');
    a.li('s10', l.outW);
    const rowHead = a.n - r0;
    a.label(`${L}_ow`);
    const p0 = a.n;
    a.la('s4', A.wBase);
    a.la('s8', A.biasBase);
    if (rq !== undefined) a.la('a4', A.multBase);
    a.ins('mv a5, s5');
    a.ins('mv a2, s7');
    if (l.groups > 1) a.li('t4', l.groups);
    const pixHead = a.n - p0;
    if (l.groups > 1) a.label(`${L}_g`);
    // im2col: Cg input channels x kh x kw taps, four loads then four stores (no load-use stall)
    const g0 = a.n;
    a.ins('mv a3, s9');
    if (Cg > 1) {
      a.li('t5', Cg);
      a.label(`${L}_c`);
    }
    const c0 = a.n;
    for (let t = 0; t < kk; t += 4) {
      const n = Math.min(4, kk - t);
      for (let q = 0; q < n; q++) {
        const i = Math.floor((t + q) / l.kw);
        const j = (t + q) % l.kw;
        a.ins(`lbu t${q}, ${i * A.xKRow + j * A.xTap}(a2)`);
      }
      for (let q = 0; q < n; q++) a.ins(`sb t${q}, ${t + q}(a3)`);
    }
    a.addConst('a2', 'a2', A.xChan, 't0');
    if (Cg > 1) {
      a.ins(`addi a3, a3, ${kk}`);
      a.ins('addi t5, t5, -1');
      a.ins(`bnez t5, ${L}_c`);
    }
    const chanCopy = a.n - c0;
    let copy = (c0 - g0) + (Cg > 1 ? Cg : 1) * chanCopy;
    if (u8) {
      const x0 = a.n;
      for (let w = 0; w < words; w += 4) {
        const n = Math.min(4, words - w);
        for (let q = 0; q < n; q++) a.ins(`lw t${q}, ${4 * (w + q)}(s9)`);
        for (let q = 0; q < n; q++) a.ins(`xor t${q}, t${q}, t6`);
        for (let q = 0; q < n; q++) a.ins(`sw t${q}, ${4 * (w + q)}(s9)`);
      }
      copy += a.n - x0;
    }
    // the group's channels over the column: two at a time (one column word for two weight rows,
    // accumulators a6 and s6), then the odd one
    let group = copy;
    const blocks: (readonly [1 | 2, number])[] = kPad <= 1980 ? [[2, Math.floor(Mg / 2)], [1, Mg % 2]] : [[1, Mg]];
    for (const [n, iters] of blocks) {
      if (iters === 0) continue;
      const ML = a.fresh(`${L}_m`);
      if (iters > 1) {
        const l0 = a.n;
        a.li('a7', iters);
        group += a.n - l0;
        a.label(ML);
      }
      const m0 = a.n;
      a.ins('lw a6, 0(s8)');
      if (n === 2) a.ins('lw s6, 4(s8)');
      const macs = (count: number, xr: string, wr: string): void => {
        if (n === 2) {
          for (let w = 0; w < count; w++) {
            a.ins(`lw t0, ${4 * w}(${xr})`);
            a.ins(`lw t1, ${4 * w}(${wr})`);
            a.ins(`lw t2, ${kPad + 4 * w}(${wr})`);
            a.ins('pv.mac.b a6, t0, t1');
            a.ins('pv.mac.b s6, t0, t2');
          }
          return;
        }
        for (let w = 0; w < count; w += 2) {
          const pair = w + 1 < count;
          a.ins(`lw t0, ${4 * w}(${xr})`);
          a.ins(`lw t1, ${4 * w}(${wr})`);
          if (pair) {
            a.ins(`lw t2, ${4 * (w + 1)}(${xr})`);
            a.ins(`lw t3, ${4 * (w + 1)}(${wr})`);
          }
          a.ins('pv.mac.b a6, t0, t1');
          if (pair) a.ins('pv.mac.b a6, t2, t3');
        }
      };
      let extra = 0; // dynamic minus static instructions of the reduction loop
      if (words <= SIMD_UNROLL_WORDS) {
        macs(words, 's9', 's4');
        a.ins(`addi s4, s4, ${n * kPad}`);
      } else {
        const u = [16, 8, 4, 2, 1].find((c) => words % c === 0)!;
        const KL = a.fresh(`${L}_k`);
        a.ins('mv a3, s9');
        a.li('t5', words / u);
        a.label(KL);
        const k0 = a.n;
        macs(u, 'a3', 's4');
        a.ins(`addi a3, a3, ${4 * u}`);
        a.ins(`addi s4, s4, ${4 * u}`);
        a.ins('addi t5, t5, -1');
        a.ins(`bnez t5, ${KL}`);
        extra = (words / u - 1) * (a.n - k0);
        if (n === 2) a.ins(`addi s4, s4, ${kPad}`);
      }
      for (let q = 0; q < n; q++) {
        if (q === 1) a.ins('mv a6, s6');
        if (rq === undefined) a.ins(`${l.outDtype === 'int32' ? 'sw' : 'sb'} a6, 0(a5)`);
        else {
          a.ins(`flw ft1, ${4 * q}(a4)`);
          emitRequantStore(a, rq.zeroPoint, 'a5');
        }
        a.addConst('a5', 'a5', A.yChan, 't0');
      }
      a.ins(`addi s8, s8, ${4 * n}`);
      if (rq !== undefined) a.ins(`addi a4, a4, ${4 * n}`);
      if (iters > 1) {
        a.ins('addi a7, a7, -1');
        a.ins(`bnez a7, ${ML}`);
      }
      // the clamp moves are usually skipped
      group += iters * (a.n - m0 + extra - (rq === undefined ? 0 : 2 * n));
    }
    if (l.groups > 1) {
      a.ins('addi t4, t4, -1');
      a.ins(`bnez t4, ${L}_g`);
      group += 2;
    }
    const t0n = a.n;
    a.addConst('s5', 's5', A.yCol, 't0');
    a.addConst('s7', 's7', A.xCol, 't0');
    a.ins('addi s10, s10, -1');
    a.ins(`bnez s10, ${L}_ow`);
    const pixel = pixHead + l.groups * group + (a.n - t0n);
    const e0 = a.n;
    a.ins('add s2, s2, a1');
    a.ins(`j ${L}_oh`);
    a.label(`${L}_end`);
    total += 1 + rowsOf0 * (rowHead + l.outW * pixel + (a.n - e0)) + 1;
  }
  return total;
}

/** Generates the program for the lowered layers. */
export function generate(g: CodegenInput): CodegenOutput {
  const a = new Asm('', g.costs);
  const P = g.hartIds.length;
  a.comment(`edgesim compiler: ${P} core(s); core h computes output channels h, h + P, ... of every layer`);
  a.label('_start');
  if (g.hartIds.every((h, i) => h === i)) a.ins('mv s0, a0');
  else {
    a.li('s0', 0x7fffffff);
    g.hartIds.forEach((h, i) => {
      const next = a.fresh('hart');
      a.li('t0', h);
      a.ins(`bne a0, t0, ${next}`);
      a.li('s0', i);
      a.label(next);
    });
  }
  const predicted = new Map<DotLayer | FloatLayer, number>();
  const layerStart0 = a.lines.length;
  const computed = g.layers.filter((l): l is DotLayer | FloatLayer => l.kind !== 'alias');
  // weights staged by DMA: started during the previous computed layer, awaited before its barrier
  const dmaStage = (i: number, prefetch: boolean): DmaStage | undefined => {
    const l = computed[i];
    const st = l?.kind === 'dot' ? g.addressing.get(l)?.stage : undefined;
    return st?.by === 'dma' && st.prefetch === prefetch ? st : undefined;
  };
  const layerLines: { node: string; start: number; end: number }[] = [];
  computed.forEach((l, i) => {
    if (dmaStage(i, true) !== undefined) emitDmaWait(a, P, i);
    // layer boundary: the previous layer ends at the barrier (or here), this one starts after it
    const prev = layerLines[layerLines.length - 1];
    if (prev !== undefined) prev.end = a.lines.length;
    if (i > 0 && P > 1) a.ins('sync.bar zero');
    layerLines.push({ node: l.node, start: i === 0 ? layerStart0 : a.lines.length, end: -1 });
    let prefetch = 0;
    const now = dmaStage(i, false);
    if (now !== undefined) {
      // nothing to overlap with: start, wait, and let every core see the weights
      prefetch += emitDmaStart(a, now, P, i) + emitDmaWait(a, P, i);
      if (P > 1) a.ins('sync.bar zero');
    }
    const next = dmaStage(i + 1, true);
    if (next !== undefined) prefetch += emitDmaStart(a, next, P, i + 1);
    const y = g.placements.get(l.output)!;
    if (isPadded(y)) emitBorderFill(a, y, i);
    if (l.kind === 'dot') {
      const A = g.addressing.get(l)!;
      let copy = prefetch;
      if (A.stage?.by === 'cores') copy += emitCopy(a, A.stage, P, i);
      predicted.set(l, copy + (A.col !== undefined ? emitConvSimd(a, l, A, P, i) : emitDot(a, l, A, P, i)));
    }
    else predicted.set(l, emitFloat(a, l, g.placements, g.floats.get(l)!, P, i));
  });
  const last = layerLines[layerLines.length - 1];
  if (last !== undefined) last.end = a.lines.length;
  a.ins('li a0, 0');
  a.ins('ecall');
  return { asm: `${a.lines.join('\n')}\n`, predicted, layerLines };
}

// ---------------------------------------------------------------- float-side layers

const f32bits = (v: number): number => {
  const b = new DataView(new ArrayBuffer(4));
  b.setFloat32(0, v, true);
  return b.getInt32(0, true);
};

const sizeOfShape = (s: readonly number[]): number => s.reduce((p, x) => p * x, 1);

/** Whether a placement's buffer is larger than its tensor (a padded convolution input). */
const isPadded = (p: Placement): boolean => p.buffer.bytes !== sizeOfShape(p.shape) * ACT_BYTES[p.dtype];

/** Core h's share `[t0, t1)` of `units` work units: `[floor(U*h/P), floor(U*(h+1)/P))`; branches to `skip` when empty. */
function emitSplit(a: Asm, units: number, skip: string): void {
  a.li('t2', units);
  a.ins('mul t0, t2, s0');
  a.ins('divu t0, t0, a1');
  a.ins('addi t1, s0, 1');
  a.ins('mul t1, t2, t1');
  a.ins('divu t1, t1, a1');
  a.ins(`bgeu t0, t1, ${skip}`);
}

/**
 * Fills the border of a padded buffer with its fill value (the reading convolution's input zero
 * point), planes split across the cores. Runs at the start of the layer that writes the tensor:
 * the buffer's memory may have held another tensor before (buffer reuse).
 */
function emitBorderFill(a: Asm, p: Placement, index: number): void {
  const [N, C, H, W] = p.shape as [number, number, number, number];
  const PW = p.strides[2]!;
  const PH = p.strides[1]! / PW;
  const off = p.address - p.buffer.address;
  const pt = Math.floor(off / PW);
  const pl = off % PW;
  const pb = PH - H - pt;
  const pr = PW - W - pl;
  const plane = PH * PW;
  const L = a.fresh(`F${index}`);
  a.comment(`border of '${p.name}' (pads ${pt},${pl},${pb},${pr}) = ${p.fill}`);
  emitSplit(a, N * C, `${L}_end`);
  a.li('t3', plane);
  a.ins('mul a2, t0, t3');
  a.ins('mul a4, t1, t3');
  a.la('t3', p.buffer.address);
  a.ins('add a2, a2, t3');
  a.ins('add a4, a4, t3');
  a.li('t4', p.fill);
  a.label(`${L}_p`);
  const run = (from: number, count: number, tag: string): void => {
    if (count === 0) return;
    a.addConst('a3', 'a2', from, 't3');
    a.addConst('a5', 'a3', count, 't3');
    a.label(`${L}_${tag}`);
    a.ins('sb t4, 0(a3)');
    a.ins('addi a3, a3, 1');
    a.ins(`bne a3, a5, ${L}_${tag}`);
  };
  run(0, pt * PW, 'top');
  if (pl + pr > 0) {
    a.addConst('a3', 'a2', pt * PW, 't3');
    a.li('a6', H);
    a.label(`${L}_mid`);
    for (let j = 0; j < pl; j++) a.ins(`sb t4, ${j}(a3)`);
    a.addConst('a7', 'a3', pl + W, 't3');
    for (let j = 0; j < pr; j++) a.ins(`sb t4, ${j}(a7)`);
    a.addConst('a3', 'a3', PW, 't3');
    a.ins('addi a6, a6, -1');
    a.ins(`bnez a6, ${L}_mid`);
  }
  run((pt + H) * PW, pb * PW, 'bot');
  a.addConst('a2', 'a2', plane, 't3');
  a.ins(`bne a2, a4, ${L}_p`);
  a.label(`${L}_end`);
}

/**
 * Copies a layer's weights from main memory into its scratchpad buffer, words split across the
 * cores, then waits for every core (the layer reads all of them). Returns the instructions of
 * core 0.
 */
function emitCopy(a: Asm, st: NonNullable<DotAddressing['stage']>, P: number, index: number): number {
  const L = a.fresh(`C${index}`);
  const words = st.bytes / 4;
  a.comment(`stage ${st.bytes} B of weights: ${st.from >>> 0} -> ${st.to >>> 0}`);
  emitSplit(a, words, `${L}_end`);
  a.ins('slli t0, t0, 2');
  a.ins('slli t1, t1, 2');
  a.la('t3', st.from);
  a.ins('add a2, t3, t0');
  a.ins('add a4, t3, t1');
  a.la('t3', st.to);
  a.ins('add a3, t3, t0');
  a.label(`${L}_w`);
  a.ins('lw t2, 0(a2)');
  a.ins('addi a2, a2, 4');
  a.ins('sw t2, 0(a3)');
  a.ins('addi a3, a3, 4');
  a.ins(`bne a2, a4, ${L}_w`);
  a.label(`${L}_end`);
  if (P > 1) a.ins('sync.bar zero');
  return 20 + 5 * Math.ceil(words / P);
}

type DmaStage = NonNullable<DotAddressing['stage']>;

/**
 * Core 0 starts the DMA transfers (at most `maxTransferBytes` each) that stage layer `index`'s
 * weights; the other cores skip. Uses t0-t2 only (layer boundaries keep nothing there). Returns
 * core 0's instructions.
 */
function emitDmaStart(a: Asm, st: DmaStage, P: number, index: number): number {
  const skip = a.fresh(`D${index}`);
  const n0 = a.n;
  a.comment(`DMA: stage ${st.bytes} B of weights for layer ${index}: ${st.from >>> 0} -> ${st.to >>> 0}`);
  if (P > 1) a.ins(`bnez s0, ${skip}`);
  const chunk = Math.floor(Math.max(4, st.maxTransferBytes) / 4) * 4;
  for (let off = 0; off < st.bytes; off += chunk) {
    a.la('t0', st.from + off);
    a.la('t1', st.to + off);
    a.ins('dma.addr t0, t1');
    a.li('t2', Math.min(chunk, st.bytes - off));
    a.ins('dma.1d t2, t2');
  }
  a.label(skip);
  return a.n - n0;
}

/** Core 0 waits for every DMA transfer it started (the staged weights of layer `index`). */
function emitDmaWait(a: Asm, P: number, index: number): number {
  const skip = a.fresh(`W${index}`);
  a.comment(`DMA: wait for the weights of layer ${index}`);
  if (P > 1) a.ins(`bnez s0, ${skip}`);
  a.ins('dma.waitall');
  a.label(skip);
  return P > 1 ? 2 : 1;
}

/** Planes x rows x columns of an element-wise operand, strides in bytes. */
interface Geometry {
  readonly U: number; readonly H: number; readonly W: number;
  readonly plane: number; readonly row: number; readonly col: number;
}

function geometry(p: Placement): Geometry {
  const eb = ACT_BYTES[p.dtype];
  const s = p.shape;
  const r = s.length;
  if (r === 0) return { U: 1, H: 1, W: 1, plane: 0, row: 0, col: eb };
  if (r === 1) return { U: 1, H: 1, W: s[0]!, plane: 0, row: 0, col: p.strides[0]! * eb };
  for (let k = 0; k + 3 < r; k++) if (p.strides[k] !== p.strides[k + 1]! * s[k + 1]!) throw new Error(`internal: outer dimensions of '${p.name}' are not contiguous`);
  return { U: sizeOfShape(s.slice(0, r - 2)), H: s[r - 2]!, W: s[r - 1]!, plane: r > 2 ? p.strides[r - 3]! * eb : 0, row: p.strides[r - 2]! * eb, col: p.strides[r - 1]! * eb };
}

/** The float-kernels.ts kernel of a pooling or softmax layer (undefined for element-wise layers). */
export function floatKernelOf(l: FloatLayer, placements: ReadonlyMap<string, Placement>, tableAddress: number): FloatKernel | undefined {
  const x = placements.get(l.inputs[0]!)!;
  const y = placements.get(l.output)!;
  const prefix = `K_${l.output.replace(/[^A-Za-z0-9_]/g, '_')}`;
  const split = { kind: 'harts' } as const;
  const shape4 = x.shape as [number, number, number, number];
  switch (l.op.type) {
    case 'averagePool':
      return averagePool({
        prefix, split, inAddr: x.address, outAddr: y.address, shape: shape4, kernel: l.op.kernel, strides: l.op.strides, pads: l.op.pads, autoPad: l.op.autoPad,
        ceilMode: l.op.ceilMode, countIncludePad: l.op.countIncludePad, tableAddress,
      });
    case 'globalAveragePool':
      return globalAveragePool({ prefix, split, inAddr: x.address, outAddr: y.address, shape: shape4 });
    case 'softmax':
      return softmax({ prefix, split, inAddr: x.address, outAddr: y.address, rows: l.op.rows, length: l.op.length, tableAddress });
    default:
      return undefined;
  }
}

/**
 * A float-side layer. Pooling and softmax are float-kernels.ts kernels (split by planes / rows
 * over `a0` = h, `a1` = P). Element-wise layers are loops over planes (split across cores), rows
 * and columns that follow each operand's strides, so they read and write padded buffers; their
 * arithmetic is the float-kernels.ts instruction sequence (bit-exact with the evaluator):
 * dequantize `sub, fcvt.s.w, fmul.s`; quantize `fdiv.s, fmax.s, fmin.s, fcvt.w.s, add`.
 * Registers: s2-s4 plane bases, s5-s7 row bases, s9 planes left, s10 rows left, a2/a5/a3
 * element pointers (a, b, out), a4 row end, t4/t5/t6 zero points, fa0-fa4 scales and bounds.
 */
function emitFloat(a: Asm, l: FloatLayer, placements: ReadonlyMap<string, Placement>, F: FloatAddressing, P: number, index: number): number {
  const op = l.op;
  if (op.type === 'chain') return emitChain(a, l, op, placements, F.tableAddress, P, index);
  if (op.type === 'maxPool') return emitMaxPool(a, l, op, placements, P, index);
  a.comment(`---- layer ${index}: ${l.node} (${l.opType})`);
  const k = floatKernelOf(l, placements, F.tableAddress);
  if (k !== undefined) {
    a.ins('mv a0, s0');
    for (const line of k.asm.trimEnd().split('\n')) a.lines.push(line);
    const x = placements.get(l.inputs[0]!)!;
    const per = Math.ceil(k.units / P);
    if (op.type === 'softmax') return 10 + per * (op.length * 34 + 40);
    if (op.type === 'globalAveragePool') return 10 + per * Math.ceil(sizeOfShape(x.shape.slice(2)) * 2.5 + 15);
    if (op.type === 'averagePool') {
      const y = placements.get(l.output)!;
      return 10 + per * sizeOfShape(y.shape.slice(2)) * (op.kernel[0] * op.kernel[1] * 4 + op.kernel[1] * 6 + 25);
    }
    return 0;
  }
  const ops = [...l.inputs, l.output].map((t) => placements.get(t)!);
  let gs = ops.map(geometry);
  // rows of every operand contiguous: one row per plane
  if (gs.every((g) => g.row === g.W * g.col)) gs = gs.map((g) => ({ ...g, H: 1, W: g.H * g.W, row: 0 }));
  const g0 = gs[0]!;
  const L = a.fresh(`E${index}`);
  const planeRegs = ['s2', 's3', 's4'];
  const rowRegs = ['s5', 's6', 's7'];
  const elemRegs = ops.length === 3 ? ['a2', 'a5', 'a3'] : ['a2', 'a3'];
  emitSplit(a, g0.U, `${L}_end`);
  a.ins('sub s9, t1, t0');
  ops.forEach((p, i) => {
    a.li('t3', gs[i]!.plane);
    a.ins('mul t3, t0, t3');
    a.la(planeRegs[i]!, p.address);
    a.ins(`add ${planeRegs[i]}, ${planeRegs[i]}, t3`);
  });
  const fconst = (reg: string, v: number): void => {
    a.li('t0', f32bits(v));
    a.ins(`fmv.w.x ${reg}, t0`);
  };
  // output saturation: the type's range, or a folded Clip's (TensorQuant.clamp)
  const lo = (q: TensorQuant): number => q.clamp?.[0] ?? (q.dtype === 'int8' ? -128 : 0);
  const hi = (q: TensorQuant): number => q.clamp?.[1] ?? (q.dtype === 'int8' ? 127 : 255);
  const ld = (q: { dtype: 'int8' | 'uint8' }): string => (q.dtype === 'int8' ? 'lb' : 'lbu');
  const body: string[] = [];
  switch (op.type) {
    case 'dequantize':
      fconst('fa0', op.q.scale);
      a.li('t4', op.q.zeroPoint);
      body.push(`${ld(op.q)} t0, 0(a2)`, 'sub t0, t0, t4', 'fcvt.s.w ft0, t0, rne', 'fmul.s ft0, ft0, fa0, rne', 'fsw ft0, 0(a3)');
      break;
    case 'quantize':
      fconst('fa2', op.q.scale);
      fconst('fa3', lo(op.q) - op.q.zeroPoint);
      fconst('fa4', hi(op.q) - op.q.zeroPoint);
      a.li('t6', op.q.zeroPoint);
      body.push('flw ft0, 0(a2)', 'fdiv.s ft0, ft0, fa2, rne', 'fmax.s ft0, ft0, fa3', 'fmin.s ft0, ft0, fa4', 'fcvt.w.s t0, ft0, rne', 'add t0, t0, t6', 'sb t0, 0(a3)');
      break;
    case 'binary':
      body.push('flw ft0, 0(a2)', 'flw ft1, 0(a5)', `f${op.op}.s ft0, ft0, ft1, rne`, 'fsw ft0, 0(a3)');
      break;
    case 'qdqBinary':
      fconst('fa0', op.a.scale);
      fconst('fa1', op.b.scale);
      fconst('fa2', op.out.scale);
      fconst('fa3', lo(op.out) - op.out.zeroPoint);
      fconst('fa4', hi(op.out) - op.out.zeroPoint);
      a.li('t4', op.a.zeroPoint);
      a.li('t5', op.b.zeroPoint);
      a.li('t6', op.out.zeroPoint);
      body.push(
        `${ld(op.a)} t0, 0(a2)`, `${ld(op.b)} t1, 0(a5)`, 'sub t0, t0, t4', 'sub t1, t1, t5',
        'fcvt.s.w ft0, t0, rne', 'fcvt.s.w ft1, t1, rne', 'fmul.s ft0, ft0, fa0, rne', 'fmul.s ft1, ft1, fa1, rne',
        `${op.op === 'add' ? 'fadd.s' : 'fmul.s'} ft0, ft0, ft1, rne`,
        'fdiv.s ft0, ft0, fa2, rne', 'fmax.s ft0, ft0, fa3', 'fmin.s ft0, ft0, fa4', 'fcvt.w.s t0, ft0, rne', 'add t0, t0, t6', 'sb t0, 0(a3)',
      );
      break;
    default:
      throw new Error(`internal: float op ${op.type} has no kernel`);
  }
  a.label(`${L}_pl`);
  ops.forEach((_, i) => a.ins(`mv ${rowRegs[i]}, ${planeRegs[i]}`));
  a.li('s10', g0.H);
  a.label(`${L}_row`);
  ops.forEach((_, i) => a.ins(`mv ${elemRegs[i]}, ${rowRegs[i]}`));
  a.addConst('a4', 'a2', g0.W * g0.col, 't3');
  a.label(`${L}_col`);
  for (const b of body) a.ins(b);
  ops.forEach((_, i) => a.addConst(elemRegs[i]!, elemRegs[i]!, gs[i]!.col, 't3'));
  a.ins(`bne a2, a4, ${L}_col`);
  ops.forEach((_, i) => a.addConst(rowRegs[i]!, rowRegs[i]!, gs[i]!.row, 't3'));
  a.ins('addi s10, s10, -1');
  a.ins(`bnez s10, ${L}_row`);
  ops.forEach((_, i) => a.addConst(planeRegs[i]!, planeRegs[i]!, gs[i]!.plane, 't3'));
  a.ins('addi s9, s9, -1');
  a.ins(`bnez s9, ${L}_pl`);
  a.label(`${L}_end`);
  const perElem = body.length + ops.length + 1;
  const perRow = ops.length + 3 + ops.length + 2;
  const perPlane = ops.length + 2 + ops.length + 2;
  return 20 + 5 * ops.length + Math.ceil(g0.U / P) * (perPlane + g0.H * (perRow + g0.W * perElem));
}

/**
 * 2-D MaxPool (NCHW, int8 / uint8 codes or float32): the N * C planes split across the cores
 * (`emitSplit`), input and output through their placements' strides (padded buffers allowed).
 * Per output element the window is clipped to the input at run time (`hs = max(h0, 0)`,
 * `he = min(h0 + kh, H)`, the same for columns: padding is never read, the -inf semantics), the
 * maximum starts at the type's minimum (float32: -inf) and takes an element when it is strictly
 * greater, as the evaluator (`v > m`; float32 with `flt.s`, so the first of equal zeros stays).
 * Lowering rejects windows with no input element. Registers: s2/s3 plane bases (x, y), s9 planes
 * left, s4 window top h0, s5 output row, s10 rows left, s6 first window row (pointer), s7 window
 * rows, s8 kw clip, a6 window left w0, a5 output element, a7 columns left, a2/a3 row / element
 * pointers, a4 rows left, t3 row end, t6 / ft2 the maximum, t4/t5 column bounds.
 */
function emitMaxPool(a: Asm, l: FloatLayer, op: Extract<FloatLayer['op'], { type: 'maxPool' }>, placements: ReadonlyMap<string, Placement>, P: number, index: number): number {
  const x = geometry(placements.get(l.inputs[0]!)!);
  const yp = placements.get(l.output)!;
  const y = geometry(yp);
  const H = x.H;
  const W = x.W;
  const OH = y.H;
  const OW = y.W;
  const [kh, kw] = op.kernel;
  const [sh, sw] = op.strides;
  const [pt, pl] = op.pads;
  const fl = op.dtype === 'float32';
  const L = a.fresh(`M${index}`);
  const nStart = a.n;
  a.comment(`---- layer ${index}: ${l.node} (${l.opType}): ${op.dtype} ${kh}x${kw} / ${sh}x${sw}, pads ${op.pads.join(',')}, ${x.U} planes of ${H}x${W} -> ${OH}x${OW}`);
  emitSplit(a, x.U, `${L}_end`);
  a.ins('sub s9, t1, t0');
  a.li('t3', x.plane);
  a.ins('mul t3, t0, t3');
  a.la('s2', placements.get(l.inputs[0]!)!.address);
  a.ins('add s2, s2, t3');
  a.li('t3', y.plane);
  a.ins('mul t3, t0, t3');
  a.la('s3', yp.address);
  a.ins('add s3, s3, t3');
  if (fl) {
    a.li('t0', -8388608);
    a.ins('fmv.w.x fa0, t0');
  }
  const init = op.dtype === 'int8' ? -128 : 0;
  const n0 = a.n;
  a.label(`${L}_pl`);
  a.li('s4', -pt);
  a.ins('mv s5, s3');
  a.li('s10', OH);
  const n1 = a.n;
  a.label(`${L}_row`);
  // window rows [max(h0, 0), min(h0 + kh, H))
  a.ins('mv t0, s4');
  a.ins(`bgez t0, ${L}_h0`);
  a.ins('mv t0, zero');
  a.label(`${L}_h0`);
  a.addConst('t1', 's4', kh, 't2');
  a.li('t2', H);
  a.ins(`blt t1, t2, ${L}_h1`);
  a.ins('mv t1, t2');
  a.label(`${L}_h1`);
  a.ins('sub s7, t1, t0');
  a.li('t2', x.row);
  a.ins('mul t0, t0, t2');
  a.ins('add s6, s2, t0');
  a.li('a6', -pl);
  a.ins('mv a5, s5');
  a.li('a7', OW);
  const n2 = a.n;
  a.label(`${L}_col`);
  // window columns [max(w0, 0), min(w0 + kw, W))
  a.ins('mv t4, a6');
  a.ins(`bgez t4, ${L}_w0`);
  a.ins('mv t4, zero');
  a.label(`${L}_w0`);
  a.addConst('t5', 'a6', kw, 't2');
  a.li('t2', W);
  a.ins(`blt t5, t2, ${L}_w1`);
  a.ins('mv t5, t2');
  a.label(`${L}_w1`);
  a.ins('sub t5, t5, t4');
  a.li('t2', x.col);
  a.ins('mul t4, t4, t2');
  a.ins('mul t5, t5, t2');
  a.ins('add a2, s6, t4');
  if (fl) a.ins('fmv.s ft2, fa0');
  else a.li('t6', init);
  a.ins('mv a4, s7');
  const n3 = a.n;
  a.label(`${L}_kr`);
  a.ins('mv a3, a2');
  a.ins('add t3, a2, t5');
  const n4 = a.n;
  a.label(`${L}_kc`);
  let upd: number;
  if (fl) {
    a.ins('flw ft0, 0(a3)');
    a.ins('flt.s t0, ft2, ft0');
    a.ins(`beqz t0, ${L}_ks`);
    upd = a.n;
    a.ins('fmv.s ft2, ft0');
  } else {
    a.ins(`${op.dtype === 'int8' ? 'lb' : 'lbu'} t0, 0(a3)`);
    a.ins(`bge t6, t0, ${L}_ks`);
    upd = a.n;
    a.ins('mv t6, t0');
  }
  upd = a.n - upd;
  a.label(`${L}_ks`);
  a.addConst('a3', 'a3', x.col, 't2');
  a.ins(`bne a3, t3, ${L}_kc`);
  const n5 = a.n;
  a.addConst('a2', 'a2', x.row, 't2');
  a.ins('addi a4, a4, -1');
  a.ins(`bnez a4, ${L}_kr`);
  const n6 = a.n;
  a.ins(fl ? 'fsw ft2, 0(a5)' : 'sb t6, 0(a5)');
  a.addConst('a5', 'a5', y.col, 't2');
  a.addConst('a6', 'a6', sw, 't2');
  a.ins('addi a7, a7, -1');
  a.ins(`bnez a7, ${L}_col`);
  const n7 = a.n;
  a.addConst('s4', 's4', sh, 't2');
  a.addConst('s5', 's5', y.row, 't2');
  a.ins('addi s10, s10, -1');
  a.ins(`bnez s10, ${L}_row`);
  const n8 = a.n;
  a.addConst('s2', 's2', x.plane, 't2');
  a.addConst('s3', 's3', y.plane, 't2');
  a.ins('addi s9, s9, -1');
  a.ins(`bnez s9, ${L}_pl`);
  a.label(`${L}_end`);
  // trip counts: the clipped window rows summed over the output rows, columns likewise (a window
  // covers rows x columns, so sum over outputs of rows * cols = rowSum * colSum); the update of
  // the maximum (one instruction) is counted as skipped, the clamps of the window bounds as done
  const clipped = (O: number, s: number, p: number, k: number, size: number): number => {
    let t = 0;
    for (let o = 0; o < O; o++) t += Math.min(o * s - p + k, size) - Math.max(o * s - p, 0);
    return t;
  };
  const rowSum = clipped(OH, sh, pt, kh, H);
  const colSum = clipped(OW, sw, pl, kw, W);
  const elem = n5 - n4 - upd;
  const perPlane = (n1 - n0) + (a.n - n8) + OH * ((n2 - n1) + (n8 - n7)) + OH * OW * ((n3 - n2) + (n7 - n6)) + OW * rowSum * ((n4 - n3) + (n6 - n5)) + rowSum * colSum * elem;
  return n0 - nStart + Math.ceil(x.U / P) * perPlane;
}
