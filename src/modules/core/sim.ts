import type { SimEvent, Wait } from '../../kernel/index.js';
import type { Instr } from '../../isa/index.js';
import { DmiRegion, GenericPayload, QuantumKeeper, getGlobalQuantum, setGlobalQuantum, type InitiatorSocket, type TlmResponse, type WordTarget } from '../../tlm/index.js';
import type { AnyModuleDef } from '../../spec/index.js';
import { SimError, formatAddress, formatTime, type Time } from '../../util/index.js';
import { SimModule, type AddressWindow, type ModuleContext, type ModuleSnapshot, type PortTraffic, type SimFactory } from '../base.js';
import type { ModuleRecorder } from '../../trace/index.js';
import { AcceleratorSim } from '../accel.js';
import { Dma } from '../dma/sim.js';
import { SYNC_OPS, type SyncOp } from '../event-unit/sim.js';
import { CoreDef } from './def.js';
import { loadElfSegments, type ElfImage } from './elf.js';
import { CLASS_ORDER, ENV_EXIT, ENV_WAIT, Rv32Core, type CoreEnv, type CoreMemory } from './iss.js';

/** A program to load: assembler output (`words` from `origin`, as `assemble` returns) or a parsed ELF. */
export type ProgramImage = { readonly origin: number; readonly words: readonly number[] } | ElfImage;

/** Options of {@link CoreSim.start}. */
export interface CoreStartOptions {
  /** Initial register values by number (applied after the defaults a0 = hartId). */
  readonly regs?: Readonly<Record<number, number>>;
}

/** A code address range `[start, end)` (see {@link CoreSim.profileCode}). */
export interface CodeRange {
  readonly start: number;
  readonly end: number;
}

/** Instructions per call of `Rv32Core.run` (the quantum bounds it further). */
const BATCH = 4096;

/** A blocking operation the core thread performs for the instruction at `pc` before it retires. */
type Pending =
  | { readonly kind: 'sync' }
  | { readonly kind: 'eu'; readonly op: SyncOp; readonly operand: number }
  /** Synchronize, then sleep in `until` (a DMA or accelerator wait); the instruction retries after. */
  | { readonly kind: 'wait'; readonly until: () => Generator<Wait, void, unknown> };

/**
 * The ISS's memory ({@link CoreMemory}) of a {@link CoreSim}: loads and stores to the tcdm
 * windows go straight to the tcdm target's direct word interface when it offers one in the core's
 * clock ({@link WordTarget}: the same access as `transport`, at the core's current cycle, without
 * a payload or time conversions); everything else (and an access the target does not serve that
 * way) goes through `slow`, the payload path. One class for every core, so the ISS's call sites
 * stay monomorphic.
 */
class CorePort implements CoreMemory {
  loadLatency = 0;
  /** The ISS (set right after it is built). */
  core: Rv32Core | null = null;
  /** True while simulation time and the local offset at the start of the current `run` call are whole cycles; then the core's current cycle is `cycleBase + core.cycles`. */
  cycleOk = false;
  cycleBase = 0;
  private word: WordTarget | null | undefined = undefined;
  private wordPort = 0;
  private readonly tcdmLo: number;
  private readonly tcdmHi: number;
  private readonly traffic: PortTraffic;
  private readonly fetch: (addr: number) => number;
  private readonly slow: (command: 'read' | 'write', addr: number, bytes: number, value: number) => number;
  private readonly buf: Uint8Array;
  private readonly resolve: () => { readonly target: WordTarget; readonly port: number } | null;

  constructor(
    tcdmLo: number, tcdmHi: number, traffic: PortTraffic, buf: Uint8Array, fetch: (addr: number) => number,
    slow: (command: 'read' | 'write', addr: number, bytes: number, value: number) => number,
    resolve: () => { readonly target: WordTarget; readonly port: number } | null,
  ) {
    this.tcdmLo = tcdmLo;
    this.tcdmHi = tcdmHi;
    this.traffic = traffic;
    this.buf = buf;
    this.fetch = fetch;
    this.slow = slow;
    this.resolve = resolve;
  }

  fetch32(addr: number): number {
    return this.fetch(addr);
  }

  private target(): WordTarget | null {
    if (this.word === undefined) {
      const w = this.resolve();
      this.word = w === null ? null : w.target;
      this.wordPort = w === null ? 0 : w.port;
    }
    return this.word;
  }

