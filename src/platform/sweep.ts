/**
 * Design-space sweep files: what `edgesim sweep <sweep.yaml>` explores.
 *
 * ```yaml
 * sweep: pe-types-resnet8              # name (optional; default: the file's base name)
 * doc: PE type x array size for ResNet-8 on eyeriss-like
 * platform: ../platforms/eyeriss-like.yaml     # paths relative to this file
 * model: ../test/fixtures/models/mlperf_tiny_resnet8_int8_qop.onnx
 * mapping: resnet8.mapping.yaml        # optional base mapping (per-layer targets)
 * data:                                # optional: without it no accuracy
 *   images: ../test/fixtures/models/data/cifar10_test500_images_u8.bin
 *   labels: ../test/fixtures/models/data/cifar10_test500_labels_u8.bin
 *   shape: [3, 32, 32]
 *   first: 0
 * inferences: 20                       # per point (the same samples at every point)
 * seed: 1                              # analog noise streams; random / LHS sampling
 * evaluate: both                       # analytic | simulate | both (required)
 * params:                              # fixed param overrides for every point
 *   'aimc*': { adcNoiseStd: 300 }
 * sampling: grid                       # grid | { method: random | lhs, samples: 40 }
 * axes:
 *   'pes.peType': [int8, int16, lightpe1]               # '<instance glob>.<param>'
 *   'pes.rows': { min: 4, max: 16, steps: 4 }            # a numeric range
 *   'target./conv1/Conv': [cores, pes]                   # per-layer target
 *   'split./conv2/Conv': [0, 0.25, 0.5]                  # share of output channels on the AIMC tile
 *   'precision.*.weightBits': [4, 6, 8]                  # per-layer precision (layer glob)
 *   'precision./fc/*.weights': [uniform, pow2]
 * constraints: { area: '<= 2 mm2', latency: '<= 5 ms', accuracy: '>= 80%' }
 * objectives: { accuracy: max, latency: min, energy: min, area: min }
 * normalize: { 'pes.peType': int16 }  # objectives also as ratios to the best point with this value
 * areaOf: [pes, glb]                   # optional: the area objective counts these instances only (globs)
 * ptq: { first: 500, samples: 50, weightBits: 8, actBits: 8, perChannel: true }
 *                                      # a float model: post-training quantization first, calibrated on
 *                                      # data samples first .. first + samples - 1 (precision axes then
 *                                      # requantize the result per layer)
 * ```
 *
 * Axis values are checked here as far as the file alone allows (types, ranges of fractions and
 * bit widths, the objective and constraint names and units); param values are read by the
 * param's spec when a point's platform is loaded (`LoadOptions.overrides`), targets and layer
 * names by the compiler, so a bad value is reported at its position in this file by whoever
 * knows it is bad.
 */
import { isMap, isScalar, isSeq, type Node, type Pair, type YAMLMap } from 'yaml';
import { parseQuantity, type Diagnostic } from '../util/index.js';
import type { SourcePos } from './scenario.js';
import { Source, plain } from './source.js';

/** Top-level keys of a sweep file. */
export const SWEEP_KEYS = ['sweep', 'doc', 'platform', 'model', 'mapping', 'data', 'seed', 'inferences', 'evaluate', 'params', 'sampling', 'axes', 'constraints', 'objectives', 'normalize', 'areaOf', 'ptq'] as const;

/** What a design point is measured by; `perfPerArea` is inferences per second per mm2. */
export const OBJECTIVES = ['accuracy', 'latency', 'energy', 'area', 'perfPerArea'] as const;
/** One of {@link OBJECTIVES}. */
export type ObjectiveName = (typeof OBJECTIVES)[number];
/** The natural sense of each objective (written `accuracy: max`, or just `accuracy`). */
export const OBJECTIVE_SENSE: Readonly<Record<ObjectiveName, 'min' | 'max'>> = { accuracy: 'max', latency: 'min', energy: 'min', area: 'min', perfPerArea: 'max' };
/** Units of each objective in results (CSV headers, JSON). */
export const OBJECTIVE_UNIT: Readonly<Record<ObjectiveName, string>> = { accuracy: '%', latency: 'us', energy: 'uJ', area: 'mm2', perfPerArea: 'inf/s/mm2' };

