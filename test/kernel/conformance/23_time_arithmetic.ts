// Port of shared/systemc/semantics/23_time_arithmetic.cpp
import { Simulation, type SimulationOptions } from '../../../src/kernel/index.js';
import {
  DEFAULT_TIME_UNIT,
  TIME_RESOLUTION,
  ZERO_TIME,
  addTime,
  divTime,
  formatTime,
  fromValue,
  modTime,
  ns,
  ps,
  scaleTime,
  subTime,
  time,
  timeRatio,
  toDefaultTimeUnits,
  toSeconds,
  type Time,
} from '../../../src/util/time.js';
import { SemLog, formatG } from '../../helpers/semlog.js';

/** SystemC's sc_max_time() (2^64 - 1 ps). edgesim's MAX_TIME is 2^53 - 1 ps (documented deviation). */
const SYSTEMC_MAX_TIME = 2n ** 64n - 1n;

export default function scenario(opts: SimulationOptions): string {
  const sim = new Simulation(opts);
  const L = new SemLog(sim);
  const show = (expr: string, t: Time | bigint): void => {
    L.main(`${expr} = ${formatTime(t)} (value ${t})`);
  };

  show('sc_get_time_resolution()', TIME_RESOLUTION);
  show('sc_get_default_time_unit()', DEFAULT_TIME_UNIT);
  show('SC_ZERO_TIME', ZERO_TIME);
  show('sc_time(1, SC_NS) + sc_time(500, SC_PS)', addTime(time(1, 'ns'), time(500, 'ps')));
  show('sc_time(2, SC_US) - sc_time(1, SC_NS)', subTime(time(2, 'us'), time(1, 'ns')));
  show('sc_time(10, SC_NS) * 2.5', scaleTime(ns(10), 2.5));
  show('3 * sc_time(7, SC_PS)', scaleTime(ps(7), 3));
  show('sc_time(10, SC_NS) / 4', divTime(ns(10), 4));
  show('sc_time(10, SC_NS) / 3', divTime(ns(10), 3));
  show('sc_time(10, SC_NS) % sc_time(3, SC_NS)', modTime(ns(10), ns(3)));
  L.main(`sc_time(10, SC_NS) / sc_time(4, SC_NS) = ${formatG(timeRatio(ns(10), ns(4)))}`);
  show('sc_time(1.4, SC_PS)', time(1.4, 'ps'));
  show('sc_time(1.5, SC_PS)', time(1.5, 'ps'));
  show('sc_time(0.4, SC_PS)', time(0.4, 'ps'));
  show('sc_time(499, SC_FS)', time(499, 'fs'));
  show('sc_time(500, SC_FS)', time(500, 'fs'));
  show('sc_time(0.3, SC_NS)', time(0.3, 'ns'));
  show('sc_time(0.1, SC_NS) * 3', scaleTime(time(0.1, 'ns'), 3));
  show('sc_time(1234567, SC_PS)', time(1234567, 'ps'));
  show('sc_time(1500, SC_NS)', time(1500, 'ns'));
  show('sc_time(2000, SC_NS)', time(2000, 'ns'));
  show('sc_time(100, SC_MS)', time(100, 'ms'));
  show('sc_time(1, SC_SEC)', time(1, 's'));
  show('sc_time(60, SC_SEC)', time(60, 's'));
  show('sc_time(1000, SC_SEC)', time(1000, 's'));
  L.main(`sc_time(1.5, SC_US).to_seconds() = ${formatG(toSeconds(time(1.5, 'us')), 9)}`);
  L.main(`sc_time(1500, SC_PS).to_default_time_units() = ${formatG(toDefaultTimeUnits(time(1500, 'ps')))}`);
  L.main(`sc_time(1500, SC_PS).to_double() = ${formatG(time(1500, 'ps'))}`);
  L.main(`sc_time(1000, SC_PS) == sc_time(1, SC_NS) -> ${Number(time(1000, 'ps') === time(1, 'ns'))}`);
  L.main(`sc_time(999, SC_PS) < sc_time(1, SC_NS) -> ${Number(time(999, 'ps') < time(1, 'ns'))}`);
  L.main(`sc_time(1, SC_US) >= sc_time(1000, SC_NS) -> ${Number(time(1, 'us') >= time(1000, 'ns'))}`);
  show('sc_max_time()', SYSTEMC_MAX_TIME);
  show('sc_time::from_value(42)', fromValue(42));
  return L.finish();
}
