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
  csr: { min: 0, max: 4095 },
  zimm: { min: 0, max: 31 },
};

/** Whether `def` uses the rd / rs1 / rs2 / rs3 / rm field (integer or float register, memory base, zimm). */
export function usesField(def: OpcodeDef, field: 'rd' | 'rs1' | 'rs2' | 'rs3' | 'rm'): boolean {
  const o = def.operands;
  switch (field) {
    case 'rd': return o.includes('rd') || o.includes('frd');
    case 'rs1': return o.includes('rs1') || o.includes('frs1') || o.includes('mem') || o.includes('zimm');
    case 'rs2': return o.includes('rs2') || o.includes('frs2');
    case 'rs3': return o.includes('frs3');
    case 'rm': return o.includes('rm');
  }
}

/** Match value and mask of the fixed bits of `def` (opcode, functs and reserved-zero fields). */
export function fixedBits(def: OpcodeDef): { readonly match: number; readonly mask: number } {
  if (def.format === 'SYS') return { match: (def.word ?? 0) >>> 0, mask: 0xffffffff };
  let match = def.opcode;
  let mask = 0x7f;
  if (def.funct3 !== undefined) { match |= def.funct3 << 12; mask |= 0x7000; }
  if (def.funct7 !== undefined) { match |= def.funct7 << 25; mask |= 0xfe000000; }
  if (def.format === 'R' || def.format === 'RA' || def.format === 'R4') {
    if (!usesField(def, 'rd')) mask |= 0xf80;
    if (!usesField(def, 'rs1')) mask |= 0xf8000;
    if (!usesField(def, 'rs2')) { mask |= 0x1f00000; match |= (def.rs2 ?? 0) << 20; }
  }
  if (def.format === 'R4') mask |= 0x06000000; // fmt = 00 (single precision)
  if (def.format === 'FENCE') mask |= 0xf00f8f80;
  return { match: match >>> 0, mask: mask >>> 0 };
}

function checkReg(ins: Instr, field: 'rd' | 'rs1' | 'rs2' | 'rs3'): number {
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
  if (usesField(def, 'rd')) w |= checkReg(ins, 'rd') << 7;
  if (usesField(def, 'rs1')) w |= checkReg(ins, 'rs1') << 15;
  if (usesField(def, 'rs2')) w |= checkReg(ins, 'rs2') << 20;
  if (usesField(def, 'rs3')) w |= checkReg(ins, 'rs3') << 27;
  if (usesField(def, 'rm')) {
    const rm = ins.rm;
    if (!Number.isInteger(rm) || rm < 0 || rm > 7 || rm === 5 || rm === 6) throw new SimError('bad-operand', `${ins.op}: rounding mode must be 0-4 or 7 (dyn), got ${rm}`);
    w |= rm << 12;
  }
  switch (def.format) {
    case 'R':
    case 'R4':
    case 'SYS':
      break;
    case 'CSR':
      w |= checkImm(ins, 'csr') << 20;
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
