import { SimError } from '../../util/index.js';
import {
  CSR_NAMES, OPCODES, hexWord, simdExec, tryDecodeInstr, type Instr, type InstrClass, type IsaExtension,
  fpAdd, fpClass, fpCompare, fpDiv, fpFma, fpFromInt, fpMinMax, fpMul, fpSgnj, fpSqrt, fpSub, fpToInt, type FpStatus,
} from '../../isa/index.js';

/**
 * The instruction-set simulator of the core: a pure RV32IM(F) + Xesimd execution engine with a
 * cycle cost per instruction class. It knows nothing about ports, the kernel or time: memory goes
 * through {@link CoreMemory} (which reports latencies in cycles) and the custom DMA, accelerator
 * and synchronization instructions, ECALL and EBREAK go to a {@link CoreEnv}. The platform wiring
 * (`sim.ts`) turns cycles into time and drives {@link Rv32Core.run} from a kernel thread with a
 * quantum keeper.
 */

/**
 * What the core reads and writes. Accesses are naturally aligned (the core checks alignment
 * before calling). An access outside the memory throws (preferably a `SimError`); the core
 * stops and reports it with its own name, the pc, the address and the instruction count.
 */
export interface CoreMemory {
  /** The 32-bit little-endian instruction word at `addr` (4-aligned). Fetch costs no extra cycles. */
  fetch32(addr: number): number;
  /**
   * Loads `bytes` (1, 2 or 4) at `addr`: the value, sign-extended if `signed`, else
   * zero-extended (as a JS number; the core keeps the low 32 bits). Its latency in cycles is
   * read from {@link loadLatency} right after the call (no result object per access).
   */
  load(addr: number, bytes: 1 | 2 | 4, signed: boolean): number;
  /** Latency in cycles of the last {@link load}, beyond the core's own load cost. */
  readonly loadLatency: number;
  /** Stores the low `bytes` (1, 2 or 4) bytes of `value` at `addr`; returns the latency in cycles. */
  store(addr: number, bytes: 1 | 2 | 4, value: number): number;
}

/** {@link CoreEnv} result: the instruction cannot complete yet (a stall on DMA, accelerator, event unit); `run` returns `'wait'` with the pc still at it, and the next `run` executes it again. */
export const ENV_WAIT = -1;
/** {@link CoreEnv} result: the program has finished; the core halts with `exitCode` = a0 and `run` returns `'exit'`. */
export const ENV_EXIT = -2;
/** {@link CoreEnv} result: the instruction completed, but `run` returns `'yield'` right after it (e.g. so that other processes see its effect now). */
export const ENV_YIELD = -3;

/**
 * The platform's side of the instructions the core cannot execute alone. Each method returns a
 * number: `>= 0` means the instruction completed and costs that many extra stall cycles;
 * {@link ENV_WAIT}, {@link ENV_EXIT} or {@link ENV_YIELD} otherwise. Handlers read operands with
 * `core.reg(i)` and write results with `core.setReg(rd, v)`; `core.pc` is the instruction's address.
 */
export interface CoreEnv {
  /** ECALL (a7 holds the call number by convention). */
  ecall(core: Rv32Core): number;
  /** EBREAK. */
  ebreak(core: Rv32Core): number;
  /** An Xedma, Xeacc or Xesync instruction (`instr.op` is e.g. `dma.1d`, `acc.cmd`, `sync.bar`). */
  custom(core: Rv32Core, instr: Instr): number;
}

/**
 * Why {@link Rv32Core.run} returned: `budget` (instruction or cycle budget used up), `exit`
 * (the env ended the program), `ecall`/`ebreak` (no env: the core stopped after the
 * instruction, `run` may continue), `wait` (the env cannot complete the instruction yet),
 * `yield` (the env asked to return), `error` (see {@link Rv32Core.error}; the core is halted).
 */
export type StopReason = 'budget' | 'exit' | 'ecall' | 'ebreak' | 'wait' | 'yield' | 'error';

/** Cycle costs per instruction class; the names and defaults are the core's params (`def.ts`, after CV32E40P). */
export interface CoreCosts {
  readonly aluCycles: number;
  readonly mulCycles: number;
  readonly mulhCycles: number;
  readonly divCycles: number;
  /** `operand`: 3 + clz(divisor) (CV32E40P); `fixed`: {@link divCycles}. */
  readonly divTiming: 'operand' | 'fixed';
  readonly loadCycles: number;
  readonly loadUseStall: number;
  readonly storeCycles: number;
  readonly branchTakenCycles: number;
  readonly branchNotTakenCycles: number;
  readonly jumpCycles: number;
  readonly systemCycles: number;
  readonly dmaCycles: number;
  readonly simdCycles: number;
  readonly syncCycles: number;
  readonly accelCycles: number;
  /** F: fadd.s, fsub.s, fmul.s and the fused multiply-adds (CV32E40P: FPU_ADDMUL_LAT + 1). */
  readonly fpuAddMulCycles: number;
  /** F: fdiv.s, fsqrt.s (CV32E40P: 1..19; the dependent-use worst case by default). */
  readonly fpuDivSqrtCycles: number;
  /** F: compare, convert, classify, sign injection, min/max, moves (CV32E40P: FPU_OTHERS_LAT + 1). */
  readonly fpuOtherCycles: number;
}

