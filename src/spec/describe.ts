/** The module reference, generated from declarations (`edgesim describe`): no hand-written docs to drift. */
import type { AnyModuleDef, ModuleCatalog } from './define-module.js';
import type { AnyParamSpec } from './param.js';

function paramLine(name: string, s: AnyParamSpec): string {
  const dflt = s.default === undefined ? (s.tech ? 'from tech file' : 'required') : `default ${Array.isArray(s.default) ? `[${s.default.join(', ')}]` : String(s.default)}`;
  const range = [s.min !== undefined ? `min ${s.format(s.min)}` : '', s.max !== undefined ? `max ${s.format(s.max)}` : '', s.powerOfTwo ? 'power of two' : '', s.values ? `one of ${s.values.join(' | ')}` : '']
    .filter((x) => x !== '').join(', ');
  const type = s.unit === '' ? s.type : `${s.type}, ${s.unit}`;
  return `  ${name} (${type}; ${dflt}${range === '' ? '' : `; ${range}`}): ${s.doc}`;
}

/** Plain-text reference of one kind: doc sections, params, ports (at the defaults), energy, stats, faults. */
export function describeModule(def: AnyModuleDef, defaults?: Readonly<Record<string, unknown>>): string {
  const out = [
    `${def.kind}: ${def.doc.summary}`,
    '',
    `Models: ${def.doc.models}`,
    `Does not model: ${def.doc.doesNotModel}`,
    `Timing: ${def.doc.timing}`,
    `Energy: ${def.doc.energy}`,
    `Area: ${def.area === undefined ? ('area' in def.params ? 'the `area` param' : 'not declared') : `${def.area.length > 1 ? 'the sum of: ' : ''}${def.area.map((t) => `${t.per === '' ? `${t.param} as is` : `${t.param} per ${t.per}, times the ${t.per}s of the instance`}${t.doc === undefined ? '' : ` (${t.doc})`}`).join('; plus ')}`}`,
    '',
    'Parameters:',
    ...Object.entries(def.params).map(([n, s]) => paramLine(n, s as AnyParamSpec)),
  ];
  if (defaults !== undefined) {
    out.push('', 'Ports (at the defaults):');
    for (const p of def.ports(defaults as never)) {
      out.push(`  ${p.name}${p.count === undefined ? '' : `[${p.count}]`} (${p.role}, ${p.protocol}, ${p.widthBits} bits${p.required ? ', required' : ''}${p.acceptsNarrower ? ', accepts narrower' : ''}): ${p.doc}`);
    }
  }
  const section = (title: string, entries: [string, string][]): void => {
    if (entries.length === 0) return;
    out.push('', `${title}:`, ...entries.map(([n, t]) => `  ${n}: ${t}`));
  };
  section('Energy events', Object.entries(def.energy).map(([n, e]) => [n, `${e.kind}, ${e.kind === 'per-event' ? `${e.cost}${e.scale === undefined ? '' : ' x scale'}` : e.power}: ${e.doc}${e.kind === 'per-event' && e.scale !== undefined ? ` Scale: ${e.scale.doc}` : ''}`]));
  section('Statistics', Object.entries(def.stats).map(([n, s]) => [n, `${s.kind}${s.unit === '' ? '' : `, ${s.unit}`}: ${s.doc}`]));
  section('Fault points', Object.entries(def.faults).map(([n, f]) => [n, `${f.kind} on ${f.target}: ${f.doc} ${f.injectedBy === undefined ? '(declared; no scenario fault kind drives it yet)' : `(scenario: kind: ${f.injectedBy})`}`]));
  return out.join('\n');
}

/** One line per kind: `kind  summary`. */
export function listModules(catalog: ModuleCatalog): string {
  const w = Math.max(...[...catalog.keys()].map((k) => k.length));
  return [...catalog.values()].map((d) => `${d.kind.padEnd(w)}  ${d.doc.summary}`).join('\n');
}
