/** ONNX import: diagnostics for broken, unsupported and hostile files (built with the same protobuf schema). */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { decodeTensorProto, importOnnx, isSafeExternalLocation, onnxTypes } from '../../src/nn/index.js';
import { deriveRng, formatDiagnostics } from '../../src/util/index.js';
import { MODELS } from './helpers.js';

const FLOAT = 1;
const INT8 = 3;
const FLOAT16 = 10;

const vi = (name: string, elemType = FLOAT, dims: number[] = [1, 4]): object => ({
  name,
  type: { tensor_type: { elem_type: elemType, shape: { dim: dims.map((d) => ({ dim_value: d })) } } },
});

interface ModelParts {
  nodes?: object[];
  initializers?: object[];
  inputs?: object[];
  outputs?: object[];
}

/** A small model: by default y = Relu(x). */
function encodeModel(p: ModelParts = {}): Uint8Array {
  const m = onnxTypes.ModelProto.fromObject({
    ir_version: 8,
    opset_import: [{ domain: '', version: 13 }],
    graph: {
      name: 'g',
      node: p.nodes ?? [{ name: 'relu0', op_type: 'Relu', input: ['x'], output: ['y'] }],
      initializer: p.initializers ?? [],
      input: p.inputs ?? [vi('x')],
      output: p.outputs ?? [vi('y')],
    },
  });
  return onnxTypes.ModelProto.encode(m).finish();
}

const codes = (bytes: Uint8Array, readExternal?: (l: string) => Uint8Array | undefined): string[] =>
  importOnnx(bytes, { file: 'm.onnx', ...(readExternal === undefined ? {} : { readExternal }) }).diagnostics.map((d) => d.code);

const messages = (bytes: Uint8Array): string => formatDiagnostics(importOnnx(bytes, { file: 'm.onnx' }).diagnostics);

