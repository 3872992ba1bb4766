/** The self-checking testbench: one task per generated unit, vectors from the TypeScript models. */
import { FILE_FOOTER, fileHeader } from './verilog.js';
import { ADDR_W, spmModuleName, spmVectorLayout, spmWidths, type SpmGeom } from './scratchpad.js';
import { portList, type PortDecl } from './verilog.js';
import { AIMC_Y_BITS, aimcTileModuleName, aimcTilePorts, type AimcGeom, type AimcTest } from './aimc.js';
import { peArrayModuleName, type PeGeom, type PeTile } from './pe-array.js';
import { tbXbar, xbarModuleName, xbarPorts, type XbarGeom } from './xbar.js';
import { dmaModuleName, dmaParamOverrides, dmaPorts, type DmaGeom, type DmaTest } from './dma.js';
import { memModuleName, memPorts, tbMem, type TbMem } from './memory.js';
import { euModuleName, euPorts, tbEu, type TbEu } from './event-unit.js';

/** A scratchpad under test. */
export interface TbSpm {
  readonly inst: string;
  readonly geom: SpmGeom;
  readonly rounds: number;
}

/** A PE array under test. */
export interface TbPe {
  readonly inst: string;
  readonly geom: PeGeom;
  readonly tiles: readonly PeTile[];
}

/** An AIMC tile under test. */
export interface TbAimc {
  readonly inst: string;
  readonly geom: AimcGeom;
  readonly test: AimcTest;
}

/** An interconnect under test. */
export interface TbXbar {
  readonly inst: string;
  readonly geom: XbarGeom;
  readonly rounds: number;
}

