import { SimError, type Time } from '../util/index.js';
import { selectPaths, type UnmatchedGlob } from './glob.js';
import { ModuleRecorder } from './recorder.js';

/** Options of a {@link TraceHub}. */
export interface TraceOptions {
  /** False: a hub that selects nothing (every module holds a null recorder). Default true. */
  readonly enabled?: boolean;
  /** Instance-path globs to trace (default: every instance). */
  readonly include?: readonly string[];
  /** Instance-path globs not to trace, applied after `include`. */
  readonly exclude?: readonly string[];
  /** Window of the sampled busy-fraction counters, in ps (default 1 us). */
  readonly sampleWindowPs?: Time;
}

/**
 * Decides what a run records and holds the recordings. The selection is resolved once, at
 * elaboration (`instantiate` calls {@link resolve} with every module's path and gives each
 * selected module its {@link ModuleRecorder}); unselected modules keep `null`, so a disabled
 * trace point costs one branch. The hub builds no files: `formatVcd` and `perfettoTrace` turn it
 * into text after the run, and the CLI writes them.
 *
 * Not recorded: kernel signals and FIFOs (the platform's modules do not use them; the kernel's
 * inspector reports channel updates without values), memory transactions as slices.
 */
export class TraceHub {
  readonly enabled: boolean;
  readonly include: readonly string[];
  readonly exclude: readonly string[];
  readonly sampleWindowPs: Time;
  private readonly byPath = new Map<string, ModuleRecorder>();
  private readonly extra = new Map<string, ModuleRecorder>();
  private paths: readonly string[] | undefined = undefined;
  private unmatchedGlobs: readonly UnmatchedGlob[] = [];
  private flowId = 0;
  private end: Time | undefined = undefined;

  constructor(opts: TraceOptions = {}) {
    this.enabled = opts.enabled ?? true;
    this.include = opts.include ?? [];
    this.exclude = opts.exclude ?? [];
    this.sampleWindowPs = opts.sampleWindowPs ?? 1_000_000;
    if (!Number.isSafeInteger(this.sampleWindowPs) || this.sampleWindowPs <= 0) throw new SimError('bad-argument', `trace sample window ${this.sampleWindowPs} ps must be a positive integer`);
  }

  /**
   * Resolves the selection over the instances `(path, kind)` of one elaboration, once.
   * @throws SimError `trace-resolved` when called a second time (one hub records one run).
   */
  resolve(instances: readonly { readonly path: string; readonly kind: string }[]): void {
    if (this.paths !== undefined) throw new SimError('trace-resolved', 'this trace hub already records a run: make one hub per run');
    this.paths = instances.map((i) => i.path);
    if (!this.enabled) return;
    const sel = selectPaths(this.paths, this.include, this.exclude);
    this.unmatchedGlobs = sel.unmatched;
    const kinds = new Map(instances.map((i) => [i.path, i.kind]));
    const next = (): number => ++this.flowId;
    for (const p of sel.selected) this.byPath.set(p, new ModuleRecorder(p, kinds.get(p) ?? '', next, this.sampleWindowPs));
  }

  /** The recorder of the module at `path`, or null when it is not traced. */
  recorder(path: string): ModuleRecorder | null {
    return this.byPath.get(path) ?? null;
  }

  /**
   * A track that is not a module (e.g. `layers`: the network's layers as slices, added after the
   * run by `runCompiled`), listed after the modules' recorders; created on first use. Null when
   * the hub is disabled.
   * @throws SimError `trace-track` when `name` is an instance path.
   */
  track(name: string, kind: string): ModuleRecorder | null {
    if (!this.enabled) return null;
    if (this.paths?.includes(name) === true) throw new SimError('trace-track', `trace track '${name}' would hide the instance of that path`);
    let r = this.extra.get(name);
    if (r === undefined) {
      r = new ModuleRecorder(name, kind, () => ++this.flowId, this.sampleWindowPs);
      r.busySlices = false;
      this.extra.set(name, r);
      if (this.end !== undefined) r.finish(this.end);
    }
    return r;
  }

  /**
   * Records a kernel signal's committed values (SystemC `sc_trace`) as the `value` variable of a
   * track named by the signal's path: a 1-bit wire in the VCD for booleans (clocks included), a
   * 32-bit integer for numbers (other values are not traceable). The initial value is recorded at
   * the current time. Takes the signal structurally (anything with `path`, `read()` and `watch`,
   * as `Signal` of src/kernel), so this layer does not import the kernel. Returns the function
   * that stops recording, or null when the hub is disabled.
   * @throws SimError `trace-signal` for a value that is neither a boolean nor a number.
   */
  signal<T>(sig: { readonly path: string; read(): T; watch(cb: (value: T, time: Time) => void): () => void }, nowPs: Time): (() => void) | null {
    const r = this.track(sig.path, 'signal');
    if (r === null) return null;
    const v0 = sig.read();
    if (typeof v0 !== 'boolean' && typeof v0 !== 'number') throw new SimError('trace-signal', `signal '${sig.path}' holds a ${typeof v0}: only boolean and number signals can be traced`);
    const level = r.level('value');
    if (typeof v0 === 'boolean') level.bit = true;
    const num = (v: T): number => (typeof v === 'boolean' ? (v ? 1 : 0) : Number(v));
    level.set(nowPs, num(v0));
    return sig.watch((v, t) => level.set(t, num(v)));
  }

  /**
   * Records a kernel FIFO's occupancy (items committed after each update phase that changes
   * it) as the `occupancy` variable of a track named by the FIFO's path: a 32-bit integer in the
   * VCD, a counter in Perfetto. Structural, like {@link signal} (`Fifo` of src/kernel). Returns
   * the function that stops recording, or null when the hub is disabled.
   */
  fifo(f: { readonly path: string; readonly occupancy: number; watch(cb: (items: number, time: Time) => void): () => void }, nowPs: Time): (() => void) | null {
    const r = this.track(f.path, 'fifo');
    if (r === null) return null;
    const level = r.level('occupancy');
    level.set(nowPs, f.occupancy);
    return f.watch((n, t) => level.set(t, n));
  }

  /** The selected modules' recorders, in instantiation order, then the extra {@link track}s. */
  get recorders(): readonly ModuleRecorder[] {
    return [...this.byPath.values(), ...this.extra.values()];
  }

  /** Every instance path the selection was resolved over. */
  get instancePaths(): readonly string[] {
    return this.paths ?? [];
  }

  /** Globs that matched no instance (shown as warnings by the CLI). */
  get unmatched(): readonly UnmatchedGlob[] {
    return this.unmatchedGlobs;
  }

  /** Closes every recorder at the end of the run (`endPs` = the simulated time reached). Idempotent. */
  finish(endPs: Time): void {
    if (this.end !== undefined) return;
    this.end = endPs;
    for (const r of this.byPath.values()) r.finish(endPs);
    for (const r of this.extra.values()) r.finish(endPs);
  }

  /** The time the run ended (after {@link finish}). */
  get endPs(): Time {
    if (this.end === undefined) throw new SimError('trace-open', 'the trace hub has not been finished: call finish(sim.now) after the run');
    return this.end;
  }
}
