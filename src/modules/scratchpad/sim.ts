import type { GenericPayload, WordTarget } from '../../tlm/index.js';
import type { Time } from '../../util/index.js';
import { SimModule, copyBytes, storageDebug, storageDmi, type Counter, type ModuleContext, type PortTraffic, type SimFactory } from '../base.js';
import type { StuckBits } from '../faults.js';
import type { IntervalUnion, ModuleRecorder } from '../../trace/index.js';
import { ScratchpadDef } from './def.js';

/**
 * Cycles of the reservation ring at the start and after it shrinks back (see `Scratchpad.shrink`):
 * 512 cycles x 16 banks x 8 B = 64 KiB, which stays in the host's caches; a 1 us quantum at
 * 250 MHz spans 250 cycles (the ring grows when accesses spread further).
 */
const BASE_WINDOW = 512;

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
export class Scratchpad extends SimModule<typeof ScratchpadDef> implements WordTarget {
  /** The storage (byte 0 is the base of the instance's address window). */
  readonly data: Uint8Array;
  /** Base address of the window (0 when the instance is not in an address map). */
  readonly base: number;
  /**
   * Ring of reservations: slot `bank * window + (cycle mod window)` holds the cycle that reserved
   * it, or -1. Bank-major, so that the accesses of one bank in successive cycles are neighbours
   * in memory (the table grows to megabytes after long bursts; a cycle-major layout touches a new
   * cache line per cycle).
   */
  private ring: Float64Array;
  private window = BASE_WINDOW;
  /** Rings not in use, by window (kept for the next growth). */
  private readonly spares = new Map<number, Float64Array>();
  /** The highest cycle ever reserved (-1: none). */
  private maxRes = -1;
  /** The farthest single-word grant past the current cycle since the last shrink, and the window a shrink goes back to (see {@link shrink}). */
  private wordSpan = 0;
  private shrinkTo = BASE_WINDOW;
  /** End (cycle) of the busy time recorded so far: every interval added to {@link busy} here is whole cycles, and one ending at or before this changes nothing. */
  private busyEnd = 0;
  /** Per bank, the highest cycle ever reserved in it (-1: none). */
  private readonly bankLast: Float64Array;
  /** `sim.now` at the last single-word access and its cycle (`ceil(now / period)`), cached. */
  private nowPs = -1;
  private nowCycle = 0;
  private readonly portFree: Float64Array;
  private readonly memTraffic: readonly PortTraffic[];
  // params read on every access, as plain fields
  private readonly wb: number;
  private readonly size: number;
  private readonly nBanks: number;
  private readonly accessCyc: number;
  private readonly wordInterleaved: boolean;
  /** Stuck-at bits (fault injection), or null. */
  private stuck: StuckBits | null = null;
  private readonly wordsPerBank: number;
  /** log2(wordBytes) when the word size and the bank count are powers of two (bank = (off >>> wShift) & (banks - 1)), else -1. */
  private readonly wShift: number;
  // the counters of every access, as fields
  private readonly cRead: Counter;
  private readonly cReads: Counter;
  private readonly cWrite: Counter;
  private readonly cWrites: Counter;

