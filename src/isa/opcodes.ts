/**
 * The opcode table: the single source for the encoder, decoder, assembler, disassembler and
 * `docs/ISA.md`. Base ISA RV32IM with the standard RISC-V encodings; the edgesim extensions
 * (DMA, accelerator commands, packed int8 SIMD, synchronization) live in the RISC-V custom
 * opcode spaces custom-0..custom-3.
 */

/** Instruction formats. `R`/`I`/`S`/`B`/`U`/`J` are the RISC-V base formats; `IS` is the
 * shift-immediate variant of I (funct7 + 5-bit shamt), `FENCE` and `SYS` are fixed-field system
 * forms, and `RA` is R-type with funct7 holding an accelerator number (edgesim custom-1). */
export type InstrFormat = 'R' | 'I' | 'IS' | 'S' | 'B' | 'U' | 'J' | 'FENCE' | 'SYS' | 'RA';

/** Instruction classes, the unit of per-instruction cycle costs in the core model. */
export type InstrClass =
  | 'alu' | 'mul' | 'div' | 'load' | 'store' | 'branch' | 'jump' | 'system'
  | 'dma' | 'accel' | 'simd' | 'sync';

/** The extension an instruction belongs to. */
export type IsaExtension = 'RV32I' | 'RV32M' | 'Xedma' | 'Xeacc' | 'Xesimd' | 'Xesync';

/**
 * Operands in assembly order. `imm` is the I-type signed 12-bit immediate, `mem` is
 * `imm(rs1)` (load, store, jalr), `shamt` a 5-bit shift amount, `boff`/`joff` pc-relative
 * branch/jump offsets written `.+N`/`.-N` or a label, `uimm` the 20-bit U-type immediate,
 * `pred`/`succ` fence ordering sets, `acc` the accelerator number (0-127) in funct7.
 */
export type OperandKind =
  | 'rd' | 'rs1' | 'rs2' | 'imm' | 'mem' | 'shamt' | 'boff' | 'joff' | 'uimm' | 'pred' | 'succ' | 'acc';

/** One row of the opcode table. */
export interface OpcodeDef {
  /** Assembly mnemonic, lower case. */
  readonly mnemonic: string;
  readonly format: InstrFormat;
  /** Major opcode, bits [6:0]. */
  readonly opcode: number;
  /** funct3, bits [14:12], when fixed. */
  readonly funct3?: number;
  /** funct7, bits [31:25], when fixed. */
  readonly funct7?: number;
  /** Whole fixed word, for `SYS`. */
  readonly word?: number;
  /** Operands in assembly order; any register field not listed must be zero. */
  readonly operands: readonly OperandKind[];
  readonly cls: InstrClass;
  readonly ext: IsaExtension;
  /** Semantics in pseudo-code and prose; `xlen` is 32, registers are 32-bit, x0 reads 0. */
  readonly semantics: string;
}

/** RISC-V major opcodes used by edgesim. */
export const MAJOR_OPCODES = {
  LOAD: 0x03, CUSTOM0: 0x0b, MISC_MEM: 0x0f, OP_IMM: 0x13, AUIPC: 0x17, STORE: 0x23,
  CUSTOM1: 0x2b, OP: 0x33, LUI: 0x37, BRANCH: 0x63, JALR: 0x67, JAL: 0x6f, SYSTEM: 0x73,
  CUSTOM2: 0x5b, CUSTOM3: 0x7b,
} as const;

const R = ['rd', 'rs1', 'rs2'] as const;
const I = ['rd', 'rs1', 'imm'] as const;
const SH = ['rd', 'rs1', 'shamt'] as const;
const LD = ['rd', 'mem'] as const;
const ST = ['rs2', 'mem'] as const;
const BR = ['rs1', 'rs2', 'boff'] as const;

const op = (mnemonic: string, funct3: number, funct7: number, semantics: string, cls: InstrClass = 'alu', ext: IsaExtension = 'RV32I'): OpcodeDef =>
  ({ mnemonic, format: 'R', opcode: MAJOR_OPCODES.OP, funct3, funct7, operands: R, cls, ext, semantics });
const opImm = (mnemonic: string, funct3: number, semantics: string): OpcodeDef =>
  ({ mnemonic, format: 'I', opcode: MAJOR_OPCODES.OP_IMM, funct3, operands: I, cls: 'alu', ext: 'RV32I', semantics });
