import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { assembleOrThrow } from '../../src/isa/index.js';
import {
  CLASS_ORDER, CoreDef, DEFAULT_CORE_COSTS, ENV_EXIT, FlatMemory, Rv32Core, elfSymbol, loadElfSegments, parseElf, type CoreEnv, type CoreOptions,
} from '../../src/modules/core/index.js';
import { add, mul, ratOf, roundRat } from '../isa/fpu-ref.js';
import { parseDefault } from '../../src/spec/index.js';
import { deriveRng } from '../../src/util/index.js';

const F: CoreOptions = { extensions: ['Xedma', 'Xesimd', 'Xesync', 'Xeacc', 'F'] };
const A0 = 10, A1 = 11, A2 = 12, A3 = 13;

const f32 = new Float32Array(1);
const i32 = new Int32Array(f32.buffer);
const bits = (v: number): number => { f32[0] = v; return i32[0]!; };
const val = (b: number): number => { i32[0] = b; return f32[0]!; };

function load(src: string, opts: CoreOptions = F, mem = new FlatMemory(0, 0x10000)): { core: Rv32Core; mem: FlatMemory } {
  mem.writeWords(0, assembleOrThrow(src).words);
  return { core: new Rv32Core(mem, { name: 'c0', ...opts }), mem };
}

function exec(src: string, opts: CoreOptions = F, mem?: FlatMemory): Rv32Core {
  const { core } = load(`${src}\necall`, opts, mem);
  const r = core.run(1_000_000);
  if (r === 'error') throw core.error;
  expect(r).toBe('ecall');
  return core;
}

