import { defineModule, fault, param, port, stat } from '../../spec/index.js';

/** Bus or crossbar with address decode, fixed latency and per-port bandwidth (after GVSoC's router). */
export const XbarDef = defineModule({
  kind: 'xbar',
  doc: {
    summary: 'Interconnect (bus or crossbar): address decode, latency, bandwidth and contention.',
    models: 'routing by the platform address map; a fixed latency; a burst of S bytes occupies an output for ceil(S / bandwidth) cycles; contention on shared outputs (round-robin).',
    doesNotModel: 'wormhole flits, deadlock, per-beat arbitration inside a burst.',
    timing: 'delay = latencyCycles + queueing on the output + ceil(bytes / bandwidthBytesPerCycle) (MODELS.md section 11, GVSoC router).',
    energy: '`transferEnergy` per transfer of one bus word, `leakage` always.',
  },
  params: {
    initiators: param.int({ doc: 'Number of input ports (from initiators).', default: 2, min: 1, max: 64 }),
    targets: param.int({ doc: 'Number of output ports (to targets).', default: 2, min: 1, max: 64 }),
    dataWidthBits: param.int({ doc: 'Data width; narrower initiators are accepted (width conversion).', unit: 'bits', default: 32, min: 8, powerOfTwo: true }),
    latencyCycles: param.int({ doc: 'Fixed latency (pulp-open: cluster 2, SoC AXI 12).', unit: 'cycles', default: 2, min: 0 }),
    bandwidthBytesPerCycle: param.int({ doc: 'Bytes per cycle per output.', unit: 'B/cycle', default: 4, min: 1 }),
    transferEnergy: param.energy({ doc: 'One bus-word transfer.', tech: true }),
    leakage: param.power({ doc: 'Static leakage power.', tech: true }),
    area: param.area({ doc: 'Silicon area (0 = not characterised).', default: '0um2', tech: true }),
  },
  ports: (p) => [
    port.target('in', 'mem', { widthBits: p.dataWidthBits, count: p.initiators, required: false, acceptsNarrower: true, doc: 'Inputs from initiators.' }),
    port.initiator('out', 'mem', { widthBits: p.dataWidthBits, count: p.targets, required: false, doc: 'Outputs to targets, chosen by address.' }),
  ],
  energy: (e) => ({
    transfer: e.perEvent('transferEnergy', 'One bus word moved.'),
    leakage: e.static('leakage', 'Always-on leakage.'),
  }),
  stats: {
    transactions: stat.counter('transactions', 'Transactions routed.'),
    bytes: stat.counter('B', 'Bytes moved.'),
    contentionCycles: stat.counter('cycles', 'Cycles requests waited for a busy output.'),
  },
  faults: {
    dataFlip: fault.bitFlip('data in transit', 'Each bit of a routed transaction\'s data flips with a given probability (write data before it reaches the target, read data on its way back; crosstalk, a marginal link).', 'data-corruption'),
  },
  caps: (p) => [{ name: 'interconnect', latencyCycles: p.latencyCycles, bandwidthBytesPerCycle: p.bandwidthBytesPerCycle }],
});
