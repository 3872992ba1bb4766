// Port of shared/systemc/semantics/18_clock_params.cpp
import { Clock, InPort, Simulation, type SimulationOptions } from '../../../src/kernel/index.js';
import { formatTime, ns } from '../../../src/util/time.js';
import { SemLog } from '../../helpers/semlog.js';

export default function scenario(opts: SimulationOptions): string {
  const sim = new Simulation(opts);
  const L = new SemLog(sim);
  const clkA = new Clock(sim, 'clk_a', { period: ns(10), dutyCycle: 0.3, startTime: ns(5), posedgeFirst: false });
  const clkB = new Clock(sim, 'clk_b', { period: ns(4), dutyCycle: 0.25, startTime: ns(2), posedgeFirst: true });

  // Mon module: sc_in<bool> clk; method on both edges (value changed), runs at init.
  const mon = (name: string, tag: string): InPort<boolean> => {
    const clk = new InPort<boolean>(sim, `${name}.clk`);
    sim.method(`${name}.edge`, () => {
      L.log(tag, `${clk.posedge() ? 'posedge' : clk.negedge() ? 'negedge' : 'init run'} value=${Number(clk.read())}`);
    }, { sensitive: [clk.valueChanged()] });
    return clk;
  };
  const ma = mon('ma', 'A');
  const mb = mon('mb', 'B');
  ma.bind(clkA);
  mb.bind(clkB);

  for (const [name, c] of [['clk_a', clkA], ['clk_b', clkB]] as const) {
    L.main(
      `${name} period=${formatTime(c.period)} duty=${c.dutyCycle.toFixed(2)} start=${formatTime(c.startTime)} posedge_first=${Number(c.posedgeFirst)}`,
    );
  }
  sim.run(ns(30));
  L.main(`end: clk_a=${Number(clkA.read())} clk_b=${Number(clkB.read())}`);
  return L.finish();
}
