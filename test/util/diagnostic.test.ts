import { describe, expect, it } from 'vitest';
import { didYouMean, editDistance, formatDiagnostic, formatDiagnostics, hasErrors, sortDiagnostics, unknownNameHint, type Diagnostic } from '../../src/util/index.js';

const d = (line: number, column: number, extra: Partial<Diagnostic> = {}): Diagnostic => ({
  severity: 'error', code: 'unknown-key', message: "unknown key 'clok'", file: 'p.yaml', line, column, ...extra,
});

describe('diagnostics', () => {
  it('formats compiler style with a hint line', () => {
    expect(formatDiagnostic(d(3, 5, { hint: "did you mean 'clock'?" }))).toBe("p.yaml:3:5: error[unknown-key]: unknown key 'clok'\n  hint: did you mean 'clock'?");
    expect(formatDiagnostic(d(1, 1, { severity: 'warning' }))).toBe("p.yaml:1:1: warning[unknown-key]: unknown key 'clok'");
  });

  it('sorts by position and counts', () => {
    expect(sortDiagnostics([d(4, 1), d(2, 9), d(2, 3)]).map((x) => `${x.line}:${x.column}`)).toEqual(['2:3', '2:9', '4:1']);
    expect(formatDiagnostics([d(2, 1), d(1, 1, { severity: 'warning' })]).split('\n').at(-1)).toBe('1 error, 1 warning');
    expect(hasErrors([d(1, 1, { severity: 'note' })])).toBe(false);
    expect(hasErrors([d(1, 1)])).toBe(true);
  });

  it('edit distance and did-you-mean', () => {
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(editDistance('', 'abc')).toBe(3);
    expect(editDistance('same', 'same')).toBe(0);
    expect(didYouMean('clok', ['kind', 'clock', 'params'])).toBe('clock');
    expect(didYouMean('parms', ['kind', 'clock', 'params'])).toBe('params');
    expect(didYouMean('scrachpad', ['core', 'scratchpad'])).toBe('scratchpad');
    expect(didYouMean('SizeBytes', ['sizeBytes'])).toBe('sizeBytes');
    expect(didYouMean('zzzz', ['kind', 'clock'])).toBeUndefined();
    expect(unknownNameHint('zzzz', ['kind', 'clock'], 'allowed keys')).toBe('allowed keys: kind, clock');
    expect(unknownNameHint('kin', ['kind', 'clock'])).toBe("did you mean 'kind'?");
  });
});
