/**
 * The AIMC tile's digital periphery around a black-box crossbar whose boundary is digital
 * codes: input DAC code sequencing (pulse-width: two's-complement inputs to sign-magnitude
 * pulse codes, one pass; bit-serial: b-bit digits phase by phase, the sign bit last), ADC code
 * capture and reconstruction (code x 2^e), shift-and-add recombination over the weight slices
 * and the DAC phases, the offset mapping's digital offset subtraction, and requantization by a
 * per-output int32 or float32 scale (the simulator's SCALE command: round half away from zero,
 * int32 saturation, exact). The crossbar (`es_aimc_xbar_*`) is a macro with a behavioural model:
 * programmed unit levels, the exact column sums, the ideal ADC of adc/model.ts, and the
 * simulator's MVM time (its phase ends for bit-serial inputs) as its latency.
 *
 * Generated for every mapping and DAC mode when the ADC step is 2^e column units (e >= 0), the
 * recombined outputs stay within 2^29 in magnitude (the requantization's exactness bound) and the
 * simulator's timing leaves room for the periphery's registers. Others stay black boxes.
 */
import { aimcConfigFromParams, aimcLayout, aimcMvm, aimcMvmTimePs, aimcTimingFromParams, aimcOutputInt32, aimcScaleValue, programTile, type AimcTileConfig } from '../modules/index.js';
import type { Rng } from '../util/index.js';
import { clog2, hex, twos } from './names.js';
import { FILE_FOOTER, fileHeader, portList, type PortDecl } from './verilog.js';

/** RTL geometry of a supported tile. */
export interface AimcGeom {
  readonly config: AimcTileConfig;
  /** Inputs K (rows) and outputs N. */
  readonly k: number;
  readonly n: number;
  /** Conversion units per output (slices S; 2S with digital subtraction) and their total on the crossbar. */
  readonly upo: number;
  readonly nu: number;
  /** Weight slices S and bits per cell (slice s weighs 2^(s cellBits)). */
  readonly slices: number;
  readonly cellBits: number;
  /** Differential pairs digitised separately (G+ and G- codes subtracted after the ADC). */
  readonly digitalSub: boolean;
  /** Offset mapping: log2 of the offset 2^(weightBits-1) subtracted as offset x sum(x) after recombination; undefined otherwise. */
  readonly offsetLog2: number | undefined;
  /** Input bits (two's complement in, sign-magnitude to the DAC when signed and pulse-width). */
  readonly ib: number;
  readonly signed: boolean;
  /**
   * DAC phases P (pulse-width: 1; bit-serial: the magnitude phases of dacSliceBits b bits each,
   * least significant first, then for signed inputs the sign-bit phase of weight -2^(ib-1)).
   */
  readonly phases: number;
  /** Bit-serial DAC slice bits b (0 for pulse-width). */
  readonly b: number;
  /** Bits of one input's DAC code (pulse-width: ib; bit-serial: the widest digit) and whether codes are sign-magnitude. */
  readonly db: number;
  readonly dacSigned: boolean;
  /** Crossbar macro cycles (from its start) at which each phase's ADC codes are out; the last is {@link latency}. */
  readonly phaseEnds: readonly number[];
  /** Signed unit-level bits. */
  readonly lb: number;
  readonly adcBits: number;
  readonly coding: 'unsigned' | 'twos-complement' | 'sign-magnitude';
  /** ADC step = 2^e column units. */
  readonly e: number;
  /**
   * The crossbar macro's latency in clock cycles: the simulator's MVM time in cycles,
   * ceil(mvmPs / period), less the periphery's {@link AIMC_DIGITAL_CYCLES} register stages, so
   * that the tile as a whole (periphery + macro) takes exactly the simulator's MVM time.
   */
  readonly latency: number;
  /** The simulator's MVM time in ps. */
  readonly mvmPs: number;
  /** Bits of the recombined output's magnitude: |y| < 2^yb (y is held in yb + 1 bits two's complement). */
  readonly yb: number;
  /** Bits of the requantization product |y| x |scale mantissa| (yb + 32). */
  readonly pw: number;
  /** Bits of a stored scale's shift amount (0 .. pw + 33). */
  readonly aw: number;
}

/** Output width of the tile: int32, as the simulator writes. */
export const AIMC_Y_BITS = 32;
/**
 * Register stages of the generated periphery (input codes, crossbar start, recombined output,
 * requantized output): part of the tile's MVM time, so the crossbar macro gets the rest.
 */
export const AIMC_DIGITAL_CYCLES = 4;
/**
 * Largest |y| (recombined output, before the scale) for which the periphery is generated: then
 * |y| x m < 2^29 x 2^24 = 2^53 for every float32 mantissa m, so the simulator's float64 product
 * y x scale is exact and the RTL's exact fixed-point requantization equals it bit for bit.
 */
export const AIMC_Y_EXACT_MAX = 2 ** 29;

