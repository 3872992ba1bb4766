import type { GenericPayload } from '../../tlm/index.js';
import type { Time } from '../../util/index.js';
import { SimModule, copyBytes, storageDebug, storageDmi, type ModuleContext, type PortTraffic, type SimFactory } from '../base.js';
import { ScratchpadDef } from './def.js';

/**
 * Banked scratchpad behaviour (PULP TCDM): real storage, loosely timed with a per-bank table of
 * reserved cycles and a per-port "next free cycle", no kernel event per access.
 *
 * Timing of one transaction on port `p` arriving at absolute time `t` (cycle `c = ceil(t / T)`),
 * covering words `w_0..w_{n-1}` (bank `b(w) = w mod banks` for word interleaving,
 * `floor(w / wordsPerBank)` for block):
 * - word j is requested at `q_0 = max(c, portFree[p])`, `q_j = g_{j-1} + 1` (a port issues one
 *   word per cycle);
 * - it is granted at `g_j`, the first cycle `>= q_j` in which bank `b(w_j)` is not reserved;
 *   `g_j > q_j` is a bank conflict costing `g_j - q_j` stall cycles (counted per port and in the
 *   `bankConflicts` statistic); cycle `g_j` of that bank is then reserved (one access per bank
 *   per cycle); `portFree[p] = g_{n-1} + 1`;
 * - the response is ready at cycle `g_{n-1} + accessCycles`; the returned delay is that time
 *   minus now.
 *
 * The table keeps the exact cycles a burst uses in each bank, so two word-interleaved bursts
 * running side by side collide once and then interleave, instead of one waiting for the other's
 * last use of a bank (what a single free-at cycle per bank would give). Reservations before the
 * current cycle are dead. The table is a ring of `window` cycles x `banks` slots, each holding
 * the cycle that reserved it (a slot whose cycle differs is free, or dead when before the current
 * cycle); when a live reservation would be overwritten (requests spread over more than `window`
 * cycles, e.g. a long quantum) the ring doubles, so the result never depends on its size. Conflicts in one cycle go to the request that reaches the
 * scratchpad first (call order, which the kernel makes deterministic); requests that keep
 * colliding are therefore served in turn (round-robin). As in every loosely-timed model, a
 * request annotated ahead in time takes its cycles before requests called later for earlier
 * cycles would have.
 */
export class Scratchpad extends SimModule<typeof ScratchpadDef> {
  /** The storage (byte 0 is the base of the instance's address window). */
  readonly data: Uint8Array;
  /** Base address of the window (0 when the instance is not in an address map). */
  readonly base: number;
  /** Ring of reservations: slot `(cycle mod window) * banks + bank` holds the cycle that reserved it, or -1. */
  private ring: Float64Array;
  private window = 1024;
  private readonly portFree: Float64Array;
  private readonly memTraffic: readonly PortTraffic[];
  // params read on every access, as plain fields
  private readonly wb: number;
  private readonly size: number;
  private readonly nBanks: number;
  private readonly accessCyc: number;
  private readonly wordInterleaved: boolean;
  private readonly wordsPerBank: number;

  constructor(ctx: ModuleContext<typeof ScratchpadDef>) {
    super(ScratchpadDef, ctx);
    const p = this.params;
    this.data = new Uint8Array(p.sizeBytes);
    this.base = ctx.region?.base ?? 0;
    this.ring = new Float64Array(this.window * p.banks).fill(-1);
    this.portFree = new Float64Array(p.ports);
    this.memTraffic = Array.from({ length: p.ports }, (_, i) => this.portTraffic('mem', i));
    this.wb = p.wordBytes;
    this.size = p.sizeBytes;
    this.nBanks = p.banks;
    this.accessCyc = p.accessCycles;
    this.wordInterleaved = p.interleaving === 'word';
    this.wordsPerBank = Math.max(1, Math.floor(p.sizeBytes / p.wordBytes / p.banks));
    this.targets('mem').forEach((s, i) => {
      s?.onTransport((tx, d) => this.access(i, tx, d));
      s?.onTransportDbg((tx) => this.debug(tx));
      s?.onGetDirectMemPtr(() => storageDmi(this.data, this.base, p.accessCycles * this.period));
    });
  }

  /** Bank of byte offset `off`. */
  bankOf(off: number): number {
    const w = Math.floor(off / this.params.wordBytes);
    return this.params.interleaving === 'word' ? w % this.params.banks : Math.min(this.params.banks - 1, Math.floor(w / this.wordsPerBank));
  }

