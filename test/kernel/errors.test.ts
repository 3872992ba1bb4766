import { describe, expect, it } from 'vitest';
import { simError } from '../helpers/sim-error.js';
import { Signal, Simulation } from '../../src/kernel/index.js';
import { ns } from '../../src/util/time.js';

/**
 * SystemC errors of the extra semantics scenarios (test/fixtures/systemc-extra/43_*): these abort
 * a SystemC run, so they are checked here instead of in a golden. edgesim must throw a SimError
 * with a stable code that names both processes, the signal and the time.
 */


describe('signal writer policies (SystemC E115 "sc_signal<T> cannot have more than one driver")', () => {
  it('SC_ONE_WRITER: a second process writing in a later delta is an error', () => {
    const sim = new Simulation();
    const s = new Signal<number>(sim, 'top.s', 0);
    sim.thread('top.p1', function* () {
      yield ns(10);
      s.write(1);
    });
    sim.thread('top.p2', function* () {
      yield ns(20);
      s.write(2);
    });
    const err = simError(() => sim.run());
    expect(err.code).toBe('multiple-writers');
    expect(err.message).toContain("'top.p1'");
    expect(err.message).toContain("'top.p2'");
    expect(err.message).toContain("'top.s'");
    expect(err.path).toBe('top.s');
    expect(err.time).toBe(ns(20));
  });

  it('SC_ONE_WRITER: the error also comes when the second writer writes the current value', () => {
    const sim = new Simulation();
    const s = new Signal<number>(sim, 'top.s', 0);
    sim.thread('top.p1', function* () {
      yield ns(10);
      s.write(1);
    });
    sim.thread('top.p2', function* () {
      yield ns(20);
      s.write(1);
    });
    const err = simError(() => sim.run());
    expect(err.code).toBe('multiple-writers');
    expect(err.time).toBe(ns(20));
  });

  it('SC_ONE_WRITER: writes from outside processes (test bench) never count as a second writer', () => {
    const sim = new Simulation();
    const s = new Signal<number>(sim, 'top.s', 0);
    sim.thread('top.p1', function* () {
      yield ns(10);
      s.write(1);
      yield ns(10);
      s.write(3);
    });
    s.write(5);
    sim.run(ns(15));
    s.write(2);
    expect(sim.run()).toBe('starved');
    expect(s.read()).toBe(3);
  });

  it('SC_MANY_WRITERS: two processes writing in the same delta is an error', () => {
    const sim = new Simulation();
    const s = new Signal<number>(sim, 'top.s', 0, { writerPolicy: 'many' });
    for (const name of ['top.p1', 'top.p2']) {
      sim.thread(name, function* () {
        yield ns(10);
        s.write(7); // even the same value: SystemC checks every write
      });
    }
    const err = simError(() => sim.run());
    expect(err.code).toBe('conflicting-write');
    expect(err.message).toContain("'top.p1'");
    expect(err.message).toContain("'top.p2'");
    expect(err.path).toBe('top.s');
    expect(err.time).toBe(ns(10));
  });

  it('SC_MANY_WRITERS: different processes in different deltas of one time are fine', () => {
    const sim = new Simulation();
    const s = new Signal<number>(sim, 'top.s', 0, { writerPolicy: 'many' });
    sim.thread('top.p1', function* () {
      yield ns(10);
      s.write(1);
    });
    sim.thread('top.p2', function* () {
      yield ns(10);
      yield 0;
      s.write(2);
    });
    expect(sim.run()).toBe('starved');
    expect(s.read()).toBe(2);
  });

  it('SC_UNCHECKED_WRITERS: no check at all', () => {
    const sim = new Simulation();
    const s = new Signal<number>(sim, 'top.s', 0, { writerPolicy: 'unchecked' });
    for (const name of ['top.p1', 'top.p2']) {
      sim.thread(name, function* () {
        yield ns(10);
        s.write(4);
      });
    }
    expect(sim.run()).toBe('starved');
    expect(s.read()).toBe(4);
  });
});

describe('immediate notification outside the evaluation phase (SystemC E521)', () => {
  it('before the simulation starts is an error', () => {
    const sim = new Simulation();
    const e = sim.event('top.e');
    const err = simError(() => e.notify());
    expect(err.code).toBe('immediate-notify-in-elaboration');
    expect(err.path).toBe('top.e');
  });

  it('from an elaboration callback is an error', () => {
    const sim = new Simulation();
    const e = sim.event('top.e');
    sim.lifecycle.on('start-of-simulation', () => e.notify());
    expect(simError(() => sim.run()).code).toBe('immediate-notify-in-elaboration');
  });

  it('between two runs it is allowed and wakes processes at the next run', () => {
    const sim = new Simulation();
    const e = sim.event('top.e');
    let woke = -1;
    sim.thread('top.t', function* () {
      yield e;
      woke = sim.now;
    });
    sim.run(ns(1));
    e.notify();
    expect(woke).toBe(-1);
    sim.run();
    expect(woke).toBe(ns(1));
  });
});
