/**
 * One design point of `edgesim sweep`, prepared and evaluated: the platform loaded with the
 * point's overrides, the model requantized to the point's precision, compiled with its targets
 * and splits, then measured on the analytic path (the compiler's predictions priced by the energy
 * model; the reference evaluator's accuracy on the quantized graph) and/or the simulated path
 * (the compiled program on the simulator, `CampaignRunner` without faults and without reference
 * runs). Used by the command (one worker) and by the sweep's worker threads.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { CampaignRunner, summarize, type CampaignContext, type ItemResult } from '../campaign/index.js';
import type { AccelCompiled, Compiled } from '../compiler/index.js';
import { analyticEstimate, designPoints, pointSettings, type DesignPoint, type PointResult, type PointSettings, type PrecisionRule } from '../dse/index.js';
import { energyReport } from '../energy/index.js';
import { catalog } from '../modules/index.js';
import { PREPROCESSES, argmax, createEvaluator, defaultPreprocess, makeDataset, quantizeFloatGraph, requantizeGraph, sampleInput, type Dataset, type LayerPrecision, type NnGraph, type NnNode, type Preprocess } from '../nn/index.js';
import { globToRegExp, loadPlatform, loadSweep, loadMapping, type PlatformGraph, type Scenario, type SourcePos, type SweepAxisWhat, type SweepSpec } from '../platform/index.js';
import { SimError, formatDiagnostics, hasErrors, unknownNameHint, type Diagnostic } from '../util/index.js';
import { compileAuto, readModel } from './compile-command.js';
import { isFile, readText, usage } from './files.js';

/** The version of the evaluation: part of every cache key (bump when results would change). */
export const SWEEP_EVAL_VERSION = 1;


/** What every point of a sweep file shares, prepared once per process or worker. */
export interface SweepContext {
  readonly file: string;
  readonly spec: SweepSpec;
  readonly points: readonly DesignPoint[];
  readonly platformFile: string;
  readonly platformText: string;
  readonly mappingFile: string | undefined;
  readonly mappingText: string | undefined;
  readonly model: NnGraph;
  readonly modelHash: string;
  readonly data: { readonly dataset: Dataset; readonly preprocess: Preprocess; readonly labelled: boolean; readonly hash: string } | undefined;
  readonly diagnostics: readonly Diagnostic[];
}

