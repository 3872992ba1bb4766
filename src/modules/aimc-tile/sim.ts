import type { Wait } from '../../kernel/index.js';
import type { InitiatorSocket } from '../../tlm/index.js';
import { SimError } from '../../util/index.js';
import { AcceleratorSim, type AccelCommand } from '../accel.js';
import type { ModuleContext, SimFactory } from '../base.js';
import { AimcTileDef, aimcConfigFromParams, aimcNoiseFromParams, aimcTimingFromParams } from './def.js';
import { AimcAnalogDevice, aimcActiveNonIdealities, type AimcStreams } from './noise.js';
import { aimcLayout, aimcMvm, aimcOutputInt32, aimcScaleValue, aimcMvmTimePs, aimcProgramTimePs, programTile, type AimcLayout, type AimcMvmResult, type AimcTileConfig, type AimcTileState, type AimcTimingParams } from './model.js';

/** Command words of an `aimc-tile` (bits 7:0 of the `acc.cmd` command word; bits 31:8 must be 0). */
export const AIMC_COMMANDS = {
  /** arg = descriptor address: weights address, K, N, weight element bytes (1, 2 or 4). */
  program: 0x01,
  /** arg = descriptor address: input address, input element bytes (1, 2 or 4), output address, vector count (0 = 1). */
  mvm: 0x02,
  /** arg = descriptor address: scales address, N, format (0 = int32, 1 = float32), 0. Sets the per-output scale. */
  scale: 0x03,
} as const;

/** Bytes of a descriptor (four little-endian 32-bit words). */
export const AIMC_DESCRIPTOR_BYTES = 16;

/**
 * The module context of a tile, with the random streams of the run: `streams` (seed, chip,
 * inference) comes from `instantiate(graph, { streams })` (a campaign passes its item's);
 * without it the tile uses seed 0, chip 0, inference 0. Only used when a non-ideality is on.
 */
export type AimcModuleContext = ModuleContext<typeof AimcTileDef> & { readonly streams?: AimcStreams | undefined };


/**
 * AIMC crossbar tile as a simulated accelerator (Xeacc, `docs/ISA.md`; base {@link AcceleratorSim}).
 * A core sends `acc.cmd rd, word, descriptor, N` with N = the `accelId` param; the functional,
 * timing and energy behaviour is the pure model of `model.ts` (ideal analog, ideal ADC).
 *
 * Command words (`src/modules/README.md`, "aimc-tile commands"); a descriptor is four
 * little-endian 32-bit words at a 4-aligned address, read through `mem`:
 *
 * | word | name | descriptor words | does |
 * | --- | --- | --- | --- |
 * | 0x01 | PROGRAM | weights address, K, N, weight bytes (1/2/4) | reads the K x N row-major signed weights, {@link programTile} |
 * | 0x02 | MVM | input address, input bytes (1/2/4), output address, count (0 = 1) | `count` products y = x W of consecutive input vectors, int32 outputs |
 * | 0x03 | SCALE | scales address, N, format (0 = int32, 1 = float32), 0 | per-output scale applied after recombination (until the next PROGRAM, which resets it to 1) |
 *
 * MVM vector v reads K inputs at `input + v K bytes` and writes N int32 outputs at
 * `output + 4 v N` (each output value rounded half away from zero and clamped to int32; with the
 * usual integer ADC step it is exact).
 *
 * Data moves through the `mem` port with blocking transport, as 32-bit words: an access of
 * `len` bytes at `a` reads or writes the words covering `[a, a + len)` in one burst, so the
 * memory's delay (bank conflicts, other ports) is waited for. Timing of a command, phases in
 * sequence (no overlap of reads, compute and writes):
 * - PROGRAM: descriptor read + weights read + {@link aimcProgramTimePs} (K x rowWriteCycles cycles);
 * - MVM: descriptor read + per vector (inputs read + {@link aimcMvmTimePs} + outputs write).
 *
 * Energy: PROGRAM counts `rowWrite` K and `cellWrite` K x columns used; each MVM vector counts
 * the model's `conversion`, `rowDrive`, `cellRead` and `shiftAdd` events; stats `programs`,
 * `rowWrites`, `mvms`, `phases`, `conversions`, `saturations`, `macs` (K x N per vector),
 * `busy` (command execution). The `done` event pulses after every command.
 *
 * Bad commands are SimErrors `accel-bad-command` naming the command, the issuer and the cause:
 * an unknown word, MVM before PROGRAM, a bad element width or alignment, K or N that do not fit
 * (params `rows`, `cols`), a weight or input outside the configured range (`weightBits`,
 * `inputBits`). A failed command leaves the programmed weights as they were.
 * SCALE takes the time of reading its N words. Not modelled: the declaration's faults, double buffering.
 *
 * Analog non-idealities (params `programNoise` .. `dacInl`, noise.ts): when any is on, every
 * PROGRAM attaches an analog state ({@link AimcAnalogDevice.program}: per-chip programming noise,
 * drift exponents, stuck cells, ADC instance errors) and every MVM draws read, DAC and ADC
 * noise from the inference's streams; timing, energy and counts are unchanged. Streams:
 * {@link AimcModuleContext}.
 */
