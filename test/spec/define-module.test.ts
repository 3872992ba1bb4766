import { describe, expect, expectTypeOf, it } from 'vitest';
import { CoreDef, DmaDef, ScratchpadDef, catalog } from '../../src/modules/index.js';
import { defaultParams, defineModule, describeModule, makeCatalog, param, port, type ParamsOf } from '../../src/spec/index.js';

describe('defineModule', () => {
  it('types params from the declaration', () => {
    type P = ParamsOf<typeof ScratchpadDef>;
    expectTypeOf<P['sizeBytes']>().toEqualTypeOf<number>();
    expectTypeOf<P['interleaving']>().toEqualTypeOf<'word' | 'block'>();
    expectTypeOf<ParamsOf<typeof CoreDef>['extensions']>().toEqualTypeOf<readonly ('Xedma' | 'Xesimd' | 'Xesync' | 'Xeacc' | 'F')[]>();
    expectTypeOf<ParamsOf<typeof DmaDef>['twoD']>().toEqualTypeOf<boolean>();
    expect(() => defineModule({
      kind: 'typed',
      doc: { summary: 's', models: 'm', doesNotModel: 'd', timing: 't', energy: 'e' },
      params: { n: param.int({ doc: 'n', default: 1 }), e: param.energy({ doc: 'e', default: '1pJ' }) },
      ports: () => [],
      // @ts-expect-error 'n' is not an energy param
      energy: (b) => ({ bad: b.perEvent('n', 'no') }),
    })).toThrow(/'n', which is not an energy param/); // also refused at run time
  });

  it('reads values with units, ranges and powers of two, never throwing', () => {
    const s = ScratchpadDef.params;
    expect(s.sizeBytes.parse('64KiB')).toEqual({ ok: true, value: 65536 });
    expect(s.sizeBytes.parse(65536)).toMatchObject({ ok: false, code: 'bad-unit' });
    expect(s.banks.parse(12)).toMatchObject({ ok: false, code: 'out-of-range', hint: 'use 8 or 16' });
    expect(s.banks.parse(2048)).toMatchObject({ ok: false, code: 'out-of-range' });
    expect(s.interleaving.parse('diagonal')).toMatchObject({ ok: false, code: 'bad-value', hint: 'write one of word, block' });
    expect(CoreDef.params.extensions.parse(['Xedma', 'Xfoo'])).toMatchObject({ ok: false, code: 'bad-value' });
    expect(CoreDef.params.quantum.parse('100ns')).toEqual({ ok: true, value: 100_000 });
    expect(DmaDef.params.twoD.parse('yes')).toMatchObject({ ok: false, code: 'bad-value' });
  });

  it('computes ports from params', () => {
    const p = defaultParams(ScratchpadDef);
    expect(p).toBeUndefined(); // tech params have no default
    const ports = ScratchpadDef.ports({ sizeBytes: 65536, banks: 16, wordBytes: 8, interleaving: 'word', ports: 13, accessCycles: 1, readEnergy: 1, writeEnergy: 1, leakage: 0, bitArea: 0 });
    expect(ports).toEqual([expect.objectContaining({ name: 'mem', role: 'target', protocol: 'mem', widthBits: 64, count: 13 })]);
  });

  it('refuses declaration bugs at definition time', () => {
    const doc = { summary: 's', models: 'm', doesNotModel: 'd', timing: 't', energy: 'e' };
    expect(() => defineModule({ kind: 'Bad_Kind', doc, params: {}, ports: () => [] })).toThrow(/kebab-case/);
    expect(() => defineModule({ kind: 'x', doc, params: { n: param.int({ doc: 'n', default: 0, min: 1 }) }, ports: () => [] })).toThrow(/default of 'n'/);
    expect(() => defineModule({ kind: 'x', doc, params: {}, ports: () => [port.eventIn('a', { doc: '' }), port.eventIn('a', { doc: '' })] })).toThrow(/twice/);
    expect(() => makeCatalog([ScratchpadDef, ScratchpadDef])).toThrow(/twice/);
  });

  it('every kind in the catalog has the four doc headings, docs on every param, and energy events that name params', () => {
    expect([...catalog.keys()]).toEqual(['core', 'dma', 'scratchpad', 'xbar', 'memory', 'event-unit', 'aimc-tile', 'adc', 'pe-array']);
    for (const def of catalog.values()) {
      for (const k of ['summary', 'models', 'doesNotModel', 'timing', 'energy'] as const) expect(def.doc[k].length, `${def.kind}.doc.${k}`).toBeGreaterThan(10);
      for (const [n, s] of Object.entries(def.params)) expect((s as { doc: string }).doc.length, `${def.kind}.${n}`).toBeGreaterThan(2);
      for (const e of Object.values(def.energy)) expect(Object.keys(def.params)).toContain(e.kind === 'per-event' ? e.cost : e.power);
      const text = describeModule(def);
      expect(text).toContain(`${def.kind}: `);
      expect(text).toContain('Does not model:');
    }
  });
});

describe('module reference', () => {
  it('is generated from the declarations and matches the golden file (docs cannot drift)', async () => {
    const fill = (def: Parameters<typeof describeModule>[0]) =>
      defaultParams(def) ?? Object.fromEntries(Object.entries(def.params).map(([n, s]) => {
        const r = (s as { default?: unknown; parse(raw: unknown): { ok: boolean; value?: unknown } }).parse((s as { default?: unknown }).default ?? 0);
        return [n, r.ok ? r.value : 0];
      }));
    const text = [...catalog.values()].map((d) => describeModule(d, fill(d))).join('\n\n---\n\n');
    await expect(`${text}\n`).toMatchFileSnapshot('./golden/describe.txt');
  });
});
