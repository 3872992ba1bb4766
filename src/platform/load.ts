/**
 * Loading and elaboration of a platform file: every problem is collected (never thrown), each
 * with file:line:column and a fix; with no errors the result is a frozen {@link PlatformGraph}.
 *
 * Stages: shape (unknown keys, kinds, clocks) -> params (def default < tech files in include
 * order < instance) -> ports and connections (roles, protocols, widths, indices, binding) ->
 * unbound required ports -> address map (overlap, alignment, size).
 */
import { freeze } from 'immer';
import { isScalar, type Node } from 'yaml';
import { PEER_ROLE, isSourceRole, type AnyModuleDef, type AnyParamSpec, type ModuleCatalog, type PortSpec } from '../spec/index.js';
import { formatAddress, formatBytes, hasErrors, parseAddress, parseQuantity, unknownNameHint, type Diagnostic } from '../util/index.js';
import type { AddressRegion, ClockDomain, Connection, Endpoint, InstanceNode, PlatformGraph } from './graph.js';
import { formatEndpoint } from './graph.js';
import { globToRegExp } from './scenario.js';
import { Source, plain } from './source.js';
import { loadTech, type TechValues } from './tech.js';

/** What the loader needs from outside: the kinds, and a way to read included files. */
export interface LoadOptions {
  readonly catalog: ModuleCatalog;
  /** Returns the text of a file, or undefined if it does not exist. */
  readonly readFile: (path: string) => string | undefined;
  /**
   * Param values set from outside the platform file (a design-space sweep's point), applied
   * after the instance's own params and before ports, connections and the address map are
   * elaborated, so structure that follows from params (a memory's `sizeBytes` sizing its
   * address-map region, port counts) follows the override. Each is checked like a value written
   * in the file; problems are reported at the override's own position (`at`), as are globs that
   * match no instance and params a matched instance does not declare.
   */
  readonly overrides?: readonly ParamOverride[];
}

/** One param value set from outside the platform file ({@link LoadOptions.overrides}). */
export interface ParamOverride {
  /** Instance-name glob (`*` any characters, `?` one). */
  readonly target: string;
  readonly param: string;
  /** The value as written in YAML (read by the param's spec: units and ranges as in a platform file). */
  readonly raw: unknown;
  /** Where the override was written (diagnostics and the param's origin). */
  readonly at: { readonly file: string; readonly line: number; readonly column: number };
}


/** Diagnostics (errors and warnings) and, when there is no error, the frozen graph. */
export interface LoadResult {
  readonly graph: PlatformGraph | undefined;
  readonly diagnostics: readonly Diagnostic[];
}

/** Top-level keys of a platform file. */
export const PLATFORM_KEYS = ['platform', 'doc', 'include', 'clocks', 'instances', 'connections', 'addressMap'] as const;
/** Keys of an instance. */
export const INSTANCE_KEYS = ['kind', 'clock', 'params', 'doc'] as const;
/** Keys of an address-map entry. */
export const REGION_KEYS = ['target', 'base', 'size'] as const;

/** `a.port -> b.port[2]`. */
export const CONNECTION_RE = /^(\s*)([A-Za-z_]\w*)\.([A-Za-z_]\w*)(?:\[(\d+)\])?\s*->\s*([A-Za-z_]\w*)\.([A-Za-z_]\w*)(?:\[(\d+)\])?\s*$/;

/** Joins a path relative to the directory of `file` (POSIX separators; no filesystem access). */
export function siblingPath(file: string, rel: string): string {
  if (rel.startsWith('/')) return rel;
  const parts = file.split('/').slice(0, -1);
  for (const seg of rel.split('/')) {
    if (seg === '..' && parts.length > 0 && parts[parts.length - 1] !== '..') parts.pop();
    else if (seg !== '.' && seg !== '') parts.push(seg);
  }
  return parts.join('/');
}

interface Inst {
  readonly name: string;
  readonly key: Node;
  readonly def: AnyModuleDef;
  readonly clock: string;
  readonly params: Record<string, unknown>;
  readonly origin: Record<string, string>;
  /** Undefined when the params had errors: ports cannot be computed, port checks are skipped. */
  readonly ports: readonly PortSpec[] | undefined;
}

