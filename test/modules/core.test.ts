import { describe, expect, it } from 'vitest';
import { assembleOrThrow, encodeInstr, makeInstr, OPCODES, simdExec } from '../../src/isa/index.js';
import {
  CLASS_ORDER, CoreDef, DEFAULT_CORE_COSTS, ENV_EXIT, ENV_WAIT, ENV_YIELD, FlatMemory, Rv32Core, type CoreEnv, type CoreOptions,
} from '../../src/modules/core/index.js';
import { deriveRng } from '../../src/util/index.js';
import { parseDefault } from '../../src/spec/index.js';

/** Assembles `src` at 0 into a 64 KiB RAM at 0 and returns the core (not yet run). */
function load(src: string, opts: CoreOptions = {}, mem = new FlatMemory(0, 0x10000)): { core: Rv32Core; mem: FlatMemory } {
  mem.writeWords(0, assembleOrThrow(src).words);
  return { core: new Rv32Core(mem, { name: 'c0', ...opts }), mem };
}

/** Runs `src` followed by an ecall and returns the core. */
function exec(src: string, opts: CoreOptions = {}, mem?: FlatMemory): Rv32Core {
  const { core } = load(`${src}\necall`, opts, mem);
  const r = core.run(1_000_000);
  if (r === 'error') throw core.error;
  expect(r).toBe('ecall');
  return core;
}

const A0 = 10, A1 = 11, A2 = 12;
const u = (v: number): number => v >>> 0;
const EDGE = [0, 1, -1, 2, -2, 3, -7, 31, 32, 33, 0x7fffffff, -0x80000000, 0x12345678, -0x12345678, 0xffff, 0x8000, -0x7fffffff];

/** Reference semantics, written from the RISC-V manual (BigInt for the wide products). */
const big = (v: number): bigint => BigInt(v);
const hi = (p: bigint): number => Number(BigInt.asIntN(32, p >> 32n));
const R_REF: Record<string, (a: number, b: number) => number> = {
  add: (a, b) => (a + b) | 0,
  sub: (a, b) => (a - b) | 0,
  sll: (a, b) => Number(BigInt.asIntN(32, big(a) << big(u(b) % 32))),
  slt: (a, b) => (a < b ? 1 : 0),
  sltu: (a, b) => (u(a) < u(b) ? 1 : 0),
  xor: (a, b) => a ^ b,
  srl: (a, b) => Number(BigInt.asIntN(32, big(u(a)) >> big(u(b) % 32))),
  sra: (a, b) => Number(big(a) >> big(u(b) % 32)),
  or: (a, b) => a | b,
  and: (a, b) => a & b,
  mul: (a, b) => Number(BigInt.asIntN(32, big(a) * big(b))),
  mulh: (a, b) => hi(big(a) * big(b)),
  mulhsu: (a, b) => hi(big(a) * big(u(b))),
  mulhu: (a, b) => hi(big(u(a)) * big(u(b))),
  div: (a, b) => (b === 0 ? -1 : a === -0x80000000 && b === -1 ? -0x80000000 : Number(BigInt.asIntN(32, big(a) / big(b)))),
  divu: (a, b) => (b === 0 ? -1 : Number(BigInt.asIntN(32, big(u(a)) / big(u(b))))),
  rem: (a, b) => (b === 0 ? a : a === -0x80000000 && b === -1 ? 0 : Number(big(a) % big(b))),
  remu: (a, b) => (b === 0 ? a : Number(BigInt.asIntN(32, big(u(a)) % big(u(b))))),
};

