/** The compiler entry point: lowering, capability checks, memory planning, code generation. */
import { assemble } from '../isa/index.js';
import type { NnGraph, Tensor } from '../nn/index.js';
import type { PlatformGraph } from '../platform/index.js';
import type { CycleCosts } from './asm-builder.js';
import { generate, layerCodeRanges } from './codegen.js';
import { Diags } from './diag.js';
import { ACT_BYTES, type Compiled, type CompileResult, type LayerReport } from './ir.js';
import { findMemories, layout } from './layout.js';
import { lower } from './lower.js';

/** Options of {@link compile}. */
export interface CompileOptions {
  /** Cores to run on, in core-index order (default: every instance of kind `core`). */
  readonly cores?: readonly string[];
  /** Graph inputs to treat as constants (e.g. the weights of ONNX node tests, which are inputs). */
  readonly constants?: ReadonlyMap<string, Tensor>;
  /** Use Xesimd `pv.mac.b` where a layer allows it and every core has Xesimd (default true). */
  readonly simd?: boolean;
  /**
   * Let activation buffers whose lifetimes do not overlap share memory (default true). Turn it
   * off to read every intermediate tensor after a run (`Compiled.tensors`).
   */
  readonly reuse?: boolean;
}

/** Issue cycles per instruction class from a core instance's timing params (the core declaration's defaults when absent). */
export function cycleCostsOf(params: Readonly<Record<string, unknown>>): CycleCosts {
  const n = (k: string, d: number): number => (typeof params[k] === 'number' ? (params[k] as number) : d);
  return {
    alu: n('aluCycles', 1), mul: n('mulCycles', 1), mulh: n('mulhCycles', 5), div: n('divCycles', 35), load: n('loadCycles', 1), store: n('storeCycles', 1),
    branchTaken: n('branchTakenCycles', 3), branchNotTaken: n('branchNotTakenCycles', 1), jump: n('jumpCycles', 2), system: n('systemCycles', 1),
    simd: n('simdCycles', 1), sync: n('syncCycles', 1), dma: n('dmaCycles', 1), accel: n('accelCycles', 1),
    fpuAddMul: n('fpuAddMulCycles', 1), fpuDivSqrt: n('fpuDivSqrtCycles', 19), fpuOther: n('fpuOtherCycles', 1),
  };
}

const extensionsOf = (params: Readonly<Record<string, unknown>>): readonly string[] => {
  const e = params['extensions'];
  return Array.isArray(e) ? (e as string[]) : e instanceof Set ? [...(e as Set<string>)] : [];
};

/**
 * Compiles a quantized network for the cores of a platform. Pure (no files, no clock): the
 * result holds the program, the data images and the input/output placements; `runCompiled`
 * in `src/sim` loads and runs it. Every problem is a diagnostic (never a throw).
 */
