import { describe, expect, it } from 'vitest';
import { loadRepoPlatform, readRepoFile } from '../helpers/repo.js';
import { catalog } from '../../src/modules/index.js';
import { dumpPlatform, loadPlatform } from '../../src/platform/index.js';

const load = (name: string) => {
  const file = `test/platform/fixtures/${name}.yaml`;
  return loadRepoPlatform(file);
};
/** code @ line:column in file, and a piece of the hint. */
const brief = (name: string) => load(name).diagnostics.map((d) => `${d.code} @ ${d.file.replace('test/platform/fixtures/', '')}:${d.line}:${d.column} | ${d.hint ?? ''}`);

describe('platform diagnostics: one broken fixture per kind, with position and fix', () => {
  it('a correct small platform loads into a frozen graph', () => {
    const r = load('ok');
    expect(r.diagnostics).toEqual([]);
    expect(r.graph).toBeDefined();
    expect(Object.isFrozen(r.graph)).toBe(true);
    expect(Object.isFrozen(r.graph!.instances['ram']!.params)).toBe(true);
    expect(r.graph!.instances['ram']!.params['sizeBytes']).toBe(65536);
    expect(r.graph!.instances['cpu']!.paramOrigin['instrEnergy']).toMatch(/^tech:platforms\/tech\/pulp-open.yaml: gvsoc/);
    expect(r.graph!.clocks['sys']).toEqual({ name: 'sys', freqHz: 1e8, periodPs: 10_000 });
    expect(JSON.parse(dumpPlatform(r.graph!)).addressMap[0]).toMatchObject({ target: 'ram', base: 0, size: 65536, baseHex: '0x00000000' });
  });

  const cases: [string, string[]][] = [
    ['unknown-key', ["unknown-key @ unknown-key.yaml:5:34 | did you mean 'params'?"]],
    ['unknown-kind', ["unknown-kind @ unknown-kind.yaml:7:16 | did you mean 'memory'? (run 'edgesim describe' for the list)"]],
    ['unknown-param', ["unknown-param @ unknown-param.yaml:7:46 | did you mean 'sizeBytes'?"]],
    ['bad-unit', [
      'bad-unit @ bad-unit.yaml:3:16 | write a frequency such as 250MHz or a period such as 4ns',
      "bad-unit @ bad-unit.yaml:7:57 | see 'edgesim describe memory'",
    ]],
    ['out-of-range', [
      'out-of-range @ out-of-range.yaml:6:86 | use 32 or 64',
      'out-of-range @ out-of-range.yaml:7:98 | use a value of at least 0 cycles',
    ]],
    ['missing-clock', [
      "missing-clock @ missing-clock.yaml:5:3 | add 'clock: sys' (clock domains: sys)",
      'unknown-clock @ missing-clock.yaml:6:29 | clock domains: sys',
    ]],
    ['missing-param', [
      'missing-param @ missing-param.yaml:4:3 | set params: { instrEnergy: ... } or include a tech file with values: { core: { instrEnergy: { value: ..., source: ... } } }',
      'missing-param @ missing-param.yaml:4:3 | set params: { leakage: ... } or include a tech file with values: { core: { leakage: { value: ..., source: ... } } }',
      'missing-param @ missing-param.yaml:5:3 | set params: { transferEnergy: ... } or include a tech file with values: { xbar: { transferEnergy: { value: ..., source: ... } } }',
      'missing-param @ missing-param.yaml:5:3 | set params: { leakage: ... } or include a tech file with values: { xbar: { leakage: { value: ..., source: ... } } }',
      'missing-param @ missing-param.yaml:6:3 | set params: { accessEnergy: ... } or include a tech file with values: { memory: { accessEnergy: { value: ..., source: ... } } }',
      'missing-param @ missing-param.yaml:6:3 | set params: { leakage: ... } or include a tech file with values: { memory: { leakage: { value: ..., source: ... } } }',
    ]],
    ['param-combination', [
      'bad-param-combination @ param-combination.yaml:6:60 | use 1024 B or change banks/wordBytes',
      'bad-param-combination @ param-combination.yaml:7:56 | use a multiple of 4 B',
      'bad-param-combination @ param-combination.yaml:8:58 | use at most 256 B',
    ]],
    ['aimc-params', [
      'bad-param-combination @ aimc-params.yaml:7:56 | use at least 30 cols, more bits per cell or fewer weight bits',
      "bad-param-combination @ aimc-params.yaml:7:97 | see 'edgesim describe aimc-tile'",
      'bad-param-combination @ aimc-params.yaml:8:72 | use at least 32 (or 0 for the default 48)',
    ]],
    ['unbound-port', ["unbound-port @ unbound-port.yaml:5:3 | add under connections: '- cpu.data -> <instance>.<target port>'"]],
    ['protocol-mismatch', ["protocol-mismatch @ protocol-mismatch.yaml:10:5 | connect 'cpu.sync' to a sync target port"]],
    ['width-mismatch', ["width-mismatch @ width-mismatch.yaml:10:5 | make both 32 bits (set the width param of 'ram' or 'bus'), or connect through an xbar, which converts widths"]],
    ['connections', [
      "unknown-port @ connections.yaml:11:5 | did you mean 'data'?",
      "unknown-instance @ connections.yaml:12:18 | did you mean 'bus'?",
      'port-index @ connections.yaml:13:18 | write bus.in[0] ... bus.in[1]',
      "port-index @ connections.yaml:14:18 | use an index below 2, or raise the param that sizes 'in'",
      "role-mismatch @ connections.yaml:15:5 | swap the ends: 'cpu.fetch -> bus.in[1]' (connections go initiator -> target)",
      "port-already-bound @ connections.yaml:16:18 | use another element of 'bus.in' (it has 2)",
      "bad-connection @ connections.yaml:17:5 | write 'instance.port -> instance.port', with [i] for an element of a port array: 'dma.local[0] -> l1.mem[1]'",
    ]],
    ['address-overlap', ["address-overlap @ address-overlap.yaml:15:26 | move 'rom' to 0x10010000 or above, or shrink 'ram'"]],
    ['address-misaligned', ['address-misaligned @ address-misaligned.yaml:12:26 | use base: 0x00000000 or 0x00010000']],
    ['address-size', [
      'address-size @ address-size.yaml:12:37 | use size: 64KiB or less, or raise ram.sizeBytes',
      'address-target @ address-size.yaml:13:15 | map only memories, scratchpads and modules with registers (a mem target port)',
    ]],
    ['missing-key', ["missing-key @ missing-key.yaml:5:8 | add 'kind:'"]],
    ['yaml-syntax', ['yaml-syntax @ yaml-syntax.yaml:6:1 | fix the YAML syntax (indentation, colons, quotes)']],
    ['include-not-found', ['include-not-found @ include-not-found.yaml:2:11 | paths are relative to the platform file, e.g. tech/pulp-open.yaml']],
    ['tech-errors', [
      'missing-source @ tech/bad.yaml:4:5 | add source: "<paper, datasheet or repository path>" (every technology value names where it comes from)',
      "unknown-param @ tech/bad.yaml:5:5 | did you mean 'leakage'?",
      "unknown-kind @ tech/bad.yaml:6:3 | did you mean 'scratchpad'?",
      "bad-unit @ tech/bad.yaml:9:28 | see 'edgesim describe memory'",
    ]],
  ];
  for (const [name, expected] of cases) {
    it(`${name}.yaml`, () => {
      expect(brief(name)).toEqual(expected);
      expect(load(name).graph).toBeUndefined();
    });
  }

  it('messages name both ends of a bad connection with role, protocol and width', () => {
    const [w] = load('width-mismatch').diagnostics;
    expect(w!.message).toBe("connection 'bus.out[0] -> ram.mem[0]': width mismatch, bus.out[0] (initiator, mem, 32 bits) vs ram.mem[0] (target, mem, 64 bits)");
    const [p] = load('protocol-mismatch').diagnostics;
    expect(p!.message).toBe("connection 'cpu.sync -> ram.mem[1]': protocol mismatch, cpu.sync (initiator, sync, 32 bits) vs ram.mem[1] (target, mem, 32 bits)");
    const [o] = load('address-overlap').diagnostics;
    expect(o!.message).toBe("address map: 'rom' [0x10008000, 0x10010000) overlaps 'ram' [0x10000000, 0x10010000)");
  });

  it('collects every problem of a file at once', () => {
    const text = readRepoFile('test/platform/fixtures/ok.yaml')!
      .replace('clocks: { sys: 100MHz }', 'clocks: { sys: 100MHz }\nclok: 1')
      .replace('kind: core, clock: sys', 'kind: core, clock: sys, params: { aluCycles: 0, hartid: 1 }')
      .replace('kind: memory', 'kind: memroy');
    const r = loadPlatform('test/platform/fixtures/many.yaml', text, { catalog, readFile: readRepoFile });
    expect(r.diagnostics.map((d) => d.code).sort()).toEqual(['out-of-range', 'unknown-key', 'unknown-kind', 'unknown-param']);
  });

  it('a clock whose period is not whole picoseconds is a warning; the graph is still built', () => {
    const text = readRepoFile('test/platform/fixtures/ok.yaml')!.replace('sys: 100MHz', 'sys: 300MHz');
    const r = loadPlatform('test/platform/fixtures/w.yaml', text, { catalog, readFile: readRepoFile });
    expect(r.diagnostics.map((d) => `${d.severity} ${d.code} ${d.line}:${d.column}`)).toEqual(['warning clock-period-rounded 3:16']);
    expect(r.graph!.clocks['sys']!.periodPs).toBe(3333);
  });

  it('duplicate keys are YAML errors with a position', () => {
    const text = readRepoFile('test/platform/fixtures/ok.yaml')!.replace('clocks: { sys: 100MHz }', 'clocks: { sys: 100MHz, sys: 200MHz }');
    const r = loadPlatform('test/platform/fixtures/d.yaml', text, { catalog, readFile: readRepoFile });
    expect(r.diagnostics.map((d) => `${d.code} ${d.line}:${d.column}`)).toEqual(['yaml-syntax 3:24']);
  });

  it('wrong shapes and names: bad-type, bad-name', () => {
    const text = readRepoFile('test/platform/fixtures/ok.yaml')!
      .replace('include: [../../../platforms/tech/pulp-open.yaml]', 'include: ../../../platforms/tech/pulp-open.yaml')
      .replace('  cpu: { kind: core, clock: sys }', '  cpu: { kind: core, clock: sys }\n  my-ram: { kind: memory, clock: sys }');
    const r = loadPlatform('test/platform/fixtures/s.yaml', text, { catalog, readFile: readRepoFile });
    expect(r.diagnostics.map((d) => `${d.code} ${d.line}:${d.column} ${d.hint ?? ''}`)).toEqual([
      "bad-type 2:10 write 'include' as '- item' lines or [a, b]",
      'bad-name 6:3 rename it, e.g. core0',
    ]);
  });

  it('a narrower initiator may drive an interconnect input (width conversion), not a memory', () => {
    const text = readRepoFile('test/platform/fixtures/ok.yaml')!.replace('initiators: 1, targets: 1', 'initiators: 1, targets: 1, dataWidthBits: 64').replace('dataWidthBits: 32 }', 'dataWidthBits: 64 }');
    expect(loadPlatform('test/platform/fixtures/conv.yaml', text, { catalog, readFile: readRepoFile }).diagnostics).toEqual([]);
  });
});

