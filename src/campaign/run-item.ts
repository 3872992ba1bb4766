/**
 * Runs one campaign item: a fresh instantiation of the platform with the item's random streams
 * (seed, chip, inference: the AIMC tiles' analog non-idealities draw from them), the compiled
 * program and the sample, the item's faults injected at their simulated times, and the result
 * compared with the fault-free run of the same sample (on the ideal platform: no faults, no
 * analog non-idealities; simulated once per sample and cached).
 */
import type { Compiled } from '../compiler/index.js';
import { energyReport, type EnergyReport } from '../energy/index.js';
import { anyOf, timeout } from '../kernel/index.js';
import { CoreSim, DataCorruptor, Dma, Memory, Scratchpad, StuckBits, Xbar, catalog } from '../modules/index.js';
import { argmax, sampleInput, type Dataset, type NnValueInfo, type Preprocess, type Tensor } from '../nn/index.js';
import type { FaultTargets, PlatformGraph, Scenario } from '../platform/index.js';
import { instantiate, readCompiledTensor, runCompiled, runReport, type Instantiated } from '../sim/index.js';
import { SimError } from '../util/index.js';
import { corruptionStream, drawFlips, drawStuckBits, itemKey, type BitFlip, type CampaignItem, type StuckAtBit } from './plan.js';
import type { ItemResult } from './stats.js';

/** Everything an item needs, prepared once per process (or worker). */
export interface CampaignContext {
  readonly scenario: Scenario;
  readonly platform: PlatformGraph;
  readonly compiled: Compiled;
  readonly targets: readonly FaultTargets[];
  readonly dataset: Dataset;
  readonly input: NnValueInfo;
  readonly preprocess: Preprocess;
  /** The graph output scored for top-1. */
  readonly output: string;
  /** Graph tensors in topological order (to name the first diverging one). */
  readonly tensorOrder: readonly string[];
  /** Whether the dataset has real labels (else no accuracy). */
  readonly labelled: boolean;
  /**
   * The platform of the fault-free reference runs: `platform` without analog non-idealities
   * (`idealPlatform` in analog.ts); default `platform`.
   */
  readonly reference?: PlatformGraph;
  /**
   * False: no fault-free reference run per sample (half the simulations): items only measure
   * (accuracy, latency, energy), `differs` is false, the outcome `masked`, and there is no hang
   * limit. For design-space sweeps, which have no faults to compare; default true.
   */
  readonly compare?: boolean;
}

/** A faulty run longer than this many times the fault-free run counts as a hang. */
export const HANG_FACTOR = 4;

/** The unpriced events and powers of a run (`instance.event`, sorted, once each). */
const unpricedOf = (e: EnergyReport): string[] => [...new Set(e.unpriced.filter((u) => u.event !== 'area').map((u) => `${u.instance}.${u.event}`))].sort();

interface Reference {
  readonly outputs: ReadonlyMap<string, Tensor>;
  /** Simulated time of the fault-free run (the faulty run's time limit derives from it). */
  readonly time: number;
  /** Materialized tensors in layer order, when the program keeps them (no buffer reuse). */
  readonly tensors: ReadonlyMap<string, Tensor> | undefined;
}

const sameBits = (a: Tensor, b: Tensor): boolean => {
  if (a.dtype !== b.dtype || a.data.length !== b.data.length) return false;
  for (let i = 0; i < a.data.length; i++) if (!Object.is(a.data[i], b.data[i])) return false;
  return true;
};

/**
 * Schedules `flips` on `p`: one thread waits for each flip's time and inverts the bit, a stored
 * bit through the first core's debug access (no simulated time, no traffic; every core's decode
 * cache forgets the byte, so a flip in code is executed), a register bit in the core. It stops
 * as soon as every core of the program has exited, so flips after the end neither apply nor
 * extend the simulation. Returns the counter of applied flips.
 */