  constructor(ctx: ModuleContext<typeof ScratchpadDef>) {
    super(ScratchpadDef, ctx);
    const p = this.params;
    this.data = new Uint8Array(p.sizeBytes);
    this.base = ctx.region?.base ?? 0;
    this.ring = new Float64Array(this.window * p.banks).fill(-1);
    this.portFree = new Float64Array(p.ports);
    this.bankLast = new Float64Array(p.banks).fill(-1);
    this.memTraffic = Array.from({ length: p.ports }, (_, i) => this.portTraffic('mem', i));
    this.wb = p.wordBytes;
    this.size = p.sizeBytes;
    this.nBanks = p.banks;
    this.accessCyc = p.accessCycles;
    this.wordInterleaved = p.interleaving === 'word';
    this.wordsPerBank = Math.max(1, Math.floor(p.sizeBytes / p.wordBytes / p.banks));
    const pow2 = (v: number): boolean => Number.isSafeInteger(v) && v > 0 && (v & (v - 1)) === 0;
    this.cRead = this.energy.read;
    this.cReads = this.stats.reads;
    this.cWrite = this.energy.write;
    this.cWrites = this.stats.writes;
    this.wShift = pow2(p.wordBytes) && pow2(p.banks) && p.sizeBytes <= 2 ** 31 ? Math.log2(p.wordBytes) : -1;
    this.targets('mem').forEach((s, i) => {
      s?.onTransport((tx, d) => this.access(i, tx, d));
      s?.onWordAccess(this, i);
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
    const cmd = tx.command;
    if ((len === 4 || len === 1 || len === 2) && len <= this.wb && off0 >= 0 && off0 + len <= this.size && (off0 & (len - 1)) === 0 && this.wordInterleaved && tx.byteEnable === null && (cmd === 'read' || cmd === 'write')) {
      tx.response = 'ok';
      const nowPs = this.sim.now;
      const c = Math.ceil((nowPs + delay) / this.period);
      const d = (cmd === 'read' ? this.reserveWord(port, off0, len, c, this.cRead, this.cReads) : this.reserveWord(port, off0, len, c, this.cWrite, this.cWrites)) * this.period - nowPs;
      if (cmd === 'read') copyBytes(tx.data, 0, this.data, off0, len);
      else {
        copyBytes(this.data, off0, tx.data, 0, len);
        if (this.stuck !== null) this.stuck.apply(this.data, off0, len);
      }
      return d;
    }
    return this.accessGeneral(port, tx, delay);
  }

  /**
   * Direct word read at cycle `c` for an initiator on port `port` (the cores' loads,
   * {@link WordTarget}): exactly `access` of a read of `bytes` at `address` with the delay
   * `c * period - now` (same timing, conflicts, counters), without a payload. Returns the value
   * (4 bytes: as a signed int32; 1 and 2 bytes: zero-extended), or undefined when the access is
   * not one the fast path serves (the caller then uses `transport`, which reports the error if
   * any). The cycle the data is ready is left in {@link wordReady}.
   */
  readWordAt(port: number, address: number, bytes: number, c: number): number | undefined {
    const off = address - this.base;
    if (!((bytes === 4 || bytes === 1 || bytes === 2) && bytes <= this.wb && off >= 0 && off + bytes <= this.size && (off & (bytes - 1)) === 0 && this.wordInterleaved)) return undefined;
    this.wordReady = this.reserveWord(port, off, bytes, c, this.cRead, this.cReads);
    const m = this.data;
    if (bytes === 4) return m[off]! | (m[off + 1]! << 8) | (m[off + 2]! << 16) | (m[off + 3]! << 24);
    if (bytes === 2) return m[off]! | (m[off + 1]! << 8);
    return m[off]!;
  }

  /** Direct word write at cycle `c` (see {@link readWordAt}): returns the ready cycle, or -1 when not served. */
  writeWordAt(port: number, address: number, bytes: number, value: number, c: number): number {
    const off = address - this.base;
    if (!((bytes === 4 || bytes === 1 || bytes === 2) && bytes <= this.wb && off >= 0 && off + bytes <= this.size && (off & (bytes - 1)) === 0 && this.wordInterleaved)) return -1;
    const r = this.reserveWord(port, off, bytes, c, this.cWrite, this.cWrites);
    const m = this.data;
    m[off] = value;
    if (bytes >= 2) m[off + 1] = value >>> 8;
    if (bytes === 4) {
      m[off + 2] = value >>> 16;
      m[off + 3] = value >>> 24;
    }
    if (this.stuck !== null) this.stuck.apply(m, off, bytes);
    return r;
  }

  /** Ready cycle of the last {@link readWordAt}. */
  wordReady = 0;

  /** Per bank, the traced busy lane (`bank<i>`: the cycles the bank is reserved), or null when not traced. */
  private bankTrace: IntervalUnion[] | null = null;

  /** Traced: besides `busy`, one lane per bank (`bank0`, `bank1`, ...), busy in every cycle an access holds the bank. */
  override attachTrace(rec: ModuleRecorder): void {
    super.attachTrace(rec);
    this.bankTrace = Array.from({ length: this.nBanks }, (_, i) => rec.lane(`bank${i}`));
  }

  /**
   * Timing and counters of one single-word access arriving in cycle `c` (`ceil(arrival / period)`,
   * not before the current cycle; see the class doc; `energy` and `stat` are the read or the
   * write counters); returns the cycle its response is ready (`g + accessCycles`).
   */
  private reserveWord(port: number, off: number, len: number, c: number, energy: Counter, stat: Counter): number {
    const nowPs = this.sim.now;
    let now: number;
    if (nowPs === this.nowPs) now = this.nowCycle;
    else {
      now = Math.ceil(nowPs / this.period);
      this.nowPs = nowPs;
      this.nowCycle = now;
    }
    const pf = this.portFree[port]!;
    const q = c > pf ? c : pf;
    const b = this.wShift >= 0 ? (off >>> this.wShift) & (this.nBanks - 1) : Math.floor(off / this.wb) % this.nBanks;
    if (this.window > this.shrinkTo && this.maxRes - now < this.shrinkTo / 2) this.shrink(now);
    let g = q;
    let slot = b * this.window + (g & (this.window - 1));
    const last = this.bankLast[b]!;
    // Nothing reserved in the bank at or after q, and q within a window of now: q is free and its
    // slot holds no live reservation (one there would be <= last < q and = q mod window, so
    // before now), which is what the probe below would find, without reading the ring.
    if (q <= last || q - now >= this.window) {
      while (this.ring[slot] === g) slot = b * this.window + (++g & (this.window - 1));
      if (this.ring[slot]! >= now) {
        // a live reservation g' = g (mod window) is in the way (not g itself, after the loop): grow until both fit
        this.grow(now, g);
        slot = b * this.window + (g & (this.window - 1));
      }
    }
    this.ring[slot] = g;
    if (g > last) this.bankLast[b] = g;
    if (this.bankTrace !== null) this.bankTrace[b]!.add(g * this.period, (g + 1) * this.period);
    if (g > this.maxRes) this.maxRes = g;
    if (g - now > this.wordSpan) this.widenSpan(g - now);
    this.portFree[port] = g + 1;
    energy.value++;
    stat.value++;
    const t = this.memTraffic[port]!;
    if (g > q) this.conflict(t, g - q);
    t.transactions++;
    t.bytes += len;
    // busy.add(q, g + 1) in ps, skipped when it would not change the union (it ends inside the covered part)
    if (g + 1 > this.busyEnd) {
      this.busyEnd = g + 1;
      this.busy.add(q * this.period, (g + 1) * this.period);
    }
    return g + this.accessCyc;
  }

  /** Counts a bank conflict of `stall` cycles on a port. */
  private conflict(t: PortTraffic, stall: number): void {
    this.stats.bankConflicts.value++;
    t.conflicts++;
    t.stallCycles += stall;
  }

  /** Any transaction (bursts, byte enables, block interleaving, errors); see the class doc. */
  private accessGeneral(port: number, tx: GenericPayload, delay: Time): Time {
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
    if (this.window > this.shrinkTo && this.maxRes - now < this.shrinkTo / 2) this.shrink(now);
    // a long burst: grow once to hold all of it (at least q .. q + words - 1) instead of doubling word by word
    if (q + words - now > this.window) this.grow(now, q + words);
    for (let j = 0; j < words; j++) {
      const w = first + j;
      const b = word ? w % banks : Math.min(banks - 1, Math.floor(w / this.wordsPerBank));
      g = q;
      let ring = this.ring;
      let mask = this.window - 1;
      let row = b * this.window;
      while (ring[row + (g & mask)] === g) g++;
      if (g > q) {
        conflicts++;
        stall += g - q;
      }
      const held = ring[row + (g & mask)]!;
      if (held >= now) {
        // a live reservation g' = g (mod window) is in the way: grow until both fit
        this.grow(now, g);
        ring = this.ring;
        mask = this.window - 1;
        row = b * this.window;
      }
      ring[row + (g & mask)] = g;
      if (g > this.bankLast[b]!) this.bankLast[b] = g;
      if (this.bankTrace !== null) this.bankTrace[b]!.add(this.timeOfCycle(g), this.timeOfCycle(g + 1));
      q = g + 1;
    }
    if (g > this.maxRes) this.maxRes = g;
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
    if (g + 1 > this.busyEnd) {
      this.busyEnd = g + 1;
      this.busy.add(this.timeOfCycle(start), this.timeOfCycle(g + 1));
    }
    return this.timeOfCycle(g + p.accessCycles) - this.sim.now;
  }

  /** Doubles the ring until every live reservation (cycle >= `now`) and cycle `g` map to distinct slots. */
  private grow(now: number, g: number): void {
    const banks = this.params.banks;
    const old = this.ring;
    const oldWindow = this.window;
    const live: number[] = [];
    for (let i = 0; i < old.length; i++) if (old[i]! >= now) live.push(old[i]!, Math.floor(i / oldWindow));
    let hi = g;
    for (let i = 0; i < live.length; i += 2) hi = Math.max(hi, live[i]!);
    let window = this.window * 2;
    while (window <= hi - now) window *= 2;
    // the smallest spare ring at least that large does as well (and needs no allocation)
    let spare = Infinity;
    for (const w of this.spares.keys()) if (w >= window && w < spare) spare = w;
    if (spare !== Infinity) window = spare;
    const ring = this.freshRing(window);
    for (let i = 0; i < live.length; i += 2) ring[live[i + 1]! * window + (live[i]! & (window - 1))] = live[i]!;
    this.spares.set(oldWindow, old);
    this.ring = ring;
    this.window = window;
  }

  /** A single-word access reached `span` cycles past the current cycle: the ring shrinks no further than twice that. */
  private widenSpan(span: number): void {
    this.wordSpan = span;
    let w = BASE_WINDOW;
    while (w <= 2 * span) w *= 2;
    this.shrinkTo = w;
  }

  /**
   * Back to a {@link shrinkTo}-cycle ring once every live reservation (cycles `now` .. `maxRes`)
   * fits in half of it, copying them over: after a long burst the table is megabytes, and
   * accesses walking through it miss the caches. `shrinkTo` covers twice the farthest
   * single-word access seen since the last shrink, so that accesses annotated far ahead (a long
   * quantum) do not make the ring shrink and grow back over and over. Which slots exist never
   * changes a result (see {@link grow}); the next long burst grows it again.
   */
  private shrink(now: number): void {
    const banks = this.nBanks;
    const old = this.ring;
    const ow = this.window;
    const om = ow - 1;
    const w = this.shrinkTo;
    this.wordSpan = 0;
    this.shrinkTo = BASE_WINDOW;
    const ring = this.freshRing(w);
    for (let x = now; x <= this.maxRes; x++) {
      for (let b = 0; b < banks; b++) if (old[b * ow + (x & om)] === x) ring[b * w + (x & (w - 1))] = x;
    }
    this.spares.set(ow, old);
    this.ring = ring;
    this.window = w;
  }

  /**
   * A ring of `window` cycles for {@link grow} and {@link shrink}, which then copy every live
   * reservation in: a new one with every slot free (-1), or a spare one of that size as it was
   * left. Its old entries need no clearing: each is a real reservation (of its bank, at its
   * cycle; reservations are never undone), so one before the current cycle is dead, and one at
   * or after it is live, hence also in the ring being replaced, and gets copied to that same slot
   * (live reservations never alias in a ring that holds them all).
   */
  private freshRing(window: number): Float64Array {
    const spare = this.spares.get(window);
    if (spare === undefined) return new Float64Array(window * this.nBanks).fill(-1);
    this.spares.delete(window);
    return spare;
  }

  private write(off: number, tx: GenericPayload): void {
    const be = tx.byteEnable;
    if (be === null) copyBytes(this.data, off, tx.data, 0, tx.length);
    else for (let i = 0; i < tx.length; i++) if (be[i % be.length] !== 0) this.data[off + i] = tx.data[i]!;
    if (this.stuck !== null) this.stuck.apply(this.data, off, tx.length);
  }

  private debug(tx: GenericPayload): number {
    return storageDebug(tx, this.data, this.base, this.stuck);
  }

  /**
   * Installs permanent stuck-at bits (offsets relative to the window's base): forced now and
   * after every later write, so every read sees them. `null` removes them (the stored values
   * keep their forced bits).
   */
  setStuckBits(stuck: StuckBits | null): void {
    this.stuck = stuck;
    stuck?.applyAll(this.data);
  }
}

/** Builds {@link Scratchpad} instances. */
export const scratchpadSim: SimFactory<typeof ScratchpadDef> = { def: ScratchpadDef, create: (ctx) => new Scratchpad(ctx) };
