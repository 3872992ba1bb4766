/** File helpers shared by the commands: existence, reading, atomic writes, usage errors. */
import { existsSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { SimError } from '../util/index.js';

/** A `bad-argument` error (exit code 1): a missing file, a bad option. */
export const usage = (msg: string): SimError => new SimError('bad-argument', msg);

/** Whether `path` is an existing regular file (not a folder). */
export const isFile = (path: string): boolean => existsSync(path) && statSync(path).isFile();

/** The text of a file, or undefined when it is not an existing regular file. */
export const readText = (path: string): string | undefined => (isFile(path) ? readFileSync(path, 'utf8') : undefined);

/** Writes through a temporary file and a rename: a kill leaves the old content or the new one, never half of it. */
export function writeAtomic(path: string, text: string): void {
  writeFileSync(`${path}.tmp`, text);
  renameSync(`${path}.tmp`, path);
}
