import { describe, expect, it } from 'vitest';
import { deriveRng, SimError } from '../../src/util/index.js';
import {
  assemble, decodeInstr, tryDecodeInstr, disassemble, disassembleWord, encodeInstr, fixedBits, makeInstr, OPCODES,
  registerNumber, fpRegisterNumber, type Instr,
} from '../../src/isa/index.js';
import { simError } from '../helpers/sim-error.js';
import { randomInstr } from './helpers.js';

const same = (a: Instr, b: Instr): void => {
  expect({ op: b.op, rd: b.rd, rs1: b.rs1, rs2: b.rs2, rs3: b.rs3, rm: b.rm, imm: b.imm }).toEqual({ op: a.op, rd: a.rd, rs1: a.rs1, rs2: a.rs2, rs3: a.rs3, rm: a.rm, imm: a.imm });
};

describe('opcode table', () => {
  it('has unique mnemonics and no two rows that match the same word', () => {
    expect(new Set(OPCODES.map((d) => d.mnemonic)).size).toBe(OPCODES.length);
    for (const a of OPCODES) {
      for (const b of OPCODES) {
        if (a === b) continue;
        const fa = fixedBits(a);
        const fb = fixedBits(b);
        const common = (fa.mask & fb.mask) >>> 0;
        expect(((fa.match & common) >>> 0) !== ((fb.match & common) >>> 0), `${a.mnemonic} overlaps ${b.mnemonic}`).toBe(true);
      }
    }
  });

  it('covers RV32IM and puts every extension instruction in a custom opcode space', () => {
    const base = OPCODES.filter((d) => d.ext === 'RV32I' || d.ext === 'RV32M');
    expect(base.length).toBe(48);
    for (const d of OPCODES.filter((x) => x.ext.startsWith('X'))) expect([0x0b, 0x2b, 0x5b, 0x7b]).toContain(d.opcode);
  });

  it('puts F in the standard RISC-V opcodes and knows the float register names', () => {
    expect(OPCODES.filter((d) => d.ext === 'F').length).toBe(26);
    for (const d of OPCODES.filter((x) => x.ext === 'F')) expect([0x07, 0x27, 0x43, 0x47, 0x4b, 0x4f, 0x53]).toContain(d.opcode);
    expect(fpRegisterNumber('ft0')).toBe(0);
    expect(fpRegisterNumber('fs0')).toBe(8);
    expect(fpRegisterNumber('fa0')).toBe(10);
    expect(fpRegisterNumber('fs2')).toBe(18);
    expect(fpRegisterNumber('ft11')).toBe(31);
    expect(fpRegisterNumber('f31')).toBe(31);
    expect(fpRegisterNumber('a0')).toBeUndefined();
    expect(registerNumber('fa0')).toBeUndefined();
  });

  it('F assembly diagnostics: integer register for a float operand, bad rounding mode', () => {
    const r = assemble('fadd.s a0, fa1, fa2\nfadd.s fa0, fa1, fa2, rxx\nfmv.x.w fa0, fa1\ncsrrw a0, mstatus, a1');
    expect(r.diagnostics.map((d) => [d.code, d.line])).toEqual([['bad-register', 1], ['bad-operand', 2], ['bad-register', 3], ['bad-operand', 4]]);
    expect(r.diagnostics[0]!.fix).toContain('fmv.w.x');
  });

  it('knows every register name', () => {
    expect(registerNumber('zero')).toBe(0);
    expect(registerNumber('fp')).toBe(8);
    expect(registerNumber('s0')).toBe(8);
    expect(registerNumber('x31')).toBe(31);
    expect(registerNumber('t6')).toBe(31);
    expect(registerNumber('x32')).toBeUndefined();
    expect(registerNumber('a8')).toBeUndefined();
  });
});

describe('round trip for every opcode', () => {
  for (const def of OPCODES) {
    it(`${def.mnemonic}: encode -> decode -> disassemble -> assemble`, () => {
      const rng = deriveRng(1, 'isa.roundtrip', def.mnemonic);
      for (let i = 0; i < 200; i++) {
        const ins = randomInstr(def, rng, i % 4 === 0);
        const w = encodeInstr(ins);
        const back = decodeInstr(w);
        same(ins, back);
        expect(encodeInstr(back)).toBe(w);
        const text = disassemble(back);
        const asm = assemble(text, { origin: 0x1000 });
        expect(asm.diagnostics, text).toEqual([]);
        expect(asm.words, text).toEqual([w]);
        expect(disassembleWord(w)).toBe(text);
      }
    });
  }
});

