import { describe, expect, it } from 'vitest';
import { AIMC_COMMANDS, AimcTileDef, AimcTileSim, Memory, MemoryDef, aimcLayout, aimcMvmTimePs, aimcScaleValue, aimcTimingFromParams, programTile } from '../../src/modules/index.js';
import { AIMC_DIGITAL_CYCLES, AIMC_Y_EXACT_MAX, aimcGeom, aimcScenario, aimcVectors, ciSizePlatform, type AimcGeom, type AimcTest } from '../../src/rtl/index.js';
import { deriveRng } from '../../src/util/index.js';
import { Simulation, ctxFor, win } from '../helpers/modules.js';
import { loadRepoPlatform } from '../helpers/repo.js';
import { PLATFORMS, generate } from './helpers.js';

/** Every AIMC tile the generator builds RTL for (CI size), with its params and clock period. */
function tiles(): { file: string; name: string; verilog: string; params: Record<string, unknown>; periodPs: number; geom: AimcGeom; test: AimcTest; files: ReadonlyMap<string, string> }[] {
  const out: ReturnType<typeof tiles> = [];
  for (const file of [...PLATFORMS, 'test/fixtures/rtl/variants.yaml']) {
    const g = ciSizePlatform(loadRepoPlatform(file).graph!);
    const r = generate(file);
    for (const inst of r.manifest!.instances.filter((i) => i.kind === 'aimc-tile' && i.rtl)) {
      const node = g.instances[inst.name]!;
      const periodPs = g.clocks[node.clock]!.periodPs;
      const geom = aimcGeom(node.params, periodPs).geom!;
      out.push({ file, name: inst.name, verilog: inst.verilog.replace(/^u_/, ''), params: node.params, periodPs, geom, test: aimcScenario(geom, deriveRng(1, inst.name, 'rtl-aimc')), files: r.files });
    }
  }
  return out;
}

/** Little-endian 32-bit words into memory. */
function put(mem: Uint8Array, addr: number, words: readonly number[]): void {
  const dv = new DataView(mem.buffer, mem.byteOffset);
  words.forEach((w, i) => dv.setUint32(addr + 4 * i, w >>> 0, true));
}

/**
 * The simulator's tile (AimcTileSim: PROGRAM, SCALE and MVM commands through memory) on the
 * testbench's weights, scales and inputs; returns the int32 outputs it writes per MVM.
 */
function simulate(params: Record<string, unknown>, t: AimcTest, k: number, n: number): number[][] {
  const sim = new Simulation();
  const S = 1 << 16;
  const W = win('m', 0, S);
  const tile = new AimcTileSim(ctxFor(sim, AimcTileDef, 'aimc', params as never, { connected: (p) => p === 'mem' }));
  const mem = new Memory(ctxFor(sim, MemoryDef, 'm', { sizeBytes: S, dataWidthBits: 32, latencyCycles: 0, bandwidthBytesPerCycle: 1 << 20 }, { region: W }));
  tile.initiator('mem')!.bind(mem.targets('mem')[0]!);
  const [DESC, WTS, SCL, XIN, YOUT] = [0x0, 0x100, 0x2000, 0x3000, 0x4000];
  put(mem.data, WTS, t.weights);
  const got: number[][] = [];
  sim.thread('driver', function* () {
    const cmd = function* (word: number, desc: readonly number[]) {
      put(mem.data, DESC, desc);
      const tag = tile.submit(word, DESC, [], 'test');
      expect(tag).toBeGreaterThan(0);
      yield* tile.wait(tag);
    };
    yield* cmd(AIMC_COMMANDS.program, [WTS, k, n, 4]);
    for (let v = 0; v < t.x.length; v++) {
      const s = t.scales[v];
      if (s !== undefined) {
        // one format per SCALE command
        expect(new Set(s.fmt).size).toBe(1);
        put(mem.data, SCL, s.word);
        yield* cmd(AIMC_COMMANDS.scale, [SCL, n, s.fmt[0]!, 0]);
      }
      put(mem.data, XIN, t.x[v]!);
      yield* cmd(AIMC_COMMANDS.mvm, [XIN, 4, YOUT, 1]);
      const dv = new DataView(mem.data.buffer, mem.data.byteOffset);
      got.push(Array.from({ length: n }, (_, j) => dv.getInt32(YOUT + 4 * j, true)));
    }
  });
  sim.run();
  return got;
}

