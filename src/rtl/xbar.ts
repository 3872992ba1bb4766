/**
 * The interconnect (`xbar`): N request/grant inputs, M request/grant outputs, address decode
 * from the routes the platform gives the instance (the simulator's decode table, mirrored from
 * src/modules/xbar/sim.ts and src/sim/instantiate.ts `reachOf`), a round-robin arbiter per
 * output, a fixed request pipeline and in-order response routing. Also the cycle model of the
 * RTL (what the testbench expects) and the test scenario the testbench replays.
 */
import { reachableRegions, type PlatformGraph } from '../platform/index.js';
import type { Rng } from '../util/index.js';
import { clog2, hex, pack } from './names.js';
import { FILE_FOOTER, fileHeader, portList, type PortDecl } from './verilog.js';

/** One decoded range: byte addresses `[base, end)` go out through output `out`. */
export interface XbarRtlRoute {
  readonly base: number;
  readonly end: number;
  readonly out: number;
  readonly target: string;
}

/** Geometry of one interconnect instance in RTL. */
export interface XbarGeom {
  /** Verilog name of the instance (the module is per instance: its decode table is). */
  readonly inst: string;
  readonly n: number;
  readonly m: number;
  /** Data width in bits. */
  readonly w: number;
  readonly latency: number;
  /** Output occupancy of one word: ceil(bytes / bandwidthBytesPerCycle). */
  readonly occ: number;
  /** The decode table, sorted by base (the simulator's order: first match wins). */
  readonly routes: readonly XbarRtlRoute[];
}

/** Depth of the per-output FIFO of response owners (outstanding target transactions per output). */
export const XBAR_FIFO_DEPTH = 4;
/** Outstanding transactions per input (to one output at a time). */
export const XBAR_MAX_OUTSTANDING = 15;

/** Request pipeline stages of a decoded request: latencyCycles + occupancy (the simulator forwards at start + latency + occ). */
export const xbarStages = (g: XbarGeom): number => g.latency + g.occ;
/** Stages of the error path: the error response comes max(1, latencyCycles) cycles after the grant. */
export const xbarErrStages = (g: XbarGeom): number => Math.max(0, g.latency - 1);
/** Cycles from the grant to the response for a target that answers one cycle after its grant. */
export const xbarRoundTrip = (g: XbarGeom, out: number): number => (out < g.m ? xbarStages(g) + 1 : Math.max(1, g.latency));

/** Module name: `es_xbar_<instance>` (one per instance, since the decode table is the instance's). */
export const xbarModuleName = (g: XbarGeom): string => `es_xbar_${g.inst}`;

/**
 * The decode table of an interconnect instance, as the simulator builds it: for each output
 * element, the address-map regions it reaches (through unmapped instances with initiator ports,
 * e.g. another interconnect), sorted by base (stable: output order among equal bases).
 */
export function xbarRoutes(g: PlatformGraph, inst: string, targets: number): XbarRtlRoute[] {
  const routes: XbarRtlRoute[] = [];
  for (let o = 0; o < targets; o++) for (const r of reachableRegions(g, inst, 'out', o)) routes.push({ base: r.base, end: r.end, out: o, target: r.target });
  return routes.sort((a, b) => a.base - b.base);
}

/** The route an address decodes to (first match in base order), or undefined (address error). */
export function xbarDecode(g: XbarGeom, addr: number, bytes: number): XbarRtlRoute | undefined {
  const e = addr + Math.max(1, bytes);
  return g.routes.find((r) => addr >= r.base && e <= r.end);
}

const h32 = (v: number): string => `32'h${(v >>> 0).toString(16).padStart(8, '0')}`;

/** The ports of the module: the black box's bundle shape (`in_*`, `out_*`, elements concatenated, element 0 low). */
export function xbarPorts(g: XbarGeom): PortDecl[] {
  const { n, m, w } = g;
  const b = w / 8;
  return [
    { dir: 'input', name: 'clk_i', width: 1 },
    { dir: 'input', name: 'rst_ni', width: 1 },
    { dir: 'input', name: 'in_req_i', width: n },
    { dir: 'input', name: 'in_we_i', width: n },
    { dir: 'input', name: 'in_be_i', width: n * b },
    { dir: 'input', name: 'in_addr_i', width: n * 32 },
    { dir: 'input', name: 'in_wdata_i', width: n * w },
    { dir: 'output', name: 'in_gnt_o', width: n },
    { dir: 'output', name: 'in_rvalid_o', width: n },
    { dir: 'output', name: 'in_rdata_o', width: n * w },
    { dir: 'output', name: 'out_req_o', width: m },
    { dir: 'output', name: 'out_we_o', width: m },
    { dir: 'output', name: 'out_be_o', width: m * b },
    { dir: 'output', name: 'out_addr_o', width: m * 32 },
    { dir: 'output', name: 'out_wdata_o', width: m * w },
    { dir: 'input', name: 'out_gnt_i', width: m },
    { dir: 'input', name: 'out_rvalid_i', width: m },
    { dir: 'input', name: 'out_rdata_i', width: m * w },
  ];
}