/** The defaults of `CoreDef` (CV32E40P): ALU 1, mul 1, mulh 5, div 3 + clz(divisor) (3..35), load 1 (+1 load-use), store 1, branch 3 taken / 1 not, jump 2, others 1. */
export const DEFAULT_CORE_COSTS: CoreCosts = {
  aluCycles: 1, mulCycles: 1, mulhCycles: 5, divCycles: 35, divTiming: 'operand', loadCycles: 1, loadUseStall: 1, storeCycles: 1,
  branchTakenCycles: 3, branchNotTakenCycles: 1, jumpCycles: 2, systemCycles: 1, dmaCycles: 1, simdCycles: 1,
  syncCycles: 1, accelCycles: 1, fpuAddMulCycles: 1, fpuDivSqrtCycles: 19, fpuOtherCycles: 1,
};

/** Instruction classes in the order of {@link Rv32Core.classInstructions} / {@link Rv32Core.classCycles}. */
export const CLASS_ORDER: readonly InstrClass[] = ['alu', 'mul', 'div', 'load', 'store', 'branch', 'jump', 'system', 'dma', 'accel', 'simd', 'sync', 'fpu'];

/** Options of {@link Rv32Core}. */
export interface CoreOptions {
  /** Name used in error messages (the instance path in a platform). Default `core`. */
  readonly name?: string;
  /** Cycle costs; missing entries take {@link DEFAULT_CORE_COSTS}. */
  readonly costs?: Partial<CoreCosts>;
  /** Enabled extensions beyond RV32IM (default the four custom ones; `F` is opt-in and brings the Zicsr instructions for its CSRs); instructions of the others are illegal. */
  readonly extensions?: readonly string[];
  /** Handler of ECALL/EBREAK and the Xedma/Xeacc/Xesync instructions. */
  readonly env?: CoreEnv;
  /** Initial pc (default 0). */
  readonly pc?: number;
}

// Execution ids: 0..47 are the RV32IM rows of OPCODES in table order (checked below), then one
// id for all of Xesimd and one for the env-delegated custom instructions. Literal ids let the
// switch in `run` compile to a jump table.
const BASE_NAMES = [
  'lui', 'auipc', 'jal', 'jalr', 'beq', 'bne', 'blt', 'bge', 'bltu', 'bgeu',
  'lb', 'lh', 'lw', 'lbu', 'lhu', 'sb', 'sh', 'sw',
  'addi', 'slti', 'sltiu', 'xori', 'ori', 'andi', 'slli', 'srli', 'srai',
  'add', 'sub', 'sll', 'slt', 'sltu', 'xor', 'srl', 'sra', 'or', 'and',
  'fence', 'ecall', 'ebreak', 'mul', 'mulh', 'mulhsu', 'mulhu', 'div', 'divu', 'rem', 'remu',
] as const;
const ID_SIMD = 48;
const ID_ENV = 49;
const ID_FLW = 50;
const ID_FSW = 51;
/** pv.mac.b and pv.dot.b, the compiler's inner-loop instructions, executed inline (same semantics as `simdExec`). */
const ID_PV_MAC = 82;
const ID_PV_DOT = 83;
/** F and Zicsr instructions other than flw/fsw: executed by `execFp`, which switches on these ids. */
const FP_IDS: Readonly<Record<string, number>> = {
  'fmadd.s': 52, 'fmsub.s': 53, 'fnmsub.s': 54, 'fnmadd.s': 55, 'fadd.s': 56, 'fsub.s': 57, 'fmul.s': 58, 'fdiv.s': 59,
  'fsqrt.s': 60, 'fsgnj.s': 61, 'fsgnjn.s': 62, 'fsgnjx.s': 63, 'fmin.s': 64, 'fmax.s': 65, 'fcvt.w.s': 66, 'fcvt.wu.s': 67,
  'fmv.x.w': 68, 'feq.s': 69, 'flt.s': 70, 'fle.s': 71, 'fclass.s': 72, 'fcvt.s.w': 73, 'fcvt.s.wu': 74, 'fmv.w.x': 75,
  csrrw: 76, csrrs: 77, csrrc: 78, csrrwi: 79, csrrsi: 80, csrrci: 81,
};
const EXEC_ID: ReadonlyMap<string, number> = (() => {
  const m = new Map<string, number>();
  BASE_NAMES.forEach((n, i) => {
    if (OPCODES[i]?.mnemonic !== n) throw new Error(`core iss: opcode table order changed at ${i} (${n})`);
    m.set(n, i);
  });
  m.set('flw', ID_FLW);
  m.set('fsw', ID_FSW);
  m.set('pv.mac.b', ID_PV_MAC);
  m.set('pv.dot.b', ID_PV_DOT);
  for (const [n, id] of Object.entries(FP_IDS)) m.set(n, id);
  for (const d of OPCODES) {
    if (m.has(d.mnemonic)) continue;
    if (d.ext === 'F' || d.ext === 'Zicsr') throw new Error(`core iss: no execution id for ${d.mnemonic}`);
    m.set(d.mnemonic, d.ext === 'Xesimd' ? ID_SIMD : ID_ENV);
  }
  return m;
})();
/** Hazard id of a source field: integer register n, float register 32 + n, or 0 (none). */
function hazardId(instr: Instr, field: 'rs1' | 'rs2' | 'rs3'): number {
  const ops = instr.def.operands;
  const n = instr[field];
  if (ops.includes(`f${field}`)) return 32 + n;
  if (field === 'rs3') return 0;
  return ops.includes(field) || (field === 'rs1' && ops.includes('mem')) ? n : 0;
}
const CLASS_INDEX: ReadonlyMap<InstrClass, number> = new Map(CLASS_ORDER.map((c, i) => [c, i]));
const CUSTOM_EXTS: readonly IsaExtension[] = ['Xedma', 'Xeacc', 'Xesimd', 'Xesync'];

