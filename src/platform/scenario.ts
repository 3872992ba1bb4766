/**
 * Scenario files: what a fault or noise campaign runs (`edgesim campaign <scenario.yaml>`).
 *
 * ```yaml
 * scenario: l1-upsets                 # name (optional; default: the file's base name)
 * doc: transient upsets in the cluster L1 during ResNet-8
 * platform: ../platforms/pulp-cluster.yaml       # paths relative to this file
 * model: ../test/fixtures/models/mlperf_tiny_resnet8_int8_qop.onnx
 * mapping: resnet8.mapping.yaml      # optional mapping file
 * data:
 *   images: ../test/fixtures/models/data/cifar10_test500_images_u8.bin
 *   labels: ../test/fixtures/models/data/cifar10_test500_labels_u8.bin
 *   shape: [3, 32, 32]
 *   preprocess: sub128                # optional (default: from the input type)
 *   first: 0                          # the subset: samples first .. first + inferences - 1
 * seed: 1
 * chips: 4                            # fault realizations
 * inferences: 20                      # per chip (the same subset on every chip)
 * threshold: 85%                      # accuracy below it is FAIL
 * faults:
 *   - kind: bit-flip                  # transient: a bit inverted once, at a drawn time
 *     target: l1                      # instance-path glob over the memories and scratchpads
 *     count: 2                        # exactly this many per inference, or rate: 1e-7 per bit
 *     bits: [0, 7]                    # bit positions in the byte (default 0..7)
 *     region: [0x10000000, 0x10004000] # [from, to) byte addresses (default: the whole target)
 *     window: [0ns, 1ms]              # [from, to) simulated time (default: [0, 1 ms))
 * params:                             # optional: param overrides, per instance-path glob
 *   'aimc*': { programNoise: pcm, drift: pcm, driftTime: 86400 }
 * ```
 * Checked here: keys, types, ranges (rates in [0, 1], counts non-negative integers, windows and
 * regions non-empty, bits 0..7), exactly one of `count`/`rate`. `checkScenarioTargets` then
 * checks the targets against the elaborated platform (a glob matching no memory, a region
 * outside every matched memory).
 *
 * `params` sets params of the platform's instances for this campaign (e.g. the analog
 * non-idealities of the AIMC tiles, `src/modules/aimc-tile/noise.ts`): each key is an
 * instance-path glob, its value a map of param values written as in a platform file.
 * `applyScenarioParams` applies them to the elaborated platform (overriding instance, tech and
 * default values; origin `scenario:<file>:<line>`), with the same readers and combination checks
 * as the platform loader. Errors at the scenario's positions: a glob matching no instance, a
 * param a matched instance does not declare, a bad value, a bad combination, or a param that
 * would change an instance's ports (structure belongs in the platform file).
 */
import { isMap, isScalar, isSeq, type Node, type Pair } from 'yaml';
import type { AnyParamSpec, ModuleCatalog } from '../spec/index.js';
import { formatAddress, parseAddress, parseTime, unknownNameHint, type Diagnostic, type Time } from '../util/index.js';
import type { InstanceNode, PlatformGraph } from './graph.js';
import { Source, plain } from './source.js';

/** Keys of a scenario file. */
export const SCENARIO_KEYS = ['scenario', 'doc', 'platform', 'model', 'mapping', 'data', 'seed', 'chips', 'inferences', 'threshold', 'faults', 'params', 'sweep'] as const;
/** Keys of `data`. */
export const SCENARIO_DATA_KEYS = ['images', 'labels', 'shape', 'preprocess', 'first'] as const;
/** Keys of one fault. */
export const FAULT_KEYS = ['kind', 'target', 'count', 'rate', 'bits', 'region', 'window'] as const;
/** Fault kinds this version injects. */
export const FAULT_KINDS = ['bit-flip'] as const;
/** Module kinds a fault can target (they hold bytes in the address map). */
export const FAULT_TARGET_KINDS = ['memory', 'scratchpad'] as const;

/** Where a value was written, for diagnostics raised after loading. */
export interface SourcePos { readonly file: string; readonly line: number; readonly column: number }