  load(addr: number, bytes: 1 | 2 | 4, signed: boolean): number {
    if (addr >= this.tcdmLo && addr + bytes <= this.tcdmHi && this.cycleOk) {
      const w = this.word === undefined ? this.target() : this.word;
      if (w !== null) {
        const c = this.cycleBase + this.core!.cycles;
        const v = w.readWordAt(this.wordPort, addr, bytes, c);
        if (v !== undefined) {
          this.traffic.transactions++;
          this.traffic.bytes += bytes;
          // as the payload path: ceil((delay - local) / period) - 1, all in whole cycles here
          const lat = w.wordReady - c - 1;
          this.loadLatency = lat > 0 ? lat : 0;
          if (bytes === 4 || !signed) return v;
          return bytes === 2 ? (v << 16) >> 16 : (v << 24) >> 24;
        }
      }
    }
    return this.slowLoad(addr, bytes, signed);
  }

  store(addr: number, bytes: 1 | 2 | 4, value: number): number {
    if (addr >= this.tcdmLo && addr + bytes <= this.tcdmHi && this.cycleOk) {
      const w = this.word === undefined ? this.target() : this.word;
      if (w !== null) {
        const c = this.cycleBase + this.core!.cycles;
        const r = w.writeWordAt(this.wordPort, addr, bytes, value, c);
        if (r >= 0) {
          this.traffic.transactions++;
          this.traffic.bytes += bytes;
          const lat = r - c - 1;
          return lat > 0 ? lat : 0;
        }
      }
    }
    return this.slow('write', addr, bytes, value);
  }

  /** A load through the payload path, which leaves the bytes in `buf`. */
  private slowLoad(addr: number, bytes: 1 | 2 | 4, signed: boolean): number {
    this.loadLatency = this.slow('read', addr, bytes, 0);
    const buf = this.buf;
    if (bytes === 4) return buf[0]! | (buf[1]! << 8) | (buf[2]! << 16) | (buf[3]! << 24);
    if (bytes === 2) {
      const v = buf[0]! | (buf[1]! << 8);
      return signed ? (v << 16) >> 16 : v;
    }
    const v = buf[0]!;
    return signed ? (v << 24) >> 24 : v;
  }
}

/**
 * A core on the platform: the instruction-set simulator ({@link Rv32Core}) driven by a kernel
 * thread `<path>.run` with a quantum keeper, its memory over the core's TLM initiator sockets and
 * its custom instructions wired to the event unit and the cluster DMA.
 *
 * - Time: the core runs ahead of simulation time by a local offset (cycles x clock period) and
 *   synchronizes at quantum boundaries (the global quantum; set from the `quantum` param when the
 *   simulation has none), before starting or polling a DMA transfer, and when it must wait.
 * - Memory: loads and stores go out with the non-waiting `transport()` and the core's local time
 *   as annotated delay, through `tcdm` for addresses in the windows it reaches (the L1) and
 *   through `data` for the rest. The returned delay in cycles, minus the one cycle the core's own
 *   load/store cost already covers (CV32E40P's zero-stall case: a TCDM access granted at once
 *   answers in the next cycle), is the latency the core stalls. A response other than ok stops
 *   the core with a SimError naming it, the pc, the address and the time. Instruction fetch goes
 *   through a DMI grant of the memory holding the code (forwarded by crossbars), untimed and
 *   once per address (decode cache); data accesses never use DMI, so that every one of them is
 *   arbitrated and bank conflicts and contention are counted exactly.
 * - `sync.bar/evset/evwait/wfe`: a blocking transport on `sync` (operation by address, see
 *   `SYNC_OPS`); the thread sleeps in the event unit until released. The instruction's issue cost
 *   is counted when it retires after the release; the time in between is `stallCycles`.
 * - `dma.*`: the DMA whose registers the `data` port reaches (`dma.addr`/`dma.strd` set this
 *   core's channel state; `dma.1d`/`dma.2d` start a transfer after synchronizing and return its id;
 *   `dma.wait`/`dma.waitall` sleep until completion; `dma.stat`/`dma.busy` poll).
 * - `acc.*`: the accelerator whose `accelId` is the instruction's N among those the `data` port
 *   reaches (see `AcceleratorSim`): `acc.arg` queues two words for the next `acc.cmd`, which
 *   synchronizes, submits (sleeping while the queue is full) and returns the tag; `acc.wait`
 *   sleeps until the tag's command finished; `acc.stat` polls; `acc.drain` waits for all.
 * - `ecall` ends the program (exit code a0); `ebreak` stops the run with a SimError naming the
 *   core and the pc.
 *
 * Stats: `instructions`, `cycles` (issue cycles), `stallCycles` (memory latency, load-use,
 * waits at the event unit and for the DMA), `busy` (time executing, incl. memory stalls);
 * snapshots add per-class counts as `instr.<class>` / `cycles.<class>`.
 */
export class CoreSim extends SimModule<typeof CoreDef> {
  /** The instruction-set simulator. */
  readonly core: Rv32Core;
  /** Notified when the program has exited. */
  readonly exited: SimEvent;
  /** Simulated time at which the program exited (its last cycle included), if it has. */
  exitTime: Time | undefined = undefined;

