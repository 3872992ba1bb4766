import { describe, expect, it } from 'vitest';
import { Signal, Simulation, type SimInspection } from '../../src/kernel/index.js';
import { ns } from '../../src/util/time.js';

describe('inspection hook', () => {
  it('reports process runs, channel updates, delta ends and time advances in order', () => {
    const sim = new Simulation();
    const s = new Signal(sim, 'top.s', 0);
    s.valueChangedEvent; // eager updates: someone may listen
    sim.thread('top.t', function* () {
      yield ns(5);
      s.write(1);
    });
    const seen: string[] = [];
    const off = sim.inspect({
      inspect(r: SimInspection) {
        switch (r.type) {
          case 'process-run':
            seen.push(`run ${r.process.path} @${r.time} d${r.delta}`);
            break;
          case 'channel-update':
            seen.push(`update ${r.channel}`);
            break;
          case 'delta-end':
            seen.push(`delta ${r.delta}`);
            break;
          case 'time-advance':
            seen.push(`time ${r.from}->${r.to}`);
            break;
        }
      },
    });
    sim.run();
    off();
    expect(seen).toEqual(['run top.t @0 d0', 'delta 1', 'time 0->5000', 'run top.t @5000 d1', 'update top.s', 'delta 2']);
  });

  it('detached inspectors see nothing', () => {
    const sim = new Simulation();
    let n = 0;
    const off = sim.inspect({ inspect: () => void n++ });
    off();
    sim.thread('t', function* () {
      yield ns(1);
    });
    sim.run();
    expect(n).toBe(0);
  });
});
