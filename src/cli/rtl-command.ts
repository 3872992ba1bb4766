/**
 * `edgesim rtl <platform.yaml> -o <dir> [--ci-size]`: load and check the platform, generate the
 * RTL output folder (src/rtl) and write it. Nothing is written when the platform or the
 * generator reports an error.
 */
import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { catalog } from '../modules/index.js';
import { loadPlatform } from '../platform/index.js';
import { generateRtl, sha256Hex } from '../rtl/index.js';
import { SimError, formatDiagnostics, hasErrors } from '../util/index.js';
import { readText } from './files.js';

/** What the command prints and its exit code (0 written, 1 diagnostics). */
export interface RtlCommandOutput {
  readonly stdout: string;
  readonly stderr: string;
  readonly exitCode: number;
}


/**
 * Line and column of `param` inside the block of instance `inst` in the platform text (the
 * instance's key when `param` is absent or not found); 1:1 when the instance is not found.
 */
export function yamlPosition(text: string, inst: string, param?: string): { line: number; column: number } {
  const lines = text.split('\n');
  const esc = inst.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const head = new RegExp(`^(\\s*)${esc}\\s*:`);
  for (let i = 0; i < lines.length; i++) {
    const m = head.exec(lines[i]!);
    if (m === null) continue;
    const indent = m[1]!.length;
    if (param !== undefined) {
      const pre = new RegExp(`(^|[\\s{,])${param}\\s*:`);
      for (let j = i; j < lines.length; j++) {
        const l = lines[j]!;
        if (j > i && l.trim() !== '' && !l.trim().startsWith('#') && l.length - l.trimStart().length <= indent) break;
        const pm = pre.exec(j === i ? l.slice(m[0].length) : l);
        if (pm !== null) return { line: j + 1, column: (j === i ? m[0].length : 0) + pm.index + pm[1]!.length + 1 };
      }
    }
    return { line: i + 1, column: indent + 1 };
  }
  return { line: 1, column: 1 };
}

/** Runs the command; throws `SimError` for unreadable input or an output path that is a file. */
export function rtlCommand(file: string, o: { readonly out: string; readonly ciSize?: boolean; readonly json?: boolean }): RtlCommandOutput {
  const text = readText(file);
  if (text === undefined) throw new SimError('file-not-found', `cannot read platform file '${file}'`);
  const r = loadPlatform(file, text, { catalog, readFile: readText });
  if (hasErrors(r.diagnostics) || r.graph === undefined) return { stdout: '', stderr: `${formatDiagnostics(r.diagnostics)}\n`, exitCode: 1 };
  const gen = generateRtl(r.graph, { ciSize: o.ciSize === true, yamlSha256: sha256Hex(text), positionOf: (i, p) => yamlPosition(text, i, p) });
  const all = [...r.diagnostics, ...gen.diagnostics];
  const report = all.length > 0 ? `${formatDiagnostics(all)}\n` : '';
  if (hasErrors(all) || gen.manifest === undefined) return { stdout: '', stderr: report, exitCode: 1 };
  if (existsSync(o.out) && !statSync(o.out).isDirectory()) throw new SimError('bad-argument', `output '${o.out}' exists and is not a folder`);
  for (const [path, body] of gen.files) {
    const dest = join(o.out, path);
    mkdirSync(dirname(dest), { recursive: true });
    writeFileSync(dest, body);
  }
  const m = gen.manifest;
  const rtl = m.instances.filter((i) => i.rtl).map((i) => i.name);
  const bb = m.instances.filter((i) => !i.rtl).map((i) => i.name);
  const lines = [
    `${o.out}: ${gen.files.size} files for platform '${m.platform}'${m.ciSize ? ' (CI size)' : ''}, top ${m.top}, testbench ${m.testbench}`,
    `  generated RTL: ${rtl.length > 0 ? rtl.join(', ') : 'none'}`,
    `  black boxes: ${bb.length > 0 ? bb.join(', ') : 'none'}; macros: ${m.macros.length}`,
    `  next: cd ${o.out} && yosys -q -s syn/synth.ys (README.md lists the lint and simulation commands)`,
  ];
  if (o.json === true) return { stdout: `${JSON.stringify({ out: o.out, files: [...gen.files.keys()], manifest: m }, null, 2)}\n`, stderr: report, exitCode: 0 };
  return { stdout: `${lines.join('\n')}\n`, stderr: report, exitCode: 0 };
}