describe('AIMC tile RTL against the simulator\'s tile', () => {
  const all = tiles();

  it('covers every shipped AIMC platform and the variants (offset mapping, bit-serial inputs); the expected cycles are the simulator\'s MVM time', () => {
    expect(new Set(all.map((x) => x.file)).size).toBeGreaterThanOrEqual(4);
    const variants = all.filter((x) => x.file.includes('variants')).map((x) => x.name);
    for (const v of ['aoff', 'aoffu', 'absd', 'abso', 'abst']) expect(variants).toContain(v);
    for (const x of all) {
      const { geom: g } = x;
      const st = programTile(g.config, x.test.weights, g.k, g.n);
      const ps = aimcMvmTimePs(st, aimcTimingFromParams(x.params as never, x.periodPs));
      // the periphery's register stages and the crossbar macro together take the simulator's MVM time (all phases)
      expect(x.test.cycles, `${x.file} ${x.name}`).toBe(Math.ceil(ps / x.periodPs));
      expect(g.latency + AIMC_DIGITAL_CYCLES).toBe(x.test.cycles);
      expect(g.phases).toBe(aimcLayout(g.config).phases);
      expect(g.phaseEnds.at(-1)).toBe(g.latency);
      g.phaseEnds.forEach((c, p) => expect(c - (p === 0 ? -2 : g.phaseEnds[p - 1]!)).toBeGreaterThanOrEqual(3));
    }
    expect(all.some((x) => x.geom.phases === 4 && x.geom.signed)).toBe(true);
  });

  for (const x of all) {
    it(`${x.file} ${x.name}: the testbench's expected outputs are AimcTileSim's (PROGRAM, SCALE int32/float32, MVM), and the generator writes them`, () => {
      const { geom: g, test: t } = x;
      const av = aimcVectors(g, t);
      for (const f of ['prog', 'x', 'scale', 'y'] as const) expect(x.files.get(`tb/vectors/${x.verilog}_aimc_${f}.hex`), f).toBe(av[f]);
      expect(simulate(x.params, t, g.k, g.n)).toEqual(t.y);
      // what the scales exercise: both formats, saturation both ways, ties, zeros, denormals, unsaturated non-zero results
      const words = t.scales.flatMap((s) => (s === undefined ? [] : s.word.map((w, j) => ({ f: s.fmt[j]!, v: aimcScaleValue(s.fmt[j]!, w) }))));
      expect(words.some((w) => w.f === 0 && Math.abs(w.v) > 1000)).toBe(true);
      expect(words.some((w) => w.f === 1 && !Number.isInteger(w.v))).toBe(true);
      expect(words.some((w) => w.f === 1 && w.v !== 0 && Math.abs(w.v) < 1.1754943508222875e-38)).toBe(true);
      expect(words.some((w) => Object.is(w.v, -0))).toBe(true);
      const ys = t.y.slice(5).flat();
      expect(ys).toContain(2 ** 31 - 1);
      expect(ys).toContain(-(2 ** 31));
      expect(ys.filter((y) => y !== 0 && Math.abs(y) < 2 ** 31 - 1).length).toBeGreaterThan(g.n);
      // the exactness bound: |y| x (2^24 - 1) < 2^53, so float64 y x scale is exact
      expect(2 ** g.yb - 1).toBeLessThanOrEqual(AIMC_Y_EXACT_MAX);
    });
  }
});
