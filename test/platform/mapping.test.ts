/** Mapping files: layer -> target, checked against the platform with positioned diagnostics. */
import { describe, expect, it } from 'vitest';
import { loadMapping } from '../../src/platform/index.js';
import { cleanGraph } from '../helpers/repo.js';

const diana = cleanGraph('platforms/diana-like.yaml');

describe('loadMapping', () => {
  it('reads layer targets: cores or an accelerator instance', () => {
    const r = loadMapping('m.yaml', 'mapping: mine\nlayers:\n  conv_2d_0: cores\n  conv_2d_1: dacc\n  fc: aimc\n', diana);
    expect(r.diagnostics).toEqual([]);
    expect(r.value!.name).toBe('mine');
    expect([...r.value!.targets]).toEqual([['conv_2d_0', 'cores'], ['conv_2d_1', 'dacc'], ['fc', 'aimc']]);
  });

  it('reads ODiMO channel splits { split: f }; a fraction outside [0, 1] is an error at its position', () => {
    const r = loadMapping('m.yaml', 'layers:\n  conv_2d_6: { split: 0.5 }\n  conv_2d_9: dacc\n', diana);
    expect(r.diagnostics).toEqual([]);
    expect([...r.value!.splits]).toEqual([['conv_2d_6', 0.5]]);
    expect([...r.value!.targets]).toEqual([['conv_2d_9', 'dacc']]);
    const bad = loadMapping('m.yaml', 'layers:\n  conv_2d_6: { split: 1.5 }\n  conv_2d_7: { splitt: 0.5 }\n', diana);
    expect(bad.diagnostics.map((d) => `${d.code} @ ${d.line}:${d.column}`)).toEqual(['bad-value @ 2:23', 'unknown-key @ 3:16', 'missing-key @ 3:14']);
  });

  it('reports every problem at its position with a fix', () => {
    const r = loadMapping('m.yaml', 'layres:\n  a: dacc\nlayers:\n  conv_2d_0: dac\n  conv_2d_1: l1\n  conv_2d_2: [1, 2]\n', diana);
    expect(r.value).toBeUndefined();
    expect(r.diagnostics.map((d) => `${d.code} @ ${d.line}:${d.column} | ${d.message} | ${d.hint ?? ''}`)).toEqual([
      "unknown-key @ 1:1 | unknown key 'layres' in the mapping file | did you mean 'layers'?",
      "unknown-target @ 4:14 | layer 'conv_2d_0': 'dac' is not an instance of platform 'diana-like' | did you mean 'dacc'?",
      "unknown-target @ 5:14 | layer 'conv_2d_1': 'l1' is a scratchpad, not an accelerator (pe-array, aimc-tile) | targets: cores, dacc, aimc",
      "bad-type @ 6:14 | layer 'conv_2d_2': the target must be a name (or { split: f }) | write 'cores' or one of: dacc, aimc",
    ]);
    expect(loadMapping('m.yaml', 'mapping: x\n', diana).diagnostics.map((d) => d.code)).toEqual(['missing-key']);
    expect(loadMapping('m.yaml', 'layers: [\n', diana).diagnostics.map((d) => d.code)).toContain('yaml-syntax');
  });
});
