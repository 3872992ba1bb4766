import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { runDemo } from '../../src/demo/producer-consumer.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const main = `${root}dist/cli/main.js`;

function cli(...args: string[]): { code: number; out: string; err: string } {
  const r = spawnSync(process.execPath, [main, ...args], { encoding: 'utf8', cwd: root });
  return { code: r.status ?? -1, out: r.stdout, err: r.stderr };
}

beforeAll(() => {
  if (!existsSync(main)) execFileSync('npm', ['run', 'build'], { cwd: root, stdio: 'ignore' });
});

describe('demo model', () => {
  it('moves every item through FIFO, bus and memory with back-pressure', () => {
    const r = runDemo({ items: 8 });
    expect(r.items).toBe(8);
    expect(r.checksum).toBe([1, 2, 3, 4, 5, 6, 7, 8].reduce((a, i) => a + i * i, 0));
    // The consumer stores one item per 25 ns, the producer makes one per 10 ns: the memory is the
    // bottleneck, so the run ends 25 ns after the last item could start: 10 + 8 * 25 = 210 ns.
    expect(r.simTime).toBe(210_000);
    expect(r.producerBlocked).toBeGreaterThan(0);
    expect(r.memoryBusyFraction).toBeCloseTo(200 / 210, 6);
    const stores = r.events.filter((e) => e.who === 'memory');
    expect(stores.map((e) => e.time)).toEqual([35, 60, 85, 110, 135, 160, 185, 210].map((t) => t * 1000));
  });

  it('is deterministic', () => {
    expect(runDemo({ items: 20 })).toEqual(runDemo({ items: 20 }));
  });
});

describe('edgesim command (README user guide)', () => {
  it('demo kernel prints the timeline and a summary with units', () => {
    const r = cli('demo', 'kernel');
    expect(r.code).toBe(0);
    expect(r.out).toContain('simulated time        210 ns');
    expect(r.out).toContain('memory busy           95.2 % of simulated time');
  });

  it('demo (the main job): ResNet-8 on pulp-cluster, bit-exact with the evaluator and onnxruntime, with latency, energy and duty cycles', () => {
    const out = mkdtempSync(join(tmpdir(), 'edgesim-demo-'));
    const r = cli('demo', '-n', '2', '--out', out);
    expect(r.err).toBe(''); // no progress line when stderr is not a terminal
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^model .*mlperf_tiny_resnet8_int8_qop\.onnx on platform 'pulp-cluster' \(9 cores: pe0, .*cc\), 2 inferences of .*cifar10_test500_images_u8\.bin \(preprocess sub128\)\n/);
    expect(r.out).toContain('\naccuracy: 2/2 = 100.0 % (top-1 of output \'logits_q\')\n'); // images 0 and 1 are classified right by onnxruntime too
    expect(r.out).toContain('\nreference evaluator: 2/2 inferences bit-exact on every output\n');
    expect(r.out).toContain('\nonnxruntime 1.30 (stored outputs): 2/2 inferences identical to its stored outputs\n');
    expect(r.out).toMatch(/\nlatency per inference \(simulated\): mean \d+(\.\d+)? ms/);
    expect(r.out).toMatch(/\npe0\s+core\s+\d+(\.\d+)? ms\s+\d+\.\d %\n/);
    const diana = cli('demo', '-n', '1', '--platform', 'diana-like', '--out', join(out, 'diana'));
    expect(diana.code).toBe(0);
    expect(diana.out).toMatch(/on platform 'diana-like' \(1 core: host\)/);
    expect(diana.out).toContain('\nonnxruntime 1.30 (stored outputs): 1/1 inferences identical to its stored outputs\n');
    expect(diana.out).toMatch(/\nnode 'conv_2d_0' \(#0, QLinearConv\)\s+QLinearConv\s+dacc\s/);
    expect(cli('demo', 'fancy').err).toBe("edgesim: error [bad-argument]: demo 'fancy' does not exist: use resnet8 (the default) or kernel\n");
    expect(cli('demo', '-n', '0').code).toBe(1);
  });

  it('bench kernel prints one line with the SystemC keys and correct values', () => {
    const r = cli('bench', 'kernel', 'w1', '100', '10', '10000', '--check');
    expect(r.code).toBe(0);
    const lines = r.out.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^W1 timed-ring N=100 T=10 M=10000 activations=10000 sim_time=999 ns deltas=1000 kernel_wall_s=[0-9.]+ act_per_s=[0-9]+ kernel_cpu_s=[0-9.]+ act_per_cpu_s=[0-9]+$/);
    const w5 = cli('bench', 'kernel', 'w5', '2', '1000', '--check');
    expect(w5.out).toMatch(/^W5 fifo P=2 M=1000 K=500 depth=16 items=1000 checksum=249500 sim_time=0 s deltas=64 kernel_wall_s=/);
    const w4 = cli('bench', 'kernel', 'w4', '4', '100', '--check');
    expect(w4.out).toMatch(/^W4 clocked-pipeline S=4 C=100 activations=400 sim_time=100 ns deltas=300 out=100 kernel_wall_s=/);
  });

  it('bad arguments get one clear line and exit code 1 (user error), never a stack trace', () => {
    const unknown = cli('bench', 'kernel', 'w9');
    expect(unknown.code).toBe(1);
    expect(unknown.err).toContain("unknown workload 'w9'; choose one of w1, w2, w3, w4, w5");
    expect(unknown.err).not.toContain('    at ');
    const badSize = cli('bench', 'kernel', 'w1', '10', 'x');
    expect(badSize.code).toBe(1);
    expect(badSize.err).toContain("size T='x' must be a non-negative integer");
    const badRing = cli('bench', 'kernel', 'w1', '10', '20', '40');
    expect(badRing.code).toBe(1);
    expect(badRing.err).toContain('T=20 must satisfy 1 <= T <= N (10)');
    const badCmd = cli('frobnicate');
    expect(badCmd.code).toBe(1);
    expect(badCmd.err).toContain("unknown command 'frobnicate'");
    const items = cli('demo', 'kernel', '--items', '-3');
    expect(items.code).toBe(1);
    expect(items.err).toContain("--items '-3' must be an integer");
  });
});
