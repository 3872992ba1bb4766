import { describe, expect, it } from 'vitest';
import { DMA_REGS, Dma, DmaDef, Memory, MemoryDef, type DmaTransfer } from '../../src/modules/index.js';
import { wordPayload } from '../../src/tlm/index.js';
import { Simulation, ctxFor, initiator, win } from '../helpers/modules.js';

const EXT = win('ext', 0x1c00_0000, 256 * 1024);
const LOC = win('loc', 0x1000_0000, 256 * 1024);

interface Opts {
  readonly dma?: Record<string, unknown>;
  /** Source memory (ext side): latency and bandwidth. */
  readonly srcLatency?: number;
  readonly dstLatency?: number;
  readonly cfg?: boolean;
}

/**
 * A DMA at 1 GHz (1 cycle = 1000 ps) with one local port to memory `loc` and its ext port to
 * memory `ext`. Both memories: 64 B/cycle, so a 256-B burst occupies them 4 cycles. Defaults:
 * 8 B/cycle, 256-B bursts, 8 outstanding, setup 10, row overhead 1.
 */
function setup(o: Opts = {}) {
  const sim = new Simulation();
  const dma = new Dma(
    ctxFor(sim, DmaDef, 'dma', { localPorts: 1, localWidthBits: 32, extWidthBits: 32, setupCycles: 10, ...o.dma }, {
      reach: (port) => (port === 'local' ? [LOC] : [EXT]),
      connected: (port) => port !== 'cfg' || o.cfg === true,
      region: win('dma', 0x1020_1800, 1024),
    }),
  );
  const mem = (name: string, w: typeof EXT, latencyCycles: number) =>
    new Memory(ctxFor(sim, MemoryDef, name, { sizeBytes: w.size, dataWidthBits: 32, latencyCycles, bandwidthBytesPerCycle: 64 }, { region: w }));
  const ext = mem('ext', EXT, o.srcLatency ?? 12);
  const loc = mem('loc', LOC, o.dstLatency ?? 2);
  dma.initiator('ext')!.bind(ext.targets('mem')[0]!);
  dma.initiators('local')[0]!.bind(loc.targets('mem')[0]!);
  for (let i = 0; i < ext.data.length; i++) ext.data[i] = (i * 7 + 3) & 0xff;
  return { sim, dma, ext, loc };
}

/** Runs one transfer from a test thread; returns its duration in cycles. */
function time(o: Opts, t: DmaTransfer): { cycles: number; dma: Dma; ext: Memory; loc: Memory } {
  const { sim, dma, ext, loc } = setup(o);
  let cycles = -1;
  sim.thread('driver', function* () {
    const id = dma.start(t);
    yield dma.doneEvent(id);
    cycles = sim.now / 1000;
  });
  sim.run();
  return { cycles, dma, ext, loc };
}

describe('dma: transfer time (MODELS.md section 11)', () => {
  it('1D, bandwidth bound, latency hidden: T = setup + S / BW', () => {
    // RTT = read (12 + 4) + write (2 + 4) = 22 <= d = 256 / 8 = 32
    const { cycles, dma } = time({}, { src: EXT.base, dst: LOC.base, bytes: 1024 });
    expect(cycles).toBe(10 + 1024 / 8);
    expect(dma.transfers.get(1)!.bursts).toBe(4);
  });

  it('1D, bandwidth bound, latency exposed once: T = setup + (RTT - d) + S / BW', () => {
    // RTT = (100 + 4) + (2 + 4) = 110, d = 32, 8 outstanding: 8 * 32 >= 110
    const { cycles } = time({ srcLatency: 100 }, { src: EXT.base, dst: LOC.base, bytes: 1024 });
    expect(cycles).toBe(10 + (110 - 32) + 128);
  });

  it('1D, outstanding bound: bursts go in groups of N per round trip', () => {
    // N = 2, RTT = (200 + 4) + (2 + 4) = 210 > N * d = 64; 8 bursts:
    // T = setup + floor(7 / 2) * RTT + (7 mod 2) * d + RTT
    const { cycles } = time({ srcLatency: 200, dma: { maxOutstanding: 2 } }, { src: EXT.base, dst: LOC.base, bytes: 2048 });
    expect(cycles).toBe(10 + 3 * 210 + 32 + 210);
  });

  it('large transfers converge to setup + S / BW_eff with BW_eff = min(BW, N * burst / RTT)', () => {
    const S = 128 * 1024;
    const bwBound = time({}, { src: EXT.base, dst: LOC.base, bytes: S }).cycles;
    expect(bwBound).toBe(10 + S / 8); // latency hidden (RTT 22 < d 32)
    const rtt = 210;
    const outBound = time({ srcLatency: 200, dma: { maxOutstanding: 2 } }, { src: EXT.base, dst: LOC.base, bytes: S }).cycles;
    const bwEff = Math.min(8, (2 * 256) / rtt);
    expect(outBound).toBe(10 + 255 * rtt + 32 + rtt); // 512 bursts, exact
    expect(Math.abs(outBound - (10 + S / bwEff)) / outBound).toBeLessThan(0.01);
  });

  it('a partial last burst takes ceil(bytes / BW) cycles', () => {
    // 300 B = 256 + 44: d = 32, 6; RTT of the last = (12 + 1) + (2 + 1) = 16 > 6
    const { cycles, dma } = time({}, { src: EXT.base, dst: LOC.base, bytes: 300 });
    expect(cycles).toBe(10 + 32 + 16);
    expect(dma.stats.bytes.value).toBe(300);
  });

  it('2D: T = setup + sum over rows (rowOverhead + ceil(L / BW)) + (RTT - d)', () => {
    // 4 rows of 64 B: d = 8, RTT = (12 + 1) + (2 + 1) = 16
    const { cycles, loc, ext } = time({}, { src: EXT.base, dst: LOC.base + 0x100, bytes: 64, rows: 4, srcStride: 256, dstStride: 64 });
    expect(cycles).toBe(10 + 4 * (1 + 8) + (16 - 8));
    for (let r = 0; r < 4; r++) {
      expect([...loc.data.subarray(0x100 + r * 64, 0x100 + r * 64 + 64)]).toEqual([...ext.data.subarray(r * 256, r * 256 + 64)]);
    }
    expect(loc.data[0x100 + 256]).toBe(0);
  });

  it('2D with short rows is dominated by the row overhead', () => {
    const slow = time({ dma: { rowOverheadCycles: 10 } }, { src: EXT.base, dst: LOC.base, bytes: 16, rows: 8, srcStride: 64 }).cycles;
    // d = 2, RTT = 13 + 3 = 16: 10 + 8 * (10 + 2) + (16 - 2)
    expect(slow).toBe(10 + 8 * 12 + 14);
  });
});

