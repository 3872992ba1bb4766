/**
 * Float-side kernels of QOperator graphs as RV32IM + RV32F assembly text, bit-exact with the
 * reference evaluator (`src/nn/eval.ts`, onnxruntime's arithmetic): QuantizeLinear,
 * DequantizeLinear, element-wise Add and Mul, AveragePool, GlobalAveragePool, Softmax, the
 * float32 requantization of QLinearConv / QLinearMatMul accumulators (as a loop and as a
 * reusable register snippet), and the fused DequantizeLinear -> Add/Mul -> QuantizeLinear chain.
 *
 * Every generator takes compile-time constants (buffer addresses, shapes, scales, zero points)
 * and returns a {@link FloatKernel}: assembly text for `assemble` in `src/isa`, the constant
 * tables it reads as data images to place in memory before it runs, and the registers it
 * writes. The text has no entry label of its own and no `ret`: it starts at its first line and
 * falls through at its end, so kernels can be concatenated into one program (add `ecall` or a
 * barrier after it).
 *
 * Register convention (every kernel): reads `a0` (hart id) and `a1` (number of harts) only for
 * {@link WorkSplit} `harts`; writes integer `t0`-`t6`, `a2`-`a7` and float `ft0`-`ft11`,
 * `fa0`-`fa7` (the exact subset is {@link FloatKernel.clobbers}); never touches `a0`, `a1`,
 * `s0`-`s11`, `sp`, `ra`, `gp`, `tp` or `fs0`-`fs11`; no calls, no stack, no CSR writes
 * (every rounding is static: `rne`, so `frm` does not matter). Labels are `<prefix>_<name>`;
 * `prefix` must be unique within the program.
 *
 * Work split: each kernel has a number of work units (elements, planes or rows, see each
 * generator). A core handles the units `[start, end)`: fixed at compile time, or computed at run
 * time from `a0` = hart id and `a1` = hart count as `[floor(U*a0/a1), floor(U*(a0+1)/a1))`
 * (every unit exactly once over harts 0..a1-1; the product `U * a1` must stay below 2^32, checked
 * at compile time for up to 64 harts).
 *
 * Not covered: NaN inputs to QuantizeLinear / requantization (the kernels clamp NaN to the
 * low bound as onnxruntime's MLAS does on x86 and Arm, because `fmax.s` like `maxps`/`fmaxnm`
 * returns the number; the evaluator stores NaN as 0), NaN inputs to Softmax (the clamp to the
 * exp polynomial's lower range bound, `fmax.s`, turns NaN into that bound where the evaluator
 * propagates NaN to the whole row), and the bits of NaN
 * results (RISC-V NaNs are canonical 0x7fc00000; e.g. an AveragePool window entirely in padding
 * with count_include_pad = 0 computes 0 / 0). Refused at generation time (`SimError`):
 * broadcasting other than equal shapes for Add/Mul, non-2-D pooling (dilations are not
 * parameters), Softmax on an axis other than the last (pass rows and the last axis' length).
 */
import { SimError } from '../util/index.js';

/** One data image a kernel needs in memory before it runs. */
export interface KernelData {
  /** Byte address (4-aligned). */
  readonly address: number;
  readonly bytes: Uint8Array;
}

/** A generated kernel. */
export interface FloatKernel {
  /** Assembly text (see the module comment for the conventions). */
  readonly asm: string;
  /** Constant tables to write into memory (at the caller-given `tableAddress`). */
  readonly data: readonly KernelData[];
  /** Registers the kernel writes (ABI names). */
  readonly clobbers: readonly string[];
  /** Number of work units (what {@link WorkSplit} divides). */
  readonly units: number;
  /** What one unit is, e.g. `element`, `plane`, `row`. */
  readonly unit: string;
}

/**
 * Which work units a core handles: `all` (default), a fixed `[start, end)`, or `harts`: computed
 * from `a0` (hart id) and `a1` (number of harts) at run time.
 */
export type WorkSplit =
  | { readonly kind: 'all' }
  | { readonly kind: 'range'; readonly start: number; readonly end: number }
  | { readonly kind: 'harts' };

/** Integer element types of quantized tensors. */
export type QuantType = 'int8' | 'uint8';

/** Options every generator takes. */
export interface KernelCommon {
  /** Label prefix, unique within the program (letters, digits, `_`, `.`; not starting with a digit). */
  readonly prefix: string;
  /** Work split (default `all`). */
  readonly split?: WorkSplit;
}

/** Quantization parameters: one scale and zero point (per tensor) or one per channel of `axis`. */
export interface QuantParams {
  /** Scales (float32 values; rounded with `Math.fround`). Length 1 = per tensor. */
  readonly scales: readonly number[];
  /** Zero points, same length as `scales` (default all 0). */
  readonly zeroPoints?: readonly number[];
  /** The quantized type. */
  readonly dtype: QuantType;
  /** Channel axis for per-axis parameters (negative counts from the end; default 1, as ONNX). */
  readonly axis?: number;
}

const RANGE: Readonly<Record<QuantType | 'int32', readonly [number, number]>> = {
  int8: [-128, 127],
  uint8: [0, 255],
  int32: [-2147483648, 2147483647],
};

const INT_T = ['t0', 't1', 't2', 't3', 't4', 't5', 't6', 'a2', 'a3', 'a4', 'a5', 'a6', 'a7'] as const;

const fail = (code: string, msg: string): never => {
  throw new SimError(code, `float kernel: ${msg}`);
};

const f32bits = (v: number): number => {
  const b = new DataView(new ArrayBuffer(4));
  b.setFloat32(0, v, true);
  return b.getInt32(0, true);
};

/** Little-endian table of 32-bit words (float32 bits or integers). */
class Table {
  readonly words: number[] = [];
  f(v: number): this { this.words.push(f32bits(v)); return this; }
  i(v: number): this { this.words.push(v | 0); return this; }
  image(address: number): KernelData {
    const bytes = new Uint8Array(this.words.length * 4);
    const dv = new DataView(bytes.buffer);
    this.words.forEach((w, k) => dv.setInt32(k * 4, w, true));
    return { address, bytes };
  }
}

