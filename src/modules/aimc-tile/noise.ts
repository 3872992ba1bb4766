/**
 * Analog non-idealities of an AIMC tile (MODELS.md sections 1-8): programming noise, read
 * noise, conductance drift with global drift compensation, stuck-at-ON/OFF cells, finite
 * conductance levels, first-order IR drop, ADC offset / gain error / SAR INL-DNL / thermal
 * noise, DAC non-linearity and noise. Every one is off by default; with all off the tile is the
 * ideal integer model of `model.ts`, bit-exact.
 *
 * Conductances: a cell at integer level L (model.ts) has target conductance
 * G_t = g_t Gmax, g_t = |L| / maxLevel (layout.maxLevel; ternary: maxLevel 1, the sign of L
 * kept apart). The noisy path computes with real conductances expressed back in level units
 * (G / Gmax x maxLevel), so the ADC sees the same column-sum units as in the ideal model.
 *
 * Per programmed cell (devices of a differential pair independently), in this order:
 * 1. finite conductance levels: g_t <- round(g_t (Lc - 1)) / (Lc - 1) (CrossSim `cell_bits`,
 *    MemTorch `FiniteConductanceStates`);
 * 2. stuck cells (persistent per chip, one draw per physical cell of the array): stuck-at-ON
 *    G = Gmax with probability p_on, stuck-at-OFF G = 0 with p_off (MODELS.md section 6); a
 *    stuck cell gets no programming noise;
 * 3. programming noise: G_p = max(0, G_t + s sigma_prog(g_t) N(0,1)) (AIHWKit `pcm.py`,
 *    `hermes.py`, `reram.py`; CrossSim `PCM_Joshi.py`; generic `normal`/`uniform`, absolute or
 *    relative to G_t as CrossSim `generic_device.py` / MNSIM `Device_Variation`);
 * 4. drift: nu = |mu_nu(g_t) + sigma_nu(g_t) N(0,1)| per device,
 *    G(t) = G_p ((t + t0) / t0)^(-nu) for t = driftTime > 0 (AIHWKit: t counts from t0 after the
 *    end of programming);
 * 5. first-order IR drop: G_eff = G(t) / (1 + alpha (i + 1) / rows) for row i (0 = nearest the
 *    column read-out), MODELS.md section 5's surrogate for fully-on inputs (alpha ~ r_w Gmax
 *    N^2 / 2); input-independent, so it over-estimates the drop for sparse inputs;
 * 6. read noise, re-drawn at every MVM: G_eff + sigma_read N(0,1) with
 *    PCM 1/f: sigma_read = |G(t)| Q_s(g_p) sqrt(ln((t + t0 + t_read) / (2 t_read))) (AIHWKit),
 *    or generic normal (absolute x Gmax, or relative to |G(t)|). The column sum
 *    sum_i d_i (G_i + n_i) with independent n_i ~ N(0, sigma_i^2) equals in distribution
 *    sum_i d_i G_i + sqrt(sum_i d_i^2 sigma_i^2) N(0,1): the model draws that one normal per
 *    conversion unit and analog pass (exact in distribution, no draw per cell). Per-device
 *    clipping of negative read-noisy conductances (AIHWKit) is therefore not applied.
 *
 * Global drift compensation (AIHWKit `GlobalDriftCompensation`): after programming, the tile
 * reads an all-ones input at t0 and at t (noise-free readout of the analog column sums,
 * recombined per output), alpha = mean_j |y_j(t0)| / mean_j |y_j(t)|, and every MVM output
 * (after the ADCs and the shift-add, before the offset subtraction and the scale) is multiplied
 * by alpha: a per-tile digital scalar per PROGRAM. AIHWKit reads through the noisy forward pass;
 * here the reference readout has no read noise and no ADC.
 *
 * DAC: a non-zero input digit of magnitude m (full scale M: the largest digit magnitude of the
 * phase) is driven as m + inl 4 (m / M)(1 - m / M) + sigma_dac N(0,1) (a bow-shaped INL with
 * peak `inl` LSB at mid-scale, zero at 0 and M; pulse-length / level noise in input LSB, re-drawn
 * per digit and MVM); zero digits drive nothing. ADC: `adc/noise.ts`, one instance per physical
 * ADC (unit u uses ADC floor(u / columnsPerAdc)).
 *
 * Random streams (util/rng.ts): per chip `deriveRng(seed, "chip<c>/<path>", purpose)` for
 * `stuck`, `program`, `drift`, `adc`; per inference `deriveRng(seed,
 * "chip<c>/inference<i>/<path>", purpose)` for `read`, `dac`, `adc-noise`. The programming
 * draws of the k-th PROGRAM of a tile are the same on every inference of a chip; nothing
 * depends on other tiles or on the order of their MVMs.
 */
