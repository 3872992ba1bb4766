/**
 * Memory planning: which memories the chosen cores reach, where the code, the activations and
 * the constants go, and the data images to load before a run.
 *
 * - Activations first (they are touched most), then the constants of each layer (weights,
 *   biases, multipliers, float-kernel tables), each into the first memory that still has room:
 *   the scratchpad every chosen core reaches through its `tcdm` port, then the first `memory`
 *   of the address map (L2, read by the cores through the interconnect: slower, still correct).
 *   The code goes to the first `memory` (the scratchpad when there is none).
 * - Buffer reuse (`reuse`, default on): an activation buffer lives from the layer that writes it
 *   to the last layer that reads it (graph inputs from the start, graph outputs to the end;
 *   Reshape-like aliases extend their root's life). Buffers whose lifetimes do not overlap may
 *   share memory: each is placed first-fit at the lowest address free of every buffer live at
 *   the same time. Without reuse every buffer has its own memory.
 * - Padding: a tensor read by a padded convolution is stored in a buffer with the largest pads
 *   its convolutions need. The layer that writes the tensor first fills the border with the
 *   convolution's input zero point (its memory may have held another tensor), then writes the
 *   interior through the placement's strides; graph inputs are written whole by the loader. The
 *   convolution loop then has no bounds checks, and the zero point's share of the sum is a
 *   per-channel constant.
 * - Packed convolutions (`simd`, see {@link useConvSimd}): one im2col buffer per core, live
 *   during the layer only (placed like an activation, so in the scratchpad when there is room),
 *   and the weights stored as zero-padded rows of a multiple of 4 bytes.
 */
import { stridesOf } from '../nn/index.js';
import type { AddressRegion, PlatformGraph } from '../platform/index.js';
import { Diags } from './diag.js';
import { ACT_BYTES, type DataImage, type DotLayer, type FloatLayer, type Lowered, type Placement } from './ir.js';
import { floatKernelOf } from './codegen.js';
import { chainTable } from './qonnx-codegen.js';

/** Addressing of one dot layer, all in bytes (see codegen). */
export interface DotAddressing {
  readonly xBase: number; readonly xBatch: number; readonly xGroup: number; readonly xChan: number; readonly xKRow: number;
  readonly xTap: number; readonly xRow: number; readonly xCol: number;
  readonly yBase: number; readonly yBatch: number; readonly yChan: number; readonly yRow: number; readonly yCol: number;
  readonly wBase: number; readonly biasBase: number; readonly multBase: number;
  /**
   * Weights kept in main memory and staged into a scratchpad buffer at `wBase` (`to`); `bytes`
   * is a multiple of 4. `by: 'dma'` with `prefetch`: core 0 starts the DMA transfer at the start of the previous
   * computed layer and waits for it before the barrier that precedes this layer, so the copy
   * overlaps the previous layer's compute; the buffer is reserved from that layer on (two
   * consecutive staged layers use different buffers: double buffering). Without `prefetch`
   * (no room for the longer reservation, or the first layer) core 0 starts and awaits the copy
   * at the layer's start, then a barrier.
   * `by: 'cores'` (no usable DMA): the cores copy the weights at the layer's start, then a
   * barrier. The buffer is shared with other layers' data outside that window.
   */
  readonly stage: { readonly from: number; readonly to: number; readonly bytes: number; readonly by: 'dma' | 'cores'; readonly prefetch: boolean; readonly maxTransferBytes: number } | undefined;
  /** Taps are read four at a time with `pv.mac.b` (Xesimd): see {@link useSimd} and {@link useConvSimd}. */
  readonly simd: boolean;
  /**
   * Packed convolutions (`simd` and op `conv`): the per-core im2col buffer of `kPad` bytes (the
   * group's `Cin/group * kh * kw` taps of one output pixel, then zeros up to a multiple of 4) at
   * `base + h * stride` for core h; the weights are stored as rows of `kPad` bytes, zero padded.
   */
  readonly col: { readonly base: number; readonly stride: number; readonly kPad: number } | undefined;
  readonly memories: { readonly input: string; readonly output: string; readonly weights: string };
}

