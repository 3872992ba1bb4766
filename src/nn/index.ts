/**
 * Neural-network layer: the network IR (`NnGraph`), the ONNX/QONNX importer and the functional
 * reference evaluator (no platform, no timing), with onnxruntime's arithmetic.
 */
export * from './tensor.js';
export * from './graph.js';
export * from './ops.js';
export * from './quant.js';
export { importOnnx, decodeTensorProto, isSafeExternalLocation, type ImportOptions, type StageResult } from './onnx.js';
export { onnxTypes, ONNX_PROTO } from './onnx-schema.js';
export { makeDataset, sampleInput, defaultPreprocess, argmax, PREPROCESSES, type Dataset, type Preprocess } from './dataset.js';
export { createEvaluator, evaluate, fmaf, padAxis, type EvalOptions, type Evaluator } from './eval.js';
export {
  requantizeGraph, quantizeFloatGraph, weightLevels, codeRange,
  type WeightScheme, type LayerPrecision, type RequantizedLayer, type RequantizeOptions, type RequantizeResult,
  type FloatQuantOptions, type FloatQuantResult, type QuantizedFloatLayer,
} from './quantize.js';
