// Port of shared/systemc/semantics/tlm_mem.h: a 256-byte target memory. A write adds 10 ns and a
// read 20 ns to the annotated delay; out-of-range accesses answer address-error; ignore answers
// ok; addresses >= slowFrom first synchronise (wait(delay)), then spend 30 ns inside transport.
import type { Simulation } from '../../src/kernel/index.js';
import { TargetSocket, type GenericPayload } from '../../src/tlm/index.js';
import { formatTime, ns, type Time } from '../../src/util/time.js';
import type { SemLog } from './semlog.js';

export class Memory {
  readonly socket: TargetSocket;
  readonly mem = new Uint8Array(256);

  constructor(sim: Simulation, path: string, L: SemLog, slowFrom = 0x100, who = 'I') {
    this.socket = new TargetSocket(sim, `${path}.socket`);
    const mem = this.mem;
    this.socket.onBTransport(function* (tx: GenericPayload, delay: Time) {
      const addr = tx.address;
      const len = tx.length;
      L.log(who, `mem: ${tx.command} addr=0x${addr.toString(16)} len=${len} delay_in=${formatTime(delay)}`);
      if (tx.command === 'ignore') {
        tx.response = 'ok';
        return delay;
      }
      if (addr >= mem.length || len > mem.length - addr) {
        tx.response = 'address-error';
        return delay;
      }
      if (addr >= slowFrom) {
        yield delay;
        delay = 0;
        yield ns(30);
        L.log(who, 'mem: slow region, synchronised and spent 30 ns');
      }
      if (tx.command === 'read') {
        tx.data.set(mem.subarray(addr, addr + len));
        delay += ns(20);
      } else {
        mem.set(tx.data.subarray(0, len), addr);
        delay += ns(10);
      }
      tx.response = 'ok';
      return delay;
    });
  }
}
