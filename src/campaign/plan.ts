/**
 * The work of a campaign: its items (chip x inference) and, per item, the concrete faults drawn
 * from seeded streams. Pure: the same scenario, seed, chip and inference give the same faults
 * whatever process, worker or order computes them.
 */
import type { FaultTargets, Scenario, ScenarioFault } from '../platform/index.js';
import { SimError, deriveRng, type Rng, type Time } from '../util/index.js';

/** One unit of campaign work: inference `inference` (0-based) on chip `chip` (0-based). */
export interface CampaignItem {
  readonly chip: number;
  readonly inference: number;
  /** Dataset sample index (`data.first + inference`). */
  readonly sample: number;
}

/** Stable key of an item in result files: `c<chip>/i<inference>`. */
export const itemKey = (it: { readonly chip: number; readonly inference: number }): string => `c${it.chip}/i${it.inference}`;

/** Every item of a scenario, chip-major. */
export function campaignItems(s: Scenario): CampaignItem[] {
  const out: CampaignItem[] = [];
  for (let chip = 0; chip < s.chips; chip++) {
    for (let inference = 0; inference < s.inferences; inference++) out.push({ chip, inference, sample: s.data.first + inference });
  }
  return out;
}

/**
 * A transient bit flip: at `time` (ps), bit `bit` of the byte at `address` (`space: 'bytes'`)
 * or of register number `address` (`space: 'registers'`, see `registerName`) is inverted.
 */
export interface BitFlip {
  readonly time: Time;
  readonly space: 'bytes' | 'registers';
  readonly address: number;
  readonly bit: number;
  readonly instance: string;
  /** Index of the scenario fault that drew it. */
  readonly fault: number;
}

/** A permanent stuck-at bit of one chip: bit `bit` of the byte at `address` of `instance` reads `value`. */
export interface StuckAtBit {
  readonly instance: string;
  readonly address: number;
  readonly bit: number;
  readonly value: 0 | 1;
  /** Index of the scenario fault that drew it. */
  readonly fault: number;
}

/** More faults than this per fault and inference (or chip) is refused (`rate` too high for a meaningful run). */
export const MAX_FLIPS_PER_FAULT = 100_000;

/**
 * The stream of one fault of one item. Its key names the seed, the chip, the inference, the
 * fault's index and target, and the purpose, so adding a fault never changes the others' draws.
 */
export function faultStream(seed: number, chip: number, inference: number, fault: number, target: string, purpose: string): Rng {
  return deriveRng(seed, `chip${chip}/inference${inference}/fault${fault}:${target}`, purpose);
}

/** The stream of a per-chip fault (stuck-at): no inference in its key, so every inference of the chip gets the same draws. */
export function chipFaultStream(seed: number, chip: number, fault: number, target: string, purpose: string): Rng {
  return deriveRng(seed, `chip${chip}/fault${fault}:${target}`, purpose);
}

/**
 * Picks the hit positions among `total` targetable bits: `count` distinct ones uniformly, or each
 * with probability `rate` (exact Bernoulli trials by geometric skipping).
 */
function drawPositions(rng: Rng, f: ScenarioFault, k: number, total: number, per: string): number[] {
  const picked: number[] = [];
  if (f.count !== undefined) {
    if (f.count > total) throw new SimError('too-many-faults', `fault ${k + 1} (${f.target}): count ${f.count} exceeds the ${total} targetable bits`);
    const seen = new Set<number>();
    while (picked.length < f.count) {
      const b = rng.int(total);
      if (!seen.has(b)) {
        seen.add(b);
        picked.push(b);
      }
    }
  } else if ((f.rate ?? 0) > 0) {
    const p = f.rate!;
    if (total * p > MAX_FLIPS_PER_FAULT) throw new SimError('too-many-faults', `fault ${k + 1} (${f.target}): rate ${p} over ${total} bits means about ${Math.round(total * p)} faults ${per} (more than ${MAX_FLIPS_PER_FAULT})`);
    if (p >= 1) for (let b = 0; b < total; b++) picked.push(b);
    else {
      // gaps between successes of Bernoulli(p) trials are geometric: skip = floor(ln U / ln(1 - p))
      const l = Math.log1p(-p);
      for (let b = -1; ;) {
        const u = 1 - rng.next(); // (0, 1]
        b += 1 + Math.floor(Math.log(u) / l);
        if (b >= total) break;
        picked.push(b);
      }
    }
  }
  return picked;
}

