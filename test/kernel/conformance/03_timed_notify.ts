// Port of shared/systemc/semantics/03_timed_notify.cpp
import { Simulation, type SimulationOptions } from '../../../src/kernel/index.js';
import { ns, ps } from '../../../src/util/time.js';
import { SemLog } from '../../helpers/semlog.js';

export default function scenario(opts: SimulationOptions): string {
  const sim = new Simulation(opts);
  const L = new SemLog(sim);
  const e1 = sim.event('top.e1');
  const e2 = sim.event('top.e2');
  const e3 = sim.event('top.e3');
  const e4 = sim.event('top.e4');

  sim.thread('top.notifier', function* () {
    L.log('N', 'e3.notify(30 ns), e1.notify(10 ns), e2.notify(10 ns)');
    e3.notifyAfter(ns(30));
    e1.notifyAfter(ns(10));
    e2.notifyAfter(ns(10));
    yield ns(5);
    L.log('N', 'e4.notify(7500 ps)');
    e4.notifyAfter(ps(7500));
  });
  sim.thread('top.w1', function* () {
    yield e1;
    L.log('W1', 'woke on e1');
  });
  sim.thread('top.w2', function* () {
    yield e2;
    L.log('W2', 'woke on e2');
  });
  sim.thread('top.w3', function* () {
    yield e3;
    L.log('W3', 'woke on e3');
  });
  sim.thread('top.w4', function* () {
    yield e4;
    L.log('W4', 'woke on e4');
  });
  sim.run();
  L.main('end');
  return L.finish();
}
