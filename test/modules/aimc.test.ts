import { describe, expect, it } from 'vitest';
import { refCode } from '../helpers/adc-ref.js';
import type { AdcConfig } from '../../src/modules/adc/index.js';
import {
  AimcTileDef, aimcColumnRange, aimcConfigFromParams, aimcLayout, aimcMinimumExactAdc, aimcMvm, aimcMvmEnergyPj, aimcMvmTimePs,
  aimcProgramEnergyPj, aimcProgramTimePs, aimcTimingFromParams, programTile, type AimcTileConfig, type AimcTimingParams,
} from '../../src/modules/aimc-tile/index.js';
import { describeModule } from '../../src/spec/index.js';
import { Rng } from '../../src/util/index.js';
import { simError } from '../helpers/sim-error.js';

// ---------------------------------------------------------------------------------------------
// Independent reference, written from the definitions with arithmetic (floor / mod), not bits,
// and without the tile's level matrix.
// ---------------------------------------------------------------------------------------------

const refAdc = (c: AdcConfig, v: number): number => (refCode(c, v) * (c.fullScale / 2 ** (c.coding === 'unsigned' ? c.bits : c.bits - 1))) / c.gain;

const mod = (a: number, m: number): number => ((a % m) + m) % m;
const digitOf = (v: number, shift: number, bits: number): number => mod(Math.floor(v / 2 ** shift), 2 ** bits);

/** DAC phases: weight and digit function. */
function refPhases(c: AimcTileConfig): { w: number; d: (x: number) => number }[] {
  const B = c.inputBits;
  if (c.dac === 'pulse-width') return [{ w: 1, d: (x) => x }];
  const b = c.dacSliceBits;
  if (!c.inputSigned) {
    return Array.from({ length: Math.ceil(B / b) }, (_, p) => ({ w: 2 ** (p * b), d: (x: number) => digitOf(x, p * b, b) }));
  }
  const low = (x: number): number => (x < 0 ? x + 2 ** (B - 1) : x);
  const out = Array.from({ length: Math.ceil((B - 1) / b) }, (_, p) => ({ w: 2 ** (p * b), d: (x: number) => digitOf(low(x), p * b, b) }));
  out.push({ w: -(2 ** (B - 1)), d: (x) => (x < 0 ? 1 : 0) });
  return out;
}

/** Conversion units of one output: slice weight and a per-weight level function per summing node (1 node, or 2 for digital subtraction). */
function refUnits(c: AimcTileConfig): { sw: number; sign: number; lv: (w: number) => number }[] {
  if (c.mapping === 'ternary') return [{ sw: 1, sign: 1, lv: (w) => w }];
  const cb = c.cellBits;
  if (c.mapping === 'offset') {
    const off = 2 ** (c.weightBits - 1);
    return Array.from({ length: Math.ceil(c.weightBits / cb) }, (_, s) => ({ sw: 2 ** (s * cb), sign: 1, lv: (w: number) => digitOf(w + off, s * cb, cb) }));
  }
  const S = Math.ceil((c.weightBits - 1) / cb);
  const pos = (s: number) => (w: number): number => digitOf(Math.max(w, 0), s * cb, cb);
  const neg = (s: number) => (w: number): number => digitOf(Math.max(-w, 0), s * cb, cb);
  const out: { sw: number; sign: number; lv: (w: number) => number }[] = [];
  for (let s = 0; s < S; s++) {
    if (c.subtraction === 'analog') out.push({ sw: 2 ** (s * cb), sign: 1, lv: (w) => pos(s)(w) - neg(s)(w) });
    else out.push({ sw: 2 ** (s * cb), sign: 1, lv: pos(s) }, { sw: 2 ** (s * cb), sign: -1, lv: neg(s) });
  }
  return out;
}

/** Analog values per (phase, output, unit), and the reference output. */
function refMvm(c: AimcTileConfig, W: ArrayLike<number>, K: number, N: number, x: ArrayLike<number>, scale?: ArrayLike<number>): { out: number[]; analog: number[] } {
  const phases = refPhases(c);
  const units = refUnits(c);
  const out = new Array<number>(N).fill(0);
  const analog: number[] = [];
  for (const ph of phases) {
    for (let j = 0; j < N; j++) {
      let y = 0;
      for (const u of units) {
        let a = 0;
        for (let i = 0; i < K; i++) a += ph.d(x[i]!) * u.lv(W[i * N + j]!);
        analog.push(a);
        y += u.sign * u.sw * refAdc(c.adc, a);
      }
      out[j]! += ph.w * y;
    }
  }
  if (c.mapping === 'offset') {
    let sx = 0;
    for (let i = 0; i < K; i++) sx += x[i]!;
    for (let j = 0; j < N; j++) out[j]! -= 2 ** (c.weightBits - 1) * sx;
  }
  if (scale !== undefined) for (let j = 0; j < N; j++) out[j]! *= scale[j]!;
  return { out, analog };
}

