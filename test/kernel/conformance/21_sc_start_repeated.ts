// Port of shared/systemc/semantics/21_sc_start_repeated.cpp
import { Signal, Simulation, type SimulationOptions } from '../../../src/kernel/index.js';
import { formatTime, ns } from '../../../src/util/time.js';
import { SemLog } from '../../helpers/semlog.js';

export default function scenario(opts: SimulationOptions): string {
  const sim = new Simulation(opts);
  const L = new SemLog(sim);
  const sig = new Signal<number>(sim, 'top.sig', 0);
  const ext = new Signal<number>(sim, 'top.ext', 0); // written only by main

  sim.thread('top.ticker', function* () {
    for (let i = 1; i <= 6; ++i) {
      L.log('T', `tick ${i}, sig.write(${i})`);
      sig.write(i);
      yield ns(10);
    }
    L.log('T', 'done');
  });
  sim.method('top.mon', () => L.log('M', `sig=${sig.read()}`), { sensitive: [sig.valueChangedEvent], dontInitialize: true });
  sim.method('top.mx', () => L.log('X', `ext=${ext.read()}`), { sensitive: [ext.valueChangedEvent], dontInitialize: true });

  const status = (after: string): void => {
    L.main(
      `after ${after}: sig=${sig.read()} pending_now=${Number(sim.pendingActivityAtCurrentTime())} time_to_pending=${
        sim.pendingActivity() ? formatTime(sim.timeToPendingActivity()) : 'none'
      }`,
    );
  };

  sim.run(ns(10));
  status('sc_start(10 ns)');
  sim.run(0);
  status('sc_start(SC_ZERO_TIME)');
  sim.run(0);
  status('sc_start(SC_ZERO_TIME)');
  sim.run(ns(15));
  status('sc_start(15 ns)');
  L.main('ext.write(100)');
  ext.write(100);
  sim.run(ns(5));
  status('sc_start(5 ns)');
  sim.run();
  status('sc_start()');
  sim.run(ns(100));
  status('sc_start(100 ns)');
  sim.run(ns(100), 'exit-on-starvation');
  status('sc_start(100 ns, SC_EXIT_ON_STARVATION)');
  return L.finish();
}
