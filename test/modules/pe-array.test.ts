import { describe, expect, it } from 'vitest';
import {
  NO_SHIFT, PeArrayDef, accessCounts, conv2d, convDims, gemm, im2col, layerEnergy, lightWeightValue, quantizeLightPe1, quantizeLightPe2,
  quantizeLightWeights, scaleSimCompute, type Dataflow, type LightWeights,
} from '../../src/modules/pe-array/index.js';
import { defaultParams, describeModule } from '../../src/spec/index.js';
import { deriveRng, type Rng } from '../../src/util/index.js';

const DATAFLOWS: readonly Dataflow[] = ['os', 'ws', 'is'];

function randInts<T extends Int8Array | Int16Array>(ctor: new (n: number) => T, n: number, bits: number, rng: Rng): T {
  const out = new ctor(n);
  for (let i = 0; i < n; i++) out[i] = rng.int(2 ** bits) - 2 ** (bits - 1);
  return out;
}

/** Independent reference: exact BigInt triple loop, then two's-complement wrap to `bits`. */
function refIntGemm(a: ArrayLike<number>, w: (k: number, n: number) => bigint, M: number, N: number, K: number, bits: number, prod?: (x: bigint, k: number, n: number) => bigint): number[] {
  const out: number[] = [];
  for (let m = 0; m < M; m++) {
    for (let n = 0; n < N; n++) {
      let s = 0n;
      for (let k = 0; k < K; k++) s += prod ? prod(BigInt(a[m * K + k]!), k, n) : BigInt(a[m * K + k]!) * w(k, n);
      out.push(Number(BigInt.asIntN(bits, s)));
    }
  }
  return out;
}

const SIZES = [
  { M: 1, N: 1, K: 1 },
  { M: 7, N: 5, K: 37 },
  { M: 16, N: 3, K: 9 },
  { M: 3, N: 17, K: 64 },
];

describe('pe-array functional model: integer PEs', () => {
  const rng = deriveRng(1, 'pe-array', 'int');

  it('int8: every dataflow and row count equals the BigInt reference (int32 accumulator)', () => {
    for (const d of SIZES) {
      const a = randInts(Int8Array, d.M * d.K, 8, rng);
      const f = randInts(Int8Array, d.K * d.N, 8, rng);
      const ref = refIntGemm(a, (k, n) => BigInt(f[k * d.N + n]!), d.M, d.N, d.K, 32);
      for (const dataflow of DATAFLOWS) {
        for (const rows of [1, 4, 8, 13]) {
          expect(Array.from(gemm({ peType: 'int8', ifmap: a, filter: f }, d, { dataflow, rows }))).toEqual(ref);
        }
      }
    }
  });

  it('int8: the int32 accumulator wraps like hardware (200000 x (-128 * -128) = 3276800000 -> -1018167296)', () => {
    const K = 200_000;
    const a = new Int8Array(K).fill(-128);
    const f = new Int8Array(K).fill(-128);
    for (const dataflow of DATAFLOWS) {
      const r = gemm({ peType: 'int8', ifmap: a, filter: f }, { M: 1, N: 1, K }, { dataflow, rows: 16 });
      expect(r[0]).toBe(3_276_800_000 - 2 ** 32);
    }
  });

  it('int8 with a 16-bit accumulator wraps modulo 2^16 (mixed signs, random)', () => {
    const d = { M: 4, N: 4, K: 300 };
    const a = randInts(Int8Array, d.M * d.K, 8, rng);
    const f = randInts(Int8Array, d.K * d.N, 8, rng);
    const ref = refIntGemm(a, (k, n) => BigInt(f[k * d.N + n]!), d.M, d.N, d.K, 16);
    for (const dataflow of DATAFLOWS) expect(Array.from(gemm({ peType: 'int8', ifmap: a, filter: f, accBits: 16 }, d, { dataflow, rows: 7 }))).toEqual(ref);
  });

  it('int16: 48-bit accumulator by default, exact on full-range random data', () => {
    for (const d of SIZES) {
      const a = randInts(Int16Array, d.M * d.K, 16, rng);
      const f = randInts(Int16Array, d.K * d.N, 16, rng);
      const ref = refIntGemm(a, (k, n) => BigInt(f[k * d.N + n]!), d.M, d.N, d.K, 48);
      for (const dataflow of DATAFLOWS) expect(Array.from(gemm({ peType: 'int16', ifmap: a, filter: f }, d, { dataflow, rows: 5 }))).toEqual(ref);
    }
  });

  it('int16: the 48-bit accumulator wraps past 2^47 (140000 x 2^30), and accBits 32 wraps modulo 2^32', () => {
    const K = 140_000;
    const a = new Int16Array(K).fill(-32768);
    const f = new Int16Array(K).fill(-32768);
    const exact = 140_000n * 2n ** 30n;
    expect(exact > 2n ** 47n).toBe(true);
    for (const dataflow of DATAFLOWS) {
      expect(gemm({ peType: 'int16', ifmap: a, filter: f }, { M: 1, N: 1, K }, { dataflow, rows: 12 })[0]).toBe(Number(BigInt.asIntN(48, exact)));
      expect(gemm({ peType: 'int16', ifmap: a, filter: f, accBits: 32 }, { M: 1, N: 1, K }, { dataflow, rows: 12 })[0]).toBe(Number(BigInt.asIntN(32, exact)));
    }
  });

  it('refuses inconsistent sizes and accumulator widths', () => {
    const a = new Int8Array(6);
    const f = new Int8Array(6);
    expect(() => gemm({ peType: 'int8', ifmap: a, filter: f }, { M: 2, N: 2, K: 4 }, { dataflow: 'os', rows: 4 })).toThrow(RangeError);
    expect(() => gemm({ peType: 'int8', ifmap: a, filter: f, accBits: 8 }, { M: 2, N: 2, K: 3 }, { dataflow: 'os', rows: 4 })).toThrow(RangeError);
  });
});