/** The per-layer precision fields a `precision.<layer glob>.<field>` axis sets. */
export const PRECISION_FIELDS = ['weightBits', 'actBits', 'weights'] as const;
/** Weight schemes: uniform b-bit codes; LightPE-1 (0 or +-2^k); LightPE-2 (0 or +-(2^k1 + 2^k2)). */
export const WEIGHT_SCHEMES = ['uniform', 'pow2', 'pow2x2'] as const;

/** What one axis varies. */
export type SweepAxisWhat =
  | { readonly kind: 'param'; readonly target: string; readonly param: string }
  | { readonly kind: 'target'; readonly node: string }
  | { readonly kind: 'split'; readonly node: string }
  | { readonly kind: 'precision'; readonly layers: string; readonly field: (typeof PRECISION_FIELDS)[number] };

/** The values of an axis: a list, or a numeric range (grid: `steps` values including both ends). */
export type SweepDomain =
  | { readonly kind: 'values'; readonly values: readonly (string | number | boolean)[]; readonly at: readonly SourcePos[] }
  | { readonly kind: 'range'; readonly min: number; readonly max: number; readonly steps: number | undefined; readonly integer: boolean };

/** One setting of a linked axis value: an axis key of another form and its value. */
export interface LinkedSetting {
  readonly key: string;
  readonly what: SweepAxisWhat;
  readonly value: string | number | boolean;
  readonly at: SourcePos;
}

/**
 * One axis of a sweep file. A **linked** axis (`what.kind === 'linked'`, any key that is not of
 * the other forms, its values mappings) sets several keys together per value, e.g. a PE type and
 * the weight quantization it needs:
 * `pe: [{ 'pes.peType': int16 }, { 'pes.peType': lightpe1, 'precision.*.weights': pow2 }]`;
 * its values (`domain.values`) are labels `int16`, `lightpe1+pow2` (the settings' values joined
 * by `+`), and `linked[i]` holds the settings of value i.
 */
export interface DseAxis {
  /** The key as written, e.g. `pes.rows`; also the axis name in results. */
  readonly key: string;
  readonly what: SweepAxisWhat | { readonly kind: 'linked' };
  readonly domain: SweepDomain;
  readonly at: SourcePos;
  /** Linked axes: the settings of each value (same order as `domain.values`). */
  readonly linked?: readonly (readonly LinkedSetting[])[];
}

/** A constraint `metric op value`, the value in the objective's internal unit (ps, pJ, um2, fraction, inf/s/mm2). */
export interface DseConstraint {
  readonly metric: ObjectiveName;
  readonly op: '<=' | '>=';
  readonly value: number;
  /** As written, e.g. `<= 2 mm2`. */
  readonly text: string;
  readonly at: SourcePos;
}

/** A param override for every point (`params:`). */
export interface DseFixedParam {
  readonly target: string;
  readonly param: string;
  readonly raw: unknown;
  readonly at: SourcePos;
}

/** A loaded sweep file (paths as written; the CLI resolves them against the file's folder). */
export interface SweepSpec {
  readonly name: string;
  readonly doc: string | undefined;
  readonly platform: string;
  readonly model: string;
  readonly mapping: string | undefined;
  readonly data: { readonly images: string; readonly labels: string | undefined; readonly shape: readonly number[]; readonly preprocess: string | undefined; readonly first: number } | undefined;
  readonly seed: number;
  /** Inferences per point on the simulated path (and the evaluator's accuracy on the analytic one). */
  readonly inferences: number;
  readonly evaluate: { readonly analytic: boolean; readonly simulate: boolean };
  readonly params: readonly DseFixedParam[];
  readonly sampling: { readonly method: 'grid' } | { readonly method: 'random' | 'lhs'; readonly samples: number };
  readonly axes: readonly DseAxis[];
  readonly constraints: readonly DseConstraint[];
  readonly objectives: readonly { readonly name: ObjectiveName; readonly sense: 'min' | 'max' }[];
  readonly normalize: { readonly axis: string; readonly value: string | number | boolean } | undefined;
  /**
   * Instance-name globs whose area the `area` objective (and perfPerArea) counts, e.g. the PE
   * array and its buffer as QUIDAM reports them; undefined = every instance of the platform.
   */
  readonly areaOf: { readonly globs: readonly string[]; readonly at: SourcePos } | undefined;
  /**
   * Post-training quantization of a float model before anything else (`quantizeFloatGraph`):
   * min/max calibration on the data file's samples `first .. first + samples - 1` (which should
   * not overlap the evaluated ones: a warning says when they do).
   */
  readonly ptq: { readonly first: number; readonly samples: number; readonly weightBits: number; readonly actBits: number; readonly perChannel: boolean; readonly at: SourcePos } | undefined;
  readonly at: SourcePos;
}