function scheduleFlips(p: Instantiated, cores: readonly CoreSim[], flips: readonly BitFlip[]): { n: number } {
  const applied = { n: 0 };
  if (flips.length === 0) return applied;
  // the cores synchronize at every flip time, so a flip lands between the right instructions
  // (otherwise a core may have run up to a quantum past it and read the old value)
  const times = [...new Set(flips.map((f) => f.time))];
  for (const c of cores) c.setSyncBarriers(times);
  const io = cores[0]!;
  const done = (): boolean => cores.every((c) => c.exitTime !== undefined);
  const anyExit = anyOf(...cores.map((c) => c.exited));
  p.sim.thread('campaign.faults', function* () {
    for (const f of flips) {
      while (p.sim.now < f.time) {
        if (done()) return;
        yield timeout(f.time - p.sim.now, anyExit);
      }
      if (done()) return;
      if (f.space === 'registers') {
        const r = f.address;
        p.get(f.instance, CoreSim).flipRegisterBit(r < 32 ? 'x' : r < 64 ? 'f' : 'pc', r % 32, f.bit);
      } else {
        const b = io.debugRead(f.address, 1);
        b[0] = b[0]! ^ (1 << f.bit);
        io.debugWrite(f.address, b);
        for (const c of cores) if (c !== io) c.core.invalidate(f.address, 1);
      }
      applied.n++;
    }
  });
  return applied;
}

/** Installs one chip's stuck-at bits in their memories and scratchpads (before the program is loaded, so loading sees them too). */
function installStuckBits(p: Instantiated, bits: readonly StuckAtBit[]): void {
  const by = new Map<string, StuckAtBit[]>();
  for (const b of bits) by.set(b.instance, [...(by.get(b.instance) ?? []), b]);
  for (const [name, list] of by) {
    const m = p.modules.get(name);
    if (!(m instanceof Memory || m instanceof Scratchpad)) throw new SimError('bad-fault-target', `stuck-at bits on '${name}', which is not a simulated memory or scratchpad`);
    m.setStuckBits(new StuckBits(list.map((b) => ({ offset: b.address - m.base, bit: b.bit, value: b.value }))));
  }
}

/**
 * Runs items of one campaign; caches the fault-free run of each sample. An item's platform gets
 * the streams (scenario seed, item chip, item inference): per-chip analog draws (programming
 * noise, drift exponents, stuck cells, ADC instance errors) are the same for every inference of
 * a chip, per-inference draws (read, DAC and ADC noise) differ; neither depends on the worker.
 */
export class CampaignRunner {
  private readonly ctx: CampaignContext;
  private readonly refs = new Map<number, Reference>();
  private readonly stuck = new Map<number, readonly StuckAtBit[]>();

  constructor(ctx: CampaignContext) {
    this.ctx = ctx;
  }

  private inputs(sample: number): Map<string, Tensor> {
    return new Map([[this.ctx.input.name, sampleInput(this.ctx.dataset, sample, this.ctx.input, this.ctx.preprocess)]]);
  }

  private materialized(p: Instantiated): Map<string, Tensor> {
    const out = new Map<string, Tensor>();
    const have = new Set(this.ctx.compiled.tensors.map((t) => t.name));
    for (const name of this.ctx.tensorOrder) if (have.has(name)) out.set(name, readCompiledTensor(p, this.ctx.compiled, name));
    return out;
  }

  /** The fault-free run of `sample` (simulated on first use). */
  reference(sample: number): Reference {
    let r = this.refs.get(sample);
    if (r === undefined) {
      const p = instantiate(this.ctx.reference ?? this.ctx.platform);
      const run = runCompiled(p, this.ctx.compiled, this.inputs(sample));
      r = { outputs: run.outputs, time: run.time, tensors: this.ctx.compiled.reuse ? undefined : this.materialized(p) };
      this.refs.set(sample, r);
    }
    return r;
  }

  /** The stuck-at bits of chip `chip` (drawn on first use). */
  private stuckBits(chip: number): readonly StuckAtBit[] {
    let b = this.stuck.get(chip);
    if (b === undefined) {
      b = drawStuckBits(this.ctx.scenario.seed, chip, this.ctx.targets);
      this.stuck.set(chip, b);
    }
    return b;
  }

