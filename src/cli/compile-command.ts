/**
 * `edgesim compile <model.onnx> --platform <platform.yaml> -o <dir>`: import the model, check the
 * platform, compile, and write the program, the data images and the mapping report.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { compile, compileForAccelerators, type AccelCompiled, type Compiled, type CompileResult } from '../compiler/index.js';
import { catalog } from '../modules/index.js';
import { importOnnx, type NnGraph } from '../nn/index.js';
import { loadMapping, loadPlatform, type PlatformGraph } from '../platform/index.js';
import { formatAddress, formatDiagnostics, formatTable, hasErrors, type Diagnostic } from '../util/index.js';
import { isFile, readText, usage } from './files.js';

/** Options of {@link compileCommand}, as given on the command line. */
export interface CompileCommandOptions {
  readonly platform: string;
  readonly out: string;
  /** Comma-separated core names (default: every core). */
  readonly cores?: string;
  /** Disable the packed-SIMD matrix-product path. */
  readonly noSimd?: boolean;
  /** Forced targets, `node=instance` or `node=cores`. */
  readonly targets?: readonly string[];
  /** Mapping file (YAML `layers: { node: target }`); `targets` override it. */
  readonly mapping?: string;
  /** Print `{ summary, out, manifest, mapping }` as JSON instead of the summary and the table. */
  readonly json?: boolean;
  /** Print only the summary line, not the mapping table. */
  readonly quiet?: boolean;
}

/** What the command prints and its exit code (0 compiled, 1 diagnostics or bad usage; a bad usage is thrown as SimError `bad-argument`). */
export interface CommandOutput {
  readonly stdout: string;
  readonly stderr: string;
  readonly exitCode: number;
}


/** Imports an ONNX file; external tensor data is read only from files under the model's folder. */
export function readModel(file: string): { graph?: NnGraph; diagnostics: readonly Diagnostic[] } {
  if (!isFile(file)) throw usage(`cannot read model file '${file}': no such file`);
  const dir = dirname(resolve(file));
  const r = importOnnx(new Uint8Array(readFileSync(file)), {
    file,
    readExternal: (location) => {
      const p = resolve(dir, location);
      return relative(dir, p).startsWith('..') || !isFile(p) ? undefined : new Uint8Array(readFileSync(p));
    },
  });
  return { ...(r.value === undefined ? {} : { graph: r.value }), diagnostics: r.diagnostics };
}

/** Loads and checks a platform file with the module catalog. */
export function readPlatform(file: string): { graph?: PlatformGraph; diagnostics: readonly Diagnostic[] } {
  const text = readText(file);
  if (text === undefined || !isFile(file)) throw usage(`cannot read platform file '${file}': no such file`);
  const r = loadPlatform(file, text, { catalog, readFile: readText });
  return { ...(r.graph === undefined ? {} : { graph: r.graph }), diagnostics: r.diagnostics };
}

/** Accelerator kinds the compiler can target. */
const ACCEL_KINDS = new Set(['pe-array', 'aimc-tile']);

/**
 * Compiles for the platform: with accelerators (a `pe-array` or `aimc-tile` instance) each layer
 * goes to an accelerator when it supports it exactly, else to the cores (`compileForAccelerators`);
 * without, everything runs on the cores (`compile`, with activation-buffer reuse). `targets`
 * forces layers (`node=instance` or `node=cores`).
 */
export function compileAuto(graph: NnGraph, platform: PlatformGraph, o: { readonly cores?: readonly string[]; readonly noSimd?: boolean; readonly targets?: ReadonlyMap<string, string>; readonly splits?: ReadonlyMap<string, number> }): CompileResult<Compiled | AccelCompiled> {
  const base = { ...(o.cores === undefined ? {} : { cores: o.cores }), ...(o.noSimd === true ? { simd: false } : {}) };
  const hasAccel = Object.values(platform.instances).some((i) => ACCEL_KINDS.has(i.kind));
  if (!hasAccel && (o.targets === undefined || o.targets.size === 0) && (o.splits === undefined || o.splits.size === 0)) return compile(graph, platform, base);
  return compileForAccelerators(graph, platform, { ...base, ...(o.targets === undefined ? {} : { targets: o.targets }), ...(o.splits === undefined ? {} : { splits: o.splits }) });
}

/**
 * Targets and channel splits from a mapping file (`--mapping`) and `--target` options (which
 * win; a `--target` on a split layer replaces the split); diagnostics of the file (positions,
 * unknown targets, bad fractions) are returned, never thrown.
 */
export function readTargets(mappingFile: string | undefined, list: readonly string[] | undefined, platform: PlatformGraph): { targets: Map<string, string>; splits: Map<string, number>; diagnostics: readonly Diagnostic[] } {
  const targets = new Map<string, string>();
  const splits = new Map<string, number>();
  let diagnostics: readonly Diagnostic[] = [];
  if (mappingFile !== undefined) {
    const text = readText(mappingFile);
    if (text === undefined || !isFile(mappingFile)) throw usage(`cannot read mapping file '${mappingFile}': no such file`);
    const r = loadMapping(mappingFile, text, platform);
    diagnostics = r.diagnostics;
    for (const [k, v] of r.value?.targets ?? []) targets.set(k, v);
    for (const [k, v] of r.value?.splits ?? []) splits.set(k, v);
  }
  for (const [k, v] of parseTargets(list)) {
    targets.set(k, v);
    splits.delete(k);
  }
  return { targets, splits, diagnostics };
}

