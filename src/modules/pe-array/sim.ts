import type { Wait } from '../../kernel/index.js';
import type { InitiatorSocket } from '../../tlm/index.js';
import { formatAddress, type Time } from '../../util/index.js';
import { AcceleratorSim, type AccelCommand } from '../accel.js';
import type { AddressWindow, ModuleContext, SimFactory } from '../base.js';
import { PeArrayDef } from './def.js';
import { NO_SHIFT, conv2d, convDims, gemm, type ConvGeometry, type GemmDims, type GemmOperands, type LightWeights, type NhwcShape, type PeType } from './model.js';
import { accessCounts, layerTimingFromParams, type LayerTiming } from './scalesim.js';

/** Command words of the PE array (rs1 of `acc.cmd`); the argument (rs2) is the descriptor's address. */
export const PE_CMD = { gemm: 1, conv: 2 } as const;
/** Descriptor sizes in bytes (32-bit little-endian words). */
export const PE_GEMM_DESCRIPTOR_BYTES = 32;
export const PE_CONV_DESCRIPTOR_BYTES = 64;
/** The descriptor's `type` field: the PE type code is its index here; it must be the array's `peType`. */
export const PE_TYPE_CODES: readonly PeType[] = ['int8', 'int16', 'fp32', 'lightpe1', 'lightpe2'];
/** Output formats (low byte of the descriptor's `out` word; the shift is bits 15:8). */
export const PE_OUT = { acc32: 0, int8: 1, int16: 2 } as const;

/** What one executed command did (for tests and reports), by tag in {@link PeArraySim.reports}. */
export interface PeCommandReport {
  readonly op: 'gemm' | 'conv';
  readonly dims: GemmDims;
  readonly timing: LayerTiming;
  /** Simulated time the compute phase started and ended (ps); the transfers are the rest of the command. */
  readonly computeStart: Time;
  readonly computeEnd: Time;
}

/** Decoded operand/result placement of one command. */
interface Job {
  readonly op: 'gemm' | 'conv';
  readonly a: number;
  readonly b: number;
  readonly c: number;
  readonly aBytes: number;
  readonly bBytes: number;
  readonly outFmt: number;
  readonly shift: number;
}

