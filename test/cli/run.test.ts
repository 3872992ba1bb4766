/**
 * `edgesim run` and `edgesim bench platform` through the built command (dist/cli/main.js): exit
 * codes, the report, the trace folder, and errors as one clear message without a stack trace.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cliTestFolder, repoRootCli as repoRoot, runCli } from '../helpers/cli.js';

const root = repoRoot;
const cli = (...args: string[]): { code: number; out: string; err: string } => runCli(args);
const tmp = cliTestFolder('edgesim-run-');
const PLATFORM = 'platforms/pulp-cluster.yaml';
const WORKERS = ['pe0', 'pe1', 'pe2', 'pe3', 'pe4', 'pe5', 'pe6', 'pe7'];

const noStack = (text: string): void => {
  expect(text).not.toMatch(/^\s+at /m);
  expect(text).not.toContain('internal error');
};

describe('edgesim run', () => {
  it('runs the vector add on the 8 workers: exit 0, per-core counts, trace folder', () => {
    const out = join(tmp(), 'vadd');
    const r = cli('run', PLATFORM, 'test/fixtures/asm/vadd.s', '--cores', WORKERS.join(','), '--out', out);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    // per core: 63 instructions, 77 issue cycles + 16 stall cycles, exit at 93 cycles of 4 ns
    for (const c of WORKERS) expect(r.out).toMatch(new RegExp(`^${c}\\s+code 0\\s+372 ns\\s+63 instr\\s+77 cycles\\s+16 cycles\\s+0\\.677 instr/cycle$`, 'm'));
    expect(r.out).not.toMatch(/^cc\s+code/m);
    expect(r.out).toContain('simulated time: 372 ns');
    expect(r.out).toContain('bank conflicts: 0 requests');
    expect(r.out).toContain('bytes moved by dma: 0 B');
    expect(r.out).toMatch(/^l1\s+scratchpad\s+.*reads=128 words, writes=64 words/m);
    expect(r.out).toContain('UNPRICED');
    expect(r.out).toContain('ok: every started core exited with code 0 at 372 ns');

    const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8'));
    expect(report.run).toMatchObject({ platform: 'pulp-cluster', ok: true, failures: [], entry: 0x1c000000 });
    expect(report.run.cores.map((c: { core: string }) => c.core)).toEqual(WORKERS);
    for (const c of report.run.cores) expect(c).toMatchObject({ exited: true, exitCode: 0, exitTimePs: 372_000, instructions: 63, cycles: 77, stallCycles: 16 });
    expect(report.report).toMatchObject({ simulatedTimePs: 372_000, simulatedTime: '372 ns', bankConflicts: 0, dmaBytes: { dma: 0 } });
    expect(report.report.components.map((c: { path: string }) => c.path)).toContain('l1');

    const energy = JSON.parse(readFileSync(join(out, 'energy.json'), 'utf8'));
    expect(energy).toMatchObject({ platform: 'pulp-cluster', elapsedPs: 372_000 });
    expect(energy.totalPj).toBeGreaterThan(0);
    expect(energy.unpriced.length).toBeGreaterThan(0);
    expect(energy.components.find((c: { instance: string }) => c.instance === 'pe0')).toBeDefined();

    const platform = JSON.parse(readFileSync(join(out, 'platform.json'), 'utf8'));
    expect(platform.platform).toBe('pulp-cluster');
    expect(Object.keys(platform.instances)).toEqual(expect.arrayContaining([...WORKERS, 'l1', 'dma', 'eu']));
    expect(platform.connections.length).toBeGreaterThan(0);
  });

  it('--json prints run, report and energy', () => {
    const r = cli('run', PLATFORM, 'test/fixtures/asm/vadd.s', '--cores', 'pe0', '--out', join(tmp(), 'json'), '--json');
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out);
    expect(Object.keys(j)).toEqual(['run', 'report', 'energy']);
    expect(j.run.cores).toHaveLength(1);
  });

  it('runs an ELF and reports a non-zero exit code as a failure naming the core', () => {
    const r = cli('run', PLATFORM, 'test/fixtures/riscv/prog.elf', '--cores', 'pe0', '--out', join(tmp(), 'elf'));
    const code = JSON.parse(readFileSync(join(tmp(), 'elf', 'report.json'), 'utf8')).run.cores[0].exitCode;
    expect(r.code).toBe(code === 0 ? 0 : 1);
    if (code !== 0) expect(r.err).toContain(`core pe0 exited with code ${code}`);
  });

  it('an illegal instruction: exit 1, one message naming the core, the pc and the time', () => {
    const out = join(tmp(), 'illegal');
    const r = cli('run', PLATFORM, 'test/fixtures/asm/illegal.s', '--cores', 'pe0', '--out', out);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^edgesim: error \[illegal-instruction\]: core 'pe0' at pc 0x1c000008 .*\(time 8 ns\)$/m);
    noStack(r.err);
    expect(JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')).run).toMatchObject({ ok: false, error: { code: 'illegal-instruction', timePs: 8000 } });
  });

  it('a core that does not finish by --until is named, exit 1', () => {
    const r = cli('run', PLATFORM, 'test/fixtures/asm/vadd.s', '--cores', 'pe0', '--until', '100ns', '--out', join(tmp(), 'until'));
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/core pe0 did not exit by 100 ns/);
  });

  it('assembly errors are listed as file:line:col, exit 1', () => {
    const bad = join(tmp(), 'bad.s');
    writeFileSync(bad, 'li t0, 1\n  addx t0, t0, 1\n  ecall\n');
    const r = cli('run', PLATFORM, bad, '--out', join(tmp(), 'bad'));
    expect(r.code).toBe(1);
    expect(r.err).toContain(`${bad}:2:3: error[unknown-mnemonic]: unknown mnemonic 'addx'`);
    noStack(r.err);
    expect(existsSync(join(tmp(), 'bad'))).toBe(false);
  });

  it('platform errors are listed as diagnostics, exit 1', () => {
    const yaml = join(tmp(), 'broken.yaml');
    writeFileSync(yaml, readFileSync(join(root, PLATFORM), 'utf8').replace('kind: scratchpad', 'kind: scratchpda').replace('include: [tech/pulp-open.yaml]', `include: [${join(root, 'platforms/tech/pulp-open.yaml')}]`));
    const r = cli('run', yaml, 'test/fixtures/asm/vadd.s', '--out', join(tmp(), 'broken'));
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/broken\.yaml:\d+:\d+: error\[/);
    noStack(r.err);
  });

  it('missing files and bad arguments: one clear line, exit 1', () => {
    const missing = cli('run', PLATFORM, 'test/fixtures/asm/nope.s');
    expect(missing.code).toBe(1);
    expect(missing.err).toBe("edgesim: error [bad-argument]: cannot read program file 'test/fixtures/asm/nope.s': no such file\n");
    const noPlatform = cli('run', 'platforms/nope.yaml', 'test/fixtures/asm/vadd.s');
    expect(noPlatform.code).toBe(1);
    expect(noPlatform.err).toContain("cannot read platform file 'platforms/nope.yaml'");
    const core = cli('run', PLATFORM, 'test/fixtures/asm/vadd.s', '--cores', 'pe9');
    expect(core.code).toBe(1);
    expect(core.err).toContain("'pe9' is not a core of platform 'pulp-cluster'");
    const until = cli('run', PLATFORM, 'test/fixtures/asm/vadd.s', '--until', '10');
    expect(until.code).toBe(1);
    expect(cli('run', PLATFORM).code).toBe(1);
  });
});

describe('edgesim bench platform', () => {
  it('prints instructions per CPU-second for 1 and 8 cores and scratchpad transactions per CPU-second', () => {
    const r = cli('bench', 'platform', '--iterations', '2000');
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const lines = r.out.trim().split('\n');
    expect(lines).toHaveLength(5);
    expect(lines[0]).toMatch(/^pulp-cluster cores=1: instr_per_cpu_s=\S+ instructions\/CPU-s \(instructions=12007, cpu_s=[0-9.]+ s, sim_time=/);
    expect(lines[1]).toMatch(/^pulp-cluster cores=8: instr_per_cpu_s=\S+ instructions\/CPU-s \(instructions=96056, /);
    // the same loop on the bare ISS: 5 setup instructions + 6 per iteration + li, ecall (no hartId offset)
    expect(lines[2]).toMatch(/^stand-alone ISS \(same loop, flat RAM, no kernel\): instr_per_cpu_s=\S+ instructions\/CPU-s \(instructions=12007, /);
    expect(lines[3]).toMatch(/^platform \/ stand-alone ISS \(cores=8 run\): [0-9.]+$/);
    expect(lines[4]).toMatch(/^pulp-cluster l1 scratchpad \(cores=8 run\): tx_per_cpu_s=\S+ transactions\/CPU-s \(transactions=32000, /);
    const one = cli('bench', 'platform', '--cores', '1', '--iterations', '100');
    expect(one.out.trim().split('\n')).toHaveLength(4);
    expect(cli('bench', 'platform', '--cores', '4').code).toBe(1);
  });
});

describe('edgesim bench aimc / pe / nn', () => {
  it('print one line per shape or type with both rates and the ratio; bad sizes are usage errors', () => {
    const a = cli('bench', 'aimc', '--iterations', '3');
    expect(a.code).toBe(0);
    const al = a.out.trim().split('\n');
    expect(al).toHaveLength(2);
    expect(al[0]).toMatch(/^aimc 256x256 \(K=256, N=256, 8-bit inputs\): aimc_mvm_per_cpu_s=\S+ plain_matvec_per_cpu_s=\S+ ratio=\S+ \(plain \/ aimc; iterations=3, /);
    expect(al[1]).toMatch(/^aimc 1152x512 \(K=1152, N=512, /);
    const p = cli('bench', 'pe', '--size', '8');
    expect(p.code).toBe(0);
    expect(p.out.trim().split('\n').map((l) => l.replace(/=\S+/g, '=_').replace(/cpu_s=_/g, ''))).toHaveLength(2);
    expect(p.out).toMatch(/^pe-array int8 gemm 8x8x8: model macs_per_cpu_s=\S+ .*model \/ plain = \S+$/m);
    expect(p.out).toMatch(/^pe-array int16 gemm 8x8x8: /m);
    expect(cli('bench', 'pe', '--size', '0')).toMatchObject({ code: 1, err: "edgesim: error [bad-argument]: --size '0' must be an integer between 1 and 4096\n" });
    expect(cli('bench', 'aimc', '--iterations', 'many').code).toBe(1);
    const nn = cli('bench', 'nn', '--inferences', '1');
    expect(nn.code).toBe(0);
    expect(nn.out).toMatch(/^nn reference mlperf_tiny_resnet8_int8_qop\.onnx float32: inferences_per_cpu_s=\S+ macs_per_cpu_s=\S+M \(1 inferences, 12\.50M MACs each, /m);
    expect(nn.out).toMatch(/^nn reference mlperf_tiny_resnet8_int8_qop\.onnx fixed-point: /m);
  });
});
