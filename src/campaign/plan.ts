/**
 * The work of a campaign: its items (chip x inference) and, per item, the concrete faults drawn
 * from seeded streams. Pure: the same scenario, seed, chip and inference give the same faults
 * whatever process, worker or order computes them.
 */
import type { FaultTargets, Scenario } from '../platform/index.js';
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

/** A transient bit flip: at `time` (ps), bit `bit` of the byte at `address` is inverted. */
export interface BitFlip {
  readonly time: Time;
  readonly address: number;
  readonly bit: number;
  readonly instance: string;
  /** Index of the scenario fault that drew it. */
  readonly fault: number;
}

/** More flips than this per fault and inference is refused (`rate` too high for a meaningful run). */
export const MAX_FLIPS_PER_FAULT = 100_000;

/**
 * The stream of one fault of one item. Its key names the seed, the chip, the inference, the
 * fault's index and target, and the purpose, so adding a fault never changes the others' draws.
 */
export function faultStream(seed: number, chip: number, inference: number, fault: number, target: string, purpose: string): Rng {
  return deriveRng(seed, `chip${chip}/inference${inference}/fault${fault}:${target}`, purpose);
}

/**
 * Draws the flips of one item, sorted by time (then address, bit). `count` faults: that many
 * distinct bits, uniform over the allowed bits of the target ranges; `rate`: each allowed bit
 * independently with probability `rate` (exact Bernoulli trials by geometric skipping). Times
 * are uniform integers in the window.
 * @throws SimError `too-many-faults` when a rate would flip more than {@link MAX_FLIPS_PER_FAULT} bits.
 */
export function drawFlips(seed: number, item: { readonly chip: number; readonly inference: number }, targets: readonly FaultTargets[]): BitFlip[] {
  const out: BitFlip[] = [];
  targets.forEach((t, k) => {
    const f = t.spec;
    const bytes = t.ranges.reduce((s, r) => s + (r.to - r.from), 0);
    const nb = f.bits.length;
    const total = bytes * nb;
    const rng = faultStream(seed, item.chip, item.inference, k, f.target, f.kind);
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
      if (total * p > MAX_FLIPS_PER_FAULT) throw new SimError('too-many-faults', `fault ${k + 1} (${f.target}): rate ${p} over ${total} bits means about ${Math.round(total * p)} flips per inference (more than ${MAX_FLIPS_PER_FAULT})`);
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
    const [w0, w1] = f.window;
    for (const b of picked) {
      let byte = Math.floor(b / nb);
      const bit = f.bits[b % nb]!;
      const r = t.ranges.find((x) => {
        if (byte < x.to - x.from) return true;
        byte -= x.to - x.from;
        return false;
      })!;
      out.push({ time: w0 + Math.floor(rng.next() * (w1 - w0)), address: r.from + byte, bit, instance: r.instance, fault: k });
    }
  });
  return out.sort((a, b) => a.time - b.time || a.address - b.address || a.bit - b.bit);
}
