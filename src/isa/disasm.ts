import { ABI_NAMES, type OperandKind } from './opcodes.js';
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
  }
}

/**
 * Canonical assembly text of `ins`: mnemonic, one space, operands separated by `, `; ABI
 * register names; decimal immediates except U-type (`0x...`); branch and jump targets as
 * `.+N`/`.-N`; no pseudo-instructions. `assemble` turns it back into the same word, and GNU as
 * (`-march=rv32im`) accepts the base instructions unchanged.
 */
export function disassemble(ins: Instr): string {
  const ops = ins.def.operands.map((k) => operand(ins, k));
  return ops.length === 0 ? ins.op : `${ins.op} ${ops.join(', ')}`;
}

/** Disassembles a word; an illegal word becomes `.word 0x........  # illegal: reason`. */
export function disassembleWord(word: number): string {
  const r = tryDecodeInstr(word);
  return r.ok ? disassemble(r.instr) : `.word ${hexWord(word)}  # ${r.error.message}`;
}
