// Port of test/fixtures/systemc-extra/60_quantum_keeper.cpp (TLM quantum keeper, golden from SystemC 2.3.4)
import { Simulation, type SimulationOptions, type Wait } from '../../../src/kernel/index.js';
import { InitiatorSocket, QuantumKeeper, setGlobalQuantum, wordPayload, type TlmCommand } from '../../../src/tlm/index.js';
import { formatTime, ns } from '../../../src/util/time.js';
import { SemLog } from '../../helpers/semlog.js';
import { Memory } from '../../helpers/tlm-mem.js';

export default function scenario(opts: SimulationOptions): string {
  const sim = new Simulation(opts);
  const L = new SemLog(sim);
  setGlobalQuantum(sim, ns(25));
  const socket = new InitiatorSocket(sim, 'top.init.socket');
  const mem = new Memory(sim, 'top.mem', L);
  socket.bind(mem.socket);
  const qk = new QuantumKeeper(sim);
  let d = 0;

  const show = (what: string): void =>
    L.log('I', `${what}: local=${formatTime(qk.localTime)} current=${formatTime(qk.currentTime)} need_sync=${Number(qk.needSync)}`);

  function* access(cmd: TlmCommand, addr: number): Generator<Wait, void, unknown> {
    const tx = wordPayload(cmd, addr, d);
    const delay = yield* socket.bTransport(tx, qk.localTime);
    d = tx.readWord();
    qk.localTime = delay;
    show(cmd === 'read' ? 'after read' : 'after write');
    if (qk.needSync) {
      L.log('I', `sync: wait(${formatTime(qk.localTime)})`);
      yield* qk.sync();
      show('synced');
    }
  }

  sim.thread('top.init.run', function* () {
    show('before reset');
    qk.reset();
    show('after reset');
    for (let i = 0; i < 5; ++i) {
      d = 0x100 + i;
      yield* access('write', 4 * i);
    }
    for (let i = 0; i < 3; ++i) yield* access('read', 4 * i);
    L.log('I', `read back 0x${d.toString(16)}`);
    qk.inc(ns(3));
    show('inc(3 ns)');
    yield* qk.setAndSync(ns(40));
    show('set_and_sync(40 ns)');
    yield ns(7);
    qk.reset();
    show('wait(7 ns); reset');
    setGlobalQuantum(sim, ns(100));
    qk.reset();
    show('quantum 100 ns; reset');
    for (let i = 0; i < 6; ++i) yield* access('read', 0);
    yield* qk.sync();
    show('final sync');
  });
  sim.thread('top.observer', function* () {
    for (let i = 0; i < 8; ++i) {
      yield ns(20);
      L.log('B', 'tick');
    }
  });
  sim.run();
  L.main('end');
  return L.finish();
}
