/** Parses Yosys `stat` text: per module its cell count and cell types. */
export interface ModuleStat {
  readonly cells: number;
  readonly types: Readonly<Record<string, number>>;
}

/** `$paramod$<hash>\name` and `$paramod\name\N=s32'0..01101` -> `name` and `name(N=13)`. */
export function moduleKey(raw: string): string {
  const m = /^\$paramod(?:\$[0-9a-f]+)?\\([^\\]+)((?:\\.*)?)$/.exec(raw);
  if (m === null) return raw.replace(/^\\/, '');
  const params = [...m[2]!.matchAll(/\\(\w+)=s?\d*'([01]+)/g)].map((p) => `${p[1]}=${parseInt(p[2]!, 2)}`);
  return params.length > 0 ? `${m[1]}(${params.join(',')})` : m[1]!;
}

/** Modules of a `stat` report (the design hierarchy summary is left out). */
export function parseStat(text: string): Record<string, ModuleStat> {
  const out: Record<string, ModuleStat> = {};
  const parts = text.split(/^=== (.+) ===$/m);
  for (let i = 1; i + 1 < parts.length; i += 2) {
    const name = parts[i]!.trim();
    if (name === 'design hierarchy') continue;
    const body = parts[i + 1]!;
    const cells = Number(/Number of cells:\s+(\d+)/.exec(body)?.[1] ?? 'NaN');
    const types: Record<string, number> = {};
    const after = body.split(/Number of cells:\s+\d+\n/)[1] ?? '';
    for (const l of after.split('\n')) {
      const m = /^\s+(\S+)\s+(\d+)$/.exec(l);
      if (m === null) {
        if (l.trim() === '') continue;
        break;
      }
      types[moduleKey(m[1]!)] = Number(m[2]);
    }
    out[moduleKey(name)] = { cells, types };
  }
  return out;
}
