/**
 * The AIMC tile's digital periphery around a black-box crossbar whose boundary is digital
 * codes: input DAC code sequencing (two's-complement inputs to sign-magnitude pulse codes),
 * the start of one analog pass, ADC code capture and reconstruction (code x step, a shift)
 * into int32 outputs. The crossbar (`es_aimc_xbar_*`) is a macro with a behavioural model:
 * programmed unit levels, the exact column sums, the ideal ADC of adc/model.ts, and the
 * simulator's MVM time as its latency.
 *
 * Generated for pulse-width inputs (one pass), ternary or differential mapping (analog or
 * digital subtraction), any number of weight slices (shift-and-add recombination), an ADC step
 * of 2^e column units (e >= 0) and outputs within int32. Others stay black boxes.
 */
import { aimcConfigFromParams, aimcLayout, aimcMvm, aimcMvmTimePs, aimcTimingFromParams, programTile, type AimcTileConfig } from '../modules/index.js';
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
  /** Input bits (two's complement in, sign-magnitude to the DAC when signed). */
  readonly ib: number;
  readonly signed: boolean;
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
}

/** Output width of the tile: int32, as the simulator writes. */
export const AIMC_Y_BITS = 32;
/** Register stages of the generated periphery (input, crossbar start, output): part of the tile's MVM time, so the crossbar macro gets the rest. */
export const AIMC_DIGITAL_CYCLES = 3;

/** The geometry of an aimc-tile instance, or why it stays a black box. */
export function aimcGeom(params: Readonly<Record<string, unknown>>, periodPs: number): { geom?: AimcGeom; why?: string } {
  const p = params as unknown as Parameters<typeof aimcConfigFromParams>[0];
  const config = aimcConfigFromParams(p);
  const L = aimcLayout(config);
  if (config.dac !== 'pulse-width') return { why: 'bit-serial inputs (several DAC phases) have no RTL yet' };
  if (config.mapping === 'offset') return { why: 'offset mapping (digital offset subtraction) has no RTL yet' };
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
  const lb = config.mapping === 'ternary' ? 2 : config.cellBits + 1;
  const digitalSub = config.mapping === 'differential' && config.subtraction === 'digital';
  const cb = config.mapping === 'ternary' ? 0 : config.cellBits;
  // widest output: every unit at its largest code magnitude, shifted and summed over the slices
  const maxMag = 2 ** (signedAdc ? config.adc.bits - 1 : config.adc.bits) * 2 ** e * (digitalSub ? 2 : 1);
  let maxY = 0;
  for (let sl = 0; sl < L.slices; sl++) maxY += maxMag * 2 ** (sl * cb);
  if (maxY >= 2 ** 31) return { why: `outputs up to ${maxY} may not fit the int32 outputs` };
  return {
    geom: {
      config, k, n, upo: L.unitsPerOutput, nu: n * L.unitsPerOutput, slices: L.slices, cellBits: cb, digitalSub,
      ib: config.inputBits, signed: config.inputSigned, lb, adcBits: config.adc.bits, coding: config.adc.coding, e, latency, mvmPs,
    },
  };
}

const sig = (g: AimcGeom): string => `k${g.k}_u${g.nu}_x${g.ib}${g.signed ? 's' : 'u'}_l${g.lb}_a${g.adcBits}${g.coding === 'unsigned' ? 'u' : g.coding === 'twos-complement' ? 't' : 'm'}`;
/** Tile module (periphery + crossbar instance). */
export const aimcTileModuleName = (g: AimcGeom): string => `es_aimc_tile_${sig(g)}_n${g.n}${g.slices > 1 ? `_s${g.slices}c${g.cellBits}` : ''}${g.digitalSub ? '_dsub' : ''}_e${g.e}`;
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
    { dir: 'input', name: 'dac_i', width: g.k * g.ib },
    { dir: 'output', name: 'adc_valid_o', width: 1 },
    { dir: 'output', name: 'adc_code_o', width: g.nu * g.adcBits },
  ];
}

/** The tile's ports (what the top level and the testbench see). */
export function aimcTilePorts(g: AimcGeom): PortDecl[] {
  return [
    ...programPorts(g),
    { dir: 'input', name: 'x_i', width: g.k * g.ib },
    { dir: 'output', name: 'busy_o', width: 1 },
    { dir: 'output', name: 'done_o', width: 1 },
    { dir: 'output', name: 'y_o', width: g.n * AIMC_Y_BITS },
  ];
}