  private readonly qk: QuantumKeeper;
  private readonly startEv: SimEvent;
  private started = false;
  private readonly dataSock: InitiatorSocket | null;
  private readonly tcdmSock: InitiatorSocket | null;
  private readonly syncSock: InitiatorSocket | null;
  private readonly tcdmWindows: readonly AddressWindow[];
  private readonly tcdmLo: number;
  private readonly tcdmHi: number;
  private readonly dataTraffic: PortTraffic;
  private readonly tcdmTraffic: PortTraffic;
  private readonly tx: GenericPayload;
  private readonly buf = new Uint8Array(4);
  /** DMI grants for instruction fetch, tried in order (see {@link fetchWord}). */
  private fetchDmi: DmiRegion[] = [];
  /** Local time at the start of the current `run` call and the ISS cycle count then. */
  private runLocal: Time = 0;
  private runCycles = 0;
  /** The ISS's memory (set by makeMemory). */
  private port: CorePort | null = null;
  private pending: Pending | null = null;
  private completed: { pc: number; value: number } | null = null;
  private dma: Dma | null | undefined = undefined;
  private dmaSrc = 0;
  private dmaDst = 0;
  private dmaSStride = 0;
  private dmaDStride = 0;
  private readonly myTransfers = new Set<number>();
  /** Accelerators by number, once found. */
  private readonly accels = new Map<number, AcceleratorSim<AnyModuleDef>>();
  /** Words queued by acc.arg, per accelerator number. */
  private readonly accArgs = new Map<number, number[]>();
  /** Blocked cycles (event unit, DMA waits), accumulated. */
  private blockedCycles = 0;
  private lastInstr = 0;
  private lastCycles = 0;
  private lastStall = 0;

  constructor(ctx: ModuleContext<typeof CoreDef>) {
    super(CoreDef, ctx);
    const p = this.params;
    if (getGlobalQuantum(this.sim) === 0) setGlobalQuantum(this.sim, p.quantum);
    this.qk = new QuantumKeeper(this.sim);
    this.dataSock = this.initiator('data');
    this.tcdmSock = this.initiator('tcdm');
    this.syncSock = this.initiator('sync');
    this.tcdmWindows = this.tcdmSock === null ? [] : (ctx.reach?.('tcdm', undefined) ?? []);
    this.tcdmLo = Math.min(...this.tcdmWindows.map((w) => w.base), Infinity);
    this.tcdmHi = Math.max(...this.tcdmWindows.map((w) => w.end), -Infinity);
    this.dataTraffic = this.portTraffic('data');
    this.tcdmTraffic = this.portTraffic('tcdm');
    this.tx = new GenericPayload({ command: 'read', address: 0, data: this.buf });
    this.exited = this.sim.event(`${this.path}.exited`);
    this.startEv = this.sim.event(`${this.path}.start`);
    const mem = this.makeMemory();
    const env = this.makeEnv();
    this.core = new Rv32Core(mem, {
      name: this.path,
      costs: p,
      extensions: p.extensions,
      env,
    });
    this.port!.core = this.core;
    const self = this;
    this.sim.thread(`${this.path}.run`, function* () {
      if (!self.started) yield self.startEv;
      yield* self.runThread();
    });
  }

  // ---- program loading ----

  /**
   * Writes bytes into the platform's memories with the debug transport (no time, no counters),
   * through `tcdm` or `data` as for a store. @throws SimError `load-unmapped` if a byte is not written.
   */
  debugWrite(address: number, data: Uint8Array): void {
    this.debugAccess('write', address, data);
    this.core.invalidate(address, data.length);
  }

  /**
   * Times (ps, absolute) at which the core synchronizes with the kernel whatever its quantum, so
   * that an event scheduled there (a fault injected at that time) sees the core at that time to
   * the instruction, not up to a quantum later. Sorted ascending; set before the run.
   */
  setSyncBarriers(times: readonly Time[]): void {
    this.barriers = [...times].sort((a, b) => a - b);
    this.barrierIdx = 0;
  }

  private barriers: readonly Time[] = [];
  private barrierIdx = 0;

