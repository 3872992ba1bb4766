/** Running a compiled network (src/compiler) on an instantiated platform. */
import { type Compiled, type Tensor, packTensor, unpackTensor } from '../compiler/index.js';
import { CoreSim } from '../modules/index.js';
import { SimError, type Time } from '../util/index.js';
import type { Instantiated } from './instantiate.js';
import { startProgram } from './program.js';

/** Per-core figures of a compiled run. */
export interface CompiledCoreRun {
  readonly core: string;
  readonly exitCode: number | undefined;
  readonly instructions: number;
  /** Time at which the core exited. */
  readonly exitTime: Time | undefined;
}

/**
 * The simulated interval of one layer of a compiled network (see {@link runCompiled}'s
 * `layers`): from the first time any core executed the layer's code to the last time a core
 * left it.
 */
export interface LayerInterval {
  /** The layer's node name (as in `Compiled.layers`). */
  readonly node: string;
  /** Position among the profiled (computed) layers, in program order. */
  readonly index: number;
  readonly startPs: Time;
  readonly endPs: Time;
}

/** Result of {@link runCompiled}. */
export interface CompiledRun {
  /** Graph outputs by name, read back from the platform's memories. */
  readonly outputs: Map<string, Tensor>;
  readonly cores: readonly CompiledCoreRun[];
  /** Simulated time when the last core exited. */
  readonly time: Time;
  /**
   * Per layer, its simulated interval (with `opts.layers` or a trace hub, when the program
   * records its layers' code ranges: `compile` and `compileForAccelerators` do), in program order.
   */
  readonly layers?: readonly LayerInterval[];
}

/**
 * Loads a compiled network into `p` (program and data images with the cores' debug writes, then
 * the inputs), starts the program on the compiled cores, runs the simulation until it ends (or
 * `until`) and reads the outputs back. `p` must be a fresh instantiation of the platform the
 * network was compiled for.
 *
 * With `opts.layers` (or when `p` records into an enabled trace hub) and a program that records
 * its layers' code ranges, every core profiles them (`CoreSim.profileCode`: the first execution
 * of each address, from the decode cache, so the program, its timing and the ISS loop are
 * unchanged) and the result has each layer's simulated interval; with a trace hub they are also
 * added as the `layers` track (one slice per layer, and the VCD integer `layer` = 1 + index).
 * @throws SimError `bad-input` for a missing or mistyped input; `compiled-run-failed` when a core
 * did not exit with code 0.
 */
export function runCompiled(p: Instantiated, c: Compiled, inputs: ReadonlyMap<string, Tensor>, opts: { readonly until?: Time; readonly layers?: boolean } = {}): CompiledRun {
  const cores = c.cores.map((n) => p.get(n, CoreSim));
  const io = cores[0];
  if (io === undefined) throw new SimError('no-cores', 'the compiled program names no core');
  for (const img of c.images) io.debugWrite(img.address, img.bytes);
  for (const pl of c.inputs) {
    const t = inputs.get(pl.name);
    if (t === undefined) throw new SimError('bad-input', `graph input '${pl.name}' was not given`);
    const b = packTensor(pl, t);
    io.debugWrite(b.address, b.bytes);
  }
  const code = opts.layers === true || p.trace?.enabled === true ? c.layerCode : undefined;
  if (code !== undefined) for (const k of cores) k.profileCode(code);
  startProgram(p, c.cores, { origin: c.program.origin, words: c.program.words });
  if (opts.until === undefined) p.sim.run();
  else p.sim.run(opts.until);
  const runs = cores.map((k, i) => ({ core: c.cores[i]!, exitCode: k.exitTime === undefined ? undefined : k.core.exitCode, instructions: k.core.instructions, exitTime: k.exitTime }));
  const bad = runs.find((r) => r.exitCode !== 0);
  if (bad !== undefined) {
    throw new SimError('compiled-run-failed', `core '${bad.core}' ${bad.exitCode === undefined ? 'did not finish' : `exited with code ${bad.exitCode}`}`);
  }
  const outputs = new Map<string, Tensor>();
  for (const pl of c.outputs) outputs.set(pl.name, unpackTensor(pl, io.debugRead(pl.buffer.address, pl.buffer.bytes)));
  const time = Math.max(...runs.map((r) => r.exitTime ?? 0));
  if (code === undefined) return { outputs, cores: runs, time };
  const layers = layerIntervals(code, cores);
  const track = p.trace?.track('layers', 'layers') ?? null;
  if (track !== null) {
    const level = track.level('layer');
    for (const l of layers) {
      track.slice(l.node, l.startPs, l.endPs, { index: l.index, cycles: Math.round((l.endPs - l.startPs) / cores[0]!.period) });
      track.busy(l.startPs, l.endPs);
      level.set(l.startPs, l.index + 1);
      level.set(l.endPs, 0);
    }
  }
  return { outputs, cores: runs, time, layers };
}

/**
 * Layer intervals from the cores' code profiles: layer k starts at the earliest entry of any
 * core into its code and ends at the latest exit of a core that entered it (a core still in it
 * at the end: its exit time). Layers no core executed are left out.
 */
function layerIntervals(code: readonly { readonly node: string }[], cores: readonly CoreSim[]): LayerInterval[] {
  const out: LayerInterval[] = [];
  code.forEach((r, k) => {
    let start = Infinity;
    let end = -Infinity;
    for (const c of cores) {
      const pr = c.codeProfile();
      const e = pr?.entry[k];
      if (pr === null || e === undefined) continue;
      const x = pr.exit[k] ?? c.exitTime ?? c.sim.now;
      if (e < start) start = e;
      if (x > end) end = x;
    }
    if (start !== Infinity) out.push({ node: r.node, index: k, startPs: start, endPs: Math.max(start, end) });
  });
  return out;
}

/**
 * Reads a tensor the compiled program materialized (`Compiled.tensors`: inputs, outputs and
 * intermediates) from the platform's memories after {@link runCompiled}. With buffer reuse an
 * intermediate's buffer may hold a later tensor: compile with `reuse: false` to read
 * intermediates.
 * @throws SimError `unknown-tensor` when the program has no buffer for `name` (e.g. a tensor
 * removed by fusion).
 */
export function readCompiledTensor(p: Instantiated, c: Compiled, name: string): Tensor {
  const pl = c.tensors.find((t) => t.name === name);
  if (pl === undefined) throw new SimError('unknown-tensor', `the compiled program has no buffer for tensor '${name}'`);
  const io = p.get(c.cores[0] ?? '', CoreSim);
  return unpackTensor(pl, io.debugRead(pl.buffer.address, pl.buffer.bytes));
}