  /** One transaction through port `port`; see the class doc for the timing. */
  access(port: number, tx: GenericPayload, delay: Time): Time {
    // Fast path, same result as the general one below: one naturally aligned access of at most a
    // word (1, 2 or 4 bytes: a core's lb/lh/lw/sb/sh/sw, most of the traffic), read or write
    // without byte enables, word interleaving.
    const len = tx.length;
    const off0 = tx.address - this.base;
    if (len <= this.wb && (len === 1 || len === 2 || len === 4) && off0 >= 0 && off0 + len <= this.size && off0 % len === 0 && this.wordInterleaved && tx.byteEnable === null && (tx.command === 'read' || tx.command === 'write')) {
      tx.response = 'ok';
      const period = this.period;
      const nowPs = this.sim.now;
      const now = Math.ceil(nowPs / period);
      const c = delay === 0 ? now : Math.ceil((nowPs + delay) / period);
      const pf = this.portFree[port]!;
      const q = c > pf ? c : pf;
      const banks = this.nBanks;
      const b = Math.floor(off0 / this.wb) % banks;
      let ring = this.ring;
      let mask = this.window - 1;
      let g = q;
      while (ring[(g & mask) * banks + b] === g) g++;
      let slot = (g & mask) * banks + b;
      const held = ring[slot]!;
      if (held >= now && held !== g) {
        this.grow(now, g);
        ring = this.ring;
        mask = this.window - 1;
        slot = (g & mask) * banks + b;
      }
      ring[slot] = g;
      this.portFree[port] = g + 1;
      const t = this.memTraffic[port]!;
      if (tx.command === 'read') {
        copyBytes(tx.data, 0, this.data, off0, len);
        this.energy.read.value++;
        this.stats.reads.value++;
      } else {
        copyBytes(this.data, off0, tx.data, 0, len);
        this.energy.write.value++;
        this.stats.writes.value++;
      }
      if (g > q) {
        this.stats.bankConflicts.value++;
        t.conflicts++;
        t.stallCycles += g - q;
      }
      t.transactions++;
      t.bytes += len;
      this.busy.add(q * period, (g + 1) * period);
      return (g + this.accessCyc) * period - nowPs;
    }
    const p = this.params;
    const off = this.checkAccess(tx, this.base, p.sizeBytes, p.wordBytes, delay);
    tx.response = 'ok';
    if (tx.command === 'ignore' || tx.length === 0) return delay;
    const wb = p.wordBytes;
    const first = Math.floor(off / wb);
    const words = Math.floor((off + tx.length - 1) / wb) - first + 1;
    const banks = p.banks;
    const now = this.cycleAt(this.sim.now);
    const c = this.cycleAt(this.sim.now + delay);
    let q = Math.max(c, this.portFree[port]!);
    const start = q;
    let g = q;
    let conflicts = 0;
    let stall = 0;
    const word = p.interleaving === 'word';
    for (let j = 0; j < words; j++) {
      const w = first + j;
      const b = word ? w % banks : Math.min(banks - 1, Math.floor(w / this.wordsPerBank));
      g = q;
      let ring = this.ring;
      let mask = this.window - 1;
      while (ring[(g & mask) * banks + b] === g) g++;
      if (g > q) {
        conflicts++;
        stall += g - q;
      }
      let slot = (g & mask) * banks + b;
      const held = ring[slot]!;
      if (held >= now && held !== g) {
        // a live reservation g' = g (mod window) is in the way: grow until both fit
        this.grow(now, g);
        ring = this.ring;
        mask = this.window - 1;
        slot = (g & mask) * banks + b;
      }
      ring[slot] = g;
      q = g + 1;
    }
    this.portFree[port] = g + 1;
    if (tx.command === 'read') {
      copyBytes(tx.data, 0, this.data, off, tx.length);
      this.energy.read.add(words);
      this.stats.reads.add(words);
    } else {
      this.write(off, tx);
      this.energy.write.add(words);
      this.stats.writes.add(words);
    }
    this.stats.bankConflicts.add(conflicts);
    const t = this.memTraffic[port]!;
    t.transactions++;
    t.bytes += tx.length;
    t.conflicts += conflicts;
    t.stallCycles += stall;
    this.busy.add(this.timeOfCycle(start), this.timeOfCycle(g + 1));
    return this.timeOfCycle(g + p.accessCycles) - this.sim.now;
  }

  /** Doubles the ring until every live reservation (cycle >= `now`) and cycle `g` map to distinct slots. */
  private grow(now: number, g: number): void {
    const banks = this.params.banks;
    const old = this.ring;
    const live: number[] = [];
    for (let i = 0; i < old.length; i++) if (old[i]! >= now) live.push(old[i]!, i % banks);
    let hi = g;
    for (let i = 0; i < live.length; i += 2) hi = Math.max(hi, live[i]!);
    let window = this.window * 2;
    while (window <= hi - now) window *= 2;
    const ring = new Float64Array(window * banks).fill(-1);
    for (let i = 0; i < live.length; i += 2) ring[(live[i]! & (window - 1)) * banks + live[i + 1]!] = live[i]!;
    this.ring = ring;
    this.window = window;
  }

  private write(off: number, tx: GenericPayload): void {
    const be = tx.byteEnable;
    if (be === null) {
      copyBytes(this.data, off, tx.data, 0, tx.length);
      return;
    }
    for (let i = 0; i < tx.length; i++) if (be[i % be.length] !== 0) this.data[off + i] = tx.data[i]!;
  }

  private debug(tx: GenericPayload): number {
    return storageDebug(tx, this.data, this.base);
  }
}

/** Builds {@link Scratchpad} instances. */
export const scratchpadSim: SimFactory<typeof ScratchpadDef> = { def: ScratchpadDef, create: (ctx) => new Scratchpad(ctx) };
