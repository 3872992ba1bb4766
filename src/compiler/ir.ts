/**
 * The compiler's intermediate representation: the layers that lowering produces from an
 * {@link NnGraph}, the memory placements that layout assigns, and the compiled result.
 */
import type { Diagnostic } from '../util/index.js';
import type { DType } from '../nn/index.js';

/** Element types of activations the generated code reads and writes (float32: the float side of QOperator graphs). */
export type ActDType = 'uint8' | 'int8' | 'int32' | 'float32';

/** Shape and type of a tensor computed at run time (an activation). */
export interface ActInfo {
  readonly dtype: ActDType;
  readonly shape: readonly number[];
  /**
   * Integer codes of a QONNX Quant / BipolarQuant (int8/uint8): the graph's float value of an
   * element is `float32(float32(code - zeroPoint) * scale)`.
   */
  readonly codes?: { readonly scale: number; readonly zeroPoint: number };
}

/** Requantization of an int32 accumulator to 8 bits, exactly as onnxruntime does it. */
export interface Requant {
  /** Per output channel: `float32Multiplier(x_scale, w_scale[c], y_scale)` (float32 values). */
  readonly multipliers: Float32Array;
  readonly zeroPoint: number;
  /**
   * Saturation range of the output codes: the output type's, or narrower when an int8/uint8
   * `Clip` reading the output was folded into the requantization (lowering).
   */
  readonly lo: number;
  readonly hi: number;
}

/**
 * One convolution or matrix product computed by the cores: for every output channel m (split
 * across cores), every batch and every output pixel,
 * `y = bias[m] + sum_k x[k] * w[m][k]` where the weights are already centred (`w - w_zp`) and
 * `bias` already holds `B[m] - x_zp * sum_k w[m][k]` (see README: the zero-point-padded input
 * makes the x zero point a per-channel constant). `requant` turns the sum into 8 bits.
 *
 * A matrix product `A[..., M, K] x B[K, N]` is the same loop nest with channels = N, one row of
 * K taps (kh = 1, kw = K), pixels = the M rows of A (outH = M, outW = 1).
 */
export interface DotLayer {
  readonly kind: 'dot';
  readonly op: 'conv' | 'matmul';
  /** `node 'conv1' (#3, QLinearConv)`. */
  readonly node: string;
  readonly opType: string;
  readonly input: string;
  readonly output: string;
  readonly inDtype: 'uint8' | 'int8';
  readonly outDtype: ActDType;
  /** Batch count (conv N; product of the matmul output's batch dimensions). */
  readonly batch: number;
  /** Per output batch: the input batch it reads (matmul batch broadcasting; conv: identity). */
  readonly inBatch: readonly number[];
  /** Per output batch: the weight set it uses (a batched constant B has one per B batch). */
  readonly weightSet: readonly number[];
  /** Output channels (conv M; matmul N). */
  readonly channels: number;
  readonly groups: number;
  /** Input channels per group (conv C / group; matmul 1). */
  readonly inChannelsPerGroup: number;
  readonly kh: number;
  readonly kw: number;
  readonly strides: readonly [number, number];
  readonly dilations: readonly [number, number];
  /** Conv pads [top, left, bottom, right] (matmul: zeros). */
  readonly pads: readonly [number, number, number, number];
  readonly outH: number;
  readonly outW: number;
  /** Value of padding elements: the input zero point. */
  readonly inZeroPoint: number;
  /**
   * The range the input codes are known to lie in (QONNX: the Quant's clip range, with the zero
   * point that pads borders), narrower than `inDtype`'s; undefined = all of `inDtype`. The AIMC
   * planner drives only as many input digits as this range needs.
   */
  readonly inRange?: readonly [number, number];
  /** The graph node's name when `node` describes more than the node (QONNX: the node on its codes); mapping targets name it. */
  readonly graphNode?: string;
  /** Centred weights, `[weight set][channels][inChannelsPerGroup * kh * kw]`. */
  readonly weights: Int32Array;
  /** Bytes per stored weight: 1 when every centred weight fits int8, else 2. */
  readonly weightBytes: 1 | 2;
  /** Per weight set and channel: accumulator start (bias minus the input zero point's share), int32. */
  readonly bias: Int32Array;
  readonly requant: Requant | undefined;
  readonly macs: number;
}

/** A layer that only renames a buffer with another shape (Reshape, Flatten, Squeeze, ...). */
export interface AliasLayer {
  readonly kind: 'alias';
  readonly node: string;
  readonly opType: string;
  readonly input: string;
  readonly output: string;
  readonly shape: readonly number[];
}

