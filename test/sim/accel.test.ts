/**
 * The accelerator command interface (Xeacc) end to end: a core on a small platform sends commands
 * to a test accelerator (declared here) through acc.arg / acc.cmd, polls with acc.stat, waits
 * with acc.wait / acc.drain, and sleeps while the queue is full. The test accelerator sums n words
 * at a descriptor's address, writes the sum after them, and takes `cyclesPerCommand` cycles.
 */
import { describe, expect, it } from 'vitest';
import type { Wait } from '../../src/kernel/index.js';
import { assembleOrThrow } from '../../src/isa/index.js';
import { AcceleratorSim, CoreSim, Scratchpad, catalog, simCatalog, type AccelCommand, type ModuleContext } from '../../src/modules/index.js';
import { loadPlatform } from '../../src/platform/index.js';
import { instantiate, startProgram } from '../../src/sim/index.js';
import { defineModule, makeCatalog, param, port } from '../../src/spec/index.js';
import { SimError } from '../../src/util/index.js';
import type { InitiatorSocket } from '../../src/tlm/index.js';
import { fill, words } from '../helpers/repo.js';
import { simError } from '../helpers/sim-error.js';

const SumDef = defineModule({
  kind: 'test-sum',
  doc: { summary: 'Test accelerator: sums words.', models: 'a sum', doesNotModel: 'anything else', timing: 'cyclesPerCommand', energy: 'none' },
  params: {
    accelId: param.int({ doc: 'N of acc.* N.', default: 0, min: 0, max: 127 }),
    queueDepth: param.int({ doc: 'Commands accepted and not finished.', default: 2, min: 1 }),
    cyclesPerCommand: param.int({ doc: 'Compute time.', unit: 'cycles', default: 100, min: 0 }),
  },
  ports: () => [
    port.target('cfg', 'mem', { widthBits: 32, required: false, doc: 'Registers (unused).' }),
    port.initiator('mem', 'mem', { widthBits: 32, doc: 'Data.' }),
  ],
});

class SumSim extends AcceleratorSim<typeof SumDef> {
  private readonly memSock: InitiatorSocket;
  constructor(ctx: ModuleContext<typeof SumDef>) {
    super(SumDef, ctx);
    this.memSock = this.initiator('mem')!;
  }
  protected *execute(cmd: AccelCommand): Generator<Wait, void, unknown> {
    // command word 1 = sum; arg = address of n words; extra[0] = n
    if (cmd.word !== 1) throw this.commandError(cmd, `unknown command word ${cmd.word} (1 = sum)`);
    const n = cmd.extra[0] ?? 0;
    const b = yield* this.readBytes(this.memSock, cmd.arg, 4 * n);
    const v = new DataView(b.buffer);
    let s = 0;
    for (let i = 0; i < n; i++) s = (s + v.getInt32(4 * i, true)) | 0;
    yield this.params.cyclesPerCommand * this.period;
    const out = new Uint8Array(4);
    new DataView(out.buffer).setInt32(0, s, true);
    yield* this.writeBytes(this.memSock, cmd.arg + 4 * n, out);
  }
}

const YAML = `
platform: acc-test
clocks: { sys: 1GHz }
instances:
  cpu: { kind: core, clock: sys, params: { instrEnergy: 0pJ, leakage: 0uW } }
  bus: { kind: xbar, clock: sys, params: { initiators: 1, targets: 1, latencyCycles: 1, transferEnergy: 0pJ, leakage: 0uW } }
  l1: { kind: scratchpad, clock: sys, params: { sizeBytes: 4KiB, banks: 4, ports: 2, readEnergy: 0pJ, writeEnergy: 0pJ, leakage: 0uW } }
  acc: { kind: test-sum, clock: sys, params: { accelId: 3, queueDepth: 2, cyclesPerCommand: 100 } }
connections:
  - cpu.tcdm -> l1.mem[0]
  - cpu.data -> bus.in[0]
  - bus.out[0] -> acc.cfg
  - acc.mem -> l1.mem[1]
addressMap:
  - { target: l1, base: 0x10000000 }
  - { target: acc, base: 0x20000000, size: 256B }
`;

function platform() {
  const cat = makeCatalog([...catalog.values(), SumDef]);
  const r = loadPlatform('acc-test.yaml', YAML, { catalog: cat, readFile: () => undefined });
  expect(r.diagnostics).toEqual([]);
  const sims = new Map(simCatalog);
  sims.set('test-sum', { def: SumDef, create: (ctx: ModuleContext<typeof SumDef>) => new SumSim(ctx) } as never);
  return instantiate(r.graph!, { sims });
}