describe('pe-array functional model: fp32', () => {
  const rng = deriveRng(2, 'pe-array', 'fp32');
  /** Rounds to binary32 through a Float32Array store (not Math.fround). */
  const f32 = new Float32Array(1);
  const r32 = (x: number): number => {
    f32[0] = x;
    return f32[0]!;
  };

  /** The documented order: os one chain over k; ws/is chains of `rows` k's, then fold sums added in order. */
  function refFp32(a: Float32Array, f: Float32Array, M: number, N: number, K: number, group: number): number[] {
    const out: number[] = [];
    for (let m = 0; m < M; m++) {
      for (let n = 0; n < N; n++) {
        const folds: number[] = [];
        for (let k0 = 0; k0 < K; k0 += group) {
          let ps = r32(a[m * K + k0]! * f[k0 * N + n]!);
          for (let k = k0 + 1; k < Math.min(K, k0 + group); k++) ps = r32(ps + r32(a[m * K + k]! * f[k * N + n]!));
          folds.push(ps);
        }
        let acc = folds[0]!;
        for (const p of folds.slice(1)) acc = r32(acc + p);
        out.push(acc);
      }
    }
    return out;
  }

  it('is bit-exact with the documented accumulation order of each dataflow', () => {
    for (const d of SIZES) {
      const a = new Float32Array(d.M * d.K).map(() => (rng.next() - 0.5) * 2 ** (rng.int(20) - 10));
      const f = new Float32Array(d.K * d.N).map(() => (rng.next() - 0.5) * 2 ** (rng.int(20) - 10));
      for (const rows of [1, 4, 8]) {
        for (const dataflow of DATAFLOWS) {
          const got = Array.from(gemm({ peType: 'fp32', ifmap: a, filter: f }, d, { dataflow, rows }));
          const want = refFp32(a, f, d.M, d.N, d.K, dataflow === 'os' ? d.K : rows);
          expect(got).toEqual(want);
        }
      }
    }
  });

  it('order matters: [1e8, 1, -1e8, 1] . [1, 1, 1, 1] is 1 on os and 0 on ws/is with 2 rows', () => {
    // os: ((1e8 + 1) -> 1e8) - 1e8 = 0, + 1 = 1.  ws: (1e8 + 1 -> 1e8) and (-1e8 + 1 -> -1e8), sum 0.
    const a = new Float32Array([1e8, 1, -1e8, 1]);
    const f = new Float32Array([1, 1, 1, 1]);
    const d = { M: 1, N: 1, K: 4 };
    expect(gemm({ peType: 'fp32', ifmap: a, filter: f }, d, { dataflow: 'os', rows: 2 })[0]).toBe(1);
    expect(gemm({ peType: 'fp32', ifmap: a, filter: f }, d, { dataflow: 'ws', rows: 2 })[0]).toBe(0);
    expect(gemm({ peType: 'fp32', ifmap: a, filter: f }, d, { dataflow: 'is', rows: 2 })[0]).toBe(0);
    // With K <= rows, every dataflow uses one chain.
    expect(gemm({ peType: 'fp32', ifmap: a, filter: f }, d, { dataflow: 'ws', rows: 4 })[0]).toBe(1);
  });

  it('rounds the product to binary32 before the add (no FMA)', () => {
    // (1 + 2^-12)^2 = 1 + 2^-11 + 2^-24 rounds to 1 + 2^-11 (tie to even), then - (1 + 2^-11) = 0 (an FMA would give 2^-24).
    const x = 1 + 2 ** -12;
    const a = new Float32Array([x, -(1 + 2 ** -11)]);
    const f = new Float32Array([x, 1]);
    expect(gemm({ peType: 'fp32', ifmap: a, filter: f }, { M: 1, N: 1, K: 2 }, { dataflow: 'os', rows: 1 })[0]).toBe(0);
  });
});

