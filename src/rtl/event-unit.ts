/**
 * The cluster event unit (`event-unit`, after the simulator's EventUnit,
 * src/modules/event-unit/sim.ts): one `sync` request/grant target per core whose address bits
 * 3:2 select the operation (0x0 `bar`, 0x4 `evset`, 0x8 `evwait`, 0xc `wfe`; the write data is the
 * operand), hardware barriers of every core, 32 event lines per core (`irq[k]` raises line
 * 16 + k), and the simulator's timing: a request takes effect `wakeupRequestCycles` after its
 * grant, a core that waited (or completed a barrier) gets its response `wakeupCycles` after the
 * release. Also the RTL's cycle model, the scenario and the testbench part.
 */
import type { Rng } from '../util/index.js';
import { clog2, hex, pack } from './names.js';
import { FILE_FOOTER, fileHeader, portList, range, tbCheck, tbPortSignals, vecSlices, type PortDecl } from './verilog.js';

/** Geometry of one event unit in RTL. */
export interface EuGeom {
  readonly cores: number;
  readonly barriers: number;
  /** `wakeupRequestCycles`. */
  readonly req: number;
  /** `wakeupCycles`. */
  readonly wake: number;
}

/** Operations by address bits 3:2 (the simulator's SYNC_OPS / 4). */
export const EU_OPS = { bar: 0, evset: 1, evwait: 2, wfe: 3 } as const;
/** An operation. */
export type EuOp = keyof typeof EU_OPS;
/** Event line of `irq[0]` (the simulator's IRQ_EVENT_BASE). */
export const EU_IRQ_BASE = 16;
/** Most barriers and most cycles of either latency the generator builds. */
export const EU_MAX = { barriers: 64, cycles: 1024 } as const;

/** `es_eu_c<cores>_b<barriers>_r<wakeupRequestCycles>_w<wakeupCycles>`. */
export const euModuleName = (g: EuGeom): string => `es_eu_c${g.cores}_b${g.barriers}_r${g.req}_w${g.wake}`;

/** Validates an event unit's parameters for RTL; returns the geometry or the problems. */
export function euGeom(p: Readonly<Record<string, unknown>>): { geom?: EuGeom; errors: { param: string; message: string; hint?: string }[] } {
  const n = (v: unknown): number => (typeof v === 'number' ? v : Number.NaN);
  const g: EuGeom = { cores: n(p.cores), barriers: n(p.barriers), req: n(p.wakeupRequestCycles), wake: n(p.wakeupCycles) };
  const errors: { param: string; message: string; hint?: string }[] = [];
  if (!(g.barriers >= 1 && g.barriers <= EU_MAX.barriers)) errors.push({ param: 'barriers', message: `${g.barriers} barriers: the generated unit has at most ${EU_MAX.barriers}`, hint: `use at most ${EU_MAX.barriers}` });
  for (const [param, v] of [['wakeupRequestCycles', g.req], ['wakeupCycles', g.wake]] as const) {
    if (!Number.isInteger(v) || v < 0 || v > EU_MAX.cycles) errors.push({ param, message: `${v} cycles: the generated counters count up to ${EU_MAX.cycles}` });
  }
  return errors.length > 0 ? { errors } : { geom: g, errors };
}

/** The module's ports: the platform ports `sync[cores]` (32-bit targets) and `irq[4]`, as a black box would have them. */
export function euPorts(g: EuGeom): PortDecl[] {
  const C = g.cores;
  return [
    { dir: 'input', name: 'clk_i', width: 1 },
    { dir: 'input', name: 'rst_ni', width: 1 },
    { dir: 'input', name: 'sync_req_i', width: C },
    { dir: 'input', name: 'sync_we_i', width: C },
    { dir: 'input', name: 'sync_be_i', width: 4 * C },
    { dir: 'input', name: 'sync_addr_i', width: 32 * C },
    { dir: 'input', name: 'sync_wdata_i', width: 32 * C },
    { dir: 'output', name: 'sync_gnt_o', width: C },
    { dir: 'output', name: 'sync_rvalid_o', width: C },
    { dir: 'output', name: 'sync_rdata_o', width: 32 * C },
    { dir: 'input', name: 'irq_i', width: 4 },
  ];
}

