// Port of shared/systemc/semantics/13_initialization.cpp
import { Simulation, type SimulationOptions } from '../../../src/kernel/index.js';
import { ns } from '../../../src/util/time.js';
import { SemLog } from '../../helpers/semlog.js';

export default function scenario(opts: SimulationOptions): string {
  const sim = new Simulation(opts);
  const L = new SemLog(sim);

  // Module constructor (elaboration).
  const elabDelta = sim.event('top.elab_delta');
  const elabTimed = sim.event('top.elab_timed');
  const initDelta = sim.event('top.init_delta');

  sim.method('top.m_init', () => {
    L.log('MI', 'init run; init_delta.notify(SC_ZERO_TIME)');
    initDelta.notifyDelta();
  });
  sim.method('top.m_noinit', () => L.log('MN', 'run (triggered by init_delta)'), { sensitive: [initDelta], dontInitialize: true });
  sim.method('top.m_elab', () => L.log('ME', 'run (elab_delta from elaboration)'), { sensitive: [elabDelta], dontInitialize: true });
  sim.thread('top.t_init', function* () {
    L.log('TI', 'init run, wait(init_delta)');
    yield initDelta;
    L.log('TI', 'woke on init_delta');
  });
  sim.thread('top.t_timed', function* () {
    L.log('TT', 'first run (elab_timed at 7 ns)');
  }, { sensitive: [elabTimed], dontInitialize: true });
  sim.thread('top.t_noinit', function* () {
    L.log('TN', 'first run (init_delta)');
  }, { sensitive: [initDelta], dontInitialize: true });
  elabDelta.notifyDelta(); // issued during elaboration
  elabTimed.notifyAfter(ns(7)); // issued during elaboration

  sim.lifecycle.on('before-end-of-elaboration', () => L.direct('cb', 'before_end_of_elaboration'));
  sim.lifecycle.on('end-of-elaboration', () => L.direct('cb', 'end_of_elaboration'));
  sim.lifecycle.on('start-of-simulation', () => L.direct('cb', 'start_of_simulation'));

  L.main('before sc_start');
  sim.run();
  L.main('end');
  return L.finish();
}
