// Port of shared/systemc/semantics/14_signal_update.cpp
import { Signal, Simulation, type SimulationOptions } from '../../../src/kernel/index.js';
import { ns } from '../../../src/util/time.js';
import { SemLog } from '../../helpers/semlog.js';

export default function scenario(opts: SimulationOptions): string {
  const sim = new Simulation(opts);
  const L = new SemLog(sim);
  const sig = new Signal<number>(sim, 'top.sig', 7);
  const quiet = new Signal<number>(sim, 'top.quiet', 3); // initial value only, never written

  sim.method('top.mon', () => {
    L.log('M', `sig changed: read()=${sig.read()} event()=${Number(sig.event())}`);
  }, { sensitive: [sig.valueChangedEvent], dontInitialize: true });
  sim.method('top.mq', () => {
    L.log('Q', 'quiet changed (must not happen)');
  }, { sensitive: [quiet.valueChangedEvent], dontInitialize: true });
  sim.thread('top.writer', function* () {
    L.log('W', `init run: sig.read()=${sig.read()} quiet.read()=${quiet.read()}`);
    yield ns(10);
    sig.write(2);
    L.log('W', `wrote 2, read()=${sig.read()} (old value)`);
    yield 0;
    L.log('W', `one delta later read()=${sig.read()}`);
    yield ns(10); // 20 ns
    sig.write(2);
    L.log('W', 'wrote 2 again (same value)');
    yield 0;
    L.log('W', `one delta later event()=${Number(sig.event())}`);
    yield ns(10); // 30 ns
    sig.write(4);
    L.log('W', 'wrote 4');
  });
  sim.thread('top.reader', function* () {
    for (let i = 0; i < 2; ++i) {
      yield sig.valueChangedEvent;
      L.log('R', `value_changed_event, read()=${sig.read()}`);
    }
  });

  L.main(`before sc_start: sig=${sig.read()}, writing 1`);
  sig.write(1);
  L.main(`after write, before sc_start: sig=${sig.read()}`);
  sim.run();
  L.main(`end: sig=${sig.read()}`);
  return L.finish();
}