describe('Rv32Core: RV32IM semantics', () => {
  it('register-register ALU and M instructions on edge values (div by zero, -2^31 / -1, shifts masked to 5 bits)', () => {
    expect(Object.keys(R_REF).sort()).toEqual(OPCODES.filter((d) => d.format === 'R' && (d.ext === 'RV32I' || d.ext === 'RV32M')).map((d) => d.mnemonic).sort());
    for (const [op, ref] of Object.entries(R_REF)) {
      for (const a of EDGE) for (const b of EDGE) {
        const c = exec(`li a0, ${a}\nli a1, ${b}\n${op} a2, a0, a1`);
        expect(c.reg(A2), `${op} ${a}, ${b}`).toBe(ref(a, b));
      }
    }
  });

  it('register-immediate instructions, with sign-extended immediates and unsigned sltiu', () => {
    const I_REF: Record<string, (a: number, i: number) => number> = {
      addi: (a, i) => (a + i) | 0, slti: (a, i) => (a < i ? 1 : 0), sltiu: (a, i) => (u(a) < u(i) ? 1 : 0),
      xori: (a, i) => a ^ i, ori: (a, i) => a | i, andi: (a, i) => a & i,
    };
    for (const [op, ref] of Object.entries(I_REF)) {
      for (const a of EDGE) for (const imm of [0, 1, -1, 2047, -2048, 5, -300]) {
        expect(exec(`li a0, ${a}\n${op} a2, a0, ${imm}`).reg(A2), `${op} ${a}, ${imm}`).toBe(ref(a, imm));
      }
    }
    for (const a of EDGE) for (const sh of [0, 1, 5, 16, 31]) {
      expect(exec(`li a0, ${a}\nslli a2, a0, ${sh}`).reg(A2)).toBe(R_REF.sll!(a, sh));
      expect(exec(`li a0, ${a}\nsrli a2, a0, ${sh}`).reg(A2)).toBe(R_REF.srl!(a, sh));
      expect(exec(`li a0, ${a}\nsrai a2, a0, ${sh}`).reg(A2)).toBe(R_REF.sra!(a, sh));
    }
  });

  it('lui and auipc', () => {
    expect(exec('lui a0, 0xfffff').reg(A0)).toBe(-4096);
    expect(exec('lui a0, 0x12345').reg(A0)).toBe(0x12345000);
    expect(exec('nop\nnop\nauipc a0, 1').reg(A0)).toBe(0x1008);
    expect(exec('nop\nauipc a0, 0xfffff').reg(A0)).toBe(4 - 4096);
  });

  it('branches compare signed and unsigned correctly, taken and not taken', () => {
    const B_REF: Record<string, (a: number, b: number) => boolean> = {
      beq: (a, b) => a === b, bne: (a, b) => a !== b, blt: (a, b) => a < b, bge: (a, b) => a >= b,
      bltu: (a, b) => u(a) < u(b), bgeu: (a, b) => u(a) >= u(b),
    };
    for (const [op, ref] of Object.entries(B_REF)) {
      for (const a of [0, 1, -1, 0x7fffffff, -0x80000000]) for (const b of [0, 1, -1, 0x7fffffff, -0x80000000]) {
        const c = exec(`li a0, ${a}\nli a1, ${b}\nli a2, 0\n${op} a0, a1, yes\nj end\nyes: li a2, 1\nend: nop`);
        expect(c.reg(A2) === 1, `${op} ${a}, ${b}`).toBe(ref(a, b));
      }
    }
    // a backward branch
    expect(exec('li a0, 5\nli a1, 0\nloop: add a1, a1, a0\naddi a0, a0, -1\nbnez a0, loop').reg(A1)).toBe(15);
  });

  it('jal and jalr link pc+4; jalr clears bit 0 of the target', () => {
    const c = exec('jal ra, f\nli a1, 7\nj end\nf: mv a0, ra\nret\nend: nop');
    expect(c.reg(A0)).toBe(4);
    expect(c.reg(A1)).toBe(7);
    const d = exec('li t0, 13\njalr a0, 0(t0)\nli a1, 1\nli a2, 2\nend: nop'); // 13 & ~1 = 12: skips li a1
    expect(d.reg(A0)).toBe(8);
    expect(d.reg(A1)).toBe(0);
    expect(d.reg(A2)).toBe(2);
    expect(exec('li t0, 16\njalr zero, -4(t0)\nli a0, 1\nli a0, 2').reg(A0)).toBe(2);
  });

  it('loads sign- and zero-extend; stores write the low bytes, little-endian', () => {
    const mem = new FlatMemory(0, 0x10000);
    mem.write(0x2000, Uint8Array.from([0x80, 0x7f, 0xfe, 0xff, 0x78, 0x56, 0x34, 0x12]));
    const c = exec([
      'lui s0, 2',
      'lb a0, 0(s0)', 'lbu a1, 0(s0)', 'lb a2, 1(s0)', 'lh a3, 2(s0)', 'lhu a4, 2(s0)', 'lw a5, 4(s0)', 'lh a6, 0(s0)',
      'addi s1, s0, 8', 'lw a7, -4(s1)',
      'li t0, 0xa1b2c3d4', 'sw t0, 16(s0)', 'sh t0, 20(s0)', 'sb t0, 23(s0)',
    ].join('\n'), {}, mem);
    expect([10, 11, 12, 13, 14, 15, 16, 17].map((r) => c.reg(r))).toEqual([-128, 0x80, 0x7f, -2, 0xfffe, 0x12345678, 0x7f80, 0x12345678]);
    expect([...mem.read(0x2010, 8)]).toEqual([0xd4, 0xc3, 0xb2, 0xa1, 0xd4, 0xc3, 0x00, 0xd4]);
  });

  it('x0 stays 0 whatever writes it', () => {
    const mem = new FlatMemory(0, 0x10000);
    mem.write(0x100, Uint8Array.from([1, 2, 3, 4]));
    const c = exec('addi zero, zero, 5\nlui zero, 1\nlw zero, 0x100(zero)\nmul zero, ra, ra\njal zero, next\nnext: add a0, zero, zero\nsltiu a1, zero, 1', {}, mem);
    expect(c.reg(0)).toBe(0);
    expect(c.x[0]).toBe(0);
    expect(c.reg(A0)).toBe(0);
    expect(c.reg(A1)).toBe(1);
  });

  it('fence is timed and does nothing else; ecall/ebreak without env stop after the instruction and can continue', () => {
    const { core } = load('fence rw, rw\necall\nli a0, 1\nebreak\nli a0, 2\necall');
    expect(core.run(100)).toBe('ecall');
    expect(core.pc).toBe(8);
    expect(core.run(100)).toBe('ebreak');
    expect(core.reg(A0)).toBe(1);
    expect(core.run(100)).toBe('ecall');
    expect(core.reg(A0)).toBe(2);
    expect(core.instructions).toBe(6);
  });
});