/** A cached decoded instruction, the unit the core executes. */
class Decoded {
  readonly id: number;
  readonly cls: number;
  readonly rd: number;
  readonly rs1: number;
  readonly rs2: number;
  readonly imm: number;
  /** F: third source (fused multiply-add). */
  readonly rs3: number;
  /** F: rounding-mode field (7 = dyn). */
  readonly rm: number;
  /** Registers read, for the load-use check: integer n or float 32 + n (0 = none); u3 is rd for pv.mac.b/pv.pack.b. */
  readonly u1: number;
  readonly u2: number;
  readonly u3: number;
  readonly instr: Instr;
  constructor(instr: Instr) {
    this.instr = instr;
    this.id = EXEC_ID.get(instr.op)!;
    this.cls = CLASS_INDEX.get(instr.def.cls)!;
    this.rd = instr.rd;
    this.rs1 = instr.rs1;
    this.rs2 = instr.rs2;
    this.rs3 = instr.rs3;
    this.rm = instr.rm;
    this.imm = instr.def.format === 'U' ? (instr.imm << 12) | 0 : instr.imm;
    this.u1 = hazardId(instr, 'rs1');
    this.u2 = hazardId(instr, 'rs2');
    this.u3 = instr.op === 'pv.mac.b' || instr.op === 'pv.pack.b' ? instr.rd : hazardId(instr, 'rs3');
  }
}

/** 16 KiB pages (4096 slots): few page switches (a map lookup each), small per-core arrays. */
const PAGE_SHIFT = 14;
/**
 * Decoded instructions by instruction word, shared by every core (a {@link Decoded} depends on
 * the word only and is never changed): the cores of a cluster running one program, and the
 * platform instances of successive inferences, decode each word once and share the objects
 * (fewer cache misses). Each core still checks its own extensions and keeps its own per-address
 * pages (and invalidation). Cleared when it holds {@link DECODED_MAX} words.
 */
const DECODED = new Map<number, Decoded>();
const DECODED_MAX = 1 << 16;
const PAGE_WORDS = 1 << (PAGE_SHIFT - 2);
type Page = (Decoded | undefined)[];

/** High 32 bits of the unsigned 64-bit product of two uint32 (exact, no BigInt). */
function mulhu(a: number, b: number): number {
  const a0 = a & 0xffff, a1 = a >>> 16, b0 = b & 0xffff, b1 = b >>> 16;
  const m1 = a1 * b0, m2 = a0 * b1;
  const mid = ((a0 * b0) >>> 16) + (m1 & 0xffff) + (m2 & 0xffff);
  return (a1 * b1 + (m1 >>> 16) + (m2 >>> 16) + (mid >>> 16)) | 0;
}

const hex = (a: number): string => `0x${(a >>> 0).toString(16).padStart(8, '0')}`;

/**
 * An RV32IM core with the edgesim Xesimd SIMD instructions executed locally and the Xedma,
 * Xeacc and Xesync instructions, ECALL and EBREAK delegated to a {@link CoreEnv}.
 *
 * Decoded instructions are cached per address (4 KiB pages of decoded slots); a store through
 * the core to a cached address drops that entry. Code written by anyone else (DMA, another
 * core, a loader) must be announced with {@link invalidate}.
 *
 * Cycle model: each instruction costs its class's cycles ({@link CoreCosts}): taken and not-taken
 * branches differ, mulh* cost `mulhCycles`, loads and stores add the memory's latency, and an
 * instruction reading the register loaded by the instruction just before it stalls
 * `loadUseStall` cycles. Memory latency, load-use stalls and env stall cycles are counted in
 * {@link stallCycles}; everything in {@link cycles}.
 */
