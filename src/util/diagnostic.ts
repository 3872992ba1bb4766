/**
 * Diagnostics: problems found in input files, collected (never thrown one at a time) and
 * printed in compiler style so editors and terminals link them to the source:
 *
 * ```text
 * platforms/x.yaml:14:5: error[unknown-key]: unknown key 'clok' in instance 'core0'
 *   hint: did you mean 'clock'?
 * ```
 */

/** How bad a diagnostic is. Only errors make `edgesim check` fail. */
export type Severity = 'error' | 'warning' | 'note';

/** One problem in an input file, with its position (1-based line and column) and a fix. */
export interface Diagnostic {
  readonly severity: Severity;
  /** Stable kebab-case code that tests and tools match on, e.g. `unknown-key`. */
  readonly code: string;
  /** What is wrong, naming the things involved. */
  readonly message: string;
  /** The file, as given by the caller (relative paths stay relative). */
  readonly file: string;
  /** 1-based line. */
  readonly line: number;
  /** 1-based column. */
  readonly column: number;
  /** How to fix it, when there is something to say. */
  readonly hint?: string;
}

/** Formats one diagnostic: `file:line:col: error[code]: message` and an indented hint line. */
export function formatDiagnostic(d: Diagnostic): string {
  const head = `${d.file}:${d.line}:${d.column}: ${d.severity}[${d.code}]: ${d.message}`;
  return d.hint === undefined ? head : `${head}\n  hint: ${d.hint}`;
}

/** Sorts by file, line, column (stable for ties). */
export function sortDiagnostics(ds: readonly Diagnostic[]): Diagnostic[] {
  return [...ds].sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line || a.column - b.column));
}

/** Formats a list, sorted, with a closing count line (`2 errors, 1 warning`). */
export function formatDiagnostics(ds: readonly Diagnostic[]): string {
  const errors = ds.filter((d) => d.severity === 'error').length;
  const warnings = ds.filter((d) => d.severity === 'warning').length;
  const plural = (n: number, w: string): string => `${n} ${w}${n === 1 ? '' : 's'}`;
  return [...sortDiagnostics(ds).map(formatDiagnostic), `${plural(errors, 'error')}, ${plural(warnings, 'warning')}`].join('\n');
}

/** True if any diagnostic is an error. */
export const hasErrors = (ds: readonly Diagnostic[]): boolean => ds.some((d) => d.severity === 'error');

/** Levenshtein edit distance (insertions, deletions, substitutions; case-sensitive). */
export function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length]!;
}

/**
 * The closest candidate to `word`, if it is close enough to be a likely typo: distance at most
 * max(1, floor(len/3)), case differences counting as no distance. Ties go to the first candidate.
 */
export function didYouMean(word: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestD = Infinity;
  const w = word.toLowerCase();
  for (const c of candidates) {
    const d = editDistance(w, c.toLowerCase());
    if (d < bestD) {
      best = c;
      bestD = d;
    }
  }
  return best !== undefined && bestD <= Math.max(1, Math.floor(word.length / 3)) ? best : undefined;
}

/** A hint for an unknown name: `did you mean 'x'?`, else the list of valid names. */
export function unknownNameHint(word: string, candidates: readonly string[], what = 'valid'): string {
  const guess = didYouMean(word, candidates);
  if (guess !== undefined) return `did you mean '${guess}'?`;
  return candidates.length === 0 ? `there are no ${what} names here` : `${what}: ${candidates.join(', ')}`;
}