/** Loads the sweep file and everything it names (paths relative to its folder); problems are diagnostics or `bad-argument` errors naming the file. */
export function prepareSweep(file: string): { value?: SweepContext; diagnostics: readonly Diagnostic[] } {
  if (!isFile(file)) throw usage(`cannot read sweep file '${file}': no such file`);
  const s = loadSweep(file, readFileSync(file, 'utf8'));
  if (s.value === undefined || hasErrors(s.diagnostics)) return { diagnostics: s.diagnostics };
  const spec = s.value;
  const at = (p: string): string => resolve(dirname(file), p);
  const need = (p: string, what: string): string => {
    if (!isFile(at(p))) throw usage(`${file}: ${what} '${p}' (${at(p)}) does not exist`);
    return at(p);
  };
  const platformFile = need(spec.platform, 'platform');
  const modelFile = need(spec.model, 'model');
  const mappingFile = spec.mapping === undefined ? undefined : need(spec.mapping, 'mapping');
  const m = readModel(modelFile);
  const diags: Diagnostic[] = [...s.diagnostics, ...m.diagnostics];
  if (m.graph === undefined || hasErrors(diags)) return { diagnostics: diags };
  let model = m.graph;
  let data: SweepContext['data'];
  if (spec.data !== undefined) {
    const imagesFile = need(spec.data.images, 'data.images');
    const labelsFile = spec.data.labels === undefined ? undefined : need(spec.data.labels, 'data.labels');
    const input = model.inputs[0];
    if (input === undefined || model.inputs.length !== 1) throw usage(`${file}: the model '${spec.model}' has ${model.inputs.length} inputs; a sweep feeds exactly one from data.images`);
    if (spec.data.preprocess !== undefined && !(PREPROCESSES as readonly string[]).includes(spec.data.preprocess)) throw usage(`${file}: data.preprocess '${spec.data.preprocess}' must be one of ${PREPROCESSES.join(', ')}`);
    const images = new Uint8Array(readFileSync(imagesFile));
    const per = spec.data.shape.reduce((a, b) => a * b, 1);
    const labels = labelsFile === undefined ? new Uint8Array(Math.floor(images.length / per)) : new Uint8Array(readFileSync(labelsFile));
    const dataset = makeDataset(images, labels, spec.data.shape, labelsFile === undefined ? imagesFile : `${imagesFile} / ${labelsFile}`);
    if (spec.data.first + spec.inferences > dataset.count) throw usage(`${file}: data.first ${spec.data.first} + inferences ${spec.inferences} exceeds the ${dataset.count} samples of '${spec.data.images}'`);
    const h = createHash('sha256');
    h.update(images.subarray(spec.data.first * per, (spec.data.first + spec.inferences) * per));
    h.update(labels.subarray(spec.data.first, spec.data.first + spec.inferences));
    // the calibration samples of a post-training quantization determine the model too
    if (spec.ptq !== undefined) h.update(images.subarray(spec.ptq.first * per, (spec.ptq.first + spec.ptq.samples) * per));
    data = { dataset, preprocess: (spec.data.preprocess as Preprocess | undefined) ?? defaultPreprocess(input), labelled: labelsFile !== undefined, hash: h.digest('hex') };
  }
  if (spec.ptq !== undefined && data !== undefined) {
    // post-training quantization of a float model, calibrated on the file's calibration samples
    const input = model.inputs[0]!;
    if (spec.ptq.first + spec.ptq.samples > data.dataset.count) throw usage(`${file}: ptq.first ${spec.ptq.first} + ptq.samples ${spec.ptq.samples} exceeds the ${data.dataset.count} samples of '${spec.data!.images}'`);
    const calibration = Array.from({ length: spec.ptq.samples }, (_, i) => new Map([[input.name, sampleInput(data!.dataset, spec.ptq!.first + i, input, data!.preprocess)]]));
    try {
      model = quantizeFloatGraph(model, calibration, { weightBits: spec.ptq.weightBits, actBits: spec.ptq.actBits, perChannel: spec.ptq.perChannel }).graph;
    } catch (e) {
      if (!(e instanceof SimError)) throw e;
      diags.push({ severity: 'error', code: e.code, message: `ptq of '${spec.model}': ${e.message}`, ...spec.ptq.at });
      return { diagnostics: diags };
    }
  }
  diags.push(...checkAxesAgainst(spec, model, platformFile));
  if (hasErrors(diags)) return { diagnostics: diags };
  const points = designPoints(spec);
  return {
    value: {
      file, spec, points, platformFile, platformText: readFileSync(platformFile, 'utf8'), mappingFile, mappingText: mappingFile === undefined ? undefined : readFileSync(mappingFile, 'utf8'),
      model, modelHash: createHash('sha256').update(readFileSync(modelFile)).digest('hex'), data, diagnostics: diags,
    },
    diagnostics: diags,
  };
}

/**
 * Checks the axes that name layers or targets against the model and the platform as written:
 * a layer that is no node of the model, a precision glob matching no node, a target that is
 * neither 'cores' nor an accelerator instance; each at its position in the sweep file.
 */
