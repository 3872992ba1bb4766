/**
 * Campaign results and their summary. The summary depends only on the set of results (they are
 * sorted by chip and inference first), so it is byte-identical for any worker count or order.
 */
import { itemKey } from './plan.js';

/** What one item (chip, inference) produced. Times in ps, energy in pJ. */
export interface ItemResult {
  /** `c<chip>/i<inference>`. */
  readonly key: string;
  readonly chip: number;
  readonly inference: number;
  readonly sample: number;
  /** Dataset label, or null without labels. */
  readonly label: number | null;
  /** Top-1 class of the scored output. */
  readonly top1: number;
  readonly correct: boolean | null;
  /** Simulated time to the last core's exit. */
  readonly latencyPs: number;
  readonly energyPj: number;
  /** Energy events and powers that had activity but no price (`instance.event`): `energyPj` is then a lower bound. */
  readonly energyUnpriced: readonly string[];
  /** Faults drawn for this item, and how many took effect before the program ended. */
  readonly faultsDrawn: number;
  readonly faultsApplied: number;
  /** Whether any output differs from the fault-free run of the same sample. */
  readonly differs: boolean;
  /**
   * The first tensor (in layer order) that differs from the fault-free run, when outputs differ
   * and the program keeps every intermediate (no buffer reuse); null when it cannot be located.
   */
  readonly firstDivergence: string | null;
  /**
   * What the faults did: `masked` (outputs equal the fault-free run's), `sdc` (silent data
   * corruption: the program finished with other outputs), `crash` (the run failed: a bad address,
   * a core exiting with an error), `hang` (not finished after `HANG_FACTOR` times the fault-free
   * time). Crashed and hung items count as wrong answers.
   */
  readonly outcome: 'masked' | 'sdc' | 'crash' | 'hang';
  /** The failure of a crashed or hung item (code and message), else null. */
  readonly error: string | null;
}

/** Mean, spread and percentiles of a quantity over the items (nearest-rank percentiles). */
export interface Distribution {
  readonly mean: number;
  readonly std: number;
  readonly min: number;
  readonly p5: number;
  readonly p50: number;
  readonly p95: number;
  readonly max: number;
}

/** The campaign summary. */
export interface CampaignSummary {
  readonly scenario: string;
  /** Hash of everything that determines the results (scenario text, platform, model, mapping, data). */
  readonly scenarioHash: string;
  readonly items: number;
  readonly chips: number;
  readonly inferencesPerChip: number;
  /** Top-1 accuracy over every item, with the 95 % Wilson score interval; null without labels. */
  readonly accuracy: { readonly mean: number; readonly ci95: readonly [number, number]; readonly correct: number } | null;
  /** Accuracy of each chip (its fault realization), and their spread. */
  readonly perChip: { readonly accuracy: readonly (number | null)[]; readonly min: number | null; readonly max: number | null };
  readonly latencyPs: Distribution;
  readonly energyPj: Distribution;
  /** Every unpriced energy event or power seen (`instance.event`); the energy figures are lower bounds when not empty. */
  readonly energyUnpriced: readonly string[];
  readonly faults: { readonly drawn: number; readonly applied: number };
  /** Fraction of items whose outputs differ from the fault-free run (SDC, crash or hang). */
  readonly differRate: number;
  /** Items per outcome (see {@link ItemResult.outcome}). */
  readonly outcomes: { readonly masked: number; readonly sdc: number; readonly crash: number; readonly hang: number };
  /** How often each tensor was the first to diverge (items that differ and could be located). */
  readonly firstDivergence: Readonly<Record<string, number>>;
  readonly threshold: number | null;
  /** PASS when the accuracy's mean is at least the threshold. */
  readonly verdict: 'PASS' | 'FAIL' | null;
}

/** 95 % Wilson score interval of a proportion `k / n`. */
export function wilson95(k: number, n: number): [number, number] {
  if (n === 0) return [0, 1];
  const z = 1.959963984540054;
  const p = k / n;
  const d = 1 + (z * z) / n;
  const c = (p + (z * z) / (2 * n)) / d;
  const h = (z * Math.sqrt((p * (1 - p)) / n + (z * z) / (4 * n * n))) / d;
  return [Math.max(0, c - h), Math.min(1, c + h)];
}