import { deriveRng, type Rng } from '../../util/index.js';
import { IDEAL_ADC_ERRORS, adcConvertNonIdeal, adcHasStaticErrors, drawAdcErrors, normalSample, type AdcErrorParams, type AdcInstanceErrors } from '../adc/noise.js';
import type { AimcMvmResult, AimcTileConfig, AimcTileState } from './model.js';
import { mvmShape } from './shape.js';

/**
 * The common end of an MVM (ideal and non-ideal): the offset mapping's `off x sum(x)` correction,
 * the per-output SCALE factors, and the event counts.
 */
export function finishAimcMvm(st: Pick<AimcTileState, 'layout' | 'scale' | 'colsUsed'>, out: Float64Array, sumX: number, k: number, n: number, saturations: number): AimcMvmResult {
  const L = st.layout;
  if (L.weightOffset !== 0) {
    const off = L.weightOffset * sumX;
    for (let j = 0; j < n; j++) out[j]! -= off;
  }
  if (st.scale !== undefined) for (let j = 0; j < n; j++) out[j]! *= st.scale[j]!;
  const conv = L.phases * n * L.unitsPerOutput;
  return {
    out,
    counts: {
      phases: L.phases,
      rowActivations: L.phases * k,
      cellReads: L.phases * k * st.colsUsed,
      adcConversions: conv,
      shiftAdds: conv + (L.weightOffset !== 0 ? n : 0),
      saturations,
    },
  };
}

/** Programming-noise models (MODELS.md section 2). */
export const AIMC_PROGRAM_NOISE = ['none', 'pcm', 'hermes', 'hermes-1', 'pcm-joshi', 'rram', 'rram-1d', 'rram-2d', 'normal', 'normal-rel', 'uniform', 'uniform-rel'] as const;
/** A programming-noise model. */
export type AimcProgramNoise = (typeof AIMC_PROGRAM_NOISE)[number];
/** Read-noise models (MODELS.md section 3). */
export const AIMC_READ_NOISE = ['none', 'pcm', 'hermes', 'hermes-1', 'normal', 'normal-rel'] as const;
/** A read-noise model. */
export type AimcReadNoise = (typeof AIMC_READ_NOISE)[number];
/** Drift models (MODELS.md section 4). */
export const AIMC_DRIFT = ['none', 'pcm', 'hermes', 'hermes-1', 'generic'] as const;
/** A drift model. */
export type AimcDrift = (typeof AIMC_DRIFT)[number];

/** The tile's non-idealities in natural units (see the declaration's params for the file units). */
export interface AimcNoiseConfig {
  readonly programNoise: AimcProgramNoise;
  /** Multiplies sigma_prog (AIHWKit `prog_noise_scale`); 1 = the fit. */
  readonly programNoiseScale: number;
  /** Generic models: sigma as a fraction of Gmax (`normal`, `uniform`) or of G_t (`-rel`). */
  readonly programNoiseStd: number;
  readonly readNoise: AimcReadNoise;
  /** Multiplies sigma_read (AIHWKit `read_noise_scale`). */
  readonly readNoiseScale: number;
  /** Generic read noise: sigma as a fraction of Gmax (`normal`) or of |G(t)| (`normal-rel`). */
  readonly readNoiseStd: number;
  readonly drift: AimcDrift;
  /** Generic drift: mean and standard deviation of nu. */
  readonly driftNu: number;
  readonly driftNuStd: number;
  /** t0 in s; 0 = the model's (pcm 20 s, hermes 300 s, hermes-1 200 s, generic 20 s). */
  readonly driftT0S: number;
  /** Time since t0 after programming, in s (AIHWKit `t_inference`). */
  readonly driftTimeS: number;
  readonly driftCompensation: boolean;
  /** Gmax in uS; 0 = the model's reference (pcm 25, hermes 20.7, hermes-1 10.35, rram 40, else 25). */
  readonly gMaxUs: number;
  readonly stuckOnRate: number;
  readonly stuckOffRate: number;
  /** Distinct conductance levels Lc (>= 2), or 0 = the cell's integer levels as they are. */
  readonly conductanceLevels: number;
  /** IR-drop alpha (dimensionless). */
  readonly irDrop: number;
  readonly adc: AdcErrorParams;
  /** DAC noise per driven digit, in input LSB. */
  readonly dacNoiseStdLsb: number;
  /** DAC bow INL at mid-scale, in input LSB. */
  readonly dacInlLsb: number;
}