export class AimcTileSim extends AcceleratorSim<typeof AimcTileDef> {
  /** The model configuration from the params. */
  readonly config: AimcTileConfig;
  readonly layout: AimcLayout;
  readonly timing: AimcTimingParams;
  /** The programmed tile, once a PROGRAM has run. */
  state: AimcTileState | undefined;
  /** The tile's non-ideal analog hardware on this chip, or undefined when every non-ideality is off (ideal, bit-exact). */
  readonly analog: AimcAnalogDevice | undefined;
  private readonly memSock: InitiatorSocket | null;

  constructor(ctx: AimcModuleContext) {
    super(AimcTileDef, ctx);
    this.config = aimcConfigFromParams(this.params);
    this.layout = aimcLayout(this.config, this.path);
    this.timing = aimcTimingFromParams(this.params, this.period);
    this.memSock = this.initiator('mem');
    const noise = aimcNoiseFromParams(this.params);
    this.analog = aimcActiveNonIdealities(noise).length === 0
      ? undefined
      : new AimcAnalogDevice(this.config, noise, { path: this.path, columnsPerAdc: this.params.columnsPerAdc, streams: ctx.streams ?? { seed: 0, chip: 0, inference: 0 } });
  }

  protected *execute(cmd: AccelCommand): Generator<Wait, void, unknown> {
    const op = cmd.word;
    if (op === AIMC_COMMANDS.program) yield* this.program(cmd);
    else if (op === AIMC_COMMANDS.mvm) yield* this.mvm(cmd);
    else if (op === AIMC_COMMANDS.scale) yield* this.setScale(cmd);
    else throw this.commandError(cmd, `unknown command word 0x${op.toString(16)} (0x1 = PROGRAM, 0x2 = MVM, 0x3 = SCALE)`);
    this.eventOuts('done')[0]?.notify();
  }

  private *program(cmd: AccelCommand): Generator<Wait, void, unknown> {
    const [wAddr, k, n, wBytes] = yield* this.descriptor(cmd, 'PROGRAM');
    const c = this.config;
    this.checkWidth(cmd, 'PROGRAM', 'weight element bytes (descriptor word 3)', wBytes, wAddr, 'weights address (descriptor word 0)');
    if (k < 1 || k > c.rows) throw this.commandError(cmd, `PROGRAM: K = ${k} (descriptor word 1) must be in 1..${c.rows} (param 'rows')`);
    const maxN = Math.floor(c.cols / this.layout.colsPerOutput);
    if (n < 1 || n > maxN) throw this.commandError(cmd, `PROGRAM: N = ${n} (descriptor word 2) must be in 1..${maxN} (param 'cols' = ${c.cols}, ${this.layout.colsPerOutput} column(s) per output)`);
    const bytes = yield* this.readSpan(wAddr, k * n * wBytes);
    const w = decode(bytes, wBytes, k * n);
    let st: AimcTileState;
    try {
      st = programTile(c, w, k, n, this.path);
      if (this.analog !== undefined) st = this.analog.program(st);
    } catch (e) {
      throw this.wrap(cmd, 'PROGRAM', e);
    }
    yield aimcProgramTimePs(st.program, this.timing);
    this.state = st;
    this.energy.rowWrite.add(st.program.rowWrites);
    this.energy.cellWrite.add(st.program.cellWrites);
    this.stats.programs.add();
    this.stats.rowWrites.add(st.program.rowWrites);
  }

  private *mvm(cmd: AccelCommand): Generator<Wait, void, unknown> {
    const st = this.state;
    if (st === undefined) throw this.commandError(cmd, 'MVM before PROGRAM: no weights are programmed (send command 0x1 first)');
    const [inAddr, inBytes, outAddr, count0] = yield* this.descriptor(cmd, 'MVM');
    this.checkWidth(cmd, 'MVM', 'input element bytes (descriptor word 1)', inBytes, inAddr, 'input address (descriptor word 0)');
    if (outAddr % 4 !== 0) throw this.commandError(cmd, `MVM: output address (descriptor word 2) 0x${outAddr.toString(16)} must be 4-aligned (int32 outputs)`);
    const count = count0 === 0 ? 1 : count0;
    const { k, n } = st;
    const t = aimcMvmTimePs(st, this.timing);
    const y = new Float64Array(n);
    const out = new Uint8Array(4 * n);
    const ov = new DataView(out.buffer);
    for (let v = 0; v < count; v++) {
      const x = decode(yield* this.readSpan(inAddr + v * k * inBytes, k * inBytes), inBytes, k);
      let r: AimcMvmResult;
      try {
        r = aimcMvm(st, x, y);
      } catch (e) {
        throw this.wrap(cmd, `MVM vector ${v}`, e);
      }
      if (t > 0) yield t;
      for (let j = 0; j < n; j++) {
        ov.setInt32(4 * j, aimcOutputInt32(r.out[j]!), true);
      }
      yield* this.writeBytes(this.mem(), outAddr + 4 * v * n, out);
      const cn = r.counts;
      this.energy.conversion.add(cn.adcConversions);
      this.energy.rowDrive.add(cn.rowActivations);
      this.energy.cellRead.add(cn.cellReads);
      this.energy.shiftAdd.add(cn.shiftAdds);
      this.stats.mvms.add();
      this.stats.phases.add(cn.phases);
      this.stats.conversions.add(cn.adcConversions);
      this.stats.saturations.add(cn.saturations);
      this.stats.macs.add(k * n);
    }
  }