/** One fault specification of a scenario. */
export interface ScenarioFault {
  readonly kind: (typeof FAULT_KINDS)[number];
  /** Instance-path glob (`*` any characters, `?` one). */
  readonly target: string;
  /** Exactly this many faults per inference, or ... */
  readonly count: number | undefined;
  /** ... each bit of the targeted bytes flips with this probability per inference. */
  readonly rate: number | undefined;
  /** Bit positions within a byte that may be hit (0 = least significant). */
  readonly bits: readonly number[];
  /** Byte address range [from, to), or undefined for the whole of each target. */
  readonly region: readonly [number, number] | undefined;
  /** Simulated-time window [from, to) in ps. */
  readonly window: readonly [Time, Time];
  /** Position of `target` (for target checks). */
  readonly at: SourcePos;
}

/** One param override of a scenario's `params` block. */
export interface ScenarioParamValue {
  readonly name: string;
  /** The value as written (plain YAML value), read by the param's spec when applied. */
  readonly raw: unknown;
  /** Positions of the param's key and value. */
  readonly keyAt: SourcePos;
  readonly valueAt: SourcePos;
}

/** The overrides of one instance-path glob of a scenario's `params` block. */
export interface ScenarioParams {
  /** Instance-path glob (`*` any characters, `?` one). */
  readonly target: string;
  readonly at: SourcePos;
  readonly values: readonly ScenarioParamValue[];
}

/** A loaded scenario (paths as written; the CLI resolves them against the file's folder). */
export interface Scenario {
  readonly name: string;
  readonly doc: string | undefined;
  readonly platform: string;
  readonly model: string;
  readonly mapping: string | undefined;
  readonly data: { readonly images: string; readonly labels: string | undefined; readonly shape: readonly number[]; readonly preprocess: string | undefined; readonly first: number };
  readonly seed: number;
  readonly chips: number;
  readonly inferences: number;
  /** Accuracy threshold in [0, 1], or undefined (no PASS/FAIL). */
  readonly threshold: number | undefined;
  readonly faults: readonly ScenarioFault[];
  /** Param overrides applied to the platform before the campaign ({@link applyScenarioParams}); empty = none. */
  readonly params: readonly ScenarioParams[];
  /** Sweep axes (at most two); empty = one campaign. */
  readonly sweep: readonly SweepAxis[];
}

/**
 * One axis of a scenario's `sweep`: `'<instance glob>.<param>': [values]` overrides a platform
 * param (as `params` does) at each value; `'faults.<n>.rate'` / `'faults.<n>.count'` replaces the
 * n-th fault's (1-based) amount.
 */
export interface SweepAxis {
  /** The key as written. */
  readonly key: string;
  readonly what: { readonly kind: 'param'; readonly target: string; readonly param: string } | { readonly kind: 'fault'; readonly fault: number; readonly field: 'rate' | 'count' };
  /** Values as written (plain YAML scalars). */
  readonly values: readonly (string | number | boolean)[];
  readonly keyAt: SourcePos;
  readonly valuesAt: readonly SourcePos[];
}

/** At most this many sweep axes. */
export const MAX_SWEEP_AXES = 2;

/** The points of a sweep: every combination of the axes' value indices (first axis slowest); `[[]]` without axes. */
export function sweepPoints(s: Scenario): number[][] {
  let pts: number[][] = [[]];
  for (const a of s.sweep) pts = pts.flatMap((p) => a.values.map((_, i) => [...p, i]));
  return pts;
}

/**
 * The scenario at one sweep point (value index per axis): param axes become `params` overrides
 * (after the scenario's own, so they win), fault axes replace the fault's `rate` or `count`.
 * Values are checked when applied (params: by the param's spec; faults: here, `bad-value`).
 */
export function scenarioAtPoint(s: Scenario, point: readonly number[]): { value?: Scenario; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const params = [...s.params];
  const faults = [...s.faults];
  s.sweep.forEach((a, k) => {
    const i = point[k] ?? 0;
    const v = a.values[i]!;
    const at = a.valuesAt[i] ?? a.keyAt;
    if (a.what.kind === 'param') {
      params.push({ target: a.what.target, at: a.keyAt, values: [{ name: a.what.param, raw: v, keyAt: a.keyAt, valueAt: at }] });
      return;
    }
    const f = faults[a.what.fault - 1]!;
    const ok = typeof v === 'number' && (a.what.field === 'rate' ? v >= 0 && v <= 1 : Number.isSafeInteger(v) && v >= 0);
    if (!ok) {
      diagnostics.push({ severity: 'error', code: 'bad-value', message: `sweep '${a.key}': ${JSON.stringify(v)} is not a valid ${a.what.field} (${a.what.field === 'rate' ? 'a probability in [0, 1]' : 'a non-negative integer'})`, file: at.file, line: at.line, column: at.column });
      return;
    }
    faults[a.what.fault - 1] = { ...f, rate: a.what.field === 'rate' ? v : undefined, count: a.what.field === 'count' ? v : undefined };
  });
  return diagnostics.length > 0 ? { diagnostics } : { value: { ...s, params, faults, sweep: [] }, diagnostics };
}

