/**
 * The accelerator command interface (ISA Xeacc, `docs/ISA.md`): what a core's `acc.cmd`,
 * `acc.arg`, `acc.wait`, `acc.stat` and `acc.drain` talk to. Every accelerator kind (AIMC tile,
 * PE array) is a {@link AcceleratorSim}: an in-order command queue served by one kernel thread.
 */
import type { SimEvent, Wait } from '../kernel/index.js';
import { GenericPayload, type InitiatorSocket } from '../tlm/index.js';
import { SimError, formatAddress, type Time } from '../util/index.js';
import { SimModule, type ModuleContext } from './base.js';
import type { AnyModuleDef } from '../spec/index.js';
import type { ModuleRecorder, TraceLevel } from '../trace/index.js';

/** Command names by kind and command word, for trace slices (each kind documents its words). */
const COMMAND_NAMES: Readonly<Record<string, Readonly<Record<number, string>>>> = {
  'aimc-tile': { 1: 'PROGRAM', 2: 'MVM', 3: 'SCALE' },
  'pe-array': { 1: 'GEMM', 2: 'CONV' },
};

/** One command as the core sent it: command word, argument word, extra `acc.arg` words. */
export interface AccelCommand {
  /** Tag returned to the core (per accelerator, from 1). */
  readonly tag: number;
  /** Command word (rs1 of `acc.cmd`); its layout belongs to the accelerator kind. */
  readonly word: number;
  /** Argument word (rs2 of `acc.cmd`), usually a descriptor address. */
  readonly arg: number;
  /** Words queued by `acc.arg` before this command, in order. */
  readonly extra: readonly number[];
  /** Path of the core that sent it. */
  readonly issuer: string;
  /** Simulated time it was accepted (ps). */
  readonly submitted: Time;
  /** Set when execution starts and ends (ps). */
  started: Time | undefined;
  finished: Time | undefined;
}

/**
 * Base of accelerator behaviours. Subclasses implement {@link execute}: it runs in the
 * accelerator's thread `<path>.engine`, one command at a time in arrival order, moves data through
 * the kind's memory ports (helpers {@link readBytes}/{@link writeBytes} use blocking transport,
 * so the time the memories take is waited for) and advances time for its compute phases. The
 * queue holds at most `queueDepth` commands not yet finished (the one executing included);
 * `submit` refuses beyond that and the core retries when {@link spaceEvent} fires.
 *
 * The declaration must have the int params `accelId` (the N of `acc.* N`) and `queueDepth`.
 */
export abstract class AcceleratorSim<D extends AnyModuleDef> extends SimModule<D> {
  /** The accelerator number cores address (`acc.cmd rd, rs1, rs2, N`). */
  readonly accelId: number;
  /** Commands by tag. */
  readonly commands = new Map<number, AccelCommand>();
  /** Notified when a command completes (and so a queue slot frees). */
  readonly spaceEvent: SimEvent;
  private readonly queue: AccelCommand[] = [];
  private readonly kick: SimEvent;
  private readonly doneEvents = new Map<number, SimEvent>();
  private nextTag = 1;
  private inFlight = 0;
  /** Trace state variables (set when traced): commands accepted and not finished, word of the executing command (0 = idle). */
  private trQueue: TraceLevel | null = null;
  private trCommand: TraceLevel | null = null;

  constructor(def: D, ctx: ModuleContext<D>) {
    super(def, ctx);
    const p = this.params as unknown as { accelId?: unknown; queueDepth?: unknown };
    if (typeof p.accelId !== 'number' || typeof p.queueDepth !== 'number') {
      throw new SimError('accel-declaration', `accelerator kind '${def.kind}' must declare int params accelId and queueDepth`, { path: this.path });
    }
    this.accelId = p.accelId;
    this.kick = this.sim.event(`${this.path}.kick`);
    this.spaceEvent = this.sim.event(`${this.path}.space`);
    if (this.portSpecs.some((ps) => ps.name === 'cfg' && ps.role === 'target')) {
      this.target('cfg')?.onTransport((tx, d) => this.cfgAccess(tx, d));
    }
    const self = this;
    this.sim.thread(`${this.path}.engine`, function* () {
      for (;;) {
        const cmd = self.queue.shift();
        if (cmd === undefined) {
          yield self.kick;
          continue;
        }
        cmd.started = self.sim.now;
        if (self.trace !== null) self.trCommand!.set(cmd.started, cmd.word);
        yield* self.execute(cmd);
        cmd.finished = self.sim.now;
        if (cmd.finished > cmd.started) self.busy.add(cmd.started, cmd.finished);
        self.inFlight--;
        if (self.trace !== null) self.traceDone(self.trace, cmd);
        self.doneEvents.get(cmd.tag)?.notify();
        self.doneEvents.delete(cmd.tag);
        self.spaceEvent.notify();
      }
    });
  }

  /**
   * Traced: the variables `queue` (commands accepted, not finished) and `command` (word of the
   * executing command, 0 when idle); one slice per command named by {@link commandName}, and a
   * flow arrow from the issuing core at submission to the command's completion.
   */
  override attachTrace(rec: ModuleRecorder): void {
    super.attachTrace(rec);
    rec.busySlices = false;
    this.trQueue = rec.level('queue');
    this.trCommand = rec.level('command');
  }

  /**
   * The name of a command in traces: `MVM`, `GEMM`, ... for the library's kinds, else
   * `cmd 0x<word>`. A kind may override it.
   */
  protected commandName(cmd: AccelCommand): string {
    return COMMAND_NAMES[this.def.kind]?.[cmd.word] ?? `cmd 0x${cmd.word.toString(16)}`;
  }

