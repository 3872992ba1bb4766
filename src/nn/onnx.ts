/**
 * ONNX / QONNX import: the bytes of a `.onnx` file -> {@link NnGraph} plus diagnostics.
 *
 * Pure: the file's bytes come in, external tensor data is read through a callback that receives
 * only checked relative paths inside the model's own folder. Every problem is a `Diagnostic`
 * (never a throw, never a stack trace): corrupt or truncated protobuf, unsupported operators,
 * attributes and data types, dangling tensor names, cycles, initializers whose bytes do not
 * match their shape, and sizes too large to be real (checked before anything is allocated).
 */
import { type Diagnostic, unknownNameHint } from '../util/index.js';
import { type NnAttribute, type NnGraph, type NnNode, type NnValueInfo, describeNode } from './graph.js';
import { onnxTypes } from './onnx-schema.js';
import { ATTRIBUTE_VALUES, SUPPORTED_OPS, opKey, supportedOpList } from './ops.js';
import { type DType, type Tensor, DTYPE_BYTES, MAX_ELEMENTS, ONNX_DTYPES, ONNX_DTYPE_NAMES, allocData } from './tensor.js';

/** Options of {@link importOnnx}. */
export interface ImportOptions {
  /** The file name used in diagnostics (as given by the caller). */
  readonly file: string;
  /**
   * Reads a file of external tensor data, `location` being a checked relative path inside the
   * model's folder (no absolute path, no `..`). Undefined when the file does not exist. Without
   * this callback, models with external data are refused.
   */
  readonly readExternal?: (location: string) => Uint8Array | undefined;
}

/** Result of a pure stage: a value when there are no errors, and all diagnostics. */
export interface StageResult<T> {
  readonly value: T | undefined;
  readonly diagnostics: readonly Diagnostic[];
}

interface Long { toNumber(): number }
type PbNum = number | Long | null | undefined;
const num = (v: PbNum): number => (v === null || v === undefined ? 0 : typeof v === 'number' ? v : v.toNumber());

interface PbEntry { key?: string; value?: string }
interface PbTensor {
  dims?: PbNum[]; data_type?: number; name?: string; raw_data?: Uint8Array; float_data?: number[]; int32_data?: number[];
  int64_data?: PbNum[]; double_data?: number[]; uint64_data?: PbNum[]; string_data?: Uint8Array[];
  external_data?: PbEntry[]; data_location?: number; segment?: unknown;
}
interface PbAttr {
  name?: string; type?: number; f?: number; i?: PbNum; s?: Uint8Array; t?: PbTensor; g?: unknown; floats?: number[]; ints?: PbNum[];
  strings?: Uint8Array[]; tensors?: PbTensor[]; graphs?: unknown[]; ref_attr_name?: string;
}
interface PbNode { input?: string[]; output?: string[]; name?: string; op_type?: string; domain?: string; attribute?: PbAttr[] }
interface PbValueInfo { name?: string; type?: { tensor_type?: { elem_type?: number; shape?: { dim?: { dim_value?: PbNum; dim_param?: string }[] } } } }
interface PbGraph { node?: PbNode[]; name?: string; initializer?: PbTensor[]; input?: PbValueInfo[]; output?: PbValueInfo[] }
interface PbModel { ir_version?: PbNum; opset_import?: { domain?: string; version?: PbNum }[]; graph?: PbGraph }

const utf8 = new TextDecoder('utf-8');

/** Collects diagnostics for one file. Positions are not meaningful in a binary file: 1:1. */
class Reporter {
  readonly list: Diagnostic[] = [];
  readonly file: string;
  constructor(file: string) {
    this.file = file;
  }
  error(code: string, message: string, hint?: string): void {
    this.list.push({ severity: 'error', code, message, file: this.file, line: 1, column: 1, ...(hint === undefined ? {} : { hint }) });
  }
  warn(code: string, message: string, hint?: string): void {
    this.list.push({ severity: 'warning', code, message, file: this.file, line: 1, column: 1, ...(hint === undefined ? {} : { hint }) });
  }
  get failed(): boolean {
    return this.list.some((d) => d.severity === 'error');
  }
}

