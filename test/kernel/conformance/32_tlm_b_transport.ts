// Port of shared/systemc/semantics/32_tlm_b_transport.cpp
import { Simulation, type SimulationOptions, type Wait } from '../../../src/kernel/index.js';
import { InitiatorSocket, wordPayload, type TlmCommand } from '../../../src/tlm/index.js';
import { formatTime, ns, type Time } from '../../../src/util/time.js';
import { SemLog, hex } from '../../helpers/semlog.js';
import { Memory } from '../../helpers/tlm-mem.js';

export default function scenario(opts: SimulationOptions): string {
  const sim = new Simulation(opts);
  const L = new SemLog(sim);
  const socket = new InitiatorSocket(sim, 'top.init.socket');
  const mem = new Memory(sim, 'top.mem', L, 0x80);
  socket.bind(mem.socket);
  let d = 0;

  function* access(cmd: TlmCommand, addr: number, startDelay: Time): Generator<Wait, void, unknown> {
    const tx = wordPayload(cmd, addr, d);
    let delay = startDelay;
    L.log('I', `b_transport ${cmd} addr=0x${addr.toString(16)} delay=${formatTime(delay)}`);
    delay = yield* socket.bTransport(tx, delay);
    d = tx.readWord();
    L.log('I', `returned ${tx.responseString} data=0x${hex(d, 8)} delay=${formatTime(delay)}`);
    yield delay;
    L.log('I', 'synchronised after wait(delay)');
  }

  sim.thread('top.init.run', function* () {
    d = 0xdeadbeef;
    yield* access('write', 0x10, 0);
    d = 0;
    yield* access('read', 0x10, ns(5));
    d = 0;
    yield* access('read', 0x100, ns(5));
    d = 0x12345678;
    yield* access('write', 0x80, ns(5));
    d = 0;
    yield* access('read', 0x80, 0);
    yield* access('ignore', 0x0, ns(1));
  });
  sim.run();
  L.main('end');
  return L.finish();
}
