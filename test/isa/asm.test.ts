import { describe, expect, it } from 'vitest';
import { assemble, assembleOrThrow, decodeInstr, disassemble, formatAsmDiagnostic, type AsmDiagnostic } from '../../src/isa/index.js';
import { simError } from '../helpers/sim-error.js';
import { ENV_EXIT, FlatMemory, Rv32Core } from '../../src/modules/index.js';

const words = (src: string, origin = 0): readonly number[] => {
  const r = assemble(src, { origin });
  expect(r.diagnostics).toEqual([]);
  return r.words;
};
const text = (src: string): string[] => words(src).map((w) => disassemble(decodeInstr(w)));
const diag = (src: string): AsmDiagnostic => {
  const r = assemble(src);
  expect(r.ok).toBe(false);
  return r.diagnostics[0]!;
};

describe('assembler', () => {
  it('resolves labels forwards and backwards, with an origin, and returns the symbol table', () => {
    const r = assemble(['start: li t0, 3', 'loop:', '  addi t0, t0, -1  # count down', '  bnez t0, loop', '  j done', 'done: ret'].join('\n'), { origin: 0x100 });
    expect(r.diagnostics).toEqual([]);
    expect([...r.symbols]).toEqual([['start', 0x100], ['loop', 0x104], ['done', 0x110]]);
    expect(r.words.map((w) => disassemble(decodeInstr(w)))).toEqual([
      'addi t0, zero, 3', 'addi t0, t0, -1', 'bne t0, zero, .-4', 'jal zero, .+4', 'jalr zero, 0(ra)',
    ]);
    expect(r.lines).toEqual([1, 3, 4, 5, 6]);
  });

  it('expands li like GNU as', () => {
    expect(text('li a0, 2047')).toEqual(['addi a0, zero, 2047']);
    expect(text('li a0, -2048')).toEqual(['addi a0, zero, -2048']);
    expect(text('li a0, 0x12345678')).toEqual(['lui a0, 0x12345', 'addi a0, a0, 1656']);
    expect(text('li a0, 0x12345800')).toEqual(['lui a0, 0x12346', 'addi a0, a0, -2048']);
    expect(text('li a0, 0x10000')).toEqual(['lui a0, 0x10']);
    expect(text('li a0, 0xffffffff')).toEqual(['addi a0, zero, -1']);
    expect(text('li a0, 0xfffff800')).toEqual(['addi a0, zero, -2048']);
    expect(text('li a0, 0x7fffffff')).toEqual(['lui a0, 0x80000', 'addi a0, a0, -1']);
    expect(text('li a0, -2147483648')).toEqual(['lui a0, 0x80000']);
    // sizes are known in pass 1, so labels after a two-word li are right
    expect(assemble('li a0, 0x12345678\nx: nop').symbols.get('x')).toBe(8);
  });

  it('expands the other pseudo-instructions', () => {
    expect(text('nop\nmv a0, a1\nnot a0, a1\nneg a0, a1\nseqz a0, a1\nsnez a0, a1\nret\njr t0\njalr t0\njalr ra, t0, 8\nfence')).toEqual([
      'addi zero, zero, 0', 'addi a0, a1, 0', 'xori a0, a1, -1', 'sub a0, zero, a1', 'sltiu a0, a1, 1', 'sltu a0, zero, a1',
      'jalr zero, 0(ra)', 'jalr zero, 0(t0)', 'jalr ra, 0(t0)', 'jalr ra, 8(t0)', 'fence iorw, iorw',
    ]);
    expect(text('x: beqz a0, x\nbnez a0, x\nblez a0, x\nbgez a0, x\nbltz a0, x\nbgtz a0, x\nbgt a0, a1, x\nble a0, a1, x\nbgtu a0, a1, x\nbleu a0, a1, x\nj x\njal x')).toEqual([
      'beq a0, zero, .+0', 'bne a0, zero, .-4', 'bge zero, a0, .-8', 'bge a0, zero, .-12', 'blt a0, zero, .-16', 'blt zero, a0, .-20',
      'blt a1, a0, .-24', 'bge a1, a0, .-28', 'bltu a1, a0, .-32', 'bgeu a1, a0, .-36', 'jal zero, .-40', 'jal ra, .-44',
    ]);
  });

  it('accepts x names, fp, hex/binary/negative immediates, (rs1) and %hi/%lo', () => {
    expect(text('add x1, x2, fp\naddi a0, a0, 0x7ff\nandi a0, a0, 0b1010\nlw a0, (sp)\nsw a0, -0x10(sp)\nADD A0, A1, A2')).toEqual([
      'add ra, sp, s0', 'addi a0, a0, 2047', 'andi a0, a0, 10', 'lw a0, 0(sp)', 'sw a0, -16(sp)', 'add a0, a1, a2',
    ]);
    const r = assemble('lui a0, %hi(data)\naddi a0, a0, %lo(data)\nlw a1, %lo(data+4)(a0)\n.word 1, 0x80000000, -1\ndata: .word data', { origin: 0x7ffff900 });
    expect(r.diagnostics).toEqual([]);
    const data = r.symbols.get('data')!;
    const hi = decodeInstr(r.words[0]!).imm;
    const lo = decodeInstr(r.words[1]!).imm;
    expect(((hi << 12) + lo) >>> 0).toBe(data);
    expect(decodeInstr(r.words[2]!).imm).toBe(((data + 4) << 20) >> 20);
    expect(r.words.slice(3)).toEqual([1, 0x80000000, 0xffffffff, data]);
  });
});