/** Every non-ideality off. */
export const IDEAL_AIMC_NOISE: AimcNoiseConfig = {
  programNoise: 'none', programNoiseScale: 1, programNoiseStd: 0, readNoise: 'none', readNoiseScale: 1, readNoiseStd: 0,
  drift: 'none', driftNu: 0.05, driftNuStd: 0, driftT0S: 0, driftTimeS: 0, driftCompensation: false, gMaxUs: 0,
  stuckOnRate: 0, stuckOffRate: 0, conductanceLevels: 0, irDrop: 0, adc: IDEAL_ADC_ERRORS, dacNoiseStdLsb: 0, dacInlLsb: 0,
};

/**
 * The names of the non-idealities that are on (empty = the ideal, bit-exact tile). A
 * `programNoise` whose sigma is 0 (generic std 0, scale 0) counts as off, as does drift at
 * driftTime 0 and compensation without drift.
 */
export function aimcActiveNonIdealities(n: AimcNoiseConfig): string[] {
  const out: string[] = [];
  const genericProg = n.programNoise === 'normal' || n.programNoise === 'normal-rel' || n.programNoise === 'uniform' || n.programNoise === 'uniform-rel';
  if (n.programNoise !== 'none' && n.programNoiseScale > 0 && (!genericProg || n.programNoiseStd > 0)) out.push('programNoise');
  const genericRead = n.readNoise === 'normal' || n.readNoise === 'normal-rel';
  if (n.readNoise !== 'none' && n.readNoiseScale > 0 && (!genericRead || n.readNoiseStd > 0)) out.push('readNoise');
  if (n.drift !== 'none' && n.driftTimeS > 0) out.push('drift');
  if (n.stuckOnRate > 0 || n.stuckOffRate > 0) out.push('stuckCells');
  if (n.conductanceLevels >= 2) out.push('conductanceLevels');
  if (n.irDrop > 0) out.push('irDrop');
  if (n.adc.offsetStdLsb > 0) out.push('adcOffset');
  if (n.adc.gainErrorStd > 0) out.push('adcGainError');
  if (n.adc.capMismatch > 0) out.push('adcCapMismatch');
  if (n.adc.noiseStdLsb > 0) out.push('adcNoise');
  if (n.dacNoiseStdLsb > 0) out.push('dacNoise');
  if (n.dacInlLsb !== 0) out.push('dacInl');
  return out;
}

type Family = 'pcm' | 'hermes' | 'hermes-1' | 'pcm-joshi' | 'rram' | 'generic';
const family = (m: string): Family => {
  if (m === 'pcm' || m === 'hermes' || m === 'hermes-1' || m === 'pcm-joshi') return m;
  if (m.startsWith('rram')) return 'rram';
  return 'generic';
};
const G_REF: Readonly<Record<Family, number>> = { pcm: 25, hermes: 20.7, 'hermes-1': 10.35, 'pcm-joshi': 25, rram: 40, generic: 25 };
const T0: Readonly<Record<Family, number>> = { pcm: 20, hermes: 300, 'hermes-1': 200, 'pcm-joshi': 20, rram: 20, generic: 20 };
/** 1/f read-noise fit parameter t_read in s: PCM 250 ns (AIHWKit pcm.py), HERMES 512 ns (hermes.py). */
const T_READ: Readonly<Record<Family, number>> = { pcm: 250e-9, hermes: 512e-9, 'hermes-1': 512e-9, 'pcm-joshi': 250e-9, rram: 250e-9, generic: 250e-9 };

/** The family that sets Gmax and t0: the programming-noise model's, else the drift's, else the read noise's. */
function leadFamily(n: AimcNoiseConfig): Family {
  for (const m of [n.programNoise, n.drift, n.readNoise]) if (m !== 'none' && family(m) !== 'generic') return family(m);
  return 'generic';
}

/** Gmax in uS of a configuration (gMaxUs, or the lead model's reference). */
export const aimcGmaxUs = (n: AimcNoiseConfig): number => (n.gMaxUs > 0 ? n.gMaxUs : G_REF[leadFamily(n)]);
/** t0 in s of a configuration (driftT0S, or the drift model's, else the read model's, else 20 s). */
export function aimcT0S(n: AimcNoiseConfig): number {
  if (n.driftT0S > 0) return n.driftT0S;
  if (n.drift !== 'none') return T0[family(n.drift)];
  if (n.readNoise !== 'none') return T0[family(n.readNoise)];
  return 20;
}

const clip = (v: number, lo: number, hi: number): number => (v < lo ? lo : v > hi ? hi : v);
const poly = (c: readonly number[], g: number): number => {
  let s = 0;
  for (let i = c.length - 1; i >= 0; i--) s = s * g + c[i]!;
  return s;
};

