// Port of shared/systemc/semantics/19_fifo_blocking.cpp
import { Fifo, Simulation, type SimulationOptions } from '../../../src/kernel/index.js';
import { ns } from '../../../src/util/time.js';
import { SemLog } from '../../helpers/semlog.js';

export default function scenario(opts: SimulationOptions): string {
  const sim = new Simulation(opts);
  const L = new SemLog(sim);
  const f = new Fifo<number>(sim, 'top.f', 2);

  sim.thread('top.producer', function* () {
    for (let i = 1; i <= 5; ++i) {
      L.log('P', `write(${i}) ...`);
      yield* f.write(i);
      L.log('P', `write(${i}) done`);
    }
    yield ns(20);
    L.log('P', 'write(6) after the consumer is already blocked');
    yield* f.write(6);
  });
  sim.thread('top.consumer', function* () {
    yield ns(10);
    for (let i = 0; i < 6; ++i) {
      L.log('C', 'read() ...');
      const v = yield* f.read();
      L.log('C', `read() -> ${v}`);
      if (i < 4) yield ns(3);
    }
  });

  sim.run();
  L.main('end');
  return L.finish();
}
