import { SimError } from '../util/index.js';
import {
  ABI_NAMES, CSR_NAMES, FP_ABI_NAMES, fpRegisterNumber, OPCODES, opcodeDef, registerNumber, ROUNDING_MODES, type OpcodeDef, type OperandKind,
} from './opcodes.js';
import { encodeInstr, IMM_RANGE } from './encode.js';
import type { Instr } from './instr.js';

/** One assembler problem, located at 1-based line:column, with a suggested fix. */
export interface AsmDiagnostic {
  /** Stable kebab-case code, e.g. `unknown-mnemonic`, `imm-range`, `bad-register`. */
  readonly code: string;
  readonly line: number;
  readonly column: number;
  readonly message: string;
  readonly fix?: string;
}

/** Output of {@link assemble}. */
export interface AsmResult {
  /** True when there are no diagnostics. */
  readonly ok: boolean;
  /** The program, one 32-bit word per instruction (unsigned). */
  readonly words: readonly number[];
  /** 1-based source line of each word. */
  readonly lines: readonly number[];
  /** Label addresses. */
  readonly symbols: ReadonlyMap<string, number>;
  readonly diagnostics: readonly AsmDiagnostic[];
  /** Address of the first word. */
  readonly origin: number;
}

/** Assembler options. */
export interface AsmOptions {
  /** Address of the first word (default 0); labels and `.` are absolute. */
  readonly origin?: number;
}

interface Operand { readonly text: string; readonly col: number }
interface Stmt { readonly line: number; readonly col: number; readonly name: string; readonly ops: readonly Operand[]; readonly addr: number; readonly size: number }

/** Pseudo-instructions and their expansions (documented in docs/ISA.md). */
export const PSEUDOS: readonly { readonly name: string; readonly syntax: string; readonly expansion: string }[] = [
  { name: 'nop', syntax: 'nop', expansion: 'addi zero, zero, 0' },
  { name: 'li', syntax: 'li rd, imm32', expansion: 'addi rd, zero, imm if -2048 <= imm <= 2047; else lui rd, %hi(imm) then addi rd, rd, %lo(imm) unless %lo(imm) is 0' },
  { name: 'mv', syntax: 'mv rd, rs', expansion: 'addi rd, rs, 0' },
  { name: 'not', syntax: 'not rd, rs', expansion: 'xori rd, rs, -1' },
  { name: 'neg', syntax: 'neg rd, rs', expansion: 'sub rd, zero, rs' },
  { name: 'seqz', syntax: 'seqz rd, rs', expansion: 'sltiu rd, rs, 1' },
  { name: 'snez', syntax: 'snez rd, rs', expansion: 'sltu rd, zero, rs' },
  { name: 'j', syntax: 'j target', expansion: 'jal zero, target' },
  { name: 'jal', syntax: 'jal target', expansion: 'jal ra, target' },
  { name: 'jr', syntax: 'jr rs', expansion: 'jalr zero, 0(rs)' },
  { name: 'jalr', syntax: 'jalr rs', expansion: 'jalr ra, 0(rs)' },
  { name: 'ret', syntax: 'ret', expansion: 'jalr zero, 0(ra)' },
  { name: 'beqz', syntax: 'beqz rs, target', expansion: 'beq rs, zero, target' },
  { name: 'bnez', syntax: 'bnez rs, target', expansion: 'bne rs, zero, target' },
  { name: 'blez', syntax: 'blez rs, target', expansion: 'bge zero, rs, target' },
  { name: 'bgez', syntax: 'bgez rs, target', expansion: 'bge rs, zero, target' },
  { name: 'bltz', syntax: 'bltz rs, target', expansion: 'blt rs, zero, target' },
  { name: 'bgtz', syntax: 'bgtz rs, target', expansion: 'blt zero, rs, target' },
  { name: 'bgt', syntax: 'bgt rs, rt, target', expansion: 'blt rt, rs, target' },
  { name: 'ble', syntax: 'ble rs, rt, target', expansion: 'bge rt, rs, target' },
  { name: 'bgtu', syntax: 'bgtu rs, rt, target', expansion: 'bltu rt, rs, target' },
  { name: 'bleu', syntax: 'bleu rs, rt, target', expansion: 'bgeu rt, rs, target' },
  { name: 'fence', syntax: 'fence', expansion: 'fence iorw, iorw' },
  { name: 'la', syntax: 'la rd, symbol', expansion: 'lui rd, %hi(symbol) then addi rd, rd, %lo(symbol) (always two words; absolute, no PIC)' },
  { name: 'call', syntax: 'call target', expansion: 'auipc ra, hi then jalr ra, lo(ra), with hi/lo the pc-relative offset split so that hi << 12 + lo = target - pc (reaches +-2 GiB)' },
  { name: 'tail', syntax: 'tail target', expansion: 'auipc t1, hi then jalr zero, lo(t1) (a call that does not return here)' },
  { name: 'fmv.s', syntax: 'fmv.s frd, frs', expansion: 'fsgnj.s frd, frs, frs' },
  { name: 'fneg.s', syntax: 'fneg.s frd, frs', expansion: 'fsgnjn.s frd, frs, frs' },
  { name: 'fabs.s', syntax: 'fabs.s frd, frs', expansion: 'fsgnjx.s frd, frs, frs' },
  { name: 'csrr', syntax: 'csrr rd, csr', expansion: 'csrrs rd, csr, zero' },
  { name: 'csrw', syntax: 'csrw csr, rs', expansion: 'csrrw zero, csr, rs' },
  { name: 'frcsr', syntax: 'frcsr rd', expansion: 'csrrs rd, fcsr, zero' },
  { name: 'fscsr', syntax: 'fscsr rs', expansion: 'csrrw zero, fcsr, rs' },
  { name: 'frrm', syntax: 'frrm rd', expansion: 'csrrs rd, frm, zero' },
  { name: 'fsrm', syntax: 'fsrm rs', expansion: 'csrrw zero, frm, rs' },
  { name: 'frflags', syntax: 'frflags rd', expansion: 'csrrs rd, fflags, zero' },
  { name: 'fsflags', syntax: 'fsflags rs', expansion: 'csrrw zero, fflags, rs' },
];