/** Assembly text builder with label prefixing. */
class Asm {
  readonly lines: string[] = [];
  readonly used = new Set<string>();
  readonly prefix: string;
  constructor(prefix: string) {
    this.prefix = prefix;
    if (!/^[A-Za-z_.][A-Za-z0-9_.]*$/.test(prefix)) fail('bad-prefix', `label prefix '${prefix}' must be letters, digits, '_' or '.', not starting with a digit`);
  }
  L(name: string): string { return `${this.prefix}_${name}`; }
  label(name: string): void { this.lines.push(`${this.L(name)}:`); }
  op(...ins: string[]): void {
    for (const i of ins) {
      this.lines.push(`  ${i}`);
      const mn = i.split(/\s/)[0] ?? '';
      const regs = i.replace(/^\S+\s*/, '').split(/[,()\s]+/);
      const dst = ['sb', 'sh', 'sw', 'fsw'].includes(mn) || mn.startsWith('b') || mn === 'j' ? undefined : regs[0];
      if (dst !== undefined && dst !== '' && dst !== 'zero') this.used.add(dst);
    }
  }
  comment(c: string): void { this.lines.push(`  # ${c}`); }
  /** rd = rs + imm for any 32-bit imm (uses `tmp` when it does not fit 12 bits). */
  addImm(rd: string, rs: string, imm: number, tmp: string): void {
    if (imm === 0) { if (rd !== rs) this.op(`mv ${rd}, ${rs}`); return; }
    if (imm >= -2048 && imm <= 2047) this.op(`addi ${rd}, ${rs}, ${imm}`);
    else this.op(`li ${tmp}, ${imm | 0}`, `add ${rd}, ${rs}, ${tmp}`);
  }
  /** rd = rs * k for a non-negative constant k (shift when k is a power of two; uses `tmp`). */
  mulImm(rd: string, rs: string, k: number, tmp: string): void {
    if (k === 0) this.op(`li ${rd}, 0`);
    else if (k === 1) { if (rd !== rs) this.op(`mv ${rd}, ${rs}`); } else if ((k & (k - 1)) === 0) this.op(`slli ${rd}, ${rs}, ${Math.log2(k)}`);
    else this.op(`li ${tmp}, ${k}`, `mul ${rd}, ${rs}, ${tmp}`);
  }
  /**
   * Unit range into `t0` (start) and `t1` (end), then branches to `done` when empty.
   */
  split(split: WorkSplit | undefined, units: number, done: string): void {
    const s = split ?? { kind: 'all' };
    if (s.kind === 'harts') {
      if (units * 64 >= 2 ** 32) fail('too-many-units', `${units} work units are too many for the hart split (units * harts must stay below 2^32)`);
      this.comment(`units [U*a0/a1, U*(a0+1)/a1) of U = ${units}`);
      this.op(`li t2, ${units}`, 'mul t0, t2, a0', 'divu t0, t0, a1', 'addi t1, a0, 1', 'mul t1, t2, t1', 'divu t1, t1, a1');
    } else {
      const [a, b] = s.kind === 'all' ? [0, units] : [s.start, s.end];
      if (!Number.isInteger(a) || !Number.isInteger(b) || a < 0 || b > units || a > b) fail('bad-split', `range [${a}, ${b}) is not inside [0, ${units})`);
      this.op(`li t0, ${a}`, `li t1, ${b}`);
    }
    this.op(`bgeu t0, t1, ${this.L(done)}`);
  }
  text(): string { return `${this.lines.join('\n')}\n`; }
  clobbers(): string[] {
    const order = [...INT_T, ...Array.from({ length: 12 }, (_, i) => `ft${i}`), ...Array.from({ length: 8 }, (_, i) => `fa${i}`)];
    for (const r of this.used) if (!order.includes(r)) fail('internal', `kernel writes ${r}, outside the convention`);
    return order.filter((r) => this.used.has(r));
  }
}

const checkAddr = (what: string, a: number, align: number): void => {
  if (!Number.isInteger(a) || a < 0 || a >= 2 ** 32 || a % align !== 0) fail('bad-address', `${what} address ${a} must be a ${align}-aligned 32-bit address`);
};

const product = (s: readonly number[]): number => s.reduce((p, d) => p * d, 1);

const checkShape = (what: string, s: readonly number[]): number => {
  if (s.some((d) => !Number.isInteger(d) || d < 1)) fail('bad-shape', `${what} shape [${s.join(',')}] must have positive integer dimensions`);
  return product(s);
};

/** Per-axis layout as the evaluator's `axisLayout`: element k uses channel `floor(k / inner) % count`. */
function axisLayout(shape: readonly number[], count: number, axisAttr: number | undefined): { inner: number; count: number } {
  if (count === 1) return { inner: 1, count: 1 };
  const ax = axisAttr ?? 1;
  const axis = ax < 0 ? ax + shape.length : ax;
  if (shape[axis] !== count) fail('shape-mismatch', `${count} per-axis parameters for axis ${ax} of shape [${shape.join(',')}]`);
  return { inner: product(shape.slice(axis + 1)), count };
}

interface PerAxisLoop {
  readonly prefix: string;
  readonly split: WorkSplit | undefined;
  readonly total: number;
  readonly inner: number;
  readonly count: number;
  readonly inAddr: number;
  readonly inSize: 1 | 4;
  readonly outAddr: number;
  readonly outSize: 1 | 4;
  readonly table: Table;
  readonly tableAddress: number;
  /** Words per channel in `table`. */
  readonly entryWords: number;
  /** Loads a channel's parameters from the entry at `a5`. */
  readonly setup: (a: Asm) => void;
  /** One element: input at `0(a2)`, output at `0(a3)`; may use a7, t6 (set by setup), ft0-ft3, fa0-fa3. */
  readonly body: (a: Asm) => void;
}

/**
 * The element loop shared by (de)quantization and requantization: runs over elements in
 * blocks of constant channel parameters. Registers: a2 input cursor, a3 output cursor, a4 input
 * end, a5 current table entry, t4 elements left in the current block, t5 block end.
 */