/** Plain integer product y_j = sum_i x_i W_ij. */
function matvec(W: ArrayLike<number>, K: number, N: number, x: ArrayLike<number>): number[] {
  const y = new Array<number>(N).fill(0);
  for (let i = 0; i < K; i++) for (let j = 0; j < N; j++) y[j]! += x[i]! * W[i * N + j]!;
  return y;
}

// Ranges from the definitions (independent of aimcLayout).
function weightRange(c: AimcTileConfig): [number, number] {
  if (c.mapping === 'ternary') return [-1, 1];
  const h = 2 ** (c.weightBits - 1);
  return c.mapping === 'differential' ? [-(h - 1), h - 1] : [-h, h - 1];
}
function inputRange(c: AimcTileConfig): [number, number] {
  const h = 2 ** (c.inputBits - 1);
  if (!c.inputSigned) return [0, 2 ** c.inputBits - 1];
  return c.dac === 'pulse-width' ? [-(h - 1), h - 1] : [-h, h - 1];
}
function colsNeeded(c: AimcTileConfig, N: number): number {
  if (c.mapping === 'ternary') return N;
  const S = Math.ceil((c.mapping === 'differential' ? c.weightBits - 1 : c.weightBits) / c.cellBits);
  return N * S * (c.mapping === 'differential' ? 2 : 1);
}

const EXACT8: AdcConfig = { bits: 8, fullScale: 128, gain: 1, coding: 'twos-complement' };

function tile(o: Partial<AimcTileConfig>): AimcTileConfig {
  return {
    rows: 4, cols: 16, mapping: 'differential', subtraction: 'analog', cellBits: 2, weightBits: 4, inputBits: 4, inputSigned: true,
    dac: 'bit-serial', dacSliceBits: 1, adc: EXACT8, ...o,
  };
}

/** Every combination of mapping / subtraction / cell bits / DAC mode / signedness for small precisions. */
function* variants(weightBits: number, inputBits: number): Generator<AimcTileConfig> {
  const maps: Partial<AimcTileConfig>[] = [
    { mapping: 'differential', subtraction: 'analog' }, { mapping: 'differential', subtraction: 'digital' }, { mapping: 'offset' }, { mapping: 'ternary' },
  ];
  for (const m of maps) {
    for (const cellBits of m.mapping === 'ternary' ? [1] : [1, 2]) {
      for (const dac of [{ dac: 'bit-serial', dacSliceBits: 1 }, { dac: 'bit-serial', dacSliceBits: 2 }, { dac: 'pulse-width', dacSliceBits: 1 }] as const) {
        for (const inputSigned of [false, true]) {
          const c0 = tile({ ...m, cellBits, weightBits, inputBits, inputSigned, ...dac, rows: 2, cols: 64 });
          yield { ...c0, adc: aimcMinimumExactAdc(c0) };
        }
      }
    }
  }
}

function all(lo: number, hi: number): number[] {
  return Array.from({ length: hi - lo + 1 }, (_, i) => lo + i);
}