const DIRECTIVES = ['.word', '.text', '.globl', '.global', '.align', '.p2align', '.space', '.zero', '.equ', '.set'];
const NO_OUTPUT = new Set(['.text', '.globl', '.global', '.equ', '.set']);
const ALL_NAMES = [...new Set([...OPCODES.map((d) => d.mnemonic), ...PSEUDOS.map((p) => p.name), ...DIRECTIVES])];

/** Edit distance, for "did you mean". */
function distance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur.push(Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1)));
    }
    prev = cur;
  }
  return prev[b.length]!;
}

/** The closest candidate within edit distance 2 (ties: first), or undefined. */
function didYouMean(word: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestD = 3;
  for (const c of candidates) {
    const d = distance(word.toLowerCase(), c.toLowerCase());
    if (d < bestD) { best = c; bestD = d; }
  }
  return best;
}

/** Thrown inside the assembler for one operand; turned into a diagnostic. */
class OperandError {
  readonly code: string;
  readonly message: string;
  readonly fix: string | undefined;
  readonly col: number;
  constructor(code: string, message: string, fix: string | undefined, col: number) {
    this.code = code;
    this.message = message;
    this.fix = fix;
    this.col = col;
  }
}

const INT_RE = /^([+-]?)(0x[0-9a-f]+|0b[01]+|[0-9]+)$/i;

function parseInt32(text: string): number | undefined {
  const m = INT_RE.exec(text.replace(/_/g, ''));
  if (!m) return undefined;
  const body = m[2]!.toLowerCase();
  const v = body.startsWith('0b') ? parseInt(body.slice(2), 2) : Number(body);
  return m[1] === '-' ? -v : v;
}

const hi20 = (v: number): number => ((v + 0x800) >>> 12) & 0xfffff;
const lo12 = (v: number): number => (v << 20) >> 20;

const SETS = 'iorw';

function splitOperands(text: string, col0: number): Operand[] {
  if (text.trim() === '') return [];
  const out: Operand[] = [];
  let start = 0;
  let depth = 0;
  for (let i = 0; i <= text.length; i++) {
    const c = text[i];
    if (c === '(') depth++;
    else if (c === ')') depth--;
    if (i === text.length || (c === ',' && depth === 0)) {
      const raw = text.slice(start, i);
      const lead = raw.length - raw.trimStart().length;
      out.push({ text: raw.trim(), col: col0 + start + lead });
      start = i + 1;
    }
  }
  return out;
}

