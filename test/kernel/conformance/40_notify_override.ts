// Port of test/fixtures/systemc-extra/40_notify_override.cpp
import { Simulation, type SimEvent, type SimulationOptions } from '../../../src/kernel/index.js';
import { ns } from '../../../src/util/time.js';
import { SemLog } from '../../helpers/semlog.js';

export default function scenario(opts: SimulationOptions): string {
  const sim = new Simulation(opts);
  const L = new SemLog(sim);
  const names = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'] as const;
  const ev = names.map((n) => sim.event(`top.${n}`));
  const [a, b, c, d, e, f, g, h] = ev as [SimEvent, SimEvent, SimEvent, SimEvent, SimEvent, SimEvent, SimEvent, SimEvent];
  const k = sim.event('top.k');
  const runs = [0, 0, 0, 0, 0, 0, 0, 0];

  names.forEach((n, i) => {
    const who = `M${n.toUpperCase()}`;
    sim.method(`top.m${n}`, () => {
      ++runs[i]!;
      L.log(who, `run #${runs[i]}`);
    }, { sensitive: [ev[i]!], dontInitialize: true });
  });
  sim.thread('top.waiter', function* () {
    for (let i = 1; i <= 3; ++i) {
      yield k;
      L.log('W', `woke on k (#${i})`);
    }
    yield k;
    L.log('W', 'woke on k (must not happen)');
  });
  sim.thread('top.driver', function* () {
    yield ns(10); // 10 ns
    L.log('D', 'a.notify(20 ns); a.notify(10 ns)  (earlier wins: 20 ns)');
    a.notifyAfter(ns(20)); a.notifyAfter(ns(10));
    L.log('D', 'b.notify(10 ns); b.notify(20 ns)  (later ignored: 20 ns)');
    b.notifyAfter(ns(10)); b.notifyAfter(ns(20));
    L.log('D', 'c.notify(10 ns)');
    c.notifyAfter(ns(10));
    yield ns(5); // 15 ns
    L.log('D', 'c.notify(5 ns) (same time, no change); c.notify(8 ns) (later, ignored)');
    c.notifyAfter(ns(5)); c.notifyAfter(ns(8));
    yield ns(15); // 30 ns
    L.log('D', 'd.notify(SC_ZERO_TIME); d.notify(5 ns)  (delta stays)');
    d.notifyDelta(); d.notifyAfter(ns(5));
    L.log('D', 'e.notify(5 ns); e.notify(SC_ZERO_TIME)  (delta replaces timed)');
    e.notifyAfter(ns(5)); e.notifyDelta();
    yield ns(10); // 40 ns
    L.log('D', 'f.notify(SC_ZERO_TIME); f.notify()  (immediate cancels delta)');
    f.notifyDelta(); f.notify();
    L.log('D', 'g.notify(5 ns); g.notify(); g.notify(7 ns)  (immediate cancels timed)');
    g.notifyAfter(ns(5)); g.notify(); g.notifyAfter(ns(7));
    L.log('D', 'h.notify(); h.notify(SC_ZERO_TIME)  (two triggers)');
    h.notify(); h.notifyDelta();
    yield ns(10); // 50 ns
    L.log('D', 'k.notify(10 ns)');
    k.notifyAfter(ns(10));
    yield ns(2); // 52 ns
    L.log('D', 'k.notify(3 ns)  (55 ns, earlier than 60 ns: replaces)');
    k.notifyAfter(ns(3));
    yield ns(8); // 60 ns
    L.log('D', 'k.notify(SC_ZERO_TIME); k.notify(10 ns)');
    k.notifyDelta(); k.notifyAfter(ns(10));
    yield ns(10); // 70 ns
    L.log('D', 'k.notify(20 ns); k.cancel(); k.notify(25 ns)');
    k.notifyAfter(ns(20)); k.cancel(); k.notifyAfter(ns(25));
    yield ns(5); // 75 ns
    L.log('D', 'k.notify(30 ns)  (105 ns, later than 95 ns: ignored)');
    k.notifyAfter(ns(30));
  });

  sim.run();
  L.main(`end, runs MA..MH = ${runs.join(' ')}`);
  return L.finish();
}