describe('aimc-tile: exactness (the key property)', () => {
  it('2x1 every weight and input vector, 2x2 every weight matrix with edge inputs, every mapping / slicing / DAC mode / signedness: equals the integer product', () => {
    let checked = 0;
    for (const c0 of variants(3, 3)) {
      const c = { ...c0, cols: colsNeeded(c0, 2) };
      const [wl, wh] = weightRange(c);
      const [xl, xh] = inputRange(c);
      const ws = all(wl, wh);
      const xs = all(xl, xh);
      const edge = [xl, 1, xh];
      const x = new Int32Array(2);
      const out = new Float64Array(2);
      for (const w0 of ws) for (const w1 of ws) {
        const st = programTile(c, [w0, w1], 2, 1);
        for (const x0 of xs) for (const x1 of xs) {
          x[0] = x0;
          x[1] = x1;
          const y = aimcMvm(st, x, out).out[0];
          if (y !== x0 * w0 + x1 * w1) expect(y, `${JSON.stringify(c)} W=${[w0, w1]} x=${[x0, x1]}`).toBe(x0 * w0 + x1 * w1);
          checked++;
        }
      }
      for (const w0 of ws) for (const w1 of ws) for (const w2 of ws) for (const w3 of ws) {
        const st = programTile(c, [w0, w1, w2, w3], 2, 2);
        for (const x0 of edge) for (const x1 of edge) {
          x[0] = x0;
          x[1] = x1;
          aimcMvm(st, x, out);
          const y0 = x0 * w0 + x1 * w2;
          const y1 = x0 * w1 + x1 * w3;
          if (out[0] !== y0 || out[1] !== y1) expect([out[0], out[1]], `${JSON.stringify(c)} W=${[w0, w1, w2, w3]} x=${[x0, x1]}`).toEqual([y0, y1]);
          checked++;
        }
      }
    }
    expect(checked).toBeGreaterThan(300_000);
  });

  it('randomized shapes and precisions (seeded): exact with the minimum exact ADC, and per programmed weights', () => {
    const rng = new Rng(20261122);
    for (let t = 0; t < 300; t++) {
      const c = randomConfig(rng);
      const K = 1 + rng.int(c.rows);
      const N = 1 + rng.int(Math.max(1, Math.floor(c.cols / colsNeeded(c, 1))));
      const W = randomWeights(rng, c, K, N);
      const generic = { ...c, adc: aimcMinimumExactAdc(c) };
      const st = programTile(generic, W, K, N, 'rand');
      const tight = programTile({ ...c, adc: aimcMinimumExactAdc(c, st) }, W, K, N, 'rand');
      for (let r = 0; r < 4; r++) {
        const x = randomInputs(rng, c, K);
        const want = matvec(W, K, N, x);
        expect(Array.from(aimcMvm(st, x).out), JSON.stringify(generic)).toEqual(want);
        const res = aimcMvm(tight, x);
        expect(Array.from(res.out)).toEqual(want);
        expect(res.counts.saturations).toBe(0);
      }
    }
  });
});

function randomConfig(rng: Rng): AimcTileConfig {
  const mapping = (['differential', 'offset', 'ternary'] as const)[rng.int(3)]!;
  const dac = rng.int(2) === 0 ? 'bit-serial' : 'pulse-width';
  const inputSigned = rng.int(2) === 0;
  const inputBits = (inputSigned && dac === 'pulse-width' ? 2 : 1) + rng.int(8);
  const c0: AimcTileConfig = {
    rows: 1 + rng.int(40), cols: 1, mapping, subtraction: rng.int(2) === 0 ? 'analog' : 'digital', cellBits: 1 + rng.int(4),
    weightBits: (mapping === 'differential' ? 2 : 1) + rng.int(7), inputBits, inputSigned, dac, dacSliceBits: 1 + rng.int(3), adc: EXACT8,
  };
  return { ...c0, cols: colsNeeded(c0, 1 + rng.int(6)) + rng.int(3) };
}
function randomWeights(rng: Rng, c: AimcTileConfig, K: number, N: number): Int32Array {
  const [lo, hi] = weightRange(c);
  // bias towards the extremes so saturation and the top slices are exercised
  return Int32Array.from({ length: K * N }, () => (rng.int(4) === 0 ? (rng.int(2) === 0 ? lo : hi) : lo + rng.int(hi - lo + 1)));
}
function randomInputs(rng: Rng, c: AimcTileConfig, K: number): Int32Array {
  const [lo, hi] = inputRange(c);
  return Int32Array.from({ length: K }, () => (rng.int(4) === 0 ? (rng.int(2) === 0 ? lo : hi) : lo + rng.int(hi - lo + 1)));
}
function randomAdc(rng: Rng): AdcConfig {
  const coding = (['unsigned', 'twos-complement', 'sign-magnitude'] as const)[rng.int(3)]!;
  const bits = (coding === 'sign-magnitude' ? 2 : 1) + rng.int(7);
  // dyadic steps keep every reconstruction and sum exact in double precision
  return { bits, fullScale: 1 + rng.int(2 ** (bits + 2)), gain: 2 ** (rng.int(5) - 2), coding };
}