/** The geometry of an aimc-tile instance, or why it stays a black box. */
export function aimcGeom(params: Readonly<Record<string, unknown>>, periodPs: number): { geom?: AimcGeom; why?: string } {
  const p = params as unknown as Parameters<typeof aimcConfigFromParams>[0];
  const config = aimcConfigFromParams(p);
  const L = aimcLayout(config);
  const signedAdc = config.adc.coding !== 'unsigned';
  const lsb = config.adc.fullScale / 2 ** (signedAdc ? config.adc.bits - 1 : config.adc.bits);
  const step = lsb / config.adc.gain;
  const e = Math.log2(step);
  if (!Number.isInteger(e) || e < 0) return { why: `ADC step ${step} column units is not 2^e with e >= 0` };
  const n = Math.floor(config.cols / L.colsPerOutput);
  const k = config.rows;
  if (n < 1) return { why: 'no output fits the columns' };
  const timing = aimcTimingFromParams(p, periodPs);
  const mvmPs = aimcMvmTimePs({ n, layout: L, config }, timing);
  const mvmCycles = Math.ceil(mvmPs / periodPs);
  if (mvmCycles < AIMC_DIGITAL_CYCLES + 1) return { why: `the simulator's MVM time (${mvmCycles} cycle(s)) is shorter than the periphery's ${AIMC_DIGITAL_CYCLES} register stages plus one crossbar cycle` };
  const latency = mvmCycles - AIMC_DIGITAL_CYCLES;
  // phase p of the simulator's back-to-back phases ends at (p + 1) x mvmPs / P
  const P = L.phases;
  const phaseEnds = Array.from({ length: P }, (_, ph) => Math.ceil(((ph + 1) * mvmPs) / P / periodPs) - AIMC_DIGITAL_CYCLES);
  phaseEnds[P - 1] = latency;
  if (phaseEnds.some((c, ph) => c - (ph === 0 ? -2 : phaseEnds[ph - 1]!) < 3)) return { why: `bit-serial phases of ${(mvmPs / P / periodPs).toFixed(2)} cycles are shorter than the periphery's per-phase handshake (3 cycles; the first phase 1 cycle plus its ${AIMC_DIGITAL_CYCLES} register stages)` };
  const bitSerial = config.dac === 'bit-serial';
  const magBits = config.inputSigned ? config.inputBits - 1 : config.inputBits;
  const lb = config.mapping === 'ternary' ? 2 : config.cellBits + 1;
  const digitalSub = config.mapping === 'differential' && config.subtraction === 'digital';
  const cb = config.mapping === 'ternary' ? 0 : config.cellBits;
  // widest output: every unit at its largest code magnitude, shifted and summed over the slices
  const maxMag = 2 ** (signedAdc ? config.adc.bits - 1 : config.adc.bits) * 2 ** e * (digitalSub ? 2 : 1);
  let maxY = 0;
  for (let sl = 0; sl < L.slices; sl++) maxY += maxMag * 2 ** (sl * cb);
  // bit-serial: every phase's value times its weight 2^(p b) (the sign phase 2^(ib-1))
  if (bitSerial) maxY *= Array.from({ length: P }, (_, ph) => (ph < L.magnitudePhases ? 2 ** (ph * config.dacSliceBits) : 2 ** (config.inputBits - 1))).reduce((a, x) => a + x, 0);
  const offsetLog2 = config.mapping === 'offset' ? config.weightBits - 1 : undefined;
  // offset mapping: minus 2^(weightBits-1) x sum(x)
  maxY += L.weightOffset * k * Math.max(-L.minInput, L.maxInput);
  if (maxY > AIMC_Y_EXACT_MAX) return { why: `outputs up to ${maxY} exceed 2^29 (the bound under which the float64 requantization y x scale is exact)` };
  const yb = clog2(maxY + 1);
  const pw = yb + 32;
  return {
    geom: {
      config, k, n, upo: L.unitsPerOutput, nu: n * L.unitsPerOutput, slices: L.slices, cellBits: cb, digitalSub, offsetLog2,
      ib: config.inputBits, signed: config.inputSigned, phases: P, b: bitSerial ? config.dacSliceBits : 0,
      db: bitSerial ? Math.max(1, Math.min(config.dacSliceBits, magBits)) : config.inputBits, dacSigned: !bitSerial && config.inputSigned, phaseEnds, lb, adcBits: config.adc.bits, coding: config.adc.coding, e, latency, mvmPs,
      yb, pw, aw: clog2(pw + 34),
    },
  };
}

const sig = (g: AimcGeom): string => `k${g.k}_u${g.nu}_x${g.db}${g.dacSigned ? 's' : 'u'}${g.phases > 1 ? `p${g.phases}` : ''}_l${g.lb}_a${g.adcBits}${g.coding === 'unsigned' ? 'u' : g.coding === 'twos-complement' ? 't' : 'm'}`;
/** Tile module (periphery + crossbar instance). */
export const aimcTileModuleName = (g: AimcGeom): string => `es_aimc_tile_${sig(g)}${g.b > 0 ? `_bs${g.ib}${g.signed ? 's' : 'u'}b${g.b}` : ''}_n${g.n}${g.slices > 1 ? `_s${g.slices}c${g.cellBits}` : ''}${g.digitalSub ? '_dsub' : ''}${g.offsetLog2 === undefined ? '' : `_off${g.offsetLog2}`}_e${g.e}`;
/** Crossbar macro (black box + model); the model's latency is its parameter LATENCY. */
export const aimcXbarName = (g: AimcGeom): string => `es_aimc_xbar_${sig(g)}`;

/** Clock, reset, row programming and start: the ports the crossbar macro and the tile share. */
const programPorts = (g: AimcGeom): PortDecl[] => [
    { dir: 'input', name: 'clk_i', width: 1 },
    { dir: 'input', name: 'rst_ni', width: 1 },
    { dir: 'input', name: 'prog_we_i', width: 1 },
    { dir: 'input', name: 'prog_row_i', width: Math.max(1, clog2(g.k)) },
    { dir: 'input', name: 'prog_lv_i', width: g.nu * g.lb },
    { dir: 'input', name: 'start_i', width: 1 },
];

/** The crossbar macro's ports. */
export function aimcXbarPorts(g: AimcGeom): PortDecl[] {
  return [
    ...programPorts(g),
    { dir: 'input', name: 'dac_i', width: g.k * g.db },
    { dir: 'output', name: 'adc_valid_o', width: 1 },
    { dir: 'output', name: 'adc_code_o', width: g.nu * g.adcBits },
  ];
}