const shImm = (mnemonic: string, funct3: number, funct7: number, semantics: string): OpcodeDef =>
  ({ mnemonic, format: 'IS', opcode: MAJOR_OPCODES.OP_IMM, funct3, funct7, operands: SH, cls: 'alu', ext: 'RV32I', semantics });
const load = (mnemonic: string, funct3: number, semantics: string): OpcodeDef =>
  ({ mnemonic, format: 'I', opcode: MAJOR_OPCODES.LOAD, funct3, operands: LD, cls: 'load', ext: 'RV32I', semantics });
const store = (mnemonic: string, funct3: number, semantics: string): OpcodeDef =>
  ({ mnemonic, format: 'S', opcode: MAJOR_OPCODES.STORE, funct3, operands: ST, cls: 'store', ext: 'RV32I', semantics });
const branch = (mnemonic: string, funct3: number, semantics: string): OpcodeDef =>
  ({ mnemonic, format: 'B', opcode: MAJOR_OPCODES.BRANCH, funct3, operands: BR, cls: 'branch', ext: 'RV32I', semantics });
const custom = (
  mnemonic: string, opcode: number, funct3: number, funct7: number, operands: readonly OperandKind[],
  cls: InstrClass, ext: IsaExtension, semantics: string,
): OpcodeDef => ({ mnemonic, format: 'R', opcode, funct3, funct7, operands, cls, ext, semantics });
const accel = (mnemonic: string, funct3: number, operands: readonly OperandKind[], semantics: string): OpcodeDef =>
  ({ mnemonic, format: 'RA', opcode: MAJOR_OPCODES.CUSTOM1, funct3, operands, cls: 'accel', ext: 'Xeacc', semantics });