describe('aimc-tile: limited ADCs follow the transfer function', () => {
  it('randomized: output equals the reference built from the ADC definition (saturation, rounding)', () => {
    const rng = new Rng(99);
    let saturated = 0;
    let inexact = 0;
    for (let t = 0; t < 400; t++) {
      const c = { ...randomConfig(rng), adc: randomAdc(rng) };
      const K = 1 + rng.int(c.rows);
      const N = 1 + rng.int(Math.max(1, Math.floor(c.cols / colsNeeded(c, 1))));
      const W = randomWeights(rng, c, K, N);
      const scale = rng.int(2) === 0 ? undefined : Array.from({ length: N }, () => 1 + rng.int(5));
      const st = programTile(c, W, K, N, 'rand', scale);
      const x = randomInputs(rng, c, K);
      const ref = refMvm(c, W, K, N, x, scale);
      const res = aimcMvm(st, x);
      expect(Array.from(res.out), JSON.stringify({ c, W: Array.from(W), x: Array.from(x) })).toEqual(ref.out);
      // saturation count from the reference's analog values
      // clipped = the value lies at or beyond half a step past an end code (a tie there rounds outwards)
      const lsb = c.adc.fullScale / 2 ** (c.adc.coding === 'unsigned' ? c.adc.bits : c.adc.bits - 1);
      const lo = c.adc.coding === 'unsigned' ? 0 : c.adc.coding === 'twos-complement' ? -(2 ** (c.adc.bits - 1)) : -(2 ** (c.adc.bits - 1) - 1);
      const hi = c.adc.coding === 'unsigned' ? 2 ** c.adc.bits - 1 : 2 ** (c.adc.bits - 1) - 1;
      const refSat = ref.analog.filter((a) => (c.adc.gain * a) / lsb >= hi + 0.5 || (c.adc.gain * a) / lsb <= lo - 0.5).length;
      expect(res.counts.saturations).toBe(refSat);
      saturated += refSat > 0 ? 1 : 0;
      const plain = matvec(W, K, N, x).map((y, j) => y * (scale?.[j] ?? 1));
      if (plain.some((y, j) => y !== res.out[j])) inexact++;
    }
    // the test really exercises the lossy regime
    expect(saturated).toBeGreaterThan(50);
    expect(inexact).toBeGreaterThan(100);
  });

  it('2x1 every weight pair with a 3-bit ADC and edge inputs: equals the reference', () => {
    for (const c0 of variants(3, 3)) {
      const c = { ...c0, adc: { bits: 3, fullScale: c0.adc.fullScale / 2, gain: 1, coding: c0.adc.coding } };
      const [wl, wh] = weightRange(c);
      const [xl, xh] = inputRange(c);
      const edge = [xl, -1, 0, 1, xh].filter((v) => v >= xl && v <= xh);
      for (const w0 of all(wl, wh)) for (const w1 of all(wl, wh)) {
        const st = programTile(c, [w0, w1], 2, 1);
        for (const x0 of edge) for (const x1 of edge) {
          const got = aimcMvm(st, [x0, x1]).out[0];
          const want = refMvm(c, [w0, w1], 2, 1, [x0, x1]).out[0];
          if (got !== want) expect(got, `${JSON.stringify(c)} W=${[w0, w1]} x=${[x0, x1]}`).toBe(want);
        }
      }
    }
  });

  it('a hand-checked saturating case: 1x1 differential, 8 x 7 = 56 through a 5-bit signed ADC clips at 15', () => {
    const c = tile({ rows: 1, cols: 2, cellBits: 3, weightBits: 4, inputBits: 4, inputSigned: false, dac: 'pulse-width', adc: { bits: 5, fullScale: 16, gain: 1, coding: 'twos-complement' } });
    const st = programTile(c, [7], 1, 1);
    const r = aimcMvm(st, [8]);
    expect(r.out[0]).toBe(15);
    expect(r.counts.saturations).toBe(1);
    // step 2 (fullScale 32): 56 -> code 28 clipped to 15 -> 30; 6 x 7 = 42 -> 21 -> clipped 15 -> 30; 3 x 7 = 21 -> 10.5 -> 11 -> 22
    const c2 = { ...c, adc: { bits: 5, fullScale: 32, gain: 1, coding: 'twos-complement' as const } };
    const st2 = programTile(c2, [7], 1, 1);
    expect([8, 6, 3, 1].map((v) => aimcMvm(st2, [v]).out[0])).toEqual([30, 30, 22, 8]);
  });
});