/** The tile's ports (what the top level and the testbench see). */
export function aimcTilePorts(g: AimcGeom): PortDecl[] {
  return [
    ...programPorts(g),
    { dir: 'input', name: 'x_i', width: g.k * g.ib },
    { dir: 'input', name: 'scale_we_i', width: 1 },
    { dir: 'input', name: 'scale_idx_i', width: Math.max(1, clog2(g.n)) },
    { dir: 'input', name: 'scale_fmt_i', width: 1 },
    { dir: 'input', name: 'scale_i', width: 32 },
    { dir: 'output', name: 'busy_o', width: 1 },
    { dir: 'output', name: 'done_o', width: 1 },
    { dir: 'output', name: 'y_o', width: g.n * AIMC_Y_BITS },
  ];
}

/**
 * The scale write port: the 32-bit scale (int32, or float32 when `scale_fmt_i`) decoded once
 * into sign, magnitude m and shift amount a = E + 1 + pw (value = m x 2^E; int32: m = |s|,
 * E = 0; float32: m = the mantissa with its hidden bit (none for denormals), E = max(exp, 1) -
 * 150), a clamped to [0, pw + 33] (beyond it every product rounds to 0 or saturates).
 */
function emitScaleDecode(g: AimcGeom, L: string[]): void {
  const { pw, aw } = g;
  const lo = 149 - pw; // > 0: pw <= 61
  L.push(`  // scale write port: int32 (fmt 0) or float32 (fmt 1) decoded to sign, magnitude m and shift a = E + 1 + ${pw} (scale = m x 2^E)`);
  L.push(`  wire [7:0] sexp = scale_i[30:23];`);
  L.push(`  wire [31:0] sneg = 32'd0 - scale_i;`);
  L.push(`  wire [31:0] dmag = scale_fmt_i ? {8'd0, |sexp, scale_i[22:0]} : (scale_i[31] ? sneg : scale_i);`);
  L.push(`  // max(exp, 1) + ${pw} - 149, clamped to [0, ${pw + 33}]`);
  L.push(`  wire [9:0] sexp1 = {2'd0, sexp[7:1], sexp[0] | ~|sexp};`);
  L.push(`  wire [9:0] su = sexp1 - 10'd${lo};`);
  L.push(`  wire [${aw - 1}:0] dsh = !scale_fmt_i ? ${aw}'d${pw + 1} : sexp1 < 10'd${lo} ? ${aw}'d0 : su > 10'd${pw + 33} ? ${aw}'d${pw + 33} : su[${aw - 1}:0];`);
}

/**
 * Requantization of output j (combinational, from the recombined y_q and the scale registers):
 * round half away from zero of y x m x 2^E, saturated to int32, as the simulator's
 * roundHalfAwayFromZero(y x scale) clamped to int32 (exact: |y| x m < 2^53, see AIMC_Y_EXACT_MAX).
 * q = floor(|y| m 2^(E+1)) is (|y| m << a) >> pw; the rounded magnitude is (q + 1) >> 1.
 */
function emitRequant(g: AimcGeom, j: number, L: string[]): void {
  const { yb, pw, aw } = g;
  const W = 2 * pw + 33;
  L.push(`  wire [${yb}:0] yv_${j} = y_q[${j * (yb + 1) + yb}:${j * (yb + 1)}];`);
  L.push(`  wire [${yb}:0] yn_${j} = ${yb + 1}'d0 - yv_${j};`);
  L.push(`  wire [${yb - 1}:0] ym_${j} = yv_${j}[${yb}] ? yn_${j}[${yb - 1}:0] : yv_${j}[${yb - 1}:0];`);
  L.push(`  wire [${pw - 1}:0] p_${j} = {32'd0, ym_${j}} * {${yb}'d0, sm_q[${j * 32 + 31}:${j * 32}]};`);
  L.push(`  wire [${W - 1}:0] w_${j} = {${pw + 33}'d0, p_${j}} << sa_q[${j * aw + aw - 1}:${j * aw}];`);
  L.push(`  wire [33:0] r_${j} = {1'b0, w_${j}[${pw + 32}:${pw}]} + 34'd1;`);
  L.push(`  wire [32:0] m_${j} = r_${j}[33:1];`);
  L.push(`  wire sgn_${j} = yv_${j}[${yb}] ^ sn_q[${j}];`);
  L.push(`  wire ovf_${j} = |w_${j}[${W - 1}:${pw + 33}] || (sgn_${j} ? m_${j} > 33'h080000000 : m_${j} > 33'h07fffffff);`);
  L.push(`  wire [31:0] o_${j} = ovf_${j} ? (sgn_${j} ? 32'h80000000 : 32'h7fffffff) : (sgn_${j} ? 32'd0 - m_${j}[31:0] : m_${j}[31:0]);`);
  L.push(`  wire [${pw + 1}:0] unused_rq_${j} = {yn_${j}[${yb}], r_${j}[0], w_${j}[${pw - 1}:0]};`);
}

/**
 * Bit-serial input DAC code sequencing: the inputs held in x_q for the MVM, the phase counter
 * ph_q (advanced by each phase's ADC codes) and the DAC digits of the current phase: magnitude
 * phase p drives bits [p b, p b + b) of each input (of its ib - 1 low bits when signed), the
 * sign phase its sign bit, as the simulator's model slices them.
 */
