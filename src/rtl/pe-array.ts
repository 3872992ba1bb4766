/**
 * The output-stationary systolic PE array for integer MAC PEs (int8, int16): activations enter
 * row r skewed by r cycles and move right, weights enter column c skewed by c cycles and move
 * down, each PE accumulates its output in place. A tile of K steps takes K + R + C - 2 cycles
 * from the first operand to the last MAC (SCALE-Sim's os fold latency), and `done_o` pulses
 * once in the cycle after it.
 */
import { FILE_FOOTER, fileHeader, portList } from './verilog.js';
import { hex, twos } from './names.js';
import { NO_SHIFT, defaultAccBits, foldPlan, gemm, type GemmOperands, type LightWeights, type PeType } from '../modules/index.js';
import type { Rng } from '../util/index.js';

/** PE types with generated RTL. */
export const RTL_PE_TYPES: readonly PeType[] = ['int8', 'int16', 'lightpe1', 'lightpe2'];

/** PE types with generated RTL, as a type. */
export type RtlPeType = 'int8' | 'int16' | 'lightpe1' | 'lightpe2';

/** A PE array's RTL geometry. */
export interface PeGeom {
  readonly rows: number;
  readonly cols: number;
  readonly peType: RtlPeType;
  /** Activation width (8 or 16). */
  readonly w: number;
  /**
   * Weight width on the stream: the operand (int8 8, int16 16) or the LightPE weight code of the
   * pe-array's memory format (lightpe1 8: `s0n0mmmm`; lightpe2 16: bit 15 negative, bit 14
   * non-zero, bit 8 second shifter on, bits 7:4 m2, bits 3:0 m1).
   */
  readonly wb: number;
  /** Accumulator width. */
  readonly acc: number;
  /** LightPE largest shift. */
  readonly mMax: number;
  /** LightPE shifter. */
  readonly shift: 'exact' | 'floor';
  /** Dataflow of the generated array. */
  readonly dataflow: 'os' | 'ws';
}

/** Geometry from the pe-array params (`accBits` 0 = the type's default; LightPE: `actBits`, `lightMaxShift`, `lightShift`). */
export function peGeom(rows: number, cols: number, peType: RtlPeType, accBits: number, light: { actBits?: number; mMax?: number; shift?: 'exact' | 'floor' } = {}, dataflow: 'os' | 'ws' = 'os'): PeGeom {
  const isLight = peType === 'lightpe1' || peType === 'lightpe2';
  const w = isLight ? light.actBits ?? 8 : peType === 'int8' ? 8 : 16;
  const wb = peType === 'int8' || peType === 'lightpe1' ? 8 : 16;
  return { rows, cols, peType, w, wb, acc: accBits === 0 ? defaultAccBits(peType) : accBits, mMax: isLight ? light.mMax ?? 7 : 0, shift: light.shift ?? 'exact', dataflow };
}

const isLight = (g: PeGeom): g is PeGeom & { peType: 'lightpe1' | 'lightpe2' } => g.peType === 'lightpe1' || g.peType === 'lightpe2';
const typeTag = (g: PeGeom): string => `${g.dataflow === 'ws' ? 'ws_' : ''}${isLight(g) ? `${g.peType}_x${g.w}_m${g.mMax}_${g.shift}` : g.peType}`;

/** PE module name: `es_pe_<type>_a<acc>` (LightPE: `es_pe_<type>_x<actBits>_m<mMax>_<shift>_a<acc>`). */
export const peModuleName = (g: PeGeom): string => `es_pe_${typeTag(g)}_a${g.acc}`;
/** Array module name: `es_pe_array_<type tag>_a<acc>` (ROWS, COLS are Verilog parameters). */
export const peArrayModuleName = (g: PeGeom): string => `es_pe_array_${typeTag(g)}_a${g.acc}`;

/** Width of the row stream element: valid, first, last, activation. */
const sw = (g: PeGeom): number => g.w + 3;

