// Port of shared/systemc/semantics/25_mutex.cpp
import { Mutex, Simulation, type SimulationOptions } from '../../../src/kernel/index.js';
import { ns } from '../../../src/util/time.js';
import { SemLog } from '../../helpers/semlog.js';

/** SystemC's int return codes: 0 on success, -1 on failure. */
const rc = (ok: boolean): number => (ok ? 0 : -1);

export default function scenario(opts: SimulationOptions): string {
  const sim = new Simulation(opts);
  const L = new SemLog(sim);
  const mtx = new Mutex(sim, 'top.mtx');

  // sc_mutex::lock() always returns 0 (it blocks until it succeeds).
  sim.thread('top.a', function* () {
    yield* mtx.lock();
    L.log('A', `lock() -> ${0}`);
    yield ns(10); // 10 ns
    L.log('A', `unlock() -> ${rc(mtx.unlock())}, then lock() again at once`);
    yield* mtx.lock();
    L.log('A', `lock() -> ${0}`);
    yield ns(10); // 20 ns
    L.log('A', `unlock() -> ${rc(mtx.unlock())}`);
    yield ns(1); // 21 ns
    L.log('A', `unlock() as non-owner -> ${rc(mtx.unlock())}`);
  });
  sim.thread('top.b', function* () {
    yield ns(5);
    L.log('B', 'lock() ...');
    yield* mtx.lock();
    L.log('B', 'lock() acquired');
    yield ns(10); // 30 ns
    L.log('B', `unlock() -> ${rc(mtx.unlock())}`);
  });
  sim.thread('top.c', function* () {
    yield ns(22);
    L.log('C', `trylock() -> ${rc(mtx.tryLock())}`);
    yield ns(10); // 32 ns
    L.log('C', `trylock() -> ${rc(mtx.tryLock())}`);
    L.log('C', `unlock() -> ${rc(mtx.unlock())}`);
  });

  sim.run();
  L.main('end');
  return L.finish();
}
