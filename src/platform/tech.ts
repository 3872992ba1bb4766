/**
 * Technology files (`platforms/tech/*.yaml`): per-kind parameter values (energy, power, area,
 * latencies), each with the `source` it was taken from.
 *
 * ```yaml
 * tech: pulp-open
 * doc: PULP open cluster, GVSoC power tables
 * values:
 *   scratchpad:
 *     readEnergy: { value: 2.12pJ, source: "gvsoc/gvsoc-pulp: pulp/chips/pulp_open/power_models" }
 * ```
 */
import type { Node } from 'yaml';
import type { AnyParamSpec, ModuleCatalog } from '../spec/index.js';
import { unknownNameHint, type Diagnostic } from '../util/index.js';
import { Source, plain } from './source.js';

/** Resolved tech values: kind -> param -> value (internal unit), the file and the source text. */
export type TechValues = Map<string, Map<string, { readonly value: unknown; readonly file: string; readonly source: string }>>;

/** Top-level keys of a tech file. */
export const TECH_KEYS = ['tech', 'doc', 'values'] as const;

/** Reads one tech file into `into` (later files override earlier ones); problems go to `diags`. */
export function loadTech(file: string, text: string, catalog: ModuleCatalog, into: TechValues, diags: Diagnostic[]): void {
  const src = new Source(file, text, diags);
  if (src.doc.errors.length > 0) return;
  const top = src.map(src.doc.contents, 'the tech file');
  if (!top) return;
  const e = src.entries(top, 'the tech file', TECH_KEYS, ['tech', 'values']);
  const v = e.get('values');
  const kinds = v ? src.map(v.value, "'values'", v.key) : undefined;
  for (const k of kinds ? src.pairs(kinds, 'kind', /^[a-z][a-z0-9-]*$/) : []) {
    const def = catalog.get(k.name);
    if (!def) {
      src.error(k.key, 'unknown-kind', `tech file: unknown module kind '${k.name}'`, unknownNameHint(k.name, [...catalog.keys()], 'known kinds'));
      continue;
    }
    const specs = def.params as Record<string, AnyParamSpec>;
    const pm = src.map(k.value, `values of '${def.kind}'`, k.key);
    for (const p of pm ? src.pairs(pm, 'param') : []) {
      const s = specs[p.name];
      if (!s) {
        src.error(p.key, 'unknown-param', `tech file: ${def.kind} has no param '${p.name}'`, unknownNameHint(p.name, Object.keys(specs), 'params'));
        continue;
      }
      const vm = src.map(p.value, `${def.kind}.${p.name}`, p.key);
      if (!vm) continue;
      const f = src.entries(vm, `${def.kind}.${p.name}`, ['value', 'source'], ['value']);
      const source = f.get('source');
      const sourceText = source ? src.str(source.value, "'source'", source.key) : undefined;
      if (!source) src.error(p.key, 'missing-source', `tech file: ${def.kind}.${p.name} has no source`, 'add source: "<paper, datasheet or repository path>" (every technology value names where it comes from)');
      const vn = f.get('value');
      if (!vn) continue;
      const r = s.parse(plain(vn.value));
      if (!r.ok) {
        src.error((vn.value ?? vn.key) as Node, r.code, `tech file: ${def.kind}.${p.name}: ${r.message}`, r.hint ?? `see 'edgesim describe ${def.kind}'`);
        continue;
      }
      if (sourceText === undefined) continue;
      let m = into.get(def.kind);
      if (!m) into.set(def.kind, (m = new Map()));
      m.set(p.name, { value: r.value, file, source: sourceText });
    }
  }
}
