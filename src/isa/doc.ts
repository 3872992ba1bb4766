import { ABI_NAMES, CSR_NAMES, CUSTOM_SPACES, FP_ABI_NAMES, OPCODES, ROUNDING_MODES, type IsaExtension, type OpcodeDef } from './opcodes.js';
import { fixedBits, IMM_RANGE, usesField } from './encode.js';
import { operandSyntax, PSEUDOS } from './asm.js';
import { hexWord } from './instr.js';

const bin = (v: number, n: number): string => v.toString(2).padStart(n, '0');

interface Cell { readonly bits: string; readonly text: string }

/** The bit fields of `def`, most significant first, with fixed values filled in. */
export function encodingFields(def: OpcodeDef): readonly Cell[] {
  const has = (k: string): boolean => (def.operands as readonly string[]).includes(k);
  const f3 = def.funct3 === undefined ? (has('rm') ? 'rm' : 'funct3') : bin(def.funct3, 3);
  const f7 = def.funct7 === undefined ? 'funct7' : bin(def.funct7, 7);
  const opc = bin(def.opcode, 7);
  const reg = (k: 'rd' | 'rs1' | 'rs2', bits: string): Cell => {
    if (k === 'rs1' && has('zimm')) return { bits, text: 'zimm' };
    if (has(`f${k}`)) return { bits, text: `f${k}` };
    if (usesField(def, k)) return { bits, text: k };
    return { bits, text: k === 'rs2' && def.rs2 !== undefined ? bin(def.rs2, 5) : '00000' };
  };
  switch (def.format) {
    case 'R4': return [{ bits: '31:27', text: 'frs3' }, { bits: '26:25', text: '00' }, reg('rs2', '24:20'), reg('rs1', '19:15'), { bits: '14:12', text: f3 }, reg('rd', '11:7'), { bits: '6:0', text: opc }];
    case 'CSR': return [{ bits: '31:20', text: 'csr' }, reg('rs1', '19:15'), { bits: '14:12', text: f3 }, reg('rd', '11:7'), { bits: '6:0', text: opc }];
    case 'R': return [{ bits: '31:25', text: f7 }, reg('rs2', '24:20'), reg('rs1', '19:15'), { bits: '14:12', text: f3 }, reg('rd', '11:7'), { bits: '6:0', text: opc }];
    case 'RA': return [{ bits: '31:25', text: 'N' }, reg('rs2', '24:20'), reg('rs1', '19:15'), { bits: '14:12', text: f3 }, reg('rd', '11:7'), { bits: '6:0', text: opc }];
    case 'I': return [{ bits: '31:20', text: 'imm[11:0]' }, reg('rs1', '19:15'), { bits: '14:12', text: f3 }, reg('rd', '11:7'), { bits: '6:0', text: opc }];
    case 'IS': return [{ bits: '31:25', text: f7 }, { bits: '24:20', text: 'shamt' }, reg('rs1', '19:15'), { bits: '14:12', text: f3 }, reg('rd', '11:7'), { bits: '6:0', text: opc }];
    case 'S': return [{ bits: '31:25', text: 'imm[11:5]' }, reg('rs2', '24:20'), reg('rs1', '19:15'), { bits: '14:12', text: f3 }, { bits: '11:7', text: 'imm[4:0]' }, { bits: '6:0', text: opc }];
    case 'B': return [{ bits: '31', text: 'imm[12]' }, { bits: '30:25', text: 'imm[10:5]' }, reg('rs2', '24:20'), reg('rs1', '19:15'), { bits: '14:12', text: f3 }, { bits: '11:8', text: 'imm[4:1]' }, { bits: '7', text: 'imm[11]' }, { bits: '6:0', text: opc }];
    case 'U': return [{ bits: '31:12', text: 'uimm20' }, reg('rd', '11:7'), { bits: '6:0', text: opc }];
    case 'J': return [{ bits: '31', text: 'imm[20]' }, { bits: '30:21', text: 'imm[10:1]' }, { bits: '20', text: 'imm[11]' }, { bits: '19:12', text: 'imm[19:12]' }, reg('rd', '11:7'), { bits: '6:0', text: opc }];
    case 'FENCE': return [{ bits: '31:28', text: '0000' }, { bits: '27:24', text: 'pred' }, { bits: '23:20', text: 'succ' }, { bits: '19:15', text: '00000' }, { bits: '14:12', text: f3 }, { bits: '11:7', text: '00000' }, { bits: '6:0', text: opc }];
    case 'SYS': {
      const w = def.word ?? 0;
      return [{ bits: '31:20', text: bin(w >>> 20, 12) }, { bits: '19:15', text: '00000' }, { bits: '14:12', text: '000' }, { bits: '11:7', text: '00000' }, { bits: '6:0', text: opc }];
    }
  }
}

