/**
 * The DMA engine (after the simulator's Dma, src/modules/dma): the DMA_REGS register file on
 * the `cfg` target port, a one-deep command queue, 1D and 2D transfers split into bursts of
 * `maxBurstBytes`, request/grant initiator ports (`local[]`, `ext`) with the scratchpad
 * protocol, and a `done` pulse. Also the byte-exact reference of a transfer, the simulator's
 * timing recurrence for the same transfers, and the testbench scenario.
 */
import { reachableRegions, type PlatformGraph } from '../platform/index.js';
import type { Rng } from '../util/index.js';
import { clog2, hex, isPow2 } from './names.js';
import { FILE_FOOTER, fileHeader, portList, type PortDecl } from './verilog.js';

/** Register offsets (the simulator's DMA_REGS, src/modules/dma/sim.ts). */
export const RTL_DMA_REGS = { src: 0x00, dst: 0x04, bytes: 0x08, rows: 0x0c, srcStride: 0x10, dstStride: 0x14, cmd: 0x18, status: 0x1c } as const;

/** An address window reached through the local ports: [base, end). */
export interface DmaWindow {
  readonly base: number;
  readonly end: number;
}

/** Geometry of one DMA in RTL. */
export interface DmaGeom {
  /** Connected local ports (the module has this many; the simulator rotates over the connected ones too). */
  readonly locals: number;
  /** Local and external port width in bytes. */
  readonly lb: number;
  readonly eb: number;
  readonly maxBurst: number;
  readonly maxTransfer: number;
  readonly twoD: boolean;
  /** Windows reached by the local ports (an address inside one goes through a local port). */
  readonly windows: readonly DmaWindow[];
}

/** Timing parameters of the simulator's model (for the predicted cycles the testbench prints). */
export interface DmaTiming {
  readonly setupCycles: number;
  readonly rowOverheadCycles: number;
  readonly bandwidthBytesPerCycle: number;
  readonly maxOutstanding: number;
  readonly maxBurstBytes: number;
}

/** `es_dma_l<locals>x<localBits>_e<extBits>_b<burst>_t<maxTransfer>[_1d]_w<windows>`. */
export const dmaModuleName = (g: DmaGeom): string =>
  `es_dma_l${g.locals}x${g.lb * 8}_e${g.eb * 8}_b${g.maxBurst}_t${g.maxTransfer}${g.twoD ? '' : '_1d'}_w${g.windows.length}`;

/**
 * Validates a DMA's parameters for RTL; returns the geometry or the problems (`param`, message,
 * hint). `connectedLocals`: indices of connected local port elements; `windows`: what they reach.
 */
export function dmaGeom(p: Readonly<Record<string, unknown>>, connectedLocals: number, windows: readonly DmaWindow[]): { geom?: DmaGeom; errors: { param: string; message: string; hint?: string }[] } {
  const n = (v: unknown): number => (typeof v === 'number' ? v : Number.NaN);
  const lw = n(p.localWidthBits);
  const ew = n(p.extWidthBits);
  const mb = n(p.maxBurstBytes);
  const mt = n(p.maxTransferBytes);
  const errors: { param: string; message: string; hint?: string }[] = [];
  for (const [param, w] of [['localWidthBits', lw], ['extWidthBits', ew]] as const) {
    if (!isPow2(w) || w < 8 || w > 1024) errors.push({ param, message: `${w}-bit port: the generated DMA needs a power-of-two port width of 8 to 1024 bits (whole bytes, byte-lane realignment)`, hint: 'use 8, 16, 32, 64, 128, ... bits' });
  }
  if (!Number.isInteger(mb) || mb < 1) errors.push({ param: 'maxBurstBytes', message: `${mb} B: a burst must be a positive whole number of bytes` });
  if (!Number.isInteger(mt) || mt < 1 || mt > 0xffffffff) errors.push({ param: 'maxTransferBytes', message: `${mt} B: the RTL's byte-count register is 32 bits`, hint: 'use at most 4 GiB - 1' });
  if (connectedLocals < 1) errors.push({ param: 'localPorts', message: 'no local port is connected: the generated DMA needs at least one', hint: 'connect dma.local[0] to the scratchpad' });
  if (errors.length > 0) return { errors };
  return { geom: { locals: connectedLocals, lb: lw / 8, eb: ew / 8, maxBurst: mb, maxTransfer: mt, twoD: p.twoD !== false, windows }, errors };
}

/**
 * The windows a DMA's connected local ports reach, as the simulator computes them
 * (src/sim/instantiate.ts `reach`): the region of the target, or through an interconnect
 * without a region what its initiator ports reach.
 */
