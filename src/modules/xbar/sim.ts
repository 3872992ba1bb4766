import { DmiRegion, type GenericPayload } from '../../tlm/index.js';
import type { DataCorruptor } from '../faults.js';
import type { Time } from '../../util/index.js';
import { SimModule, type AddressWindow, type ModuleContext, type PortTraffic, type SimFactory } from '../base.js';
import { XbarDef } from './def.js';

/** One decoded range: addresses `[base, end)` go out through output `out`. */
export interface XbarRoute {
  readonly base: number;
  readonly end: number;
  readonly out: number;
  /** The address-map target the range belongs to. */
  readonly target: string;
}

/**
 * Interconnect behaviour (after GVSoC's router, MODELS.md section 11): address decode, a fixed
 * latency, a bandwidth per output and contention on shared outputs, by bookkeeping.
 *
 * A transaction of `S` bytes arriving at cycle `c = ceil(t / T)` and decoded to output `o`:
 * `start = max(c, outFree[o])` (the wait `start - c` is contention, counted in
 * `contentionCycles`), `occ = ceil(S / bandwidthBytesPerCycle)`, `outFree[o] = start + occ`; it
 * is forwarded to the target at cycle `start + latencyCycles + occ` (store and forward) and the
 * target's own delay follows. So delay = latency + queueing + ceil(S / bandwidth) + target delay.
 * Addresses are global (not rewritten): targets check them against their own window. An address
 * no output reaches gets `address-error` after the latency. Outputs forward with the
 * non-waiting transport (every library target is non-waiting). DMI requests are forwarded to
 * the decoded output; the grant is clipped to the route's range and its latency includes
 * `latencyCycles` (no bandwidth or contention: DMI bypasses both, by definition).
 */
export class Xbar extends SimModule<typeof XbarDef> {
  /** The decode table, from the platform address map (or the context's `reach`). */
  readonly routes: readonly XbarRoute[];
  private readonly outFree: Float64Array;
  /** Traffic counters per input and output, once looked up (portTraffic builds a key per call). */
  private readonly inTraffic: (PortTraffic | undefined)[] = [];
  private readonly outTraffic: (PortTraffic | undefined)[] = [];
  /**
   * Corruption of data in transit (fault injection), or null: write data is corrupted before it
   * is forwarded, read data after the target filled it, at the transaction's local time (DMI
   * instruction fetch bypasses the interconnect and is never corrupted).
   */
  corruptor: DataCorruptor | null = null;

  constructor(ctx: ModuleContext<typeof XbarDef>) {
    super(XbarDef, ctx);
    const routes: XbarRoute[] = [];
    const outs = this.initiators('out');
    outs.forEach((s, o) => {
      if (s === null) return;
      for (const w of ctx.reach?.('out', o) ?? ([] as AddressWindow[])) routes.push({ base: w.base, end: w.end, out: o, target: w.target });
    });
    this.routes = routes.sort((a, b) => a.base - b.base);
    this.outFree = new Float64Array(this.params.targets);
    this.targets('in').forEach((s, i) => {
      s?.onTransport((tx, d) => this.route(i, tx, d));
      s?.onTransportDbg((tx) => {
        const r = this.decode(tx);
        return r === undefined ? 0 : (outs[r.out]?.transportDbg(tx) ?? 0);
      });
      s?.onGetDirectMemPtr((tx) => this.dmi(tx));
    });
  }

  /** The route of a transaction, or undefined if no output reaches all of its bytes. */
  decode(tx: GenericPayload): XbarRoute | undefined {
    const a = tx.address;
    const e = a + Math.max(1, tx.length);
    return this.routes.find((r) => a >= r.base && e <= r.end);
  }

  /** Forwards a DMI request to the target the address decodes to (see the class doc). */
  private dmi(tx: GenericPayload): DmiRegion | null {
    const r = this.decode(tx);
    const g = r === undefined ? null : (this.initiators('out')[r.out]?.getDirectMemPtr(tx) ?? null);
    if (r === undefined || g === null) return null;
    const start = Math.max(g.start, r.base);
    const end = Math.min(g.end, r.end - 1);
    const lat = this.params.latencyCycles * this.period;
    return new DmiRegion({
      start, end, data: g.data.subarray(start - g.start, end - g.start + 1),
      readLatency: g.readLatency + lat, writeLatency: g.writeLatency + lat, canRead: g.canRead, canWrite: g.canWrite,
    });
  }

  /** Routes a transaction from input `input`; see the class doc for the timing. */
  route(input: number, tx: GenericPayload, delay: Time): Time {
    const p = this.params;
    const r = this.decode(tx);
    const sock = r === undefined ? null : (this.initiators('out')[r.out] ?? null);
    const c = this.cycleAt(this.sim.now + delay);
    if (r === undefined || sock === null) {
      tx.response = 'address-error';
      return this.timeOfCycle(c + p.latencyCycles) - this.sim.now;
    }
    const start = Math.max(c, this.outFree[r.out]!);
    const occ = Math.ceil(tx.length / p.bandwidthBytesPerCycle);
    this.outFree[r.out] = start + occ;
    this.stats.transactions.add();
    this.stats.bytes.add(tx.length);
    this.stats.contentionCycles.add(start - c);
    this.energy.transfer.add(Math.ceil(tx.length / (p.dataWidthBits / 8)));
    const tin = (this.inTraffic[input] ??= this.portTraffic('in', input));
    tin.transactions++;
    tin.bytes += tx.length;
    const tout = (this.outTraffic[r.out] ??= this.portTraffic('out', r.out));
    tout.transactions++;
    tout.bytes += tx.length;
    if (start > c) {
      tout.conflicts++;
      tout.stallCycles += start - c;
    }
    this.busy.add(this.timeOfCycle(start), this.timeOfCycle(start + occ));
    const fwd = this.timeOfCycle(start + p.latencyCycles + occ) - this.sim.now;
    const k = this.corruptor;
    if (k === null) return sock.transport(tx, fwd);
    if (tx.command === 'write') k.apply(tx.data, tx.length, tx.address, this.sim.now + fwd);
    const d = sock.transport(tx, fwd);
    if (tx.command === 'read' && tx.isResponseOk) k.apply(tx.data, tx.length, tx.address, this.sim.now + d);
    return d;
  }
}

/** Builds {@link Xbar} instances. */
export const xbarSim: SimFactory<typeof XbarDef> = { def: XbarDef, create: (ctx) => new Xbar(ctx) };