const CONSTRAINT_QUANTITY: Readonly<Record<ObjectiveName, 'time' | 'energy' | 'area' | undefined>> = { latency: 'time', energy: 'energy', area: 'area', accuracy: undefined, perfPerArea: undefined };

/** Reads `<= 2 mm2`, `>= 80%`, `<= 5 ms` for `metric`; the value in internal units. */
function parseConstraint(metric: ObjectiveName, text: string): { op: '<=' | '>='; value: number } | string {
  const m = /^\s*(<=|>=)\s*(.+?)\s*$/.exec(text);
  if (m === null) return `'${text}' is not '<= value' or '>= value'`;
  const op = m[1] as '<=' | '>=';
  const v = m[2]!;
  const q = CONSTRAINT_QUANTITY[metric];
  if (q !== undefined) {
    const r = parseQuantity(q, v.replace(/\s+/g, ''));
    return r.ok ? { op, value: r.value } : r.message;
  }
  if (metric === 'accuracy') {
    const pm = /^(\d+(?:\.\d+)?)\s*%$/.exec(v);
    const x = pm !== null ? Number(pm[1]) / 100 : Number(v);
    return Number.isFinite(x) && x >= 0 && x <= 1 ? { op, value: x } : `accuracy '${v}' is neither a percentage nor a fraction in [0, 1]`;
  }
  const x = Number(v.replace(/\s*inf\/s\/mm2$/, ''));
  return Number.isFinite(x) && x >= 0 ? { op, value: x } : `'${v}' is not a number of inferences per second per mm2`;
}

/** Classifies an axis key; undefined (with an error) when it fits no form. */
function axisWhat(key: string): SweepAxisWhat | string {
  const t = /^target\.(.+)$/.exec(key);
  if (t !== null) return { kind: 'target', node: t[1]! };
  const s = /^split\.(.+)$/.exec(key);
  if (s !== null) return { kind: 'split', node: s[1]! };
  const p = /^precision\.(.+)\.([A-Za-z]+)$/.exec(key);
  if (p !== null) {
    const field = p[2]!;
    if (!(PRECISION_FIELDS as readonly string[]).includes(field)) return `precision axis '${key}': '${field}' is not one of ${PRECISION_FIELDS.join(', ')}`;
    return { kind: 'precision', layers: p[1]!, field: field as (typeof PRECISION_FIELDS)[number] };
  }
  if (key.startsWith('precision.')) return `precision axis '${key}' must be 'precision.<layer glob>.<${PRECISION_FIELDS.join(' | ')}>'`;
  const m = /^(.+)\.([A-Za-z_][A-Za-z0-9_]*)$/.exec(key);
  if (m !== null) return { kind: 'param', target: m[1]!, param: m[2]! };
  return `'${key}' is none of '<instance glob>.<param>', 'target.<layer>', 'split.<layer>', 'precision.<layer glob>.<field>'`;
}

/** Checks one axis value against what the file alone can know (fractions, bit widths, schemes). */
function checkValue(what: SweepAxisWhat, v: string | number | boolean): string | undefined {
  if (what.kind === 'split') return typeof v === 'number' && v >= 0 && v <= 1 ? undefined : `a split is the share of output channels on the AIMC tile, a number in [0, 1], got ${JSON.stringify(v)}`;
  if (what.kind === 'target') return typeof v === 'string' && v !== '' ? undefined : `a target is 'cores' or an accelerator instance name, got ${JSON.stringify(v)}`;
  if (what.kind === 'precision') {
    if (what.field === 'weights') return typeof v === 'string' && (WEIGHT_SCHEMES as readonly string[]).includes(v) ? undefined : `weights must be one of ${WEIGHT_SCHEMES.join(', ')}, got ${JSON.stringify(v)}`;
    return typeof v === 'number' && Number.isInteger(v) && v >= 2 && v <= 8 ? undefined : `${what.field} must be an integer from 2 to 8, got ${JSON.stringify(v)}`;
  }
  return undefined;
}

