/**
 * Instance-path globs: `*` matches any run of characters (dots included, so `cluster*` covers
 * `cluster.core0`), `?` exactly one; everything else is literal. Matching is on the whole path.
 * Not provided: character classes, braces, `**` (it is the same as `*`).
 */

/** The regular expression of a glob (anchored at both ends). */
export function globToRegExp(glob: string): RegExp {
  let re = '';
  for (const ch of glob) {
    if (ch === '*') re += '.*';
    else if (ch === '?') re += '.';
    else re += ch.replace(/[\\^$.|+()[\]{}]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

/** A glob of an include or exclude list that matched no instance path. */
export interface UnmatchedGlob {
  readonly list: 'include' | 'exclude';
  readonly glob: string;
}

/** Result of {@link selectPaths}. */
export interface PathSelection {
  /** The selected paths, in the order given. */
  readonly selected: readonly string[];
  /** Globs that matched no path at all (likely typos). */
  readonly unmatched: readonly UnmatchedGlob[];
}

/**
 * Selects the paths matched by at least one `include` glob (all paths when `include` is empty or
 * absent) and by no `exclude` glob. Empty globs are ignored.
 */
export function selectPaths(paths: readonly string[], include: readonly string[] = [], exclude: readonly string[] = []): PathSelection {
  const inc = include.filter((g) => g !== '').map((g) => ({ glob: g, re: globToRegExp(g), hit: false }));
  const exc = exclude.filter((g) => g !== '').map((g) => ({ glob: g, re: globToRegExp(g), hit: false }));
  const selected: string[] = [];
  for (const p of paths) {
    let inSel = inc.length === 0;
    for (const g of inc) if (g.re.test(p)) { g.hit = true; inSel = true; }
    let out = false;
    for (const g of exc) if (g.re.test(p)) { g.hit = true; out = true; }
    if (inSel && !out) selected.push(p);
  }
  const unmatched: UnmatchedGlob[] = [
    ...inc.filter((g) => !g.hit).map((g) => ({ list: 'include' as const, glob: g.glob })),
    ...exc.filter((g) => !g.hit).map((g) => ({ list: 'exclude' as const, glob: g.glob })),
  ];
  return { selected, unmatched };
}

/** Splits a comma-separated glob list (`'core*,l1'`), trimming blanks. */
export function parseGlobList(text: string | undefined): string[] {
  return text === undefined ? [] : text.split(',').map((s) => s.trim()).filter((s) => s !== '');
}