export class Rv32Core implements FpStatus {
  /** Name used in messages. */
  readonly name: string;
  /** Cycle costs in use. */
  readonly costs: CoreCosts;
  /** Registers x0..x31 (signed 32-bit); x0 reads 0 (writes are discarded after each instruction). */
  readonly x = new Int32Array(32);
  /** F: float registers f0..f31 as IEEE 754 binary32 BITS (the architectural state; NaN payloads are kept). */
  readonly f = new Int32Array(32);
  /** F: dynamic rounding mode (CSR frm, 3 bits). */
  frm = 0;
  /** F: accrued exception flags (CSR fflags: NV 16, DZ 8, OF 4, UF 2, NX 1). */
  fflags = 0;
  /** Address of the next instruction to execute. */
  pc: number;
  /** Retired instructions. */
  instructions = 0;
  /** All cycles: class costs plus stalls. */
  cycles = 0;
  /** Cycles waiting: memory latency, load-use stalls, env-reported stalls. */
  stallCycles = 0;
  /** Retired instructions per class, indexed as {@link CLASS_ORDER}. */
  readonly classInstructions = new Float64Array(CLASS_ORDER.length);
  /** Cycles per class (including that class's stalls), indexed as {@link CLASS_ORDER}. */
  readonly classCycles = new Float64Array(CLASS_ORDER.length);
  /** The error that halted the core, if any. */
  error: SimError | undefined = undefined;
  /** a0 when the env ended the program with {@link ENV_EXIT}. */
  exitCode: number | undefined = undefined;

  private readonly mem: CoreMemory;
  private readonly env: CoreEnv | undefined;
  private readonly enabled: ReadonlySet<string>;
  private readonly pages = new Map<number, Page>();
  private codeLo = 0xffffffff;
  private codeHi = 0;
  private lastPageNo = -1;
  private lastPage: Page = [];
  /** Register written by the last instruction if it was a load (0 if none). */
  private loadRd = 0;
  private halted: StopReason | undefined = undefined;

  constructor(mem: CoreMemory, opts: CoreOptions = {}) {
    this.mem = mem;
    this.name = opts.name ?? 'core';
    this.costs = { ...DEFAULT_CORE_COSTS, ...opts.costs };
    this.env = opts.env;
    this.enabled = new Set(opts.extensions ?? CUSTOM_EXTS);
    this.pc = (opts.pc ?? 0) >>> 0;
  }

  /** Register `i` (x0 = 0). */
  reg(i: number): number {
    return i === 0 ? 0 : this.x[i]!;
  }

  /** Writes register `i` (ignored for x0). */
  setReg(i: number, v: number): void {
    if (i !== 0) this.x[i] = v;
  }

  /** Float register `i` as bits (int32). */
  freg(i: number): number {
    return this.f[i]!;
  }

  /** Writes float register `i` (bits). */
  setFreg(i: number, bits: number): void {
    this.f[i] = bits;
  }

  /** True once the core has exited or stopped on an error. */
  get isHalted(): boolean {
    return this.halted !== undefined;
  }

  /** Restarts at `pc` with cleared registers and counters (the decode cache is kept). */
  reset(pc: number): void {
    this.x.fill(0);
    this.f.fill(0);
    this.frm = 0;
    this.fflags = 0;
    this.pc = pc >>> 0;
    this.instructions = 0;
    this.cycles = 0;
    this.stallCycles = 0;
    this.classInstructions.fill(0);
    this.classCycles.fill(0);
    this.error = undefined;
    this.exitCode = undefined;
    this.loadRd = 0;
    this.halted = undefined;
  }

  /** Drops cached decodings of `[addr, addr + bytes)`; call after code was written other than by this core's stores. */
  invalidate(addr: number, bytes: number): void {
    if (bytes <= 0) return;
    const lo = (addr >>> 0) & ~3;
    const hi = Math.min((addr >>> 0) + bytes, 2 ** 32);
    if (hi <= this.codeLo || lo >= this.codeHi) return;
    for (let a = lo; a < hi; a += 4) {
      const page = this.pages.get(a >>> PAGE_SHIFT);
      if (page !== undefined) page[(a >>> 2) & (PAGE_WORDS - 1)] = undefined;
    }
  }

  /** Number of instructions currently held decoded. */
  get cachedInstructions(): number {
    let n = 0;
    for (const p of this.pages.values()) for (const d of p) if (d !== undefined) n++;
    return n;
  }

  /** Per-class instruction and cycle counts, as a record (for reports). */
  classStats(): Record<InstrClass, { instructions: number; cycles: number }> {
    const out = {} as Record<InstrClass, { instructions: number; cycles: number }>;
    CLASS_ORDER.forEach((c, i) => { out[c] = { instructions: this.classInstructions[i]!, cycles: this.classCycles[i]! }; });
    return out;
  }

