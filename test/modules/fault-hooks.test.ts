/**
 * The fault hooks of the module library on pulp-cluster: stuck-at bits of memories and
 * scratchpads read as their value whatever is written (timed, debug and DMA writes), register
 * flips change exactly the flipped bit of a core's state, and data corruption in a DMA engine or
 * an interconnect flips bits of the data it moves at the configured rate, never outside its
 * window, region or bit positions.
 */
import { describe, expect, it } from 'vitest';
import { assembleOrThrow } from '../../src/isa/index.js';
import { CoreSim, DataCorruptor, Dma, Memory, Scratchpad, StuckBits, Xbar } from '../../src/modules/index.js';
import { instantiate, startProgram, type Instantiated } from '../../src/sim/index.js';
import { deriveRng } from '../../src/util/index.js';
import { cleanGraph } from '../helpers/repo.js';

const L1 = 0x1000_0000;
const L2 = 0x1c00_0000;
const pulp = (): Instantiated => instantiate(cleanGraph('platforms/pulp-cluster.yaml'));

/** Runs a DMA copy of `n` bytes from L2 + 0x40000 to L1 + 0x8000 (pattern i * 37 + 5); returns source and destination. */
function dmaCopy(p: Instantiated, n: number): { src: Uint8Array; dst: Uint8Array } {
  const l2 = p.get('l2', Memory);
  const src = l2.data.subarray(0x40000, 0x40000 + n);
  for (let i = 0; i < n; i++) src[i] = (i * 37 + 5) & 0xff;
  p.get('dma', Dma).start({ src: L2 + 0x40000, dst: L1 + 0x8000, bytes: n });
  p.sim.run();
  return { src: Uint8Array.from(src), dst: p.get('l1', Scratchpad).data.slice(0x8000, 0x8000 + n) };
}

const flippedBits = (a: Uint8Array, b: Uint8Array): { byte: number; bit: number }[] => {
  const out: { byte: number; bit: number }[] = [];
  for (let i = 0; i < a.length; i++) for (let k = 0; k < 8; k++) if (((a[i]! ^ b[i]!) >> k) & 1) out.push({ byte: i, bit: k });
  return out;
};

describe('stuck-at bits', () => {
  it('StuckBits forces AND/OR masks over a range, by binary search, the last value of a twice-stuck bit winning', () => {
    const s = new StuckBits([{ offset: 10, bit: 0, value: 1 }, { offset: 3, bit: 7, value: 0 }, { offset: 10, bit: 1, value: 0 }, { offset: 20, bit: 2, value: 1 }, { offset: 20, bit: 2, value: 0 }]);
    expect(s.count).toBe(4);
    const d = new Uint8Array(32).fill(0xff);
    s.apply(d, 4, 10); // bytes 4..13: only offset 10
    expect(d[3]).toBe(0xff);
    expect(d[10]).toBe(0xfd);
    s.applyAll(d);
    expect([d[3], d[10], d[20]]).toEqual([0x7f, 0xfd, 0xfb]);
    expect(() => new StuckBits([{ offset: 0, bit: 8, value: 1 }])).toThrow(/bit 0..7/);
  });

  it('a scratchpad and a memory read their stuck values after core stores, debug writes and DMA writes', () => {
    const p = pulp();
    const l1 = p.get('l1', Scratchpad);
    const l2 = p.get('l2', Memory);
    // L1 word at 0x100: bit 0 of byte 0 stuck at 1, bit 7 of byte 1 stuck at 0; the DMA target 0x8000: bit 3 of byte 2 stuck at 1
    l1.setStuckBits(new StuckBits([{ offset: 0x100, bit: 0, value: 1 }, { offset: 0x101, bit: 7, value: 0 }, { offset: 0x8002, bit: 3, value: 1 }]));
    expect(l1.data[0x100]).toBe(1); // forced when installed
    l2.setStuckBits(new StuckBits([{ offset: 0x30000, bit: 4, value: 1 }]));
    // a core stores 0xFFFF0000 to L1 0x100 and 0 to L2 0x30000, then loads both back
    startProgram(p, ['pe0'], assembleOrThrow(`
        lui   t0, ${(L1 + 0x100) >>> 12}
        addi  t0, t0, 0x100
        lui   t1, 0xffff0
        sw    t1, 0(t0)
        lw    a1, 0(t0)
        lui   t2, ${(L2 + 0x30000) >>> 12}
        sw    zero, 0(t2)
        lw    a2, 0(t2)
        li    a0, 0
        ecall
`, { origin: L2 }, 'stuck.s'));
    dmaCopyInto(p);
    p.sim.run();
    const core = p.get('pe0', CoreSim);
    expect(core.core.exitCode).toBe(0);
    expect(core.core.reg(11) >>> 0).toBe(0xffff_0001); // byte 0 bit 0 reads 1; byte 1 was 0x00 (bit 7 stuck at 0 agrees)
    expect(core.core.reg(12)).toBe(0x10);
    // a debug write of 0x80 to byte 0x101 reads back 0x00
    core.debugWrite(L1 + 0x101, Uint8Array.of(0x80));
    expect(core.debugRead(L1 + 0x101, 1)[0]).toBe(0);
    // the DMA wrote byte 2 of its destination with bit 3 forced
    expect(l1.data[0x8002]).toBe(((2 * 37 + 5) & 0xff) | 8);
    expect(l1.data[0x8001]).toBe((37 + 5) & 0xff);
  });
});

