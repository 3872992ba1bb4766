// Port of shared/systemc/semantics/28_disable_enable.cpp
import { Simulation, type SimulationOptions } from '../../../src/kernel/index.js';
import { ns } from '../../../src/util/time.js';
import { SemLog } from '../../helpers/semlog.js';

export default function scenario(opts: SimulationOptions): string {
  const sim = new Simulation(opts);
  const L = new SemLog(sim);
  const e = sim.event('top.e');
  const f = sim.event('top.f');

  const hm = sim.method('top.m', () => L.log('M', 'run'), { sensitive: [e], dontInitialize: true });
  const ht = sim.thread('top.t', function* () {
    for (;;) {
      yield;
      L.log('T', 'run');
    }
  }, { sensitive: [e] });
  const hd = sim.thread('top.d', function* () {
    for (;;) {
      yield f;
      L.log('D', 'woke on f');
    }
  });
  sim.thread('top.ctrl', function* () {
    yield ns(10);
    L.log('X', 'e.notify(); f.notify()');
    e.notify();
    f.notify();
    yield ns(5); // 15 ns
    L.log('X', 'disable M, T, D');
    hm.disable();
    ht.disable();
    hd.disable();
    yield ns(5); // 20 ns
    L.log('X', 'e.notify(); f.notify()');
    e.notify();
    f.notify();
    yield ns(10); // 30 ns
    L.log('X', 'enable M, T, D');
    hm.enable();
    ht.enable();
    hd.enable();
    yield ns(10); // 40 ns
    L.log('X', 'e.notify(); f.notify()');
    e.notify();
    f.notify();
  });

  sim.run();
  L.main('end');
  return L.finish();
}