/** The unit (byte address or register number) and instance of position `b` over `t`'s ranges. */
function locate(t: FaultTargets, b: number): { instance: string; address: number; bit: number } {
  const nb = t.bits.length;
  let unit = Math.floor(b / nb);
  const r = t.ranges.find((x) => {
    if (unit < x.to - x.from) return true;
    unit -= x.to - x.from;
    return false;
  })!;
  return { instance: r.instance, address: r.from + unit, bit: t.bits[b % nb]! };
}

const totalBits = (t: FaultTargets): number => t.ranges.reduce((s, r) => s + (r.to - r.from), 0) * t.bits.length;

/**
 * Draws the transient flips of one item (`bit-flip` faults), sorted by time (then space,
 * address, bit). `count` faults: that many distinct bits, uniform over the allowed bits of the
 * target's bytes or registers; `rate`: each allowed bit independently with probability `rate`.
 * Times are uniform integers in the window.
 * @throws SimError `too-many-faults` when a rate would flip more than {@link MAX_FLIPS_PER_FAULT} bits.
 */
export function drawFlips(seed: number, item: { readonly chip: number; readonly inference: number }, targets: readonly FaultTargets[]): BitFlip[] {
  const out: BitFlip[] = [];
  targets.forEach((t, k) => {
    const f = t.spec;
    if (f.kind !== 'bit-flip') return;
    const rng = faultStream(seed, item.chip, item.inference, k, f.target, f.kind);
    const [w0, w1] = f.window;
    for (const b of drawPositions(rng, f, k, totalBits(t), 'per inference')) {
      const at = locate(t, b);
      out.push({ time: w0 + Math.floor(rng.next() * (w1 - w0)), space: t.space === 'registers' ? 'registers' : 'bytes', ...at, fault: k });
    }
  });
  return out.sort((a, b) => a.time - b.time || (a.space === b.space ? 0 : a.space === 'bytes' ? -1 : 1) || a.address - b.address || a.bit - b.bit);
}

/**
 * Draws the stuck-at bits of one chip (`stuck-at` faults; the same for every inference of the
 * chip), sorted by address and bit. `value: random` draws each bit's value from the same stream.
 * @throws SimError `too-many-faults` as {@link drawFlips}.
 */
export function drawStuckBits(seed: number, chip: number, targets: readonly FaultTargets[]): StuckAtBit[] {
  const out: StuckAtBit[] = [];
  targets.forEach((t, k) => {
    const f = t.spec;
    if (f.kind !== 'stuck-at') return;
    const rng = chipFaultStream(seed, chip, k, f.target, f.kind);
    for (const b of drawPositions(rng, f, k, totalBits(t), 'per chip')) {
      const value = f.value === 'random' ? (rng.next() < 0.5 ? 0 : 1) : f.value ?? 0;
      out.push({ ...locate(t, b), value, fault: k });
    }
  });
  return out.sort((a, b) => a.address - b.address || a.bit - b.bit);
}

/**
 * The stream of a `data-corruption` fault on one instance for one item: per (seed, chip,
 * inference, fault, instance), so the flips in one DMA engine do not depend on another's traffic.
 */
export function corruptionStream(seed: number, item: { readonly chip: number; readonly inference: number }, fault: number, t: FaultTargets, instance: string): Rng {
  return faultStream(seed, item.chip, item.inference, fault, `${t.spec.target}/${instance}`, t.spec.kind);
}