describe('LightPE weight quantisers (exhaustive on a grid, brute-force reference)', () => {
  /** Brute force: nearest candidate, ties to the larger magnitude, then to the code with fewer terms. */
  function nearest(x: number, cands: ReadonlyArray<{ v: number; terms: number }>): { v: number; terms: number } {
    let best = cands[0]!;
    for (const c of cands) {
      const dc = Math.abs(x - c.v);
      const db = Math.abs(x - best.v);
      if (dc < db || (dc === db && (Math.abs(c.v) > Math.abs(best.v) || (Math.abs(c.v) === Math.abs(best.v) && c.terms < best.terms)))) best = c;
    }
    return best;
  }

  for (let mMax = 0; mMax <= 6; mMax++) {
    it(`LightPE-1, mMax = ${mMax}: 0 or +-2^-m, ties away from zero, clip at 1`, () => {
      const cands = [{ v: 0, terms: 0 }];
      for (let m = 0; m <= mMax; m++) cands.push({ v: 2 ** -m, terms: 1 }, { v: -(2 ** -m), terms: 1 });
      const step = 2 ** -(mMax + 3);
      for (let i = -Math.round(1.5 / step); i <= Math.round(1.5 / step); i++) {
        const x = i * step;
        const want = nearest(x, cands);
        const q = quantizeLightPe1(x, mMax);
        const v = q.sign === 0 ? 0 : q.sign * 2 ** -q.m;
        if (v !== want.v) throw new Error(`x=${x}: got ${v}, want ${want.v}`);
        expect(q.m >= 0 && q.m <= mMax).toBe(true);
      }
      // Explicit ties: 0.75 -> 1; 2^-(mMax+1) -> 2^-mMax; -0.75 -> -1.
      if (mMax >= 1) expect(quantizeLightPe1(0.75, mMax)).toEqual({ sign: 1, m: 0 });
      expect(quantizeLightPe1(-(2 ** -(mMax + 1)), mMax)).toEqual({ sign: -1, m: mMax });
      expect(quantizeLightPe1(2 ** -(mMax + 1) * 0.999, mMax).sign).toBe(0);
    });

    it(`LightPE-2, mMax = ${mMax}: 0 or +-(2^-m1 + b 2^-m2), ties to larger, one-term codes preferred`, () => {
      const cands = [{ v: 0, terms: 0 }];
      for (let m1 = 0; m1 <= mMax; m1++) {
        cands.push({ v: 2 ** -m1, terms: 1 }, { v: -(2 ** -m1), terms: 1 });
        for (let m2 = m1; m2 <= mMax; m2++) cands.push({ v: 2 ** -m1 + 2 ** -m2, terms: 2 }, { v: -(2 ** -m1 + 2 ** -m2), terms: 2 });
      }
      const step = 2 ** -(mMax + 3);
      for (let i = -Math.round(2.5 / step); i <= Math.round(2.5 / step); i++) {
        const x = i * step;
        const want = nearest(x, cands);
        const q = quantizeLightPe2(x, mMax);
        const w: LightWeights = { kind: 'lightpe2', mMax, sign: new Int8Array([q.sign]), m1: new Uint8Array([q.m1]), m2: new Uint8Array([q.m2]) };
        const v = lightWeightValue(w, 0);
        if (v !== want.v) throw new Error(`x=${x}: got ${v}, want ${want.v}`);
        if (q.sign !== 0) {
          const terms = q.m2 === NO_SHIFT ? 1 : 2;
          if (terms !== want.terms) throw new Error(`x=${x}: got ${terms} terms, want ${want.terms}`);
          expect(q.m1 <= mMax && (q.m2 === NO_SHIFT || (q.m2 >= q.m1 && q.m2 <= mMax))).toBe(true);
        }
      }
    });
  }

  it('quantizeLightWeights packs codes; LightPE-1 never uses the second shifter', () => {
    const w1 = quantizeLightWeights('lightpe1', [0.3, -0.9, 0, 0.001], 3);
    expect(Array.from(w1.sign)).toEqual([1, -1, 0, 0]);
    expect(Array.from(w1.m1)).toEqual([2, 0, 0, 0]); // 0.3 -> 0.25 (midpoints 0.375, 0.1875)
    expect(Array.from(w1.m2)).toEqual([NO_SHIFT, NO_SHIFT, NO_SHIFT, NO_SHIFT]);
    const w2 = quantizeLightWeights('lightpe2', [0.3, -0.9, 1.6], 3);
    expect([0, 1, 2].map((i) => lightWeightValue(w2, i))).toEqual([0.25, -1, 1.5]); // mMax 3: 0.3 -> 0.25 (0.375 is farther); 0.9 -> 1 (0.75 is 0.15 away); 1.6 -> 1.5
    expect(lightWeightValue(quantizeLightWeights('lightpe2', [0.3], 4), 0)).toBe(0.3125); // mMax 4: 0.25 + 0.0625
  });
});

