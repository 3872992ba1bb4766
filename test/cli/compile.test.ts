/**
 * `edgesim compile` through the built command: the QLinearMatMul 2D node test rewritten so that
 * its weights and quantization parameters are initializers (a deployable model), compiled for
 * pulp-cluster with the F extension; the written program and images, run by the simulator,
 * give the node test's expected output. Bad inputs: one clear message, exit 1 or 2.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CoreSim, catalog } from '../../src/modules/index.js';
import { loadPlatform } from '../../src/platform/index.js';
import { instantiate } from '../../src/sim/index.js';
import { repoRoot } from '../helpers/repo.js';
import { loadTensorPb } from '../nn/helpers.js';
import { PLATFORM_F, deployable } from './model-files.js';

const main = `${repoRoot}dist/cli/main.js`;
const cli = (...args: string[]) => {
  const r = spawnSync(process.execPath, [main, ...args], { encoding: 'utf8', cwd: repoRoot });
  return { code: r.status, out: r.stdout, err: r.stderr };
};

describe('edgesim compile', () => {
  it('writes the program, images, manifest and mapping; loaded into the simulator they give the expected output', () => {
    const dir = mkdtempSync(join(tmpdir(), 'edgesim-compile-'));
    const model = deployable(dir);
    const plat = PLATFORM_F(dir);
    const out = join(dir, 'out');
    const r = cli('compile', model, '--platform', plat, '-o', out, '--cores', 'pe0,pe1');
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^compiled 'qlinearmatmul\.onnx' for platform 'pulp-cluster' on 2 core\(s\) \(pe0, pe1\): \d+ instruction words at 0x1C000000 \(l2\), \d+ data image\(s\), 1 layer\(s\); wrote /);
    expect(r.out).toMatch(/\nnode '#0' \(#0, QLinearMatMul\)\s+QLinearMatMul\s+cores\s+2\s+24\s+48 B\s+8 B\s+6 B\s+l1\/l1\/l1\s+\d+\s+\d+\n/); // 2x4 x 4x3: 24 MACs
    const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')) as {
      cores: string[]; extensions: string[]; program: { origin: number; file: string };
      images: { file: string; address: number }[]; inputs: { name: string; address: number; shape: number[] }[]; outputs: { name: string; address: number; shape: number[] }[];
    };
    expect(manifest.cores).toEqual(['pe0', 'pe1']);
    expect(manifest.extensions).toContain('F');
    expect(readFileSync(join(out, 'program.s'), 'utf8')).toMatch(/fcvt\.w\.s/);

    // load what was written, by hand, into a fresh platform and run it
    const loaded = loadPlatform(plat, readFileSync(plat, 'utf8'), { catalog, readFile: (f) => (existsSync(f) ? readFileSync(f, 'utf8') : undefined) });
    expect(loaded.diagnostics).toEqual([]);
    const p = instantiate(loaded.graph!);
    const pe0 = p.get('pe0', CoreSim);
    const words = readFileSync(join(out, 'program.hex'), 'utf8').trim().split('\n').map((h) => parseInt(h, 16));
    for (const img of manifest.images) pe0.debugWrite(img.address, new Uint8Array(readFileSync(join(out, img.file))));
    const a = loadTensorPb('onnx_node_tests/test_qlinearmatmul_2D/test_data_set_0/input_0.pb');
    pe0.debugWrite(manifest.inputs[0]!.address, new Uint8Array(a.data.buffer, a.data.byteOffset, a.data.byteLength));
    const cores = manifest.cores.map((c) => p.get(c, CoreSim));
    for (const c of cores) c.core.invalidate(manifest.program.origin, 4 * words.length);
    pe0.load({ origin: manifest.program.origin, words });
    cores.forEach((c) => c.start(manifest.program.origin, { regs: { 11: cores.length } }));
    p.sim.run();
    expect(cores.map((c) => c.core.exitCode)).toEqual([0, 0]);
    const want = loadTensorPb('onnx_node_tests/test_qlinearmatmul_2D/test_data_set_0/output_0.pb');
    const o = manifest.outputs[0]!;
    expect(Array.from(pe0.debugRead(o.address, want.data.length))).toEqual(Array.from(want.data as Uint8Array));
  });

  it('reports model, platform and compiler problems with exit 1, usage problems with exit 1 too', () => {
    const dir = mkdtempSync(join(tmpdir(), 'edgesim-compile-'));
    const model = deployable(dir);
    // a diana-like whose host core lacks the F extension the requantization needs
    const noF = join(dir, 'diana-no-f.yaml');
    writeFileSync(noF, readFileSync(`${repoRoot}platforms/diana-like.yaml`, 'utf8').replace(', extensions: [Xedma, Xesimd, Xesync, Xeacc, F]', '').replace('include: [tech/diana-22nm.yaml]', `include: [${repoRoot}platforms/tech/diana-22nm.yaml]`));
    const r = cli('compile', model, '--platform', noF, '-o', join(dir, 'x'));
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/error\[missing-extension\]: core 'host' lacks the F extension/);
    expect(r.err).not.toMatch(/ at .*\.js:\d+/); // no stack trace
    // the float mnist-8 CNN: float input, float Conv (only quantized convolutions are compiled)
    const unsupported = cli('compile', 'test/fixtures/models/onnx_zoo_mnist8_float.onnx', '--platform', 'platforms/pulp-cluster.yaml', '-o', join(dir, 'y'));
    expect(unsupported.code).toBe(1);
    expect(unsupported.err).toMatch(/error\[unsupported-op\]: node 'Convolution28' \(#1, Conv\): the compiler does not support Conv on float32 input 'Input3' \(not the integer output of a QONNX Quant.*\n  hint: a float Conv is compiled only as DequantizeLinear -> Conv -> QuantizeLinear/);
    const broken = join(dir, 'broken.onnx');
    writeFileSync(broken, readFileSync(model).subarray(0, 40));
    expect(cli('compile', broken, '--platform', 'platforms/pulp-cluster.yaml', '-o', join(dir, 'z')).code).toBe(1);
    expect(cli('compile', 'nope.onnx', '--platform', 'platforms/pulp-cluster.yaml', '-o', join(dir, 'z'))).toMatchObject({ code: 1, err: "edgesim: error [bad-argument]: cannot read model file 'nope.onnx': no such file\n" });
    expect(cli('compile', model, '-o', join(dir, 'z')).code).toBe(1); // --platform missing
  });
});
