// Port of test/fixtures/systemc-extra/46_suspend_resume.cpp
import { Simulation, timeout, type SimulationOptions } from '../../../src/kernel/index.js';
import { ns } from '../../../src/util/time.js';
import { SemLog } from '../../helpers/semlog.js';

export default function scenario(opts: SimulationOptions): string {
  const sim = new Simulation(opts);
  const L = new SemLog(sim);
  const e = sim.event('top.e');
  const f = sim.event('top.f');
  const g = sim.event('top.g');
  const h = sim.event('top.h');
  const h2 = sim.event('top.h2');
  let msRuns = 0;

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
  const hw = sim.thread('top.w', function* () {
    L.log('W', 'wait(40 ns)');
    yield ns(40);
    L.log('W', 'resumed');
  });
  const hw2 = sim.thread('top.w2', function* (self) {
    yield ns(70);
    L.log('W2', 'wait(10 ns, h)');
    yield timeout(ns(10), h);
    L.log('W2', `resumed, timed_out=${Number(self.timedOut)}`);
  });
  const hw3 = sim.thread('top.w3', function* (self) {
    yield ns(70);
    L.log('W3', 'wait(10 ns, h2)');
    yield timeout(ns(10), h2);
    L.log('W3', `resumed, timed_out=${Number(self.timedOut)}`);
  });
  const hms = sim.method('top.ms', (self) => {
    ++msRuns;
    if (msRuns === 1) {
      L.log('MS', 'run #1, suspends itself');
      self.suspend();
    } else {
      L.log('MS', `run #${msRuns}`);
    }
  }, { sensitive: [g], dontInitialize: true });
  sim.thread('top.ctrl', function* () {
    yield ns(5); // 5 ns
    L.log('X', 'e.notify(); f.notify()');
    e.notify(); f.notify();
    yield ns(5); // 10 ns
    L.log('X', 'suspend M, T, D');
    hm.suspend(); ht.suspend(); hd.suspend();
    yield ns(2); // 12 ns
    L.log('X', 'e.notify(); f.notify()  (remembered)');
    e.notify(); f.notify();
    yield ns(2); // 14 ns
    L.log('X', 'e.notify(); f.notify()  (again)');
    e.notify(); f.notify();
    yield ns(6); // 20 ns
    L.log('X', 'resume M, T, D');
    hm.resume(); ht.resume(); hd.resume();
    L.log('X', 'after resume');
    yield ns(5); // 25 ns
    L.log('X', 'suspend M; resume M  (no trigger: nothing)');
    hm.suspend(); hm.resume();
    yield ns(5); // 30 ns
    L.log('X', 'e.notify(); suspend M, T  (both already runnable)');
    e.notify();
    hm.suspend(); ht.suspend();
    yield ns(5); // 35 ns
    L.log('X', 'resume M, T');
    hm.resume(); ht.resume();
    yield ns(3); // 38 ns
    L.log('X', 'suspend W (its wait(40 ns) ends at 40 ns)');
    hw.suspend();
    yield ns(7); // 45 ns
    L.log('X', 'resume W');
    hw.resume();
    yield ns(5); // 50 ns
    L.log('X', 'resume T (not suspended: no effect)');
    ht.resume();
    yield ns(5); // 55 ns
    L.log('X', 'g.notify()');
    g.notify();
    yield ns(5); // 60 ns
    L.log('X', 'resume MS');
    hms.resume();
    yield ns(5); // 65 ns
    L.log('X', 'g.notify()');
    g.notify();
    yield ns(7); // 72 ns
    L.log('X', 'suspend W2, W3');
    hw2.suspend(); hw3.suspend();
    yield ns(3); // 75 ns
    L.log('X', 'h.notify()');
    h.notify();
    yield ns(7); // 82 ns
    L.log('X', 'h2.notify()  (W3 already timed out at 80 ns)');
    h2.notify();
    yield ns(3); // 85 ns
    L.log('X', 'resume W2, W3');
    hw2.resume(); hw3.resume();
  });

  sim.run();
  L.main(`end, MS ran ${msRuns} times`);
  return L.finish();
}