describe('aimc-tile: minimum exact ADC', () => {
  it('the worst-case column range equals brute force over all weights and inputs (K = rows = 2, one output)', () => {
    for (const c of variants(3, 3)) {
      const [wl, wh] = weightRange(c);
      const [xl, xh] = inputRange(c);
      let min = 0;
      let max = 0;
      for (const w0 of all(wl, wh)) for (const w1 of all(wl, wh)) for (const x0 of all(xl, xh)) for (const x1 of all(xl, xh)) {
        for (const a of refMvm(c, [w0, w1], 2, 1, [x0, x1]).analog) {
          min = Math.min(min, a);
          max = Math.max(max, a);
        }
      }
      expect(aimcColumnRange(c), JSON.stringify(c)).toEqual({ min, max });
      // minimum bits from the range, by hand
      const adc = aimcMinimumExactAdc(c);
      if (min >= 0) {
        expect(adc.coding).toBe('unsigned');
        expect(2 ** adc.bits - 1).toBeGreaterThanOrEqual(max);
        expect(2 ** (adc.bits - 1) - 1 < max || adc.bits === 1).toBe(true);
        expect(adc.fullScale).toBe(2 ** adc.bits);
      } else {
        expect(adc.coding).toBe('twos-complement');
        expect(-(2 ** (adc.bits - 1)) <= min && 2 ** (adc.bits - 1) - 1 >= max).toBe(true);
        expect(-(2 ** (adc.bits - 2)) > min || 2 ** (adc.bits - 2) - 1 < max).toBe(true);
        expect(adc.fullScale).toBe(2 ** (adc.bits - 1));
      }
    }
  });

  it('one bit fewer is not exact for the extreme weights and inputs', () => {
    for (const c0 of variants(3, 3)) {
      const adc = c0.adc;
      if (adc.bits < 2) continue;
      const signed = adc.coding !== 'unsigned';
      const fewer = { ...c0, adc: { ...adc, bits: adc.bits - 1, fullScale: 2 ** (adc.bits - 1 - (signed ? 1 : 0)) } };
      const [wl, wh] = weightRange(c0);
      const [xl, xh] = inputRange(c0);
      let broken = false;
      for (const w of [wl, wh]) for (const x of [xl, xh, 1]) {
        const st = programTile(fewer, [w, w], 2, 1);
        if (aimcMvm(st, [x, x]).out[0] !== 2 * w * x) broken = true;
      }
      expect(broken, JSON.stringify(fewer)).toBe(true);
    }
  });

  it('with programmed weights the range is tighter: all-zero weights need 1 bit', () => {
    const c = tile({ mapping: 'offset' });
    const st = programTile(c, new Int32Array(8), 4, 2);
    const r = aimcColumnRange(c, st);
    // offset level of w = 0 is u = 8 -> slices (cellBits 2) 0 and 2; digits 0..1 over 4 rows -> max 4 x 2 = 8
    expect(r).toEqual({ min: 0, max: 8 });
    expect(aimcMinimumExactAdc(c, st)).toEqual({ bits: 4, fullScale: 16, gain: 1, coding: 'unsigned' });
    const z = programTile(tile({ mapping: 'ternary' }), new Int32Array(8), 4, 2);
    expect(aimcMinimumExactAdc(z.config, z)).toEqual({ bits: 1, fullScale: 2, gain: 1, coding: 'unsigned' });
  });
});