  private traceDone(rec: ModuleRecorder, cmd: AccelCommand): void {
    const name = this.commandName(cmd);
    const start = cmd.started!;
    const end = cmd.finished!;
    rec.slice(name, start, end, { tag: cmd.tag, word: `0x${cmd.word.toString(16)}`, arg: formatAddress(cmd.arg), issuer: cmd.issuer, submittedPs: cmd.submitted });
    // the arrow ends 1 ps before the completion, inside the command's slice it binds to
    rec.flow(`${name} #${cmd.tag}`, cmd.submitted, Math.max(start, end - 1), cmd.issuer);
    this.trCommand!.set(end, 0);
    this.trQueue!.set(end, this.inFlight);
  }

  /** Commands accepted and not finished (the executing one included). */
  get pending(): number {
    return this.inFlight;
  }

  /**
   * Accepts a command at the current simulated time; returns its tag, or 0 when the queue is
   * full (the caller waits for {@link spaceEvent} and retries).
   */
  submit(word: number, arg: number, extra: readonly number[], issuer: string): number {
    if (this.inFlight >= (this.params as unknown as { queueDepth: number }).queueDepth) return 0;
    const tag = this.nextTag++;
    const cmd: AccelCommand = { tag, word: word >>> 0, arg: arg >>> 0, extra: [...extra], issuer, submitted: this.sim.now, started: undefined, finished: undefined };
    this.commands.set(tag, cmd);
    this.queue.push(cmd);
    this.inFlight++;
    if (this.trace !== null) this.trQueue!.set(cmd.submitted, this.inFlight);
    this.kick.notifyDelta();
    return tag;
  }

  /** True once command `tag` has finished; false while queued or running. @throws SimError for an unknown tag. */
  isDone(tag: number): boolean {
    return this.command(tag).finished !== undefined;
  }

  /** Waits until command `tag` has finished: `yield* acc.wait(tag)`. */
  *wait(tag: number): Generator<Wait, void, unknown> {
    const c = this.command(tag);
    if (c.finished !== undefined) return;
    let e = this.doneEvents.get(tag);
    if (e === undefined) {
      e = this.sim.event(`${this.path}.done${tag}`);
      this.doneEvents.set(tag, e);
    }
    yield e;
  }

  /** Waits until every accepted command has finished. */
  *drain(): Generator<Wait, void, unknown> {
    while (this.inFlight > 0) yield this.spaceEvent;
  }

  /**
   * The `cfg` port (memory-mapped status, read-only 32-bit words): offset 0x0 = commands pending
   * (accepted, not finished), 0x4 = the last tag issued. Commands themselves go through `acc.cmd`;
   * writes get `TLM_COMMAND_ERROR_RESPONSE`, other offsets `TLM_ADDRESS_ERROR_RESPONSE`.
   */
  private cfgAccess(tx: GenericPayload, delay: Time): Time {
    const off = tx.address & 0xff;
    if (tx.command === 'write') {
      tx.response = 'command-error';
    } else if (tx.command === 'read' && tx.length === 4 && (off === 0 || off === 4)) {
      let v = off === 0 ? this.inFlight : this.nextTag - 1;
      for (let i = 0; i < 4; i++, v >>>= 8) tx.data[i] = v & 0xff;
      tx.response = 'ok';
    } else {
      tx.response = tx.command === 'ignore' ? 'ok' : 'address-error';
    }
    return delay + this.period;
  }

  /** Executes one command in the engine thread (see the class doc). Throw `commandError` for a bad command. */
  protected abstract execute(cmd: AccelCommand): Generator<Wait, void, unknown>;

  /** A SimError for a command the accelerator cannot execute, naming it, the issuer and the time. */
  protected commandError(cmd: AccelCommand, what: string): SimError {
    return new SimError('accel-bad-command', `${this.def.kind} '${this.path}' (accelerator ${this.accelId}): command ${cmd.tag} (word 0x${cmd.word.toString(16)}, arg 0x${cmd.arg.toString(16)}) from '${cmd.issuer}': ${what}`, { path: this.path, time: this.sim.now });
  }

  /** Reads `n` bytes at `address` through `sock` with blocking transport (waits the memory's delay). */
  protected *readBytes(sock: InitiatorSocket, address: number, n: number): Generator<Wait, Uint8Array, unknown> {
    const tx = new GenericPayload({ command: 'read', address, data: new Uint8Array(n) });
    const d = yield* sock.bTransport(tx, 0);
    this.checkResponse(tx, sock);
    if (d > 0) yield d;
    return tx.data;
  }

  /** Writes `data` at `address` through `sock` with blocking transport (waits the memory's delay). */
  protected *writeBytes(sock: InitiatorSocket, address: number, data: Uint8Array): Generator<Wait, void, unknown> {
    const tx = new GenericPayload({ command: 'write', address, data });
    const d = yield* sock.bTransport(tx, 0);
    this.checkResponse(tx, sock);
    if (d > 0) yield d;
  }

  private checkResponse(tx: GenericPayload, sock: InitiatorSocket): void {
    if (!tx.isResponseOk) {
      throw new SimError('accel-memory', `${this.def.kind} '${this.path}': ${tx.command} of ${tx.length} B at ${formatAddress(tx.address)} through '${sock.path}' failed with ${tx.responseString}`, { path: this.path, time: this.sim.now });
    }
  }

  private command(tag: number): AccelCommand {
    const c = this.commands.get(tag);
    if (c === undefined) throw this.error('accel-unknown-tag', `no command with tag ${tag} (tags are returned by acc.cmd)`);
    return c;
  }
}