/**
 * Assembles RV32IMF + Zicsr + edgesim extension text into words.
 *
 * Syntax: one statement per line, `#` starts a comment, `label:` prefixes (several allowed),
 * canonical operands as printed by `disassemble` plus the pseudo-instructions in
 * {@link PSEUDOS}, `%hi(x)`/`%lo(x)` on U-type and I-type immediates, decimal, `0x` hex and `0b`
 * binary integers, branch/jump targets as labels or `.+N`/`.-N` (plain numbers are refused,
 * since GNU as reads them as absolute addresses), and the directives `.word`, `.text`,
 * `.globl`, `.align n`/`.p2align n` (pad with nops to the next multiple of 2^n bytes), `.space n`/
 * `.zero n` (n zero bytes, n a multiple of 4) and `.equ name, value`/`.set` (a constant usable
 * wherever a label is). Every problem is collected, not just the first.
 */
export function assemble(source: string, opts: AsmOptions = {}): AsmResult {
  const origin = opts.origin ?? 0;
  const diags: AsmDiagnostic[] = [];
  const symbols = new Map<string, number>();
  const symLine = new Map<string, number>();
  /** `.equ` constants with their line (usable by `li` on later lines). */
  const consts = new Map<string, { value: number; line: number }>();
  const stmts: Stmt[] = [];
  let addr = origin;

  // ---- pass 1: labels, statements, sizes ----
  source.split(/\r?\n/).forEach((rawLine, idx) => {
    const line = idx + 1;
    const hash = rawLine.indexOf('#');
    let text = hash < 0 ? rawLine : rawLine.slice(0, hash);
    let off = 0;
    for (;;) {
      const m = /^(\s*)([A-Za-z_.$][\w.$]*)\s*:/.exec(text);
      if (!m) break;
      const name = m[2]!;
      const col = off + m[1]!.length + 1;
      const prev = symLine.get(name);
      if (prev !== undefined) {
        diags.push({ code: 'duplicate-label', line, column: col, message: `label '${name}' is already defined on line ${prev}`, fix: 'rename one of the labels' });
      } else {
        symbols.set(name, addr);
        symLine.set(name, line);
      }
      off += m[0].length;
      text = text.slice(m[0].length);
    }
    const m = /^(\s*)(\S+)(.*)$/.exec(text);
    if (!m) return;
    const col = off + m[1]!.length + 1;
    const name = m[2]!.toLowerCase();
    const ops = splitOperands(m[3]!, col + m[2]!.length);
    let size = 1;
    if (name === '.word') size = Math.max(ops.length, 1);
    else if (NO_OUTPUT.has(name)) {
      size = 0;
      if ((name === '.equ' || name === '.set') && ops.length === 2) {
        // constants are defined in pass 1, from literals or symbols defined above
        const v = parseInt32(ops[1]!.text) ?? symbols.get(ops[1]!.text);
        const sym = ops[0]!.text;
        if (v !== undefined && /^[A-Za-z_.$][\w.$]*$/.test(sym) && !symLine.has(sym)) {
          symbols.set(sym, v);
          symLine.set(sym, line);
          consts.set(sym, { value: v, line });
        }
      }
    } else if (name === '.align' || name === '.p2align') {
      const n = ops.length === 1 ? parseInt32(ops[0]!.text) : undefined;
      size = n !== undefined && n >= 2 && n <= 16 ? ((2 ** n - (addr % 2 ** n)) % 2 ** n) / 4 : 0;
    } else if (name === '.space' || name === '.zero') {
      const n = ops.length === 1 ? parseInt32(ops[0]!.text) : undefined;
      size = n !== undefined && n >= 0 && n % 4 === 0 ? n / 4 : 0;
    } else if (name === 'la' || name === 'call' || name === 'tail') size = 2;
    else if (name === 'li' && ops.length === 2) {
      const v = parseInt32(ops[1]!.text) ?? consts.get(ops[1]!.text)?.value;
      if (v !== undefined && ((v | 0) < -2048 || (v | 0) > 2047) && lo12(v | 0) !== 0) size = 2;
    }
    stmts.push({ line, col, name, ops, addr, size });
    addr += 4 * size;
  });

  // ---- pass 2: expand and encode ----
  const words: number[] = [];
  const lines: number[] = [];
  for (const st of stmts) {
    const emitted = assembleStmt(st, symbols, consts, diags);
    // keep addresses stable even after errors
    for (let i = 0; i < st.size; i++) {
      words.push(emitted[i] ?? 0);
      lines.push(st.line);
    }
  }
  diags.sort((a, b) => a.line - b.line || a.column - b.column);
  return { ok: diags.length === 0, words, lines, symbols, diagnostics: diags, origin };
}

