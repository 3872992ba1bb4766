/**
 * `edgesim run --model`: compile once, simulate N inferences of a raw uint8 dataset, compare each
 * with the reference evaluator, report accuracy, latency, energy and duty cycles.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../helpers/repo.js';
import { ints } from '../helpers/data.js';
import { PLATFORM_F, deployable } from './model-files.js';

const main = `${repoRoot}dist/cli/main.js`;
const cli = (...args: string[]) => {
  const r = spawnSync(process.execPath, [main, ...args], { encoding: 'utf8', cwd: repoRoot });
  return { code: r.status, out: r.stdout, err: r.stderr };
};

describe('edgesim run --model', () => {
  it('runs N inferences bit-exact with the reference evaluator and reports accuracy, latency and energy', () => {
    const dir = mkdtempSync(join(tmpdir(), 'edgesim-run-model-'));
    const model = deployable(dir);            // QLinearMatMul: uint8 [2,4] x [4,3] -> uint8 [2,3]
    const plat = PLATFORM_F(dir);
    writeFileSync(join(dir, 'x.bin'), Uint8Array.from(ints(5 * 8, 0, 255, 9)));
    writeFileSync(join(dir, 'y.bin'), Uint8Array.from([0, 1, 2, 3, 4]));
    const out = join(dir, 'trace');
    const r = cli('run', '--platform', plat, '--model', model, '--data', join(dir, 'x.bin'), '--labels', join(dir, 'y.bin'), '--shape', '2,4', '-n', '5', '--out', out);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^model .*qlinearmatmul\.onnx on platform 'pulp-cluster' \(9 cores: pe0, .*, cc\), 5 inferences of .*x\.bin \(preprocess raw, the default for a uint8 input\)\n/);
    expect(r.out).toMatch(/\naccuracy: \d\/5 = \d+\.\d % \(top-1 of output 'y'\)\n/);
    expect(r.out).toContain('\nreference evaluator: 5/5 inferences bit-exact on every output\n');
    expect(r.out).toMatch(/\nlatency per inference \(simulated\): mean \d+(\.\d+)? [nu]s, min /);
    expect(r.out).toMatch(/\nenergy per inference: mean \d+(\.\d+)? [pnu]J /);
    expect(r.out).toMatch(/\npe0\s+core\s+\d+(\.\d+)? [nu]s\s+\d+\.\d %/);
    const saved = JSON.parse(readFileSync(join(out, 'inferences.json'), 'utf8')) as { summary: { inferences: number; referenceBitExact: number }; inferences: { top1: number }[] };
    expect(saved.summary).toMatchObject({ inferences: 5, referenceBitExact: 5 });
    expect(saved.inferences).toHaveLength(5);
  });

  it('ResNet-8 on diana-like: the convolutions on the PE array, the float side on the host, bit-exact', () => {
    const r = cli('run', '--platform', 'platforms/diana-like.yaml', '--model', 'test/fixtures/models/mlperf_tiny_resnet8_int8_qop.onnx',
      '--data', 'test/fixtures/models/data/cifar10_test500_images_u8.bin', '--labels', 'test/fixtures/models/data/cifar10_test500_labels_u8.bin',
      '--shape', '3,32,32', '-n', '2', '--output', 'logits_q', '--out', join(mkdtempSync(join(tmpdir(), 'edgesim-diana-')), 't'));
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toContain('\nreference evaluator: 2/2 inferences bit-exact on every output\n');
    expect(r.out.match(/\nnode 'conv_2d_\d+' \(#\d+, QLinearConv\)\s+QLinearConv\s+dacc\s/g)).toHaveLength(9);
    expect(r.out).toMatch(/\nnode 'fully_connected_14' \(#26, QLinearConv\)\s+QLinearConv\s+dacc\s/);
    expect(r.out).toMatch(/\ndacc\s+pe-array\s+\d+(\.\d+)? us\s+\d+\.\d %\n/);
  });

  it('a mapping file forces layers (here conv_2d_0 back onto the cores), still bit-exact; bad targets are positioned diagnostics', () => {
    const dir = mkdtempSync(join(tmpdir(), 'edgesim-mapping-'));
    writeFileSync(join(dir, 'map.yaml'), 'mapping: first-on-cores\nlayers:\n  conv_2d_0: cores\n');
    const args = ['run', '--platform', 'platforms/diana-like.yaml', '--model', 'test/fixtures/models/mlperf_tiny_resnet8_int8_qop.onnx',
      '--data', 'test/fixtures/models/data/cifar10_test500_images_u8.bin', '--shape', '3,32,32', '-n', '1', '--output', 'logits_q', '--out', join(dir, 't')];
    const r = cli(...args, '--mapping', join(dir, 'map.yaml'));
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toContain('\nreference evaluator: 1/1 inferences bit-exact on every output\n');
    expect(r.out).toMatch(/\nnode 'conv_2d_0' \(#0, QLinearConv\)\s+QLinearConv\s+cores\s.*forced/);
    expect(r.out).toMatch(/\nnode 'conv_2d_1' \(#1, QLinearConv\)\s+QLinearConv\s+dacc\s/);
    writeFileSync(join(dir, 'bad.yaml'), 'layers:\n  conv_2d_0: dac\n');
    const bad = cli(...args, '--mapping', join(dir, 'bad.yaml'));
    expect(bad.code).toBe(1);
    expect(bad.err).toMatch(/bad\.yaml:2:14: error\[unknown-target\]: layer 'conv_2d_0': 'dac' is not an instance of platform 'diana-like'\n  hint: did you mean 'dacc'\?/);
  });

  it('bad arguments are one clear line with exit 1; a model the compiler cannot map is exit 1', () => {
    const dir = mkdtempSync(join(tmpdir(), 'edgesim-run-model-'));
    const model = deployable(dir);
    writeFileSync(join(dir, 'x.bin'), new Uint8Array(16));
    expect(cli('run', '--platform', 'platforms/pulp-cluster.yaml', '--model', model, '--shape', '2,4')).toMatchObject({ code: 1, err: 'edgesim: error [bad-argument]: --model needs --data <images.bin> and --shape <C,H,W> (and --labels for accuracy)\n' });
    expect(cli('run', '--platform', 'platforms/pulp-cluster.yaml', '--model', model, '--data', join(dir, 'x.bin'), '--shape', '2,x')).toMatchObject({ code: 1 });
    expect(cli('run', '--platform', 'platforms/pulp-cluster.yaml', '--model', model, '--data', join(dir, 'x.bin'), '--shape', '2,4', '--preprocess', 'mul2').err).toBe('edgesim: error [bad-argument]: --preprocess \'mul2\' must be one of sub128, div255, raw\n');
    const wrong = cli('run', '--platform', 'platforms/pulp-cluster.yaml', '--model', model, '--data', join(dir, 'x.bin'), '--shape', '3,3');
    expect(wrong.code).toBe(1);
    expect(wrong.err).toMatch(/error \[dataset-size\]: .*x\.bin: 16 image bytes are not a whole number of 9-byte samples/);
    const float = cli('run', '--platform', 'platforms/diana-like.yaml', '--model', 'test/fixtures/models/onnx_zoo_mnist8_float.onnx', '--data', join(dir, 'x.bin'), '--shape', '2,4');
    expect(float.code).toBe(1);
    expect(float.err).toMatch(/error\[unsupported-op\]: node 'Convolution28' \(#1, Conv\)/);
  });
});
