/**
 * Single generated blocks for characterization (`edgesim characterize`): the Verilog of one PE
 * array (its PE module and the array module, nothing else), as `generateRtl` emits them for a
 * platform, so that synthesis results of the block stand for the block inside a platform.
 */
import { emitPe, emitPeArray, peArrayModuleName, peGeom, type RtlPeType } from './pe-array.js';

/** One output-stationary PE array of `rows x cols` PEs of `peType` (accumulator: the type's default when `accBits` is 0; LightPE: 8-bit activations, mMax 7, exact shifts, the pe-array defaults). */
export function peArrayUnitRtl(rows: number, cols: number, peType: RtlPeType, accBits = 0): { readonly top: string; readonly verilog: string } {
  const g = peGeom(rows, cols, peType, accBits);
  return { top: peArrayModuleName(g), verilog: `${emitPe(g)}${emitPeArray(g)}` };
}