describe('aimc-tile: layout and programming', () => {
  it('derives slices, columns and phases', () => {
    const L = aimcLayout(tile({ weightBits: 8, cellBits: 2, inputBits: 8, dacSliceBits: 3 }));
    expect([L.slices, L.colsPerOutput, L.unitsPerOutput, L.phases]).toEqual([4, 8, 4, 4]); // 7 magnitude bits / 2; 7 bits / 3 + sign
    const O = aimcLayout(tile({ mapping: 'offset', weightBits: 8, cellBits: 4, inputBits: 8, inputSigned: false, dacSliceBits: 2 }));
    expect([O.slices, O.colsPerOutput, O.phases, O.weightOffset]).toEqual([2, 2, 4, 128]);
    const D = aimcLayout(tile({ subtraction: 'digital', weightBits: 8, cellBits: 7 }));
    expect([D.slices, D.colsPerOutput, D.unitsPerOutput]).toEqual([1, 2, 2]);
    const T = aimcLayout(tile({ mapping: 'ternary', dac: 'pulse-width', inputBits: 7 }));
    expect([T.slices, T.colsPerOutput, T.phases, T.minInput, T.maxInput]).toEqual([1, 1, 1, -63, 63]);
  });

  it('stores levels: differential G+/G- per slice, offset u = w + 2^(B-1) sliced, ternary in one cell', () => {
    const d = programTile(tile({ rows: 1, cols: 4, weightBits: 4, cellBits: 2 }), [-6], 1, 1);
    // |w| = 6 = 0b110: slice 0 = 2, slice 1 = 1, on G- (columns 1 and 3)
    expect(Array.from(d.levels)).toEqual([0, 2, 0, 1]);
    const o = programTile(tile({ rows: 1, cols: 2, mapping: 'offset', weightBits: 4, cellBits: 2 }), [-6], 1, 1);
    // u = -6 + 8 = 2 = 0b0010
    expect(Array.from(o.levels)).toEqual([2, 0]);
    const t = programTile(tile({ rows: 2, cols: 3, mapping: 'ternary' }), [1, 0, -1, -1, 1, 0], 2, 3);
    expect(Array.from(t.levels)).toEqual([1, 0, -1, -1, 1, 0]);
    expect(t.program).toEqual({ rowWrites: 2, cellWrites: 6 });
  });

  it('refuses weights that do not fit, naming the instance and the parameter', () => {
    const c = tile({ rows: 4, cols: 8, weightBits: 4, cellBits: 2 }); // 2 slices x 2 = 4 columns per output
    let e = simError(() => programTile(c, new Int32Array(5 * 1), 5, 1, 'soc.aimc0'));
    expect([e.code, e.path]).toEqual(['aimc-weights-dont-fit', 'soc.aimc0']);
    expect(e.message).toMatch(/K = 5.*'rows'/);
    e = simError(() => programTile(c, new Int32Array(3 * 3), 3, 3, 'soc.aimc0'));
    expect(e.code).toBe('aimc-weights-dont-fit');
    expect(e.message).toMatch(/12 columns.*'cols'/);
    e = simError(() => programTile(c, [0, 8], 2, 1, 'soc.aimc0'));
    expect(e.code).toBe('aimc-weight-out-of-range');
    expect(e.message).toMatch(/\[1\]\[0\] = 8 .*\[-7, 7\].*'weightBits'/);
    expect(simError(() => programTile(c, [-8], 1, 1)).code).toBe('aimc-weight-out-of-range'); // differential: sign-magnitude
    expect(() => programTile({ ...c, mapping: 'offset' }, [-8], 1, 1)).not.toThrow(); // offset: two's complement
    expect(simError(() => programTile(tile({ mapping: 'ternary' }), [2], 1, 1)).code).toBe('aimc-weight-out-of-range');
    expect(simError(() => programTile(c, [1, 2, 3], 2, 2)).code).toBe('aimc-weights-dont-fit');
    expect(simError(() => programTile({ ...c, cellBits: 0 }, [1], 1, 1, 'x')).message).toContain("'cellBits'");
  });

  it('refuses inputs out of range (signed pulse-width is sign-magnitude)', () => {
    const st = programTile(tile({ dac: 'pulse-width', inputBits: 4 }), [1], 1, 1, 'soc.aimc0');
    const e = simError(() => aimcMvm(st, [-8]));
    expect([e.code, e.path]).toEqual(['aimc-input-out-of-range', 'soc.aimc0']);
    expect(e.message).toContain("'inputBits'");
    expect(aimcMvm(st, [-7]).out[0]).toBe(-7);
    const bs = programTile(tile({ inputBits: 4 }), [1], 1, 1);
    expect(aimcMvm(bs, [-8]).out[0]).toBe(-8); // bit-serial: two's complement
    expect(simError(() => aimcMvm(bs, [1, 2])).code).toBe('aimc-input-out-of-range');
  });

  it('applies the per-column scale after recombination and offset subtraction', () => {
    const c = tile({ mapping: 'offset', rows: 2, cols: 8 });
    const st = programTile(c, [1, -2, 3, 4], 2, 2, 'p', [0.5, -3]);
    // y = [2*1 + 1*3, 2*-2 + 1*4] = [5, 0]
    expect(Array.from(aimcMvm(st, [2, 1]).out)).toEqual([2.5, -0]);
  });

  it('reuses the output array', () => {
    const st = programTile(tile({}), [1, 2], 1, 2);
    const out = new Float64Array(2);
    expect(aimcMvm(st, [3], out).out).toBe(out);
    expect(Array.from(out)).toEqual([3, 6]);
    aimcMvm(st, [-1], out);
    expect(Array.from(out)).toEqual([-1, -2]);
  });
});

