/**
 * The L2 memory (`memory` with `level: l2`, after the simulator's Memory, src/modules/memory):
 * the banked, word-interleaved scratchpad core (`es_spm_*`, one `es_sram_*` macro per bank,
 * round-robin per bank) behind a port occupancy gate and a response delay, so that a single
 * uncontended word takes the simulator's `latencyCycles + ceil(word / bandwidthBytesPerCycle)`
 * cycles from the request to the response. Also the RTL's cycle model, the test scenario and
 * the testbench part.
 */
import type { Rng } from '../util/index.js';
import { clog2, hex, isPow2, pack } from './names.js';
import { ADDR_W, mergeBytes, rrGrant, spmModuleName, type SpmGeom } from './scratchpad.js';
import { FILE_FOOTER, fileHeader, portList, range, tbCheck, tbPortSignals, vecSlices, type PortDecl } from './verilog.js';

/** Geometry of one L2 memory in RTL: the scratchpad core's, the latency and the occupancy of one word. */
export interface MemGeom extends SpmGeom {
  /** `latencyCycles`. */
  readonly latency: number;
  /** Cycles a port is busy per word: `ceil(wordBytes / bandwidthBytesPerCycle)` (at least 1). */
  readonly occ: number;
}

/** Cycles from the grant to the response: the simulator's delay of one word, `latency + occ`. */
export const memDelay = (g: MemGeom): number => g.latency + g.occ;

/** `es_mem_p<ports>_b<banks>x<words>x<bits>_l<latency>_o<occ>`. */
export const memModuleName = (g: MemGeom): string => `es_mem_p${g.ports}_b${g.banks}x${g.bankWords}x${g.wordBytes * 8}_l${g.latency}_o${g.occ}`;

/** Most response stages the generator builds (`latencyCycles + occ`). */
export const MEM_MAX_DELAY = 1024;

/** Validates an L2 memory's parameters for RTL; returns the geometry or the problems (`param`, message, hint). */
export function memGeom(p: Readonly<Record<string, unknown>>): { geom?: MemGeom; errors: { param: string; message: string; hint?: string }[] } {
  const n = (v: unknown): number => (typeof v === 'number' ? v : Number.NaN);
  const banks = n(p.banks);
  const width = n(p.dataWidthBits);
  const size = n(p.sizeBytes);
  const lat = n(p.latencyCycles);
  const bw = n(p.bandwidthBytesPerCycle);
  const wordBytes = width / 8;
  const bankWords = size / banks / wordBytes;
  const errors: { param: string; message: string; hint?: string }[] = [];
  if (!isPow2(banks)) errors.push({ param: 'banks', message: `${banks} banks is not a power of two (word interleaving decodes the bank from address bits)`, hint: 'use 1, 2, 4, 8, ... banks' });
  if (!isPow2(wordBytes) || width > 1024) errors.push({ param: 'dataWidthBits', message: `${width}-bit words: the generated memory needs a power of two of 8 to 1024 bits`, hint: 'use 8, 16, 32, 64, 128, ... bits' });
  if (!Number.isInteger(bankWords) || bankWords < 2) errors.push({ param: 'sizeBytes', message: `${size} B gives ${bankWords} words per bank; an SRAM bank needs a whole number of at least 2 words`, hint: `use a multiple of ${2 * banks * wordBytes} B` });
  else if (clog2(size) > ADDR_W) errors.push({ param: 'sizeBytes', message: `${size} B does not fit in ${ADDR_W}-bit addresses` });
  if (!Number.isInteger(bw) || bw < 1) errors.push({ param: 'bandwidthBytesPerCycle', message: `${bw} B/cycle: the port occupancy needs a whole number of bytes per cycle` });
  const occ = Math.max(1, Math.ceil(wordBytes / bw));
  if (!Number.isInteger(lat) || lat < 0 || lat + occ > MEM_MAX_DELAY) errors.push({ param: 'latencyCycles', message: `latency ${lat} + ${occ} cycle(s) per word: the response pipeline is generated for at most ${MEM_MAX_DELAY} cycles`, hint: `use at most ${MEM_MAX_DELAY - occ} cycles` });
  if (errors.length > 0) return { errors };
  return { geom: { ports: n(p.ports), banks, wordBytes, bankWords, latency: lat, occ }, errors };
}