/** `tb/tb_<top>.v`. Vector files are read from `tb/vectors/` relative to the working directory (the output folder). */
export function emitTestbench(top: string, spms: readonly TbSpm[], pes: readonly TbPe[], aimcs: readonly TbAimc[] = [], dmas: readonly TbDma[] = [], xbars: readonly TbXbar[] = [], mems: readonly TbMem[] = [], eus: readonly TbEu[] = []): string {
  const tb = `tb_${top}`;
  const L: string[] = [fileHeader(`${tb}: self-checking testbench; stimulus and expected results in tb/vectors/*.hex come from the edgesim TypeScript models. Prints "${tb}: N passed, M failed" and ends with $fatal(1) on a failure. Run from the output folder.`)];
  L.push(`module ${tb};`);
  L.push(`  reg clk;`);
  L.push(`  reg rst_n;`);
  L.push(`  integer passed;`);
  L.push(`  integer failed;`);
  L.push(`  initial clk = 1'b0;`);
  L.push(`  always #5 clk = ~clk;`);
  L.push('');
  const conns: string[] = ['.clk_i(clk)', '.rst_ni(rst_n)'];
  for (const s of spms) {
    const g = s.geom;
    const { dw, bw } = spmWidths(g);
    const P = g.ports;
    const { bits } = spmVectorLayout(g);
    const n = s.inst;
    const nv = s.rounds * P;
    L.push(`  // ---- scratchpad ${n}: ${s.rounds} rounds of accesses, grant cycles and read data checked`);
    L.push(`  reg [${P - 1}:0] ${n}_req;`);
    L.push(`  reg [${P - 1}:0] ${n}_we;`);
    L.push(`  reg [${P * bw - 1}:0] ${n}_be;`);
    L.push(`  reg [${P * ADDR_W - 1}:0] ${n}_addr;`);
    L.push(`  reg [${P * dw - 1}:0] ${n}_wdata;`);
    L.push(`  wire [${P - 1}:0] ${n}_gnt;`);
    L.push(`  wire [${P - 1}:0] ${n}_rvalid;`);
    L.push(`  wire [${P * dw - 1}:0] ${n}_rdata;`);
    L.push(`  reg [${bits - 1}:0] ${n}_vec [0:${nv - 1}];`);
    conns.push(...['req', 'we', 'be', 'addr', 'wdata'].map((x) => `.${n}_${x}_i(${n}_${x})`), ...['gnt', 'rvalid', 'rdata'].map((x) => `.${n}_${x}_o(${n}_${x})`));
    L.push(`  task run_${n};`);
    L.push(`    integer r;`);
    L.push(`    integer p;`);
    L.push(`    reg [15:0] cyc;`);
    L.push(`    reg [${bits - 1}:0] v;`);
    L.push(`    reg [${P - 1}:0] wait_g;`);
    L.push(`    reg [${P - 1}:0] wait_r;`);
    L.push(`    reg [${P - 1}:0] chk;`);
    L.push(`    reg [${P * dw - 1}:0] exp_rd;`);
    L.push(`    reg [${P * 16 - 1}:0] exp_g;`);
    L.push(`    begin`);
    L.push(`      for (r = 0; r < ${s.rounds}; r = r + 1) begin`);
    L.push(`        for (p = 0; p < ${P}; p = p + 1) begin`);
    L.push(`          v = ${n}_vec[r*${P}+p];`);
    // layout: act we chk be addr wdata rdata gnt (MSB first)
    let hi = bits - 1;
    const field = (w: number): string => {
      const s2 = `v[${hi}:${hi - w + 1}]`;
      hi -= w;
      return w === 1 ? `v[${hi + 1}]` : s2;
    };
    const fAct = field(1);
    const fWe = field(1);
    const fChk = field(1);
    const fBe = field(bw);
    const fAddr = field(ADDR_W);
    const fWd = field(dw);
    const fRd = field(dw);
    const fG = field(16);
    L.push(`          ${n}_req[p] = ${fAct};`);
    L.push(`          ${n}_we[p] = ${fWe};`);
    L.push(`          chk[p] = ${fChk};`);
    L.push(`          ${n}_be[p*${bw} +: ${bw}] = ${fBe};`);
    L.push(`          ${n}_addr[p*${ADDR_W} +: ${ADDR_W}] = ${fAddr};`);
    L.push(`          ${n}_wdata[p*${dw} +: ${dw}] = ${fWd};`);
    L.push(`          exp_rd[p*${dw} +: ${dw}] = ${fRd};`);
    L.push(`          exp_g[p*16 +: 16] = ${fG};`);
    L.push(`        end`);
    L.push(`        wait_g = ${n}_req;`);
    L.push(`        wait_r = ${n}_req;`);
    L.push(`        cyc = 16'd0;`);
    L.push(`        while ((wait_g != ${P}'d0 || wait_r != ${P}'d0) && cyc < 16'd4096) begin`);
    L.push(`          #1;`);
    L.push(`          for (p = 0; p < ${P}; p = p + 1) begin`);
    L.push(`            if (wait_r[p] && !wait_g[p]) begin`);
    L.push(`              wait_r[p] = 1'b0;`);
    L.push(`              if (${n}_rvalid[p] !== 1'b1) begin`);
    L.push(`                failed = failed + 1;`);
    L.push(`                $display("${n}: round %0d port %0d: no response one cycle after the grant", r, p);`);
    L.push(`              end else if (chk[p]) begin`);
    L.push(`                if (${n}_rdata[p*${dw} +: ${dw}] === exp_rd[p*${dw} +: ${dw}]) passed = passed + 1;`);
    L.push(`                else begin`);
    L.push(`                  failed = failed + 1;`);
    L.push(`                  $display("${n}: round %0d port %0d: read %h, expected %h", r, p, ${n}_rdata[p*${dw} +: ${dw}], exp_rd[p*${dw} +: ${dw}]);`);
    L.push(`                end`);
    L.push(`              end`);
    L.push(`            end`);
    L.push(`            if (wait_g[p] && ${n}_gnt[p]) begin`);
    L.push(`              wait_g[p] = 1'b0;`);
    L.push(`              if (cyc === exp_g[p*16 +: 16]) passed = passed + 1;`);
    L.push(`              else begin`);
    L.push(`                failed = failed + 1;`);
    L.push(`                $display("${n}: round %0d port %0d: granted in cycle %0d, expected %0d", r, p, cyc, exp_g[p*16 +: 16]);`);
    L.push(`              end`);
    L.push(`            end`);
    L.push(`          end`);
    L.push(`          @(negedge clk);`);
    L.push(`          cyc = cyc + 16'd1;`);
    L.push(`          ${n}_req = ${n}_req & wait_g;`);
    L.push(`        end`);
    L.push(`        if (cyc >= 16'd4096) begin`);
    L.push(`          failed = failed + 1;`);
    L.push(`          $display("${n}: round %0d timed out", r);`);
    L.push(`        end`);
    L.push(`      end`);
    L.push(`      ${n}_req = ${P}'d0;`);
    L.push(`    end`);
    L.push(`  endtask`);
    L.push('');
  }
  for (const pe of pes) {
    if (pe.geom.dataflow === 'ws') {
      tbWs(L, pe, conns);
      continue;
    }
    const g = pe.geom;
    const n = pe.inst;
    const R = g.rows;
    const C = g.cols;
    const nSteps = pe.tiles.reduce((s, t) => s + t.k, 0);
    const nt = pe.tiles.length;
    L.push(`  // ---- PE array ${n} (${g.peType}): ${nt} tiles of ${R} x K x ${C}, outputs and cycles checked`);
    L.push(`  reg ${n}_valid;`);
    L.push(`  reg ${n}_first;`);
    L.push(`  reg ${n}_last;`);
    L.push(`  reg [${R * g.w - 1}:0] ${n}_a;`);
    L.push(`  reg [${C * g.wb - 1}:0] ${n}_b;`);
    L.push(`  wire ${n}_done;`);
    L.push(`  wire [${R * C * g.acc - 1}:0] ${n}_acc;`);
    L.push(`  reg [${1 + R * g.w + C * g.wb}:0] ${n}_steps [0:${nSteps - 1}];`);
    L.push(`  reg [31:0] ${n}_tiles [0:${nt - 1}];`);
    L.push(`  reg [${R * C * g.acc - 1}:0] ${n}_expect [0:${nt - 1}];`);
    conns.push(`.${n}_in_valid_i(${n}_valid)`, `.${n}_in_first_i(${n}_first)`, `.${n}_in_last_i(${n}_last)`, `.${n}_a_i(${n}_a)`, `.${n}_b_i(${n}_b)`, `.${n}_done_o(${n}_done)`, `.${n}_acc_o(${n}_acc)`);
    L.push(`  task run_${n};`);
    L.push(`    integer t;`);
    L.push(`    integer s;`);
    L.push(`    integer i;`);
    L.push(`    reg [15:0] j;`);
    L.push(`    reg [15:0] k;`);
    L.push(`    reg [15:0] lat;`);
    L.push(`    reg got;`);
    L.push(`    begin`);
    L.push(`      s = 0;`);
    L.push(`      for (t = 0; t < ${nt}; t = t + 1) begin`);
    L.push(`        k = ${n}_tiles[t][31:16];`);
    L.push(`        lat = ${n}_tiles[t][15:0];`);
    L.push(`        j = 16'd0;`);
    L.push(`        got = 1'b0;`);
    L.push(`        while (!got && j < lat + 16'd16) begin`);
    L.push(`          if (j < k) begin`);
    L.push(`            {${n}_first, ${n}_last, ${n}_b, ${n}_a} = ${n}_steps[s];`);
    L.push(`            ${n}_valid = 1'b1;`);
    L.push(`            s = s + 1;`);
    L.push(`          end else ${n}_valid = 1'b0;`);
    L.push(`          @(negedge clk);`);
    L.push(`          j = j + 16'd1;`);
    L.push(`          if (${n}_done === 1'b1) got = 1'b1;`);
    L.push(`        end`);
    L.push(`        ${n}_valid = 1'b0;`);
    L.push(`        if (got && j === lat) passed = passed + 1;`);
    L.push(`        else begin`);
    L.push(`          failed = failed + 1;`);
    L.push(`          $display("${n}: tile %0d: done after %0d cycles, the simulator predicts %0d", t, j, lat);`);
    L.push(`        end`);
    L.push(`        for (i = 0; i < ${R * C}; i = i + 1) begin`);
    L.push(`          if (${n}_acc[i*${g.acc} +: ${g.acc}] === ${n}_expect[t][i*${g.acc} +: ${g.acc}]) passed = passed + 1;`);
    L.push(`          else begin`);
    L.push(`            failed = failed + 1;`);
    L.push(`            $display("${n}: tile %0d output %0d: %h, expected %h", t, i, ${n}_acc[i*${g.acc} +: ${g.acc}], ${n}_expect[t][i*${g.acc} +: ${g.acc}]);`);
    L.push(`          end`);
    L.push(`        end`);
    L.push(`        @(negedge clk);`);
    L.push(`        if (${n}_done === 1'b0) passed = passed + 1;`);
    L.push(`        else begin`);
    L.push(`          failed = failed + 1;`);
    L.push(`          $display("${n}: tile %0d: done_o longer than one cycle", t);`);
    L.push(`        end`);
    L.push(`      end`);
    L.push(`    end`);
    L.push(`  endtask`);
    L.push('');
  }
  for (const a of aimcs) tbAimc(L, a, conns);
  const dmaInit = dmas.map((d) => tbDma(L, d, conns));
  const xbarInit = xbars.map((x) => tbXbar(L, x.geom, x.rounds, conns));
  const memInit = mems.map((m) => tbMem(L, m, conns));
  const euInit = eus.map((u) => tbEu(L, u, conns));
  L.push(`  // the units under test (rtl/${top}_units.v, or its gate-level netlist)`);
  L.push(`  ${top}_units u_units (\n    ${conns.join(',\n    ')}\n  );`);
  L.push('');
  L.push(`  initial begin`);
  L.push(`    passed = 0;`);
  L.push(`    failed = 0;`);
  L.push(`    rst_n = 1'b0;`);
  for (const s of spms) {
    L.push(`    $readmemh("tb/vectors/${s.inst}_spm.hex", ${s.inst}_vec);`);
    L.push(`    ${s.inst}_req = ${s.geom.ports}'d0;`);
    L.push(`    ${s.inst}_we = ${s.geom.ports}'d0;`);
    L.push(`    ${s.inst}_be = ${s.geom.ports * s.geom.wordBytes}'d0;`);
    L.push(`    ${s.inst}_addr = ${s.geom.ports * ADDR_W}'d0;`);
    L.push(`    ${s.inst}_wdata = ${s.geom.ports * s.geom.wordBytes * 8}'d0;`);
  }
  for (const p of pes) {
    if (p.geom.dataflow === 'ws') {
      const g = p.geom;
      L.push(`    $readmemh("tb/vectors/${p.inst}_pe_wload.hex", ${p.inst}_wl);`);
      L.push(`    $readmemh("tb/vectors/${p.inst}_pe_steps.hex", ${p.inst}_steps);`);
      L.push(`    $readmemh("tb/vectors/${p.inst}_pe_tiles.hex", ${p.inst}_tiles);`);
      L.push(`    $readmemh("tb/vectors/${p.inst}_pe_expect.hex", ${p.inst}_expect);`);
      L.push(`    ${p.inst}_wload = 1'b0;`);
      L.push(`    ${p.inst}_w = ${g.cols * g.wb}'d0;`);
      L.push(`    ${p.inst}_valid = 1'b0;`);
      L.push(`    ${p.inst}_last = 1'b0;`);
      L.push(`    ${p.inst}_a = ${g.rows * g.w}'d0;`);
      continue;
    }
    L.push(`    $readmemh("tb/vectors/${p.inst}_pe_steps.hex", ${p.inst}_steps);`);
    L.push(`    $readmemh("tb/vectors/${p.inst}_pe_tiles.hex", ${p.inst}_tiles);`);
    L.push(`    $readmemh("tb/vectors/${p.inst}_pe_expect.hex", ${p.inst}_expect);`);
    L.push(`    ${p.inst}_valid = 1'b0;`);
    L.push(`    ${p.inst}_first = 1'b0;`);
    L.push(`    ${p.inst}_last = 1'b0;`);
    L.push(`    ${p.inst}_a = ${p.geom.rows * p.geom.w}'d0;`);
    L.push(`    ${p.inst}_b = ${p.geom.cols * p.geom.wb}'d0;`);
  }
  for (const a of aimcs) {
    const n = a.inst;
    L.push(`    $readmemh("tb/vectors/${n}_aimc_prog.hex", ${n}_progv);`);
    L.push(`    $readmemh("tb/vectors/${n}_aimc_x.hex", ${n}_xv);`);
    L.push(`    $readmemh("tb/vectors/${n}_aimc_scale.hex", ${n}_sv);`);
    L.push(`    $readmemh("tb/vectors/${n}_aimc_y.hex", ${n}_yv);`);
    for (const q of aimcTilePorts(a.geom).slice(2)) if (q.dir === 'input') L.push(`    ${n}_${q.name.replace(/_i$/, '')} = ${q.width}'d0;`);
  }
  for (const x of dmaInit) L.push(...x);
  for (const x of xbarInit) L.push(...x);
  for (const x of [...memInit, ...euInit]) L.push(...x);
  L.push(`    repeat (3) @(negedge clk);`);
  L.push(`    rst_n = 1'b1;`);
  L.push(`    @(negedge clk);`);
  for (const s of spms) L.push(`    run_${s.inst};`);
  for (const p of pes) L.push(`    run_${p.inst};`);
  for (const a of aimcs) L.push(`    run_${a.inst};`);
  for (const d of dmas) L.push(`    run_${d.inst};`);
  for (const x of xbars) L.push(`    run_${x.inst};`);
  for (const x of [...mems, ...eus]) L.push(`    run_${x.inst};`);
  L.push(`    $display("${tb}: %0d passed, %0d failed", passed, failed);`);
  L.push(`    if (failed != 0) $fatal(1, "${tb}: %0d checks failed", failed);`);
  L.push(`    $finish;`);
  L.push(`  end`);
  L.push('endmodule');
  L.push(FILE_FOOTER);
  return L.join('\n');
}