function checkAxesAgainst(spec: SweepSpec, model: NnGraph, platformFile: string): Diagnostic[] {
  const out: Diagnostic[] = [];
  const names = model.nodes.map((n) => n.name);
  const base = loadPlatform(platformFile, readFileSync(platformFile, 'utf8'), { catalog, readFile: readText });
  const accels = base.graph === undefined ? undefined : Object.values(base.graph.instances).filter((i) => i.kind === 'pe-array' || i.kind === 'aimc-tile').map((i) => i.name);
  const err = (at: SourcePos, code: string, message: string, hint: string): void => void out.push({ severity: 'error', code, message, ...at, hint });
  const check = (key: string, what: SweepAxisWhat, values: readonly { value: unknown; at: SourcePos }[], at: SourcePos): void => {
    if (what.kind === 'target' || what.kind === 'split') {
      if (!names.includes(what.node)) err(at, 'unknown-node', `axes '${key}': the model has no node '${what.node}'`, unknownNameHint(what.node, names, 'nodes'));
      if (what.kind === 'target' && accels !== undefined) {
        for (const v of values) if (v.value !== 'cores' && !accels.includes(String(v.value))) err(v.at, 'unknown-target', `axes '${key}': '${String(v.value)}' is neither 'cores' nor an accelerator of the platform`, `accelerators: ${accels.join(', ') || 'none'}`);
      }
    }
    if (what.kind === 'precision') {
      const ops = what.field === 'actBits' ? ACT_OPS : WEIGHT_OPS;
      const layers = model.nodes.filter((n) => ops.has(n.opType)).map((n) => n.name);
      if (!layers.some((n) => globToRegExp(what.layers).test(n))) {
        err(at, 'unknown-node', `axes '${key}': the layer glob '${what.layers}' matches no ${[...ops].join(' / ')} node of the model (the quantizer changes ${what.field} of those only)`, layers.length > 0 ? `such nodes: ${layers.slice(0, 8).join(', ')}${layers.length > 8 ? ', ...' : ''}` : 'the quantizer works on QOperator models (QLinearConv, QLinearMatMul); QONNX models carry their precision in their Quant nodes');
      }
    }
  };
  if (spec.areaOf !== undefined && base.graph !== undefined) {
    const inst = Object.keys(base.graph.instances);
    for (const g of spec.areaOf.globs) {
      const re = globToRegExp(g);
      if (!inst.some((n) => re.test(n))) err(spec.areaOf.at, 'unknown-instance', `areaOf: '${g}' matches no instance of the platform`, `instances: ${inst.join(', ')}`);
    }
  }
  for (const a of spec.axes) {
    if (a.what.kind === 'linked') {
      for (const sets of a.linked ?? []) for (const x of sets) check(x.key, x.what, [{ value: x.value, at: x.at }], x.at);
    } else if (a.domain.kind === 'values') check(a.key, a.what, a.domain.values.map((v, i) => ({ value: v, at: a.domain.kind === 'values' ? a.domain.at[i] ?? a.at : a.at })), a.at);
    else check(a.key, a.what, [], a.at);
  }
  return out;
}

/** A point's platform (loaded with its overrides), targets and the cache key; or the diagnostics that stop it. */
export interface PreparedPoint {
  readonly point: DesignPoint;
  readonly settings: PointSettings;
  readonly platform?: PlatformGraph;
  readonly targets: ReadonlyMap<string, string>;
  /** Channel splits: the mapping file's, then the point's axes. */
  readonly splits: ReadonlyMap<string, number>;
  /** Diagnostics of loading (errors in the sweep file's own positions are the user's: the command stops on them). */
  readonly diagnostics: readonly Diagnostic[];
  readonly hash: string;
}

/** Loads the point's platform and computes its cache key (everything that determines its result). */
export function preparePoint(ctx: SweepContext, point: DesignPoint): PreparedPoint {
  const settings = pointSettings(ctx.spec, point);
  const r = loadPlatform(ctx.platformFile, ctx.platformText, { catalog, readFile: readText, overrides: settings.overrides });
  const diags: Diagnostic[] = [...r.diagnostics];
  const targets = new Map<string, string>();
  const splits = new Map<string, number>();
  if (r.graph !== undefined && ctx.mappingFile !== undefined && ctx.mappingText !== undefined) {
    const mm = loadMapping(ctx.mappingFile, ctx.mappingText, r.graph);
    diags.push(...mm.diagnostics);
    for (const [k, v] of mm.value?.targets ?? []) targets.set(k, v);
    for (const [k, v] of mm.value?.splits ?? []) splits.set(k, v);
  }
  // the point's axes win over the mapping file: a target axis replaces a split and the other way round
  for (const [k, v] of settings.targets) {
    targets.set(k, v);
    splits.delete(k);
  }
  for (const [k, v] of settings.splits) {
    splits.set(k, v);
    targets.delete(k);
  }
  const h = createHash('sha256');
  const spec = ctx.spec;
  for (const part of [
    `edgesim-sweep-eval ${SWEEP_EVAL_VERSION}`,
    r.graph === undefined ? `unloadable ${ctx.platformText} ${JSON.stringify(settings.overrides.map((o) => [o.target, o.param, o.raw]))}` : JSON.stringify(r.graph),
    ctx.modelHash, JSON.stringify([...targets]), JSON.stringify([...splits]), JSON.stringify(settings.precision),
    ctx.data?.hash ?? 'no data', JSON.stringify({ inferences: spec.inferences, seed: spec.seed, evaluate: spec.evaluate, preprocess: ctx.data?.preprocess ?? null, ptq: spec.ptq === undefined ? null : { ...spec.ptq, at: null }, areaOf: spec.areaOf?.globs ?? null }),
  ]) {
    h.update(part);
    h.update('\u0000');
  }
  return { point, settings, ...(r.graph === undefined ? {} : { platform: r.graph }), targets, splits, diagnostics: diags, hash: h.digest('hex').slice(0, 20) };
}