function assembleStmt(st: Stmt, symbols: ReadonlyMap<string, number>, consts: ReadonlyMap<string, { value: number; line: number }>, diags: AsmDiagnostic[]): number[] {
  const report = (e: OperandError): number[] => {
    diags.push({ code: e.code, line: st.line, column: e.col, message: e.message, ...(e.fix === undefined ? {} : { fix: e.fix }) });
    return [];
  };
  try {
    if (NO_OUTPUT.has(st.name)) {
      if (st.name === '.equ' || st.name === '.set') {
        if (st.ops.length !== 2) throw new OperandError('operand-count', `${st.name} expects a name and a value`, `write \`${st.name} SIZE, 64\``, st.col);
        if (symbols.get(st.ops[0]!.text) === undefined) {
          throw new OperandError('bad-immediate', `${st.name} ${st.ops[0]!.text}: '${st.ops[1]!.text}' is not a number or a symbol defined above`, 'write a decimal or 0x-hex integer, or a label defined earlier', st.ops[1]!.col);
        }
      }
      return [];
    }
    if (st.name === '.align' || st.name === '.p2align') {
      const n = st.ops.length === 1 ? parseInt32(st.ops[0]!.text) : undefined;
      if (n === undefined || n < 2 || n > 16) throw new OperandError('bad-immediate', `${st.name} expects one power-of-two exponent 2..16 (bytes = 2^n)`, 'write `.align 4` for 16-byte alignment (instructions are already 4-byte aligned)', st.col);
      return Array.from({ length: st.size }, () => 0x13); // nop
    }
    if (st.name === '.space' || st.name === '.zero') {
      const n = st.ops.length === 1 ? parseInt32(st.ops[0]!.text) : undefined;
      if (n === undefined || n < 0 || n % 4 !== 0) throw new OperandError('bad-immediate', `${st.name} expects a byte count that is a multiple of 4`, 'this assembler emits whole words; round the size up to a multiple of 4', st.col);
      return Array.from({ length: st.size }, () => 0);
    }
    if (st.name === 'call' || st.name === 'tail') {
      if (st.ops.length !== 1) throw new OperandError('operand-count', `${st.name} expects 1 operand, got ${st.ops.length}`, `write \`${st.name} label\``, st.col);
      const off = target(st.ops[0]!, st.addr, symbols);
      const lo = (off << 20) >> 20;
      const hi = ((off - lo) / 4096) & 0xfffff;
      const link = st.name === 'call' ? 'ra' : 'zero';
      const via = st.name === 'call' ? 'ra' : 't1';
      const at = (text: string): Operand => ({ text, col: st.ops[0]!.col });
      return [
        encodeInstr(build(st, 'auipc', [at(via), at(String(hi))], symbols)),
        encodeInstr(build(st, 'jalr', [at(link), at(`${lo}(${via})`)], symbols)),
      ];
    }
    if (st.name === '.word') {
      if (st.ops.length === 0) throw new OperandError('operand-count', '.word expects at least one value', 'write `.word 0x12345678`', st.col);
      return st.ops.map((o) => {
        const v = symbols.get(o.text) ?? parseInt32(o.text);
        if (v === undefined || v < -0x80000000 || v > 0xffffffff) throw new OperandError('bad-immediate', `'${o.text}' is not a 32-bit value or a label`, 'write a decimal or 0x-hex integer', o.col);
        return v >>> 0;
      });
    }
    const expanded = expand(st, consts);
    return expanded.map(([name, ops]) => encodeInstr(build(st, name, ops, symbols)));
  } catch (e) {
    if (e instanceof OperandError) return report(e);
    if (e instanceof SimError) return report(new OperandError('bad-operand', e.message, undefined, st.col));
    throw e;
  }
}

type Expansion = readonly (readonly [string, readonly Operand[]])[];

