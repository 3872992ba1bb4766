import { SimError } from '../util/index.js';
import { opcodeDef, type OpcodeDef } from './opcodes.js';

/**
 * A decoded instruction: one record type for every opcode, so a core can keep decoded
 * instructions in a flat cache. Fields an instruction does not use are 0.
 *
 * `imm` by format: I/S sign-extended 12-bit immediate; IS the shift amount; B/J the signed
 * pc-relative byte offset; U the 20-bit upper immediate (0..0xfffff, not shifted); FENCE
 * `pred << 4 | succ`; RA the accelerator number; R and SYS 0.
 */
export interface Instr {
  /** Mnemonic, equal to `def.mnemonic`. */
  readonly op: string;
  /** The opcode-table row. */
  readonly def: OpcodeDef;
  readonly rd: number;
  readonly rs1: number;
  readonly rs2: number;
  readonly imm: number;
}

/** Builds an instruction record from a mnemonic; unused fields default to 0. Does not range-check (see `encodeInstr`). */
export function makeInstr(op: string, f: { rd?: number; rs1?: number; rs2?: number; imm?: number } = {}): Instr {
  const def = opcodeDef(op);
  if (def === undefined) throw new SimError('unknown-mnemonic', `unknown mnemonic '${op}'`);
  return { op, def, rd: f.rd ?? 0, rs1: f.rs1 ?? 0, rs2: f.rs2 ?? 0, imm: f.imm ?? 0 };
}

/** `0x0000abcd`: how words are named in messages. */
export function hexWord(w: number): string {
  return `0x${(w >>> 0).toString(16).padStart(8, '0')}`;
}