/** The synthesizable tile: periphery registers and logic around the crossbar macro. */
export function emitAimcTile(g: AimcGeom): string {
  const name = aimcTileModuleName(g);
  const { k, n, ib, adcBits: B, e } = g;
  const Y = AIMC_Y_BITS;
  const L: string[] = [fileHeader(`${name}: AIMC tile digital periphery (${k} inputs of ${ib} bits${g.signed ? ' two\'s complement, sent as sign-magnitude pulse codes' : ''}, ${n} outputs, ${B}-bit ${g.coding} ADC codes, step 2^${e}) around the crossbar macro ${aimcXbarName(g)}; int32 outputs ${AIMC_DIGITAL_CYCLES} cycles after the crossbar's latency.`)];
  L.push(`module ${name} (\n${portList(aimcTilePorts(g))}\n);`);
  L.push(`  // input DAC codes`);
  for (let i = 0; i < k; i++) {
    const x = `x_i[${i * ib + ib - 1}:${i * ib}]`;
    if (g.signed) {
      L.push(`  wire [${ib - 1}:0] neg_${i} = ${ib}'d0 - ${x};`);
      L.push(`  wire [${ib - 1}:0] code_${i} = {x_i[${i * ib + ib - 1}], x_i[${i * ib + ib - 1}] ? neg_${i}[${ib - 2}:0] : x_i[${i * ib + ib - 2}:${i * ib}]};`);
      L.push(`  wire unused_neg_${i} = neg_${i}[${ib - 1}];`);
    } else L.push(`  wire [${ib - 1}:0] code_${i} = ${x};`);
  }
  L.push(`  reg [${k * ib - 1}:0] dac_q;`);
  L.push(`  reg start_q;`);
  L.push(`  reg busy_q;`);
  L.push(`  reg done_q;`);
  L.push(`  reg [${n * Y - 1}:0] y_q;`);
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
  L.push(`  // recombination: y = sum over slices s of 2^(s x ${g.cellBits}) x ${g.digitalSub ? '(v(G+) - v(G-))' : 'v'}`);
  for (let j = 0; j < n; j++) {
    const terms: string[] = [];
    for (let sl = 0; sl < g.slices; sl++) {
      const u = j * g.upo + (g.digitalSub ? 2 * sl : sl);
      const v = g.digitalSub ? `(val_${u} - val_${u + 1})` : `val_${u}`;
      const shift = sl * g.cellBits;
      terms.push(shift === 0 ? v : `(${v} << ${shift})`);
    }
    L.push(`  wire [${Y - 1}:0] y_${j} = ${terms.join(' + ')};`);
  }
  L.push(`  always @(posedge clk_i or negedge rst_ni) begin`);
  L.push(`    if (!rst_ni) begin`);
  L.push(`      dac_q <= ${k * ib}'d0;`);
  L.push(`      start_q <= 1'b0;`);
  L.push(`      busy_q <= 1'b0;`);
  L.push(`      done_q <= 1'b0;`);
  L.push(`      y_q <= ${n * Y}'d0;`);
  L.push(`    end else begin`);
  L.push(`      start_q <= 1'b0;`);
  L.push(`      done_q <= 1'b0;`);
  L.push(`      if (start_i && !busy_q) begin`);
  L.push(`        dac_q <= {${Array.from({ length: k }, (_, i) => `code_${k - 1 - i}`).join(', ')}};`);
  L.push(`        start_q <= 1'b1;`);
  L.push(`        busy_q <= 1'b1;`);
  L.push(`      end`);
  L.push(`      if (adc_valid && busy_q) begin`);
  L.push(`        y_q <= {${Array.from({ length: n }, (_, j) => `y_${n - 1 - j}`).join(', ')}};`);
  L.push(`        done_q <= 1'b1;`);
  L.push(`        busy_q <= 1'b0;`);
  L.push(`      end`);
  L.push(`    end`);
  L.push(`  end`);
  L.push(`  ${aimcXbarName(g)} u_xbar (.clk_i(clk_i), .rst_ni(rst_ni), .prog_we_i(prog_we_i), .prog_row_i(prog_row_i), .prog_lv_i(prog_lv_i), .start_i(start_q), .dac_i(dac_q), .adc_valid_o(adc_valid), .adc_code_o(adc_code));`);
  L.push(`  assign busy_o = busy_q;`);
  L.push(`  assign done_o = done_q;`);
  L.push(`  assign y_o = y_q;`);
  L.push('endmodule');
  L.push(FILE_FOOTER);
  return L.join('\n');
}

