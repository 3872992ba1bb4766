/**
 * `SimModule<D>`: the simulation side of a module kind, typed entirely from its declaration
 * (`ModuleDef`). The base class creates the TLM sockets and event lines the declaration's
 * `ports(params)` lists, one counter per declared energy event and statistic, busy-time
 * tracking and per-port traffic counters; a kind's `sim.ts` only adds behaviour.
 */
import type { SimEvent, Simulation } from '../kernel/index.js';
import type { AnyModuleDef, EnergyShape, ParamsOf, PortProtocol, PortSpec, StatShape } from '../spec/index.js';
import type { ModuleRecorder } from '../trace/index.js';
import { DmiRegion, InitiatorSocket, TargetSocket, tlmBase, type GenericPayload, type Protocol } from '../tlm/index.js';
import { SimError, formatAddress, formatTime, type Time } from '../util/index.js';
import type { StuckBits } from './faults.js';

/** A window of the address space (structurally the platform's `AddressRegion`; `end` exclusive). */
export interface AddressWindow {
  readonly target: string;
  readonly base: number;
  readonly size: number;
  readonly end: number;
}

/** What a module instance is built from (the platform graph or a test supplies it). */
export interface ModuleContext<D extends AnyModuleDef> {
  readonly sim: Simulation;
  /** Instance path, e.g. `l1`; sockets are `<path>.<port>[<i>]`. */
  readonly path: string;
  /** Fully resolved parameter values (internal units), typed by the declaration. */
  readonly params: ParamsOf<D>;
  /** Clock period of the instance's domain, in ps. */
  readonly periodPs: Time;
  /**
   * Which port elements exist in this simulation (are connected to a simulated peer).
   * Default: all. Sockets are created only for these, so unconnected optional ports do not fail
   * the kernel's end-of-elaboration binding check.
   */
  readonly connected?: (port: string, index: number | undefined) => boolean;
  /** Width of the connected initiator for targets that accept narrower initiators (width conversion). */
  readonly peerWidthBits?: (port: string, index: number | undefined) => number | undefined;
  /** This instance's own window in the address map, if mapped (memories check addresses against it). */
  readonly region?: AddressWindow;
  /** Address windows reachable through an initiator port element (routing for interconnects, local/ext choice for DMAs). */
  readonly reach?: (port: string, index: number | undefined) => readonly AddressWindow[];
  /**
   * The simulated module of another instance by name (undefined if it has none). Complete only
   * once every module is built: call it at run time (or lazily), not in a constructor. Cores use
   * it to find the DMA their instructions drive.
   */
  readonly peer?: (instance: string) => SimModule<AnyModuleDef> | undefined;
}

/** A counter of energy events or statistics. */
export class Counter {
  value = 0;
  /** Adds `n` (default 1). */
  add(n = 1): void {
    this.value += n;
  }
}

/**
 * Busy-time accumulator: the union of busy intervals `[start, end)` in ps. Exact when intervals
 * are added with non-decreasing starts (the usual case); an interval starting before the
 * covered end only adds its part beyond it.
 */
export class BusyTracker {
  private coveredUntil = 0;
  /** Total busy time in ps. */
  total: Time = 0;
  /** The module's trace recorder (set at elaboration when the module is traced), else null: one branch per interval. */
  recorder: ModuleRecorder | null = null;
  /** Marks `[start, end)` busy. */
  add(start: Time, end: Time): void {
    if (end <= start) return;
    if (this.recorder !== null) this.recorder.busy(start, end);
    if (start >= this.coveredUntil) this.total += end - start;
    else if (end > this.coveredUntil) this.total += end - this.coveredUntil;
    if (end > this.coveredUntil) this.coveredUntil = end;
  }
  /** Busy fraction (duty cycle) over `elapsed` ps; 0 if nothing elapsed. Busy time past `elapsed` is clipped. */
  fraction(elapsed: Time): number {
    return elapsed <= 0 ? 0 : Math.min(this.total, elapsed) / elapsed;
  }
}

/** Traffic through one port element (socket), kept by the module's behaviour. */
export interface PortTraffic {
  transactions: number;
  bytes: number;
  /** Requests that had to wait for a busy resource (bank, output, port). */
  conflicts: number;
  /** Cycles spent waiting for it. */
  stallCycles: number;
}