describe('Rv32Core: Xesimd', () => {
  it('executes every pv.* instruction like the ISA reference semantics', () => {
    const rng = deriveRng(4, 'core.simd', 'operands');
    const simd = OPCODES.filter((d) => d.ext === 'Xesimd');
    expect(simd.length).toBeGreaterThan(10);
    for (const d of simd) {
      for (let t = 0; t < 40; t++) {
        const vals = [0, 1, 2].map(() => (t < 4 ? [0x7f7f7f7f, 0x80808080 | 0, -1, 0x017f80ff][t]! : (rng.next() * 2 ** 32) | 0));
        const [a, b, old] = vals as [number, number, number];
        const ops = d.operands.map((o) => (o === 'rd' ? 'a2' : o === 'rs1' ? 'a0' : 'a1')).join(', ');
        const c = exec(`li a0, ${a}\nli a1, ${b}\nli a2, ${old}\n${d.mnemonic} ${ops}`);
        expect(c.reg(A2), `${d.mnemonic} ${a} ${b} ${old}`).toBe(simdExec(d.mnemonic, a, b, old));
      }
    }
    const c = exec('li a0, 0x01020304\nli a1, 0x01010101\npv.dot.b a2, a0, a1', { costs: { simdCycles: 2 } });
    expect(c.reg(A2)).toBe(10);
    expect(c.classStats().simd).toEqual({ instructions: 1, cycles: 2 });
  });

  it('instructions of a disabled extension are illegal', () => {
    const { core } = load('li a0, 1\npv.adds.b a0, a0, a0', { extensions: ['Xedma'] });
    expect(core.run(10)).toBe('error');
    expect(core.error?.code).toBe('illegal-instruction');
    expect(core.error?.message).toMatch(/core 'c0' at pc 0x00000004 after 1 instructions: .*pv\.adds\.b belongs to Xesimd, which this core does not implement/);
  });
});