/** The module's ports (the scratchpad core's: `req_i ... rdata_o`, element p in bits `[p*w +: w]`). */
export function memPorts(g: MemGeom): PortDecl[] {
  const P = g.ports;
  const dw = g.wordBytes * 8;
  return [
    { dir: 'input', name: 'clk_i', width: 1 },
    { dir: 'input', name: 'rst_ni', width: 1 },
    { dir: 'input', name: 'req_i', width: P },
    { dir: 'input', name: 'we_i', width: P },
    { dir: 'input', name: 'be_i', width: P * g.wordBytes },
    { dir: 'input', name: 'addr_i', width: P * ADDR_W },
    { dir: 'input', name: 'wdata_i', width: P * dw },
    { dir: 'output', name: 'gnt_o', width: P },
    { dir: 'output', name: 'rvalid_o', width: P },
    { dir: 'output', name: 'rdata_o', width: P * dw },
  ];
}

/** The memory module: occupancy gate, scratchpad core, response delay. */
export function emitMem(g: MemGeom): string {
  const P = g.ports;
  const dw = g.wordBytes * 8;
  const name = memModuleName(g);
  const S = memDelay(g) - 1;
  const L: string[] = [fileHeader(`${name}: L2 memory, ${g.banks} banks x ${g.bankWords} words x ${dw} bits, word-interleaved, ${P} request/grant port(s); a port accepts a word every ${g.occ} cycle(s), the response comes ${memDelay(g)} cycles after the grant (latencyCycles ${g.latency} + ${g.occ}).`)];
  L.push(`module ${name} (\n${portList(memPorts(g))}\n);`);
  if (g.occ > 1) {
    const ow = clog2(g.occ);
    L.push(`  // occupancy: after a grant the port is busy ${g.occ - 1} more cycle(s) (ceil(word / bandwidthBytesPerCycle) = ${g.occ})`);
    L.push(`  reg ${range(P * ow)}busy_q;`);
    L.push(`  wire ${range(P)}free = {${Array.from({ length: P }, (_, i) => `busy_q[${(P - i) * ow - 1}:${(P - 1 - i) * ow}] == ${ow}'d0`).join(', ')}};`);
    L.push(`  wire ${range(P)}core_req = req_i & free;`);
    L.push(`  integer p;`);
    L.push(`  always @(posedge clk_i or negedge rst_ni) begin`);
    L.push(`    if (!rst_ni) busy_q <= ${P * ow}'d0;`);
    L.push(`    else begin`);
    L.push(`      for (p = 0; p < ${P}; p = p + 1) begin`);
    L.push(`        if (gnt_o[p]) busy_q[p*${ow} +: ${ow}] <= ${ow}'d${g.occ - 1};`);
    L.push(`        else if (!free[p]) busy_q[p*${ow} +: ${ow}] <= busy_q[p*${ow} +: ${ow}] - ${ow}'d1;`);
    L.push(`      end`);
    L.push(`    end`);
    L.push(`  end`);
  } else L.push(`  wire ${range(P)}core_req = req_i;`);
  L.push(`  wire ${range(P)}core_rvalid;`);
  L.push(`  wire ${range(P * dw)}core_rdata;`);
  L.push(`  ${spmModuleName(g)} u_core (.clk_i(clk_i), .rst_ni(rst_ni), .req_i(core_req), .we_i(we_i), .be_i(be_i), .addr_i(addr_i), .wdata_i(wdata_i), .gnt_o(gnt_o), .rvalid_o(core_rvalid), .rdata_o(core_rdata));`);
  if (S === 0) {
    L.push(`  assign rvalid_o = core_rvalid;`);
    L.push(`  assign rdata_o = core_rdata;`);
  } else {
    L.push(`  // response delay: ${S} stage(s) after the core's one-cycle response`);
    L.push(`  reg ${range(S * P)}rv_q;`);
    L.push(`  reg ${range(S * P * dw)}rd_q;`);
    L.push(`  always @(posedge clk_i or negedge rst_ni) begin`);
    L.push(`    if (!rst_ni) begin`);
    L.push(`      rv_q <= ${S * P}'d0;`);
    L.push(`      rd_q <= ${S * P * dw}'d0;`);
    L.push(`    end else begin`);
    L.push(`      rv_q <= ${S === 1 ? 'core_rvalid' : `{rv_q[${(S - 1) * P - 1}:0], core_rvalid}`};`);
    L.push(`      rd_q <= ${S === 1 ? 'core_rdata' : `{rd_q[${(S - 1) * P * dw - 1}:0], core_rdata}`};`);
    L.push(`    end`);
    L.push(`  end`);
    L.push(`  assign rvalid_o = rv_q[${S * P - 1}:${(S - 1) * P}];`);
    L.push(`  assign rdata_o = rd_q[${S * P * dw - 1}:${(S - 1) * P * dw}];`);
  }
  L.push('endmodule');
  L.push(FILE_FOOTER);
  return L.join('\n');
}

// ---------------------------------------------------------------------------------------------
// Cycle model, scenario, vectors, testbench

/** One access: port, the cycle it is issued (presented from then, after the port's previous grant), write or read, word index, data, byte enables. */
export interface MemAccess {
  readonly port: number;
  readonly issue: number;
  readonly write: boolean;
  readonly word: number;
  readonly data: bigint;
  readonly be: number;
}

/** Expected grant and response cycle of an access, and for reads the data. */
export interface MemExpect {
  readonly grant: number;
  readonly resp: number;
  readonly rdata?: bigint;
}

/**
 * The RTL, cycle by cycle: each port presents its accesses in order, the next from the cycle
 * after the previous grant and not before its issue cycle; a port is granted at most once every
 * `occ` cycles; per bank the round-robin arbiter of the scratchpad core picks among the ports
 * presenting a word of the bank; the response comes `latency + occ` cycles after the grant
 * (byte-enabled writes applied in grant order). With one port (or no two ports on one bank in
 * a cycle) the grant is the simulator's `start = max(issue, portFree)` and the response its
 * `start + latencyCycles + ceil(word / bandwidth)`.
 */
export function memExpect(g: MemGeom, acc: readonly MemAccess[]): MemExpect[] {
  const out: (MemExpect | undefined)[] = acc.map(() => undefined);
  const queue = Array.from({ length: g.ports }, (_, p) => acc.map((a, i) => (a.port === p ? i : -1)).filter((i) => i >= 0));
  const head = new Array<number>(g.ports).fill(0);
  const lastGrant = new Array<number>(g.ports).fill(-1);
  const freeAt = new Array<number>(g.ports).fill(0);
  const masks = Array.from({ length: g.banks }, () => new Array<boolean>(g.ports).fill(true));
  const mem = new Map<number, bigint>();
  let left = acc.length;
  for (let cyc = 0; left > 0; cyc++) {
    if (cyc > 1e7) throw new Error('memExpect: no progress');
    const cand = new Map<number, number>();
    for (let p = 0; p < g.ports; p++) {
      const i = queue[p]![head[p]!];
      if (i === undefined) continue;
      if (acc[i]!.issue <= cyc && lastGrant[p]! < cyc && freeAt[p]! <= cyc) cand.set(p, i);
    }
    for (let b = 0; b < g.banks; b++) {
      const req = Array.from({ length: g.ports }, (_, p) => cand.has(p) && acc[cand.get(p)!]!.word % g.banks === b);
      const p = rrGrant(masks[b]!, req);
      if (p < 0) continue;
      const i = cand.get(p)!;
      const a = acc[i]!;
      const old = mem.get(a.word) ?? 0n;
      if (a.write) mem.set(a.word, mergeBytes(old, a.data, a.be, g.wordBytes));
      out[i] = { grant: cyc, resp: cyc + memDelay(g), ...(a.write ? {} : { rdata: old }) };
      head[p]!++;
      lastGrant[p] = cyc;
      freeAt[p] = cyc + g.occ;
      left--;
    }
  }
  return out.map((e) => e!);
}

/** Words the testbench touches (the first ones; all of a CI-sized memory). */
export const MEM_TB_WORDS = 512;

/**
 * The testbench scenario: every word (at most {@link MEM_TB_WORDS}) written back to back (one port after another word), single
 * reads spaced so that nothing is queued (the uncontended latency), byte-enabled writes of an
 * aligned half word and of one byte (when a word fits the bandwidth: the simulator moves the
 * naturally sized sub-word transaction in the same occupancy), back-to-back reads of every word,
 * then random reads and writes with gaps of 0 to 3 cycles.
 */
export function memScenario(g: MemGeom, rng: Rng): MemAccess[] {
  const words = Math.min(g.banks * g.bankWords, MEM_TB_WORDS);
  const dw = g.wordBytes * 8;
  const full = 2 ** g.wordBytes - 1;
  const rand = (): bigint => {
    let v = 0n;
    for (let i = 0; i < dw; i += 32) v = (v << 32n) | BigInt(rng.nextU32());
    return v & ((1n << BigInt(dw)) - 1n);
  };
  const acc: MemAccess[] = [];
  const D = memDelay(g);
  let t = 0;
  const fence = (): void => { t = Math.max(...acc.map((a) => a.issue)) + words * g.occ + D + 2; };
  for (let w = 0; w < words; w++) acc.push({ port: w % g.ports, issue: t, write: true, word: w, data: rand(), be: full });
  fence();
  for (let k = 0; k < Math.min(8, words); k++) acc.push({ port: k % g.ports, issue: t + k * (D + 3), write: false, word: (k * 5 + 1) % words, data: 0n, be: 0 });
  fence();
  if (g.occ === 1 && g.wordBytes > 1) {
    const half = 2 ** (g.wordBytes / 2) - 1;
    const parts = [half << (g.wordBytes / 2), 1 << (g.wordBytes - 1), half, 1];
    parts.forEach((be, k) => acc.push({ port: k % g.ports, issue: t + k, write: true, word: (k * 3 + 2) % words, data: rand(), be }));
    parts.forEach((_, k) => acc.push({ port: k % g.ports, issue: t + 4 + k, write: false, word: (k * 3 + 2) % words, data: 0n, be: 0 }));
    fence();
  }
  for (let w = 0; w < words; w++) acc.push({ port: w % g.ports, issue: t, write: false, word: words - 1 - w, data: 0n, be: 0 });
  fence();
  for (let p = 0; p < g.ports; p++) {
    let c = t;
    for (let k = 0; k < 24; k++) {
      c += rng.nextU32() % 4;
      const write = rng.nextU32() % 3 === 0;
      acc.push({ port: p, issue: c, write, word: rng.nextU32() % words, data: write ? rand() : 0n, be: write ? full : 0 });
    }
  }
  return acc;
}

/** Fields of one vector line, MSB first. */
const memFields = (g: MemGeom): [string, number][] => [['we', 1], ['be', g.wordBytes], ['addr', ADDR_W], ['wdata', g.wordBytes * 8], ['rdata', g.wordBytes * 8], ['issue', 32], ['gnt', 32], ['resp', 32]];

/** `$readmemh` text: the accesses port by port (in order), fields as {@link memFields}; addresses from `base`. */
export function memVectors(g: MemGeom, acc: readonly MemAccess[], exp: readonly MemExpect[], base: number): string {
  const { bits } = vecSlices('v', memFields(g));
  const lines: string[] = [];
  for (let p = 0; p < g.ports; p++) {
    acc.forEach((a, i) => {
      if (a.port !== p) return;
      const e = exp[i]!;
      const v = pack([[a.write ? 1n : 0n, 1], [BigInt(a.be), g.wordBytes], [BigInt(base + a.word * g.wordBytes), ADDR_W], [a.data, g.wordBytes * 8], [e.rdata ?? 0n, g.wordBytes * 8], [BigInt(a.issue), 32], [BigInt(e.grant), 32], [BigInt(e.resp), 32]]);
      lines.push(hex(v.value, bits));
    });
  }
  return `${lines.join('\n')}\n`;
}

/** An L2 memory under test. */
export interface TbMem {
  readonly inst: string;
  readonly geom: MemGeom;
  /** Accesses per port (the vector file holds them port by port). */
  readonly perPort: readonly number[];
  /** The last expected response cycle. */
  readonly last: number;
}

/**
 * The testbench part of an L2 memory: each port presents its accesses in order (from its issue
 * cycle, the next after the grant of the previous); the grant cycle, the response cycle and the
 * read data of every access are checked against {@link memExpect}. Returns the initial-block lines.
 */
export function tbMem(L: string[], m: TbMem, conns: string[]): string[] {
  const g = m.geom;
  const n = m.inst;
  const P = g.ports;
  const dw = g.wordBytes * 8;
  const nv = m.perPort.reduce((s, x) => s + x, 0);
  const { bits, at } = vecSlices('v', memFields(g));
  const f = (k: string): string => at[k]!;
  const q = memPorts(g).slice(2);
  L.push(`  // ---- L2 memory ${n}: ${nv} accesses; grant cycle, response cycle (the simulator's latency ${g.latency} + ${g.occ} per word) and read data checked`);
  const init = tbPortSignals(L, n, q, conns);
  L.push(`  reg ${range(bits)}${n}_vec [0:${nv - 1}];`);
  L.push(`  integer ${n}_nx [0:${P - 1}];`);
  L.push(`  integer ${n}_rp [0:${P - 1}];`);
  L.push(`  integer ${n}_ne [0:${P - 1}];`);
  L.push(`  task run_${n};`);
  L.push(`    integer cyc;`);
  L.push(`    integer p;`);
  L.push(`    integer left;`);
  L.push(`    reg ${range(bits)}v;`);
  L.push(`    begin`);
  let first = 0;
  m.perPort.forEach((k, p) => {
    L.push(`      ${n}_nx[${p}] = ${first};`);
    L.push(`      ${n}_rp[${p}] = ${first};`);
    first += k;
    L.push(`      ${n}_ne[${p}] = ${first};`);
  });
  L.push(`      cyc = 0;`);
  L.push(`      left = ${nv};`);
  L.push(`      while (left > 0 && cyc < ${m.last + 64}) begin`);
  L.push(`        for (p = 0; p < ${P}; p = p + 1) begin`);
  L.push(`          v = ${n}_vec[${n}_nx[p] < ${n}_ne[p] ? ${n}_nx[p] : 0];`);
  L.push(`          ${n}_req[p] = ${n}_nx[p] < ${n}_ne[p] && ${f('issue')} <= cyc;`);
  L.push(`          ${n}_we[p] = ${f('we')};`);
  L.push(`          ${n}_be[p*${g.wordBytes} +: ${g.wordBytes}] = ${f('be')};`);
  L.push(`          ${n}_addr[p*${ADDR_W} +: ${ADDR_W}] = ${f('addr')};`);
  L.push(`          ${n}_wdata[p*${dw} +: ${dw}] = ${f('wdata')};`);
  L.push(`        end`);
  L.push(`        #1;`);
  L.push(`        for (p = 0; p < ${P}; p = p + 1) begin`);
  L.push(`          if (${n}_req[p] && ${n}_gnt[p]) begin`);
  L.push(`            v = ${n}_vec[${n}_nx[p]];`);
  L.push(...tbCheck('            ', `cyc === ${f('gnt')}`, `"${n}: port %0d access %0d: granted in cycle %0d, expected %0d", p, ${n}_nx[p], cyc, ${f('gnt')}`));
  L.push(`            ${n}_nx[p] = ${n}_nx[p] + 1;`);
  L.push(`          end`);
  L.push(`          if (${n}_rvalid[p] === 1'b1) begin`);
  L.push(`            if (${n}_rp[p] >= ${n}_nx[p]) begin`);
  L.push(`              failed = failed + 1;`);
  L.push(`              $display("${n}: port %0d: a response without a granted request in cycle %0d", p, cyc);`);
  L.push(`            end else begin`);
  L.push(`              v = ${n}_vec[${n}_rp[p]];`);
  L.push(...tbCheck('              ', `cyc === ${f('resp')}`, `"${n}: port %0d access %0d: response in cycle %0d, expected %0d", p, ${n}_rp[p], cyc, ${f('resp')}`));
  L.push(`              if (${f('we')} === 1'b0) begin`);
  L.push(...tbCheck('                ', `${n}_rdata[p*${dw} +: ${dw}] === ${f('rdata')}`, `"${n}: port %0d access %0d: read %h, expected %h", p, ${n}_rp[p], ${n}_rdata[p*${dw} +: ${dw}], ${f('rdata')}`));
  L.push(`              end`);
  L.push(`              ${n}_rp[p] = ${n}_rp[p] + 1;`);
  L.push(`              left = left - 1;`);
  L.push(`            end`);
  L.push(`          end`);
  L.push(`        end`);
  L.push(`        @(negedge clk);`);
  L.push(`        cyc = cyc + 1;`);
  L.push(`      end`);
  L.push(`      ${n}_req = ${P}'d0;`);
  L.push(...tbCheck('      ', 'left == 0', `"${n}: %0d accesses without a response", left`));
  L.push(`    end`);
  L.push(`  endtask`);
  L.push('');
  return [`    $readmemh("tb/vectors/${n}_mem.hex", ${n}_vec);`, ...init];
}
