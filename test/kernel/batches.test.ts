import { describe, expect, it } from 'vitest';
import { Simulation, type Process, type SimEvent, type SimulationOptions } from '../../src/kernel/index.js';
import { Rng, ns, ps, type Time } from '../../src/util/index.js';

/**
 * Static-sensitivity batches (an event with several static methods queues its list once) must
 * be indistinguishable from queueing each method. Random models with fan-out, delta and timed
 * notifications, next_trigger and every process-control call run both ways; the logs (sorted
 * per delta, as the conformance suite does) must be equal.
 *
 * The models are race-free by construction, so that a correct kernel gives one answer whatever
 * the order inside an evaluation phase (IEEE 1666 leaves it open): methods only use delta and
 * timed notifications aligned to whole nanoseconds, and the controller acts alone, on
 * half-nanosecond times, with immediate notifications and process control.
 */
function model(seed: number, opts: SimulationOptions): string[] {
  const sim = new Simulation(opts);
  const rng = new Rng(seed);
  const E = 5;
  const events: SimEvent[] = [];
  for (let i = 0; i < E; i++) events.push(sim.event(`e${i}`));
  const log: string[] = [];
  const say = (who: string, what: string): void => void log.push(`${sim.now}/${sim.deltaCount} ${who} ${what}`);
  const pick = (): SimEvent => events[rng.int(E)]!;
  /** A delay that lands on a whole nanosecond, 1..k ns ahead. */
  const aligned = (r: Rng, k: number): Time => ns(1 + r.int(k)) - (sim.now % ns(1));
  const methods: Process[] = [];
  for (let m = 0; m < 8; m++) {
    const sens = [pick(), pick(), pick()];
    const mine = new Rng(seed * 100 + m);
    let runs = 0;
    methods.push(
      sim.method(
        `m${m}`,
        (self) => {
          runs++;
          say(self.path, `run ${runs}`);
          if (runs > 30) return;
          const r = mine.int(8);
          if (r <= 1) events[mine.int(E)]!.notifyDelta();
          else if (r === 2) events[mine.int(E)]!.notifyAfter(aligned(mine, 3));
          else if (r === 3) self.nextTrigger(events[mine.int(E)]!);
          else if (r === 4) self.nextTrigger(aligned(mine, 2));
        },
        { sensitive: sens, dontInitialize: mine.int(2) === 0 },
      ),
    );
  }
  sim.thread('ctl', function* () {
    yield ps(500);
    for (let k = 0; k < 60; k++) {
      const r = rng.int(11);
      const p = methods[rng.int(methods.length)]!;
      if (r <= 1) pick().notify();
      else if (r === 2) pick().notifyDelta();
      else if (r === 3) p.suspend();
      else if (r === 4) p.resume();
      else if (r === 5) p.disable();
      else if (r === 6) p.enable();
      else if (r === 7 && rng.int(4) === 0) p.kill();
      else if (r === 8) p.reset();
      else if (r === 9) sim.method(`spawn${k}`, () => say(`spawn${k}`, 'run'), { sensitive: [pick()], dontInitialize: rng.int(2) === 0 });
      say('ctl', `step ${k} op ${r} on ${p.path} pending=${Number(sim.pendingActivityAtCurrentTime())}`);
      yield ns(1 + rng.int(3));
    }
  });
  try {
    sim.run(ns(200));
  } catch (e) {
    log.push(`error ${(e as Error).message}`);
  }
  // Sort within each (time, delta) group: the order inside one evaluation phase is unspecified.
  const groups = new Map<string, string[]>();
  for (const l of log) {
    const key = l.slice(0, l.indexOf(' '));
    groups.set(key, [...(groups.get(key) ?? []), l]);
  }
  return [...groups.values()].map((g) => g.sort().join('\n'));
}

describe('static-sensitivity batches are indistinguishable from one-by-one queueing', () => {
  for (let seed = 1; seed <= 40; seed++) {
    it(`random model ${seed}`, () => {
      const batched = model(seed, {});
      expect(batched.length, batched.join('\n')).toBeGreaterThan(20);
      expect(batched).toEqual(model(seed, { noStaticBatches: true }));
      // ...and neither depends on the order inside an evaluation phase.
      expect(model(seed, { shuffleSeed: seed })).toEqual(batched);
    });
  }
});

describe('process control between a trigger and the run of a batched method', () => {
  type Op = 'disable' | 'suspend' | 'suspend+resume' | 'kill' | 'reset' | 'enable' | 'spawn' | 'none';
  const ops: Op[] = ['none', 'disable', 'suspend', 'suspend+resume', 'kill', 'reset', 'enable', 'spawn'];
  function run(op: Op, opts: SimulationOptions): string[] {
    const sim = new Simulation(opts);
    const e = sim.event('e');
    const log: string[] = [];
    const m1 = sim.method('m1', () => void log.push(`m1@${sim.now}/${sim.deltaCount}`), { sensitive: [e], dontInitialize: true });
    sim.method('m2', () => void log.push(`m2@${sim.now}/${sim.deltaCount}`), { sensitive: [e], dontInitialize: true });
    if (op === 'enable') m1.disable();
    sim.thread('t', function* () {
      yield ns(1);
      e.notify(); // m1 and m2 become runnable in this evaluation phase, after t
      if (op === 'disable') m1.disable();
      if (op === 'suspend' || op === 'suspend+resume') m1.suspend();
      if (op === 'suspend+resume') m1.resume();
      if (op === 'kill') m1.kill();
      if (op === 'reset') m1.reset();
      if (op === 'enable') m1.enable();
      if (op === 'spawn') sim.method('m3', () => void log.push(`m3@${sim.now}/${sim.deltaCount}`), { sensitive: [e], dontInitialize: true });
      yield ns(1);
      if (op === 'suspend') m1.resume();
      e.notify();
    });
    sim.run();
    return log.sort();
  }
  for (const op of ops) {
    it(op, () => {
      const batched = run(op, {});
      expect(batched).toEqual(run(op, { noStaticBatches: true }));
      expect(batched.length).toBeGreaterThan(0);
    });
  }
  it('reference values', () => {
    // disable after the trigger: still runs (it was runnable); suspend: runs at resume
    expect(run('disable', {})).toEqual(['m1@1000/1', 'm2@1000/1', 'm2@2000/2']);
    expect(run('suspend', {})).toEqual(['m1@2000/2', 'm2@1000/1', 'm2@2000/2']);
    expect(run('enable', {})).toEqual(['m1@2000/2', 'm2@1000/1', 'm2@2000/2']);
    expect(run('spawn', {})).toEqual(['m1@1000/1', 'm1@2000/2', 'm2@1000/1', 'm2@2000/2', 'm3@2000/2']);
  });
});
