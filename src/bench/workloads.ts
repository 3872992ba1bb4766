/**
 * The kernel speed workloads W1-W5 (language-neutral spec copied in bench/systemc/WORKLOADS.md),
 * built with the public kernel API so that they measure what users get. Each builder elaborates
 * the model and returns a `run` that performs exactly the simulation call SystemC's program times
 * (`sc_start`), plus a `result` that reports counts, checksum, simulated time and deltas.
 *
 * Timing is not done here (this layer stays deterministic): the CLI's bench command measures.
 */
import { Clock, Fifo, InPort, OutPort, Signal, Simulation, type Process, type SimEvent } from '../kernel/index.js';
import { SimError, formatTime, ns } from '../util/index.js';

/** Names of the workloads. */
export type WorkloadName = 'w1' | 'w2' | 'w3' | 'w4' | 'w5';

/** A built workload. */
export interface BuiltWorkload {
  /** The one line's leading fields, e.g. `W1 timed-ring N=1000 T=100 M=40000000`. */
  readonly header: string;
  /** `activations` or `items`. */
  readonly countKey: 'activations' | 'items';
  /** Runs the simulation (the timed part). */
  run(): void;
  /** Fields after the run, in the SystemC program's order, excluding the timing fields. */
  result(): { count: number; fields: string };
}

/** Default sizes, as in the SystemC programs. */
export const DEFAULT_SIZES: Readonly<Record<WorkloadName, readonly number[]>> = {
  w1: [1000, 100, 40_000_000],
  w2: [1000, 100, 50_000_000],
  w3: [1000, 100, 20_000_000],
  w4: [64, 1_500_000],
  w5: [1, 100_000_000],
};

/** Names of the size arguments, per workload, in command-line order. */
export const SIZE_NAMES: Readonly<Record<WorkloadName, readonly string[]>> = {
  w1: ['N', 'T', 'M'],
  w2: ['N', 'T', 'M'],
  w3: ['N', 'T', 'M'],
  w4: ['S', 'C'],
  w5: ['P', 'M'],
};

function need(cond: boolean, msg: string): void {
  if (!cond) throw new SimError('bad-bench-size', msg);
}

function ringSizes(name: string, N: number, T: number, M: number): void {
  need(Number.isSafeInteger(N) && N >= 1, `${name}: N=${N} must be a positive integer`);
  need(Number.isSafeInteger(T) && T >= 1 && T <= N, `${name}: T=${T} must satisfy 1 <= T <= N (${N})`);
  need(Number.isSafeInteger(M) && M >= T && M % T === 0, `${name}: M=${M} must be a positive multiple of T=${T}`);
}

function ringTrailer(sim: Simulation, count: number): string {
  return `activations=${count} sim_time=${formatTime(sim.now)} deltas=${sim.deltaCount}`;
}

/** W1 timed-ring (timed = true) or W2 delta-ring (timed = false): method dispatch + event queue. */
function buildRing(timed: boolean, N: number, T: number, M: number): BuiltWorkload {
  const name = timed ? 'W1 timed-ring' : 'W2 delta-ring';
  ringSizes(name, N, T, M);
  // W2 runs M/T delta cycles at time 0 by design: lift the zero-delay-loop guard explicitly.
  const sim = new Simulation(timed ? {} : { deltaLimit: Infinity });
  const e: SimEvent[] = [];
  for (let i = 0; i < N; i++) e.push(sim.event(`ring.e${i}`));
  let count = 0;
  const delay = timed ? ns(1) : 0;
  const body = (self: Process): void => {
    if (++count === M) sim.stop();
    (self.data as SimEvent).notifyAfter(delay);
  };
  for (let i = 0; i < N; i++) {
    // data: the next event of the ring
    sim.method(`ring.n${i}`, body, { sensitive: [e[i]!], dontInitialize: true }, e[(i + 1) % N]!);
  }
  sim.method('ring.kick', () => {
    for (let k = 0; k < T; k++) e[Math.floor((k * N) / T)]!.notifyDelta();
  });
  return {
    header: `${name} N=${N} T=${T} M=${M}`,
    countKey: 'activations',
    run: () => void sim.run(),
    result: () => ({ count, fields: ringTrailer(sim, count) }),
  };
}

