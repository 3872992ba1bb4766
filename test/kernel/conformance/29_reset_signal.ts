// Port of shared/systemc/semantics/29_reset_signal.cpp
import { Clock, InPort, Signal, Simulation, type SimulationOptions } from '../../../src/kernel/index.js';
import { ns } from '../../../src/util/time.js';
import { SemLog } from '../../helpers/semlog.js';

export default function scenario(opts: SimulationOptions): string {
  const sim = new Simulation(opts);
  const L = new SemLog(sim);
  const clkSig = new Clock(sim, 'clk', { period: ns(10) });

  // Top: sc_in<bool> clk; signals rst, arst.
  const clk = new InPort<boolean>(sim, 'top.clk');
  const rst = new Signal<boolean>(sim, 'top.rst', false);
  const arst = new Signal<boolean>(sim, 'top.arst', false);

  sim.thread('top.ts', function* () {
    let n = 0;
    L.log('TS', `(re)start, rst=${Number(rst.read())}`);
    for (;;) {
      yield;
      ++n;
      L.log('TS', `tick ${n}`);
    }
  }, { sensitive: [clk.pos()], resets: [{ signal: rst, active: true, async: false }] });
  sim.thread('top.ta', function* () {
    let n = 0;
    L.log('TA', `(re)start, arst=${Number(arst.read())}`);
    for (;;) {
      yield;
      ++n;
      L.log('TA', `tick ${n}`);
    }
  }, { sensitive: [clk.pos()], resets: [{ signal: arst, active: true, async: true }] });
  sim.method('top.ma', () => {
    L.log('MA', `run, arst=${Number(arst.read())} clk=${Number(clk.read())}`);
  }, { sensitive: [clk.pos()], resets: [{ signal: arst, active: true, async: true }], dontInitialize: true });
  sim.thread('top.driver', function* () {
    yield ns(32);
    L.log('D', 'rst=1');
    rst.write(true);
    yield ns(15); // 47 ns
    L.log('D', 'rst=0');
    rst.write(false);
    yield ns(5); // 52 ns
    L.log('D', 'arst=1');
    arst.write(true);
    yield ns(15); // 67 ns
    L.log('D', 'arst=0');
    arst.write(false);
  });
  clk.bind(clkSig);

  sim.run(ns(85));
  L.main('end');
  return L.finish();
}