function perAxisLoop(p: PerAxisLoop): Asm {
  const a = new Asm(p.prefix);
  checkAddr('input', p.inAddr, p.inSize);
  checkAddr('output', p.outAddr, p.outSize);
  checkAddr('table', p.tableAddress, 4);
  const entry = p.entryWords * 4;
  a.split(p.split, p.total, 'done');
  if (p.count > 1) {
    a.comment(`channel c = (start / ${p.inner}) % ${p.count}, ${p.inner} - start % ${p.inner} elements left in its block`);
    a.op(`li t2, ${p.inner}`, 'divu t3, t0, t2', 'remu t4, t0, t2', 'sub t4, t2, t4', `li t2, ${p.count}`, 'remu t3, t3, t2');
    a.mulImm('t3', 't3', entry, 't2');
    a.op(`li a5, ${p.tableAddress}`, 'add a5, a5, t3');
  } else {
    a.op(`li a5, ${p.tableAddress}`);
  }
  a.op(`li t2, ${p.inAddr}`);
  a.mulImm('t3', 't0', p.inSize, 't5');
  a.op('add a2, t2, t3');
  a.mulImm('t3', 't1', p.inSize, 't5');
  a.op('add a4, t2, t3');
  a.op(`li t2, ${p.outAddr}`);
  a.mulImm('t3', 't0', p.outSize, 't5');
  a.op('add a3, t2, t3');
  if (p.count > 1) {
    a.label('block');
    p.setup(a);
    a.comment('block end = min(a2 + left * size, a4)');
    a.mulImm('t5', 't4', p.inSize, 't3');
    a.op('add t5, a2, t5', `bleu t5, a4, ${a.L('min')}`, 'mv t5, a4');
    a.label('min');
  } else {
    p.setup(a);
    a.op('mv t5, a4');
  }
  a.label('loop');
  p.body(a);
  a.op(`addi a2, a2, ${p.inSize}`, `addi a3, a3, ${p.outSize}`, `bne a2, t5, ${a.L('loop')}`);
  if (p.count > 1) {
    a.op(`beq a2, a4, ${a.L('done')}`, `addi a5, a5, ${entry}`, `li t3, ${p.tableAddress + p.count * entry}`, `bne a5, t3, ${a.L('next')}`, `li a5, ${p.tableAddress}`);
    a.label('next');
    a.op(`li t4, ${p.inner}`, `j ${a.L('block')}`);
  }
  a.label('done');
  return a;
}

/** Options of {@link quantizeLinear}. */
export interface QuantizeOptions extends KernelCommon {
  /** float32 input, C order. */
  readonly inAddr: number;
  /** int8/uint8 output, C order. */
  readonly outAddr: number;
  readonly shape: readonly number[];
  readonly quant: QuantParams;
  /** Where the constant table goes (4-aligned; 16 bytes per channel). */
  readonly tableAddress: number;
}

function quantTable(q: QuantParams, kind: 'q' | 'rq' | 'dq', dtype: QuantType | 'int32' = q.dtype): Table {
  const zps = q.zeroPoints ?? q.scales.map(() => 0);
  if (zps.length !== q.scales.length || q.scales.length === 0) fail('bad-quant', `${q.scales.length} scales and ${zps.length} zero points`);
  const [lo, hi] = RANGE[dtype];
  const t = new Table();
  q.scales.forEach((s, c) => {
    const z = zps[c]!;
    if (!Number.isInteger(z) || z < lo || z > hi) fail('bad-quant', `zero point ${z} is not a ${dtype}`);
    if (kind === 'dq') t.f(s).i(z);
    else t.f(s).f(lo - z).f(hi - z).i(z);
  });
  return t;
}

/**
 * QuantizeLinear, float32 to int8/uint8: `clamp(rne(f32(x / scale)) + zp)`, a true float32
 * division as onnxruntime (the clamp is done in float against `lo - zp` and `hi - zp` before
 * the conversion, which gives the same integers and cannot overflow). Work unit: element.
 * Per element: `flw, fdiv.s, fmax.s, fmin.s, fcvt.w.s, add, sb` plus 3 loop instructions.
 */
export function quantizeLinear(o: QuantizeOptions): FloatKernel {
  const total = checkShape('input', o.shape);
  const { inner, count } = axisLayout(o.shape, o.quant.scales.length, o.quant.axis);
  const table = quantTable(o.quant, 'q');
  const a = perAxisLoop({
    prefix: o.prefix, split: o.split, total, inner, count, inAddr: o.inAddr, inSize: 4, outAddr: o.outAddr, outSize: 1, table, tableAddress: o.tableAddress, entryWords: 4,
    setup: (k) => k.op('flw fa0, 0(a5)', 'flw fa1, 4(a5)', 'flw fa2, 8(a5)', 'lw t6, 12(a5)'),
    body: (k) => k.op('flw ft0, 0(a2)', 'fdiv.s ft0, ft0, fa0, rne', 'fmax.s ft0, ft0, fa1', 'fmin.s ft0, ft0, fa2', 'fcvt.w.s a7, ft0, rne', 'add a7, a7, t6', 'sb a7, 0(a3)'),
  });
  return { asm: a.text(), data: [table.image(o.tableAddress)], clobbers: a.clobbers(), units: total, unit: 'element' };
}

/** Options of {@link dequantizeLinear}. */
export interface DequantizeOptions extends KernelCommon {
  /** int8/uint8 (or int32 when `inType` says so) input, C order. */
  readonly inAddr: number;
  /** float32 output, C order. */
  readonly outAddr: number;
  readonly shape: readonly number[];
  readonly quant: QuantParams;
  /** Input element type when it is int32 (bias dequantization); default `quant.dtype`. */
  readonly inType?: QuantType | 'int32';
  /** Where the constant table goes (4-aligned; 8 bytes per channel). */
  readonly tableAddress: number;
}

/**
 * DequantizeLinear to float32: `f32(f32(x - zp) * scale)`. Work unit: element. Per element:
 * `lb/lbu/lw, sub, fcvt.s.w, fmul.s, fsw` plus 3 loop instructions. For int32 input the
 * difference `x - zp` must fit in int32 (it wraps otherwise; the evaluator computes it exactly).
 */
