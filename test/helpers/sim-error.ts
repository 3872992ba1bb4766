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

/** The code of the SimError `f` throws, or 'no error' when it returns; rethrows anything else. */
export function simErrorCode(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    if (e instanceof SimError) return e.code;
    throw e;
  }
  return 'no error';
}
