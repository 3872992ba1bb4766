/**
 * The digital parts of the example platforms (diana-like, hermes-like, eyeriss-like; issue 4
 * "Example platforms"): their published shape (PLATFORMS.md (b)-(d)), and a hand-written
 * assembly program on each (test/fixtures/asm/), instantiated through src/sim and loaded with
 * the core's loadProgram, with the result checked in memory and the run ending with exit code 0.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { cleanGraph, fill, repoRoot, words } from '../helpers/repo.js';
import { assembleOrThrow } from '../../src/isa/index.js';
import { CoreSim, Dma, Memory, Scratchpad, loadProgram } from '../../src/modules/index.js';
import { type PlatformGraph } from '../../src/platform/index.js';
import { instantiate, type Instantiated } from '../../src/sim/index.js';

const graph = (name: string): PlatformGraph => cleanGraph(`platforms/${name}.yaml`);


/** Instantiates `name`, lets `init` fill memories, loads `file` at `origin` on core `core`. */
function setup(name: string, file: string, origin: number, core: string, init: (p: Instantiated) => void): { p: Instantiated; c: CoreSim } {
  const p = instantiate(graph(name));
  expect(p.skipped).toEqual([]);
  expect(p.unboundConnections).toEqual([]);
  init(p);
  const prog = assembleOrThrow(readFileSync(`${repoRoot}test/fixtures/asm/${file}`, 'utf8'), { origin }, file);
  const c = p.get(core, CoreSim);
  expect(loadProgram([c], prog)).toBe(origin);
  return { p, c };
}

/** The run ended: the core exited with 0, nothing was left to simulate after it, time adds up. */
function expectEnded(p: Instantiated, c: CoreSim, periodPs: number): void {
  expect(c.core.exitCode).toBe(0);
  expect(c.exitTime).toBeGreaterThan(0);
  expect(p.sim.now).toBe(c.exitTime);
  // its time covers at least its executing cycles (memory and load-use stalls included), at most those plus every stall
  const cycles = c.exitTime! / periodPs;
  expect(Number.isInteger(cycles)).toBe(true);
  expect(cycles).toBeGreaterThanOrEqual(c.core.cycles);
  expect(cycles).toBeLessThanOrEqual(c.core.cycles + c.stats.stallCycles.value);
}