/** Three sums of 4 words at 0x10000100, 0x10000200, 0x10000300, then a bad command word. */
const PROGRAM = (tail: string) => `
        li    t0, 4
        li    t1, 1
        li    s0, 0x10000100
        acc.arg t0, zero, 3
        acc.cmd s1, t1, s0, 3
        acc.stat s4, s1, 3
        li    s0, 0x10000200
        acc.arg t0, zero, 3
        acc.cmd s2, t1, s0, 3
        li    s0, 0x10000300
        acc.arg t0, zero, 3
        acc.cmd s3, t1, s0, 3
        acc.wait s1, 3
        acc.stat s5, s1, 3
        acc.drain 3
${tail}
        li    a0, 0
        ecall
`;

describe('accelerator commands (Xeacc) from a core', () => {
  it('tags in order, acc.stat polls, a full queue makes acc.cmd sleep, acc.wait / acc.drain wait; results land in memory', () => {
    const p = platform();
    const l1 = p.get('l1', Scratchpad);
    fill(l1.data, 0x100, [1, 2, 3, 4]);
    fill(l1.data, 0x200, [10, 20, 30, 40]);
    fill(l1.data, 0x300, [-5, 5, -7, 100]);
    startProgram(p, ['cpu'], assembleOrThrow(PROGRAM(''), { origin: 0x10000800 }, 'acc.s'));
    p.sim.run();
    const cpu = p.get('cpu', CoreSim);
    expect(cpu.core.exitCode).toBe(0);
    expect([words(l1.data, 0x110, 1)[0], words(l1.data, 0x210, 1)[0], words(l1.data, 0x310, 1)[0]]).toEqual([10, 100, 93]);
    expect([9, 18, 19, 20, 21].map((r) => cpu.core.reg(r))).toEqual([1, 2, 3, 1, 0]); // s1..s3 tags; s4 busy right after; s5 done after wait
    const acc = p.get('acc', SumSim);
    const t = [...acc.commands.values()].map((c) => [c.submitted, c.started, c.finished].map((x) => x! / 1000));
    // each command: read 16 B (4 words through one port, granted in cycles 0..3, data after the
    // last: 4 cycles), compute 100 cycles, write 1 word (1 cycle): 105 cycles
    const d = 4 + 100 + 1;
    const s0 = t[0]![1]!;
    expect(t[0]).toEqual([s0, s0, s0 + d]);
    expect(t[1]).toEqual([t[1]![0], s0 + d, s0 + 2 * d]);
    // queueDepth 2: the third acc.cmd sleeps until the first command finishes, then is accepted
    expect(t[2]![0]).toBe(s0 + d);
    expect(t[2]![2]).toBe(s0 + 3 * d);
    // acc.drain returns when the last command finishes; li, ecall follow
    expect(cpu.exitTime! / 1000).toBeGreaterThanOrEqual(s0 + 3 * d);
    expect(cpu.exitTime! / 1000).toBeLessThanOrEqual(s0 + 3 * d + 4);
    expect(acc.busy.total).toBe(3 * d * 1000);
  });

  it('a wrong accelerator number, an unknown tag and a bad command word are clear errors', () => {
    const run = (src: string): SimError => {
      const p = platform();
      startProgram(p, ['cpu'], assembleOrThrow(src, { origin: 0x10000800 }, 'bad.s'));
      return simError(() => p.sim.run());
    };
    expect(run('li t0, 1\nacc.cmd a0, t0, zero, 5\necall').message).toMatch(/^core 'cpu' at pc 0x10000804: accelerator 5 is not reachable through the data port \(reachable: 3 \('acc'\)\); the N of acc\.\* must be an accelerator's accelId param \(time \d+ ns\)$/);
    expect(run('li t0, 7\nacc.wait t0, 3\necall').message).toMatch(/acc\.wait 7: accelerator 3 \('acc'\) has no command with that tag/);
    expect(run('li t0, 9\nacc.cmd a0, t0, zero, 3\nacc.wait a0, 3\necall').message).toMatch(/^test-sum 'acc' \(accelerator 3\): command 1 \(word 0x9, arg 0x0\) from 'cpu': unknown command word 9 \(1 = sum\)$/);
  });
});