/** Per-tensor quantization parameters of one operand of a float-side layer. */
export interface TensorQuant {
  /** float32 scale. */
  readonly scale: number;
  readonly zeroPoint: number;
  readonly dtype: 'uint8' | 'int8';
  /**
   * Output codes only: the saturation range when narrower than the type's (an int8/uint8 `Clip`
   * on the codes folded into the quantization); undefined = the whole type.
   */
  readonly clamp?: readonly [number, number];
}

/** What a {@link FloatLayer} computes. */
export type FloatOp =
  /** DequantizeLinear, per tensor: int8/uint8 -> float32. */
  | { readonly type: 'dequantize'; readonly q: TensorQuant }
  /** QuantizeLinear, per tensor: float32 -> int8/uint8 (true division, half to even, saturation). */
  | { readonly type: 'quantize'; readonly q: TensorQuant }
  /** Element-wise float32 Add / Sub / Mul / Div of equal shapes. */
  | { readonly type: 'binary'; readonly op: 'add' | 'sub' | 'mul' | 'div' }
  /** DequantizeLinear(a), DequantizeLinear(b) -> Add/Mul -> QuantizeLinear, fused (no float buffers). */
  | { readonly type: 'qdqBinary'; readonly op: 'add' | 'mul'; readonly a: TensorQuant; readonly b: TensorQuant; readonly out: TensorQuant }
  /** 2-D AveragePool on float32 NCHW (MLAS summation order). */
  | {
    readonly type: 'averagePool'; readonly kernel: readonly [number, number]; readonly strides: readonly [number, number];
    readonly pads: readonly [number, number, number, number]; readonly autoPad: 'NOTSET' | 'VALID' | 'SAME_UPPER' | 'SAME_LOWER';
    readonly ceilMode: boolean; readonly countIncludePad: boolean;
  }
  /**
   * 2-D MaxPool on NCHW int8 / uint8 codes or float32 (`dtype`): pads are never read (-inf
   * semantics), dilations 1; `pads` are the resolved [top, left, bottom, right].
   */
  | {
    readonly type: 'maxPool'; readonly dtype: 'int8' | 'uint8' | 'float32'; readonly kernel: readonly [number, number]; readonly strides: readonly [number, number];
    readonly pads: readonly [number, number, number, number];
  }
  /** GlobalAveragePool on float32 NCHW. */
  | { readonly type: 'globalAveragePool' }
  /** Softmax over rows of `length` elements (the last axis, or the flattened tail before opset 13). */
  | { readonly type: 'softmax'; readonly rows: number; readonly length: number }
  /** A fused chain of element-wise steps on one run-time tensor (QONNX Quant, BatchNormalization, dot epilogues, constant operands). */
  | ChainOp;

/**
 * One step of a {@link ChainOp}, applied to the float32 value `v` of an element (`c` is the
 * step's constant: one value, or one per channel). Each is one RV32F instruction rounded to
 * nearest even, as the evaluator's float32 operation: `add` v + c, `sub` v - c, `rsub` c - v,
 * `mul` v * c, `div` v / c, `rdiv` c / v, `max`/`min` (clamps, Relu); `round` to an integer in
 * QONNX rounding `mode` (`safe`: |v| < 2^31 is known, else values of magnitude >= 2^23 are left
 * as they are); `sign` (BipolarQuant): v >= 0 ? 1 : -1.
 */
export type ChainStep =
  | { readonly k: 'add' | 'sub' | 'rsub' | 'mul' | 'div' | 'rdiv' | 'max' | 'min'; readonly c: Float32Array }
  | { readonly k: 'round'; readonly mode: 'rne' | 'rtz' | 'rup' | 'rdn'; readonly safe: boolean }
  | { readonly k: 'sign' };

/**
 * Element-wise chain: load (int8/uint8/int32 converted exactly to float32, or float32), the
 * steps in order, store (float32, or an integer-valued result as int8/uint8 codes). Constants
 * per channel vary along one axis: `channels` blocks of `inner` consecutive elements (row-major),
 * repeating; `channels = 1` when every constant is a scalar.
 */
export interface ChainOp {
  readonly type: 'chain';
  readonly inDtype: ActDType;
  readonly outDtype: 'float32' | 'int8' | 'uint8';
  readonly steps: readonly ChainStep[];
  readonly channels: number;
  readonly inner: number;
}

/**
 * A float-side layer (`float-kernels.ts` arithmetic, bit-exact with the evaluator). Element-wise
 * layers (dequantize, quantize, binary, qdqBinary) read and write through the placements'
 * strides, so they can read and write padded buffers; pooling and softmax need contiguous
 * float32 buffers. Work is split across cores by planes (the dimensions before the last two) or
 * rows.
 */
