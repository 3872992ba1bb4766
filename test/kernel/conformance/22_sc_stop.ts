// Port of shared/systemc/semantics/22_sc_stop.cpp
import { Signal, Simulation, type SimulationOptions } from '../../../src/kernel/index.js';
import { ns } from '../../../src/util/time.js';
import { SemLog } from '../../helpers/semlog.js';

export default function scenario(opts: SimulationOptions): string {
  const sim = new Simulation(opts);
  const L = new SemLog(sim);
  const sig = new Signal<number>(sim, 'top.sig', 0);
  const e = sim.event('top.e');

  sim.thread('top.a', function* () {
    yield ns(10);
    L.log('A', 'sc_stop()');
    sim.stop();
    L.log('A', 'still running after sc_stop(), e.notify(SC_ZERO_TIME)');
    e.notifyDelta();
    yield ns(1);
    L.log('A', 'must not be reached');
  });
  sim.thread('top.b', function* () {
    yield ns(10);
    L.log('B', 'runs in the stopping delta, sig.write(5)');
    sig.write(5);
  });
  sim.thread('top.c', function* () {
    yield ns(20);
    L.log('C', 'must not be reached');
  });
  sim.method('top.mon', () => L.log('M', 'must not be reached'), { sensitive: [sig.valueChangedEvent], dontInitialize: true });
  sim.method('top.me', () => L.log('E', 'must not be reached'), { sensitive: [e], dontInitialize: true });
  sim.lifecycle.on('end-of-simulation', () => L.direct('cb', 'end_of_simulation'));

  sim.run();
  L.main(`after sc_start: sig=${sig.read()} status_stopped=${Number(sim.isStopped)} is_running=${Number(sim.isRunning)}`);
  return L.finish();
}
