// Port of shared/systemc/semantics/12_static_sensitivity.cpp
import { Simulation, type SimulationOptions } from '../../../src/kernel/index.js';
import { ns } from '../../../src/util/time.js';
import { SemLog } from '../../helpers/semlog.js';

export default function scenario(opts: SimulationOptions): string {
  const sim = new Simulation(opts);
  const L = new SemLog(sim);
  const a = sim.event('top.a');
  const b = sim.event('top.b');
  const c = sim.event('top.c');

  sim.method('top.ms', () => L.log('MS', 'run (a or b)'), { sensitive: [a, b], dontInitialize: true });
  // No dontInitialize: also runs at init.
  sim.method('top.mi', () => L.log('MI', 'run'), { sensitive: [a] });
  sim.thread('top.ts', function* () {
    L.log('TS', 'start, wait() on static a');
    yield;
    L.log('TS', 'woke (static a), wait(c) overrides static');
    yield c;
    L.log('TS', 'woke on c, wait() static again');
    yield;
    L.log('TS', 'woke (static a)');
  }, { sensitive: [a] });
  sim.thread('top.td', function* () {
    for (;;) {
      L.log('TD', 'run (b), wait()');
      yield;
    }
  }, { sensitive: [b], dontInitialize: true });
  sim.thread('top.driver', function* () {
    yield ns(10);
    L.log('D', 'a.notify(SC_ZERO_TIME)');
    a.notifyDelta();
    yield ns(10); // 20 ns
    L.log('D', 'b.notify(SC_ZERO_TIME)');
    b.notifyDelta();
    yield ns(10); // 30 ns
    L.log('D', 'a.notify(SC_ZERO_TIME); b.notify(SC_ZERO_TIME); c.notify(5 ns)');
    a.notifyDelta();
    b.notifyDelta();
    c.notifyAfter(ns(5));
    yield ns(10); // 40 ns
    L.log('D', 'a.notify(SC_ZERO_TIME)');
    a.notifyDelta();
  });
  sim.run();
  L.main('end');
  return L.finish();
}