/** A point's label: `adcBits=6,gain=1` (the axis key's last part and the value). */
export function sweepLabel(s: Scenario, point: readonly number[]): string {
  return s.sweep.map((a, k) => `${a.what.kind === 'param' ? a.what.param : `fault${a.what.fault}.${a.what.field}`}=${formatSweepValue(a.values[point[k] ?? 0]!)}`).join(',');
}

/** A sweep value as text: small numbers in exponent form (`1e-6`, not `0.000001`). */
export function formatSweepValue(v: string | number | boolean): string {
  return typeof v === 'number' && v !== 0 && Math.abs(v) < 1e-3 ? v.toExponential() : String(v);
}

/** Default fault window: the first millisecond of simulated time. */
export const DEFAULT_FAULT_WINDOW: readonly [Time, Time] = [0, 1_000_000_000];

/** Loads and checks a scenario file; every problem is a positioned diagnostic. */
export function loadScenario(file: string, text: string): { value?: Scenario; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const src = new Source(file, text, diagnostics);
  if (diagnostics.length > 0) return { diagnostics };
  const top = src.map(src.doc.contents, 'a scenario file');
  if (top === undefined) return { diagnostics };
  const e = src.entries(top, 'the scenario', SCENARIO_KEYS, ['platform', 'model', 'data', 'chips', 'inferences']);
  const str = (k: string): string | undefined => {
    const v = e.get(k);
    return v === undefined ? undefined : src.str(v.value, k, v.key);
  };
  const int = (node: Node | null, what: string, min: number, fallback?: Node | null): number | undefined => {
    const v = isScalar(node) ? node.value : undefined;
    if (typeof v === 'number' && Number.isSafeInteger(v) && v >= min) return v;
    src.error(node ?? fallback, 'bad-value', `${what} must be an integer >= ${min}, got ${JSON.stringify(isScalar(node) ? node.value : node?.toJSON?.())}`);
    return undefined;
  };
  const name = str('scenario') ?? file.replace(/^.*[\\/]/, '').replace(/\.ya?ml$/, '');
  const doc = str('doc');
  const platform = str('platform');
  const model = str('model');
  const mapping = str('mapping');
  const chipsE = e.get('chips');
  const chips = chipsE === undefined ? undefined : int(chipsE.value, 'chips', 1, chipsE.key);
  const infE = e.get('inferences');
  const inferences = infE === undefined ? undefined : int(infE.value, 'inferences', 1, infE.key);
  const seedE = e.get('seed');
  const seed = seedE === undefined ? 0 : int(seedE.value, 'seed', 0, seedE.key);
  if (seedE === undefined) src.warning(top, 'default-seed', 'no seed given: seed 0 is used', 'add \'seed: <integer>\' so the campaign is reproducible by name');

  let threshold: number | undefined;
  const th = e.get('threshold');
  if (th !== undefined) {
    const raw = isScalar(th.value) ? th.value.value : undefined;
    const v = typeof raw === 'number' ? raw : typeof raw === 'string' && /^\d+(\.\d+)?%$/.test(raw.trim()) ? Number(raw.trim().slice(0, -1)) / 100 : NaN;
    if (Number.isFinite(v) && v >= 0 && v <= 1) threshold = v;
    else src.error(th.value ?? th.key, 'bad-value', `threshold must be an accuracy in [0, 1] or a percentage, got ${JSON.stringify(raw)}`, 'write e.g. threshold: 0.85 or threshold: 85%');
  }

  let data: Scenario['data'] | undefined;
  const de = e.get('data');
  if (de !== undefined) {
    const m = src.map(de.value, 'data', de.key);
    if (m !== undefined) {
      const d = src.entries(m, 'data', SCENARIO_DATA_KEYS, ['images', 'shape']);
      const s = (k: string): string | undefined => {
        const v = d.get(k);
        return v === undefined ? undefined : src.str(v.value, `data.${k}`, v.key);
      };
      const shapeE = d.get('shape');
      let shape: number[] | undefined;
      if (shapeE !== undefined) {
        const ok = isSeq(shapeE.value) && shapeE.value.items.length > 0 && shapeE.value.items.every((x) => isScalar(x) && typeof x.value === 'number' && Number.isSafeInteger(x.value) && x.value > 0);
        if (ok) shape = (shapeE.value as { items: { value: number }[] }).items.map((x) => x.value);
        else src.error(shapeE.value ?? shapeE.key, 'bad-value', 'data.shape must be a list of positive integers (one sample, without the batch)', 'write e.g. shape: [3, 32, 32]');
      }
      const firstE = d.get('first');
      const first = firstE === undefined ? 0 : int(firstE.value, 'data.first', 0, firstE.key);
      const images = s('images');
      if (images !== undefined && shape !== undefined && first !== undefined) data = { images, labels: s('labels'), shape, preprocess: s('preprocess'), first };
    }
  }

  const faults: ScenarioFault[] = [];
  const fe = e.get('faults');
  if (fe !== undefined && fe.value !== null) {
    const list = src.seq(fe.value, 'faults', fe.key);
    for (const [i, item] of (list?.items ?? []).entries()) {
      const f = loadFault(src, item, i);
      if (f !== undefined) faults.push(f);
    }
  }
  const params: ScenarioParams[] = [];
  const pe = e.get('params');
  if (pe !== undefined && pe.value !== null) {
    const m = src.map(pe.value, 'params', pe.key);
    for (const p of (m?.items ?? []) as Pair<Node, Node | null>[]) {
      const target = isScalar(p.key) && typeof p.key.value === 'string' && p.key.value.trim() !== '' ? p.key.value : undefined;
      if (target === undefined) {
        src.error(p.key, 'bad-type', `params: keys must be instance-path globs (strings), got ${JSON.stringify(isScalar(p.key) ? p.key.value : null)}`, "write e.g. 'aimc*': { programNoise: pcm }");
        continue;
      }
      if (!isMap(p.value)) {
        src.error(p.value ?? p.key, 'bad-type', `params '${target}' must be a mapping of param names to values`, `write e.g. '${target}': { driftTime: 86400 }`);
        continue;
      }
      const values: ScenarioParamValue[] = [];
      for (const q of p.value.items as Pair<Node, Node | null>[]) {
        if (!isScalar(q.key) || typeof q.key.value !== 'string') {
          src.error(q.key, 'bad-type', `params '${target}': param names must be strings`);
          continue;
        }
        values.push({ name: q.key.value, raw: plain(q.value), keyAt: src.position(q.key), valueAt: src.position(q.value ?? q.key) });
      }
      params.push({ target, at: src.position(p.key), values });
    }
  }
  const sweep: SweepAxis[] = [];
  const se = e.get('sweep');
  if (se !== undefined && se.value !== null) {
    const m = src.map(se.value, 'sweep', se.key);
    const items = (m?.items ?? []) as Pair<Node, Node | null>[];
    if (items.length > MAX_SWEEP_AXES) src.error(items[MAX_SWEEP_AXES]!.key, 'too-many-axes', `sweep: at most ${MAX_SWEEP_AXES} axes, got ${items.length}`, 'split the study into several scenarios');
    for (const p of items.slice(0, MAX_SWEEP_AXES)) {
      const key = isScalar(p.key) && typeof p.key.value === 'string' ? p.key.value.trim() : '';
      const fm = /^faults\.(\d+)\.(rate|count)$/.exec(key);
      const pm = /^(.+)\.([A-Za-z_][A-Za-z0-9_]*)$/.exec(key);
      let what: SweepAxis['what'] | undefined;
      if (fm !== null) {
        const n = Number(fm[1]);
        if (n >= 1 && n <= faults.length) what = { kind: 'fault', fault: n, field: fm[2] as 'rate' | 'count' };
        else src.error(p.key, 'bad-sweep-axis', `sweep '${key}': the scenario has ${faults.length} fault(s) (numbered from 1)`);
      } else if (pm !== null && !key.startsWith('faults.')) what = { kind: 'param', target: pm[1]!, param: pm[2]! };
      else src.error(p.key, 'bad-sweep-axis', `sweep: '${key}' is neither '<instance glob>.<param>' nor 'faults.<n>.rate' / 'faults.<n>.count'`, "write e.g. 'aimc*.adcBits': [6, 7, 8] or 'faults.1.rate': [1e-6, 1e-5]");
      const list = isSeq(p.value) ? p.value.items : undefined;
      const vals = list?.map((x) => (isScalar(x) ? x.value : undefined));
      if (list === undefined || list.length === 0 || vals!.some((v) => typeof v !== 'number' && typeof v !== 'string' && typeof v !== 'boolean')) {
        src.error(p.value ?? p.key, 'bad-value', `sweep '${key}': the values must be a non-empty list of numbers, strings or booleans`, 'write e.g. [4, 6, 8]');
        continue;
      }
      if (what !== undefined) sweep.push({ key, what, values: vals as (string | number | boolean)[], keyAt: src.position(p.key), valuesAt: list.map((x) => src.position(x as Node)) });
    }
  }
  if (diagnostics.some((d) => d.severity === 'error') || platform === undefined || model === undefined || data === undefined || chips === undefined || inferences === undefined || seed === undefined) {
    return { diagnostics };
  }
  return { value: { name, doc, platform, model, mapping, data, seed, chips, inferences, threshold, faults, params, sweep }, diagnostics };
}