describe('aimc-tile: operation counts, timing and energy', () => {
  it('counts phases, row activations, cell reads, conversions, shift-adds', () => {
    // offset, 2 slices (weightBits 4, cellBits 2), unsigned 4-bit inputs, 1-bit DAC: 4 phases
    const st = programTile(tile({ mapping: 'offset', rows: 8, cols: 8, inputSigned: false }), [1, 2, 3, 4, 5, 6], 3, 2);
    expect(aimcMvm(st, [1, 2, 3]).counts).toEqual({ phases: 4, rowActivations: 12, cellReads: 48, adcConversions: 16, shiftAdds: 18, saturations: 0 });
    const e = { adcConversionPj: 0.7, rowDrivePj: 0.01, cellReadPj: 0.001, shiftAddPj: 0.002, rowWritePj: 5, cellWritePj: 0.1 };
    // 16 x 0.7 + 12 x 0.01 + 48 x 0.001 + 18 x 0.002 = 11.404
    expect(aimcMvmEnergyPj(aimcMvm(st, [1, 2, 3]).counts, e)).toBeCloseTo(11.404, 10);
    // 3 rows x 5 + 12 cells x 0.1 = 16.2
    expect(aimcProgramEnergyPj(st.program, e)).toBeCloseTo(16.2, 10);
    // differential with digital subtraction: 2 conversions per slice; signed 4-bit, 2-bit DAC: 2 + 1 phases
    const d = programTile(tile({ subtraction: 'digital', dacSliceBits: 2 }), [1, 2], 1, 2);
    expect(aimcMvm(d, [3]).counts).toMatchObject({ phases: 3, adcConversions: 3 * 2 * 4, cellReads: 3 * 8 });
  });

  const T: AimcTimingParams = {
    clockPeriodPs: 1000, dacTimePs: 500, pulseLsbPs: 100, settleTimePs: 200, adcArchitecture: 'sar',
    adcTiming: { sarExtraCycles: 2, flashCycles: 1, rampExtraCycles: 0, ccoPsPerLsb: 300 }, columnsPerAdc: 8, rowWriteCycles: 8,
  };

  it('MVM time = phases x (drive + settle + rounds x conversion)', () => {
    // bit-serial unsigned 8 bits, 1-bit DAC: 8 phases; SAR 6 b at 1 ns: 8 ns; offset 2 slices x 4 outputs = 8 units, 8 per ADC
    const c = tile({ mapping: 'offset', rows: 4, cols: 8, inputBits: 8, inputSigned: false, adc: { bits: 6, fullScale: 64, gain: 1, coding: 'unsigned' } });
    const st = programTile(c, new Int32Array(16), 4, 4);
    expect(aimcMvmTimePs(st, T)).toBe(8 * (500 + 200 + 8 * 8000));
    // one output: 2 units used -> min(3, 2) = 2 rounds with 3 units per ADC, 1 with 1
    const s3 = programTile(c, new Int32Array(4), 4, 1);
    expect(aimcMvmTimePs(s3, { ...T, columnsPerAdc: 3 })).toBe(8 * (500 + 200 + 2 * 8000));
    expect(aimcMvmTimePs(s3, { ...T, columnsPerAdc: 1 })).toBe(8 * (500 + 200 + 8000));
  });

  it('HERMES-like: one pulse-width pass, 8-bit signed (127 LSB pulse), CCO 8 b 300 ps/LSB, one ADC per column', () => {
    const c = tile({ rows: 256, cols: 512, weightBits: 8, cellBits: 7, inputBits: 8, dac: 'pulse-width', adc: EXACT8 });
    const st = programTile(c, new Int32Array(256 * 256), 256, 256);
    // 127 x 100 + 200 + 1 x 256 x 300 = 89_700 ps
    expect(aimcMvmTimePs(st, { ...T, adcArchitecture: 'cco', columnsPerAdc: 1 })).toBe(89_700);
  });

  it('DIANA: programming the full 1152-row array takes 4 x 2 x 1152 = 9216 cycles', () => {
    const c = tile({ rows: 1152, cols: 512, mapping: 'ternary', dac: 'pulse-width', inputBits: 7 });
    const st = programTile(c, new Int32Array(1152 * 512), 1152, 512);
    expect(aimcProgramTimePs(st.program, { rowWriteCycles: 8, clockPeriodPs: 3846 })).toBe(9216 * 3846);
    const r = aimcMvm(st, new Int32Array(1152));
    expect(r.counts).toMatchObject({ phases: 1, adcConversions: 512, rowActivations: 1152, cellReads: 1152 * 512 });
  });
});

