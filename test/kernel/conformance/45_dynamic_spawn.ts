// Port of test/fixtures/systemc-extra/45_dynamic_spawn.cpp
// sc_spawn during simulation = sim.thread()/sim.method() called while the simulation runs.
import { Simulation, type Process, type SimulationOptions } from '../../../src/kernel/index.js';
import { ns } from '../../../src/util/time.js';
import { SemLog } from '../../helpers/semlog.js';

export default function scenario(opts: SimulationOptions): string {
  const sim = new Simulation(opts);
  const L = new SemLog(sim);
  const ev = sim.event('top.ev');
  const mev = sim.event('top.mev');
  const spawnEv = sim.event('top.spawn_ev');
  let m1Runs = 0;
  let m2Runs = 0;
  let c2Runs = 0;

  sim.method('top.ms', () => {
    L.log('MS', 'spawn C3');
    sim.thread('top.ms.c3', function* () {
      L.log('C3', 'started (spawned by method MS)');
      yield ns(1);
      L.log('C3', 'returns');
    });
  }, { sensitive: [spawnEv], dontInitialize: true });

  sim.thread('top.parent', function* () {
    L.log('PT', 'spawn C0 at initialization');
    sim.thread('top.parent.c0', function* () {
      L.log('C0', 'started (spawned in the initialization phase)');
    });
    yield ns(10); // 10 ns
    L.log('PT', 'spawn C1');
    const h1 = sim.thread('top.parent.c1', function* () {
      L.log('C1', 'started; wait(5 ns)');
      yield ns(5);
      L.log('C1', 'returns');
    });
    L.log('PT', `C1 terminated=${Number(h1.terminated)}; wait(C1.terminated_event())`);
    yield h1.terminatedEvent;
    L.log('PT', `C1 terminated=${Number(h1.terminated)}`);
    yield ns(5); // 20 ns
    L.log('PT', 'spawn C2 (dont_initialize, sensitive to ev)');
    sim.thread('top.parent.c2', function* () {
      for (;;) {
        ++c2Runs;
        L.log('C2', `run #${c2Runs} (dont_initialize, static ev)`);
        yield;
      }
    }, { dontInitialize: true, sensitive: [ev] });
    yield ns(5); // 25 ns
    L.log('PT', 'ev.notify()');
    ev.notify();
    yield ns(5); // 30 ns
    L.log('PT', 'ev.notify(SC_ZERO_TIME); spawn method M1');
    ev.notifyDelta();
    sim.method('top.parent.m1', (self) => {
      ++m1Runs;
      L.log('M1', `run #${m1Runs}`);
      if (m1Runs === 1) self.nextTrigger(ns(5));
    });
    yield ns(10); // 40 ns
    L.log('PT', 'spawn method M2 (dont_initialize, sensitive to mev); mev.notify(SC_ZERO_TIME)');
    const hm2: Process = sim.method('top.parent.m2', () => {
      ++m2Runs;
      L.log('M2', `run #${m2Runs} (dont_initialize, static mev)`);
    }, { dontInitialize: true, sensitive: [mev] });
    mev.notifyDelta();
    yield ns(10); // 50 ns
    L.log('PT', 'spawn_ev.notify()');
    spawnEv.notify();
    yield ns(10); // 60 ns
    L.log('PT', 'kill M2; mev.notify()');
    hm2.kill();
    mev.notify();
    L.log('PT', `M2 terminated=${Number(hm2.terminated)}`);
    yield ns(10); // 70 ns
    L.log('PT', 'spawn C4');
    sim.thread('top.parent.c4', function* () {
      L.log('C4', 'started; spawns C5 and waits for it');
      const h5 = sim.thread('top.parent.c4.c5', function* () {
        L.log('C5', 'started (spawned by C4)');
        yield 0;
        L.log('C5', 'returns');
      });
      yield h5.terminatedEvent;
      L.log('C4', `C5 terminated=${Number(h5.terminated)}`);
    });
  });

  sim.run();
  L.main(`end: M1 ran ${m1Runs}, M2 ran ${m2Runs}, C2 ran ${c2Runs} times`);
  return L.finish();
}