/**
 * The PE array as a simulated accelerator (Xeacc, {@link AcceleratorSim}): a core sends
 * `acc.cmd rd, word, descriptorAddress, accelId`; the array reads the descriptor and its operands
 * through `mem` (weights through `wmem` when that port reaches their address), computes with the
 * functional model (`model.ts`, bit-exact per PE type), waits the SCALE-Sim cycles of the layer
 * (`layerTimingFromParams`: `scalesim` or `stalls` mode, plus `startupCycles`) in its own clock,
 * and writes the result through `mem`. Phases run one after another:
 * `finished - started = descriptor read + A read + B read + cycles * period + C write`, each
 * transfer timed by the memory it reaches (blocking transport: latency, port occupancy, bank
 * conflicts with other masters).
 *
 * Command words (descriptors are 32-bit little-endian words at the argument address):
 * - `1` GEMM `C[M x N] = A[M x K] * B[K x N]`, row-major, dense. Descriptor (32 B): +0 A address,
 *   +4 B address, +8 C address, +12 M, +16 N, +20 K, +24 type, +28 out.
 * - `2` CONV, NHWC input `X[n x h x w x c]`, HWIO weights `W[fh x fw x c x cout]`, NHWC output
 *   `Y[n x oh x ow x cout]` (`oh = floor((h + padTop + padBottom - fh) / strideH) + 1`, same for
 *   width), lowered by im2col to the GEMM `M = n*oh*ow`, `N = cout`, `K = fh*fw*c` that timing and
 *   counts use. Descriptor (64 B): +0 X, +4 W, +8 Y, +12 n, +16 h, +20 w, +24 c, +28 fh, +32 fw,
 *   +36 cout, +40 stride (bits 15:0 strideH, 31:16 strideW, each >= 1), +44 padding (bytes: top,
 *   left, bottom, right), +48 type, +52 out, +56 and +60 reserved (ignored).
 *
 * `type`: PE type code (0 int8, 1 int16, 2 fp32, 3 lightpe1, 4 lightpe2), must equal the array's
 * `peType`. Element formats in memory: activations int8 / int16 / binary32 (LightPE: int8 or
 * int16 per `actBits`); weights int8 / int16 / binary32, LightPE weights are pre-quantised codes:
 * lightpe1 one byte `s0n0mmmm` (bit 7 negative, bit 6 non-zero, bits 3:0 the shift m <=
 * lightMaxShift; the zero weight is 0x00), lightpe2 a 16-bit halfword (bit 15 negative, bit 14
 * non-zero, bit 8 second shifter on, bits 7:4 m2, bits 3:0 m1, m1 <= m2 <= lightMaxShift; zero is
 * 0x0000). `out`: bits 7:0 the format, bits 15:8 a shift s (0..31), bits 31:16 zero. Format 0:
 * 32-bit words, the accumulator modulo 2^32 (two's complement; exact for int8 and LightPE's 32-bit
 * accumulators, the low half of int16's 48-bit one; LightPE exact mode in units of 2^-lightMaxShift)
 * or the binary32 result (fp32, s must be 0); format 1: int8, format 2: int16, both
 * `saturate(floor(acc / 2^s))` (integer PE types only).
 *
 * Every address (descriptor, A/X, B/W, C/Y) must be a multiple of `memWidthBits/8`, and each
 * operand must lie inside a memory window its port reaches. Transfers move exact byte counts: the
 * whole port words as one burst, then the remaining bytes as naturally aligned pieces of halving
 * size. Bad commands stop the simulation with a SimError (`accel-bad-command`) naming the field.
 *
 * Counters per command: energy events and stats from `accessCounts` of the SCALE-Sim report
 * (MACs, RF reads/writes, GLB reads/writes); the busy time is the whole command (transfers too).
 */
export class PeArraySim extends AcceleratorSim<typeof PeArrayDef> {
  /** Per-command report, by tag. */
  readonly reports = new Map<number, PeCommandReport>();
  private readonly memSock: InitiatorSocket | null;
  private readonly wmemSock: InitiatorSocket | null;
  private readonly memWindows: readonly AddressWindow[] | undefined;
  private readonly wmemWindows: readonly AddressWindow[];
  private readonly wordBytes: number;

  constructor(ctx: ModuleContext<typeof PeArrayDef>) {
    super(PeArrayDef, ctx);
    this.memSock = this.initiator('mem');
    this.wmemSock = this.initiator('wmem');
    this.memWindows = ctx.reach?.('mem', undefined);
    this.wmemWindows = this.wmemSock === null ? [] : (ctx.reach?.('wmem', undefined) ?? []);
    this.wordBytes = this.params.memWidthBits / 8;
  }

