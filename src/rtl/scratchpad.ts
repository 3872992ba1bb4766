/**
 * The banked, word-interleaved scratchpad (PULP TCDM style): `ports` request/grant ports, one
 * round-robin arbiter per bank, a grant in the request's cycle, the response one cycle later,
 * and one SRAM macro per bank. Also the cycle model of that arbitration (what the testbench
 * expects) and the test scenario the testbench replays.
 */
import { clog2, hex, pack, twos } from './names.js';
import { FILE_FOOTER, fileHeader, portList, range } from './verilog.js';
import type { Rng } from '../util/index.js';

/** Geometry of one scratchpad in RTL. */
export interface SpmGeom {
  readonly ports: number;
  readonly banks: number;
  readonly wordBytes: number;
  /** Words per bank (sizeBytes / banks / wordBytes). */
  readonly bankWords: number;
}

/** Address width of the master ports (system addresses). */
export const ADDR_W = 32;

/** Derived widths. */
export function spmWidths(g: SpmGeom): { dw: number; bw: number; off: number; bb: number; rw: number; used: number } {
  const off = clog2(g.wordBytes);
  const bb = clog2(g.banks);
  const rw = clog2(g.bankWords);
  return { dw: g.wordBytes * 8, bw: g.wordBytes, off, bb, rw, used: off + bb + rw };
}

/** Module name of a scratchpad geometry: `es_spm_p<ports>_b<banks>x<words>x<bits>`. */
export const spmModuleName = (g: SpmGeom): string => `es_spm_p${g.ports}_b${g.banks}x${g.bankWords}x${g.wordBytes * 8}`;
/** SRAM macro name of one bank: `es_sram_<words>x<bits>` (with byte enables). */
export const sramMacroName = (g: SpmGeom): string => `es_sram_${g.bankWords}x${g.wordBytes * 8}`;

/** The round-robin arbiter, shared by every scratchpad. */
export function emitRrArbiter(): string {
  return `${fileHeader('es_rr_arb: round-robin arbiter, one-hot grant in the request cycle; the priority moves past the last grant.')}module es_rr_arb #(
  parameter integer N = 2
) (
  input  wire clk_i,
  input  wire rst_ni,
  input  wire [N-1:0] req_i,
  output reg  [N-1:0] gnt_o
);
  // mask_q: ports above the last granted one (all ones after reset: port 0 first).
  reg [N-1:0] mask_q;
  reg [N-1:0] mask_d;
  reg [N-1:0] req_m;
  reg any_m;
  reg hit;
  reg seen;
  integer i;

  always @* begin
    req_m = req_i & mask_q;
    any_m = |req_m;
    gnt_o = {N{1'b0}};
    hit = 1'b0;
    for (i = 0; i < N; i = i + 1) begin
      if (!hit && (any_m ? req_m[i] : req_i[i])) begin
        gnt_o[i] = 1'b1;
        hit = 1'b1;
      end
    end
    mask_d = {N{1'b0}};
    seen = 1'b0;
    for (i = 0; i < N; i = i + 1) begin
      mask_d[i] = seen;
      if (gnt_o[i]) seen = 1'b1;
    end
  end

  always @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) mask_q <= {N{1'b1}};
    else if (hit) mask_q <= mask_d;
  end
endmodule
${FILE_FOOTER}`;
}

