/** `bench nn` (src/cli/bench-nn.ts) with tiny sizes: the result's shape, never its times. */
import { describe, expect, it } from 'vitest';
import { nnBenchLines, runNnBench } from '../../src/cli/bench-nn.js';
import { SimError } from '../../src/util/index.js';

describe('bench nn', () => {
  it('measures ResNet-8 reference inferences and MACs per CPU-second', () => {
    const r = runNnBench({ inferences: 2, warmup: 0 });
    expect(r).toMatchObject({ inferences: 2, requant: 'float32' });
    expect(r.model).toMatch(/mlperf_tiny_resnet8_int8_qop\.onnx$/);
    // 9 convs + the FC (as a 1x1 conv): about 12.5 M MACs.
    expect(r.macsPerInference).toBeGreaterThan(12e6);
    expect(r.macsPerInference).toBeLessThan(13e6);
    expect(r.cpuSeconds).toBeGreaterThanOrEqual(0);
    expect(r.inferencesPerCpuSecond).toBeGreaterThan(0);
    expect(r.macsPerCpuSecond).toBeGreaterThan(0);
  });

  it('prints one line per requantization form and refuses bad arguments', () => {
    const lines = nnBenchLines({ inferences: 1, warmup: 0 });
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^nn reference mlperf_tiny_resnet8_int8_qop\.onnx float32: inferences_per_cpu_s=\S+ macs_per_cpu_s=\S+M \(1 inferences, \d+\.\d\dM MACs each, cpu_s=\d+\.\d{4}\)$/);
    expect(lines[1]).toContain('fixed-point');
    expect(() => runNnBench({ inferences: 0 })).toThrow(SimError);
    expect(() => runNnBench({ model: '/nonexistent/model.onnx' })).toThrow(SimError);
  });
});