/**
 * `rtl/<top>_units.v`: the generated units the testbench drives (each scratchpad, each PE
 * array), side by side with their ports at the boundary. One module, so that the same
 * testbench runs on the RTL and on the gate-level netlist `syn/gate_level.ys` writes.
 */
export function emitUnits(top: string, spms: readonly TbSpm[], pes: readonly TbPe[], aimcs: readonly TbAimc[] = [], dmas: readonly TbDma[] = [], xbars: readonly TbXbar[] = [], mems: readonly TbMem[] = [], eus: readonly TbEu[] = []): string {
  const ports: PortDecl[] = [{ dir: 'input', name: 'clk_i', width: 1 }, { dir: 'input', name: 'rst_ni', width: 1 }];
  const body: string[] = [];
  for (const s of spms) {
    const g = s.geom;
    const { dw, bw } = spmWidths(g);
    const P = g.ports;
    const n = s.inst;
    ports.push(
      { dir: 'input', name: `${n}_req_i`, width: P }, { dir: 'input', name: `${n}_we_i`, width: P }, { dir: 'input', name: `${n}_be_i`, width: P * bw },
      { dir: 'input', name: `${n}_addr_i`, width: P * ADDR_W }, { dir: 'input', name: `${n}_wdata_i`, width: P * dw },
      { dir: 'output', name: `${n}_gnt_o`, width: P }, { dir: 'output', name: `${n}_rvalid_o`, width: P }, { dir: 'output', name: `${n}_rdata_o`, width: P * dw },
    );
    body.push(`  ${spmModuleName(g)} u_${n} (.clk_i(clk_i), .rst_ni(rst_ni), .req_i(${n}_req_i), .we_i(${n}_we_i), .be_i(${n}_be_i), .addr_i(${n}_addr_i), .wdata_i(${n}_wdata_i), .gnt_o(${n}_gnt_o), .rvalid_o(${n}_rvalid_o), .rdata_o(${n}_rdata_o));`);
  }
  for (const p of pes) {
    const g = p.geom;
    const n = p.inst;
    if (g.dataflow === 'ws') {
      ports.push(
        { dir: 'input', name: `${n}_wload_i`, width: 1 }, { dir: 'input', name: `${n}_w_i`, width: g.cols * g.wb },
        { dir: 'input', name: `${n}_in_valid_i`, width: 1 }, { dir: 'input', name: `${n}_in_last_i`, width: 1 }, { dir: 'input', name: `${n}_a_i`, width: g.rows * g.w },
        { dir: 'output', name: `${n}_out_valid_o`, width: g.cols }, { dir: 'output', name: `${n}_out_o`, width: g.cols * g.acc }, { dir: 'output', name: `${n}_done_o`, width: 1 },
      );
      body.push(`  ${peArrayModuleName(g)} #(.ROWS(${g.rows}), .COLS(${g.cols})) u_${n} (.clk_i(clk_i), .rst_ni(rst_ni), .wload_i(${n}_wload_i), .w_i(${n}_w_i), .in_valid_i(${n}_in_valid_i), .in_last_i(${n}_in_last_i), .a_i(${n}_a_i), .out_valid_o(${n}_out_valid_o), .out_o(${n}_out_o), .done_o(${n}_done_o));`);
      continue;
    }
    ports.push(
      { dir: 'input', name: `${n}_in_valid_i`, width: 1 }, { dir: 'input', name: `${n}_in_first_i`, width: 1 }, { dir: 'input', name: `${n}_in_last_i`, width: 1 },
      { dir: 'input', name: `${n}_a_i`, width: g.rows * g.w }, { dir: 'input', name: `${n}_b_i`, width: g.cols * g.wb },
      { dir: 'output', name: `${n}_done_o`, width: 1 }, { dir: 'output', name: `${n}_acc_o`, width: g.rows * g.cols * g.acc },
    );
    body.push(`  ${peArrayModuleName(g)} #(.ROWS(${g.rows}), .COLS(${g.cols})) u_${n} (.clk_i(clk_i), .rst_ni(rst_ni), .in_valid_i(${n}_in_valid_i), .in_first_i(${n}_in_first_i), .in_last_i(${n}_in_last_i), .a_i(${n}_a_i), .b_i(${n}_b_i), .done_o(${n}_done_o), .acc_o(${n}_acc_o));`);
  }
  // Units whose testbench ports are their module ports: `<inst>_<port>` at the boundary.
  const plain: (readonly [string, string, readonly PortDecl[]])[] = [
    ...aimcs.map((a) => [a.inst, aimcTileModuleName(a.geom), aimcTilePorts(a.geom)] as const),
    ...dmas.map((d) => [d.inst, `${dmaModuleName(d.geom)} ${dmaParamOverrides(d.geom)}`.trimEnd(), dmaPorts(d.geom)] as const),
    ...xbars.map((x) => [x.inst, xbarModuleName(x.geom), xbarPorts(x.geom)] as const),
    ...mems.map((m) => [m.inst, memModuleName(m.geom), memPorts(m.geom)] as const),
    ...eus.map((u) => [u.inst, euModuleName(u.geom), euPorts(u.geom)] as const),
  ];
  for (const [n, module, all] of plain) {
    const qs = all.slice(2); // clk_i, rst_ni are shared
    for (const q of qs) ports.push({ ...q, name: `${n}_${q.name}` });
    body.push(`  ${module} u_${n} (.clk_i(clk_i), .rst_ni(rst_ni), ${qs.map((q) => `.${q.name}(${n}_${q.name})`).join(', ')});`);
  }
  const unused = spms.length + pes.length + aimcs.length + dmas.length + xbars.length + mems.length + eus.length === 0 ? ['  wire [1:0] unused_clk_rst = {clk_i, rst_ni};'] : [];
  return `${fileHeader(`${top}_units: the generated units of ${top} side by side, as the testbench drives them (RTL or gate level).`)}module ${top}_units (\n${portList(ports)}\n);\n${[...body, ...unused].join('\n')}\nendmodule\n${FILE_FOOTER}`;
}