function emitDigits(g: AimcGeom, L: string[]): void {
  const { k, ib, b, db, phases: P } = g;
  const phw = Math.max(1, clog2(P));
  const magBits = g.signed ? ib - 1 : ib;
  const mp = g.signed ? P - 1 : P;
  L.push(`  // bit-serial DAC digits: the inputs held for ${P} phase(s), the current phase's ${db}-bit digits`);
  L.push(`  reg [${k * ib - 1}:0] x_q;`);
  L.push(`  reg [${g.n * (g.yb + 1) - 1}:0] acc_q;`);
  if (P > 1) L.push(`  reg [${phw - 1}:0] ph_q;`);
  const digit = (i: number, ph: number): string => {
    const base = i * ib;
    if (ph >= mp) return db === 1 ? `x_q[${base + ib - 1}]` : `{${db - 1}'d0, x_q[${base + ib - 1}]}`;
    const lo = ph * b;
    const hi = Math.min(lo + db, magBits) - 1;
    const bits = hi === lo ? `x_q[${base + lo}]` : `x_q[${base + hi}:${base + lo}]`;
    return hi - lo + 1 === db ? bits : `{${db - (hi - lo + 1)}'d0, ${bits}}`;
  };
  for (let ph = 0; ph < P; ph++) L.push(`  wire [${k * db - 1}:0] dig_${ph} = {${Array.from({ length: k }, (_, i) => digit(k - 1 - i, ph)).join(', ')}};`);
  L.push(`  wire [${k * db - 1}:0] dac = ${Array.from({ length: P - 1 }, (_, ph) => `ph_q == ${phw}'d${ph} ? dig_${ph} : `).join('')}dig_${P - 1};`);
}

/** The synthesizable tile: periphery registers and logic around the crossbar macro. */
export function emitAimcTile(g: AimcGeom): string {
  const name = aimcTileModuleName(g);
  const { k, n, ib, adcBits: B, e, yb, aw } = g;
  const Y = AIMC_Y_BITS;
  const iw = Math.max(1, clog2(n));
  const bs = g.b > 0;
  const P = g.phases;
  const phw = Math.max(1, clog2(P));
  const how = bs ? `${g.signed ? ' two\'s complement' : ''}, sent bit-serially as ${P} phase(s) of ${g.db}-bit digits (shift-and-add over the phases${g.signed ? ', the sign bit weighing -2^' + String(ib - 1) : ''})` : g.signed ? ' two\'s complement, sent as sign-magnitude pulse codes' : '';
  const L: string[] = [fileHeader(`${name}: AIMC tile digital periphery (${k} inputs of ${ib} bits${how}, ${n} outputs, ${B}-bit ${g.coding} ADC codes, step 2^${e}, per-output int32/float32 requantization) around the crossbar macro ${aimcXbarName(g)}; int32 outputs ${AIMC_DIGITAL_CYCLES} cycles after the crossbar's latency.`)];
  L.push(`module ${name} (\n${portList(aimcTilePorts(g))}\n);`);
  if (bs) emitDigits(g, L);
  else L.push(`  // input DAC codes`);
  for (let i = 0; i < (bs ? 0 : k); i++) {
    const x = `x_i[${i * ib + ib - 1}:${i * ib}]`;
    if (g.signed) {
      L.push(`  wire [${ib - 1}:0] neg_${i} = ${ib}'d0 - ${x};`);
      L.push(`  wire [${ib - 1}:0] code_${i} = {x_i[${i * ib + ib - 1}], x_i[${i * ib + ib - 1}] ? neg_${i}[${ib - 2}:0] : x_i[${i * ib + ib - 2}:${i * ib}]};`);
      L.push(`  wire unused_neg_${i} = neg_${i}[${ib - 1}];`);
    } else L.push(`  wire [${ib - 1}:0] code_${i} = ${x};`);
  }
  const o = g.offsetLog2;
  const sw = ib + clog2(k) + 1;
  if (o !== undefined) {
    L.push(`  // offset mapping: the sum of the inputs (${sw} bits), subtracted x 2^${o} after recombination`);
    const ext = (i: number): string => (g.signed ? `{{${sw - ib}{x_i[${i * ib + ib - 1}]}}, x_i[${i * ib + ib - 1}:${i * ib}]}` : `{${sw - ib}'d0, x_i[${i * ib + ib - 1}:${i * ib}]}`);
    L.push(`  wire [${sw - 1}:0] sumx = ${Array.from({ length: k }, (_, i) => ext(i)).join(' + ')};`);
    L.push(`  reg [${sw - 1}:0] sumx_q;`);
    L.push(`  wire [${Y - 1}:0] offs = {{${Y - sw}{sumx_q[${sw - 1}]}}, sumx_q} << ${o};`);
  }
  if (!bs) L.push(`  reg [${k * ib - 1}:0] dac_q;`);
  L.push(`  reg start_q;`);
  L.push(`  reg busy_q;`);
  L.push(`  reg rq_q;`);
  L.push(`  reg done_q;`);
  L.push(`  reg [${n * (yb + 1) - 1}:0] y_q;`);
  L.push(`  reg [${n * Y - 1}:0] out_q;`);
  L.push(`  reg [${n * 32 - 1}:0] sm_q;`);
  L.push(`  reg [${n * aw - 1}:0] sa_q;`);
  L.push(`  reg [${n - 1}:0] sn_q;`);
  L.push(`  wire adc_valid;`);
  L.push(`  wire [${g.nu * B - 1}:0] adc_code;`);
  L.push(`  // ADC code reconstruction: value = code x 2^${e}, as int32`);
  for (let j = 0; j < g.nu; j++) {
    const c = `adc_code[${j * B + B - 1}:${j * B}]`;
    let v: string;
    const pad = Y - B - e;
    const sh = (x: string): string => (e > 0 ? `{${x}, ${e}'d0}` : x);
    if (g.coding === 'twos-complement') v = sh(`{{${pad}{adc_code[${j * B + B - 1}]}}, ${c}}`);
    else if (g.coding === 'unsigned') v = sh(`{${pad}'d0, ${c}}`);
    else {
      L.push(`  wire [${Y - 1}:0] mag_${j} = ${sh(`{${pad + 1}'d0, adc_code[${j * B + B - 2}:${j * B}]}`)};`);
      v = `adc_code[${j * B + B - 1}] ? ${Y}'d0 - mag_${j} : mag_${j}`;
    }
    L.push(`  wire [${Y - 1}:0] val_${j} = ${v};`);
  }
  L.push(`  // recombination: y = sum over slices s of 2^(s x ${g.cellBits}) x ${g.digitalSub ? '(v(G+) - v(G-))' : 'v'}${o === undefined ? '' : ` - 2^${o} x sum(x)`}; |y| < 2^${yb}, kept in ${yb + 1} bits`);
  for (let j = 0; j < n; j++) {
    const terms: string[] = [];
    for (let sl = 0; sl < g.slices; sl++) {
      const u = j * g.upo + (g.digitalSub ? 2 * sl : sl);
      const v = g.digitalSub ? `(val_${u} - val_${u + 1})` : `val_${u}`;
      const shift = sl * g.cellBits;
      terms.push(shift === 0 ? v : `(${v} << ${shift})`);
    }
    const off = o === undefined ? '' : ' - offs';
    if (!bs) L.push(`  wire [${Y - 1}:0] y_${j} = ${terms.join(' + ')}${off};`);
    else {
      // this phase's value times the phase weight, added to the sum of the earlier phases
      L.push(`  wire [${Y - 1}:0] rc_${j} = ${terms.join(' + ')};`);
      const weighted = (ph: number): string => {
        if (ph === P - 1 && g.signed) return `(${Y}'d0 - (rc_${j} << ${ib - 1}))`;
        return ph === 0 ? `rc_${j}` : `(rc_${j} << ${ph * g.b})`;
      };
      L.push(`  wire [${Y - 1}:0] tp_${j} = ${Array.from({ length: P - 1 }, (_, ph) => `ph_q == ${phw}'d${ph} ? ${weighted(ph)} : `).join('')}${weighted(P - 1)};`);
      L.push(`  wire [${Y - 1}:0] ac_${j} = {{${Y - yb - 1}{acc_q[${j * (yb + 1) + yb}]}}, acc_q[${j * (yb + 1) + yb}:${j * (yb + 1)}]} + tp_${j};`);
      L.push(`  wire [${Y - 1}:0] y_${j} = ac_${j}${off};`);
    }
    L.push(`  wire [${Y - yb - 2}:0] unused_y_${j} = y_${j}[${Y - 1}:${yb + 1}];`);
  }
  emitScaleDecode(g, L);
  L.push(`  // requantization: round half away from zero of y x scale, saturated to int32`);
  for (let j = 0; j < n; j++) emitRequant(g, j, L);
  const all = (w: number, v: string): string => `{${n}{${w}'d${v}}}`;
  L.push(`  always @(posedge clk_i or negedge rst_ni) begin`);
  L.push(`    if (!rst_ni) begin`);
  if (bs) {
    L.push(`      x_q <= ${k * ib}'d0;`);
    L.push(`      acc_q <= ${n * (yb + 1)}'d0;`);
    if (P > 1) L.push(`      ph_q <= ${phw}'d0;`);
  } else L.push(`      dac_q <= ${k * ib}'d0;`);
  if (o !== undefined) L.push(`      sumx_q <= ${sw}'d0;`);
  L.push(`      start_q <= 1'b0;`);
  L.push(`      busy_q <= 1'b0;`);
  L.push(`      rq_q <= 1'b0;`);
  L.push(`      done_q <= 1'b0;`);
  L.push(`      y_q <= ${n * (yb + 1)}'d0;`);
  L.push(`      out_q <= ${n * Y}'d0;`);
  L.push(`      sm_q <= ${all(32, '1')};`);
  L.push(`      sa_q <= ${all(aw, String(g.pw + 1))};`);
  L.push(`      sn_q <= ${n}'d0;`);
  L.push(`    end else begin`);
  L.push(`      start_q <= 1'b0;`);
  L.push(`      rq_q <= 1'b0;`);
  L.push(`      done_q <= 1'b0;`);
  L.push(`      // a row write (the simulator's PROGRAM) resets every scale to 1`);
  L.push(`      if (prog_we_i) begin`);
  L.push(`        sm_q <= ${all(32, '1')};`);
  L.push(`        sa_q <= ${all(aw, String(g.pw + 1))};`);
  L.push(`        sn_q <= ${n}'d0;`);
  L.push(`      end else if (scale_we_i) begin`);
  for (let j = 0; j < n; j++) {
    L.push(`        if (scale_idx_i == ${iw}'d${j}) begin`);
    L.push(`          sm_q[${j * 32 + 31}:${j * 32}] <= dmag;`);
    L.push(`          sa_q[${j * aw + aw - 1}:${j * aw}] <= dsh;`);
    L.push(`          sn_q[${j}] <= scale_i[31];`);
    L.push(`        end`);
  }
  L.push(`      end`);
  L.push(`      if (start_i && !busy_q) begin`);
  if (bs) {
    L.push(`        x_q <= x_i;`);
    L.push(`        acc_q <= ${n * (yb + 1)}'d0;`);
    if (P > 1) L.push(`        ph_q <= ${phw}'d0;`);
  } else L.push(`        dac_q <= {${Array.from({ length: k }, (_, i) => `code_${k - 1 - i}`).join(', ')}};`);
  L.push(`        start_q <= 1'b1;`);
  if (o !== undefined) L.push(`        sumx_q <= sumx;`);
  L.push(`        busy_q <= 1'b1;`);
  L.push(`      end`);
  const cat = (w: string): string => `{${Array.from({ length: n }, (_, j) => `${w}_${n - 1 - j}[${yb}:0]`).join(', ')}}`;
  if (P > 1) {
    L.push(`      if (adc_valid && busy_q && ph_q != ${phw}'d${P - 1}) begin`);
    L.push(`        acc_q <= ${cat('ac')};`);
    L.push(`        ph_q <= ph_q + ${phw}'d1;`);
    L.push(`      end`);
  }
  L.push(`      if (adc_valid && busy_q${P > 1 ? ` && ph_q == ${phw}'d${P - 1}` : ''}) begin`);
  L.push(`        y_q <= ${cat('y')};`);
  L.push(`        rq_q <= 1'b1;`);
  L.push(`      end`);
  L.push(`      if (rq_q) begin`);
  L.push(`        out_q <= {${Array.from({ length: n }, (_, j) => `o_${n - 1 - j}`).join(', ')}};`);
  L.push(`        done_q <= 1'b1;`);
  L.push(`        busy_q <= 1'b0;`);
  L.push(`      end`);
  L.push(`    end`);
  L.push(`  end`);
  L.push(`  ${aimcXbarName(g)} u_xbar (.clk_i(clk_i), .rst_ni(rst_ni), .prog_we_i(prog_we_i), .prog_row_i(prog_row_i), .prog_lv_i(prog_lv_i), .start_i(start_q), .dac_i(${bs ? 'dac' : 'dac_q'}), .adc_valid_o(adc_valid), .adc_code_o(adc_code));`);
  L.push(`  assign busy_o = busy_q;`);
  L.push(`  assign done_o = done_q;`);
  L.push(`  assign y_o = out_q;`);
  L.push('endmodule');
  L.push(FILE_FOOTER);
  return L.join('\n');
}

/** Behavioural model of the crossbar (simulation only): exact column sums, the ideal ADC, a fixed latency. */
export function emitAimcXbarModel(g: AimcGeom): string {
  const name = aimcXbarName(g);
  const { k, db: ib, lb, adcBits: B, e, phases: P } = g;
  const n = g.nu;
  const rw = Math.max(1, clog2(g.k));
  const phw = Math.max(1, clog2(P));
  const minCode = g.coding === 'unsigned' ? 0 : g.coding === 'twos-complement' ? -(2 ** (B - 1)) : -(2 ** (B - 1) - 1);
  const maxCode = g.coding === 'unsigned' ? 2 ** B - 1 : 2 ** (B - 1) - 1;
  const L: string[] = [fileHeader(`${name}: behavioural model (simulation only) of a ${k}-row AIMC crossbar with ${n} conversion units with its ADCs: programmed unit levels (${lb}-bit signed), ${g.dacSigned ? 'sign-magnitude pulse codes' : P > 1 ? `unsigned ${ib}-bit DAC digits` : 'unsigned pulse codes'} in, ideal ${B}-bit ${g.coding} ADC codes (round half away from zero of sum / 2^${e}, clamped) out ${P > 1 ? `for each of ${P} phases (digits sampled at start_i and two cycles after the previous phase's codes; the last phase's codes LATENCY cycles after start_i)` : 'LATENCY cycles after start_i'}.`)];
  L.push(`module ${name} #(\n  parameter integer LATENCY = ${g.latency}\n) (\n${portList(aimcXbarPorts(g).map((p) => (p.name === 'adc_valid_o' || p.name === 'adc_code_o' ? { ...p, reg: true } : p)))}\n);`);
  L.push(`  reg [${n * lb - 1}:0] lv [0:${k - 1}];`);
  L.push(`  reg [${n * B - 1}:0] hold_q;`);
  L.push(`  reg [31:0] cnt_q;`);
  if (P > 1) {
    L.push(`  reg [${phw - 1}:0] ph_q;`);
    L.push(`  reg run_q;`);
    L.push(`  // the cycle (from the start) at which phase p's codes are out: the simulator's phase ends less the periphery's ${AIMC_DIGITAL_CYCLES} register stages; the last is LATENCY`);
    L.push(`  function [31:0] pend;`);
    L.push(`    input [${phw - 1}:0] p;`);
    L.push(`    begin`);
    L.push(`      case (p)`);
    for (let ph = 0; ph < P - 1; ph++) L.push(`        ${phw}'d${ph}: pend = 32'd${g.phaseEnds[ph]!};`);
    L.push(`        default: pend = LATENCY;`);
    L.push(`      endcase`);
    L.push(`    end`);
    L.push(`  endfunction`);
  }
  L.push(`  always @(posedge clk_i) begin`);
  L.push(`    if (prog_we_i) lv[prog_row_i] <= prog_lv_i;`);
  L.push(`  end`);
  L.push(`  // column sums of the pulse codes and their ADC codes`);
  L.push(`  function [${n * B - 1}:0] codes;`);
  L.push(`    input [${k * ib - 1}:0] dac;`);
  L.push(`    integer i;`);
  L.push(`    integer c;`);
  L.push(`    integer d;`);
  L.push(`    integer l;`);
  L.push(`    integer s;`);
  L.push(`    integer q;`);
  L.push(`    reg [${n * lb - 1}:0] row;`);
  L.push(`    begin`);
  L.push(`    codes = ${n * B}'d0;`);
  L.push(`    for (c = 0; c < ${n}; c = c + 1) begin`);
  L.push(`      s = 0;`);
  L.push(`      for (i = 0; i < ${k}; i = i + 1) begin`);
  if (g.dacSigned) {
    L.push(`        d = {${33 - ib}'d0, dac[i*${ib} +: ${ib - 1}]};`);
    L.push(`        if (dac[i*${ib} + ${ib - 1}]) d = -d;`);
  } else L.push(`        d = {${32 - ib}'d0, dac[i*${ib} +: ${ib}]};`);
  L.push(`        row = lv[i];`);
  L.push(`        l = {{${32 - lb}{row[c*${lb} + ${lb - 1}]}}, row[c*${lb} +: ${lb}]};`);
  L.push(`        s = s + d * l;`);
  L.push(`      end`);
  L.push(e > 0 ? `      q = s < 0 ? -((-s + ${2 ** (e - 1)}) >>> ${e}) : ((s + ${2 ** (e - 1)}) >>> ${e});` : `      q = s;`);
  L.push(`      if (q > ${maxCode}) q = ${maxCode};`);
  L.push(`      if (q < ${minCode}) q = ${minCode};`);
  if (g.coding === 'sign-magnitude') {
    L.push(`      if (q < 0) begin`);
    L.push(`        q = -q;`);
    L.push(`        codes[c*${B} +: ${B}] = {1'b1, q[${B - 2}:0]};`);
    L.push(`      end else codes[c*${B} +: ${B}] = q[${B - 1}:0];`);
  } else L.push(`      codes[c*${B} +: ${B}] = q[${B - 1}:0];`);
  L.push(`    end`);
  L.push(`    end`);
  L.push(`  endfunction`);
  L.push(`  always @(posedge clk_i or negedge rst_ni) begin`);
  L.push(`    if (!rst_ni) begin`);
  L.push(`      adc_valid_o <= 1'b0;`);
  L.push(`      adc_code_o <= ${n * B}'d0;`);
  L.push(`      hold_q <= ${n * B}'d0;`);
  L.push(`      cnt_q <= 32'd0;`);
  if (P > 1) {
    L.push(`      ph_q <= ${phw}'d0;`);
    L.push(`      run_q <= 1'b0;`);
    L.push(`    end else begin`);
    L.push(`      adc_valid_o <= 1'b0;`);
    L.push(`      if (start_i) begin`);
    L.push(`        hold_q <= codes(dac_i);`);
    L.push(`        cnt_q <= 32'd1;`);
    L.push(`        ph_q <= ${phw}'d0;`);
    L.push(`        run_q <= 1'b1;`);
    L.push(`      end else if (run_q) begin`);
    L.push(`        cnt_q <= cnt_q + 32'd1;`);
    L.push(`        if (cnt_q == pend(ph_q)) begin`);
    L.push(`          adc_valid_o <= 1'b1;`);
    L.push(`          adc_code_o <= hold_q;`);
    L.push(`          if (ph_q == ${phw}'d${P - 1}) run_q <= 1'b0;`);
    L.push(`          else ph_q <= ph_q + ${phw}'d1;`);
    L.push(`        end`);
    L.push(`        // the next phase's digits, two cycles after the previous phase's codes (the periphery has moved on)`);
    L.push(`        if (ph_q != ${phw}'d0 && cnt_q == pend(ph_q - ${phw}'d1) + 32'd2) hold_q <= codes(dac_i);`);
  } else {
    L.push(`    end else begin`);
    L.push(`      adc_valid_o <= 1'b0;`);
    L.push(`      if (start_i) begin`);
    L.push(`        hold_q <= codes(dac_i);`);
    L.push(`        cnt_q <= LATENCY;`);
    L.push(`      end else if (cnt_q != 32'd0) begin`);
    L.push(`        cnt_q <= cnt_q - 32'd1;`);
    L.push(`        if (cnt_q == 32'd1) begin`);
    L.push(`          adc_valid_o <= 1'b1;`);
    L.push(`          adc_code_o <= hold_q;`);
    L.push(`        end`);
  }
  L.push(`      end`);
  L.push(`    end`);
  L.push(`  end`);
  L.push('endmodule');
  L.push(FILE_FOOTER);
  return L.join('\n');
}

/** Per-output scales loaded through the scale port: format (0 int32, 1 float32) and the raw 32-bit word, per output. */
export interface AimcScaleSet {
  readonly fmt: readonly (0 | 1)[];
  readonly word: readonly number[];
}

/** Test data: programmed weights (as unit levels per row), scales and input vectors with the simulator's outputs. */
export interface AimcTest {
  /** The K x N weight matrix, row-major (what the simulator's PROGRAM reads). */
  readonly weights: readonly number[];
  /** K rows of N unit levels. */
  readonly levels: readonly (readonly number[])[];
  readonly x: readonly (readonly number[])[];
  /** Per MVM: the scales loaded before it (the simulator's SCALE), or undefined to keep the current ones (1 after programming). */
  readonly scales: readonly (AimcScaleSet | undefined)[];
  readonly y: readonly (readonly number[])[];
  /** Expected cycles from start to done. */
  readonly cycles: number;
}

/** The float32 word of a number (rounded to float32). */
const f32Word = (v: number): number => {
  const dv = new DataView(new ArrayBuffer(4));
  dv.setFloat32(0, v, true);
  return dv.getUint32(0, true);
};

/**
 * Scale sets of the testbench, each used for two MVMs and each of one format (the simulator's
 * SCALE command has one format per command): small random int32 (no saturation),
 * dequantization-like float32 (|s| in 1e-3..4, both signs), float32 ties (x.5 results), int32
 * and float32 values that saturate int32, edge cases (0, -0, denormals, the smallest normal,
 * identity, powers of 2 that put |y| near 0.5), and random mixes of every kind including
 * random 32-bit words (finite floats).
 */
function scaleSets(g: AimcGeom, rng: Rng): AimcScaleSet[] {
  const rnd = (lo: number, hi: number): number => lo + (rng.nextU32() % (hi - lo + 1));
  const pick = <T>(list: readonly T[]): T => list[rng.int(list.length)]!;
  const big = Math.floor((2 ** 31 - 1) / 2 ** g.yb);
  const deq = (): number => f32Word((rng.nextU32() & 1 ? -1 : 1) * 10 ** (-3 + rng.next() * Math.log10(4000)));
  const ties = [0.5, -0.5, 1.5, -2.5, 0.25, 0.75, -0.125, 3.5, -0.375].map(f32Word);
  const ints = [2 ** 31 - 1, -(2 ** 31), 2 ** 24 + 1, -(2 ** 20), 0, 1, -1].map((v) => v >>> 0);
  const sat = [3e9, -1e30, 2 ** 100, -(2 ** 40), 3.4e38].map(f32Word);
  const edge = [0, -0, 1e-40, -1.4e-45, 1.1754944e-38, 1, -1, 2 ** -g.yb, 2 ** -(g.yb + 1), -3 * 2 ** -(g.yb + 1), 2 ** -(g.yb + 2)].map(f32Word);
  // a random word that is an infinity or a NaN (the simulator refuses them) loses an exponent bit
  const finite = (w: number): number => (((w >>> 23) & 0xff) === 0xff ? (w & 0xbfffffff) >>> 0 : w);
  const set = (fmt: 0 | 1, f: (j: number) => number): AimcScaleSet => ({ fmt: new Array<0 | 1>(g.n).fill(fmt), word: Array.from({ length: g.n }, (_, j) => f(j)) });
  // every entry of a list, in as many sets as it takes
  const cover = (fmt: 0 | 1, list: readonly number[]): AimcScaleSet[] => Array.from({ length: Math.ceil(list.length / g.n) }, (_, t) => set(fmt, (j) => list[(t * g.n + j) % list.length]!));
  return [
    set(0, (j) => (j % 2 === 0 ? rnd(-big, big) : rnd(-100, 100)) >>> 0),
    set(1, deq),
    ...cover(1, ties),
    ...cover(0, ints),
    ...cover(1, sat),
    ...cover(1, edge),
    set(0, () => [() => rnd(-big, big) >>> 0, () => rng.nextU32(), () => pick(ints)][rng.int(3)]!()),
    set(1, () => [deq, () => finite(rng.nextU32()), () => pick(ties), () => pick(sat), () => pick(edge)][rng.int(5)]!()),
  ];
}

/**
 * Random weights in the mapping's range, inputs including the extremes, per-output scales;
 * outputs from `aimcMvm` with the scales programmed (`programTile`), rounded and clamped to
 * int32 as the simulator's MVM command writes them.
 */
export function aimcScenario(g: AimcGeom, rng: Rng): AimcTest {
  const L = aimcLayout(g.config);
  const rnd = (lo: number, hi: number): number => lo + (rng.nextU32() % (hi - lo + 1));
  const w = Array.from({ length: g.k * g.n }, () => rnd(L.minWeight, L.maxWeight));
  const st = programTile(g.config, w, g.k, g.n, 'rtl');
  const levels = Array.from({ length: g.k }, (_, i) => Array.from({ length: g.nu }, (_, j) => st.unitLevels[i * st.unitCols + j]!));
  const randomX = (): number[] => Array.from({ length: g.k }, () => rnd(L.minInput, L.maxInput));
  const xs: number[][] = [
    randomX(),
    Array.from({ length: g.k }, () => L.maxInput),
    Array.from({ length: g.k }, () => L.minInput),
    randomX(),
    Array.from({ length: g.k }, (_, i) => (i % 3 === 0 ? 0 : rnd(L.minInput, L.maxInput))),
  ];
  const scales: (AimcScaleSet | undefined)[] = xs.map(() => undefined);
  scaleSets(g, rng).forEach((s, si) => {
    xs.push(randomX(), Array.from({ length: g.k }, () => (si % 2 === 0 ? L.maxInput : L.minInput)));
    scales.push(s, undefined);
  });
  let scaled = st;
  const y = xs.map((x, v) => {
    const s = scales[v];
    if (s !== undefined) scaled = programTile(g.config, w, g.k, g.n, 'rtl', s.fmt.map((f, j) => aimcScaleValue(f, s.word[j]!)));
    return [...aimcMvm(scaled, x).out].map((q) => aimcOutputInt32(q));
  });
  return { weights: w, levels, x: xs, scales, y, cycles: g.latency + AIMC_DIGITAL_CYCLES };
}

/** `$readmemh` texts: programming rows, input vectors, scales (a load flag above N {fmt, word} of 33 bits), expected outputs (element 0 in the low bits). */
export function aimcVectors(g: AimcGeom, t: AimcTest): { prog: string; x: string; scale: string; y: string } {
  const row = (vals: readonly number[], w: number): string => {
    let v = 0n;
    for (let i = vals.length - 1; i >= 0; i--) v = (v << BigInt(w)) | twos(vals[i]!, w);
    return hex(v, vals.length * w);
  };
  const scaleRow = (s: AimcScaleSet | undefined): string => {
    let v = s === undefined ? 0n : 1n;
    for (let j = g.n - 1; j >= 0; j--) v = (v << 33n) | (s === undefined ? 0n : (BigInt(s.fmt[j]!) << 32n) | BigInt(s.word[j]! >>> 0));
    return hex(v, 33 * g.n + 1);
  };
  return {
    prog: `${t.levels.map((r) => row(r, g.lb)).join('\n')}\n`,
    x: `${t.x.map((r) => row(r, g.ib)).join('\n')}\n`,
    scale: `${t.scales.map(scaleRow).join('\n')}\n`,
    y: `${t.y.map((r) => row(r, AIMC_Y_BITS)).join('\n')}\n`,
  };
}