  /**
   * Executes up to `maxInstructions` instructions, and stops early once {@link cycles} reaches
   * `untilCycle` (checked after each instruction, so a quantum keeper can bound local time).
   * Returns why it stopped; on `'error'` the SimError is in {@link error} and the core stays halted.
   */
  run(maxInstructions: number, untilCycle = Infinity): StopReason {
    if (this.halted !== undefined) return this.halted;
    const x = this.x;
    const mem = this.mem;
    const k = this.costs;
    const divOperand = k.divTiming === 'operand';
    // the costs read on every instruction, as locals (the costs object never changes)
    const aluC = k.aluCycles, loadC = k.loadCycles, storeC = k.storeCycles, simdC = k.simdCycles, loadUse = k.loadUseStall;
    const cInstr = this.classInstructions;
    const cCyc = this.classCycles;
    let pc = this.pc;
    let d: Decoded | undefined;
    let n = 0;
    let reason: StopReason = 'budget';
    let loadRd = this.loadRd; // written back when run returns
    let page = this.lastPage;
    let pageNo = this.lastPageNo;
    try {
      while (n < maxInstructions && this.cycles < untilCycle) {
        // fetch + decode (cached)
        const pn = pc >>> PAGE_SHIFT;
        if (pn !== pageNo) {
          let p = this.pages.get(pn);
          if (p === undefined) { p = new Array<Decoded | undefined>(PAGE_WORDS).fill(undefined); this.pages.set(pn, p); }
          this.lastPage = page = p;
          this.lastPageNo = pageNo = pn;
        }
        d = page[(pc >>> 2) & (PAGE_WORDS - 1)];
        if (d === undefined) d = this.decodeAt(pc, page);

        let c: number;
        let stall = 0;
        if (loadRd !== 0) {
          if (d.u1 === loadRd || d.u2 === loadRd || d.u3 === loadRd) stall = loadUse;
          loadRd = 0;
        }
        let next = (pc + 4) >>> 0;
        const rd = d.rd;
        switch (d.id) {
          case 0: x[rd] = d.imm; c = aluC; break; // lui
          case 1: x[rd] = pc + d.imm; c = aluC; break; // auipc
          case 2: { // jal
            const t = (pc + d.imm) >>> 0;
            if ((t & 3) !== 0) throw this.misalignedJump(pc, t);
            x[rd] = next; next = t; c = k.jumpCycles; break;
          }
          case 3: { // jalr
            const t = ((x[d.rs1]! + d.imm) & ~1) >>> 0;
            if ((t & 3) !== 0) throw this.misalignedJump(pc, t);
            x[rd] = next; next = t; c = k.jumpCycles; break;
          }
          case 4: c = this.branch(x[d.rs1] === x[d.rs2], pc, d); if (c < 0) { next = (pc + d.imm) >>> 0; c = -c; } break; // beq
          case 5: c = this.branch(x[d.rs1] !== x[d.rs2], pc, d); if (c < 0) { next = (pc + d.imm) >>> 0; c = -c; } break; // bne
          case 6: c = this.branch(x[d.rs1]! < x[d.rs2]!, pc, d); if (c < 0) { next = (pc + d.imm) >>> 0; c = -c; } break; // blt
          case 7: c = this.branch(x[d.rs1]! >= x[d.rs2]!, pc, d); if (c < 0) { next = (pc + d.imm) >>> 0; c = -c; } break; // bge
          case 8: c = this.branch(x[d.rs1]! >>> 0 < x[d.rs2]! >>> 0, pc, d); if (c < 0) { next = (pc + d.imm) >>> 0; c = -c; } break; // bltu
          case 9: c = this.branch(x[d.rs1]! >>> 0 >= x[d.rs2]! >>> 0, pc, d); if (c < 0) { next = (pc + d.imm) >>> 0; c = -c; } break; // bgeu
          case 10: case 11: case 12: case 13: case 14: { // lb lh lw lbu lhu
            const a = (x[d.rs1]! + d.imm) >>> 0;
            const id = d.id;
            const bytes = id === 12 ? 4 : id === 11 || id === 14 ? 2 : 1;
            if ((a & (bytes - 1)) !== 0) throw this.misaligned(pc, d, a);
            x[rd] = mem.load(a, bytes, id <= 12);
            const lat = mem.loadLatency;
            stall += lat;
            c = loadC;
            loadRd = rd;
            break;
          }
          case 15: case 16: case 17: { // sb sh sw
            const a = (x[d.rs1]! + d.imm) >>> 0;
            const bytes = d.id === 17 ? 4 : d.id === 16 ? 2 : 1;
            if ((a & (bytes - 1)) !== 0) throw this.misaligned(pc, d, a);
            stall += mem.store(a, bytes, x[d.rs2]!);
            if (a < this.codeHi && a >= this.codeLo) this.invalidate(a, bytes);
            c = storeC;
            break;
          }
          case 18: x[rd] = x[d.rs1]! + d.imm; c = aluC; break; // addi
          case 19: x[rd] = x[d.rs1]! < d.imm ? 1 : 0; c = aluC; break; // slti
          case 20: x[rd] = x[d.rs1]! >>> 0 < d.imm >>> 0 ? 1 : 0; c = aluC; break; // sltiu
          case 21: x[rd] = x[d.rs1]! ^ d.imm; c = aluC; break; // xori
          case 22: x[rd] = x[d.rs1]! | d.imm; c = aluC; break; // ori
          case 23: x[rd] = x[d.rs1]! & d.imm; c = aluC; break; // andi
          case 24: x[rd] = x[d.rs1]! << d.imm; c = aluC; break; // slli
          case 25: x[rd] = x[d.rs1]! >>> d.imm; c = aluC; break; // srli
          case 26: x[rd] = x[d.rs1]! >> d.imm; c = aluC; break; // srai
          case 27: x[rd] = x[d.rs1]! + x[d.rs2]!; c = aluC; break; // add
          case 28: x[rd] = x[d.rs1]! - x[d.rs2]!; c = aluC; break; // sub
          case 29: x[rd] = x[d.rs1]! << x[d.rs2]!; c = aluC; break; // sll (JS masks the count to 5 bits)
          case 30: x[rd] = x[d.rs1]! < x[d.rs2]! ? 1 : 0; c = aluC; break; // slt
          case 31: x[rd] = x[d.rs1]! >>> 0 < x[d.rs2]! >>> 0 ? 1 : 0; c = aluC; break; // sltu
          case 32: x[rd] = x[d.rs1]! ^ x[d.rs2]!; c = aluC; break; // xor
          case 33: x[rd] = x[d.rs1]! >>> x[d.rs2]!; c = aluC; break; // srl
          case 34: x[rd] = x[d.rs1]! >> x[d.rs2]!; c = aluC; break; // sra
          case 35: x[rd] = x[d.rs1]! | x[d.rs2]!; c = aluC; break; // or
          case 36: x[rd] = x[d.rs1]! & x[d.rs2]!; c = aluC; break; // and
          case 37: c = k.systemCycles; break; // fence: sequentially consistent memories, timed only
          case 38: case 39: { // ecall, ebreak
            c = k.systemCycles;
            const env = this.env;
            if (env === undefined) { reason = d.id === 38 ? 'ecall' : 'ebreak'; break; }
            this.pc = pc;
            const r = d.id === 38 ? env.ecall(this) : env.ebreak(this);
            if (r >= 0) stall += r;
            else if (r === ENV_WAIT) { reason = 'wait'; n = -1; } // not retired; see below
            else if (r === ENV_EXIT) { reason = 'exit'; this.exitCode = x[10]!; }
            else reason = 'yield';
            break;
          }
          case 40: x[rd] = Math.imul(x[d.rs1]!, x[d.rs2]!); c = k.mulCycles; break; // mul
          case 41: { // mulh
            const a = x[d.rs1]!, b = x[d.rs2]!;
            x[rd] = mulhu(a >>> 0, b >>> 0) - (a < 0 ? b : 0) - (b < 0 ? a : 0);
            c = k.mulhCycles; break;
          }
          case 42: { // mulhsu
            const a = x[d.rs1]!, b = x[d.rs2]!;
            x[rd] = mulhu(a >>> 0, b >>> 0) - (a < 0 ? b : 0);
            c = k.mulhCycles; break;
          }
          case 43: x[rd] = mulhu(x[d.rs1]! >>> 0, x[d.rs2]! >>> 0); c = k.mulhCycles; break; // mulhu
          case 44: { // div
            const a = x[d.rs1]!, b = x[d.rs2]!;
            x[rd] = b === 0 ? -1 : b === -1 ? -a : a / b; // -(-2^31) wraps to -2^31; Int32Array truncates toward zero
            c = divOperand ? 3 + Math.clz32(b < 0 ? -b : b) : k.divCycles; break;
          }
          case 45: { const b = x[d.rs2]! >>> 0; x[rd] = b === 0 ? -1 : (x[d.rs1]! >>> 0) / b; c = divOperand ? 3 + Math.clz32(b) : k.divCycles; break; } // divu
          case 46: { const a = x[d.rs1]!, b = x[d.rs2]!; x[rd] = b === 0 ? a : b === -1 ? 0 : a % b; c = divOperand ? 3 + Math.clz32(b < 0 ? -b : b) : k.divCycles; break; } // rem
          case 47: { const b = x[d.rs2]! >>> 0; x[rd] = b === 0 ? x[d.rs1]! : (x[d.rs1]! >>> 0) % b; c = divOperand ? 3 + Math.clz32(b) : k.divCycles; break; } // remu
          case ID_SIMD: x[rd] = simdExec(d.instr.op, x[d.rs1]!, x[d.rs2]!, x[rd]!); c = simdC; break;
          case ID_PV_MAC:
          case ID_PV_DOT: {
            // sum of the four signed int8 lane products (docs/ISA.md), plus rd for pv.mac.b
            const a = x[d.rs1]!, b = x[d.rs2]!;
            const s4 = ((a << 24) >> 24) * ((b << 24) >> 24) + ((a << 16) >> 24) * ((b << 16) >> 24)
              + ((a << 8) >> 24) * ((b << 8) >> 24) + (a >> 24) * (b >> 24);
            x[rd] = d.id === ID_PV_MAC ? (x[rd]! + s4) | 0 : s4 | 0;
            c = simdC;
            break;
          }
          case ID_FLW: {
            const a = (x[d.rs1]! + d.imm) >>> 0;
            if ((a & 3) !== 0) throw this.misaligned(pc, d, a);
            this.f[rd] = mem.load(a, 4, true);
            stall += mem.loadLatency;
            c = loadC;
            loadRd = 32 + rd;
            break;
          }
          case ID_FSW: {
            const a = (x[d.rs1]! + d.imm) >>> 0;
            if ((a & 3) !== 0) throw this.misaligned(pc, d, a);
            stall += mem.store(a, 4, this.f[d.rs2]!);
            if (a < this.codeHi && a >= this.codeLo) this.invalidate(a, 4);
            c = storeC;
            break;
          }
          case ID_ENV: { // Xedma / Xeacc / Xesync
            const cls = d.instr.def.cls;
            c = cls === 'dma' ? k.dmaCycles : cls === 'accel' ? k.accelCycles : k.syncCycles;
            const env = this.env;
            if (env === undefined) {
              throw new SimError('no-core-env', `${this.where(pc)}: ${d.instr.op} needs the platform (no CoreEnv attached to the core)`, { path: this.name });
            }
            this.pc = pc;
            const r = env.custom(this, d.instr);
            if (r >= 0) stall += r;
            else if (r === ENV_WAIT) { reason = 'wait'; n = -1; }
            else if (r === ENV_EXIT) { reason = 'exit'; this.exitCode = x[10]!; }
            else reason = 'yield';
            break;
          }
          default: c = this.execFp(d, pc); break; // F and Zicsr
        }
        x[0] = 0;
        if (n < 0) { n = 0; break; } // env wait: the instruction did not retire; pc stays
        pc = next;
        n++;
        const total = c + stall;
        this.instructions++;
        this.cycles += total;
        this.stallCycles += stall;
        cInstr[d.cls]!++;
        cCyc[d.cls]! += total;
        if (reason !== 'budget') {
          if (reason === 'exit') this.halted = 'exit';
          break;
        }
      }
    } catch (e) {
      reason = 'error';
      this.error = this.wrapError(e, pc, d);
      this.halted = 'error';
    }
    this.pc = pc;
    this.loadRd = loadRd;
    return reason;
  }

