import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { generateRtl, type RtlResult } from '../../src/rtl/index.js';
import { loadRepoPlatform, readRepoFile } from '../helpers/repo.js';

/** The shipped platforms (platforms/*.yaml). */
export const PLATFORMS: readonly string[] = readdirSync(new URL('../../platforms/', import.meta.url)).filter((f) => f.endsWith('.yaml')).sort().map((f) => `platforms/${f}`);

/** Generates a repo platform file (CI size unless told otherwise). */
export function generate(file: string, ciSize = true): RtlResult {
  const r = loadRepoPlatform(file);
  if (r.graph === undefined) throw new Error(`${file} does not load`);
  return generateRtl(r.graph, { ciSize, yamlText: readRepoFile(file)! });
}

/** Writes the files of a result into a new temporary folder and returns it. */
export function writeOut(r: RtlResult, tag: string): string {
  const dir = mkdtempSync(join(tmpdir(), `edgesim-rtl-${tag}-`));
  for (const [p, t] of r.files) {
    mkdirSync(dirname(join(dir, p)), { recursive: true });
    writeFileSync(join(dir, p), t);
  }
  return dir;
}

/** True when the command exists on PATH. */
export function hasTool(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' }).status === 0;
}

/** Runs a command in `cwd`; returns its output, status and wall time (s). */
export function run(cmd: string, args: readonly string[], cwd: string, timeoutMs = 600_000): { status: number | null; out: string; seconds: number } {
  const t0 = performance.now();
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', timeout: timeoutMs, maxBuffer: 64 << 20 });
  return { status: r.status, out: `${r.stdout ?? ''}${r.stderr ?? ''}`, seconds: (performance.now() - t0) / 1000 };
}

/** A skip message for missing tools (CI installs them in .ci/run). */
export const missing = (tools: readonly string[]): string[] => tools.filter((t) => !hasTool(t));
