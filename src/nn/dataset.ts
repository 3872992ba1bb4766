/**
 * Labelled datasets of raw uint8 samples (the format of `test/fixtures/models/data`: a flat file
 * of images in C order and a file of one label byte per sample) and the preprocessing that turns
 * a sample into a model input.
 */
import { SimError } from '../util/index.js';
import type { NnValueInfo } from './graph.js';
import { tensor, type Tensor } from './tensor.js';

/** A labelled dataset held in memory. */
export interface Dataset {
  /** Number of samples. */
  readonly count: number;
  /** Shape of one sample, e.g. `[3, 32, 32]` (planar CHW) or `[28, 28]`. */
  readonly sampleShape: readonly number[];
  /** All samples, `count x product(sampleShape)` bytes. */
  readonly images: Uint8Array;
  /** One label per sample. */
  readonly labels: Uint8Array;
}

/**
 * How a uint8 sample value p becomes a model input element:
 * - `sub128`: int8 p - 128 (an int8 input with scale 1 and zero point -128; MLPerf Tiny ResNet-8);
 * - `div255`: float32 p / 255 (torchvision `ToTensor`; TFC-2W2A);
 * - `raw`: p unchanged, as float32 or as the input's integer type (mnist-8 takes 0..255 floats).
 */
export type Preprocess = 'sub128' | 'div255' | 'raw';

/** Every {@link Preprocess}, for messages and CLI checks. */
export const PREPROCESSES: readonly Preprocess[] = ['sub128', 'div255', 'raw'];

/**
 * Checks and wraps raw dataset bytes. `what` names the files in messages.
 * @throws SimError `dataset-size` when the image bytes are not a whole number of samples or the
 * label count differs from the sample count, `dataset-shape` for a bad sample shape.
 */
export function makeDataset(images: Uint8Array, labels: Uint8Array, sampleShape: readonly number[], what = 'dataset'): Dataset {
  if (sampleShape.length === 0 || !sampleShape.every((d) => Number.isSafeInteger(d) && d > 0)) {
    throw new SimError('dataset-shape', `${what}: sample shape [${sampleShape.join(', ')}] must be positive integers`);
  }
  const per = sampleShape.reduce((a, b) => a * b, 1);
  if (images.length % per !== 0) {
    throw new SimError('dataset-size', `${what}: ${images.length} image bytes are not a whole number of ${per}-byte samples (shape [${sampleShape.join(', ')}])`);
  }
  const count = images.length / per;
  if (labels.length !== count) throw new SimError('dataset-size', `${what}: ${labels.length} labels for ${count} samples`);
  return { count, sampleShape: [...sampleShape], images, labels };
}

/**
 * Sample `i` as the value of graph input `input`, preprocessed. The sample's elements must
 * match the input's element count (a leading batch dimension of 1 is expected); its layout is
 * taken as is (e.g. planar CHW for an NCHW input).
 * @throws SimError `dataset-index`, `dataset-input` (size or type mismatch, naming both).
 */
export function sampleInput(ds: Dataset, i: number, input: NnValueInfo, pre: Preprocess): Tensor {
  if (!Number.isSafeInteger(i) || i < 0 || i >= ds.count) throw new SimError('dataset-index', `sample ${i} is outside the dataset's ${ds.count} samples`);
  const shape = (input.shape ?? []).map((d) => (typeof d === 'number' ? d : 1));
  const n = shape.reduce((a, b) => a * b, 1);
  const per = ds.sampleShape.reduce((a, b) => a * b, 1);
  if (n !== per) {
    throw new SimError('dataset-input', `input '${input.name}' [${shape.join(', ')}] has ${n} elements, a sample of shape [${ds.sampleShape.join(', ')}] has ${per}`);
  }
  const px = ds.images.subarray(i * per, (i + 1) * per);
  const dtype = input.dtype;
  if (pre === 'sub128') {
    if (dtype !== 'int8') throw new SimError('dataset-input', `preprocess sub128 makes int8 values, but input '${input.name}' is ${dtype ?? 'untyped'}`);
    return tensor('int8', shape, Array.from(px, (p) => p - 128));
  }
  if (pre === 'div255') {
    if (dtype !== 'float32') throw new SimError('dataset-input', `preprocess div255 makes float32 values, but input '${input.name}' is ${dtype ?? 'untyped'}`);
    return tensor('float32', shape, Array.from(px, (p) => Math.fround(p / 255)));
  }
  if (dtype !== 'float32' && dtype !== 'uint8' && dtype !== 'int32' && dtype !== 'int16' && dtype !== 'uint16') {
    throw new SimError('dataset-input', `preprocess raw keeps 0..255, which input '${input.name}' of type ${dtype ?? 'untyped'} cannot hold`);
  }
  return tensor(dtype, shape, Array.from(px));
}

/**
 * The usual preprocessing for an input type, for callers that ask for a default and say which
 * they chose: int8 -> `sub128`, float32 -> `div255`, other integer types -> `raw`.
 */
export function defaultPreprocess(input: NnValueInfo): Preprocess {
  return input.dtype === 'int8' ? 'sub128' : input.dtype === 'float32' ? 'div255' : 'raw';
}

/** The index of the largest score (the first on a tie): a classifier's top-1 class. */
export function argmax(scores: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < scores.length; i++) if (scores[i]! > scores[best]!) best = i;
  return best;
}
