// Port of shared/systemc/semantics/16_signal_bool_edges.cpp
import { InPort, Signal, Simulation, type SimulationOptions } from '../../../src/kernel/index.js';
import { ns } from '../../../src/util/time.js';
import { SemLog } from '../../helpers/semlog.js';

export default function scenario(opts: SimulationOptions): string {
  const sim = new Simulation(opts);
  const L = new SemLog(sim);
  const b = new Signal<boolean>(sim, 'top.b', false);

  // Sink sub-module: sc_in<bool> with methods on in.pos() / in.neg().
  const inp = new InPort<boolean>(sim, 'top.sink.in');
  sim.method('top.sink.on_pos', () => {
    L.log('PP', `port pos: read()=${Number(inp.read())}`);
  }, { sensitive: [inp.pos()], dontInitialize: true });
  sim.method('top.sink.on_neg', () => {
    L.log('PN', `port neg: read()=${Number(inp.read())}`);
  }, { sensitive: [inp.neg()], dontInitialize: true });
  inp.bind(b);

  const show = (who: string, what: string): void => {
    L.log(
      who,
      `${what}: read()=${Number(b.read())} posedge()=${Number(b.posedge())} negedge()=${Number(b.negedge())} event()=${Number(b.event())}`,
    );
  };
  sim.method('top.mp', () => show('MP', 'posedge_event'), { sensitive: [b.posedgeEvent], dontInitialize: true });
  sim.method('top.mn', () => show('MN', 'negedge_event'), { sensitive: [b.negedgeEvent], dontInitialize: true });
  sim.method('top.mv', () => show('MV', 'value_changed_event'), { sensitive: [b.valueChangedEvent], dontInitialize: true });
  sim.thread('top.driver', function* () {
    yield ns(10);
    L.log('D', 'write true');
    b.write(true);
    yield 0;
    show('D', 'one delta later');
    yield 0;
    show('D', 'two deltas later');
    yield ns(10); // 20 ns
    L.log('D', 'write false');
    b.write(false);
    yield ns(10); // 30 ns
    L.log('D', 'write false (no change)');
    b.write(false);
    yield ns(10); // 40 ns
    L.log('D', 'write true then false in one delta');
    b.write(true);
    b.write(false);
    yield ns(10); // 50 ns
    L.log('D', 'write true');
    b.write(true);
  });

  sim.run();
  L.main(`end: b=${Number(b.read())}`);
  return L.finish();
}
