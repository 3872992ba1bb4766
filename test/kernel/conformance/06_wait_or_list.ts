// Port of shared/systemc/semantics/06_wait_or_list.cpp
import { Simulation, anyOf, type SimulationOptions } from '../../../src/kernel/index.js';
import { ns } from '../../../src/util/time.js';
import { SemLog } from '../../helpers/semlog.js';

export default function scenario(opts: SimulationOptions): string {
  const sim = new Simulation(opts);
  const L = new SemLog(sim);
  const e1 = sim.event('top.e1');
  const e2 = sim.event('top.e2');
  const e3 = sim.event('top.e3');

  sim.thread('top.waiter', function* () {
    L.log('W', 'wait(e1 | e2)');
    yield anyOf(e1, e2);
    L.log('W', 'resumed');
    L.log('W', 'wait(e2 | e3)');
    yield anyOf(e2, e3);
    L.log('W', 'resumed');
    L.log('W', 'wait(e1 | e3)');
    yield anyOf(e1, e3);
    L.log('W', 'resumed');
    L.log('W', 'wait(e1)');
    yield e1;
    L.log('W', 'resumed');
  });
  sim.thread('top.driver', function* () {
    yield ns(10);
    L.log('D', 'e2.notify(); e1.notify(5 ns)');
    e2.notify(); // immediate: W resumes in this delta
    e1.notifyAfter(ns(5)); // 15 ns: W then waits on e2|e3 only
    yield ns(20); // t = 30 ns
    L.log('D', 'e2.notify(SC_ZERO_TIME); e3.notify(SC_ZERO_TIME)');
    e2.notifyDelta();
    e3.notifyDelta();
    yield ns(20); // t = 50 ns
    L.log('D', 'e3.notify(2 ns); e1.notify(4 ns)');
    e3.notifyAfter(ns(2));
    e1.notifyAfter(ns(4));
  });
  sim.run();
  L.main('end');
  return L.finish();
}
