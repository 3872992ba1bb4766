/**
 * The opcode table: the single source for the encoder, decoder, assembler, disassembler and
 * `docs/ISA.md`. Base ISA RV32IM with the standard RISC-V encodings; the edgesim extensions
 * (DMA, accelerator commands, packed int8 SIMD, synchronization) live in the RISC-V custom
 * opcode spaces custom-0..custom-3.
 */

/** Instruction formats. `R`/`I`/`S`/`B`/`U`/`J` are the RISC-V base formats; `IS` is the
 * shift-immediate variant of I (funct7 + 5-bit shamt), `FENCE` and `SYS` are fixed-field system
 * forms, `RA` is R-type with funct7 holding an accelerator number (edgesim custom-1), `R4` is the
 * RISC-V fused multiply-add format (rs3 in bits 31:27, fmt in 26:25, always 00 = single) and
 * `CSR` is the Zicsr form (csr number in bits 31:20, rs1 or a 5-bit zimm in 19:15). */
export type InstrFormat = 'R' | 'I' | 'IS' | 'S' | 'B' | 'U' | 'J' | 'FENCE' | 'SYS' | 'RA' | 'R4' | 'CSR';

/** Instruction classes, the unit of per-instruction cycle costs in the core model. */
export type InstrClass =
  | 'alu' | 'mul' | 'div' | 'load' | 'store' | 'branch' | 'jump' | 'system'
  | 'dma' | 'accel' | 'simd' | 'sync' | 'fpu';

/** The extension an instruction belongs to. */
export type IsaExtension = 'RV32I' | 'RV32M' | 'Zicsr' | 'F' | 'Xedma' | 'Xeacc' | 'Xesimd' | 'Xesync';

/**
 * Operands in assembly order. `imm` is the I-type signed 12-bit immediate, `mem` is
 * `imm(rs1)` (load, store, jalr), `shamt` a 5-bit shift amount, `boff`/`joff` pc-relative
 * branch/jump offsets written `.+N`/`.-N` or a label, `uimm` the 20-bit U-type immediate,
 * `pred`/`succ` fence ordering sets, `acc` the accelerator number (0-127) in funct7.
 * F extension: `frd`/`frs1`/`frs2`/`frs3` are float registers f0-f31 in the rd/rs1/rs2/rs3
 * fields, `rm` the rounding mode in funct3 (optional in assembly, default `dyn`); Zicsr: `csr`
 * the 12-bit CSR number, `zimm` a 5-bit unsigned immediate in the rs1 field.
 */
export type OperandKind =
  | 'rd' | 'rs1' | 'rs2' | 'imm' | 'mem' | 'shamt' | 'boff' | 'joff' | 'uimm' | 'pred' | 'succ' | 'acc'
  | 'frd' | 'frs1' | 'frs2' | 'frs3' | 'rm' | 'csr' | 'zimm';

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
  /** rs2 field, bits [24:20], when fixed (F: fsqrt.s 0, fcvt.*.w/fcvt.w* 0 signed / 1 unsigned, fmv.*, fclass.s). */
  readonly rs2?: number;
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
  LOAD_FP: 0x07, STORE_FP: 0x27, MADD: 0x43, MSUB: 0x47, NMSUB: 0x4b, NMADD: 0x4f, OP_FP: 0x53,
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

const fp = (
  mnemonic: string, funct7: number, operands: readonly OperandKind[], semantics: string, f: { readonly funct3?: number; readonly rs2?: number } = {},
): OpcodeDef => ({ mnemonic, format: 'R', opcode: MAJOR_OPCODES.OP_FP, funct7, ...f, operands, cls: 'fpu', ext: 'F', semantics });
const fma = (mnemonic: string, opcode: number, semantics: string): OpcodeDef =>
  ({ mnemonic, format: 'R4', opcode, operands: ['frd', 'frs1', 'frs2', 'frs3', 'rm'], cls: 'fpu', ext: 'F', semantics });
