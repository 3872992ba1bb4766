// Port of shared/systemc/semantics/02_delta_notify.cpp
import { Simulation, type SimulationOptions } from '../../../src/kernel/index.js';
import { ns } from '../../../src/util/time.js';
import { SemLog } from '../../helpers/semlog.js';

export default function scenario(opts: SimulationOptions): string {
  const sim = new Simulation(opts);
  const L = new SemLog(sim);
  const e = sim.event('top.e');
  const a = sim.event('top.a');
  const b = sim.event('top.b');
  const c = sim.event('top.c');
  let mCount = 0;

  sim.thread('top.waiter', function* () {
    L.log('W', 'wait(e)');
    yield e;
    L.log('W', 'woke on e');
  });
  sim.thread('top.notifier', function* () {
    yield ns(5);
    L.log('N', 'e.notify(SC_ZERO_TIME) twice');
    e.notifyDelta();
    e.notifyDelta();
    yield ns(5); // t = 10 ns
    L.log('N', 'a.notify(SC_ZERO_TIME) starts chain a->b->c');
    a.notifyDelta();
  });
  sim.thread('top.same_delta_waiter', function* () {
    yield ns(5); // runs in the same delta as N at 5 ns
    L.log('S', 'wait(e) in the notifying delta');
    yield e;
    L.log('S', 'woke on e');
  });
  sim.method('top.counter', () => {
    ++mCount;
    L.log('C', `triggered by e, count=${mCount}`);
  }, { sensitive: [e], dontInitialize: true });
  sim.method('top.ma', () => {
    L.log('A', 'run, b.notify(SC_ZERO_TIME)');
    b.notifyDelta();
  }, { sensitive: [a], dontInitialize: true });
  sim.method('top.mb', () => {
    L.log('B', 'run, c.notify(SC_ZERO_TIME)');
    c.notifyDelta();
  }, { sensitive: [b], dontInitialize: true });
  sim.method('top.mc', () => {
    L.log('C2', 'run, end of chain');
  }, { sensitive: [c], dontInitialize: true });
  sim.run();
  L.main(`end, counter ran ${mCount} times`);
  return L.finish();
}
