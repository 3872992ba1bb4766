/**
 * The AIMC tile as an accelerator on hermes-like, driven from assembly (Xeacc): a core writes
 * descriptors, programs tiles with weight matrices the test put in the activation memory, runs
 * MVMs on several input vectors, and the outputs in memory are checked against an integer
 * matrix-vector product computed here with plain loops.
 *
 * Platform facts used in the derivations (platforms/hermes-like.yaml, tech/hermes-14nm.yaml):
 * 1 GHz = 1 ns per cycle; tile: differential mapping with analog subtraction, cellBits 7,
 * weightBits 8 (one slice: 2 columns and 1 conversion per output), 8-bit signed pulse-width
 * inputs, 8-bit CCO ADC at 300 ps/LSB with one column-sum unit per LSB (codes -128..127),
 * pulseLsbTime 400 ps, settleTime 5.4 ns, rowWriteCycles 8; each tile's `mem` port is its own
 * port of `act` (16 word-interleaved banks, 1-cycle access): a burst of w words takes w cycles.
 */
import { describe, expect, it } from 'vitest';
import { matmul } from '../helpers/data.js';
import { assembleOrThrow } from '../../src/isa/index.js';
import { AimcTileSim, CoreSim, Scratchpad } from '../../src/modules/index.js';
import { instantiate, startProgram, type Instantiated } from '../../src/sim/index.js';
import { SimError } from '../../src/util/index.js';
import { cleanGraph, fill, words } from '../helpers/repo.js';

const ACT = 0x1000_0000;
const NS = 1000; // ps

/** Deterministic pseudo-random integers in [lo, hi]. */
function rng(seed: number): (lo: number, hi: number) => number {
  let s = seed >>> 0;
  return (lo, hi) => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return lo + (s % (hi - lo + 1));
  };
}

/** Little-endian signed integers of `bytes` bytes into `data` at `off`. */
function put(data: Uint8Array, off: number, vals: ArrayLike<number>, bytes: 1 | 2 | 4): void {
  const v = new DataView(data.buffer, data.byteOffset);
  for (let i = 0; i < vals.length; i++) {
    if (bytes === 1) v.setInt8(off + i, vals[i]!);
    else if (bytes === 2) v.setInt16(off + 2 * i, vals[i]!, true);
    else v.setInt32(off + 4 * i, vals[i]!, true);
  }
}

/** y = x W, W row-major k x n, plain loops. */
const matVec = (x: ArrayLike<number>, w: ArrayLike<number>, k: number, n: number): number[] => matmul(x, w, 1, k, n);

/** Assembly storing `vals` as words at `addr` (t0 = address, t1 = value). */
const storeWords = (addr: number, vals: readonly number[]): string =>
  [`        li    t0, ${addr}`, ...vals.flatMap((v, i) => [`        li    t1, ${v}`, `        sw    t1, ${4 * i}(t0)`])].join('\n');

function run(source: string, init: (p: Instantiated) => void): Instantiated {
  const p = instantiate(cleanGraph('platforms/hermes-like.yaml'));
  init(p);
  startProgram(p, ['ctrl'], assembleOrThrow(source, { origin: ACT }, 'aimc.s'));
  p.sim.run();
  expect(p.get('ctrl', CoreSim).core.exitCode).toBe(0);
  return p;
}

/**
 * One core sends PROGRAM (descriptor at D) then MVM (descriptor at D + 16) to tile `accel` and
 * drains it; the test places the descriptors, the int8 weights at W and the int8 inputs at X;
 * outputs land at Y.
 */
