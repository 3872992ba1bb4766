/**
 * Hand-written assembly programs (test/fixtures/asm/*.s) on pulp-cluster: results checked in
 * memory, cycle counts derived from the core's cost table (CV32E40P defaults: ALU 1, load 1 +
 * 1 load-use stall, store 1, branch 3 taken / 1 not, sync and dma issue 1, ecall 1) and the
 * timing of the event unit (request 6 cycles, wake-up 2) and the DMA. One cycle = 4 ns (250 MHz).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { cleanGraph, fill, repoRoot, words } from '../helpers/repo.js';
import { assembleOrThrow } from '../../src/isa/index.js';
import { CoreSim, Dma, ENV_EXIT, EventUnit, FlatMemory, Memory, Rv32Core, Scratchpad, loadElfSegments, loadProgram, parseElf } from '../../src/modules/index.js';
import { formatReport, instantiate, runReport, type Instantiated } from '../../src/sim/index.js';
import { SimError } from '../../src/util/index.js';

const pulp = () => cleanGraph('platforms/pulp-cluster.yaml');

const L1 = 0x1000_0000;
const L2 = 0x1c00_0000;
const NS_PER_CYCLE = 4;
const WORKERS = ['pe0', 'pe1', 'pe2', 'pe3', 'pe4', 'pe5', 'pe6', 'pe7'];

/** Instantiates pulp-cluster, lets `init` fill memories, loads `file` at the start of L2 on `cores`. */
function setup(file: string, cores: readonly string[], init: (p: Instantiated) => void = () => {}): { p: Instantiated; cs: CoreSim[] } {
  const p = instantiate(pulp());
  init(p);
  const prog = assembleOrThrow(readFileSync(`${repoRoot}test/fixtures/asm/${file}`, 'utf8'), { origin: L2 }, file);
  const cs = cores.map((n) => p.get(n, CoreSim));
  expect(loadProgram(cs, prog)).toBe(L2);
  return { p, cs };
}