  /**
   * Inverts one bit of a register (fault injection): `x` 1..31 (x0 is hard-wired to zero),
   * `f` 0..31 (the raw float32 bits; needs the F extension) or the `pc` (index ignored). Takes
   * effect when the core next runs: call it while the core waits (from another process), not
   * from inside its own instruction stream.
   */
  flipRegisterBit(file: 'x' | 'f' | 'pc', index: number, bit: number): void {
    if (!(Number.isInteger(bit) && bit >= 0 && bit <= 31)) throw new RangeError(`register bit ${bit} is outside 0..31`);
    const m = 1 << bit;
    if (file === 'pc') {
      this.core.pc = (this.core.pc ^ m) >>> 0;
      return;
    }
    if (!(Number.isInteger(index) && index >= (file === 'x' ? 1 : 0) && index <= 31)) throw new RangeError(`register ${file}${index} does not exist${file === 'x' && index === 0 ? ' as a storage element (x0 is hard-wired to zero)' : ''}`);
    if (file === 'f' && !this.params.extensions.includes('F')) throw new RangeError(`${this.path} has no F extension: no register f${index}`);
    const regs = file === 'x' ? this.core.x : this.core.f;
    regs[index] = regs[index]! ^ m;
  }

  /** Reads `n` bytes from the platform's memories with the debug transport. */
  debugRead(address: number, n: number): Uint8Array {
    const data = new Uint8Array(n);
    this.debugAccess('read', address, data);
    return data;
  }

  /** Reads `n` little-endian 32-bit words (signed) at `address` with the debug transport. */
  debugReadWords(address: number, n: number): number[] {
    const b = this.debugRead(address, 4 * n);
    return Array.from({ length: n }, (_, i) => (b[4 * i]! | (b[4 * i + 1]! << 8) | (b[4 * i + 2]! << 16) | (b[4 * i + 3]! << 24)));
  }

  /** Loads a program image into memory (debug transport); returns its entry (ELF entry or origin). */
  load(image: ProgramImage): number {
    if ('segments' in image) return loadElfSegments(image, (a, d) => this.debugWrite(a, d));
    const bytes = new Uint8Array(image.words.length * 4);
    image.words.forEach((w, i) => {
      for (let k = 0; k < 4; k++) bytes[4 * i + k] = (w >>> (8 * k)) & 0xff;
    });
    this.debugWrite(image.origin, bytes);
    return image.origin;
  }

  /**
   * Starts the program at `entry`: registers cleared, a0 = the `hartId` param (the CSR-free
   * core-index convention), then `opts.regs`. Before the run or while the core is idle.
   */
  start(entry: number, opts: CoreStartOptions = {}): void {
    if (this.started) throw this.error('core-already-started', 'the core has already been started');
    this.core.reset(entry);
    this.core.setReg(10, this.params.hartId);
    for (const [r, v] of Object.entries(opts.regs ?? {})) this.core.setReg(Number(r), v);
    this.started = true;
    if (this.sim.isRunning) this.startEv.notify();
  }

  /** True once the program has exited. */
  get hasExited(): boolean {
    return this.exitTime !== undefined;
  }

  override snapshot(): ModuleSnapshot {
    const s = super.snapshot();
    const stats: Record<string, number> = { ...s.stats };
    CLASS_ORDER.forEach((c, i) => {
      const n = this.core.classInstructions[i]!;
      if (n > 0) {
        stats[`instr.${c}`] = n;
        stats[`cycles.${c}`] = this.core.classCycles[i]!;
      }
    });
    return { ...s, stats };
  }

  // ---- the thread ----

  /**
   * Traced (see `attachTrace`): `run` slices (batches executed back to back merged into one
   * instruction group, with its instruction and cycle counts), `wait` slices while the core
   * sleeps at the event unit (`wait sync.bar`, ...) or for a DMA transfer or an accelerator,
   * and the busy wire. The flow arrows of DMA transfers and accelerator commands start on its track.
   */
  override attachTrace(rec: ModuleRecorder): void {
    super.attachTrace(rec);
    rec.busySlices = false;
  }

