import { SimError } from '../util/index.js';
import type { EventFinder, SimEvent } from './event.js';
import type { Process, ResetSource } from './process.js';
import type { Signal } from './signal.js';
import type { Elaboratable, Simulation } from './simulation.js';

/**
 * A port (SystemC `sc_port<IF>`): a named access point bound to a channel implementing `IF`,
 * or to another port of the same interface (hierarchical binding, resolved at the end of
 * elaboration). Binding twice is an error at the second `bind`; a port left unbound is an error
 * when the simulation starts (`port-unbound`), naming the port.
 */
export class Port<IF extends object> implements Elaboratable {
  readonly sim: Simulation;
  readonly path: string;
  private target: IF | Port<IF> | null = null;
  private resolved: IF | null = null;

  constructor(sim: Simulation, path: string) {
    this.sim = sim;
    this.path = path;
    sim.registerName(path, this);
    sim.registerElaboratable(this);
  }

  /** Binds to a channel or to a parent port. */
  bind(target: IF | Port<IF>): void {
    if (this.target !== null) {
      throw new SimError('port-bound-twice', `port '${this.path}' is already bound to '${describe(this.target)}'; cannot bind it again to '${describe(target)}'`, { path: this.path });
    }
    if (target === this) throw new SimError('port-bind-cycle', `port '${this.path}' cannot be bound to itself`, { path: this.path });
    this.target = target;
  }

  /** True once bound (directly). */
  get isBound(): boolean {
    return this.target !== null;
  }

  /** The channel at the end of the binding chain. */
  get iface(): IF {
    return this.resolved ?? this.resolve();
  }

  private resolve(): IF {
    const seen = new Set<Port<IF>>();
    let t: IF | Port<IF> | null = this.target;
    let last: Port<IF> = this;
    while (t instanceof Port) {
      if (seen.has(t)) throw new SimError('port-bind-cycle', `port '${this.path}' is part of a binding cycle through '${t.path}'`, { path: this.path });
      seen.add(t);
      last = t;
      t = t.target;
    }
    if (t === null) {
      const via = last === this ? '' : ` (it is bound to '${last.path}', which is unbound)`;
      throw new SimError('port-unbound', `port '${this.path}' is not bound to a channel${via}; bind it before the simulation starts`, { path: this.path });
    }
    this.resolved = t;
    return t;
  }

  /** @internal Checks the binding at the end of elaboration. */
  completeBinding(): void {
    this.resolve();
  }

  toString(): string {
    return this.path;
  }
}

function describe(x: unknown): string {
  const p = (x as { path?: unknown }).path;
  return typeof p === 'string' ? p : String(x);
}

class PortEvent<T> implements EventFinder {
  private readonly port: Port<Signal<T>>;
  private readonly which: 'value_changed' | 'pos' | 'neg';
  constructor(port: Port<Signal<T>>, which: 'value_changed' | 'pos' | 'neg') {
    this.port = port;
    this.which = which;
  }
  get description(): string {
    return `${this.port.path}.${this.which}()`;
  }
  resolve(): SimEvent {
    const s = this.port.iface;
    return this.which === 'pos' ? s.posedgeEvent : this.which === 'neg' ? s.negedgeEvent : s.valueChangedEvent;
  }
}

/** An input port bound to a signal (SystemC `sc_in<T>`). */
export class InPort<T> extends Port<Signal<T>> implements ResetSource {
  /** Current value of the bound signal. */
  read(): T {
    return this.iface.read();
  }
  /** The signal's value changed in the last update (SystemC `event()`). */
  event(): boolean {
    return this.iface.event();
  }
  /** The boolean signal just rose. */
  posedge(): boolean {
    return this.iface.posedge();
  }
  /** The boolean signal just fell. */
  negedge(): boolean {
    return this.iface.negedge();
  }
  /** Value-changed event, usable in sensitivity lists before binding (SystemC `sensitive << in`). */
  valueChanged(): EventFinder {
    return new PortEvent(this, 'value_changed');
  }
  /** Rising-edge event finder (SystemC `in.pos()`). */
  pos(): EventFinder {
    return new PortEvent(this, 'pos');
  }
  /** Falling-edge event finder (SystemC `in.neg()`). */
  neg(): EventFinder {
    return new PortEvent(this, 'neg');
  }
  /** The bound signal's value-changed event (after binding). */
  get valueChangedEvent(): SimEvent {
    return this.iface.valueChangedEvent;
  }
  /** The bound signal's rising-edge event (after binding). */
  get posedgeEvent(): SimEvent {
    return this.iface.posedgeEvent;
  }
  /** The bound signal's falling-edge event (after binding). */
  get negedgeEvent(): SimEvent {
    return this.iface.negedgeEvent;
  }
  /** @internal */
  addResetHook(proc: Process, active: boolean, isAsync: boolean): void {
    (this.iface as unknown as Signal<boolean>).addResetHook(proc, active, isAsync);
  }
}

/** An output port bound to a signal (SystemC `sc_out<T>`); it can also read the value. */
export class OutPort<T> extends Port<Signal<T>> {
  /** Writes the bound signal. */
  write(v: T): void {
    this.iface.write(v);
  }
  /** Current value of the bound signal. */
  read(): T {
    return this.iface.read();
  }
}