describe('LightPE GEMMs (reference: quantised codes, then exact BigInt shift arithmetic)', () => {
  const rng = deriveRng(3, 'pe-array', 'lightpe');

  for (const kind of ['lightpe1', 'lightpe2'] as const) {
    for (const actBits of [8, 16]) {
      for (const shift of ['exact', 'floor'] as const) {
        it(`${kind}, int${actBits} activations, ${shift} shifts, every dataflow`, () => {
          const mMax = 5;
          for (const d of SIZES) {
            const a = actBits === 8 ? randInts(Int8Array, d.M * d.K, 8, rng) : randInts(Int16Array, d.M * d.K, 16, rng);
            const real = Array.from({ length: d.K * d.N }, () => (rng.next() * 2 - 1) * (kind === 'lightpe1' ? 1.2 : 2.2));
            const w = quantizeLightWeights(kind, real, mMax);
            const prod = (x: bigint, k: number, n: number): bigint => {
              const i = k * d.N + n;
              const s = BigInt(w.sign[i]!);
              const m1 = w.m1[i]!;
              const m2 = w.m2[i]!;
              if (shift === 'exact') {
                const t = (x << BigInt(mMax - m1)) + (m2 === NO_SHIFT ? 0n : x << BigInt(mMax - m2));
                return s * t;
              }
              return s * ((x >> BigInt(m1)) + (m2 === NO_SHIFT ? 0n : x >> BigInt(m2)));
            };
            const ref = refIntGemm(a, () => 0n, d.M, d.N, d.K, 32, prod);
            for (const dataflow of DATAFLOWS) {
              const got = gemm({ peType: kind, ifmap: a, filter: w, shift }, d, { dataflow, rows: 4 });
              expect(Array.from(got)).toEqual(ref);
            }
          }
        });
      }
    }
  }

  it('floor shifts truncate toward minus infinity before the sign: -5 * 2^-1 = -3, 5 * -(2^-1) = -2', () => {
    const w: LightWeights = { kind: 'lightpe1', mMax: 3, sign: new Int8Array([1]), m1: new Uint8Array([1]), m2: new Uint8Array([NO_SHIFT]) };
    const wn: LightWeights = { ...w, sign: new Int8Array([-1]) };
    const d = { M: 1, N: 1, K: 1 };
    const arr = { dataflow: 'os' as const, rows: 1 };
    expect(gemm({ peType: 'lightpe1', ifmap: new Int8Array([-5]), filter: w, shift: 'floor' }, d, arr)[0]).toBe(-3);
    expect(gemm({ peType: 'lightpe1', ifmap: new Int8Array([5]), filter: wn, shift: 'floor' }, d, arr)[0]).toBe(-2);
    // exact: -5 * 2^-1 in units of 2^-3 = -20.
    expect(gemm({ peType: 'lightpe1', ifmap: new Int8Array([-5]), filter: w }, d, arr)[0]).toBe(-20);
  });

  it('refuses weights quantised for the other LightPE', () => {
    const w = quantizeLightWeights('lightpe2', [0.5], 3);
    expect(() => gemm({ peType: 'lightpe1', ifmap: new Int8Array([1]), filter: w }, { M: 1, N: 1, K: 1 }, { dataflow: 'os', rows: 1 })).toThrow(RangeError);
  });
});

