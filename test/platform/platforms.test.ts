import { readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadRepoPlatform, readRepoFile, repoRoot } from '../helpers/repo.js';
import { catalog } from '../../src/modules/index.js';
import { dumpPlatform, loadPlatform } from '../../src/platform/index.js';

const load = (file: string) => loadRepoPlatform(file);

describe('shipped platforms', () => {
  const files = readdirSync(`${repoRoot}platforms`).filter((f) => f.endsWith('.yaml'));

  it('there are platforms to check', () => {
    expect(files).toContain('pulp-cluster.yaml');
  });

  for (const f of files) {
    it(`platforms/${f} elaborates without diagnostics`, () => {
      const r = load(`platforms/${f}`);
      expect(r.diagnostics).toEqual([]);
      expect(r.graph).toBeDefined();
    });
  }

  it('pulp-cluster has the published shape (PLATFORMS.md (a))', () => {
    const g = load('platforms/pulp-cluster.yaml').graph!;
    const byKind = (k: string) => Object.values(g.instances).filter((i) => i.kind === k);
    expect(byKind('core')).toHaveLength(9);
    expect(byKind('core').map((c) => c.params['hartId']).sort((a, b) => Number(a) - Number(b))).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8]);
    expect(g.instances['l1']!.params).toMatchObject({ sizeBytes: 65536, banks: 16, wordBytes: 4, interleaving: 'word' });
    expect(g.instances['dma']!.params).toMatchObject({ twoD: true, maxBurstBytes: 256, maxOutstanding: 8, localPorts: 4, maxTransferBytes: 131072 });
    expect(g.instances['l2']!.params).toMatchObject({ sizeBytes: 512 * 1024 });
    expect(g.instances['pe0']!.params['instrEnergy']).toBe(2.49);
    expect(g.instances['l1']!.params['readEnergy']).toBe(2.12);
    expect(g.instances['dma']!.params['activePower']).toBe(187);
    expect(g.clocks['cluster']!.periodPs).toBe(4000);
    // every worker core reaches L1 on its own port (bank conflicts need per-master requests)
    for (let i = 0; i < 8; i++) expect(g.connections).toContainEqual(expect.objectContaining({ from: { instance: `pe${i}`, port: 'tcdm' }, to: { instance: 'l1', port: 'mem', index: i } }));
    expect(g.addressMap.map((r) => [r.target, r.base, r.size])).toEqual([['l1', 0x10000000, 65536], ['dma', 0x10201800, 1024], ['l2', 0x1c000000, 524288]]);
    const json = JSON.parse(dumpPlatform(g));
    expect(json.instances.l1.paramOrigin.readEnergy).toContain('gvsoc');
    expect(json.connections[0].text).toBe('pe0.data -> cxbar.in[0]');
  });

  it('every tech value names a source', () => {
    for (const f of readdirSync(`${repoRoot}platforms/tech`).filter((x) => x.endsWith('.yaml'))) {
      const text = readFileSync(`${repoRoot}platforms/tech/${f}`, 'utf8');
      const values = text.split('\n').filter((l) => /^\s+\w+: \{ value:/.test(l));
      expect(values.length).toBeGreaterThan(0);
      for (const l of values) expect(l, l).toMatch(/source: "[^"]{3,}"/);
    }
  });

  it('instance params override tech files, which override declaration defaults', () => {
    const text = readRepoFile('platforms/pulp-cluster.yaml')!.replace('pe0: { kind: core, clock: cluster, params: { hartId: 0, ', 'pe0: { kind: core, clock: cluster, params: { hartId: 0, instrEnergy: 1.2pJ, ');
    const g = loadPlatform('platforms/pulp-cluster.yaml', text, { catalog, readFile: readRepoFile }).graph!;
    expect(g.instances['pe0']!.params['instrEnergy']).toBe(1.2);
    expect(g.instances['pe0']!.paramOrigin['instrEnergy']).toBe('instance');
    expect(g.instances['pe1']!.paramOrigin['instrEnergy']).toMatch(/^tech:platforms\/tech\/pulp-open.yaml/);
    expect(g.instances['pe1']!.paramOrigin['aluCycles']).toBe('default');
  });
});