describe('Rv32Core: F extension', () => {
  it('is opt-in: without F a float instruction or a CSR access is illegal and says why', () => {
    const { core } = load('fadd.s fa0, fa1, fa2', {});
    expect(core.run(10)).toBe('error');
    expect(core.error!.code).toBe('illegal-instruction');
    expect(core.error!.message).toContain('fadd.s belongs to F');
    expect(core.error!.message).toContain('pc 0x00000000');
    const c2 = load('frcsr a0', {}).core;
    expect(c2.run(10)).toBe('error');
    expect(c2.error!.message).toContain('fcsr needs the F extension');
    const c3 = load('csrr a0, 0x300').core; // mstatus is not implemented
    expect(c3.run(10)).toBe('error');
    expect(c3.error!.message).toContain('CSR 0x300');
    expect(parseDefault('extensions', CoreDef.params.extensions)).toEqual(['Xedma', 'Xesimd', 'Xesync', 'Xeacc']);
    for (const k of ['fpuAddMulCycles', 'fpuDivSqrtCycles', 'fpuOtherCycles'] as const) {
      expect(parseDefault(k, CoreDef.params[k]), k).toBe(DEFAULT_CORE_COSTS[k]);
    }
    expect(CLASS_ORDER).toContain('fpu');
  });

  it('requantizes int32 accumulators like onnxruntime QuantizeLinear (float32 multiply, round half to even, saturate)', () => {
    // y = clamp(rne(acc * scale) + zp, -128, 127) for a table of accumulators, run as a loop on the ISS
    const rng = deriveRng(3, 'core-fpu', 'requant');
    const accs = [0, 1, -1, 5, -5, 15, 25, 35, -25, 1000, -1000, 2 ** 20, -(2 ** 20), 12345678, -12345678];
    for (let i = 0; i < 49; i++) accs.push((rng.nextU32() | 0) >> rng.int(24));
    const scale = 0.1; // not exact in binary32: every product is rounded
    const zp = 3;
    const mem = new FlatMemory(0, 0x10000);
    mem.writeWords(0x4000, accs.map((a) => a >>> 0));
    mem.writeWords(0x3ff0, [bits(scale) >>> 0]);
    const src = [
      'lui s0, 4', // accumulators at 0x4000
      'flw fs0, -16(s0)', // scale
      `li s1, ${accs.length}`, 'lui s2, 5', // outputs at 0x5000
      'li t1, -128', 'li t2, 127',
      'loop:',
      'lw t0, 0(s0)',
      'fcvt.s.w ft0, t0', // int -> float (rne)
      'fmul.s ft0, ft0, fs0',
      'fcvt.w.s t0, ft0, rne',
      `addi t0, t0, ${zp}`,
      'bge t0, t1, 1f_ok_lo'.replace('1f_ok_lo', 'oklo'), 'mv t0, t1', 'oklo:',
      'ble t0, t2, okhi', 'mv t0, t2', 'okhi:',
      'sw t0, 0(s2)',
      'addi s0, s0, 4', 'addi s2, s2, 4', 'addi s1, s1, -1', 'bnez s1, loop',
    ].join('\n');
    const c = exec(src, F, mem);
    const rne = (v: number): number => { const f = Math.floor(v); const d = v - f; return d > 0.5 ? f + 1 : d < 0.5 ? f : f % 2 === 0 ? f : f + 1; };
    const want = accs.map((a) => Math.min(127, Math.max(-128, rne(Math.fround(Math.fround(a) * Math.fround(scale))) + zp)));
    const got = Array.from({ length: accs.length }, (_, i) => mem.load(0x5000 + 4 * i, 4, true));
    expect(got).toEqual(want);
    expect(got.slice(0, 9)).toEqual([3, 3, 3, 3, 3, 5, 5, 7, 1]); // 0.5 -> 0, 1.5 -> 2, 2.5 -> 2, 3.5 -> 4, -2.5 -> -2
    expect(c.classStats().fpu.instructions).toBe(3 * accs.length);
  });

  it('dynamic rounding via frm; CSR reads and writes (fcsr = frm << 5 | fflags); reserved frm is illegal naming the pc', () => {
    const c = exec([
      'li t0, 0x3fc00000', 'fmv.w.x fa0, t0', // 1.5
      'li t1, 1', 'fsrm t1', // rtz
      'fcvt.w.s a0, fa0', // dyn -> rtz: 1
      'li t1, 3', 'fsrm t1', 'fcvt.w.s a1, fa0', // rup: 2
      'fcvt.w.s a2, fa0, rne', // static rne: 2
      'frcsr a3', // frm = 3, fflags = NX
    ].join('\n'));
    expect([c.reg(A0), c.reg(A1), c.reg(A2)]).toEqual([1, 2, 2]);
    expect(c.reg(A3)).toBe((3 << 5) | 1);
    expect(c.frm).toBe(3);
    expect(c.fflags).toBe(1);
    const d = exec('li t0, 0xff\nfscsr t0\nfrrm a0\nfrflags a1\ncsrrci a2, fflags, 3\ncsrrsi a3, frm, 0\ncsrrw zero, fcsr, zero\nfrcsr t1\nmv a4, t1');
    expect([d.reg(A0), d.reg(A1), d.reg(A2), d.reg(A3), d.reg(14)]).toEqual([7, 31, 31, 7, 0]);
    const { core } = load('li t0, 5\nfsrm t0\nfadd.s fa0, fa1, fa2');
    expect(core.run(10)).toBe('error');
    expect(core.error!.code).toBe('illegal-instruction');
    expect(core.error!.message).toContain('pc 0x00000008');
    expect(core.error!.message).toContain('frm = 5');
  });

  it('accrues fflags: DZ, NV, NX, OF', () => {
    const c = exec([
      'li t0, 0x3f800000', 'fmv.w.x fa0, t0', 'fmv.w.x fa1, zero',
      'fdiv.s fa2, fa0, fa1', 'frflags a0', 'fsflags zero', // 1/0: DZ
      'fsqrt.s fa3, fa2', 'fneg.s fa4, fa2', 'fsqrt.s fa5, fa4', 'frflags a1', 'fsflags zero', // sqrt(-inf): NV
      'li t1, 3', 'fcvt.s.w fa6, t1', 'fdiv.s fa7, fa0, fa6', 'frflags a2', 'fsflags zero', // 1/3: NX
      'li t2, 0x7f7fffff', 'fmv.w.x ft0, t2', 'fadd.s ft1, ft0, ft0', 'frflags a3', // OF | NX
      'fmv.x.w a4, fa5', 'fmv.x.w a5, fa2', 'fmv.x.w a6, ft1',
    ].join('\n'));
    expect([c.reg(A0), c.reg(A1), c.reg(A2), c.reg(A3)]).toEqual([8, 16, 1, 5]);
    expect([c.reg(14) >>> 0, c.reg(15) >>> 0, c.reg(16) >>> 0]).toEqual([0x7fc00000, 0x7f800000, 0x7f800000]);
  });

  it('keeps NaN payloads through flw, fsw, fmv and fsgnj; arithmetic returns the canonical NaN', () => {
    const mem = new FlatMemory(0, 0x10000);
    mem.writeWords(0x2000, [0x7f812345, 0xffa00001]);
    const c = exec([
      'lui s0, 2', 'flw ft0, 0(s0)', 'flw ft1, 4(s0)', 'fsw ft0, 8(s0)', 'fneg.s ft2, ft1', 'fsw ft2, 12(s0)', 'fmv.x.w a0, ft1',
      'fadd.s ft3, ft0, ft1', 'fmv.x.w a1, ft3', 'fclass.s a2, ft0', 'fclass.s a3, ft3', 'fmin.s ft4, ft0, ft2', 'fmv.x.w a4, ft4',
    ].join('\n'), F, mem);
    expect(mem.load(0x2008, 4, false)).toBe(0x7f812345);
    expect(mem.load(0x200c, 4, false)).toBe(0x7fa00001);
    expect(c.reg(A0) >>> 0).toBe(0xffa00001);
    expect(c.reg(A1) >>> 0).toBe(0x7fc00000);
    expect([c.reg(A2), c.reg(A3)]).toEqual([1 << 8, 1 << 9]);
    expect(c.reg(14) >>> 0).toBe(0x7fc00000); // both NaN
    expect(c.fflags & 16).toBe(16); // signaling inputs
    expect(c.freg(0) >>> 0).toBe(0x7f812345);
  });

  it('fused multiply-add rounds once (differs from fmul + fadd)', () => {
    // a = 1 + 2^-12: a*a = 1 + 2^-11 + 2^-24; fmul rounds the 2^-24 away (tie to even), fmadd keeps it against c
    const c = exec([
      `li t0, ${bits(1 + 2 ** -12)}`, 'fmv.w.x fa0, t0',
      `li t1, ${bits(-(1 + 2 ** -11))}`, 'fmv.w.x fa1, t1',
      'fmadd.s fa2, fa0, fa0, fa1', 'fmul.s fa3, fa0, fa0', 'fadd.s fa3, fa3, fa1',
      'fnmadd.s fa4, fa0, fa0, fa1', 'fmsub.s fa5, fa0, fa0, fa1', 'fnmsub.s fa6, fa0, fa0, fa1',
    ].join('\n'));
    expect(val(c.freg(12))).toBe(2 ** -24);
    expect(val(c.freg(13))).toBe(0);
    expect(val(c.freg(14))).toBe(-(2 ** -24));
    expect(val(c.freg(15))).toBe(Math.fround(2 + 2 ** -11 + 2 ** -11 + 2 ** -24));
    expect(val(c.freg(16))).toBe(Math.fround(-(2 + 2 ** -11 + 2 ** -11 + 2 ** -24)));
  });

  it('costs: add/mul, div/sqrt and others per params; flw load-use stall only for a float use of the loaded register', () => {
    const mem = new FlatMemory(0, 0x10000);
    const cost = (src: string, opts: CoreOptions = F): number => {
      const { core } = load(`${src}\necall`, opts, mem);
      expect(core.run(100)).toBe('ecall');
      return core.cycles - 1; // minus the ecall
    };
    expect(cost('fadd.s fa0, fa1, fa2')).toBe(1);
    expect(cost('fdiv.s fa0, fa1, fa2')).toBe(19);
    expect(cost('fsqrt.s fa0, fa1')).toBe(19);
    expect(cost('fcvt.w.s a0, fa1')).toBe(1);
    expect(cost('fmadd.s fa0, fa1, fa2, fa3', { ...F, costs: { fpuAddMulCycles: 3 } })).toBe(3);
    expect(cost('fle.s a0, fa1, fa2', { ...F, costs: { fpuOtherCycles: 2 } })).toBe(2);
    expect(cost('fdiv.s fa0, fa1, fa2', { ...F, costs: { fpuDivSqrtCycles: 7 } })).toBe(7);
    expect(cost('flw fa0, 0x100(zero)\nfadd.s fa1, fa0, fa0')).toBe(1 + 1 + 1); // load-use
    expect(cost('flw fa0, 0x100(zero)\nfadd.s fa1, fa2, fa3, rne\nfadd.s fa1, fa0, fa0')).toBe(3);
    expect(cost('flw fa0, 0x100(zero)\naddi a1, a0, 1')).toBe(2); // x10 is not f10
    expect(cost('lw a0, 0x100(zero)\nfmv.w.x fa1, a0')).toBe(3); // integer load used by fmv.w.x
    expect(cost('lw a0, 0x100(zero)\nfadd.s fa1, fa0, fa0')).toBe(2); // f10 is not x10
    expect(cost('flw fa0, 0x100(zero)\nfsw fa0, 0x104(zero)')).toBe(3);
    expect(cost('frcsr a0')).toBe(1);
    const { core } = load('flw fa0, 2(zero)');
    expect(core.run(10)).toBe('error');
    expect(core.error!.code).toBe('misaligned-access');
    expect(core.error!.message).toContain('4-byte alignment');
  });
});

