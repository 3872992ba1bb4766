import { describe, expect, it } from 'vitest';
import { Signal, Simulation } from '../../src/kernel/index.js';
import { Rng, ns } from '../../src/util/index.js';

/**
 * Signals nobody listens to commit lazily (no update-list traffic); signals with an event or a
 * reset hook commit in the update phase. Both must be indistinguishable to readers: this runs the
 * same random program against a lazy and an eager signal and compares every observation.
 */
function program(seed: number, eager: boolean): string[] {
  const sim = new Simulation();
  const s = new Signal(sim, 'top.s', 0, { writerPolicy: 'unchecked' });
  if (eager) void s.valueChangedEvent; // someone may listen: updates go through the update phase
  const obs: string[] = [];
  const rng = new Rng(seed);
  const look = (who: string): void => {
    obs.push(`${sim.now}/${sim.deltaCount} ${who} read=${s.read()} event=${Number(s.event())} pending=${Number(sim.pendingActivityAtCurrentTime())}`);
  };
  for (const who of ['a', 'b']) {
    sim.thread(`top.${who}`, function* () {
      for (let k = 0; k < 40; k++) {
        const op = rng.int(5);
        if (op === 0) s.write(rng.int(3));
        else if (op === 1) {
          s.write(rng.int(3));
          s.write(rng.int(3));
        } else if (op === 2) look(who);
        if (rng.int(3) === 0) yield 0;
        else if (rng.int(2) === 0) yield ns(1 + rng.int(3));
        look(who);
      }
    });
  }
  sim.run(ns(20));
  obs.push(`main read=${s.read()}`);
  s.write(7);
  obs.push(`main after write read=${s.read()} pending=${Number(sim.pendingActivityAtCurrentTime())}`);
  sim.run(0);
  obs.push(`main after run(0) read=${s.read()} event=${Number(s.event())}`);
  sim.run();
  return obs;
}

describe('lazy and eager signal commits are indistinguishable', () => {
  for (let seed = 1; seed <= 30; seed++) {
    it(`random program ${seed}`, () => {
      const lazy = program(seed, false);
      expect(lazy.length).toBeGreaterThan(40);
      expect(lazy).toEqual(program(seed, true));
    });
  }

  it('event() stays true after writing again in the delta that sees the change', () => {
    for (const eager of [false, true]) {
      const sim = new Simulation();
      const s = new Signal(sim, 's', 0);
      if (eager) void s.valueChangedEvent;
      const seen: string[] = [];
      sim.thread('t', function* () {
        s.write(1);
        yield 0;
        seen.push(`${s.read()} ${s.event()}`);
        s.write(2);
        seen.push(`${s.read()} ${s.event()}`);
        yield 0;
        seen.push(`${s.read()} ${s.event()}`);
        yield 0;
        seen.push(`${s.read()} ${s.event()}`);
      });
      sim.run();
      expect(seen).toEqual(['1 true', '1 true', '2 true', '2 false']);
    }
  });

  it('a listener added while a write is outstanding still sees it', () => {
    const sim = new Simulation();
    const s = new Signal(sim, 's', 0);
    const log: string[] = [];
    sim.thread('w', function* () {
      s.write(5);
      sim.method('late', () => void log.push(`late saw ${s.read()} at ${sim.now}`), { sensitive: [s.valueChangedEvent], dontInitialize: true });
      yield ns(1);
    });
    sim.run();
    expect(log).toEqual(['late saw 5 at 0']);
  });
});
