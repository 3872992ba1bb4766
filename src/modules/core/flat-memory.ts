import { SimError } from '../../util/index.js';
import type { CoreMemory } from './iss.js';

const hex = (a: number): string => `0x${(a >>> 0).toString(16).padStart(8, '0')}`;

/** Options of {@link FlatMemory}. */
export interface FlatMemoryOptions {
  /** Extra cycles of every load (default 0). */
  readonly loadLatency?: number;
  /** Extra cycles of every store (default 0). */
  readonly storeLatency?: number;
  /** Name in error messages (default `memory`). */
  readonly name?: string;
}

/**
 * One contiguous little-endian RAM implementing {@link CoreMemory} with fixed latencies: the
 * memory of stand-alone core runs (tests, ELF programs) before the platform wiring provides
 * ports. Accesses outside `[base, base + size)` throw `SimError('unmapped-address')`.
 */
export class FlatMemory implements CoreMemory {
  /** First byte address. */
  readonly base: number;
  /** The storage. */
  readonly bytes: Uint8Array;
  readonly name: string;
  /** Cycles added to every load. */
  loadLatency: number;
  /** Cycles added to every store. */
  storeLatency: number;
  private readonly view: DataView;

  constructor(base: number, size: number, opts: FlatMemoryOptions = {}) {
    this.base = base >>> 0;
    this.bytes = new Uint8Array(size);
    this.view = new DataView(this.bytes.buffer);
    this.name = opts.name ?? 'memory';
    this.loadLatency = opts.loadLatency ?? 0;
    this.storeLatency = opts.storeLatency ?? 0;
  }

  /** Offset of `[addr, addr + n)` in {@link bytes}; throws when it is not inside. */
  offset(addr: number, n: number): number {
    const o = (addr >>> 0) - this.base;
    if (o < 0 || o + n > this.bytes.length) {
      throw new SimError('unmapped-address', `address ${hex(addr)} (${n} byte${n === 1 ? '' : 's'}) is outside ${this.name} [${hex(this.base)}, ${hex(this.base + this.bytes.length)})`);
    }
    return o;
  }

  fetch32(addr: number): number {
    return this.view.getUint32(this.offset(addr, 4), true);
  }

  load(addr: number, bytes: 1 | 2 | 4, signed: boolean): number {
    const o = this.offset(addr, bytes);
    const v = this.view;
    if (bytes === 4) return v.getInt32(o, true);
    if (bytes === 2) return signed ? v.getInt16(o, true) : v.getUint16(o, true);
    return signed ? v.getInt8(o) : v.getUint8(o);
  }

  store(addr: number, bytes: 1 | 2 | 4, value: number): number {
    const o = this.offset(addr, bytes);
    const v = this.view;
    if (bytes === 4) v.setInt32(o, value, true);
    else if (bytes === 2) v.setInt16(o, value, true);
    else v.setInt8(o, value);
    return this.storeLatency;
  }

  /** Copies `data` to `addr` (no latency, no checks beyond the bounds). */
  write(addr: number, data: Uint8Array): void {
    this.bytes.set(data, this.offset(addr, data.length));
  }

  /** Writes 32-bit little-endian words from `addr` (e.g. an assembled program). */
  writeWords(addr: number, words: readonly number[]): void {
    const o = this.offset(addr, 4 * words.length);
    words.forEach((w, i) => this.view.setUint32(o + 4 * i, w >>> 0, true));
  }

  /** A copy of `n` bytes from `addr`. */
  read(addr: number, n: number): Uint8Array {
    const o = this.offset(addr, n);
    return this.bytes.slice(o, o + n);
  }

  /** Fills `n` bytes from `addr` with `value`. */
  fill(addr: number, n: number, value = 0): void {
    const o = this.offset(addr, n);
    this.bytes.fill(value, o, o + n);
  }
}