  // ---- internals ----

  /** The rounding mode to use: the static rm, or frm for dyn (an invalid frm is an illegal instruction). */
  private roundingMode(d: Decoded, pc: number): number {
    const rm = d.rm === 7 ? this.frm : d.rm;
    if (rm > 4) throw new SimError('illegal-instruction', `${this.where(pc)}: ${d.instr.op} with dynamic rounding mode but frm = ${rm}, which is reserved`, { path: this.name });
    return rm;
  }

  /** Executes an F (other than flw/fsw) or Zicsr instruction; returns its cycles. */
  private execFp(d: Decoded, pc: number): number {
    const x = this.x;
    const f = this.f;
    const k = this.costs;
    const a = f[d.rs1]!, b = f[d.rs2]!;
    const rd = d.rd;
    switch (d.id) {
      case 52: case 53: case 54: case 55: // fmadd fmsub fnmsub fnmadd
        f[rd] = fpFma(a, b, f[d.rs3]!, d.id >= 54, d.id === 53 || d.id === 55, this.roundingMode(d, pc), this);
        return k.fpuAddMulCycles;
      case 56: f[rd] = fpAdd(a, b, this.roundingMode(d, pc), this); return k.fpuAddMulCycles;
      case 57: f[rd] = fpSub(a, b, this.roundingMode(d, pc), this); return k.fpuAddMulCycles;
      case 58: f[rd] = fpMul(a, b, this.roundingMode(d, pc), this); return k.fpuAddMulCycles;
      case 59: f[rd] = fpDiv(a, b, this.roundingMode(d, pc), this); return k.fpuDivSqrtCycles;
      case 60: f[rd] = fpSqrt(a, this.roundingMode(d, pc), this); return k.fpuDivSqrtCycles;
      case 61: case 62: case 63: f[rd] = fpSgnj(a, b, d.id - 61); return k.fpuOtherCycles;
      case 64: case 65: f[rd] = fpMinMax(a, b, d.id === 65, this); return k.fpuOtherCycles;
      case 66: case 67: x[rd] = fpToInt(a, d.id === 67, this.roundingMode(d, pc), this); return k.fpuOtherCycles;
      case 68: x[rd] = a; return k.fpuOtherCycles; // fmv.x.w
      case 69: case 70: case 71: x[rd] = fpCompare(a, b, 71 - d.id, this); return k.fpuOtherCycles; // feq flt fle
      case 72: x[rd] = fpClass(a); return k.fpuOtherCycles;
      case 73: case 74: f[rd] = fpFromInt(x[d.rs1]!, d.id === 74, this.roundingMode(d, pc), this); return k.fpuOtherCycles;
      case 75: f[rd] = x[d.rs1]!; return k.fpuOtherCycles; // fmv.w.x
      default: { // csrrw csrrs csrrc csrrwi csrrsi csrrci
        const csr = d.imm;
        if (!this.enabled.has('F') || CSR_NAMES[csr] === undefined) {
          throw new SimError('illegal-instruction', `${this.where(pc)}: ${d.instr.op} of CSR 0x${csr.toString(16).padStart(3, '0')}: ${CSR_NAMES[csr] === undefined ? 'this CSR is not implemented (edgesim implements only the F CSRs fflags, frm, fcsr)' : `${CSR_NAMES[csr]} needs the F extension, which this core does not implement`}`, { path: this.name });
        }
        const op = (d.id - 76) % 3; // 0 write, 1 set, 2 clear
        const src = d.id >= 79 ? d.rs1 : x[d.rs1]!;
        const old = csr === 1 ? this.fflags : csr === 2 ? this.frm : (this.frm << 5) | this.fflags;
        const write = op === 0 || d.rs1 !== 0;
        if (write) {
          const v = op === 0 ? src : op === 1 ? old | src : old & ~src;
          if (csr === 1) this.fflags = v & 0x1f;
          else if (csr === 2) this.frm = v & 7;
          else { this.fflags = v & 0x1f; this.frm = (v >>> 5) & 7; }
        }
        x[rd] = old;
        return k.systemCycles;
      }
    }
  }

