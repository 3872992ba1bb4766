// Port of test/fixtures/systemc-extra/47_sync_reset.cpp
import { Simulation, type SimulationOptions } from '../../../src/kernel/index.js';
import { ns } from '../../../src/util/time.js';
import { SemLog } from '../../helpers/semlog.js';

export default function scenario(opts: SimulationOptions): string {
  const sim = new Simulation(opts);
  const L = new SemLog(sim);
  const e = sim.event('top.e');
  let destroyed = 0;
  let tStarts = 0;
  let uStarts = 0;

  // C++ `Local guard("T")` on the thread's stack: its destructor is the finally block.
  const ht = sim.thread('top.t', function* () {
    try {
      ++tStarts;
      let n = 0;
      L.log('T', `(re)start #${tStarts}`);
      for (;;) {
        yield e;
        ++n;
        L.log('T', `woke on e, n=${n}`);
      }
    } finally {
      ++destroyed;
      L.log('T', 'local object destroyed (stack unwound)');
    }
  });
  const hu = sim.thread('top.u', function* () {
    ++uStarts;
    L.log('U', `(re)start #${uStarts}`);
    for (;;) {
      yield ns(10);
      L.log('U', 'tick');
    }
  });
  const hm = sim.method('top.m', () => L.log('M', 'run'), { sensitive: [e], dontInitialize: true });
  sim.thread('top.r', function* () {
    for (;;) {
      yield ht.resetEvent;
      L.log('R', 'T reset_event');
    }
  });
  sim.thread('top.rm', function* () {
    for (;;) {
      yield hm.resetEvent;
      L.log('RM', 'M reset_event');
    }
  });
  sim.thread('top.ctrl', function* () {
    yield ns(5); // 5 ns
    L.log('X', 'e.notify()');
    e.notify();
    yield ns(5); // 10 ns
    L.log('X', 'T.sync_reset_on(); M.sync_reset_on()');
    ht.syncResetOn(); hm.syncResetOn();
    L.log('X', `T starts=${tStarts} (nothing happens at once)`);
    yield ns(5); // 15 ns
    L.log('X', 'e.notify()');
    e.notify();
    yield ns(5); // 20 ns
    L.log('X', 'e.notify(SC_ZERO_TIME)');
    e.notifyDelta();
    yield ns(5); // 25 ns
    L.log('X', 'T.sync_reset_off(); M.sync_reset_off()');
    ht.syncResetOff(); hm.syncResetOff();
    yield ns(5); // 30 ns
    L.log('X', 'e.notify()');
    e.notify();
    yield ns(2); // 32 ns
    L.log('X', 'U.sync_reset_on() twice');
    hu.syncResetOn(); hu.syncResetOn();
    yield ns(20); // 52 ns
    L.log('X', 'U.sync_reset_off() once');
    hu.syncResetOff();
    yield ns(5); // 57 ns
    L.log('X', 'e.notify()');
    e.notify();
    yield ns(8); // 65 ns
    L.log('X', `locals destroyed=${destroyed}`);
  });

  sim.run(ns(70));
  L.main(`end, T starts=${tStarts}, U starts=${uStarts}`);
  return L.finish();
}
