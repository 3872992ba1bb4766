/**
 * The PE array as an accelerator, driven from assembly (Xeacc) on the shipped platforms: a core
 * sends GEMM / CONV commands whose descriptors and operands the test placed in memory, waits, and
 * the results are checked against references written here (plain loops, BigInt-free exact
 * integers). Command times are derived in the comments from the SCALE-Sim closed forms
 * (SCALESIM-FORMULAS.md s.2-3, copied here: ws Sr = K, Sc = N, L = 2R + C + M - 2; os Sr = M,
 * Sc = N, L = K + R + C - 2; F = ceil(Sr/R) * ceil(Sc/C); cycles = F * L, startupCycles 0) plus
 * the transfers. Transfers go through one scratchpad port with accessCycles 1 and nothing else
 * using the port (the core sleeps in acc.wait): a burst of w words is granted one word per cycle
 * and answers one cycle after the last grant (w cycles); the array moves the whole port words of
 * an operand as one burst, then the rest as halving pieces (each one 1-cycle access). So n bytes
 * on a W-byte port take floor(n/W) + popcount(n mod W) cycles.
 */
import { describe, expect, it } from 'vitest';
import { ints, matmul } from '../helpers/data.js';
import { simError } from '../helpers/sim-error.js';
import { assembleOrThrow } from '../../src/isa/index.js';
import { CoreSim, PeArraySim, Scratchpad } from '../../src/modules/index.js';
import { instantiate, startProgram, type Instantiated } from '../../src/sim/index.js';
import { SimError } from '../../src/util/index.js';
import { cleanGraph, fill, loadRepoPlatform, readRepoFile } from '../helpers/repo.js';

const BASE = 0x1000_0000; // glb (eyeriss-like) / l1 (diana-like)
const WMEM = 0x1010_0000; // diana-like weight memory

const sat = (x: number, bits: number): number => Math.max(-(2 ** (bits - 1)), Math.min(2 ** (bits - 1) - 1, x));

function put(mem: Uint8Array, off: number, vals: readonly number[], bytes: 1 | 2): void {
  const v = new DataView(mem.buffer, mem.byteOffset);
  vals.forEach((x, i) => (bytes === 1 ? v.setInt8(off + i, x) : v.setInt16(off + 2 * i, x, true)));
}
function get(mem: Uint8Array, off: number, n: number, bytes: 1 | 2 | 4): number[] {
  const v = new DataView(mem.buffer, mem.byteOffset);
  return Array.from({ length: n }, (_, i) => (bytes === 1 ? v.getInt8(off + i) : bytes === 2 ? v.getInt16(off + 2 * i, true) : v.getInt32(off + 4 * i, true)));
}

/** Sends command word `word` with each descriptor address in turn to accelerator 0, waits for each, exits 0. */
const program = (cmds: ReadonlyArray<readonly [number, number]>): string => `
${cmds.map(([w, d], i) => `        li    t1, ${w}\n        li    s0, ${d}\n        acc.cmd s${i + 1}, t1, s0, 0`).join('\n')}
${cmds.map((_, i) => `        acc.wait s${i + 1}, 0`).join('\n')}
        li    a0, 0
        ecall
`;

function run(platform: string, core: string, origin: number, cmds: ReadonlyArray<readonly [number, number]>, init: (p: Instantiated) => void): { p: Instantiated; t: number[][] } {
  const p = instantiate(cleanGraph(platform));
  init(p);
  startProgram(p, [core], assembleOrThrow(program(cmds), { origin }, 'pe.s'));
  p.sim.run();
  expect(p.get(core, CoreSim).core.exitCode).toBe(0);
  const pe = [...p.modules.values()].find((m): m is PeArraySim => m instanceof PeArraySim)!;
  return { p, t: [...pe.commands.values()].map((c) => [c.started!, c.finished!]) };
}

/** An error the run must stop with. */
function runError(platform: string, core: string, origin: number, word: number, desc: readonly number[], init: (p: Instantiated) => void = () => {}): SimError {
  const p = instantiate(cleanGraph(platform));
  fill(p.get(platform.includes('eyeriss') ? 'glb' : 'l1', Scratchpad).data, 0x1000, desc);
  init(p);
  startProgram(p, [core], assembleOrThrow(program([[word, BASE + 0x1000]]), { origin }, 'bad.s'));
  return simError(() => p.sim.run());
}