function expand(st: Stmt, consts: ReadonlyMap<string, { value: number; line: number }>): Expansion {
  const o = st.ops;
  const zero: Operand = { text: 'zero', col: st.col };
  const ra: Operand = { text: 'ra', col: st.col };
  const lit = (v: number | string): Operand => ({ text: String(v), col: o[1]?.col ?? st.col });
  const want = (n: number, syntax: string): void => {
    if (o.length !== n) throw new OperandError('operand-count', `${st.name} expects ${n} operand${n === 1 ? '' : 's'}, got ${o.length}`, `write \`${syntax}\``, st.col);
  };
  const pseudo = PSEUDOS.find((p) => p.name === st.name);
  const isPseudoUse = pseudo !== undefined && (opcodeDef(st.name) === undefined || o.length !== opcodeDef(st.name)!.operands.length);
  if (!isPseudoUse) {
    if (opcodeDef(st.name) === undefined) {
      const sug = didYouMean(st.name, ALL_NAMES);
      throw new OperandError('unknown-mnemonic', `unknown mnemonic '${st.name}'`, sug === undefined ? 'see docs/ISA.md for the instruction list' : `did you mean '${sug}'?`, st.col);
    }
    return [[st.name, o]];
  }
  if (st.name === 'jalr' && o.length === 3) {
    return [['jalr', [o[0]!, { text: `${o[2]!.text}(${o[1]!.text})`, col: o[2]!.col }]]];
  }
  const rest = pseudo.syntax.split(' ').slice(1).join(' ').trim();
  want(rest === '' ? 0 : rest.split(',').length, pseudo.syntax);
  const [a, b, c] = [o[0]!, o[1]!, o[2]!];
  switch (st.name) {
    case 'nop': return [['addi', [zero, zero, lit(0)]]];
    case 'li': {
      const k = consts.get(b.text);
      const v = parseInt32(b.text) ?? (k !== undefined && k.line < st.line ? k.value : undefined);
      if (v === undefined) throw new OperandError('bad-immediate', `li needs an integer constant, got '${b.text}'`, k !== undefined ? `move \`.equ ${b.text}\` above its first use` : 'write a decimal or 0x-hex integer or a .equ constant defined above; for addresses use `la rd, label`', b.col);
      if (v < -0x80000000 || v > 0xffffffff) throw new OperandError('imm-range', `li constant ${b.text} does not fit in 32 bits`, 'use a value in -2147483648..4294967295', b.col);
      const w = v | 0;
      if (w >= -2048 && w <= 2047) return [['addi', [a, zero, lit(w)]]];
      const out: [string, Operand[]][] = [['lui', [a, lit(`0x${hi20(w).toString(16)}`)]]];
      if (lo12(w) !== 0) out.push(['addi', [a, a, lit(lo12(w))]]);
      return out;
    }
    case 'mv': return [['addi', [a, b, lit(0)]]];
    case 'not': return [['xori', [a, b, lit(-1)]]];
    case 'neg': return [['sub', [a, zero, b]]];
    case 'seqz': return [['sltiu', [a, b, lit(1)]]];
    case 'snez': return [['sltu', [a, zero, b]]];
    case 'j': return [['jal', [zero, a]]];
    case 'jal': return [['jal', [ra, a]]];
    case 'jr': return [['jalr', [zero, { text: `0(${a.text})`, col: a.col }]]];
    case 'jalr': return [['jalr', [ra, { text: `0(${a.text})`, col: a.col }]]];
    case 'ret': return [['jalr', [zero, { text: '0(ra)', col: st.col }]]];
    case 'beqz': return [['beq', [a, zero, b]]];
    case 'bnez': return [['bne', [a, zero, b]]];
    case 'blez': return [['bge', [zero, a, b]]];
    case 'bgez': return [['bge', [a, zero, b]]];
    case 'bltz': return [['blt', [a, zero, b]]];
    case 'bgtz': return [['blt', [zero, a, b]]];
    case 'bgt': return [['blt', [b, a, c]]];
    case 'ble': return [['bge', [b, a, c]]];
    case 'bgtu': return [['bltu', [b, a, c]]];
    case 'bleu': return [['bgeu', [b, a, c]]];
    case 'fence': return [['fence', [{ text: 'iorw', col: st.col }, { text: 'iorw', col: st.col }]]];
    case 'la': return [['lui', [a, { text: `%hi(${b.text})`, col: b.col }]], ['addi', [a, a, { text: `%lo(${b.text})`, col: b.col }]]];
    case 'fmv.s': return [['fsgnj.s', [a, b, b]]];
    case 'fneg.s': return [['fsgnjn.s', [a, b, b]]];
    case 'fabs.s': return [['fsgnjx.s', [a, b, b]]];
    case 'csrr': return [['csrrs', [a, b, zero]]];
    case 'csrw': return [['csrrw', [zero, a, b]]];
    case 'frcsr': case 'frrm': case 'frflags':
      return [['csrrs', [a, { text: st.name === 'frcsr' ? 'fcsr' : st.name === 'frrm' ? 'frm' : 'fflags', col: st.col }, zero]]];
    case 'fscsr': case 'fsrm': case 'fsflags':
      return [['csrrw', [zero, { text: st.name === 'fscsr' ? 'fcsr' : st.name === 'fsrm' ? 'frm' : 'fflags', col: st.col }, a]]];
    default: throw new OperandError('unknown-mnemonic', `unknown mnemonic '${st.name}'`, undefined, st.col);
  }
}