  private *runThread(): Generator<Wait, void, unknown> {
    const core = this.core;
    const qk = this.qk;
    const period = this.period;
    qk.reset();
    const barriers = this.barriers;
    for (;;) {
      // barriers at or before the kernel's time are behind the core: it did not run ahead of them
      while (this.barrierIdx < barriers.length && barriers[this.barrierIdx]! <= this.sim.now) this.barrierIdx++;
      const barrier = this.barrierIdx < barriers.length ? barriers[this.barrierIdx]! : Infinity;
      this.runLocal = qk.localTime;
      this.runCycles = core.cycles;
      // whole cycles: the core's current cycle during this run is cycleBase + core.cycles
      const nowPs = this.sim.now;
      const port = this.port!;
      port.cycleOk = nowPs % period === 0 && this.runLocal % period === 0;
      port.cycleBase = (nowPs + this.runLocal) / period - this.runCycles;
      const room = Math.min(qk.nextSyncPoint, barrier) - this.sim.now - qk.localTime;
      const until = core.cycles + Math.max(1, Math.ceil(room / period));
      const r = core.run(BATCH, until);
      const ran = (core.cycles - this.runCycles) * period;
      if (ran > 0) this.busy.add(this.sim.now + this.runLocal, this.sim.now + this.runLocal + ran);
      if (this.trace !== null && ran > 0) this.trace.run(this.sim.now + this.runLocal, this.sim.now + this.runLocal + ran, core.instructions - this.lastInstr, core.cycles - this.runCycles);
      qk.localTime = this.runLocal + ran;
      this.account();
      // energy over time: this batch's instructions, counted by account()
      if (this.trace !== null && ran > 0) this.trace.sampleEnergy(this.sim.now + this.runLocal, this.sim.now + this.runLocal + ran);
      switch (r) {
        case 'budget':
          // qk.sync() without its generator object: wait out the offset (without leaving the
          // thread when nothing else can happen meanwhile: Simulation.advanceAlone), then reset
          if (qk.needSync) {
            if (!this.sim.advanceAlone(qk.localTime)) yield qk.localTime;
            qk.reset();
          } else if (this.sim.now + qk.localTime >= barrier) {
            // a barrier: synchronize, then let one delta pass so that whatever else happens at
            // this time (a fault injector woken by the same time-out) happens before the core
            // executes past it
            yield qk.localTime;
            qk.reset();
            yield 0;
          }
          break;
        case 'wait':
          yield* this.block();
          break;
        case 'exit':
          yield* qk.sync();
          this.exitTime = this.sim.now;
          this.exited.notify();
          return;
        case 'error': {
          const e = core.error!;
          const t = this.sim.now + qk.localTime;
          throw e.message.includes('(time ') ? e : new SimError(e.code, `${e.message} (time ${formatTime(t)})`, { path: this.path, time: t, cause: e });
        }
        default:
          // 'yield', 'ecall', 'ebreak' do not occur with this env
          break;
      }
    }
  }

  /** Performs the pending blocking operation of the instruction at the pc (it retries after). */
  private *block(): Generator<Wait, void, unknown> {
    const op = this.pending;
    this.pending = null;
    if (op === null) return;
    const qk = this.qk;
    const before = this.sim.now + qk.localTime;
    let value = 0;
    if (op.kind === 'sync') {
      yield* qk.sync();
    } else if (op.kind === 'eu') {
      const sock = this.syncSock!;
      const tx = new GenericPayload({ command: 'write', address: SYNC_OPS[op.op], data: new Uint8Array(4) });
      for (let i = 0; i < 4; i++) tx.data[i] = (op.operand >>> (8 * i)) & 0xff;
      const d = yield* sock.bTransport(tx, qk.localTime);
      if (!tx.isResponseOk) throw this.coreError('sync-error', `sync.${op.op} failed with ${tx.responseString}`);
      qk.reset();
      qk.localTime = d;
      value = tx.readWord(0, 4) | 0;
    } else {
      yield* qk.sync();
      yield* op.until();
      qk.reset();
    }
    this.blockedCycles += Math.round((this.sim.now + qk.localTime - before) / this.period);
    if (this.trace !== null && this.sim.now + qk.localTime > before) {
      this.trace.slice(op.kind === 'eu' ? `wait sync.${op.op}` : 'wait', before, this.sim.now + qk.localTime, { pc: formatAddress(this.core.pc) });
    }
    // an event-unit request has happened: the retried instruction only collects its result
    if (op.kind === 'eu') this.completed = { pc: this.core.pc, value };
    this.account();
  }

  /** Copies the ISS counters into the module's stats and energy counters. */
  private account(): void {
    const c = this.core;
    const di = c.instructions - this.lastInstr;
    const dc = c.cycles - this.lastCycles;
    const ds = c.stallCycles - this.lastStall;
    this.lastInstr = c.instructions;
    this.lastCycles = c.cycles;
    this.lastStall = c.stallCycles;
    this.stats.instructions.add(di);
    this.stats.cycles.add(dc - ds);
    this.stats.stallCycles.add(ds + this.blockedCycles);
    this.blockedCycles = 0;
    this.energy.instruction.add(di);
  }

  // ---- memory ----

  private localNow(): Time {
    return this.runLocal + (this.core.cycles - this.runCycles) * this.period;
  }

