import { Rng } from '../../src/util/index.js';
import { IMM_RANGE, makeInstr, type Instr, type OpcodeDef } from '../../src/isa/index.js';

/** A random instruction of `def` with in-range operands; `edge` picks range ends and zero. */
export function randomInstr(def: OpcodeDef, rng: Rng, edge = false): Instr {
  let imm = 0;
  let fence = 0;
  const f: { rd?: number; rs1?: number; rs2?: number; rs3?: number; rm?: number; imm?: number } = {};
  for (const k of def.operands) {
    if (k === 'rd' || k === 'rs1' || k === 'rs2') { f[k] = rng.int(32); continue; }
    if (k === 'frd' || k === 'frs1' || k === 'frs2' || k === 'frs3') { f[k === 'frd' ? 'rd' : k === 'frs1' ? 'rs1' : k === 'frs2' ? 'rs2' : 'rs3'] = rng.int(32); continue; }
    if (k === 'rm') { f.rm = [0, 1, 2, 3, 4, 7][rng.int(6)]!; continue; }
    if (k === 'zimm') { f.rs1 = rng.int(32); continue; }
    if (k === 'mem') { f.rs1 = rng.int(32); }
    if (k === 'pred' || k === 'succ') { fence |= (1 + rng.int(15)) << (k === 'pred' ? 4 : 0); continue; }
    const r = IMM_RANGE[k]!;
    const span = (r.max - r.min) / (r.even === true ? 2 : 1) + 1;
    if (edge) {
      const picks = [r.min, r.max, 0, r.even === true ? 2 : 1, r.even === true ? -2 : -1].filter((v) => v >= r.min && v <= r.max);
      imm = picks[rng.int(picks.length)]!;
    } else {
      imm = r.min + rng.int(span) * (r.even === true ? 2 : 1);
    }
  }
  f.imm = def.format === 'FENCE' ? fence : imm;
  return makeInstr(def.mnemonic, f);
}