describe('convolution via im2col (NHWC input, HWIO filter, NHWC output)', () => {
  const rng = deriveRng(4, 'pe-array', 'conv');
  const GEOMS = [
    { shape: { n: 1, h: 5, w: 5, c: 1 }, g: { fh: 3, fw: 3, cout: 1 } },
    { shape: { n: 2, h: 7, w: 6, c: 3 }, g: { fh: 3, fw: 2, cout: 4, strideH: 2, strideW: 1, padTop: 1, padBottom: 1, padLeft: 0, padRight: 2 } },
    { shape: { n: 1, h: 9, w: 9, c: 2 }, g: { fh: 3, fw: 3, cout: 3, dilationH: 2, dilationW: 3, padTop: 2, padLeft: 1 } },
    { shape: { n: 1, h: 8, w: 8, c: 5 }, g: { fh: 1, fw: 1, cout: 6, strideH: 3, strideW: 3 } },
  ];

  it('output sizes follow floor((h + pads - d(f-1) - 1)/s) + 1', () => {
    // 7 + 2 - 2 - 1 = 6, /2 -> 3, +1 = 4; 6 + 2 - 1 - 1 = 6, +1 = 7.
    expect(convDims(GEOMS[1]!.shape, GEOMS[1]!.g)).toEqual({ oh: 4, ow: 7, M: 2 * 4 * 7, N: 4, K: 3 * 2 * 3 });
    // 9 + 2 - 4 - 1 = 6, +1 = 7; 9 + 1 - 6 - 1 = 3, +1 = 4.
    expect(convDims(GEOMS[2]!.shape, GEOMS[2]!.g)).toMatchObject({ oh: 7, ow: 4 });
    expect(convDims({ n: 1, h: 224, w: 224, c: 3 }, { fh: 7, fw: 7, cout: 64, strideH: 2, strideW: 2, padTop: 3, padBottom: 3, padLeft: 3, padRight: 3 })).toMatchObject({ oh: 112, ow: 112 });
    expect(() => convDims({ n: 1, h: 2, w: 2, c: 1 }, { fh: 3, fw: 3, cout: 1 })).toThrow(RangeError);
  });

  it('int8 conv equals a direct 7-loop convolution for every dataflow', () => {
    for (const { shape, g } of GEOMS) {
      const { n, h, w, c } = shape;
      const x = randInts(Int8Array, n * h * w * c, 8, rng);
      const f = randInts(Int8Array, g.fh * g.fw * c * g.cout, 8, rng);
      const sh = g.strideH ?? 1, sw = g.strideW ?? 1, dh = g.dilationH ?? 1, dw = g.dilationW ?? 1;
      const pt = g.padTop ?? 0, pl = g.padLeft ?? 0;
      const pb = g.padBottom ?? 0, pr = g.padRight ?? 0;
      const oh = Math.floor((h + pt + pb - dh * (g.fh - 1) - 1) / sh) + 1;
      const ow = Math.floor((w + pl + pr - dw * (g.fw - 1) - 1) / sw) + 1;
      const ref: number[] = [];
      for (let b = 0; b < n; b++) for (let oy = 0; oy < oh; oy++) for (let ox = 0; ox < ow; ox++) for (let co = 0; co < g.cout; co++) {
        let s = 0;
        for (let ky = 0; ky < g.fh; ky++) for (let kx = 0; kx < g.fw; kx++) for (let ci = 0; ci < c; ci++) {
          const iy = oy * sh + ky * dh - pt;
          const ix = ox * sw + kx * dw - pl;
          if (iy < 0 || ix < 0 || iy >= h || ix >= w) continue;
          s += x[((b * h + iy) * w + ix) * c + ci]! * f[((ky * g.fw + kx) * c + ci) * g.cout + co]!;
        }
        ref.push(s);
      }
      for (const dataflow of DATAFLOWS) {
        const r = conv2d({ peType: 'int8', ifmap: x, filter: f }, shape, g, { dataflow, rows: 4 });
        expect([r.dims.oh, r.dims.ow]).toEqual([oh, ow]);
        expect(Array.from(r.out)).toEqual(ref);
      }
    }
  });

  it('im2col keeps the input type and puts zeros at padded positions', () => {
    const x = new Float32Array([1, 2, 3, 4]); // 2x2, 1 channel
    const cols = im2col(x, { n: 1, h: 2, w: 2, c: 1 }, { fh: 2, fw: 2, cout: 1, padTop: 1, padLeft: 1 });
    expect(cols).toBeInstanceOf(Float32Array);
    // 2x2 outputs (2 + 1 - 1 - 1 + 1); first window covers (-1,-1),(-1,0),(0,-1),(0,0).
    expect(Array.from(cols)).toEqual([0, 0, 0, 1, 0, 0, 1, 2, 0, 1, 0, 3, 1, 2, 3, 4]);
  });
});