/** The response of an undecoded address: `0xBADCAB1E` repeated over the data width (low bits). */
export function xbarErrorWord(w: number): bigint {
  let v = 0n;
  for (let i = 0; i < Math.ceil(w / 32); i++) v = (v << 32n) | 0xbadcab1en;
  return v & ((1n << BigInt(w)) - 1n);
}

/** The Verilog module of one interconnect instance. */
export function emitXbar(g: XbarGeom): string {
  const { n, m, w } = g;
  const b = w / 8;
  const D = xbarStages(g);
  const DE = xbarErrStages(g);
  const IW = Math.max(1, clog2(n));
  const FD = XBAR_FIFO_DEPTH;
  const FW = clog2(FD);
  const name = xbarModuleName(g);
  const bit = (sig: string, width: number, i: number): string => (width === 1 ? sig : `${sig}[${i}]`);
  const L: string[] = [];
  L.push(fileHeader(`${name}: interconnect '${g.inst}', ${n} inputs x ${m} outputs, ${w}-bit data, address decode of ${g.routes.length} route(s), round-robin per output, ${D}-stage request pipeline (latencyCycles ${g.latency} + occupancy ${g.occ}), in-order responses, undecoded addresses answered with ${h32(0xbadcab1e)} after max(1, latencyCycles) cycles.`));
  L.push(`module ${name} (\n${portList(xbarPorts(g))}\n);`);
  L.push(`  // decode table (first match in base order, as the simulator): ${g.routes.map((r) => `[${h32(r.base)}, ${h32(r.end)}) ${r.target} -> out[${r.out}]`).join('; ') || 'none'}`);
  // per input: decode, outstanding bookkeeping, eligibility
  for (let i = 0; i < n; i++) {
    L.push(`  wire [31:0] a_${i} = in_addr_i[${i * 32 + 31}:${i * 32}];`);
    L.push(`  reg [${m}:0] dec_${i};`);
    L.push(`  always @* begin`);
    L.push(`    dec_${i} = ${m + 1}'d0;`);
    let first = true;
    for (const r of g.routes) {
      const conds: string[] = [];
      if (r.base > 0) conds.push(`a_${i} >= ${h32(r.base)}`);
      // the whole word must lie in the window: a + bytes <= end, i.e. a <= end - bytes
      const last = r.end - b;
      if (last < 0xffffffff) conds.push(`a_${i} <= ${h32(Math.max(0, last))}`);
      const cond = conds.length === 0 ? `1'b1` : conds.map((c) => `(${c})`).join(' && ');
      L.push(`    ${first ? 'if' : 'else if'} (${cond}) dec_${i}[${r.out}] = 1'b1;`);
      first = false;
    }
    L.push(first ? `    dec_${i}[${m}] = 1'b1;` : `    else dec_${i}[${m}] = 1'b1;`);
    L.push(`  end`);
    L.push(`  reg [3:0] cnt_${i};`);
    L.push(`  reg [${m}:0] dst_${i};`);
    L.push(`  wire elig_${i} = ${bit('in_req_i', n, i)} && (cnt_${i} == 4'd0 || dst_${i} == dec_${i}) && cnt_${i} != 4'd${XBAR_MAX_OUTSTANDING};`);
  }
  L.push('');
  const paths = Array.from({ length: m + 1 }, (_, p) => p);
  for (const p of paths) {
    const err = p === m;
    const st = err ? DE : D;
    L.push(`  // ${err ? 'error path (undecoded addresses)' : `output ${p}`}`);
    L.push(`  wire acc_${p};`);
    const reqv = Array.from({ length: n }, (_, k) => n - 1 - k).map((i) => `elig_${i} & dec_${i}[${p}]`);
    L.push(`  wire [${n - 1}:0] areq_${p} = {${reqv.join(', ')}} & {${n}{acc_${p}}};`);
    L.push(`  wire [${n - 1}:0] agnt_${p};`);
    if (n === 1) L.push(`  assign agnt_${p} = areq_${p};`);
    else L.push(`  es_rr_arb #(.N(${n})) u_arb_${p} (.clk_i(clk_i), .rst_ni(rst_ni), .req_i(areq_${p}), .gnt_o(agnt_${p}));`);
    L.push(`  wire any_${p} = |agnt_${p};`);
    // granted input index and (for outputs) its request
    L.push(n === 1 ? `  wire [${IW - 1}:0] gsrc_${p} = ${IW}'d0;` : `  reg [${IW - 1}:0] gsrc_${p};`);
    if (!err) {
      L.push(`  reg gwe_${p};`);
      L.push(`  reg [${b - 1}:0] gbe_${p};`);
      L.push(`  reg [31:0] gaddr_${p};`);
      L.push(`  reg [${w - 1}:0] gwd_${p};`);
    }
    if (!(err && n === 1)) L.push(`  always @* begin`);
    if (n > 1) L.push(`    gsrc_${p} = ${IW}'d0;`);
    if (!err) L.push(`    gwe_${p} = 1'b0;\n    gbe_${p} = ${b}'d0;\n    gaddr_${p} = 32'd0;\n    gwd_${p} = ${w}'d0;`);
    for (let k = 0; k < n && !(err && n === 1); k++) {
      L.push(`    if (agnt_${p}[${k}]) begin`);
      if (n > 1) L.push(`      gsrc_${p} = gsrc_${p} | ${IW}'d${k};`);
      if (!err) {
        L.push(`      gwe_${p} = gwe_${p} | ${bit('in_we_i', n, k)};`);
        L.push(`      gbe_${p} = gbe_${p} | in_be_i[${(k + 1) * b - 1}:${k * b}];`);
        L.push(`      gaddr_${p} = gaddr_${p} | in_addr_i[${k * 32 + 31}:${k * 32}];`);
        L.push(`      gwd_${p} = gwd_${p} | in_wdata_i[${(k + 1) * w - 1}:${k * w}];`);
      }
      L.push(`    end`);
    }
    if (!(err && n === 1)) L.push(`  end`);
    if (err) {
      // shift register of (valid, src), then the response register
      for (let s = 0; s < st; s++) L.push(`  reg ev_${s};\n  reg [${IW - 1}:0] es_${s};`);
      L.push(`  reg erv;`);
      L.push(`  reg [${IW - 1}:0] ersrc;`);
      L.push(`  assign acc_${p} = 1'b1;`);
      L.push(`  always @(posedge clk_i or negedge rst_ni) begin`);
      L.push(`    if (!rst_ni) begin`);
      for (let s = 0; s < st; s++) L.push(`      ev_${s} <= 1'b0;\n      es_${s} <= ${IW}'d0;`);
      L.push(`      erv <= 1'b0;\n      ersrc <= ${IW}'d0;`);
      L.push(`    end else begin`);
      for (let s = 0; s < st; s++) {
        L.push(`      ev_${s} <= ${s === 0 ? `any_${p}` : `ev_${s - 1}`};`);
        L.push(`      es_${s} <= ${s === 0 ? `gsrc_${p}` : `es_${s - 1}`};`);
      }
      L.push(`      erv <= ${st === 0 ? `any_${p}` : `ev_${st - 1}`};`);
      L.push(`      ersrc <= ${st === 0 ? `gsrc_${p}` : `es_${st - 1}`};`);
      L.push(`    end`);
      L.push(`  end`);
      continue;
    }
    for (let s = 0; s < st; s++) {
      L.push(`  reg sv_${p}_${s};\n  reg swe_${p}_${s};\n  reg [${b - 1}:0] sbe_${p}_${s};\n  reg [31:0] sad_${p}_${s};\n  reg [${w - 1}:0] swd_${p}_${s};\n  reg [${IW - 1}:0] ssrc_${p}_${s};`);
    }
    const l = st - 1;
    // response-owner FIFO
    L.push(`  reg [${IW * FD - 1}:0] fq_${p};`);
    L.push(`  reg [${FW - 1}:0] fwp_${p};`);
    L.push(`  reg [${FW - 1}:0] frp_${p};`);
    L.push(`  reg [${FW}:0] fcnt_${p};`);
    L.push(`  wire ffull_${p} = fcnt_${p} == ${FW + 1}'d${FD};`);
    L.push(`  wire fire_${p} = sv_${p}_${l} && !ffull_${p} && ${bit('out_gnt_i', m, p)};`);
    L.push(`  wire pop_${p} = ${bit('out_rvalid_i', m, p)} && fcnt_${p} != ${FW + 1}'d0;`);
    L.push(`  wire [${IW - 1}:0] fhead_${p} = fq_${p}[frp_${p}*${IW} +: ${IW}];`);
    L.push(`  wire adv_${p} = !sv_${p}_${l} || fire_${p};`);
    if (g.occ > 1) {
      const OW = clog2(g.occ);
      L.push(`  reg [${OW - 1}:0] occ_${p};`);
      L.push(`  assign acc_${p} = adv_${p} && occ_${p} == ${OW}'d0;`);
      L.push(`  always @(posedge clk_i or negedge rst_ni) begin`);
      L.push(`    if (!rst_ni) occ_${p} <= ${OW}'d0;`);
      L.push(`    else if (any_${p}) occ_${p} <= ${OW}'d${g.occ - 1};`);
      L.push(`    else if (occ_${p} != ${OW}'d0) occ_${p} <= occ_${p} - ${OW}'d1;`);
      L.push(`  end`);
    } else L.push(`  assign acc_${p} = adv_${p};`);
    L.push(`  always @(posedge clk_i or negedge rst_ni) begin`);
    L.push(`    if (!rst_ni) begin`);
    for (let s = 0; s < st; s++) L.push(`      sv_${p}_${s} <= 1'b0;\n      swe_${p}_${s} <= 1'b0;\n      sbe_${p}_${s} <= ${b}'d0;\n      sad_${p}_${s} <= 32'd0;\n      swd_${p}_${s} <= ${w}'d0;\n      ssrc_${p}_${s} <= ${IW}'d0;`);
    L.push(`      fq_${p} <= ${IW * FD}'d0;\n      fwp_${p} <= ${FW}'d0;\n      frp_${p} <= ${FW}'d0;\n      fcnt_${p} <= ${FW + 1}'d0;`);
    L.push(`    end else begin`);
    L.push(`      if (adv_${p}) begin`);
    for (let s = 0; s < st; s++) {
      if (s === 0) L.push(`        sv_${p}_0 <= any_${p};\n        swe_${p}_0 <= gwe_${p};\n        sbe_${p}_0 <= gbe_${p};\n        sad_${p}_0 <= gaddr_${p};\n        swd_${p}_0 <= gwd_${p};\n        ssrc_${p}_0 <= gsrc_${p};`);
      else L.push(`        sv_${p}_${s} <= sv_${p}_${s - 1};\n        swe_${p}_${s} <= swe_${p}_${s - 1};\n        sbe_${p}_${s} <= sbe_${p}_${s - 1};\n        sad_${p}_${s} <= sad_${p}_${s - 1};\n        swd_${p}_${s} <= swd_${p}_${s - 1};\n        ssrc_${p}_${s} <= ssrc_${p}_${s - 1};`);
    }
    L.push(`      end`);
    L.push(`      if (fire_${p}) begin\n        fq_${p}[fwp_${p}*${IW} +: ${IW}] <= ssrc_${p}_${l};\n        fwp_${p} <= fwp_${p} + ${FW}'d1;\n      end`);
    L.push(`      if (pop_${p}) frp_${p} <= frp_${p} + ${FW}'d1;`);
    L.push(`      if (fire_${p} && !pop_${p}) fcnt_${p} <= fcnt_${p} + ${FW + 1}'d1;\n      else if (!fire_${p} && pop_${p}) fcnt_${p} <= fcnt_${p} - ${FW + 1}'d1;`);
    L.push(`    end`);
    L.push(`  end`);
    L.push(`  assign ${bit('out_req_o', m, p)} = sv_${p}_${l} && !ffull_${p};`);
    L.push(`  assign ${bit('out_we_o', m, p)} = swe_${p}_${l};`);
    L.push(`  assign out_be_o[${(p + 1) * b - 1}:${p * b}] = sbe_${p}_${l};`);
    L.push(`  assign out_addr_o[${p * 32 + 31}:${p * 32}] = sad_${p}_${l};`);
    L.push(`  assign out_wdata_o[${(p + 1) * w - 1}:${p * w}] = swd_${p}_${l};`);
  }
  L.push('');
  // responses and per-input bookkeeping
  const errWord = xbarErrorWord(w);
  for (let i = 0; i < n; i++) {
    const terms = paths.map((p) => (p === m ? `(erv && ersrc == ${IW}'d${i})` : `(pop_${p} && fhead_${p} == ${IW}'d${i})`));
    L.push(`  wire [${m}:0] rsel_${i} = {${[...terms].reverse().join(', ')}};`);
    L.push(`  assign ${bit('in_rvalid_o', n, i)} = |rsel_${i};`);
    const data = paths.map((p) => (p === m ? `({${w}{rsel_${i}[${m}]}} & ${w}'h${errWord.toString(16)})` : `({${w}{rsel_${i}[${p}]}} & out_rdata_i[${(p + 1) * w - 1}:${p * w}])`));
    L.push(`  assign in_rdata_o[${(i + 1) * w - 1}:${i * w}] = ${data.join(' | ')};`);
    L.push(`  assign ${bit('in_gnt_o', n, i)} = ${paths.map((p) => `agnt_${p}[${i}]`).join(' | ')};`);
    L.push(`  always @(posedge clk_i or negedge rst_ni) begin`);
    L.push(`    if (!rst_ni) begin\n      cnt_${i} <= 4'd0;\n      dst_${i} <= ${m + 1}'d0;\n    end else begin`);
    L.push(`      if (${bit('in_gnt_o', n, i)}) dst_${i} <= dec_${i};`);
    L.push(`      if (${bit('in_gnt_o', n, i)} && !${bit('in_rvalid_o', n, i)}) cnt_${i} <= cnt_${i} + 4'd1;\n      else if (!${bit('in_gnt_o', n, i)} && ${bit('in_rvalid_o', n, i)}) cnt_${i} <= cnt_${i} - 4'd1;`);
    L.push(`    end`);
    L.push(`  end`);
  }
  L.push('endmodule');
  L.push(FILE_FOOTER);
  return L.join('\n');
}

