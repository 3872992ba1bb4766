/**
 * Tensors of the network IR: a data type, a shape and a flat typed array in C (row-major) order.
 *
 * `int64` tensors are held in a `Float64Array` of exact integers (shapes, axes, indices); the
 * importer refuses int64 values beyond +-2^53, which never occur in the supported ops.
 */
import { SimError } from '../util/index.js';

/** Element types the IR holds (the ONNX TensorProto types the importer accepts). */
export type DType = 'float32' | 'float64' | 'int8' | 'uint8' | 'int16' | 'uint16' | 'int32' | 'uint32' | 'int64' | 'bool';

/** The typed array holding each {@link DType}. */
export interface DTypeArray {
  float32: Float32Array;
  float64: Float64Array;
  int8: Int8Array;
  uint8: Uint8Array;
  int16: Int16Array;
  uint16: Uint16Array;
  int32: Int32Array;
  uint32: Uint32Array;
  int64: Float64Array;
  bool: Uint8Array;
}

/** Any tensor data array. */
export type TensorData = DTypeArray[DType];

/** A dense tensor. Invariant: `data.length === product(shape)` (1 for a scalar, shape `[]`). */
export interface Tensor {
  readonly dtype: DType;
  readonly shape: readonly number[];
  readonly data: TensorData;
}

/** ONNX `TensorProto.DataType` codes of the supported types. */
export const ONNX_DTYPES: Readonly<Record<number, DType>> = {
  1: 'float32',
  2: 'uint8',
  3: 'int8',
  4: 'uint16',
  5: 'int16',
  6: 'int32',
  7: 'int64',
  9: 'bool',
  11: 'float64',
  12: 'uint32',
};

/** Names of all ONNX data type codes, for messages about unsupported ones. */
export const ONNX_DTYPE_NAMES: Readonly<Record<number, string>> = {
  0: 'UNDEFINED', 1: 'FLOAT', 2: 'UINT8', 3: 'INT8', 4: 'UINT16', 5: 'INT16', 6: 'INT32', 7: 'INT64', 8: 'STRING',
  9: 'BOOL', 10: 'FLOAT16', 11: 'DOUBLE', 12: 'UINT32', 13: 'UINT64', 14: 'COMPLEX64', 15: 'COMPLEX128',
  16: 'BFLOAT16', 17: 'FLOAT8E4M3FN', 18: 'FLOAT8E4M3FNUZ', 19: 'FLOAT8E5M2', 20: 'FLOAT8E5M2FNUZ', 21: 'UINT4',
  22: 'INT4', 23: 'FLOAT4E2M1',
};

/** Bytes per element of each type. */
export const DTYPE_BYTES: Readonly<Record<DType, number>> = {
  float32: 4, float64: 8, int8: 1, uint8: 1, int16: 2, uint16: 2, int32: 4, uint32: 4, int64: 8, bool: 1,
};

/** Integer range of each integer type (for saturation). */
export const INT_RANGE: Readonly<Partial<Record<DType, readonly [number, number]>>> = {
  int8: [-128, 127], uint8: [0, 255], int16: [-32768, 32767], uint16: [0, 65535],
  int32: [-2147483648, 2147483647], uint32: [0, 4294967295], bool: [0, 1],
};

/** The largest element count a tensor may have (checked before any allocation). */
export const MAX_ELEMENTS = 2 ** 31 - 1;

/** Number of elements of a shape (1 for a scalar). */
export function sizeOf(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** Allocates a zeroed array for `n` elements of `dtype`. */
export function allocData<D extends DType>(dtype: D, n: number): DTypeArray[D] {
  if (!(n >= 0 && n <= MAX_ELEMENTS)) throw new SimError('tensor-too-large', `cannot allocate a ${dtype} tensor of ${n} elements (limit ${MAX_ELEMENTS})`);
  switch (dtype) {
    case 'float32': return new Float32Array(n) as DTypeArray[D];
    case 'float64': case 'int64': return new Float64Array(n) as DTypeArray[D];
    case 'int8': return new Int8Array(n) as DTypeArray[D];
    case 'uint8': case 'bool': return new Uint8Array(n) as DTypeArray[D];
    case 'int16': return new Int16Array(n) as DTypeArray[D];
    case 'uint16': return new Uint16Array(n) as DTypeArray[D];
    case 'int32': return new Int32Array(n) as DTypeArray[D];
    case 'uint32': return new Uint32Array(n) as DTypeArray[D];
  }
  throw new SimError('unsupported-dtype', `unknown data type '${String(dtype)}'`);
}

/** A new zeroed tensor. */
export function zeros(dtype: DType, shape: readonly number[]): Tensor {
  return { dtype, shape: [...shape], data: allocData(dtype, sizeOf(shape)) };
}

/** A tensor from values (converted to the type's array; no range check). */
export function tensor(dtype: DType, shape: readonly number[], values: ArrayLike<number>): Tensor {
  const t = zeros(dtype, shape);
  if (values.length !== t.data.length) throw new SimError('tensor-size-mismatch', `${values.length} values for shape [${shape.join(',')}] (${t.data.length} elements)`);
  t.data.set(values);
  return t;
}

/** True for the float types. */
export const isFloat = (d: DType): boolean => d === 'float32' || d === 'float64';

/** Row-major strides of a shape. */
export function stridesOf(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    s[i] = acc;
    acc *= shape[i]!;
  }
  return s;
}
