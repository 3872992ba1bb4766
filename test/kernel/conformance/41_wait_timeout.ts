// Port of test/fixtures/systemc-extra/41_wait_timeout.cpp
import { Simulation, allOf, anyOf, timeout, type SimEvent, type SimulationOptions } from '../../../src/kernel/index.js';
import { ns } from '../../../src/util/time.js';
import { SemLog } from '../../helpers/semlog.js';

export default function scenario(opts: SimulationOptions): string {
  const sim = new Simulation(opts);
  const L = new SemLog(sim);
  const ev = (n: string): SimEvent => sim.event(`top.${n}`);
  const a1 = ev('a1'), a2 = ev('a2'), b1 = ev('b1'), b2 = ev('b2');
  const c1 = ev('c1'), c2 = ev('c2'), m1 = ev('m1'), m2 = ev('m2');
  let mRuns = 0;
  const to = (self: { timedOut: boolean }): number => Number(self.timedOut);

  sim.thread('top.w1', function* (self) {
    L.log('W1', 'wait(10 ns, a1)');
    yield timeout(ns(10), a1);
    L.log('W1', `resumed, timed_out=${to(self)}; wait(10 ns, a1)`);
    yield timeout(ns(10), a1);
    L.log('W1', `resumed, timed_out=${to(self)}; wait(5 ns)`);
    yield ns(5);
    L.log('W1', `resumed, timed_out=${to(self)}; wait(10 ns, a1)`);
    yield timeout(ns(10), a1);
    L.log('W1', `resumed, timed_out=${to(self)}; wait(a2)`);
    yield a2;
    L.log('W1', `resumed on a2, timed_out=${to(self)}`);
  });
  sim.thread('top.w2', function* (self) {
    L.log('W2', 'wait(20 ns, b1 | b2)');
    yield timeout(ns(20), anyOf(b1, b2));
    L.log('W2', `resumed, timed_out=${to(self)}; wait(20 ns, b1 | b2)`);
    yield timeout(ns(20), anyOf(b1, b2));
    L.log('W2', `resumed, timed_out=${to(self)}; wait(SC_ZERO_TIME)`);
    yield 0;
    L.log('W2', `resumed, timed_out=${to(self)}; wait(b1)`);
    yield b1;
    L.log('W2', `resumed on b1, timed_out=${to(self)}`);
  });
  sim.thread('top.w3', function* (self) {
    yield ns(40);
    L.log('W3', 'wait(30 ns, c1 & c2)');
    yield timeout(ns(30), allOf(c1, c2));
    L.log('W3', `resumed, timed_out=${to(self)}; wait(30 ns, c1 & c2)`);
    yield timeout(ns(30), allOf(c1, c2));
    L.log('W3', `resumed, timed_out=${to(self)}`);
  });
  sim.method('top.m', (self) => {
    ++mRuns;
    switch (mRuns) {
      case 1:
        L.log('M', `#1 timed_out=${to(self)}; next_trigger(10 ns, m1 | m2)`);
        self.nextTrigger(timeout(ns(10), anyOf(m1, m2)));
        break;
      case 2:
        L.log('M', `#2 timed_out=${to(self)}; next_trigger(10 ns, m1 & m2)`);
        self.nextTrigger(timeout(ns(10), allOf(m1, m2)));
        break;
      case 3:
        L.log('M', `#3 timed_out=${to(self)}; next_trigger(SC_ZERO_TIME, m1)`);
        self.nextTrigger(timeout(0, m1));
        break;
      case 4:
        L.log('M', `#4 timed_out=${to(self)}; next_trigger(20 ns, m1)`);
        self.nextTrigger(timeout(ns(20), m1));
        break;
      default:
        L.log('M', `#${mRuns} timed_out=${to(self)}; no trigger (M never runs again)`);
        break;
    }
  });
  sim.thread('top.driver', function* () {
    yield ns(5); // 5 ns
    L.log('D', 'a1.notify(); b2.notify(); m2.notify()');
    a1.notify(); b2.notify(); m2.notify();
    yield ns(3); // 8 ns
    L.log('D', 'm1.notify()  (only half of m1 & m2)');
    m1.notify();
    yield ns(9); // 17 ns
    L.log('D', 'a1.notify()  (W1 is in wait(5 ns): lost)');
    a1.notify();
    yield ns(8); // 25 ns
    L.log('D', 'm1.notify(SC_ZERO_TIME); b2.notify(2 ns)');
    m1.notifyDelta(); b2.notifyAfter(ns(2));
    yield ns(10); // 35 ns
    L.log('D', 'a2.notify()');
    a2.notify();
    yield ns(5); // 40 ns
    L.log('D', 'b1.notify(SC_ZERO_TIME)');
    b1.notifyDelta();
    yield ns(5); // 45 ns
    L.log('D', 'c1.notify()  (c2 never comes: W3 times out at 70 ns)');
    c1.notify();
    yield ns(30); // 75 ns
    L.log('D', 'c2.notify(SC_ZERO_TIME); c1.notify(5 ns)');
    c2.notifyDelta(); c1.notifyAfter(ns(5));
    yield ns(10); // 85 ns
    L.log('D', 'm1.notify(); m2.notify()  (M has no trigger left)');
    m1.notify(); m2.notify();
  });

  sim.run();
  L.main(`end, M ran ${mRuns} times`);
  return L.finish();
}
