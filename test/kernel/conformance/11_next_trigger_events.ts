// Port of shared/systemc/semantics/11_next_trigger_events.cpp
import { Simulation, allOf, anyOf, timeout, type SimulationOptions } from '../../../src/kernel/index.js';
import { ns } from '../../../src/util/time.js';
import { SemLog } from '../../helpers/semlog.js';

export default function scenario(opts: SimulationOptions): string {
  const sim = new Simulation(opts);
  const L = new SemLog(sim);
  const e1 = sim.event('top.e1');
  const e2 = sim.event('top.e2');
  let n = 0;

  // No static sensitivity, runs at init.
  sim.method('top.m', (self) => {
    ++n;
    switch (n) {
      case 1:
        L.log('M', '#1 next_trigger(e1 | e2)');
        self.nextTrigger(anyOf(e1, e2));
        break;
      case 2:
        L.log('M', '#2 next_trigger(e1 & e2)');
        self.nextTrigger(allOf(e1, e2));
        break;
      case 3:
        L.log('M', '#3 next_trigger(10 ns, e1)');
        self.nextTrigger(timeout(ns(10), e1));
        break;
      case 4:
        L.log('M', `#4 timed_out=${Number(self.timedOut)}; next_trigger(10 ns, e1 | e2)`);
        self.nextTrigger(timeout(ns(10), anyOf(e1, e2)));
        break;
      case 5:
        L.log('M', `#5 timed_out=${Number(self.timedOut)}; next_trigger(e1) then next_trigger(e2)`);
        self.nextTrigger(e1);
        self.nextTrigger(e2);
        break;
      case 6:
        L.log('M', '#6 no trigger set: never runs again');
        break;
      default:
        L.log('M', `#${n} unexpected`);
        break;
    }
  });
  sim.thread('top.driver', function* () {
    yield ns(10);
    L.log('D', 'e2.notify()');
    e2.notify();
    yield ns(5); // 15 ns
    L.log('D', 'e1.notify()');
    e1.notify();
    yield ns(5); // 20 ns
    L.log('D', 'e1.notify(); e2.notify(SC_ZERO_TIME)');
    e1.notify();
    e2.notifyDelta();
    yield ns(5); // 25 ns
    L.log('D', 'e1.notify()');
    e1.notify();
    yield ns(15); // 40 ns
    L.log('D', 'e1.notify()');
    e1.notify();
    yield ns(5); // 45 ns
    L.log('D', 'e2.notify()');
    e2.notify();
    yield ns(5); // 50 ns
    L.log('D', 'e1.notify(); e2.notify()');
    e1.notify();
    e2.notify();
  });
  sim.run();
  L.main(`end, M ran ${n} times`);
  return L.finish();
}