/** Loads and elaborates a platform from its text. `file` names it in diagnostics and resolves includes. */
export function loadPlatform(file: string, text: string, opts: LoadOptions): LoadResult {
  const diags: Diagnostic[] = [];
  const src = new Source(file, text, diags);
  const done = (graph?: PlatformGraph): LoadResult => ({ graph: graph !== undefined && !hasErrors(diags) ? freeze(graph, true) : undefined, diagnostics: diags });
  if (hasErrors(diags)) return done();
  const top = src.map(src.doc.contents, 'the platform file');
  if (!top) return done();
  const e = src.entries(top, 'the platform file', PLATFORM_KEYS, ['platform', 'clocks', 'instances']);
  const name = e.has('platform') ? src.str(e.get('platform')!.value, "'platform'", e.get('platform')!.key) ?? '' : '';
  const doc = e.has('doc') ? src.str(e.get('doc')!.value, "'doc'", e.get('doc')!.key) ?? '' : '';

  // Technology files, in include order (later ones override earlier ones).
  const tech: TechValues = new Map();
  const techFiles: string[] = [];
  let techFailed = false; // an include could not be read or had errors: do not also report the values it would have set
  const inc = e.get('include');
  if (inc) {
    const list = src.seq(inc.value, "'include'", inc.key);
    if (!list) techFailed = true;
    for (const item of list?.items ?? []) {
      const rel = src.str(item, 'an include');
      if (rel === undefined) {
        techFailed = true;
        continue;
      }
      const path = siblingPath(file, rel);
      const t = opts.readFile(path);
      if (t === undefined) {
        techFailed = true;
        src.error(item, 'include-not-found', `cannot read included file '${rel}' (looked for ${path})`, 'paths are relative to the platform file, e.g. tech/pulp-open.yaml');
        continue;
      }
      techFiles.push(path);
      const before = diags.length;
      loadTech(path, t, opts.catalog, tech, diags);
      if (hasErrors(diags.slice(before))) techFailed = true;
    }
  }

  // Clock domains.
  const clocks = new Map<string, ClockDomain>();
  const declaredClocks = new Set<string>(); // including ones whose frequency had an error
  const ck = e.get('clocks');
  const ckMap = ck ? src.map(ck.value, "'clocks'", ck.key) : undefined;
  for (const c of ckMap ? src.pairs(ckMap, 'clock') : []) {
    declaredClocks.add(c.name);
    // A clock is a frequency (250MHz) or, where the frequency's period is not a whole number
    // of picoseconds, its period (3846ps for 260 MHz), which is then exact.
    const asPeriod = parseQuantity('time', plain(c.value));
    if (asPeriod.ok) {
      if (asPeriod.value <= 0) src.error(c.value, 'out-of-range', `clock '${c.name}' must have a period above 0 ps`, 'write a period such as 3846ps or a frequency such as 250MHz');
      else clocks.set(c.name, { name: c.name, freqHz: 1e12 / asPeriod.value, periodPs: asPeriod.value });
      continue;
    }
    const r = parseQuantity('freq', plain(c.value));
    if (!r.ok) src.error(c.value ?? c.key, 'bad-unit', `clock '${c.name}': ${r.message}`, 'write a frequency such as 250MHz or a period such as 4ns');
    else if (r.value <= 0) src.error(c.value, 'out-of-range', `clock '${c.name}' must have a frequency above 0 Hz`, 'write a frequency such as 250MHz');
    else {
      const periodPs = Math.round(1e12 / r.value);
      if (Math.abs(periodPs - 1e12 / r.value) > 1e-6) src.warning(c.value, 'clock-period-rounded', `clock '${c.name}': the period of ${String(plain(c.value))} is not a whole number of picoseconds; it is rounded to ${periodPs} ps`, 'time resolution is 1 ps: frequencies such as 250MHz (4000 ps) are exact; otherwise give the period instead (e.g. 3846ps) or accept the rounding');
      clocks.set(c.name, { name: c.name, freqHz: r.value, periodPs });
    }
  }

  // Instances and their params.
  const insts = new Map<string, Inst>();
  const broken = new Set<string>(); // declared, but unusable (no or unknown kind): no follow-up errors
  const kinds = [...opts.catalog.keys()];
  const is = e.get('instances');
  const isMap = is ? src.map(is.value, "'instances'", is.key) : undefined;
  for (const p of isMap ? src.pairs(isMap, 'instance') : []) {
    broken.add(p.name);
    const m = src.map(p.value, `instance '${p.name}'`, p.key);
    if (!m) continue;
    const f = src.entries(m, `instance '${p.name}'`, INSTANCE_KEYS, ['kind']);
    const kindNode = f.get('kind');
    const kind = kindNode ? src.str(kindNode.value, `the kind of '${p.name}'`, kindNode.key) : undefined;
    if (kind === undefined) continue;
    const def = opts.catalog.get(kind);
    if (!def) {
      src.error(kindNode!.value, 'unknown-kind', `instance '${p.name}': unknown module kind '${kind}'`, `${unknownNameHint(kind, kinds, 'known kinds')} (run 'edgesim describe' for the list)`);
      continue;
    }
    let clock = '';
    const cn = f.get('clock');
    if (!cn) src.error(p.key, 'missing-clock', `instance '${p.name}' has no clock`, clocks.size > 0 ? `add 'clock: ${[...clocks.keys()][0]}' (clock domains: ${[...clocks.keys()].join(', ')})` : "declare a clock domain under 'clocks:' and add 'clock: <name>'");
    else {
      clock = src.str(cn.value, `the clock of '${p.name}'`, cn.key) ?? '';
      if (clock !== '' && !declaredClocks.has(clock)) {
        src.error(cn.value, 'unknown-clock', `instance '${p.name}': no clock domain '${clock}'`, clocks.size > 0 ? unknownNameHint(clock, [...clocks.keys()], 'clock domains') : "declare it under 'clocks:'");
      }
    }
    broken.delete(p.name);
    insts.set(p.name, resolveParams(src, p.name, p.key, def, clock, f.get('params'), tech, techFailed, overridesFor(p.name, def, opts.overrides ?? [], diags)));
  }
  checkOverrideTargets(opts.overrides ?? [], [...insts.keys()], broken, diags);

  // Connections.
  const bound = new Map<string, { text: string; node: Node }>();
  const connections: Connection[] = [];
  const cs = e.get('connections');
  for (const item of cs ? src.seq(cs.value, "'connections'", cs.key)?.items ?? [] : []) {
    const c = connect(src, item, insts, broken, bound);
    if (c) connections.push(c);
  }

  // Unbound required ports.
  for (const inst of insts.values()) {
    for (const ps of inst.ports ?? []) {
      if (!ps.required) continue;
      const idx = ps.count === undefined ? [undefined] : Array.from({ length: ps.count }, (_, i) => i);
      const missing = idx.filter((i) => !bound.has(formatEndpoint({ instance: inst.name, port: ps.name, ...(i === undefined ? {} : { index: i }) })));
      if (missing.length === 0) continue;
      const names = missing.map((i) => `${ps.name}${i === undefined ? '' : `[${i}]`}`);
      const peer = PEER_ROLE[ps.role];
      const example = isSourceRole(ps.role) ? `- ${inst.name}.${names[0]} -> <instance>.<${peer} port>` : `- <instance>.<${peer} port> -> ${inst.name}.${names[0]}`;
      src.error(inst.key, 'unbound-port', `instance '${inst.name}' (${inst.def.kind}): required ${ps.role} port${names.length > 1 ? 's' : ''} ${names.join(', ')} (${ps.protocol}, ${ps.widthBits} bits) not connected`, `add under connections: '${example}'`);
    }
  }

  // Address map.
  const regions: (AddressRegion & { node: Node })[] = [];
  const am = e.get('addressMap');
  for (const item of am ? src.seq(am.value, "'addressMap'", am.key)?.items ?? [] : []) {
    const r = region(src, item, insts, broken);
    if (r) regions.push(r);
  }
  checkRegions(src, regions);

  if (hasErrors(diags)) return done();
  const instances: Record<string, InstanceNode> = {};
  for (const i of insts.values()) instances[i.name] = { name: i.name, kind: i.def.kind, clock: i.clock, params: i.params, paramOrigin: i.origin, ports: i.ports ?? [] };
  return done({
    platform: name,
    doc,
    file,
    tech: techFiles,
    clocks: Object.fromEntries(clocks),
    instances,
    connections,
    addressMap: regions.map(({ node: _n, ...r }) => r).sort((a, b) => a.base - b.base),
  });
}

