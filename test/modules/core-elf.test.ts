import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { ENV_EXIT, FlatMemory, Rv32Core, elfSymbol, loadElfSegments, parseElf, type CoreEnv, type ElfImage } from '../../src/modules/core/index.js';
import { simError } from '../helpers/sim-error.js';

/**
 * External check: test/fixtures/riscv/prog.c compiled by Debian's gcc-riscv64-unknown-elf
 * (`build.sh`: -march=rv32im -mabi=ilp32, bare metal, start.S + link.ld) runs on the core to the
 * result computed here in TypeScript. The built prog.elf is committed so this runs without the
 * toolchain; a second test rebuilds it with gcc when available (.ci/run installs it).
 */
const FIX = fileURLToPath(new URL('../fixtures/riscv/', import.meta.url));
const ELF = readFileSync(join(FIX, 'prog.elf'));
const RAM_BASE = 0x10000000;
const FIB_N = 18;

/** prog.c's main(), in TypeScript with C's 32-bit semantics. */
function expected(): { result: number; fib: number } {
  const N = 1000, ROUNDS = 8;
  const data = new Int32Array(N);
  let s = 12345;
  for (let i = 0; i < N; i++) { s = (Math.imul(s, 1103515245) + 12345) >>> 0; data[i] = s; }
  const halves = new Int16Array(64), bytes = new Int8Array(64);
  let sum = 0;
  for (let r = 0; r < ROUNDS; r++) {
    for (let i = 0; i < N; i++) {
      const v = data[i]!;
      let d = (i % 7) - 3;
      if (d === 0) d = 5 + r;
      sum = (Math.imul(sum, 31) + v) >>> 0;
      sum = (sum + ((Math.trunc(v / d) ^ (v % d)) >>> 0)) >>> 0;
      sum = (sum + Math.floor((v >>> 0) / (i + r + 1)) + ((v >>> 0) % (i + 3))) >>> 0;
      sum = (sum ^ Number(BigInt.asUintN(32, (BigInt(v) * BigInt(data[(i + r) % N]!)) >> 32n))) >>> 0;
      sum = (sum + Number((BigInt(v >>> 0) * BigInt(sum)) >> 32n)) >>> 0;
      halves[i & 63] = v >> 3;
      bytes[(i * 3) & 63] = v >> 11;
      sum = (sum + halves[(i * 5) & 63]! + bytes[(i * 7) & 63]!) >>> 0;
    }
  }
  const fib = (n: number): number => (n < 2 ? n : fib(n - 1) + fib(n - 2));
  const f = fib(FIB_N);
  return { result: (sum ^ f) | 0, fib: f };
}

/** ecall 93 (a7) = exit with a0, as in start.S. */
const exitEnv: CoreEnv = {
  ecall: (c) => (c.reg(17) === 93 ? ENV_EXIT : 0),
  ebreak: () => 0,
  custom: () => 0,
};

function runElf(img: ElfImage): { core: Rv32Core; mem: FlatMemory } {
  const mem = new FlatMemory(RAM_BASE, 64 * 1024, { name: 'ram' });
  mem.fill(RAM_BASE, 64 * 1024, 0xa5); // .bss must be zeroed by the loader (and start.S)
  const entry = loadElfSegments(img, (a, d) => mem.write(a, d));
  const core = new Rv32Core(mem, { name: 'cpu', pc: entry, env: exitEnv });
  const r = core.run(50_000_000);
  if (r === 'error') throw core.error;
  expect(r).toBe('exit');
  return { core, mem };
}