function diagram(cells: readonly Cell[]): string {
  return `| ${cells.map((c) => c.bits).join(' | ')} |\n|${cells.map(() => ':---:').join('|')}|\n| ${cells.map((c) => c.text).join(' | ')} |`;
}

const EXT_TITLE: Record<IsaExtension, string> = {
  RV32I: 'RV32I base integer instructions',
  RV32M: 'RV32M multiply and divide',
  Zicsr: 'Zicsr: CSR access (the F CSRs only)',
  F: 'F: single-precision floating point (RV32F)',
  Xedma: 'Xedma: DMA (custom-0, opcode 0x0b)',
  Xeacc: 'Xeacc: accelerator commands (custom-1, opcode 0x2b)',
  Xesimd: 'Xesimd: packed int8 SIMD (custom-2, opcode 0x5b)',
  Xesync: 'Xesync: synchronization (custom-3, opcode 0x7b)',
};

const EXT_INTRO: Record<IsaExtension, string | readonly string[]> = {
  RV32I: 'Standard RISC-V encodings and semantics (The RISC-V Instruction Set Manual, Volume I, RV32I). Not included: FENCE.TSO/PAUSE (fence with fm != 0 is illegal here), FENCE.I (Zifencei). CSR instructions are listed under Zicsr (only the F CSRs exist).',
  RV32M: 'Standard RISC-V M extension. Division by zero and overflow do not trap; results are as listed.',
  Zicsr: [
    'Standard RISC-V encodings. The only CSRs are those of the F extension: `fflags` (0x001, accrued exceptions NV=bit 4, DZ=3, OF=2, UF=1, NX=0), `frm` (0x002, dynamic rounding mode) and `fcsr` (0x003 = frm << 5 | fflags); they exist when the core implements F. Any other CSR number is an illegal instruction at execution.',
    'Writes keep only the implemented bits (fflags 5, frm 3, fcsr 8). csrrw with rd = zero does not read; csrrs/csrrc with rs1 = zero and the immediate forms with zimm = 0 do not write.',
  ],
  F: [
    'Standard RISC-V F extension (IEEE 754-2008 binary32) with the standard encodings (LOAD-FP 0x07, STORE-FP 0x27, MADD 0x43, MSUB 0x47, NMSUB 0x4b, NMADD 0x4f, OP-FP 0x53). 32 float registers f0-f31 of 32 bits, separate from the integer registers; a register holds bits, so flw, fsw, fmv.*, fsgnj* keep NaN payloads.',
    'Rounding mode `rm` (funct3): 0 rne (to nearest, ties to even), 1 rtz (toward zero), 2 rdn (down), 3 rup (up), 4 rmm (to nearest, ties away from zero), 7 dyn (the mode in `frm`); 5 and 6 are reserved (illegal), and dyn with frm >= 5 is an illegal instruction. In assembly `rm` is an optional last operand, default dyn (as GNU as; the disassembler prints it only when it is not dyn).',
    'Results are correctly rounded in every rounding mode, including the fused multiply-adds (one rounding). Every NaN result is the canonical NaN 0x7fc00000. Accrued flags in fflags: NV, DZ, NX exact; OF when a finite computation overflows (approximation: with rtz/rdn/rup an exact magnitude between the largest float plus half an ulp and 2^128, which IEEE does not count as overflow there, also raises OF); UF when the result is inexact and below 2^-126 in magnitude after rounding (approximation: the IEEE after-rounding corner where an exact result just below 2^-126 rounds up to 2^-126 is not flagged). Exceptions never trap.',
  ],
  Xedma: [
    'Each core has a DMA channel state: `dma.src`, `dma.dst` (byte addresses) and `dma.sstride`, `dma.dstride` (signed byte strides), all 0 at reset and kept across transfers.',
    'A transfer copies from the source to the destination address through the platform interconnect; it runs in the background and is named by a transfer id returned in `rd`.',
    'Typical sequence: `dma.addr src, dst` ; `dma.strd sstride, dstride` (2D only) ; `dma.2d id, rowbytes, rows` ; ... ; `dma.wait id`.',
    'Bytes are copied in order of increasing row and offset; overlapping source and destination ranges give unspecified results.',
  ],
  Xeacc: [
    'Accelerators (AIMC tiles, PE arrays) are numbered 0..127 by the platform; the number N is an immediate in funct7, so one instruction names one accelerator.',
    'A command is a command word (rs1) and an argument word (rs2), optionally preceded by extra argument pairs queued with `acc.arg`. Command-word layouts belong to each accelerator kind and are documented with its module.',
    'Commands to one accelerator complete in order; `acc.cmd` returns a tag used by `acc.wait` and `acc.stat`.',
  ],
  Xesimd: [
    'Packed registers hold four signed int8 lanes: lane k is bits [8k+7:8k]. `sat8(x)` clamps to -128..127. `>>s` is an arithmetic (sign-preserving) shift. All results are written to the whole register.',
    'Digital-layer kernels: `pv.dot.b`/`pv.mac.b` for convolutions and matrix products (int8 x int8 -> int32), `pv.rq` to requantize each int32 accumulator to int8, `pv.pack.b` to gather four int8 results into one word, `pv.max.b`/`pv.avg.b`/`pv.hsum.b` for pooling, `pv.relu.b`/`pv.clip.b` for activations.',
    '`pv.rq` operand layout: rs2 = zp[31:24] | 000[23:21] | shift[20:16] | multiplier[15:0].',
  ],
  Xesync: [
    'Synchronization goes through the cluster event unit: 32 event lines per core (bit k of a mask is event k) and hardware barriers numbered by the platform, each with a member set of cores.',
    'Stalled cores are idle (counted as idle time and clock-gated for energy) until released.',
  ],
};

