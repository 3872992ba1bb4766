// Port of shared/systemc/semantics/08_wait_time.cpp
import { Simulation, type SimulationOptions } from '../../../src/kernel/index.js';
import { ns, ps, time, us } from '../../../src/util/time.js';
import { SemLog } from '../../helpers/semlog.js';

export default function scenario(opts: SimulationOptions): string {
  const sim = new Simulation(opts);
  const L = new SemLog(sim);

  sim.thread('top.a', function* () {
    L.log('A', 'wait(10 ns)');
    yield ns(10);
    L.log('A', 'wait(SC_ZERO_TIME)');
    yield 0;
    L.log('A', 'wait(SC_ZERO_TIME)');
    yield 0;
    L.log('A', 'wait(sc_time(1.5, SC_NS))');
    yield time(1.5, 'ns');
    L.log('A', 'wait(0.25, SC_US)');
    yield us(0.25);
    L.log('A', 'done');
  });
  sim.thread('top.b', function* () {
    L.log('B', 'wait(5 ns) twice');
    yield ns(5);
    yield ns(5);
    L.log('B', 'at 10 ns, same delta as A');
    yield ps(251500);
    L.log('B', 'at 261500 ps, same delta as A');
  });
  sim.run();
  L.main('end');
  return L.finish();
}
