import { defineModule, fault, param, port, stat } from '../../spec/index.js';

/** Multi-bank SRAM scratchpad (PULP TCDM), word-interleaved across banks. */
export const ScratchpadDef = defineModule({
  kind: 'scratchpad',
  doc: {
    summary: 'Multi-bank SRAM scratchpad (L1/TCDM), word-interleaved, with a built-in logarithmic interconnect for its ports.',
    models: 'bank = (address / wordBytes) mod banks when interleaved; one access per bank per cycle; round-robin between conflicting ports; conflict counts; capacity checks; real storage.',
    doesNotModel: 'ECC, refresh, power gating of individual banks.',
    timing: 'delay = wait for the bank + accessCycles per word.',
    energy: '`readEnergy` / `writeEnergy` per word access, `leakage` always.',
  },
  params: {
    sizeBytes: param.bytes({ doc: 'Total capacity (PULP: 64 KiB).', default: '64KiB', min: 4 }),
    banks: param.int({ doc: 'Number of banks (PULP: 16 = 2 x cores).', default: 16, min: 1, max: 1024, powerOfTwo: true }),
    wordBytes: param.int({ doc: 'Bank word width (PULP: 4).', unit: 'B', default: 4, min: 1, powerOfTwo: true }),
    interleaving: param.enum({ doc: 'word: consecutive words in consecutive banks; block: each bank holds one contiguous block.', values: ['word', 'block'], default: 'word' }),
    ports: param.int({ doc: 'Number of master ports (PULP: 9 cores + 4 DMA).', default: 1, min: 1, max: 64 }),
    accessCycles: param.int({ doc: 'Cycles per access without conflict (PULP: 1).', unit: 'cycles', default: 1, min: 0 }),
    readEnergy: param.energy({ doc: 'One word read.', tech: true }),
    writeEnergy: param.energy({ doc: 'One word write.', tech: true }),
    leakage: param.power({ doc: 'Static leakage of all banks.', tech: true }),
    bitArea: param.area({ doc: 'Macro area per bit of capacity, periphery included (area = sizeBytes x 8 x bitArea; 0 = not characterised).', default: '0um2', tech: true }),
  },
  ports: (p) => [port.target('mem', 'mem', { widthBits: p.wordBytes * 8, count: p.ports, required: false, doc: 'Master ports; each takes one request per cycle.' })],
  energy: (e) => ({
    read: e.perEvent('readEnergy', 'One word read.'),
    write: e.perEvent('writeEnergy', 'One word written.'),
    leakage: e.static('leakage', 'Always-on leakage.'),
  }),
  stats: {
    reads: stat.counter('words', 'Words read.'),
    writes: stat.counter('words', 'Words written.'),
    bankConflicts: stat.counter('requests', 'Requests delayed by a busy bank.'),
  },
  faults: {
    bitFlip: fault.bitFlip('stored bits', 'Transient upsets: a stored bit inverted once, at a drawn time (count or rate per bit per inference).', 'bit-flip'),
    stuckAt: fault.stuckAt('stored bits', 'Permanent defects: bits that always read as 0 or 1, the same on every inference of a chip.', 'stuck-at'),
  },
  area: { param: 'bitArea', scale: (p) => p.sizeBytes * 8, per: 'bit' },
  check: (p) => (p.sizeBytes % (p.banks * p.wordBytes) === 0 ? [] : [{
    param: 'sizeBytes',
    message: `sizeBytes ${p.sizeBytes} B does not split into ${p.banks} banks of whole ${p.wordBytes}-B words (a multiple of ${p.banks * p.wordBytes} B is needed)`,
    hint: `use ${Math.max(1, Math.round(p.sizeBytes / (p.banks * p.wordBytes))) * p.banks * p.wordBytes} B or change banks/wordBytes`,
  }]),
  caps: (p) => [{ name: 'memory', level: 'l1', sizeBytes: p.sizeBytes, banks: p.banks, wordBytes: p.wordBytes }],
});
