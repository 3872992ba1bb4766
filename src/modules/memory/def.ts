import { defineModule, fault, param, port, stat } from '../../spec/index.js';

/** L2 or external memory: capacity, latency, bandwidth. */
export const MemoryDef = defineModule({
  kind: 'memory',
  doc: {
    summary: 'L2 or external memory with a fixed latency and a bandwidth limit.',
    models: 'real storage; delay from latency and bandwidth; bytes read and written.',
    doesNotModel: 'DRAM rows, refresh and bank timing (a fixed latency stands in for them), ECC.',
    timing: 'delay = latencyCycles + ceil(bytes / bandwidthBytesPerCycle), serialized per port.',
    energy: '`accessEnergy` per access of one data word, `leakage` always.',
  },
  params: {
    sizeBytes: param.bytes({ doc: 'Capacity (PULP L2: 512 KiB).', default: '512KiB', min: 4 }),
    level: param.enum({ doc: 'Where it sits: on-chip L2 or external (L3).', values: ['l2', 'external'], default: 'l2' }),
    banks: param.int({ doc: 'Banks (PULP GVSoC L2: 4, word-interleaved).', default: 1, min: 1, powerOfTwo: true }),
    ports: param.int({ doc: 'Target ports.', default: 1, min: 1, max: 16 }),
    dataWidthBits: param.int({ doc: 'Data width of each port.', unit: 'bits', default: 64, min: 8, powerOfTwo: true }),
    latencyCycles: param.int({ doc: 'Cycles from request to first data.', unit: 'cycles', default: 12, min: 0 }),
    bandwidthBytesPerCycle: param.int({ doc: 'Bytes per cycle per port.', unit: 'B/cycle', default: 8, min: 1 }),
    accessEnergy: param.energy({ doc: 'One data-word access.', tech: true }),
    leakage: param.power({ doc: 'Static leakage power.', tech: true }),
    bitArea: param.area({ doc: 'Macro area per bit of capacity, periphery included (area = sizeBytes x 8 x bitArea; 0 = not characterised).', default: '0um2', tech: true }),
  },
  ports: (p) => [port.target('mem', 'mem', { widthBits: p.dataWidthBits, count: p.ports, required: false, doc: 'Load/store access.' })],
  energy: (e) => ({
    access: e.perEvent('accessEnergy', 'One data word read or written.'),
    leakage: e.static('leakage', 'Always-on leakage.'),
  }),
  stats: {
    bytesRead: stat.counter('B', 'Bytes read.'),
    bytesWritten: stat.counter('B', 'Bytes written.'),
  },
  faults: {
    bitFlip: fault.bitFlip('stored bits', 'Transient upsets: a stored bit inverted once, at a drawn time (count or rate per bit per inference).', 'bit-flip'),
    stuckAt: fault.stuckAt('stored bits', 'Permanent defects: bits that always read as 0 or 1, the same on every inference of a chip.', 'stuck-at'),
  },
  area: { param: 'bitArea', scale: (p) => p.sizeBytes * 8, per: 'bit' },
  check: (p) => (p.sizeBytes % (p.dataWidthBits / 8) === 0 ? [] : [{
    param: 'sizeBytes',
    message: `sizeBytes ${p.sizeBytes} B is not a whole number of ${p.dataWidthBits}-bit words`,
    hint: `use a multiple of ${p.dataWidthBits / 8} B`,
  }]),
  caps: (p) => [{ name: 'memory', level: p.level, sizeBytes: p.sizeBytes }],
});
