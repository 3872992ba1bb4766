/** Loading and starting one program on several cores of an instantiated platform. */
import { CoreSim, EventUnit, loadProgram, type ProgramImage } from '../modules/index.js';
import { SimError } from '../util/index.js';
import type { Instantiated } from './instantiate.js';

/**
 * Loads `image` once and starts it on the cores named in `cores` (a0 = the core's `hartId`,
 * a1 = the number of cores started; see `loadProgram`), and makes every barrier of every event
 * unit wait for exactly the started cores among those on its `sync` ports (bit i = the core on
 * `sync[i]`), so that a program started on some cores of a cluster does not wait at its first
 * barrier for cores that never run. Event units no started core reaches keep their members.
 * Returns the entry address.
 * @throws SimError `no-cores` for an empty list; `instance-not-simulated` (from `get`) for a name
 * that is not a simulated core.
 */
export function startProgram(p: Instantiated, cores: readonly string[], image: ProgramImage): number {
  if (cores.length === 0) throw new SimError('no-cores', 'startProgram: no core named to run the program on');
  const started = new Set(cores);
  const cs = cores.map((n) => p.get(n, CoreSim));
  for (const [path, m] of p.modules) {
    if (!(m instanceof EventUnit)) continue;
    let mask = 0;
    for (const c of p.graph.connections) {
      if (c.to.instance === path && c.to.port === 'sync' && c.from.port === 'sync' && started.has(c.from.instance)) mask |= 1 << (c.to.index ?? 0);
    }
    if (mask === 0) continue;
    for (let b = 0; b < m.params.barriers; b++) m.setBarrierMembers(b, mask >>> 0);
  }
  return loadProgram(cs, image);
}
