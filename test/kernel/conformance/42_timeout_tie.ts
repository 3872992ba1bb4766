// Port of test/fixtures/systemc-extra/42_timeout_tie.cpp
import { Simulation, allOf, anyOf, timeout, type SimulationOptions } from '../../../src/kernel/index.js';
import { ns } from '../../../src/util/time.js';
import { SemLog } from '../../helpers/semlog.js';

export default function scenario(opts: SimulationOptions): string {
  const sim = new Simulation(opts);
  const L = new SemLog(sim);
  const go = sim.event('top.go');
  const x = sim.event('top.x');
  const y = sim.event('top.y');
  const mgo = sim.event('top.mgo');
  const z = sim.event('top.z');
  const d = sim.event('top.d');
  let step = 0;
  let mtRuns = 0;

  sim.thread('top.t', function* (self) {
    const to = (): number => Number(self.timedOut);
    L.log('T', 'x.notify(10 ns); wait(10 ns, x)  (event scheduled first)');
    x.notifyAfter(ns(10));
    yield timeout(ns(10), x);
    L.log('T', `timed_out=${to()}`);

    L.log('T', 'wait(10 ns, y); H then does y.notify(10 ns)  (time-out first)');
    go.notify();
    yield timeout(ns(10), y);
    L.log('T', `timed_out=${to()}`);

    L.log('T', 'y.notify(10 ns); wait(10 ns, x | y)  (event first)');
    y.notifyAfter(ns(10));
    yield timeout(ns(10), anyOf(x, y));
    L.log('T', `timed_out=${to()}`);

    L.log('T', 'wait(10 ns, x | y); H then does x.notify(10 ns)  (time-out first)');
    go.notify();
    yield timeout(ns(10), anyOf(x, y));
    L.log('T', `timed_out=${to()}`);

    L.log('T', 'y.notify(10 ns); wait(10 ns, x & y); H then does x.notify()');
    y.notifyAfter(ns(10));
    go.notify();
    yield timeout(ns(10), allOf(x, y));
    L.log('T', `timed_out=${to()}`);

    L.log('T', 'wait(10 ns, x & y); H then does x.notify() and y.notify(10 ns)');
    go.notify();
    yield timeout(ns(10), allOf(x, y));
    L.log('T', `timed_out=${to()}`);

    L.log('T', 'd.notify(5 ns); x.notify(10 ns); wait(10 ns, x)  (heap order: time-out first)');
    d.notifyAfter(ns(5));
    x.notifyAfter(ns(10));
    yield timeout(ns(10), x);
    L.log('T', `timed_out=${to()}`);

    yield ns(10);
    L.log('T', 'x.notify(SC_ZERO_TIME); wait(SC_ZERO_TIME, x)  (event first)');
    x.notifyDelta();
    yield timeout(0, x);
    L.log('T', `timed_out=${to()}`);

    L.log('T', 'wait(SC_ZERO_TIME, y); H then does y.notify(SC_ZERO_TIME)  (time-out first)');
    go.notify();
    yield timeout(0, y);
    L.log('T', `timed_out=${to()}`);

    yield ns(10);
    L.log('T', 'mgo.notify()');
    mgo.notify();
  });
  sim.thread('top.h', function* () {
    for (;;) {
      yield go;
      ++step;
      switch (step) {
        case 1: L.log('H', 'y.notify(10 ns)'); y.notifyAfter(ns(10)); break;
        case 2: L.log('H', 'x.notify(10 ns)'); x.notifyAfter(ns(10)); break;
        case 3: L.log('H', 'x.notify()'); x.notify(); break;
        case 4: L.log('H', 'x.notify(); y.notify(10 ns)'); x.notify(); y.notifyAfter(ns(10)); break;
        default: L.log('H', 'y.notify(SC_ZERO_TIME)'); y.notifyDelta(); break;
      }
    }
  });
  sim.method('top.mt', (self) => {
    ++mtRuns;
    const to = Number(self.timedOut);
    switch (mtRuns) {
      case 1:
        L.log('MT', '#1 z.notify(10 ns); next_trigger(10 ns, z)  (event first)');
        z.notifyAfter(ns(10));
        self.nextTrigger(timeout(ns(10), z));
        break;
      case 2:
        L.log('MT', `#2 timed_out=${to}; next_trigger(10 ns, z); z.notify(10 ns)  (time-out first)`);
        self.nextTrigger(timeout(ns(10), z));
        z.notifyAfter(ns(10));
        break;
      case 3:
        L.log('MT', `#3 timed_out=${to}; next_trigger(SC_ZERO_TIME, z); z.notify(SC_ZERO_TIME)`);
        self.nextTrigger(timeout(0, z));
        z.notifyDelta();
        break;
      default:
        L.log('MT', `#${mtRuns} timed_out=${to}`);
        break;
    }
  }, { sensitive: [mgo], dontInitialize: true });

  sim.run();
  L.main(`end, MT ran ${mtRuns} times`);
  return L.finish();
}