function loadFault(src: Source, node: Node, i: number): ScenarioFault | undefined {
  const what = `fault ${i + 1}`;
  const m = src.map(node, what);
  if (m === undefined) return undefined;
  const e = src.entries(m, what, FAULT_KEYS, ['kind', 'target']);
  const kindE = e.get('kind');
  const kind = kindE === undefined ? undefined : src.str(kindE.value, `${what}: kind`, kindE.key);
  let ok = true;
  if (kind !== undefined && !(FAULT_KINDS as readonly string[]).includes(kind)) {
    src.error(kindE!.value, 'unknown-fault-kind', `${what}: unknown kind '${kind}'`, unknownNameHint(kind, FAULT_KINDS, 'fault kinds this version injects'));
    ok = false;
  }
  const targetE = e.get('target');
  const target = targetE === undefined ? undefined : src.str(targetE.value, `${what}: target`, targetE.key);
  const num = (k: string): { value: number; node: Node | null } | undefined => {
    const v = e.get(k);
    if (v === undefined) return undefined;
    const raw = isScalar(v.value) ? v.value.value : undefined;
    if (typeof raw === 'number' && Number.isFinite(raw)) return { value: raw, node: v.value };
    src.error(v.value ?? v.key, 'bad-type', `${what}: ${k} must be a number`);
    ok = false;
    return undefined;
  };
  const count = num('count');
  const rate = num('rate');
  if (count !== undefined && (!Number.isSafeInteger(count.value) || count.value < 0)) {
    src.error(count.node, 'bad-value', `${what}: count must be a non-negative integer, got ${count.value}`);
    ok = false;
  }
  if (rate !== undefined && !(rate.value >= 0 && rate.value <= 1)) {
    src.error(rate.node, 'bad-value', `${what}: rate ${rate.value} is outside [0, 1] (a probability per bit per inference)`, 'write e.g. rate: 1e-6');
    ok = false;
  }
  if ((count === undefined) === (rate === undefined) && e.has('count') === e.has('rate')) {
    src.error(m, 'bad-fault-amount', `${what}: give exactly one of 'count' (faults per inference) and 'rate' (probability per bit per inference)`);
    ok = false;
  }
  let bits: number[] = [0, 1, 2, 3, 4, 5, 6, 7];
  const bitsE = e.get('bits');
  if (bitsE !== undefined) {
    const items = isSeq(bitsE.value) ? bitsE.value.items : [bitsE.value];
    const vals = items.map((x) => (isScalar(x) ? x.value : undefined));
    if (vals.length > 0 && vals.every((v) => typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 7)) bits = [...new Set(vals as number[])].sort((a, b) => a - b);
    else {
      src.error(bitsE.value ?? bitsE.key, 'bad-value', `${what}: bits must be bit positions 0..7 within a byte, got ${JSON.stringify(bitsE.value?.toJSON?.() ?? null)}`, 'write e.g. bits: [7] (sign bits) or bits: [0, 1, 2, 3]');
      ok = false;
    }
  }
  const pair = <T>(k: string, parse: (raw: unknown) => T | undefined, unit: string): [T, T] | undefined => {
    const v = e.get(k);
    if (v === undefined) return undefined;
    const items = isSeq(v.value) ? v.value.items : [];
    const a = items.length === 2 ? parse(isScalar(items[0]) ? items[0].value : undefined) : undefined;
    const b = items.length === 2 ? parse(isScalar(items[1]) ? items[1].value : undefined) : undefined;
    if (a === undefined || b === undefined || a === null || b === null) {
      src.error(v.value ?? v.key, 'bad-value', `${what}: ${k} must be [from, to) as two ${unit}`, k === 'window' ? 'write e.g. window: [0ns, 2ms]' : 'write e.g. region: [0x10000000, 0x10004000]');
      ok = false;
      return undefined;
    }
    if (!(a < b)) {
      src.error(v.value, 'empty-range', `${what}: ${k} [${String(a)}, ${String(b)}) is empty: 'to' must be greater than 'from'`);
      ok = false;
      return undefined;
    }
    return [a, b];
  };
  const region = pair('region', (raw) => {
    const r = parseAddress(raw);
    return r.ok ? r.value : undefined;
  }, 'byte addresses');
  const window = pair('window', (raw) => {
    if (typeof raw === 'number' && raw === 0) return 0;
    if (typeof raw !== 'string') return undefined;
    try {
      return parseTime(raw);
    } catch {
      return undefined;
    }
  }, 'times with units');
  if (!ok || kind === undefined || target === undefined || targetE === undefined) return undefined;
  const at = src.position(targetE.value ?? targetE.key);
  return {
    kind: kind as ScenarioFault['kind'], target, count: count?.value, rate: rate?.value, bits, region: region ?? undefined,
    window: window ?? DEFAULT_FAULT_WINDOW, at,
  };
}