interface ThreadNode {
  mine: SimEvent;
  next: SimEvent;
}

/** W3 thread-ring: thread switching + timed events. One shared generator function for all threads. */
function buildW3(N: number, T: number, M: number): BuiltWorkload {
  ringSizes('W3 thread-ring', N, T, M);
  const sim = new Simulation();
  const e: SimEvent[] = [];
  for (let i = 0; i < N; i++) e.push(sim.event(`ring.e${i}`));
  let count = 0;
  const one = ns(1);
  function* body(self: Process): Generator<SimEvent, void, unknown> {
    const node = self.data as ThreadNode;
    const mine = node.mine;
    const next = node.next;
    for (;;) {
      yield mine;
      if (++count === M) sim.stop();
      next.notifyAfter(one);
    }
  }
  for (let i = 0; i < N; i++) {
    sim.thread(`ring.n${i}`, body, {}, { mine: e[i]!, next: e[(i + 1) % N]! } satisfies ThreadNode);
  }
  sim.method('ring.kick', () => {
    for (let k = 0; k < T; k++) e[Math.floor((k * N) / T)]!.notifyDelta();
  });
  return {
    header: `W3 thread-ring N=${N} T=${T} M=${M}`,
    countKey: 'activations',
    run: () => void sim.run(),
    result: () => ({ count, fields: ringTrailer(sim, count) }),
  };
}

interface Stage {
  readonly input: InPort<number>;
  readonly output: OutPort<number>;
  readonly first: OutPort<number> | null;
  c: number;
}

/** W4 clocked-pipeline: clock + signal update + edge-triggered methods reached through ports. */
function buildW4(S: number, C: number): BuiltWorkload {
  need(Number.isSafeInteger(S) && S >= 1, `W4: S=${S} must be a positive integer`);
  need(Number.isSafeInteger(C) && C >= 1, `W4: C=${C} must be a positive integer`);
  const sim = new Simulation();
  const clk = new Clock(sim, 'clk', { period: ns(1) });
  const s: Signal<number>[] = [];
  for (let i = 0; i <= S; i++) s.push(new Signal(sim, `s${i}`, 0));
  let count = 0;
  const body = (self: Process): void => {
    const st = self.data as Stage;
    count++;
    st.output.write((st.input.read() + 1) >>> 0);
    if (st.first !== null) {
      st.c = (st.c + 1) >>> 0;
      st.first.write(st.c);
    }
  };
  for (let i = 0; i < S; i++) {
    const clkIn = new InPort<boolean>(sim, `st${i}.clk`);
    const input = new InPort<number>(sim, `st${i}.in`);
    const output = new OutPort<number>(sim, `st${i}.out`);
    clkIn.bind(clk);
    input.bind(s[i]!);
    output.bind(s[i + 1]!);
    let first: OutPort<number> | null = null;
    if (i === 0) {
      first = new OutPort<number>(sim, 'st0.first');
      first.bind(s[0]!);
    }
    const stage: Stage = { input, output, first, c: 0 };
    sim.method(`st${i}.run`, body, { sensitive: [clkIn.pos()], dontInitialize: true }, stage);
  }
  return {
    header: `W4 clocked-pipeline S=${S} C=${C}`,
    countKey: 'activations',
    run: () => void sim.run(ns(C)),
    result: () => ({
      count,
      fields: `activations=${count} sim_time=${formatTime(sim.now)} deltas=${sim.deltaCount} out=${s[S]!.read()}`,
    }),
  };
}

interface PairState {
  readonly fifo: Fifo<number>;
  /** Items written so far (the producer's loop counter). */
  written: number;
  /** Items read so far (the consumer's loop counter). */
  read: number;
  sum: number;
}

/** Writes v, v+1, ... until the FIFO is full or `end` is reached; returns the next value. */
function writeUntilFull(f: Fifo<number>, v: number, end: number): number {
  while (v < end && f.nbWrite(v)) v++;
  return v;
}

/** Reads and sums until the FIFO is empty or `end` items were read. */
function readUntilEmpty(f: Fifo<number>, st: PairState, end: number): void {
  let k = st.read;
  let sum = st.sum;
  let x: number | undefined;
  while (k < end && (x = f.nbRead()) !== undefined) {
    sum += x;
    k++;
  }
  st.read = k;
  st.sum = sum;
}

