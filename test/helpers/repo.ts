import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import { catalog } from '../../src/modules/index.js';
import { loadPlatform, type LoadResult, type PlatformGraph } from '../../src/platform/index.js';

/** The repository root, with a trailing slash. */
export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

/** Reads a repository file by its repo-relative path, or undefined if absent (the loader's reader). */
export const readRepoFile = (p: string): string | undefined => (existsSync(`${repoRoot}${p}`) ? readFileSync(`${repoRoot}${p}`, 'utf8') : undefined);

/** Loads a platform file (repo-relative) with the module catalog. */
export const loadRepoPlatform = (file: string, text = readRepoFile(file)!): LoadResult => loadPlatform(file, text, { catalog, readFile: readRepoFile });

/** Loads a platform that must have no diagnostics and returns its graph. */
export function cleanGraph(file: string): PlatformGraph {
  const r = loadRepoPlatform(file);
  expect(r.diagnostics).toEqual([]);
  return r.graph!;
}

/** `n` little-endian int32 words of `data` from byte offset `off`. */
export function words(data: Uint8Array, off: number, n: number): number[] {
  const v = new DataView(data.buffer, data.byteOffset);
  return Array.from({ length: n }, (_, i) => v.getInt32(off + 4 * i, true));
}

/** Writes little-endian int32 words into `data` from byte offset `off`. */
export function fill(data: Uint8Array, off: number, vals: readonly number[]): void {
  const v = new DataView(data.buffer, data.byteOffset);
  vals.forEach((x, i) => v.setInt32(off + 4 * i, x, true));
}