/** The ops whose weights the quantizer changes (`weightBits`, `weights`). */
export const WEIGHT_OPS: ReadonlySet<string> = new Set(['QLinearConv', 'QLinearMatMul']);
/** The ops whose output precision the quantizer changes (`actBits`). */
export const ACT_OPS: ReadonlySet<string> = new Set(['QLinearConv', 'QLinearMatMul', 'QuantizeLinear']);

/**
 * The merged precision of `node` under `rules` (later rules win field by field): a rule's glob
 * selects layers by node name, and each field applies only to the ops that have it (weights:
 * QLinearConv, QLinearMatMul; actBits: those and QuantizeLinear), so `precision.*.weights`
 * means every layer with weights. Undefined when nothing applies.
 */
export function precisionOf(rules: readonly PrecisionRule[], node: NnNode): LayerPrecision | undefined {
  let out: { weightBits?: number; actBits?: number; weights?: 'uniform' | 'pow2' | 'pow2x2' } | undefined;
  for (const r of rules) {
    if (!globToRegExp(r.layers).test(node.name)) continue;
    if (WEIGHT_OPS.has(node.opType)) {
      if (r.weightBits !== undefined) out = { ...out, weightBits: r.weightBits };
      if (r.weights !== undefined) out = { ...out, weights: r.weights };
    }
    if (ACT_OPS.has(node.opType) && r.actBits !== undefined) out = { ...out, actBits: r.actBits };
  }
  return out;
}

/** Diagnostics positioned in the sweep file itself: the user's to fix, not a property of the point. */
export const ownDiagnostics = (ctx: SweepContext, d: readonly Diagnostic[]): Diagnostic[] => d.filter((x) => x.severity === 'error' && x.file === ctx.file);

/**
 * Evaluates one prepared point. Compile errors and unrealizable platforms are the point's
 * `error` (it is infeasible, the sweep goes on); anything else propagates.
 */