/** W5 fifo: P producer/consumer thread pairs over 16-deep FIFOs (non-blocking fast path, blocking on empty/full). */
function buildW5(P: number, M: number): BuiltWorkload {
  need(Number.isSafeInteger(P) && P >= 1, `W5: P=${P} must be a positive integer`);
  need(Number.isSafeInteger(M) && M >= P, `W5: M=${M} must be an integer >= P`);
  const K = Math.floor(M / P);
  // All of W5 happens at time 0 (2K/16 delta cycles): lift the zero-delay-loop guard explicitly.
  const sim = new Simulation({ deltaLimit: Infinity });
  let items = 0;
  // The per-item loops live in plain functions and the threads yield only when blocked: V8
  // optimizes a loop without a suspension point much better than one inside a generator
  // (measured 25 % on this workload). Every item is still one nbWrite/nbRead, and a thread
  // blocks exactly when sc_fifo's write/read would, so deltas and results are SystemC's.
  function* producer(self: Process): Generator<SimEvent, void, unknown> {
    const st = self.data as PairState;
    const f = st.fifo;
    for (;;) {
      st.written = writeUntilFull(f, st.written, K);
      if (st.written === K) return;
      yield f.dataReadEvent;
    }
  }
  function* consumer(self: Process): Generator<SimEvent, void, unknown> {
    const st = self.data as PairState;
    const f = st.fifo;
    for (;;) {
      readUntilEmpty(f, st, K);
      if (st.read === K) break;
      yield f.dataWrittenEvent;
    }
    items += K;
  }
  const pairs: PairState[] = [];
  for (let p = 0; p < P; p++) {
    const st: PairState = { fifo: new Fifo<number>(sim, `pair${p}.fifo`, 16), written: 0, read: 0, sum: 0 };
    pairs.push(st);
    sim.thread(`pair${p}.producer`, producer, {}, st);
    sim.thread(`pair${p}.consumer`, consumer, {}, st);
  }
  return {
    header: `W5 fifo P=${P} M=${M} K=${K} depth=16`,
    countKey: 'items',
    run: () => void sim.run(),
    result: () => {
      const checksum = pairs.reduce((a, p) => a + p.sum, 0);
      return { count: items, fields: `items=${items} checksum=${checksum} sim_time=${formatTime(sim.now)} deltas=${sim.deltaCount}` };
    },
  };
}

/** Builds workload `name` with `sizes` (missing sizes take the defaults). */
export function buildWorkload(name: WorkloadName, sizes: readonly number[] = []): BuiltWorkload {
  const d = DEFAULT_SIZES[name];
  const z = (i: number): number => sizes[i] ?? d[i]!;
  switch (name) {
    case 'w1':
      return buildRing(true, z(0), z(1), z(2));
    case 'w2':
      return buildRing(false, z(0), z(1), z(2));
    case 'w3':
      return buildW3(z(0), z(1), z(2));
    case 'w4':
      return buildW4(z(0), z(1));
    case 'w5':
      return buildW5(z(0), z(1));
  }
}

/** The exact results the spec requires, for checking a run. */
export function expectedResults(name: WorkloadName, sizes: readonly number[] = []): { count: number; simTime: string; deltas: number; out?: number; checksum?: number } {
  const d = DEFAULT_SIZES[name];
  const z = (i: number): number => sizes[i] ?? d[i]!;
  switch (name) {
    case 'w1':
    case 'w3': {
      const T = z(1);
      const M = z(2);
      return { count: M, simTime: formatTime(ns(M / T - 1)), deltas: M / T };
    }
    case 'w2':
      return { count: z(2), simTime: '0 s', deltas: z(2) / z(1) };
    case 'w4':
      return { count: z(0) * z(1), simTime: formatTime(ns(z(1))), deltas: 3 * z(1), out: z(1) };
    case 'w5': {
      const P = z(0);
      const K = Math.floor(z(1) / P);
      return { count: P * K, simTime: '0 s', deltas: 2 * Math.ceil(K / 16), checksum: (P * K * (K - 1)) / 2 };
    }
  }
}