/** The scratchpad module of one geometry. */
export function emitSpm(g: SpmGeom): string {
  const { dw, bw, off, bb, rw, used } = spmWidths(g);
  const P = g.ports;
  const name = spmModuleName(g);
  const macro = sramMacroName(g);
  const L: string[] = [];
  L.push(fileHeader(`${name}: ${g.banks} banks x ${g.bankWords} words x ${dw} bits, word-interleaved, ${P} request/grant ports, round-robin per bank, response one cycle after the grant.`));
  L.push(`module ${name} (\n${portList([
    { dir: 'input', name: 'clk_i', width: 1 },
    { dir: 'input', name: 'rst_ni', width: 1 },
    { dir: 'input', name: 'req_i', width: P },
    { dir: 'input', name: 'we_i', width: P },
    { dir: 'input', name: 'be_i', width: P * bw },
    { dir: 'input', name: 'addr_i', width: P * ADDR_W },
    { dir: 'input', name: 'wdata_i', width: P * dw },
    { dir: 'output', name: 'gnt_o', width: P },
    { dir: 'output', name: 'rvalid_o', width: P },
    { dir: 'output', name: 'rdata_o', width: P * dw },
  ])}\n);`);
  // address fields per port
  const unusedBits: string[] = [];
  for (let p = 0; p < P; p++) {
    const a = p * ADDR_W;
    if (bb > 0) L.push(`  wire ${range(bb)}bsel_${p} = addr_i[${a + off + bb - 1}:${a + off}];`);
    L.push(`  wire ${range(rw)}row_${p} = addr_i[${a + off + bb + rw - 1}:${a + off + bb}];`);
    if (off > 0) unusedBits.push(`addr_i[${a + off - 1}:${a}]`);
    if (used < ADDR_W) unusedBits.push(`addr_i[${a + ADDR_W - 1}:${a + used}]`);
  }
  if (unusedBits.length > 0) {
    const w = P * (off + Math.max(0, ADDR_W - used));
    L.push(`  // byte offsets (byte enables select bytes) and bits above the scratchpad size are not decoded`);
    L.push(`  wire ${range(w)}unused_addr = {${unusedBits.reverse().join(', ')}};`);
  }
  L.push('');
  for (let b = 0; b < g.banks; b++) {
    const reqTerms: string[] = [];
    // one port: the 1-bit vectors are scalars (no bit select)
    const bit = (v: string, p: number): string => (P === 1 ? v : `${v}[${p}]`);
    for (let p = P - 1; p >= 0; p--) reqTerms.push(bb > 0 ? `${bit('req_i', p)} & (bsel_${p} == ${bb}'d${b})` : bit('req_i', p));
    L.push(`  // bank ${b}`);
    L.push(`  wire ${range(P)}breq_${b} = {${reqTerms.join(', ')}};`);
    L.push(`  wire ${range(P)}bgnt_${b};`);
    L.push(`  es_rr_arb #(.N(${P})) u_arb_${b} (.clk_i(clk_i), .rst_ni(rst_ni), .req_i(breq_${b}), .gnt_o(bgnt_${b}));`);
    const sel = (sig: (p: number) => string, w: number): string => Array.from({ length: P }, (_, p) => `({${w}{${bit(`bgnt_${b}`, p)}}} & ${sig(p)})`).join(' | ');
    L.push(`  wire ce_${b} = |breq_${b};`);
    L.push(`  wire we_${b} = |(bgnt_${b} & we_i);`);
    L.push(`  wire ${range(bw)}be_${b} = ${sel((p) => (P * bw === 1 ? 'be_i' : `be_i[${p * bw + bw - 1}:${p * bw}]`), bw)};`);
    L.push(`  wire ${range(rw)}addr_${b} = ${sel((p) => `row_${p}`, rw)};`);
    L.push(`  wire ${range(dw)}wdata_${b} = ${sel((p) => `wdata_i[${p * dw + dw - 1}:${p * dw}]`, dw)};`);
    L.push(`  wire ${range(dw)}rdata_${b};`);
    L.push(`  ${macro} u_bank_${b} (.clk_i(clk_i), .ce_i(ce_${b}), .we_i(we_${b}), .be_i(be_${b}), .addr_i(addr_${b}), .wdata_i(wdata_${b}), .rdata_o(rdata_${b}));`);
    L.push('');
  }
  L.push(`  // a port requests one bank at a time, so at most one bank grants it`);
  L.push(`  assign gnt_o = ${Array.from({ length: g.banks }, (_, b) => `bgnt_${b}`).join(' | ')};`);
  L.push('');
  L.push(`  // response: one cycle after the grant, from the bank that granted`);
  L.push(`  reg ${range(P)}rvalid_q;`);
  if (bb > 0) L.push(`  reg ${range(P * bb)}rbank_q;`);
  L.push(`  always @(posedge clk_i or negedge rst_ni) begin`);
  L.push(`    if (!rst_ni) begin`);
  L.push(`      rvalid_q <= ${P}'d0;`);
  if (bb > 0) L.push(`      rbank_q <= ${P * bb}'d0;`);
  L.push(`    end else begin`);
  L.push(`      rvalid_q <= gnt_o;`);
  if (bb > 0) L.push(`      rbank_q <= {${Array.from({ length: P }, (_, i) => `bsel_${P - 1 - i}`).join(', ')}};`);
  L.push(`    end`);
  L.push(`  end`);
  L.push(`  assign rvalid_o = rvalid_q;`);
  for (let p = 0; p < P; p++) {
    const src = bb > 0
      ? Array.from({ length: g.banks }, (_, b) => `({${dw}{rbank_q[${p * bb + bb - 1}:${p * bb}] == ${bb}'d${b}}} & rdata_${b})`).join(' | ')
      : 'rdata_0';
    L.push(`  assign rdata_o[${p * dw + dw - 1}:${p * dw}] = ${src};`);
  }
  L.push('endmodule');
  L.push(FILE_FOOTER);
  return L.join('\n');
}

