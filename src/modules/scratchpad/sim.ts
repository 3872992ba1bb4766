import type { GenericPayload } from '../../tlm/index.js';
import type { Time } from '../../util/index.js';
import { SimModule, storageDebug, type ModuleContext, type SimFactory } from '../base.js';
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
 * current cycle are dropped. Conflicts in one cycle go to the request that reaches the
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
  /** Reserved (cycle, bank) pairs, as `cycle * banks + bank`. */
  private readonly reserved = new Set<number>();
  private pruneSize: number;
  private readonly portFree: Float64Array;
  private readonly wordsPerBank: number;

  constructor(ctx: ModuleContext<typeof ScratchpadDef>) {
    super(ScratchpadDef, ctx);
    const p = this.params;
    this.data = new Uint8Array(p.sizeBytes);
    this.base = ctx.region?.base ?? 0;
    this.pruneSize = 4096 * p.banks;
    this.portFree = new Float64Array(p.ports);
    this.wordsPerBank = Math.max(1, Math.floor(p.sizeBytes / p.wordBytes / p.banks));
    this.targets('mem').forEach((s, i) => {
      s?.onTransport((tx, d) => this.access(i, tx, d));
      s?.onTransportDbg((tx) => this.debug(tx));
    });
  }

  /** Bank of byte offset `off`. */
  bankOf(off: number): number {
    const w = Math.floor(off / this.params.wordBytes);
    return this.params.interleaving === 'word' ? w % this.params.banks : Math.min(this.params.banks - 1, Math.floor(w / this.wordsPerBank));
  }

  /** One transaction through port `port`; see the class doc for the timing. */
  access(port: number, tx: GenericPayload, delay: Time): Time {
    const p = this.params;
    const off = this.checkAccess(tx, this.base, p.sizeBytes, p.wordBytes, delay);
    tx.response = 'ok';
    if (tx.command === 'ignore' || tx.length === 0) return delay;
    const wb = p.wordBytes;
    const first = Math.floor(off / wb);
    const words = Math.floor((off + tx.length - 1) / wb) - first + 1;
    const banks = p.banks;
    const reserved = this.reserved;
    if (reserved.size > this.pruneSize) this.prune();
    const c = this.cycleAt(this.sim.now + delay);
    let q = Math.max(c, this.portFree[port]!);
    const start = q;
    let g = q;
    let conflicts = 0;
    let stall = 0;
    for (let j = 0; j < words; j++) {
      const w = first + j;
      const b = p.interleaving === 'word' ? w % banks : Math.min(banks - 1, Math.floor(w / this.wordsPerBank));
      g = q;
      while (reserved.has(g * banks + b)) g++;
      if (g > q) {
        conflicts++;
        stall += g - q;
      }
      reserved.add(g * banks + b);
      q = g + 1;
    }
    this.portFree[port] = g + 1;
    if (tx.command === 'read') {
      tx.data.set(this.data.subarray(off, off + tx.length));
      this.energy.read.add(words);
      this.stats.reads.add(words);
    } else {
      this.write(off, tx);
      this.energy.write.add(words);
      this.stats.writes.add(words);
    }
    this.stats.bankConflicts.add(conflicts);
    const t = this.portTraffic('mem', port);
    t.transactions++;
    t.bytes += tx.length;
    t.conflicts += conflicts;
    t.stallCycles += stall;
    this.busy.add(this.timeOfCycle(start), this.timeOfCycle(g + 1));
    return this.timeOfCycle(g + p.accessCycles) - this.sim.now;
  }

  /** Drops reservations of cycles before the current one (no request can arrive before now). */
  private prune(): void {
    const min = this.cycleAt(this.sim.now) * this.params.banks;
    for (const k of this.reserved) if (k < min) this.reserved.delete(k);
    this.pruneSize = Math.max(4096 * this.params.banks, 2 * this.reserved.size);
  }

  private write(off: number, tx: GenericPayload): void {
    const be = tx.byteEnable;
    if (be === null) {
      this.data.set(tx.data.subarray(0, tx.length), off);
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
