/**
 * diana-like end to end from assembly: the host programs the 1152 x 512 ternary AIMC core
 * (accelerator 1) with weights from L1, runs MVMs on 7-bit sign-magnitude inputs, and runs a GEMM
 * on the 16 x 16 digital PE array (accelerator 0) at the same time; outputs are checked against
 * integer references computed here, and the AIMC's times against the platform's parameters.
 *
 * Facts used (platforms/diana-like.yaml, tech/diana-22nm.yaml): clock 3846 ps; AIMC: ternary, one
 * column and one conversion per output, pulse-width inputs with a 6-bit magnitude (63 x 500 ps),
 * settle 7.7 ns, 6-bit SAR ADC: (6 + 2) cycles = 30768 ps, so one MVM pass = 31500 + 7700 + 30768
 * = 69968 ps; ADC codes -32..31 at one column-sum unit per step; programming 8 cycles per row;
 * the AIMC's `mem` is l1's port 6 (16 word-interleaved banks, 1-cycle access, one word per cycle).
 * Descriptors: src/modules/README.md ("aimc-tile commands", "pe-array commands").
 */
import { describe, expect, it } from 'vitest';
import { ints, matmul } from '../helpers/data.js';
import { assembleOrThrow } from '../../src/isa/index.js';
import { AimcTileSim, CoreSim, PeArraySim, Scratchpad } from '../../src/modules/index.js';
import { instantiate, startProgram, type Instantiated } from '../../src/sim/index.js';
import { cleanGraph, fill, words } from '../helpers/repo.js';

const L1 = 0x1000_0000;
const WMEM = 0x1010_0000;
const CYCLE = 3846;

const bytes = (mem: Uint8Array, off: number, vals: readonly number[]): void => vals.forEach((v, i) => { mem[off + i] = v & 0xff; });
const K = 96, N = 40, V = 3;
const W = ints(K * N, -1, 1, 21); // ternary
// 7-bit sign-magnitude inputs: -63..63; small magnitudes keep the column sums within the ADC's 6 bits
const X = ints(V * K, -1, 1, 22);
const G = { M: 20, N: 16, K: 24 };
const GA = ints(G.M * G.K, -128, 127, 23);
const GB = ints(G.K * G.N, -128, 127, 24);

/** Host program: program the AIMC, then start the MVMs and the GEMM, wait for all, exit 0. */
const SOURCE = `
        li    t1, 1
        li    s0, ${L1 + 0x100}
        acc.cmd s1, t1, s0, 1       # AIMC PROGRAM
        li    t1, 2
        li    s0, ${L1 + 0x110}
        acc.cmd s2, t1, s0, 1       # AIMC MVM x ${V}
        li    t1, 1
        li    s0, ${L1 + 0x200}
        acc.cmd s3, t1, s0, 0       # PE-array GEMM
        acc.wait s2, 1
        acc.wait s3, 0
        li    a0, 0
        ecall
`;

function run(withGemm: boolean): Instantiated {
  const p = instantiate(cleanGraph('platforms/diana-like.yaml'));
  const l1 = p.get('l1', Scratchpad).data;
  bytes(l1, 0x1000, W);            // weights (int8 ternary)
  bytes(l1, 0x3000, X);            // inputs (int8)
  fill(l1, 0x100, [L1 + 0x1000, K, N, 1]);
  fill(l1, 0x110, [L1 + 0x3000, 1, L1 + 0x4000, V]);
  bytes(l1, 0x6000, GA);
  bytes(p.get('wmem', Scratchpad).data, 0, GB);
  fill(l1, 0x200, [L1 + 0x6000, WMEM, L1 + 0x7000, G.M, G.N, G.K, 0, 0]);
  const src = withGemm ? SOURCE : SOURCE.replace(/ {8}li {4}t1, 1\n {8}li {4}s0, \d+\n {8}acc\.cmd s3, t1, s0, 0 .*\n/, '').replace(/ {8}acc\.wait s3, 0\n/, '');
  startProgram(p, ['host'], assembleOrThrow(src, { origin: L1 + 0x20000 }, 'diana.s'));
  p.sim.run();
  expect(p.get('host', CoreSim).core.exitCode).toBe(0);
  return p;
}