  /** Returns the cost, negated when the branch is taken (after checking the target). */
  private branch(taken: boolean, pc: number, d: Decoded): number {
    if (!taken) return this.costs.branchNotTakenCycles;
    const t = (pc + d.imm) >>> 0;
    if ((t & 3) !== 0) throw this.misalignedJump(pc, t);
    return -this.costs.branchTakenCycles;
  }

  private decodeAt(pc: number, page: Page): Decoded {
    if ((pc & 3) !== 0) throw new SimError('misaligned-fetch', `${this.where(pc)}: instruction address is not 4-byte aligned`, { path: this.name });
    const w = this.mem.fetch32(pc) >>> 0;
    let d = DECODED.get(w);
    if (d === undefined) {
      const r = tryDecodeInstr(w);
      if (!r.ok) throw new SimError('illegal-instruction', `${this.where(pc)}: ${r.error.message}`, { path: this.name });
      d = new Decoded(r.instr);
      if (DECODED.size >= DECODED_MAX) DECODED.clear();
      DECODED.set(w, d);
    }
    const ext = d.instr.def.ext;
    if (ext !== 'RV32I' && ext !== 'RV32M' && ext !== 'Zicsr' && !this.enabled.has(ext)) {
      throw new SimError('illegal-instruction', `${this.where(pc)}: illegal instruction ${hexWord(w)}: ${d.instr.op} belongs to ${ext}, which this core does not implement (extensions: ${[...this.enabled].join(', ') || 'none'})`, { path: this.name });
    }
    page[(pc >>> 2) & (PAGE_WORDS - 1)] = d;
    if (pc < this.codeLo) this.codeLo = pc;
    if (pc + 4 > this.codeHi) this.codeHi = pc + 4;
    return d;
  }