/** Checks that an external-data location stays inside the model's folder. */
export function isSafeExternalLocation(location: string): boolean {
  if (location === '' || location.includes('\0')) return false;
  if (location.startsWith('/') || location.startsWith('\\') || /^[A-Za-z]:/.test(location)) return false;
  return !location.split(/[\\/]/).some((p) => p === '..');
}

/**
 * Decodes one `TensorProto` (already protobuf-decoded) into a {@link Tensor}; reports and returns
 * undefined on any problem. `what` names the tensor in messages.
 */
function convertTensor(t: PbTensor, what: string, r: Reporter, opts: ImportOptions): Tensor | undefined {
  const code = t.data_type ?? 0;
  const dtype = ONNX_DTYPES[code];
  if (dtype === undefined) {
    r.error('unsupported-dtype', `${what}: data type ${ONNX_DTYPE_NAMES[code] ?? code} is not supported`, `supported: ${Object.values(ONNX_DTYPES).join(', ')}`);
    return undefined;
  }
  const shape: number[] = [];
  let n = 1;
  for (const d of t.dims ?? []) {
    const v = num(d);
    if (!Number.isSafeInteger(v) || v < 0) {
      r.error('bad-shape', `${what}: dimension ${String(v)} is not a non-negative integer`);
      return undefined;
    }
    shape.push(v);
    n *= v;
  }
  if (n > MAX_ELEMENTS) {
    r.error('tensor-too-large', `${what}: shape [${shape.join(',')}] has ${n} elements, more than the limit of ${MAX_ELEMENTS}`, 'the file is corrupt or not a model for edge inference');
    return undefined;
  }
  if (t.segment !== undefined && t.segment !== null) {
    r.error('unsupported-tensor', `${what}: segmented tensors are not supported`);
    return undefined;
  }
  let raw = t.raw_data;
  if (t.data_location === 1) {
    const entries = new Map((t.external_data ?? []).map((e) => [e.key ?? '', e.value ?? '']));
    const loc = entries.get('location') ?? '';
    if (!isSafeExternalLocation(loc)) {
      r.error('external-data-path', `${what}: external data location '${loc}' is not a relative path inside the model's folder`, 'external data is read only from the model\'s own folder (no absolute paths, no ..)');
      return undefined;
    }
    const offset = Number(entries.get('offset') ?? '0');
    const expected = n * DTYPE_BYTES[dtype];
    const length = entries.has('length') ? Number(entries.get('length')) : expected;
    if (!Number.isSafeInteger(offset) || offset < 0 || !Number.isSafeInteger(length) || length < 0) {
      r.error('external-data-range', `${what}: bad external data offset '${entries.get('offset') ?? ''}' or length '${entries.get('length') ?? ''}'`);
      return undefined;
    }
    if (length !== expected) {
      r.error('tensor-size-mismatch', `${what}: external data length ${length} bytes does not match shape [${shape.join(',')}] of ${dtype} (${expected} bytes)`);
      return undefined;
    }
    if (opts.readExternal === undefined) {
      r.error('external-data-unavailable', `${what}: the tensor is stored in external file '${loc}', and no reader was given`);
      return undefined;
    }
    const file = opts.readExternal(loc);
    if (file === undefined) {
      r.error('external-data-missing', `${what}: external data file '${loc}' does not exist next to the model`);
      return undefined;
    }
    if (offset + length > file.length) {
      r.error('external-data-range', `${what}: external data [${offset}, ${offset + length}) is beyond the end of '${loc}' (${file.length} bytes)`);
      return undefined;
    }
    raw = file.subarray(offset, offset + length);
  }
  const mismatch = (have: number, unit: string): undefined => {
    r.error('tensor-size-mismatch', `${what}: ${have} ${unit} of data for shape [${shape.join(',')}] of ${dtype} (${n} elements${unit === 'bytes' ? `, ${n * DTYPE_BYTES[dtype]} bytes` : ''})`, 'the file is truncated or inconsistent');
    return undefined;
  };
  const data = allocData(dtype, n);
  if (raw !== undefined && raw.length > 0) {
    if (raw.length !== n * DTYPE_BYTES[dtype]) return mismatch(raw.length, 'bytes');
    const copy = Uint8Array.prototype.slice.call(raw).buffer;
    if (dtype === 'int64') {
      const v = new BigInt64Array(copy);
      for (let i = 0; i < n; i++) {
        const x = Number(v[i]!);
        if (!Number.isSafeInteger(x)) {
          r.error('unsupported-value', `${what}: int64 value ${v[i]!} is beyond +-2^53`);
          return undefined;
        }
        data[i] = x;
      }
    } else {
      data.set(dtype === 'float32' ? new Float32Array(copy) : dtype === 'float64' ? new Float64Array(copy) : dtype === 'int8' ? new Int8Array(copy)
        : dtype === 'uint8' || dtype === 'bool' ? new Uint8Array(copy) : dtype === 'int16' ? new Int16Array(copy) : dtype === 'uint16' ? new Uint16Array(copy)
        : dtype === 'int32' ? new Int32Array(copy) : new Uint32Array(copy));
    }
    return { dtype, shape, data };
  }
  const typed: readonly PbNum[] | undefined =
    dtype === 'float32' ? t.float_data : dtype === 'float64' ? t.double_data : dtype === 'int64' ? t.int64_data : dtype === 'uint32' ? t.uint64_data : t.int32_data;
  const values = typed ?? [];
  if (values.length !== n) {
    if (n === 0 && values.length === 0) return { dtype, shape, data };
    return mismatch(values.length, 'values');
  }
  for (let i = 0; i < n; i++) data[i] = num(values[i]);
  return { dtype, shape, data };
}

