import { defineModule, fault, param, port, stat } from '../../spec/index.js';

/** Cluster DMA engine (after PULP's MCHAN): 1D and 2D transfers between external memory and L1. */
export const DmaDef = defineModule({
  kind: 'dma',
  doc: {
    summary: 'DMA engine with 1D and 2D transfers between an external port and local (L1) ports (after PULP MCHAN).',
    models: 'transfer time from setup latency, per-row overhead, burst size, outstanding transactions and bandwidth; completion events; bytes moved per port.',
    doesNotModel: 'per-core command queues as separate resources, address-translation, error responses beyond reporting.',
    timing: 'T = setup + sum over rows (rowOverhead + ceil(rowBytes / BWeff)), BWeff = min(bandwidth, outstanding * burst / round-trip) (MODELS.md section 11).',
    energy: '`activePower` while a transfer is in flight, `backgroundPower` when idle, `leakage` always.',
  },
  params: {
    bandwidthBytesPerCycle: param.int({ doc: 'Peak external bandwidth (PULP cluster->SoC AXI: 64 bits = 8 B/cycle).', unit: 'B/cycle', default: 8, min: 1 }),
    localPorts: param.int({ doc: 'Ports into the local memory (PULP: 4 TCDM ports).', default: 4, min: 1, max: 16 }),
    localWidthBits: param.int({ doc: 'Width of each local port (PULP TCDM: 32).', unit: 'bits', default: 32, min: 8, powerOfTwo: true }),
    extWidthBits: param.int({ doc: 'Width of the external port (PULP: 64).', unit: 'bits', default: 64, min: 8, powerOfTwo: true }),
    maxBurstBytes: param.bytes({ doc: 'Largest burst (MCHAN: 256 B).', default: '256B', min: 4 }),
    maxOutstanding: param.int({ doc: 'Outstanding external reads/writes (MCHAN: 8).', default: 8, min: 1 }),
    maxTransferBytes: param.bytes({ doc: 'Largest single transfer (MCHAN: 17-bit length, 128 KiB).', default: '128KiB', min: 4 }),
    setupCycles: param.int({ doc: 'Cycles from command to first request (about 10, unverified).', unit: 'cycles', default: 10, min: 0 }),
    rowOverheadCycles: param.int({ doc: 'Extra cycles per row of a 2D transfer.', unit: 'cycles', default: 1, min: 0 }),
    twoD: param.bool({ doc: 'Supports 2D (strided) transfers.', default: true }),
    activePower: param.power({ doc: 'Power while a transfer is in flight.', tech: true }),
    backgroundPower: param.power({ doc: 'Power when idle but clocked.', tech: true }),
    leakage: param.power({ doc: 'Static leakage power.', tech: true }),
    area: param.area({ doc: 'Silicon area (0 = not characterised).', default: '0um2', tech: true }),
  },
  ports: (p) => [
    port.target('cfg', 'mem', { widthBits: 32, required: false, doc: 'Command registers (cores program transfers here).' }),
    port.initiator('ext', 'mem', { widthBits: p.extWidthBits, doc: 'External side (L2, SoC).' }),
    port.initiator('local', 'mem', { widthBits: p.localWidthBits, count: p.localPorts, doc: 'Local memory (L1) side.' }),
    port.eventOut('done', { required: false, doc: 'Pulses when a transfer completes.' }),
  ],
  energy: (e) => ({
    active: e.busy('activePower', 'While a transfer is in flight.'),
    background: e.idle('backgroundPower', 'Clocked, idle (no transfer in flight).'),
    leakage: e.static('leakage', 'Always-on leakage.'),
  }),
  stats: {
    transfers: stat.counter('transfers', 'Completed transfers.'),
    bytes: stat.counter('B', 'Bytes moved.'),
    busy: stat.time('Time with a transfer in flight.'),
  },
  faults: {
    dataFlip: fault.bitFlip('data in transit', 'Each bit of a burst flips with a given probability between the burst\'s read and its write (a corrupted transfer).', 'data-corruption'),
    dropBeat: fault.drop('transfer beats', 'Lose one beat of a transfer.'),
  },
  check: (p) => (p.maxBurstBytes <= p.maxTransferBytes ? [] : [{
    param: 'maxBurstBytes',
    message: `maxBurstBytes ${p.maxBurstBytes} B exceeds maxTransferBytes ${p.maxTransferBytes} B (a burst is part of one transfer)`,
    hint: `use at most ${p.maxTransferBytes} B`,
  }]),
  caps: (p) => [{ name: 'dma', twoD: p.twoD, maxBurstBytes: p.maxBurstBytes, maxTransferBytes: p.maxTransferBytes, bandwidthBytesPerCycle: p.bandwidthBytesPerCycle }],
});