/** The overrides that apply to instance `name`, parsed by its param specs; problems go to `diags` at the override's position. */
function overridesFor(name: string, def: AnyModuleDef, overrides: readonly ParamOverride[], diags: Diagnostic[]): Map<string, { value: unknown; origin: string }> {
  const out = new Map<string, { value: unknown; origin: string }>();
  const specs = def.params as Record<string, AnyParamSpec>;
  for (const o of overrides) {
    if (!globToRegExp(o.target).test(name)) continue;
    const at = { file: o.at.file, line: o.at.line, column: o.at.column };
    const s = specs[o.param];
    if (s === undefined) {
      diags.push({ severity: 'error', code: 'unknown-param', message: `'${o.target}.${o.param}': instance '${name}' (${def.kind}) has no param '${o.param}'`, ...at, hint: unknownNameHint(o.param, Object.keys(specs), `params of ${def.kind}`) });
      continue;
    }
    const r = s.parse(o.raw);
    if (!r.ok) {
      diags.push({ severity: 'error', code: r.code, message: `'${o.target}.${o.param}' = ${JSON.stringify(o.raw)}: instance '${name}': ${r.message}`, ...at, hint: r.hint ?? `see 'edgesim describe ${def.kind}'` });
      continue;
    }
    out.set(o.param, { value: r.value, origin: `override:${o.at.file}:${o.at.line}` });
  }
  return out;
}

