/** Identifier rules of the generated Verilog: SV-2017 keywords, escaping, small helpers. */

/** The reserved words of IEEE 1800-2017 (Annex B), which includes every Verilog-2005 keyword. */
export const SV_KEYWORDS: ReadonlySet<string> = new Set(`accept_on alias always always_comb always_ff always_latch and assert assign assume automatic before begin bind bins binsof bit break buf bufif0 bufif1 byte case casex casez cell chandle checker class clocking cmos config const constraint context continue cover covergroup coverpoint cross deassign default defparam design disable dist do edge else end endcase endchecker endclass endclocking endconfig endfunction endgenerate endgroup endinterface endmodule endpackage endprimitive endprogram endproperty endspecify endsequence endtable endtask enum event eventually expect export extends extern final first_match for force foreach forever fork forkjoin function generate genvar global highz0 highz1 if iff ifnone ignore_bins illegal_bins implements implies import incdir include initial inout input inside instance int integer interconnect interface intersect join join_any join_none large let liblist library local localparam logic longint macromodule matches medium modport module nand negedge nettype new nexttime nmos nor noshowcancelled not notif0 notif1 null or output package packed parameter pmos posedge primitive priority program property protected pull0 pull1 pulldown pullup pulsestyle_ondetect pulsestyle_onevent pure rand randc randcase randsequence rcmos real realtime ref reg reject_on release repeat restrict return rnmos rpmos rtran rtranif0 rtranif1 s_always s_eventually s_nexttime s_until s_until_with scalared sequence shortint shortreal showcancelled signed small soft solve specify specparam static string strong strong0 strong1 struct super supply0 supply1 sync_accept_on sync_reject_on table tagged task this throughout time timeprecision timeunit tran tranif0 tranif1 tri tri0 tri1 triand trior trireg type typedef union unique unique0 unsigned until until_with untyped use uwire var vectored virtual void wait wait_order wand weak weak0 weak1 while wildcard wire with within wor xnor xor`.split(/\s+/));

/**
 * A safe Verilog identifier for a platform name: lower case, every character outside
 * `[a-z0-9_]` becomes `_`, a leading digit gets an `n` prefix, and a name that is an SV-2017
 * keyword (or would start with the `$` of system tasks) gets a `_i` suffix: `do` -> `do_i`,
 * `3d-buf` -> `n3d_buf`. Renaming (not `\escaped` identifiers) keeps every tool and file system
 * happy; the manifest maps YAML names to Verilog names.
 */
export function verilogName(name: string): string {
  let s = name.toLowerCase().replace(/[^a-z0-9_]/g, '_');
  if (s === '') s = 'n';
  if (/^[0-9]/.test(s)) s = `n${s}`;
  if (SV_KEYWORDS.has(s)) s = `${s}_i`;
  return s;
}

/** `ceil(log2(n))` for n >= 1 (0 for n = 1). */
export function clog2(n: number): number {
  let b = 0;
  while (2 ** b < n) b++;
  return b;
}

/** True for 1, 2, 4, ... */
export const isPow2 = (n: number): boolean => Number.isInteger(n) && n >= 1 && (n & (n - 1)) === 0;

/** Zero-padded lower-case hex of a non-negative bigint in `bits` bits (two's complement applied by the caller). */
export function hex(v: bigint, bits: number): string {
  const digits = Math.max(1, Math.ceil(bits / 4));
  const mask = (1n << BigInt(bits)) - 1n;
  return (v & mask).toString(16).padStart(digits, '0');
}

/** Two's complement of a signed integer in `bits` bits, as a non-negative bigint. */
export function twos(v: number | bigint, bits: number): bigint {
  const b = typeof v === 'bigint' ? v : BigInt(v);
  const mod = 1n << BigInt(bits);
  return ((b % mod) + mod) % mod;
}

/** Packs fields (most significant first) into one bigint. */
export function pack(fields: readonly (readonly [bigint, number])[]): { readonly value: bigint; readonly bits: number } {
  let value = 0n;
  let bits = 0;
  for (const [v, w] of fields) {
    value = (value << BigInt(w)) | (v & ((1n << BigInt(w)) - 1n));
    bits += w;
  }
  return { value, bits };
}
