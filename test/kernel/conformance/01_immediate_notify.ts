// Port of shared/systemc/semantics/01_immediate_notify.cpp
import { Simulation, timeout, type SimulationOptions } from '../../../src/kernel/index.js';
import { ns } from '../../../src/util/time.js';
import { SemLog } from '../../helpers/semlog.js';

export default function scenario(opts: SimulationOptions): string {
  const sim = new Simulation(opts);
  const L = new SemLog(sim);
  const e = sim.event('top.e');
  const selfE = sim.event('top.self_e');
  const p = sim.event('top.p');
  let mRuns = 0;

  sim.thread('top.waiter', function* () {
    L.log('W', 'wait(e)');
    yield e;
    L.log('W', 'woke on e');
  });
  sim.thread('top.notifier', function* () {
    yield ns(5);
    L.log('N', 'e.notify() immediate');
    e.notify();
    L.log('N', 'continues after notify');
    yield ns(15);
    L.log('N', 'self_e.notify() immediate');
    selfE.notify();
    yield ns(10);
    L.log('N', 'self_e.notify(SC_ZERO_TIME)');
    selfE.notifyDelta();
    yield ns(10);
    L.log('N', 'p.notify(20 ns) then p.notify() immediate');
    p.notifyAfter(ns(20));
    p.notify();
  });
  sim.thread('top.late', function* (self) {
    yield ns(5);
    yield 0;
    L.log('L', 'wait(10 ns, e)');
    yield timeout(ns(10), e);
    L.log('L', `resumed, timed_out=${Number(self.timedOut)}`);
  });
  sim.method('top.selfie', () => {
    ++mRuns;
    L.log('M', `run #${mRuns}, self_e.notify() immediate (must not re-trigger M)`);
    selfE.notify();
  }, { sensitive: [selfE], dontInitialize: true });
  sim.thread('top.pend_waiter', function* (self) {
    yield ns(40);
    yield 0;
    L.log('P', 'wait(p) or 50 ns timeout');
    yield timeout(ns(50), p);
    L.log('P', `resumed, timed_out=${Number(self.timedOut)} (the pending 20 ns notification was cancelled)`);
  });
  sim.run();
  L.main(`end, M ran ${mRuns} times`);
  return L.finish();
}