describe('Rv32Core: cycles', () => {
  const loop = [
    'lui a0, 1', 'li t0, 4', 'li t1, 0',
    'loop: lw t2, 0(a0)', 'add t1, t1, t2', 'mul t3, t1, t0', 'addi t0, t0, -1', 'bnez t0, loop',
    'div t4, t1, t0', 'mulhu t5, t1, t1', 'sw t1, 4(a0)', 'j end', 'end: ecall',
  ].join('\n');

  it('a small loop costs the cost table: classes, taken/not-taken branches, load-use stall, memory latency', () => {
    const L = 2, S = 3;
    const { core, mem } = load(loop, {}, new FlatMemory(0, 0x10000, { loadLatency: L, storeLatency: S }));
    mem.write(0x1000, Uint8Array.from([5, 0, 0, 0]));
    expect(core.run(1000)).toBe('ecall');
    const k = DEFAULT_CORE_COSTS;
    const perIter = k.loadCycles + L + k.aluCycles + k.loadUseStall + k.mulCycles + k.aluCycles;
    const expected = 3 * k.aluCycles + 4 * perIter + 3 * k.branchTakenCycles + k.branchNotTakenCycles
      + k.divCycles + k.mulhCycles + k.storeCycles + S + k.jumpCycles + k.systemCycles;
    expect(core.cycles).toBe(expected);
    expect(core.cycles).toBe(3 + 4 * 7 + 9 + 1 + 35 + 5 + 1 + 3 + 2 + 1);
    expect(core.stallCycles).toBe(4 * (L + 1) + S);
    expect(core.instructions).toBe(3 + 5 * 4 + 5);
    expect(core.reg(6)).toBe(20);
    const s = core.classStats();
    expect(s.alu).toEqual({ instructions: 3 + 8, cycles: 11 + 4 * k.loadUseStall });
    expect(s.load).toEqual({ instructions: 4, cycles: 4 * (1 + L) });
    expect(s.mul).toEqual({ instructions: 5, cycles: 4 + 5 });
    expect(s.div).toEqual({ instructions: 1, cycles: 35 });
    expect(s.branch).toEqual({ instructions: 4, cycles: 10 });
    expect(s.jump).toEqual({ instructions: 1, cycles: 2 });
    expect(s.store).toEqual({ instructions: 1, cycles: 1 + S });
    expect(s.system).toEqual({ instructions: 1, cycles: 1 });
    expect([...core.classInstructions].reduce((a, b) => a + b)).toBe(core.instructions);
    expect([...core.classCycles].reduce((a, b) => a + b)).toBe(core.cycles);
    expect(CLASS_ORDER).toContain('simd');
  });

  it('the default cost table is the declaration\'s param defaults (CV32E40P)', () => {
    for (const [k, v] of Object.entries(DEFAULT_CORE_COSTS)) {
      const spec = (CoreDef.params as Record<string, Parameters<typeof parseDefault>[1]>)[k];
      expect(spec, k).toBeDefined();
      expect(parseDefault(k, spec!), k).toBe(v);
    }
  });

  it('costs come from the options (e.g. a 3-cycle divider, no load-use stall)', () => {
    const { core, mem } = load(loop, { costs: { divCycles: 3, divTiming: 'fixed', loadUseStall: 0, branchTakenCycles: 2 } });
    mem.write(0x1000, Uint8Array.from([5, 0, 0, 0]));
    expect(core.run(1000)).toBe('ecall');
    expect(core.cycles).toBe(3 + 4 * 4 + 6 + 1 + 3 + 5 + 1 + 2 + 1);
  });

  it('division takes 3 + (leading zeros of the divisor) cycles, 35 for a zero divisor (CV32E40P manual table)', () => {
    const divCost = (op: string, a: number, b: number): number => {
      const c = exec(`li a0, ${a}\nli a1, ${b}\n${op} a2, a0, a1`);
      return c.classCycles[CLASS_ORDER.indexOf('div')]!;
    };
    expect(divCost('divu', 100, 0x8000_0000 | 0)).toBe(3); // no leading zero
    expect(divCost('divu', 100, -1)).toBe(3);
    expect(divCost('divu', 100, 1)).toBe(3 + 31);
    expect(divCost('remu', 100, 0)).toBe(35);
    expect(divCost('div', 100, 0)).toBe(35);
    expect(divCost('div', 100, 7)).toBe(3 + 29);
    expect(divCost('rem', 100, -7)).toBe(3 + 29); // signed: zeros of |divisor|
    expect(divCost('div', 100, 0x10000)).toBe(3 + 15);
    const fixed = exec('li a0, 9\nli a1, 3\ndiv a2, a0, a1', { costs: { divTiming: 'fixed', divCycles: 20 } });
    expect(fixed.classCycles[CLASS_ORDER.indexOf('div')]).toBe(20);
    expect(fixed.reg(12)).toBe(3);
  });

  it('the load-use stall applies only when the next instruction reads the loaded register', () => {
    const mem = new FlatMemory(0, 0x10000);
    const noUse = exec('lw a0, 0x100(zero)\naddi a1, a2, 1', {}, mem);
    const use = exec('lw a0, 0x100(zero)\naddi a1, a0, 1', {}, mem);
    const storeData = exec('lw a0, 0x100(zero)\nsw a0, 0x104(zero)', {}, mem);
    const mac = exec('lw a2, 0x100(zero)\npv.mac.b a2, a0, a1', {}, mem);
    expect(use.cycles - noUse.cycles).toBe(1);
    expect(storeData.stallCycles).toBe(1);
    expect(mac.stallCycles).toBe(1);
  });

  it('run stops at the instruction budget and at a cycle limit, and resumes where it stopped', () => {
    const { core } = load('li a0, 0\nloop: addi a0, a0, 1\nj loop');
    expect(core.run(5)).toBe('budget');
    expect(core.instructions).toBe(5);
    expect(core.run(1000, 30)).toBe('budget');
    expect(core.cycles).toBeGreaterThanOrEqual(30);
    expect(core.cycles).toBeLessThan(33);
    const before = core.instructions;
    expect(core.run(10)).toBe('budget');
    expect(core.instructions).toBe(before + 10);
  });
});

