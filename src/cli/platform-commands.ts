/** `edgesim check`, `describe` and `schema`: thin wrappers over the platform and spec layers. */
import { existsSync, readFileSync } from 'node:fs';
import { catalog } from '../modules/index.js';
import { dumpPlatform, loadPlatform, platformSchema } from '../platform/index.js';
import { defaultParams, describeModule, listModules } from '../spec/index.js';
import { SimError, formatDiagnostics, hasErrors, unknownNameHint } from '../util/index.js';

const readFile = (path: string): string | undefined => (existsSync(path) ? readFileSync(path, 'utf8') : undefined);

/** Result of `check`: text for stdout/stderr and the exit code (0 ok, 1 diagnostics). */
export interface CheckOutput {
  readonly stdout: string;
  readonly stderr: string;
  readonly exitCode: number;
}

/**
 * Checks one platform file; with `json`, prints the resolved platform on success; with `quiet`,
 * nothing on stdout (the exit code says it all; diagnostics still go to stderr).
 */
export function checkPlatform(file: string, o: { json?: boolean; quiet?: boolean } = {}): CheckOutput {
  const text = readFile(file);
  if (text === undefined) throw new SimError('file-not-found', `cannot read '${file}'`);
  const r = loadPlatform(file, text, { catalog, readFile });
  const report = r.diagnostics.length > 0 ? `${formatDiagnostics(r.diagnostics)}\n` : '';
  if (hasErrors(r.diagnostics) || r.graph === undefined) return { stdout: '', stderr: report, exitCode: 1 };
  const g = r.graph;
  const summary = `${file}: ok, platform '${g.platform}': ${Object.keys(g.instances).length} instances, ${Object.keys(g.clocks).length} clock domains, ${g.connections.length} connections, ${g.addressMap.length} address regions`;
  return { stdout: o.json === true ? `${dumpPlatform(g)}\n` : o.quiet === true ? '' : `${summary}\n`, stderr: report, exitCode: 0 };
}

/** The module reference: the list of kinds, or one kind in full. */
export function describe(kind?: string): string {
  if (kind === undefined) return `${listModules(catalog)}\n\n(run 'edgesim describe <kind>' for params, ports, energy events, statistics and fault points)`;
  const def = catalog.get(kind);
  if (!def) throw new SimError('bad-argument', `unknown module kind '${kind}': ${unknownNameHint(kind, [...catalog.keys()], 'known kinds')}`);
  return describeModule(def, defaultParams(def) ?? fillTech(def));
}

/**
 * The module reference as JSON (`describe --json`): every kind with its summary, or one kind with
 * its doc sections, params (type, unit, default, range, doc), ports at the defaults, energy
 * events, statistics and fault points.
 */
export function describeJson(kind?: string): string {
  if (kind === undefined) return JSON.stringify({ kinds: [...catalog.values()].map((d) => ({ kind: d.kind, summary: d.doc.summary })) }, null, 2);
  const def = catalog.get(kind);
  if (!def) throw new SimError('bad-argument', `unknown module kind '${kind}': ${unknownNameHint(kind, [...catalog.keys()], 'known kinds')}`);
  type Spec = { type: string; unit: string; doc: string; default?: unknown; tech?: boolean; min?: unknown; max?: unknown; powerOfTwo?: boolean; values?: readonly unknown[] };
  const params = Object.fromEntries(Object.entries(def.params as Record<string, Spec>).map(([n, s]) => [n, {
    type: s.type, unit: s.unit, doc: s.doc,
    ...(s.default === undefined ? { default: null, from: s.tech === true ? 'tech file' : 'required' } : { default: s.default }),
    ...(s.min === undefined ? {} : { min: s.min }), ...(s.max === undefined ? {} : { max: s.max }),
    ...(s.powerOfTwo === true ? { powerOfTwo: true } : {}), ...(s.values === undefined ? {} : { values: s.values }),
  }]));
  const defaults = defaultParams(def) ?? fillTech(def);
  const ports = def.ports(defaults as never).map((p) => ({ name: p.name, count: p.count ?? null, role: p.role, protocol: p.protocol, widthBits: p.widthBits, required: p.required === true, doc: p.doc }));
  return JSON.stringify({ kind: def.kind, doc: def.doc, params, ports, energy: def.energy, stats: def.stats, faults: def.faults }, null, 2);
}

/** Defaults with technology params (no default) set to 0, only to list the ports of a kind. */
function fillTech(def: Parameters<typeof describeModule>[0]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [n, s] of Object.entries(def.params as Record<string, { default?: unknown; parse(raw: unknown): { ok: boolean; value?: unknown } }>)) {
    const r = s.parse(s.default ?? 0);
    out[n] = r.ok ? r.value : 0;
  }
  return out;
}

/** The JSON Schema of platform files. */
export const schema = (): string => JSON.stringify(platformSchema(catalog), null, 2);
