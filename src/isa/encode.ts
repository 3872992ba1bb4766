import { SimError } from '../util/index.js';
import type { OpcodeDef, OperandKind } from './opcodes.js';
import type { Instr } from './instr.js';

/** Inclusive range of each immediate-like operand, and whether it must be even. */
export const IMM_RANGE: Readonly<Partial<Record<OperandKind, { readonly min: number; readonly max: number; readonly even?: boolean }>>> = {
  imm: { min: -2048, max: 2047 },
  mem: { min: -2048, max: 2047 },
  shamt: { min: 0, max: 31 },
  boff: { min: -4096, max: 4094, even: true },
  joff: { min: -1048576, max: 1048574, even: true },
  uimm: { min: 0, max: 0xfffff },
  acc: { min: 0, max: 127 },
};

/** Match value and mask of the fixed bits of `def` (opcode, functs and reserved-zero fields). */
export function fixedBits(def: OpcodeDef): { readonly match: number; readonly mask: number } {
  if (def.format === 'SYS') return { match: (def.word ?? 0) >>> 0, mask: 0xffffffff };
  let match = def.opcode;
  let mask = 0x7f;
  if (def.funct3 !== undefined) { match |= def.funct3 << 12; mask |= 0x7000; }
  if (def.funct7 !== undefined) { match |= def.funct7 << 25; mask |= 0xfe000000; }
  if (def.format === 'R' || def.format === 'RA') {
    if (!def.operands.includes('rd')) mask |= 0xf80;
    if (!def.operands.includes('rs1')) mask |= 0xf8000;
    if (!def.operands.includes('rs2')) mask |= 0x1f00000;
  }
  if (def.format === 'FENCE') mask |= 0xf00f8f80;
  return { match: match >>> 0, mask: mask >>> 0 };
}

function checkReg(ins: Instr, field: 'rd' | 'rs1' | 'rs2'): number {
  const v = ins[field];
  if (!Number.isInteger(v) || v < 0 || v > 31) throw new SimError('bad-operand', `${ins.op}: ${field} must be a register number 0-31, got ${v}`);
  return v;
}

function checkImm(ins: Instr, kind: OperandKind): number {
  const r = IMM_RANGE[kind];
  const v = ins.imm;
  if (r !== undefined && (!Number.isInteger(v) || v < r.min || v > r.max)) {
    throw new SimError('bad-operand', `${ins.op}: immediate ${v} out of range ${r.min}..${r.max}`);
  }
  if (r?.even === true && (v & 1) !== 0) throw new SimError('bad-operand', `${ins.op}: offset ${v} must be even`);
  return v;
}

/**
 * The 32-bit word of `ins` (unsigned). Throws `SimError('bad-operand')` for a register or
 * immediate out of range; fields the instruction does not use are ignored.
 */
export function encodeInstr(ins: Instr): number {
  const def = ins.def;
  const { match } = fixedBits(def);
  const ops = def.operands;
  let w = match;
  if (ops.includes('rd')) w |= checkReg(ins, 'rd') << 7;
  if (ops.includes('rs1') || ops.includes('mem')) w |= checkReg(ins, 'rs1') << 15;
  if (ops.includes('rs2')) w |= checkReg(ins, 'rs2') << 20;
  switch (def.format) {
    case 'R':
    case 'SYS':
      break;
    case 'I':
      w |= (checkImm(ins, ops.includes('mem') ? 'mem' : 'imm') & 0xfff) << 20;
      break;
    case 'IS':
      w |= checkImm(ins, 'shamt') << 20;
      break;
    case 'S': {
      const v = checkImm(ins, 'mem');
      w |= ((v >> 5) & 0x7f) << 25 | (v & 0x1f) << 7;
      break;
    }
    case 'B': {
      const v = checkImm(ins, 'boff');
      w |= ((v >> 12) & 1) << 31 | ((v >> 5) & 0x3f) << 25 | ((v >> 1) & 0xf) << 8 | ((v >> 11) & 1) << 7;
      break;
    }
    case 'U':
      w |= checkImm(ins, 'uimm') << 12;
      break;
    case 'J': {
      const v = checkImm(ins, 'joff');
      w |= ((v >> 20) & 1) << 31 | ((v >> 1) & 0x3ff) << 21 | ((v >> 11) & 1) << 20 | ((v >> 12) & 0xff) << 12;
      break;
    }
    case 'FENCE': {
      const v = ins.imm;
      if (!Number.isInteger(v) || v < 0 || v > 0xff) throw new SimError('bad-operand', `fence: pred/succ must be 4-bit sets, got ${v}`);
      w |= v << 20;
      break;
    }
    case 'RA':
      w |= checkImm(ins, 'acc') << 25;
      break;
  }
  return w >>> 0;
}