export function evaluatePoint(ctx: SweepContext, pp: PreparedPoint): PointResult {
  const { point } = pp;
  const base = { index: point.index, label: point.label, values: point.values, hash: pp.hash };
  const fail = (error: string): PointResult => ({ ...base, error, areaUm2: null, mapping: {}, analytic: null, simulated: null, energyUnpriced: [] });
  if (pp.platform === undefined || hasErrors(pp.diagnostics)) return fail(formatDiagnostics(pp.diagnostics.filter((d) => d.severity === 'error')));
  const platform = pp.platform;
  let graph = ctx.model;
  if (pp.settings.precision.length > 0) {
    try {
      graph = requantizeGraph(ctx.model, (n) => precisionOf(pp.settings.precision, n)).graph;
    } catch (e) {
      if (e instanceof SimError) return fail(`precision: ${e.message}`);
      throw e;
    }
  }
  const c = compileAuto(graph, platform, { targets: pp.targets, ...(pp.splits.size > 0 ? { splits: pp.splits } : {}) });
  if (c.value === undefined || hasErrors(c.diagnostics)) return fail(formatDiagnostics(c.diagnostics.filter((d) => d.severity === 'error')));
  const compiled: Compiled | AccelCompiled = c.value;
  // where each dot layer went, by graph node name (element-wise layers and epilogues stay on the cores)
  const spec = ctx.spec;
  const mapping: Record<string, string> = {};
  const exact = 'mapping' in compiled ? compiled.mapping.every((m) => m.exact) : true;
  if ('mapping' in compiled) {
    for (const m of compiled.mapping) {
      const name = /^node '([^']+)'/.exec(m.node)?.[1];
      if (name !== undefined && m.macs > 0) mapping[name] = m.target;
    }
  }
  const areaReport = energyReport(platform, [], 0, catalog);
  const areaOf = spec.areaOf?.globs.map(globToRegExp);
  const areaUm2 = areaOf === undefined ? areaReport.areaUm2 : areaReport.components.filter((c) => areaOf.some((re) => re.test(c.instance))).reduce((a, c) => a + c.areaUm2, 0);
  const output = graph.outputs[0]!.name;
  const input = graph.inputs[0]!;
  const samples = ctx.data === undefined ? [] : Array.from({ length: spec.inferences }, (_, i) => spec.data!.first + i);

  let analytic: PointResult['analytic'] = null;
  let unpriced: string[] = [];
  if (spec.evaluate.analytic) {
    const est = analyticEstimate(platform, compiled, catalog, { graph });
    let accuracy: number | null = null;
    if (ctx.data !== undefined && ctx.data.labelled && samples.length > 0) {
      const ev = createEvaluator(graph);
      let correct = 0;
      for (const s of samples) {
        const y = ev.run(new Map([[input.name, sampleInput(ctx.data.dataset, s, input, ctx.data.preprocess)]])).get(output)!;
        if (argmax(y.data) === ctx.data.dataset.labels[s]) correct++;
      }
      accuracy = correct / samples.length;
    }
    analytic = { accuracy, accuracyExact: exact, latencyPs: est.latencyPs, energyPj: est.energy.totalPj };
    unpriced = [...new Set(est.energy.unpriced.filter((u) => u.event !== 'area').map((u) => `${u.instance}.${u.event}`))].sort();
  }

  let simulated: PointResult['simulated'] = null;
  if (spec.evaluate.simulate && ctx.data !== undefined) {
    const scenario: Scenario = {
      name: spec.name, doc: spec.doc, platform: spec.platform, model: spec.model, mapping: spec.mapping, data: spec.data!, seed: spec.seed,
      chips: 1, inferences: spec.inferences, threshold: undefined, faults: [], params: [], sweep: [],
    };
    const cctx: CampaignContext = {
      scenario, platform, compiled, targets: [], dataset: ctx.data.dataset, input, preprocess: ctx.data.preprocess, output,
      tensorOrder: [], labelled: ctx.data.labelled, compare: false,
    };
    const runner = new CampaignRunner(cctx);
    const items: ItemResult[] = samples.map((sample, inference) => runner.run({ chip: 0, inference, sample }));
    const bad = items.find((r) => r.outcome === 'crash' || r.outcome === 'hang');
    if (bad !== undefined) return fail(`the simulation of sample ${bad.sample} failed: ${bad.error ?? bad.outcome}`);
    const sum = summarize({ name: spec.name, chips: 1, inferences: spec.inferences, threshold: undefined }, pp.hash, items);
    simulated = {
      accuracy: sum.accuracy === null ? null : sum.accuracy.mean, accuracyCi95: sum.accuracy === null ? null : sum.accuracy.ci95,
      latencyPs: sum.latencyPs.mean, energyPj: sum.energyPj.mean, inferences: items.length,
    };
    unpriced = [...new Set([...unpriced, ...sum.energyUnpriced])].sort();
  }
  return { ...base, error: null, areaUm2, mapping, analytic, simulated, energyUnpriced: unpriced };
}

/** Cached contexts of worker threads, by file. */
const contexts = new Map<string, SweepContext>();

/** A worker's context for `file` (prepared once). */
export function contextFor(file: string): SweepContext {
  let ctx = contexts.get(file);
  if (ctx === undefined) {
    const p = prepareSweep(file);
    if (p.value === undefined) throw new SimError('sweep-worker', `worker could not prepare ${file}:\n${formatDiagnostics(p.diagnostics)}`);
    ctx = p.value;
    contexts.set(file, ctx);
  }
  return ctx;
}

/** The context with the evaluation restricted to one path (benchmarks), optionally with another inference count. */
export function restricted(ctx: SweepContext, path: 'analytic' | 'simulate', inferences?: number): SweepContext {
  return { ...ctx, spec: { ...ctx.spec, evaluate: { analytic: path === 'analytic', simulate: path === 'simulate' }, ...(inferences === undefined ? {} : { inferences }) } };
}