/** Constants and memories of one float-side layer. */
export interface FloatAddressing {
  /** Where the kernel's constant table is (0 when it has none). */
  readonly tableAddress: number;
  readonly memories: { readonly input: string; readonly output: string; readonly weights: string };
}

/** The memories the compiled program uses. */
export interface Memories {
  /** Preferred first: the scratchpad the cores reach through tcdm, then the first `memory`. */
  readonly data: readonly AddressRegion[];
  readonly code: AddressRegion;
  /**
   * The DMA engine that stages weights from main memory into the scratchpad one layer ahead
   * (double buffering): a `dma` instance in the address map with a `local` port on the
   * scratchpad, when every core has Xedma. Without it the cores copy the weights themselves at
   * the layer's start.
   */
  readonly dma?: { readonly instance: string; readonly maxTransferBytes: number; readonly align: number };
}

/**
 * The DMA that can stage weights into `scratch` for `cores` (see {@link Memories.dma}), if any.
 * Only the register block's presence in the address map and the `local` connection are checked;
 * that its `ext` side reaches main memory is what every platform with a DMA is built for.
 */
function findDma(platform: PlatformGraph, cores: readonly string[], scratch: AddressRegion | undefined, main: AddressRegion | undefined): Memories['dma'] {
  if (scratch === undefined || cores.length === 0) return undefined;
  const hasXedma = (c: string): boolean => {
    const e = platform.instances[c]?.params['extensions'];
    return (Array.isArray(e) || e instanceof Set) && [...(e as Iterable<unknown>)].includes('Xedma');
  };
  if (!cores.every(hasXedma)) return undefined;
  const r = platform.addressMap.find((x) => platform.instances[x.target]?.kind === 'dma'
    && platform.connections.some((c) => c.from.instance === x.target && c.from.port === 'local' && c.to.instance === scratch.target));
  if (r === undefined) return undefined;
  const p = platform.instances[r.target]!.params;
  const max = Number(p['maxTransferBytes'] ?? 0);
  // bursts start on a word of every side they touch: align both copies to the widest
  const bits = [p['extWidthBits'], p['localWidthBits'], main === undefined ? 32 : platform.instances[main.target]?.params['dataWidthBits']].map((b) => Number(b ?? 32));
  const align = Math.max(4, ...bits.map((b) => b / 8));
  return max >= align ? { instance: r.target, maxTransferBytes: Math.floor(max / align) * align, align } : undefined;
}

/** Finds the scratchpad all `cores` reach through `tcdm`, and the first `memory` of the address map. */
export function findMemories(platform: PlatformGraph, cores: readonly string[], d: Diags): Memories | undefined {
  const reach = (core: string): Set<string> =>
    new Set(platform.connections.filter((c) => c.from.instance === core && c.from.port === 'tcdm').map((c) => c.to.instance));
  let common: Set<string> | undefined;
  for (const c of cores) {
    const r = reach(c);
    common = common === undefined ? r : new Set([...common].filter((x) => r.has(x)));
  }
  const scratch = platform.addressMap.find((r) => common?.has(r.target) === true);
  const main = platform.addressMap.find((r) => platform.instances[r.target]?.kind === 'memory');
  const data = [scratch, main].filter((r): r is AddressRegion => r !== undefined);
  const code = main ?? scratch;
  if (code === undefined) {
    d.error('no-memory', `platform '${platform.platform}' has no memory the cores ${cores.join(', ')} can use: no scratchpad on their tcdm ports and no instance of kind memory in the address map`);
    return undefined;
  }
  const dma = findDma(platform, cores, scratch, main);
  return dma === undefined ? { data, code } : { data, code, dma };
}

