import type { AdcConfig } from '../../src/modules/index.js';

/**
 * Reference ADC code of value `v`: the code whose centre (code x LSB) is nearest to gain x v, a
 * tie going to the code of larger magnitude (half away from zero). Every code is tried, so
 * saturation falls out (a value beyond the range is nearest to an end code); a closed form would
 * repeat the implementation.
 */
export function refCode(c: AdcConfig, v: number): number {
  const signed = c.coding !== 'unsigned';
  const lsb = c.fullScale / 2 ** (signed ? c.bits - 1 : c.bits);
  const lo = c.coding === 'unsigned' ? 0 : c.coding === 'twos-complement' ? -(2 ** (c.bits - 1)) : -(2 ** (c.bits - 1) - 1);
  const hi = signed ? 2 ** (c.bits - 1) - 1 : 2 ** c.bits - 1;
  const g = c.gain * v;
  let best = lo;
  let bestErr = Infinity;
  for (let k = lo; k <= hi; k++) {
    const err = Math.abs(k * lsb - g);
    if (err < bestErr || (err === bestErr && Math.abs(k) > Math.abs(best))) {
      best = k;
      bestErr = err;
    }
  }
  return best;
}