function convertValueInfo(v: PbValueInfo, what: string, r: Reporter): NnValueInfo {
  const tt = v.type?.tensor_type;
  const code = tt?.elem_type;
  let dtype: DType | undefined;
  if (code !== undefined && code !== 0) {
    dtype = ONNX_DTYPES[code];
    if (dtype === undefined) r.error('unsupported-dtype', `${what} '${v.name ?? ''}': data type ${ONNX_DTYPE_NAMES[code] ?? code} is not supported`, `supported: ${Object.values(ONNX_DTYPES).join(', ')}`);
  }
  const shape = tt?.shape?.dim?.map((d) => (d.dim_param !== undefined && d.dim_param !== '' ? d.dim_param : num(d.dim_value)));
  return { name: v.name ?? '', dtype, shape };
}

function convertAttribute(a: PbAttr, where: string, r: Reporter, opts: ImportOptions): NnAttribute | undefined {
  const name = a.name ?? '';
  const what = `${where}, attribute '${name}'`;
  if (a.ref_attr_name !== undefined && a.ref_attr_name !== '') {
    r.error('unsupported-attribute', `${what}: attribute references (functions) are not supported`);
    return undefined;
  }
  // Older writers leave `type` unset; infer it from the field that is present.
  let type = a.type ?? 0;
  if (type === 0) {
    type = a.t !== undefined ? 4 : a.s !== undefined ? 3 : a.ints !== undefined && a.ints.length > 0 ? 7 : a.floats !== undefined && a.floats.length > 0 ? 6
      : a.i !== undefined ? 2 : a.f !== undefined ? 1 : 0;
  }
  switch (type) {
    case 1: return { kind: 'float', value: a.f ?? 0 };
    case 2: return { kind: 'int', value: num(a.i) };
    case 3: return { kind: 'string', value: utf8.decode(a.s ?? new Uint8Array()) };
    case 4: {
      if (a.t === undefined) return undefined;
      const t = convertTensor(a.t, what, r, opts);
      return t === undefined ? undefined : { kind: 'tensor', value: t };
    }
    case 6: return { kind: 'floats', value: a.floats ?? [] };
    case 7: return { kind: 'ints', value: (a.ints ?? []).map(num) };
    case 8: return { kind: 'strings', value: (a.strings ?? []).map((s) => utf8.decode(s)) };
    default:
      r.error('unsupported-attribute', `${what}: attribute type ${type} (graphs, sparse tensors, type protos, tensor lists) is not supported`);
      return undefined;
  }
}