// ---- cycle model and scenario

/** One request of a round (at most one per input per round). */
export interface XbarAccess {
  readonly input: number;
  readonly we: boolean;
  readonly addr: number;
}

/** A round: requests presented together; the next round starts when all responded. */
export interface XbarRound {
  readonly accesses: readonly XbarAccess[];
  /** What the round is for (comment in the vectors). */
  readonly why: string;
}

/** Expected outcome of one access. */
export interface XbarOutcome {
  readonly input: number;
  /** Output the request must reach, or m for an address error. */
  readonly out: number;
  /** Cycle of the grant, from the round's start. */
  readonly grant: number;
  /** Cycle of the response. */
  readonly resp: number;
  /** Data returned to the input (target data, or the error word). */
  readonly rdata: bigint;
}

/** The word the testbench's target behind output `o` returns for `addr`: (addr ^ key(o)) repeated over the width. */
export function xbarTargetWord(w: number, o: number, addr: number): bigint {
  const v = BigInt(((addr ^ Math.imul(o + 1, 0x9e3779b1)) >>> 0));
  let x = 0n;
  for (let i = 0; i < Math.ceil(w / 32); i++) x = (x << 32n) | v;
  return x & ((1n << BigInt(w)) - 1n);
}

/** The write data the testbench sends for `addr`: ~addr repeated over the width. */
export function xbarWriteWord(w: number, addr: number): bigint {
  const v = BigInt((~addr) >>> 0);
  let x = 0n;
  for (let i = 0; i < Math.ceil(w / 32); i++) x = (x << 32n) | v;
  return x & ((1n << BigInt(w)) - 1n);
}