export function dequantizeLinear(o: DequantizeOptions): FloatKernel {
  const total = checkShape('input', o.shape);
  const { inner, count } = axisLayout(o.shape, o.quant.scales.length, o.quant.axis);
  const inType = o.inType ?? o.quant.dtype;
  const table = quantTable(o.quant, 'dq', inType);
  const ld = inType === 'int8' ? 'lb' : inType === 'uint8' ? 'lbu' : 'lw';
  const a = perAxisLoop({
    prefix: o.prefix, split: o.split, total, inner, count, inAddr: o.inAddr, inSize: inType === 'int32' ? 4 : 1, outAddr: o.outAddr, outSize: 4, table, tableAddress: o.tableAddress, entryWords: 2,
    setup: (k) => k.op('flw fa0, 0(a5)', 'lw t6, 4(a5)'),
    body: (k) => k.op(`${ld} a7, 0(a2)`, 'sub a7, a7, t6', 'fcvt.s.w ft0, a7, rne', 'fmul.s ft0, ft0, fa0, rne', 'fsw ft0, 0(a3)'),
  });
  return { asm: a.text(), data: [table.image(o.tableAddress)], clobbers: a.clobbers(), units: total, unit: 'element' };
}

/** Registers of {@link requantSnippet}. */
export interface RequantRegs {
  /** Integer register holding the int32 accumulator (read). */
  readonly acc: string;
  /** Integer register receiving the int8/uint8 value (as an int32; may equal `acc`). */
  readonly out: string;
  /** Float register holding the channel's float32 multiplier. */
  readonly mult: string;
  /** Float register holding `lo - zp` (float32), e.g. `-128 - zp` for int8. */
  readonly lo: string;
  /** Float register holding `hi - zp` (float32). */
  readonly hi: string;
  /** Integer register holding the output zero point. */
  readonly zp: string;
  /** Float scratch register. */
  readonly ftmp: string;
}

/**
 * The QLinearConv / QLinearMatMul requantization of one int32 accumulator as onnxruntime's
 * `MlasRequantizeOutput` (and `requantFloat32` in `src/nn/quant.ts`): convert to float32
 * (rne), multiply by the float32 multiplier (rne), clamp in float to `[lo - zp, hi - zp]`,
 * convert rounding half to even, add the zero point. 6 instructions, no branches:
 * `fcvt.s.w, fmul.s, fmax.s, fmin.s, fcvt.w.s, add`. The channel constants come from
 * {@link requantTable} (16 bytes per channel: multiplier, lo - zp, hi - zp, zp).
 *
 * Clamping before or after rounding gives the same integers (the bounds are integers and
 * rounding is monotone); before, as MLAS does, also keeps `+ zp` from overflowing.
 */
export function requantSnippet(r: RequantRegs): string {
  return [
    `fcvt.s.w ${r.ftmp}, ${r.acc}, rne`,
    `fmul.s ${r.ftmp}, ${r.ftmp}, ${r.mult}, rne`,
    `fmax.s ${r.ftmp}, ${r.ftmp}, ${r.lo}`,
    `fmin.s ${r.ftmp}, ${r.ftmp}, ${r.hi}`,
    `fcvt.w.s ${r.out}, ${r.ftmp}, rne`,
    `add ${r.out}, ${r.out}, ${r.zp}`,
  ].map((l) => `  ${l}`).join('\n') + '\n';
}

/**
 * Loads one channel's requantization constants from its {@link requantTable} entry at
 * `0(base)` into the registers of {@link requantSnippet} (4 instructions).
 */
export function requantLoadSnippet(base: string, r: Pick<RequantRegs, 'mult' | 'lo' | 'hi' | 'zp'>): string {
  return [`flw ${r.mult}, 0(${base})`, `flw ${r.lo}, 4(${base})`, `flw ${r.hi}, 8(${base})`, `lw ${r.zp}, 12(${base})`].map((l) => `  ${l}`).join('\n') + '\n';
}

/**
 * The requantization constant table: per channel the float32 multiplier (e.g.
 * `float32Multiplier(xs, ws[c], ys)` from `src/nn`), `lo - zp` and `hi - zp` as float32 and
 * the zero point as int32 (16 bytes per channel).
 */
export function requantTable(multipliers: readonly number[], zeroPoint: number, dtype: QuantType, address: number): KernelData {
  checkAddr('table', address, 4);
  return quantTable({ scales: multipliers, zeroPoints: multipliers.map(() => zeroPoint), dtype }, 'rq').image(address);
}

/** Options of {@link requantize}. */
export interface RequantizeOptions extends KernelCommon {
  /** int32 accumulators, C order. */
  readonly inAddr: number;
  /** int8/uint8 output, C order. */
  readonly outAddr: number;
  readonly shape: readonly number[];
  /** float32 multipliers: 1 (per tensor) or one per channel of `axis`. */
  readonly multipliers: readonly number[];
  readonly zeroPoint: number;
  readonly dtype: QuantType;
  /** Channel axis (default 1: NCHW output channels). */
  readonly axis?: number;
  /** Where the constant table goes (4-aligned; 16 bytes per channel). */
  readonly tableAddress: number;
}

/**
 * Requantizes an int32 accumulator buffer to int8/uint8 with {@link requantSnippet} (the
 * QLinearConv output stage as a separate pass). Work unit: element. Per element: `lw`, the 6
 * snippet instructions, `sb`, plus 3 loop instructions.
 */
export function requantize(o: RequantizeOptions): FloatKernel {
  const total = checkShape('input', o.shape);
  const { inner, count } = axisLayout(o.shape, o.multipliers.length, o.axis);
  const table = quantTable({ scales: o.multipliers, zeroPoints: o.multipliers.map(() => o.zeroPoint), dtype: o.dtype }, 'rq');
  const regs: RequantRegs = { acc: 'a7', out: 'a7', mult: 'fa0', lo: 'fa1', hi: 'fa2', zp: 't6', ftmp: 'ft0' };
  const a = perAxisLoop({
    prefix: o.prefix, split: o.split, total, inner, count, inAddr: o.inAddr, inSize: 4, outAddr: o.outAddr, outSize: 1, table, tableAddress: o.tableAddress, entryWords: 4,
    setup: (k) => k.op(...requantLoadSnippet('a5', regs).trim().split('\n').map((l) => l.trim())),
    body: (k) => k.op('lw a7, 0(a2)', ...requantSnippet(regs).trim().split('\n').map((l) => l.trim()), 'sb a7, 0(a3)'),
  });
  return { asm: a.text(), data: [table.image(o.tableAddress)], clobbers: a.clobbers(), units: total, unit: 'element' };
}

