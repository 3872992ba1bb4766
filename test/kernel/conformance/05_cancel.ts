// Port of shared/systemc/semantics/05_cancel.cpp
import { Simulation, type SimulationOptions } from '../../../src/kernel/index.js';
import { ns } from '../../../src/util/time.js';
import { SemLog } from '../../helpers/semlog.js';

export default function scenario(opts: SimulationOptions): string {
  const sim = new Simulation(opts);
  const L = new SemLog(sim);
  const e1 = sim.event('top.e1');
  const e2 = sim.event('top.e2');
  const e3 = sim.event('top.e3');

  sim.thread('top.driver', function* () {
    L.log('D', 'e1.notify(10 ns); e1.cancel()');
    e1.notifyAfter(ns(10));
    e1.cancel();
    L.log('D', 'e2.notify(SC_ZERO_TIME); e2.cancel()');
    e2.notifyDelta();
    e2.cancel();
    L.log('D', 'e3.cancel() with nothing pending');
    e3.cancel();
    yield ns(20);
    L.log('D', 'e1.notify(10 ns); wait 5 ns; cancel; notify(10 ns) again');
    e1.notifyAfter(ns(10));
    yield ns(5);
    e1.cancel();
    e1.notifyAfter(ns(10)); // due at 35 ns
    yield ns(15); // t = 40 ns
    L.log('D', 'e3.notify() immediate; e3.cancel()');
    e3.notify();
    e3.cancel();
    L.log('D', 'e2.notify(5 ns) then e2.cancel() at 42 ns');
    e2.notifyAfter(ns(5));
    yield ns(2);
    e2.cancel();
  });
  sim.method('top.m1', () => L.log('M1', 'e1 triggered'), { sensitive: [e1], dontInitialize: true });
  sim.method('top.m2', () => L.log('M2', 'e2 triggered'), { sensitive: [e2], dontInitialize: true });
  sim.method('top.m3', () => L.log('M3', 'e3 triggered'), { sensitive: [e3], dontInitialize: true });
  sim.run();
  L.main('end');
  return L.finish();
}