describe('Rv32Core: errors name the core, pc, address/word and instruction count', () => {
  it('illegal instruction word', () => {
    const { core } = load('li a0, 1\nli a1, 2\n.word 0xffffffff');
    expect(core.run(100)).toBe('error');
    expect(core.error?.code).toBe('illegal-instruction');
    expect(core.error?.message).toMatch(/^core 'c0' at pc 0x00000008 after 2 instructions: illegal instruction 0xffffffff/);
    expect(core.error?.path).toBe('c0');
    expect(core.pc).toBe(8);
    expect(core.isHalted).toBe(true);
    expect(core.run(100)).toBe('error');
    expect(core.instructions).toBe(2);
  });

  it('all-zero memory is illegal (running off the program)', () => {
    const { core } = load('nop');
    expect(core.run(100)).toBe('error');
    expect(core.error?.message).toMatch(/pc 0x00000004 after 1 instructions: illegal instruction 0x00000000/);
  });

  it('misaligned loads and stores', () => {
    for (const [src, what] of [['lw a1, 1(a0)', 'lw'], ['lh a1, 3(a0)', 'lh'], ['sw a1, 2(a0)', 'sw'], ['sh a1, 1(a0)', 'sh']] as const) {
      const { core } = load(`li a0, 0x1000\n${src}`);
      expect(core.run(100)).toBe('error');
      expect(core.error?.code).toBe('misaligned-access');
      expect(core.error?.message).toContain(`core 'c0' at pc 0x00000004 after 1 instructions: misaligned ${what} at address 0x0000100`);
    }
    const ok = exec('li a0, 0x1001\nlb a1, 0(a0)\nlbu a1, 0(a0)\nsb a1, 0(a0)\nlh a2, 1(a0)');
    expect(ok.reg(A2)).toBe(0);
  });

  it('unmapped loads, stores and fetches', () => {
    const { core } = load('li a0, 0x20000\nnop\nlw a1, 8(a0)');
    expect(core.run(100)).toBe('error');
    expect(core.error?.code).toBe('unmapped-address');
    expect(core.error?.message).toMatch(/^core 'c0' at pc 0x00000008 after 2 instructions: lw from address 0x00020008: address 0x00020008 \(4 bytes\) is outside memory/);
    const st = load('li a0, -4\nsw a0, 0(a0)').core;
    expect(st.run(100)).toBe('error');
    expect(st.error?.message).toMatch(/sw to address 0xfffffffc/);
    const f = load('li a0, 0x10000\njr a0').core;
    expect(f.run(100)).toBe('error');
    expect(f.error?.message).toMatch(/^core 'c0' at pc 0x00010000 after 2 instructions: fetching at 0x00010000: address 0x00010000/);
  });

  it('misaligned jump and branch targets', () => {
    const { core } = load('li a0, 0x102\njalr ra, 0(a0)');
    expect(core.run(100)).toBe('error');
    expect(core.error?.code).toBe('misaligned-jump');
    expect(core.error?.message).toContain("core 'c0' at pc 0x00000004 after 1 instructions: jump or branch target 0x00000102");
    const w = encodeInstr(makeInstr('beq', { imm: 6 }));
    const b = load(`.word ${w}`).core;
    expect(b.run(10)).toBe('error');
    expect(b.error?.code).toBe('misaligned-jump');
  });
});