/** Options of {@link elementwise}. */
export interface ElementwiseOptions extends KernelCommon {
  readonly op: 'add' | 'mul';
  /** float32 inputs and output, all of the same shape (no broadcasting). */
  readonly aAddr: number;
  readonly bAddr: number;
  readonly outAddr: number;
  /** Number of elements (the shapes must be equal; broadcasting is not supported). */
  readonly elements: number;
}

/**
 * Element-wise float32 Add or Mul of two tensors of EQUAL shapes (no broadcasting),
 * `f32(a op b)` per element. Work unit: element. Per element: `flw, flw, fadd.s/fmul.s, fsw`
 * plus 4 loop instructions.
 */
export function elementwise(o: ElementwiseOptions): FloatKernel {
  const a = new Asm(o.prefix);
  checkAddr('a', o.aAddr, 4);
  checkAddr('b', o.bAddr, 4);
  checkAddr('output', o.outAddr, 4);
  if (!Number.isInteger(o.elements) || o.elements < 1) fail('bad-shape', `${o.elements} elements`);
  a.split(o.split, o.elements, 'done');
  a.op('slli t0, t0, 2', 'slli t1, t1, 2', `li t2, ${o.aAddr}`, 'add a2, t2, t0', 'add a4, t2, t1', `li t2, ${o.bAddr}`, 'add a5, t2, t0', `li t2, ${o.outAddr}`, 'add a3, t2, t0');
  a.label('loop');
  a.op('flw ft0, 0(a2)', 'flw ft1, 0(a5)', `${o.op === 'add' ? 'fadd.s' : 'fmul.s'} ft0, ft0, ft1, rne`, 'fsw ft0, 0(a3)', 'addi a2, a2, 4', 'addi a5, a5, 4', 'addi a3, a3, 4', `bne a2, a4, ${a.L('loop')}`);
  a.label('done');
  return { asm: a.text(), data: [], clobbers: a.clobbers(), units: o.elements, unit: 'element' };
}

/** Per-tensor quantization of one operand of {@link qdqBinary}. */
export interface TensorQuant {
  /** float32 scale (rounded with `Math.fround`). */
  readonly scale: number;
  readonly zeroPoint: number;
  readonly dtype: QuantType;
}

/** Options of {@link qdqBinary}. */
export interface QdqBinaryOptions extends KernelCommon {
  readonly op: 'add' | 'mul';
  /** int8/uint8 inputs and output, all of `elements` elements (equal shapes, no broadcasting). */
  readonly aAddr: number;
  readonly bAddr: number;
  readonly outAddr: number;
  readonly elements: number;
  readonly a: TensorQuant;
  readonly b: TensorQuant;
  readonly out: TensorQuant;
  /** Where the constant table goes (4-aligned, 32 bytes). */
  readonly tableAddress: number;
}

/**
 * The fused chain `DequantizeLinear(a), DequantizeLinear(b) -> Add/Mul -> QuantizeLinear` with
 * per-tensor parameters (ResNet-8's residual adds), bit-identical to the three separate
 * kernels (every intermediate is the same float32 value; it just stays in registers), with no
 * float32 tensors in memory. Work unit: element. Per element: 19 instructions (`lb/lbu` x2,
 * `sub` x2, `fcvt.s.w` x2, `fmul.s` x2, `fadd.s/fmul.s`, `fdiv.s, fmax.s, fmin.s, fcvt.w.s, add,
 * sb` and 4 loop instructions) instead of 8 + 8 + 8 + 10 for the separate kernels.
 */
export function qdqBinary(o: QdqBinaryOptions): FloatKernel {
  const a = new Asm(o.prefix);
  checkAddr('a', o.aAddr, 1);
  checkAddr('b', o.bAddr, 1);
  checkAddr('output', o.outAddr, 1);
  checkAddr('table', o.tableAddress, 4);
  if (!Number.isInteger(o.elements) || o.elements < 1) fail('bad-shape', `${o.elements} elements`);
  for (const [what, q] of [['a', o.a], ['b', o.b], ['out', o.out]] as const) {
    const [lo, hi] = RANGE[q.dtype];
    if (!Number.isInteger(q.zeroPoint) || q.zeroPoint < lo || q.zeroPoint > hi) fail('bad-quant', `${what} zero point ${q.zeroPoint} is not a ${q.dtype}`);
  }
  const [lo, hi] = RANGE[o.out.dtype];
  const t = new Table().f(o.a.scale).f(o.b.scale).f(o.out.scale).f(lo - o.out.zeroPoint).f(hi - o.out.zeroPoint).i(o.a.zeroPoint).i(o.b.zeroPoint).i(o.out.zeroPoint);
  const ld = (q: TensorQuant): string => (q.dtype === 'int8' ? 'lb' : 'lbu');
  a.split(o.split, o.elements, 'done');
  a.op(`li t2, ${o.aAddr}`, 'add a2, t2, t0', 'add a4, t2, t1', `li t2, ${o.bAddr}`, 'add a5, t2, t0', `li t2, ${o.outAddr}`, 'add a3, t2, t0');
  a.op(`li t2, ${o.tableAddress}`, 'flw fa0, 0(t2)', 'flw fa1, 4(t2)', 'flw fa2, 8(t2)', 'flw fa3, 12(t2)', 'flw fa4, 16(t2)', 'lw t4, 20(t2)', 'lw t5, 24(t2)', 'lw t6, 28(t2)');
  a.label('loop');
  a.op(
    `${ld(o.a)} a7, 0(a2)`, `${ld(o.b)} t3, 0(a5)`, 'sub a7, a7, t4', 'sub t3, t3, t5',
    'fcvt.s.w ft0, a7, rne', 'fcvt.s.w ft1, t3, rne', 'fmul.s ft0, ft0, fa0, rne', 'fmul.s ft1, ft1, fa1, rne',
    `${o.op === 'add' ? 'fadd.s' : 'fmul.s'} ft0, ft0, ft1, rne`,
    'fdiv.s ft0, ft0, fa2, rne', 'fmax.s ft0, ft0, fa3', 'fmin.s ft0, ft0, fa4', 'fcvt.w.s a7, ft0, rne', 'add a7, a7, t6', 'sb a7, 0(a3)',
    'addi a2, a2, 1', 'addi a5, a5, 1', 'addi a3, a3, 1', `bne a2, a4, ${a.L('loop')}`,
  );
  a.label('done');
  return { asm: a.text(), data: [t.image(o.tableAddress)], clobbers: a.clobbers(), units: o.elements, unit: 'element' };
}

