/** Scenario files: loading, positioned diagnostics for bad input, fault targets against the platform. */
import { describe, expect, it } from 'vitest';
import { checkScenarioTargets, loadScenario } from '../../src/platform/index.js';
import { cleanGraph, readRepoFile, repoRoot } from '../helpers/repo.js';

const HEAD = `scenario: t
platform: p.yaml
model: m.onnx
data: { images: i.bin, shape: [3, 32, 32] }
seed: 1
chips: 2
inferences: 3
`;

describe('scenario files', () => {
  it('the shipped scenarios load without diagnostics and their targets exist', () => {
    for (const f of ['scenarios/l1-upsets-pulp.yaml']) {
      const r = loadScenario(f, readRepoFile(f)!);
      expect(r.diagnostics).toEqual([]);
      const t = checkScenarioTargets(r.value!, cleanGraph('platforms/pulp-cluster.yaml'));
      expect(t.diagnostics).toEqual([]);
      expect(t.value![0]!.ranges).toEqual([{ instance: 'l1', from: 0x1000_0000, to: 0x1001_0000 }]);
    }
  });

  it('defaults: all 8 bits, no region, the first millisecond; threshold as a percentage', () => {
    const r = loadScenario('s.yaml', `${HEAD}threshold: 85%\nfaults:\n  - { kind: bit-flip, target: l1, rate: 1e-6 }\n`);
    expect(r.diagnostics).toEqual([]);
    const f = r.value!.faults[0]!;
    expect(f).toMatchObject({ kind: 'bit-flip', target: 'l1', rate: 1e-6, count: undefined, bits: [0, 1, 2, 3, 4, 5, 6, 7], region: undefined, window: [0, 1e9] });
    expect(f.at).toEqual({ file: 's.yaml', line: 10, column: 31 });
    expect(r.value!.threshold).toBe(0.85);
  });

  it('bad input: each problem with file:line:column and a code', () => {
    const text = `${HEAD}threshold: 1.5
faults:
  - kind: bit-flop
    target: l1
    count: 1
  - kind: bit-flip
    target: l1
    rate: 2
  - kind: bit-flip
    target: l1
    count: 1
    rate: 0.1
  - kind: bit-flip
    target: l1
    count: 1
    window: [2ms, 1ms]
    bits: [8]
  - kind: bit-flip
    target: l1
    count: 1.5
    regoin: [0, 16]
`;
    const r = loadScenario('bad.yaml', text);
    expect(r.value).toBeUndefined();
    const got = r.diagnostics.map((d) => `${d.line}:${d.column} ${d.code}`);
    expect(got).toEqual(expect.arrayContaining([
      '8:12 bad-value', // threshold
      '10:11 unknown-fault-kind',
      '15:11 bad-value', // rate 2
      '16:5 bad-fault-amount',
      '23:13 empty-range',
      '24:11 bad-value', // bits
      '27:12 bad-value', // count 1.5
      '28:5 unknown-key', // regoin
    ]));
    expect(got).toHaveLength(8);
    expect(r.diagnostics.find((d) => d.code === 'unknown-fault-kind')!.hint).toContain('bit-flip');
    expect(r.diagnostics.find((d) => d.code === 'unknown-key')!.hint).toContain('region');
  });

  it('targets: a glob matching nothing, a non-memory, or a region outside every match is an error at the target', () => {
    const g = cleanGraph('platforms/pulp-cluster.yaml');
    const r = loadScenario('t.yaml', `${HEAD}faults:
  - { kind: bit-flip, target: l3, count: 1 }
  - { kind: bit-flip, target: pe*, count: 1 }
  - { kind: bit-flip, target: l1, count: 1, region: [0x0, 0x100] }
  - { kind: bit-flip, target: 'l?', count: 1, region: [0x1000FF00, 0x1C000100] }
`);
    expect(r.diagnostics).toEqual([]);
    const t = checkScenarioTargets(r.value!, g);
    expect(t.diagnostics.map((d) => `${d.line}:${d.column} ${d.code}`)).toEqual(['9:31 unknown-fault-target', '10:31 unknown-fault-target', '11:31 fault-region-outside']);
    expect(t.diagnostics[1]!.message).toContain("'pe0' (core)");
    // the glob l? matches l1 and l2: the region is clipped to each
    const ok = checkScenarioTargets({ ...r.value!, faults: [r.value!.faults[3]!] }, g);
    expect(ok.value![0]!.ranges).toEqual([{ instance: 'l1', from: 0x1000_ff00, to: 0x1001_0000 }, { instance: 'l2', from: 0x1c00_0000, to: 0x1c00_0100 }]);
  });
});

describe('shipped scenarios', () => {
  it('every scenarios/*.yaml loads, and at every sweep point its params apply and its fault targets exist', async () => {
    const { readdirSync } = await import('node:fs');
    const { applyScenarioParams, scenarioAtPoint, sweepPoints } = await import('../../src/platform/index.js');
    const { catalog } = await import('../../src/modules/index.js');
    const files = readdirSync(`${repoRoot}scenarios`).filter((f) => f.endsWith('.yaml'));
    expect(files.length).toBeGreaterThanOrEqual(5);
    for (const f of files) {
      const r = loadScenario(`scenarios/${f}`, readRepoFile(`scenarios/${f}`)!);
      expect(r.diagnostics, f).toEqual([]);
      const plat = cleanGraph(r.value!.platform.replace(/^\.\.\//, ''));
      for (const p of sweepPoints(r.value!)) {
        const s = scenarioAtPoint(r.value!, p);
        expect(s.diagnostics, `${f} ${p.join(',')}`).toEqual([]);
        const g = applyScenarioParams(s.value!, plat, catalog);
        expect(g.diagnostics, `${f} ${p.join(',')}`).toEqual([]);
        expect(checkScenarioTargets(s.value!, g.value!).diagnostics, f).toEqual([]);
      }
    }
  });
});