describe('example platforms: published shape', () => {
  const kinds = (g: PlatformGraph): string[] => Object.values(g.instances).map((i) => i.kind).sort();

  it('diana-like: RISC-V host, 16x16 PE array, 1152x512 ternary AIMC core, 256 kB shared L1, 64 kB weight memory, 512 kB L2 at 260 MHz (PLATFORMS.md (b))', () => {
    const g = graph('diana-like');
    expect(kinds(g)).toEqual(['aimc-tile', 'core', 'dma', 'memory', 'pe-array', 'scratchpad', 'scratchpad', 'xbar', 'xbar']);
    expect(g.instances['aimc']!.params).toMatchObject({ accelId: 1, rows: 1152, cols: 512, mapping: 'ternary', inputBits: 7, inputSigned: true, dac: 'pulse-width', adcBits: 6 });
    expect(g.instances['aimc']!.paramOrigin['pulseLsbTime']).toMatch(/^tech:platforms\/tech\/diana-22nm.yaml/);
    expect(g.instances['dacc']!.params).toMatchObject({ rows: 16, cols: 16, peType: 'int8', dataflow: 'os', accelId: 0 });
    expect(g.instances['dacc']!.params['macEnergy']).toBe(0.14);
    expect(g.clocks['soc']!.periodPs).toBe(3846); // 260 MHz at 1 ps resolution
    expect(g.instances['l1']!.params).toMatchObject({ sizeBytes: 256 * 1024, banks: 16, wordBytes: 4 });
    expect(g.instances['wmem']!.params).toMatchObject({ sizeBytes: 64 * 1024, banks: 64, wordBytes: 4 });
    expect(g.instances['l2']!.params).toMatchObject({ sizeBytes: 512 * 1024, bandwidthBytesPerCycle: 16 });
    expect(g.instances['dma']!.params).toMatchObject({ bandwidthBytesPerCycle: 16 });
    expect(g.instances['host']!.paramOrigin['instrEnergy']).toMatch(/^tech:platforms\/tech\/diana-22nm.yaml/);
  });

  it('hermes-like: control core, network, activation memory and 4 AIMC cores (256 x 256, 8-bit) at 1 GHz (PLATFORMS.md (c))', () => {
    const g = graph('hermes-like');
    expect(kinds(g)).toEqual(['aimc-tile', 'aimc-tile', 'aimc-tile', 'aimc-tile', 'core', 'scratchpad', 'xbar']);
    expect(g.clocks['chip']!.periodPs).toBe(1000);
    for (let i = 0; i < 4; i++) {
      expect(g.instances[`aimc${i}`]!.params).toMatchObject({ accelId: i, rows: 256, cols: 512, inputBits: 8, dac: 'pulse-width', adcBits: 8, adcArchitecture: 'cco' });
      expect(g.instances[`aimc${i}`]!.paramOrigin['adcConversionEnergy']).toMatch(/^tech:platforms\/tech\/hermes-14nm.yaml/);
    }
  });

  it('eyeriss-like: 108 KB global buffer, DRAM over a 90 MHz link, 200 MHz core (PLATFORMS.md (d))', () => {
    const g = graph('eyeriss-like');
    expect(kinds(g)).toEqual(['core', 'dma', 'memory', 'pe-array', 'scratchpad', 'xbar', 'xbar', 'xbar']);
    expect(g.instances['pes']!.params).toMatchObject({ rows: 12, cols: 14, peType: 'int16', glbSize: 108 * 1024, accelId: 0 });
    expect(g.instances['pes']!.paramOrigin['macEnergy']).toMatch(/^tech:platforms\/tech\/eyeriss-65nm.yaml/);
    expect(g.clocks['core']!.periodPs).toBe(5000);
    expect(g.clocks['link']!.periodPs).toBe(11111); // 90 MHz at 1 ps resolution
    expect(g.instances['glb']!.params).toMatchObject({ sizeBytes: 108 * 1024, banks: 32, wordBytes: 8 });
    expect(g.instances['dram']!.params).toMatchObject({ level: 'external' });
    expect(g.instances['dram']!.params['accessEnergy']).toBe(1000);
    expect(g.instances['dram']!.paramOrigin['accessEnergy']).toMatch(/^tech:platforms\/tech\/eyeriss-65nm.yaml/);
  });
});