/** AIHWKit PCMLikeNoiseModel programming fit (Nandakumar et al., ICECS 2019), uS at Gmax 25 uS, low order first. */
export const PCM_PROG_COEFF = [0.26348, 1.9650, -1.1731] as const;
/** AIHWKit HermesNoiseModel, 2 devices (MSF, Vasilopoulos et al., TED 2023), uS at Gmax 20.7 uS. */
export const HERMES2_PROG_COEFF = [0.16603222, 4.71806468, -8.48101252, 4.68961419] as const;
/** AIHWKit HermesNoiseModel, 1 device (Le Gallo et al., Nat. Electron. 2023), uS at Gmax 10.35 uS. */
export const HERMES1_PROG_COEFF = [0.15781817, 2.32443916, -2.16310839, 0.68841818] as const;
/** AIHWKit ReRamWan2022NoiseModel (Wan et al., Nature 2022) at t = 1 s, 1 day, 2 days, uS at Gmax 40 uS. */
export const RRAM_PROG_COEFF = {
  rram: [0.348, 16.030, -43.853, 45.393, -16.815],
  'rram-1d': [0.701, 22.086, -50.773, 47.095, -16.458],
  'rram-2d': [0.782, 20.274, -43.507, 37.062, -11.934],
} as const;

/**
 * sigma_prog in uS of a device with target conductance `gUs` (Gmax `gMaxUs`) for a fitted
 * model (scale 1; generic models: 0, they are drawn by {@link drawProgrammed}):
 * - `pcm`: (0.26348 + 1.9650 g - 1.1731 g^2) Gmax / 25 (AIHWKit pcm.py);
 * - `hermes` / `hermes-1`: cubic fits above x Gmax / 20.7 resp. / 10.35 (AIHWKit hermes.py);
 * - `pcm-joshi`: -0.00178767 G^2 + 0.07585724 G + 0.28638599, G in uS (CrossSim PCM_Joshi.py);
 * - `rram`, `rram-1d`, `rram-2d`: quartic fits x Gmax / 40 (AIHWKit reram.py, Wan 2022).
 */
export function programSigmaUs(model: AimcProgramNoise, gUs: number, gMaxUs: number): number {
  const g = gUs / gMaxUs;
  switch (model) {
    case 'pcm': return (poly(PCM_PROG_COEFF, g) * gMaxUs) / 25;
    case 'hermes': return (poly(HERMES2_PROG_COEFF, g) * gMaxUs) / 20.7;
    case 'hermes-1': return (poly(HERMES1_PROG_COEFF, g) * gMaxUs) / 10.35;
    case 'pcm-joshi': return -0.00178767 * gUs * gUs + 0.07585724 * gUs + 0.28638599;
    case 'rram': case 'rram-1d': case 'rram-2d': return (poly(RRAM_PROG_COEFF[model], g) * gMaxUs) / 40;
    default: return 0;
  }
}

/** AIHWKit's floor on g before logarithms (`_ZERO_CLIP`). */
const ZERO_CLIP = 1e-7;

/**
 * Mean and standard deviation of the drift exponent nu at normalised target g:
 * - `pcm`: mu = clip(-0.0155 ln g + 0.0244, 0.049, 0.1), sigma = clip(-0.0125 ln g - 0.0059, 0.008, 0.045) (AIHWKit pcm.py);
 * - `hermes` (2 devices) / `hermes-1`: mu = clip(-0.0387 ln g - 0.0182, 0.072, 0.13) for g < 0.0945, else
 *   -0.0436 g^2 - 0.0126 g + 0.0736; sigma: 2 devices clip(-0.0117 ln g - 0.0057, 0.0091, 0.04) for g < 0.3055, else
 *   -0.0118 g^2 + 0.0093 g + 0.0073; 1 device clip(-0.0120 ln g - 0.0023, 0.0124, 0.04) for g < 0.3039, else
 *   -0.0165 g^2 + 0.0116 g + 0.0104 (AIHWKit hermes.py);
 * - `generic`: (driftNu, driftNuStd).
 * nu itself is |mu + sigma N(0,1)|.
 */
export function driftNuParams(n: Pick<AimcNoiseConfig, 'drift' | 'driftNu' | 'driftNuStd'>, g0: number): { mu: number; sigma: number } {
  const g = Math.max(Math.abs(g0), ZERO_CLIP);
  const lg = Math.log(g);
  switch (n.drift) {
    case 'pcm': return { mu: clip(-0.0155 * lg + 0.0244, 0.049, 0.1), sigma: clip(-0.0125 * lg - 0.0059, 0.008, 0.045) };
    case 'hermes': case 'hermes-1': {
      const mu = g < 0.0945 ? clip(-0.0387 * lg - 0.0182, 0.072, 0.13) : -0.0436 * g * g - 0.0126 * g + 0.0736;
      const sigma = n.drift === 'hermes'
        ? (g < 0.3055 ? clip(-0.0117 * lg - 0.0057, 0.0091, 0.04) : -0.0118 * g * g + 0.0093 * g + 0.0073)
        : (g < 0.3039 ? clip(-0.0120 * lg - 0.0023, 0.0124, 0.04) : -0.0165 * g * g + 0.0116 * g + 0.0104);
      return { mu, sigma };
    }
    case 'generic': return { mu: n.driftNu, sigma: n.driftNuStd };
    default: return { mu: 0, sigma: 0 };
  }
}