  private *setScale(cmd: AccelCommand): Generator<Wait, void, unknown> {
    const st = this.state;
    if (st === undefined) throw this.commandError(cmd, 'SCALE before PROGRAM: no weights are programmed (send command 0x1 first)');
    const [addr, n, format] = yield* this.descriptor(cmd, 'SCALE');
    if (n !== st.n) throw this.commandError(cmd, `SCALE: N = ${n} (descriptor word 1) must equal the programmed N = ${st.n}`);
    if (format !== 0 && format !== 1) throw this.commandError(cmd, `SCALE: format = ${format} (descriptor word 2) must be 0 (int32) or 1 (float32)`);
    if (addr % 4 !== 0) throw this.commandError(cmd, `SCALE: scales address (descriptor word 0) 0x${addr.toString(16)} must be 4-aligned`);
    const b = yield* this.readBytes(this.mem(), addr, 4 * n);
    const dv = new DataView(b.buffer, b.byteOffset);
    const scale = Float64Array.from({ length: n }, (_, j) => aimcScaleValue(format, dv.getUint32(4 * j, true)));
    if (!scale.every(Number.isFinite)) throw this.commandError(cmd, 'SCALE: every scale must be a finite number');
    this.state = { ...st, scale };
  }

  /** Reads the four descriptor words at `cmd.arg`. */
  private *descriptor(cmd: AccelCommand, what: string): Generator<Wait, [number, number, number, number], unknown> {
    if (cmd.arg % 4 !== 0) throw this.commandError(cmd, `${what}: descriptor address 0x${cmd.arg.toString(16)} (the acc.cmd argument) must be 4-aligned`);
    const b = yield* this.readBytes(this.mem(), cmd.arg, AIMC_DESCRIPTOR_BYTES);
    const dv = new DataView(b.buffer, b.byteOffset);
    return [dv.getUint32(0, true), dv.getUint32(4, true), dv.getUint32(8, true), dv.getUint32(12, true)];
  }

  private checkWidth(cmd: AccelCommand, what: string, field: string, bytes: number, addr: number, addrField: string): void {
    if (bytes !== 1 && bytes !== 2 && bytes !== 4) throw this.commandError(cmd, `${what}: ${field} = ${bytes} must be 1, 2 or 4 (int8, int16, int32)`);
    if (addr % bytes !== 0) throw this.commandError(cmd, `${what}: ${addrField} 0x${addr.toString(16)} must be aligned to the element size ${bytes}`);
  }

  /** Reads `len` bytes at `addr` as the 32-bit words covering them (one burst); returns exactly those bytes. */
  private *readSpan(addr: number, len: number): Generator<Wait, Uint8Array, unknown> {
    const a0 = addr - (addr % 4);
    const a1 = Math.ceil((addr + len) / 4) * 4;
    const b = yield* this.readBytes(this.mem(), a0, a1 - a0);
    return b.subarray(addr - a0, addr - a0 + len);
  }

  private mem(): InitiatorSocket {
    if (this.memSock === null) throw this.error('aimc-no-mem', "the 'mem' port is not connected: the tile cannot read descriptors, weights or inputs");
    return this.memSock;
  }

  /** A model error (weights that do not fit, a value out of range) as a command error. */
  private wrap(cmd: AccelCommand, what: string, e: unknown): SimError {
    if (e instanceof SimError) return this.commandError(cmd, `${what}: ${e.message}`);
    throw e;
  }
}

/** `count` little-endian signed integers of `bytes` bytes each. */
function decode(b: Uint8Array, bytes: number, count: number): Int32Array {
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const r = new Int32Array(count);
  if (bytes === 1) for (let i = 0; i < count; i++) r[i] = dv.getInt8(i);
  else if (bytes === 2) for (let i = 0; i < count; i++) r[i] = dv.getInt16(2 * i, true);
  else for (let i = 0; i < count; i++) r[i] = dv.getInt32(4 * i, true);
  return r;
}

/** Factory for `simCatalog`. */
export const aimcTileSim: SimFactory<typeof AimcTileDef> = { def: AimcTileDef, create: (ctx) => new AimcTileSim(ctx) };