/**
 * The RTL's behaviour in TypeScript, round by round, with targets that grant at once and answer
 * one cycle later: per output (and the error path) a round-robin arbiter (the priority moves past
 * the last grant, input 0 first after reset) granting one request every `occ` cycles, the
 * response `xbarRoundTrip` cycles after the grant.
 */
export function xbarExpect(g: XbarGeom, rounds: readonly XbarRound[]): XbarOutcome[][] {
  const last = new Array<number>(g.m + 1).fill(-1);
  return rounds.map((r) => {
    const byPath = new Map<number, number[]>();
    const info = new Map<number, XbarAccess>();
    for (const a of r.accesses) {
      const o = xbarDecode(g, a.addr, g.w / 8)?.out ?? g.m;
      byPath.set(o, [...(byPath.get(o) ?? []), a.input]);
      info.set(a.input, a);
    }
    const out: XbarOutcome[] = [];
    for (const [o, inputs] of [...byPath.entries()].sort((a, b) => a[0] - b[0])) {
      const left = new Set(inputs);
      const step = o === g.m ? 1 : g.occ;
      let t = 0;
      while (left.size > 0) {
        const sorted = [...left].sort((a, b) => a - b);
        const pick = sorted.find((i) => i > last[o]!) ?? sorted[0]!;
        last[o] = pick;
        left.delete(pick);
        const rdata = o === g.m ? xbarErrorWord(g.w) : xbarTargetWord(g.w, o, info.get(pick)!.addr);
        out.push({ input: pick, out: o, grant: t, resp: t + xbarRoundTrip(g, o), rdata });
        t += step;
      }
    }
    return out.sort((a, b) => a.input - b.input);
  });
}

