import { describe, expect, it } from 'vitest';
import { simError } from '../helpers/sim-error.js';
import { Clock, Fifo, InPort, Mutex, Signal, Simulation } from '../../src/kernel/index.js';
import { ns } from '../../src/util/time.js';


describe('bad use of the kernel gives a SimError with a stable code, the path and the time', () => {
  it('waiting (a blocking fifo read) inside a method', () => {
    const sim = new Simulation();
    const f = new Fifo<number>(sim, 'top.f', 2);
    const e = sim.event('top.go');
    sim.method('top.m', () => void f.read(), { sensitive: [e], dontInitialize: true });
    sim.thread('top.t', function* () {
      yield ns(5);
      e.notify();
    });
    const err = simError(() => sim.run());
    expect(err.code).toBe('wait-outside-thread');
    expect(err.path).toBe('top.m');
    expect(err.time).toBe(ns(5));
    expect(err.message).toContain("not in method 'top.m'");
  });

  it('waiting outside any process', () => {
    const sim = new Simulation();
    const m = new Mutex(sim, 'mx');
    expect(simError(() => m.lock()).code).toBe('wait-outside-thread');
  });

  it('notifying an event of another simulation from a process', () => {
    const a = new Simulation();
    const b = new Simulation();
    const foreign = b.event('b.e');
    a.thread('a.t', function* () {
      yield ns(3);
      foreign.notifyDelta();
    });
    const err = simError(() => a.run());
    expect(err.code).toBe('cross-simulation');
    expect(err.message).toContain('b.e');
    expect(err.path).toBe('a.t');
    expect(err.time).toBe(ns(3));
  });

  it('waiting on an event of another simulation', () => {
    const a = new Simulation();
    const b = new Simulation();
    const foreign = b.event('b.e');
    a.thread('a.t', function* () {
      yield foreign;
    });
    const err = simError(() => a.run());
    expect(err.code).toBe('cross-simulation');
    expect(err.path).toBe('a.t');
  });

  it('negative, fractional and non-finite delays', () => {
    for (const bad of [-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      const sim = new Simulation();
      const e = sim.event('e');
      sim.thread('t', function* () {
        yield ns(1);
        e.notifyAfter(bad);
      });
      const err = simError(() => sim.run());
      expect(err.code).toBe('bad-time');
      expect(err.path).toBe('t');
      expect(err.time).toBe(ns(1));
    }
    const sim = new Simulation();
    sim.thread('w', function* () {
      yield -5;
    });
    expect(simError(() => sim.run()).code).toBe('bad-time');
    expect(simError(() => new Simulation().run(-1)).code).toBe('bad-time');
  });

  it('binding a port twice names both channels', () => {
    const sim = new Simulation();
    const a = new Signal(sim, 'a', 0);
    const b = new Signal(sim, 'b', 0);
    const p = new InPort<number>(sim, 'top.in');
    p.bind(a);
    const err = simError(() => p.bind(b));
    expect(err.code).toBe('port-bound-twice');
    expect(err.message).toContain("'a'");
    expect(err.message).toContain("'b'");
    expect(err.path).toBe('top.in');
  });

  it('a port never bound fails when the simulation starts', () => {
    const sim = new Simulation();
    new InPort<number>(sim, 'top.dangling');
    const err = simError(() => sim.run(ns(1)));
    expect(err.code).toBe('port-unbound');
    expect(err.path).toBe('top.dangling');
  });

  it('a port bound to an unbound parent port', () => {
    const sim = new Simulation();
    const parent = new InPort<number>(sim, 'top.in');
    const child = new InPort<number>(sim, 'top.sub.in');
    child.bind(parent);
    const err = simError(() => sim.run(ns(1)));
    expect(err.code).toBe('port-unbound');
    expect(err.message).toContain('top.in');
  });

  it('running a stopped simulation', () => {
    const sim = new Simulation();
    sim.thread('t', function* () {
      yield ns(2);
      sim.stop();
    });
    expect(sim.run()).toBe('stopped');
    const err = simError(() => sim.run());
    expect(err.code).toBe('simulation-finished');
    expect(err.time).toBe(ns(2));
  });

  it('an exception in a process aborts the run naming the process and the time', () => {
    const sim = new Simulation();
    sim.thread('top.cpu', function* () {
      yield ns(7);
      throw new Error('illegal instruction');
    });
    const err = simError(() => sim.run());
    expect(err.code).toBe('process-error');
    expect(err.path).toBe('top.cpu');
    expect(err.time).toBe(ns(7));
    expect(err.message).toContain('illegal instruction');
    expect(err.message).toContain('7 ns');
    expect(err.cause).toBeInstanceOf(Error);
  });

  it('a zero-delay loop hits the delta limit naming the runnable processes', () => {
    const sim = new Simulation({ deltaLimit: 50 });
    const e = sim.event('e');
    sim.method('top.ping', () => e.notifyDelta(), { sensitive: [e] });
    const err = simError(() => sim.run());
    expect(err.code).toBe('delta-limit');
    expect(err.message).toContain('top.ping');
    expect(err.message).toContain('more than 50 delta cycles');
  });

  it('a clock created while the simulation runs', () => {
    const sim = new Simulation();
    sim.thread('t', function* () {
      yield ns(1);
      new Clock(sim, 'late.clk', { period: ns(10) });
    });
    const err = simError(() => sim.run());
    expect(err.code).toBe('clock-after-elaboration');
    expect(err.path).toBe('t');
  });

  it('bad clock parameters', () => {
    const sim = new Simulation();
    expect(simError(() => new Clock(sim, 'c1', { period: 0 })).code).toBe('bad-clock');
    expect(simError(() => new Clock(sim, 'c2', { period: ns(1), dutyCycle: 1 })).code).toBe('bad-clock');
    expect(simError(() => new Clock(sim, 'c3', { period: 3, dutyCycle: 0.1 })).code).toBe('bad-clock');
  });

  it('duplicate instance paths', () => {
    const sim = new Simulation();
    sim.event('x');
    expect(simError(() => sim.event('x')).code).toBe('duplicate-name');
  });

  it('nextTrigger from outside the method', () => {
    const sim = new Simulation();
    const m = sim.method('m', () => undefined);
    expect(simError(() => m.nextTrigger(ns(1))).code).toBe('next-trigger-outside-method');
  });

  it('yielding something that is not a wait', () => {
    const sim = new Simulation();
    sim.thread('t', function* () {
      yield 'soon' as unknown as number;
    });
    const err = simError(() => sim.run());
    expect(err.code).toBe('bad-wait');
    expect(err.path).toBe('t');
  });
});

describe('several simulations in one process', () => {
  it('run independently and interleaved, with no shared state', () => {
    const log: string[] = [];
    const mk = (name: string, period: number): Simulation => {
      const sim = new Simulation();
      sim.thread(`${name}.t`, function* () {
        for (let i = 0; i < 3; i++) {
          yield period;
          log.push(`${name}@${sim.now}`);
        }
      });
      return sim;
    };
    const a = mk('a', ns(10));
    const b = mk('b', ns(3));
    a.run(ns(15));
    b.run();
    a.run();
    expect(log).toEqual(['a@10000', 'b@3000', 'b@6000', 'b@9000', 'a@20000', 'a@30000']);
    expect(a.now).toBe(ns(30));
    expect(b.now).toBe(ns(9));
  });
});
