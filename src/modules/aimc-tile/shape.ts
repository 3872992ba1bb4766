/** The walk of an MVM over a programmed tile, shared by the ideal (model.ts) and the analog (noise.ts) paths. */
import type { AimcTileState } from './model.js';

/**
 * How an MVM walks a programmed tile, shared by the ideal and the analog paths: `mode` 0 one
 * column per unit (ternary, offset), 1 differential with analog subtraction (G+ - G- as one
 * unit), 2 differential with digital subtraction; the columns used, slices and units per
 * output, cell bits, and the DAC's digit slicing (pulse-width: one pass; bit-serial: `b`-bit
 * digits, `lowMask` the magnitude bits of signed inputs).
 */
export function mvmShape(st: AimcTileState): { mode: 0 | 1 | 2; used: number; slices: number; cpo: number; cb: number; pwm: boolean; b: number; dmask: number; lowMask: number } {
  const { config: c, layout: L } = st;
  const mode = c.mapping === 'differential' ? (c.subtraction === 'analog' ? 1 : 2) : 0;
  const b = c.dacSliceBits;
  return {
    mode, used: mode === 1 ? st.unitCols : st.colsUsed, slices: L.slices, cpo: mode === 1 ? L.slices : L.colsPerOutput, cb: c.cellBits,
    pwm: c.dac === 'pulse-width', b, dmask: (1 << b) - 1, lowMask: c.inputSigned ? (1 << (c.inputBits - 1)) - 1 : -1,
  };
}