/** `*` and `?` glob over instance paths, anchored. */
export function globToRegExp(glob: string): RegExp {
  return new RegExp(`^${glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`);
}

/** The byte ranges one fault can hit on `platform`: matched instances' address-map windows, clipped to the region. */
export interface FaultTargets { readonly spec: ScenarioFault; readonly ranges: readonly { readonly instance: string; readonly from: number; readonly to: number }[] }

/**
 * Resolves each fault's target glob against the platform's memories and scratchpads (their
 * address-map windows) and clips to the fault's region: a glob that matches nothing, matches
 * only other kinds, or a region outside every match is an error at the fault's `target`.
 */
export function checkScenarioTargets(s: Scenario, platform: PlatformGraph): { value?: FaultTargets[]; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const err = (f: ScenarioFault, code: string, message: string, hint?: string): void => {
    diagnostics.push({ severity: 'error', code, message, file: f.at.file, line: f.at.line, column: f.at.column, ...(hint === undefined ? {} : { hint }) });
  };
  const out: FaultTargets[] = [];
  const targetable = Object.values(platform.instances).filter((i) => (FAULT_TARGET_KINDS as readonly string[]).includes(i.kind)).map((i) => i.name);
  for (const f of s.faults) {
    const re = globToRegExp(f.target);
    const matched = Object.keys(platform.instances).filter((n) => re.test(n));
    const usable = matched.filter((n) => targetable.includes(n));
    if (usable.length === 0) {
      err(f, 'unknown-fault-target', matched.length === 0
        ? `target '${f.target}' matches no instance of platform '${platform.platform}'`
        : `target '${f.target}' matches ${matched.map((n) => `'${n}' (${platform.instances[n]!.kind})`).join(', ')}, none of which holds data in the address map`,
      `memories and scratchpads of this platform: ${targetable.join(', ') || '(none)'}`);
      continue;
    }
    const ranges: { instance: string; from: number; to: number }[] = [];
    for (const n of usable) {
      for (const r of platform.addressMap.filter((x) => x.target === n)) {
        const from = Math.max(r.base, f.region?.[0] ?? r.base);
        const to = Math.min(r.end, f.region?.[1] ?? r.end);
        if (from < to) ranges.push({ instance: n, from, to });
      }
    }
    if (ranges.length === 0) {
      err(f, 'fault-region-outside', `the region of target '${f.target}' lies outside every matched instance's address window`,
        usable.flatMap((n) => platform.addressMap.filter((x) => x.target === n).map((x) => `${n}: [${formatAddress(x.base)}, ${formatAddress(x.end)})`)).join('; '));
      continue;
    }
    out.push({ spec: f, ranges });
  }
  return diagnostics.length > 0 ? { diagnostics } : { value: out, diagnostics };
}