describe('dma: data, completion, statistics, errors', () => {
  it('moves real bytes, ext -> local and local -> ext, and counts bytes per port', () => {
    const { sim, dma, ext, loc } = setup();
    const done: number[] = [];
    sim.thread('driver', function* () {
      const a = dma.start({ src: EXT.base + 0x40, dst: LOC.base, bytes: 1000 });
      const b = dma.start({ src: LOC.base, dst: EXT.base + 0x10000, bytes: 1000 });
      yield* dma.wait(a);
      done.push(sim.now);
      yield* dma.wait(b);
      done.push(sim.now);
      yield* dma.wait(a); // already done: returns at once
      done.push(sim.now);
    });
    sim.run();
    expect([...loc.data.subarray(0, 1000)]).toEqual([...ext.data.subarray(0x40, 0x40 + 1000)]);
    expect([...ext.data.subarray(0x10000, 0x10000 + 1000)]).toEqual([...ext.data.subarray(0x40, 0x40 + 1000)]);
    const [a, b] = [dma.transfers.get(1)!, dma.transfers.get(2)!];
    expect(b.started).toBe(a.finished); // in order, one at a time
    expect(done).toEqual([a.finished, b.finished, b.finished]);
    expect(dma.stats.transfers.value).toBe(2);
    expect(dma.stats.bytes.value).toBe(2000);
    expect(dma.portTraffic('ext')).toMatchObject({ bytes: 2000, transactions: 8 });
    expect(dma.portTraffic('local', 0)).toMatchObject({ bytes: 2000, transactions: 8 });
    expect(dma.busy.total).toBe(b.finished! - a.started!);
    expect(dma.snapshot().stats).toEqual({ transfers: 2, bytes: 2000, busy: dma.busy.total });
  });

  it('is programmed through its cfg registers', () => {
    const { sim, dma, loc, ext } = setup({ cfg: true });
    const cpu = initiator(sim, 'cpu.data');
    cpu.bind(dma.target('cfg')!);
    const base = 0x1020_1800;
    let status = -1;
    sim.thread('cpu', function* () {
      for (const [reg, v] of [[DMA_REGS.src, EXT.base], [DMA_REGS.dst, LOC.base], [DMA_REGS.bytes, 512], [DMA_REGS.cmd, 1]] as const) {
        yield* cpu.bTransport(wordPayload('write', base + reg, v), 0);
      }
      const id = wordPayload('read', base + DMA_REGS.cmd);
      yield* cpu.bTransport(id, 0);
      yield* dma.wait(id.readWord());
      const st = wordPayload('read', base + DMA_REGS.status);
      yield* cpu.bTransport(st, 0);
      status = st.readWord();
    });
    sim.run();
    expect(status).toBe(0);
    expect([...loc.data.subarray(0, 512)]).toEqual([...ext.data.subarray(0, 512)]);
  });

  it('refuses bad transfers, naming the DMA', () => {
    const { dma } = setup({ dma: { twoD: false, maxTransferBytes: 4096 } });
    expect(() => dma.start({ src: EXT.base, dst: LOC.base, bytes: 64, rows: 2 })).toThrow(/dma 'dma': 2D transfer requested/);
    expect(() => dma.start({ src: EXT.base, dst: LOC.base, bytes: 8192 })).toThrow(/exceeds maxTransferBytes 4096 B/);
    expect(() => dma.start({ src: EXT.base, dst: LOC.base, bytes: 0 })).toThrow(/dma-bad-transfer|positive/);
  });

  it('an access outside the target stops the run with the target, address and time', () => {
    const { sim, dma } = setup();
    sim.thread('driver', function* () {
      dma.start({ src: EXT.base + EXT.size - 128, dst: LOC.base, bytes: 256 });
    });
    expect(() => sim.run()).toThrow(/memory 'ext'.*0x1C03FF80.*10 ns/);
  });
});