  protected *execute(cmd: AccelCommand): Generator<Wait, void, unknown> {
    if (cmd.word !== PE_CMD.gemm && cmd.word !== PE_CMD.conv) throw this.commandError(cmd, `unknown command word ${cmd.word} (1 = GEMM, 2 = CONV)`);
    const mem = this.memSock;
    if (mem === null) throw this.commandError(cmd, "the 'mem' port is not connected: the array cannot read descriptors or operands");
    const op = cmd.word === PE_CMD.gemm ? 'gemm' : 'conv';
    const dBytes = op === 'gemm' ? PE_GEMM_DESCRIPTOR_BYTES : PE_CONV_DESCRIPTOR_BYTES;
    this.checkPlace(cmd, 'descriptor', cmd.arg, dBytes, this.memWindows);
    const dv = new DataView((yield* this.transfer(mem, cmd.arg, new Uint8Array(dBytes), false)).buffer);
    const f = (i: number): number => dv.getUint32(4 * i, true);
    const p = this.params;
    const t = p.peType;
    const typeWord = f(op === 'gemm' ? 6 : 12);
    if (PE_TYPE_CODES[typeWord] !== t) {
      throw this.commandError(cmd, `type ${typeWord}${typeWord < PE_TYPE_CODES.length ? ` (${PE_TYPE_CODES[typeWord]})` : ''} is not supported: this array's peType is ${t} (code ${PE_TYPE_CODES.indexOf(t)})`);
    }
    const outWord = f(op === 'gemm' ? 7 : 13);
    const outFmt = outWord & 0xff;
    const shift = (outWord >>> 8) & 0xff;
    if (outWord >>> 16 !== 0 || outFmt > 2 || shift > 31) throw this.commandError(cmd, `out 0x${outWord.toString(16)}: format (bits 7:0) must be 0 (32-bit), 1 (int8) or 2 (int16), shift (bits 15:8) 0..31, bits 31:16 zero`);
    if (t === 'fp32' && (outFmt !== 0 || shift !== 0)) throw this.commandError(cmd, `out 0x${outWord.toString(16)}: an fp32 array writes binary32 results (format 0, shift 0)`);
    const actB = t === 'int8' ? 1 : t === 'int16' ? 2 : t === 'fp32' ? 4 : p.actBits / 8;
    const wB = t === 'int8' || t === 'lightpe1' ? 1 : t === 'int16' || t === 'lightpe2' ? 2 : 4;
    const outB = outFmt === 0 ? 4 : outFmt === 1 ? 1 : 2;

    let dims: GemmDims;
    let shape: NhwcShape | undefined;
    let geom: ConvGeometry | undefined;
    let job: Job;
    const pos = (name: string, v: number): number => {
      if (v < 1 || v > 0xffff) throw this.commandError(cmd, `${name} = ${v} must be in 1..65535`);
      return v;
    };
    if (op === 'gemm') {
      dims = { M: pos('M', f(3)), N: pos('N', f(4)), K: pos('K', f(5)) };
      job = { op, a: f(0), b: f(1), c: f(2), aBytes: dims.M * dims.K * actB, bBytes: dims.K * dims.N * wB, outFmt, shift };
    } else {
      shape = { n: pos('n', f(3)), h: pos('h', f(4)), w: pos('w', f(5)), c: pos('c', f(6)) };
      const sw = f(10);
      const pw = f(11);
      geom = {
        fh: pos('fh', f(7)), fw: pos('fw', f(8)), cout: pos('cout', f(9)),
        strideH: pos('strideH', sw & 0xffff), strideW: pos('strideW', sw >>> 16),
        padTop: pw & 0xff, padLeft: (pw >>> 8) & 0xff, padBottom: (pw >>> 16) & 0xff, padRight: pw >>> 24,
      };
      try {
        dims = convDims(shape, geom);
      } catch (e) {
        throw this.commandError(cmd, `convolution shape: ${(e as Error).message} (input ${shape.h} x ${shape.w}, filter ${geom.fh} x ${geom.fw}, strides and padding from the descriptor)`);
      }
      job = { op, a: f(0), b: f(1), c: f(2), aBytes: shape.n * shape.h * shape.w * shape.c * actB, bBytes: dims.K * dims.N * wB, outFmt, shift };
    }
    const [an, bn, cn] = op === 'gemm' ? ['A', 'B', 'C'] : ['X', 'W', 'Y'];
    this.checkPlace(cmd, an!, job.a, job.aBytes, this.memWindows);
    const wSock = this.wmemSock !== null && this.inside(this.wmemWindows, job.b, job.bBytes) ? this.wmemSock : mem;
    this.checkPlace(cmd, bn!, job.b, job.bBytes, this.memWindows === undefined ? undefined : [...this.wmemWindows, ...this.memWindows]);
    this.checkPlace(cmd, cn!, job.c, dims.M * dims.N * outB, this.memWindows);

    const aRaw = yield* this.transfer(mem, job.a, new Uint8Array(job.aBytes), false);
    const bRaw = yield* this.transfer(wSock, job.b, new Uint8Array(job.bBytes), false);
    const operands = this.operands(cmd, bn!, aRaw, bRaw);
    const array = { dataflow: p.dataflow, rows: p.rows };
    const result = shape !== undefined && geom !== undefined ? conv2d(operands, shape, geom, array).out : gemm(operands, dims, array);

    const timing = layerTimingFromParams(dims, p);
    const computeStart = this.sim.now;
    if (timing.cycles > 0) yield timing.cycles * this.period;
    this.reports.set(cmd.tag, { op, dims, timing, computeStart, computeEnd: this.sim.now });
    this.count(timing);
    yield* this.transfer(mem, job.c, this.encode(result, outFmt, shift), true);
  }