/** Every instruction edgesim knows, in documentation order. */
export const OPCODES: readonly OpcodeDef[] = [
  // ---- RV32I ----
  { mnemonic: 'lui', format: 'U', opcode: MAJOR_OPCODES.LUI, operands: ['rd', 'uimm'], cls: 'alu', ext: 'RV32I', semantics: 'rd = uimm << 12' },
  { mnemonic: 'auipc', format: 'U', opcode: MAJOR_OPCODES.AUIPC, operands: ['rd', 'uimm'], cls: 'alu', ext: 'RV32I', semantics: 'rd = pc + (uimm << 12)' },
  { mnemonic: 'jal', format: 'J', opcode: MAJOR_OPCODES.JAL, operands: ['rd', 'joff'], cls: 'jump', ext: 'RV32I', semantics: 'rd = pc + 4; pc = pc + offset (offset even, -1 MiB..+1 MiB-2)' },
  { mnemonic: 'jalr', format: 'I', opcode: MAJOR_OPCODES.JALR, funct3: 0, operands: LD, cls: 'jump', ext: 'RV32I', semantics: 't = (rs1 + imm) & ~1; rd = pc + 4; pc = t' },
  branch('beq', 0, 'if (rs1 == rs2) pc = pc + offset'),
  branch('bne', 1, 'if (rs1 != rs2) pc = pc + offset'),
  branch('blt', 4, 'if (rs1 <s rs2) pc = pc + offset'),
  branch('bge', 5, 'if (rs1 >=s rs2) pc = pc + offset'),
  branch('bltu', 6, 'if (rs1 <u rs2) pc = pc + offset'),
  branch('bgeu', 7, 'if (rs1 >=u rs2) pc = pc + offset'),
  load('lb', 0, 'rd = sext(mem8[rs1 + imm])'),
  load('lh', 1, 'rd = sext(mem16[rs1 + imm])'),
  load('lw', 2, 'rd = mem32[rs1 + imm]'),
  load('lbu', 4, 'rd = zext(mem8[rs1 + imm])'),
  load('lhu', 5, 'rd = zext(mem16[rs1 + imm])'),
  store('sb', 0, 'mem8[rs1 + imm] = rs2[7:0]'),
  store('sh', 1, 'mem16[rs1 + imm] = rs2[15:0]'),
  store('sw', 2, 'mem32[rs1 + imm] = rs2'),
  opImm('addi', 0, 'rd = rs1 + imm'),
  opImm('slti', 2, 'rd = (rs1 <s imm) ? 1 : 0'),
  opImm('sltiu', 3, 'rd = (rs1 <u imm) ? 1 : 0 (imm is sign-extended, then compared unsigned)'),
  opImm('xori', 4, 'rd = rs1 ^ imm'),
  opImm('ori', 6, 'rd = rs1 | imm'),
  opImm('andi', 7, 'rd = rs1 & imm'),
  shImm('slli', 1, 0x00, 'rd = rs1 << shamt'),
  shImm('srli', 5, 0x00, 'rd = rs1 >>u shamt'),
  shImm('srai', 5, 0x20, 'rd = rs1 >>s shamt'),
  op('add', 0, 0x00, 'rd = rs1 + rs2'),
  op('sub', 0, 0x20, 'rd = rs1 - rs2'),
  op('sll', 1, 0x00, 'rd = rs1 << rs2[4:0]'),
  op('slt', 2, 0x00, 'rd = (rs1 <s rs2) ? 1 : 0'),
  op('sltu', 3, 0x00, 'rd = (rs1 <u rs2) ? 1 : 0'),
  op('xor', 4, 0x00, 'rd = rs1 ^ rs2'),
  op('srl', 5, 0x00, 'rd = rs1 >>u rs2[4:0]'),
  op('sra', 5, 0x20, 'rd = rs1 >>s rs2[4:0]'),
  op('or', 6, 0x00, 'rd = rs1 | rs2'),
  op('and', 7, 0x00, 'rd = rs1 & rs2'),
  { mnemonic: 'fence', format: 'FENCE', opcode: MAJOR_OPCODES.MISC_MEM, funct3: 0, operands: ['pred', 'succ'], cls: 'system', ext: 'RV32I', semantics: 'Orders the predecessor accesses (pred: i=device input, o=device output, r=read, w=write) before the successor accesses (succ). edgesim memories are sequentially consistent per core, so it is timed but has no other effect.' },
  { mnemonic: 'ecall', format: 'SYS', opcode: MAJOR_OPCODES.SYSTEM, word: 0x00000073, operands: [], cls: 'system', ext: 'RV32I', semantics: 'Environment call: the core stops with reason `ecall` (a7 holds the call number by convention); the platform decides what it means.' },
  { mnemonic: 'ebreak', format: 'SYS', opcode: MAJOR_OPCODES.SYSTEM, word: 0x00100073, operands: [], cls: 'system', ext: 'RV32I', semantics: 'Breakpoint: the core stops with reason `ebreak`.' },
  // ---- RV32M ----
  op('mul', 0, 0x01, 'rd = (rs1 * rs2)[31:0]', 'mul', 'RV32M'),
  op('mulh', 1, 0x01, 'rd = (sext(rs1) * sext(rs2))[63:32]', 'mul', 'RV32M'),
  op('mulhsu', 2, 0x01, 'rd = (sext(rs1) * zext(rs2))[63:32]', 'mul', 'RV32M'),
  op('mulhu', 3, 0x01, 'rd = (zext(rs1) * zext(rs2))[63:32]', 'mul', 'RV32M'),
  op('div', 4, 0x01, 'rd = rs1 /s rs2, rounded toward zero; rs2 == 0 gives -1; -2^31 / -1 gives -2^31', 'div', 'RV32M'),
  op('divu', 5, 0x01, 'rd = rs1 /u rs2; rs2 == 0 gives 2^32-1', 'div', 'RV32M'),
  op('rem', 6, 0x01, 'rd = rs1 %s rs2 (sign of rs1); rs2 == 0 gives rs1; -2^31 % -1 gives 0', 'div', 'RV32M'),
  op('remu', 7, 0x01, 'rd = rs1 %u rs2; rs2 == 0 gives rs1', 'div', 'RV32M'),
  // ---- Xedma: DMA (custom-0) ----
  custom('dma.addr', MAJOR_OPCODES.CUSTOM0, 0, 0, ['rs1', 'rs2'], 'dma', 'Xedma', 'dma.src = rs1; dma.dst = rs2. Sets the byte addresses of the next transfer this core starts.'),
  custom('dma.strd', MAJOR_OPCODES.CUSTOM0, 1, 0, ['rs1', 'rs2'], 'dma', 'Xedma', 'dma.sstride = rs1; dma.dstride = rs2 (signed bytes between the starts of consecutive rows, used by dma.2d).'),
  custom('dma.1d', MAJOR_OPCODES.CUSTOM0, 2, 0, ['rd', 'rs1'], 'dma', 'Xedma', 'Starts copying rs1 bytes from dma.src to dma.dst; rd = transfer id (a non-negative integer, unique among this core\'s transfers in flight). Stalls while the engine\'s queue is full.'),
  custom('dma.2d', MAJOR_OPCODES.CUSTOM0, 3, 0, R, 'dma', 'Xedma', 'Starts a 2D transfer of rs2 rows of rs1 bytes: row k copies rs1 bytes from dma.src + k*dma.sstride to dma.dst + k*dma.dstride; rd = transfer id. Stalls while the queue is full.'),
  custom('dma.wait', MAJOR_OPCODES.CUSTOM0, 4, 0, ['rs1'], 'dma', 'Xedma', 'Stalls until the transfer with id rs1 has completed (returns at once for an id that is not in flight).'),
  custom('dma.stat', MAJOR_OPCODES.CUSTOM0, 5, 0, ['rd', 'rs1'], 'dma', 'Xedma', 'rd = 1 if the transfer with id rs1 is still in flight, else 0. Never stalls.'),
  custom('dma.busy', MAJOR_OPCODES.CUSTOM0, 6, 0, ['rd'], 'dma', 'Xedma', 'rd = number of this core\'s transfers in flight. Never stalls.'),
  custom('dma.waitall', MAJOR_OPCODES.CUSTOM0, 7, 0, [], 'dma', 'Xedma', 'Stalls until every transfer this core started has completed.'),
  // ---- Xeacc: accelerator commands (custom-1) ----
  accel('acc.cmd', 0, ['rd', 'rs1', 'rs2', 'acc'], 'Sends command word rs1 with argument rs2 (usually the address of a descriptor in memory) to accelerator N, together with any words queued by acc.arg; rd = command tag. Command words are defined by each accelerator kind. Stalls while N\'s command queue is full.'),
  accel('acc.arg', 1, ['rs1', 'rs2', 'acc'], 'Queues two extra argument words (rs1, then rs2) for this core\'s next acc.cmd to accelerator N.'),
  accel('acc.wait', 2, ['rs1', 'acc'], 'Stalls until the command with tag rs1 on accelerator N has completed.'),
  accel('acc.stat', 3, ['rd', 'rs1', 'acc'], 'rd = 1 if the command with tag rs1 on accelerator N is still pending, else 0. Never stalls.'),
  accel('acc.drain', 4, ['acc'], 'Stalls until accelerator N has completed every command it has accepted.'),
  // ---- Xesimd: packed int8 SIMD (custom-2); lanes: byte k = bits [8k+7:8k], k = 0..3 ----
  custom('pv.adds.b', MAJOR_OPCODES.CUSTOM2, 0, 0, R, 'simd', 'Xesimd', 'for k in 0..3: rd.b[k] = sat8(rs1.b[k] + rs2.b[k]) (signed, saturating to -128..127)'),
  custom('pv.subs.b', MAJOR_OPCODES.CUSTOM2, 0, 1, R, 'simd', 'Xesimd', 'for k in 0..3: rd.b[k] = sat8(rs1.b[k] - rs2.b[k])'),
  custom('pv.max.b', MAJOR_OPCODES.CUSTOM2, 0, 2, R, 'simd', 'Xesimd', 'for k in 0..3: rd.b[k] = max(rs1.b[k], rs2.b[k]) (signed; max pooling)'),
  custom('pv.min.b', MAJOR_OPCODES.CUSTOM2, 0, 3, R, 'simd', 'Xesimd', 'for k in 0..3: rd.b[k] = min(rs1.b[k], rs2.b[k]) (signed)'),
  custom('pv.avg.b', MAJOR_OPCODES.CUSTOM2, 0, 4, R, 'simd', 'Xesimd', 'for k in 0..3: rd.b[k] = (rs1.b[k] + rs2.b[k] + 1) >>s 1 (signed, rounds half up; average pooling)'),
  custom('pv.dot.b', MAJOR_OPCODES.CUSTOM2, 1, 0, R, 'simd', 'Xesimd', 'rd = sum over k of rs1.b[k] * rs2.b[k] (signed int8 products, int32 result)'),
  custom('pv.mac.b', MAJOR_OPCODES.CUSTOM2, 1, 1, R, 'simd', 'Xesimd', 'rd = rd + sum over k of rs1.b[k] * rs2.b[k] (wrapping int32; rd is also a source)'),
  custom('pv.hsum.b', MAJOR_OPCODES.CUSTOM2, 1, 2, ['rd', 'rs1'], 'simd', 'Xesimd', 'rd = sum over k of rs1.b[k] (signed; average pooling)'),
  custom('pv.relu.b', MAJOR_OPCODES.CUSTOM2, 2, 0, ['rd', 'rs1'], 'simd', 'Xesimd', 'for k in 0..3: rd.b[k] = max(rs1.b[k], 0)'),
  custom('pv.clip.b', MAJOR_OPCODES.CUSTOM2, 2, 1, R, 'simd', 'Xesimd', 'lo = sext(rs2[7:0]); hi = sext(rs2[15:8]); for k in 0..3: rd.b[k] = min(max(rs1.b[k], lo), hi) (rs2[31:16] ignored)'),
  custom('pv.rq', MAJOR_OPCODES.CUSTOM2, 3, 0, R, 'simd', 'Xesimd', 'Requantize int32 to int8: m = sext(rs2[15:0]); s = rs2[20:16]; zp = sext(rs2[31:24]); p = rs1 * m (exact, 48-bit); r = s == 0 ? p : (p + 2^(s-1)) >>s s; rd = sext(sat8(r + zp)). rs2[23:21] ignored.'),
  custom('pv.pack.b', MAJOR_OPCODES.CUSTOM2, 3, 1, R, 'simd', 'Xesimd', 'rd = (rs2[7:0] << 24) | (rs1[7:0] << 16) | (rd >>u 16) (rd is also a source; two pack.b with lanes (0,1) then (2,3) build a packed word)'),
  // ---- Xesync: synchronization (custom-3) ----
  custom('sync.bar', MAJOR_OPCODES.CUSTOM3, 0, 0, ['rs1'], 'sync', 'Xesync', 'Arrives at barrier rs1 of the cluster event unit and stalls until every core in that barrier\'s member set has arrived; then all are released together.'),
  custom('sync.evset', MAJOR_OPCODES.CUSTOM3, 1, 0, ['rs1'], 'sync', 'Xesync', 'Raises the cluster events whose bits are set in rs1 (event k is bit k, 0..31) at every core of the cluster.'),
  custom('sync.evwait', MAJOR_OPCODES.CUSTOM3, 2, 0, ['rd', 'rs1'], 'sync', 'Xesync', 'Stalls until at least one event in mask rs1 is pending at this core; rd = pending & rs1, and those events are cleared. rs1 == 0 returns 0 at once.'),
  custom('sync.wfe', MAJOR_OPCODES.CUSTOM3, 3, 0, [], 'sync', 'Xesync', 'Wait for event: stalls until any event or interrupt is pending at this core (clock-gated idle); clears nothing.'),
];

