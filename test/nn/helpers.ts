/** Fixture loading for the nn tests (test/fixtures/models, see its README). */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type NnGraph, type Tensor, decodeTensorProto, importOnnx } from '../../src/nn/index.js';
import { formatDiagnostics } from '../../src/util/index.js';

export const MODELS = fileURLToPath(new URL('../fixtures/models/', import.meta.url));

/** Imports a fixture model, failing with the formatted diagnostics. */
export function loadModel(rel: string): NnGraph {
  const r = importOnnx(readFileSync(MODELS + rel), { file: rel });
  if (r.value === undefined) throw new Error(formatDiagnostics(r.diagnostics));
  return r.value;
}

/** Reads a serialized TensorProto fixture. */
export function loadTensorPb(rel: string): Tensor {
  const r = decodeTensorProto(readFileSync(MODELS + rel), rel);
  if (r.value === undefined) throw new Error(formatDiagnostics(r.diagnostics));
  return r.value.tensor;
}

export const readJson = <T>(rel: string): T => JSON.parse(readFileSync(MODELS + rel, 'utf8')) as T;
export const readBytes = (rel: string): Uint8Array => new Uint8Array(readFileSync(MODELS + rel));

/** The index of the largest value (first on ties). */
export function argmax(a: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < a.length; i++) if (a[i]! > a[best]!) best = i;
  return best;
}