/**
 * The 1/f read-noise factor Q_s at normalised programmed conductance g:
 * - `pcm`: min(0.0088 / max(g^0.65, 1e-3), 0.2) (AIHWKit pcm.py);
 * - `hermes` (2 devices): clip(-0.0117 ln g - 0.0069, 0.015, 0.04) for g < 0.16, else
 *   0.0069 g^3 - 0.0280 g^2 + 0.0211 g + 0.0123; `hermes-1`: clip(-0.0078 ln g + 0.0038, 0.0179, 0.04)
 *   for g < 0.1591, else 0.0664 g^3 - 0.1352 g^2 + 0.0768 g + 0.0088 (AIHWKit hermes.py).
 */
export function readNoiseQs(model: AimcReadNoise, g0: number): number {
  const g = Math.abs(g0);
  switch (model) {
    case 'pcm': return Math.min(0.0088 / Math.max(g ** 0.65, 1e-3), 0.2);
    case 'hermes': return g < 0.16 ? clip(-0.0117 * Math.log(Math.max(g, ZERO_CLIP)) - 0.0069, 0.015, 0.04) : 0.0069 * g ** 3 - 0.028 * g * g + 0.0211 * g + 0.0123;
    case 'hermes-1': return g < 0.1591 ? clip(-0.0078 * Math.log(Math.max(g, ZERO_CLIP)) + 0.0038, 0.0179, 0.04) : 0.0664 * g ** 3 - 0.1352 * g * g + 0.0768 * g + 0.0088;
    default: return 0;
  }
}

/** sqrt(ln((t + t0 + t_read) / (2 t_read))): the accumulated 1/f noise factor at driftTime t (0 when the log is negative). */
export function readNoiseTimeFactor(model: AimcReadNoise, tS: number, t0S: number): number {
  const tr = T_READ[family(model)];
  return Math.sqrt(Math.max(0, Math.log((tS + t0S + tr) / (2 * tr))));
}

/** Random streams of one tile instance: seed, chip (fault realization) and inference. */
export interface AimcStreams {
  readonly seed: number;
  readonly chip: number;
  readonly inference: number;
}

/** The analog part of a programmed tile (attached to {@link AimcTileState.analog}). */
export interface AimcAnalogState {
  readonly device: AimcAnalogDevice;
  /** Programmed device conductances at t0 in uS (rows x cols, only the K x colsUsed block is set). */
  readonly gProgUs: Float64Array;
  /** Drift exponent per device (rows x cols), or undefined without drift. */
  readonly nu: Float64Array | undefined;
  /** Effective conductance of each conversion unit in level units (rows x unitCols): drifted, IR-dropped, G+ - G- for analog pairs, signed. */
  readonly unitG: Float64Array;
  /** Read-noise variance of each unit in level units squared (rows x unitCols), or undefined. */
  readonly unitVar: Float64Array | undefined;
  /** Global drift compensation factor (1 when off). */
  readonly alpha: number;
}

/** Options of an {@link AimcAnalogDevice}. */
export interface AimcAnalogOptions {
  /** Instance path (stream keys). */
  readonly path: string;
  /** Conversion units per physical ADC (which ADC instance converts which unit). */
  readonly columnsPerAdc: number;
  readonly streams: AimcStreams;
}

/**
 * The non-ideal analog hardware of one tile instance on one chip: its persistent draws (stuck
 * cells, ADC instance errors, the programming-noise and drift streams) and the per-inference
 * streams (read, DAC and ADC noise). {@link program} attaches the analog state to a programmed
 * tile; {@link aimcMvmAnalog} computes with it.
 */
export class AimcAnalogDevice {
  /** The tile's functional configuration (the programmed states must share it). */
  readonly config: AimcTileConfig;
  /** The non-idealities. */
  readonly noise: AimcNoiseConfig;
  /** Instance path (in every stream key). */
  readonly path: string;
  /** Conversion units per physical ADC. */
  readonly columnsPerAdc: number;
  /** Seed, chip and inference of the run. */
  readonly streams: AimcStreams;
  /** Gmax in uS ({@link aimcGmaxUs}). */
  readonly gMaxUs: number;
  /** Drift and 1/f reference time t0 in s ({@link aimcT0S}). */
  readonly t0S: number;
  private readonly rngs = new Map<string, Rng>();
  private stuck: Uint8Array | undefined;
  private adcErrors: AdcInstanceErrors[] | undefined;
  /** Scratch of the MVM: input digits (real) and per-unit variance. */
  readonly dig: Float64Array;
  readonly vacc: Float64Array;

