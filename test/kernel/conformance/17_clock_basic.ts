// Port of shared/systemc/semantics/17_clock_basic.cpp
import { Clock, InPort, Simulation, type SimulationOptions } from '../../../src/kernel/index.js';
import { formatTime, ns } from '../../../src/util/time.js';
import { SemLog } from '../../helpers/semlog.js';

export default function scenario(opts: SimulationOptions): string {
  const sim = new Simulation(opts);
  const L = new SemLog(sim);
  const clk = new Clock(sim, 'clk', { period: ns(10) });

  // Top: sc_in<bool> clk, methods on clk.pos() / clk.neg(), thread T.
  const inClk = new InPort<boolean>(sim, 'top.clk');
  let rises = 0;
  sim.method('top.pos', () => {
    ++rises;
    L.log('P', `posedge #${rises} clk=${Number(inClk.read())}`);
  }, { sensitive: [inClk.pos()], dontInitialize: true });
  sim.method('top.neg', () => {
    L.log('N', `negedge clk=${Number(inClk.read())}`);
  }, { sensitive: [inClk.neg()], dontInitialize: true });
  sim.thread('top.th', function* () {
    L.log('T', `init: clk=${Number(inClk.read())}`);
    yield inClk.posedgeEvent;
    L.log('T', `first posedge seen by a thread, clk=${Number(inClk.read())}`);
  });
  inClk.bind(clk);

  L.main(
    `period=${formatTime(clk.period)} duty=${clk.dutyCycle.toFixed(2)} start=${formatTime(clk.startTime)} posedge_first=${Number(clk.posedgeFirst)} value=${Number(clk.read())}`,
  );
  sim.run(ns(50));
  L.main(`after sc_start(50 ns): rises=${rises} clk=${Number(clk.read())}`);
  sim.run(ns(1));
  L.main(`after sc_start(1 ns): rises=${rises} clk=${Number(clk.read())}`);
  return L.finish();
}