/** The testbench part of a weight-stationary PE array: load R weight rows, stream M ifmap rows, collect the outputs per column. */
function tbWs(L: string[], pe: TbPe, conns: string[]): void {
  const g = pe.geom;
  const n = pe.inst;
  const R = g.rows;
  const C = g.cols;
  const nt = pe.tiles.length;
  const nSteps = pe.tiles.reduce((s, t) => s + t.m, 0);
  L.push(`  // ---- PE array ${n} (${g.peType}, weight stationary): ${nt} tiles, ${R} weight rows then M ifmap rows; outputs, cycles and the done pulse checked`);
  L.push(`  reg ${n}_wload;`);
  L.push(`  reg [${C * g.wb - 1}:0] ${n}_w;`);
  L.push(`  reg ${n}_valid;`);
  L.push(`  reg ${n}_last;`);
  L.push(`  reg [${R * g.w - 1}:0] ${n}_a;`);
  L.push(`  wire [${C - 1}:0] ${n}_out_valid;`);
  L.push(`  wire [${C * g.acc - 1}:0] ${n}_out;`);
  L.push(`  wire ${n}_done;`);
  L.push(`  reg [${C * g.wb - 1}:0] ${n}_wl [0:${nt * R - 1}];`);
  L.push(`  reg [${R * g.w}:0] ${n}_steps [0:${nSteps - 1}];`);
  L.push(`  reg [31:0] ${n}_tiles [0:${nt - 1}];`);
  L.push(`  reg [${C * g.acc - 1}:0] ${n}_expect [0:${nSteps - 1}];`);
  conns.push(`.${n}_wload_i(${n}_wload)`, `.${n}_w_i(${n}_w)`, `.${n}_in_valid_i(${n}_valid)`, `.${n}_in_last_i(${n}_last)`, `.${n}_a_i(${n}_a)`, `.${n}_out_valid_o(${n}_out_valid)`, `.${n}_out_o(${n}_out)`, `.${n}_done_o(${n}_done)`);
  L.push(`  task run_${n};`);
  L.push(`    integer t;`);
  L.push(`    integer s;`);
  L.push(`    integer e0;`);
  L.push(`    integer c;`);
  L.push(`    integer wl;`);
  L.push(`    integer q;`);
  L.push(`    reg [15:0] j;`);
  L.push(`    reg [15:0] i;`);
  L.push(`    reg [15:0] mm;`);
  L.push(`    reg [15:0] lat;`);
  L.push(`    reg [${16 * C - 1}:0] cnt;`);
  L.push(`    reg got;`);
  L.push(`    begin`);
  L.push(`      s = 0;`);
  L.push(`      e0 = 0;`);
  L.push(`      wl = 0;`);
  L.push(`      for (t = 0; t < ${nt}; t = t + 1) begin`);
  L.push(`        mm = ${n}_tiles[t][31:16];`);
  L.push(`        lat = ${n}_tiles[t][15:0];`);
  L.push(`        j = 16'd0;`);
  L.push(`        while (j < 16'd${R}) begin`);
  L.push(`          ${n}_wload = 1'b1;`);
  L.push(`          ${n}_w = ${n}_wl[wl];`);
  L.push(`          wl = wl + 1;`);
  L.push(`          @(negedge clk);`);
  L.push(`          j = j + 16'd1;`);
  L.push(`        end`);
  L.push(`        ${n}_wload = 1'b0;`);
  L.push(`        cnt = ${16 * C}'d0;`);
  L.push(`        i = 16'd0;`);
  L.push(`        got = 1'b0;`);
  L.push(`        while (!got && j < lat + 16'd16) begin`);
  L.push(`          if (i < mm) begin`);
  L.push(`            {${n}_last, ${n}_a} = ${n}_steps[s];`);
  L.push(`            ${n}_valid = 1'b1;`);
  L.push(`            s = s + 1;`);
  L.push(`            i = i + 16'd1;`);
  L.push(`          end else ${n}_valid = 1'b0;`);
  L.push(`          @(negedge clk);`);
  L.push(`          j = j + 16'd1;`);
  L.push(`          for (c = 0; c < ${C}; c = c + 1) begin`);
  L.push(`            if (${n}_out_valid[c] === 1'b1) begin`);
  L.push(`              q = e0 + {16'd0, cnt[c*16 +: 16]};`);
  L.push(`              if (cnt[c*16 +: 16] < mm && ${n}_out[c*${g.acc} +: ${g.acc}] === ${n}_expect[q][c*${g.acc} +: ${g.acc}]) passed = passed + 1;`);
  L.push(`              else begin`);
  L.push(`                failed = failed + 1;`);
  L.push(`                $display("${n}: tile %0d row %0d column %0d: %h, expected %h", t, cnt[c*16 +: 16], c, ${n}_out[c*${g.acc} +: ${g.acc}], ${n}_expect[q][c*${g.acc} +: ${g.acc}]);`);
  L.push(`              end`);
  L.push(`              cnt[c*16 +: 16] = cnt[c*16 +: 16] + 16'd1;`);
  L.push(`            end`);
  L.push(`          end`);
  L.push(`          if (${n}_done === 1'b1) got = 1'b1;`);
  L.push(`        end`);
  L.push(`        ${n}_valid = 1'b0;`);
  L.push(`        if (got && j === lat) passed = passed + 1;`);
  L.push(`        else begin`);
  L.push(`          failed = failed + 1;`);
  L.push(`          $display("${n}: tile %0d: done after %0d cycles, the simulator predicts %0d", t, j, lat);`);
  L.push(`        end`);
  L.push(`        for (c = 0; c < ${C}; c = c + 1) begin`);
  L.push(`          if (cnt[c*16 +: 16] === mm) passed = passed + 1;`);
  L.push(`          else begin`);
  L.push(`            failed = failed + 1;`);
  L.push(`            $display("${n}: tile %0d column %0d: %0d outputs, expected %0d", t, c, cnt[c*16 +: 16], mm);`);
  L.push(`          end`);
  L.push(`        end`);
  L.push(`        e0 = e0 + {16'd0, mm};`);
  L.push(`        @(negedge clk);`);
  L.push(`        if (${n}_done === 1'b0) passed = passed + 1;`);
  L.push(`        else begin`);
  L.push(`          failed = failed + 1;`);
  L.push(`          $display("${n}: tile %0d: done_o longer than one cycle", t);`);
  L.push(`        end`);
  L.push(`      end`);
  L.push(`    end`);
  L.push(`  endtask`);
  L.push('');
}