/** The SRAM macro's port list (shared by the model, the black-box stub and the Liberty stub). */
export function sramPorts(g: SpmGeom): { dir: 'input' | 'output'; name: string; width: number }[] {
  const { dw, bw, rw } = spmWidths(g);
  return [
    { dir: 'input', name: 'clk_i', width: 1 },
    { dir: 'input', name: 'ce_i', width: 1 },
    { dir: 'input', name: 'we_i', width: 1 },
    { dir: 'input', name: 'be_i', width: bw },
    { dir: 'input', name: 'addr_i', width: rw },
    { dir: 'input', name: 'wdata_i', width: dw },
    { dir: 'output', name: 'rdata_o', width: dw },
  ];
}

/** Behavioural model of the SRAM macro (simulation only): synchronous, one access per cycle, read data the cycle after. */
export function emitSramModel(g: SpmGeom): string {
  const { dw, bw } = spmWidths(g);
  const name = sramMacroName(g);
  const L: string[] = [fileHeader(`${name}: behavioural model of a ${g.bankWords} x ${dw}-bit single-port SRAM macro with byte enables (simulation only; synthesis reads macros/${name}_bb.v).`)];
  L.push(`module ${name} (\n${portList(sramPorts(g).map((p) => (p.name === 'rdata_o' ? { ...p, reg: true } : p)))}\n);`);
  L.push(`  reg ${range(dw)}mem [0:${g.bankWords - 1}];`);
  L.push(`  always @(posedge clk_i) begin`);
  L.push(`    if (ce_i && we_i) begin`);
  for (let i = 0; i < bw; i++) L.push(`      if (${bw === 1 ? 'be_i' : `be_i[${i}]`}) mem[addr_i][${i * 8 + 7}:${i * 8}] <= wdata_i[${i * 8 + 7}:${i * 8}];`);
  L.push(`    end`);
  L.push(`    if (ce_i && !we_i) rdata_o <= mem[addr_i];`);
  L.push(`  end`);
  L.push('endmodule');
  L.push(FILE_FOOTER);
  return L.join('\n');
}

// ---------------------------------------------------------------------------------------------
// Cycle model and test scenario

/** One access of a round: port, write or read, word address (byte address / wordBytes), data, byte enables. */
export interface SpmAccess {
  readonly port: number;
  readonly write: boolean;
  readonly word: number;
  readonly data: bigint;
  readonly be: number;
}

/** A round: accesses presented together (at most one per port); the next round starts when all responded. */
export interface SpmRound {
  readonly accesses: readonly SpmAccess[];
}

/** Expected outcome of one access: grant cycle (from the round start) and, for reads, the data. */
export interface SpmExpect {
  readonly grant: number;
  readonly rdata?: bigint;
}

/**
 * One cycle of `es_rr_arb`: the first requesting port at or above the priority (`mask`: ports
 * above the last grant), else the first requesting port; moves the priority past the winner.
 * Returns the winner or -1.
 */
export function rrGrant(mask: boolean[], req: readonly boolean[]): number {
  const anyM = req.some((q, p) => q && mask[p] === true);
  const win = req.findIndex((q, p) => q && (!anyM || mask[p] === true));
  if (win >= 0) for (let p = 0; p < mask.length; p++) mask[p] = p > win;
  return win;
}

/** A byte-enabled write of `data` over `old` (bit k of `be`: byte k), in a word of `wordBytes`. */
export function mergeBytes(old: bigint, data: bigint, be: number, wordBytes: number): bigint {
  let v = old;
  for (let k = 0; k < wordBytes; k++) {
    if ((be >> k) & 1) {
      const m = 0xffn << BigInt(8 * k);
      v = (v & ~m) | (data & m);
    }
  }
  return v & ((1n << BigInt(8 * wordBytes)) - 1n);
}

/**
 * The RTL's arbitration, cycle by cycle: per bank a round-robin pointer (mask of ports above
 * the last grant; all ports after reset), each cycle the first requesting port at or above it,
 * else the first requesting port. Returns per round per access its grant cycle and read data
 * (byte-enabled writes applied in grant order).
 */
export function spmExpect(g: SpmGeom, rounds: readonly SpmRound[]): SpmExpect[][] {
  const masks = Array.from({ length: g.banks }, () => new Array<boolean>(g.ports).fill(true));
  const mem = new Map<number, bigint>();
  return rounds.map((r) => {
    const out: (SpmExpect | undefined)[] = r.accesses.map(() => undefined);
    const waiting = new Set(r.accesses.map((_, i) => i));
    for (let cyc = 0; waiting.size > 0; cyc++) {
      for (let b = 0; b < g.banks; b++) {
        const req = new Array<boolean>(g.ports).fill(false);
        const idx = new Map<number, number>();
        for (const i of waiting) {
          const a = r.accesses[i]!;
          if (a.word % g.banks === b) {
            req[a.port] = true;
            idx.set(a.port, i);
          }
        }
        const win = rrGrant(masks[b]!, req);
        if (win < 0) continue;
        const i = idx.get(win)!;
        const a = r.accesses[i]!;
        waiting.delete(i);
        const old = mem.get(a.word) ?? 0n;
        if (a.write) {
          mem.set(a.word, mergeBytes(old, a.data, a.be, g.wordBytes));
          out[i] = { grant: cyc };
        } else out[i] = { grant: cyc, rdata: old };
      }
    }
    return out.map((e) => e!);
  });
}

