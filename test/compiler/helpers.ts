/** Shared helpers of the compiler tests: platforms, node-test fixtures, compile + simulate. */
import { readdirSync } from 'node:fs';
import { expect } from 'vitest';
import { type Compiled, compile } from '../../src/compiler/index.js';
import type { NnGraph, Tensor } from '../../src/nn/index.js';
import type { PlatformGraph } from '../../src/platform/index.js';
import { instantiate, runCompiled, type CompiledRun } from '../../src/sim/index.js';
import { formatDiagnostics } from '../../src/util/index.js';
import { MODELS, loadModel, loadTensorPb } from '../nn/helpers.js';
import { cleanGraph, loadRepoPlatform, readRepoFile } from '../helpers/repo.js';

export const WORKERS = ['pe0', 'pe1', 'pe2', 'pe3', 'pe4', 'pe5', 'pe6', 'pe7'];

/** pulp-cluster as shipped (cores without F). */
export const pulp = (): PlatformGraph => cleanGraph('platforms/pulp-cluster.yaml');

/** pulp-cluster with the F extension on every core (a YAML variant written here). */
/** pulp-cluster (its cores have the F extension). */
export const pulpF = (): PlatformGraph => pulp();

/** pulp-cluster with cores without the F extension (RV32IM + Xe* only). */
export function pulpNoF(): PlatformGraph {
  const text = readRepoFile('platforms/pulp-cluster.yaml')!.replace(/, extensions: \[Xedma, Xesimd, Xesync, Xeacc, F\]/g, '');
  expect(text).not.toContain(', F]');
  const r = loadRepoPlatform('platforms/pulp-cluster.yaml', text);
  expect(r.diagnostics).toEqual([]);
  return r.graph!;
}

/** An ONNX node test: the model, its inputs by name and its expected outputs by name. */
export interface NodeTest {
  readonly graph: NnGraph;
  readonly inputs: Map<string, Tensor>;
  readonly outputs: Map<string, Tensor>;
}

export function nodeTest(name: string): NodeTest {
  const dir = `onnx_node_tests/${name}`;
  const graph = loadModel(`${dir}/model.onnx`);
  const files = readdirSync(`${MODELS}${dir}/test_data_set_0`);
  const inputs = new Map(graph.inputs.map((vi, i) => [vi.name, loadTensorPb(`${dir}/test_data_set_0/input_${i}.pb`)]));
  const outputs = new Map(graph.outputs.map((vo, i) => [vo.name, loadTensorPb(`${dir}/test_data_set_0/output_${i}.pb`)]));
  expect(files.length).toBe(inputs.size + outputs.size);
  return { graph, inputs, outputs };
}

/** Compiles (failing with the formatted diagnostics). */
export function compileOk(graph: NnGraph, platform: PlatformGraph, cores: readonly string[] | undefined, constants?: ReadonlyMap<string, Tensor>): Compiled {
  const r = compile(graph, platform, { ...(cores === undefined ? {} : { cores }), ...(constants === undefined ? {} : { constants }) });
  if (r.value === undefined) throw new Error(formatDiagnostics(r.diagnostics));
  return r.value;
}

/** Compiles and simulates on a fresh instantiation; returns the run and the compiled network. */
export function compileAndRun(graph: NnGraph, platform: PlatformGraph, cores: readonly string[] | undefined, inputs: ReadonlyMap<string, Tensor>, constants?: ReadonlyMap<string, Tensor>): { run: CompiledRun; compiled: Compiled } {
  const compiled = compileOk(graph, platform, cores, constants);
  const p = instantiate(platform);
  const runInputs = new Map([...inputs].filter(([k]) => constants?.has(k) !== true));
  return { run: runCompiled(p, compiled, runInputs), compiled };
}

/** Plain values of a tensor for toEqual. */
export const values = (t: Tensor | undefined): { dtype: string; shape: number[]; data: number[] } =>
  t === undefined ? { dtype: 'missing', shape: [], data: [] } : { dtype: t.dtype, shape: [...t.shape], data: Array.from(t.data) };