/** Everything a module reports after a run (see `src/sim/report.ts`). */
export interface ModuleSnapshot {
  readonly path: string;
  readonly kind: string;
  readonly periodPs: Time;
  readonly busyPs: Time;
  /** Per-event energy counts by declared event name (`busy` and `static` events are priced from time). */
  readonly energyEvents: Readonly<Record<string, number>>;
  /** Declared statistics by name; `time` statistics hold the busy time in ps. */
  readonly stats: Readonly<Record<string, number>>;
  /** Traffic by port element name (`mem[3]`, `ext`). */
  readonly ports: Readonly<Record<string, PortTraffic>>;
}

type Counters<T> = { readonly [K in keyof T]: Counter };
type EnergyOf<D> = D extends { readonly energy: infer E extends EnergyShape } ? E : EnergyShape;
type StatsOf<D> = D extends { readonly stats: infer S extends StatShape } ? S : StatShape;

/**
 * The TLM protocol of a declared port protocol: `mem` is the TLM base protocol at the width;
 * others are `edgesim-<protocol>` (e.g. `edgesim-sync`), so they only bind to their own kind.
 */
export function portProtocol(protocol: PortProtocol, widthBits: number): Protocol {
  return protocol === 'mem' ? tlmBase(widthBits) : { name: `edgesim-${protocol}`, widthBits };
}

const elemName = (name: string, index: number | undefined): string => (index === undefined ? name : `${name}[${index}]`);

/**
 * Base class of every module's behaviour. `D` is the declaration (`typeof ScratchpadDef`):
 * `params` are its typed values, `energy.<event>` and `stats.<stat>` its named counters
 * (a name the declaration lacks does not compile), and the sockets follow its `ports(params)`.
 *
 * @example
 * class Scratchpad extends SimModule<typeof ScratchpadDef> {
 *   constructor(ctx: ModuleContext<typeof ScratchpadDef>) {
 *     super(ScratchpadDef, ctx);
 *     this.targets('mem').forEach((s, i) => s?.onTransport((tx, d) => this.access(i, tx, d)));
 *   }
 * }
 */
export abstract class SimModule<D extends AnyModuleDef> {
  readonly def: D;
  readonly sim: Simulation;
  readonly path: string;
  readonly params: ParamsOf<D>;
  /** Clock period in ps. */
  readonly period: Time;
  /** The declared ports, computed from the params. */
  readonly portSpecs: readonly PortSpec[];
  /** One counter per declared energy event. */
  readonly energy: Counters<EnergyOf<D>>;
  /** One counter per declared statistic (`time` statistics are fed from {@link busy}). */
  readonly stats: Counters<StatsOf<D>>;
  /** Busy intervals; the report's busy fraction and the `busy` energy events read it. */
  readonly busy = new BusyTracker();
  /**
   * The trace recorder of this module when it is traced (see {@link attachTrace}), else null:
   * every trace point is `if (this.trace !== null)`, one branch when tracing is off.
   */
  trace: ModuleRecorder | null = null;
  /** The context the module was built from. */
  protected readonly ctx: ModuleContext<D>;
  private readonly initiatorMap = new Map<string, (InitiatorSocket | null)[]>();
  private readonly targetMap = new Map<string, (TargetSocket | null)[]>();
  private readonly eventOutMap = new Map<string, (SimEvent | null)[]>();
  private readonly eventInMap = new Map<string, (SimEvent | null)[]>();
  private readonly traffic = new Map<string, PortTraffic>();

