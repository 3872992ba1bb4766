import { expect } from 'vitest';
import { SimError } from '../../src/util/index.js';

/** Runs `f` and returns the SimError it throws; fails the test if it throws anything else or nothing. */
export function simError(f: () => unknown): SimError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(SimError);
    return e as SimError;
  }
  throw new Error('expected a SimError, nothing was thrown');
}