  /** Adds one layer's energy events and stats. */
  private count(timing: LayerTiming): void {
    const c = timing.compute;
    const n = accessCounts(c);
    this.energy.mac.add(n.macs);
    this.energy.rfRead.add(n.rfReads);
    this.energy.rfWrite.add(n.rfWrites);
    this.energy.glbRead.add(n.glbReads);
    this.energy.glbWrite.add(n.glbWrites);
    const s = this.stats;
    s.macs.add(c.macs);
    s.cycles.add(timing.cycles);
    s.stalls.add(timing.stalls);
    s.folds.add(c.folds);
    s.ifmapReads.add(c.sramIfmapReads);
    s.filterReads.add(c.sramFilterReads);
    s.ofmapWrites.add(c.ofmapWrites);
    s.psumReads.add(c.ofmapReads);
    s.rfReads.add(n.rfReads);
    s.rfWrites.add(n.rfWrites);
  }

  private inside(windows: readonly AddressWindow[], address: number, n: number): boolean {
    return windows.some((w) => address >= w.base && address + n <= w.end);
  }

  /** Alignment to the port width and placement inside a window the port reaches (skipped when the context gives no reach). */
  private checkPlace(cmd: AccelCommand, what: string, address: number, n: number, windows: readonly AddressWindow[] | undefined): void {
    const w = this.wordBytes;
    if (address % w !== 0) throw this.commandError(cmd, `${what} address ${formatAddress(address)} is not a multiple of ${w} B (memWidthBits/8)`);
    if (windows !== undefined && !this.inside(windows, address, n)) {
      const have = windows.map((x) => `${x.target} ${formatAddress(x.base)}..${formatAddress(x.end - 1)}`).join(', ');
      throw this.commandError(cmd, `${what} (${n} B at ${formatAddress(address)}) does not fit in a memory the array reaches (${have === '' ? 'none' : have})`);
    }
  }

  /** Decodes the operands in the array's PE type. */
  private operands(cmd: AccelCommand, bName: string, a: Uint8Array, b: Uint8Array): GemmOperands {
    const p = this.params;
    const t = p.peType;
    const acc = p.accBits !== 0 ? { accBits: p.accBits } : {};
    const av = new DataView(a.buffer, a.byteOffset, a.byteLength);
    const bv = new DataView(b.buffer, b.byteOffset, b.byteLength);
    // a view of the bytes just read (the model only reads its operands): no per-element copy
    const i8 = (d: DataView, n: number): Int8Array => new Int8Array(d.buffer, d.byteOffset, n);
    const i16 = (d: DataView, n: number): Int16Array => Int16Array.from({ length: n }, (_, i) => d.getInt16(2 * i, true));
    switch (t) {
      case 'int8': return { peType: t, ifmap: i8(av, a.length), filter: i8(bv, b.length), ...acc };
      case 'int16': return { peType: t, ifmap: i16(av, a.length / 2), filter: i16(bv, b.length / 2), ...acc };
      case 'fp32': return {
        peType: t,
        ifmap: Float32Array.from({ length: a.length / 4 }, (_, i) => av.getFloat32(4 * i, true)),
        filter: Float32Array.from({ length: b.length / 4 }, (_, i) => bv.getFloat32(4 * i, true)),
      };
      case 'lightpe1':
      case 'lightpe2': {
        const ifmap = p.actBits === 8 ? i8(av, a.length) : i16(av, a.length / 2);
        return { peType: t, ifmap, filter: this.lightWeights(cmd, bName, t, bv), shift: p.lightShift, ...acc };
      }
    }
  }