  constructor(config: AimcTileConfig, noise: AimcNoiseConfig, o: AimcAnalogOptions) {
    this.config = config;
    this.noise = noise;
    this.path = o.path;
    this.columnsPerAdc = Math.max(1, o.columnsPerAdc);
    this.streams = o.streams;
    this.gMaxUs = aimcGmaxUs(noise);
    this.t0S = aimcT0S(noise);
    this.dig = new Float64Array(config.rows);
    this.vacc = new Float64Array(config.cols);
  }

  /** The per-chip stream `purpose` (created once, continued across PROGRAMs). */
  chipRng(purpose: string): Rng {
    const k = `c:${purpose}`;
    let r = this.rngs.get(k);
    if (r === undefined) {
      r = deriveRng(this.streams.seed, `chip${this.streams.chip}/${this.path}`, purpose);
      this.rngs.set(k, r);
    }
    return r;
  }

  /** The per-inference stream `purpose`. */
  inferenceRng(purpose: string): Rng {
    const k = `i:${purpose}`;
    let r = this.rngs.get(k);
    if (r === undefined) {
      r = deriveRng(this.streams.seed, `chip${this.streams.chip}/inference${this.streams.inference}/${this.path}`, purpose);
      this.rngs.set(k, r);
    }
    return r;
  }

  /** Stuck-cell map of the whole array (0 ok, 1 stuck-at-ON, 2 stuck-at-OFF), drawn on first use. */
  stuckMap(): Uint8Array | undefined {
    const n = this.noise;
    if (n.stuckOnRate <= 0 && n.stuckOffRate <= 0) return undefined;
    if (this.stuck === undefined) {
      const rng = this.chipRng('stuck');
      const m = new Uint8Array(this.config.rows * this.config.cols);
      for (let i = 0; i < m.length; i++) {
        const u = rng.next();
        m[i] = u < n.stuckOnRate ? 1 : u < n.stuckOnRate + n.stuckOffRate ? 2 : 0;
      }
      this.stuck = m;
    }
    return this.stuck;
  }

  /** The static errors of ADC instance `a` (all instances drawn on first use, in index order). */
  adcInstance(st: AimcTileState, a: number): AdcInstanceErrors {
    if (this.adcErrors === undefined) {
      const analogPairs = this.config.mapping === 'differential' && this.config.subtraction === 'analog';
      const units = analogPairs ? Math.floor(this.config.cols / 2) : this.config.cols;
      const count = Math.ceil(units / this.columnsPerAdc);
      const p = this.noise.adc;
      const rng = this.chipRng('adc');
      this.adcErrors = Array.from({ length: count }, () => (adcHasStaticErrors(p) ? drawAdcErrors(st.adc, p, rng) : { offsetLsb: 0, gain: 1, weights: undefined }));
    }
    return this.adcErrors[a]!;
  }

