/** Scenario files: loading, positioned diagnostics for bad input, fault targets against the platform. */
import { describe, expect, it } from 'vitest';
import { checkScenarioTargets, loadScenario } from '../../src/platform/index.js';
import { catalog } from '../../src/modules/index.js';
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
      const t = checkScenarioTargets(r.value!, cleanGraph('platforms/pulp-cluster.yaml'), catalog);
      expect(t.diagnostics).toEqual([]);
      expect(t.value![0]!.ranges).toEqual([{ instance: 'l1', from: 0x1000_0000, to: 0x1001_0000 }]);
    }
  });

  it('defaults: all 8 bits, no region, the first millisecond; threshold as a percentage', () => {
    const r = loadScenario('s.yaml', `${HEAD}threshold: 85%\nfaults:\n  - { kind: bit-flip, target: l1, rate: 1e-6 }\n`);
    expect(r.diagnostics).toEqual([]);
    const f = r.value!.faults[0]!;
    expect(f).toMatchObject({ kind: 'bit-flip', target: 'l1', rate: 1e-6, count: undefined, bits: undefined, region: undefined, window: [0, 1e9] });
    expect(f.at).toEqual({ file: 's.yaml', line: 10, column: 31 });
    // every bit of a byte once resolved against a memory
    expect(checkScenarioTargets(r.value!, cleanGraph('platforms/pulp-cluster.yaml'), catalog).value![0]!.bits).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
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
    bits: [32]
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
  - { kind: bit-flip, target: eu, count: 1 }
  - { kind: bit-flip, target: l1, count: 1, region: [0x0, 0x100] }
  - { kind: bit-flip, target: 'l?', count: 1, region: [0x1000FF00, 0x1C000100] }
`);
    expect(r.diagnostics).toEqual([]);
    const t = checkScenarioTargets(r.value!, g, catalog);
    expect(t.diagnostics.map((d) => `${d.line}:${d.column} ${d.code}`)).toEqual(['9:31 unknown-fault-target', '10:31 unknown-fault-target', '11:31 fault-region-outside']);
    expect(t.diagnostics[1]!.message).toContain("'eu' (event-unit), none of which has a bit-flip fault point");
    expect(t.diagnostics[1]!.hint).toContain('pe0 (core)');
    // the glob l? matches l1 and l2: the region is clipped to each
    const ok = checkScenarioTargets({ ...r.value!, faults: [r.value!.faults[3]!] }, g, catalog);
    expect(ok.value![0]!.ranges).toEqual([{ instance: 'l1', from: 0x1000_ff00, to: 0x1001_0000 }, { instance: 'l2', from: 0x1c00_0000, to: 0x1c00_0100 }]);
  });

  it('stuck-at, register and data-corruption faults: fields checked per kind, with positions', () => {
    const r = loadScenario('k.yaml', `${HEAD}faults:
  - { kind: stuck-at, target: l1, count: 3 }
  - { kind: stuck-at, target: l1, count: 3, value: 2 }
  - { kind: stuck-at, target: l1, count: 3, value: 1, window: [0ns, 1ms] }
  - { kind: bit-flip, target: l1, count: 3, value: 1 }
  - { kind: data-corruption, target: dma, count: 3 }
  - { kind: data-corruption, target: dma, rate: 1e-6, registers: [x1] }
  - { kind: bit-flip, target: pe0, count: 1, registers: [x0, 'x5-x2', q7, 'x1-f3'] }
`);
    expect(r.diagnostics.map((d) => `${d.line}:${d.column} ${d.code}`)).toEqual([
      '9:5 bad-value', // stuck-at without value
      '10:52 bad-value', // value 2
      '11:55 bad-fault-field', // window on stuck-at
      '12:45 bad-fault-field', // value on bit-flip
      '13:50 bad-fault-amount', // count on data-corruption
      '14:55 bad-fault-field', // registers on data-corruption
      '15:58 bad-value', '15:62 bad-value', '15:71 bad-value', '15:75 bad-value', // x0, x5-x2, q7, x1-f3
    ]);
    expect(r.diagnostics[0]!.message).toContain("'value: 0', 'value: 1' or 'value: random'");
    expect(r.diagnostics[4]!.message).toContain('only known when the program runs');
    expect(r.diagnostics[6]!.hint).toContain('x0 is hard-wired');
  });

  it('targets by fault point: registers need cores (and F for f registers), byte bits stop at 7, one corruption per instance, no mixed globs', () => {
    const g = cleanGraph('platforms/pulp-cluster.yaml');
    const r = loadScenario('t.yaml', `${HEAD}faults:
  - { kind: bit-flip, target: 'pe*', count: 2, registers: ['x1-x3', f0, pc] }
  - { kind: bit-flip, target: l1, count: 1, bits: [8] }
  - { kind: bit-flip, target: l1, count: 1, registers: [x1] }
  - { kind: bit-flip, target: '*', count: 1 }
  - { kind: stuck-at, target: pe0, count: 1, value: 1 }
  - { kind: data-corruption, target: dma, rate: 1e-6, bits: [7] }
  - { kind: data-corruption, target: 'd*', rate: 1e-6 }
  - { kind: data-corruption, target: l1, rate: 1e-6 }
`);
    expect(r.diagnostics).toEqual([]);
    const t = checkScenarioTargets(r.value!, g, catalog);
    expect(t.diagnostics.map((d) => `${d.line}:${d.column} ${d.code}`)).toEqual([
      '10:31 bad-fault-bits', '11:31 bad-fault-field', '12:31 mixed-fault-target', '13:31 unknown-fault-target', '15:38 duplicate-fault-target', '16:38 unknown-fault-target',
    ]);
    expect(t.diagnostics[3]!.message).toContain("'pe0' (core), none of which has a stuck-at fault point");
    expect(t.diagnostics[5]!.hint).toContain('axi (xbar)');
    const ok = checkScenarioTargets({ ...r.value!, faults: [r.value!.faults[0]!, r.value!.faults[5]!] }, g, catalog).value!;
    // x1..x3, f0 (32) and pc (64) of each of the 8 workers: runs of consecutive numbers
    expect(ok[0]!.space).toBe('registers');
    expect(ok[0]!.ranges.filter((x) => x.instance === 'pe3')).toEqual([{ instance: 'pe3', from: 1, to: 4 }, { instance: 'pe3', from: 32, to: 33 }, { instance: 'pe3', from: 64, to: 65 }]);
    expect(ok[0]!.bits).toHaveLength(32);
    expect(ok[1]).toMatchObject({ space: 'transit', ranges: [{ instance: 'dma', from: 0, to: 2 ** 32 }], bits: [7] });
    // f registers on a core without F
    const d = cleanGraph('platforms/diana-like.yaml');
    const core = Object.values(d.instances).find((i) => i.kind === 'core' && !(i.params.extensions as string[]).includes('F'));
    if (core !== undefined) {
      const rf = loadScenario('f.yaml', `${HEAD}faults:\n  - { kind: bit-flip, target: ${core.name}, count: 1, registers: [f1] }\n`);
      expect(checkScenarioTargets(rf.value!, d, catalog).diagnostics[0]!.message).toContain('no F extension');
    }
  });
});

describe('shipped scenarios', () => {
  it('every scenarios/*.yaml loads, and at every sweep point its params apply and its fault targets exist', async () => {
    const { readdirSync } = await import('node:fs');
    const { applyScenarioParams, scenarioAtPoint, sweepPoints } = await import('../../src/platform/index.js');
    const { catalog } = await import('../../src/modules/index.js');
    // mapping files sit beside the scenarios that name them; sweep-*.yaml are design-space sweeps (test/dse/sweep-run.test.ts)
    const files = readdirSync(`${repoRoot}scenarios`).filter((f) => f.endsWith('.yaml') && !f.endsWith('.mapping.yaml') && !f.startsWith('sweep-'));
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
        expect(checkScenarioTargets(s.value!, g.value!, catalog).diagnostics, f).toEqual([]);
      }
    }
  });
});