/** Queues a 16-byte DMA copy L2 + 0x40000 -> L1 + 0x8000 (pattern i * 37 + 5), run by the caller's `sim.run`. */
function dmaCopyInto(p: Instantiated): void {
  const src = p.get('l2', Memory).data;
  for (let i = 0; i < 16; i++) src[0x40000 + i] = (i * 37 + 5) & 0xff;
  p.get('dma', Dma).start({ src: L2 + 0x40000, dst: L1 + 0x8000, bytes: 16 });
}

describe('register flips', () => {
  /** a2 = 5, then about 200 cycles of loop, then a1 = a2 and exit; `at` (ps) flips bit `bit` of `reg`. */
  function run(flip: (c: CoreSim) => void, at: number): { exit: number | undefined; a1: number; error: string | undefined } {
    const p = pulp();
    startProgram(p, ['pe0'], assembleOrThrow(`
        li    a2, 5
        li    t0, 50
loop:   addi  t0, t0, -1
        bnez  t0, loop
        mv    a1, a2
        li    a0, 0
        ecall
`, { origin: L2 }, 'flip.s'));
    const c = p.get('pe0', CoreSim);
    c.setSyncBarriers([at]); // the core would otherwise run its whole program in its first 1-us quantum, before the flip
    p.sim.thread('flipper', function* () {
      yield at;
      flip(c);
    });
    let error: string | undefined;
    try {
      p.sim.run();
    } catch (e) {
      error = (e as Error).message;
    }
    return { exit: c.core.exitCode, a1: c.core.reg(11), error };
  }

  it('a flipped bit of a live register changes the result by exactly that bit; after the exit it changes nothing', () => {
    expect(run(() => {}, 0).a1).toBe(5);
    expect(run((c) => c.flipRegisterBit('x', 12, 3), 200_000)).toMatchObject({ exit: 0, a1: 13 });
    expect(run((c) => c.flipRegisterBit('x', 12, 31), 200_000).a1 >>> 0).toBe(0x8000_0005);
    // the program ends after about 800 ns: a flip at 10 us has nothing left to change
    expect(run((c) => c.flipRegisterBit('x', 12, 3), 10_000_000)).toMatchObject({ exit: 0, a1: 5 });
  });

  it('a flipped high pc bit sends the core to an unmapped address: the run fails naming the core', () => {
    const r = run((c) => c.flipRegisterBit('pc', 0, 30), 200_000);
    expect(r.error).toMatch(/pe0/);
  });

  it('x0 and f registers of a core without F are refused', () => {
    const p = instantiate(cleanGraph('platforms/diana-like.yaml'));
    const core = [...p.modules.values()].find((m): m is CoreSim => m instanceof CoreSim)!;
    expect(() => core.flipRegisterBit('x', 0, 1)).toThrow(/hard-wired/);
    expect(() => core.flipRegisterBit('x', 5, 32)).toThrow(/0..31/);
    if (!core.params.extensions.includes('F')) expect(() => core.flipRegisterBit('f', 1, 1)).toThrow(/no F extension/);
  });
});

