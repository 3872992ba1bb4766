import { SimError } from '../util/index.js';
import { opcodeDef, type OpcodeDef } from './opcodes.js';

/**
 * A decoded instruction: one record type for every opcode, so a core can keep decoded
 * instructions in a flat cache. Fields an instruction does not use are 0.
 *
 * `imm` by format: I/S sign-extended 12-bit immediate; IS the shift amount; B/J the signed
 * pc-relative byte offset; U the 20-bit upper immediate (0..0xfffff, not shifted); FENCE
 * `pred << 4 | succ`; RA the accelerator number; CSR the CSR number (0..4095, unsigned); R, R4
 * and SYS 0. Float register operands use the same fields (`rd` = frd, ...); `rs3` is the R4
 * third source; `rm` the rounding-mode field (funct3) of instructions with an `rm` operand; a
 * CSR `zimm` is held in `rs1`.
 */
export interface Instr {
  /** Mnemonic, equal to `def.mnemonic`. */
  readonly op: string;
  /** The opcode-table row. */
  readonly def: OpcodeDef;
  readonly rd: number;
  readonly rs1: number;
  readonly rs2: number;
  /** R4 (fused multiply-add) third source register, else 0. */
  readonly rs3: number;
  /** Rounding mode (0 rne, 1 rtz, 2 rdn, 3 rup, 4 rmm, 7 dyn) for rows with an `rm` operand, else 0. */
  readonly rm: number;
  readonly imm: number;
}

/** Builds an instruction record from a mnemonic; unused fields default to 0, `rm` to 7 (dyn) when the row has one. Does not range-check (see `encodeInstr`). */
export function makeInstr(op: string, f: { rd?: number; rs1?: number; rs2?: number; rs3?: number; rm?: number; imm?: number } = {}): Instr {
  const def = opcodeDef(op);
  if (def === undefined) throw new SimError('unknown-mnemonic', `unknown mnemonic '${op}'`);
  const hasRm = def.operands.includes('rm');
  return { op, def, rd: f.rd ?? 0, rs1: f.rs1 ?? 0, rs2: f.rs2 ?? 0, rs3: f.rs3 ?? 0, rm: hasRm ? f.rm ?? 7 : 0, imm: f.imm ?? 0 };
}

/** `0x0000abcd`: how words are named in messages. */
export function hexWord(w: number): string {
  return `0x${(w >>> 0).toString(16).padStart(8, '0')}`;
}