  /** One corruptor per DMA engine or interconnect a `data-corruption` fault targets, each with its own stream. */
  private installCorruptors(p: Instantiated, item: CampaignItem): DataCorruptor[] {
    const out: DataCorruptor[] = [];
    this.ctx.targets.forEach((t, k) => {
      if (t.spec.kind !== 'data-corruption') return;
      for (const r of t.ranges) {
        const m = p.modules.get(r.instance);
        if (!(m instanceof Dma || m instanceof Xbar)) throw new SimError('bad-fault-target', `data corruption on '${r.instance}', which is not a simulated DMA engine or interconnect`);
        if (m.corruptor !== null) throw new SimError('bad-fault-target', `two data-corruption faults on '${r.instance}': give one fault per instance`);
        const k2 = new DataCorruptor({ rate: t.spec.rate ?? 0, bits: t.bits, window: t.spec.window, region: [r.from, r.to] }, corruptionStream(this.ctx.scenario.seed, item, k, t, r.instance));
        m.corruptor = k2;
        out.push(k2);
      }
    });
    return out;
  }

  /** Simulates one item with its faults. */
  run(item: CampaignItem): ItemResult {
    const { scenario: s, compiled: c } = this.ctx;
    const flips = drawFlips(s.seed, item, this.ctx.targets);
    const stuck = this.stuckBits(item.chip);
    const p = instantiate(this.ctx.platform, { streams: { seed: s.seed, chip: item.chip, inference: item.inference } });
    const cores = c.cores.map((n) => p.get(n, CoreSim));
    const applied = scheduleFlips(p, cores, flips);
    installStuckBits(p, stuck);
    const corruptors = this.installCorruptors(p, item);
    const faults = (): { faultsDrawn: number; faultsApplied: number } => {
      const corrupted = corruptors.reduce((n, k) => n + k.flipped, 0);
      return { faultsDrawn: flips.length + stuck.length + corrupted, faultsApplied: applied.n + stuck.length + corrupted };
    };
    const ref = this.ctx.compare === false ? undefined : this.reference(item.sample);
    const label = this.ctx.labelled ? this.ctx.dataset.labels[item.sample] ?? null : null;
    const base = { key: itemKey(item), chip: item.chip, inference: item.inference, sample: item.sample, label };
    // a fault may make the program fail (a bad address, a core exiting with an error) or never
    // end: both are outcomes of the item, not errors of the campaign
    const limit = ref === undefined ? undefined : HANG_FACTOR * ref.time;
    let run;
    try {
      run = runCompiled(p, c, this.inputs(item.sample), limit === undefined ? {} : { until: limit });
    } catch (e) {
      if (!(e instanceof SimError)) throw e;
      const report = runReport(p.sim, p.modules.values(), p.skipped);
      const energy = energyReport(this.ctx.platform, report.components, report.simulatedTimePs, catalog);
      const hang = limit !== undefined && cores.some((k) => k.exitTime === undefined) && p.sim.now >= limit;
      return {
        ...base, ...faults(), top1: -1, correct: label === null ? null : false, latencyPs: p.sim.now, energyPj: energy.totalPj, energyUnpriced: unpricedOf(energy),
        differs: true, firstDivergence: null, outcome: hang ? 'hang' : 'crash', error: hang ? `not finished after ${HANG_FACTOR}x the fault-free time` : `${e.code}: ${e.message}`,
      };
    }
    const report = runReport(p.sim, p.modules.values(), p.skipped);
    // static and idle energy up to the last core's exit (the simulation may have run on to the time limit)
    const energy = energyReport(this.ctx.platform, report.components, run.time, catalog);
    const differs = ref !== undefined && [...ref.outputs].some(([k, t]) => {
      const got = run.outputs.get(k);
      return got === undefined || !sameBits(got, t);
    });
    let firstDivergence: string | null = null;
    if (differs && ref?.tensors !== undefined) {
      const now = this.materialized(p);
      for (const [name, t] of ref.tensors) {
        if (!sameBits(now.get(name)!, t)) {
          firstDivergence = name;
          break;
        }
      }
    }
    const y = run.outputs.get(this.ctx.output)!;
    const top1 = argmax(y.data);
    return {
      ...base, top1, correct: label === null ? null : top1 === label,
      latencyPs: run.time, energyPj: energy.totalPj, energyUnpriced: unpricedOf(energy), ...faults(),
      differs, firstDivergence, outcome: differs ? 'sdc' : 'masked', error: null,
    };
  }
}
