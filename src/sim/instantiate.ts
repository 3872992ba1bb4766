/**
 * From an elaborated platform to a live simulation: one module per instance that has a
 * simulation model, one clock domain handle per platform clock, TLM sockets bound per the
 * platform's connections, event lines joined.
 */
import { Clock, Simulation } from '../kernel/index.js';
import { simCatalog as defaultSims, type AddressWindow, type SimFactory, type SimModule } from '../modules/index.js';
import { formatEndpoint, reachableRegions, type Connection, type Endpoint, type PlatformGraph } from '../platform/index.js';
import type { AnyModuleDef } from '../spec/index.js';
import type { TraceHub } from '../trace/index.js';
import { SimError, type Time } from '../util/index.js';

/**
 * A clock domain of the platform. Loosely-timed modules only read its period; a kernel
 * {@link Clock} signal is created on the first call of {@link clock} (before the simulation
 * starts), because a free-running clock keeps `run()` from ending when the model is idle.
 */
export class ClockDomainHandle {
  readonly name: string;
  readonly freqHz: number;
  readonly periodPs: Time;
  private readonly sim: Simulation;
  private kernelClock: Clock | null = null;

  constructor(sim: Simulation, name: string, freqHz: number, periodPs: Time) {
    this.sim = sim;
    this.name = name;
    this.freqHz = freqHz;
    this.periodPs = periodPs;
  }

  /** The kernel clock signal of this domain (`clocks.<name>`), created on first use. */
  clock(): Clock {
    this.kernelClock ??= new Clock(this.sim, `clocks.${this.name}`, { period: this.periodPs });
    return this.kernelClock;
  }
}

/** An instance that was not simulated, and why. */
export interface SkippedInstance {
  readonly instance: string;
  readonly kind: string;
  readonly reason: string;
}

/** Options of {@link instantiate}. */
export interface InstantiateOptions {
  /** The simulation to build into (default: a new one). */
  readonly sim?: Simulation;
  /** Simulation models by kind (default: the library's `simCatalog`); add a kind's factory to plug it in. */
  readonly sims?: ReadonlyMap<string, SimFactory<AnyModuleDef>>;
  /**
   * Random streams of this run (a campaign item's seed, chip and inference), given to every
   * module in its context as `streams`; modules with random behaviour (the AIMC tile's analog
   * non-idealities) derive their draws from it and the instance path. Default: none (such
   * modules use seed 0, chip 0, inference 0).
   */
  readonly streams?: RunStreams;
  /**
   * Records the run into this hub: its selection is resolved once, here, over every simulated
   * instance, and each selected module gets its recorder (`SimModule.attachTrace`); the others
   * keep a null recorder (one branch per trace point). Default: no tracing.
   */
  readonly trace?: TraceHub;
}

/** Seed, chip (fault realization) and inference of a run, for per-chip and per-inference random streams. */
export interface RunStreams {
  readonly seed: number;
  readonly chip: number;
  readonly inference: number;
}

/** A live platform: the simulation, the modules by instance path, the clocks, and what was left out. */
export interface Instantiated {
  readonly sim: Simulation;
  readonly graph: PlatformGraph;
  readonly modules: ReadonlyMap<string, SimModule<AnyModuleDef>>;
  readonly clocks: ReadonlyMap<string, ClockDomainHandle>;
  /** Instances whose kind has no simulation model yet (not an error). */
  readonly skipped: readonly SkippedInstance[];
  /** Connections not bound because one end was skipped, as `a.x -> b.y[2]`. */
  readonly unboundConnections: readonly string[];
  /** The trace hub the run records into (`InstantiateOptions.trace`), if any. */
  readonly trace?: TraceHub;
  /** The module at `path`, checked to be an instance of `cls`. @throws SimError `no-such-module`. */
  get<T>(path: string, cls: abstract new (...args: never[]) => T): T;
}

const sameEnd = (e: Endpoint, port: string, index: number | undefined): boolean => e.port === port && e.index === index;

/**
 * Builds a live simulation from an elaborated platform.
 *
 * - Every instance whose kind has a factory in `sims` is created with its resolved params, its
 *   clock period, its address-map window and, for each initiator port element, the windows it
 *   reaches (through interconnects: an unmapped instance with initiator ports passes on what
 *   they reach), which is how interconnects build their decode tables and DMAs pick local ports.
 * - Instances without a model are listed in `skipped`; the ports of others that connect to them
 *   are not created, and those connections are listed in `unboundConnections`.
 * - Memory-mapped connections bind initiator to target sockets; event connections make the
 *   target's event-in refer to the source's event.
 */