/** Checks a node's op and attributes against {@link SUPPORTED_OPS}. */
function checkNode(n: NnNode, r: Reporter): void {
  const key = opKey(n.domain, n.opType);
  const attrs = SUPPORTED_OPS.get(key);
  if (attrs === undefined) {
    r.error('unsupported-op', `${describeNode(n)}: operator '${key}' is not supported`, `supported operators: ${supportedOpList()}`);
    return;
  }
  for (const [name, a] of n.attributes) {
    if (!attrs.includes(name)) {
      r.error('unsupported-attribute', `${describeNode(n)}: attribute '${name}' is not supported for ${key}`, attrs.length === 0 ? `${key} takes no attributes` : unknownNameHint(name, attrs, 'supported attributes'));
      continue;
    }
    const allowed = ATTRIBUTE_VALUES.get(name);
    if (allowed !== undefined && a.kind === 'string' && !allowed.includes(a.value)) {
      r.error('unsupported-attribute-value', `${describeNode(n)}: ${name} '${a.value}' is not supported`, `supported values: ${allowed.join(', ')}`);
    }
  }
}

/**
 * Imports an ONNX model (standard ONNX and QONNX custom domains).
 *
 * @example
 * const r = importOnnx(readFileSync('model.onnx'), { file: 'model.onnx' });
 * if (r.value === undefined) console.error(formatDiagnostics(r.diagnostics));
 */