/** Behavioural model of the crossbar (simulation only): exact column sums, the ideal ADC, a fixed latency. */
export function emitAimcXbarModel(g: AimcGeom): string {
  const name = aimcXbarName(g);
  const { k, ib, lb, adcBits: B, e } = g;
  const n = g.nu;
  const rw = Math.max(1, clog2(g.k));
  const minCode = g.coding === 'unsigned' ? 0 : g.coding === 'twos-complement' ? -(2 ** (B - 1)) : -(2 ** (B - 1) - 1);
  const maxCode = g.coding === 'unsigned' ? 2 ** B - 1 : 2 ** (B - 1) - 1;
  const L: string[] = [fileHeader(`${name}: behavioural model (simulation only) of a ${k}-row AIMC crossbar with ${n} conversion units with its ADCs: programmed unit levels (${lb}-bit signed), ${g.signed ? 'sign-magnitude' : 'unsigned'} pulse codes in, ideal ${B}-bit ${g.coding} ADC codes (round half away from zero of sum / 2^${e}, clamped) out LATENCY cycles after start_i.`)];
  L.push(`module ${name} #(\n  parameter integer LATENCY = ${g.latency}\n) (\n${portList(aimcXbarPorts(g).map((p) => (p.name === 'adc_valid_o' || p.name === 'adc_code_o' ? { ...p, reg: true } : p)))}\n);`);
  L.push(`  reg [${n * lb - 1}:0] lv [0:${k - 1}];`);
  L.push(`  reg [${n * B - 1}:0] hold_q;`);
  L.push(`  reg [31:0] cnt_q;`);
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
  if (g.signed) {
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
  L.push(`      end`);
  L.push(`    end`);
  L.push(`  end`);
  L.push('endmodule');
  L.push(FILE_FOOTER);
  return L.join('\n');
}

/** Test data: programmed weights (as unit levels per row) and input vectors with the simulator's outputs. */
export interface AimcTest {
  /** K rows of N unit levels. */
  readonly levels: readonly (readonly number[])[];
  readonly x: readonly (readonly number[])[];
  readonly y: readonly (readonly number[])[];
  /** Expected cycles from start to done. */
  readonly cycles: number;
}

/** Random weights in the mapping's range, inputs including the extremes, outputs from `aimcMvm`. */
export function aimcScenario(g: AimcGeom, rng: Rng): AimcTest {
  const L = aimcLayout(g.config);
  const rnd = (lo: number, hi: number): number => lo + (rng.nextU32() % (hi - lo + 1));
  const w = Array.from({ length: g.k * g.n }, () => rnd(L.minWeight, L.maxWeight));
  const st = programTile(g.config, w, g.k, g.n, 'rtl');
  const levels = Array.from({ length: g.k }, (_, i) => Array.from({ length: g.nu }, (_, j) => st.unitLevels[i * st.unitCols + j]!));
  const xs: number[][] = [
    Array.from({ length: g.k }, () => rnd(L.minInput, L.maxInput)),
    Array.from({ length: g.k }, () => L.maxInput),
    Array.from({ length: g.k }, () => L.minInput),
    Array.from({ length: g.k }, () => rnd(L.minInput, L.maxInput)),
    Array.from({ length: g.k }, (_, i) => (i % 3 === 0 ? 0 : rnd(L.minInput, L.maxInput))),
  ];
  const y = xs.map((x) => [...aimcMvm(st, x).out].map((v) => Math.round(v)));
  return { levels, x: xs, y, cycles: g.latency + AIMC_DIGITAL_CYCLES };
}

/** `$readmemh` texts: programming rows, input vectors, expected outputs (element 0 in the low bits). */
export function aimcVectors(g: AimcGeom, t: AimcTest): { prog: string; x: string; y: string } {
  const row = (vals: readonly number[], w: number): string => {
    let v = 0n;
    for (let i = vals.length - 1; i >= 0; i--) v = (v << BigInt(w)) | twos(vals[i]!, w);
    return hex(v, vals.length * w);
  };
  return {
    prog: `${t.levels.map((r) => row(r, g.lb)).join('\n')}\n`,
    x: `${t.x.map((r) => row(r, g.ib)).join('\n')}\n`,
    y: `${t.y.map((r) => row(r, AIMC_Y_BITS)).join('\n')}\n`,
  };
}