function programAndMvm(accel: number, k: number, n: number, w: readonly number[], xs: readonly (readonly number[])[]): { p: Instantiated; Y: number } {
  const W = ACT + 0x8000, X = ACT + 0x9000, Y = ACT + 0x9800, D = ACT + 0x7000;
  const src = `
        li    t2, 1
        li    s0, ${D}
        acc.cmd s1, t2, s0, ${accel}
        li    t2, 2
        li    s0, ${D + 16}
        acc.cmd s2, t2, s0, ${accel}
        acc.drain ${accel}
        li    a0, 0
        ecall
`;
  const p = run(src, (p) => {
    const d = p.get('act', Scratchpad).data;
    fill(d, D - ACT, [W, k, n, 1, X, 1, Y, xs.length]);
    put(d, W - ACT, w, 1);
    xs.forEach((x, v) => put(d, X - ACT + v * k, x, 1));
  });
  return { p, Y };
}

describe('aimc-tile accelerator on hermes-like', () => {
  it('two tiles programmed and run concurrently from one core: outputs equal the integer product', () => {
    const r = rng(7);
    // tile 0: K = 40, N = 24, int8 weights in [-3, 3], 6 int8 input vectors in [-3, 3]
    const k0 = 40, n0 = 24, v0 = 6;
    const w0 = Array.from({ length: k0 * n0 }, () => r(-3, 3));
    const x0 = Array.from({ length: v0 }, () => Array.from({ length: k0 }, () => r(-3, 3)));
    // tile 1: K = 64, N = 16, int16 weights in [-2, 2], 2 int16 input vectors in [-1, 1]
    const k1 = 64, n1 = 16, v1 = 2;
    const w1 = Array.from({ length: k1 * n1 }, () => r(-2, 2));
    const x1 = Array.from({ length: v1 }, () => Array.from({ length: k1 }, () => r(-1, 1)));
    const ref0 = x0.map((x) => matVec(x, w0, k0, n0));
    const ref1 = x1.map((x) => matVec(x, w1, k1, n1));
    // exact only while every column sum fits the 8-bit ADC (codes -128..127): make sure of it
    for (const y of [...ref0, ...ref1].flat()) expect(Math.abs(y)).toBeLessThanOrEqual(127);
    expect(ref0.flat().some((y) => Math.abs(y) > 10)).toBe(true); // not trivially small
    const W0 = ACT + 0x8000, X0 = ACT + 0x9000, Y0 = ACT + 0x9400;
    const W1 = ACT + 0xa000, X1 = ACT + 0xc000, Y1 = ACT + 0xc400;
    const D = ACT + 0x7000; // descriptors, 16 B each
    const src = `
${storeWords(D, [W0, k0, n0, 1])}
        li    t2, 1
        li    s0, ${D}
        acc.cmd s1, t2, s0, 0
${storeWords(D + 16, [W1, k1, n1, 2])}
        li    s0, ${D + 16}
        acc.cmd s2, t2, s0, 1
${storeWords(D + 32, [X0, 1, Y0, v0])}
        li    t2, 2
        li    s0, ${D + 32}
        acc.cmd s3, t2, s0, 0
${storeWords(D + 48, [X1, 2, Y1, v1])}
        li    s0, ${D + 48}
        acc.cmd s4, t2, s0, 1
        acc.wait s3, 0
        acc.drain 1
        li    a0, 0
        ecall
`;
    const p = run(src, (p) => {
      const d = p.get('act', Scratchpad).data;
      put(d, W0 - ACT, w0, 1);
      x0.forEach((x, v) => put(d, X0 - ACT + v * k0, x, 1));
      put(d, W1 - ACT, w1, 2);
      x1.forEach((x, v) => put(d, X1 - ACT + 2 * v * k1, x, 2));
    });
    const d = p.get('act', Scratchpad).data;
    expect(Array.from({ length: v0 }, (_, v) => words(d, Y0 - ACT + 4 * v * n0, n0))).toEqual(ref0);
    expect(Array.from({ length: v1 }, (_, v) => words(d, Y1 - ACT + 4 * v * n1, n1))).toEqual(ref1);
    const t0 = p.get('aimc0', AimcTileSim), t1 = p.get('aimc1', AimcTileSim);
    const m0 = t0.commands.get(2)!, m1 = t1.commands.get(2)!;
    // the two tiles' MVM commands overlap in time (concurrent tiles): tile 0 programs in
    // 4 + 240 + 320 = 564 ns and runs 6 vectors of 10 + 133 + 24 ns; tile 1 programs in
    // 4 + 512 + 512 = 1028 ns and runs 2 vectors of 32 + 133 + 16 ns
    expect(m0.started! < m1.finished! && m1.started! < m0.finished!).toBe(true);
    expect([t0.stats.mvms.value, t1.stats.mvms.value]).toEqual([v0, v1]);
    expect(p.get('ctrl', CoreSim).core.reg(9)).toBe(1); // s1: first tag of tile 0
  });

  it('timing: PROGRAM and MVM take the documented time (descriptor, data bursts, model phases); energy and stat counts', () => {
    const r = rng(11);
    const k = 16, n = 8, nv = 3;
    const w = Array.from({ length: k * n }, () => r(-5, 5));
    const xs = Array.from({ length: nv }, () => Array.from({ length: k }, () => r(-4, 4)));
    const { p, Y } = programAndMvm(2, k, n, w, xs);
    const d = p.get('act', Scratchpad).data;
    expect(Array.from({ length: nv }, (_, v) => words(d, Y - ACT + 4 * v * n, n))).toEqual(xs.map((x) => matVec(x, w, k, n)));
    const tile = p.get('aimc2', AimcTileSim);
    const [prog, mvm] = [tile.commands.get(1)!, tile.commands.get(2)!];
    // PROGRAM: descriptor 16 B = 4 words (4 cycles) + weights 16 x 8 int8 = 128 B = 32 words
    // (32 cycles) + K x rowWriteCycles = 16 x 8 = 128 cycles: 164 ns
    expect((prog.finished! - prog.started!) / NS).toBe(4 + 32 + 128);
    // MVM time per vector, by hand: pulse (2^7 - 1) x 0.4 ns = 50.8 ns, settle 5.4 ns, one CCO
    // conversion round 2^8 x 300 ps = 76.8 ns: 133 ns (PLATFORMS.md (c): ~133 ns derived)
    const tMvm = 127 * 0.4 + 5.4 + 256 * 0.3;
    expect(tMvm).toBeCloseTo(133, 9);
    // MVM: descriptor 4 cycles + per vector (16 int8 inputs = 4 words: 4 cycles, 133 ns,
    // 8 int32 outputs = 8 words: 8 cycles) = 4 + 3 x 145 = 439 ns; it starts when PROGRAM ends
    expect(mvm.started).toBe(prog.finished);
    expect((mvm.finished! - mvm.started!) / NS).toBe(4 + nv * (4 + 133 + 8));
    expect(tile.busy.total / NS).toBe(164 + 439);
    // counts: programs 1, rows 16, cells K x columns used = 16 x (8 x 2) = 256;
    // per vector 1 phase, N = 8 conversions (analog pair), K = 16 row drives,
    // K x 16 columns = 256 cell reads, 8 shift-adds, K x N = 128 MACs
    const s = tile.snapshot();
    expect(s.stats).toMatchObject({ programs: 1, rowWrites: 16, mvms: 3, phases: 3, conversions: 24, saturations: 0, macs: 384, busy: 603 * NS });
    expect(s.energyEvents).toEqual({ conversion: 24, rowDrive: 48, cellRead: 768, shiftAdd: 24, rowWrite: 16, cellWrite: 256 });
    // energy with the tech file's values (pJ): 24 x 0.70 + 48 x 0.324 + 768 x 0.093 + 24 x 0.021
    const e = tile.params;
    const pj = 24 * e.adcConversionEnergy + 48 * e.rowDriveEnergy + 768 * e.cellReadEnergy + 24 * e.shiftAddEnergy;
    expect(pj).toBeCloseTo(16.8 + 15.552 + 71.424 + 0.504, 6);
    // the other tiles did nothing
    expect(p.get('aimc0', AimcTileSim).busy.total).toBe(0);
  });

  it('a full 256 x 256 MVM costs 256 conversions and 256 x 512 cell reads: ~12.5 nJ with the tech values', () => {
    const k = 256, n = 256;
    const W = ACT + 0x10000, X = ACT + 0x20000, Y = ACT + 0x20400, D = ACT + 0x7000;
    const src = `
        li    t2, 1
        li    s0, ${D}
        acc.cmd s1, t2, s0, 3
        li    t2, 2
        li    s0, ${D + 16}
        acc.cmd s2, t2, s0, 3
        acc.drain 3
        li    a0, 0
        ecall
`;
    const p = run(src, (p) => {
      const d = p.get('act', Scratchpad).data;
      fill(d, D - ACT, [W, k, n, 1, X, 1, Y, 1]);
      // weight 1 on the diagonal: y = x
      put(d, W - ACT, Array.from({ length: k * n }, (_, i) => (Math.floor(i / n) === i % n ? 1 : 0)), 1);
      put(d, X - ACT, Array.from({ length: k }, (_, i) => (i % 255) - 127), 1);
    });
    expect(words(p.get('act', Scratchpad).data, Y - ACT, n)).toEqual(Array.from({ length: k }, (_, i) => (i % 255) - 127));
    const tile = p.get('aimc3', AimcTileSim);
    const ev = tile.snapshot().energyEvents;
    expect(ev).toMatchObject({ conversion: 256, rowDrive: 256, cellRead: 256 * 512, shiftAdd: 256 });
    const e = tile.params;
    const pj = ev['conversion']! * e.adcConversionEnergy + ev['rowDrive']! * e.rowDriveEnergy + ev['cellRead']! * e.cellReadEnergy + ev['shiftAdd']! * e.shiftAddEnergy;
    // 179.2 + 82.944 + 12189.696 + 5.376 = 12457.216 pJ (PLATFORMS.md (c): 12.5 nJ at 10.5 TOPS/W, derived)
    expect(pj).toBeCloseTo(12457.216, 3);
    const mvm = tile.commands.get(2)!;
    // descriptor 4 + inputs 256 B = 64 words + 133 ns + outputs 256 words
    expect((mvm.finished! - mvm.started!) / NS).toBe(4 + 64 + 133 + 256);
  });

  it('column sums beyond the ADC range saturate at the end codes -128 / 127, counted per conversion', () => {
    const r = rng(3);
    const k = 64, n = 12, nv = 2;
    const w = Array.from({ length: k * n }, () => r(-20, 20));
    const xs = Array.from({ length: nv }, () => Array.from({ length: k }, () => r(-30, 30)));
    const { p, Y } = programAndMvm(0, k, n, w, xs);
    // independent reference: one analog pass, the pair difference is the integer column sum,
    // an ideal 8-bit two's-complement ADC with step 1 clips it to [-128, 127]
    const exact = xs.map((x) => matVec(x, w, k, n));
    const ref = exact.map((y) => y.map((v) => Math.min(127, Math.max(-128, v))));
    const clipped = exact.flat().filter((v) => v > 127 || v < -128).length;
    expect(clipped).toBeGreaterThan(5);
    expect(clipped).toBeLessThan(nv * n); // some in range too
    const d = p.get('act', Scratchpad).data;
    expect(Array.from({ length: nv }, (_, v) => words(d, Y - ACT + 4 * v * n, n))).toEqual(ref);
    expect(p.get('aimc0', AimcTileSim).stats.saturations.value).toBe(clipped);
  });

  describe('bad commands are clear SimErrors', () => {
    const D = ACT + 0x7000, W = ACT + 0x8000, X = ACT + 0x9000, Y = ACT + 0x9800;
    /** Runs commands (word, descriptor words or none) on tile 1 after the test filled memory; returns the error. */
    const fail = (cmds: readonly (readonly [number, readonly number[] | null])[], init: (d: Uint8Array) => void = () => {}, argOffset = 0): SimError => {
      const src = cmds.map(([word, desc], i) => `${desc === null ? '' : storeWords(D + 16 * i, desc)}
        li    t2, ${word}
        li    s0, ${D + 16 * i + argOffset}
        acc.cmd s1, t2, s0, 1`).join('\n') + '\n        acc.drain 1\n        li a0, 0\n        ecall\n';
      const p = instantiate(cleanGraph('platforms/hermes-like.yaml'));
      init(p.get('act', Scratchpad).data);
      startProgram(p, ['ctrl'], assembleOrThrow(src, { origin: ACT }, 'bad.s'));
      try {
        p.sim.run();
      } catch (e) {
        expect(e).toBeInstanceOf(SimError);
        expect((e as SimError).code).toBe('accel-bad-command');
        return e as SimError;
      }
      throw new Error('no error');
    };
    const prog = (k: number, n: number, bytes = 1): readonly [number, readonly number[]] => [1, [W, k, n, bytes]];

    it('unknown command word', () => {
      expect(fail([[7, null]]).message).toMatch(/^aimc-tile 'aimc1' \(accelerator 1\): command 1 \(word 0x7, arg 0x10007000\) from 'ctrl': unknown command word 0x7 \(0x1 = PROGRAM, 0x2 = MVM, 0x3 = SCALE\)$/);
    });
    it('MVM before PROGRAM', () => {
      expect(fail([[2, [X, 1, Y, 1]]]).message).toMatch(/command 1 .*MVM before PROGRAM: no weights are programmed/);
    });
    it('K and N that do not fit the tile name rows and cols', () => {
      expect(fail([prog(257, 4)]).message).toMatch(/PROGRAM: K = 257 \(descriptor word 1\) must be in 1\.\.256 \(param 'rows'\)/);
      expect(fail([prog(0, 4)]).message).toMatch(/PROGRAM: K = 0 .*param 'rows'/);
      expect(fail([prog(4, 257)]).message).toMatch(/PROGRAM: N = 257 \(descriptor word 2\) must be in 1\.\.256 \(param 'cols' = 512, 2 column\(s\) per output\)/);
    });
    it('bad element widths and alignments', () => {
      expect(fail([prog(4, 4, 3)]).message).toMatch(/PROGRAM: weight element bytes \(descriptor word 3\) = 3 must be 1, 2 or 4/);
      expect(fail([[1, [W + 1, 4, 4, 2]]]).message).toMatch(/PROGRAM: weights address \(descriptor word 0\) 0x10008001 must be aligned to the element size 2/);
      expect(fail([prog(4, 4), [2, [X, 8, Y, 1]]]).message).toMatch(/command 2 .*MVM: input element bytes \(descriptor word 1\) = 8 must be 1, 2 or 4/);
      expect(fail([prog(4, 4), [2, [X, 1, Y + 2, 1]]]).message).toMatch(/MVM: output address \(descriptor word 2\) 0x10009802 must be 4-aligned/);
      expect(fail([prog(4, 4)], () => {}, 2).message).toMatch(/PROGRAM: descriptor address 0x10007002 \(the acc.cmd argument\) must be 4-aligned/);
    });
    it('weights and inputs outside the configured range name weightBits and inputBits', () => {
      expect(fail([prog(4, 4, 2)], (d) => put(d, W - ACT + 2 * 5, [200], 2)).message)
        .toMatch(/PROGRAM: aimc1: weight \[1\]\[1\] = 200 is outside \[-127, 127\] \(weightBits = 8, differential mapping; param 'weightBits'\)/);
      expect(fail([prog(4, 4), [2, [X, 1, Y, 2]]], (d) => put(d, X - ACT + 4 + 2, [-128], 1)).message)
        .toMatch(/command 2 .*MVM vector 1: aimc1: input \[2\] = -128 is outside \[-127, 127\] \(param 'inputBits' = 8, signed, pulse-width\)/);
    });
  });
});
