/**
 * Module kinds that have a simulation model, keyed by the kind of their declaration. A kind of
 * the catalog without an entry here is skipped by instantiation with a note. Adding a model = one factory in this list.
 */
import type { AnyModuleDef } from '../spec/index.js';
import type { SimFactory } from './base.js';
import { aimcTileSim } from './aimc-tile/index.js';
import { coreSim } from './core/index.js';
import { dmaSim } from './dma/index.js';
import { eventUnitSim } from './event-unit/index.js';
import { memorySim } from './memory/index.js';
import { peArraySim } from './pe-array/index.js';
import { scratchpadSim } from './scratchpad/index.js';
import { xbarSim } from './xbar/index.js';

/** Builds a kind -> factory map from factories, refusing duplicates. */
export function makeSimCatalog(factories: readonly SimFactory<AnyModuleDef>[]): ReadonlyMap<string, SimFactory<AnyModuleDef>> {
  const m = new Map<string, SimFactory<AnyModuleDef>>();
  for (const f of factories) {
    if (m.has(f.def.kind)) throw new Error(`simulation model for kind '${f.def.kind}' listed twice`);
    m.set(f.def.kind, f);
  }
  return m;
}

/** Every simulation model of the library, by kind. */
export const simCatalog: ReadonlyMap<string, SimFactory<AnyModuleDef>> = makeSimCatalog([coreSim, dmaSim, scratchpadSim, xbarSim, memorySim, eventUnitSim, aimcTileSim, peArraySim] as readonly SimFactory<AnyModuleDef>[]);