class Arena {
  next: number;
  readonly region: AddressRegion;
  constructor(region: AddressRegion, start = region.base) {
    this.region = region;
    this.next = start;
  }
  alloc(bytes: number, align = 4): number | undefined {
    const a = Math.ceil(this.next / align) * align;
    if (a + bytes > this.region.end) return undefined;
    this.next = a + bytes;
    return a;
  }
}

/** Result of {@link layout}. */
export interface Layout {
  readonly placements: ReadonlyMap<string, Placement>;
  readonly addressing: ReadonlyMap<DotLayer, DotAddressing>;
  readonly floats: ReadonlyMap<FloatLayer, FloatAddressing>;
  readonly images: readonly DataImage[];
  /** Bytes of activation memory per memory (the high-water mark of the activation buffers). */
  readonly activationBytes: ReadonlyMap<string, number>;
  readonly codeOrigin: number;
  readonly codeMemory: string;
}


/**
 * Whether a layer's taps can be read as packed words: a matrix product (taps contiguous) with
 * int8 weights, K a multiple of 4, and every row start 4-byte aligned (lw).
 */
export function useSimd(l: DotLayer, xBase: number, xRow: number, xBatch: number, xTap: number): boolean {
  return l.op === 'matmul' && l.weightBytes === 1 && xTap === 1 && l.kw % 4 === 0 && xBase % 4 === 0 && xRow % 4 === 0 && xBatch % 4 === 0;
}

/**
 * Whether a convolution runs packed (im2col + `pv.mac.b`): int8 centred weights (any input type:
 * uint8 columns are xor'ed with 0x80808080, the 128 * sum(w) this removes is folded into the
 * bias), the taps of one input channel reachable with 12-bit offsets (unrolled copy) and the
 * padded reduction at most 2 KiB.
 */
export function useConvSimd(l: DotLayer, xKRow: number, xTap: number): boolean {
  const K = l.inChannelsPerGroup * l.kh * l.kw;
  return l.op === 'conv' && l.weightBytes === 1 && l.kh * l.kw <= 64 && (l.kh - 1) * xKRow + (l.kw - 1) * xTap <= 2047 && K <= 2040;
}

/** The im2col row length of a packed convolution: its reduction padded to a multiple of 4. */
export const convKPad = (l: DotLayer): number => Math.ceil((l.inChannelsPerGroup * l.kh * l.kw) / 4) * 4;

/** Whether a placement's elements are row-major and contiguous (no padding). */
export const isContiguous = (p: Placement): boolean => stridesOf(p.shape).every((s, i) => s === p.strides[i] || p.shape[i] === 1);

/**
 * Plans memory for the lowered layers with `codeBytes` of code; `simd` when every core has
 * Xesimd; `reuse` lets activation buffers with disjoint lifetimes share memory.
 */
