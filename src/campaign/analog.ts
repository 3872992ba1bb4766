/**
 * Analog non-idealities in campaigns: which instances have them on, and the ideal platform the
 * fault-free reference runs on. The AIMC tile's non-idealities are params of the `aimc-tile`
 * kind (`src/modules/aimc-tile/noise.ts`), set by a scenario's `params` block.
 */
import { AimcTileDef, aimcActiveNonIdealities, aimcIdealNoiseParams, aimcNoiseFromParams, type AimcNoiseParams } from '../modules/index.js';
import type { InstanceNode, PlatformGraph } from '../platform/index.js';

/** The analog non-idealities that are on, per `aimc-tile` instance (instances without any are left out). */
export function analogNonIdealities(platform: PlatformGraph): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const i of Object.values(platform.instances)) {
    if (i.kind !== AimcTileDef.kind) continue;
    const on = aimcActiveNonIdealities(aimcNoiseFromParams(i.params as unknown as AimcNoiseParams));
    if (on.length > 0) out.set(i.name, on);
  }
  return out;
}

/**
 * `platform` with every analog non-ideality param of its `aimc-tile` instances back at its
 * declaration default (ideal, bit-exact tiles); everything else as it is. The same object when
 * no instance has one on. The compiled program runs unchanged on it (the analog params do not
 * enter the tile's capabilities or ports).
 */
export function idealPlatform(platform: PlatformGraph): PlatformGraph {
  const noisy = analogNonIdealities(platform);
  if (noisy.size === 0) return platform;
  const ideal = aimcIdealNoiseParams();
  const instances: Record<string, InstanceNode> = { ...platform.instances };
  for (const n of noisy.keys()) {
    const inst = platform.instances[n]!;
    const params: Record<string, unknown> = { ...inst.params };
    const origin: Record<string, string> = { ...inst.paramOrigin };
    for (const [k, v] of Object.entries(ideal)) {
      params[k] = v;
      origin[k] = 'default';
    }
    instances[n] = { ...inst, params, paramOrigin: origin };
  }
  return { ...platform, instances };
}
