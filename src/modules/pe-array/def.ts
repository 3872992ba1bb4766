import { defineModule, fault, param, port, stat } from '../../spec/index.js';
import { defaultAccBits, operandBits } from './model.js';
import { peArrayGateEquivalents, peGateEquivalents } from './area.js';

/**
 * The factor on macEnergy for a PE of `peType` when macEnergy was characterised for `ref`:
 * GE(one PE of peType) / GE(one PE of ref), a switched-capacitance proxy; 1 for `same` or when
 * either type has no characterization (fp32).
 */
export function macEnergyScale(peType: string, ref: string): number {
  if (ref === 'same' || ref === peType) return 1;
  const a = peGateEquivalents(peType);
  const b = peGateEquivalents(ref);
  return a === undefined || b === undefined ? 1 : a / b;
}

/**
 * Systolic PE array (SCALE-Sim-style timing, QUIDAM PE types): a `rows x cols` grid of MAC
 * PEs running GEMMs and im2col-lowered convolutions from a local memory. The functional model
 * is `model.ts`, the cycle/access/energy closed forms `scalesim.ts`, the simulated accelerator
 * (Xeacc commands GEMM and CONV, see `PeArraySim`) `sim.ts`. Defaults are Eyeriss-like (12 x 14, 16-bit, SCALE-Sim
 * `configs/eyeriss.cfg`); DIANA's digital core is 16 x 16, int8, os.
 */