/** Operand syntax of a table row, e.g. `rd, imm(rs1)`. */
export function operandSyntax(def: OpcodeDef): string {
  const name: Record<OperandKind, string> = {
    rd: 'rd', rs1: 'rs1', rs2: 'rs2', imm: 'imm', mem: 'imm(rs1)', shamt: 'shamt', boff: 'target', joff: 'target',
    uimm: 'uimm20', pred: 'pred', succ: 'succ', acc: 'N',
    frd: 'frd', frs1: 'frs1', frs2: 'frs2', frs3: 'frs3', rm: '[rm]', csr: 'csr', zimm: 'zimm',
  };
  return def.operands.map((k) => name[k]).join(', ').replace(', [rm]', '[, rm]');
}

function reg(o: Operand): number {
  const r = registerNumber(o.text);
  if (r !== undefined) return r;
  if (fpRegisterNumber(o.text) !== undefined) {
    throw new OperandError('bad-register', `'${o.text}' is a float register, but this operand is an integer register`, 'use x0-x31 or an integer ABI name; move float bits with fmv.x.w', o.col);
  }
  const sug = didYouMean(o.text, [...ABI_NAMES, ...Array.from({ length: 32 }, (_, i) => `x${i}`)]);
  throw new OperandError('bad-register', `'${o.text}' is not a register`,
    sug === undefined || /^x\d+$/i.test(o.text) ? 'use x0-x31 or an ABI name (zero, ra, sp, gp, tp, t0-t6, s0-s11, a0-a7, fp)' : `did you mean '${sug}'?`, o.col);
}

function freg(o: Operand): number {
  const r = fpRegisterNumber(o.text);
  if (r !== undefined) return r;
  const sug = didYouMean(o.text, [...FP_ABI_NAMES, ...Array.from({ length: 32 }, (_, i) => `f${i}`)]);
  throw new OperandError('bad-register', `'${o.text}' is not a float register`,
    registerNumber(o.text) !== undefined ? 'this operand is a float register (f0-f31, ft0-ft11, fs0-fs11, fa0-fa7); move integers with fmv.w.x' : sug === undefined ? 'use f0-f31 or an ABI name (ft0-ft11, fs0-fs11, fa0-fa7)' : `did you mean '${sug}'?`, o.col);
}

const RM_BY_NAME: ReadonlyMap<string, number> = new Map(Object.entries(ROUNDING_MODES).map(([v, n]) => [n, Number(v)]));

function roundingMode(o: Operand): number {
  const v = RM_BY_NAME.get(o.text.toLowerCase());
  if (v === undefined) throw new OperandError('bad-operand', `'${o.text}' is not a rounding mode`, 'write rne, rtz, rdn, rup, rmm or dyn (or leave it out for dyn)', o.col);
  return v;
}

const CSR_BY_NAME: ReadonlyMap<string, number> = new Map(Object.entries(CSR_NAMES).map(([v, n]) => [n, Number(v)]));

function csrNumber(o: Operand): number {
  const v = CSR_BY_NAME.get(o.text.toLowerCase()) ?? parseInt32(o.text);
  if (v === undefined) throw new OperandError('bad-operand', `'${o.text}' is not a CSR`, `write ${[...CSR_BY_NAME.keys()].join(', ')} or a number 0..4095`, o.col);
  return v;
}

