// Port of shared/systemc/semantics/31_kill_reset.cpp
import { Simulation, type SimulationOptions } from '../../../src/kernel/index.js';
import { ns } from '../../../src/util/time.js';
import { SemLog } from '../../helpers/semlog.js';

export default function scenario(opts: SimulationOptions): string {
  const sim = new Simulation(opts);
  const L = new SemLog(sim);
  const e = sim.event('top.e');
  let destroyed = 0; // number of Local objects destroyed so far
  let rStarts = 0; // number of times R started from the top

  // C++ `Local guard(who)` on the thread's stack: its destructor is the finally block.
  const localDestroyed = (who: string): void => {
    ++destroyed;
    L.log(who, 'local object destroyed (stack unwound)');
  };

  const hk = sim.thread('top.k', function* () {
    try {
      for (;;) {
        yield e;
        L.log('K', 'woke on e');
      }
    } finally {
      localDestroyed('K');
    }
  });
  const hr = sim.thread('top.r', function* () {
    try {
      ++rStarts;
      L.log('R', `(re)start #${rStarts}`);
      for (;;) {
        yield ns(10);
        L.log('R', 'tick');
      }
    } finally {
      localDestroyed('R');
    }
  });
  const hm = sim.method('top.m', () => L.log('M', 'run'), { sensitive: [e], dontInitialize: true });
  sim.thread('top.watch', function* () {
    yield hk.terminatedEvent;
    L.log('W', `K terminated_event, terminated=${Number(hk.terminated)}`);
  });
  sim.thread('top.ctrl', function* () {
    yield ns(5);
    L.log('X', 'e.notify()');
    e.notify();
    yield ns(7); // 12 ns
    L.log('X', 'kill K');
    hk.kill();
    L.log('X', `after kill: K terminated=${Number(hk.terminated)}, locals destroyed so far=${destroyed}`);
    yield ns(3); // 15 ns
    L.log('X', 'e.notify()');
    e.notify();
    yield ns(10); // 25 ns
    L.log('X', 'reset R');
    hr.reset();
    L.log('X', `after reset: R starts=${rStarts}, locals destroyed so far=${destroyed}`);
    yield ns(15); // 40 ns
    L.log('X', 'kill M; e.notify()');
    hm.kill();
    e.notify();
    L.log('X', `M terminated=${Number(hm.terminated)}`);
    yield ns(7); // 47 ns
    L.log('X', 'kill R');
    hr.kill();
  });

  sim.run();
  L.main('end');
  return L.finish();
}