export function layout(low: Lowered, mem: Memories, codeBytes: number, d: Diags, simd = false, reuse = true, cores = 1): Layout | undefined {
  // Alias classes: every tensor maps to the root tensor owning its buffer.
  const root = new Map<string, string>();
  const rootOf = (t: string): string => root.get(t) ?? t;
  const members = new Map<string, number>();
  for (const l of low.layers) {
    if (l.kind !== 'alias') continue;
    const r = rootOf(l.input);
    root.set(l.output, r);
    members.set(r, (members.get(r) ?? 1) + 1);
  }
  // Pads and fill value per root.
  const pads = new Map<string, { p: [number, number, number, number]; fill: number; by: string }>();
  for (const l of low.layers) {
    if (l.kind !== 'dot' || l.op !== 'conv' || l.pads.every((p) => p === 0)) continue;
    const r = rootOf(l.input);
    if (r !== l.input || (members.get(r) ?? 1) > 1) {
      d.error('unsupported-layout', `${l.node}: its input '${l.input}' is padded and also reshaped; a padded convolution input shared with Reshape/Flatten/Squeeze is not supported yet`);
      continue;
    }
    const cur = pads.get(r);
    if (cur !== undefined && cur.fill !== l.inZeroPoint) {
      d.error('unsupported-layout', `${l.node}: input '${l.input}' is also padded by ${cur.by} with another zero point (${cur.fill} vs ${l.inZeroPoint})`);
      continue;
    }
    const p = cur?.p ?? [0, 0, 0, 0];
    pads.set(r, { p: [Math.max(p[0], l.pads[0]), Math.max(p[1], l.pads[1]), Math.max(p[2], l.pads[2]), Math.max(p[3], l.pads[3])], fill: l.inZeroPoint, by: cur?.by ?? l.node });
  }
  if (d.failed) return undefined;

  const codeArena = new Arena(mem.code);
  const codeOrigin = codeArena.alloc(codeBytes)!;
  if (codeOrigin === undefined || codeBytes > mem.code.size) {
    d.error('out-of-memory', `the program (${codeBytes} B) does not fit in '${mem.code.target}' (${mem.code.size} B)`);
    return undefined;
  }
  const arenas = mem.data.map((r) => (r === mem.code ? codeArena : new Arena(r)));
  const images: DataImage[] = [];
  const placements = new Map<string, Placement>();
  // Lifetimes of the buffers (roots), in layer indices: [written, last read].
  const born = new Map<string, number>();
  const dies = new Map<string, number>();
  low.layers.forEach((l, i) => {
    for (const t of l.kind === 'float' ? l.inputs : [l.input]) dies.set(rootOf(t), Math.max(dies.get(rootOf(t)) ?? -1, i));
    if (l.kind !== 'alias' && !born.has(rootOf(l.output))) born.set(rootOf(l.output), i);
  });
  for (const o of low.outputs) dies.set(rootOf(o), Infinity);
  const ALWAYS: readonly [number, number] = [-1, Infinity];
  const life = (t: string): readonly [number, number] => {
    if (!reuse) return ALWAYS;
    const b = born.get(t) ?? -1;
    return [b, Math.max(b, dies.get(t) ?? b)];
  };

  // The buffers to place: activations (roots) and the constants of each layer.
  interface Item {
    readonly key: string;
    readonly what: string;
    readonly bytes: number;
    /** Lifetime of an activation; constants: always. */
    readonly span: readonly [number, number];
    /** Weights that may be staged during this layer index. */
    readonly stageAt: number | undefined;
  }
  const items: Item[] = [];
  const actShape = new Map<string, { shape: number[]; offset: number; fill: number }>();
  for (const t of low.acts.keys()) {
    if (rootOf(t) !== t) continue;
    const info = low.acts.get(t)!;
    const pd = pads.get(t);
    let shape = [...info.shape];
    let offset = 0;
    if (pd !== undefined) {
      const [N, C, H, W] = info.shape as [number, number, number, number];
      const PW = W + pd.p[1] + pd.p[3];
      shape = [N, C, H + pd.p[0] + pd.p[2], PW];
      offset = pd.p[0] * PW + pd.p[1];
    }
    actShape.set(t, { shape, offset, fill: pd?.fill ?? 0 });
    items.push({ key: `a:${t}`, what: `tensor '${t}'`, bytes: shape.reduce((p, x) => p * x, 1) * ACT_BYTES[info.dtype], span: life(t), stageAt: undefined });
  }
  const acts = items.length;
  // packed convolutions: known from the (padded) input shape, before any address
  const convPacked = new Set<DotLayer>();
  for (const l of low.layers) {
    if (!simd || l.kind !== 'dot' || l.op !== 'conv') continue;
    // a padded input is its own root; an unpadded one (maybe an alias) is row-major
    const sh = rootOf(l.input) === l.input ? actShape.get(l.input)?.shape : low.acts.get(l.input)?.shape;
    if (sh === undefined || sh.length !== 4) continue;
    if (useConvSimd(l, l.dilations[0] * sh[3]!, l.dilations[1])) convPacked.add(l);
  }
  low.layers.forEach((l, i) => {
    // the im2col buffers of a packed convolution: one per core, live during the layer only
    if (l.kind === 'dot' && convPacked.has(l)) items.push({ key: `c:${i}`, what: `the im2col buffers of ${l.node}`, bytes: cores * convKPad(l), span: [i, i], stageAt: undefined });
  });
  const weightBytes = (l: DotLayer): number => (convPacked.has(l) ? l.weights.length / (l.inChannelsPerGroup * l.kh * l.kw) * convKPad(l) : Math.ceil((l.weights.length * l.weightBytes) / 4) * 4);
  const tableBytes = (l: FloatLayer): number => {
    if (l.op.type === 'softmax') return 44;
    if (l.op.type === 'chain') return chainTable(l.op)?.length ?? 0;
    if (l.op.type !== 'averagePool') return 0;
    const y = low.acts.get(l.output)!.shape;
    return 4 + 12 * (y[2]! + y[3]!);
  };
  low.layers.forEach((l, i) => {
    if (l.kind === 'dot') {
      items.push({ key: `w:${i}`, what: `the weights of ${l.node}`, bytes: weightBytes(l), span: ALWAYS, stageAt: i });
      items.push({ key: `b:${i}`, what: `the bias of ${l.node}`, bytes: 4 * l.bias.length, span: ALWAYS, stageAt: undefined });
      if (l.requant !== undefined) items.push({ key: `m:${i}`, what: `the requantization multipliers of ${l.node}`, bytes: 4 * l.channels, span: ALWAYS, stageAt: undefined });
    } else if (l.kind === 'float' && tableBytes(l) > 0) {
      items.push({ key: `t:${i}`, what: `the constant table of ${l.node}`, bytes: tableBytes(l), span: ALWAYS, stageAt: undefined });
    }
  });

  /** The computed layer during which the DMA copy for layer `i` runs (`i` itself for the first computed layer). */
  const dmaAlign = mem.dma?.align ?? 4;
  const issueAt = (i: number): number => {
    for (let j = i - 1; j >= 0; j--) if (low.layers[j]!.kind !== 'alias') return j;
    return i;
  };
  /** Where an item went: its address (the scratchpad copy for staged weights) and its main-memory home when staged. */
  interface Spot { readonly address: number; readonly memory: string; readonly home?: { readonly address: number; readonly memory: string }; readonly prefetch?: boolean }
  const start = arenas.map((a) => a.next);
  type Live = { lo: number; hi: number; from: number; to: number }[][];
  const plan = (staging: boolean): { spots: Map<string, Spot>; failed: Item | undefined; live: Live } => {
    // First-fit per memory, avoiding the buffers live at the same time (constants: always live).
    const live: Live = arenas.map(() => []);
    const fit = (k: number, bytes: number, span: readonly [number, number], align = 4): number | undefined => {
      const busy = live[k]!.filter((b) => b.from <= span[1] && span[0] <= b.to).sort((x, y) => x.lo - y.lo);
      let at = Math.ceil(start[k]! / align) * align;
      for (const b of busy) {
        if (at + bytes <= b.lo) break;
        at = Math.max(at, Math.ceil(b.hi / align) * align);
      }
      if (at + bytes > arenas[k]!.region.end) return undefined;
      live[k]!.push({ lo: at, hi: at + bytes, from: span[0], to: span[1] });
      return at;
    };
    const spots = new Map<string, Spot>();
    const anywhere = (it: Item, from: number, align = 4): boolean => {
      for (let k = from; k < arenas.length; k++) {
        const at = fit(k, it.bytes, it.span, align);
        if (at !== undefined) {
          spots.set(it.key, { address: at, memory: arenas[k]!.region.target });
          return true;
        }
      }
      return false;
    };
    if (!staging) {
      // activations first (they are touched most), then the constants layer by layer
      for (const it of items) if (!anywhere(it, 0)) return { spots, failed: it, live };
      return { spots, failed: undefined, live };
    }
    // small constants for the whole run, then activations and per-layer weight copies, largest first
    const fixed = items.filter((it, i) => i >= acts && it.stageAt === undefined);
    const timed = items.filter((it, i) => i < acts || it.stageAt !== undefined).sort((x, y) => y.bytes - x.bytes);
    for (const it of fixed) if (!anywhere(it, 0)) return { spots, failed: it, live };
    for (const it of timed) {
      if (it.stageAt === undefined) {
        if (!anywhere(it, 0)) return { spots, failed: it, live };
        continue;
      }
      const at = fit(0, it.bytes, [it.stageAt, it.stageAt], dmaAlign);
      if (at !== undefined) {
        const home = { key: it.key, what: it.what, bytes: it.bytes, span: ALWAYS, stageAt: undefined };
        if (!anywhere(home, 1, dmaAlign)) return { spots, failed: it, live };
        spots.set(it.key, { address: at, memory: arenas[0]!.region.target, home: spots.get(it.key)! });
      } else if (!anywhere({ ...it, span: ALWAYS }, 1)) return { spots, failed: it, live };
    }
    if (mem.dma !== undefined) {
      // Double buffering: reserve each staged buffer from the previous computed layer on, so the
      // DMA copy overlaps that layer; at the same address when it is free, else anywhere free.
      // A buffer that cannot be reserved so is still copied by DMA, at its layer's start.
      for (const it of items.filter((x) => x.stageAt !== undefined).sort((x, y) => x.stageAt! - y.stageAt!)) {
        const sp = spots.get(it.key);
        const i = it.stageAt!;
        const from = issueAt(i);
        if (sp?.home === undefined || from === i) continue;
        const own = live[0]!.findIndex((b) => b.lo === sp.address && b.hi === sp.address + it.bytes && b.from === i && b.to === i);
        if (own < 0) continue;
        const [mine] = live[0]!.splice(own, 1);
        const clash = live[0]!.some((b) => b.from <= i && from <= b.to && sp.address < b.hi && b.lo < sp.address + it.bytes);
        // (sp.address is already aligned for the DMA)
        if (!clash) {
          live[0]!.push({ ...mine!, from });
          spots.set(it.key, { ...sp, prefetch: true });
          continue;
        }
        const at = fit(0, it.bytes, [from, i], dmaAlign);
        if (at === undefined) live[0]!.push(mine!);
        else spots.set(it.key, { ...sp, address: at, prefetch: true });
      }
    }
    return { spots, failed: undefined, live };
  };
  const scratch = arenas[0]!.region.target;
  const allIn = (spots: Map<string, Spot>): boolean => [...spots.values()].every((x) => x.memory === scratch);
  let chosen = plan(false);
  if (arenas.length > 1 && (chosen.failed !== undefined || !allIn(chosen.spots))) {
    const staged = plan(true);
    if (staged.failed === undefined) chosen = staged;
  }
  if (chosen.failed !== undefined) {
    const it = chosen.failed;
    const free = (k: number): number => arenas[k]!.region.end - Math.max(start[k]!, ...chosen.live[k]!.filter((b) => b.to === Infinity).map((b) => b.hi));
    d.error('out-of-memory', `no room for ${it.what} (${it.bytes} B) in ${arenas.map((x, k) => `'${x.region.target}' (${free(k)} B free)`).join(', ')}`, 'weights are not streamed (no DMA tiling yet)');
    return undefined;
  }
  const spots = chosen.spots;
  const activationBytes = new Map<string, number>();
  for (const it of items.slice(0, acts)) {
    const sp = spots.get(it.key)!;
    activationBytes.set(sp.memory, Math.max(activationBytes.get(sp.memory) ?? 0, sp.address + it.bytes - start[arenas.findIndex((x) => x.region.target === sp.memory)]!));
  }

  for (const t of low.acts.keys()) {
    if (rootOf(t) !== t) continue;
    const info = low.acts.get(t)!;
    const eb = ACT_BYTES[info.dtype];
    const sh = actShape.get(t)!;
    const sp = spots.get(`a:${t}`)!;
    placements.set(t, {
      name: t, dtype: info.dtype, shape: info.shape, strides: stridesOf(sh.shape), address: sp.address + sh.offset * eb,
      buffer: { address: sp.address, bytes: sh.shape.reduce((p, x) => p * x, 1) * eb }, fill: sh.fill, memory: sp.memory,
    });
    // a padded graph input: the border in a data image too (the loader writes the whole buffer anyway)
    const bytes = sh.shape.reduce((p, x) => p * x, 1) * eb;
    if (low.inputs.includes(t) && pads.has(t)) images.push({ address: sp.address, bytes: new Uint8Array(bytes).fill(sh.fill & 0xff), what: `padded buffer of '${t}' (border = zero point ${sh.fill})`, memory: sp.memory });
  }
  for (const t of low.acts.keys()) {
    const r = rootOf(t);
    if (r === t) continue;
    const rp = placements.get(r)!;
    const info = low.acts.get(t)!;
    placements.set(t, { ...rp, name: t, shape: info.shape, strides: stridesOf(info.shape) });
  }

  // Constants and addressing per layer.
  const addressing = new Map<DotLayer, DotAddressing>();
  const floats = new Map<FloatLayer, FloatAddressing>();
  low.layers.forEach((l, li) => {
    if (l.kind === 'float') {
      const x = placements.get(l.inputs[0]!)!;
      const y = placements.get(l.output)!;
      const elementwise = l.op.type === 'dequantize' || l.op.type === 'quantize' || l.op.type === 'binary' || l.op.type === 'qdqBinary' || l.op.type === 'chain' || l.op.type === 'maxPool';
      if (!elementwise && (!isContiguous(x) || !isContiguous(y))) {
        d.error('unsupported-layout', `${l.node}: ${l.opType} needs contiguous input and output buffers ('${x.name}', '${y.name}')`);
        return;
      }
      const sp = spots.get(`t:${li}`);
      const bytes = l.op.type === 'chain' ? chainTable(l.op) : floatKernelOf(l, placements, 0)?.data[0]?.bytes;
      if (sp !== undefined && bytes !== undefined) {
        if (bytes.length !== tableBytes(l)) d.error('internal-layout', `${l.node}: table of ${bytes.length} B, planned ${tableBytes(l)} B`);
        images.push({ address: sp.address, bytes, what: `constants of ${l.node}`, memory: sp.memory });
      }
      floats.set(l, { tableAddress: sp?.address ?? 0, memories: { input: x.memory, output: y.memory, weights: sp?.memory ?? x.memory } });
      return;
    }
    if (l.kind !== 'dot') return;
    const wBytes = new Uint8Array(weightBytes(l));
    const wv = new DataView(wBytes.buffer);
    const rowK = l.inChannelsPerGroup * l.kh * l.kw;
    const kPad = convKPad(l);
    if (convPacked.has(l)) l.weights.forEach((v, i) => wv.setInt8(Math.floor(i / rowK) * kPad + (i % rowK), v));
    else l.weights.forEach((v, i) => (l.weightBytes === 1 ? wv.setInt8(i, v) : wv.setInt16(2 * i, v, true)));
    const w = spots.get(`w:${li}`)!;
    const stage = w.home === undefined ? undefined : { from: w.home.address, to: w.address, bytes: wBytes.length, by: mem.dma === undefined ? 'cores' as const : 'dma' as const, prefetch: w.prefetch === true, maxTransferBytes: mem.dma?.maxTransferBytes ?? 0 };
    const x = placements.get(l.input)!;
    const xs = x.strides;
    const rank = xs.length;
    const packed = convPacked.has(l) || (simd && l.op === 'matmul' && useSimd(l, x.address, xs[rank - 2]!, rank > 2 ? xs[rank - 3]! : 0, xs[rank - 1]!));
    const colSpot = spots.get(`c:${li}`);
    const bBytes = new Uint8Array(4 * l.bias.length);
    const bv = new DataView(bBytes.buffer);
    const rowLen = l.inChannelsPerGroup * l.kh * l.kw;
    l.bias.forEach((v, i) => {
      // uint8 inputs xor 0x80 in the packed path: x = (x ^ 0x80) + 128, so add 128 * sum(w)
      let extra = 0;
      if (packed && l.inDtype === 'uint8') for (let k = 0; k < rowLen; k++) extra += 128 * l.weights[i * rowLen + k]!;
      bv.setInt32(4 * i, (v + extra) | 0, true);
    });
    const b = spots.get(`b:${li}`)!;
    const mult = spots.get(`m:${li}`);
    if (l.requant !== undefined && mult !== undefined) {
      const mBytes = new Uint8Array(4 * l.channels);
      const mv = new DataView(mBytes.buffer);
      l.requant.multipliers.forEach((v, i) => mv.setFloat32(4 * i, v, true));
      images.push({ address: mult.address, bytes: mBytes, what: `multipliers of ${l.node}`, memory: mult.memory });
    }
    const wHome = w.home ?? w;
    images.push({ address: wHome.address, bytes: wBytes, what: `weights of ${l.node}${stage === undefined ? '' : ` (${stage.by === 'dma' ? `copied by DMA to '${w.memory}' ${stage.prefetch ? 'during the previous layer' : 'at the layer start'}` : `copied to '${w.memory}' at the layer's start`})`}`, memory: wHome.memory });
    images.push({ address: b.address, bytes: bBytes, what: `bias of ${l.node}`, memory: b.memory });
    const y = placements.get(l.output)!;
    const ey = ACT_BYTES[y.dtype];
    const ys = y.strides;
    const consts = {
      wBase: w.address, biasBase: b.address, multBase: mult?.address ?? 0, stage,
      memories: { input: x.memory, output: y.memory, weights: stage === undefined ? w.memory : `${wHome.memory}${stage.by === 'dma' ? '=dma=>' : '->'}${w.memory}` }, simd: packed,
      col: colSpot === undefined ? undefined : { base: colSpot.address, stride: kPad, kPad },
    };
    if (l.op === 'conv') {
      const [pt, pl] = l.pads;
      const [sh, sw] = l.strides;
      const [dh, dw] = l.dilations;
      addressing.set(l, {
        xBase: x.address - pt * xs[2]! - pl * xs[3]!, xBatch: xs[0]!, xGroup: l.inChannelsPerGroup * xs[1]!, xChan: xs[1]!, xKRow: dh * xs[2]!,
        xTap: dw * xs[3]!, xRow: sh * xs[2]!, xCol: sw * xs[3]!,
        yBase: y.address, yBatch: ys[0]! * ey, yChan: ys[1]! * ey, yRow: ys[2]! * ey, yCol: ys[3]! * ey, ...consts,
      });
    } else {
      const r = xs.length;
      const q = ys.length;
      // batch dimensions are flattened: the tensors are row-major (never padded)
      for (let k = 0; k + 3 < r; k++) if (xs[k] !== xs[k + 1]! * x.shape[k + 1]!) d.error('internal-layout', `${l.node}: the batch dimensions of input '${l.input}' are not contiguous`);
      addressing.set(l, {
        xBase: x.address, xBatch: r > 2 ? xs[r - 3]! : 0, xGroup: 0, xChan: 0, xKRow: 0, xTap: xs[r - 1]!, xRow: xs[r - 2]!, xCol: 0,
        yBase: y.address, yBatch: q > 2 ? ys[q - 3]! * ey : 0, yChan: ys[q - 1]! * ey, yRow: ys[q - 2]! * ey, yCol: 0, ...consts,
      });
    }
  });
  if (d.failed) return undefined;
  return { placements, addressing, floats, images, codeOrigin, codeMemory: mem.code.target, activationBytes };
}
