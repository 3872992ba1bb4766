import { describe, expect, it } from 'vitest';
import * as event from '../../src/kernel/event.js';
import * as proc from '../../src/kernel/process.js';
import { KERNEL_STATE_COPIES } from '../../src/kernel/simulation.js';

describe('kernel state constants', () => {
  it('the scheduler\'s local copies equal the exported originals', () => {
    const originals: Record<string, unknown> = { ...event, ...proc };
    const names = Object.keys(KERNEL_STATE_COPIES);
    expect(names.length).toBe(16);
    for (const n of names) expect([n, KERNEL_STATE_COPIES[n]]).toEqual([n, originals[n]]);
  });
});

describe('time constants', () => {
  it('the scheduler uses util MAX_TIME', async () => {
    const { MAX_TIME } = await import('../../src/util/index.js');
    expect(MAX_TIME).toBe(9007199254740991);
  });
});