/** The testbench part of an AIMC tile: program the rows, run each input vector, check outputs and cycles. */
function tbAimc(L: string[], a: TbAimc, conns: string[]): void {
  const g = a.geom;
  const n = a.inst;
  const nv = a.test.x.length;
  const ports = aimcTilePorts(g).slice(2);
  const ns = a.test.scales.filter((x) => x !== undefined).length;
  L.push(`  // ---- AIMC tile ${n}: ${g.k} rows programmed, ${nv} MVMs (${ns} after loading per-output scales); outputs, cycles (${g.latency} crossbar + ${a.test.cycles - g.latency} digital) and the done pulse checked`);
  for (const q of ports) {
    const base = q.name.replace(/_[io]$/, '');
    L.push(`  ${q.dir === 'input' ? 'reg ' : 'wire'} ${q.width === 1 ? '' : `[${q.width - 1}:0] `}${n}_${base};`);
    conns.push(`.${n}_${q.name}(${n}_${base})`);
  }
  L.push(`  reg [${g.nu * g.lb - 1}:0] ${n}_progv [0:${g.k - 1}];`);
  L.push(`  reg [${g.k * g.ib - 1}:0] ${n}_xv [0:${nv - 1}];`);
  L.push(`  reg [${g.n * AIMC_Y_BITS - 1}:0] ${n}_yv [0:${nv - 1}];`);
  L.push(`  reg [${33 * g.n}:0] ${n}_sv [0:${nv - 1}];`);
  L.push(`  task run_${n};`);
  L.push(`    integer r;`);
  L.push(`    integer v;`);
  L.push(`    integer o;`);
  L.push(`    reg [15:0] j;`);
  L.push(`    reg got;`);
  L.push(`    begin`);
  L.push(`      for (r = 0; r < ${g.k}; r = r + 1) begin`);
  L.push(`        ${n}_prog_we = 1'b1;`);
  L.push(`        ${n}_prog_row = r[${ports[1]!.width - 1}:0];`);
  L.push(`        ${n}_prog_lv = ${n}_progv[r];`);
  L.push(`        @(negedge clk);`);
  L.push(`      end`);
  L.push(`      ${n}_prog_we = 1'b0;`);
  L.push(`      for (v = 0; v < ${nv}; v = v + 1) begin`);
  L.push(`        if (${n}_sv[v][${33 * g.n}]) begin`);
  L.push(`          for (o = 0; o < ${g.n}; o = o + 1) begin`);
  L.push(`            ${n}_scale_we = 1'b1;`);
  L.push(`            ${n}_scale_idx = o[${ports.find((q) => q.name === 'scale_idx_i')!.width - 1}:0];`);
  L.push(`            ${n}_scale_fmt = ${n}_sv[v][o*33 + 32];`);
  L.push(`            ${n}_scale = ${n}_sv[v][o*33 +: 32];`);
  L.push(`            @(negedge clk);`);
  L.push(`          end`);
  L.push(`          ${n}_scale_we = 1'b0;`);
  L.push(`        end`);
  L.push(`        ${n}_x = ${n}_xv[v];`);
  L.push(`        ${n}_start = 1'b1;`);
  L.push(`        j = 16'd0;`);
  L.push(`        got = 1'b0;`);
  L.push(`        while (!got && j < 16'd${a.test.cycles + 16}) begin`);
  L.push(`          @(negedge clk);`);
  L.push(`          ${n}_start = 1'b0;`);
  L.push(`          j = j + 16'd1;`);
  L.push(`          if (${n}_done === 1'b1) got = 1'b1;`);
  L.push(`        end`);
  L.push(`        if (got && j === 16'd${a.test.cycles}) passed = passed + 1;`);
  L.push(`        else begin`);
  L.push(`          failed = failed + 1;`);
  L.push(`          $display("${n}: MVM %0d: done after %0d cycles, expected ${a.test.cycles} (the simulator's ${g.latency} + ${a.test.cycles - g.latency})", v, j);`);
  L.push(`        end`);
  L.push(`        for (o = 0; o < ${g.n}; o = o + 1) begin`);
  L.push(`          if (${n}_y[o*${AIMC_Y_BITS} +: ${AIMC_Y_BITS}] === ${n}_yv[v][o*${AIMC_Y_BITS} +: ${AIMC_Y_BITS}]) passed = passed + 1;`);
  L.push(`          else begin`);
  L.push(`            failed = failed + 1;`);
  L.push(`            $display("${n}: MVM %0d output %0d: %h, expected %h", v, o, ${n}_y[o*${AIMC_Y_BITS} +: ${AIMC_Y_BITS}], ${n}_yv[v][o*${AIMC_Y_BITS} +: ${AIMC_Y_BITS}]);`);
  L.push(`          end`);
  L.push(`        end`);
  L.push(`        @(negedge clk);`);
  L.push(`        if (${n}_done === 1'b0 && ${n}_busy === 1'b0) passed = passed + 1;`);
  L.push(`        else begin`);
  L.push(`          failed = failed + 1;`);
  L.push(`          $display("${n}: MVM %0d: done_o longer than one cycle or still busy", v);`);
  L.push(`        end`);
  L.push(`      end`);
  L.push(`    end`);
  L.push(`  endtask`);
  L.push('');
}