  /** LightPE weight codes (see the class doc) to {@link LightWeights}. */
  private lightWeights(cmd: AccelCommand, bName: string, kind: 'lightpe1' | 'lightpe2', v: DataView): LightWeights {
    const mMax = this.params.lightMaxShift;
    const n = kind === 'lightpe1' ? v.byteLength : v.byteLength / 2;
    const sign = new Int8Array(n);
    const m1 = new Uint8Array(n);
    const m2 = new Uint8Array(n).fill(NO_SHIFT);
    for (let i = 0; i < n; i++) {
      const code = kind === 'lightpe1' ? v.getUint8(i) : v.getUint16(2 * i, true);
      const bad = (why: string): never => {
        throw this.commandError(cmd, `${bName} element ${i}: ${kind} weight code 0x${code.toString(16)} ${why}`);
      };
      if (kind === 'lightpe1') {
        if (code === 0) continue;
        if ((code & 0x70) !== 0x40) bad('is not a valid code (s0n0mmmm with n = 1, or 0x00)');
        if ((code & 15) > mMax) bad(`has shift ${code & 15} > lightMaxShift ${mMax}`);
        sign[i] = code & 0x80 ? -1 : 1;
        m1[i] = code & 15;
      } else {
        if (code === 0) continue;
        if ((code & 0x3e00) !== 0 || (code & 0x4000) === 0) bad('is not a valid code (bit 14 set, bits 13:9 zero, or 0x0000)');
        const s1 = code & 15;
        const s2 = (code >>> 4) & 15;
        const two = (code & 0x100) !== 0;
        if (s1 > mMax || (two && s2 > mMax)) bad(`has a shift > lightMaxShift ${mMax}`);
        if (two && s2 < s1) bad(`has m2 ${s2} < m1 ${s1}`);
        if (!two && s2 !== 0) bad('has m2 set with the second shifter off');
        sign[i] = code & 0x8000 ? -1 : 1;
        m1[i] = s1;
        if (two) m2[i] = s2;
      }
    }
    return { kind, mMax, sign, m1, m2 };
  }

  /** Results to bytes in the output format. */
  private encode(r: Float64Array, fmt: number, shift: number): Uint8Array {
    const n = r.length;
    const out = new Uint8Array(n * (fmt === 0 ? 4 : fmt === 1 ? 1 : 2));
    const v = new DataView(out.buffer);
    const fp = this.params.peType === 'fp32';
    const div = 2 ** shift;
    for (let i = 0; i < n; i++) {
      const x = r[i]!;
      if (fmt === 0) {
        if (fp) v.setFloat32(4 * i, x, true);
        else v.setInt32(4 * i, x | 0, true);
      } else {
        const q = Math.floor(x / div);
        if (fmt === 1) v.setInt8(i, Math.max(-128, Math.min(127, q)));
        else v.setInt16(2 * i, Math.max(-32768, Math.min(32767, q)), true);
      }
    }
    return out;
  }

  /**
   * Moves `buf.length` bytes at `address` (a multiple of the port width W) through `sock`: the
   * whole W-byte words as one burst, then the rest as naturally aligned pieces of W/2, W/4, ...
   * bytes. Reads fill `buf` and return it.
   */
  private *transfer(sock: InitiatorSocket, address: number, buf: Uint8Array, write: boolean): Generator<Wait, Uint8Array, unknown> {
    const w = this.wordBytes;
    const n = buf.length;
    const pieces: Array<[number, number]> = [];
    const whole = n - (n % w);
    if (whole > 0) pieces.push([0, whole]);
    let off = whole;
    for (let s = w >> 1; s >= 1; s >>= 1) {
      if ((n - off) >= s) {
        pieces.push([off, s]);
        off += s;
      }
    }
    for (const [o, len] of pieces) {
      if (write) yield* this.writeBytes(sock, address + o, buf.subarray(o, o + len));
      else buf.set(yield* this.readBytes(sock, address + o, len), o);
    }
    return buf;
  }
}

/** Builds {@link PeArraySim} instances. */
export const peArraySim: SimFactory<typeof PeArrayDef> = { def: PeArrayDef, create: (ctx) => new PeArraySim(ctx) };