const FIX: Partial<Record<OperandKind, string>> = {
  imm: 'I-type immediates are 12-bit signed (-2048..2047); use `li` into a register for larger constants',
  mem: 'offsets are 12-bit signed (-2048..2047); add the upper part to the base register with lui/add first',
  shamt: 'shift amounts are 0..31',
  boff: 'branches reach -4096..+4094 bytes; branch around a `j` for farther targets',
  joff: 'jal reaches -1 MiB..+1 MiB-2; use auipc + jalr for farther targets',
  uimm: 'the U-type immediate is 20-bit unsigned (0..0xfffff), the value before << 12',
  acc: 'accelerator numbers are 0..127',
  csr: 'CSR numbers are 12-bit (0..4095)',
  zimm: 'CSR immediates are 5-bit unsigned (0..31)',
};

function checkRange(kind: OperandKind, v: number, o: Operand, mnemonic: string): number {
  const r = IMM_RANGE[kind];
  if (r !== undefined && (v < r.min || v > r.max)) {
    throw new OperandError('imm-range', `${kind === 'boff' || kind === 'joff' ? 'offset' : 'immediate'} ${v} out of range for ${mnemonic} (${r.min}..${r.max})`, FIX[kind], o.col);
  }
  if (r?.even === true && (v & 1) !== 0) throw new OperandError('misaligned', `offset ${v} of ${mnemonic} is odd`, 'targets must be 2-byte aligned (instructions are 4-byte aligned)', o.col);
  return v;
}

function symbolValue(name: string, o: Operand, symbols: ReadonlyMap<string, number>): number {
  const v = symbols.get(name);
  if (v !== undefined) return v;
  const sug = didYouMean(name, symbols.keys());
  throw new OperandError('undefined-label', `undefined label '${name}'`, sug === undefined ? 'define it with `name:` before an instruction' : `did you mean '${sug}'?`, o.col);
}

/** Value of `int`, `label`, or `label+int`/`label-int`. */
function constExpr(text: string, o: Operand, symbols: ReadonlyMap<string, number>): number {
  const n = parseInt32(text);
  if (n !== undefined) return n;
  const m = /^([A-Za-z_.$][\w.$]*)\s*(?:([+-])\s*(\S+))?$/.exec(text);
  if (m) {
    const base = symbolValue(m[1]!, o, symbols);
    if (m[2] === undefined) return base;
    const k = parseInt32(m[3]!);
    if (k !== undefined) return m[2] === '+' ? base + k : base - k;
  }
  throw new OperandError('bad-immediate', `'${text}' is not a number or label`, 'write a decimal or 0x-hex integer, or label+offset', o.col);
}

function immediate(kind: 'imm' | 'uimm', o: Operand, text: string, symbols: ReadonlyMap<string, number>): number {
  const rel = /^%(hi|lo)\((.*)\)$/i.exec(text);
  if (rel) {
    const v = constExpr(rel[2]!.trim(), o, symbols) | 0;
    const want = rel[1]!.toLowerCase() === 'hi' ? 'uimm' : 'imm';
    if (want !== kind) throw new OperandError('bad-immediate', `%${rel[1]!} does not fit a ${kind === 'uimm' ? 'U-type' : '12-bit'} immediate`, kind === 'uimm' ? 'use %hi(x) with lui/auipc' : 'use %lo(x) with addi or a load/store offset', o.col);
    return want === 'uimm' ? hi20(v) : lo12(v);
  }
  const v = parseInt32(text) ?? symbols.get(text);
  if (v === undefined) throw new OperandError('bad-immediate', `'${text}' is not a number`, 'write a decimal or 0x-hex integer, a .equ constant, or %hi(x)/%lo(x)', o.col);
  return v;
}

function target(o: Operand, pc: number, symbols: ReadonlyMap<string, number>): number {
  const t = o.text.replace(/\s+/g, '');
  const rel = /^\.(?:([+-])(.+))?$/.exec(t);
  if (rel) {
    if (rel[1] === undefined) return 0;
    const v = parseInt32(rel[2]!);
    if (v === undefined) throw new OperandError('bad-target', `'${o.text}' is not a target`, 'write `.+N`/`.-N` or a label', o.col);
    return rel[1] === '+' ? v : -v;
  }
  if (parseInt32(t) !== undefined) {
    throw new OperandError('bad-target', `plain number '${o.text}' as a branch target is ambiguous`, `write \`.+${t}\` for a pc-relative offset, or a label`, o.col);
  }
  return constExpr(t, o, symbols) - pc;
}

