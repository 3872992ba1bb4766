/** Positions and diagnostics over a parsed YAML document (yaml's parseDocument + LineCounter). */
import { LineCounter, isMap, isScalar, isSeq, parseDocument, type Document, type Node, type Pair, type YAMLMap, type YAMLSeq } from 'yaml';
import { unknownNameHint, type Diagnostic, type Severity } from '../util/index.js';

/** A parsed YAML file that reports diagnostics at node positions. */
export class Source {
  readonly doc: Document.Parsed;
  readonly file: string;
  private readonly lines = new LineCounter();
  private readonly out: Diagnostic[];

  /** Parses `text`; syntax errors go to `out` as `yaml-syntax`. */
  constructor(file: string, text: string, out: Diagnostic[]) {
    this.file = file;
    this.out = out;
    this.doc = parseDocument(text, { lineCounter: this.lines, prettyErrors: false, uniqueKeys: true });
    for (const e of this.doc.errors) {
      const at = this.lines.linePos(e.pos[0]);
      this.report('error', 'yaml-syntax', e.message.split('\n')[0] ?? e.message, at.line, at.col, 'fix the YAML syntax (indentation, colons, quotes)');
    }
  }

  /** Reports at a character offset. */
  private report(severity: Severity, code: string, message: string, line: number, column: number, hint?: string): void {
    this.out.push({ severity, code, message, file: this.file, line, column, ...(hint === undefined ? {} : { hint }) });
  }

  /** Reports an error at a node (or at the start of the file), `offset` characters into it. */
  error(node: Node | null | undefined, code: string, message: string, hint?: string, offset = 0): void {
    const at = this.lines.linePos((node?.range?.[0] ?? 0) + offset);
    this.report('error', code, message, at.line, at.col, hint);
  }

  /** The file and 1-based line and column of a node (for diagnostics raised after loading). */
  position(node: Node | null | undefined): { file: string; line: number; column: number } {
    const at = this.lines.linePos(node?.range?.[0] ?? 0);
    return { file: this.file, line: at.line, column: at.col };
  }

  /** Reports a warning at a node. */
  warning(node: Node | null | undefined, code: string, message: string, hint?: string): void {
    const at = this.lines.linePos(node?.range?.[0] ?? 0);
    this.report('warning', code, message, at.line, at.col, hint);
  }

  /** Offset of the scalar's text inside its source (1 for quoted strings). */
  static textStart(node: Node): number {
    return isScalar(node) && (node.type === 'QUOTE_DOUBLE' || node.type === 'QUOTE_SINGLE') ? 1 : 0;
  }

  /** The node as a map, or a `bad-type` diagnostic and undefined. */
  map(node: Node | null | undefined, what: string, fallback?: Node | null): YAMLMap<Node, Node> | undefined {
    if (isMap(node)) return node as YAMLMap<Node, Node>;
    this.error(node ?? fallback, 'bad-type', `${what} must be a mapping (key: value)`, `write ${what} as indented 'key: value' lines or { key: value }`);
    return undefined;
  }

  /** The node as a sequence, or a `bad-type` diagnostic and undefined. */
  seq(node: Node | null | undefined, what: string, fallback?: Node | null): YAMLSeq<Node> | undefined {
    if (isSeq(node)) return node as YAMLSeq<Node>;
    this.error(node ?? fallback, 'bad-type', `${what} must be a list`, `write ${what} as '- item' lines or [a, b]`);
    return undefined;
  }

  /** The node as a string, or a `bad-type` diagnostic and undefined. */
  str(node: Node | null | undefined, what: string, fallback?: Node | null): string | undefined {
    if (isScalar(node) && typeof node.value === 'string') return node.value;
    this.error(node ?? fallback, 'bad-type', `${what} must be a string`);
    return undefined;
  }

  /**
   * The entries of a map with string keys. Unknown keys get `unknown-key` with did-you-mean;
   * missing required keys get `missing-key` at `where`.
   */
  entries(m: YAMLMap<Node, Node>, what: string, allowed: readonly string[], required: readonly string[] = []): Map<string, { key: Node; value: Node | null }> {
    const out = new Map<string, { key: Node; value: Node | null }>();
    for (const p of m.items as Pair<Node, Node | null>[]) {
      const k = isScalar(p.key) ? String(p.key.value) : undefined;
      if (k === undefined) {
        this.error(p.key, 'bad-type', `keys in ${what} must be plain names`);
        continue;
      }
      if (!allowed.includes(k)) {
        this.error(p.key, 'unknown-key', `unknown key '${k}' in ${what}`, unknownNameHint(k, allowed, 'allowed keys'));
        continue;
      }
      out.set(k, { key: p.key, value: p.value });
    }
    for (const r of required) {
      if (!out.has(r)) this.error(m, 'missing-key', `${what} has no '${r}'`, `add '${r}:'`);
    }
    return out;
  }

  /** All pairs of a map as (name, key node, value node), for maps whose keys are names (instances, clocks). */
  pairs(m: YAMLMap<Node, Node>, what: string, nameRe = /^[A-Za-z_][A-Za-z0-9_]*$/): { name: string; key: Node; value: Node | null }[] {
    const out: { name: string; key: Node; value: Node | null }[] = [];
    for (const p of m.items as Pair<Node, Node | null>[]) {
      if (!isScalar(p.key) || typeof p.key.value !== 'string' || !nameRe.test(p.key.value)) {
        this.error(p.key, 'bad-name', `${what} names must be identifiers (letters, digits, _), got ${JSON.stringify(isScalar(p.key) ? p.key.value : p.key)}`, 'rename it, e.g. core0');
        continue;
      }
      out.push({ name: p.key.value, key: p.key, value: p.value });
    }
    return out;
  }
}

/** A YAML node's plain JS value (scalars and lists of scalars). */
export function plain(node: Node | null): unknown {
  if (node === null) return null;
  return isScalar(node) ? node.value : node.toJSON();
}