/** Options of {@link averagePool}. */
export interface AveragePoolOptions extends KernelCommon {
  /** float32 NCHW input. */
  readonly inAddr: number;
  /** float32 NCHW output. */
  readonly outAddr: number;
  /** Input shape [N, C, H, W]. */
  readonly shape: readonly [number, number, number, number];
  readonly kernel: readonly [number, number];
  /** Default [1, 1]. */
  readonly strides?: readonly [number, number];
  /** [top, left, bottom, right], default zeros (ignored unless `autoPad` is NOTSET). */
  readonly pads?: readonly [number, number, number, number];
  readonly autoPad?: 'NOTSET' | 'VALID' | 'SAME_UPPER' | 'SAME_LOWER';
  readonly ceilMode?: boolean;
  readonly countIncludePad?: boolean;
  /** Where the window tables go (4-aligned; `4 + 12 * (OH + OW)` bytes). */
  readonly tableAddress: number;
}

/** The evaluator's `padAxis`: [pad begin, pad end, output size]. */
function padAxis(autoPad: string, size: number, k: number, s: number, b: number, e: number, ceil: boolean): [number, number, number] {
  if (autoPad === 'VALID') return [0, 0, Math.floor((size - k) / s) + 1];
  if (autoPad === 'SAME_UPPER' || autoPad === 'SAME_LOWER') {
    const out = Math.ceil(size / s);
    const total = Math.max(0, (out - 1) * s + k - size);
    const small = Math.floor(total / 2);
    return autoPad === 'SAME_UPPER' ? [small, total - small, out] : [total - small, small, out];
  }
  const span = size + b + e - k;
  return [b, e, (ceil ? Math.ceil(span / s) : Math.floor(span / s)) + 1];
}

/**
 * 2-D AveragePool (NCHW float32) in the evaluator's (MLAS's) float32 summation order: with
 * stride_w <= 2 and kernel_w <= 32, column sums over the window rows top to bottom added left
 * to right; otherwise the window row by row in one accumulator. Divisor: the valid element count
 * (count_include_pad = 0) or kh * kw, as the evaluator. Window bounds per output row and column
 * come from two small tables (computed here from the geometry; their size does not depend on
 * `tableAddress`). Work unit: plane (N * C). Instructions: 4 per window element (`flw, fadd.s,
 * addi, bne`), plus 4 per window row (row order) or 6 per window column (column order), plus
 * about 25 per output.
 */
export function averagePool(o: AveragePoolOptions): FloatKernel {
  const [N, C, H, W] = o.shape;
  checkShape('input', o.shape);
  checkAddr('input', o.inAddr, 4);
  checkAddr('output', o.outAddr, 4);
  checkAddr('table', o.tableAddress, 4);
  const [kh, kw] = o.kernel;
  const [sh, sw] = o.strides ?? [1, 1];
  const pads = o.pads ?? [0, 0, 0, 0];
  const ap = o.autoPad ?? 'NOTSET';
  const [pt, , OH] = padAxis(ap, H, kh, sh, pads[0], pads[2], o.ceilMode ?? false);
  const [pl, , OW] = padAxis(ap, W, kw, sw, pads[1], pads[3], o.ceilMode ?? false);
  if (OH < 1 || OW < 1) fail('bad-shape', `pooling output ${OH}x${OW} is empty`);
  const includePad = o.countIncludePad ?? false;
  const vector = sw <= 2 && kw <= 32;
  const rowStride = W * 4;
  // table: [kh*kw as float32] then OH rows {offset bytes, span bytes, rows (signed)} then OW cols {offset, span, cols}
  const t = new Table().f(kh * kw);
  const rowTab = o.tableAddress + 4;
  for (let oh = 0; oh < OH; oh++) {
    const h0 = oh * sh - pt;
    const hs = Math.max(h0, 0);
    const he = Math.min(h0 + kh, H);
    t.i(hs * rowStride).i(Math.max(he - hs, 0) * rowStride).i(he - hs);
  }
  const colTab = rowTab + OH * 12;
  for (let ow = 0; ow < OW; ow++) {
    const w0 = ow * sw - pl;
    const ws = Math.max(w0, 0);
    const we = Math.min(w0 + kw, W);
    t.i(ws * 4).i(Math.max(we - ws, 0) * 4).i(we - ws);
  }
  const colEnd = colTab + OW * 12;
  const plane = H * W * 4;
  const a = new Asm(o.prefix);
  a.split(o.split, N * C, 'done');
  a.op(`li t2, ${plane}`, 'mul a2, t0, t2', 'mul a4, t1, t2', `li t3, ${o.inAddr}`, 'add a2, a2, t3', 'add a4, a4, t3');
  a.op(`li t2, ${OH * OW * 4}`, 'mul a3, t0, t2', `li t3, ${o.outAddr}`, 'add a3, a3, t3');
  if (includePad) a.op(`li t3, ${o.tableAddress}`, 'flw fa3, 0(t3)');
  a.label('plane');
  a.op(`li a5, ${rowTab}`);
  a.label('oh');
  a.op('lw t4, 0(a5)', 'add t4, t4, a2', 'lw t5, 4(a5)', `li t2, ${colTab}`);
  a.label('ow');
  a.op('lw t6, 0(t2)', 'lw a7, 4(t2)', 'fmv.w.x fa0, zero', `beqz t5, ${a.L('div')}`, `beqz a7, ${a.L('div')}`, 'add t0, t4, t6');
  if (vector) {
    a.comment('columns left to right, each summed over the rows top to bottom');
    a.op('add t3, t0, a7');
    if (rowStride > 2047) a.op(`li t6, ${rowStride}`); // t6 (column offset) is free from here on
    a.label('col');
    a.op('fmv.w.x fa1, zero', 'mv a6, t0', 'add t1, t0, t5');
    a.label('row');
    a.op('flw ft0, 0(a6)', 'fadd.s fa1, fa1, ft0, rne', rowStride <= 2047 ? `addi a6, a6, ${rowStride}` : 'add a6, a6, t6');
    a.op(`bne a6, t1, ${a.L('row')}`, 'fadd.s fa0, fa0, fa1, rne', 'addi t0, t0, 4', `bne t0, t3, ${a.L('col')}`);
  } else {
    a.comment('rows top to bottom, each left to right, one accumulator');
    a.op('add t1, t0, t5');
    a.label('row');
    a.op('mv a6, t0', 'add t3, t0, a7');
    a.label('col');
    a.op('flw ft0, 0(a6)', 'fadd.s fa0, fa0, ft0, rne', 'addi a6, a6, 4', `bne a6, t3, ${a.L('col')}`);
    a.addImm('t0', 't0', rowStride, 't3');
    a.op(`bne t0, t1, ${a.L('row')}`);
  }
  a.label('div');
  if (!includePad) a.op('lw a6, 8(a5)', 'lw t1, 8(t2)', 'mul a6, a6, t1', 'fcvt.s.w fa3, a6, rne');
  a.op('fdiv.s fa0, fa0, fa3, rne', 'fsw fa0, 0(a3)', 'addi a3, a3, 4');
  a.op(`addi t2, t2, 12`, `li t3, ${colEnd}`, `bne t2, t3, ${a.L('ow')}`);
  a.op(`addi a5, a5, 12`, `li t3, ${colTab}`, `bne a5, t3, ${a.L('oh')}`);
  a.addImm('a2', 'a2', plane, 't3');
  a.op(`bne a2, a4, ${a.L('plane')}`);
  a.label('done');
  return { asm: a.text(), data: [t.image(o.tableAddress)], clobbers: a.clobbers(), units: N * C, unit: 'plane' };
}