describe('data corruption in transit', () => {
  it('a DMA engine at rate 1 on bit 7 inverts bit 7 of every byte it moves; outside its window or region nothing', () => {
    const all = (o: Partial<ConstructorParameters<typeof DataCorruptor>[0]>): DataCorruptor =>
      new DataCorruptor({ rate: 1, bits: [7], window: [0, 1e12], region: [0, 2 ** 32], ...o }, deriveRng(1, 'dma', 'test'));
    let p = pulp();
    const k = (p.get('dma', Dma).corruptor = all({}));
    let { src, dst } = dmaCopy(p, 600);
    expect(flippedBits(src, dst)).toEqual(Array.from({ length: 600 }, (_, i) => ({ byte: i, bit: 7 })));
    expect(k.flipped).toBe(600);
    p = pulp();
    p.get('dma', Dma).corruptor = all({ window: [1e9, 2e9] });
    ({ src, dst } = dmaCopy(p, 600));
    expect(flippedBits(src, dst)).toEqual([]);
    // the region filters on destination addresses: bytes 100..199 only
    p = pulp();
    p.get('dma', Dma).corruptor = all({ region: [L1 + 0x8000 + 100, L1 + 0x8000 + 200] });
    ({ src, dst } = dmaCopy(p, 600));
    expect(flippedBits(src, dst)).toEqual(Array.from({ length: 100 }, (_, i) => ({ byte: 100 + i, bit: 7 })));
  });

  it('an interconnect corrupts the read data it returns (the DMA reads L2 through the AXI)', () => {
    const p = pulp();
    p.get('axi', Xbar).corruptor = new DataCorruptor({ rate: 1, bits: [0, 1], window: [0, 1e12], region: [0, 2 ** 32] }, deriveRng(1, 'axi', 'test'));
    const { src, dst } = dmaCopy(p, 64);
    expect(Array.from(dst)).toEqual(Array.from(src, (v) => v ^ 3));
  });

  it('at rate p the number of flips over n bits is binomial(n, p) and the flipped positions are uniform over the allowed bits', () => {
    for (const [p, bits] of [[1e-3, [0, 1, 2, 3, 4, 5, 6, 7]], [0.05, [2, 6]]] as const) {
      const k = new DataCorruptor({ rate: p, bits, window: [0, 1e12], region: [0, 2 ** 32] }, deriveRng(7, 'stat', String(p)));
      const perBit = new Map<number, number>();
      let n = 0;
      for (let t = 0; t < 2000; t++) {
        const buf = new Uint8Array(37 + (t % 500)); // transactions of varied sizes: the skip carries over
        k.apply(buf, buf.length, 0x1000, t);
        n += buf.length * bits.length;
        for (const v of buf) for (let b = 0; b < 8; b++) if ((v >> b) & 1) perBit.set(b, (perBit.get(b) ?? 0) + 1);
      }
      const mean = n * p;
      const sd = Math.sqrt(n * p * (1 - p));
      expect(Math.abs(k.flipped - mean), `p=${p}`).toBeLessThan(5 * sd);
      expect([...perBit.keys()].sort()).toEqual([...bits]);
      for (const b of bits) expect(Math.abs(perBit.get(b)! - mean / bits.length)).toBeLessThan(5 * Math.sqrt(mean / bits.length));
    }
  });
});
