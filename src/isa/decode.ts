import { SimError } from '../util/index.js';
import { OPCODES, CUSTOM_SPACES, type OpcodeDef } from './opcodes.js';
import { fixedBits, usesField } from './encode.js';
import { hexWord, type Instr } from './instr.js';

interface Row { readonly def: OpcodeDef; readonly match: number; readonly mask: number }

/** Rows by major opcode (bits [6:0]). */
const BY_OPCODE: readonly (readonly Row[])[] = (() => {
  const t: Row[][] = Array.from({ length: 128 }, () => []);
  for (const def of OPCODES) t[def.opcode]!.push({ def, ...fixedBits(def) });
  return t;
})();

const sext = (v: number, bits: number): number => (v << (32 - bits)) >> (32 - bits);

function fields(def: OpcodeDef, w: number): Instr {
  const rd = (w >>> 7) & 31;
  const rs1 = (w >>> 15) & 31;
  const rs2 = (w >>> 20) & 31;
  let imm = 0;
  switch (def.format) {
    case 'R': case 'R4': case 'SYS': break;
    case 'CSR': imm = w >>> 20; break;
    case 'I': imm = w >> 20; break;
    case 'IS': imm = rs2; break;
    case 'S': imm = ((w >> 25) << 5) | ((w >>> 7) & 31); break;
    case 'B':
      imm = sext(((w >>> 31) << 12) | (((w >>> 7) & 1) << 11) | (((w >>> 25) & 0x3f) << 5) | (((w >>> 8) & 0xf) << 1), 13);
      break;
    case 'U': imm = w >>> 12; break;
    case 'J':
      imm = sext(((w >>> 31) << 20) | (((w >>> 12) & 0xff) << 12) | (((w >>> 20) & 1) << 11) | (((w >>> 21) & 0x3ff) << 1), 21);
      break;
    case 'FENCE': imm = (w >>> 20) & 0xff; break;
    case 'RA': imm = w >>> 25; break;
  }
  return {
    op: def.mnemonic, def,
    rd: usesField(def, 'rd') ? rd : 0,
    rs1: usesField(def, 'rs1') ? rs1 : 0,
    rs2: usesField(def, 'rs2') ? rs2 : 0,
    rs3: usesField(def, 'rs3') ? w >>> 27 : 0,
    rm: usesField(def, 'rm') ? (w >>> 12) & 7 : 0,
    imm,
  };
}

/** Outcome of {@link tryDecodeInstr}. */
export type DecodeOutcome = { readonly ok: true; readonly instr: Instr } | { readonly ok: false; readonly error: SimError };

function illegal(w: number, why: string): DecodeOutcome {
  return { ok: false, error: new SimError('illegal-instruction', `illegal instruction ${hexWord(w)}: ${why}`) };
}

/**
 * Decodes any 32-bit word: an instruction, or `SimError('illegal-instruction')` naming the word
 * and the reason. Decoding is strict: fields an instruction does not use must be zero, so every
 * legal word re-encodes to itself.
 */
export function tryDecodeInstr(word: number): DecodeOutcome {
  const w = word >>> 0;
  if ((w & 3) !== 3) return illegal(w, 'bits [1:0] are not 11 (16-bit compressed instructions are not supported)');
  const opcode = w & 0x7f;
  const rows = BY_OPCODE[opcode]!;
  for (const r of rows) {
    if (((w & r.mask) >>> 0) !== r.match) continue;
    const instr = fields(r.def, w);
    if (instr.rm === 5 || instr.rm === 6) return illegal(w, `${instr.op} with reserved rounding mode ${instr.rm} (funct3)`);
    return { ok: true, instr };
  }
  if (rows.length === 0) return illegal(w, `major opcode 0x${opcode.toString(16).padStart(2, '0')} is not used by RV32IMF or the edgesim extensions`);
  const f3 = (w >>> 12) & 7;
  const f7 = w >>> 25;
  const near = rows.filter((r) => {
    const sel = (0x7f | (r.def.funct3 === undefined ? 0 : 0x7000) | (r.def.funct7 === undefined ? 0 : 0xfe000000)) >>> 0;
    return ((w & sel) >>> 0) === ((r.match & sel) >>> 0);
  });
  const space = CUSTOM_SPACES[opcode];
  const where = space === undefined ? `opcode 0x${opcode.toString(16).padStart(2, '0')}` : `${space} (opcode 0x${opcode.toString(16)})`;
  if (near.length > 0) {
    const d = near[0]!.def;
    return illegal(w, `looks like ${d.mnemonic} but a field it does not use (${reservedNames(d)}) is not zero`);
  }
  return illegal(w, `no instruction with funct3=${f3}${rows.some((r) => r.def.funct7 !== undefined) ? ` funct7=0x${f7.toString(16)}` : ''} in ${where}`);
}

function reservedNames(d: OpcodeDef): string {
  if (d.format === 'SYS') return 'bits [31:7]';
  if (d.format === 'FENCE') return 'fm, rs1, rd';
  const out: string[] = [];
  for (const f of ['rd', 'rs1', 'rs2'] as const) if (!usesField(d, f)) out.push(f);
  if (d.format === 'R4') out.push('fmt (bits 26:25)');
  return out.join(', ');
}

/** Decodes `word`; throws `SimError('illegal-instruction')` naming the word when it is not an instruction. */
export function decodeInstr(word: number): Instr {
  const r = tryDecodeInstr(word);
  if (!r.ok) throw r.error;
  return r.instr;
}