describe('Rv32Core: env and decode cache', () => {
  it('custom instructions go to the env: results, stalls, wait-and-retry, yield, exit', () => {
    const seen: string[] = [];
    let waits = 1;
    const env: CoreEnv = {
      ecall: (c) => (c.reg(17) === 93 ? ENV_EXIT : 0),
      ebreak: () => ENV_YIELD,
      custom: (c, ins) => {
        seen.push(`${ins.op}@${c.pc}`);
        if (ins.op === 'dma.1d') { c.setReg(ins.rd, 42); return 5; }
        if (ins.op === 'sync.bar') return waits-- > 0 ? ENV_WAIT : 0;
        return 0;
      },
    };
    const { core } = load('li a0, 1\nli a1, 2\ndma.addr a0, a1\ndma.1d t0, a0\nsync.bar zero\nebreak\nacc.cmd a3, a0, a1, 7\nmv a0, t0\nli a7, 93\necall\nnop', { env });
    expect(core.run(100)).toBe('wait');
    expect(core.pc).toBe(16);
    expect(core.instructions).toBe(4);
    expect(core.run(100)).toBe('yield');
    expect(core.pc).toBe(24);
    expect(core.run(100)).toBe('exit');
    expect(core.exitCode).toBe(42);
    expect(core.isHalted).toBe(true);
    expect(core.run(100)).toBe('exit');
    expect(seen).toEqual(['dma.addr@8', 'dma.1d@12', 'sync.bar@16', 'sync.bar@16', 'acc.cmd@24']);
    expect(core.stallCycles).toBe(5);
    expect(core.classStats().dma).toEqual({ instructions: 2, cycles: 2 + 5 });
    expect(core.classStats().sync).toEqual({ instructions: 1, cycles: 1 });
    expect(core.classStats().accel).toEqual({ instructions: 1, cycles: 1 });
  });

  it('a custom instruction without env is an error; env exceptions are reported with the pc', () => {
    const { core } = load('nop\ndma.waitall');
    expect(core.run(10)).toBe('error');
    expect(core.error?.code).toBe('no-core-env');
    expect(core.error?.message).toContain("core 'c0' at pc 0x00000004 after 1 instructions: dma.waitall needs the platform");
    const env: CoreEnv = { ecall: () => 0, ebreak: () => 0, custom: () => { throw new Error('queue exploded'); } };
    const e = load('acc.drain 3', { env }).core;
    expect(e.run(10)).toBe('error');
    expect(e.error?.message).toBe("core 'c0' at pc 0x00000000 after 0 instructions: acc.drain: queue exploded");
  });

  it('decodes each address once, and a store over cached code takes effect (self-modifying code)', () => {
    const patch = assembleOrThrow('addi a0, a0, 100').words[0]!;
    const { core } = load([
      'li t0, 2', 'li a0, 0', `li t2, ${patch}`,
      'loop: target: addi a0, a0, 1', 'sw t2, 16(zero)', 'addi t0, t0, -1', 'bnez t0, loop',
      'ecall',
    ].join('\n'));
    expect(core.run(100)).toBe('ecall');
    expect(core.reg(A0)).toBe(101);
    expect(core.cachedInstructions).toBe(8); // 9 instructions; the patched one was dropped again by the second store
  });

  it('invalidate() after an external write to code', () => {
    const { core, mem } = load('li a0, 1\necall\nj .+0');
    expect(core.run(100)).toBe('ecall');
    mem.writeWords(0, assembleOrThrow('li a0, 2').words);
    core.reset(0);
    expect(core.run(100)).toBe('ecall');
    expect(core.reg(A0)).toBe(1); // stale decode, as documented
    core.invalidate(0, 4);
    core.reset(0);
    expect(core.run(100)).toBe('ecall');
    expect(core.reg(A0)).toBe(2);
  });
});
