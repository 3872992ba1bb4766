import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { OPCODES, renderIsaDoc } from '../../src/isa/index.js';

const DOC = fileURLToPath(new URL('../../docs/ISA.md', import.meta.url));

describe('docs/ISA.md', () => {
  it('is the output of renderIsaDoc() (regenerate with EDGESIM_UPDATE_DOCS=1 npx vitest run test/isa/doc.test.ts)', () => {
    const text = renderIsaDoc();
    if (process.env['EDGESIM_UPDATE_DOCS'] === '1') writeFileSync(DOC, text);
    expect(readFileSync(DOC, 'utf8')).toBe(text);
  });

  it('documents every instruction with a section, its class and its semantics', () => {
    const text = renderIsaDoc();
    for (const d of OPCODES) {
      expect(text).toContain(`### ${d.mnemonic}\n`);
      expect(text).toContain(d.semantics);
    }
  });
});