/** Distribution of `xs` (population standard deviation). */
export function distribution(xs: readonly number[]): Distribution {
  if (xs.length === 0) return { mean: 0, std: 0, min: 0, p5: 0, p50: 0, p95: 0, max: 0 };
  const s = [...xs].sort((a, b) => a - b);
  const mean = s.reduce((a, b) => a + b, 0) / s.length;
  const std = Math.sqrt(s.reduce((a, b) => a + (b - mean) ** 2, 0) / s.length);
  const rank = (q: number): number => s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))]!;
  return { mean, std, min: s[0]!, p5: rank(0.05), p50: rank(0.5), p95: rank(0.95), max: s[s.length - 1]! };
}

/** Summarizes results (any order; duplicates by key are an error the caller checks first). */
export function summarize(scenario: { name: string; chips: number; inferences: number; threshold: number | undefined }, scenarioHash: string, results: readonly ItemResult[]): CampaignSummary {
  const rs = [...results].sort((a, b) => a.chip - b.chip || a.inference - b.inference);
  const labelled = rs.filter((r) => r.correct !== null);
  const correct = labelled.filter((r) => r.correct === true).length;
  const accuracy = labelled.length === 0 ? null : { mean: correct / labelled.length, ci95: wilson95(correct, labelled.length), correct };
  const perChip: (number | null)[] = [];
  for (let c = 0; c < scenario.chips; c++) {
    const mine = labelled.filter((r) => r.chip === c);
    perChip.push(mine.length === 0 ? null : mine.filter((r) => r.correct === true).length / mine.length);
  }
  const known = perChip.filter((x): x is number => x !== null);
  const firstDivergence: Record<string, number> = {};
  for (const r of rs) if (r.firstDivergence !== null) firstDivergence[r.firstDivergence] = (firstDivergence[r.firstDivergence] ?? 0) + 1;
  const threshold = scenario.threshold ?? null;
  const count = (o: ItemResult['outcome']): number => rs.filter((r) => r.outcome === o).length;
  return {
    scenario: scenario.name, scenarioHash, items: rs.length, chips: scenario.chips, inferencesPerChip: scenario.inferences,
    accuracy,
    perChip: { accuracy: perChip, min: known.length === 0 ? null : Math.min(...known), max: known.length === 0 ? null : Math.max(...known) },
    latencyPs: distribution(rs.map((r) => r.latencyPs)),
    energyPj: distribution(rs.map((r) => r.energyPj)),
    energyUnpriced: [...new Set(rs.flatMap((r) => r.energyUnpriced ?? []))].sort(),
    faults: { drawn: rs.reduce((s, r) => s + r.faultsDrawn, 0), applied: rs.reduce((s, r) => s + r.faultsApplied, 0) },
    differRate: rs.length === 0 ? 0 : rs.filter((r) => r.differs).length / rs.length,
    outcomes: { masked: count('masked'), sdc: count('sdc'), crash: count('crash'), hang: count('hang') },
    firstDivergence,
    threshold,
    verdict: threshold === null || accuracy === null ? null : accuracy.mean >= threshold ? 'PASS' : 'FAIL',
  };
}

/** Checks that `results` hold each expected key exactly once; returns the problems. */
export function checkCoverage(expected: readonly { chip: number; inference: number }[], results: readonly ItemResult[]): { missing: string[]; duplicated: string[]; unexpected: string[] } {
  const want = new Set(expected.map(itemKey));
  const seen = new Map<string, number>();
  for (const r of results) seen.set(r.key, (seen.get(r.key) ?? 0) + 1);
  return {
    missing: [...want].filter((k) => !seen.has(k)),
    duplicated: [...seen].filter(([, n]) => n > 1).map(([k]) => k),
    unexpected: [...seen.keys()].filter((k) => !want.has(k)),
  };
}