  private where(pc: number): string {
    return `core '${this.name}' at pc ${hex(pc)} after ${this.instructions} instructions`;
  }

  private misaligned(pc: number, d: Decoded, a: number): SimError {
    const bytes = d.id === ID_FLW || d.id === ID_FSW ? 4 : d.id >= 15 ? (d.id === 17 ? 4 : d.id === 16 ? 2 : 1) : d.id === 12 ? 4 : d.id === 11 || d.id === 14 ? 2 : 1;
    return new SimError('misaligned-access', `${this.where(pc)}: misaligned ${d.instr.op} at address ${hex(a)} (needs ${bytes}-byte alignment)`, { path: this.name });
  }

  private misalignedJump(pc: number, target: number): SimError {
    return new SimError('misaligned-jump', `${this.where(pc)}: jump or branch target ${hex(target)} is not 4-byte aligned`, { path: this.name });
  }

  private wrapError(e: unknown, pc: number, d: Decoded | undefined): SimError {
    if (e instanceof SimError && e.path === this.name) return e;
    const code = e instanceof SimError ? e.code : 'core-memory-error';
    const msg = e instanceof Error ? e.message : String(e);
    let what = `fetching at ${hex(pc)}`;
    if (d !== undefined && d.instr.def.cls === 'load') what = `${d.instr.op} from address ${hex(this.x[d.rs1]! + d.imm)}`;
    else if (d !== undefined && d.instr.def.cls === 'store') what = `${d.instr.op} to address ${hex(this.x[d.rs1]! + d.imm)}`;
    else if (d !== undefined) what = `${d.instr.op}`;
    return new SimError(code, `${this.where(pc)}: ${what}: ${msg}`, { path: this.name, cause: e });
  }
}