  /**
   * Attaches the analog state to a freshly programmed tile `st` (same config): draws programming
   * noise and drift exponents for the K x colsUsed cells from the chip's streams (continuing
   * from earlier PROGRAMs), applies stuck cells, drift to driftTime, IR drop, and prepares the
   * read-noise variances and the drift-compensation factor.
   */
  program(st: AimcTileState): AimcTileState {
    const c = this.config;
    const n = this.noise;
    const L = st.layout;
    const gMax = this.gMaxUs;
    const maxLevel = L.maxLevel;
    const cols = c.cols;
    const stuck = this.stuckMap();
    const gProg = new Float64Array(c.rows * cols);
    const sign = new Int8Array(c.rows * cols);
    const hasDrift = n.drift !== 'none' && n.driftTimeS > 0;
    const nu = hasDrift ? new Float64Array(c.rows * cols) : undefined;
    const progRng = n.programNoise !== 'none' ? this.chipRng('program') : undefined;
    const driftRng = hasDrift ? this.chipRng('drift') : undefined;
    const lv = n.conductanceLevels;
    const scale = n.programNoiseScale;
    for (let i = 0; i < st.k; i++) {
      for (let col = 0; col < st.colsUsed; col++) {
        const idx = i * cols + col;
        const level = st.levels[idx]!;
        sign[idx] = level < 0 ? -1 : 1;
        let g = Math.abs(level) / maxLevel;
        if (lv >= 2) g = Math.round(g * (lv - 1)) / (lv - 1);
        const s = stuck?.[idx] ?? 0;
        let G: number;
        if (s === 1) G = gMax;
        else if (s === 2) G = 0;
        else {
          const Gt = g * gMax;
          G = Gt;
          if (progRng !== undefined) {
            let e: number;
            switch (n.programNoise) {
              case 'normal': e = n.programNoiseStd * gMax * normalSample(progRng); break;
              case 'normal-rel': e = n.programNoiseStd * Gt * normalSample(progRng); break;
              case 'uniform': e = n.programNoiseStd * gMax * Math.sqrt(3) * (2 * progRng.next() - 1); break;
              case 'uniform-rel': e = n.programNoiseStd * Gt * Math.sqrt(3) * (2 * progRng.next() - 1); break;
              default: e = programSigmaUs(n.programNoise, Gt, gMax) * normalSample(progRng);
            }
            G = Math.max(0, Gt + scale * e);
          }
        }
        gProg[idx] = G;
        if (nu !== undefined) {
          const { mu, sigma } = driftNuParams(n, s === 1 ? 1 : s === 2 ? 0 : g);
          nu[idx] = Math.abs(mu + sigma * normalSample(driftRng!));
        }
      }
    }
    // drifted, IR-dropped conductances per device (level units), read-noise variance per device
    const tS = n.driftTimeS;
    const logT = Math.log((tS + this.t0S) / this.t0S);
    const toLevel = maxLevel / gMax;
    const readOn = n.readNoise !== 'none';
    const tf = readOn && (n.readNoise === 'pcm' || n.readNoise === 'hermes' || n.readNoise === 'hermes-1') ? readNoiseTimeFactor(n.readNoise, tS, this.t0S) : 0;
    const gNow = new Float64Array(c.rows * cols);
    const gRef = n.driftCompensation && hasDrift ? new Float64Array(c.rows * cols) : undefined;
    const dVar = readOn ? new Float64Array(c.rows * cols) : undefined;
    for (let i = 0; i < st.k; i++) {
      const ir = 1 / (1 + (n.irDrop * (i + 1)) / c.rows);
      for (let col = 0; col < st.colsUsed; col++) {
        const idx = i * cols + col;
        const Gp = gProg[idx]!;
        const Gd = nu === undefined ? Gp : Gp * Math.exp(-nu[idx]! * logT);
        gNow[idx] = sign[idx]! * Gd * ir * toLevel;
        if (gRef !== undefined) gRef[idx] = sign[idx]! * Gp * ir * toLevel;
        if (dVar !== undefined) {
          let sd: number;
          if (n.readNoise === 'normal') sd = n.readNoiseStd * gMax;
          else if (n.readNoise === 'normal-rel') sd = n.readNoiseStd * Gd;
          else sd = Gd * readNoiseQs(n.readNoise, Gp / gMax) * tf;
          sd *= n.readNoiseScale * ir * toLevel;
          dVar[idx] = sd * sd;
        }
      }
    }
    const unitG = this.toUnits(st, gNow);
    const unitVar = dVar === undefined ? undefined : this.toUnits(st, dVar, true);
    let alpha = 1;
    if (gRef !== undefined) {
      const now = this.readout(st, gNow);
      const ref = this.readout(st, gRef);
      alpha = now > 0 ? ref / now : 1;
    }
    return { ...st, analog: { device: this, gProgUs: gProg, nu, unitG, unitVar, alpha } };
  }

  /** Per-device values (rows x cols) -> per conversion unit (rows x unitCols): analog pairs G+ - G- (variances add). */
  private toUnits(st: AimcTileState, dev: Float64Array, variance = false): Float64Array {
    const c = this.config;
    if (!(c.mapping === 'differential' && c.subtraction === 'analog')) return dev;
    const out = new Float64Array(c.rows * st.unitCols);
    for (let i = 0; i < st.k; i++) {
      for (let u = 0; u < st.unitCols; u++) {
        const a = dev[i * c.cols + 2 * u]!;
        const b = dev[i * c.cols + 2 * u + 1]!;
        out[i * st.unitCols + u] = variance ? a + b : a - b;
      }
    }
    return out;
  }

  /** mean_j |y_j| for an all-ones input on the K rows, y recombined from the device values (no ADC, no noise). */
  private readout(st: AimcTileState, dev: Float64Array): number {
    const c = this.config;
    const L = st.layout;
    const diff = c.mapping === 'differential';
    let total = 0;
    for (let j = 0; j < st.n; j++) {
      let y = 0;
      for (let s = 0; s < L.slices; s++) {
        const w = 2 ** (s * c.cellBits);
        for (let i = 0; i < st.k; i++) {
          const base = i * c.cols + j * L.colsPerOutput;
          y += diff ? w * (dev[base + 2 * s]! - dev[base + 2 * s + 1]!) : w * dev[base + s]!;
        }
      }
      total += Math.abs(y);
    }
    return total / st.n;
  }
}

