import type { SimEvent, Wait } from '../../kernel/index.js';
import { GenericPayload, type InitiatorSocket } from '../../tlm/index.js';
import { formatAddress, type Time } from '../../util/index.js';
import { SimModule, type AddressWindow, type ModuleContext, type SimFactory } from '../base.js';
import type { DataCorruptor } from '../faults.js';
import type { ModuleRecorder, TraceLevel } from '../../trace/index.js';
import { DmaDef } from './def.js';

/** A transfer request. 1D: `bytes` from `src` to `dst`. 2D: `rows` rows of `bytes` each, strided. */
export interface DmaTransfer {
  readonly src: number;
  readonly dst: number;
  /** Bytes of the transfer (1D) or of one row (2D). */
  readonly bytes: number;
  /** Present = a 2D transfer of this many rows (needs `twoD`). */
  readonly rows?: number;
  /** Byte distance between row starts on the source side (2D; default `bytes`). */
  readonly srcStride?: number;
  /** Byte distance between row starts on the destination side (2D; default `bytes`). */
  readonly dstStride?: number;
}

/** What happened to a transfer; times in ps, `finished` once complete. */
export interface DmaTransferRecord {
  readonly id: number;
  readonly request: DmaTransfer;
  readonly submitted: Time;
  started: Time | undefined;
  finished: Time | undefined;
  bursts: number;
  /** Completion event, notified at `finished`. */
  readonly done: SimEvent;
}

/** Register offsets of the `cfg` port (32-bit words). */
export const DMA_REGS = {
  src: 0x00, dst: 0x04, bytes: 0x08, rows: 0x0c, srcStride: 0x10, dstStride: 0x14,
  /** Write: start a transfer from the registers (rows 0 = 1D). Read: id of the last started transfer. */
  cmd: 0x18,
  /** Read: transfers submitted and not yet complete (0 = idle). */
  status: 0x1c,
} as const;

/**
 * DMA engine behaviour (after PULP MCHAN; MODELS.md section 11). Transfers run one after the
 * other, in submission order, in a kernel thread `<path>.engine` that wakes once per burst (no
 * event per beat). Each burst really moves bytes: a read through the source side, then a write
 * of the same bytes through the destination side (store and forward, like MCHAN's buffer). An
 * address inside a window reached by the `local` ports goes through them (round-robin per
 * burst); any other address goes through `ext`.
 *
 * Timing, in cycles of the DMA's clock, for a transfer the engine takes at cycle `t0`:
 * - rows are split into bursts of at most `maxBurstBytes`; burst k has `b_k` bytes and occupies
 *   the DMA's own link for `d_k = ceil(b_k / bandwidthBytesPerCycle)` cycles;
 * - the issue slot starts at `s = t0 + setupCycles`; a 2D transfer adds `rowOverheadCycles`
 *   before each row's first burst;
 * - burst k issues at `i_k = max(s, c_{k - maxOutstanding})` (at most `maxOutstanding` bursts in
 *   flight), then `s = i_k + d_k`;
 * - its round trip `RTT_k` is the read delay plus the write delay the targets return (latency,
 *   bandwidth, contention on the way); it completes at `c_k = i_k + max(RTT_k, d_k)`;
 * - the transfer finishes at `T = max(max_k c_k, s)`.
 *
 * Closed forms with a constant round trip RTT (no contention), n bursts of d cycles, R rows:
 * bandwidth bound (`maxOutstanding * d >= RTT`):
 * `T = setup + R * rowOverhead (2D only) + (n - 1) * d + max(RTT, d)`, i.e. MODELS.md's
 * `t_cfg + t_lat + ceil(S / BW)` with `t_lat = RTT - d`; outstanding bound (`N * d < RTT`, 1D):
 * `T = setup + floor((n - 1) / N) * RTT + ((n - 1) mod N) * d + RTT`, whose rate tends to
 * MODELS.md's `BW_eff = N * burst / RTT` (Little's law).
 */
export class Dma extends SimModule<typeof DmaDef> {
  /** Transfers by id (ids start at 1). */
  readonly transfers = new Map<number, DmaTransferRecord>();
  private readonly queue: DmaTransferRecord[] = [];
  private readonly kick: SimEvent;
  private readonly localWindows: readonly AddressWindow[];
  private readonly locals: readonly InitiatorSocket[];
  private nextId = 1;
  /** Issuing core per transfer id, kept only when traced. */
  private readonly issuers = new Map<number, string>();
  private nextLocal = 0;
  private pending = 0;
  /**
   * Corruption of data in transit (fault injection), or null: applied to each burst between its
   * read and its write, addressed by the destination (the region of the fault filters on it).
   */
  corruptor: DataCorruptor | null = null;
  private readonly regs = new Uint32Array(8);
  /** Trace state variables (set when traced): transfers submitted and not complete, id of the transfer moving data (0 = none). */
  private trInFlight: TraceLevel | null = null;
  private trActive: TraceLevel | null = null;