describe('ONNX import', () => {
  it('imports a well-formed model with no diagnostics', () => {
    const r = importOnnx(encodeModel(), { file: 'm.onnx' });
    expect(r.diagnostics).toEqual([]);
    expect(r.value?.nodes.map((n) => n.opType)).toEqual(['Relu']);
    expect(r.value?.inputs).toEqual([{ name: 'x', dtype: 'float32', shape: [1, 4] }]);
    expect(r.value?.opsets.get('')).toBe(13);
  });

  it('reports a truncated real file as one clear decode error naming the file, without a stack trace', () => {
    const full = readFileSync(MODELS + 'mlperf_tiny_resnet8_int8_qop.onnx');
    for (const cut of [10, 1000, full.length - 7]) {
      const r = importOnnx(full.subarray(0, cut), { file: 'resnet8.onnx' });
      expect(r.value).toBeUndefined();
      expect(r.diagnostics.map((d) => d.code)).toEqual(['onnx-decode']);
      const text = formatDiagnostics(r.diagnostics);
      expect(text).toContain('resnet8.onnx');
      expect(text).toContain('truncated');
      expect(text).not.toMatch(/\n\s+at /);
    }
  });

  it('reports garbage bytes and a file without a graph', () => {
    expect(codes(new Uint8Array([0xff, 0xff, 0xff, 0xff, 0x0f, 0x01]))).toEqual(['onnx-decode']);
    expect(codes(onnxTypes.ModelProto.encode(onnxTypes.ModelProto.fromObject({ ir_version: 8 })).finish())).toEqual(['onnx-no-graph']);
  });

  it('names the node, its index and op type, and lists what is supported for an unsupported op', () => {
    const bytes = encodeModel({ nodes: [
      { name: 'relu0', op_type: 'Relu', input: ['x'], output: ['t'] },
      { name: 'lstm1', op_type: 'LSTM', input: ['t'], output: ['y'] },
    ] });
    const r = importOnnx(bytes, { file: 'm.onnx' });
    expect(r.value).toBeUndefined();
    const d = r.diagnostics.find((x) => x.code === 'unsupported-op')!;
    expect(d.message).toBe("node 'lstm1' (#1, LSTM): operator 'LSTM' is not supported");
    expect(d.hint).toContain('QLinearConv');
    expect(d.hint).toContain('qonnx.custom_op.general:Quant');
    expect(codes(encodeModel({ nodes: [{ name: 'q', op_type: 'Quant', domain: 'com.example', input: ['x'], output: ['y'] }] }))).toEqual(['unsupported-op']);
  });

  it('reports unsupported attributes and attribute values', () => {
    const conv = (attrs: object[]): Uint8Array => encodeModel({
      nodes: [{ name: 'c', op_type: 'Conv', input: ['x', 'w'], output: ['y'], attribute: attrs }],
      initializers: [{ name: 'w', data_type: FLOAT, dims: [1, 1, 1, 1], float_data: [1] }],
      inputs: [vi('x', FLOAT, [1, 1, 2, 2])],
    });
    expect(codes(conv([{ name: 'stride', type: 7, ints: [1, 1] }]))).toEqual(['unsupported-attribute']);
    expect(messages(conv([{ name: 'stride', type: 7, ints: [1, 1] }]))).toContain("did you mean 'strides'?");
    expect(codes(conv([{ name: 'auto_pad', type: 3, s: new TextEncoder().encode('SAME_WEIRD') }]))).toEqual(['unsupported-attribute-value']);
    const quant = encodeModel({
      nodes: [{ name: 'q', op_type: 'Quant', domain: 'qonnx.custom_op.general', input: ['x', 's', 'z', 'b'], output: ['y'],
        attribute: [{ name: 'rounding_mode', type: 3, s: new TextEncoder().encode('HALF_UP') }] }],
      initializers: ['s', 'z', 'b'].map((name) => ({ name, data_type: FLOAT, float_data: [1] })),
    });
    expect(codes(quant)).toEqual(['unsupported-attribute-value']);
    expect(messages(quant)).toContain('ROUND, ROUND_TO_ZERO, CEIL, FLOOR');
  });

  it('reports unsupported data types of initializers and graph inputs', () => {
    const bytes = encodeModel({
      nodes: [{ name: 'a', op_type: 'Add', input: ['x', 'h'], output: ['y'] }],
      initializers: [{ name: 'h', data_type: FLOAT16, dims: [1], int32_data: [0] }],
    });
    expect(codes(bytes)).toEqual(['unsupported-dtype']);
    expect(messages(bytes)).toContain("initializer 'h' (#0): data type FLOAT16 is not supported");
    expect(codes(encodeModel({ inputs: [vi('x', 8)] }))).toEqual(['unsupported-dtype']);
  });

  it('reports dangling tensor names, duplicate producers and cycles', () => {
    expect(codes(encodeModel({ nodes: [{ name: 'r', op_type: 'Relu', input: ['nowhere'], output: ['y'] }] }))).toEqual(['dangling-tensor']);
    expect(codes(encodeModel({ outputs: [vi('missing')] }))).toEqual(['dangling-tensor']);
    expect(codes(encodeModel({ nodes: [
      { name: 'r1', op_type: 'Relu', input: ['x'], output: ['y'] },
      { name: 'r2', op_type: 'Relu', input: ['x'], output: ['y'] },
    ] }))).toEqual(['duplicate-tensor']);
    const cyc = encodeModel({ nodes: [
      { name: 'a', op_type: 'Add', input: ['x', 'c'], output: ['b'] },
      { name: 'b', op_type: 'Relu', input: ['b'], output: ['c'] },
      { name: 'out', op_type: 'Relu', input: ['c'], output: ['y'] },
    ] });
    expect(codes(cyc)).toEqual(['graph-cycle']);
    expect(messages(cyc)).toContain("node 'a' (#0, Add)");
  });

  it('puts nodes in topological order when the file does not', () => {
    const r = importOnnx(encodeModel({ nodes: [
      { name: 'second', op_type: 'Relu', input: ['t'], output: ['y'] },
      { name: 'first', op_type: 'Relu', input: ['x'], output: ['t'] },
    ] }), { file: 'm.onnx' });
    expect(r.value?.nodes.map((n) => n.name)).toEqual(['first', 'second']);
  });

  it('reports initializers whose bytes or values do not match their shape', () => {
    const raw = encodeModel({
      nodes: [{ name: 'a', op_type: 'Add', input: ['x', 'w'], output: ['y'] }],
      initializers: [{ name: 'w', data_type: FLOAT, dims: [1, 4], raw_data: new Uint8Array(12) }],
    });
    expect(codes(raw)).toEqual(['tensor-size-mismatch']);
    expect(messages(raw)).toContain("initializer 'w' (#0): 12 bytes of data for shape [1,4] of float32 (4 elements, 16 bytes)");
    expect(codes(encodeModel({
      nodes: [{ name: 'a', op_type: 'Add', input: ['x', 'w'], output: ['y'] }],
      initializers: [{ name: 'w', data_type: INT8, dims: [4], int32_data: [1, 2] }],
    }))).toEqual(['tensor-size-mismatch']);
  });

  it('refuses absurd sizes before allocating anything', () => {
    const bytes = encodeModel({
      nodes: [{ name: 'a', op_type: 'Add', input: ['x', 'w'], output: ['y'] }],
      initializers: [{ name: 'w', data_type: FLOAT, dims: [1 << 20, 1 << 20, 1 << 20] }],
    });
    expect(codes(bytes)).toEqual(['tensor-too-large']);
    expect(codes(encodeModel({
      nodes: [{ name: 'a', op_type: 'Add', input: ['x', 'w'], output: ['y'] }],
      initializers: [{ name: 'w', data_type: FLOAT, dims: [-1, 4] }],
    }))).toEqual(['bad-shape']);
  });

  describe('external data', () => {
    const ext = (location: string, extra: { key: string; value: string }[] = []): Uint8Array => encodeModel({
      nodes: [{ name: 'a', op_type: 'Add', input: ['x', 'w'], output: ['y'] }],
      initializers: [{ name: 'w', data_type: FLOAT, dims: [1, 4], data_location: 1, external_data: [{ key: 'location', value: location }, ...extra] }],
    });
    const file = new Uint8Array(new Float32Array([0, 1, 2, 3, 4, 5]).buffer);

    it('reads only relative paths inside the model folder', () => {
      const asked: string[] = [];
      const reader = (l: string): Uint8Array | undefined => (asked.push(l), l === 'weights.bin' ? file : undefined);
      const r = importOnnx(ext('weights.bin', [{ key: 'offset', value: '8' }]), { file: 'm.onnx', readExternal: reader });
      expect(r.diagnostics).toEqual([]);
      expect(Array.from(r.value!.initializers.get('w')!.data)).toEqual([2, 3, 4, 5]);
      for (const bad of ['/etc/passwd', '../secret.bin', 'sub/../../x.bin', 'C:\\x.bin', '..\\x.bin']) {
        expect(codes(ext(bad), reader), bad).toEqual(['external-data-path']);
      }
      expect(asked).toEqual(['weights.bin']);
      expect(isSafeExternalLocation('sub/w.bin')).toBe(true);
    });

    it('reports a missing file, a missing reader and a range beyond the file', () => {
      expect(codes(ext('nothere.bin'), () => undefined)).toEqual(['external-data-missing']);
      expect(codes(ext('weights.bin'))).toEqual(['external-data-unavailable']);
      expect(codes(ext('weights.bin', [{ key: 'offset', value: '16' }]), () => file)).toEqual(['external-data-range']);
      expect(codes(ext('weights.bin', [{ key: 'length', value: '8' }]), () => file)).toEqual(['tensor-size-mismatch']);
    });
  });

  it('never throws on corrupted copies of a real model (byte flips and cuts)', () => {
    const full = new Uint8Array(readFileSync(MODELS + 'qonnx_tfc_2w2a_mnist.qonnx.onnx'));
    const r = deriveRng(7, 'test.nn', 'fuzz');
    let refused = 0;
    for (let i = 0; i < 150; i++) {
      const bytes = full.slice(0, i % 3 === 0 ? Math.floor(r.next() * full.length) : full.length);
      for (let k = 0; k < 1 + (i % 5); k++) bytes[Math.floor(r.next() * bytes.length)] = Math.floor(r.next() * 256);
      const res = importOnnx(bytes, { file: 'fuzz.onnx' });
      expect(res.value === undefined).toBe(res.diagnostics.some((d) => d.severity === 'error'));
      if (res.value === undefined) refused++;
    }
    expect(refused).toBeGreaterThan(0);
  });

  it('decodes TensorProto files and reports broken ones', () => {
    const t = onnxTypes.TensorProto.encode(onnxTypes.TensorProto.fromObject({ name: 't', data_type: INT8, dims: [2], raw_data: new Uint8Array([1, 255]) })).finish();
    const r = decodeTensorProto(t, 't.pb');
    expect(r.value?.name).toBe('t');
    expect(Array.from(r.value!.tensor.data)).toEqual([1, -1]);
    expect(decodeTensorProto(t.subarray(0, t.length - 1), 't.pb').diagnostics.map((d) => d.code)).toEqual(['onnx-decode']);
  });
});
