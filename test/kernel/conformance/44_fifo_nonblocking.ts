// Port of test/fixtures/systemc-extra/44_fifo_nonblocking.cpp
import { Fifo, Simulation, type SimulationOptions } from '../../../src/kernel/index.js';
import { ns } from '../../../src/util/time.js';
import { SemLog } from '../../helpers/semlog.js';

export default function scenario(opts: SimulationOptions): string {
  const sim = new Simulation(opts);
  const L = new SemLog(sim);
  const f = new Fifo<number>(sim, 'top.f', 3);
  const kick = sim.event('top.kick');
  let mwRuns = 0;
  let mrRuns = 0;

  sim.thread('top.producer', function* () {
    yield ns(10);
    let i = 1;
    while (i <= 7) {
      const ok = f.nbWrite(i);
      if (ok) {
        L.log('P', `nb_write(${i})=1, num_free()=${f.numFree}`);
        ++i;
      } else {
        L.log('P', `nb_write(${i})=0, num_free()=${f.numFree}; wait(data_read_event)`);
        yield f.dataReadEvent;
      }
    }
    L.log('P', 'done');
    yield ns(30); // about 40 ns
    L.log('P', 'kick.notify()');
    kick.notify();
  });
  sim.thread('top.consumer', function* () {
    yield ns(10);
    let got = 0;
    while (got < 8) {
      // C++ nb_read(v) returns false and leaves v unchanged (-1) when nothing is readable.
      const r = f.nbRead();
      const ok = r !== undefined;
      const v = r ?? -1;
      if (ok) {
        ++got;
        L.log('C', `nb_read()=1 value ${v}, num_available()=${f.numAvailable}`);
      } else {
        L.log('C', `nb_read()=0 value ${v}, num_available()=${f.numAvailable}; wait(data_written_event)`);
        yield f.dataWrittenEvent;
      }
    }
    L.log('C', 'read 8 items');
    yield f.dataWrittenEvent;
    for (let v = f.nbRead(); v !== undefined; v = f.nbRead()) L.log('C', `nb_read() value ${v}`);
    L.log('C', `num_available()=${f.numAvailable}`);
  });
  sim.method('top.mw', () => {
    ++mwRuns;
    L.log('MW', `data_written_event #${mwRuns}`);
  }, { sensitive: [f.dataWrittenEvent], dontInitialize: true });
  sim.method('top.mr', () => {
    ++mrRuns;
    L.log('MR', `data_read_event #${mrRuns}`);
  }, { sensitive: [f.dataReadEvent], dontInitialize: true });
  sim.method('top.mp', () => {
    const a = f.nbWrite(20);
    const b = f.nbWrite(21);
    L.log('MP', `nb_write(20)=${Number(a)} nb_write(21)=${Number(b)} num_free()=${f.numFree} num_available()=${f.numAvailable}`);
  }, { sensitive: [kick], dontInitialize: true });

  const ok = f.nbWrite(100);
  L.main(`before sc_start: nb_write(100)=${Number(ok)} num_available()=${f.numAvailable} num_free()=${f.numFree}`);
  sim.run();
  L.main(`end: num_available()=${f.numAvailable} num_free()=${f.numFree} MW=${mwRuns} MR=${mrRuns}`);
  return L.finish();
}