describe('aimc-tile: declaration', () => {
  const params = {
    accelId: 0, queueDepth: 4, rows: 256, cols: 512, mapping: 'differential', subtraction: 'analog', cellBits: 7, weightBits: 8, inputBits: 8, inputSigned: true, dac: 'pulse-width',
    dacSliceBits: 1, adcBits: 8, adcFullScale: 128, adcGainLog2: 0, adcCoding: 'twos-complement', adcArchitecture: 'cco', columnsPerAdc: 1,
    sarExtraCycles: 2, flashCycles: 1, rampExtraCycles: 0, ccoTimePerLsb: 300, rowWriteCycles: 8, dacTime: 1000, pulseLsbTime: 100, settleTime: 2000,
    adcConversionEnergy: 0.7, rowDriveEnergy: 0.1, cellReadEnergy: 0.001, shiftAddEnergy: 0.01, rowWriteEnergy: 1, cellWriteEnergy: 0.01, leakage: 10, area: 1e5,
    adcEnergyRefBits: 0, cellArea: 0, adcArea: 0, adcAreaRefBits: 0,
  } as const;

  it('declares ports, energy events, tech params without defaults, stats, faults, caps', () => {
    expect(AimcTileDef.kind).toBe('aimc-tile');
    const ports = AimcTileDef.ports(params);
    expect(ports.find((p) => p.name === 'cfg')).toMatchObject({ role: 'target', protocol: 'mem', widthBits: 32, required: false });
    expect(ports.find((p) => p.name === 'mem')).toMatchObject({ role: 'initiator', protocol: 'mem', required: false });
    for (const [n, s] of Object.entries(AimcTileDef.params)) {
      if (s.type === 'energy' || s.type === 'power' || s.type === 'area') {
        expect(s.tech, n).toBe(true);
        // the cell and ADC area terms are optional splits of `area` (0 = not split out); every other price has no default
        if (n === 'cellArea' || n === 'adcArea') expect(s.default, n).toBe('0um2');
        else expect(s.default, n).toBeUndefined();
      }
    }
    expect(AimcTileDef.energy.conversion).toMatchObject({ kind: 'per-event', cost: 'adcConversionEnergy' });
    expect(AimcTileDef.energy.leakage).toMatchObject({ kind: 'static', power: 'leakage' });
    expect(Object.keys(AimcTileDef.faults)).toContain('stuckCell');
    expect(AimcTileDef.caps(params)[0]).toMatchObject({ name: 'aimc', rows: 256, cols: 512, weightBits: 8, inputBits: 8, adcBits: 8, mapping: 'differential' });
    expect(describeModule(AimcTileDef)).toContain('adcConversionEnergy');
  });

  it('HERMES-like params: a 256 x 256 int8 tile, exact while column sums fit the 8-bit ADC, clipped as the reference says otherwise', () => {
    const c = aimcConfigFromParams(params);
    const W = Int32Array.from({ length: 256 * 256 }, (_, i) => ((i * 37) % 255) - 127);
    const st = programTile(c, W, 256, 256);
    // a full-range 8-bit input would overflow the 8-bit ADC; small inputs in {-1, 0, 1} over a few rows stay exact
    const x = Int32Array.from({ length: 256 }, (_, i) => (i < 1 ? 1 : 0));
    expect(Array.from(aimcMvm(st, x).out)).toEqual(matvec(W, 256, 256, x));
    const xb = Int32Array.from({ length: 256 }, (_, i) => (i % 3) - 1);
    expect(Array.from(aimcMvm(st, xb).out)).toEqual(refMvm(c, W, 256, 256, xb).out);
    const tm = aimcTimingFromParams(params, 1000);
    expect(aimcMvmTimePs(st, tm)).toBe(127 * 100 + 2000 + 256 * 300);
  });
});