/** Markdown reference of the instruction set (the content of `docs/ISA.md`), generated from the opcode table. */
export function renderIsaDoc(): string {
  const out: string[] = [];
  const p = (...s: string[]): void => { out.push(...s); };
  p('# edgesim instruction set',
    '',
    '<!-- Generated by renderIsaDoc() in src/isa/doc.ts from src/isa/opcodes.ts; do not edit by hand. -->',
    '',
    'edgesim cores implement RV32IM with the standard RISC-V encodings, optionally the standard F extension (single-precision floating point, with the Zicsr instructions for its CSRs), plus four edgesim extensions in the',
    'RISC-V custom opcode spaces. This document is generated from the same opcode table that drives',
    'the simulator\'s encoder, decoder, assembler and disassembler, and is meant to be enough to target',
    'the cores from a third-party compiler.',
    '',
    'Extensions (RISC-V non-standard `X` names): `Xedma` DMA transfers (custom-0), `Xeacc` accelerator commands (custom-1),',
    '`Xesimd` packed int8 SIMD for digital layers (custom-2), `Xesync` barriers, events and waits (custom-3).',
    'Every edgesim instruction is R-type shaped, so GNU as can emit it with `.insn r opcode, funct3, funct7, rd, rs1, rs2`',
    '(unused registers as `zero`; for `acc.*`, funct7 is the accelerator number N).',
    '',
    '## Conventions',
    '',
    '- Instructions are 32 bits, little-endian in memory, 4-byte aligned. 16-bit compressed instructions are not supported.',
    '- 32 integer registers of 32 bits; `x0` always reads 0 and ignores writes. `pc` is the address of the instruction being executed.',
    '- In semantics: `<s`/`<u` compare signed/unsigned, `>>s`/`>>u` shift arithmetic/logical, `sext`/`zext` sign/zero-extend to 32 bits, `memN[a]` is the N-bit little-endian value at byte address a. Arithmetic wraps modulo 2^32 unless saturation is stated.',
    '- Decoding is strict: a register field an instruction does not use must be 0, and so must FENCE\'s fm, rs1 and rd. Any other word raises an illegal-instruction error that names the word and the pc.',
    '- Misaligned loads and stores (address not a multiple of the access size) are errors; jump and branch targets must be 4-byte aligned.',
    '',
    '## Registers',
    '',
    '| register | ABI name | register | ABI name | register | ABI name | register | ABI name |',
    '|---|---|---|---|---|---|---|---|');
  for (let r = 0; r < 8; r++) {
    p(`| ${[0, 8, 16, 24].map((b) => `x${r + b} | ${ABI_NAMES[r + b]!}${r + b === 8 ? ' / fp' : ''}`).join(' | ')} |`);
  }
  p('', 'Float registers (F extension):', '',
    '| register | ABI name | register | ABI name | register | ABI name | register | ABI name |',
    '|---|---|---|---|---|---|---|---|');
  for (let r = 0; r < 8; r++) {
    p(`| ${[0, 8, 16, 24].map((b) => `f${r + b} | ${FP_ABI_NAMES[r + b]!}`).join(' | ')} |`);
  }
  p('', `CSRs: ${Object.entries(CSR_NAMES).map(([n, name]) => `\`${name}\` (0x${Number(n).toString(16).padStart(3, '0')})`).join(', ')}. Rounding modes: ${Object.entries(ROUNDING_MODES).map(([v, n]) => `${n} = ${v}`).join(', ')}.`);
  p('', '## Formats', '',
    'Bit diagrams list fields from bit 31 down to bit 0. In per-instruction diagrams fixed fields show their binary value and `00000` marks a field that must be zero.',
    '');
  const sample: Record<string, OpcodeDef> = {};
  for (const d of OPCODES) sample[d.format] ??= d;
  const fmtName: Record<string, string> = {
    R: 'R (register-register)', RA: 'RA (R with accelerator number N in funct7; edgesim)', I: 'I (immediate, loads, jalr)', IS: 'IS (shift by immediate)',
    S: 'S (stores)', B: 'B (branches)', U: 'U (upper immediate)', J: 'J (jal)', FENCE: 'FENCE', SYS: 'SYSTEM (ecall, ebreak)',
    R4: 'R4 (fused multiply-add; fmt 00 = single)', CSR: 'CSR (Zicsr)',
  };
  for (const [fmt, d] of Object.entries(sample)) {
    const generic = encodingFields({ ...d, operands: ['rd', 'rs1', 'rs2', 'mem'], funct3: undefined, funct7: undefined } as unknown as OpcodeDef)
      .map((c) => (c.bits === '6:0' ? { ...c, text: 'opcode' } : c));
    const own = d.format === 'SYS' || d.format === 'FENCE' || d.format === 'R4' || d.format === 'CSR';
    const cells = d.format === 'R4' ? encodingFields(d).map((c) => (c.bits === '6:0' ? { ...c, text: 'opcode' } : c)) : own ? encodingFields(d) : generic;
    p(`### ${fmtName[fmt] ?? fmt}`, '', diagram(d.format === 'CSR' ? cells.map((c) => (c.bits === '6:0' ? { ...c, text: 'opcode' } : c.bits === '14:12' ? { ...c, text: 'funct3' } : c.bits === '19:15' ? { ...c, text: 'rs1/zimm' } : c)) : cells), '');
  }
  p('## Immediates', '',
    '| operand | range | encoding |', '|---|---|---|',
    `| I-type \`imm\` / load, jalr offset | ${IMM_RANGE.imm!.min}..${IMM_RANGE.imm!.max} | imm[11:0] in bits 31:20, sign-extended |`,
    `| S-type store offset | ${IMM_RANGE.mem!.min}..${IMM_RANGE.mem!.max} | imm[11:5] in 31:25, imm[4:0] in 11:7, sign-extended |`,
    `| shift amount \`shamt\` | ${IMM_RANGE.shamt!.min}..${IMM_RANGE.shamt!.max} | bits 24:20 |`,
    `| branch offset | ${IMM_RANGE.boff!.min}..${IMM_RANGE.boff!.max}, even | imm[12] 31, imm[10:5] 30:25, imm[4:1] 11:8, imm[11] 7; imm[0] = 0; target = pc + offset |`,
    `| jal offset | ${IMM_RANGE.joff!.min}..${IMM_RANGE.joff!.max}, even | imm[20] 31, imm[10:1] 30:21, imm[11] 20, imm[19:12] 19:12; imm[0] = 0; target = pc + offset |`,
    `| U-type \`uimm20\` | 0..0xfffff | bits 31:12; the value is uimm20 << 12 |`,
    `| accelerator \`N\` | ${IMM_RANGE.acc!.min}..${IMM_RANGE.acc!.max} | funct7, bits 31:25 |`,
    `| fence \`pred\`/\`succ\` | subsets of \`iorw\` | i=bit 3, o=bit 2, r=bit 1, w=bit 0 of each 4-bit field |`,
    `| CSR number \`csr\` | ${IMM_RANGE.csr!.min}..${IMM_RANGE.csr!.max} | bits 31:20, unsigned; written by name (\`fflags\`, \`frm\`, \`fcsr\`) or number |`,
    `| CSR immediate \`zimm\` | ${IMM_RANGE.zimm!.min}..${IMM_RANGE.zimm!.max} | bits 19:15 (the rs1 field), zero-extended |`,
    '| rounding mode `rm` | rne, rtz, rdn, rup, rmm, dyn | funct3 (bits 14:12): 0-4 and 7 |',
    '',
    '## Opcode map', '',
    '| opcode | space | use |', '|---|---|---|');
  const used = [...new Set(OPCODES.map((d) => d.opcode))].sort((a, b) => a - b);
  for (const o of used) {
    const names = OPCODES.filter((d) => d.opcode === o).map((d) => d.mnemonic);
    p(`| 0x${o.toString(16).padStart(2, '0')} (${bin(o, 7)}) | ${CUSTOM_SPACES[o] ?? 'standard'} | ${names.join(', ')} |`);
  }
  p('', 'Every other major opcode, and every unlisted funct3/funct7 combination in the opcodes above, is illegal.', '');
  const exts: IsaExtension[] = ['RV32I', 'RV32M', 'Zicsr', 'F', 'Xedma', 'Xeacc', 'Xesimd', 'Xesync'];
  for (const ext of exts) {
    const defs = OPCODES.filter((d) => d.ext === ext);
    const intro = EXT_INTRO[ext];
    p(`## ${EXT_TITLE[ext]}`, '', ...(typeof intro === 'string' ? [intro] : intro.map((l) => `- ${l}`)), '',
      '| mnemonic | syntax | format | funct3 | funct7 | match | mask | class |', '|---|---|---|---|---|---|---|---|');
    for (const d of defs) {
      const { match, mask } = fixedBits(d);
      p(`| \`${d.mnemonic}\` | \`${syntaxOf(d)}\` | ${d.format} | ${d.funct3 ?? '-'} | ${d.funct7 === undefined ? '-' : `0x${d.funct7.toString(16).padStart(2, '0')}`} | ${hexWord(match)} | ${hexWord(mask)} | ${d.cls} |`);
    }
    p('');
    for (const d of defs) {
      p(`### ${d.mnemonic}`, '', `\`${syntaxOf(d)}\` (class \`${d.cls}\`)`, '', diagram(encodingFields(d)), '', d.semantics, '');
    }
  }
  p('## Assembly syntax', '',
    'The assembler (`assemble` in src/isa/asm.ts) and disassembler (`disassemble`) use GNU-compatible syntax, so the base, F and Zicsr instructions assemble unchanged with `riscv64-unknown-elf-as -march=rv32imf`:',
    '',
    '- One statement per line; `#` starts a comment; `name:` defines a label (several per line allowed).',
    '- Registers `x0`-`x31` or ABI names (`zero ra sp gp tp t0-t6 s0-s11 a0-a7`, `fp` = `s0`); float registers `f0`-`f31` or `ft0-ft11 fs0-fs11 fa0-fa7`.',
    '- Rounding modes as an optional last operand (`fadd.s fa0, fa1, fa2, rtz`), default `dyn`; CSRs by name (`fflags`, `frm`, `fcsr`) or number.',
    '- Integers in decimal, `0x` hex or `0b` binary, optionally negative; `%hi(x)` for U-type and `%lo(x)` for I-type immediates and load/store offsets, where x is an integer, a label or label+offset (lui %hi + addi %lo rebuild x).',
    '- Branch and jump targets: a label, or `.+N` / `.-N` relative to the instruction itself (plain numbers are refused because GNU as reads them as absolute addresses).',
    '- Memory operands `imm(rs1)`; `(rs1)` means offset 0.',
    '- Canonical text (what the disassembler prints): mnemonic, a space, operands separated by `, `, ABI register names, decimal immediates, U-type immediates in hex, targets as `.+N`, fence sets as letters. Canonical text re-assembles to the same word.',
    '- Directives: `.word v[, v...]` (32-bit values or labels), `.align n` / `.p2align n` (nops up to the next address that is a multiple of 2^n bytes, n = 2..16), `.space n` / `.zero n` (n zero bytes, a multiple of 4), `.equ name, value` / `.set` (a constant, usable like a label), `.text`, `.globl` (accepted and ignored).',
    '- Diagnostics report `line:column`, a stable code and a fix (unknown mnemonic with a did-you-mean, bad register, immediate out of range, undefined or duplicate label, wrong operand count, odd branch offset).',
    '',
    '### Pseudo-instructions', '', '| pseudo | expansion |', '|---|---|');
  for (const ps of PSEUDOS) p(`| \`${ps.syntax}\` | ${ps.expansion.includes(' if ') ? ps.expansion : `\`${ps.expansion}\``} |`);
  p('');
  return out.join('\n');
}

function syntaxOf(d: OpcodeDef): string {
  const s = operandSyntax(d);
  return s === '' ? d.mnemonic : `${d.mnemonic} ${s}`;
}