export function dmaLocalWindows(g: PlatformGraph, inst: string, port: string, indices: readonly number[]): DmaWindow[] {
  const all = indices.flatMap((i) => reachableRegions(g, inst, port, i).map((r) => ({ base: r.base, end: r.end })));
  const seenW = new Set<string>();
  return all.filter((w) => {
    const k = `${w.base}:${w.end}`;
    if (seenW.has(k)) return false;
    seenW.add(k);
    return true;
  }).sort((a, b) => a.base - b.base);
}

/** Derived widths of the datapath. */
export function dmaWidths(g: DmaGeom): { w: number; d: number; cw: number; pw: number; nlw: number; ow: number } {
  const w = Math.max(g.lb, g.eb);
  const d = 2 * w;
  return { w, d, cw: clog2(d + 1), pw: Math.max(1, clog2(g.locals + 1)), nlw: Math.max(1, clog2(g.locals)), ow: Math.max(1, clog2(w)) };
}

/** The Verilog ports of the DMA module (bundle names of the platform ports, local elements packed, element 0 low). */
export function dmaPorts(g: DmaGeom): PortDecl[] {
  const L = g.locals;
  return [
    { dir: 'input', name: 'clk_i', width: 1 },
    { dir: 'input', name: 'rst_ni', width: 1 },
    { dir: 'input', name: 'cfg_req_i', width: 1 },
    { dir: 'input', name: 'cfg_we_i', width: 1 },
    { dir: 'input', name: 'cfg_be_i', width: 4 },
    { dir: 'input', name: 'cfg_addr_i', width: 32 },
    { dir: 'input', name: 'cfg_wdata_i', width: 32 },
    { dir: 'output', name: 'cfg_gnt_o', width: 1 },
    { dir: 'output', name: 'cfg_rvalid_o', width: 1 },
    { dir: 'output', name: 'cfg_rdata_o', width: 32 },
    { dir: 'output', name: 'ext_req_o', width: 1 },
    { dir: 'output', name: 'ext_we_o', width: 1 },
    { dir: 'output', name: 'ext_be_o', width: g.eb },
    { dir: 'output', name: 'ext_addr_o', width: 32 },
    { dir: 'output', name: 'ext_wdata_o', width: g.eb * 8 },
    { dir: 'input', name: 'ext_gnt_i', width: 1 },
    { dir: 'input', name: 'ext_rvalid_i', width: 1 },
    { dir: 'input', name: 'ext_rdata_i', width: g.eb * 8 },
    { dir: 'output', name: 'local_req_o', width: L },
    { dir: 'output', name: 'local_we_o', width: L },
    { dir: 'output', name: 'local_be_o', width: L * g.lb },
    { dir: 'output', name: 'local_addr_o', width: L * 32 },
    { dir: 'output', name: 'local_wdata_o', width: L * g.lb * 8 },
    { dir: 'input', name: 'local_gnt_i', width: L },
    { dir: 'input', name: 'local_rvalid_i', width: L },
    { dir: 'input', name: 'local_rdata_i', width: L * g.lb * 8 },
    { dir: 'output', name: 'done_o', width: 1 },
  ];
}

const hex32 = (v: number): string => `32'h${(v >>> 0).toString(16).padStart(8, '0')}`;

