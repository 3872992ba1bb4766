import { defineModule, fault, param, port, stat } from '../../spec/index.js';

/**
 * RISC-V core (RV32IM, optionally F, plus edgesim's custom extensions), in-order, one instruction at a time.
 * Cycle costs default to CV32E40P (RI5CY), the core of the PULP cluster: table "Cycle counts per
 * instruction type" in openhwgroup/cv32e40p docs/source/pipeline.rst (zero-stall memories), and
 * its 1-cycle load-use hazard.
 */
export const CoreDef = defineModule({
  kind: 'core',
  doc: {
    summary: 'In-order RV32IM(F) RISC-V core with edgesim custom extensions (PULP-class, after CV32E40P).',
    models: 'instruction execution with a cycle cost per instruction class (defaults: CV32E40P user manual, pipeline.rst, cycle counts per instruction type); loads and stores through the data port with annotated latency; waits on the event unit (barriers, events).',
    doesNotModel: 'pipeline hazards beyond the load-use and branch penalties, caches (instruction fetch costs the fetch port latency only), interrupts, privileged modes.',
    timing: 'loosely timed: each instruction adds its class cost to a local time offset; the core synchronizes with the kernel when the offset reaches `quantum` or it must wait.',
    energy: '`instrEnergy` per retired instruction plus `leakage` always.',
  },
  params: {
    hartId: param.int({ doc: 'mhartid value; unique per core in a platform.', default: 0, min: 0 }),
    extensions: param.set({ doc: 'Extensions beyond RV32IM, named as in the ISA layer (src/isa IsaExtension): the edgesim custom ones (default all four) and the standard single-precision F (opt-in, like the CV32E40P FPU parameter; it brings the Zicsr instructions for fflags/frm/fcsr).', values: ['Xedma', 'Xesimd', 'Xesync', 'Xeacc', 'F'], default: ['Xedma', 'Xesimd', 'Xesync', 'Xeacc'] }),
    aluCycles: param.int({ doc: 'ALU, shifts, compares, lui/auipc (CV32E40P: 1).', unit: 'cycles', default: 1, min: 1 }),
    mulCycles: param.int({ doc: 'mul (CV32E40P: 1).', unit: 'cycles', default: 1, min: 1 }),
    mulhCycles: param.int({ doc: 'mulh, mulhsu, mulhu (CV32E40P: 5).', unit: 'cycles', default: 5, min: 1 }),
    divCycles: param.int({ doc: 'div, divu, rem, remu when divTiming is fixed (CV32E40P worst case: 35).', unit: 'cycles', default: 35, min: 1 }),
    divTiming: param.enum({ doc: 'operand: 3 + (leading zeros of the divisor) cycles, 35 for a zero divisor, as the CV32E40P manual tables (pipeline.rst, "Cycle counts per instruction type"; signed ops count the zeros of |divisor|); fixed: divCycles.', values: ['operand', 'fixed'], default: 'operand' }),
    loadCycles: param.int({ doc: 'Load issue cost, before memory latency (CV32E40P: 1).', unit: 'cycles', default: 1, min: 1 }),
    loadUseStall: param.int({ doc: 'Extra cycles when the next instruction uses the loaded value (CV32E40P: 1).', unit: 'cycles', default: 1, min: 0 }),
    storeCycles: param.int({ doc: 'Store issue cost (CV32E40P: 1).', unit: 'cycles', default: 1, min: 1 }),
    branchTakenCycles: param.int({ doc: 'Taken branch (CV32E40P: 3).', unit: 'cycles', default: 3, min: 1 }),
    branchNotTakenCycles: param.int({ doc: 'Branch not taken (CV32E40P: 1).', unit: 'cycles', default: 1, min: 1 }),
    jumpCycles: param.int({ doc: 'jal, jalr (CV32E40P: 2).', unit: 'cycles', default: 2, min: 1 }),
    systemCycles: param.int({ doc: 'fence, ecall, ebreak, CSR access (CV32E40P: 1 for most CSRs, 4 for counters and trap CSRs).', unit: 'cycles', default: 1, min: 1 }),
    dmaCycles: param.int({ doc: 'Issue cost of an Xedma instruction (the DMA adds its own time).', unit: 'cycles', default: 1, min: 1 }),
    simdCycles: param.int({ doc: 'An Xesimd int8/int32 SIMD instruction.', unit: 'cycles', default: 1, min: 1 }),
    syncCycles: param.int({ doc: 'Issue cost of an Xesync instruction (waiting is extra).', unit: 'cycles', default: 1, min: 1 }),
    accelCycles: param.int({ doc: 'Issue cost of an Xeacc command (the accelerator adds its own time).', unit: 'cycles', default: 1, min: 1 }),
    fpuAddMulCycles: param.int({ doc: 'F: fadd.s, fsub.s, fmul.s, fmadd.s/fmsub.s/fnmsub.s/fnmadd.s. CV32E40P: 1..FPU_ADDMUL_LAT + 1 (pipeline.rst, "Cycle counts per instruction type"), FPU_ADDMUL_LAT = 0 in the cv32e40p_top default (integration.rst), so 1.', unit: 'cycles', default: 1, min: 1 }),
    fpuDivSqrtCycles: param.int({ doc: 'F: fdiv.s, fsqrt.s. CV32E40P: 1..19 (pipeline.rst, "Cycle counts per instruction type"; 19 when the next instruction uses the result). The ISS does not overlap the divider with later instructions, so the default is the dependent-use 19.', unit: 'cycles', default: 19, min: 1 }),
    fpuOtherCycles: param.int({ doc: 'F: comparisons, conversions, classify, sign injection, min/max, fmv. CV32E40P: 1..FPU_OTHERS_LAT + 1 (pipeline.rst), FPU_OTHERS_LAT = 0 by default (integration.rst), so 1. flw/fsw cost loadCycles/storeCycles, CSR accesses systemCycles.', unit: 'cycles', default: 1, min: 1 }),
    quantum: param.time({ doc: 'Local time a core may run ahead before synchronizing (TLM quantum).', default: '1us', min: 1 }),
    instrEnergy: param.energy({ doc: 'Energy of one retired instruction.', tech: true }),
    leakage: param.power({ doc: 'Static leakage power.', tech: true }),
    area: param.area({ doc: 'Silicon area (0 = not characterised).', default: '0um2', tech: true }),
  },
  ports: () => [
    port.initiator('data', 'mem', { widthBits: 32, doc: 'Loads and stores outside the local L1 (peripherals, L2).' }),
    port.initiator('tcdm', 'mem', { widthBits: 32, required: false, doc: 'Loads and stores to the local L1, chosen by address (PULP core demux); when unbound, all go through `data`.' }),
    port.initiator('fetch', 'mem', { widthBits: 32, required: false, doc: 'Instruction fetch; when unbound, instructions are fetched through `data`.' }),
    port.initiator('sync', 'sync', { widthBits: 32, required: false, doc: 'Requests to the event unit (barrier, wait event, mutex).' }),
  ],
  energy: (e) => ({
    instruction: e.perEvent('instrEnergy', 'One retired instruction.'),
    leakage: e.static('leakage', 'Always-on leakage.'),
  }),
  stats: {
    instructions: stat.counter('instructions', 'Retired instructions.'),
    cycles: stat.counter('cycles', 'Cycles spent executing (not waiting).'),
    stallCycles: stat.counter('cycles', 'Cycles waiting for memory or the event unit.'),
    busy: stat.time('Time spent executing.'),
  },
  faults: {
    regBitFlip: fault.bitFlip('register file', 'Transient upsets of the integer (x1..x31) and, with F, floating-point (f0..f31) registers: a bit inverted once, at a drawn time.', 'bit-flip'),
    pcBitFlip: fault.bitFlip('program counter', 'A bit of the program counter inverted once (scenario register name `pc`).', 'bit-flip'),
  },
  caps: (p) => [{ name: 'isa', base: 'rv32im', extensions: p.extensions, hartId: p.hartId }],
});