/** `node=target` pairs of `--target` options. @throws SimError `bad-argument` for a malformed one. */
export function parseTargets(list: readonly string[] | undefined): Map<string, string> {
  const m = new Map<string, string>();
  for (const t of list ?? []) {
    const i = t.lastIndexOf('=');
    if (i <= 0 || i === t.length - 1) throw usage(`--target '${t}' must be node=instance or node=cores (e.g. --target conv1=dacc)`);
    m.set(t.slice(0, i), t.slice(i + 1));
  }
  return m;
}

/** The per-layer mapping report as a table with units. */
export function formatMapping(c: Compiled | AccelCompiled): string {
  if ('mapping' in c) {
    const rows = [['layer', 'op', 'target', 'MACs', 'commands', 'folds', 'exact', 'error bound', 'host instructions', 'predicted cycles', 'why']];
    for (const m of c.mapping) {
      rows.push([m.node, m.opType, m.target, String(m.macs), String(m.commands), String(m.folds), m.exact ? 'yes' : 'NO', m.exact ? '0' : `+-${m.errorBound}`, String(m.predictedInstructions), String(m.predictedCycles), m.reason]);
    }
    return formatTable(rows, [false, false, false, true, true, true, false, true, true, true, false]);
  }
  const rows = [['layer', 'op', 'target', 'cores', 'MACs', 'weights', 'input', 'output', 'memories (in/out/weights)', 'instructions (busiest core)', 'predicted cycles']];
  for (const l of c.layers) {
    rows.push([
      l.node, l.opType, l.target, String(l.cores), String(l.macs), `${l.weightBytes} B`, `${l.inputBytes} B`, `${l.outputBytes} B`,
      l.memories === undefined ? '-' : `${l.memories.input}/${l.memories.output}/${l.memories.weights}`, String(l.predictedInstructions), String(l.predictedCycles),
    ]);
  }
  return formatTable(rows, [false, false, false, true, true, true, true, true, false, true, true]);
}

/**
 * Runs `edgesim compile`. Writes into `out`: `program.s` (assembly), `program.hex` (one word per
 * line), `data/<n>.bin` (the data images), `manifest.json` (origin, cores, images with
 * addresses, input and output placements, extensions) and `mapping.json` (the per-layer report);
 * prints the mapping table.
 */
export function compileCommand(modelFile: string, o: CompileCommandOptions): CommandOutput {
  const model = readModel(modelFile);
  const plat = readPlatform(o.platform);
  const pre0 = [...model.diagnostics, ...plat.diagnostics];
  if (hasErrors(pre0) || model.graph === undefined || plat.graph === undefined) return { stdout: '', stderr: `${formatDiagnostics(pre0)}\n`, exitCode: 1 };
  const t = readTargets(o.mapping, o.targets, plat.graph);
  const pre = [...pre0, ...t.diagnostics];
  if (hasErrors(pre)) return { stdout: '', stderr: `${formatDiagnostics(pre)}\n`, exitCode: 1 };
  const cores = o.cores === undefined ? undefined : o.cores.split(',').map((s) => s.trim()).filter((s) => s !== '');
  const r = compileAuto(model.graph, plat.graph, { ...(cores === undefined ? {} : { cores }), ...(o.noSimd === true ? { noSimd: true } : {}), targets: t.targets, splits: t.splits });
  const diags = [...pre, ...r.diagnostics];
  const shown = diags.length > 0 ? `${formatDiagnostics(diags)}\n` : '';
  if (r.value === undefined || hasErrors(r.diagnostics)) return { stdout: '', stderr: shown, exitCode: 1 };
  const c = r.value;
  mkdirSync(join(o.out, 'data'), { recursive: true });
  writeFileSync(join(o.out, 'program.s'), c.program.asm);
  writeFileSync(join(o.out, 'program.hex'), `${c.program.words.map((w) => (w >>> 0).toString(16).padStart(8, '0')).join('\n')}\n`);
  const images = c.images.map((img, i) => {
    const file = `data/${i}.bin`;
    writeFileSync(join(o.out, file), img.bytes);
    return { file, address: img.address, addressHex: formatAddress(img.address), bytes: img.bytes.length, memory: img.memory, what: img.what };
  });
  const manifest = {
    model: basename(modelFile), graph: c.graph, platform: c.platform, cores: c.cores, extensions: c.extensions,
    program: { file: 'program.hex', asm: 'program.s', origin: c.program.origin, originHex: formatAddress(c.program.origin), words: c.program.words.length, memory: c.program.memory },
    images, inputs: c.inputs, outputs: c.outputs,
  };
  writeFileSync(join(o.out, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  const mapping = 'mapping' in c ? c.mapping : c.layers;
  writeFileSync(join(o.out, 'mapping.json'), `${JSON.stringify(mapping, null, 2)}\n`);
  const summary = `compiled '${basename(modelFile)}' for platform '${c.platform}' on ${c.cores.length} core(s) (${c.cores.join(', ')}): ${c.program.words.length} instruction words at ${formatAddress(c.program.origin)} (${c.program.memory}), ${images.length} data image(s), ${c.layers.length} layer(s); wrote ${o.out}/`;
  if (o.json === true) return { stdout: `${JSON.stringify({ summary, out: o.out, manifest, mapping }, null, 2)}\n`, stderr: shown, exitCode: 0 };
  return { stdout: o.quiet === true ? `${summary}\n` : `${summary}\n\n${formatMapping(c)}\n`, stderr: shown, exitCode: 0 };
}