export function compile(graph: NnGraph, platform: PlatformGraph, opts: CompileOptions = {}): CompileResult<Compiled> {
  const d = new Diags(graph.name === '' ? '<model>' : graph.name);
  const allCores = Object.values(platform.instances).filter((i) => i.kind === 'core').map((i) => i.name);
  const cores = opts.cores ?? allCores;
  if (cores.length === 0) d.error('no-cores', `platform '${platform.platform}' has no core to compile for`);
  for (const c of cores) {
    const inst = platform.instances[c];
    if (inst === undefined || inst.kind !== 'core') d.error('unknown-core', `'${c}' is not a core of platform '${platform.platform}'`, `cores: ${allCores.join(', ')}`);
  }
  if (new Set(cores).size !== cores.length) d.error('duplicate-core', `the core list ${cores.join(', ')} names a core twice`);
  const low = lower(graph, opts.constants);
  d.list.push(...low.diagnostics);
  if (d.failed || low.value === undefined) return { value: undefined, diagnostics: d.list };
  const lowered = low.value;
  const dots = lowered.layers.filter((l) => l.kind !== 'alias');

  // Capabilities: F for requantization and the float side, Xesync (and an event unit) for barriers.
  const needs: { ext: string; why: string }[] = [];
  const rq = dots.find((l) => l.kind === 'float' || l.requant !== undefined);
  if (rq !== undefined) needs.push({ ext: 'F', why: rq.kind === 'float' ? `${rq.node} (${rq.opType}) computes in float32 as onnxruntime` : `${rq.node} requantizes in float32 as onnxruntime (fcvt.s.w, fmul.s, fcvt.w.s)` });
  if (cores.length > 1 && dots.length > 1) needs.push({ ext: 'Xesync', why: 'layers are separated by barriers (sync.bar)' });
  for (const c of cores) {
    const ext = extensionsOf(platform.instances[c]!.params);
    for (const n of needs) {
      if (!ext.includes(n.ext)) d.error('missing-extension', `core '${c}' lacks the ${n.ext} extension, which the program needs: ${n.why}`, `add ${n.ext} to the core's extensions param (extensions: [${[...ext, n.ext].join(', ')}])`);
    }
    if (cores.length > 1 && dots.length > 1 && !platform.connections.some((x) => x.from.instance === c && x.from.port === 'sync')) {
      d.error('no-barrier', `core '${c}' has no sync connection to an event unit, so the cores cannot wait for each other between layers`, 'compile for one core, or connect the core\'s sync port');
    }
  }
  const mem = findMemories(platform, cores, d);
  if (d.failed || mem === undefined) return { value: undefined, diagnostics: d.list };
  const hartIds = cores.map((c) => Number(platform.instances[c]!.params['hartId'] ?? 0));
  const simd = opts.simd !== false && cores.every((c) => extensionsOf(platform.instances[c]!.params).includes('Xesimd'));

  // Pass 1 sizes the code (its size does not depend on the addresses), pass 2 places it.
  const reuse = opts.reuse !== false;
  const dry = layout(lowered, mem, 0, new Diags(d.file), simd, reuse, cores.length);
  let codeBytes = 0;
  if (dry !== undefined) codeBytes = 4 * assemble(generate({ layers: lowered.layers, addressing: dry.addressing, floats: dry.floats, placements: dry.placements, hartIds }).asm).words.length;
  const lay = layout(lowered, mem, codeBytes, d, simd, reuse, cores.length);
  if (d.failed || lay === undefined) return { value: undefined, diagnostics: d.list };
  const gen = generate({ layers: lowered.layers, addressing: lay.addressing, floats: lay.floats, placements: lay.placements, hartIds });
  const cyc = generate({ layers: lowered.layers, addressing: lay.addressing, floats: lay.floats, placements: lay.placements, hartIds, costs: cycleCostsOf(platform.instances[cores[0]!]!.params) });
  const asm = assemble(gen.asm, { origin: lay.codeOrigin });
  if (!asm.ok || 4 * asm.words.length !== codeBytes) {
    d.error('internal-codegen', `the generated program does not assemble (${asm.diagnostics.map((x) => `line ${x.line}: ${x.message}`).join('; ') || `size ${4 * asm.words.length} B, planned ${codeBytes} B`})`, 'this is a compiler bug; please report it with the model');
    return { value: undefined, diagnostics: d.list };
  }

  const layers: LayerReport[] = lowered.layers.map((l) => {
    const x = lay.placements.get(l.kind === 'float' ? l.inputs[0]! : l.input)!;
    const y = lay.placements.get(l.output)!;
    const bytes = (p: typeof x): number => p.shape.reduce((a, b) => a * b, 1) * ACT_BYTES[p.dtype];
    if (l.kind === 'alias') {
      return { node: l.node, opType: l.opType, target: 'alias', cores: 0, macs: 0, weightBytes: 0, inputBytes: bytes(x), outputBytes: 0, memories: undefined, predictedInstructions: 0, predictedCycles: 0 };
    }
    if (l.kind === 'float') {
      const F = lay.floats.get(l)!;
      return {
        node: l.node, opType: l.opType, target: 'cores', cores: cores.length, macs: 0, weightBytes: 0,
        inputBytes: l.inputs.reduce((s, t) => s + bytes(lay.placements.get(t)!), 0), outputBytes: bytes(y), memories: F.memories, predictedInstructions: gen.predicted.get(l) ?? 0, predictedCycles: cyc.predicted.get(l) ?? 0,
      };
    }
    const A = lay.addressing.get(l)!;
    return {
      node: l.node, opType: l.opType, target: 'cores', cores: Math.min(cores.length, l.channels), macs: l.macs,
      weightBytes: l.weights.length * l.weightBytes + 4 * l.channels * (l.requant === undefined ? 1 : 2),
      inputBytes: bytes(x), outputBytes: bytes(y), memories: A.memories, predictedInstructions: gen.predicted.get(l) ?? 0, predictedCycles: cyc.predicted.get(l) ?? 0,
    };
  });
  const extensions = [...new Set([...needs.map((n) => n.ext), ...([...lay.addressing.values()].some((x) => x.simd) ? ['Xesimd'] : [])])];
  return {
    value: {
      graph: graph.name, platform: platform.platform, cores: [...cores],
      program: { asm: gen.asm, origin: lay.codeOrigin, words: asm.words, memory: lay.codeMemory },
      images: lay.images, inputs: lowered.inputs.map((n) => lay.placements.get(n)!), outputs: lowered.outputs.map((n) => lay.placements.get(n)!),
      tensors: [...lay.placements.values()], reuse, layers, extensions,
      layerCode: layerCodeRanges(gen.layerLines, asm),
    },
    diagnostics: d.list,
  };
}