describe('example platforms: assembly programs', () => {
  it('diana-like: DMA activations L2 -> L1, multiply with the weight memory, DMA back', () => {
    const x = Array.from({ length: 32 }, (_, j) => 7 * j - 90);
    const w = Array.from({ length: 32 }, (_, j) => (j % 3) - 1); // ternary, as DIANA's AIMC weights
    const { p, c } = setup('diana-like', 'diana_act.s', 0x1c00_0000, 'host', (p) => {
      fill(p.get('l2', Memory).data, 0x10000, x);
      fill(p.get('wmem', Scratchpad).data, 0, w);
    });
    p.sim.run();
    const y = x.map((v, j) => (v * w[j]!) | 0);
    const l1 = p.get('l1', Scratchpad).data;
    expect(words(l1, 0, 32)).toEqual(x);
    expect(words(l1, 128, 32)).toEqual(y);
    expect(words(l1, 256, 1)).toEqual([y.reduce((s, v) => s + v, 0)]);
    expect(words(p.get('l2', Memory).data, 0x20000, 32)).toEqual(y);
    const dma = p.get('dma', Dma);
    expect(dma.stats.bytes.value).toBe(256);
    expect([...dma.transfers.values()].every((t) => t.finished !== undefined && t.finished <= c.exitTime!)).toBe(true);
    expect(dma.transfers.size).toBe(2);
    // 6 li/dma + dma.wait, 4 setup; 32 x 9; sw, addi, li, dma.addr, li, dma.1d, dma.wait, li, ecall
    expect(c.core.instructions).toBe(7 + 4 + 32 * 9 + 9);
    expectEnded(p, c, 3846);
  });

  it('hermes-like: affine scale + ReLU over the activation memory', () => {
    const x = Array.from({ length: 16 }, (_, j) => 2 * j - 9);
    const { p, c } = setup('hermes-like', 'hermes_affine_relu.s', 0x1000_8000, 'ctrl', (p) => fill(p.get('act', Scratchpad).data, 0, x));
    p.sim.run();
    const y = x.map((v) => Math.max(0, 3 * v - 20));
    const positive = y.filter((v) => v > 0).length;
    const act = p.get('act', Scratchpad).data;
    expect(words(act, 0x100, 16)).toEqual(y);
    expect(words(act, 0x140, 1)).toEqual([positive]);
    expect(positive).toBe(8);
    // prologue 4; per element lw, mul, addi, bgt, sw, addi, addi, bnez (8) + addi (positive) or
    // li, j (not); epilogue lui, addi, sw, li, ecall (5)
    expect(c.core.instructions).toBe(4 + 16 * 8 + positive + 2 * (16 - positive) + 5);
    expectEnded(p, c, 1000);
    // Issue cycles (CV32E40P costs): prologue 4; per element lw 1, mul 1 + 1 (load-use), addi 1,
    // then bgt taken 3 + addi 1 (positive) or bgt not taken 1 + li 1 + j 2 (not): 4 either way,
    // sw 1, addi 1, addi 1, bnez 3 taken / 1 last = 14 (12 the last); epilogue 5: 4 + 222 + 5 = 231.
    // 16 loads and 17 stores go through the network: 2 cycles latency + ceil(4 B / 4 B/cycle) +
    // 1 cycle access = 4 cycles, of which the core's own load/store cycle covers 1: 3 stall cycles
    // each. No waiting (no DMA, no event unit): the core executes until its exit.
    expect(c.core.cycles).toBe(231 + 33 * 3);
    expect(c.exitTime! / 1000).toBe(231 + 33 * 3);
    expect(c.stats.stallCycles.value).toBe(33 * 3 + 16); // memory + load-use
  });

  it('eyeriss-like: DMA an ifmap row and filter DRAM -> global buffer, 1D convolution, DMA back', () => {
    const x = Array.from({ length: 16 }, (_, j) => 11 * j - 60);
    const f = [3, -2, 5];
    const { p, c } = setup('eyeriss-like', 'eyeriss_row.s', 0x8000_0000, 'ctrl', (p) => fill(p.get('dram', Memory).data, 0x10000, [...x, ...f, 0]));
    p.sim.run();
    const out = Array.from({ length: 14 }, (_, j) => f[0]! * x[j]! + f[1]! * x[j + 1]! + f[2]! * x[j + 2]!);
    const glb = p.get('glb', Scratchpad).data;
    expect(words(glb, 0, 19)).toEqual([...x, ...f]);
    expect(words(glb, 256, 14)).toEqual(out);
    expect(words(p.get('dram', Memory).data, 0x20000, 14)).toEqual(out);
    const dma = p.get('dma', Dma);
    expect(dma.stats.bytes.value).toBe(80 + 56);
    expect([...dma.transfers.values()].every((t) => t.finished !== undefined && t.finished <= c.exitTime!)).toBe(true);
    expect(dma.transfers.size).toBe(2);
    // 2 lui, dma.addr, li, dma.1d, dma.wait, 3 lw, mv, addi, li (12); 14 x 13; addi, lui, dma.addr, li, dma.1d, dma.wait, li, ecall (8)
    expect(c.core.instructions).toBe(12 + 14 * 13 + 8);
    expectEnded(p, c, 5000);
  });
});
