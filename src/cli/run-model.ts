/**
 * `edgesim run --platform <p.yaml> --model <m.onnx> --data <images.bin> --labels <labels.bin>
 * --shape C,H,W [-n N]`: compile the model for the platform once, then simulate N inferences on
 * fresh instantiations of the platform; print top-1 accuracy, agreement with the reference
 * evaluator, latency and energy per inference and duty cycles; write `traces/<run>/`.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, extname, join } from 'node:path';
import { energyReport, formatEnergy, type EnergyReport } from '../energy/index.js';
import { catalog } from '../modules/index.js';
import { PREPROCESSES, argmax, createEvaluator, defaultPreprocess, makeDataset, sampleInput, type Preprocess, type Tensor } from '../nn/index.js';
import { dumpPlatform } from '../platform/index.js';
import { instantiate, runCompiled, runReport, type LayerInterval } from '../sim/index.js';
import { SimError, formatDiagnostics, formatDuration, formatTable, hasErrors } from '../util/index.js';
import { compileAuto, formatMapping, readModel, readPlatform, readTargets, type CommandOutput } from './compile-command.js';
import { writeRunReport } from './report-files.js';
import { traceHubFromOptions, writeTraces, type TraceCliOptions } from './run-command.js';
import { isFile, usage } from './files.js';

/** Options of {@link runModelCommand}, as given on the command line. */
export interface RunModelOptions extends TraceCliOptions {
  /** Raw uint8 samples. */
  readonly data: string;
  /** One label byte per sample (optional: without it no accuracy is computed). */
  readonly labels?: string;
  /** Shape of one sample, e.g. `3,32,32`. */
  readonly shape: string;
  readonly preprocess?: string;
  /** Inferences (default 10, at most the dataset's size). */
  readonly n?: string;
  readonly cores?: string;
  /** Forced targets, `node=instance` or `node=cores`. */
  readonly targets?: readonly string[];
  /** Mapping file (YAML `layers: { node: target }`); `targets` override it. */
  readonly mapping?: string;
  /** Graph output used for top-1 (default: the first). */
  readonly output?: string;
  readonly out?: string;
  readonly json?: boolean;
  /** Compare every output with the reference evaluator (default true). */
  readonly check?: boolean;
  /**
   * Stored outputs of another runtime (e.g. onnxruntime) for sample i, by output name, or
   * undefined when none are stored; each given output must match bit for bit.
   */
  readonly stored?: { readonly name: string; readonly outputs: (i: number) => ReadonlyMap<string, readonly number[]> | undefined };
  /** Called after each inference (progress display). */
  readonly progress?: (done: number, total: number) => void;
}


const sameBits = (a: Tensor, b: Tensor): boolean =>
  a.dtype === b.dtype && a.data.length === b.data.length && Buffer.compare(Buffer.from(a.data.buffer, a.data.byteOffset, a.data.byteLength), Buffer.from(b.data.buffer, b.data.byteOffset, b.data.byteLength)) === 0;