  private makeMemory(): CoreMemory {
    const self = this;
    const tx = this.tx;
    const buf = this.buf;
    const period = this.period;
    const access = (command: 'read' | 'write', addr: number, bytes: number, value: number): number => {
      if (command === 'write') {
        buf[0] = value & 0xff;
        buf[1] = (value >>> 8) & 0xff;
        buf[2] = (value >>> 16) & 0xff;
        buf[3] = (value >>> 24) & 0xff;
      }
      const local = self.localNow();
      const viaTcdm = addr >= self.tcdmLo && addr + bytes <= self.tcdmHi;
      const sock = viaTcdm ? self.tcdmSock : self.dataSock;
      if (sock === null) throw self.error('unmapped-address', `${command === 'read' ? 'load' : 'store'} of ${bytes} B: the core's data port is not connected`, addr, local);
      tx.command = command;
      tx.address = addr;
      tx.length = bytes;
      tx.streamingWidth = bytes;
      tx.response = 'incomplete';
      const d = sock.transport(tx, local);
      const resp = tx.response as TlmResponse;
      if (resp !== 'ok') {
        // path = the socket, so the ISS adds the core, pc and instruction to the message
        const t = self.sim.now + local;
        const why = resp === 'address-error' ? 'no region of the address map holds' : 'the target refused';
        throw new SimError(resp === 'address-error' ? 'unmapped-address' : 'bus-error', `${command === 'read' ? 'load' : 'store'} of ${bytes} B through '${sock.path}' failed with ${tx.responseString}: ${why} address ${formatAddress(addr)} (time ${formatTime(t)})`, { path: sock.path, time: t });
      }
      const t = viaTcdm ? self.tcdmTraffic : self.dataTraffic;
      t.transactions++;
      t.bytes += bytes;
      const lat = Math.ceil((d - local) / period) - 1;
      return lat > 0 ? lat : 0;
    };
    const port = new CorePort(this.tcdmLo, this.tcdmHi, this.tcdmTraffic, buf, (addr) => self.fetchWord(addr), access, () => {
      const w = self.tcdmSock?.wordTarget() ?? null;
      return w === null || w.target.period !== period ? null : w;
    });
    this.port = port;
    return port;
  }

  /**
   * Instruction fetch through a DMI grant of the memory holding the code (requested once per
   * region, through `tcdm` or `data` as for a load; revoked grants are dropped), falling back to
   * the debug transport when the target grants none. Untimed: the decode cache calls it once per
   * address, and fetch stalls are not modelled (the issue cost of each class covers fetch, as in
   * CV32E40P with its prefetch buffer hitting).
   */
  private fetchWord(addr: number): number {
    if (this.prof !== null) this.profileFetch(addr);
    let g = this.fetchDmi.find((r) => r.covers(addr, 4));
    if (g === undefined) {
      this.fetchDmi = this.fetchDmi.filter((r) => r.valid);
      const viaTcdm = addr >= this.tcdmLo && addr + 4 <= this.tcdmHi;
      const sock = viaTcdm ? this.tcdmSock : this.dataSock;
      const r = sock?.getDirectMemPtr(new GenericPayload({ command: 'read', address: addr, data: new Uint8Array(4) })) ?? null;
      if (r !== null && r.canRead && r.covers(addr, 4)) {
        this.fetchDmi.push(r);
        g = r;
      }
    }
    const b = g === undefined ? this.debugRead(addr, 4) : g.data;
    const o = g === undefined ? 0 : addr - g.start;
    return (b[o]! | (b[o + 1]! << 8) | (b[o + 2]! << 16) | (b[o + 3]! << 24)) >>> 0;
  }

  private debugAccess(command: 'read' | 'write', address: number, data: Uint8Array): void {
    const viaTcdm = address >= this.tcdmLo && address + data.length <= this.tcdmHi;
    const sock = viaTcdm ? this.tcdmSock : this.dataSock;
    const tx = new GenericPayload({ command, address, data });
    const n = sock === null ? 0 : sock.transportDbg(tx);
    if (n !== data.length) {
      throw this.error('load-unmapped', `debug ${command} of ${data.length} B reached ${n} B: no memory of the address map holds [${formatAddress(address)}, ${formatAddress(address + data.length)})`, address);
    }
  }

  // ---- code profile (layer intervals) ----

  /** Code ranges being profiled and the first time this core executed in / past each (see {@link profileCode}). */
  private prof: { readonly ranges: readonly CodeRange[]; readonly entry: (Time | undefined)[]; readonly exit: (Time | undefined)[] } | null = null;

  /**
   * Profiles code address ranges `[start, end)` (a compiled network's layers): for each range,
   * the time this core first executes an instruction in it (`entry`) and the time it first
   * executes an instruction at or past its `end` (`exit`: for code that only moves forward
   * through the ranges, the time it last left it). Exact to the cycle and free in the ISS loop:
   * the decode cache calls {@link fetchWord} once per address, on the first execution of that
   * address by this core, and only that call checks the ranges (one null check when off).
   * Call before the run, on a core whose decode cache holds none of the ranges (a fresh start).
   */
  profileCode(ranges: readonly CodeRange[]): void {
    this.prof = { ranges: ranges.map((r) => ({ start: r.start >>> 0, end: r.end >>> 0 })), entry: ranges.map(() => undefined), exit: ranges.map(() => undefined) };
  }

