import { describe, expect, it } from 'vitest';
import { Clock, Signal, Simulation, type SimEvent } from '../../src/kernel/index.js';
import { Rng, ns, ps, scaleTime, type Time } from '../../src/util/index.js';

/**
 * edgesim's Clock performs the edges directly from the timed queue. SystemC drives sc_clock with
 * two internal method processes; this builds that structure from the public API (events, two
 * methods, a signal) and checks that both clocks give the same observations, with the same delta
 * counts, under random periods, duty cycles, start times, first edges and run lengths.
 */
interface ClockLike {
  read(): boolean;
  readonly posedgeEvent: SimEvent;
  readonly negedgeEvent: SimEvent;
  readonly valueChangedEvent: SimEvent;
  posedge(): boolean;
}

function referenceClock(sim: Simulation, path: string, period: Time, duty: number, start: Time, posFirst: boolean): ClockLike {
  const sig = new Signal<boolean>(sim, path, !posFirst, { writerPolicy: 'unchecked' }); // two internal writers, as sc_clock
  const high = scaleTime(period, duty);
  const low = period - high;
  const nextPos = sim.event(`${path}.np`);
  const nextNeg = sim.event(`${path}.nn`);
  sim.method(`${path}.pos`, () => {
    nextNeg.notifyAfter(high);
    sig.write(true);
  }, { sensitive: [nextPos], dontInitialize: true });
  sim.method(`${path}.neg`, () => {
    nextPos.notifyAfter(low);
    sig.write(false);
  }, { sensitive: [nextNeg], dontInitialize: true });
  (posFirst ? nextPos : nextNeg).notifyAfter(start);
  return sig;
}

function scenario(seed: number, native: boolean): string[] {
  const rng = new Rng(seed);
  const sim = new Simulation();
  const log: string[] = [];
  const clocks: ClockLike[] = [];
  for (let c = 0; c < 2; c++) {
    const period = ns(2 + rng.int(9));
    const duty = [0.25, 0.5, 0.3, 0.75][rng.int(4)]!;
    const start = rng.int(2) === 0 ? 0 : ps(rng.int(4000));
    const posFirst = rng.int(2) === 0;
    clocks.push(native ? new Clock(sim, `clk${c}`, { period, dutyCycle: duty, startTime: start, posedgeFirst: posFirst }) : referenceClock(sim, `clk${c}`, period, duty, start, posFirst));
  }
  const see = (who: string, c: ClockLike): void => void log.push(`${sim.now}/${sim.deltaCount} ${who} v=${Number(c.read())} pos=${Number(c.posedge())}`);
  clocks.forEach((c, i) => {
    sim.method(`onpos${i}`, () => see(`pos${i}`, c), { sensitive: [c.posedgeEvent], dontInitialize: true });
    sim.method(`onneg${i}`, () => see(`neg${i}`, c), { sensitive: [c.negedgeEvent], dontInitialize: true });
    sim.thread(`poll${i}`, function* () {
      for (;;) {
        see(`poll${i}`, c);
        yield ps(700 + rng.int(3000));
      }
    });
  });
  const runs = 1 + rng.int(4);
  for (let r = 0; r < runs; r++) {
    sim.run(ns(5 + rng.int(30)));
    log.push(`main ${sim.now}/${sim.deltaCount} pending=${Number(sim.pendingActivityAtCurrentTime())} ${clocks.map((c) => Number(c.read())).join('')}`);
  }
  const groups = new Map<string, string[]>();
  for (const l of log) {
    const key = l.startsWith('main') ? l : l.slice(0, l.indexOf(' '));
    groups.set(key, [...(groups.get(key) ?? []), l]);
  }
  return [...groups.values()].map((g) => g.sort().join('\n'));
}

describe('Clock matches a clock built from two method processes, as in SystemC', () => {
  for (let seed = 1; seed <= 40; seed++) {
    it(`random clocks ${seed}`, () => {
      const native = scenario(seed, true);
      expect(native.length).toBeGreaterThan(4);
      expect(native).toEqual(scenario(seed, false));
    });
  }
});
