import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** Reads a SystemC semantics golden copied into test/fixtures. */
export function golden(name: string): string {
  return readFileSync(fileURLToPath(new URL(`../fixtures/systemc-semantics/${name}.golden`, import.meta.url)), 'utf8');
}