export const PeArrayDef = defineModule({
  kind: 'pe-array',
  doc: {
    summary: 'Systolic array of multiply-accumulate PEs (int8, int16, fp32, LightPE-1/2 shift-add) with os/ws/is dataflows; GEMM and im2col convolution.',
    models: 'bit-exact results per PE type (wrapping integer accumulators of accBits bits, binary32 in the dataflow\'s accumulation order, LightPE power-of-two weights with exact or truncating shifts); SCALE-Sim v2 folds, per-fold latency, stall-free cycles, SRAM access counts, mapping efficiency and utilisation; a first-order per-fold bandwidth stall model; MAC, register-file and global-buffer access counts.',
    doesNotModel: 'row-stationary dataflow; SCALE-Sim\'s DRAM-side scratchpad simulation (USER-mode stalls, DRAM counts); per-PE scratchpad capacity limits (sizes are reported, not enforced); overlap of consecutive folds, and of data movement with compute (a command reads its operands, computes, then writes); requantisation beyond a floor shift with saturation, activation functions; sparsity and zero skipping; precision-scalable (2/4-bit) modes; data-dependent energy.',
    timing: 'Folds F = ceil(Sr/R) * ceil(Sc/C) with (Sr, Sc) = (M, N) os, (K, N) ws, (K, M) is; L = K+R+C-2 (os), 2R+C+M-2 (ws), 2R+C+N-2 (is); cycles = startupCycles + F*L (SCALE-Sim prints F*L-1). Mode `stalls` adds per fold max(0, max(ceil(words/bandwidth) over ifmap, filter, ofmap) - L). A command (GEMM, CONV) takes: descriptor read + operand reads + those cycles + result write, the transfers as the memories time them (blocking transport, one port each).',
    energy: '`macEnergy` per useful MAC, scaled by GE(PE of peType) / GE(PE of macEnergyPeType) when the tech value is for another PE type (switched-capacitance proxy); `rfReadEnergy` x 3 and `rfWriteEnergy` x 1 per MAC plus one RF write per word entering the array (Eyeriss convention); `glbReadEnergy` per ifmap/filter word read and per partial sum read back (ws/is), `glbWriteEnergy` per ofmap word written; `leakage` always.',
  },
  params: {
    rows: param.int({ doc: 'PE rows R (SCALE-Sim ArrayHeight; Eyeriss 12, DIANA digital 16).', default: 12, min: 1, max: 1024 }),
    cols: param.int({ doc: 'PE columns C (SCALE-Sim ArrayWidth; Eyeriss 14, DIANA digital 16).', default: 14, min: 1, max: 1024 }),
    peType: param.enum({ doc: 'PE arithmetic (QUIDAM PE types plus int8): int8, int16, fp32, lightpe1 (weights 0 or +-2^-m, one shift), lightpe2 (0 or +-(2^-m1 + 2^-m2), two shifts and an add). Eyeriss: 16-bit fixed point.', values: ['int8', 'int16', 'fp32', 'lightpe1', 'lightpe2'], default: 'int16' }),
    dataflow: param.enum({ doc: 'Dataflow: os (output stationary; DIANA digital), ws (weight stationary; SCALE-Sim eyeriss.cfg), is (input stationary).', values: ['os', 'ws', 'is'], default: 'ws' }),
    timing: param.enum({ doc: 'scalesim: stall-free SCALE-Sim cycles; stalls: plus first-order per-fold bandwidth stalls from the *WordsPerCycle params.', values: ['scalesim', 'stalls'], default: 'scalesim' }),
    accBits: param.int({ doc: 'Accumulator width of integer and LightPE PEs, wrapping two\'s complement; 0 = the PE type\'s default (int8 32, int16 48, LightPE 32), else 16..52. Ignored for fp32.', unit: 'bits', default: 0, min: 0, max: 52 }),
    actBits: param.int({ doc: 'Activation width of LightPE arrays (8 or 16); the other PE types fix their own widths.', unit: 'bits', default: 8, min: 8, max: 16, powerOfTwo: true }),
    lightMaxShift: param.int({ doc: 'Largest LightPE weight shift mMax (weights down to 2^-mMax).', default: 7, min: 0, max: 15 }),
    lightShift: param.enum({ doc: 'LightPE shifter: exact (partial sums carry mMax extra fractional bits, lossless) or floor (arithmetic right shift of the activation, truncating).', values: ['exact', 'floor'], default: 'exact' }),
    ifmapSpadWords: param.int({ doc: 'Per-PE ifmap scratchpad (Eyeriss: 12 x 16 b, commonly cited, unverified). Reported, not enforced.', unit: 'words', default: 12, min: 1 }),
    filterSpadWords: param.int({ doc: 'Per-PE filter scratchpad (Eyeriss: 224 x 16 b, commonly cited, unverified). Reported, not enforced.', unit: 'words', default: 224, min: 1 }),
    psumSpadWords: param.int({ doc: 'Per-PE partial-sum scratchpad (Eyeriss: 24 x 16 b, commonly cited, unverified). Reported, not enforced.', unit: 'words', default: 24, min: 1 }),
    spadWordBits: param.int({ doc: 'Scratchpad word width (Eyeriss: 16).', unit: 'bits', default: 16, min: 1, max: 64 }),
    glbSize: param.bytes({ doc: 'Global buffer size (Eyeriss: 108 KB, commonly cited, unverified). Reported, not enforced.', default: '108KiB', min: 1 }),
    ifmapWordsPerCycle: param.int({ doc: 'Ifmap words per cycle the memory delivers (stalls mode; SCALE-Sim eyeriss.cfg Bandwidth 10).', unit: 'words/cycle', default: 10, min: 1 }),
    filterWordsPerCycle: param.int({ doc: 'Filter words per cycle the memory delivers (stalls mode).', unit: 'words/cycle', default: 10, min: 1 }),
    ofmapWordsPerCycle: param.int({ doc: 'Ofmap words per cycle the memory accepts (stalls mode).', unit: 'words/cycle', default: 10, min: 1 }),
    startupCycles: param.int({ doc: 'Cycles from a command to the first fold (not in SCALE-Sim, which starts at cycle 0).', unit: 'cycles', default: 0, min: 0 }),
    memWidthBits: param.int({ doc: 'Width of the mem and wmem ports; operand addresses must be multiples of memWidthBits/8 bytes (set it to the memory\'s word width).', unit: 'bits', default: 64, min: 8, powerOfTwo: true }),
    accelId: param.int({ doc: 'Accelerator number N that cores address with acc.* N (Xeacc, docs/ISA.md).', default: 0, min: 0, max: 127 }),
    queueDepth: param.int({ doc: 'Commands accepted and not finished (the executing one included); acc.cmd sleeps beyond that.', default: 4, min: 1 }),
    macEnergy: param.energy({ doc: 'Energy per useful MAC of a PE of type macEnergyPeType (the instance\'s own peType when that is `same`); other PE types are scaled by their gate equivalents (see the mac event).', tech: true }),
    macEnergyPeType: param.enum({ doc: 'The PE type macEnergy was characterised for; `same` = the instance\'s own peType (no scaling). A tech file names it with its macEnergy so that a sweep over peType rescales the MAC energy.', values: ['same', 'int8', 'int16', 'fp32', 'lightpe1', 'lightpe2'], default: 'same', tech: true }),
    rfReadEnergy: param.energy({ doc: 'Energy per PE scratchpad (register-file) word read.', tech: true }),
    rfWriteEnergy: param.energy({ doc: 'Energy per PE scratchpad (register-file) word write.', tech: true }),
    glbReadEnergy: param.energy({ doc: 'Energy per global-buffer word read.', tech: true }),
    glbWriteEnergy: param.energy({ doc: 'Energy per global-buffer word write.', tech: true }),
    leakage: param.power({ doc: 'Static leakage power of the array and its buffers.', tech: true }),
    gateArea: param.area({ doc: 'Area of one NAND2 gate equivalent (GE) in the technology, um2 per GE; prices the PE-array logic (0 = not characterised).', default: '0um2', tech: true }),
    spadBitArea: param.area({ doc: 'Area per bit of the per-PE scratchpads (register files), um2 per bit (0 = not characterised).', default: '0um2', tech: true }),
    area: param.area({ doc: 'Extra area added as is, beyond the logic and scratchpad terms (e.g. control, I/O); 0 = none. The global buffer is a separate memory instance in the shipped platforms (glbSize here is reported only), so it is not counted here.', tech: true }),
  },
  ports: (p) => [
    port.target('cfg', 'mem', { widthBits: 32, required: false, doc: 'Read-only status (pending commands +0x0, last tag +0x4); in the address map so that a core\'s data port reaches the array for acc.* commands.' }),
    port.initiator('mem', 'mem', { widthBits: p.memWidthBits, required: false, doc: 'Reads descriptors and operands from and writes results to the local memory (L1 / global buffer / activation memory).' }),
    port.initiator('wmem', 'mem', { widthBits: p.memWidthBits, required: false, doc: 'Optional weight memory (DIANA digital weight_mem): weights whose addresses it reaches are read through it, all else through mem.' }),
  ],
  energy: (e) => ({
    mac: e.perEvent('macEnergy', 'Per useful multiply-accumulate.', {
      by: (p) => macEnergyScale(p.peType, p.macEnergyPeType),
      doc: 'GE(one PE of peType) / GE(one PE of macEnergyPeType) from the Yosys characterization (area.ts; one PE = the characterized 8 x 8 array / 64): a switched-capacitance proxy (energy ~ switched gates at equal activity), not a power analysis; 1 when macEnergyPeType is `same` or either type has no characterization (fp32).',
    }),
    rfRead: e.perEvent('rfReadEnergy', 'Per PE register-file read (3 per MAC).'),
    rfWrite: e.perEvent('rfWriteEnergy', 'Per PE register-file write (1 per MAC + 1 per word entering the array).'),
    glbRead: e.perEvent('glbReadEnergy', 'Per global-buffer word read (ifmap, filter, partial sums read back).'),
    glbWrite: e.perEvent('glbWriteEnergy', 'Per global-buffer word written (ofmap, partial sums).'),
    leakage: e.static('leakage', 'Always-on leakage.'),
  }),
  stats: {
    macs: stat.counter('MACs', 'Useful multiply-accumulates.'),
    cycles: stat.counter('cycles', 'Array cycles, stalls included.'),
    stalls: stat.counter('cycles', 'Cycles the array waited for memory bandwidth.'),
    folds: stat.counter('folds', 'Folds executed.'),
    ifmapReads: stat.counter('words', 'Ifmap words read (SCALE-Sim SRAM count).'),
    filterReads: stat.counter('words', 'Filter words read (SCALE-Sim SRAM count).'),
    ofmapWrites: stat.counter('words', 'Ofmap and partial-sum words written.'),
    psumReads: stat.counter('words', 'Partial sums read back to accumulate row folds (ws, is).'),
    rfReads: stat.counter('words', 'PE register-file reads.'),
    rfWrites: stat.counter('words', 'PE register-file writes.'),
    busy: stat.time('Time executing commands: descriptor and operand transfers, compute (stalls included), result write.'),
  },
  area: [
    { param: 'gateArea', scale: (p) => peArrayGateEquivalents(p.peType, p.rows, p.cols), per: 'NAND2 equivalent', doc: 'PE-array logic: GE(peType, rows, cols) fitted to Yosys cell counts of the generated os array (src/modules/pe-array/area.ts, `edgesim characterize`), linear in the PE count beyond 8 x 8; at the default accBits/actBits/lightMaxShift; fp32 has no RTL: unknown, flagged unpriced' },
    { param: 'spadBitArea', scale: (p) => p.rows * p.cols * (p.ifmapSpadWords + p.filterSpadWords + p.psumSpadWords) * p.spadWordBits, per: 'scratchpad bit', doc: 'per-PE scratchpads: rows x cols x (ifmap + filter + psum words) x spadWordBits' },
    { param: 'area', scale: () => 1, per: '', optional: true, doc: 'extra area as given; 0 = none' },
  ],
  faults: {
    accumulatorFlip: fault.bitFlip('PE accumulators', 'Flip one bit of a PE\'s partial-sum register.'),
    weightFlip: fault.bitFlip('stationary weight registers', 'Flip one bit of a held weight (or LightPE shift code).'),
    macStuck: fault.stuckAt('PE multiplier outputs', 'A product bit stuck at 0 or 1 in one PE.'),
    stallDelay: fault.delay('operand delivery', 'Extra cycles before a fold starts.'),
  },
  check: (p) => {
    if (p.accBits === 0 || p.peType === 'fp32') return [];
    if (p.accBits < 16) return [{ param: 'accBits', message: `accBits ${p.accBits} is neither 0 (the PE type's default) nor in 16..52`, hint: 'use 0 or a width of 16..52 bits' }];
    if (p.peType === 'int16' && p.accBits < 32) return [{ param: 'accBits', message: `accBits ${p.accBits} cannot hold one int16 x int16 product (32 bits)`, hint: 'use at least 32 (or 0 for the default 48)' }];
    return [];
  },
  caps: (p) => [{
    name: 'pe-array',
    peType: p.peType,
    rows: p.rows,
    cols: p.cols,
    dataflows: [p.dataflow],
    actBits: operandBits(p.peType, p.lightMaxShift, p.actBits).act,
    weightBits: operandBits(p.peType, p.lightMaxShift, p.actBits).weight,
    accBits: p.peType === 'fp32' ? 32 : p.accBits !== 0 ? p.accBits : defaultAccBits(p.peType),
    lightMaxShift: p.lightMaxShift,
    conv: 'im2col-nhwc-hwio',
  }],
});