describe('assembler diagnostics', () => {
  it('unknown mnemonic with did-you-mean, at line:column', () => {
    const d = diag('  nop\n    ad a0, a1, a2');
    expect(d).toMatchObject({ code: 'unknown-mnemonic', line: 2, column: 5, fix: "did you mean 'add'?" });
    expect(diag('pv.dott.b a0, a1, a2').fix).toBe("did you mean 'pv.dot.b'?");
    expect(diag('frobnicate a0').fix).toContain('docs/ISA.md');
  });

  it('bad registers', () => {
    expect(diag('add a0, a9, a2')).toMatchObject({ code: 'bad-register', line: 1, column: 9, message: "'a9' is not a register" });
    expect(diag('add a0, x32, a2').fix).toContain('x0-x31');
    expect(diag('add a0, a1, tt0').fix).toBe("did you mean 't0'?");
    expect(diag('lw a0, 4(q0)')).toMatchObject({ code: 'bad-register', column: 10 });
  });

  it('immediates out of range name the range and a fix', () => {
    const d = diag('addi a0, a0, 4096');
    expect(d).toMatchObject({ code: 'imm-range', line: 1, column: 14 });
    expect(d.message).toBe('immediate 4096 out of range for addi (-2048..2047)');
    expect(d.fix).toContain('li');
    expect(diag('slli a0, a0, 32').fix).toBe('shift amounts are 0..31');
    expect(diag('lui a0, 0x100000').message).toContain('0..1048575');
    expect(diag('lw a0, 2048(sp)').code).toBe('imm-range');
    expect(diag('beq a0, a1, .+4096').fix).toContain('j');
    expect(diag('beq a0, a1, .+3').code).toBe('misaligned');
    expect(diag('acc.cmd a0, a1, a2, 200').fix).toBe('accelerator numbers are 0..127');
    expect(diag('li a0, 0x100000000').code).toBe('imm-range');
    expect(diag(`x: nop\n${'nop\n'.repeat(1100)}beq a0, a1, x`).message).toBe('offset -4404 out of range for beq (-4096..4094)');
  });

  it('labels, targets, operand counts and syntax', () => {
    expect(diag('j lopo\nloop: nop')).toMatchObject({ code: 'undefined-label', fix: "did you mean 'loop'?" });
    expect(diag('x: nop\nx: nop')).toMatchObject({ code: 'duplicate-label', line: 2, column: 1 });
    expect(diag('beq a0, a1, 16')).toMatchObject({ code: 'bad-target', fix: 'write `.+16` for a pc-relative offset, or a label' });
    expect(diag('add a0, a1')).toMatchObject({ code: 'operand-count', fix: 'write `add rd, rs1, rs2`' });
    expect(diag('addi a0, a0, foo')).toMatchObject({ code: 'bad-immediate' });
    expect(diag('lw a0, sp')).toMatchObject({ code: 'bad-operand' });
    expect(diag('fence rx, w')).toMatchObject({ code: 'bad-operand', fix: 'write a subset of `iorw` (e.g. `rw`), or 0' });
    expect(diag('addi a0, a0, %hi(4)').code).toBe('bad-immediate');
  });

  it('collects every problem and keeps addresses stable', () => {
    const r = assemble('ad a0, a1, a2\nadd a0, a1, a9\nok: nop\naddi a0, a0, 99999');
    expect(r.diagnostics.map((d) => `${d.line}:${d.column} ${d.code}`)).toEqual(['1:1 unknown-mnemonic', '2:13 bad-register', '4:14 imm-range']);
    expect(r.symbols.get('ok')).toBe(8);
    expect(formatAsmDiagnostic(r.diagnostics[0]!, 'prog.s')).toBe("prog.s:1:1: error[unknown-mnemonic]: unknown mnemonic 'ad'\n  fix: did you mean 'add'?");
    const e = simError(() => assembleOrThrow('ad a0, a1, a2', {}, 'prog.s'));
    expect(e.code).toBe('asm-error');
    expect(e.message).toContain('prog.s:1:1');
  });
});