/** Overrides whose glob matches no declared instance are errors at their position. */
function checkOverrideTargets(overrides: readonly ParamOverride[], names: readonly string[], broken: ReadonlySet<string>, diags: Diagnostic[]): void {
  for (const o of overrides) {
    const re = globToRegExp(o.target);
    if (names.some((n) => re.test(n)) || [...broken].some((n) => re.test(n))) continue;
    diags.push({ severity: 'error', code: 'unknown-param-target', message: `'${o.target}.${o.param}': '${o.target}' matches no instance of the platform`, file: o.at.file, line: o.at.line, column: o.at.column, hint: `instances: ${names.join(', ')}` });
  }
}

function resolveParams(src: Source, name: string, key: Node, def: AnyModuleDef, clock: string, pn: { key: Node; value: Node | null } | undefined, tech: TechValues, techFailed: boolean, over: ReadonlyMap<string, { value: unknown; origin: string }>): Inst {
  const params: Record<string, unknown> = {};
  const origin: Record<string, string> = {};
  let ok = true;
  const specs = def.params as Record<string, AnyParamSpec>;
  for (const [n, s] of Object.entries(specs)) {
    if (s.default !== undefined) {
      const r = s.parse(s.default);
      if (r.ok) {
        params[n] = r.value;
        origin[n] = 'default';
      }
    }
    const t = tech.get(def.kind)?.get(n);
    if (t) {
      params[n] = t.value;
      origin[n] = `tech:${t.file}: ${t.source}`;
    }
  }
  const given = pn ? src.map(pn.value, `params of '${name}'`, pn.key) : undefined;
  const valueNode = new Map<string, Node>();
  if (given) {
    for (const p of src.pairs(given, 'param')) {
      valueNode.set(p.name, p.value ?? p.key);
      const s = specs[p.name];
      if (!s) {
        src.error(p.key, 'unknown-param', `instance '${name}' (${def.kind}) has no param '${p.name}'`, unknownNameHint(p.name, Object.keys(specs), 'params'));
        continue;
      }
      const r = s.parse(plain(p.value));
      if (!r.ok) {
        ok = false;
        src.error(p.value ?? p.key, r.code, `instance '${name}': param '${p.name}': ${r.message}`, r.hint ?? `see 'edgesim describe ${def.kind}'`);
        continue;
      }
      params[p.name] = r.value;
      origin[p.name] = 'instance';
    }
  }
  for (const [n, o] of over) {
    params[n] = o.value;
    origin[n] = o.origin;
  }
  for (const n of Object.keys(specs)) {
    if (params[n] !== undefined || origin[n] !== undefined) continue;
    if (given?.has(n) === true) continue; // reported above
    ok = false;
    if (techFailed && specs[n]!.tech === true) continue; // the missing include is the error
    src.error(key, 'missing-param', `instance '${name}' (${def.kind}): param '${n}' has no value`, specs[n]!.tech
      ? `set params: { ${n}: ... } or include a tech file with values: { ${def.kind}: { ${n}: { value: ..., source: ... } } }`
      : `set params: { ${n}: ... }`);
  }
  if (ok && def.check !== undefined) {
    for (const prob of def.check(params as never)) {
      ok = false;
      src.error(valueNode.get(prob.param) ?? pn?.key ?? key, 'bad-param-combination', `instance '${name}' (${def.kind}): ${prob.message}`, prob.hint ?? `see 'edgesim describe ${def.kind}'`);
    }
  }
  let ports: readonly PortSpec[] | undefined;
  if (ok) {
    try {
      ports = def.ports(params as never);
    } catch (err) {
      src.error(key, 'bad-value', `instance '${name}': ports cannot be computed from its params: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  return { name, key, def, clock, params, origin, ports };
}

function connect(src: Source, item: Node, insts: ReadonlyMap<string, Inst>, broken: ReadonlySet<string>, bound: Map<string, { text: string; node: Node }>): Connection | undefined {
  const text = src.str(item, 'a connection');
  if (text === undefined) return undefined;
  const m = CONNECTION_RE.exec(text);
  if (!m) {
    src.error(item, 'bad-connection', `cannot read connection ${JSON.stringify(text)}`, "write 'instance.port -> instance.port', with [i] for an element of a port array: 'dma.local[0] -> l1.mem[1]'");
    return undefined;
  }
  const base = Source.textStart(item);
  const after = text.slice(text.indexOf('->') + 2);
  const rightAt = text.indexOf('->') + 2 + after.length - after.trimStart().length;
  const ends: { inst: string; port: string; index: string | undefined; col: number }[] = [
    { inst: m[2]!, port: m[3]!, index: m[4], col: base + m[1]!.length },
    { inst: m[5]!, port: m[6]!, index: m[7], col: base + rightAt },
  ];
  const resolved: { ep: Endpoint; spec: PortSpec; inst: Inst; col: number }[] = [];
  let skipped = false; // an end is an instance with earlier errors: bind the other end, report nothing more
  for (const end of ends) {
    const inst = insts.get(end.inst);
    if (!inst && broken.has(end.inst)) {
      skipped = true;
      continue;
    }
    if (!inst) {
      src.error(item, 'unknown-instance', `connection '${text.trim()}': no instance '${end.inst}'`, unknownNameHint(end.inst, [...insts.keys()], 'instances'), end.col);
      continue;
    }
    if (!inst.ports) {
      skipped = true; // its params had errors, already reported
      continue;
    }
    const spec = inst.ports.find((p) => p.name === end.port);
    if (!spec) {
      src.error(item, 'unknown-port', `connection '${text.trim()}': ${inst.def.kind} '${end.inst}' has no port '${end.port}'`, unknownNameHint(end.port, inst.ports.map((p) => p.name), 'ports'), end.col);
      continue;
    }
    const index = end.index === undefined ? undefined : Number(end.index);
    if (spec.count !== undefined && index === undefined) {
      src.error(item, 'port-index', `connection '${text.trim()}': '${end.inst}.${end.port}' is a port array of ${spec.count}; name one element`, `write ${end.inst}.${end.port}[0] ... ${end.inst}.${end.port}[${spec.count - 1}]`, end.col);
      continue;
    }
    if (spec.count === undefined && index !== undefined) {
      src.error(item, 'port-index', `connection '${text.trim()}': '${end.inst}.${end.port}' is a single port, not an array`, `write ${end.inst}.${end.port} without [${index}]`, end.col);
      continue;
    }
    if (spec.count !== undefined && index !== undefined && index >= spec.count) {
      src.error(item, 'port-index', `connection '${text.trim()}': index ${index} out of range for '${end.inst}.${end.port}' (${spec.count} elements, 0..${spec.count - 1})`, `use an index below ${spec.count}, or raise the param that sizes '${end.port}'`, end.col);
      continue;
    }
    resolved.push({ ep: { instance: end.inst, port: end.port, ...(index === undefined ? {} : { index }) }, spec, inst, col: end.col });
  }
  if (skipped) for (const r of resolved) if (!bound.has(formatEndpoint(r.ep))) bound.set(formatEndpoint(r.ep), { text: text.trim(), node: item });
  if (resolved.length !== 2) return undefined;
  const [a, b] = resolved as [typeof resolved[0], typeof resolved[0]];
  const an = `${formatEndpoint(a.ep)} (${a.spec.role}, ${a.spec.protocol}, ${a.spec.widthBits} bits)`;
  const bn = `${formatEndpoint(b.ep)} (${b.spec.role}, ${b.spec.protocol}, ${b.spec.widthBits} bits)`;
  const conn = `connection '${text.trim()}'`;
  if (!isSourceRole(a.spec.role) || PEER_ROLE[a.spec.role] !== b.spec.role) {
    const swapped = isSourceRole(b.spec.role) && PEER_ROLE[b.spec.role] === a.spec.role;
    src.error(item, 'role-mismatch', `${conn}: ${an} cannot drive ${bn}`, swapped ? `swap the ends: '${formatEndpoint(b.ep)} -> ${formatEndpoint(a.ep)}' (connections go initiator -> target)` : 'connect an initiator to a target, or an event-out to an event-in', a.col);
    return undefined;
  }
  if (a.spec.protocol !== b.spec.protocol) {
    src.error(item, 'protocol-mismatch', `${conn}: protocol mismatch, ${an} vs ${bn}`, `connect '${formatEndpoint(a.ep)}' to a ${a.spec.protocol} ${b.spec.role} port`, a.col);
    return undefined;
  }
  const widthOk = a.spec.widthBits === b.spec.widthBits || (b.spec.acceptsNarrower === true && a.spec.widthBits < b.spec.widthBits);
  if (!widthOk) {
    src.error(item, 'width-mismatch', `${conn}: width mismatch, ${an} vs ${bn}`, `make both ${a.spec.widthBits} bits (set the width param of '${b.ep.instance}' or '${a.ep.instance}'), or connect through an xbar, which converts widths`, a.col);
    return undefined;
  }
  let clash = false;
  for (const r of [a, b]) {
    const k = formatEndpoint(r.ep);
    const prev = bound.get(k);
    if (prev) {
      src.error(item, 'port-already-bound', `${conn}: '${k}' is already connected by '${prev.text}'`, r.spec.count !== undefined ? `use another element of '${r.ep.instance}.${r.ep.port}' (it has ${r.spec.count})` : 'each port takes one connection; add an xbar to share it', r.col);
      clash = true;
    }
  }
  if (clash) return undefined;
  bound.set(formatEndpoint(a.ep), { text: text.trim(), node: item });
  bound.set(formatEndpoint(b.ep), { text: text.trim(), node: item });
  return { from: a.ep, to: b.ep, protocol: a.spec.protocol, fromWidthBits: a.spec.widthBits, toWidthBits: b.spec.widthBits };
}

function region(src: Source, item: Node, insts: ReadonlyMap<string, Inst>, broken: ReadonlySet<string>): (AddressRegion & { node: Node }) | undefined {
  const m = src.map(item, 'an address-map entry');
  if (!m) return undefined;
  const f = src.entries(m, 'an address-map entry', REGION_KEYS, ['target', 'base']);
  const tn = f.get('target');
  const target = tn ? src.str(tn.value, "'target'", tn.key) : undefined;
  const bn = f.get('base');
  if (target === undefined || !bn) return undefined;
  const inst = insts.get(target);
  if (!inst && broken.has(target)) return undefined; // already reported
  if (!inst) {
    src.error(tn!.value, 'unknown-instance', `address map: no instance '${target}'`, unknownNameHint(target, [...insts.keys()], 'instances'));
    return undefined;
  }
  if (inst.ports && !inst.ports.some((p) => p.role === 'target' && p.protocol === 'mem')) {
    src.error(tn!.value, 'address-target', `address map: '${target}' (${inst.def.kind}) has no memory-mapped target port`, 'map only memories, scratchpads and modules with registers (a mem target port)');
    return undefined;
  }
  const base = parseAddress(plain(bn.value));
  if (!base.ok) {
    src.error(bn.value ?? bn.key, 'bad-value', `address map '${target}': ${base.message}`);
    return undefined;
  }
  const capacity = typeof inst.params['sizeBytes'] === 'number' ? inst.params['sizeBytes'] : undefined;
  let size = capacity;
  const sn = f.get('size');
  if (sn) {
    const r = parseQuantity('bytes', plain(sn.value));
    if (!r.ok) {
      src.error(sn.value ?? sn.key, 'bad-unit', `address map '${target}': ${r.message}`);
      return undefined;
    }
    if (r.value <= 0) {
      src.error(sn.value, 'out-of-range', `address map '${target}': size must be above 0 B`);
      return undefined;
    }
    if (capacity !== undefined && r.value > capacity) {
      src.error(sn.value, 'address-size', `address map '${target}': region of ${formatBytes(r.value)} is larger than the ${formatBytes(capacity)} of '${target}'`, `use size: ${formatBytes(capacity).replace(' ', '')} or less, or raise ${target}.sizeBytes`);
      return undefined;
    }
    size = r.value;
  }
  if (size === undefined) {
    src.error(m, 'missing-key', `address map '${target}': no 'size' and '${target}' (${inst.def.kind}) has no sizeBytes param`, "add 'size:', e.g. size: 4KiB");
    return undefined;
  }
  const align = isPow2(size) ? size : 4096;
  if (base.value % align !== 0) {
    const down = base.value - (base.value % align);
    src.error(bn.value, 'address-misaligned', `address map '${target}': base ${formatAddress(base.value)} is not aligned to ${formatBytes(align)} (${isPow2(size) ? 'its size' : 'the 4 KiB page, as its size is not a power of two'})`, `use base: ${formatAddress(down)} or ${formatAddress(down + align)}`);
    return undefined;
  }
  return { target, base: base.value, size, end: base.value + size, node: bn.value ?? m };
}

function checkRegions(src: Source, regions: readonly (AddressRegion & { node: Node })[]): void {
  const sorted = [...regions].sort((a, b) => a.base - b.base);
  for (let i = 0; i < sorted.length; i++) {
    for (let j = i + 1; j < sorted.length && sorted[j]!.base < sorted[i]!.end; j++) {
      const a = sorted[i]!;
      const b = sorted[j]!;
      src.error(b.node, 'address-overlap', `address map: '${b.target}' [${formatAddress(b.base)}, ${formatAddress(b.end)}) overlaps '${a.target}' [${formatAddress(a.base)}, ${formatAddress(a.end)})`, `move '${b.target}' to ${formatAddress(Math.ceil(a.end / alignOf(b.size)) * alignOf(b.size))} or above, or shrink '${a.target}'`);
    }
  }
}

const isPow2 = (n: number): boolean => n > 0 && Number.isInteger(Math.log2(n));
const alignOf = (size: number): number => (isPow2(size) ? size : 4096);
