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

/** Result of {@link runCompiled}. */
export interface CompiledRun {
  /** Graph outputs by name, read back from the platform's memories. */
  readonly outputs: Map<string, Tensor>;
  readonly cores: readonly CompiledCoreRun[];
  /** Simulated time when the last core exited. */
  readonly time: Time;
}

/**
 * Loads a compiled network into `p` (program and data images with the cores' debug writes, then
 * the inputs), starts the program on the compiled cores, runs the simulation until it ends (or
 * `until`) and reads the outputs back. `p` must be a fresh instantiation of the platform the
 * network was compiled for.
 * @throws SimError `bad-input` for a missing or mistyped input; `compiled-run-failed` when a core
 * did not exit with code 0.
 */
export function runCompiled(p: Instantiated, c: Compiled, inputs: ReadonlyMap<string, Tensor>, opts: { readonly until?: Time } = {}): CompiledRun {
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
  return { outputs, cores: runs, time: Math.max(...runs.map((r) => r.exitTime ?? 0)) };
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