/** An aligned address no route decodes (for the address-error checks), or undefined when the routes cover everything. */
export function xbarUndecoded(g: XbarGeom): number | undefined {
  const b = g.w / 8;
  const cands = [0, 0x40000000, 0x80000000, 0xc0000000, 0xfffff000];
  for (const c of cands) if (xbarDecode(g, c, b) === undefined) return c;
  for (let k = 0; k < 4096; k++) {
    const a = (k * 0x00100000) >>> 0;
    if (xbarDecode(g, a, b) === undefined) return a;
  }
  return undefined;
}

/**
 * The rounds the testbench replays: one uncontended read per route from input 0 (the latency
 * the simulator predicts), rounds where every input reads or writes a random word of a route
 * (every route and the undecoded address in turn), and contention: every input on one output,
 * three rounds per output (the priority rotates).
 */
export function xbarScenario(g: XbarGeom, rng: Rng): XbarRound[] {
  const b = g.w / 8;
  const bad = xbarUndecoded(g);
  const wordIn = (r: XbarRtlRoute): number => {
    const words = Math.max(1, Math.floor((r.end - r.base) / b));
    const k = rng.nextU32() % Math.min(words, 1 << 20);
    return (r.base + k * b) >>> 0;
  };
  const routes = g.routes.filter((r) => r.end - r.base >= b);
  const dests: (XbarRtlRoute | undefined)[] = [...routes, ...(bad === undefined ? [] : [undefined])];
  const addrOf = (d: XbarRtlRoute | undefined): number => (d === undefined ? bad! : wordIn(d));
  const rounds: XbarRound[] = [];
  for (const r of routes) rounds.push({ why: `single read of ${r.target}`, accesses: [{ input: 0, we: false, addr: wordIn(r) }] });
  const mixes = Math.max(6, 2 * dests.length);
  for (let k = 0; k < mixes && dests.length > 0; k++) {
    const acc: XbarAccess[] = [];
    for (let i = 0; i < g.n; i++) {
      const d = dests[(i + k) % dests.length];
      acc.push({ input: i, we: (rng.nextU32() & 1) === 1, addr: addrOf(d) });
    }
    rounds.push({ why: 'every input, routes and the undecoded address in turn', accesses: acc });
  }
  const outs = [...new Set(routes.map((r) => r.out))];
  for (const o of outs) {
    const r = routes.find((x) => x.out === o)!;
    for (let k = 0; k < 3; k++) {
      rounds.push({ why: `contention on out[${o}]`, accesses: Array.from({ length: g.n }, (_, i) => ({ input: i, we: k === 1, addr: wordIn(r) })) });
    }
  }
  if (bad !== undefined) rounds.push({ why: 'contention on the error path', accesses: Array.from({ length: g.n }, (_, i) => ({ input: i, we: false, addr: bad })) });
  return rounds;
}