  /** The times recorded by {@link profileCode} (undefined: never entered / never left), or null. */
  codeProfile(): { readonly entry: readonly (Time | undefined)[]; readonly exit: readonly (Time | undefined)[] } | null {
    return this.prof;
  }

  private profileFetch(addr: number): void {
    const p = this.prof!;
    const t = this.sim.now + this.localNow();
    const a = addr >>> 0;
    for (let k = 0; k < p.ranges.length; k++) {
      const r = p.ranges[k]!;
      if (a >= r.start && a < r.end) {
        if (p.entry[k] === undefined || t < p.entry[k]!) p.entry[k] = t;
      } else if (a >= r.end && r.end > r.start) {
        if (p.exit[k] === undefined || t < p.exit[k]!) p.exit[k] = t;
      }
    }
  }

  // ---- custom instructions ----

  private coreError(code: string, what: string): SimError {
    const t = this.sim.now + this.localNow();
    return new SimError(code, `core '${this.path}' at pc 0x${(this.core.pc >>> 0).toString(16).padStart(8, '0')}: ${what} (time ${formatTime(t)})`, { path: this.path, time: t });
  }

  private dmaModule(): Dma {
    if (this.dma === undefined) {
      this.dma = null;
      for (const w of this.ctx.reach?.('data', undefined) ?? []) {
        const m = this.ctx.peer?.(w.target);
        if (m instanceof Dma) {
          this.dma = m;
          break;
        }
      }
    }
    if (this.dma === null) throw this.coreError('no-dma', 'no DMA is reachable through the data port');
    return this.dma;
  }

  private inFlight(): number[] {
    const dma = this.dmaModule();
    for (const id of this.myTransfers) if (dma.isDone(id)) this.myTransfers.delete(id);
    return [...this.myTransfers];
  }

  private makeEnv(): CoreEnv {
    return {
      ecall: () => ENV_EXIT,
      ebreak: (core) => {
        throw this.coreError('ebreak', `ebreak (no debugger attached; use ecall to exit, a0 = exit code, was ${core.reg(10)})`);
      },
      custom: (core, instr) => this.custom(core, instr),
    };
  }

  private custom(core: Rv32Core, instr: Instr): number {
    const done = this.completed;
    if (done !== null && done.pc === core.pc) {
      this.completed = null;
      if (instr.op === 'sync.evwait') core.setReg(instr.rd, done.value);
      return 0;
    }
    const a = core.reg(instr.rs1);
    const b = core.reg(instr.rs2);
    const synced = this.localNow() === 0;
    switch (instr.op) {
      case 'sync.bar': this.pending = { kind: 'eu', op: 'bar', operand: a }; return this.needSync();
      case 'sync.evset': this.pending = { kind: 'eu', op: 'evset', operand: a }; return this.needSync();
      case 'sync.evwait': this.pending = { kind: 'eu', op: 'evwait', operand: a }; return this.needSync();
      case 'sync.wfe': this.pending = { kind: 'eu', op: 'wfe', operand: 0 }; return this.needSync();
      case 'dma.addr': this.dmaSrc = a >>> 0; this.dmaDst = b >>> 0; return 0;
      case 'dma.strd': this.dmaSStride = a; this.dmaDStride = b; return 0;
      case 'dma.1d':
      case 'dma.2d': {
        const dma = this.dmaModule();
        if (!synced) { this.pending = { kind: 'sync' }; return ENV_WAIT; }
        const id = dma.start(instr.op === 'dma.1d'
          ? { src: this.dmaSrc, dst: this.dmaDst, bytes: a >>> 0 }
          : { src: this.dmaSrc, dst: this.dmaDst, bytes: a >>> 0, rows: b >>> 0, srcStride: this.dmaSStride, dstStride: this.dmaDStride }, this.path);
        this.myTransfers.add(id);
        core.setReg(instr.rd, id);
        return 0;
      }
      case 'dma.wait':
      case 'dma.waitall': {
        const dma = this.dmaModule();
        const ids = instr.op === 'dma.wait' ? [a].filter((id) => dma.transfers.has(id) && !dma.isDone(id)) : this.inFlight();
        if (ids.length === 0) return 0;
        this.pending = { kind: 'wait', until: function* () { for (const id of ids) yield* dma.wait(id); } };
        return ENV_WAIT;
      }
      case 'dma.stat': {
        const dma = this.dmaModule();
        const busy = dma.transfers.has(a) && !dma.isDone(a);
        if (busy && !synced) { this.pending = { kind: 'sync' }; return ENV_WAIT; }
        core.setReg(instr.rd, busy ? 1 : 0);
        return 0;
      }
      case 'dma.busy': {
        const n = this.inFlight().length;
        if (n > 0 && !synced) { this.pending = { kind: 'sync' }; return ENV_WAIT; }
        core.setReg(instr.rd, n);
        return 0;
      }
      case 'acc.arg': {
        this.accelerator(instr.imm);
        const q = this.accArgs.get(instr.imm) ?? [];
        q.push(a >>> 0, b >>> 0);
        this.accArgs.set(instr.imm, q);
        return 0;
      }
      case 'acc.cmd': {
        const acc = this.accelerator(instr.imm);
        if (!synced) { this.pending = { kind: 'sync' }; return ENV_WAIT; }
        const tag = acc.submit(a, b, this.accArgs.get(instr.imm) ?? [], this.path);
        if (tag === 0) {
          // queue full: sleep until a command completes, then retry
          this.pending = { kind: 'wait', until: function* () { yield acc.spaceEvent; } };
          return ENV_WAIT;
        }
        this.accArgs.delete(instr.imm);
        core.setReg(instr.rd, tag);
        return 0;
      }
      case 'acc.wait': {
        const acc = this.accelerator(instr.imm);
        if (!acc.commands.has(a)) throw this.coreError('accel-unknown-tag', `acc.wait ${a}: accelerator ${instr.imm} ('${acc.path}') has no command with that tag (tags are returned by acc.cmd)`);
        if (acc.isDone(a)) return 0;
        this.pending = { kind: 'wait', until: () => acc.wait(a) };
        return ENV_WAIT;
      }
      case 'acc.stat': {
        const acc = this.accelerator(instr.imm);
        if (!acc.commands.has(a)) throw this.coreError('accel-unknown-tag', `acc.stat ${a}: accelerator ${instr.imm} ('${acc.path}') has no command with that tag (tags are returned by acc.cmd)`);
        const busy = !acc.isDone(a);
        if (busy && !synced) { this.pending = { kind: 'sync' }; return ENV_WAIT; }
        core.setReg(instr.rd, busy ? 1 : 0);
        return 0;
      }
      case 'acc.drain': {
        const acc = this.accelerator(instr.imm);
        if (acc.pending === 0 && synced) return 0;
        this.pending = { kind: 'wait', until: () => acc.drain() };
        return ENV_WAIT;
      }
      default:
        throw this.coreError('illegal-custom', `${instr.op}: not executable by this core`);
    }
  }

