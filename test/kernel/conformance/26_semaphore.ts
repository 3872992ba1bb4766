// Port of shared/systemc/semantics/26_semaphore.cpp
import { Semaphore, Simulation, type SimulationOptions } from '../../../src/kernel/index.js';
import { ns } from '../../../src/util/time.js';
import { SemLog } from '../../helpers/semlog.js';

export default function scenario(opts: SimulationOptions): string {
  const sim = new Simulation(opts);
  const L = new SemLog(sim);
  const sem = new Semaphore(sim, 'top.sem', 2);

  // sc_semaphore::wait() and post() always return 0; trywait() returns 0 or -1.
  sim.thread('top.t1', function* () {
    yield* sem.wait();
    L.log('T1', `wait() -> ${0}`);
    yield ns(10);
    sem.post();
    L.log('T1', `post() -> ${0}`);
    yield ns(10); // 20 ns
    const r = sem.tryWait() ? 0 : -1;
    L.log('T1', `trywait() -> ${r} value=${sem.value}`);
    yield ns(10); // 30 ns
    sem.post();
    sem.post();
    sem.post();
    L.log('T1', `3 posts, value=${sem.value}`);
  });
  sim.thread('top.t2', function* () {
    yield ns(1);
    yield* sem.wait();
    L.log('T2', `wait() -> ${0} value=${sem.value}`);
  });
  sim.thread('top.t3', function* () {
    yield ns(2);
    L.log('T3', `wait() ... value=${sem.value}`);
    yield* sem.wait();
    L.log('T3', `wait() acquired, value=${sem.value}`);
  });

  sim.run();
  L.main(`end value=${sem.value}`);
  return L.finish();
}