describe('energy from access counts', () => {
  it('8x8x8 GEMM on 4x4 os: counts and energies by hand', () => {
    const c = scaleSimCompute({ M: 8, N: 8, K: 8 }, { rows: 4, cols: 4, dataflow: 'os' });
    const n = accessCounts(c);
    // MACs 512; ifmap reads 8*8*ceil(8/4) = 128; filter reads 128; ofmap 64 words really written.
    expect(n).toEqual({ macs: 512, rfReads: 3 * 512, rfWrites: 512 + 256, glbReads: 256, glbWrites: 64 });
    const tech = { macEnergy: 0.5, rfReadEnergy: 1, rfWriteEnergy: 1.5, glbReadEnergy: 10, glbWriteEnergy: 15, leakage: 100 };
    const e = layerEnergy(n, tech, 56_000); // 56 cycles at 1 GHz
    expect(e.mac).toBe(256);
    expect(e.rfRead).toBe(1536);
    expect(e.rfWrite).toBe(1152);
    expect(e.glbRead).toBe(2560);
    expect(e.glbWrite).toBe(960);
    expect(e.leakage).toBeCloseTo(5.6, 12); // 100 uW * 56 ns = 5.6 pJ
    expect(e.total).toBeCloseTo(256 + 1536 + 1152 + 2560 + 960 + 5.6, 9);
  });

  it('ws/is write one partial sum per row fold and read back all but the first', () => {
    // M=5 N=3 K=10 on 4 rows: ceil(10/4) = 3 row folds.
    for (const dataflow of ['ws', 'is'] as const) {
      const n = accessCounts(scaleSimCompute({ M: 5, N: 3, K: 10 }, { rows: 4, cols: 4, dataflow }));
      expect(n.glbWrites).toBe(15 * 3);
      const c = scaleSimCompute({ M: 5, N: 3, K: 10 }, { rows: 4, cols: 4, dataflow });
      expect(n.glbReads).toBe(c.sramIfmapReads + c.sramFilterReads + 15 * 2);
    }
  });
});