/** Options of {@link globalAveragePool}. */
export interface GlobalAveragePoolOptions extends KernelCommon {
  /** float32 NCHW input. */
  readonly inAddr: number;
  /** float32 output [N, C, 1, 1]. */
  readonly outAddr: number;
  /** Input shape [N, C, H, W]. */
  readonly shape: readonly [number, number, number, number];
}

/**
 * GlobalAveragePool (NCHW float32) in MLAS's order: four float32 lanes over the H*W elements in
 * chunks of 4, reduced `(l0 + l2) + (l1 + l3)`, the tail added one by one, divided by
 * `float(H*W)`. Work unit: plane (N * C). Per element: 2.5 instructions (`4 flw, 4 fadd.s,
 * addi, bne` per chunk of 4); per plane about 15 more.
 */
export function globalAveragePool(o: GlobalAveragePoolOptions): FloatKernel {
  const [N, C, H, W] = o.shape;
  checkShape('input', o.shape);
  checkAddr('input', o.inAddr, 4);
  checkAddr('output', o.outAddr, 4);
  const HW = H * W;
  if (HW >= 2 ** 24) fail('unsupported-shape', `plane of ${HW} elements is too large`);
  const body = HW - (HW % 4);
  const tail = HW % 4;
  const a = new Asm(o.prefix);
  a.split(o.split, N * C, 'done');
  a.op(`li t2, ${HW * 4}`, 'mul a2, t0, t2', 'mul a4, t1, t2', `li t3, ${o.inAddr}`, 'add a2, a2, t3', 'add a4, a4, t3');
  a.op('slli a3, t0, 2', `li t3, ${o.outAddr}`, 'add a3, a3, t3', `li t3, ${HW}`, 'fcvt.s.w fa5, t3, rne');
  a.label('plane');
  a.op('fmv.w.x fa0, zero', 'fmv.w.x fa1, zero', 'fmv.w.x fa2, zero', 'fmv.w.x fa3, zero');
  if (body > 0) {
    a.addImm('t0', 'a2', body * 4, 't3');
    a.label('chunk');
    a.op('flw ft0, 0(a2)', 'flw ft1, 4(a2)', 'flw ft2, 8(a2)', 'flw ft3, 12(a2)');
    a.op('fadd.s fa0, fa0, ft0, rne', 'fadd.s fa1, fa1, ft1, rne', 'fadd.s fa2, fa2, ft2, rne', 'fadd.s fa3, fa3, ft3, rne');
    a.op('addi a2, a2, 16', `bne a2, t0, ${a.L('chunk')}`);
  }
  a.op('fadd.s fa0, fa0, fa2, rne', 'fadd.s fa1, fa1, fa3, rne', 'fadd.s fa0, fa0, fa1, rne');
  for (let i = 0; i < tail; i++) a.op(`flw ft0, ${i * 4}(a2)`, 'fadd.s fa0, fa0, ft0, rne');
  if (tail > 0) a.op(`addi a2, a2, ${tail * 4}`);
  a.op('fdiv.s fa0, fa0, fa5, rne', 'fsw fa0, 0(a3)', 'addi a3, a3, 4', `bne a2, a4, ${a.L('plane')}`);
  a.label('done');
  return { asm: a.text(), data: [], clobbers: a.clobbers(), units: N * C, unit: 'plane' };
}

/** Options of {@link softmax}. */
export interface SoftmaxOptions extends KernelCommon {
  /** float32 input, `rows` rows of `length` elements (the last axis). */
  readonly inAddr: number;
  /** float32 output, same layout (may equal `inAddr`). */
  readonly outAddr: number;
  readonly rows: number;
  /** Length of the softmax axis (the last one). */
  readonly length: number;
  /** Where the 11 polynomial constants go (4-aligned, 44 bytes). */
  readonly tableAddress: number;
}

/** MLAS's FMA3 exp constants, as the evaluator (`src/nn/eval.ts`). */
const EXP_CONSTANTS: readonly number[] = [
  -88.3762626647949, // lowerRangeSumExp
  12582912, // roundingBias
  1.44269504088896341, // log2Reciprocal
  -6.93145752e-1, // log2High
  -1.42860677e-6, // log2Low
  0.0013780593872070312, 0.008373124524950981, 0.041669536381959915, 0.166664719581604, 0.49999985098838806, // poly0-4
  1, // poly56
];

