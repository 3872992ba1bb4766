// Port of test/fixtures/systemc-extra/43_signal_writers.cpp
import { Signal, Simulation, type SimulationOptions } from '../../../src/kernel/index.js';
import { ns } from '../../../src/util/time.js';
import { SemLog } from '../../helpers/semlog.js';

export default function scenario(opts: SimulationOptions): string {
  const sim = new Simulation(opts);
  const L = new SemLog(sim);
  const sm = new Signal<number>(sim, 'top.sm', 0, { writerPolicy: 'many' });
  const so = new Signal<number>(sim, 'top.so', 0);
  const su = new Signal<number>(sim, 'top.su', 0, { writerPolicy: 'unchecked' });

  sim.thread('top.p1', function* () {
    L.log('P1', `init: sm=${sm.read()} so=${so.read()}`);
    yield ns(10); // 10 ns
    L.log('P1', 'sm.write(1); so.write(1)');
    sm.write(1); so.write(1);
    yield ns(20); // 30 ns
    L.log('P1', 'sm.write(3)');
    sm.write(3);
    yield ns(10); // 40 ns
    L.log('P1', 'sm.write(5); sm.write(6)  (same process, same delta: last wins)');
    sm.write(5); sm.write(6);
    yield ns(10); // 50 ns
    L.log('P1', 'su.write(7)');
    su.write(7);
    yield ns(20); // 70 ns
    L.log('P1', `so=${so.read()}; so.write(11)`);
    so.write(11);
    yield ns(10); // 80 ns
    L.log('P1', 'sm.write(8)');
    sm.write(8);
  });
  sim.thread('top.p2', function* () {
    yield ns(20); // 20 ns
    L.log('P2', `sm=${sm.read()}; sm.write(2)`);
    sm.write(2);
    yield ns(10); // 30 ns
    yield 0; // one delta after P1's write
    L.log('P2', `sm=${sm.read()}; sm.write(4)`);
    sm.write(4);
    yield ns(20); // 50 ns
    L.log('P2', `su=${su.read()}`);
    yield 0;
    L.log('P2', `su=${su.read()}`);
    yield ns(30); // 80 ns
    yield 0; // one delta after P1's write
    L.log('P2', `sm=${sm.read()}; sm.write(8)  (same value, no event)`);
    sm.write(8);
  });
  sim.thread('top.p3', function* () {
    yield ns(50);
    L.log('P3', "su.write(7)  (same delta as P1's write of the same value)");
    su.write(7);
  });
  sim.method('top.mm', () => L.log('MM', `sm=${sm.read()}`), { sensitive: [sm.valueChangedEvent], dontInitialize: true });
  sim.method('top.mo', () => L.log('MO', `so=${so.read()}`), { sensitive: [so.valueChangedEvent], dontInitialize: true });
  sim.method('top.mu', () => L.log('MU', `su=${su.read()}`), { sensitive: [su.valueChangedEvent], dontInitialize: true });

  L.main('before sc_start: so.write(5); sm.write(6)');
  so.write(5);
  sm.write(6);
  sim.run(ns(15));
  L.main(`so=${so.read()} sm=${sm.read()}; so.write(9); sm.write(9)`);
  so.write(9);
  sm.write(9);
  sim.run(ns(45));
  L.main(`so=${so.read()} sm=${sm.read()}; so.write(10)`);
  so.write(10);
  sim.run();
  L.main(`end: so=${so.read()} sm=${sm.read()} su=${su.read()}`);
  return L.finish();
}
