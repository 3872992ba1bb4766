/** Runs the built `edgesim` CLI (`dist/cli/main.js`, built first when missing) in a child process, with a temporary folder per test file. */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from "vitest";
import { repoRoot } from './repo.js';

/** The built CLI's entry point. */
/** The repository root (the CLI runs there by default). */
export const repoRootCli = repoRoot;

export const cliMain = `${repoRoot}dist/cli/main.js`;

/** Runs `edgesim <args>` in `cwd` (default the repository root). */
export function runCli(args: readonly string[], cwd = repoRoot): { code: number; out: string; err: string } {
  const r = spawnSync(process.execPath, [cliMain, ...args], { encoding: 'utf8', cwd });
  return { code: r.status ?? -1, out: r.stdout, err: r.stderr };
}

/**
 * Registers beforeAll/afterAll hooks that build the CLI if needed and create (then remove) a
 * temporary folder; returns a getter for the folder.
 */
export function cliTestFolder(prefix: string): () => string {
  let tmp = '';
  beforeAll(() => {
    if (!existsSync(cliMain)) execFileSync('npm', ['run', 'build'], { cwd: repoRoot, stdio: 'ignore' });
    tmp = mkdtempSync(join(tmpdir(), prefix));
  });
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));
  return () => tmp;
}
