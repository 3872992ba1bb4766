/**
 * The operators the importer accepts and the reference evaluator runs, with their attributes.
 * One table, so the importer's "what is supported" messages and the evaluator cannot drift.
 */

/** QONNX custom-op domains accepted for `Quant` and `BipolarQuant`. */
export const QONNX_DOMAINS: readonly string[] = ['qonnx.custom_op.general', 'onnx.brevitas', 'finn.custom_op.general'];

const CONV = ['auto_pad', 'dilations', 'group', 'kernel_shape', 'pads', 'strides'];
const POOL = ['auto_pad', 'ceil_mode', 'count_include_pad', 'dilations', 'kernel_shape', 'pads', 'strides', 'storage_order'];

/** Supported operators: `domain:opType` (domain empty for standard ONNX) -> accepted attribute names. */
export const SUPPORTED_OPS: ReadonlyMap<string, readonly string[]> = new Map<string, readonly string[]>([
  ['QLinearConv', CONV],
  ['QLinearMatMul', []],
  ['ConvInteger', CONV],
  ['MatMulInteger', []],
  ['QuantizeLinear', ['axis', 'saturate', 'block_size']],
  ['DequantizeLinear', ['axis', 'block_size']],
  ['DynamicQuantizeLinear', []],
  ['Conv', CONV],
  ['MatMul', []],
  ['Gemm', ['alpha', 'beta', 'transA', 'transB']],
  ['BatchNormalization', ['epsilon', 'momentum', 'spatial', 'training_mode']],
  ['AveragePool', POOL],
  ['MaxPool', POOL],
  ['GlobalAveragePool', []],
  ['Add', []],
  ['Sub', []],
  ['Mul', []],
  ['Div', []],
  ['Pow', []],
  ['Min', []],
  ['Max', []],
  ['Round', []],
  ['Relu', []],
  ['Clip', ['min', 'max']],
  ['Softmax', ['axis']],
  ['Reshape', ['allowzero']],
  ['Flatten', ['axis']],
  ['Transpose', ['perm']],
  ['Squeeze', ['axes']],
  ['Unsqueeze', ['axes']],
  ['Concat', ['axis']],
  ['Shape', ['start', 'end']],
  ['Gather', ['axis']],
  ['Identity', []],
  ['Cast', ['to', 'saturate']],
  ['Constant', ['value', 'value_float', 'value_floats', 'value_int', 'value_ints']],
  ['ReduceMin', ['axes', 'keepdims', 'noop_with_empty_axes']],
  ['ReduceMax', ['axes', 'keepdims', 'noop_with_empty_axes']],
  ...QONNX_DOMAINS.flatMap((d) => [
    [`${d}:Quant`, ['signed', 'narrow', 'rounding_mode']] as const,
    [`${d}:BipolarQuant`, []] as const,
  ]),
]);

/** The key of an op in {@link SUPPORTED_OPS}; `ai.onnx` is the default domain's other name. */
export const opKey = (domain: string, opType: string): string =>
  domain === '' || domain === 'ai.onnx' ? opType : `${domain}:${opType}`;

/** Values allowed for string attributes, where restricted. */
export const ATTRIBUTE_VALUES: ReadonlyMap<string, readonly string[]> = new Map([
  ['auto_pad', ['NOTSET', 'VALID', 'SAME_UPPER', 'SAME_LOWER']],
  ['rounding_mode', ['ROUND', 'ROUND_TO_ZERO', 'CEIL', 'FLOOR']],
]);

/** The supported op list for messages. */
export const supportedOpList = (): string => [...SUPPORTED_OPS.keys()].join(', ');
