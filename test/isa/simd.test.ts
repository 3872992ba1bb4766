import { describe, expect, it } from 'vitest';
import { deriveRng } from '../../src/util/index.js';
import { OPCODES, requantize, rqParams, simdExec } from '../../src/isa/index.js';

const pack = (...b: number[]): number => ((b[0]! & 0xff) | (b[1]! & 0xff) << 8 | (b[2]! & 0xff) << 16 | (b[3]! & 0xff) << 24) | 0;
const unpack = (w: number): number[] => [0, 1, 2, 3].map((k) => (w << (24 - 8 * k)) >> 24);

describe('Xesimd reference semantics', () => {
  it('covers every Xesimd opcode', () => {
    for (const d of OPCODES.filter((x) => x.ext === 'Xesimd')) expect(() => simdExec(d.mnemonic, 0, 0, 0)).not.toThrow();
    expect(() => simdExec('add', 0, 0, 0)).toThrow(/not an Xesimd/);
  });

  it('lane-wise ops saturate and are signed', () => {
    const a = pack(100, -100, 127, -128);
    const b = pack(100, -100, -1, 1);
    expect(unpack(simdExec('pv.adds.b', a, b, 0))).toEqual([127, -128, 126, -127]);
    expect(unpack(simdExec('pv.subs.b', a, b, 0))).toEqual([0, 0, 127, -128]);
    expect(unpack(simdExec('pv.max.b', a, b, 0))).toEqual([100, -100, 127, 1]);
    expect(unpack(simdExec('pv.min.b', a, b, 0))).toEqual([100, -100, -1, -128]);
    expect(unpack(simdExec('pv.avg.b', pack(1, -1, -3, 127), pack(2, -2, 0, 127), 0))).toEqual([2, -1, -1, 127]);
    expect(unpack(simdExec('pv.relu.b', a, 0, 0))).toEqual([100, 0, 127, 0]);
    expect(unpack(simdExec('pv.clip.b', a, pack(-50, 60, 99, 99), 0))).toEqual([60, -50, 60, -50]);
  });

  it('dot, mac and hsum accumulate int8 products into int32', () => {
    const a = pack(-128, -128, -128, -128);
    expect(simdExec('pv.dot.b', a, a, 0)).toBe(4 * 16384);
    expect(simdExec('pv.dot.b', pack(1, 2, 3, 4), pack(5, -6, 7, -8), 0)).toBe(5 - 12 + 21 - 32);
    expect(simdExec('pv.mac.b', pack(1, 1, 1, 1), pack(1, 1, 1, 1), 0x7fffffff)).toBe(-0x7ffffffd);
    expect(simdExec('pv.hsum.b', pack(-128, 127, -1, 5), 0, 0)).toBe(3);
  });

  it('requantizes with rounding, saturation and zero point', () => {
    expect(requantize(1000, rqParams(1, 4))).toBe(63); // 62.5 rounds up
    expect(requantize(-1000, rqParams(1, 4))).toBe(-62); // -62.5 rounds half up
    expect(requantize(5, rqParams(-3, 0))).toBe(-15);
    expect(requantize(0x7fffffff, rqParams(32767, 31))).toBe(127);
    expect(requantize(-0x80000000, rqParams(32767, 0))).toBe(-128);
    expect(requantize(100, rqParams(1, 0, -10))).toBe(90);
    expect(requantize(100, rqParams(1, 0, 100))).toBe(127);
    expect(simdExec('pv.rq', 1000, rqParams(1, 4), 0)).toBe(63);
    // rounding matches the documented formula on random inputs
    const rng = deriveRng(3, 'isa.simd', 'rq');
    for (let i = 0; i < 2000; i++) {
      const acc = rng.nextU32() | 0;
      const p = rng.nextU32() | 0;
      const m = BigInt((p << 16) >> 16);
      const s = BigInt((p >>> 16) & 31);
      const prod = BigInt(acc) * m;
      const r = s === 0n ? prod : (prod + (1n << (s - 1n))) >> s;
      const v = Number(r) + (p >> 24);
      expect(requantize(acc, p)).toBe(Math.max(-128, Math.min(127, v)));
    }
  });

  it('pack.b builds a packed word from four requantized results', () => {
    let rd = 0;
    rd = simdExec('pv.pack.b', -1, 2, rd);
    rd = simdExec('pv.pack.b', 3, -4, rd);
    expect(unpack(rd)).toEqual([-1, 2, 3, -4]);
  });
});