describe('pe-array GEMM on eyeriss-like (12 x 14, int16, ws, 200 MHz = 5000 ps, GLB 8-B words)', () => {
  const CYCLE = 5000;
  // GEMM 1: M 20, N 16, K 30, int32 out. GEMM 2: M 5, N 3, K 7, int16 out, shift 16 (saturates).
  const g1 = { M: 20, N: 16, K: 30 };
  const g2 = { M: 5, N: 3, K: 7 };
  const a1 = ints(g1.M * g1.K, -1000, 1000, 1);
  const b1 = ints(g1.K * g1.N, -1000, 1000, 2);
  const a2 = ints(g2.M * g2.K, -32768, 32767, 3);
  const b2 = ints(g2.K * g2.N, -32768, 32767, 4);
  const A1 = 0x2000, B1 = 0x3000, C1 = 0x4000, A2 = 0x5000, B2 = 0x5800, C2 = 0x6000;

  it('computes both GEMMs bit-exactly, back to back, with SCALE-Sim cycles plus transfer time, and counts MACs, folds and accesses', () => {
    const { p, t } = run('platforms/eyeriss-like.yaml', 'ctrl', BASE + 0x10000, [[1, BASE + 0x1000], [1, BASE + 0x1100]], (p) => {
      const g = p.get('glb', Scratchpad).data;
      put(g, A1, a1, 2);
      put(g, B1, b1, 2);
      put(g, A2, a2, 2);
      put(g, B2, b2, 2);
      // descriptors: A, B, C, M, N, K, type (1 = int16), out (format | shift << 8)
      fill(g, 0x1000, [BASE + A1, BASE + B1, BASE + C1, g1.M, g1.N, g1.K, 1, 0]);
      fill(g, 0x1100, [BASE + A2, BASE + B2, BASE + C2, g2.M, g2.N, g2.K, 1, 2 | (16 << 8)]);
    });
    const g = p.get('glb', Scratchpad).data;
    expect(get(g, C1, g1.M * g1.N, 4)).toEqual(matmul(a1, b1, g1.M, g1.K, g1.N));
    const r2 = matmul(a2, b2, g2.M, g2.K, g2.N);
    expect(r2.some((x) => Math.abs(x) >= 2 ** 31)).toBe(true); // beyond int32: the 48-bit accumulator matters
    expect(get(g, C2, g2.M * g2.N, 2)).toEqual(r2.map((x) => sat(Math.floor(x / 65536), 16)));
    expect(r2.map((x) => sat(Math.floor(x / 65536), 16)).some((x) => x === 32767 || x === -32768)).toBe(true);

    // GEMM 1, ws: Sr = K = 30 -> ceil(30/12) = 3 row folds, Sc = N = 16 -> ceil(16/14) = 2 column
    // folds, F = 6, L = 2*12 + 14 + 20 - 2 = 56: 336 cycles. Transfers (8-B words): descriptor
    // 32 B = 4; A 20*30*2 = 1200 B = 150; B 30*16*2 = 960 B = 120; C 20*16*4 = 1280 B = 160.
    // 4 + 150 + 120 + 336 + 160 = 770 cycles.
    const [s1, f1] = t[0]!;
    expect((f1! - s1!) / CYCLE).toBe(770);
    // GEMM 2: F = 1 * 1, L = 24 + 14 + 5 - 2 = 41. Transfers: descriptor 4; A 70 B = 8 words + 4 + 2
    // -> 10; B 42 B = 5 words + 2 -> 6; C 15*2 = 30 B = 3 words + 4 + 2 -> 5. 4 + 10 + 6 + 41 + 5 = 66.
    // It starts when GEMM 1 finishes (in-order queue).
    expect(t[1]).toEqual([f1, f1! + 66 * CYCLE]);
    const pe = p.get('pes', PeArraySim);
    expect(pe.reports.get(1)!.computeEnd - pe.reports.get(1)!.computeStart).toBe(336 * CYCLE);

    // Counts: MACs 9600 + 105; folds 6 + 1; cycles 336 + 41.
    // Access counts (ws): ifmap reads M*K*ceil(N/C) = 600*2 = 1200 and 35*1; filter reads K*N =
    // 480 and 21; ofmap writes M*N*ceil(K/R) = 320*3 = 960 and 15; psum reads M*N*(rowFolds-1) =
    // 640 and 0. RF reads 3*MACs; RF writes MACs + ifmap + filter reads; GLB reads ifmap + filter
    // + psum reads; GLB writes = ofmap writes.
    const snap = pe.snapshot();
    const macs = 9600 + 105;
    expect(snap.stats).toMatchObject({ macs, folds: 7, cycles: 377, stalls: 0, ifmapReads: 1235, filterReads: 501, ofmapWrites: 975, psumReads: 640, rfReads: 3 * macs, rfWrites: macs + 1235 + 501 });
    expect(snap.energyEvents).toEqual({ mac: macs, rfRead: 3 * macs, rfWrite: macs + 1736, glbRead: 1736 + 640, glbWrite: 975 });
    expect(snap.busyPs).toBe((770 + 66) * CYCLE);
  });

  it('rejects bad commands with errors naming the field', () => {
    const E = 'platforms/eyeriss-like.yaml';
    const err = (word: number, d: readonly number[]) => runError(E, 'ctrl', BASE + 0x10000, word, d).message;
    const ok = [BASE + A1, BASE + B1, BASE + C1, 4, 4, 4, 1, 0];
    expect(err(7, ok)).toMatch(/^pe-array 'pes' \(accelerator 0\): command 1 \(word 0x7, arg 0x10001000\) from 'ctrl': unknown command word 7 \(1 = GEMM, 2 = CONV\)$/);
    expect(err(1, [...ok.slice(0, 6), 0, 0])).toMatch(/type 0 \(int8\) is not supported: this array's peType is int16 \(code 1\)$/);
    expect(err(1, [...ok.slice(0, 6), 9, 0])).toMatch(/type 9 is not supported/);
    expect(err(1, [BASE + A1 + 2, ...ok.slice(1)])).toMatch(/A address 0x10002002 is not a multiple of 8 B \(memWidthBits\/8\)$/);
    expect(err(1, [BASE + A1, BASE + B1, BASE + C1 + 4, ...ok.slice(3)])).toMatch(/C address 0x10004004 is not a multiple of 8 B/);
    expect(err(1, [BASE + A1, BASE + 0x1a000, BASE + C1, 4, 512, 8, 1, 0])).toMatch(/B \(8192 B at 0x1001A000\) does not fit in a memory the array reaches \(glb 0x10000000\.\.0x1001AFFF\)$/);
    expect(err(1, [...ok.slice(0, 3), 0, 4, 4, 1, 0])).toMatch(/M = 0 must be in 1\.\.65535$/);
    expect(err(1, [...ok.slice(0, 7), 3])).toMatch(/out 0x3: format \(bits 7:0\) must be 0 \(32-bit\), 1 \(int8\) or 2 \(int16\)/);
    expect(err(1, [...ok.slice(0, 7), 1 | (40 << 8)])).toMatch(/out 0x2801: .*shift \(bits 15:8\) 0\.\.31/);
    expect(err(2, [BASE + A1, BASE + B1, BASE + C1, 1, 2, 2, 1, 5, 5, 1, 0x10001, 0, 1, 0, 0, 0])).toMatch(/convolution shape: convolution output would be -2 x -2/);
    expect(runError(E, 'ctrl', BASE + 0x10000, 7, ok).code).toBe('accel-bad-command');
  });
});

describe('pe-array on diana-like (16 x 16, int8, os, 3846 ps; activations in l1, weights in wmem, 4-B words)', () => {
  const CYCLE = 3846;
  const g = { M: 40, N: 24, K: 50 };
  const a = ints(g.M * g.K, -128, 127, 11);
  const b = ints(g.K * g.N, -128, 127, 12);
  // CONV: X 1 x 6 x 7 x 5 (NHWC), W 3 x 3 x 5 x 8 (HWIO), strideH 2, strideW 1, pads top 1,
  // left 1, bottom 0, right 1, int8 out with shift 3.
  const cv = { n: 1, h: 6, w: 7, c: 5, fh: 3, fw: 3, cout: 8, sh: 2, sw: 1, pt: 1, pl: 1, pb: 0, pr: 1 };
  const x = ints(cv.h * cv.w * cv.c, -128, 127, 13);
  const wts = ints(cv.fh * cv.fw * cv.c * cv.cout, -128, 127, 14);
  const oh = Math.floor((cv.h + cv.pt + cv.pb - cv.fh) / cv.sh) + 1; // 3
  const ow = Math.floor((cv.w + cv.pl + cv.pr - cv.fw) / cv.sw) + 1; // 7

  /** Reference convolution: direct loops over NHWC / HWIO with zero padding. */
  function refConv(): number[] {
    const y: number[] = [];
    for (let oy = 0; oy < oh; oy++) for (let ox = 0; ox < ow; ox++) for (let co = 0; co < cv.cout; co++) {
      let s = 0;
      for (let ky = 0; ky < cv.fh; ky++) for (let kx = 0; kx < cv.fw; kx++) {
        const iy = oy * cv.sh - cv.pt + ky;
        const ix = ox * cv.sw - cv.pl + kx;
        if (iy < 0 || iy >= cv.h || ix < 0 || ix >= cv.w) continue;
        for (let ci = 0; ci < cv.c; ci++) s += x[(iy * cv.w + ix) * cv.c + ci]! * wts[((ky * cv.fw + kx) * cv.c + ci) * cv.cout + co]!;
      }
      y.push(s);
    }
    return y;
  }

  it('a GEMM (weights read through wmem) and a strided, padded CONV, exact results and times', () => {
    const A = 0x2000, C = 0x4000, X = 0x8000, Y = 0x9000, B = 0x0, Wt = 0x1000;
    const { p, t } = run('platforms/diana-like.yaml', 'host', BASE + 0x30000, [[1, BASE + 0x1000], [2, BASE + 0x1100]], (p) => {
      const l1 = p.get('l1', Scratchpad).data;
      const wm = p.get('wmem', Scratchpad).data;
      put(l1, A, a, 1);
      put(wm, B, b, 1);
      put(l1, X, x, 1);
      put(wm, Wt, wts, 1);
      fill(l1, 0x1000, [BASE + A, WMEM + B, BASE + C, g.M, g.N, g.K, 0, 0]);
      fill(l1, 0x1100, [BASE + X, WMEM + Wt, BASE + Y, cv.n, cv.h, cv.w, cv.c, cv.fh, cv.fw, cv.cout, cv.sh | (cv.sw << 16), cv.pt | (cv.pl << 8) | (cv.pb << 16) | (cv.pr << 24), 0, 1 | (3 << 8), 0, 0]);
    });
    const l1 = p.get('l1', Scratchpad).data;
    expect(get(l1, C, g.M * g.N, 4)).toEqual(matmul(a, b, g.M, g.K, g.N));
    const yRef = refConv();
    expect(yRef.length).toBe(21 * 8);
    expect(get(l1, Y, yRef.length, 1)).toEqual(yRef.map((v) => sat(Math.floor(v / 8), 8)));

    // GEMM, os: Sr = M = 40 -> 3 row folds, Sc = N = 24 -> 2 column folds, F = 6,
    // L = K + R + C - 2 = 50 + 30 = 80: 480 cycles. Transfers (4-B words): descriptor 32 B = 8;
    // A 2000 B = 500; B 1200 B = 300 (wmem port); C 40*24*4 = 3840 B = 960.
    // 8 + 500 + 300 + 480 + 960 = 2248 cycles.
    const [s1, f1] = t[0]!;
    expect((f1! - s1!) / CYCLE).toBe(2248);
    // CONV lowered: M = 1*3*7 = 21, N = 8, K = 3*3*5 = 45; os: ceil(21/16) = 2 row folds, 1 column
    // fold, L = 45 + 30 = 75: 150 cycles. Transfers: descriptor 64 B = 16; X 210 B = 52 words + 2
    // -> 53; W 360 B = 90 (wmem); Y 168 B = 42. 16 + 53 + 90 + 150 + 42 = 351 cycles.
    expect(t[1]).toEqual([f1, f1! + 351 * CYCLE]);
    const pe = p.get('dacc', PeArraySim);
    // MACs 40*24*50 = 48000 and 21*8*45 = 7560; folds 6 + 2; os ifmap reads M*K*ceil(N/C) =
    // 2000*2 + 945*1, filter reads K*N*ceil(M/R) = 1200*3 + 360*2, ofmap writes M*N = 960 + 168.
    expect(pe.snapshot().stats).toMatchObject({ macs: 55560, folds: 8, cycles: 630, ifmapReads: 4945, filterReads: 4320, ofmapWrites: 1128, psumReads: 0 });
    expect(pe.params.macEnergy).toBeCloseTo(0.14, 10);
    // the weights went through wmem's port 1, the activations and results through l1's port 5
    expect(p.get('wmem', Scratchpad).portTraffic('mem', 1)).toMatchObject({ bytes: 1200 + 360 });
    expect(p.get('l1', Scratchpad).portTraffic('mem', 5)).toMatchObject({ bytes: 32 + 2000 + 3840 + 64 + 210 + 168 });
  });

  it('rejects a CONV whose weights fit neither memory and a misaligned output address', () => {
    const D = 'platforms/diana-like.yaml';
    const err = (word: number, d: readonly number[]) => runError(D, 'host', BASE + 0x30000, word, d).message;
    expect(err(2, [BASE + 0x8000, WMEM + 0xf000, BASE + 0x9000, 1, 6, 7, 64, 3, 3, 64, 0x10001, 0, 0, 0, 0, 0]))
      .toMatch(/W \(36864 B at 0x1010F000\) does not fit in a memory the array reaches \(wmem 0x10100000\.\.0x1010FFFF, l1 0x10000000\.\.0x1003FFFF\)$/);
    expect(err(1, [BASE + 0x2000, WMEM, BASE + 0x4001, 2, 2, 2, 0, 0])).toMatch(/C address 0x10004001 is not a multiple of 4 B/);
  });
});

describe('pe-array PE types in memory (eyeriss-like with peType changed)', () => {
  /** Runs one GEMM descriptor on eyeriss-like with `peType` replaced; returns the glb. */
  function gemmOn(peType: string, init: (g: Uint8Array) => void, desc: readonly number[], edit: (yaml: string) => string = (y) => y): Uint8Array {
    return gemmRun(peType, init, desc, edit).g;
  }
  function gemmRun(peType: string, init: (g: Uint8Array) => void, desc: readonly number[], edit: (yaml: string) => string = (y) => y): { g: Uint8Array; p: Instantiated } {
    const file = 'platforms/eyeriss-like.yaml';
    const r = loadRepoPlatform(file, edit(readRepoFile(file)!.replace('peType: int16', `peType: ${peType}`)));
    expect(r.diagnostics).toEqual([]);
    const p = instantiate(r.graph!);
    const g = p.get('glb', Scratchpad).data;
    init(g);
    fill(g, 0x1000, desc);
    startProgram(p, ['ctrl'], assembleOrThrow(program([[1, BASE + 0x1000]]), { origin: BASE + 0x10000 }, 'pe.s'));
    p.sim.run();
    expect(p.get('ctrl', CoreSim).core.exitCode).toBe(0);
    return { g, p };
  }

  it('timing: stalls adds the first-order bandwidth stalls (10 words/cycle per operand)', () => {
    // ws, M 200, N 14, K 12: one fold (ceil(12/12) * ceil(14/14)), L = 24 + 14 + 200 - 2 = 236.
    // Fold traffic (ws): ifmap M*ur = 2400 words -> 240 cycles, filter ur*uc = 168 -> 17, ofmap
    // M*uc = 2800 -> 280; stall = 280 - 236 = 44: 280 array cycles. Transfers (8-B words):
    // descriptor 4, A 200*12*2 = 4800 B = 600, B 12*14*2 = 336 B = 42, C 200*14*4 = 11200 B = 1400.
    // 4 + 600 + 42 + 280 + 1400 = 2326 cycles of 5000 ps.
    const M = 200, N = 14, K = 12;
    const a = ints(M * K, -300, 300, 41);
    const b = ints(K * N, -300, 300, 42);
    const { g, p } = gemmRun('int16', (g) => {
      put(g, 0x2000, a, 2);
      put(g, 0x4000, b, 2);
    }, [BASE + 0x2000, BASE + 0x4000, BASE + 0x5000, M, N, K, 1, 0], (y) => y.replace('timing: scalesim', 'timing: stalls'));
    expect(get(g, 0x5000, M * N, 4)).toEqual(matmul(a, b, M, K, N));
    const pe = p.get('pes', PeArraySim);
    const c = pe.commands.get(1)!;
    expect((c.finished! - c.started!) / 5000).toBe(2326);
    expect(pe.snapshot().stats).toMatchObject({ cycles: 280, stalls: 44, folds: 1 });
  });

  it('lightpe1: int8 activations, one-byte weight codes s0n0mmmm, exact shifts in units of 2^-lightMaxShift (7)', () => {
    const M = 3, N = 5, K = 9;
    const a = ints(M * K, -128, 127, 21);
    // weight (k, n): zero when (k + n) % 4 = 0, else sign by parity, shift (k * 3 + n) % 8
    const w = Array.from({ length: K * N }, (_, i) => {
      const k = Math.floor(i / N), n = i % N;
      return (k + n) % 4 === 0 ? 0 : ((k + n) % 2 ? -1 : 1) * 2 ** -((k * 3 + n) % 8);
    });
    const codes = w.map((v) => (v === 0 ? 0 : (v < 0 ? 0x80 : 0) | 0x40 | -Math.log2(Math.abs(v))));
    const g = gemmOn('lightpe1', (g) => {
      put(g, 0x2000, a, 1);
      g.set(codes, 0x3000);
    }, [BASE + 0x2000, BASE + 0x3000, BASE + 0x4000, M, N, K, 3, 0]);
    const ref = matmul(a, w.map((v) => v * 128), M, K, N); // value * 2^7: exact integers
    expect(get(g, 0x4000, M * N, 4)).toEqual(ref);
  });

  it('fp32: binary32 operands and results (small integers: exact in any order)', () => {
    const M = 4, N = 3, K = 6;
    const a = ints(M * K, -50, 50, 31);
    const b = ints(K * N, -50, 50, 32);
    const g = gemmOn('fp32', (g) => {
      const v = new DataView(g.buffer);
      a.forEach((x, i) => v.setFloat32(0x2000 + 4 * i, x, true));
      b.forEach((x, i) => v.setFloat32(0x3000 + 4 * i, x, true));
    }, [BASE + 0x2000, BASE + 0x3000, BASE + 0x4000, M, N, K, 2, 0]);
    const v = new DataView(g.buffer);
    expect(Array.from({ length: M * N }, (_, i) => v.getFloat32(0x4000 + 4 * i, true))).toEqual(matmul(a, b, M, K, N));
  });

  it('a bad LightPE code and a requantised fp32 output are refused', () => {
    const file = 'platforms/eyeriss-like.yaml';
    const errOn = (peType: string, init: (g: Uint8Array) => void, desc: readonly number[]): string => {
      const r = loadRepoPlatform(file, readRepoFile(file)!.replace('peType: int16', `peType: ${peType}`));
      const p = instantiate(r.graph!);
      const g = p.get('glb', Scratchpad).data;
      init(g);
      fill(g, 0x1000, desc);
      startProgram(p, ['ctrl'], assembleOrThrow(program([[1, BASE + 0x1000]]), { origin: BASE + 0x10000 }, 'pe.s'));
      try {
        p.sim.run();
      } catch (e) {
        expect(e).toBeInstanceOf(SimError);
        return (e as Error).message;
      }
      throw new Error('no error');
    };
    expect(errOn('lightpe1', (g) => g.set([0x40, 0x48, 0x20, 0], 0x3000), [BASE + 0x2000, BASE + 0x3000, BASE + 0x4000, 1, 2, 2, 3, 0]))
      .toMatch(/B element 1: lightpe1 weight code 0x48 has shift 8 > lightMaxShift 7$/);
    expect(errOn('fp32', () => {}, [BASE + 0x2000, BASE + 0x3000, BASE + 0x4000, 1, 2, 2, 2, 1]))
      .toMatch(/out 0x1: an fp32 array writes binary32 results \(format 0, shift 0\)$/);
  });
});