export interface FloatLayer {
  readonly kind: 'float';
  /** The node, or the fused nodes joined by ` + `. */
  readonly node: string;
  readonly opType: string;
  readonly inputs: readonly string[];
  readonly output: string;
  readonly op: FloatOp;
  /** Output elements (for the report). */
  readonly elements: number;
  /** Graph tensors the fusion removed (the intermediates not materialized). */
  readonly fused: readonly string[];
}

export type Layer = DotLayer | AliasLayer | FloatLayer;

/** Output of lowering. */
export interface Lowered {
  readonly layers: readonly Layer[];
  /** Every activation (graph inputs and node outputs) with its type and shape. */
  readonly acts: ReadonlyMap<string, ActInfo>;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
}

/**
 * Where a tensor lives: element `[i0, i1, ...]` is at
 * `address + bytes * sum(i_k * strides[k])` (strides in elements). Padded buffers are larger
 * than the tensor: `buffer` is the whole allocation and `fill` the value of the elements
 * outside the tensor (the consumer's zero point).
 */
export interface Placement {
  readonly name: string;
  readonly dtype: ActDType;
  readonly shape: readonly number[];
  readonly strides: readonly number[];
  readonly address: number;
  readonly buffer: { readonly address: number; readonly bytes: number };
  readonly fill: number;
  /** The address-map target holding it (e.g. `l1`). */
  readonly memory: string;
}

/** Bytes to write before the program runs. */
export interface DataImage {
  readonly address: number;
  readonly bytes: Uint8Array;
  /** What it holds, e.g. `weights of node 'conv1' (#3, QLinearConv)`. */
  readonly what: string;
  readonly memory: string;
}

/** Per-layer mapping report. */
export interface LayerReport {
  readonly node: string;
  readonly opType: string;
  /** `cores` for computed layers, `alias` for layers without code. */
  readonly target: 'cores' | 'alias';
  readonly cores: number;
  readonly macs: number;
  readonly weightBytes: number;
  readonly inputBytes: number;
  readonly outputBytes: number;
  /** Where the input, output and weights live. */
  readonly memories: { readonly input: string; readonly output: string; readonly weights: string } | undefined;
  /** Instructions executed by the busiest core (estimate from the generated loop nest). */
  readonly predictedInstructions: number;
  /**
   * Cycles of the busiest core for the layer, predicted statically: the same loop-nest estimate
   * with each instruction weighted by the core's issue cycles (`instructionCycles`: loop back
   * edges taken, memory latency, bank conflicts and waits excluded; float kernels count one cycle
   * per instruction).
   */
  readonly predictedCycles: number;
}

/** The generated program: assembly text and its encoding. */
export interface CompiledProgram {
  readonly asm: string;
  readonly origin: number;
  readonly words: readonly number[];
  /** Address-map target holding the code. */
  readonly memory: string;
}

/** Everything needed to run the compiled network on the platform. */
/** A layer's code as addresses `[start, end)` of the assembled program (`Compiled.layerCode`). */
export interface LayerCode {
  readonly node: string;
  readonly start: number;
  readonly end: number;
}

export interface Compiled {
  /**
   * Each computed layer's code addresses `[start, end)`, in program order (alias layers have no
   * code and no entry). Ranges do not overlap; between them only barriers (`sync.bar`) and the
   * program's prologue and epilogue. `runCompiled` profiles the cores' execution with them.
   */
  readonly layerCode: readonly LayerCode[];
  readonly graph: string;
  readonly platform: string;
  /** The cores the program is compiled for, in core-index order (core i takes channels i, i+P, ...). */
  readonly cores: readonly string[];
  readonly program: CompiledProgram;
  readonly images: readonly DataImage[];
  readonly inputs: readonly Placement[];
  readonly outputs: readonly Placement[];
  /**
   * Every activation the program materializes, by graph tensor name (inputs, outputs and
   * intermediates; tensors removed by fusion are absent). With buffer reuse (the default) an
   * intermediate's buffer may be overwritten by a later layer: read intermediates after a run
   * only from a program compiled with `reuse: false`.
   */
  readonly tensors: readonly Placement[];
  /** Whether activation buffers with disjoint lifetimes share memory. */
  readonly reuse: boolean;
  readonly layers: readonly LayerReport[];
  /** Extensions the program uses beyond RV32IM. */
  readonly extensions: readonly string[];
}

/** A compiler stage's result: a value when there is no error, and the diagnostics. */
export interface CompileResult<T> {
  readonly value: T | undefined;
  readonly diagnostics: readonly Diagnostic[];
}

/** Element bytes of an activation type. */
export const ACT_BYTES: Readonly<Record<ActDType, number>> = { uint8: 1, int8: 1, int32: 4, float32: 4 };

/** True for the activation types. */
export const isActDType = (d: DType): d is ActDType => d === 'uint8' || d === 'int8' || d === 'int32' || d === 'float32';
