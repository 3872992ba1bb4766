// Port of shared/systemc/semantics/07_wait_and_list.cpp
import { Simulation, allOf, type SimulationOptions } from '../../../src/kernel/index.js';
import { ns } from '../../../src/util/time.js';
import { SemLog } from '../../helpers/semlog.js';

export default function scenario(opts: SimulationOptions): string {
  const sim = new Simulation(opts);
  const L = new SemLog(sim);
  const e1 = sim.event('top.e1');
  const e2 = sim.event('top.e2');
  const e3 = sim.event('top.e3');

  sim.thread('top.waiter', function* () {
    L.log('W', 'wait(e1 & e2)');
    yield allOf(e1, e2);
    L.log('W', 'resumed (both seen)');
    yield ns(5);
    L.log('W', 'wait(e1 & e2 & e3)');
    yield allOf(e1, e2, e3);
    L.log('W', 'resumed (all three seen)');
  });
  sim.thread('top.driver', function* () {
    yield ns(10);
    L.log('D', 'e1.notify()');
    e1.notify();
    yield ns(10); // 20 ns
    L.log('D', 'e1.notify(SC_ZERO_TIME)');
    e1.notifyDelta();
    yield ns(10); // 30 ns
    L.log('D', 'e2.notify(SC_ZERO_TIME)');
    e2.notifyDelta();
    yield ns(2); // 32 ns, W is still in wait(5 ns)
    L.log('D', 'e3.notify() before W waits again (not counted)');
    e3.notify();
    yield ns(8); // 40 ns
    L.log('D', 'e3.notify(SC_ZERO_TIME); e2.notify(3 ns); e2.notify(SC_ZERO_TIME)->override');
    e3.notifyDelta();
    e2.notifyAfter(ns(3));
    e2.notifyDelta();
    yield ns(10); // 50 ns
    L.log('D', 'e3.notify(); e1.notify(1 ns)');
    e3.notify();
    e1.notifyAfter(ns(1));
  });
  sim.run();
  L.main('end');
  return L.finish();
}
