/**
 * The hooks through which the campaign layer injects digital faults into modules: permanent
 * stuck-at bits of a storage array ({@link StuckBits}, memories and scratchpads) and random
 * corruption of data in transit ({@link DataCorruptor}, DMA engines and interconnects). A module
 * holds `null` when no fault is installed, so the cost without faults is one branch per access.
 * Transient bit flips of stored bits and registers need no hook: the campaign inverts them
 * through debug access at their simulated time.
 */
import type { Rng, Time } from '../util/index.js';

/** One stuck bit: byte `offset` of a storage array, bit `bit` (0 = LSB) always reads `value`. */
export interface StuckBit {
  readonly offset: number;
  readonly bit: number;
  readonly value: 0 | 1;
}

/**
 * Permanent stuck-at bits of a storage array. Modelled by forcing the bits after every write
 * (timed, debug and DMA writes alike) and once when installed, so every read, including
 * instruction fetch through DMI (which only reads), sees the stuck values. A bit stuck twice
 * keeps the last value given.
 */
export class StuckBits {
  /** Sorted distinct byte offsets with at least one stuck bit. */
  private readonly offsets: Int32Array;
  private readonly andMask: Uint8Array;
  private readonly orMask: Uint8Array;
  /** Number of stuck bits. */
  readonly count: number;

  constructor(bits: readonly StuckBit[]) {
    const byOffset = new Map<number, { and: number; or: number }>();
    const seen = new Set<number>();
    for (const b of bits) {
      if (!Number.isSafeInteger(b.offset) || b.offset < 0 || !(b.bit >= 0 && b.bit <= 7)) throw new RangeError(`stuck bit ${b.bit} at offset ${b.offset}: offset must be a non-negative integer and bit 0..7`);
      seen.add(b.offset * 8 + b.bit);
      const m = byOffset.get(b.offset) ?? { and: 0xff, or: 0 };
      const k = 1 << b.bit;
      if (b.value === 1) {
        m.or |= k;
        m.and |= k;
      } else {
        m.and &= ~k & 0xff;
        m.or &= ~k & 0xff;
      }
      byOffset.set(b.offset, m);
    }
    const sorted = [...byOffset.keys()].sort((a, b) => a - b);
    this.offsets = Int32Array.from(sorted);
    this.andMask = Uint8Array.from(sorted, (o) => byOffset.get(o)!.and);
    this.orMask = Uint8Array.from(sorted, (o) => byOffset.get(o)!.or);
    this.count = seen.size;
  }

  /** Forces the stuck bits of `data[from, from + n)`. */
  apply(data: Uint8Array, from: number, n: number): void {
    const o = this.offsets;
    let lo = 0;
    let hi = o.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (o[mid]! < from) lo = mid + 1;
      else hi = mid;
    }
    const end = from + n;
    for (let i = lo; i < o.length && o[i]! < end; i++) {
      const at = o[i]!;
      data[at] = (data[at]! & this.andMask[i]!) | this.orMask[i]!;
    }
  }

  /** Forces every stuck bit of `data` (when installed: the array may already hold values). */
  applyAll(data: Uint8Array): void {
    this.apply(data, 0, data.length);
  }
}

/** What a {@link DataCorruptor} does: which bits, when, where, how often. */
export interface DataCorruption {
  /** Probability that one allowed bit of one byte in transit flips. */
  readonly rate: number;
  /** Allowed bit positions within a byte (0 = LSB), sorted, distinct. */
  readonly bits: readonly number[];
  /** Simulated-time window [from, to) in ps: data moved outside it is untouched. */
  readonly window: readonly [Time, Time];
  /** Byte-address range [from, to) of the data: bytes outside it are untouched. */
  readonly region: readonly [number, number];
}

/**
 * Random corruption of data in transit: every allowed bit of every byte moved inside the window
 * and the region flips independently with probability `rate` (exact Bernoulli trials by
 * geometric skipping: one draw per flip, not per bit). Draws come from one stream consumed in
 * simulation order, which is deterministic, so the same stream gives the same flips.
 */
export class DataCorruptor {
  private readonly spec: DataCorruption;
  private readonly rng: Rng;
  private readonly logq: number;
  /** Allowed bits still to pass before the next flip. */
  private skip: number;
  /** Bits flipped so far. */
  flipped = 0;

  constructor(spec: DataCorruption, rng: Rng) {
    if (!(spec.rate >= 0 && spec.rate <= 1)) throw new RangeError(`data corruption rate ${spec.rate} is outside [0, 1]`);
    this.spec = spec;
    this.rng = rng;
    this.logq = Math.log1p(-spec.rate);
    this.skip = this.gap();
  }

  /** Allowed bits before the next flip: geometric, floor(ln U / ln(1 - p)), U in (0, 1]. */
  private gap(): number {
    const p = this.spec.rate;
    if (p <= 0) return Infinity;
    if (p >= 1) return 0;
    return Math.floor(Math.log(1 - this.rng.next()) / this.logq);
  }

  /** Corrupts `buf[0, n)`, the data of a transaction at byte address `address`, moved at time `t`. */
  apply(buf: Uint8Array, n: number, address: number, t: Time): void {
    const s = this.spec;
    if (t < s.window[0] || t >= s.window[1] || this.skip === Infinity) return;
    const from = Math.max(address, s.region[0]);
    const to = Math.min(address + n, s.region[1]);
    if (from >= to) return;
    const nb = s.bits.length;
    const m = (to - from) * nb;
    if (this.skip >= m) {
      this.skip -= m;
      return;
    }
    let pos = this.skip;
    while (pos < m) {
      const i = from - address + Math.floor(pos / nb);
      buf[i] = buf[i]! ^ (1 << s.bits[pos % nb]!);
      this.flipped++;
      pos += 1 + this.gap();
    }
    this.skip = pos - m;
  }
}