describe('assembler: la, call, tail, .align, .space, .equ', () => {
  /** Runs `src` (assembled at `origin`) on the stand-alone ISS until ecall; returns the core. */
  const run = (src: string, origin = 0x1000): Rv32Core => {
    const ram = new FlatMemory(0, 0x40000, { name: 'ram' });
    ram.writeWords(origin, assembleOrThrow(src, { origin }).words);
    const core = new Rv32Core(ram, { name: 'c', pc: origin, env: { ecall: () => ENV_EXIT, ebreak: () => 0, custom: () => 0 } });
    expect(core.run(100_000)).toBe('exit');
    return core;
  };

  it('la loads a label address (lui %hi + addi %lo, always two words)', () => {
    const src = ['la a0, data', 'la a1, small', 'ecall', '.space 0x7f0', 'small: .word 1', '.space 0x1000', 'data: .word 7'].join('\n');
    expect(words(src).slice(0, 4).map((w) => disassemble(decodeInstr(w)))).toEqual(['lui a0, 0x2', 'addi a0, a0, -2040', 'lui a1, 0x1', 'addi a1, a1, -2044']); // data = 0x1808 = 0x2000 - 2040, small = 0x804 = 0x1000 - 2044 (bit 11 set: %hi rounds up)
    const c = run(src, 0);
    const r = assemble(src);
    expect([c.reg(10), c.reg(11)]).toEqual([r.symbols.get('data'), r.symbols.get('small')]);
  });

  it('call / ret / tail: pc-relative auipc + jalr, with the %lo sign carried into %hi', () => {
    const src = [
      '  li a0, 5',
      '  call double',        // a0 = 10
      '  call double',        // a0 = 20
      '  tail finish',        // never returns here
      '  li a0, -1',
      'double:',
      '  add a0, a0, a0',
      '  ret',
      '  .space 0x1800',      // push finish beyond a 12-bit offset with bit 11 set
      'finish:',
      '  addi a0, a0, 1',
      '  ecall',
    ].join('\n');
    const c = run(src);
    expect(c.reg(10)).toBe(21);
    const r = assemble(src, { origin: 0x1000 });
    const tailAt = 0x1000 + 4 + 8 + 8;
    const off = r.symbols.get('finish')! - tailAt;
    const lo = (off << 20) >> 20;
    expect(lo).toBeLessThan(0); // the case where hi must round up
    const w = r.words.slice(0, 7).map((x) => disassemble(decodeInstr(x)));
    expect(w.slice(5, 7)).toEqual([`auipc t1, 0x${((off - lo) / 4096).toString(16)}`, `jalr zero, ${lo}(t1)`]);
    expect(w.slice(1, 3)).toEqual(['auipc ra, 0x0', 'jalr ra, 28(ra)']); // double (0x1020) is 28 bytes after the first call (0x1004)
  });

  it('.align pads with nops to an absolute multiple of 2^n; .space emits zero words; .equ defines constants', () => {
    const r = assemble(['.equ N, 3000', '.equ OFF, 8', 'li t0, N', 'addi t1, t0, OFF', '.align 4', 'a16: nop', '.space 8', 'b: .word N'].join('\n'), { origin: 0x104 });
    expect(r.diagnostics).toEqual([]);
    // li 3000 = lui + addi (2 words at 0x104, 0x108), addi at 0x10c, then pad to 0x110: 0 nops... 0x110 is aligned
    expect(r.symbols.get('a16')).toBe(0x110);
    expect(r.symbols.get('b')).toBe(0x110 + 4 + 8);
    expect(r.words.slice(-3)).toEqual([0, 0, 3000]);
    const c = run(['.equ N, 3000', 'li t0, N', 'addi t1, t0, 8', 'ecall'].join('\n'));
    expect([c.reg(5), c.reg(6)]).toEqual([3000, 3008]);
    const pad = assemble('nop\n.align 4\nx: nop', { origin: 0 });
    expect(pad.words).toEqual([0x13, 0x13, 0x13, 0x13, 0x13]);
    expect(pad.symbols.get('x')).toBe(16);
  });

  it('directive mistakes are diagnosed with a fix', () => {
    expect(diag('.space 6')).toMatchObject({ code: 'bad-immediate', message: '.space expects a byte count that is a multiple of 4' });
    expect(diag('.align 1')).toMatchObject({ code: 'bad-immediate', line: 1 });
    expect(diag('li a0, LATER\n.equ LATER, 5')).toMatchObject({ code: 'bad-immediate', fix: 'move `.equ LATER` above its first use' });
    expect(diag('.equ X, nothing')).toMatchObject({ code: 'bad-immediate', line: 1 });
    expect(diag('call')).toMatchObject({ code: 'operand-count' });
    expect(diag('la a0, nowhere')).toMatchObject({ code: 'undefined-label' });
  });
});