/** Bits of one vector line: act, we, addr, wdata, grant (16), resp (16), rdata (msb first). */
export const xbarVectorBits = (g: XbarGeom): number => 2 + 32 + g.w + 16 + 16 + g.w;

/** `tb/vectors/<inst>_xbar.hex`: per round, one line per input. */
export function xbarVectors(g: XbarGeom, rounds: readonly XbarRound[], exp: readonly XbarOutcome[][]): string {
  const bits = xbarVectorBits(g);
  const lines: string[] = [];
  rounds.forEach((r, k) => {
    for (let i = 0; i < g.n; i++) {
      const a = r.accesses.find((x) => x.input === i);
      const e = exp[k]!.find((x) => x.input === i);
      const v = a === undefined || e === undefined
        ? pack([[0n, bits]])
        : pack([[1n, 1], [a.we ? 1n : 0n, 1], [BigInt(a.addr >>> 0), 32], [xbarWriteWord(g.w, a.addr), g.w], [BigInt(e.grant), 16], [BigInt(e.resp), 16], [e.rdata, g.w]]);
      lines.push(hex(v.value, bits));
    }
  });
  return `${lines.join('\n')}\n`;
}

/** The testbench part of an interconnect (declarations, target models, the `run_<inst>` task). */
export function tbXbar(L: string[], g: XbarGeom, rounds: number, conns: string[]): string[] {
  const n = g.inst;
  const N = g.n;
  const W = g.w;
  const B = W / 8;
  const bits = xbarVectorBits(g);
  const nv = rounds * N;
  const R = Math.ceil(W / 32);
  L.push(`  // ---- interconnect ${n}: ${rounds} rounds; the output each request reaches (address in its windows, write data), the data returned to each input, grant and response cycles (round robin) checked`);
  L.push(`  reg [${N - 1}:0] ${n}_in_req;\n  reg [${N - 1}:0] ${n}_in_we;\n  reg [${N * B - 1}:0] ${n}_in_be;\n  reg [${N * 32 - 1}:0] ${n}_in_addr;\n  reg [${N * W - 1}:0] ${n}_in_wdata;`);
  L.push(`  wire [${N - 1}:0] ${n}_in_gnt;\n  wire [${N - 1}:0] ${n}_in_rvalid;\n  wire [${N * W - 1}:0] ${n}_in_rdata;`);
  L.push(`  wire [${g.m - 1}:0] ${n}_out_req;\n  wire [${g.m - 1}:0] ${n}_out_we;\n  wire [${g.m * B - 1}:0] ${n}_out_be;\n  wire [${g.m * 32 - 1}:0] ${n}_out_addr;\n  wire [${g.m * W - 1}:0] ${n}_out_wdata;`);
  L.push(`  reg [${g.m - 1}:0] ${n}_out_rvalid;\n  reg [${g.m * W - 1}:0] ${n}_out_rdata;`);
  L.push(`  reg [${bits - 1}:0] ${n}_vec [0:${nv - 1}];`);
  for (const s of ['in_req', 'in_we', 'in_be', 'in_addr', 'in_wdata']) conns.push(`.${n}_${s}_i(${n}_${s})`);
  for (const s of ['in_gnt', 'in_rvalid', 'in_rdata', 'out_req', 'out_we', 'out_be', 'out_addr', 'out_wdata']) conns.push(`.${n}_${s}_o(${n}_${s})`);
  conns.push(`.${n}_out_gnt_i(${n}_out_req)`, `.${n}_out_rvalid_i(${n}_out_rvalid)`, `.${n}_out_rdata_i(${n}_out_rdata)`);
  // targets: grant at once, answer one cycle later with (addr ^ key(o)) repeated
  L.push(`  always @(posedge clk) begin`);
  for (let o = 0; o < g.m; o++) {
    const key = h32(Math.imul(o + 1, 0x9e3779b1));
    const word = `${n}_out_addr[${o * 32 + 31}:${o * 32}] ^ ${key}`;
    L.push(`    ${n}_out_rvalid[${o}] <= ${n}_out_req[${o}];`);
    L.push(`    ${n}_out_rdata[${(o + 1) * W - 1}:${o * W}] <= ${R === 1 ? (W === 32 ? `${word}` : `${n}_tw_${o}[${W - 1}:0]`) : `{${R}{${word}}}`};`);
  }
  L.push(`  end`);
  if (W < 32) for (let o = 0; o < g.m; o++) L.push(`  wire [31:0] ${n}_tw_${o} = ${n}_out_addr[${o * 32 + 31}:${o * 32}] ^ ${h32(Math.imul(o + 1, 0x9e3779b1))};`);
  L.push(`  reg [${32 * R - 1}:0] ${n}_wexp;`);
  L.push(`  task ${n}_check_targets;`);
  L.push(`    begin`);
  for (let o = 0; o < g.m; o++) {
    const wins = g.routes.filter((r) => r.out === o);
    const a = `${n}_out_addr[${o * 32 + 31}:${o * 32}]`;
    const inWin = wins.length === 0 ? `1'b0` : wins.map((r) => `(${a} >= ${h32(r.base)} && ${a} <= ${h32(Math.max(0, r.end - B))})`).join(' || ');
    L.push(`      if (${n}_out_req[${o}] === 1'b1) begin`);
    L.push(`        if (${inWin}) passed = passed + 1;`);
    L.push(`        else begin\n          failed = failed + 1;\n          $display("${n}: out[${o}] got address %h outside its windows", ${a});\n        end`);
    L.push(`        ${n}_wexp = {${R}{~${a}}};`);
    L.push(`        if (${n}_out_we[${o}] === 1'b1 && ${n}_out_wdata[${(o + 1) * W - 1}:${o * W}] !== ${n}_wexp[${W - 1}:0]) begin\n          failed = failed + 1;\n          $display("${n}: out[${o}] write data %h for address %h", ${n}_out_wdata[${(o + 1) * W - 1}:${o * W}], ${a});\n        end`);
    L.push(`      end`);
  }
  L.push(`    end`);
  L.push(`  endtask`);
  L.push(`  task run_${n};`);
  L.push(`    integer r;\n    integer p;\n    reg [15:0] cyc;\n    reg [${bits - 1}:0] v;\n    reg [${N - 1}:0] wait_g;\n    reg [${N - 1}:0] wait_r;\n    reg [${N * 16 - 1}:0] exp_g;\n    reg [${N * 16 - 1}:0] exp_r;\n    reg [${N * W - 1}:0] exp_d;\n    reg [15:0] gcyc;`);
  L.push(`    begin`);
  L.push(`      for (r = 0; r < ${rounds}; r = r + 1) begin`);
  L.push(`        for (p = 0; p < ${N}; p = p + 1) begin`);
  L.push(`          v = ${n}_vec[r*${N}+p];`);
  let hi = bits - 1;
  const field = (w: number): string => {
    const s = w === 1 ? `v[${hi}]` : `v[${hi}:${hi - w + 1}]`;
    hi -= w;
    return s;
  };
  const fAct = field(1);
  const fWe = field(1);
  const fAddr = field(32);
  const fWd = field(W);
  const fG = field(16);
  const fR = field(16);
  const fD = field(W);
  L.push(`          ${n}_in_req[p] = ${fAct};\n          ${n}_in_we[p] = ${fWe};\n          ${n}_in_be[p*${B} +: ${B}] = {${B}{1'b1}};\n          ${n}_in_addr[p*32 +: 32] = ${fAddr};\n          ${n}_in_wdata[p*${W} +: ${W}] = ${fWd};`);
  L.push(`          exp_g[p*16 +: 16] = ${fG};\n          exp_r[p*16 +: 16] = ${fR};\n          exp_d[p*${W} +: ${W}] = ${fD};`);
  L.push(`        end`);
  L.push(`        wait_g = ${n}_in_req;\n        wait_r = ${n}_in_req;\n        cyc = 16'd0;\n        gcyc = 16'd0;`);
  L.push(`        while ((wait_g != ${N}'d0 || wait_r != ${N}'d0) && cyc < 16'd4096) begin`);
  L.push(`          #1;`);
  L.push(`          ${n}_check_targets;`);
  L.push(`          for (p = 0; p < ${N}; p = p + 1) begin`);
  L.push(`            if (${n}_in_rvalid[p] === 1'b1) begin`);
  L.push(`              if (wait_r[p] && !wait_g[p] && cyc === exp_r[p*16 +: 16]) begin`);
  L.push(`                wait_r[p] = 1'b0;`);
  L.push(`                if (${n}_in_rdata[p*${W} +: ${W}] === exp_d[p*${W} +: ${W}]) passed = passed + 1;`);
  L.push(`                else begin\n                  failed = failed + 1;\n                  $display("${n}: round %0d input %0d: data %h, expected %h", r, p, ${n}_in_rdata[p*${W} +: ${W}], exp_d[p*${W} +: ${W}]);\n                end`);
  L.push(`              end else begin\n                failed = failed + 1;\n                $display("${n}: round %0d input %0d: response in cycle %0d, expected %0d", r, p, cyc, exp_r[p*16 +: 16]);\n                wait_r[p] = 1'b0;\n              end`);
  L.push(`            end else if (wait_r[p] && !wait_g[p] && cyc > exp_r[p*16 +: 16]) begin\n              failed = failed + 1;\n              $display("${n}: round %0d input %0d: no response in cycle %0d", r, p, exp_r[p*16 +: 16]);\n              wait_r[p] = 1'b0;\n            end`);
  L.push(`            if (wait_g[p] && ${n}_in_gnt[p]) begin`);
  L.push(`              wait_g[p] = 1'b0;`);
  L.push(`              if (cyc === exp_g[p*16 +: 16]) passed = passed + 1;`);
  L.push(`              else begin\n                failed = failed + 1;\n                $display("${n}: round %0d input %0d: granted in cycle %0d, expected %0d (round robin)", r, p, cyc, exp_g[p*16 +: 16]);\n              end`);
  L.push(`            end`);
  L.push(`          end`);
  L.push(`          @(negedge clk);`);
  L.push(`          cyc = cyc + 16'd1;`);
  L.push(`          ${n}_in_req = ${n}_in_req & wait_g;`);
  L.push(`        end`);
  L.push(`        if (cyc >= 16'd4096) begin\n          failed = failed + 1;\n          $display("${n}: round %0d timed out", r);\n        end`);
  L.push(`        if (r == 0) $display("${n}: single uncontended read: RTL %0d cycles from request to response, simulator ${g.latency + g.occ + 1} (latencyCycles ${g.latency} + ceil(${B} B / bandwidth) ${g.occ} + target 1)", cyc - 16'd1);`);
  L.push(`      end`);
  L.push(`      ${n}_in_req = ${N}'d0;`);
  L.push(`    end`);
  L.push(`  endtask`);
  L.push('');
  return [
    `    $readmemh("tb/vectors/${n}_xbar.hex", ${n}_vec);`,
    `    ${n}_in_req = ${N}'d0;`,
    `    ${n}_in_we = ${N}'d0;`,
    `    ${n}_in_be = ${N * B}'d0;`,
    `    ${n}_in_addr = ${N * 32}'d0;`,
    `    ${n}_in_wdata = ${N * W}'d0;`,
    `    ${n}_out_rvalid = ${g.m}'d0;`,
    `    ${n}_out_rdata = ${g.m * W}'d0;`,
  ];
}