describe('PeArrayDef declaration', () => {
  const TECH = ['macEnergy', 'rfReadEnergy', 'rfWriteEnergy', 'glbReadEnergy', 'glbWriteEnergy', 'leakage', 'area'];

  it('technology params are marked tech and have no default; the rest have defaults', () => {
    for (const [name, spec] of Object.entries(PeArrayDef.params)) {
      if (TECH.includes(name)) {
        expect(spec.tech, name).toBe(true);
        expect(spec.default, name).toBeUndefined();
      } else expect(spec.default, name).toBeDefined();
    }
    expect(defaultParams(PeArrayDef)).toBeUndefined();
  });

  it('enums list the PE types, dataflows and timing modes', () => {
    expect(PeArrayDef.params.peType.values).toEqual(['int8', 'int16', 'fp32', 'lightpe1', 'lightpe2']);
    expect(PeArrayDef.params.dataflow.values).toEqual(['os', 'ws', 'is']);
    expect(PeArrayDef.params.timing.values).toEqual(['scalesim', 'stalls']);
    expect(PeArrayDef.params.glbSize.parse('108KiB')).toEqual({ ok: true, value: 108 * 1024 });
    expect(PeArrayDef.params.actBits.parse(12).ok).toBe(false);
  });

  const withTech = {
    ...Object.fromEntries(Object.entries(PeArrayDef.params).flatMap(([k, s]) => (s.default === undefined ? [] : [[k, s.parse(s.default).ok ? (s.parse(s.default) as { value: unknown }).value : undefined]]))),
    macEnergy: 1, rfReadEnergy: 1, rfWriteEnergy: 1, glbReadEnergy: 1, glbWriteEnergy: 1, leakage: 1, area: 1,
  } as unknown as Parameters<typeof PeArrayDef.ports>[0];

  it('ports: cfg target (32 bit) and the optional mem and wmem initiators', () => {
    const ports = PeArrayDef.ports(withTech);
    expect(ports.map((p) => [p.name, p.role, p.protocol, p.widthBits, p.required])).toEqual([
      ['cfg', 'target', 'mem', 32, false],
      ['mem', 'initiator', 'mem', 64, false],
      ['wmem', 'initiator', 'mem', 64, false],
    ]);
  });

  it('energy events, stats and caps', () => {
    expect(Object.keys(PeArrayDef.energy)).toEqual(['mac', 'rfRead', 'rfWrite', 'glbRead', 'glbWrite', 'leakage']);
    expect(Object.keys(PeArrayDef.stats)).toEqual(expect.arrayContaining(['macs', 'cycles', 'stalls', 'ifmapReads', 'filterReads', 'ofmapWrites']));
    const caps = PeArrayDef.caps(withTech);
    expect(caps[0]).toMatchObject({ name: 'pe-array', peType: 'int16', rows: 12, cols: 14, dataflows: ['ws'], actBits: 16, weightBits: 16, accBits: 48 });
    const diana = PeArrayDef.caps({ ...withTech, peType: 'int8', rows: 16, cols: 16, dataflow: 'os' });
    expect(diana[0]).toMatchObject({ peType: 'int8', rows: 16, cols: 16, dataflows: ['os'], actBits: 8, weightBits: 8, accBits: 32 });
    // LightPE-1 with mMax 7: sign + 4-bit code (shifts 0..7 and zero); LightPE-2: sign + two codes.
    expect(PeArrayDef.caps({ ...withTech, peType: 'lightpe1' })[0]).toMatchObject({ actBits: 8, weightBits: 5 });
    expect(PeArrayDef.caps({ ...withTech, peType: 'lightpe2' })[0]).toMatchObject({ actBits: 8, weightBits: 9 });
  });

  it('describe renders the reference', () => {
    const text = describeModule(PeArrayDef);
    expect(text).toContain('pe-array');
    expect(text).toContain('lightpe2');
  });
});