const csr = (mnemonic: string, funct3: number, semantics: string): OpcodeDef =>
  ({ mnemonic, format: 'CSR', opcode: MAJOR_OPCODES.SYSTEM, funct3, operands: ['rd', 'csr', funct3 >= 5 ? 'zimm' : 'rs1'], cls: 'system', ext: 'Zicsr', semantics });
const F3 = ['frd', 'frs1', 'frs2', 'rm'] as const;
const FCMP = ['rd', 'frs1', 'frs2'] as const;

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
  // ---- Zicsr (only the F CSRs fflags, frm, fcsr exist) ----
  csr('csrrw', 1, 't = csr; csr = rs1; rd = t (rd == zero: csr is not read)'),
  csr('csrrs', 2, 't = csr; csr = t | rs1 (not written when rs1 is zero); rd = t'),
  csr('csrrc', 3, 't = csr; csr = t & ~rs1 (not written when rs1 is zero); rd = t'),
  csr('csrrwi', 5, 't = csr; csr = zimm; rd = t'),
  csr('csrrsi', 6, 't = csr; csr = t | zimm (not written when zimm is 0); rd = t'),
  csr('csrrci', 7, 't = csr; csr = t & ~zimm (not written when zimm is 0); rd = t'),
  // ---- F: single-precision floating point ----
  { mnemonic: 'flw', format: 'I', opcode: MAJOR_OPCODES.LOAD_FP, funct3: 2, operands: ['frd', 'mem'], cls: 'load', ext: 'F', semantics: 'frd = mem32[rs1 + imm] (bits unchanged, NaN payloads kept)' },
  { mnemonic: 'fsw', format: 'S', opcode: MAJOR_OPCODES.STORE_FP, funct3: 2, operands: ['frs2', 'mem'], cls: 'store', ext: 'F', semantics: 'mem32[rs1 + imm] = frs2 (bits unchanged)' },
  fma('fmadd.s', MAJOR_OPCODES.MADD, 'frd = round(frs1 * frs2 + frs3) with a single rounding; 0 * inf raises NV even when frs3 is a quiet NaN'),
  fma('fmsub.s', MAJOR_OPCODES.MSUB, 'frd = round(frs1 * frs2 - frs3), single rounding'),
  fma('fnmsub.s', MAJOR_OPCODES.NMSUB, 'frd = round(-(frs1 * frs2) + frs3), single rounding'),
  fma('fnmadd.s', MAJOR_OPCODES.NMADD, 'frd = round(-(frs1 * frs2) - frs3), single rounding'),
  fp('fadd.s', 0x00, F3, 'frd = round(frs1 + frs2)'),
  fp('fsub.s', 0x04, F3, 'frd = round(frs1 - frs2)'),
  fp('fmul.s', 0x08, F3, 'frd = round(frs1 * frs2)'),
  fp('fdiv.s', 0x0c, F3, 'frd = round(frs1 / frs2); x / 0 for finite x != 0 gives inf and raises DZ'),
  fp('fsqrt.s', 0x2c, ['frd', 'frs1', 'rm'], 'frd = round(sqrt(frs1)); sqrt(-0) = -0; negative input gives the canonical NaN and NV', { rs2: 0 }),
  fp('fsgnj.s', 0x10, ['frd', 'frs1', 'frs2'], 'frd = {frs2[31], frs1[30:0]} (bit operation: no flags, NaNs kept)', { funct3: 0 }),
  fp('fsgnjn.s', 0x10, ['frd', 'frs1', 'frs2'], 'frd = {~frs2[31], frs1[30:0]}', { funct3: 1 }),
  fp('fsgnjx.s', 0x10, ['frd', 'frs1', 'frs2'], 'frd = {frs1[31] ^ frs2[31], frs1[30:0]}', { funct3: 2 }),
  fp('fmin.s', 0x14, ['frd', 'frs1', 'frs2'], 'frd = minimumNumber(frs1, frs2): -0 < +0; one NaN input gives the other input; two NaNs give the canonical NaN; NV for a signaling NaN input', { funct3: 0 }),
  fp('fmax.s', 0x14, ['frd', 'frs1', 'frs2'], 'frd = maximumNumber(frs1, frs2), as fmin.s', { funct3: 1 }),
  fp('fcvt.w.s', 0x60, ['rd', 'frs1', 'rm'], 'rd = int32(round(frs1)); out of range or NaN: NV and rd = 2^31-1 (NaN, too large, +inf) or -2^31 (too small, -inf); NX when inexact', { rs2: 0 }),
  fp('fcvt.wu.s', 0x60, ['rd', 'frs1', 'rm'], 'rd = uint32(round(frs1)); out of range or NaN: NV and rd = 2^32-1 (NaN, too large, +inf) or 0 (rounded below 0, -inf); NX when inexact', { rs2: 1 }),
  fp('fmv.x.w', 0x70, ['rd', 'frs1'], 'rd = frs1 (bits unchanged)', { funct3: 0, rs2: 0 }),
  fp('feq.s', 0x50, FCMP, 'rd = frs1 == frs2 ? 1 : 0 (NaN: 0; NV only for a signaling NaN)', { funct3: 2 }),
  fp('flt.s', 0x50, FCMP, 'rd = frs1 < frs2 ? 1 : 0 (NaN: 0 and NV)', { funct3: 1 }),
  fp('fle.s', 0x50, FCMP, 'rd = frs1 <= frs2 ? 1 : 0 (NaN: 0 and NV)', { funct3: 0 }),
  fp('fclass.s', 0x70, ['rd', 'frs1'], 'rd = one-hot class: bit 0 -inf, 1 negative normal, 2 negative subnormal, 3 -0, 4 +0, 5 positive subnormal, 6 positive normal, 7 +inf, 8 signaling NaN, 9 quiet NaN', { funct3: 1, rs2: 0 }),
  fp('fcvt.s.w', 0x68, ['frd', 'rs1', 'rm'], 'frd = round(float(int32 rs1)); NX when inexact', { rs2: 0 }),
  fp('fcvt.s.wu', 0x68, ['frd', 'rs1', 'rm'], 'frd = round(float(uint32 rs1)); NX when inexact', { rs2: 1 }),
  fp('fmv.w.x', 0x78, ['frd', 'rs1'], 'frd = rs1 (bits unchanged)', { funct3: 0, rs2: 0 }),
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

