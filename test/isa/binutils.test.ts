import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { deriveRng } from '../../src/util/index.js';
import { ABI_NAMES, assemble, decodeInstr, disassemble, encodeInstr, OPCODES, type Instr } from '../../src/isa/index.js';
import { randomInstr } from './helpers.js';

/**
 * External check against GNU binutils for RISC-V (Debian `binutils-riscv64-unknown-elf`, which
 * .ci/run installs): GNU as must produce the same words as edgesim's assembler for every base
 * RV32IM instruction, and GNU objdump must decode edgesim's words to the same instruction.
 */
const AS = 'riscv64-unknown-elf-as';
const OBJCOPY = 'riscv64-unknown-elf-objcopy';
const OBJDUMP = 'riscv64-unknown-elf-objdump';
const available = [AS, OBJCOPY, OBJDUMP].every((t) => spawnSync(t, ['--version'], { encoding: 'utf8' }).status === 0);
const SKIP = `${AS}/${OBJDUMP} not found (apt-get install -y binutils-riscv64-unknown-elf)`;

const dir = available ? mkdtempSync(join(tmpdir(), 'edgesim-isa-')) : '';
afterAll(() => { if (dir !== '') rmSync(dir, { recursive: true, force: true }); });

function run(cmd: string, args: readonly string[]): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed:\n${r.stderr}`);
  return r.stdout;
}

/** Assembles `src` with GNU as (default -march=rv32im) and returns the .text words. */
function gnuWords(name: string, src: string, march = 'rv32im'): number[] {
  const s = join(dir, `${name}.s`);
  const o = join(dir, `${name}.o`);
  const bin = join(dir, `${name}.bin`);
  writeFileSync(s, src + '\n');
  run(AS, [`-march=${march}`, '-mabi=ilp32', '-mno-relax', '-o', o, s]);
  run(OBJCOPY, ['-O', 'binary', '-j', '.text', o, bin]);
  const b = readFileSync(bin);
  return Array.from({ length: b.length / 4 }, (_, i) => b.readUInt32LE(4 * i));
}

/** GNU objdump's no-alias decoding of `words` placed at address 0: [mnemonic, operands] per word. */
function gnuDisasm(words: readonly number[]): [string, string][] {
  const bin = join(dir, 'ours.bin');
  const b = Buffer.alloc(words.length * 4);
  words.forEach((w, i) => b.writeUInt32LE(w, 4 * i));
  writeFileSync(bin, b);
  const out = run(OBJDUMP, ['-D', '-b', 'binary', '-m', 'riscv:rv32', '-M', 'no-aliases', bin]);
  const rows: [string, string][] = [];
  for (const line of out.split('\n')) {
    const m = /^\s*[0-9a-f]+:\s+[0-9a-f]{8}\s+(\S+)\s*(.*)$/.exec(line);
    if (m) rows.push([m[1]!, m[2]!]);
  }
  return rows;
}

const base = OPCODES.filter((d) => d.ext === 'RV32I' || d.ext === 'RV32M');
const fext = OPCODES.filter((d) => d.ext === 'F' || d.ext === 'Zicsr');

function baseProgram(): Instr[] {
  const rng = deriveRng(4, 'isa.binutils', 'base');
  return base.flatMap((d) => Array.from({ length: 25 }, (_, i) => randomInstr(d, rng, i < 8)));
}

/** Every F and Zicsr instruction, 25 random forms each (every rounding mode; CSRs limited to fflags/frm/fcsr, which objdump names like edgesim). */
function fProgram(): Instr[] {
  const rng = deriveRng(4, 'isa.binutils', 'f');
  return fext.flatMap((d) => Array.from({ length: 25 }, (_, i) => {
    const ins = randomInstr(d, rng, i < 8);
    return d.format === 'CSR' ? { ...ins, imm: 1 + (i % 3) } : ins;
  }));
}

/** Operand tokens with numbers in decimal and branch targets made absolute (as objdump prints them). */
function normalize(ins: Instr | undefined, pc: number, operands: string): string[] {
  return operands
    .replace(/#.*$/, '').replace(/<[^>]*>/g, '').replace(/\(/g, ',').replace(/\)/g, '')
    .split(',').map((t) => t.trim()).filter((t) => t !== '')
    .map((t) => {
      const rel = /^\.([+-])(\d+)$/.exec(t);
      if (rel) return String((pc + (rel[1] === '+' ? 1 : -1) * Number(rel[2])) >>> 0);
      if (/^-?(0x[0-9a-f]+|\d+)$/i.test(t)) {
        const v = t.startsWith('-') ? -Number(t.slice(1)) : Number(t);
        const isTarget = ins !== undefined && (ins.def.format === 'B' || ins.def.format === 'J');
        return String(isTarget ? v >>> 0 : v);
      }
      return t;
    });
}

/** Instructions whose edgesim encoding GNU objdump decodes differently (operands normalized). */
function objdumpDiffs(prog: readonly Instr[]): string[] {
  const words = prog.map((i) => encodeInstr(i));
  const rows = gnuDisasm(words);
  expect(rows.length).toBe(words.length);
  const diff: string[] = [];
  words.forEach((w, k) => {
    const ins = decodeInstr(w);
    const ours = disassemble(ins);
    const [mn, ops] = rows[k]!;
    const sp = ours.indexOf(' ');
    const a = [ins.op, ...normalize(ins, 4 * k, sp < 0 ? '' : ours.slice(sp + 1))];
    const b = [mn, ...normalize(ins, 4 * k, ops)];
    if (a.join(' ') !== b.join(' ')) diff.push(`${ours} vs GNU ${mn} ${ops}`);
  });
  return diff;
}

describe(`GNU binutils cross-check (-march=rv32im)${available ? '' : ` (skipped: ${SKIP})`}`, () => {
  it.skipIf(!available)(`GNU as encodes every base RV32IM instruction like edgesim`, () => {
    const prog = baseProgram();
    const text = prog.map((i) => disassemble(i));
    const ours = prog.map((i) => encodeInstr(i));
    expect(assemble(text.join('\n')).words).toEqual(ours);
    const theirs = gnuWords('base', text.join('\n'));
    expect(theirs.length).toBe(ours.length);
    const diff = ours.flatMap((w, i) => (w === theirs[i] ? [] : [`${text[i]!}: edgesim 0x${w.toString(16)} GNU 0x${theirs[i]!.toString(16)}`]));
    expect(diff).toEqual([]);
    expect(new Set(prog.map((i) => i.op)).size).toBe(48);
  });

  it.skipIf(!available)('GNU objdump decodes edgesim words to the same base instructions', () => {
    const prog = baseProgram();
    expect(objdumpDiffs(prog)).toEqual([]);
  });

  it.skipIf(!available)('GNU as encodes every F and Zicsr instruction like edgesim (-march=rv32imf, all rounding modes)', () => {
    const prog = fProgram();
    const text = prog.map((i) => disassemble(i));
    const ours = prog.map((i) => encodeInstr(i));
    expect(assemble(text.join('\n')).words).toEqual(ours);
    const theirs = gnuWords('f', text.join('\n'), 'rv32imf');
    expect(theirs.length).toBe(ours.length);
    const diff = ours.flatMap((w, i) => (w === theirs[i] ? [] : [`${text[i]!}: edgesim 0x${w.toString(16)} GNU 0x${theirs[i]!.toString(16)}`]));
    expect(diff).toEqual([]);
    expect(new Set(prog.map((i) => i.op)).size).toBe(26 + 6);
    expect(new Set(prog.filter((i) => i.def.operands.includes('rm')).map((i) => i.rm))).toEqual(new Set([0, 1, 2, 3, 4, 7]));
  });

  it.skipIf(!available)('GNU objdump decodes edgesim F and Zicsr words to the same instructions', () => {
    const prog = fProgram();
    expect(objdumpDiffs(prog)).toEqual([]);
  });

  it.skipIf(!available)('F pseudo-instructions and the default rounding mode match GNU as', () => {
    const src = [
      'fmv.s fa0, fa1', 'fneg.s ft0, fs11', 'fabs.s f31, f0', 'frcsr a0', 'fscsr a1', 'frrm t0', 'fsrm t1', 'frflags a2', 'fsflags a3',
      'csrr a0, fcsr', 'csrw frm, a0', 'fadd.s fa0, fa1, fa2', 'fcvt.w.s a0, fa0', 'fcvt.s.w fa0, a0', 'fcvt.s.wu fa0, a0, rne',
      'fmadd.s f1, f2, f3, f4', 'fnmadd.s f1, f2, f3, f4, rmm', 'flw ft0, -2048(sp)', 'fsw ft11, 2047(a0)', 'csrrwi zero, frm, 31',
    ].join('\n');
    const ours = assemble(src);
    expect(ours.diagnostics).toEqual([]);
    expect(gnuWords('fpseudo', src, 'rv32imf')).toEqual(ours.words);
  });

  it.skipIf(!available)('pseudo-instructions, labels and %hi/%lo expand like GNU as', () => {
    const src = [
      'start: nop', 'li a0, 0', 'li a0, 2047', 'li a0, -2048', 'li a0, 2048', 'li a0, 0x12345678', 'li a0, 0x12345800',
      'li a0, -1', 'li a0, 0x7fffffff', 'li a0, -2147483648', 'li t6, 0x10000',
      'mv a0, a1', 'not a0, a1', 'neg a0, a1', 'seqz a0, a1', 'snez a0, a1',
      'loop: beqz a0, start', 'bnez a0, loop', 'blez a0, end', 'bgez a0, end', 'bltz a0, loop', 'bgtz a0, loop',
      'bgt a0, a1, loop', 'ble a0, a1, end', 'bgtu a0, a1, end', 'bleu a0, a1, start',
      'j loop', 'jal end', 'jr t0', 'jalr t0', 'ret', 'fence',
      'lui a0, %hi(0x12345fff)', 'addi a0, a0, %lo(0x12345fff)', 'lw a1, %lo(0x800)(a0)',
      'end: ebreak',
    ].join('\n');
    const ours = assemble(src);
    expect(ours.diagnostics).toEqual([]);
    expect(gnuWords('pseudo', src)).toEqual(ours.words);
  });

  it.skipIf(!available)('custom-space instructions match GNU `.insn r` encodings', () => {
    const rng = deriveRng(4, 'isa.binutils', 'custom');
    const custom = OPCODES.filter((d) => d.ext.startsWith('X')).flatMap((d) => Array.from({ length: 5 }, () => randomInstr(d, rng)));
    const insn = custom.map((i) => {
      const d = i.def;
      const f7 = d.format === 'RA' ? i.imm : d.funct7 ?? 0;
      return `.insn r 0x${d.opcode.toString(16)}, ${d.funct3 ?? 0}, ${f7}, ${ABI_NAMES[i.rd]!}, ${ABI_NAMES[i.rs1]!}, ${ABI_NAMES[i.rs2]!}`;
    });
    expect(gnuWords('custom', insn.join('\n'))).toEqual(custom.map((i) => encodeInstr(i)));
  });
});
