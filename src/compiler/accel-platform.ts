/**
 * What a platform graph offers a host core as accelerators: the `pe-array` and `aimc-tile`
 * instances its `data` port reaches (through crossbars), their `accelId`, and the memories
 * their `mem` / `wmem` ports reach.
 */
import type { AddressRegion, PlatformGraph } from '../platform/index.js';
import { type AimcParams, aimcParamsOf } from './accel-aimc.js';

/** A PE array as a compiler target. */
export interface PeArrayTarget {
  readonly kind: 'pe-array';
  readonly name: string;
  readonly accelId: number;
  /** `int8`, `int16`, `fp32`, `lightpe1`, `lightpe2` (fp32 is not a target). */
  readonly peType: string;
  /** LightPE arrays: activation width (8 or 16), largest weight shift mMax, shifter mode (pe-array params `actBits`, `lightMaxShift`, `lightShift`). */
  readonly actBits: number;
  readonly lightMaxShift: number;
  readonly lightShift: string;
  /** Accumulator width param (0 = the PE type's default: int8 32, int16 48, LightPE 32). */
  readonly accBits: number;
  readonly rows: number;
  readonly cols: number;
  /** Operand addresses must be multiples of this (memWidthBits / 8). */
  readonly align: number;
  /** Where activations, descriptors and outputs go (what `mem` reaches). */
  readonly actMemory: AddressRegion | undefined;
  /** Where weights go (what `wmem` reaches, else `actMemory`). */
  readonly weightMemory: AddressRegion | undefined;
}

/** An AIMC tile as a compiler target. */
export interface AimcTarget {
  readonly kind: 'aimc-tile';
  readonly name: string;
  readonly accelId: number;
  readonly params: AimcParams;
  /** What `mem` reaches: descriptors, weights to program, inputs and outputs. */
  readonly actMemory: AddressRegion | undefined;
  readonly align: number;
}

export type AccelTarget = PeArrayTarget | AimcTarget;

/** Instances (not crossbars) reached from `inst.port`, following crossbar outputs. */
export function reachedFrom(platform: PlatformGraph, inst: string, port: string): string[] {
  const out = new Set<string>();
  const seen = new Set<string>();
  const walk = (i: string, p: string): void => {
    for (const c of platform.connections) {
      if (c.from.instance !== i || c.from.port !== p) continue;
      const to = c.to.instance;
      if (platform.instances[to]?.kind === 'xbar') {
        if (!seen.has(to)) {
          seen.add(to);
          walk(to, 'out');
        }
      } else out.add(to);
    }
  };
  walk(inst, port);
  return [...out];
}

const memoryKinds = new Set(['memory', 'scratchpad']);

function firstMemory(platform: PlatformGraph, names: readonly string[]): AddressRegion | undefined {
  return platform.addressMap.find((r) => names.includes(r.target) && memoryKinds.has(platform.instances[r.target]?.kind ?? ''));
}

const num = (p: Readonly<Record<string, unknown>>, k: string, d: number): number => (typeof p[k] === 'number' ? (p[k] as number) : d);

/** The accelerators `core` commands (reached from its `data` port), in platform order. */
export function acceleratorsOf(platform: PlatformGraph, core: string): AccelTarget[] {
  const reach = new Set([...reachedFrom(platform, core, 'data'), ...reachedFrom(platform, core, 'tcdm')]);
  const out: AccelTarget[] = [];
  for (const inst of Object.values(platform.instances)) {
    if (!reach.has(inst.name)) continue;
    const p = inst.params;
    if (inst.kind === 'pe-array') {
      const act = firstMemory(platform, reachedFrom(platform, inst.name, 'mem'));
      const wm = firstMemory(platform, reachedFrom(platform, inst.name, 'wmem'));
      out.push({
        kind: 'pe-array', name: inst.name, accelId: num(p, 'accelId', 0), peType: String(p['peType'] ?? 'int16'), rows: num(p, 'rows', 1), cols: num(p, 'cols', 1),
        actBits: num(p, 'actBits', 8), lightMaxShift: num(p, 'lightMaxShift', 7), lightShift: String(p['lightShift'] ?? 'exact'), accBits: num(p, 'accBits', 0),
        align: Math.max(4, num(p, 'memWidthBits', 64) / 8), actMemory: act, weightMemory: wm ?? act,
      });
    } else if (inst.kind === 'aimc-tile') {
      out.push({ kind: 'aimc-tile', name: inst.name, accelId: num(p, 'accelId', 0), params: aimcParamsOf(p), actMemory: firstMemory(platform, reachedFrom(platform, inst.name, 'mem')), align: 8 });
    }
  }
  return out;
}

/** The first core (platform order) that commands at least one accelerator. */
export function hostCore(platform: PlatformGraph): string | undefined {
  return Object.values(platform.instances).find((i) => i.kind === 'core' && acceleratorsOf(platform, i.name).length > 0)?.name;
}