/**
 * The testbench scenario: fill every word (rounds of one write per port, conflicts where ports
 * outnumber banks), byte-enabled partial writes, then reads: all ports on one bank (a full
 * conflict), all ports on distinct banks where possible, and random accesses. Reads only
 * touch written words.
 */
export function spmScenario(g: SpmGeom, rng: Rng): SpmRound[] {
  const words = g.banks * g.bankWords;
  const dw = g.wordBytes * 8;
  const full = (1 << g.wordBytes) - 1;
  const rand = (): bigint => {
    let v = 0n;
    for (let i = 0; i < dw; i += 32) v = (v << 32n) | BigInt(rng.nextU32());
    return v & ((1n << BigInt(dw)) - 1n);
  };
  const rounds: SpmRound[] = [];
  for (let w0 = 0; w0 < words; w0 += g.ports) {
    const acc: SpmAccess[] = [];
    for (let p = 0; p < g.ports && w0 + p < words; p++) acc.push({ port: p, write: true, word: w0 + p, data: rand(), be: full });
    rounds.push({ accesses: acc });
  }
  // partial writes (every other byte), one per port, on distinct words
  rounds.push({ accesses: Array.from({ length: Math.min(g.ports, words) }, (_, p) => ({ port: p, write: true, word: (p * 7 + 3) % words, data: rand(), be: 0x5555 & full })) });
  // full conflict: every port reads a word of bank 0
  rounds.push({ accesses: Array.from({ length: g.ports }, (_, p) => ({ port: p, write: false, word: (p % g.bankWords) * g.banks, data: 0n, be: 0 })) });
  // again, reversed order of words, to exercise the moved priority
  rounds.push({ accesses: Array.from({ length: g.ports }, (_, p) => ({ port: p, write: false, word: ((g.ports - 1 - p) % g.bankWords) * g.banks, data: 0n, be: 0 })) });
  // distinct banks where possible
  rounds.push({ accesses: Array.from({ length: g.ports }, (_, p) => ({ port: p, write: false, word: (p * (g.banks + 1)) % words, data: 0n, be: 0 })) });
  // random mixes, some ports idle
  for (let r = 0; r < 8; r++) {
    const acc: SpmAccess[] = [];
    for (let p = 0; p < g.ports; p++) {
      const x = rng.nextU32();
      if (x % 4 === 0) continue;
      const write = x % 4 === 1;
      acc.push({ port: p, write, word: rng.nextU32() % words, data: write ? rand() : 0n, be: write ? full : 0 });
    }
    if (acc.length > 0) rounds.push({ accesses: acc });
  }
  return rounds;
}

/** Field widths of one scratchpad vector line. */
export function spmVectorLayout(g: SpmGeom): { readonly bits: number; readonly fields: readonly (readonly [string, number])[] } {
  const dw = g.wordBytes * 8;
  const fields = [['act', 1], ['we', 1], ['chk', 1], ['be', g.wordBytes], ['addr', ADDR_W], ['wdata', dw], ['rdata', dw], ['gnt', 16]] as const;
  return { bits: fields.reduce((s, f) => s + f[1], 0), fields };
}

/** `$readmemh` text: one line per (round, port), fields as {@link spmVectorLayout}. */
export function spmVectors(g: SpmGeom, rounds: readonly SpmRound[], exp: readonly SpmExpect[][]): string {
  const { bits } = spmVectorLayout(g);
  const dw = g.wordBytes * 8;
  const lines: string[] = [];
  rounds.forEach((r, ri) => {
    for (let p = 0; p < g.ports; p++) {
      const i = r.accesses.findIndex((a) => a.port === p);
      const a = r.accesses[i];
      const e = exp[ri]![i];
      const v = a === undefined || e === undefined
        ? pack([[0n, bits]])
        : pack([[1n, 1], [a.write ? 1n : 0n, 1], [a.write ? 0n : 1n, 1], [BigInt(a.be), g.wordBytes], [BigInt(a.word * g.wordBytes), ADDR_W], [a.data, dw], [e.rdata ?? 0n, dw], [twos(e.grant, 16), 16]]);
      lines.push(hex(v.value, bits));
    }
  });
  return `${lines.join('\n')}\n`;
}