  constructor(def: D, ctx: ModuleContext<D>) {
    this.def = def;
    this.ctx = ctx;
    this.sim = ctx.sim;
    this.path = ctx.path;
    this.params = ctx.params;
    if (!Number.isSafeInteger(ctx.periodPs) || ctx.periodPs <= 0) {
      throw new SimError('bad-clock', `module '${ctx.path}': clock period ${ctx.periodPs} ps must be a positive integer`, { path: ctx.path });
    }
    this.period = ctx.periodPs;
    this.portSpecs = def.ports(ctx.params);
    this.energy = Object.fromEntries(Object.keys(def.energy).map((k) => [k, new Counter()])) as Counters<EnergyOf<D>>;
    this.stats = Object.fromEntries(Object.keys(def.stats).map((k) => [k, new Counter()])) as Counters<StatsOf<D>>;
    const connected = ctx.connected ?? (() => true);
    for (const p of this.portSpecs) {
      const indices: (number | undefined)[] = p.count === undefined ? [undefined] : Array.from({ length: p.count }, (_, i) => i);
      const made = indices.map((i) => {
        if (!connected(p.name, i)) return null;
        const path = `${this.path}.${elemName(p.name, i)}`;
        switch (p.role) {
          case 'initiator':
            return new InitiatorSocket(this.sim, path, this.protocolOf(p, p.widthBits));
          case 'target':
            return new TargetSocket(this.sim, path, this.protocolOf(p, (p.acceptsNarrower ? ctx.peerWidthBits?.(p.name, i) : undefined) ?? p.widthBits));
          case 'event-out':
            return this.sim.event(path);
          case 'event-in':
            return null;
        }
      });
      const map = p.role === 'initiator' ? this.initiatorMap : p.role === 'target' ? this.targetMap : p.role === 'event-out' ? this.eventOutMap : this.eventInMap;
      (map as Map<string, unknown[]>).set(p.name, made);
    }
  }

  private protocolOf(p: PortSpec, widthBits: number): Protocol {
    return portProtocol(p.protocol, widthBits);
  }

  private lookup<T>(map: Map<string, T[]>, name: string, role: string): T[] {
    const v = map.get(name);
    if (v === undefined) throw new SimError('unknown-port', `module '${this.path}' (${this.def.kind}) has no ${role} port '${name}'`, { path: this.path });
    return v;
  }

  /** Initiator sockets of a declared port, one per element; null where not connected. */
  initiators(name: string): readonly (InitiatorSocket | null)[] {
    return this.lookup(this.initiatorMap, name, 'initiator');
  }
  /** Target sockets of a declared port, one per element; null where not connected. */
  targets(name: string): readonly (TargetSocket | null)[] {
    return this.lookup(this.targetMap, name, 'target');
  }
  /** The single initiator socket of a non-array port (null if not connected). */
  initiator(name: string): InitiatorSocket | null {
    return this.initiators(name)[0] ?? null;
  }
  /** The single target socket of a non-array port (null if not connected). */
  target(name: string): TargetSocket | null {
    return this.targets(name)[0] ?? null;
  }
  /** Events of an `event-out` port (the module notifies them). */
  eventOuts(name: string): readonly (SimEvent | null)[] {
    return this.lookup(this.eventOutMap, name, 'event-out');
  }
  /** Events bound to an `event-in` port (the source's event), null where unbound. */
  eventIns(name: string): readonly (SimEvent | null)[] {
    return this.lookup(this.eventInMap, name, 'event-in');
  }
  /** Connects element `index` of event-in port `name` to a source event (done by instantiation). */
  bindEventIn(name: string, index: number | undefined, source: SimEvent): void {
    const list = this.lookup(this.eventInMap, name, 'event-in');
    list[index ?? 0] = source;
  }

  /**
   * Makes this module record into `rec` (done once, at elaboration, by `instantiate` for the
   * modules a trace hub selects): busy intervals go to it through {@link busy}, and it reads the
   * per-event energy counters at each busy interval (energy over time, see `ModuleRecorder`).
   * Kinds with finer trace points (cores, DMAs, accelerators, scratchpads) override it to set up
   * their state variables.
   */
  attachTrace(rec: ModuleRecorder): void {
    this.trace = rec;
    this.busy.recorder = rec;
    const names = Object.entries(this.def.energy).filter(([, spec]) => spec.kind === 'per-event').map(([k]) => k);
    rec.energyProbe(names, names.map((k) => (this.energy as Record<string, Counter>)[k]!));
  }

  /** Traffic counters of a port element, created on first use. */
  portTraffic(name: string, index?: number): PortTraffic {
    const key = elemName(name, index);
    let t = this.traffic.get(key);
    if (t === undefined) {
      t = { transactions: 0, bytes: 0, conflicts: 0, stallCycles: 0 };
      this.traffic.set(key, t);
    }
    return t;
  }

  /** The first clock cycle (index) at or after absolute time `t`. */
  cycleAt(t: Time): number {
    return Math.ceil(t / this.period);
  }
  /** Absolute time of the start of cycle `c`. */
  timeOfCycle(c: number): Time {
    return c * this.period;
  }