describe('known encodings (from GNU as)', () => {
  const cases: [string, number][] = [
    ['beq a0, a1, .+16', 0x00b50863],
    ['jal ra, .-8', 0xff9ff0ef],
    ['lui a0, 0x12345', 0x12345537],
    ['slli a0, a0, 3', 0x00351513],
    ['jalr ra, 0(a0)', 0x000500e7],
    ['fence iorw, iorw', 0x0ff0000f],
    ['fence r, w', 0x0210000f],
    ['lw s0, -4(sp)', 0xffc12403],
    ['ecall', 0x00000073],
    ['ebreak', 0x00100073],
    ['addi zero, zero, 0', 0x00000013],
    ['srai a0, a1, 31', 0x41f5d513],
    ['sw a1, -2048(a0)', 0x80b52023],
    ['sb t6, 2047(t6)', 0x7fff8fa3],
    ['bge zero, zero, .-4096', 0x80005063],
    ['bltu t6, t6, .+4094', 0x7fffefe3],
    ['jal zero, .+1048574', 0x7ffff06f],
    ['jal zero, .-1048576', 0x8000006f],
    ['lui t6, 0xfffff', 0xfffffFb7],
    ['addi a0, a0, -1', 0xfff50513],
    ['mulhsu a0, a1, a2', 0x02c5a533],
    ['remu t0, t1, t2', 0x027372b3],
    // F and Zicsr (GNU as -march=rv32imf; objdump omits rm when it is dyn)
    ['flw fa0, 8(sp)', 0x00812507],
    ['fsw fa0, -4(a0)', 0xfea52e27],
    ['fmadd.s ft0, ft1, ft2, ft3', 0x1820f043],
    ['fmadd.s ft0, ft1, ft2, ft3, rtz', 0x18209043],
    ['fadd.s fa0, fa1, fa2', 0x00c5f553],
    ['fadd.s fa0, fa1, fa2, rne', 0x00c58553],
    ['fsqrt.s fa0, fa1', 0x5805f553],
    ['fsgnj.s fa0, fa1, fa2', 0x20c58553],
    ['fmin.s fa0, fa1, fa2', 0x28c58553],
    ['fcvt.w.s a0, fa1, rtz', 0xc0059553],
    ['fcvt.wu.s a0, fa1', 0xc015f553],
    ['fmv.x.w a0, fa1', 0xe0058553],
    ['feq.s a0, fa1, fa2', 0xa0c5a553],
    ['fclass.s a0, fa1', 0xe0059553],
    ['fcvt.s.wu fa0, a1, rmm', 0xd015c553],
    ['fmv.w.x fa0, a1', 0xf0058553],
    ['csrrw a0, fcsr, a1', 0x00359573],
    ['csrrs a0, frm, zero', 0x00202573],
    ['csrrc a0, fflags, a1', 0x0015b573],
    ['csrrwi a0, frm, 3', 0x0021d573],
  ];
  for (const [text, word] of cases) {
    it(text, () => {
      expect(assemble(text).words).toEqual([word >>> 0]);
      expect(disassemble(decodeInstr(word))).toBe(text);
    });
  }

  it('custom instructions match GNU `.insn r` encodings', () => {
    // GNU: .insn r 0x2b, 3, 5, a0, a1, zero -> 0x0a05b52b (funct7 = accelerator number)
    expect(assemble('acc.stat a0, a1, 5').words).toEqual([0x0a05b52b]);
    expect(assemble('dma.2d a0, a1, a2').words).toEqual([0x00c5b50b]);
    expect(assemble('acc.cmd a0, a1, a2, 127').words).toEqual([0xfec5852b]);
    expect(assemble('pv.mac.b a0, a1, a2').words).toEqual([0x02c5955b]);
    expect(assemble('sync.wfe').words).toEqual([0x0000307b]);
  });
});