describe('ELF loader', () => {
  it('reads the entry point, the PT_LOAD segment and the symbol table of the committed program', () => {
    const img = parseElf(ELF, 'prog.elf');
    expect(img.entry).toBe(RAM_BASE);
    expect(img.segments.length).toBeGreaterThanOrEqual(1);
    const seg = img.segments[0]!;
    expect(seg.vaddr).toBe(RAM_BASE);
    expect(seg.memSize).toBeGreaterThan(seg.data.length); // .bss
    expect(elfSymbol(img, '_start')).toBe(RAM_BASE);
    for (const n of ['main', 'fib', 'tohost', '_end', '_stack_top', 'seed']) expect(img.symbols.has(n), n).toBe(true);
    expect(elfSymbol(img, '_stack_top')).toBe(RAM_BASE + 0x10000);
    expect(img.symbols.get('fib')?.type).toBe(2);
    expect(img.symbols.get('tohost')?.type).toBe(1);
    const e = simError(() => elfSymbol(img, 'nosuch'));
    expect(e.code).toBe('elf-symbol');
    expect(e.message).toMatch(/symbol 'nosuch' is not in the ELF symbol table \(globals: .*main/);
  });

  it('refuses non-ELF, wrong class, endianness, machine, type, compressed code, and truncated files', () => {
    const mod = (f: (b: Uint8Array, v: DataView) => void): Uint8Array => {
      const b = Uint8Array.from(ELF);
      f(b, new DataView(b.buffer));
      return b;
    };
    const cases: [Uint8Array, string, RegExp][] = [
      [new TextEncoder().encode('#!/bin/sh\necho hello\n'), 'elf-not-elf', /^x\.elf: not an ELF file/],
      [Uint8Array.from([0x7f, 0x45]), 'elf-not-elf', /only 2 bytes/],
      [mod((b) => { b[4] = 2; }), 'elf-class', /ELF64, expected ELF32/],
      [mod((b) => { b[5] = 2; }), 'elf-endian', /big-endian ELF, expected little-endian/],
      [mod((_, v) => v.setUint16(18, 62, true)), 'elf-machine', /machine 62, expected RISC-V \(243\)/],
      [mod((_, v) => v.setUint16(16, 1, true)), 'elf-type', /REL \(an object file: link it\)/],
      [mod((_, v) => v.setUint32(36, 1, true)), 'elf-rvc', /compressed \(C\) instructions/],
      [ELF.subarray(0, 40), 'elf-truncated', /the ELF header at offset 0 needs 52 bytes, the file has 40/],
      [ELF.subarray(0, 200), 'elf-truncated', /truncated file: segment 0/],
      [ELF.subarray(0, ELF.length - 8), 'elf-truncated', /section headers/],
    ];
    for (const [bytes, code, re] of cases) {
      const e = simError(() => parseElf(bytes, 'x.elf'));
      expect(e.code, re.source).toBe(code);
      expect(e.message).toMatch(re);
    }
  });
});

describe('core runs a C program compiled by gcc (external check)', () => {
  const want = expected();

  it('the committed prog.elf exits with the checksum computed in TypeScript', () => {
    const img = parseElf(ELF, 'prog.elf');
    const { core, mem } = runElf(img);
    expect(core.exitCode).toBe(want.result);
    expect(mem.load(elfSymbol(img, 'tohost'), 4, false)).toBe(want.fib);
    expect(core.instructions).toBeGreaterThan(200_000);
    const s = core.classStats();
    for (const c of ['alu', 'mul', 'div', 'load', 'store', 'branch', 'jump', 'system'] as const) expect(s[c].instructions, c).toBeGreaterThan(0);
    expect(core.cycles).toBe([...core.classCycles].reduce((a, b) => a + b));
  });

  const GCC = 'riscv64-unknown-elf-gcc';
  const haveGcc = spawnSync(GCC, ['--version'], { encoding: 'utf8' }).status === 0;
  const dir = haveGcc ? mkdtempSync(join(tmpdir(), 'edgesim-core-')) : '';
  afterAll(() => { if (dir !== '') rmSync(dir, { recursive: true, force: true }); });

  const title = 'rebuilding prog.elf from prog.c with gcc gives the same behaviour';
  it.skipIf(!haveGcc)(haveGcc ? title : `${title} (skipped: ${GCC} not found; apt-get install -y gcc-riscv64-unknown-elf)`, () => {
    const out = join(dir, 'prog.elf');
    const r = spawnSync('sh', [join(FIX, 'build.sh'), out], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const built = readFileSync(out);
    const img = parseElf(built, out);
    const { core, mem } = runElf(img);
    expect(core.exitCode).toBe(want.result);
    expect(mem.load(elfSymbol(img, 'tohost'), 4, false)).toBe(want.fib);
    const committed = runElf(parseElf(ELF, 'prog.elf')).core;
    if (Buffer.compare(built, ELF) === 0) {
      expect(core.instructions).toBe(committed.instructions);
      expect(core.cycles).toBe(committed.cycles);
    }
  });
});
