// Port of shared/systemc/semantics/10_next_trigger_time.cpp
import { Simulation, type SimulationOptions } from '../../../src/kernel/index.js';
import { ns } from '../../../src/util/time.js';
import { SemLog } from '../../helpers/semlog.js';

export default function scenario(opts: SimulationOptions): string {
  const sim = new Simulation(opts);
  const L = new SemLog(sim);
  const s = sim.event('top.s');
  let n = 0;

  // Static sensitivity; runs at initialization.
  sim.method('top.m', (self) => {
    ++n;
    switch (n) {
      case 1:
        L.log('M', '#1 next_trigger(10 ns)');
        self.nextTrigger(ns(10));
        break;
      case 2:
        L.log('M', '#2 next_trigger(SC_ZERO_TIME)');
        self.nextTrigger(0);
        break;
      case 3:
        L.log('M', '#3 next_trigger(5 ns) then next_trigger(3 ns)');
        self.nextTrigger(ns(5));
        self.nextTrigger(ns(3));
        break;
      case 4:
        L.log('M', '#4 next_trigger() -> static sensitivity');
        self.nextTrigger(undefined);
        break;
      case 5:
        L.log('M', '#5 no next_trigger call -> static sensitivity');
        break;
      case 6:
        L.log('M', '#6 next_trigger(10 ns) (s at 30 ns must be ignored)');
        self.nextTrigger(ns(10));
        break;
      default:
        L.log('M', `#${n} static trigger`);
        break;
    }
  }, { sensitive: [s] });
  sim.thread('top.driver', function* () {
    yield ns(20);
    L.log('D', 's.notify()');
    s.notify();
    yield ns(5); // 25 ns
    L.log('D', 's.notify()');
    s.notify();
    yield ns(5); // 30 ns
    L.log('D', 's.notify()');
    s.notify();
    yield ns(10); // 40 ns
    L.log('D', 's.notify()');
    s.notify();
  });
  sim.run();
  L.main(`end, M ran ${n} times`);
  return L.finish();
}