/** ABI names of the float registers f0-f31. */
export const FP_ABI_NAMES: readonly string[] = [
  'ft0', 'ft1', 'ft2', 'ft3', 'ft4', 'ft5', 'ft6', 'ft7', 'fs0', 'fs1',
  'fa0', 'fa1', 'fa2', 'fa3', 'fa4', 'fa5', 'fa6', 'fa7',
  'fs2', 'fs3', 'fs4', 'fs5', 'fs6', 'fs7', 'fs8', 'fs9', 'fs10', 'fs11', 'ft8', 'ft9', 'ft10', 'ft11',
];

/** Float register number for `f0`-`f31` or an ABI name; undefined otherwise. */
export function fpRegisterNumber(name: string): number | undefined {
  const n = name.toLowerCase();
  const m = /^f([0-9]|[12][0-9]|3[01])$/.exec(n);
  if (m) return Number(m[1]);
  const i = FP_ABI_NAMES.indexOf(n);
  return i < 0 ? undefined : i;
}

/** Rounding-mode names by rm value (5 and 6 are reserved). */
export const ROUNDING_MODES: Readonly<Record<number, string>> = { 0: 'rne', 1: 'rtz', 2: 'rdn', 3: 'rup', 4: 'rmm', 7: 'dyn' };

/** The CSRs edgesim implements (all from the F extension), by number. */
export const CSR_NAMES: Readonly<Record<number, string>> = { 0x001: 'fflags', 0x002: 'frm', 0x003: 'fcsr' };

/** Custom opcode space names, for documentation. */
export const CUSTOM_SPACES: Readonly<Record<number, string>> = {
  [MAJOR_OPCODES.CUSTOM0]: 'custom-0', [MAJOR_OPCODES.CUSTOM1]: 'custom-1', [MAJOR_OPCODES.CUSTOM2]: 'custom-2', [MAJOR_OPCODES.CUSTOM3]: 'custom-3',
};