function fenceBits(o: Operand): number {
  const t = o.text.toLowerCase();
  if (t === '0') return 0;
  let bits = 0;
  for (const ch of t) {
    const k = SETS.indexOf(ch);
    if (k < 0 || (bits & (8 >> k)) !== 0) throw new OperandError('bad-operand', `'${o.text}' is not a fence set`, 'write a subset of `iorw` (e.g. `rw`), or 0', o.col);
    bits |= 8 >> k;
  }
  if (bits === 0) throw new OperandError('bad-operand', 'empty fence set', 'write a subset of `iorw`', o.col);
  return bits;
}

function build(st: Stmt, name: string, ops: readonly Operand[], symbols: ReadonlyMap<string, number>): Instr {
  const def = opcodeDef(name)!;
  const kinds = def.operands;
  // the rounding mode is optional (default dyn, as GNU as)
  const rmOmitted = kinds[kinds.length - 1] === 'rm' && ops.length === kinds.length - 1;
  if (ops.length !== kinds.length && !rmOmitted) {
    const syntax = `${name}${kinds.length ? ' ' + operandSyntax(def) : ''}`;
    const n = kinds.includes('rm') ? `${kinds.length - 1} or ${kinds.length} operands` : `${kinds.length} operand${kinds.length === 1 ? '' : 's'}`;
    throw new OperandError('operand-count', `${name} expects ${n} (${operandSyntax(def) || 'none'}), got ${ops.length}`, `write \`${syntax}\``, st.col);
  }
  let rd = 0, rs1 = 0, rs2 = 0, rs3 = 0, imm = 0;
  let rm = kinds.includes('rm') ? 7 : 0;
  kinds.forEach((k, i) => {
    const o = ops[i];
    if (o === undefined) return; // omitted rm
    switch (k) {
      case 'rd': rd = reg(o); break;
      case 'frd': rd = freg(o); break;
      case 'frs1': rs1 = freg(o); break;
      case 'frs2': rs2 = freg(o); break;
      case 'frs3': rs3 = freg(o); break;
      case 'rm': rm = roundingMode(o); break;
      case 'csr': imm = checkRange(k, csrNumber(o), o, name); break;
      case 'zimm': {
        const v = parseInt32(o.text);
        if (v === undefined) throw new OperandError('bad-immediate', `'${o.text}' is not a number`, 'write a decimal integer 0..31', o.col);
        rs1 = checkRange(k, v, o, name);
        break;
      }
      case 'rs1': rs1 = reg(o); break;
      case 'rs2': rs2 = reg(o); break;
      case 'imm': imm = checkRange(k, immediate('imm', o, o.text, symbols), o, name); break;
      case 'uimm': imm = checkRange(k, immediate('uimm', o, o.text, symbols), o, name); break;
      case 'shamt': case 'acc': {
        const v = parseInt32(o.text);
        if (v === undefined) throw new OperandError('bad-immediate', `'${o.text}' is not a number`, 'write a decimal or 0x-hex integer', o.col);
        imm = checkRange(k, v, o, name);
        break;
      }
      case 'mem': {
        const m = /^(.*?)\s*\(\s*([^()]*?)\s*\)$/.exec(o.text);
        if (!m) throw new OperandError('bad-operand', `'${o.text}' is not a memory operand`, 'write `offset(register)`, e.g. `8(sp)`', o.col);
        rs1 = reg({ text: m[2]!, col: o.col + o.text.lastIndexOf('(') + 1 });
        imm = m[1] === '' ? 0 : checkRange(k, immediate('imm', o, m[1]!, symbols), o, name);
        break;
      }
      case 'boff': case 'joff': imm = checkRange(k, target(o, st.addr, symbols), o, name); break;
      case 'pred': imm |= fenceBits(o) << 4; break;
      case 'succ': imm |= fenceBits(o); break;
    }
  });
  return { op: name, def, rd, rs1, rs2, rs3, rm, imm };
}

/** `line:col: message (fix)` for people. */
export function formatAsmDiagnostic(d: AsmDiagnostic, file = '<asm>'): string {
  return `${file}:${d.line}:${d.column}: error[${d.code}]: ${d.message}${d.fix === undefined ? '' : `\n  fix: ${d.fix}`}`;
}

/** {@link assemble}, throwing `SimError('asm-error')` listing every diagnostic when there are any. */
export function assembleOrThrow(source: string, opts: AsmOptions = {}, file = '<asm>'): AsmResult {
  const r = assemble(source, opts);
  if (!r.ok) throw new SimError('asm-error', r.diagnostics.map((d) => formatAsmDiagnostic(d, file)).join('\n'));
  return r;
}
