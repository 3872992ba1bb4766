import type { GenericPayload } from '../../tlm/index.js';
import type { Time } from '../../util/index.js';
import { SimModule, copyBytes, storageDebug, storageDmi, type ModuleContext, type SimFactory } from '../base.js';
import type { StuckBits } from '../faults.js';
import { MemoryDef } from './def.js';

/**
 * L2 / external memory behaviour: real storage, a fixed latency and a bandwidth per port, with a
 * "free-at" cycle per port (GVSoC's memory model) instead of an event per beat.
 *
 * A transaction of `S` bytes on port `p` arriving at cycle `c = ceil(t / T)`:
 * `start = max(c, portFree[p])`, `portFree[p] = start + ceil(S / bandwidthBytesPerCycle)`, response
 * at cycle `start + latencyCycles + ceil(S / bandwidthBytesPerCycle)`. The latency is pipelined
 * (back-to-back requests overlap their latencies); the bandwidth is not. `start - c` is counted
 * as stall cycles on the port. `banks` is not modelled separately (a fixed latency stands in).
 * Energy: one `access` per data word (`dataWidthBits`) moved.
 */
export class Memory extends SimModule<typeof MemoryDef> {
  /** The storage (byte 0 is the base of the instance's address window). */
  readonly data: Uint8Array;
  /** Base address of the window (0 when the instance is not in an address map). */
  readonly base: number;
  private readonly portFree: Float64Array;
  /** Stuck-at bits (fault injection), or null. */
  private stuck: StuckBits | null = null;

  constructor(ctx: ModuleContext<typeof MemoryDef>) {
    super(MemoryDef, ctx);
    this.data = new Uint8Array(this.params.sizeBytes);
    this.base = ctx.region?.base ?? 0;
    this.portFree = new Float64Array(this.params.ports);
    this.targets('mem').forEach((s, i) => {
      s?.onTransport((tx, d) => this.access(i, tx, d));
      s?.onTransportDbg((tx) => this.debug(tx));
      s?.onGetDirectMemPtr(() => storageDmi(this.data, this.base, this.params.latencyCycles * this.period));
    });
  }

  /** One transaction through port `port`; see the class doc for the timing. */
  access(port: number, tx: GenericPayload, delay: Time): Time {
    const p = this.params;
    const wordBytes = p.dataWidthBits / 8;
    const off = this.checkAccess(tx, this.base, p.sizeBytes, wordBytes, delay);
    tx.response = 'ok';
    if (tx.command === 'ignore' || tx.length === 0) return delay;
    const c = this.cycleAt(this.sim.now + delay);
    const start = Math.max(c, this.portFree[port]!);
    const occ = Math.ceil(tx.length / p.bandwidthBytesPerCycle);
    this.portFree[port] = start + occ;
    if (tx.command === 'read') {
      copyBytes(tx.data, 0, this.data, off, tx.length);
      this.stats.bytesRead.add(tx.length);
    } else {
      copyBytes(this.data, off, tx.data, 0, tx.length);
      if (this.stuck !== null) this.stuck.apply(this.data, off, tx.length);
      this.stats.bytesWritten.add(tx.length);
    }
    this.energy.access.add(Math.ceil(tx.length / wordBytes));
    const t = this.portTraffic('mem', port);
    t.transactions++;
    t.bytes += tx.length;
    if (start > c) {
      t.conflicts++;
      t.stallCycles += start - c;
    }
    this.busy.add(this.timeOfCycle(start), this.timeOfCycle(start + occ));
    return this.timeOfCycle(start + p.latencyCycles + occ) - this.sim.now;
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

/** Builds {@link Memory} instances. */
export const memorySim: SimFactory<typeof MemoryDef> = { def: MemoryDef, create: (ctx) => new Memory(ctx) };