/** Loads and checks a sweep file; every problem is a positioned diagnostic. */
export function loadSweep(file: string, text: string): { value?: SweepSpec; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const src = new Source(file, text, diagnostics);
  if (diagnostics.length > 0) return { diagnostics };
  const top = src.map(src.doc.contents, 'a sweep file');
  if (top === undefined) return { diagnostics };
  const e = src.entries(top, 'the sweep', SWEEP_KEYS, ['platform', 'model', 'evaluate', 'axes', 'objectives']);
  const str = (k: string): string | undefined => {
    const v = e.get(k);
    return v === undefined ? undefined : src.str(v.value, k, v.key);
  };
  const int = (k: string, min: number, fallback: number | undefined): number | undefined => {
    const en = e.get(k);
    if (en === undefined) return fallback;
    const v = isScalar(en.value) ? en.value.value : undefined;
    if (typeof v === 'number' && Number.isSafeInteger(v) && v >= min) return v;
    src.error(en.value ?? en.key, 'bad-value', `${k} must be an integer >= ${min}, got ${JSON.stringify(plain(en.value))}`);
    return undefined;
  };
  const name = str('sweep') ?? file.replace(/^.*[\\/]/, '').replace(/\.ya?ml$/, '');
  const doc = str('doc');
  const platform = str('platform');
  const model = str('model');
  const mapping = str('mapping');
  const seed = int('seed', 0, 0);
  if (!e.has('seed')) src.warning(top, 'default-seed', 'no seed given: seed 0 is used', "add 'seed: <integer>' so random sampling and analog noise are reproducible by name");

  let data: SweepSpec['data'];
  const de = e.get('data');
  if (de !== undefined) {
    const m = src.map(de.value, 'data', de.key);
    if (m !== undefined) {
      const d = src.entries(m, 'data', ['images', 'labels', 'shape', 'preprocess', 'first'], ['images', 'shape']);
      const s = (k: string): string | undefined => {
        const v = d.get(k);
        return v === undefined ? undefined : src.str(v.value, `data.${k}`, v.key);
      };
      const shapeE = d.get('shape');
      const items = shapeE !== undefined && isSeq(shapeE.value) ? shapeE.value.items.map((x) => (isScalar(x) ? x.value : undefined)) : undefined;
      const shape = items !== undefined && items.length > 0 && items.every((x) => typeof x === 'number' && Number.isSafeInteger(x) && x > 0) ? (items as number[]) : undefined;
      if (shapeE !== undefined && shape === undefined) src.error(shapeE.value ?? shapeE.key, 'bad-value', 'data.shape must be a list of positive integers (one sample, without the batch)', 'write e.g. shape: [3, 32, 32]');
      const fe = d.get('first');
      const fv = fe === undefined ? 0 : isScalar(fe.value) ? fe.value.value : undefined;
      const first = typeof fv === 'number' && Number.isSafeInteger(fv) && fv >= 0 ? fv : undefined;
      if (first === undefined) src.error(fe?.value ?? fe?.key, 'bad-value', `data.first must be an integer >= 0, got ${JSON.stringify(fv)}`);
      const images = s('images');
      if (images !== undefined && shape !== undefined && first !== undefined) data = { images, labels: s('labels'), shape, preprocess: s('preprocess'), first };
    }
  }
  const inferences = int('inferences', 1, data === undefined ? 0 : undefined);
  if (data !== undefined && !e.has('inferences')) src.error(de!.key, 'missing-key', 'the sweep has data but no inferences: how many samples per point?', "add 'inferences: <n>' (the same samples data.first .. data.first + n - 1 at every point)");

  let evaluate: SweepSpec['evaluate'] | undefined;
  const ev = e.get('evaluate');
  if (ev !== undefined) {
    const v = plain(ev.value);
    if (v === 'analytic' || v === 'simulate' || v === 'both') evaluate = { analytic: v !== 'simulate', simulate: v !== 'analytic' };
    else src.error(ev.value ?? ev.key, 'bad-value', `evaluate must be analytic, simulate or both, got ${JSON.stringify(v)}`, 'analytic: the compiler\'s predicted cycles and event counts priced by the energy model (fast); simulate: the compiled program on the simulator; both: both, with the analytic error reported');
  }
  if (evaluate?.simulate === true && data === undefined && ev !== undefined) src.error(ev.value, 'missing-key', 'evaluate: simulate needs data: (the inputs to simulate)', "add a 'data:' block, or use evaluate: analytic");

  const params: DseFixedParam[] = [];
  const pe = e.get('params');
  if (pe !== undefined && pe.value !== null) {
    const m = src.map(pe.value, 'params', pe.key);
    for (const p of (m?.items ?? []) as Pair<Node, Node | null>[]) {
      const target = isScalar(p.key) && typeof p.key.value === 'string' && p.key.value.trim() !== '' ? p.key.value : undefined;
      if (target === undefined || !isMap(p.value)) {
        src.error(p.value ?? p.key, 'bad-type', 'params: each key is an instance-path glob and its value a mapping of param names to values', "write e.g. 'aimc*': { adcNoiseStd: 300 }");
        continue;
      }
      for (const q of p.value.items as Pair<Node, Node | null>[]) {
        if (!isScalar(q.key) || typeof q.key.value !== 'string') {
          src.error(q.key, 'bad-type', `params '${target}': param names must be strings`);
          continue;
        }
        params.push({ target, param: q.key.value, raw: plain(q.value), at: src.position(q.value ?? q.key) });
      }
    }
  }

  let sampling: SweepSpec['sampling'] | undefined = { method: 'grid' };
  const se = e.get('sampling');
  if (se !== undefined) {
    const v = plain(se.value);
    if (v === 'grid') sampling = { method: 'grid' };
    else if (isMap(se.value)) {
      const d = src.entries(se.value as YAMLMap<Node, Node>, 'sampling', ['method', 'samples'], ['method', 'samples']);
      const method = plain(d.get('method')?.value ?? null);
      const n = plain(d.get('samples')?.value ?? null);
      if ((method === 'random' || method === 'lhs') && typeof n === 'number' && Number.isSafeInteger(n) && n >= 1) sampling = { method, samples: n };
      else if (method === 'grid') sampling = { method: 'grid' };
      else {
        sampling = undefined;
        src.error(se.value, 'bad-value', `sampling: method must be grid, random or lhs, and samples a positive integer (got ${JSON.stringify(method)}, ${JSON.stringify(n)})`, 'write e.g. sampling: { method: lhs, samples: 40 }');
      }
    } else {
      sampling = undefined;
      src.error(se.value ?? se.key, 'bad-value', `sampling must be grid or { method: random | lhs, samples: n }, got ${JSON.stringify(v)}`);
    }
  }

  const axes: DseAxis[] = [];
  const ae = e.get('axes');
  if (ae !== undefined) {
    const m = src.map(ae.value, 'axes', ae.key);
    const items = (m?.items ?? []) as Pair<Node, Node | null>[];
    if (m !== undefined && items.length === 0) src.error(ae.value, 'bad-value', 'axes: at least one axis is needed', "write e.g. 'pes.rows': [8, 16]");
    for (const p of items) {
      const key = isScalar(p.key) && typeof p.key.value === 'string' ? p.key.value.trim() : '';
      const at = src.position(p.key);
      const what = axisWhat(key);
      if (isSeq(p.value) && p.value.items.length > 0 && p.value.items.every((x) => isMap(x))) {
        if (typeof what !== 'string' || !/^[A-Za-z_][A-Za-z0-9_-]*$/.test(key)) {
          src.error(p.key, 'bad-sweep-axis', `axes '${key}': a linked axis (values that are mappings) needs a plain name (letters, digits, _ and -), not an axis key of another form`, "write e.g. pe: [{ 'pes.peType': int16 }, { 'pes.peType': lightpe1, 'precision.*.weights': pow2 }]");
          continue;
        }
        const linked: LinkedSetting[][] = [];
        let ok = true;
        for (const item of p.value.items as YAMLMap<Node, Node>[]) {
          const sets: LinkedSetting[] = [];
          for (const q of item.items as Pair<Node, Node | null>[]) {
            const k = isScalar(q.key) && typeof q.key.value === 'string' ? q.key.value.trim() : '';
            const w = axisWhat(k);
            const v = isScalar(q.value) ? q.value.value : undefined;
            const why = typeof w === 'string' ? w : typeof v !== 'number' && typeof v !== 'string' && typeof v !== 'boolean' ? `the value of '${k}' must be a number, string or boolean` : checkValue(w, v);
            if (why !== undefined) {
              ok = false;
              src.error(typeof w === 'string' ? q.key : q.value ?? q.key, typeof w === 'string' ? 'bad-sweep-axis' : 'bad-value', `axes '${key}': ${why}`);
              continue;
            }
            if (sets.some((x) => x.key === k)) {
              ok = false;
              src.error(q.key, 'bad-value', `axes '${key}': '${k}' is set twice in one value`);
              continue;
            }
            sets.push({ key: k, what: w as SweepAxisWhat, value: v as string | number | boolean, at: src.position(q.value ?? q.key) });
          }
          if (sets.length === 0) {
            ok = false;
            src.error(item, 'bad-value', `axes '${key}': a linked value sets at least one key`);
          }
          linked.push(sets);
        }
        const labels = linked.map((sets) => sets.map((x) => String(x.value)).join('+'));
        if (ok && new Set(labels).size !== labels.length) {
          ok = false;
          src.error(p.value, 'bad-value', `axes '${key}': two values have the same settings (${labels.find((l, i) => labels.indexOf(l) !== i)!})`);
        }
        if (ok) axes.push({ key, what: { kind: 'linked' }, domain: { kind: 'values', values: labels, at: (p.value.items as Node[]).map((x) => src.position(x)) }, at, linked });
        continue;
      }
      if (typeof what === 'string') {
        src.error(p.key, 'bad-sweep-axis', `axes: ${what}`, "write e.g. 'pes.rows': [8, 16], 'target./conv1/Conv': [cores, pes], 'split./conv2/Conv': [0, 0.5], 'precision.*.weightBits': [4, 8]");
        continue;
      }
      if (axes.some((a) => a.key === key)) {
        src.error(p.key, 'duplicate-axis', `axes: '${key}' is given twice`);
        continue;
      }
      if (isSeq(p.value)) {
        const list = p.value.items as Node[];
        const vals = list.map((x) => (isScalar(x) ? x.value : undefined));
        if (list.length === 0 || vals.some((v) => typeof v !== 'number' && typeof v !== 'string' && typeof v !== 'boolean')) {
          src.error(p.value, 'bad-value', `axes '${key}': the values must be a non-empty list of numbers, strings or booleans`, 'write e.g. [4, 6, 8]');
          continue;
        }
        let ok = true;
        vals.forEach((v, i) => {
          const why = checkValue(what, v as string | number | boolean);
          if (why !== undefined) {
            ok = false;
            src.error(list[i]!, 'bad-value', `axes '${key}': ${why}`);
          }
        });
        if (new Set(vals.map((v) => JSON.stringify(v))).size !== vals.length) {
          ok = false;
          src.error(p.value, 'bad-value', `axes '${key}': a value is listed twice`);
        }
        if (ok) axes.push({ key, what, domain: { kind: 'values', values: vals as (string | number | boolean)[], at: list.map((x) => src.position(x)) }, at });
        continue;
      }
      if (isMap(p.value)) {
        const d = src.entries(p.value as YAMLMap<Node, Node>, `axes '${key}'`, ['min', 'max', 'steps', 'integer'], ['min', 'max']);
        const min = plain(d.get('min')?.value ?? null);
        const max = plain(d.get('max')?.value ?? null);
        const steps = plain(d.get('steps')?.value ?? null);
        const integer = plain(d.get('integer')?.value ?? null);
        const bad = (why: string): void => src.error(p.value, 'bad-value', `axes '${key}': ${why}`, 'write e.g. { min: 4, max: 32, steps: 8 } (steps: grid values including both ends; integer ends sample integers unless integer: false)');
        if (typeof min !== 'number' || typeof max !== 'number' || !Number.isFinite(min) || !Number.isFinite(max) || min > max) bad(`min and max must be numbers with min <= max (got ${JSON.stringify(min)}, ${JSON.stringify(max)})`);
        else if (steps !== null && (typeof steps !== 'number' || !Number.isSafeInteger(steps) || steps < 2)) bad(`steps must be an integer >= 2, got ${JSON.stringify(steps)}`);
        else if (integer !== null && typeof integer !== 'boolean') bad(`integer must be true or false, got ${JSON.stringify(integer)}`);
        else if (what.kind === 'target' || (what.kind === 'precision' && what.field === 'weights')) bad('this axis takes a list of names, not a numeric range');
        else {
          const isInt = typeof integer === 'boolean' ? integer : Number.isInteger(min) && Number.isInteger(max);
          const why = [checkValue(what, min), checkValue(what, max)].find((x) => x !== undefined);
          if (why !== undefined) bad(why);
          else if (what.kind === 'precision' && !isInt) bad('bit widths are integers');
          else axes.push({ key, what, domain: { kind: 'range', min, max, steps: typeof steps === 'number' ? steps : undefined, integer: isInt }, at });
        }
        continue;
      }
      src.error(p.value ?? p.key, 'bad-value', `axes '${key}': give a list of values or a range { min, max, steps }`);
    }
  }
  if (sampling?.method === 'grid') {
    for (const a of axes) {
      if (a.domain.kind === 'range' && a.domain.steps === undefined && !a.domain.integer) {
        diagnostics.push({ severity: 'error', code: 'bad-value', ...a.at, message: `axes '${a.key}': a continuous range needs steps: for grid sampling`, hint: `add steps: n, or use sampling: { method: lhs, samples: n }` });
      }
    }
  }

  const constraints: DseConstraint[] = [];
  const ce = e.get('constraints');
  if (ce !== undefined && ce.value !== null) {
    const m = src.map(ce.value, 'constraints', ce.key);
    for (const p of (m?.items ?? []) as Pair<Node, Node | null>[]) {
      const metric = isScalar(p.key) ? String(p.key.value) : '';
      if (!(OBJECTIVES as readonly string[]).includes(metric)) {
        src.error(p.key, 'bad-value', `constraints: '${metric}' is not one of ${OBJECTIVES.join(', ')}`);
        continue;
      }
      const text = plain(p.value);
      const r = typeof text === 'string' ? parseConstraint(metric as ObjectiveName, text) : 'not a string';
      if (typeof r === 'string') src.error(p.value ?? p.key, 'bad-value', `constraints '${metric}': ${r}`, `write e.g. ${metric}: '${metric === 'area' ? '<= 2 mm2' : metric === 'latency' ? '<= 5 ms' : metric === 'energy' ? '<= 10 uJ' : metric === 'accuracy' ? '>= 80%' : '>= 100'}'`);
      else constraints.push({ metric: metric as ObjectiveName, op: r.op, value: r.value, text: String(text), at: src.position(p.value ?? p.key) });
    }
  }

  const objectives: { name: ObjectiveName; sense: 'min' | 'max' }[] = [];
  const oe = e.get('objectives');
  if (oe !== undefined) {
    const add = (n: unknown, sense: unknown, node: Node | null): void => {
      if (typeof n !== 'string' || !(OBJECTIVES as readonly string[]).includes(n)) {
        src.error(node, 'bad-value', `objectives: '${String(n)}' is not one of ${OBJECTIVES.join(', ')}`);
        return;
      }
      const s = sense ?? OBJECTIVE_SENSE[n as ObjectiveName];
      if (s !== 'min' && s !== 'max') {
        src.error(node, 'bad-value', `objectives '${n}': the sense must be min or max, got ${JSON.stringify(s)}`);
        return;
      }
      if (objectives.some((o) => o.name === n)) src.error(node, 'bad-value', `objectives: '${n}' is given twice`);
      else objectives.push({ name: n as ObjectiveName, sense: s });
    };
    if (isSeq(oe.value)) for (const x of oe.value.items as Node[]) add(plain(x), undefined, x);
    else if (isMap(oe.value)) for (const p of oe.value.items as Pair<Node, Node | null>[]) add(plain(p.key), plain(p.value), p.key);
    else src.error(oe.value ?? oe.key, 'bad-value', 'objectives must be a list of names or a mapping name: min | max', 'write e.g. objectives: { accuracy: max, energy: min }');
    if (objectives.length === 0 || objectives.length > 4) src.error(oe.value ?? oe.key, 'bad-value', `objectives: give 1 to 4 (got ${objectives.length})`);
    if (objectives.some((o) => o.name === 'accuracy') && data === undefined) src.error(oe.value ?? oe.key, 'missing-key', 'objective accuracy needs data: (labelled samples)', "add a 'data:' block with labels, or drop accuracy");
  }

  let normalize: SweepSpec['normalize'];
  const ne = e.get('normalize');
  if (ne !== undefined) {
    const m = isMap(ne.value) ? (ne.value.items as Pair<Node, Node | null>[]) : [];
    const k = m.length === 1 ? plain(m[0]!.key) : undefined;
    const v = m.length === 1 ? plain(m[0]!.value) : undefined;
    // an axis, or a key set by a linked axis (its values: those the linked values give it)
    const axis = axes.find((a) => a.key === k);
    const sub = axis === undefined ? axes.flatMap((a) => a.linked ?? []).flat().filter((x) => x.key === k).map((x) => x.value) : [];
    const known: readonly (string | number | boolean)[] | undefined = axis !== undefined ? (axis.domain.kind === 'values' ? axis.domain.values : undefined) : sub.length > 0 ? [...new Set(sub)] : undefined;
    if ((axis === undefined && sub.length === 0) || (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean')) {
      src.error(ne.value ?? ne.key, 'bad-value', 'normalize must name one axis (or a key a linked axis sets) and one of its values', `write e.g. normalize: { '${axes[0]?.key ?? 'pes.peType'}': ${JSON.stringify(axes[0]?.domain.kind === 'values' ? axes[0].domain.values[0] : 'int16')} }`);
    } else if (known !== undefined && !known.includes(v)) {
      src.error(ne.value, 'bad-value', `normalize: ${JSON.stringify(v)} is not a value of '${String(k)}' (${known.map((x) => JSON.stringify(x)).join(', ')})`);
    } else normalize = { axis: String(k), value: v };
  }

  let areaOf: SweepSpec['areaOf'];
  const ao = e.get('areaOf');
  if (ao !== undefined) {
    const g = plain(ao.value);
    const list = typeof g === 'string' ? [g] : Array.isArray(g) ? g : [];
    if (list.length > 0 && list.every((x): x is string => typeof x === 'string' && x.trim() !== '')) areaOf = { globs: list.map((x) => x.trim()), at: src.position(ao.value) };
    else src.error(ao.value ?? ao.key, 'bad-value', `areaOf must be an instance-name glob or a list of them, got ${JSON.stringify(g)}`, "write e.g. areaOf: pes, or areaOf: [pes, glb]");
  }

  let ptq: SweepSpec['ptq'];
  const pq = e.get('ptq');
  if (pq !== undefined) {
    const m = src.map(pq.value, 'ptq', pq.key);
    if (m !== undefined) {
      const d = src.entries(m, 'ptq', ['first', 'samples', 'weightBits', 'actBits', 'perChannel'], ['samples', 'weightBits', 'actBits', 'perChannel']);
      const num = (k: string, min: number, max: number, fallback?: number): number | undefined => {
        const x = d.get(k);
        if (x === undefined) return fallback;
        const v = plain(x.value);
        if (typeof v === 'number' && Number.isSafeInteger(v) && v >= min && v <= max) return v;
        src.error(x.value ?? x.key, 'bad-value', `ptq.${k} must be an integer from ${min} to ${max}, got ${JSON.stringify(v)}`);
        return undefined;
      };
      const first = num('first', 0, Number.MAX_SAFE_INTEGER, 0);
      const samples = num('samples', 1, 100_000);
      const weightBits = num('weightBits', 2, 8);
      const actBits = num('actBits', 2, 8);
      const pc = d.get('perChannel');
      const perChannel = pc === undefined ? undefined : plain(pc.value);
      if (pc !== undefined && typeof perChannel !== 'boolean') src.error(pc.value ?? pc.key, 'bad-value', `ptq.perChannel must be true or false, got ${JSON.stringify(perChannel)}`);
      if (data === undefined) src.error(pq.key, 'missing-key', 'ptq needs data: (the calibration samples come from data.images)', "add a 'data:' block");
      if (first !== undefined && samples !== undefined && weightBits !== undefined && actBits !== undefined && typeof perChannel === 'boolean') {
        ptq = { first, samples, weightBits, actBits, perChannel, at: src.position(pq.key) };
        if (data !== undefined && inferences !== undefined && first < data.first + inferences && data.first < first + samples) {
          src.warning(pq.value, 'ptq-overlap', `ptq calibrates on samples ${first}..${first + samples - 1}, which overlap the evaluated samples ${data.first}..${data.first + inferences - 1}: the accuracy is then optimistic`, 'calibrate on other samples (ptq.first)');
        }
      }
    }
  }

  if (hasError(diagnostics) || platform === undefined || model === undefined || evaluate === undefined || sampling === undefined || seed === undefined || inferences === undefined) return { diagnostics };
  return { value: { name, doc, platform, model, mapping, data, seed, inferences, evaluate, params, sampling, axes, constraints, objectives, normalize, areaOf, ptq, at: src.position(top) }, diagnostics };
}

const hasError = (d: readonly Diagnostic[]): boolean => d.some((x) => x.severity === 'error');