/** Runs the command; throws SimError `bad-argument` for usage errors (exit 1). */
export function runModelCommand(platformFile: string, modelFile: string, o: RunModelOptions): CommandOutput {
  if (!isFile(o.data)) throw usage(`cannot read --data '${o.data}': no such file`);
  if (o.labels !== undefined && !isFile(o.labels)) throw usage(`cannot read --labels '${o.labels}': no such file`);
  const shape = o.shape.split(',').map((s) => Number(s.trim()));
  if (shape.length === 0 || !shape.every((d) => Number.isSafeInteger(d) && d > 0)) throw usage(`--shape '${o.shape}' must be positive integers separated by commas, e.g. 3,32,32`);
  if (o.preprocess !== undefined && !(PREPROCESSES as readonly string[]).includes(o.preprocess)) throw usage(`--preprocess '${o.preprocess}' must be one of ${PREPROCESSES.join(', ')}`);
  const nWanted = o.n === undefined ? 10 : Number(o.n);
  if (!Number.isSafeInteger(nWanted) || nWanted < 1) throw usage(`-n '${o.n}' must be a positive integer`);
  // --trace records the first inference only
  const tr = traceHubFromOptions(o);
  let traceEnd: number | undefined;

  const model = readModel(modelFile);
  const plat = readPlatform(platformFile);
  const pre0 = [...model.diagnostics, ...plat.diagnostics];
  if (hasErrors(pre0) || model.graph === undefined || plat.graph === undefined) return { stdout: '', stderr: `${formatDiagnostics(pre0)}\n`, exitCode: 1 };
  const graph = model.graph;
  const g = plat.graph;
  const t = readTargets(o.mapping, o.targets, g);
  const pre = [...pre0, ...t.diagnostics];
  if (hasErrors(pre)) return { stdout: '', stderr: `${formatDiagnostics(pre)}\n`, exitCode: 1 };
  const cores = o.cores === undefined ? undefined : o.cores.split(',').map((s) => s.trim()).filter((s) => s !== '');
  const compiled = compileAuto(graph, g, { ...(cores === undefined ? {} : { cores }), targets: t.targets, splits: t.splits });
  const diags = [...pre, ...compiled.diagnostics];
  const shown = diags.length > 0 ? `${formatDiagnostics(diags)}\n` : '';
  if (compiled.value === undefined || hasErrors(compiled.diagnostics)) return { stdout: '', stderr: shown, exitCode: 1 };
  const c = compiled.value;

  let ds;
  try {
    const images = new Uint8Array(readFileSync(o.data));
    const per = shape.reduce((a, b) => a * b, 1);
    // without labels: one placeholder label per whole sample, so makeDataset still checks the size
    const labels = o.labels === undefined ? new Uint8Array(Math.floor(images.length / per)) : new Uint8Array(readFileSync(o.labels));
    ds = makeDataset(images, labels, shape, o.labels === undefined ? o.data : `${o.data} / ${o.labels}`);
  } catch (e) {
    if (e instanceof SimError) return { stdout: '', stderr: `${shown}edgesim: error [${e.code}]: ${e.message}\n`, exitCode: 1 };
    throw e;
  }
  const input = graph.inputs[0];
  if (input === undefined || graph.inputs.length !== 1) return { stdout: '', stderr: `${shown}edgesim: error [model-inputs]: the model has ${graph.inputs.length} inputs; run --model feeds exactly one from --data\n`, exitCode: 1 };
  const preprocess: Preprocess = (o.preprocess as Preprocess | undefined) ?? defaultPreprocess(input);
  const outName = o.output ?? graph.outputs[0]?.name;
  if (outName === undefined || !graph.outputs.some((x) => x.name === outName)) {
    throw usage(`--output '${o.output}' is not a graph output (outputs: ${graph.outputs.map((x) => x.name).join(', ')})`);
  }
  const n = Math.min(nWanted, ds.count);
  const check = o.check !== false;
  const ev = check ? createEvaluator(graph) : undefined;

  interface Inference { index: number; label: number | null; top1: number; correct: boolean | null; latencyPs: number; energyPj: number; bitExact: boolean | null; mismatched: string[]; storedMatch: boolean | null }
  const results: Inference[] = [];
  let lastReport: ReturnType<typeof runReport> | undefined;
  let firstEnergy: EnergyReport | undefined;
  let firstLayers: readonly LayerInterval[] | undefined;
  try {
    for (let i = 0; i < n; i++) {
      const x = sampleInput(ds, i, input, preprocess);
      const inputs = new Map([[input.name, x]]);
      const p = instantiate(g, i === 0 && tr !== undefined ? { trace: tr.hub } : {});
      let run;
      try {
        // the first inference profiles its layers (free: see runCompiled)
        run = runCompiled(p, c, inputs, i === 0 ? { layers: true } : {});
      } finally {
        if (i === 0) traceEnd = p.sim.now;
      }
      const report = runReport(p.sim, p.modules.values(), p.skipped);
      lastReport = report;
      const energy = energyReport(g, report.components, report.simulatedTimePs, catalog);
      if (i === 0) {
        firstEnergy = energy;
        firstLayers = run.layers;
      }
      const y = run.outputs.get(outName)!;
      const top1 = argmax(y.data);
      const label = o.labels === undefined ? null : ds.labels[i]!;
      let mismatched: string[] = [];
      if (ev !== undefined) {
        const ref = ev.run(inputs);
        mismatched = [...run.outputs].filter(([k, t]) => { const r = ref.get(k); return r === undefined || !sameBits(t, r); }).map(([k]) => k);
      }
      const want = o.stored?.outputs(i);
      const storedMatch = want === undefined ? null : [...want].every(([k, v]) => {
        const t = run.outputs.get(k);
        return t !== undefined && t.data.length === v.length && v.every((x, j) => t.data[j] === x);
      });
      results.push({ index: i, label, top1, correct: label === null ? null : top1 === label, latencyPs: run.time, energyPj: energy.totalPj, bitExact: ev === undefined ? null : mismatched.length === 0, mismatched, storedMatch });
      o.progress?.(i + 1, n);
    }
  } catch (e) {
    if (e instanceof SimError) return { stdout: '', stderr: `${shown}edgesim: error [${e.code}]: ${e.message}\n`, exitCode: 1 };
    throw e;
  }

  const mean = (f: (r: Inference) => number): number => results.reduce((s, r) => s + f(r), 0) / results.length;
  const correct = results.filter((r) => r.correct === true).length;
  const exact = results.filter((r) => r.bitExact === true).length;
  const lat = results.map((r) => r.latencyPs);
  const summary = {
    model: modelFile, platform: g.platform, cores: c.cores, data: o.data, labels: o.labels ?? null, preprocess, output: outName, inferences: n,
    accuracy: o.labels === undefined ? null : correct / n, correct: o.labels === undefined ? null : correct,
    referenceBitExact: check ? exact : null,
    stored: o.stored === undefined ? null : { name: o.stored.name, compared: results.filter((r) => r.storedMatch !== null).length, identical: results.filter((r) => r.storedMatch === true).length },
    latency: { meanPs: mean((r) => r.latencyPs), minPs: Math.min(...lat), maxPs: Math.max(...lat) },
    energyPerInferencePj: mean((r) => r.energyPj),
  };
  const outDir = o.out ?? join('traces', `${basename(modelFile, extname(modelFile))}-${g.platform}`.replace(/[^A-Za-z0-9._-]+/g, '_'));
  mkdirSync(outDir, { recursive: true });
  writeFileSync(join(outDir, 'platform.json'), `${dumpPlatform(g)}\n`);
  writeFileSync(join(outDir, 'mapping.json'), `${JSON.stringify('mapping' in c ? c.mapping : c.layers, null, 2)}\n`);
  // layers: the simulated interval of each layer of the first inference (the one traced)
  const layers = firstLayers?.map((l) => ({ node: l.node, startPs: l.startPs, endPs: l.endPs }));
  writeFileSync(join(outDir, 'inferences.json'), `${JSON.stringify({ summary, inferences: results, ...(layers === undefined ? {} : { layers }), lastReport }, null, 2)}\n`);
  const traced = tr === undefined || traceEnd === undefined ? undefined : writeTraces(tr, outDir, traceEnd, `${basename(modelFile)} inference 0 on ${g.platform}`, firstEnergy);
  const reportHtml = writeRunReport(outDir);
  const storedBad = results.filter((r) => r.storedMatch === false).length;
  const failed = (check && exact !== n) || storedBad > 0;
  const firstBad = results.find((r) => r.bitExact === false);
  const stderr = shown
    + (traced?.warnings ?? []).map((w) => `${w}\n`).join('')
    + (firstBad !== undefined ? `edgesim: error [not-bit-exact]: ${n - exact} of ${n} inferences differ from the reference evaluator (first: sample ${firstBad.index}, outputs ${firstBad.mismatched.join(', ')})\n` : '')
    + (storedBad > 0 ? `edgesim: error [not-bit-exact]: ${storedBad} inferences differ from the stored ${o.stored!.name} outputs\n` : '');
  if (o.json === true) return { stdout: `${JSON.stringify(summary, null, 2)}\n`, stderr, exitCode: failed ? 1 : 0 };

  const duty = lastReport === undefined ? '' : formatTable([
    ['component', 'kind', 'busy', 'duty cycle'],
    ...lastReport.components.filter((x) => x.busyPs > 0).map((x) => [x.path, x.kind, formatDuration(x.busyPs), `${(100 * x.busyFraction).toFixed(1)} %`]),
  ], [false, false, true, true]);
  const text = [
    `model ${modelFile} on platform '${g.platform}' (${c.cores.length} core${c.cores.length === 1 ? '' : 's'}: ${c.cores.join(', ')}), ${n} inference${n === 1 ? '' : 's'} of ${o.data} (preprocess ${preprocess}${o.preprocess === undefined ? `, the default for a ${input.dtype} input` : ''})`,
    o.labels === undefined ? 'accuracy: no --labels given' : `accuracy: ${correct}/${n} = ${((100 * correct) / n).toFixed(1)} % (top-1 of output '${outName}')`,
    check ? `reference evaluator: ${exact}/${n} inferences bit-exact on every output` : 'reference evaluator: not checked (--no-check)',
    ...(summary.stored === null ? [] : [`${summary.stored.name}: ${summary.stored.identical}/${summary.stored.compared} inferences identical to its stored outputs`]),
    `latency per inference (simulated): mean ${formatDuration(summary.latency.meanPs)}, min ${formatDuration(summary.latency.minPs)}, max ${formatDuration(summary.latency.maxPs)}`,
    `energy per inference: mean ${formatEnergy(summary.energyPerInferencePj)} (unpriced events count 0: see energy.json of 'edgesim run' for sources)`,
    '',
    'mapping:',
    formatMapping(c),
    '',
    'duty cycles (last inference):',
    duty,
    '',
    `traces: ${outDir}/ (platform.json, mapping.json, inferences.json)`,
    `report: ${reportHtml}`,
    ...(traced?.files ?? []).map((f) => `trace: ${f} (first inference)`),
  ];
  return { stdout: `${text.join('\n')}\n`, stderr, exitCode: failed ? 1 : 0 };
}