/**
 * External check: test/fixtures/riscv/fprog.c compiled by gcc with -march=rv32imf -mabi=ilp32
 * (build-f.sh; the ELF is committed) runs to the result computed here, with Math.fround for the
 * separately rounded operations and the exact BigInt reference for fmaf.
 */
describe('core runs a float C program compiled by gcc (external check)', () => {
  const FIX = fileURLToPath(new URL('../fixtures/riscv/', import.meta.url));
  const ELF = readFileSync(join(FIX, 'fprog.elf'));
  const RAM_BASE = 0x10000000;
  const exitEnv: CoreEnv = { ecall: (c) => (c.reg(17) === 93 ? ENV_EXIT : 0), ebreak: () => 0, custom: () => 0 };

  function expected(): { result: number; acc: number } {
    let s = 777;
    const k = Math.fround(0.0123);
    let acc = 0;
    let sum = 0;
    for (let i = 0; i < 400; i++) {
      s = (Math.imul(s, 1103515245) + 12345) >>> 0;
      const v = (s | 0) >> 8;
      const x = Math.fround(Math.fround(v) * k);
      const q = Math.trunc(x);
      acc = Math.fround(acc + Math.fround(x / Math.fround(i + 1)));
      const r = Math.fround(Math.sqrt(Math.abs(x)));
      const exact = add(mul(ratOf(bits(x)), ratOf(bits(k))), ratOf(bits(acc)));
      const m = exact.n === 0n ? 0 : val(roundRat(exact, 0).bits);
      const d = Math.fround(Math.max(x, m) - Math.min(x, m));
      sum = (Math.imul(sum, 31) + q + Math.trunc(r) + (x < acc ? 1 : 0) + Math.trunc(d) + Math.trunc(m)) >>> 0;
    }
    return { result: (sum ^ bits(acc)) | 0, acc: bits(acc) >>> 0 };
  }

  function runElf(bytes: Uint8Array, name: string): { core: Rv32Core; mem: FlatMemory; tohost: number } {
    const img = parseElf(bytes, name);
    const mem = new FlatMemory(RAM_BASE, 64 * 1024, { name: 'ram' });
    const entry = loadElfSegments(img, (a, d) => mem.write(a, d));
    const core = new Rv32Core(mem, { name: 'cpu', pc: entry, env: exitEnv, ...F });
    const r = core.run(10_000_000);
    if (r === 'error') throw core.error;
    expect(r).toBe('exit');
    return { core, mem, tohost: mem.load(elfSymbol(img, 'tohost'), 4, false) >>> 0 };
  }

  const want = expected();

  it('the committed fprog.elf exits with the result computed in TypeScript', () => {
    const { core, tohost } = runElf(ELF, 'fprog.elf');
    expect(tohost).toBe(want.acc);
    expect(core.exitCode).toBe(want.result);
    const st = core.classStats();
    expect(st.fpu.instructions).toBeGreaterThan(400 * 15);
    expect(st.fpu.cycles).toBe(st.fpu.instructions + 400 * 2 * 18); // fdiv.s and fsqrt.s cost 19, the rest 1
  });

  const GCC = 'riscv64-unknown-elf-gcc';
  const haveGcc = spawnSync(GCC, ['--version'], { encoding: 'utf8' }).status === 0;
  const dir = haveGcc ? mkdtempSync(join(tmpdir(), 'edgesim-fcore-')) : '';
  afterAll(() => { if (dir !== '') rmSync(dir, { recursive: true, force: true }); });
  const title = 'rebuilding fprog.elf from fprog.c with gcc -march=rv32imf gives the same result';
  it.skipIf(!haveGcc)(haveGcc ? title : `${title} (skipped: ${GCC} not found)`, () => {
    const out = join(dir, 'fprog.elf');
    const r = spawnSync('sh', [join(FIX, 'build-f.sh'), out], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const { core, tohost } = runElf(readFileSync(out), out);
    expect(tohost).toBe(want.acc);
    expect(core.exitCode).toBe(want.result);
  });
});