/** Parameter checks; errors name the parameter. */
export function xbarGeom(inst: string, p: Readonly<Record<string, unknown>>, routes: readonly XbarRtlRoute[]): { geom?: XbarGeom; errors: { param: string; message: string; hint?: string }[] } {
  const num = (v: unknown): number => (typeof v === 'number' ? v : Number.NaN);
  const errors: { param: string; message: string; hint?: string }[] = [];
  const n = num(p.initiators);
  const m = num(p.targets);
  const w = num(p.dataWidthBits);
  const lat = num(p.latencyCycles);
  const bw = num(p.bandwidthBytesPerCycle);
  if (!Number.isInteger(n) || n < 1 || n > 64) errors.push({ param: 'initiators', message: `${n} inputs: the generator builds 1 to 64` });
  if (!Number.isInteger(m) || m < 1 || m > 64) errors.push({ param: 'targets', message: `${m} outputs: the generator builds 1 to 64` });
  if (!Number.isInteger(w) || w < 8 || w % 8 !== 0 || w > 1024) errors.push({ param: 'dataWidthBits', message: `${w}-bit data is not whole bytes up to 1024 bits` });
  if (!Number.isInteger(lat) || lat < 0 || lat > 64) errors.push({ param: 'latencyCycles', message: `latencyCycles ${lat}: the request pipeline is generated for 0 to 64 cycles`, hint: 'use at most 64' });
  if (!Number.isInteger(bw) || bw < 1) errors.push({ param: 'bandwidthBytesPerCycle', message: `bandwidthBytesPerCycle ${bw} is not a positive integer` });
  const occ = Math.ceil(w / 8 / bw);
  if (errors.length === 0 && occ > 64) errors.push({ param: 'bandwidthBytesPerCycle', message: `one ${w / 8}-byte word occupies an output ${occ} cycles: the generator supports at most 64`, hint: 'raise bandwidthBytesPerCycle' });
  for (const r of routes) if (r.end > 2 ** 32) errors.push({ param: 'targets', message: `the window of '${r.target}' reached through out[${r.out}] ends beyond 2^32` });
  if (errors.length > 0) return { errors };
  return { geom: { inst, n, m, w, latency: lat, occ, routes }, errors };
}
