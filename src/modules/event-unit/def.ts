import { defineModule, param, port, stat } from '../../spec/index.js';

/** Cluster event unit (after PULP's): hardware barriers, events, mutexes, wake-up of sleeping cores. */
export const EventUnitDef = defineModule({
  kind: 'event-unit',
  doc: {
    summary: 'Cluster synchronization unit: hardware barriers, events, mutexes and core wake-up (after PULP).',
    models: 'barrier arrival and release, event wait and wake-up, mutex lock and unlock, with fixed latencies; cores sleep (no energy per instruction) while waiting.',
    doesNotModel: 'the dispatcher FIFO, interrupt routing to the SoC.',
    timing: 'a request reaches the unit after wakeupRequestCycles; a released core resumes wakeupCycles later (GVSoC eu_v3: 6 and 2).',
    energy: '`eventEnergy` per request, `leakage` always.',
  },
  params: {
    cores: param.int({ doc: 'Cores served (one sync port each).', default: 9, min: 1, max: 32 }),
    barriers: param.int({ doc: 'Hardware barriers.', default: 2, min: 1 }),
    wakeupRequestCycles: param.int({ doc: 'Cycles for a request to reach the unit (GVSoC eu_v3: 6).', unit: 'cycles', default: 6, min: 0 }),
    wakeupCycles: param.int({ doc: 'Cycles from release to the core running (GVSoC eu_v3: 2).', unit: 'cycles', default: 2, min: 0 }),
    eventEnergy: param.energy({ doc: 'One synchronization request.', tech: true }),
    leakage: param.power({ doc: 'Static leakage power.', tech: true }),
    area: param.area({ doc: 'Silicon area (0 = not characterised).', default: '0um2', tech: true }),
  },
  ports: (p) => [
    port.target('sync', 'sync', { widthBits: 32, count: p.cores, required: false, doc: 'One per core.' }),
    port.eventIn('irq', { count: 4, required: false, doc: 'Event lines from peripherals (e.g. DMA done).' }),
  ],
  energy: (e) => ({
    request: e.perEvent('eventEnergy', 'One synchronization request.'),
    leakage: e.static('leakage', 'Always-on leakage.'),
  }),
  stats: {
    barriers: stat.counter('barriers', 'Barriers released.'),
    sleepCycles: stat.counter('cycles', 'Core-cycles spent asleep waiting.'),
  },
  caps: (p) => [{ name: 'sync', barriers: p.barriers, cores: p.cores }],
});