/** `#(.WIN_BASE_0(...), .WIN_END_0(...)) ` or '' without windows. */
export function dmaParamOverrides(g: DmaGeom): string {
  if (g.windows.length === 0) return '';
  return `#(${g.windows.map((w, i) => `.WIN_BASE_${i}(${hex32(w.base)}), .WIN_END_${i}(33'h${w.end.toString(16).padStart(9, '0')})`).join(', ')}) `;
}

/** The DMA module. */
/** The transfer registers of DMA_REGS, in offset order (the RTL keeps each, and a queued copy). */
const DMA_FIELDS = ['src', 'dst', 'bytes', 'rows', 'sstr', 'dstr'] as const;

export function emitDma(g: DmaGeom): string {
  const name = dmaModuleName(g);
  const L = g.locals;
  const { w: W, d: D, cw: CW, pw: PW, nlw: NLW, ow: OW } = dmaWidths(g);
  const lbBits = g.lb * 8;
  const ebBits = g.eb * 8;
  const EXT = `${PW}'d${L}`;
  const c = (v: number): string => `${CW}'d${v}`;
  // low bits of a 32-bit address as a CW-bit byte offset inside a word of `bytes`
  const off = (a: string, bytes: number): string => {
    const k = clog2(bytes);
    if (k === 0) return c(0);
    return CW - k > 0 ? `{${CW - k}'d0, ${a}[${k - 1}:0]}` : `${a}[${k - 1}:0]`;
  };
  const align = (a: string, bytes: number): string => {
    const k = clog2(bytes);
    return k === 0 ? a : `{${a}[31:${k}], ${k}'d0}`;
  };
  // bit p of a per-local-port vector (a scalar when there is one local port)
  const b = (v: string, p: number): string => (L === 1 ? v : `${v}[${p}]`);
  const zext = (e: string, from: number, to: number): string => (from === to ? e : `{${to - from}'d0, ${e}}`);
  const T: string[] = [];
  T.push(fileHeader(`${name}: DMA engine, ${L} local ports of ${lbBits} bits and one ext port of ${ebBits} bits (request/grant, response in order one or more cycles after the grant), registers as the simulator's DMA_REGS, 1D${g.twoD ? ' and 2D' : ''} transfers in bursts of at most ${g.maxBurst} B, a one-deep command queue, done_o pulses once per transfer.`));
  const params = g.windows.map((w, i) => [`  parameter [31:0] WIN_BASE_${i} = ${hex32(w.base)}`, `  parameter [32:0] WIN_END_${i} = 33'h${w.end.toString(16).padStart(9, '0')}`]).flat();
  T.push(`module ${name} ${params.length > 0 ? `#(\n${params.join(',\n')}\n) ` : ''}(\n${portList(dmaPorts(g))}\n);`);
  T.push(`  // ---- register file (offsets of DMA_REGS: src 0x00, dst 0x04, bytes 0x08, rows 0x0c, srcStride 0x10, dstStride 0x14, cmd 0x18, status 0x1c)
${DMA_FIELDS.map((f) => `  reg [31:0] ${f}_q;`).join('\n')}
  reg [31:0] id_q;
  // the command queue (one transfer accepted while the engine moves another)
  reg        pv_q;
${DMA_FIELDS.map((f) => `  reg [31:0] p_${f}_q;`).join('\n')}
  reg        cfg_rvalid_q;
  reg [31:0] cfg_rdata_q;
  // engine state: 0 idle, 1 burst set-up, 2 moving a burst
  reg [1:0]  st_q;
  reg        done_q;

  wire [2:0] reg_sel = cfg_addr_i[4:2];
  // registers are decoded from address bits 4:2 (the 32-byte register block repeats in the region)
  wire [28:0] unused_cfg_addr = {cfg_addr_i[31:5], cfg_addr_i[1:0]};
  wire cmd_wr = cfg_req_i & cfg_we_i & (reg_sel == 3'd6);
  // a command waits for its grant while the queue is full
  assign cfg_gnt_o = cfg_req_i & ~(cmd_wr & pv_q);
  wire cfg_acc = cfg_req_i & cfg_gnt_o;
  // the simulator rejects empty transfers, transfers over maxTransferBytes${g.twoD ? '' : ' and 2D transfers (twoD: false)'}: the RTL ignores them (no id, no done)
  wire cmd_ok = (bytes_q != 32'd0) && (bytes_q <= ${hex32(g.maxTransfer)})${g.twoD ? '' : ' && (rows_q == 32\'d0)'};
  wire cmd_go = cfg_acc & cmd_wr & cmd_ok;
  wire busy = (st_q != 2'd0);
  wire [1:0] pending = {1'b0, pv_q} + {1'b0, busy};
  wire [31:0] bmask = {{8{cfg_be_i[3]}}, {8{cfg_be_i[2]}}, {8{cfg_be_i[1]}}, {8{cfg_be_i[0]}}};
  wire [31:0] wmerge_src = (src_q & ~bmask) | (cfg_wdata_i & bmask);
  wire [31:0] wmerge_dst = (dst_q & ~bmask) | (cfg_wdata_i & bmask);
  wire [31:0] wmerge_bytes = (bytes_q & ~bmask) | (cfg_wdata_i & bmask);
  wire [31:0] wmerge_rows = (rows_q & ~bmask) | (cfg_wdata_i & bmask);
  wire [31:0] wmerge_sstr = (sstr_q & ~bmask) | (cfg_wdata_i & bmask);
  wire [31:0] wmerge_dstr = (dstr_q & ~bmask) | (cfg_wdata_i & bmask);
  reg [31:0] rd_val;
  always @* begin
    case (reg_sel)
      3'd0: rd_val = src_q;
      3'd1: rd_val = dst_q;
      3'd2: rd_val = bytes_q;
      3'd3: rd_val = rows_q;
      3'd4: rd_val = sstr_q;
      3'd5: rd_val = dstr_q;
      3'd6: rd_val = id_q;
      default: rd_val = {30'd0, pending};
    endcase
  end
  wire take = pv_q & (st_q == 2'd0);

  always @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      src_q <= 32'd0;
      dst_q <= 32'd0;
      bytes_q <= 32'd0;
      rows_q <= 32'd0;
      sstr_q <= 32'd0;
      dstr_q <= 32'd0;
      id_q <= 32'd0;
      pv_q <= 1'b0;
      p_src_q <= 32'd0;
      p_dst_q <= 32'd0;
      p_bytes_q <= 32'd0;
      p_rows_q <= 32'd0;
      p_sstr_q <= 32'd0;
      p_dstr_q <= 32'd0;
      cfg_rvalid_q <= 1'b0;
      cfg_rdata_q <= 32'd0;
    end else begin
      cfg_rvalid_q <= cfg_acc;
      cfg_rdata_q <= (cfg_acc & ~cfg_we_i) ? rd_val : 32'd0;
      if (cfg_acc & cfg_we_i) begin
        case (reg_sel)
          3'd0: src_q <= wmerge_src;
          3'd1: dst_q <= wmerge_dst;
          3'd2: bytes_q <= wmerge_bytes;
          3'd3: rows_q <= wmerge_rows;
          3'd4: sstr_q <= wmerge_sstr;
          3'd5: dstr_q <= wmerge_dstr;
          default: ;
        endcase
      end
      if (cmd_go) begin
        pv_q <= 1'b1;
        id_q <= id_q + 32'd1;
        p_src_q <= src_q;
        p_dst_q <= dst_q;
        p_bytes_q <= bytes_q;
        p_rows_q <= rows_q;
        p_sstr_q <= sstr_q;
        p_dstr_q <= dstr_q;
      end else if (take) begin
        pv_q <= 1'b0;
      end
    end
  end
  assign cfg_rvalid_o = cfg_rvalid_q;
  assign cfg_rdata_o = cfg_rdata_q;
`);
  // ---- engine
  const winTerms = (a: string, len: string): string => g.windows.length === 0
    ? "1'b0"
    : g.windows.map((_, i) => `((${a} >= WIN_BASE_${i}) && (({1'b0, ${a}} + {1'b0, ${len}}) <= WIN_END_${i}))`).join(' || ');
  T.push(`  // ---- engine: rows, bursts, ports
  reg [31:0] row_src_q;
  reg [31:0] row_dst_q;
  reg [31:0] rowb_q;
  reg [31:0] rows_left_q;
  reg [31:0] s_str_q;
  reg [31:0] d_str_q;
  reg [31:0] roff_q;
  reg [31:0] b_q;
  // byte offset of the burst's source in a word of the widest port
  reg [${OW - 1}:0] bsrc_q;${W === 1 ? '\n  wire unused_bsrc = bsrc_q;' : ''}
  reg [${NLW - 1}:0] nl_q;
  reg [${PW - 1}:0] rd_port_q;
  reg [${PW - 1}:0] wr_port_q;
  reg [31:0] rd_next_q;
  reg [31:0] rd_end_q;
  reg [31:0] rsp_rem_q;
  reg        rsp_first_q;
  reg [31:0] wr_addr_q;
  reg [31:0] wr_rem_q;
  reg [3:0]  rd_out_q;
  reg [3:0]  wr_out_q;
  reg        pend_rd_q;
  reg [${CW - 1}:0] resv_q;
  // byte FIFO between the read and the write side: ${D} bytes, byte 0 first; bytes at and above fc_q are zero
  reg [${D * 8 - 1}:0] fb_q;
  reg [${CW - 1}:0] fc_q;

  // burst set-up: the next burst of the current row, its ports (a local port, round-robin over the local ports per use, when the whole burst lies in a local window; else ext)
  wire [31:0] b_sa = row_src_q + roff_q;
  wire [31:0] b_da = row_dst_q + roff_q;
  wire [31:0] b_rem = rowb_q - roff_q;
  wire [31:0] b_len = (b_rem < ${hex32(g.maxBurst)}) ? b_rem : ${hex32(g.maxBurst)};
  wire src_loc = ${winTerms('b_sa', 'b_len')};
  wire dst_loc = ${winTerms('b_da', 'b_len')};
  wire [${NLW - 1}:0] nl_1 = src_loc ? ${L === 1 ? `${NLW}'d0` : `((nl_q == ${NLW}'d${L - 1}) ? ${NLW}'d0 : nl_q + ${NLW}'d1)`} : nl_q;
  wire [${NLW - 1}:0] nl_2 = dst_loc ? ${L === 1 ? `${NLW}'d0` : `((nl_1 == ${NLW}'d${L - 1}) ? ${NLW}'d0 : nl_1 + ${NLW}'d1)`} : nl_1;
  wire [${PW - 1}:0] rd_port_d = src_loc ? ${zext('nl_q', NLW, PW)} : ${EXT};
  wire [${PW - 1}:0] wr_port_d = dst_loc ? ${zext('nl_1', NLW, PW)} : ${EXT};
  wire [31:0] rd_start = src_loc ? ${align('b_sa', g.lb)} : ${align('b_sa', g.eb)};

  // moving: reads fill the FIFO (space reserved per outstanding read), writes drain it
  wire rd_ext = (rd_port_q == ${EXT});
  wire wr_ext = (wr_port_q == ${EXT});
  wire same = (rd_port_q == wr_port_q);
  wire [${CW - 1}:0] rw = rd_ext ? ${c(g.eb)} : ${c(g.lb)};
  wire [${CW - 1}:0] ww = wr_ext ? ${c(g.eb)} : ${c(g.lb)};
  wire moving = (st_q == 2'd2);
  wire space = ({1'b0, fc_q} + {1'b0, resv_q} + {1'b0, rw}) <= ${CW + 1}'d${D};
  wire can_rd = moving && (rd_next_q < rd_end_q) && space && !(same && (wr_out_q != 4'd0)) && (rd_out_q != 4'd15);
  wire [${CW - 1}:0] lo_w = wr_ext ? ${off('wr_addr_q', g.eb)} : ${off('wr_addr_q', g.lb)};
  wire [${CW - 1}:0] room_w = ww - lo_w;
  wire [${CW - 1}:0] nw = (wr_rem_q < ${zext('room_w', CW, 32)}) ? wr_rem_q[${CW - 1}:0] : room_w;
  wire can_wr = moving && (wr_rem_q != 32'd0) && (fc_q >= nw) && !(same && (rd_out_q != 4'd0)) && (wr_out_q != 4'd15);
  // one port serves reads and writes of a burst in turn; a presented request is held until granted
  wire issue_wr = can_wr && !(same && pend_rd_q && can_rd);
  wire issue_rd = can_rd && !(same && issue_wr);
  reg rd_gnt_p;
  reg wr_gnt_p;
  reg rd_rv_p;
  reg wr_rv_p;
  reg [${W * 8 - 1}:0] rdata_p;
  always @* begin
    rd_gnt_p = 1'b0;
    wr_gnt_p = 1'b0;
    rd_rv_p = 1'b0;
    wr_rv_p = 1'b0;
    rdata_p = ${W * 8}'d0;
    if (rd_ext) begin
      rd_gnt_p = ext_gnt_i;
      rd_rv_p = ext_rvalid_i;
      rdata_p = ${zext('ext_rdata_i', ebBits, W * 8)};
    end
    if (wr_ext) begin
      wr_gnt_p = ext_gnt_i;
      wr_rv_p = ext_rvalid_i;
    end
${Array.from({ length: L }, (_, p) => `    if (rd_port_q == ${PW}'d${p}) begin
      rd_gnt_p = ${b('local_gnt_i', p)};
      rd_rv_p = ${b('local_rvalid_i', p)};
      rdata_p = ${zext(`local_rdata_i[${p * lbBits + lbBits - 1}:${p * lbBits}]`, lbBits, W * 8)};
    end
    if (wr_port_q == ${PW}'d${p}) begin
      wr_gnt_p = ${b('local_gnt_i', p)};
      wr_rv_p = ${b('local_rvalid_i', p)};
    end`).join('\n')}
  end
  wire rd_gnt = issue_rd & rd_gnt_p;
  wire wr_gnt = issue_wr & wr_gnt_p;
  // responses come back in order; on a shared port only one kind is outstanding at a time
  wire rsp_rd = same ? (rd_rv_p & (rd_out_q != 4'd0)) : rd_rv_p;
  wire rsp_wr = same ? (wr_rv_p & (rd_out_q == 4'd0)) : wr_rv_p;
  wire [${CW - 1}:0] lo_r = rsp_first_q ? (rd_ext ? ${off('bsrc_q', g.eb)} : ${off('bsrc_q', g.lb)}) : ${c(0)};
  wire [${CW - 1}:0] room_r = rw - lo_r;
  wire [${CW - 1}:0] nr = (rsp_rem_q < ${zext('room_r', CW, 32)}) ? rsp_rem_q[${CW - 1}:0] : room_r;
  wire [${CW - 1}:0] popn = wr_gnt ? nw : ${c(0)};
  wire [${CW - 1}:0] pushn = rsp_rd ? nr : ${c(0)};
  wire [${W * 8 - 1}:0] in_bytes = (rdata_p >> {lo_r, 3'b000}) & ~({${W * 8}{1'b1}} << {pushn, 3'b000});
  wire [${CW - 1}:0] fc_pop = fc_q - popn;
  wire [${D * 8 - 1}:0] fb_d = (fb_q >> {popn, 3'b000}) | (${zext('in_bytes', W * 8, D * 8)} << {fc_pop, 3'b000});
  // write word: the first nw FIFO bytes at byte lane lo_w
  wire [${W * 8 - 1}:0] w_word = (fb_q[${W * 8 - 1}:0] & ~({${W * 8}{1'b1}} << {nw, 3'b000})) << {lo_w, 3'b000};
  wire [${W - 1}:0] w_be = (~({${W}{1'b1}} << nw)) << lo_w;
  wire [31:0] w_addr_l = ${align('wr_addr_q', g.lb)};
  wire [31:0] w_addr_e = ${align('wr_addr_q', g.eb)};
  wire burst_end = moving && (wr_rem_q == 32'd0) && (wr_out_q == 4'd0) && (rd_out_q == 4'd0);
  wire [31:0] roff_n = roff_q + b_q;
  wire row_end = (roff_n == rowb_q);
  wire last = row_end && (rows_left_q == 32'd1);

  assign ext_req_o = (issue_rd & rd_ext) | (issue_wr & wr_ext);
  assign ext_we_o = issue_wr & wr_ext;
  assign ext_addr_o = (issue_wr & wr_ext) ? w_addr_e : rd_next_q;
  assign ext_be_o = (issue_wr & wr_ext) ? w_be${g.eb === W ? '' : `[${g.eb - 1}:0]`} : {${g.eb}{1'b1}};
  assign ext_wdata_o = (issue_wr & wr_ext) ? w_word${g.eb === W ? '' : `[${ebBits - 1}:0]`} : ${ebBits}'d0;
${Array.from({ length: L }, (_, p) => {
    const wsel = `(issue_wr && (wr_port_q == ${PW}'d${p}))`;
    const rsel = `(issue_rd && (rd_port_q == ${PW}'d${p}))`;
    return `  assign ${b('local_req_o', p)} = ${rsel} || ${wsel};
  assign ${b('local_we_o', p)} = ${wsel};
  assign local_addr_o[${p * 32 + 31}:${p * 32}] = ${wsel} ? w_addr_l : rd_next_q;
  assign local_be_o[${p * g.lb + g.lb - 1}:${p * g.lb}] = ${wsel} ? w_be${g.lb === W ? '' : `[${g.lb - 1}:0]`} : {${g.lb}{1'b1}};
  assign local_wdata_o[${p * lbBits + lbBits - 1}:${p * lbBits}] = ${wsel} ? w_word${g.lb === W ? '' : `[${lbBits - 1}:0]`} : ${lbBits}'d0;`;
  }).join('\n')}
  assign done_o = done_q;

  always @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      st_q <= 2'd0;
      done_q <= 1'b0;
      row_src_q <= 32'd0;
      row_dst_q <= 32'd0;
      rowb_q <= 32'd0;
      rows_left_q <= 32'd0;
      s_str_q <= 32'd0;
      d_str_q <= 32'd0;
      roff_q <= 32'd0;
      b_q <= 32'd0;
      bsrc_q <= ${OW}'d0;
      nl_q <= ${NLW}'d0;
      rd_port_q <= ${PW}'d0;
      wr_port_q <= ${PW}'d0;
      rd_next_q <= 32'd0;
      rd_end_q <= 32'd0;
      rsp_rem_q <= 32'd0;
      rsp_first_q <= 1'b0;
      wr_addr_q <= 32'd0;
      wr_rem_q <= 32'd0;
      rd_out_q <= 4'd0;
      wr_out_q <= 4'd0;
      pend_rd_q <= 1'b0;
      resv_q <= ${c(0)};
      fb_q <= ${D * 8}'d0;
      fc_q <= ${c(0)};
    end else begin
      done_q <= 1'b0;
      pend_rd_q <= issue_rd & ~rd_gnt;
      fb_q <= fb_d;
      fc_q <= fc_pop + pushn;
      resv_q <= resv_q + (rd_gnt ? rw : ${c(0)}) - (rsp_rd ? rw : ${c(0)});
      rd_out_q <= rd_out_q + {3'd0, rd_gnt} - {3'd0, rsp_rd};
      wr_out_q <= wr_out_q + {3'd0, wr_gnt} - {3'd0, rsp_wr};
      if (rd_gnt) rd_next_q <= rd_next_q + ${zext('rw', CW, 32)};
      if (rsp_rd) begin
        rsp_rem_q <= rsp_rem_q - ${zext('nr', CW, 32)};
        rsp_first_q <= 1'b0;
      end
      if (wr_gnt) begin
        wr_addr_q <= wr_addr_q + ${zext('nw', CW, 32)};
        wr_rem_q <= wr_rem_q - ${zext('nw', CW, 32)};
      end
      case (st_q)
        2'd0: begin
          if (take) begin
            row_src_q <= p_src_q;
            row_dst_q <= p_dst_q;
            rowb_q <= p_bytes_q;
            rows_left_q <= (p_rows_q == 32'd0) ? 32'd1 : p_rows_q;
            s_str_q <= p_sstr_q;
            d_str_q <= p_dstr_q;
            roff_q <= 32'd0;
            st_q <= 2'd1;
          end
        end
        2'd1: begin
          b_q <= b_len;
          bsrc_q <= b_sa[${OW - 1}:0];
          nl_q <= nl_2;
          rd_port_q <= rd_port_d;
          wr_port_q <= wr_port_d;
          rd_next_q <= rd_start;
          rd_end_q <= b_sa + b_len;
          rsp_rem_q <= b_len;
          rsp_first_q <= 1'b1;
          wr_addr_q <= b_da;
          wr_rem_q <= b_len;
          st_q <= 2'd2;
        end
        2'd2: begin
          if (burst_end) begin
            if (last) begin
              st_q <= 2'd0;
              done_q <= 1'b1;
            end else begin
              st_q <= 2'd1;
              if (row_end) begin
                rows_left_q <= rows_left_q - 32'd1;
                row_src_q <= row_src_q + s_str_q;
                row_dst_q <= row_dst_q + d_str_q;
                roff_q <= 32'd0;
              end else roff_q <= roff_n;
            end
          end
        end
        default: st_q <= 2'd0;
      endcase
    end
  end
endmodule`);
  T.push(FILE_FOOTER);
  return T.join('\n');
}

// ---------------------------------------------------------------------------------------------
// Reference, timing and test scenario

/** A transfer as the registers hold it (rows 0 = 1D). */
export interface DmaXfer {
  readonly src: number;
  readonly dst: number;
  readonly bytes: number;
  readonly rows: number;
  readonly srcStride: number;
  readonly dstStride: number;
}

/** The testbench memory: two windows of `size` bytes (local at `localBase`, ext at `extBase`), one image. */
export interface DmaTbMemory {
  readonly localBase: number;
  readonly extBase: number;
  readonly size: number;
}

/** Index of an address in the testbench image, or -1. */
export function dmaTbIndex(m: DmaTbMemory, a: number): number {
  if (a >= m.localBase && a < m.localBase + m.size) return a - m.localBase;
  if (a >= m.extBase && a < m.extBase + m.size) return m.size + a - m.extBase;
  return -1;
}

/** Applies a transfer to the image the way the simulator's Dma moves bytes (row by row, burst by burst: read, then write). */
export function dmaApply(m: DmaTbMemory, img: Uint8Array, t: DmaXfer, maxBurst: number): void {
  const rows = t.rows === 0 ? 1 : t.rows;
  for (let r = 0; r < rows; r++) {
    const s0 = t.src + r * (t.rows === 0 ? t.bytes : t.srcStride);
    const d0 = t.dst + r * (t.rows === 0 ? t.bytes : t.dstStride);
    for (let o = 0; o < t.bytes; o += maxBurst) {
      const b = Math.min(maxBurst, t.bytes - o);
      const buf = Array.from({ length: b }, (_, k) => img[dmaTbIndex(m, s0 + o + k)]!);
      buf.forEach((v, k) => { img[dmaTbIndex(m, d0 + o + k)] = v; });
    }
  }
}

/**
 * The simulator's transfer time in cycles (src/modules/dma/sim.ts `run`) with a constant round
 * trip `rtt` (read delay + write delay of the targets): per burst `d = ceil(b / bandwidth)`,
 * issue at `max(s, c[k - maxOutstanding])`, completion `i + max(rtt, d)`, `rowOverheadCycles`
 * before each row of a 2D transfer.
 */
export function dmaPredictCycles(p: DmaTiming, t: DmaXfer, rtt: number): number {
  const twoD = t.rows !== 0;
  const rows = twoD ? t.rows : 1;
  let s = p.setupCycles;
  let last = s;
  const comp: number[] = [];
  for (let r = 0; r < rows; r++) {
    if (twoD) s += p.rowOverheadCycles;
    for (let o = 0; o < t.bytes; o += p.maxBurstBytes) {
      const b = Math.min(p.maxBurstBytes, t.bytes - o);
      const d = Math.ceil(b / p.bandwidthBytesPerCycle);
      const k = comp.length;
      const gate = k >= p.maxOutstanding ? comp[k - p.maxOutstanding]! : 0;
      const i = Math.max(s, gate);
      const cc = i + Math.max(rtt, d);
      comp.push(cc);
      if (cc > last) last = cc;
      s = i + d;
    }
  }
  return Math.max(last, s);
}

/** Round trip of the testbench memories in the simulator's terms: a read and a write of one cycle each. */
export const DMA_TB_RTT = 2;

/** The DMA test: memory windows, the initial image, transfers in groups (a group's transfers are queued back to back), the image after each group. */
export interface DmaTest {
  readonly mem: DmaTbMemory;
  readonly init: Uint8Array;
  readonly xfers: readonly DmaXfer[];
  readonly groups: readonly (readonly number[])[];
  readonly after: readonly Uint8Array[];
  readonly predicted: readonly number[];
}

/**
 * The testbench scenario: a 1D ext -> local transfer of 1.5 bursts + 3 bytes (not a multiple
 * of the burst size, unaligned both sides), a 2D ext -> local transfer with strides, a 1D
 * local -> ext transfer of whole bursts, then a queued pair (2D local -> local, 1D ext -> ext).
 * Sizes shrink with the window (at most 1 KiB per side).
 */
export function dmaScenario(g: DmaGeom, t: DmaTiming, extBase: number, rng: Rng): DmaTest {
  const w0 = g.windows[0]!;
  let size = 1024;
  while (size > 16 && size > w0.end - w0.base) size /= 2;
  const mem: DmaTbMemory = { localBase: w0.base, extBase, size };
  const S = size;
  const sc = (v: number): number => Math.floor((v * S) / 1024);
  const mb = g.maxBurst;
  const L = mem.localBase;
  const E = mem.extBase;
  const one = (src: number, dst: number, bytes: number): DmaXfer => ({ src, dst, bytes: Math.max(1, bytes), rows: 0, srcStride: 0, dstStride: 0 });
  const two = (src: number, dst: number, bytes: number, rows: number, ss: number, ds: number): DmaXfer =>
    (g.twoD ? { src, dst, bytes: Math.max(1, bytes), rows, srcStride: ss, dstStride: ds } : one(src, dst, bytes * rows));
  const xfers: DmaXfer[] = [
    one(E + 5, L + 2, Math.min(mb + Math.floor(mb / 2) + 3, S / 2 - 8)),
    two(E + sc(512) + 1, L + sc(512) + 3, Math.min(27, sc(27)), 4, sc(40), sc(32)),
    one(L, E + S - Math.min(2 * mb, S / 4), Math.min(2 * mb, S / 4)),
    two(L + sc(100), L + sc(700), sc(13), 3, sc(16), sc(20)),
    one(E + sc(600), E + sc(700), sc(9)),
  ];
  const groups = [[0], [1], [2], [3, 4]];
  const init = new Uint8Array(2 * S);
  for (let i = 0; i < init.length; i++) init[i] = rng.nextU32() & 0xff;
  const img = init.slice();
  const after = groups.map((gr) => {
    for (const i of gr) dmaApply(mem, img, xfers[i]!, mb);
    return img.slice();
  });
  return { mem, init, xfers, groups, after, predicted: xfers.map((x) => dmaPredictCycles(t, x, DMA_TB_RTT)) };
}

/** `$readmemh` texts: the initial image and the images after each group (one byte a line), the transfers (src dst bytes rows srcStride dstStride predicted, 7 x 32 bits). */
export function dmaVectors(t: DmaTest): { mem: string; expect: string; xfers: string } {
  const bytes = (a: Uint8Array): string => [...a].map((v) => hex(BigInt(v), 8)).join('\n');
  return {
    mem: `${bytes(t.init)}\n`,
    expect: `${t.after.map(bytes).join('\n')}\n`,
    xfers: `${t.xfers.map((x, i) => [x.src, x.dst, x.bytes, x.rows, x.srcStride, x.dstStride, t.predicted[i]!].map((v) => hex(BigInt(v >>> 0), 32)).join('')).join('\n')}\n`,
  };
}

/** The ext base of the testbench: the first region the ext port reaches outside the local windows, else 0x80000000. */
export function dmaExtBase(g: PlatformGraph, inst: string, locals: readonly DmaWindow[]): number {
  const ext = dmaLocalWindows(g, inst, 'ext', [0]).filter((w) => !locals.some((l) => w.base < l.end && l.base < w.end));
  return ext[0]?.base ?? 0x80000000;
}