  constructor(ctx: ModuleContext<typeof DmaDef>) {
    super(DmaDef, ctx);
    this.kick = this.sim.event(`${this.path}.kick`);
    this.locals = this.initiators('local').filter((s): s is InitiatorSocket => s !== null);
    this.localWindows = this.initiators('local').flatMap((s, i) => (s === null ? [] : (ctx.reach?.('local', i) ?? [])));
    this.target('cfg')?.onTransport((tx, d) => this.cfgAccess(tx, d));
    const self = this;
    this.sim.thread(`${this.path}.engine`, function* () {
      for (;;) {
        const job = self.queue.shift();
        if (job === undefined) yield self.kick;
        else yield* self.run(job);
      }
    });
  }

  /**
   * Traced: the VCD/counter variables `in_flight` (transfers submitted, not complete) and
   * `transfer` (id of the transfer in progress, 0 when idle); a slice `transfer #id` per transfer
   * from its start to its completion, and a flow arrow from its submission (on the issuing core's
   * track when known) to its completion.
   */
  override attachTrace(rec: ModuleRecorder): void {
    super.attachTrace(rec);
    rec.busySlices = false;
    this.trInFlight = rec.level('in_flight');
    this.trActive = rec.level('transfer');
  }

  /**
   * Submits a transfer; returns its id. The transfer starts when the engine is free. Its
   * completion event is `transfers.get(id).done` (also {@link doneEvent}). `issuer` (a core's
   * path) only names the origin of the transfer's flow arrow in traces.
   * @throws SimError `dma-bad-transfer` for an empty or too long transfer, or 2D without `twoD`.
   */
  start(t: DmaTransfer, issuer?: string): number {
    const p = this.params;
    const rows = t.rows ?? 1;
    const total = t.bytes * rows;
    if (!Number.isSafeInteger(t.bytes) || t.bytes <= 0 || !Number.isSafeInteger(rows) || rows <= 0) {
      throw this.error('dma-bad-transfer', `transfer of ${rows} x ${t.bytes} B: sizes must be positive integers`, t.src);
    }
    if (total > p.maxTransferBytes) throw this.error('dma-bad-transfer', `transfer of ${total} B exceeds maxTransferBytes ${p.maxTransferBytes} B`, t.src);
    if (t.rows !== undefined && !p.twoD) throw this.error('dma-bad-transfer', '2D transfer requested but this DMA has twoD: false', t.src);
    const id = this.nextId++;
    const rec: DmaTransferRecord = { id, request: t, submitted: this.sim.now, started: undefined, finished: undefined, bursts: 0, done: this.sim.event(`${this.path}.transfer${id}`) };
    this.transfers.set(id, rec);
    this.queue.push(rec);
    this.pending++;
    if (this.trace !== null) {
      this.trInFlight!.set(rec.submitted, this.pending);
      if (issuer !== undefined) this.issuers.set(id, issuer);
    }
    this.kick.notifyDelta();
    return id;
  }

  /** The completion event of transfer `id`. */
  doneEvent(id: number): SimEvent {
    return this.record(id).done;
  }
  /** True once transfer `id` has completed. */
  isDone(id: number): boolean {
    return this.record(id).finished !== undefined;
  }
  /** Waits until transfer `id` has completed (returns at once if it has): `yield* dma.wait(id)`. */
  *wait(id: number): Generator<Wait, void, unknown> {
    const r = this.record(id);
    if (r.finished === undefined) yield r.done;
  }

  private record(id: number): DmaTransferRecord {
    const r = this.transfers.get(id);
    if (r === undefined) throw this.error('dma-unknown-transfer', `no transfer with id ${id}`);
    return r;
  }

  private isLocal(addr: number, len: number): boolean {
    return this.localWindows.some((w) => addr >= w.base && addr + len <= w.end);
  }

  private socketFor(addr: number, len: number): { sock: InitiatorSocket; name: string; index: number | undefined } {
    if (this.isLocal(addr, len) && this.locals.length > 0) {
      const sock = this.locals[this.nextLocal % this.locals.length]!;
      this.nextLocal++;
      const index = this.initiators('local').indexOf(sock);
      return { sock, name: 'local', index };
    }
    const ext = this.initiator('ext');
    if (ext === null) throw this.error('dma-unreachable', 'address is not in a local window and the ext port is not connected', addr);
    return { sock: ext, name: 'ext', index: undefined };
  }

  private *move(cmd: 'read' | 'write', addr: number, buf: Uint8Array, delay: Time): Generator<Wait, Time, unknown> {
    const { sock, name, index } = this.socketFor(addr, buf.length);
    const tx = new GenericPayload({ command: cmd, address: addr, data: buf });
    const d = yield* sock.bTransport(tx, delay);
    if (!tx.isResponseOk) throw this.error('dma-transfer-error', `burst ${cmd} of ${buf.length} B through '${sock.path}' failed with ${tx.responseString}`, addr, delay);
    const t = this.portTraffic(name, index);
    t.transactions++;
    t.bytes += buf.length;
    return d;
  }

