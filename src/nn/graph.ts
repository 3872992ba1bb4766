/**
 * The network IR (`NnGraph`) that import readers produce and every later stage consumes.
 */
import type { DType, Tensor } from './tensor.js';

/** One attribute value of a node. */
export type NnAttribute =
  | { readonly kind: 'float'; readonly value: number }
  | { readonly kind: 'int'; readonly value: number }
  | { readonly kind: 'string'; readonly value: string }
  | { readonly kind: 'tensor'; readonly value: Tensor }
  | { readonly kind: 'floats'; readonly value: readonly number[] }
  | { readonly kind: 'ints'; readonly value: readonly number[] }
  | { readonly kind: 'strings'; readonly value: readonly string[] };

/** One operator application. Inputs that the model leaves out (optional inputs) are `''`. */
export interface NnNode {
  /** The node's name in the file, or `#<index>` when it has none. */
  readonly name: string;
  /** Position in the file's node list (0-based), for messages. */
  readonly index: number;
  readonly opType: string;
  /** Operator domain: `''` for standard ONNX, e.g. `qonnx.custom_op.general` for QONNX. */
  readonly domain: string;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly attributes: ReadonlyMap<string, NnAttribute>;
}

/** A graph input or output: name, element type and shape (symbolic dimensions as strings). */
export interface NnValueInfo {
  readonly name: string;
  readonly dtype: DType | undefined;
  readonly shape: readonly (number | string)[] | undefined;
}

/**
 * An imported network. `nodes` are in a topological order (every input is produced before it is
 * read); `inputs` are the graph inputs without an initializer (what the caller must feed).
 */
export interface NnGraph {
  readonly name: string;
  readonly inputs: readonly NnValueInfo[];
  readonly outputs: readonly NnValueInfo[];
  readonly initializers: ReadonlyMap<string, Tensor>;
  readonly nodes: readonly NnNode[];
  /** Opset version per domain (`''` is the default ONNX domain). */
  readonly opsets: ReadonlyMap<string, number>;
  readonly irVersion: number;
}

/** How a node is named in messages: `node 'conv1' (#3, QLinearConv)`. */
export const describeNode = (n: Pick<NnNode, 'name' | 'index' | 'opType' | 'domain'>): string =>
  `node '${n.name}' (#${n.index}, ${n.domain === '' ? '' : `${n.domain}:`}${n.opType})`;

/** An integer attribute or a default. */
export function attrInt(n: NnNode, name: string, dflt: number): number {
  const a = n.attributes.get(name);
  return a !== undefined && a.kind === 'int' ? a.value : dflt;
}

/** A float attribute or a default. */
export function attrFloat(n: NnNode, name: string, dflt: number): number {
  const a = n.attributes.get(name);
  return a !== undefined && (a.kind === 'float' || a.kind === 'int') ? a.value : dflt;
}

/** A string attribute or a default. */
export function attrString(n: NnNode, name: string, dflt: string): string {
  const a = n.attributes.get(name);
  return a !== undefined && a.kind === 'string' ? a.value : dflt;
}

/** An integer-list attribute, or undefined when absent. */
export function attrInts(n: NnNode, name: string): readonly number[] | undefined {
  const a = n.attributes.get(name);
  return a !== undefined && a.kind === 'ints' ? a.value : undefined;
}
