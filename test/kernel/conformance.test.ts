import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { SimulationOptions } from '../../src/kernel/index.js';
import { golden } from '../helpers/golden.js';

/**
 * Conformance with SystemC 2.3.4: every scenario of the semantics suite, rebuilt with edgesim's
 * public API, must print its golden log byte for byte, in natural order and with the order of
 * runnable processes shuffled inside each evaluation phase.
 */
const dir = fileURLToPath(new URL('./conformance/', import.meta.url));
const names = readdirSync(dir)
  .filter((f) => /^\d\d_.*\.ts$/.test(f))
  .map((f) => f.replace(/\.ts$/, ''))
  .sort();

type Scenario = (opts: SimulationOptions) => string;
const load = async (name: string): Promise<Scenario> => ((await import(`./conformance/${name}.ts`)) as { default: Scenario }).default;

describe('SystemC semantics goldens', () => {
  it('covers every golden', () => {
    expect(names.length).toBeGreaterThan(0);
  });
  for (const name of names) {
    it(`${name} matches the golden`, async () => {
      const run = await load(name);
      expect(run({})).toBe(golden(name));
    });
    it(`${name} matches the golden with shuffled evaluation order`, async () => {
      const run = await load(name);
      for (const shuffleSeed of [1, 2, 3, 4, 5]) expect(run({ shuffleSeed })).toBe(golden(name));
    });
  }
});