  /** Accelerator `n` (the N of `acc.* N`): the one reachable through `data` whose `accelId` is n. */
  private accelerator(n: number): AcceleratorSim<AnyModuleDef> {
    const hit = this.accels.get(n);
    if (hit !== undefined) return hit;
    const found: AcceleratorSim<AnyModuleDef>[] = [];
    for (const w of this.ctx.reach?.('data', undefined) ?? []) {
      const m = this.ctx.peer?.(w.target);
      if (m instanceof AcceleratorSim && !found.includes(m)) found.push(m as AcceleratorSim<AnyModuleDef>);
    }
    const acc = found.find((m) => m.accelId === n);
    if (acc === undefined) {
      const have = found.map((m) => `${m.accelId} ('${m.path}')`).join(', ');
      throw this.coreError('no-accelerator', `accelerator ${n} is not reachable through the data port (${have === '' ? 'no accelerator is' : `reachable: ${have}`}); the N of acc.* must be an accelerator's accelId param`);
    }
    this.accels.set(n, acc);
    return acc;
  }

  private needSync(): number {
    if (this.syncSock === null) {
      this.pending = null;
      throw this.coreError('no-event-unit', 'the sync port is not connected to an event unit');
    }
    return ENV_WAIT;
  }
}

/**
 * Loads `image` once (through the first core's ports) and starts every core of `cores` at its
 * entry: a0 = the core's `hartId`, a1 = the number of cores started (the CSR-free convention of
 * `src/modules/README.md`). Returns the entry.
 */
export function loadProgram(cores: readonly CoreSim[], image: ProgramImage): number {
  const first = cores[0];
  if (first === undefined) throw new SimError('no-cores', 'loadProgram: no core to load the program into');
  const entry = first.load(image);
  const ranges: [number, number][] = 'segments' in image ? image.segments.map((s) => [s.vaddr, s.memSize]) : [[image.origin, 4 * image.words.length]];
  for (const c of cores) {
    for (const [a, n] of ranges) c.core.invalidate(a, n);
    c.start(entry, { regs: { 11: cores.length } });
  }
  return entry;
}

/** Builds {@link CoreSim} instances. */
export const coreSim: SimFactory<typeof CoreDef> = { def: CoreDef, create: (ctx) => new CoreSim(ctx) };