  /**
   * A SimError naming this module, the address (hex) and the simulated time (now plus the
   * annotated delay, when given).
   */
  error(code: string, what: string, address?: number, delay: Time = 0): SimError {
    const t = this.sim.now + delay;
    const at = address === undefined ? '' : ` at address ${formatAddress(address)}`;
    return new SimError(code, `${this.def.kind} '${this.path}': ${what}${at} (time ${formatTime(t)})`, { path: this.path, time: t });
  }

  /**
   * Checks that `[address, address + length)` lies in the window `[base, base + size)` and that
   * an access no wider than `wordBytes` is naturally aligned (a power-of-two size at a multiple of
   * it); longer bursts must start on a word. Returns the offset into the window.
   * @throws SimError `address-out-of-range`, `misaligned`.
   */
  checkAccess(tx: GenericPayload, base: number, size: number, wordBytes: number, delay: Time): number {
    const off = tx.address - base;
    if (off < 0 || off + tx.length > size) {
      throw this.error('address-out-of-range', `${tx.command} of ${tx.length} B outside [${formatAddress(base)}, ${formatAddress(base + size)})`, tx.address, delay);
    }
    const n = tx.length;
    const misaligned = n <= wordBytes ? (n & (n - 1)) !== 0 || off % n !== 0 : off % wordBytes !== 0;
    if (misaligned && n > 0) {
      throw this.error('misaligned', `${tx.command} of ${n} B is not aligned (${n <= wordBytes ? `to ${n} B` : `bursts start on a ${wordBytes}-B word`})`, tx.address, delay);
    }
    return off;
  }

  /** Counters, busy time and traffic, for the run report. */
  snapshot(): ModuleSnapshot {
    const stats: Record<string, number> = {};
    for (const [k, spec] of Object.entries(this.def.stats)) {
      stats[k] = spec.kind === 'time' ? this.busy.total : (this.stats as Record<string, Counter>)[k]!.value;
    }
    const energyEvents: Record<string, number> = {};
    for (const [k, spec] of Object.entries(this.def.energy)) {
      if (spec.kind === 'per-event') energyEvents[k] = (this.energy as Record<string, Counter>)[k]!.value;
    }
    return {
      path: this.path,
      kind: this.def.kind,
      periodPs: this.period,
      busyPs: this.busy.total,
      energyEvents,
      stats,
      ports: Object.fromEntries([...this.traffic].map(([k, v]) => [k, { ...v }])),
    };
  }
}

/** Builds a module's behaviour from its context; one per kind with a simulation model. */
/**
 * A DMI grant (TLM `get_direct_mem_ptr`) over a whole storage array mapped at `base`, with a
 * fixed latency per access. Memories grant it for instruction fetch and loaders; the core's
 * data accesses stay on the transport path, because only there are bank conflicts and port
 * contention arbitrated and counted.
 */
export function storageDmi(data: Uint8Array, base: number, latency: Time): DmiRegion {
  return new DmiRegion({ start: base, end: base + data.length - 1, data, readLatency: latency, writeLatency: latency });
}

/**
 * Copies `n` bytes from `src[from..]` to `dst[to..]`: a byte loop for word-sized accesses (no
 * subarray view allocated per access, which costs more than the copy), `set` for bursts.
 */
export function copyBytes(dst: Uint8Array, to: number, src: Uint8Array, from: number, n: number): void {
  if (n <= 16) {
    for (let i = 0; i < n; i++) dst[to + i] = src[from + i]!;
  } else {
    dst.set(src.subarray(from, from + n), to);
  }
}

/**
 * Debug access (TLM `transport_dbg`) to a storage array mapped at `base`: no time, no counters.
 * A write forces the array's stuck bits, if any. Returns the bytes transferred (clipped to the
 * storage).
 */
export function storageDebug(tx: GenericPayload, data: Uint8Array, base: number, stuck: StuckBits | null): number {
  const off = tx.address - base;
  const n = Math.max(0, Math.min(tx.length, data.length - off));
  if (off < 0 || n === 0) return 0;
  if (tx.command === 'read') tx.data.set(data.subarray(off, off + n));
  else if (tx.command === 'write') {
    data.set(tx.data.subarray(0, n), off);
    if (stuck !== null) stuck.apply(data, off, n);
  }
  return n;
}

export interface SimFactory<D extends AnyModuleDef = AnyModuleDef> {
  readonly def: D;
  create(ctx: ModuleContext<D>): SimModule<D>;
}