/**
 * The event unit. Per core a state (0 idle, 1 travelling to the unit, 2 asleep at a barrier,
 * 3 asleep waiting for events, 4 responding), a counter and the request; per barrier the
 * arrived cores; per core the pending events. A request is granted when the core's state is
 * idle and takes effect `R` cycles later (in the grant cycle when `R` is 0).
 */
export function emitEu(g: EuGeom): string {
  const C = g.cores;
  const B = g.barriers;
  const R = g.req;
  const W = g.wake;
  const bw = Math.max(1, clog2(B));
  const cw = Math.max(1, clog2(Math.max(R, W)));
  const name = euModuleName(g);
  const L: string[] = [fileHeader(`${name}: event unit for ${C} core(s), ${B} barrier(s); a request takes effect ${R} cycle(s) after its grant (wakeupRequestCycles), a core released from a wait answers ${W} cycle(s) later (wakeupCycles).`)];
  L.push(`module ${name} (\n${portList(euPorts(g))}\n);`);
  const s = (c: number, x: string): string => `${x}_${c}`;
  const sl = (v: string, c: number, w: number): string => `${v}[${c * w + w - 1}:${c * w}]`;
  /** Core c's request (a scalar with one core). */
  const req = (c: number): string => (C === 1 ? 'sync_req_i' : `sync_req_i[${c}]`);
  // per core: request as it reaches the unit
  for (let c = 0; c < C; c++) {
    L.push(`  // core ${c}`);
    L.push(`  reg [2:0] ${s(c, 'st_q')};`);
    L.push(`  reg ${range(cw)}${s(c, 'cnt_q')};`);
    L.push(`  reg [1:0] ${s(c, 'op_q')};`);
    L.push(`  reg [31:0] ${s(c, 'arg_q')};`);
    L.push(`  reg ${range(bw)}${s(c, 'bar_q')};`);
    L.push(`  reg [31:0] ${s(c, 'val_q')};`);
    L.push(`  reg [31:0] ${s(c, 'pend_q')};`);
    if (R === 0) {
      L.push(`  wire ${s(c, 'arr')} = ${s(c, 'st_q')} == 3'd0 && ${req(c)};`);
      L.push(`  wire [1:0] ${s(c, 'a_op')} = sync_addr_i[${c * 32 + 3}:${c * 32 + 2}];`);
      L.push(`  wire [31:0] ${s(c, 'a_arg')} = ${sl('sync_wdata_i', c, 32)};`);
    } else {
      L.push(`  wire ${s(c, 'arr')} = ${s(c, 'st_q')} == 3'd1 && ${s(c, 'cnt_q')} == ${cw}'d0;`);
      L.push(`  wire [1:0] ${s(c, 'a_op')} = ${s(c, 'op_q')};`);
      L.push(`  wire [31:0] ${s(c, 'a_arg')} = ${s(c, 'arg_q')};`);
    }
    L.push(`  wire ${s(c, 'bar_ok')} = ${s(c, 'a_op')} == 2'd0 && ${s(c, 'a_arg')} < 32'd${B};`);
  }
  L.push('');
  L.push(`  // events raised in this cycle: evset operands of arriving requests, irq[k] on line ${EU_IRQ_BASE} + k`);
  L.push(`  wire [31:0] raise = {12'd0, irq_i, 16'd0}${Array.from({ length: C }, (_, c) => ` | ((${s(c, 'arr')} && ${s(c, 'a_op')} == 2'd1) ? ${s(c, 'a_arg')} : 32'd0)`).join('')};`);
  L.push('');
  L.push(`  // barriers (members: every core): released in the cycle the last one arrives`);
  for (let b = 0; b < B; b++) {
    L.push(`  reg ${range(C)}arrived_q_${b};`);
    L.push(`  wire ${range(C)}barr_${b} = {${Array.from({ length: C }, (_, i) => C - 1 - i).map((c) => `${s(c, 'bar_ok')} && ${s(c, 'arr')} && ${s(c, 'a_arg')}[${bw - 1}:0] == ${bw}'d${b}`).join(', ')}};`);
    L.push(`  wire rel_${b} = &(arrived_q_${b} | barr_${b});`);
  }
  L.push(`  wire ${range(2 ** bw)}rel = {${2 ** bw > B ? `${2 ** bw - B}'d0, ` : ''}${Array.from({ length: B }, (_, i) => `rel_${B - 1 - i}`).join(', ')}};`);
  L.push('');
  const now: string[] = [];
  const rdata: string[] = [];
  for (let c = 0; c < C; c++) {
    const st = s(c, 'st_q');
    L.push(`  // core ${c}: outcome in this cycle`);
    L.push(`  wire [31:0] ${s(c, 'pend_d')} = ${s(c, 'pend_q')} | raise;`);
    L.push(`  wire [1:0] ${s(c, 'op')} = ${st} == 3'd3 ? ${s(c, 'op_q')} : (${s(c, 'arr')} ? ${s(c, 'a_op')} : 2'd0);`);
    L.push(`  wire [31:0] ${s(c, 'mask')} = ${s(c, 'op')} == 2'd3 ? 32'hffffffff : (${st} == 3'd3 ? ${s(c, 'arg_q')} : ${s(c, 'a_arg')});`);
    L.push(`  wire [31:0] ${s(c, 'hit')} = ${s(c, 'pend_d')} & ${s(c, 'mask')};`);
    L.push(`  wire ${s(c, 'a_rel')} = ${s(c, 'arr')} && ${s(c, 'bar_ok')} && rel[${s(c, 'a_arg')}[${bw - 1}:0]];`);
    L.push(`  wire ${s(c, 'a_wbar')} = ${s(c, 'arr')} && ${s(c, 'bar_ok')} && !rel[${s(c, 'a_arg')}[${bw - 1}:0]];`);
    L.push(`  wire ${s(c, 'a_wev')} = ${s(c, 'arr')} && (${s(c, 'a_op')} == 2'd3 || (${s(c, 'a_op')} == 2'd2 && ${s(c, 'a_arg')} != 32'd0)) && ${s(c, 'hit')} == 32'd0;`);
    L.push(`  wire ${s(c, 'a_now')} = ${s(c, 'arr')} && !${s(c, 'bar_ok')} && !${s(c, 'a_wev')};`);
    L.push(`  wire ${s(c, 'woken')} = (${st} == 3'd2 && rel[${s(c, 'bar_q')}]) || (${st} == 3'd3 && ${s(c, 'hit')} != 32'd0);`);
    L.push(`  wire [31:0] ${s(c, 'val')} = ${s(c, 'op')} == 2'd2 ? ${s(c, 'hit')} : 32'd0;`);
    // k = 0 (resume in the arrival cycle) or k = W (after a wait, or completing a barrier)
    const late = `${s(c, 'a_rel')} || ${s(c, 'woken')}`;
    const nowTerms = [...(R > 0 ? [s(c, 'a_now')] : []), ...(W === 0 ? (R > 0 ? [s(c, 'a_rel'), s(c, 'woken')] : [s(c, 'woken')]) : [])];
    L.push(`  wire ${s(c, 'now')} = ${nowTerms.length === 0 ? "1'b0" : nowTerms.join(' || ')};`);
    // to the responding state: late with W > 0 (W cycles), or, with R = 0, an arrival in the grant cycle (one cycle: the bundle answers after the grant)
    const respTerms = [...(W > 0 ? [`(${late})`] : []), ...(R === 0 ? [s(c, 'a_now'), ...(W === 0 ? [s(c, 'a_rel')] : [])] : [])];
    const respCnt = W > 0 && R === 0 ? `(${late}) ? ${cw}'d${W - 1} : ${cw}'d0` : `${cw}'d${Math.max(0, W - 1)}`;
    L.push(`  wire ${s(c, 'to_resp')} = ${respTerms.length === 0 ? "1'b0" : respTerms.join(' || ')};`);
    L.push(`  wire [31:0] ${s(c, 'clr')} = (${s(c, 'a_now')} || ${s(c, 'woken')}) ? ${s(c, 'val')} : 32'd0;`);
    L.push(`  always @(posedge clk_i or negedge rst_ni) begin`);
    L.push(`    if (!rst_ni) begin`);
    for (const [r, w] of [['st_q', 3], ['cnt_q', cw], ['op_q', 2], ['arg_q', 32], ['bar_q', bw], ['val_q', 32], ['pend_q', 32]] as const) L.push(`      ${s(c, r)} <= ${w}'d0;`);
    L.push(`    end else begin`);
    L.push(`      ${s(c, 'pend_q')} <= ${s(c, 'pend_d')} & ~${s(c, 'clr')};`);
    L.push(`      if (${st} == 3'd0 && ${req(c)}) begin`);
    L.push(`        ${s(c, 'op_q')} <= sync_addr_i[${c * 32 + 3}:${c * 32 + 2}];`);
    L.push(`        ${s(c, 'arg_q')} <= ${sl('sync_wdata_i', c, 32)};`);
    if (R > 0) {
      L.push(`        ${st} <= 3'd1;`);
      L.push(`        ${s(c, 'cnt_q')} <= ${cw}'d${R - 1};`);
      L.push(`      end else if (${st} == 3'd1 && ${s(c, 'cnt_q')} != ${cw}'d0) begin`);
      L.push(`        ${s(c, 'cnt_q')} <= ${s(c, 'cnt_q')} - ${cw}'d1;`);
    }
    L.push(`      end else if (${st} == 3'd4) begin`);
    L.push(`        if (${s(c, 'cnt_q')} == ${cw}'d0) ${st} <= 3'd0;`);
    L.push(`        else ${s(c, 'cnt_q')} <= ${s(c, 'cnt_q')} - ${cw}'d1;`);
    L.push(`      end`);
    L.push(`      // outcomes (an arrival or a wake-up) override the state`);
    L.push(`      if (${s(c, 'a_wbar')}) begin`);
    L.push(`        ${st} <= 3'd2;`);
    L.push(`        ${s(c, 'bar_q')} <= ${s(c, 'a_arg')}[${bw - 1}:0];`);
    L.push(`      end else if (${s(c, 'a_wev')}) ${st} <= 3'd3;`);
    L.push(`      else if (${s(c, 'to_resp')}) begin`);
    L.push(`        ${st} <= 3'd4;`);
    L.push(`        ${s(c, 'cnt_q')} <= ${respCnt};`);
    L.push(`        ${s(c, 'val_q')} <= ${s(c, 'val')};`);
    L.push(`      end else if (${s(c, 'now')}) ${st} <= 3'd0;`);
    L.push(`    end`);
    L.push(`  end`);
    now.push(`${st} == 3'd4 && ${s(c, 'cnt_q')} == ${cw}'d0 || ${s(c, 'now')}`);
    rdata.push(`${st} == 3'd4 ? ${s(c, 'val_q')} : ${s(c, 'val')}`);
    L.push('');
  }
  for (let b = 0; b < B; b++) {
    L.push(`  always @(posedge clk_i or negedge rst_ni) begin`);
    L.push(`    if (!rst_ni) arrived_q_${b} <= ${C}'d0;`);
    L.push(`    else arrived_q_${b} <= rel_${b} ? ${C}'d0 : (arrived_q_${b} | barr_${b});`);
    L.push(`  end`);
  }
  L.push(`  assign sync_gnt_o = sync_req_i & {${Array.from({ length: C }, (_, i) => `${s(C - 1 - i, 'st_q')} == 3'd0`).join(', ')}};`);
  L.push(`  assign sync_rvalid_o = {${now.map((x) => `(${x})`).reverse().join(', ')}};`);
  L.push(`  assign sync_rdata_o = {${rdata.map((x) => `(${x})`).reverse().join(', ')}};`);
  const unused: string[] = ['sync_we_i', 'sync_be_i'];
  for (let c = C - 1; c >= 0; c--) unused.push(`sync_addr_i[${c * 32 + 31}:${c * 32 + 4}]`, `sync_addr_i[${c * 32 + 1}:${c * 32}]`);
  L.push(`  // the operation is address bits 3:2; write enables, byte enables and the other address bits are not decoded`);
  L.push(`  wire ${range(C * 5 + C * 30)}unused_inputs = {${unused.join(', ')}};`);
  L.push('endmodule');
  L.push(FILE_FOOTER);
  return L.join('\n');
}

// ---------------------------------------------------------------------------------------------
// Cycle model, scenario, vectors, testbench

/** One request of a core: issued `gap` cycles after the core's previous response (after cycle 0 for the first). */
export interface EuRequest {
  readonly gap: number;
  readonly op: EuOp;
  readonly operand: number;
}

/** The test: per core its requests, `irq` pulses (cycle, line). */
export interface EuTest {
  readonly perCore: readonly (readonly EuRequest[])[];
  readonly irq: readonly { readonly cycle: number; readonly line: number }[];
}

/** Expected issue (= grant) cycle, response cycle and response data of a request. */
export interface EuExpect {
  readonly core: number;
  readonly issue: number;
  readonly resp: number;
  readonly rdata: number;
}

/**
 * The RTL, cycle by cycle (the simulator's semantics): a request issued in cycle `c` takes effect
 * in `c + R`; requests and `irq` pulses of one cycle raise their events before any core looks at
 * them; `bar` joins the barrier (a barrier whose every core arrived is released: its cores answer
 * `W` cycles later), `evset` raises the operand at every core and answers at once, `evwait m`
 * (m != 0) and `wfe` answer at once when an event of m (any event) is pending, else sleep and
 * answer `W` cycles after the raise that wakes them; `evwait` returns and clears the pending
 * events of m. "At once" with `R` = 0 is one cycle after the grant. Per core per request,
 * in the order of `perCore`, flattened core by core.
 */
export function euExpect(g: EuGeom, t: EuTest): EuExpect[][] {
  const C = g.cores;
  type St = { i: number; next: number; st: 'idle' | 'travel' | 'bar' | 'ev' | 'resp'; at: number; issue: number; bar: number; op: EuOp; arg: number };
  const cs: St[] = Array.from({ length: C }, (_, c) => ({ i: 0, next: t.perCore[c]![0]?.gap ?? -1, st: 'idle', at: 0, issue: 0, bar: 0, op: 'bar', arg: 0 }));
  const out: EuExpect[][] = Array.from({ length: C }, () => []);
  const pend = new Array<number>(C).fill(0);
  const arrived = new Array<number>(g.barriers).fill(0);
  const all = C >= 32 ? 0xffffffff : (2 ** C) - 1;
  const respond = (c: number, cyc: number, v: number): void => {
    const s = cs[c]!;
    out[c]!.push({ core: c, issue: s.issue, resp: cyc, rdata: v >>> 0 });
    s.st = 'resp';
    s.i++;
    const r = t.perCore[c]![s.i];
    s.next = r === undefined ? -1 : cyc + r.gap;
  };
  const total = t.perCore.reduce((n, l) => n + l.length, 0);
  let done = 0;
  for (let cyc = 0; done < total; cyc++) {
    if (cyc > 1e6) throw new Error('euExpect: a request never answers (deadlock in the scenario)');
    for (let c = 0; c < C; c++) {
      const s = cs[c]!;
      if ((s.st === 'idle' || s.st === 'resp') && s.next === cyc) {
        const r = t.perCore[c]![s.i]!;
        Object.assign(s, { st: 'travel', at: cyc + g.req, issue: cyc, op: r.op, arg: r.operand >>> 0 });
      }
    }
    const arr = cs.map((s, c) => (s.st === 'travel' && s.at === cyc ? c : -1)).filter((c) => c >= 0);
    let raise = 0;
    for (const p of t.irq) if (p.cycle === cyc) raise |= 2 ** (EU_IRQ_BASE + p.line);
    for (const c of arr) if (cs[c]!.op === 'evset') raise = (raise | cs[c]!.arg) >>> 0;
    for (let c = 0; c < C; c++) pend[c] = (pend[c]! | raise) >>> 0;
    const rel = arrived.map((a, b) => {
      let x = a;
      for (const c of arr) if (cs[c]!.op === 'bar' && cs[c]!.arg === b) x |= 2 ** c;
      return x === all;
    });
    const late = (c: number, v: number): void => respond(c, cyc + g.wake + (g.wake === 0 && g.req === 0 && cs[c]!.st === 'travel' ? 1 : 0), v);
    const nowR = (c: number, v: number): void => respond(c, cyc + (g.req === 0 ? 1 : 0), v);
    const evHit = (c: number, op: EuOp, arg: number): number => ((op === 'wfe' ? pend[c]! : pend[c]! & arg) >>> 0);
    const consume = (c: number, op: EuOp, arg: number): number => {
      if (op !== 'evwait') return 0;
      const v = (pend[c]! & arg) >>> 0;
      pend[c] = (pend[c]! & ~arg) >>> 0;
      return v;
    };
    for (let c = 0; c < C; c++) {
      const s = cs[c]!;
      if (s.st === 'bar' && rel[s.bar] === true) late(c, 0);
      else if (s.st === 'ev' && evHit(c, s.op, s.arg) !== 0) late(c, consume(c, s.op, s.arg));
    }
    for (const c of arr) {
      const s = cs[c]!;
      if (s.op === 'bar' && s.arg < g.barriers) {
        if (rel[s.arg] === true) late(c, 0);
        else {
          s.st = 'bar';
          s.bar = s.arg;
        }
      } else if ((s.op === 'evwait' && s.arg !== 0) || s.op === 'wfe') {
        if (evHit(c, s.op, s.arg) === 0) s.st = 'ev';
        else nowR(c, consume(c, s.op, s.arg));
      } else nowR(c, 0);
    }
    rel.forEach((r, b) => {
      let x = arrived[b]!;
      for (const c of arr) if (cs[c]!.op === 'bar' && cs[c]!.arg === b) x |= 2 ** c;
      arrived[b] = r ? 0 : x;
    });
    done = out.reduce((n, l) => n + l.length, 0);
  }
  return out;
}

/**
 * The testbench scenario: a barrier with the cores arriving at random cycles, the same barrier
 * again in the reverse order, the last barrier; events: core 0 raises two events while the odd
 * cores `evwait` one of them and the even cores `wfe`, some arriving before the raise (asleep,
 * woken) and some after (answered at once), core 0 then `evwait`s with mask 0 and for its own
 * raised event; a barrier; `irq[0]` and `irq[1]` pulses while every core `evwait`s line 16 (core
 * 0 line 17), arrivals on both sides of the pulse; a last barrier. No two things that the
 * simulator would order by thread scheduling happen in the same cycle.
 */
export function euScenario(g: EuGeom, rng: Rng): EuTest {
  const C = g.cores;
  const per: EuRequest[][] = Array.from({ length: C }, () => []);
  const bar = (b: number, gap: (c: number) => number): void => { for (let c = 0; c < C; c++) per[c]!.push({ gap: gap(c), op: 'bar', operand: b }); };
  const pick = (lo: number, hi: number, not: number): number => {
    const v = lo + (rng.nextU32() % (hi - lo + 1));
    return v === not ? (v === hi ? lo : v + 1) : v;
  };
  bar(0, () => 1 + (rng.nextU32() % 12));
  bar(0, (c) => 1 + 2 * (C - 1 - c));
  bar(g.barriers - 1, () => 1 + (rng.nextU32() % 20));
  const e3 = 1 << 3;
  const e5 = 1 << 5;
  for (let c = 0; c < C; c++) {
    if (c === 0) per[0]!.push({ gap: 6, op: 'evset', operand: e3 | e5 }, { gap: 1, op: 'evwait', operand: 0 }, { gap: 2, op: 'evwait', operand: e5 });
    // cores 1, 2 (5, 6, ...) arrive before the raise, cores 3, 4 (7, 8, ...) after it
    else per[c]!.push({ gap: ((c + 1) >> 1) % 2 === 1 ? pick(1, 5, 6) : pick(7, 12, 6), op: c % 2 === 1 ? 'evwait' : 'wfe', operand: c % 2 === 1 ? e3 : 0 });
  }
  bar(0, () => 1 + (rng.nextU32() % 5));
  // the barrier's release cycle: every core resumes together
  const partial: EuTest = { perCore: per, irq: [] };
  const ex = euExpect(g, partial);
  const tb = ex[0]![ex[0]!.length - 1]!.resp;
  for (let c = 0; c < C; c++) per[c]!.push(c === 0 ? { gap: 3, op: 'evwait', operand: 2 ** (EU_IRQ_BASE + 1) } : { gap: c % 2 === 1 ? pick(1, 7, 8) : pick(9, 16, 8), op: 'evwait', operand: 2 ** EU_IRQ_BASE });
  bar(0, () => 1 + (rng.nextU32() % 4));
  return { perCore: per, irq: [{ cycle: tb + g.req + 8, line: 0 }, { cycle: tb + g.req + 12, line: 1 }] };
}

/** Fields of one vector line, MSB first. */
const euFields: [string, number][] = [['core', 8], ['op', 2], ['arg', 32], ['issue', 32], ['resp', 32], ['rdata', 32]];

/** The requests of all cores sorted by issue cycle (then core), with their expectations. */
export function euFlat(t: EuTest, exp: readonly (readonly EuExpect[])[]): { r: EuRequest; e: EuExpect }[] {
  return exp.flatMap((l, c) => l.map((e, i) => ({ r: t.perCore[c]![i]!, e }))).sort((a, b) => a.e.issue - b.e.issue || a.e.core - b.e.core);
}

/** `$readmemh` text, one line per request in issue order, fields as {@link euFields}. */
export function euVectors(t: EuTest, exp: readonly (readonly EuExpect[])[]): string {
  const { bits } = vecSlices('v', euFields);
  return `${euFlat(t, exp).map(({ r, e }) => hex(pack([[BigInt(e.core), 8], [BigInt(EU_OPS[r.op]), 2], [BigInt(r.operand >>> 0), 32], [BigInt(e.issue), 32], [BigInt(e.resp), 32], [BigInt(e.rdata), 32]]).value, bits)).join('\n')}\n`;
}

/** An event unit under test. */
export interface TbEu {
  readonly inst: string;
  readonly geom: EuGeom;
  readonly test: EuTest;
  /** Requests in all. */
  readonly requests: number;
  /** The last expected response cycle. */
  readonly last: number;
}

/**
 * The testbench part of an event unit: cores issue their requests in the cycles of the vector
 * file (each the simulator's issue cycle: a gap after the core's previous response), `irq`
 * pulses in their cycles; per request the grant in the request cycle, the response cycle and the
 * response data are checked. Returns the initial-block lines.
 */
export function tbEu(L: string[], u: TbEu, conns: string[]): string[] {
  const g = u.geom;
  const n = u.inst;
  const C = g.cores;
  const nv = u.requests;
  const { bits, at } = vecSlices('v', euFields);
  const f = (k: string): string => at[k]!;
  L.push(`  // ---- event unit ${n}: ${nv} requests of ${C} core(s), ${u.test.irq.length} irq pulse(s); grant, response cycle (the simulator's) and data checked`);
  const init = tbPortSignals(L, n, euPorts(g).slice(2), conns);
  L.push(`  reg ${range(bits)}${n}_vec [0:${nv - 1}];`);
  L.push(`  integer ${n}_cur [0:${C - 1}];`);
  L.push(`  task run_${n};`);
  L.push(`    integer cyc;`);
  L.push(`    integer c;`);
  L.push(`    integer nx;`);
  L.push(`    integer left;`);
  L.push(`    reg ${range(bits)}v;`);
  L.push(`    begin`);
  L.push(`      cyc = 0;`);
  L.push(`      nx = 0;`);
  L.push(`      left = ${nv};`);
  L.push(`      for (c = 0; c < ${C}; c = c + 1) ${n}_cur[c] = -1;`);
  L.push(`      while (left > 0 && cyc < ${u.last + 64}) begin`);
  L.push(`        ${n}_irq = 4'd0;`);
  for (const p of u.test.irq) L.push(`        if (cyc == ${p.cycle}) ${n}_irq[${p.line}] = 1'b1;`);
  L.push(`        v = ${n}_vec[nx < ${nv} ? nx : 0];`);
  L.push(`        while (nx < ${nv} && ${f('issue')} == cyc) begin`);
  L.push(`          c = {24'd0, ${f('core')}};`);
  L.push(`          ${n}_sync_req[c] = 1'b1;`);
  L.push(`          ${n}_sync_addr[c*32 +: 32] = {28'd0, ${f('op')}, 2'b00};`);
  L.push(`          ${n}_sync_wdata[c*32 +: 32] = ${f('arg')};`);
  L.push(`          ${n}_cur[c] = nx;`);
  L.push(`          nx = nx + 1;`);
  L.push(`          v = ${n}_vec[nx < ${nv} ? nx : 0];`);
  L.push(`        end`);
  L.push(`        #1;`);
  L.push(`        for (c = 0; c < ${C}; c = c + 1) begin`);
  L.push(`          if (${n}_sync_req[c]) begin`);
  L.push(...tbCheck('            ', `${n}_sync_gnt[c] === 1'b1`, `"${n}: core %0d: request %0d not granted in its cycle %0d", c, ${n}_cur[c], cyc`));
  L.push(`          end`);
  L.push(`          if (${n}_sync_rvalid[c] === 1'b1) begin`);
  L.push(`            if (${n}_cur[c] < 0) begin`);
  L.push(`              failed = failed + 1;`);
  L.push(`              $display("${n}: core %0d: a response without a request in cycle %0d", c, cyc);`);
  L.push(`            end else begin`);
  L.push(`              v = ${n}_vec[${n}_cur[c]];`);
  L.push(...tbCheck('              ', `cyc === ${f('resp')} && ${n}_sync_rdata[c*32 +: 32] === ${f('rdata')}`, `"${n}: core %0d request %0d: response in cycle %0d with %h, expected cycle %0d with %h", c, ${n}_cur[c], cyc, ${n}_sync_rdata[c*32 +: 32], ${f('resp')}, ${f('rdata')}`));
  L.push(`              ${n}_cur[c] = -1;`);
  L.push(`              left = left - 1;`);
  L.push(`            end`);
  L.push(`          end`);
  L.push(`        end`);
  L.push(`        @(negedge clk);`);
  L.push(`        ${n}_sync_req = ${C}'d0;`);
  L.push(`        cyc = cyc + 1;`);
  L.push(`      end`);
  L.push(`      ${n}_irq = 4'd0;`);
  L.push(...tbCheck('      ', 'left == 0', `"${n}: %0d requests without a response", left`));
  L.push(`    end`);
  L.push(`  endtask`);
  L.push('');
  return [`    $readmemh("tb/vectors/${n}_eu.hex", ${n}_vec);`, ...init];
}