  /** Runs one transfer; see the class doc for the timing. */
  private *run(job: DmaTransferRecord): Generator<Wait, void, unknown> {
    const p = this.params;
    const req = job.request;
    const twoD = req.rows !== undefined;
    const rows = req.rows ?? 1;
    const t0 = this.cycleAt(this.sim.now);
    job.started = this.timeOfCycle(t0);
    if (this.trace !== null) this.trActive!.set(job.started, job.id);
    let s = t0 + p.setupCycles;
    let last = s;
    const completions: number[] = [];
    for (let r = 0; r < rows; r++) {
      if (twoD) s += p.rowOverheadCycles;
      const srcRow = req.src + r * (req.srcStride ?? req.bytes);
      const dstRow = req.dst + r * (req.dstStride ?? req.bytes);
      for (let off = 0; off < req.bytes; off += p.maxBurstBytes) {
        const b = Math.min(p.maxBurstBytes, req.bytes - off);
        const d = Math.ceil(b / p.bandwidthBytesPerCycle);
        const k = completions.length;
        const gate = k >= p.maxOutstanding ? completions[k - p.maxOutstanding]! : 0;
        const i = Math.max(s, gate);
        const at = this.timeOfCycle(i);
        if (at > this.sim.now) yield at - this.sim.now;
        const buf = new Uint8Array(b);
        const rd = yield* this.move('read', srcRow + off, buf, 0);
        if (this.corruptor !== null) this.corruptor.apply(buf, b, dstRow + off, this.sim.now + rd);
        const wr = yield* this.move('write', dstRow + off, buf, rd);
        const c = Math.max(this.cycleAt(this.sim.now + wr), i + d);
        completions.push(c);
        if (c > last) last = c;
        s = i + d;
        job.bursts++;
        this.stats.bytes.add(b);
      }
    }
    const end = this.timeOfCycle(Math.max(last, s));
    if (end > this.sim.now) yield end - this.sim.now;
    job.finished = this.sim.now;
    this.pending--;
    this.busy.add(job.started, job.finished);
    if (this.trace !== null) this.traceDone(this.trace, job);
    this.stats.transfers.add();
    job.done.notify();
    this.eventOuts('done')[0]?.notify();
  }

  private traceDone(rec: ModuleRecorder, job: DmaTransferRecord): void {
    const started = job.started!;
    const finished = job.finished!;
    const req = job.request;
    rec.slice(`transfer #${job.id}`, started, finished, {
      id: job.id, src: formatAddress(req.src), dst: formatAddress(req.dst), bytes: req.bytes * (req.rows ?? 1), rows: req.rows ?? 1, bursts: job.bursts, submittedPs: job.submitted, queuedPs: started - job.submitted,
    });
    // the arrow ends 1 ps before the completion, inside the transfer's slice it binds to
    rec.flow(`dma #${job.id}`, job.submitted, Math.max(started, finished - 1), this.issuers.get(job.id));
    this.issuers.delete(job.id);
    this.trActive!.set(finished, 0);
    this.trInFlight!.set(finished, this.pending);
  }

  /** Register access on the `cfg` port (see {@link DMA_REGS}). */
  private cfgAccess(tx: GenericPayload, delay: Time): Time {
    const off = tx.address - (this.ctx.region?.base ?? 0);
    if (tx.length !== 4 || off % 4 !== 0 || off < 0 || off >= 32) {
      throw this.error('dma-bad-register', `register ${tx.command} of ${tx.length} B at offset ${formatAddress(Math.max(0, off))}: the DMA has 8 word registers`, tx.address, delay);
    }
    const reg = off / 4;
    tx.response = 'ok';
    if (tx.command === 'write') {
      const v = tx.readWord(0, 4);
      if (off === DMA_REGS.cmd) {
        const [src, dst, bytes, rows, srcStride, dstStride] = this.regs;
        this.regs[reg] = this.start({ src: src!, dst: dst!, bytes: bytes!, ...(rows! > 0 ? { rows: rows!, srcStride: srcStride!, dstStride: dstStride! } : {}) });
      } else if (off !== DMA_REGS.status) this.regs[reg] = v;
    } else if (tx.command === 'read') {
      let v = off === DMA_REGS.status ? this.pending : this.regs[reg]!;
      for (let i = 0; i < 4; i++) {
        tx.data[i] = v & 0xff;
        v >>>= 8;
      }
    }
    return delay;
  }
}

/** Builds {@link Dma} instances. */
export const dmaSim: SimFactory<typeof DmaDef> = { def: DmaDef, create: (ctx) => new Dma(ctx) };