/**
 * Applies a scenario's `params` overrides to an elaborated platform: every instance matched by a
 * glob gets the values (read by its kind's param specs, so units and ranges are those of a
 * platform file), then each changed instance's combination check runs and its ports must stay
 * as they were. Returns a new graph (the input is not changed), or positioned diagnostics.
 */
export function applyScenarioParams(s: Scenario, platform: PlatformGraph, catalog: ModuleCatalog): { value?: PlatformGraph; diagnostics: Diagnostic[] } {
  if (s.params.length === 0) return { value: platform, diagnostics: [] };
  const diagnostics: Diagnostic[] = [];
  const err = (at: SourcePos, code: string, message: string, hint?: string): void => {
    diagnostics.push({ severity: 'error', code, message, file: at.file, line: at.line, column: at.column, ...(hint === undefined ? {} : { hint }) });
  };
  const changed = new Map<string, { params: Record<string, unknown>; origin: Record<string, string>; at: Map<string, SourcePos> }>();
  const names = Object.keys(platform.instances);
  for (const o of s.params) {
    const re = globToRegExp(o.target);
    const matched = names.filter((n) => re.test(n));
    if (matched.length === 0) {
      err(o.at, 'unknown-param-target', `params: '${o.target}' matches no instance of platform '${platform.platform}'`, `instances: ${names.join(', ')}`);
      continue;
    }
    for (const v of o.values) {
      const lacking = matched.filter((n) => !(v.name in (catalog.get(platform.instances[n]!.kind)?.params ?? {})));
      if (lacking.length > 0) {
        const kinds = [...new Set(lacking.map((n) => platform.instances[n]!.kind))];
        const known = Object.keys(catalog.get(kinds[0]!)?.params ?? {});
        err(v.keyAt, 'unknown-param', `params '${o.target}': ${lacking.map((n) => `'${n}' (${platform.instances[n]!.kind})`).join(', ')} ${lacking.length > 1 ? 'have' : 'has'} no param '${v.name}'`,
          unknownNameHint(v.name, known, `params of ${kinds[0]!}`) + (lacking.length < matched.length ? `; or narrow the glob '${o.target}'` : ''));
        continue;
      }
      for (const n of matched) {
        const inst = platform.instances[n]!;
        const spec = (catalog.get(inst.kind)!.params as Record<string, AnyParamSpec>)[v.name]!;
        const r = spec.parse(v.raw);
        if (!r.ok) {
          err(v.valueAt, r.code, `params '${o.target}': instance '${n}': param '${v.name}': ${r.message}`, r.hint ?? `see 'edgesim describe ${inst.kind}'`);
          break; // the same value fails the same way on every matched instance
        }
        let c = changed.get(n);
        if (c === undefined) {
          c = { params: { ...inst.params }, origin: { ...inst.paramOrigin }, at: new Map() };
          changed.set(n, c);
        }
        c.params[v.name] = r.value;
        c.origin[v.name] = `scenario:${v.keyAt.file}:${v.keyAt.line}`;
        c.at.set(v.name, v.valueAt);
      }
    }
  }
  const instances: Record<string, InstanceNode> = { ...platform.instances };
  for (const [n, c] of changed) {
    const inst = platform.instances[n]!;
    const def = catalog.get(inst.kind)!;
    const first = [...c.at.values()][0]!;
    if (def.check !== undefined) {
      for (const prob of def.check(c.params as never)) {
        err(c.at.get(prob.param) ?? first, 'bad-param-combination', `params: instance '${n}' (${inst.kind}): ${prob.message}`, prob.hint ?? `see 'edgesim describe ${inst.kind}'`);
      }
    }
    let ports: typeof inst.ports;
    try {
      ports = def.ports(c.params as never);
    } catch (e) {
      err(first, 'bad-value', `params: instance '${n}': ports cannot be computed from its params: ${e instanceof Error ? e.message : String(e)}`);
      continue;
    }
    if (JSON.stringify(ports) !== JSON.stringify(inst.ports)) {
      err(first, 'param-changes-structure', `params: the overrides of instance '${n}' (${inst.kind}) change its ports`, 'a scenario can change behaviour, not structure: edit the platform file (or a copy) instead');
      continue;
    }
    instances[n] = { ...inst, params: c.params, paramOrigin: c.origin };
  }
  if (diagnostics.length > 0) return { diagnostics };
  return { value: { ...platform, instances }, diagnostics };
}