describe('immediate edge cases', () => {
  it('sign-extends every immediate form at its boundaries', () => {
    const cases: [string, number][] = [
      ['addi', -2048], ['addi', 2047], ['addi', -1], ['sltiu', -1],
      ['lw', -2048], ['lw', 2047], ['sw', -2048], ['sw', 2047], ['sw', -1], ['sw', 31], ['sw', 32],
      ['beq', -4096], ['beq', 4094], ['beq', -2], ['beq', 2048], ['beq', 2], ['beq', 4094 - 2048],
      ['jal', -1048576], ['jal', 1048574], ['jal', 2048], ['jal', 4096], ['jal', -2],
      ['lui', 0], ['lui', 0xfffff], ['lui', 0x80000], ['slli', 31], ['srai', 31], ['srli', 0],
    ];
    for (const [op, imm] of cases) {
      const ins = makeInstr(op, { rd: 1, rs1: 2, rs2: 3, imm });
      expect(decodeInstr(encodeInstr(ins)).imm, `${op} ${imm}`).toBe(imm);
    }
  });

  it('refuses out-of-range and odd immediates in encode', () => {
    for (const [op, imm] of [['addi', 2048], ['addi', -2049], ['beq', 4096], ['beq', 3], ['jal', 1048576], ['jal', 1], ['lui', 0x100000], ['lui', -1], ['slli', 32], ['acc.cmd', 128]] as const) {
      const e = simError(() => encodeInstr(makeInstr(op, { imm })));
      expect(e.code).toBe('bad-operand');
      expect(e.message).toContain(op);
    }
    expect(simError(() => encodeInstr(makeInstr('add', { rd: 32 }))).message).toContain('rd must be a register number 0-31');
    expect(simError(() => makeInstr('adx')).code).toBe('unknown-mnemonic');
  });
});

describe('illegal words', () => {
  const illegal: [number, string][] = [
    [0x00000000, 'compressed'],
    [0xffffffff, 'major opcode 0x7f'],
    [0x04000033, 'no instruction with funct3=0 funct7=0x2'],
    [0x40001013, 'no instruction with funct3=1 funct7=0x20'],
    [0x0000008b, 'looks like dma.addr'],
    [0x000000f3, 'looks like ecall'],
    [0x8330000f, 'looks like fence'],
    [0x0000702b, 'no instruction with funct3=7'],
    [0x00003003, 'no instruction with funct3=3 in opcode 0x03'],
    [0x0000007b + (1 << 25), 'custom-3'],
    [0x00c5d553, 'fadd.s with reserved rounding mode 5'],
    [0x00c5e553, 'fadd.s with reserved rounding mode 6'],
    [0x1a20f043, 'looks like fmadd.s but a field it does not use (fmt (bits 26:25)) is not zero'],
    [0x5815f553, 'looks like fsqrt.s'],
    [0x00003007, 'no instruction with funct3=3 in opcode 0x07'],
  ];
  for (const [w, why] of illegal) {
    it(`0x${w.toString(16).padStart(8, '0')}: ${why}`, () => {
      const r = tryDecodeInstr(w);
      expect(r.ok).toBe(false);
      const e = simError(() => decodeInstr(w));
      expect(e.code).toBe('illegal-instruction');
      expect(e.message).toContain(`0x${(w >>> 0).toString(16).padStart(8, '0')}`);
      expect(e.message).toContain(why);
      expect(disassembleWord(w)).toMatch(/^\.word 0x/);
    });
  }

  it('every random word either decodes and re-encodes to itself or is a named illegal instruction', () => {
    const rng = deriveRng(7, 'isa.words', 'random');
    let legal = 0;
    for (let i = 0; i < 100_000; i++) {
      // bias towards used opcodes so that the legal path is exercised too
      const w = i % 2 === 0 ? rng.nextU32() : ((rng.nextU32() & ~0x7f) | OPCODES[rng.int(OPCODES.length)]!.opcode) >>> 0;
      const r = tryDecodeInstr(w);
      if (r.ok) {
        legal++;
        expect(encodeInstr(r.instr)).toBe(w);
      } else {
        expect(r.error).toBeInstanceOf(SimError);
        expect(r.error.message).toContain(`0x${w.toString(16).padStart(8, '0')}`);
      }
    }
    expect(legal).toBeGreaterThan(10_000);
  });
});
