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
 *     target: l1                      # instance-path glob: memories and scratchpads, or cores
 *     count: 2                        # exactly this many per inference, or rate: 1e-7 per bit
 *     bits: [0, 7]                    # bit positions in the byte (default 0..7; registers 0..31)
 *     region: [0x10000000, 0x10004000] # [from, to) byte addresses (default: the whole target)
 *     window: [0ns, 1ms]              # [from, to) simulated time (default: [0, 1 ms))
 *   - kind: bit-flip
 *     target: 'pe*'                   # cores: register upsets
 *     registers: ['x1-x31', pc]       # x1..x31, f0..f31 (with F), pc (default x1-x31)
 *     count: 1
 *   - kind: stuck-at                  # permanent: drawn once per chip, read as `value`
 *     target: l2
 *     rate: 1e-6                      # per bit per chip (or count: n per chip); no window
 *     value: random                   # 0, 1 or random (per bit)
 *   - kind: data-corruption           # each bit moved through a DMA engine or interconnect
 *     target: dma                     # flips with probability rate (window, region, bits apply)
 *     rate: 1e-7
 * params:                             # optional: param overrides, per instance-path glob
 *   'aimc*': { programNoise: pcm, drift: pcm, driftTime: 86400 }
 * ```
 * Checked here: keys, types, ranges (rates in [0, 1], counts non-negative integers, windows and
 * regions non-empty, bits 0..31), exactly one of `count`/`rate` (`rate` only for
 * data-corruption), `value` on stuck-at only (and required there), no window on stuck-at,
 * `registers` on bit-flip only. `checkScenarioTargets` then checks the targets against the
 * elaborated platform and the module declarations' fault points (a glob matching no instance
 * with a fault point of that kind, a region outside every matched memory, bits beyond a byte,
 * f registers without F, two corruptions of one instance).
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
import type { AnyParamSpec, ModuleCatalog, ScenarioFaultKind } from '../spec/index.js';
import { formatAddress, parseAddress, parseTime, unknownNameHint, type Diagnostic, type Time } from '../util/index.js';
import type { InstanceNode, PlatformGraph } from './graph.js';
import { Source, plain } from './source.js';

/** Keys of a scenario file. */
export const SCENARIO_KEYS = ['scenario', 'doc', 'platform', 'model', 'mapping', 'data', 'seed', 'chips', 'inferences', 'threshold', 'faults', 'params', 'sweep'] as const;
/** Keys of `data`. */
export const SCENARIO_DATA_KEYS = ['images', 'labels', 'shape', 'preprocess', 'first'] as const;
/** Keys of one fault. */
export const FAULT_KEYS = ['kind', 'target', 'count', 'rate', 'bits', 'region', 'window', 'value', 'registers'] as const;
/**
 * Fault kinds this version injects (the module declarations' fault points name the kind that
 * drives them, `FaultSpec.injectedBy`):
 * - `bit-flip`: transient, a bit inverted once at a drawn time; stored bits of memories and
 *   scratchpads, or registers of cores (`registers`);
 * - `stuck-at`: permanent stored bits of memories and scratchpads that always read `value`,
 *   drawn once per chip (the same on every inference of the chip);
 * - `data-corruption`: each bit of the data moved through a DMA engine or an interconnect
 *   flips with probability `rate` (inside `window` and `region`).
 */
export const FAULT_KINDS = ['bit-flip', 'stuck-at', 'data-corruption'] as const satisfies readonly ScenarioFaultKind[];

/**
 * Register numbering of register faults: `x0..x31` are 0..31, `f0..f31` 32..63, `pc` 64.
 * @returns the name of register number `n`.
 */
export function registerName(n: number): string {
  return n < 32 ? `x${n}` : n < 64 ? `f${n - 32}` : 'pc';
}
/** Registers a core fault targets when `registers` is not given: x1..x31. */
export const DEFAULT_FAULT_REGISTERS: readonly number[] = Array.from({ length: 31 }, (_, i) => i + 1);

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
  /**
   * Bit positions that may be hit (0 = least significant) within a byte (memories, data in
   * transit) or a 32-bit register; undefined = all of them.
   */
  readonly bits: readonly number[] | undefined;
  /** Byte address range [from, to), or undefined for the whole of each target. */
  readonly region: readonly [number, number] | undefined;
  /** Simulated-time window [from, to) in ps (`stuck-at`: always the whole run). */
  readonly window: readonly [Time, Time];
  /** `stuck-at`: the value the bits read, or `random` (drawn per bit). */
  readonly value: 0 | 1 | 'random' | undefined;
  /** `bit-flip` on cores: register numbers ({@link registerName}); undefined = x1..x31. */
  readonly registers: readonly number[] | undefined;
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
  const per = kind === 'stuck-at' ? 'per chip' : 'per inference';
  if (kind === 'data-corruption') {
    if (count !== undefined || rate === undefined) {
      src.error(count?.node ?? m, 'bad-fault-amount', `${what}: data-corruption takes 'rate' (probability per bit moved), not 'count': the number of bits in transit is only known when the program runs`, 'write e.g. rate: 1e-7');
      ok = false;
    }
  } else if ((count === undefined) === (rate === undefined) && e.has('count') === e.has('rate')) {
    src.error(m, 'bad-fault-amount', `${what}: give exactly one of 'count' (faults ${per}) and 'rate' (probability per bit ${per})`);
    ok = false;
  }
  let bits: number[] | undefined;
  const bitsE = e.get('bits');
  if (bitsE !== undefined) {
    const items = isSeq(bitsE.value) ? bitsE.value.items : [bitsE.value];
    const vals = items.map((x) => (isScalar(x) ? x.value : undefined));
    if (vals.length > 0 && vals.every((v) => typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 31)) bits = [...new Set(vals as number[])].sort((a, b) => a - b);
    else {
      src.error(bitsE.value ?? bitsE.key, 'bad-value', `${what}: bits must be bit positions, 0..7 within a byte (memories, data in transit) or 0..31 within a register, got ${JSON.stringify(bitsE.value?.toJSON?.() ?? null)}`, 'write e.g. bits: [7] (sign bits) or bits: [0, 1, 2, 3]');
      ok = false;
    }
  }
  const only = (key: string, k: string, why: string): void => {
    const v = e.get(key);
    if (v !== undefined && kind !== undefined && kind !== k) {
      src.error(v.key, 'bad-fault-field', `${what}: '${key}' applies to ${k} faults only (${why}), not to ${kind}`, `remove '${key}'`);
      ok = false;
    }
  };
  only('value', 'stuck-at', 'the value stuck bits read');
  only('registers', 'bit-flip', 'the core registers a transient flip may hit');
  let value: 0 | 1 | 'random' | undefined;
  const valueE = e.get('value');
  if (kind === 'stuck-at') {
    const raw = valueE !== undefined && isScalar(valueE.value) ? valueE.value.value : undefined;
    if (raw === 0 || raw === 1 || raw === 'random') value = raw;
    else {
      src.error(valueE?.value ?? m, 'bad-value', `${what}: a stuck-at fault needs 'value: 0', 'value: 1' or 'value: random' (the value its bits read)${valueE === undefined ? '' : `, got ${JSON.stringify(raw ?? null)}`}`, 'write e.g. value: 0');
      ok = false;
    }
    const w = e.get('window');
    if (w !== undefined) {
      src.error(w.key, 'bad-fault-field', `${what}: stuck-at bits are permanent (the same on every inference of a chip): a window does not apply`, "remove 'window'");
      ok = false;
    }
  }
  let registers: number[] | undefined;
  const regE = e.get('registers');
  if (regE !== undefined && kind === 'bit-flip') {
    const items = isSeq(regE.value) ? regE.value.items : [regE.value];
    const out = new Set<number>();
    for (const it of items) {
      const raw = isScalar(it) ? it.value : undefined;
      const r = typeof raw === 'string' ? parseRegisters(raw) : undefined;
      if (r === undefined) {
        src.error((isScalar(it) ? it : null) ?? regE.key, 'bad-value', `${what}: '${String(raw)}' is not a register or register range`, "write names x1..x31, f0..f31 or pc, or ranges such as 'x1-x31' (x0 is hard-wired to zero)");
        ok = false;
      } else for (const n of r) out.add(n);
    }
    if (items.length === 0) {
      src.error(regE.value ?? regE.key, 'bad-value', `${what}: registers is empty`, "write e.g. registers: ['x1-x31']");
      ok = false;
    }
    registers = [...out].sort((a, b) => a - b);
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
    window: kind === 'stuck-at' ? [0, Number.MAX_SAFE_INTEGER] : (window ?? DEFAULT_FAULT_WINDOW), value, registers, at,
  };
}

/** `x5`, `f0`, `pc`, or a range `x1-x31` / `f0-f7` in one file, as register numbers; undefined if invalid (x0 included). */
function parseRegisters(s: string): number[] | undefined {
  const one = (r: string): number | undefined => {
    if (r === 'pc') return 64;
    const m = /^([xf])(\d{1,2})$/.exec(r);
    if (m === null) return undefined;
    const i = Number(m[2]);
    if (i > 31 || (m[1] === 'x' && i === 0)) return undefined;
    return (m[1] === 'f' ? 32 : 0) + i;
  };
  const parts = s.trim().split('-');
  if (parts.length === 1) {
    const n = one(parts[0]!);
    return n === undefined ? undefined : [n];
  }
  if (parts.length !== 2) return undefined;
  const a = one(parts[0]!.trim());
  const b = one(parts[1]!.trim());
  if (a === undefined || b === undefined || a === 64 || b === 64 || (a < 32) !== (b < 32) || a > b) return undefined;
  return Array.from({ length: b - a + 1 }, (_, k) => a + k);
}

/** `*` and `?` glob over instance paths, anchored. */
export function globToRegExp(glob: string): RegExp {
  return new RegExp(`^${glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`);
}

/**
 * What one fault can hit on a platform. `space` says what the ranges count:
 * - `bytes`: byte addresses of the matched memories' and scratchpads' address-map windows,
 *   clipped to the region (`bit-flip`, `stuck-at`);
 * - `registers`: register numbers ({@link registerName}) of each matched core (`bit-flip`);
 * - `transit`: one range per matched DMA engine or interconnect, the region of byte addresses
 *   whose data may be corrupted (`data-corruption`).
 */
export interface FaultTargets {
  readonly spec: ScenarioFault;
  readonly space: 'bytes' | 'registers' | 'transit';
  readonly ranges: readonly { readonly instance: string; readonly from: number; readonly to: number }[];
  /** Bit positions that may be hit: the fault's `bits`, or every bit of the unit (0..7 or 0..31). */
  readonly bits: readonly number[];
}

const ALL_BYTE_BITS = [0, 1, 2, 3, 4, 5, 6, 7] as const;
const ALL_WORD_BITS = Array.from({ length: 32 }, (_, i) => i);

/**
 * Resolves each fault's target glob against the platform. An instance can be hit by a fault
 * kind when its module declaration has a fault point injected by that kind
 * (`FaultSpec.injectedBy`): stored bits of memories and scratchpads, core registers, data in
 * transit through DMA engines and interconnects. Errors at the fault's `target`: a glob that
 * matches nothing or only instances without such a fault point, one glob matching both storage
 * and cores, a region outside every match, bit positions beyond a byte for byte targets,
 * registers on storage or floating-point registers on a core without F.
 */
export function checkScenarioTargets(s: Scenario, platform: PlatformGraph, catalog: ModuleCatalog): { value?: FaultTargets[]; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const err = (f: ScenarioFault, code: string, message: string, hint?: string): void => {
    diagnostics.push({ severity: 'error', code, message, file: f.at.file, line: f.at.line, column: f.at.column, ...(hint === undefined ? {} : { hint }) });
  };
  const injects = (inst: InstanceNode, kind: ScenarioFaultKind): boolean => Object.values(catalog.get(inst.kind)?.faults ?? {}).some((p) => p.injectedBy === kind);
  const out: FaultTargets[] = [];
  const corrupted = new Set<string>();
  for (const f of s.faults) {
    const re = globToRegExp(f.target);
    const all = Object.values(platform.instances);
    const matched = all.filter((i) => re.test(i.name));
    const usable = matched.filter((i) => injects(i, f.kind));
    if (usable.length === 0) {
      const able = all.filter((i) => injects(i, f.kind)).map((i) => `${i.name} (${i.kind})`);
      err(f, 'unknown-fault-target', matched.length === 0
        ? `target '${f.target}' matches no instance of platform '${platform.platform}'`
        : `target '${f.target}' matches ${matched.map((i) => `'${i.name}' (${i.kind})`).join(', ')}, none of which has a ${f.kind} fault point`,
      `instances a ${f.kind} fault can target on this platform: ${able.join(', ') || '(none)'} ('edgesim describe <kind>' lists each kind's fault points)`);
      continue;
    }
    const cores = usable.filter((i) => i.kind === 'core');
    const space: FaultTargets['space'] = f.kind === 'data-corruption' ? 'transit' : cores.length > 0 ? 'registers' : 'bytes';
    if (space === 'registers' && cores.length !== usable.length) {
      err(f, 'mixed-fault-target', `target '${f.target}' matches cores (${cores.map((i) => i.name).join(', ')}) and storage (${usable.filter((i) => i.kind !== 'core').map((i) => i.name).join(', ')}): register and memory flips need separate faults`, 'narrow the glob, and add a second fault for the other targets');
      continue;
    }
    const bits = f.bits ?? (space === 'registers' ? ALL_WORD_BITS : ALL_BYTE_BITS);
    if (space !== 'registers' && bits.some((b) => b > 7)) {
      err(f, 'bad-fault-bits', `bits ${bits.filter((b) => b > 7).join(', ')} are beyond a byte: the ${space === 'transit' ? 'data in transit' : 'stored data'} of '${f.target}' is hit byte by byte (bits 0..7)`, 'write bits within 0..7');
      continue;
    }
    if (space !== 'registers' && f.registers !== undefined) {
      err(f, 'bad-fault-field', `target '${f.target}' holds no registers: 'registers' applies to cores`, "remove 'registers' or target a core");
      continue;
    }
    const ranges: { instance: string; from: number; to: number }[] = [];
    if (space === 'registers') {
      const regs = f.registers ?? DEFAULT_FAULT_REGISTERS;
      const noF = cores.filter((c) => !(c.params.extensions as readonly string[]).includes('F'));
      if (regs.some((r) => r >= 32 && r < 64) && noF.length > 0) {
        err(f, 'bad-fault-field', `floating-point registers on ${noF.map((c) => c.name).join(', ')}, which ${noF.length === 1 ? 'has' : 'have'} no F extension`, 'target x registers (or pc) only, or cores with F');
        continue;
      }
      for (const c of cores) {
        for (const r of regs) {
          const last = ranges.at(-1);
          if (last !== undefined && last.instance === c.name && last.to === r) last.to = r + 1;
          else ranges.push({ instance: c.name, from: r, to: r + 1 });
        }
      }
    } else if (space === 'transit') {
      const twice = usable.filter((i) => corrupted.has(i.name));
      if (twice.length > 0) {
        err(f, 'duplicate-fault-target', `${twice.map((i) => `'${i.name}'`).join(', ')} already ${twice.length === 1 ? 'has' : 'have'} a data-corruption fault (one per instance)`, 'merge the two faults into one (the rate of either of two independent flips is p1 + p2 - p1 p2)');
        continue;
      }
      for (const i of usable) {
        corrupted.add(i.name);
        ranges.push({ instance: i.name, from: f.region?.[0] ?? 0, to: f.region?.[1] ?? 2 ** 32 });
      }
    } else {
      for (const i of usable) {
        for (const r of platform.addressMap.filter((x) => x.target === i.name)) {
          const from = Math.max(r.base, f.region?.[0] ?? r.base);
          const to = Math.min(r.end, f.region?.[1] ?? r.end);
          if (from < to) ranges.push({ instance: i.name, from, to });
        }
      }
      if (ranges.length === 0) {
        err(f, 'fault-region-outside', `the region of target '${f.target}' lies outside every matched instance's address window`,
          usable.flatMap((i) => platform.addressMap.filter((x) => x.target === i.name).map((x) => `${i.name}: [${formatAddress(x.base)}, ${formatAddress(x.end)})`)).join('; '));
        continue;
      }
    }
    out.push({ spec: f, space, ranges, bits });
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