describe('diana-like: AIMC core and digital PE array from one host program', () => {
  it('the AIMC MVMs equal the integer product (ADC range respected), the GEMM equals its reference, and they overlap', () => {
    const ref = matmul(X, W, V, K, N);
    expect(Math.max(...ref.map(Math.abs))).toBeLessThanOrEqual(31); // within the 6-bit ADC: exact
    const p = run(true);
    const l1 = p.get('l1', Scratchpad).data;
    expect(words(l1, 0x4000, V * N)).toEqual(ref);
    expect(words(l1, 0x7000, G.M * G.N)).toEqual(matmul(GA, GB, G.M, G.K, G.N));
    // the GEMM runs on the digital array while the AIMC core is being programmed
    const prog = p.get('aimc', AimcTileSim).commands.get(1)!;
    const gemm = p.get('dacc', PeArraySim).commands.get(1)!;
    expect(gemm.started!).toBeLessThan(prog.finished!);
    expect(prog.started!).toBeLessThan(gemm.finished!);
  });

  it('AIMC alone: programming and MVM times follow the parameters, and the stats count them', () => {
    const p = run(false);
    const aimc = p.get('aimc', AimcTileSim);
    const [prog, mvm] = [aimc.commands.get(1)!, aimc.commands.get(2)!];
    // PROGRAM: descriptor 16 B = 4 words (4 cycles), weights 96 x 40 B = 960 words (960 cycles),
    // programming 96 rows x 8 cycles = 768 cycles.
    expect((prog.finished! - prog.started!) / CYCLE).toBe(4 + 960 + 768);
    // MVM: descriptor 4 cycles; per vector: 96 B of inputs = 24 words (24 cycles), the analog pass
    // 69968 ps, then 40 int32 outputs = 40 words starting at the next cycle edge: 69968 ps is
    // 18.19 cycles, so 19 cycles; 24 + 19 + 40 = 83 cycles per vector.
    expect(mvm.started).toBe(prog.finished);
    expect((mvm.finished! - mvm.started!) / CYCLE).toBe(4 + V * 83);
    const s = aimc.snapshot();
    // ternary: one conversion per output per pass; macs K x N per vector
    expect(s.stats).toMatchObject({ programs: 1, rowWrites: K, mvms: V, conversions: V * N, macs: V * K * N, saturations: 0 });
    expect(s.energyEvents).toMatchObject({ conversion: V * N, rowWrite: K });
    expect(p.get('l1', Scratchpad).portTraffic('mem', 6)).toMatchObject({ bytes: 16 + K * N + 16 + V * (K + 4 * N) });
  });

  it('column sums beyond the 6-bit ADC saturate to -32..31', () => {
    const p = instantiate(cleanGraph('platforms/diana-like.yaml'));
    const l1 = p.get('l1', Scratchpad).data;
    // K = 64 all-ones weights in one column, an all-minus-ones column; input all 63: sums +-4032
    bytes(l1, 0x1000, Array.from({ length: 64 * 2 }, (_, i) => (i % 2 === 0 ? 1 : -1)));
    bytes(l1, 0x3000, Array(64).fill(63));
    fill(l1, 0x100, [L1 + 0x1000, 64, 2, 1]);
    fill(l1, 0x110, [L1 + 0x3000, 1, L1 + 0x4000, 1]);
    const src = SOURCE.replace(/ {8}li {4}t1, 1\n {8}li {4}s0, \d+\n {8}acc\.cmd s3, t1, s0, 0 .*\n/, '').replace(/ {8}acc\.wait s3, 0\n/, '').replace(`x ${V}`, 'x 1');
    startProgram(p, ['host'], assembleOrThrow(src, { origin: L1 + 0x20000 }, 'sat.s'));
    p.sim.run();
    expect(words(l1, 0x4000, 2)).toEqual([31, -32]);
    expect(p.get('aimc', AimcTileSim).snapshot().stats).toMatchObject({ saturations: 2 });
  });
});

describe('diana-like: per-output scale (SCALE command)', () => {
  it('integer and float32 scales multiply the recombined outputs; errors name the field', () => {
    const p = instantiate(cleanGraph('platforms/diana-like.yaml'));
    const l1 = p.get('l1', Scratchpad).data;
    const k = 8, n = 3;
    const w = [1, -1, 0, 1, 1, 1, 0, -1, 1, 1, 0, -1, -1, 1, 1, 0, 0, 0, 1, 1, -1, -1, -1, 1];
    const x = [3, -2, 5, 1, 0, -4, 2, 2];
    bytes(l1, 0x1000, w);
    bytes(l1, 0x3000, x);
    fill(l1, 0x100, [L1 + 0x1000, k, n, 1]);
    fill(l1, 0x110, [L1 + 0x3000, 1, L1 + 0x4000, 1]);
    fill(l1, 0x120, [L1 + 0x500, n, 0, 0]);                 // int32 scales
    fill(l1, 0x500, [2, -3, 10]);
    fill(l1, 0x130, [L1 + 0x600, n, 1, 0]);                 // float32 scales
    const f = new DataView(l1.buffer, l1.byteOffset);
    [0.5, 0.25, -1.5].forEach((v, j) => f.setFloat32(0x600 + 4 * j, v, true));
    fill(l1, 0x150, [L1 + 0x3000, 1, L1 + 0x4020, 1]);
    const cmd = (word: number, d: number, r: string) => `        li    t1, ${word}\n        li    s0, ${L1 + d}\n        acc.cmd ${r}, t1, s0, 1\n        acc.wait ${r}, 1`;
    const src = [cmd(1, 0x100, 's1'), cmd(3, 0x120, 's2'), cmd(2, 0x110, 's3'), cmd(3, 0x130, 's4'), cmd(2, 0x150, 's5'), '        li a0, 0', '        ecall'].join('\n');
    startProgram(p, ['host'], assembleOrThrow(src, { origin: L1 + 0x20000 }, 'scale.s'));
    p.sim.run();
    const y = matmul(x, w, 1, k, n);
    expect(words(l1, 0x4000, n)).toEqual([y[0]! * 2, y[1]! * -3, y[2]! * 10]);
    // float scales: round half away from zero of y * s (float32 scales are exact here)
    const r = (v: number): number => Math.sign(v) * Math.round(Math.abs(v));
    expect(words(l1, 0x4020, n)).toEqual([r(y[0]! * 0.5), r(y[1]! * 0.25), r(y[2]! * -1.5)]);

    const bad = instantiate(cleanGraph('platforms/diana-like.yaml'));
    const b1 = bad.get('l1', Scratchpad).data;
    bytes(b1, 0x1000, w);
    fill(b1, 0x100, [L1 + 0x1000, k, n, 1]);
    fill(b1, 0x120, [L1 + 0x500, 4, 0, 0]);
    startProgram(bad, ['host'], assembleOrThrow([cmd(1, 0x100, 's1'), cmd(3, 0x120, 's2'), '        ecall'].join('\n'), { origin: L1 + 0x20000 }, 'bad.s'));
    expect(() => bad.sim.run()).toThrow(/SCALE: N = 4 \(descriptor word 1\) must equal the programmed N = 3$/);
  });
});