/** Lookup by mnemonic. */
export const OPCODE_BY_MNEMONIC: ReadonlyMap<string, OpcodeDef> = new Map(OPCODES.map((d) => [d.mnemonic, d]));

/** The opcode-table row for `mnemonic`, or undefined. */
export function opcodeDef(mnemonic: string): OpcodeDef | undefined {
  return OPCODE_BY_MNEMONIC.get(mnemonic);
}

/** ABI register names, index = register number. x8 is printed `s0` (alias `fp`). */
export const ABI_NAMES: readonly string[] = [
  'zero', 'ra', 'sp', 'gp', 'tp', 't0', 't1', 't2', 's0', 's1',
  'a0', 'a1', 'a2', 'a3', 'a4', 'a5', 'a6', 'a7',
  's2', 's3', 's4', 's5', 's6', 's7', 's8', 's9', 's10', 's11', 't3', 't4', 't5', 't6',
];

/** Register number for `x0`-`x31`, an ABI name or `fp`; undefined otherwise. */
export function registerNumber(name: string): number | undefined {
  const n = name.toLowerCase();
  if (n === 'fp') return 8;
  const m = /^x([0-9]|[12][0-9]|3[01])$/.exec(n);
  if (m) return Number(m[1]);
  const i = ABI_NAMES.indexOf(n);
  return i < 0 ? undefined : i;
}

/** Custom opcode space names, for documentation. */
export const CUSTOM_SPACES: Readonly<Record<number, string>> = {
  [MAJOR_OPCODES.CUSTOM0]: 'custom-0', [MAJOR_OPCODES.CUSTOM1]: 'custom-1', [MAJOR_OPCODES.CUSTOM2]: 'custom-2', [MAJOR_OPCODES.CUSTOM3]: 'custom-3',
};