describe('assembly programs on pulp-cluster', () => {
  it('cores are simulated modules now', () => {
    const p = instantiate(pulp());
    expect(p.skipped).toEqual([]);
    expect(p.unboundConnections).toEqual([]);
    expect(p.get('pe3', CoreSim).params.hartId).toBe(3);
  });

  it('(a) parallel vector add on the 8 workers, barrier at the end', () => {
    const a = Array.from({ length: 64 }, (_, j) => 3 * j - 50);
    const b = Array.from({ length: 64 }, (_, j) => 1000 - 7 * j);
    const { p, cs } = setup('vadd.s', WORKERS, (p) => {
      p.get('eu', EventUnit).setBarrierMembers(0, 0xff); // the 8 workers (cc is not running)
      const l1 = p.get('l1', Scratchpad);
      fill(l1.data, 0, a);
      fill(l1.data, 256, b);
    });
    p.sim.run();
    expect(words(p.get('l1', Scratchpad).data, 512, 64)).toEqual(a.map((x, j) => x + b[j]!));
    expect(cs[0]!.debugReadWords(L1 + 512, 2)).toEqual([a[0]! + b[0]!, a[1]! + b[1]!]);

    // Per core: prologue lui, slli, add, li = 4; 8 iterations of lw 1, lw 1, add 1 + 1 (load-use),
    // sw 1, addi 1, addi 1, bnez 3 (taken) = 10, the last 8 (not taken): 7 * 10 + 8 = 78.
    // sync.bar issues at cycle 82, reaches the event unit 6 cycles later (88), which is when the
    // last core arrives (all run in lockstep); all wake 2 cycles later (90); then sync.bar retires
    // (1), li (1), ecall (1): exit at 93. In lockstep, core h touches bank (h + 8k + const) mod 16:
    // 8 different banks per cycle, no conflicts; L1 answers in the cycle after the access, which
    // the core's own load cost covers (no memory stall).
    for (const c of cs) {
      expect(c.exitTime! / 1000 / NS_PER_CYCLE).toBe(93);
      expect(c.core.instructions).toBe(4 + 8 * 7 + 3);
      expect(c.core.cycles).toBe(4 + 78 + 3); // executing
      expect(c.stats.stallCycles.value).toBe(8 + (90 - 82)); // load-use + barrier
      expect(c.core.exitCode).toBe(0);
    }
    expect(p.sim.now).toBe(93 * NS_PER_CYCLE * 1000);
    expect(p.get('l1', Scratchpad).stats.bankConflicts.value).toBe(0);
    expect(p.get('eu', EventUnit).stats.barriers.value).toBe(1);

    const report = runReport(p.sim, p.modules.values(), p.skipped);
    const pe5 = report.components.find((c) => c.path === 'pe5')!;
    expect(pe5.stats).toMatchObject({ instructions: 63, cycles: 85 - 8, stallCycles: 16, 'instr.load': 16, 'instr.store': 8, 'instr.sync': 1, 'cycles.branch': 7 * 3 + 1 });
    expect(pe5.energyEvents).toEqual({ instruction: 63 });
    expect(pe5.busyFraction).toBeCloseTo(85 / 93, 9);
    expect(pe5.ports['tcdm']).toMatchObject({ transactions: 24, bytes: 96 });
    expect(formatReport(report)).toMatch(/pe0\s+core\s+340 ns\s+91\.4 %\s+instruction=63\s+instructions=63, cycles=77, stallCycles=16 cycles/);
  });

  it('(b) 2D DMA tiling loop: L2 -> L1 tile, compute, L1 -> L2', () => {
    const img = Array.from({ length: 128 }, (_, i) => 5 * i - 100); // 8 rows x 16 int32
    const { p, cs } = setup('dma_tile.s', ['pe0'], (p) => fill(p.get('l2', Memory).data, 0x10000, img));
    p.sim.run();
    expect(words(p.get('l2', Memory).data, 0x20000, 128)).toEqual(img.map((x) => 2 * x + 1));
    const core = cs[0]!;

    // DMA (setup 10, 1 cycle per 2D row, 8 B/cycle, 256-B bursts): 8 rows of 32 B, one burst each
    // of d = 4 cycles; round trip RTT = AXI (12 + 4) + L2 (12 + 4) + L1 (8 words through one port:
    // 8) = 40 in both directions; bandwidth bound, so T = 10 + 8 * 1 + 7 * 4 + 40 = 86 cycles.
    const dma = p.get('dma', Dma);
    const tr = [...dma.transfers.values()].map((t) => [t.started! / 4000, t.finished! / 4000]);
    // Core: 6 li; per tile: dma.addr, dma.strd, li, li (4); dma.2d starts the transfer at its issue
    // cycle `in` and retires 1 cycle later; dma.wait then sleeps until the transfer is done
    // (in + 86) and retires 1 cycle later; mv, li (2); 64 loop iterations of lw 1, slli 1 + 1,
    // addi 1, sw 1, addi 1, addi 1, bnez 3 = 10 (the last 8): 638; dma.addr, dma.strd (2); the
    // same dma.2d / dma.wait pair; 3 addi; bnez 3 (taken) / 1; li a0, ecall (2).
    const in1 = 6 + 4;                               // 10
    const out1 = in1 + 86 + 1 + 2 + 638 + 2;         // 739
    const in2 = out1 + 86 + 1 + 3 + 3 + 4;           // 836
    const out2 = in2 + 86 + 1 + 2 + 638 + 2;         // 1565
    const exit = out2 + 86 + 1 + 3 + 1 + 2;          // 1658
    expect(tr).toEqual([[in1, in1 + 86], [out1, out1 + 86], [in2, in2 + 86], [out2, out2 + 86]]);
    expect(core.exitTime! / 4000).toBe(exit);
    expect(exit).toBe(1658);
    expect(core.core.instructions).toBe(6 + 2 * (4 + 2 + 2 + 64 * 7 + 4 + 4) + 2);
    expect(core.stats.stallCycles.value).toBe(128 + 4 * 85); // load-use + DMA waits
    expect(dma.stats.bytes.value).toBe(1024);
    expect(p.get('l1', Scratchpad).stats.bankConflicts.value).toBe(0);
    const report = runReport(p.sim, p.modules.values(), p.skipped);
    expect(report.dmaBytes).toEqual({ dma: 1024 });
    expect(report.components.find((c) => c.path === 'pe0')!.stats).toMatchObject({ instructions: 936, 'instr.dma': 16 });
  });

  it('(c) barrier-synchronized reduction', () => {
    const x = Array.from({ length: 64 }, (_, j) => j * j - 7 * j + 3);
    const { p, cs } = setup('reduce.s', WORKERS, (p) => {
      p.get('eu', EventUnit).setBarrierMembers(0, 0xff);
      fill(p.get('l1', Scratchpad).data, 0, x);
    });
    p.sim.run();
    const l1 = p.get('l1', Scratchpad).data;
    const partial = WORKERS.map((_, h) => x.filter((_, j) => j % 8 === h).reduce((s, v) => s + v, 0));
    expect(words(l1, 0x400, 8)).toEqual(partial);
    expect(words(l1, 0x440, 1)).toEqual([x.reduce((s, v) => s + v, 0)]);

    // Before the barrier: lui, slli, add, li, li (5); 8 iterations of lw 1, add 1 + 1, addi 1,
    // addi 1, bnez 3 = 8 (last 6): 62; li (lui + addi), slli, add, sw (5): sync.bar issues at 72,
    // reaches the unit at 78 (the last core too), all wake at 80, sync.bar retires: 81.
    // Workers 1-7: bnez taken (3), li, ecall: 86. Core 0: bnez not taken (1), li (2), li, li (2),
    // the same 62-cycle loop over the partials, li (2), sw, li, ecall (3): 81 + 1 + 4 + 62 + 5 = 153.
    expect(cs.map((c) => c.exitTime! / 4000)).toEqual([153, 86, 86, 86, 86, 86, 86, 86]);
    expect(cs.map((c) => c.core.instructions)).toEqual([101, ...Array(7).fill(54)]);
    expect(cs.map((c) => c.stats.stallCycles.value)).toEqual([16 + 8, ...Array(7).fill(8 + 8)]);
    expect(p.get('l1', Scratchpad).stats.bankConflicts.value).toBe(0);
  });

  const failing = (file: string): SimError => {
    const { p } = setup(file, ['pe0']);
    try {
      p.sim.run();
    } catch (e) {
      expect(e).toBeInstanceOf(SimError);
      return e as SimError;
    }
    throw new Error(`${file} did not fail`);
  };

  it('an illegal instruction stops the run naming the core, the pc, the word and the time', () => {
    const e = failing('illegal.s');
    expect(e.code).toBe('illegal-instruction');
    expect(e.message).toMatch(/^core 'pe0' at pc 0x1c000008 after 2 instructions: illegal instruction 0xffffffff: .* \(time 8 ns\)$/);
    expect(e.time).toBe(8000);
  });

  it('an access outside every mapped region stops the run naming the core, the pc, the address and the time', () => {
    const e = failing('unmapped.s');
    expect(e.code).toBe('unmapped-address');
    expect(e.message).toBe(
      "core 'pe0' at pc 0x1c000008 after 2 instructions: lw from address 0x20000000: load of 4 B through 'pe0.data' failed with TLM_ADDRESS_ERROR_RESPONSE: no region of the address map holds address 0x20000000 (time 8 ns)",
    );
  });

  it('a command to an accelerator the platform does not have is a clear error', () => {
    const e = failing('accel.s');
    expect(e.code).toBe('no-accelerator');
    expect(e.message).toBe("core 'pe0' at pc 0x1c000004: accelerator 2 is not reachable through the data port (no accelerator is); the N of acc.* must be an accelerator's accelId param (time 4 ns)");
  });

  it('runs the committed ELF (C compiled by gcc, linked at the L1 base) like the stand-alone core', () => {
    const img = parseElf(readFileSync(`${repoRoot}test/fixtures/riscv/prog.elf`), 'prog.elf');
    // reference: the same ISS on a flat RAM, zero memory latency
    const ram = new FlatMemory(L1, 64 * 1024, { name: 'ram' });
    const ref = new Rv32Core(ram, { name: 'ref', pc: loadElfSegments(img, (a, d) => ram.write(a, d)), env: { ecall: () => ENV_EXIT, ebreak: () => 0, custom: () => 0 } });
    expect(ref.run(50_000_000)).toBe('exit');

    const p = instantiate(pulp());
    const pe0 = p.get('pe0', CoreSim);
    expect(loadProgram([pe0], img)).toBe(img.entry);
    p.sim.run();
    expect(pe0.core.exitCode).toBe(ref.exitCode);
    expect(pe0.core.instructions).toBe(ref.instructions);
    // all of it in L1 (TCDM answers in the cycle after the access): no cycle beyond the reference's
    expect(pe0.core.cycles).toBe(ref.cycles);
    expect(pe0.exitTime).toBe(ref.cycles * 4000);
  });

  it('loading outside every memory is refused', () => {
    const p = instantiate(pulp());
    expect(() => p.get('pe0', CoreSim).load({ origin: 0x3000_0000, words: [0x13] })).toThrow(/no memory of the address map holds \[0x30000000/);
  });
});