export function importOnnx(bytes: Uint8Array, opts: ImportOptions): StageResult<NnGraph> {
  const r = new Reporter(opts.file);
  let model: PbModel;
  try {
    model = onnxTypes.ModelProto.decode(bytes) as unknown as PbModel;
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    r.error('onnx-decode', `${opts.file} is not a readable ONNX model: protobuf decoding failed (${why})`, 'the file is truncated, corrupt or not an ONNX file');
    return { value: undefined, diagnostics: r.list };
  }
  const g = model.graph;
  if (g === undefined || g === null) {
    r.error('onnx-no-graph', `${opts.file} has no graph`, 'the file is corrupt or not an ONNX model');
    return { value: undefined, diagnostics: r.list };
  }
  const opsets = new Map<string, number>();
  for (const o of model.opset_import ?? []) opsets.set(o.domain === 'ai.onnx' ? '' : (o.domain ?? ''), num(o.version));

  const initializers = new Map<string, Tensor>();
  // Names of all initializers, also those that failed to convert (no follow-on dangling-name errors).
  const initializerNames = new Set((g.initializer ?? []).map((t) => t.name ?? ''));
  for (const [i, t] of (g.initializer ?? []).entries()) {
    const name = t.name ?? '';
    const tensor = convertTensor(t, `initializer '${name}' (#${i})`, r, opts);
    if (tensor !== undefined) initializers.set(name, tensor);
  }
  const inputs = (g.input ?? []).filter((v) => !initializerNames.has(v.name ?? '')).map((v) => convertValueInfo(v, 'graph input', r));
  const outputs = (g.output ?? []).map((v) => convertValueInfo(v, 'graph output', r));

  const nodes: NnNode[] = [];
  for (const [index, pn] of (g.node ?? []).entries()) {
    const opType = pn.op_type ?? '';
    const domain = pn.domain ?? '';
    const name = pn.name !== undefined && pn.name !== '' ? pn.name : `#${index}`;
    const attributes = new Map<string, NnAttribute>();
    const where = describeNode({ name, index, opType, domain });
    for (const a of pn.attribute ?? []) {
      const v = convertAttribute(a, where, r, opts);
      if (v !== undefined) attributes.set(a.name ?? '', v);
    }
    const node: NnNode = { name, index, opType, domain, inputs: pn.input ?? [], outputs: pn.output ?? [], attributes };
    checkNode(node, r);
    nodes.push(node);
  }

  // Producers, dangling names, then a topological order (Kahn) that also finds cycles.
  const producer = new Map<string, number>();
  const available = new Set<string>([...initializerNames, ...inputs.map((v) => v.name)]);
  for (const [i, n] of nodes.entries()) {
    for (const o of n.outputs) {
      if (o === '') continue;
      if (producer.has(o) || available.has(o)) r.error('duplicate-tensor', `${describeNode(n)}: output '${o}' is already produced by ${producer.has(o) ? describeNode(nodes[producer.get(o)!]!) : 'an initializer or graph input'}`);
      else producer.set(o, i);
    }
  }
  for (const n of nodes) {
    for (const x of n.inputs) {
      if (x !== '' && !producer.has(x) && !available.has(x)) r.error('dangling-tensor', `${describeNode(n)}: input '${x}' is not produced by any node, initializer or graph input`);
    }
  }
  for (const o of outputs) {
    if (!producer.has(o.name) && !available.has(o.name)) r.error('dangling-tensor', `graph output '${o.name}' is not produced by any node, initializer or graph input`);
  }
  const indegree = nodes.map((n) => new Set(n.inputs.filter((x) => producer.has(x))).size);
  const consumers = new Map<number, number[]>();
  for (const [i, n] of nodes.entries()) {
    for (const x of new Set(n.inputs)) {
      const p = producer.get(x);
      if (p !== undefined) consumers.set(p, [...(consumers.get(p) ?? []), i]);
    }
  }
  const order: number[] = [];
  const ready = indegree.flatMap((d, i) => (d === 0 ? [i] : []));
  while (ready.length > 0) {
    // Keep the file's order among ready nodes (smallest index first).
    ready.sort((a, b) => a - b);
    const i = ready.shift()!;
    order.push(i);
    for (const c of consumers.get(i) ?? []) {
      indegree[c] = indegree[c]! - 1;
      if (indegree[c] === 0) ready.push(c);
    }
  }
  if (order.length < nodes.length) {
    const stuck = nodes.filter((_, i) => indegree[i]! > 0);
    r.error('graph-cycle', `the graph has a cycle through ${stuck.slice(0, 5).map(describeNode).join(', ')}${stuck.length > 5 ? ` and ${stuck.length - 5} more` : ''}`, 'an ONNX graph must be acyclic');
  }
  if (r.failed) return { value: undefined, diagnostics: r.list };
  return {
    value: { name: g.name ?? '', inputs, outputs, initializers, nodes: order.map((i) => nodes[i]!), opsets, irVersion: num(model.ir_version) },
    diagnostics: r.list,
  };
}

/**
 * Decodes a serialized `TensorProto` (the `input_N.pb` / `output_N.pb` files of the ONNX node
 * tests) into a tensor and its name.
 */
export function decodeTensorProto(bytes: Uint8Array, file: string): StageResult<{ name: string; tensor: Tensor }> {
  const r = new Reporter(file);
  let t: PbTensor;
  try {
    t = onnxTypes.TensorProto.decode(bytes) as unknown as PbTensor;
  } catch (e) {
    r.error('onnx-decode', `${file} is not a readable TensorProto: protobuf decoding failed (${e instanceof Error ? e.message : String(e)})`);
    return { value: undefined, diagnostics: r.list };
  }
  const tensor = convertTensor(t, `tensor '${t.name ?? ''}'`, r, { file });
  return { value: tensor === undefined ? undefined : { name: t.name ?? '', tensor }, diagnostics: r.list };
}