/**
 * The multiply (or shift-add) of one PE: lines that define `prod_ext`, the product in the
 * accumulator width, from `act_bits` (the activation) and `wgt_bits` (the weight or code).
 */
function macLines(g: PeGeom, actSrc: string, wgtSrc: string): { lines: string; what: string } {
  const { w, wb, acc, mMax } = g;
  if (!isLight(g)) {
    const ext = acc > 2 * w ? `{{${acc - 2 * w}{prod[${2 * w - 1}]}}, prod}` : 'prod';
    return {
      what: `${g.peType} x ${g.peType} MAC PE with a wrapping ${acc}-bit two's-complement accumulator`,
      lines: `  wire signed [${w - 1}:0] act = ${actSrc};
  wire signed [${w - 1}:0] wgt = ${wgtSrc};
  wire signed [${2 * w - 1}:0] prod = act * wgt;
  wire [${acc - 1}:0] prod_ext = ${ext};`,
    };
  }
  const two = g.peType === 'lightpe2';
  const ext = acc > w ? `{{${acc - w}{act[${w - 1}]}}, act}` : 'act';
  const term = (m: string): string => (g.shift === 'exact' ? `a_ext << (4'd${mMax} - ${m})` : `a_ext >>> ${m}`);
  const how = g.shift === 'exact'
    ? `exact shifts: the activation moves left by ${mMax} - m, results in units of 2^-${mMax}`
    : 'floor shifts: arithmetic right shift of the activation by m';
  return {
    what: `${g.peType} shift-add PE, ${w}-bit activations, weights 0 or +-(2^-m1${two ? ' + 2^-m2' : ''}) with m <= ${mMax} (${how}), wrapping ${acc}-bit accumulator; weight code: ${two ? 'bit 15 negative, bit 14 non-zero, bit 8 second shifter, bits 7:4 m2, bits 3:0 m1' : 'bit 7 negative, bit 6 non-zero, bits 3:0 m'}`,
    lines: `  wire [${w - 1}:0] act = ${actSrc};
  wire [${wb - 1}:0] code = ${wgtSrc};
  wire signed [${acc - 1}:0] a_ext = ${ext};
  wire neg = code[${wb - 1}];
  wire nz = code[${wb - 2}];
  wire [3:0] m1 = code[3:0];
  wire [${two ? 4 : 1}:0] unused_code = code[${two ? '13:9' : '5:4'}];
  wire [${acc - 1}:0] t1 = ${term('m1')};
${two ? `  wire g2 = code[8];
  wire [3:0] m2 = code[7:4];
  wire [${acc - 1}:0] t2 = ${term('m2')};
  wire [${acc - 1}:0] sum = t1 + (g2 ? t2 : ${acc}'d0);` : `  wire [${acc - 1}:0] sum = t1;`}
  wire [${acc - 1}:0] prod_ext = !nz ? ${acc}'d0 : neg ? ${acc}'d0 - sum : sum;`,
  };
}

/** One PE: output stationary (accumulates in place) or weight stationary (holds a weight, passes partial sums down). */
export function emitPe(g: PeGeom): string {
  const { w, wb, acc } = g;
  const S = sw(g);
  if (g.dataflow === 'ws') {
    const mac = macLines(g, `a_i[${w - 1}:0]`, 'w_q');
    return `${fileHeader(`${peModuleName(g)}: ${mac.what} (weight stationary: psum_o = psum_i + product).`)}module ${peModuleName(g)} (
${portList([
      { dir: 'input', name: 'clk_i', width: 1 },
      { dir: 'input', name: 'rst_ni', width: 1 },
      { dir: 'input', name: 'wload_i', width: 1 },
      { dir: 'input', name: 'w_i', width: wb },
      { dir: 'output', name: 'w_o', width: wb },
      { dir: 'input', name: 'a_i', width: S },
      { dir: 'output', name: 'a_o', width: S },
      { dir: 'input', name: 'psum_i', width: acc },
      { dir: 'output', name: 'psum_o', width: acc },
    ])}
);
  // a_i = {valid, first (unused), last, activation}; wload_i shifts the weights down one row
  wire valid = a_i[${S - 1}];
  reg [${wb - 1}:0] w_q;
${mac.lines}
  reg [${S - 1}:0] a_q;
  reg [${acc - 1}:0] psum_q;
  always @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      w_q <= ${wb}'d0;
      a_q <= ${S}'d0;
      psum_q <= ${acc}'d0;
    end else begin
      if (wload_i) w_q <= w_i;
      a_q <= a_i;
      if (valid) psum_q <= psum_i + prod_ext;
    end
  end
  assign w_o = w_q;
  assign a_o = a_q;
  assign psum_o = psum_q;
endmodule
${FILE_FOOTER}`;
  }
  const mac = macLines(g, `a_i[${w - 1}:0]`, 'b_i');
  return `${fileHeader(`${peModuleName(g)}: ${mac.what} (output stationary).`)}module ${peModuleName(g)} (
${portList([
    { dir: 'input', name: 'clk_i', width: 1 },
    { dir: 'input', name: 'rst_ni', width: 1 },
    { dir: 'input', name: 'a_i', width: S },
    { dir: 'input', name: 'b_i', width: wb },
    { dir: 'output', name: 'a_o', width: S },
    { dir: 'output', name: 'b_o', width: wb },
    { dir: 'output', name: 'acc_o', width: acc },
  ])}
);
  // a_i = {valid, first, last, activation}: first starts a new sum, last marks the final step
  wire valid = a_i[${S - 1}];
  wire first = a_i[${S - 2}];
${mac.lines}
  reg [${S - 1}:0] a_q;
  reg [${wb - 1}:0] b_q;
  reg [${acc - 1}:0] acc_q;
  always @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      a_q <= ${S}'d0;
      b_q <= ${wb}'d0;
      acc_q <= ${acc}'d0;
    end else begin
      a_q <= a_i;
      b_q <= b_i;
      if (valid) acc_q <= first ? prod_ext : acc_q + prod_ext;
    end
  end
  assign a_o = a_q;
  assign b_o = b_q;
  assign acc_o = acc_q;
endmodule
${FILE_FOOTER}`;
}

/**
 * The weight-stationary array: `wload_i` shifts one row of weights (`w_i`, column c in
 * `w_i[c*WB +: WB]`) into row 0 and every row down by one, so the row for array row ROWS-1 is
 * loaded first; then one ifmap row per step (`a_i[k]` = element k, skewed by k cycles inside),
 * partial sums run down the columns and leave the bottom of column c (`out_o[c]`, `out_valid_o[c]`)
 * c cycles after column 0. A tile of M steps after ROWS weight loads takes 2 ROWS + COLS + M - 2
 * cycles to its last MAC (SCALE-Sim's ws fold latency); `done_o` pulses once in the cycle after.
 */
export function emitPeArrayWs(g: PeGeom): string {
  const { w, wb, acc } = g;
  const S = sw(g);
  const name = peArrayModuleName(g);
  return `${fileHeader(`${name}: ROWS x COLS weight-stationary systolic array of ${peModuleName(g)}; ROWS weight loads then M steps take 2 ROWS + COLS + M - 2 cycles.`)}module ${name} #(
  parameter integer ROWS = ${g.rows},
  parameter integer COLS = ${g.cols}
) (
  input  wire clk_i,
  input  wire rst_ni,
  // weight loading: one row per cycle, the last array row first
  input  wire wload_i,
  input  wire [COLS*${wb}-1:0] w_i,
  // one step per cycle: row m of the ifmap, a_i[k*${w} +: ${w}] = element k
  input  wire in_valid_i,
  input  wire in_last_i,
  input  wire [ROWS*${w}-1:0] a_i,
  // outputs leave the bottom row, column c skewed by c cycles
  output wire [COLS-1:0] out_valid_o,
  output wire [COLS*${acc}-1:0] out_o,
  output wire done_o
);
  wire [ROWS*COLS*${S}-1:0] h;
  wire [ROWS*COLS*${wb}-1:0] wv;
  wire [ROWS*COLS*${acc}-1:0] pv;
  wire [${S}-1:0] last_pe_out;
  genvar r, c, j;
  generate
    for (r = 0; r < ROWS; r = r + 1) begin : g_rskew
      wire [(r+1)*${S}-1:0] chain;
      assign chain[${S}-1:0] = {in_valid_i, 1'b0, in_last_i, a_i[r*${w} +: ${w}]};
      for (j = 0; j < r; j = j + 1) begin : g_stage
        reg [${S}-1:0] q;
        always @(posedge clk_i or negedge rst_ni) begin
          if (!rst_ni) q <= ${S}'d0;
          else q <= chain[j*${S} +: ${S}];
        end
        assign chain[(j+1)*${S} +: ${S}] = q;
      end
      assign h[(r*COLS)*${S} +: ${S}] = chain[r*${S} +: ${S}];
    end
    for (c = 0; c < COLS; c = c + 1) begin : g_top
      assign wv[c*${wb} +: ${wb}] = w_i[c*${wb} +: ${wb}];
      assign pv[c*${acc} +: ${acc}] = ${acc}'d0;
    end
    for (r = 0; r < ROWS; r = r + 1) begin : g_row
      for (c = 0; c < COLS; c = c + 1) begin : g_col
        wire [${S}-1:0] a_out;
        wire [${wb}-1:0] w_out;
        wire [${acc}-1:0] p_out;
        ${peModuleName(g)} u_pe (
          .clk_i(clk_i),
          .rst_ni(rst_ni),
          .wload_i(wload_i),
          .w_i(wv[(r*COLS+c)*${wb} +: ${wb}]),
          .w_o(w_out),
          .a_i(h[(r*COLS+c)*${S} +: ${S}]),
          .a_o(a_out),
          .psum_i(pv[(r*COLS+c)*${acc} +: ${acc}]),
          .psum_o(p_out)
        );
        if (c < COLS-1) begin : g_east
          assign h[(r*COLS+c+1)*${S} +: ${S}] = a_out;
        end else if (r < ROWS-1) begin : g_edge
          wire [${S}-1:0] unused_east = a_out;
        end
        if (r < ROWS-1) begin : g_south
          assign wv[((r+1)*COLS+c)*${wb} +: ${wb}] = w_out;
          assign pv[((r+1)*COLS+c)*${acc} +: ${acc}] = p_out;
        end else begin : g_bottom
          wire [${wb}-1:0] unused_south = w_out;
          assign out_o[c*${acc} +: ${acc}] = p_out;
          assign out_valid_o[c] = a_out[${S - 1}];
          if (c == COLS-1) begin : g_last
            assign last_pe_out = a_out;
          end else begin : g_mid
            wire [${S - 2}:0] unused_flags = a_out[${S - 2}:0];
          end
        end
      end
    end
  endgenerate
  // valid and last of the final PE's last step, registered with its last MAC
  assign done_o = last_pe_out[${S - 1}] & last_pe_out[${S - 3}];
  wire [${S - 3}:0] unused_last = {last_pe_out[${S - 2}], last_pe_out[${S - 4}:0]};
endmodule
${FILE_FOOTER}`;
}

/** The array: skew registers, the PE grid, the done pulse. */
export function emitPeArray(g: PeGeom): string {
  const { w, wb, acc } = g;
  const S = sw(g);
  const name = peArrayModuleName(g);
  return `${fileHeader(`${name}: ROWS x COLS output-stationary systolic array of ${peModuleName(g)}; a tile of K steps takes K + ROWS + COLS - 2 cycles.`)}module ${name} #(
  parameter integer ROWS = ${g.rows},
  parameter integer COLS = ${g.cols}
) (
  input  wire clk_i,
  input  wire rst_ni,
  // one step per cycle: column k of the activations (a_i[r]) and row k of the weights (b_i[c])
  input  wire in_valid_i,
  input  wire in_first_i,
  input  wire in_last_i,
  input  wire [ROWS*${w}-1:0] a_i,
  input  wire [COLS*${wb}-1:0] b_i,
  // one pulse in the cycle after the last MAC of a tile; acc_o[(r*COLS+c)*${acc} +: ${acc}] = output (r, c)
  output wire done_o,
  output wire [ROWS*COLS*${acc}-1:0] acc_o
);
  // h[(r*COLS+c)*${S} +: ${S}]: stream into PE (r, c) from the left; v[(r*COLS+c)*${wb} +: ${wb}]: from above
  wire [ROWS*COLS*${S}-1:0] h;
  wire [ROWS*COLS*${wb}-1:0] v;
  wire [${S}-1:0] last_pe_out;
  genvar r, c, j;
  generate
    for (r = 0; r < ROWS; r = r + 1) begin : g_rskew
      wire [(r+1)*${S}-1:0] chain;
      assign chain[${S}-1:0] = {in_valid_i, in_first_i, in_last_i, a_i[r*${w} +: ${w}]};
      for (j = 0; j < r; j = j + 1) begin : g_stage
        reg [${S}-1:0] q;
        always @(posedge clk_i or negedge rst_ni) begin
          if (!rst_ni) q <= ${S}'d0;
          else q <= chain[j*${S} +: ${S}];
        end
        assign chain[(j+1)*${S} +: ${S}] = q;
      end
      assign h[(r*COLS)*${S} +: ${S}] = chain[r*${S} +: ${S}];
    end
    for (c = 0; c < COLS; c = c + 1) begin : g_cskew
      wire [(c+1)*${wb}-1:0] chain;
      assign chain[${wb}-1:0] = b_i[c*${wb} +: ${wb}];
      for (j = 0; j < c; j = j + 1) begin : g_stage
        reg [${wb}-1:0] q;
        always @(posedge clk_i or negedge rst_ni) begin
          if (!rst_ni) q <= ${wb}'d0;
          else q <= chain[j*${wb} +: ${wb}];
        end
        assign chain[(j+1)*${wb} +: ${wb}] = q;
      end
      assign v[c*${wb} +: ${wb}] = chain[c*${wb} +: ${wb}];
    end
    for (r = 0; r < ROWS; r = r + 1) begin : g_row
      for (c = 0; c < COLS; c = c + 1) begin : g_col
        wire [${S}-1:0] a_out;
        wire [${wb}-1:0] b_out;
        ${peModuleName(g)} u_pe (
          .clk_i(clk_i),
          .rst_ni(rst_ni),
          .a_i(h[(r*COLS+c)*${S} +: ${S}]),
          .b_i(v[(r*COLS+c)*${wb} +: ${wb}]),
          .a_o(a_out),
          .b_o(b_out),
          .acc_o(acc_o[(r*COLS+c)*${acc} +: ${acc}])
        );
        if (c < COLS-1) begin : g_east
          assign h[(r*COLS+c+1)*${S} +: ${S}] = a_out;
        end else if (r == ROWS-1) begin : g_last
          assign last_pe_out = a_out;
        end else begin : g_edge
          wire [${S}-1:0] unused_east = a_out;
        end
        if (r < ROWS-1) begin : g_south
          assign v[((r+1)*COLS+c)*${wb} +: ${wb}] = b_out;
        end else begin : g_bottom
          wire [${wb}-1:0] unused_south = b_out;
        end
      end
    end
  endgenerate
  // valid and last of the final PE's last step, registered with its last MAC
  assign done_o = last_pe_out[${S - 1}] & last_pe_out[${S - 3}];
  wire [${S - 3}:0] unused_last = {last_pe_out[${S - 2}], last_pe_out[${S - 4}:0]};
endmodule
${FILE_FOOTER}`;
}

/** One tile the testbench streams: the operands, the expected outputs and cycles. */
export interface PeTile {
  /** Reduction length: os the steps streamed, ws the weight rows used (<= R). */
  readonly k: number;
  /** Output rows: os R, ws the ifmap rows streamed. */
  readonly m: number;
  /** IFMAP `M x K` row-major (signed). */
  readonly a: readonly number[];
  /** FILTER `K x C` row-major: signed operands, or LightPE weight codes (see {@link PeGeom.wb}). */
  readonly b: readonly number[];
  /** OFMAP `M x C` from the functional model (`gemm` of pe-array/model.ts). */
  readonly out: readonly number[];
  /** Cycles from the first operand (os) or weight load (ws) to the last MAC: the simulator's fold latency. */
  readonly cycles: number;
}

/** LightPE weight codes (memory format) to the model's {@link LightWeights}. */
export function lightWeightsOf(g: PeGeom, codes: readonly number[]): LightWeights {
  const n = codes.length;
  const sign = new Int8Array(n);
  const m1 = new Uint8Array(n);
  const m2 = new Uint8Array(n).fill(NO_SHIFT);
  codes.forEach((c, i) => {
    const top = g.wb - 1;
    if (((c >> (top - 1)) & 1) === 0) return;
    sign[i] = (c >> top) & 1 ? -1 : 1;
    m1[i] = c & 15;
    if (g.peType === 'lightpe2' && (c & 0x100) !== 0) m2[i] = (c >> 4) & 15;
  });
  return { kind: g.peType as 'lightpe1' | 'lightpe2', mMax: g.mMax, sign, m1, m2 };
}

/** Test tiles: random operands, the most negative activations with the largest weights, K = 1, K = 13. */
export function peScenario(g: PeGeom, rng: Rng): PeTile[] {
  const lo = -(2 ** (g.w - 1));
  const span = 2 ** g.w;
  const R = g.rows;
  const C = g.cols;
  const rnd = (): number => lo + (rng.nextU32() % span);
  const light = isLight(g);
  /** A random LightPE code: zero, one shift, or (lightpe2) two shifts m1 <= m2. */
  const lightCode = (): number => {
    const x = rng.nextU32();
    if (x % 5 === 0) return 0;
    const neg = (x >> 3) & 1;
    const m1 = rng.nextU32() % (g.mMax + 1);
    if (g.peType === 'lightpe1') return (neg << 7) | 0x40 | m1;
    const two = (x >> 4) & 1;
    const m2 = two ? m1 + (rng.nextU32() % (g.mMax - m1 + 1)) : 0;
    return (neg << 15) | 0x4000 | (two << 8) | (m2 << 4) | m1;
  };
  const maxCode = g.peType === 'lightpe1' ? 0x40 : 0x4100;
  const ws = g.dataflow === 'ws';
  const specs: { k: number; m: number; a: () => number; b: () => number }[] = ws
    ? [
      { k: R, m: 6, a: rnd, b: light ? lightCode : rnd },
      { k: R, m: 3, a: () => lo, b: light ? () => maxCode : () => lo },
      { k: Math.max(1, R - 1), m: 1, a: rnd, b: light ? lightCode : rnd },
      { k: R, m: 9, a: rnd, b: light ? lightCode : rnd },
    ]
    : [
      { k: 8, m: R, a: rnd, b: light ? lightCode : rnd },
      { k: 5, m: R, a: () => lo, b: light ? () => maxCode : () => lo },
      { k: 1, m: R, a: rnd, b: light ? lightCode : rnd },
      { k: 13, m: R, a: rnd, b: light ? lightCode : rnd },
    ];
  return specs.map((sp) => {
    const { k, m } = sp;
    const a = Array.from({ length: m * k }, sp.a);
    const b = Array.from({ length: k * C }, sp.b);
    const dims = { M: m, N: C, K: k };
    const act = g.w === 8 ? Int8Array.from(a) : Int16Array.from(a);
    const op: GemmOperands = g.peType === 'int8'
      ? { peType: 'int8', ifmap: Int8Array.from(a), filter: Int8Array.from(b), accBits: g.acc }
      : g.peType === 'int16'
        ? { peType: 'int16', ifmap: Int16Array.from(a), filter: Int16Array.from(b), accBits: g.acc }
        : { peType: g.peType, ifmap: act, filter: lightWeightsOf(g, b), accBits: g.acc, shift: g.shift };
    const out = [...gemm(op, dims, { dataflow: g.dataflow, rows: R })];
    const cycles = foldPlan(dims, { rows: R, cols: C, dataflow: g.dataflow }).cyclesPerFold;
    return { k, m, a, b, out, cycles };
  });
}

/**
 * `$readmemh` texts, row/column 0 in the low bits. os: steps ({first, last, a[R], b[C]} per
 * line), tiles ({K, cycles}), expected outputs (one line per tile, R x C). ws: weight loads
 * (R lines per tile, the last array row first, C codes each), steps ({last, a[R]}), tiles
 * ({M, cycles}), expected outputs (one line per output row, C values).
 */
export function peVectors(g: PeGeom, tiles: readonly PeTile[]): { steps: string; tiles: string; expect: string; wload?: string } {
  const R = g.rows;
  const C = g.cols;
  if (g.dataflow === 'ws') {
    const wl: string[] = [];
    const st: string[] = [];
    const ex: string[] = [];
    for (const t of tiles) {
      for (let j = 0; j < R; j++) {
        const kr = R - 1 - j;
        let v = 0n;
        for (let c = C - 1; c >= 0; c--) v = (v << BigInt(g.wb)) | (kr < t.k ? twos(t.b[kr * C + c]!, g.wb) : 0n);
        wl.push(hex(v, C * g.wb));
      }
      for (let m = 0; m < t.m; m++) {
        let v = m === t.m - 1 ? 1n : 0n;
        for (let r = R - 1; r >= 0; r--) v = (v << BigInt(g.w)) | (r < t.k ? twos(t.a[m * t.k + r]!, g.w) : 0n);
        st.push(hex(v, 1 + R * g.w));
        let o = 0n;
        for (let c = C - 1; c >= 0; c--) o = (o << BigInt(g.acc)) | twos(t.out[m * C + c]!, g.acc);
        ex.push(hex(o, C * g.acc));
      }
    }
    const tl = tiles.map((t) => hex((BigInt(t.m) << 16n) | BigInt(t.cycles), 32));
    return { wload: `${wl.join('\n')}\n`, steps: `${st.join('\n')}\n`, tiles: `${tl.join('\n')}\n`, expect: `${ex.join('\n')}\n` };
  }
  const steps: string[] = [];
  for (const t of tiles) {
    for (let k = 0; k < t.k; k++) {
      let v = 0n;
      for (let c = C - 1; c >= 0; c--) v = (v << BigInt(g.wb)) | twos(t.b[k * C + c]!, g.wb);
      for (let r = R - 1; r >= 0; r--) v = (v << BigInt(g.w)) | twos(t.a[r * t.k + k]!, g.w);
      v = (BigInt(k === 0 ? 1 : 0) << BigInt(R * g.w + C * g.wb + 1)) | (BigInt(k === t.k - 1 ? 1 : 0) << BigInt(R * g.w + C * g.wb)) | v;
      steps.push(hex(v, 2 + R * g.w + C * g.wb));
    }
  }
  const tl = tiles.map((t) => hex((BigInt(t.k) << 16n) | BigInt(t.cycles), 32));
  const ex = tiles.map((t) => {
    let v = 0n;
    for (let i = R * C - 1; i >= 0; i--) v = (v << BigInt(g.acc)) | twos(t.out[i]!, g.acc);
    return hex(v, R * C * g.acc);
  });
  return { steps: `${steps.join('\n')}\n`, tiles: `${tl.join('\n')}\n`, expect: `${ex.join('\n')}\n` };
}
