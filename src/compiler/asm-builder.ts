/** The assembly text builder of the compiler's code generators (cores and accelerator glue). */

/** True when `v` fits a 12-bit signed immediate. */
export const fits12 = (v: number): boolean => v >= -2048 && v <= 2047;

/**
 * Collects assembly lines and counts the instruction words they encode to (for addresses and
 * size estimates before assembling). Labels from {@link fresh} are unique within the builder and
 * start with the builder's prefix, so several builders' outputs can be concatenated.
 */
export class Asm {
  readonly lines: string[] = [];
  /** Instruction words emitted so far. */
  n = 0;
  private labels = 0;
  private readonly prefix: string;
  constructor(prefix = '') {
    this.prefix = prefix === '' ? '' : `${prefix}_`;
  }
  ins(text: string, words = 1): void {
    this.lines.push(`        ${text}`);
    this.n += words;
  }
  label(name: string): void {
    this.lines.push(`${name}:`);
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