/** A DMA under test. */
export interface TbDma {
  readonly inst: string;
  readonly geom: DmaGeom;
  readonly test: DmaTest;
  /** Base address of the DMA's registers (its region; the RTL decodes address bits 4:2). */
  readonly cfgBase: number;
}

/**
 * The testbench part of a DMA: memories behind the local ports and the ext port (one image,
 * grants withheld about one request in four, the response one cycle after the grant), register
 * programming through cfg (read back), each group of transfers started and waited for (done
 * pulses counted), then the whole image compared with the simulator's bytes.
 */
function tbDma(L: string[], d: TbDma, conns: string[]): string[] {
  const g = d.geom;
  const n = d.inst;
  const t = d.test;
  const S = t.mem.size;
  const N = 2 * S;
  const h32 = (v: number): string => `32'h${(v >>> 0).toString(16).padStart(8, '0')}`;
  const P = g.locals;
  const bit = (v: string, p: number): string => (P === 1 ? v : `${v}[${p}]`);
  L.push(`  // ---- DMA ${n}: ${t.xfers.length} transfers in ${t.groups.length} groups through the registers; the local (${h32(t.mem.localBase)}) and ext (${h32(t.mem.extBase)}) windows of ${S} B checked byte by byte after each group`);
  for (const q of dmaPorts(g).slice(2)) {
    const base = `${n}_${q.name.replace(/_[io]$/, '')}`;
    const resp = q.name.endsWith('_rvalid_i') || q.name.endsWith('_rdata_i');
    const reg = q.dir === 'input' && (q.name.startsWith('cfg_') || resp) ? 'reg ' : 'wire';
    L.push(`  ${reg} ${q.width === 1 ? '' : `[${q.width - 1}:0] `}${base}${resp ? ` = ${q.width}'d0` : ''};`);
    conns.push(`.${n}_${q.name}(${base})`);
  }
  L.push(`  reg [7:0] ${n}_mem [0:${N - 1}];`);
  L.push(`  reg [7:0] ${n}_exp [0:${t.groups.length * N - 1}];`);
  L.push(`  reg [223:0] ${n}_xf [0:${t.xfers.length - 1}];`);
  L.push(`  reg [31:0] ${n}_lfsr = 32'h1;`);
  L.push(`  integer ${n}_bad = 0;`);
  L.push(`  integer ${n}_dones = 0;`);
  L.push(`  integer ${n}_long = 0;`);
  L.push(`  integer ${n}_cyc = 0;`);
  L.push(`  integer ${n}_tdone = 0;`);
  L.push(`  reg ${n}_done_q = 1'b0;`);
  L.push(`  // the memories withhold the grant about one request in four (pseudo-random)`);
  L.push(`  assign ${n}_ext_gnt = ${n}_ext_req & ~(${n}_lfsr[0] & ${n}_lfsr[1]);`);
  for (let p = 0; p < P; p++) L.push(`  assign ${bit(`${n}_local_gnt`, p)} = ${bit(`${n}_local_req`, p)} & ~(${n}_lfsr[${p + 2}] & ${n}_lfsr[${p + 3}]);`);
  L.push(`  function integer ${n}_idx;`);
  L.push(`    input [31:0] a;`);
  L.push(`    begin`);
  L.push(`      if (a >= ${h32(t.mem.localBase)} && a < ${h32(t.mem.localBase + S)}) ${n}_idx = a - ${h32(t.mem.localBase)};`);
  L.push(`      else if (a >= ${h32(t.mem.extBase)} && a < ${h32(t.mem.extBase + S)}) ${n}_idx = a - ${h32(t.mem.extBase)} + ${h32(S)};`);
  L.push(`      else ${n}_idx = -1;`);
  L.push(`    end`);
  L.push(`  endfunction`);
  // be, wd, rd: vectors with the port's lanes at bit (be) or byte (wd, rd) offset o
  const side = (req: string, gnt: string, we: string, be: string, addr: string, wd: string, rv: string, rd: string, bytes: number, o: number): string[] => [
    `    ${rv} <= ${req} && ${gnt};`,
    `    if (${req} && ${gnt}) begin`,
    `      ix = ${n}_idx(${addr});`,
    `      if (ix < 0) ${n}_bad = ${n}_bad + 1;`,
    `      else if (${we}) begin`,
    `        for (k = 0; k < ${bytes}; k = k + 1) if (${be}[${o} + k]) ${n}_mem[ix + k] <= ${wd}[(${o} + k)*8 +: 8];`,
    `      end else begin`,
    `        for (k = 0; k < ${bytes}; k = k + 1) ${rd}[(${o} + k)*8 +: 8] <= ${n}_mem[ix + k];`,
    `      end`,
    `    end`,
  ];
  L.push(`  always @(posedge clk) begin : ${n}_memory`);
  L.push(`    integer k;`);
  L.push(`    integer ix;`);
  L.push(`    ${n}_lfsr <= {${n}_lfsr[30:0], ${n}_lfsr[31] ^ ${n}_lfsr[21] ^ ${n}_lfsr[1] ^ ${n}_lfsr[0]};`);
  L.push(...side(`${n}_ext_req`, `${n}_ext_gnt`, `${n}_ext_we`, `${n}_ext_be`, `${n}_ext_addr`, `${n}_ext_wdata`, `${n}_ext_rvalid`, `${n}_ext_rdata`, g.eb, 0));
  for (let p = 0; p < P; p++) {
    L.push(...side(`${bit(`${n}_local_req`, p)}`, `${bit(`${n}_local_gnt`, p)}`, `${bit(`${n}_local_we`, p)}`, `${n}_local_be`, `${n}_local_addr[${p * 32 + 31}:${p * 32}]`, `${n}_local_wdata`, `${bit(`${n}_local_rvalid`, p)}`, `${n}_local_rdata`, g.lb, p * g.lb));
  }
  L.push(`  end`);
  L.push(`  // done pulses: counted, cycle of the last one, pulses longer than one cycle`);
  L.push(`  always @(posedge clk) begin`);
  L.push(`    ${n}_cyc <= ${n}_cyc + 1;`);
  L.push(`    ${n}_done_q <= ${n}_done;`);
  L.push(`    if (${n}_done === 1'b1) begin`);
  L.push(`      ${n}_dones <= ${n}_dones + 1;`);
  L.push(`      ${n}_tdone <= ${n}_cyc;`);
  L.push(`      if (${n}_done_q === 1'b1) ${n}_long <= ${n}_long + 1;`);
  L.push(`    end`);
  L.push(`  end`);
  /** A register access's handshake: hold the request until the grant, then drop it at the next negedge. */
  const waitGrant = [`      #1;`, `      while (${n}_cfg_gnt !== 1'b1) begin`, `        @(negedge clk);`, `        #1;`, `      end`, `      @(negedge clk);`, `      ${n}_cfg_req = 1'b0;`];
  L.push(`  task ${n}_wr;`);
  L.push(`    input [31:0] off;`);
  L.push(`    input [31:0] v;`);
  L.push(`    begin`);
  L.push(`      ${n}_cfg_req = 1'b1;`);
  L.push(`      ${n}_cfg_we = 1'b1;`);
  L.push(`      ${n}_cfg_be = 4'hf;`);
  L.push(`      ${n}_cfg_addr = ${h32(d.cfgBase)} + off;`);
  L.push(`      ${n}_cfg_wdata = v;`);
  L.push(...waitGrant);
  L.push(`      ${n}_cfg_we = 1'b0;`);
  L.push(`    end`);
  L.push(`  endtask`);
  L.push(`  task ${n}_rd;`);
  L.push(`    input [31:0] off;`);
  L.push(`    output [31:0] v;`);
  L.push(`    begin`);
  L.push(`      ${n}_cfg_req = 1'b1;`);
  L.push(`      ${n}_cfg_we = 1'b0;`);
  L.push(`      ${n}_cfg_addr = ${h32(d.cfgBase)} + off;`);
  L.push(...waitGrant);
  L.push(`      if (${n}_cfg_rvalid !== 1'b1) begin`);
  L.push(`        failed = failed + 1;`);
  L.push(`        $display("${n}: no register response one cycle after the grant (offset %0d)", off);`);
  L.push(`      end`);
  L.push(`      v = ${n}_cfg_rdata;`);
  L.push(`    end`);
  L.push(`  endtask`);
  L.push(`  task ${n}_check;`);
  L.push(`    input [31:0] got;`);
  L.push(`    input [31:0] want;`);
  L.push(`    input [8*32-1:0] what;`);
  L.push(`    begin`);
  L.push(`      if (got === want) passed = passed + 1;`);
  L.push(`      else begin`);
  L.push(`        failed = failed + 1;`);
  L.push(`        $display("${n}: %0s: %h, expected %h", what, got, want);`);
  L.push(`      end`);
  L.push(`    end`);
  L.push(`  endtask`);
  L.push(`  task run_${n};`);
  L.push(`    reg [31:0] v;`);
  L.push(`    reg [223:0] x;`);
  L.push(`    integer i;`);
  L.push(`    integer j;`);
  L.push(`    integer bad;`);
  L.push(`    integer t0;`);
  L.push(`    integer want;`);
  L.push(`    begin`);
  L.push(`      // an empty transfer is rejected: no id, nothing pending`);
  L.push(`      ${n}_wr(32'h08, 32'd0);`);
  L.push(`      ${n}_wr(32'h18, 32'd0);`);
  L.push(`      ${n}_rd(32'h18, v);`);
  L.push(`      ${n}_check(v, 32'd0, "id after an empty cmd");`);
  L.push(`      ${n}_rd(32'h1c, v);`);
  L.push(`      ${n}_check(v, 32'd0, "status after an empty cmd");`);
  let id = 0;
  t.groups.forEach((gr, gi) => {
    const pred = gr.reduce((s, i) => s + t.predicted[i]!, 0);
    L.push(`      // group ${gi}: transfer${gr.length > 1 ? 's' : ''} ${gr.join(', ')}${gr.length > 1 ? ' (queued back to back)' : ''}`);
    gr.forEach((xi, k) => {
      id++;
      L.push(`      x = ${n}_xf[${xi}];`);
      const fields = ['src', 'dst', 'bytes', 'rows', 'srcStride', 'dstStride'];
      fields.forEach((f, fi) => L.push(`      ${n}_wr(32'h${(fi * 4).toString(16).padStart(2, '0')}, x[${223 - fi * 32}:${192 - fi * 32}]);`));
      fields.forEach((f, fi) => {
        L.push(`      ${n}_rd(32'h${(fi * 4).toString(16).padStart(2, '0')}, v);`);
        L.push(`      ${n}_check(v, x[${223 - fi * 32}:${192 - fi * 32}], "${f} read back");`);
      });
      L.push(`      ${n}_wr(32'h18, 32'd0);`);
      if (k === 0) L.push(`      t0 = ${n}_cyc;`);
      L.push(`      ${n}_rd(32'h18, v);`);
      L.push(`      ${n}_check(v, 32'd${id}, "cmd (id) read back");`);
      L.push(`      ${n}_rd(32'h1c, v);`);
      L.push(`      if (v !== 32'd0) passed = passed + 1;`);
      L.push(`      else begin`);
      L.push(`        failed = failed + 1;`);
      L.push(`        $display("${n}: status 0 right after the command of transfer ${xi}");`);
      L.push(`      end`);
    });
    L.push(`      j = 0;`);
    L.push(`      while (${n}_dones < ${id} && j < ${pred * 8 + 4000}) begin`);
    L.push(`        @(negedge clk);`);
    L.push(`        j = j + 1;`);
    L.push(`      end`);
    L.push(`      ${n}_check(${n}_dones, ${id}, "done pulses");`);
    L.push(`      $display("${n}: group ${gi}: RTL %0d cycles from the command to done; the simulator's model predicts ${pred} (information, not checked)", ${n}_tdone - t0);`);
    L.push(`      ${n}_rd(32'h1c, v);`);
    L.push(`      ${n}_check(v, 32'd0, "status when done");`);
    L.push(`      bad = 0;`);
    L.push(`      for (i = 0; i < ${N}; i = i + 1) begin`);
    L.push(`        want = ${gi * N} + i;`);
    L.push(`        if (${n}_mem[i] !== ${n}_exp[want]) begin`);
    L.push(`          if (bad < 8) $display("${n}: group ${gi}: %0s byte %0d: %h, expected %h", i < ${S} ? "local" : "ext", i % ${S}, ${n}_mem[i], ${n}_exp[want]);`);
    L.push(`          bad = bad + 1;`);
    L.push(`        end`);
    L.push(`      end`);
    L.push(`      if (bad == 0) passed = passed + 1;`);
    L.push(`      else failed = failed + 1;`);
  });
  L.push(`      repeat (4) @(negedge clk);`);
  L.push(`      ${n}_check(${n}_dones, ${id}, "done pulses in all");`);
  L.push(`      ${n}_check(${n}_long, 0, "done pulses longer than a cycle");`);
  L.push(`      ${n}_check(${n}_bad, 0, "accesses outside the windows");`);
  L.push(`    end`);
  L.push(`  endtask`);
  L.push('');
  return [
    `    $readmemh("tb/vectors/${n}_dma_mem.hex", ${n}_mem);`,
    `    $readmemh("tb/vectors/${n}_dma_expect.hex", ${n}_exp);`,
    `    $readmemh("tb/vectors/${n}_dma_xfers.hex", ${n}_xf);`,
    `    ${n}_cfg_req = 1'b0;`,
    `    ${n}_cfg_we = 1'b0;`,
    `    ${n}_cfg_be = 4'h0;`,
    `    ${n}_cfg_addr = 32'd0;`,
    `    ${n}_cfg_wdata = 32'd0;`,
  ];
}