describe('clocks given as a period', () => {
  it('a period is exact and raises no rounding warning', () => {
    const file = 'test/platform/fixtures/ok.yaml';
    const text = readRepoFile(file)!.replace(/sys: [0-9A-Za-z.]+/, 'sys: 3846ps');
    expect(text).toContain('sys: 3846ps');
    const r = loadPlatform(file, text, { catalog, readFile: readRepoFile });
    expect(r.diagnostics).toEqual([]);
    expect(r.graph!.clocks['sys']!.periodPs).toBe(3846);
    expect(r.graph!.clocks['sys']!.freqHz).toBeCloseTo(260.01e6, -4);
  });
});

describe('declaration checks name the instance and the parameter', () => {
  it('an AIMC tile that cannot hold one output, an ADC coding that needs more bits, an accumulator narrower than a product', () => {
    const d = load('aimc-params').diagnostics.map((x) => x.message);
    expect(d).toEqual([
      "instance 'tile' (aimc-tile): cols 8 cannot hold one output: differential mapping of 16-bit weights in 1-bit cells takes 30 columns per output",
      "instance 'tile' (aimc-tile): param 'adcBits' must be at least 2 for sign-magnitude codes",
      "instance 'pes' (pe-array): accBits 24 cannot hold one int16 x int16 product (32 bits)",
    ]);
  });
});