export function instantiate(graph: PlatformGraph, opts: InstantiateOptions = {}): Instantiated {
  const sim = opts.sim ?? new Simulation();
  const sims = opts.sims ?? defaultSims;
  const clocks = new Map<string, ClockDomainHandle>();
  for (const c of Object.values(graph.clocks)) clocks.set(c.name, new ClockDomainHandle(sim, c.name, c.freqHz, c.periodPs));

  const live = (inst: string): boolean => {
    const n = graph.instances[inst];
    return n !== undefined && sims.has(n.kind);
  };
  const conns = (inst: string, port: string, index: number | undefined, side: 'from' | 'to'): Connection[] =>
    graph.connections.filter((c) => c[side].instance === inst && sameEnd(c[side], port, index));

  const reachOf = (inst: string, port: string, index: number | undefined): AddressWindow[] => reachableRegions(graph, inst, port, index);

  const modules = new Map<string, SimModule<AnyModuleDef>>();
  const skipped: SkippedInstance[] = [];
  for (const node of Object.values(graph.instances)) {
    const f = sims.get(node.kind);
    if (f === undefined) {
      skipped.push({ instance: node.name, kind: node.kind, reason: `no simulation model for kind '${node.kind}' yet` });
      continue;
    }
    const clock = clocks.get(node.clock);
    if (clock === undefined) throw new SimError('unknown-clock', `instance '${node.name}' uses clock '${node.clock}', which the platform does not define`, { path: node.name });
    const region: AddressWindow | undefined = graph.addressMap.find((r) => r.target === node.name);
    const m = f.create({
      ...(opts.streams === undefined ? {} : { streams: opts.streams }),
      sim,
      path: node.name,
      params: node.params,
      periodPs: clock.periodPs,
      connected: (port, index) =>
        [...conns(node.name, port, index, 'from').map((c) => c.to.instance), ...conns(node.name, port, index, 'to').map((c) => c.from.instance)].some(live),
      peerWidthBits: (port, index) => conns(node.name, port, index, 'to')[0]?.fromWidthBits,
      ...(region === undefined ? {} : { region }),
      reach: (port, index) => reachOf(node.name, port, index),
      peer: (instance) => modules.get(instance),
    });
    modules.set(node.name, m);
  }

  if (opts.trace !== undefined) {
    const hub = opts.trace;
    hub.resolve([...modules.values()].map((m) => ({ path: m.path, kind: m.def.kind })));
    for (const m of modules.values()) {
      const r = hub.recorder(m.path);
      if (r !== null) m.attachTrace(r);
    }
  }

  const unboundConnections: string[] = [];
  for (const c of graph.connections) {
    const a = modules.get(c.from.instance);
    const b = modules.get(c.to.instance);
    if (a === undefined || b === undefined) {
      unboundConnections.push(`${formatEndpoint(c.from)} -> ${formatEndpoint(c.to)}`);
      continue;
    }
    const spec = a.portSpecs.find((p) => p.name === c.from.port);
    if (spec?.role === 'event-out') {
      const ev = a.eventOuts(c.from.port)[c.from.index ?? 0];
      if (ev) b.bindEventIn(c.to.port, c.to.index, ev);
      continue;
    }
    const ini = a.initiators(c.from.port)[c.from.index ?? 0];
    const tgt = b.targets(c.to.port)[c.to.index ?? 0];
    if (!ini || !tgt) throw new SimError('bind-failed', `cannot bind ${formatEndpoint(c.from)} -> ${formatEndpoint(c.to)}: a socket is missing`, { path: c.from.instance });
    ini.bind(tgt);
  }

  return {
    sim,
    graph,
    modules,
    clocks,
    skipped,
    unboundConnections,
    ...(opts.trace === undefined ? {} : { trace: opts.trace }),
    get<T>(path: string, cls: abstract new (...args: never[]) => T): T {
      const m = modules.get(path);
      if (!(m instanceof cls)) {
        throw new SimError('no-such-module', `no simulated module '${path}' of class ${cls.name}${m === undefined ? '' : ` (it is a ${m.def.kind})`}`, { path });
      }
      return m;
    },
  };
}