/**
 * The MVM of a tile with an analog state ({@link AimcAnalogDevice.program}): as `aimcMvm`'s
 * ideal computation, but with real conductances, read noise per unit and pass, DAC and ADC
 * non-idealities, and the drift-compensation factor. `x` is assumed checked by the caller
 * (`aimcMvm`). Counts are the same as the ideal model's (saturations from the noisy values).
 */
export function aimcMvmAnalog(st: AimcTileState, a: AimcAnalogState, x: ArrayLike<number>, sumX: number, out: Float64Array): AimcMvmResult {
  const { config: c, layout: L, k, n, acc, adc } = st;
  const dev = a.device;
  const nz = dev.noise;
  const dig = dev.dig;
  const vacc = dev.vacc;
  out.fill(0, 0, n);
  const { mode, used, slices, cpo, cb, pwm, b, dmask, lowMask } = mvmShape(st);
  const G = a.unitG;
  const V = a.unitVar;
  const cols = mode === 1 ? st.unitCols : c.cols;
  const dacOn = nz.dacNoiseStdLsb > 0 || nz.dacInlLsb !== 0;
  const dacRng = nz.dacNoiseStdLsb > 0 ? dev.inferenceRng('dac') : undefined;
  const readRng = V !== undefined ? dev.inferenceRng('read') : undefined;
  const adcNoise = nz.adc.noiseStdLsb;
  const adcRng = adcNoise > 0 ? dev.inferenceRng('adc-noise') : undefined;
  const m = dev.columnsPerAdc;
  let saturations = 0;
  const convert = (u: number, v: number): number => {
    const e = dev.adcInstance(st, Math.floor(u / m));
    const r = adcConvertNonIdeal(adc, e, v, adcRng === undefined ? 0 : adcNoise * normalSample(adcRng));
    if (r.clipped) saturations++;
    return r.code * adc.step;
  };
  for (let p = 0; p < L.phases; p++) {
    let wp: number;
    let full: number;
    if (pwm) {
      for (let i = 0; i < k; i++) dig[i] = x[i]!;
      wp = 1;
      full = Math.max(Math.abs(L.minInput), L.maxInput);
    } else if (p < L.magnitudePhases) {
      const sh = p * b;
      for (let i = 0; i < k; i++) dig[i] = ((x[i]! & lowMask) >>> sh) & dmask;
      wp = 2 ** sh;
      full = dmask;
    } else {
      for (let i = 0; i < k; i++) dig[i] = x[i]! < 0 ? 1 : 0;
      wp = -(2 ** (c.inputBits - 1));
      full = 1;
    }
    if (dacOn) {
      for (let i = 0; i < k; i++) {
        const d = dig[i]!;
        if (d === 0) continue;
        const mag = Math.abs(d);
        const r = mag / full;
        let v = mag + nz.dacInlLsb * 4 * r * (1 - r);
        if (dacRng !== undefined) v += nz.dacNoiseStdLsb * normalSample(dacRng);
        dig[i] = d < 0 ? -v : v;
      }
    }
    acc.fill(0, 0, used);
    if (V !== undefined) vacc.fill(0, 0, used);
    for (let i = 0; i < k; i++) {
      const d = dig[i]!;
      if (d === 0) continue;
      const base = i * cols;
      for (let col = 0; col < used; col++) acc[col]! += d * G[base + col]!;
      if (V !== undefined) {
        const d2 = d * d;
        for (let col = 0; col < used; col++) vacc[col]! += d2 * V[base + col]!;
      }
    }
    if (readRng !== undefined) for (let col = 0; col < used; col++) acc[col]! += Math.sqrt(vacc[col]!) * normalSample(readRng);
    for (let j = 0; j < n; j++) {
      let y = 0;
      const c0 = j * cpo;
      for (let s = 0; s < slices; s++) {
        const v = mode === 2
          ? convert(c0 + 2 * s, acc[c0 + 2 * s]!) - convert(c0 + 2 * s + 1, acc[c0 + 2 * s + 1]!)
          : convert(c0 + s, acc[c0 + s]!);
        y += 2 ** (s * cb) * v;
      }
      out[j]! += wp * y;
    }
  }
  if (a.alpha !== 1) for (let j = 0; j < n; j++) out[j]! *= a.alpha;
  return finishAimcMvm(st, out, sumX, k, n, saturations);
}
