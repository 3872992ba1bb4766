/** The assembly text builder of the compiler's code generators (cores and accelerator glue). */

/** True when `v` fits a 12-bit signed immediate. */
export const fits12 = (v: number): boolean => v >= -2048 && v <= 2047;

/**
 * Issue cycles per instruction class of the core that will run the code (the `core` kind's
 * timing params: CV32E40P values by default). Used to predict cycles statically: see
 * {@link Asm} and {@link instructionCycles}.
 */
export interface CycleCosts {
  readonly alu: number; readonly mul: number; readonly mulh: number; readonly div: number;
  readonly load: number; readonly store: number; readonly branchTaken: number; readonly branchNotTaken: number;
  readonly jump: number; readonly system: number; readonly simd: number; readonly sync: number; readonly dma: number; readonly accel: number;
  readonly fpuAddMul: number; readonly fpuDivSqrt: number; readonly fpuOther: number;
}

const LOADS = new Set(['lb', 'lbu', 'lh', 'lhu', 'lw', 'flw']);
const STORES = new Set(['sb', 'sh', 'sw', 'fsw']);
const FPU_ADDMUL = new Set(['fadd.s', 'fsub.s', 'fmul.s', 'fmadd.s', 'fmsub.s', 'fnmadd.s', 'fnmsub.s']);

/**
 * Static cycles of one instruction line: its class cost (a pseudo-instruction of `words` words
 * costs `words` ALU operations); a conditional branch to a label already emitted (a loop's back
 * edge) counts as taken, a forward one as not taken. Memory latency beyond the issue cost, bank
 * conflicts, barrier and accelerator waits and the DMA's own time are not included.
 */
export function instructionCycles(c: CycleCosts, text: string, words: number, defined: ReadonlySet<string>): number {
  const [m = '', ...rest] = text.trim().split(/[\s,]+/);
  if (LOADS.has(m)) return c.load;
  if (STORES.has(m)) return c.store;
  if (m === 'mul') return c.mul;
  if (m.startsWith('mulh')) return c.mulh;
  if (m.startsWith('div') || m.startsWith('rem')) return c.div;
  if (m === 'j' || m === 'jal' || m === 'jalr' || m === 'ret' || m === 'call' || m === 'tail') return c.jump;
  if (/^b(eq|ne|lt|ge|ltu|geu|gt|le|gtu|leu|eqz|nez|ltz|gez|gtz|lez)$/.test(m)) return defined.has(rest[rest.length - 1] ?? '') ? c.branchTaken : c.branchNotTaken;
  if (m.startsWith('pv.')) return c.simd;
  if (m.startsWith('sync.')) return c.sync;
  if (m.startsWith('dma.')) return c.dma;
  if (m.startsWith('acc.')) return c.accel;
  if (FPU_ADDMUL.has(m)) return c.fpuAddMul;
  if (m === 'fdiv.s' || m === 'fsqrt.s') return c.fpuDivSqrt;
  if (m.startsWith('f') && m !== 'fence') return c.fpuOther;
  if (m === 'ecall' || m === 'ebreak' || m === 'fence' || m.startsWith('csr')) return c.system;
  return words * c.alu;
}

/**
 * Collects assembly lines and counts the instruction words they encode to (for addresses and
 * size estimates before assembling). Labels from {@link fresh} are unique within the builder and
 * start with the builder's prefix, so several builders' outputs can be concatenated.
 *
 * With `costs`, `n` counts static cycles ({@link instructionCycles}) instead of words: the code
 * generators' instruction predictions, which are sums of `n` differences times trip counts, then
 * predict cycles with the same formulas (their few hand-counted constants stay instructions).
 */
export class Asm {
  readonly lines: string[] = [];
  /** Instruction words emitted so far (static cycles with `costs`). */
  n = 0;
  private labels = 0;
  private readonly prefix: string;
  private readonly costs: CycleCosts | undefined;
  private readonly defined = new Set<string>();
  constructor(prefix = '', costs?: CycleCosts) {
    this.prefix = prefix === '' ? '' : `${prefix}_`;
    this.costs = costs;
  }
  ins(text: string, words = 1): void {
    this.lines.push(`        ${text}`);
    this.n += this.costs === undefined ? words : instructionCycles(this.costs, text, words, this.defined);
  }
  label(name: string): void {
    this.lines.push(`${name}:`);
    this.defined.add(name);
  }
  comment(text: string): void {
    this.lines.push(`        # ${text}`);
  }
  /** A new label `<prefix>_<p>_<n>`. */
  fresh(p: string): string {
    return `${this.prefix}${p}_${this.labels++}`;
  }
  /** `li` with its word count as the assembler expands it (1, or 2 when lui + addi). */
  li(rd: string, v: number): void {
    const x = v | 0;
    this.ins(`li ${rd}, ${x}`, fits12(x) || ((x << 20) >> 20) === 0 ? 1 : 2);
  }
  la(rd: string, addr: number): void {
    this.ins(`la ${rd}, ${addr >>> 0}`, 2);
  }
  /** rd = rs + v (nothing when v is 0 and rd is rs); `tmp` holds v when it does not fit 12 bits. */
  addConst(rd: string, rs: string, v: number, tmp: string): void {
    if (v === 0 && rd === rs) return;
    if (fits12(v)) this.ins(`addi ${rd}, ${rs}, ${v}`);
    else {
      this.li(tmp, v);
      this.ins(`add ${rd}, ${rs}, ${tmp}`);
    }
  }
  /** A load or store `op reg, off(base)`; `tmp` holds the address when `off` does not fit 12 bits. */
  mem(op: string, reg: string, base: string, off: number, tmp: string): void {
    if (fits12(off)) this.ins(`${op} ${reg}, ${off}(${base})`);
    else {
      this.li(tmp, off);
      this.ins(`add ${tmp}, ${base}, ${tmp}`);
      this.ins(`${op} ${reg}, 0(${tmp})`);
    }
  }
}
