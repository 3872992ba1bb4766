import { ABI_NAMES, CSR_NAMES, FP_ABI_NAMES, ROUNDING_MODES, type OperandKind } from './opcodes.js';
import { tryDecodeInstr } from './decode.js';
import { hexWord, type Instr } from './instr.js';

/** `iorw` letters of a 4-bit fence set (i=8, o=4, r=2, w=1); the empty set is `0`. */
export function fenceSet(bits: number): string {
  const s = ['i', 'o', 'r', 'w'].filter((_, k) => (bits & (8 >> k)) !== 0).join('');
  return s === '' ? '0' : s;
}

/** A pc-relative target in canonical form: `.+16`, `.-8`, `.+0`. */
export function relTarget(off: number): string {
  return off < 0 ? `.-${-off}` : `.+${off}`;
}

function operand(ins: Instr, k: OperandKind): string {
  switch (k) {
    case 'rd': return ABI_NAMES[ins.rd]!;
    case 'rs1': return ABI_NAMES[ins.rs1]!;
    case 'rs2': return ABI_NAMES[ins.rs2]!;
    case 'imm': case 'shamt': case 'acc': return String(ins.imm);
    case 'mem': return `${ins.imm}(${ABI_NAMES[ins.rs1]!})`;
    case 'boff': case 'joff': return relTarget(ins.imm);
    case 'uimm': return `0x${ins.imm.toString(16)}`;
    case 'pred': return fenceSet(ins.imm >> 4);
    case 'succ': return fenceSet(ins.imm & 15);
    case 'frd': return FP_ABI_NAMES[ins.rd]!;
    case 'frs1': return FP_ABI_NAMES[ins.rs1]!;
    case 'frs2': return FP_ABI_NAMES[ins.rs2]!;
    case 'frs3': return FP_ABI_NAMES[ins.rs3]!;
    case 'rm': return ins.rm === 7 ? '' : ROUNDING_MODES[ins.rm] ?? String(ins.rm);
    case 'csr': return CSR_NAMES[ins.imm] ?? `0x${ins.imm.toString(16)}`;
    case 'zimm': return String(ins.rs1);
  }
}

/**
 * Canonical assembly text of `ins`: mnemonic, one space, operands separated by `, `; ABI
 * register names; decimal immediates except U-type (`0x...`); branch and jump targets as
 * `.+N`/`.-N`; float registers by ABI name; a rounding mode only when it is not `dyn` (as GNU
 * objdump prints it); CSRs by name when known, else `0x...`; no pseudo-instructions. `assemble` turns it back into the same word, and GNU as
 * (`-march=rv32im`) accepts the base instructions unchanged.
 */
export function disassemble(ins: Instr): string {
  const ops = ins.def.operands.map((k) => operand(ins, k)).filter((t) => t !== '');
  return ops.length === 0 ? ins.op : `${ins.op} ${ops.join(', ')}`;
}

/** Disassembles a word; an illegal word becomes `.word 0x........  # illegal: reason`. */
export function disassembleWord(word: number): string {
  const r = tryDecodeInstr(word);
  return r.ok ? disassemble(r.instr) : `.word ${hexWord(word)}  # ${r.error.message}`;
}