/**
 * Softmax along the last axis as onnxruntime's MLAS FMA3 kernel (the evaluator's reference):
 * the maximum; exp(x - max) by MLAS's polynomial with fused multiply-adds (`fmadd.s`, one
 * rounding, exactly `fmaf`), stored to the output; a sum in eight float32 lanes (element i
 * into lane i % 8) reduced `((l4+l5)+(l6+l7)) + ((l0+l1)+(l2+l3))`; then each exp times
 * `f32(1 / sum)`. Work unit: row. Per element: 4 (max) + 22 (exp) + 2.25 (lane sum) + 5
 * (scale) instructions; per row about 35 more.
 */
export function softmax(o: SoftmaxOptions): FloatKernel {
  checkAddr('input', o.inAddr, 4);
  checkAddr('output', o.outAddr, 4);
  checkAddr('table', o.tableAddress, 4);
  const D = o.length;
  if (!Number.isInteger(D) || D < 1 || !Number.isInteger(o.rows) || o.rows < 1) fail('bad-shape', `${o.rows} rows of ${D}`);
  const t = new Table();
  for (const c of EXP_CONSTANTS) t.f(c);
  const a = new Asm(o.prefix);
  const rowBytes = D * 4;
  a.split(o.split, o.rows, 'done');
  a.op(`li t2, ${rowBytes}`, 'mul a2, t0, t2', 'mul a4, t1, t2', 'mul a3, t0, t2', `li t3, ${o.inAddr}`, 'add a2, a2, t3', 'add a4, a4, t3', `li t3, ${o.outAddr}`, 'add a3, a3, t3');
  a.op(`li t3, ${o.tableAddress}`);
  const K = ['fa0', 'fa1', 'fa2', 'fa3', 'fa4', 'fa5', 'fa6', 'fa7', 'ft8', 'ft9', 'ft10'] as const;
  K.forEach((r, i) => a.op(`flw ${r}, ${i * 4}(t3)`));
  const [lower, bias, log2r, log2hi, log2lo, p0, p1, p2, p3, p4, one] = K;
  a.op('li t6, 0x3f800000');
  a.label('row');
  a.comment('max');
  a.op('flw ft0, 0(a2)');
  a.addImm('t1', 'a2', rowBytes, 't3');
  if (D > 1) {
    a.op('addi t0, a2, 4');
    a.label('max');
    a.op('flw ft1, 0(t0)', 'fmax.s ft0, ft0, ft1', 'addi t0, t0, 4', `bne t0, t1, ${a.L('max')}`);
  }
  a.op('fneg.s ft11, ft0', 'mv t0, a2', 'mv t2, a3');
  a.comment('exp(x - max) to the output');
  a.label('exp');
  a.op(
    'flw ft0, 0(t0)',
    'fadd.s ft0, ft0, ft11, rne',
    `fmax.s ft0, ft0, ${lower}`,
    `fmadd.s ft1, ft0, ${log2r}, ${bias}, rne`,
    `fsub.s ft2, ft1, ${bias}, rne`,
    `fmadd.s ft0, ft2, ${log2hi}, ft0, rne`,
    `fmadd.s ft0, ft2, ${log2lo}, ft0, rne`,
    `fmadd.s ft2, ${p0}, ft0, ${p1}, rne`,
    `fmadd.s ft2, ft2, ft0, ${p2}, rne`,
    `fmadd.s ft2, ft2, ft0, ${p3}, rne`,
    `fmadd.s ft2, ft2, ft0, ${p4}, rne`,
    `fmadd.s ft2, ft2, ft0, ${one}, rne`,
    `fmadd.s ft2, ft2, ft0, ${one}, rne`,
    'fmv.x.w t3, ft1',
    'slli t3, t3, 23',
    'add t3, t3, t6',
    'fmv.w.x ft1, t3',
    'fmul.s ft2, ft2, ft1, rne',
    'fsw ft2, 0(t2)',
    'addi t0, t0, 4',
    'addi t2, t2, 4',
    `bne t0, t1, ${a.L('exp')}`,
  );
  a.comment('eight lanes: element i into lane i % 8');
  for (let l = 0; l < 8; l++) a.op(`fmv.w.x ft${l}, zero`);
  const body = D - (D % 8);
  a.op('mv t2, a3');
  if (body > 0) {
    a.addImm('t0', 'a3', body * 4, 't3');
    a.label('lanes');
    for (let l = 0; l < 8; l++) a.op(`flw ft11, ${l * 4}(t2)`, `fadd.s ft${l}, ft${l}, ft11, rne`);
    a.op('addi t2, t2, 32', `bne t2, t0, ${a.L('lanes')}`);
  }
  for (let l = 0; l < D % 8; l++) a.op(`flw ft11, ${l * 4}(t2)`, `fadd.s ft${l}, ft${l}, ft11, rne`);
  a.op(
    'fadd.s ft4, ft4, ft5, rne', 'fadd.s ft6, ft6, ft7, rne', 'fadd.s ft4, ft4, ft6, rne',
    'fadd.s ft0, ft0, ft1, rne', 'fadd.s ft2, ft2, ft3, rne', 'fadd.s ft0, ft0, ft2, rne',
    'fadd.s ft0, ft4, ft0, rne',
    `fdiv.s ft0, ${one}, ft0, rne`,
  );
  a.comment('scale by 1 / sum');
  a.op('mv t2, a3');
  a.addImm('t0', 'a3', rowBytes, 't3');
  a.label('scale');
  a.op('flw ft1, 0(t2)', 'fmul.s ft1, ft1, ft0, rne', 'fsw ft1, 0(t2)', 'addi t2, t2, 4', `bne t2, t0, ${a.L('scale')}`);
  a.addImm('a2', 'a2', rowBytes, 't3');
  a.addImm('a3', 'a3', rowBytes, 't3');
  a.op(`bne a2, a4, ${a.L('row')}`);
  a.label('done');
  return { asm: a.text(), data: [t.image(o.tableAddress)], clobbers: a.clobbers(), units: o.rows, unit: 'row' };
}
