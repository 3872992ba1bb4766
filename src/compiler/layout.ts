/**
 * Memory planning: which memories the chosen cores reach, where the code, the activations and
 * the constants go, and the data images to load before a run.
 *
 * - Activations and constants go to the scratchpad every chosen core reaches through its `tcdm`
 *   port (activations first, then weights, biases and multipliers), each into the first memory
 *   that still has room: the scratchpad, then the first `memory` of the address map (L2).
 *   The code goes to the first `memory` (the scratchpad when there is none).
 * - Every activation has its own buffer (no reuse between layers yet). Reshape-like layers alias
 *   their input's buffer.
 * - Padding: a tensor read by a padded convolution is stored in a buffer with the largest pads
 *   its convolutions need, the border filled with the input zero point (in the data image, so it
 *   is there before the run; the producer writes only the interior). The convolution loop then
 *   has no bounds checks, and the zero point's share of the sum is a per-channel constant.
 */
import type { AddressRegion, PlatformGraph } from '../platform/index.js';
import { Diags } from './diag.js';
import { ACT_BYTES, type DataImage, type DotLayer, type Lowered, type Placement } from './ir.js';

/** Addressing of one dot layer, all in bytes (see codegen). */
export interface DotAddressing {
  readonly xBase: number; readonly xBatch: number; readonly xGroup: number; readonly xChan: number; readonly xKRow: number;
  readonly xTap: number; readonly xRow: number; readonly xCol: number;
  readonly yBase: number; readonly yBatch: number; readonly yChan: number; readonly yRow: number; readonly yCol: number;
  readonly wBase: number; readonly biasBase: number; readonly multBase: number;
  /** Taps are read four at a time with `pv.mac.b` (Xesimd): see {@link useSimd}. */
  readonly simd: boolean;
  readonly memories: { readonly input: string; readonly output: string; readonly weights: string };
}

/** The memories the compiled program uses. */
export interface Memories {
  /** Preferred first: the scratchpad the cores reach through tcdm, then the first `memory`. */
  readonly data: readonly AddressRegion[];
  readonly code: AddressRegion;
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
  return { data, code };
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
  readonly images: readonly DataImage[];
  readonly codeOrigin: number;
  readonly codeMemory: string;
}

const rowMajor = (shape: readonly number[]): number[] => {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    s[i] = acc;
    acc *= shape[i]!;
  }
  return s;
};

/**
 * Whether a layer's taps can be read as packed words: a matrix product (taps contiguous) with
 * int8 weights, K a multiple of 4, and every row start 4-byte aligned (lw).
 */
export function useSimd(l: DotLayer, xBase: number, xRow: number, xBatch: number, xTap: number): boolean {
  return l.op === 'matmul' && l.weightBytes === 1 && xTap === 1 && l.kw % 4 === 0 && xBase % 4 === 0 && xRow % 4 === 0 && xBatch % 4 === 0;
}

/** Plans memory for the lowered layers with `codeBytes` of code; `simd` when every core has Xesimd. */
export function layout(low: Lowered, mem: Memories, codeBytes: number, d: Diags, simd = false): Layout | undefined {
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
  const alloc = (bytes: number, what: string): { address: number; memory: string } | undefined => {
    for (const a of arenas) {
      const address = a.alloc(bytes);
      if (address !== undefined) return { address, memory: a.region.target };
    }
    d.error('out-of-memory', `no room for ${what} (${bytes} B) in ${arenas.map((a) => `'${a.region.target}' (${a.region.end - a.next} B free)`).join(', ')}`, 'activation buffers are not reused between layers yet, and weights are not streamed (no DMA tiling)');
    return undefined;
  };

  const images: DataImage[] = [];
  const placements = new Map<string, Placement>();
  // Activation buffers (roots), in first-use order.
  const roots: string[] = [];
  for (const t of low.acts.keys()) if (rootOf(t) === t) roots.push(t);
  for (const t of roots) {
    const info = low.acts.get(t)!;
    const eb = ACT_BYTES[info.dtype];
    const pd = pads.get(t);
    let shape = info.shape;
    let offset = 0;
    if (pd !== undefined) {
      const [N, C, H, W] = info.shape as [number, number, number, number];
      const PH = H + pd.p[0] + pd.p[2];
      const PW = W + pd.p[1] + pd.p[3];
      shape = [N, C, PH, PW];
      offset = pd.p[0] * PW + pd.p[1];
    }
    const strides = rowMajor(shape);
    const bytes = shape.reduce((p, x) => p * x, 1) * eb;
    const a = alloc(bytes, `tensor '${t}'`);
    if (a === undefined) return undefined;
    const fill = pd?.fill ?? 0;
    placements.set(t, {
      name: t, dtype: info.dtype, shape: info.shape, strides, address: a.address + offset * eb,
      buffer: { address: a.address, bytes }, fill, memory: a.memory,
    });
    if (pd !== undefined) images.push({ address: a.address, bytes: new Uint8Array(bytes).fill(fill & 0xff), what: `padded buffer of '${t}' (border = zero point ${fill})`, memory: a.memory });
  }
  for (const t of low.acts.keys()) {
    const r = rootOf(t);
    if (r === t) continue;
    const rp = placements.get(r)!;
    const info = low.acts.get(t)!;
    placements.set(t, { ...rp, name: t, shape: info.shape, strides: rowMajor(info.shape) });
  }

  // Constants and addressing per layer.
  const addressing = new Map<DotLayer, DotAddressing>();
  for (const l of low.layers) {
    if (l.kind !== 'dot') continue;
    const wBytes = new Uint8Array(l.weights.length * l.weightBytes);
    const wv = new DataView(wBytes.buffer);
    l.weights.forEach((v, i) => (l.weightBytes === 1 ? wv.setInt8(i, v) : wv.setInt16(2 * i, v, true)));
    const w = alloc(wBytes.length, `the weights of ${l.node}`);
    const x = placements.get(l.input)!;
    const xs = x.strides;
    const rank = xs.length;
    const packed = simd && l.op === 'matmul' && useSimd(l, x.address, xs[rank - 2]!, rank > 2 ? xs[rank - 3]! : 0, xs[rank - 1]!);
    const bBytes = new Uint8Array(4 * l.bias.length);
    const bv = new DataView(bBytes.buffer);
    const rowLen = l.inChannelsPerGroup * l.kh * l.kw;
    l.bias.forEach((v, i) => {
      // uint8 inputs xor 0x80 in the packed path: x = (x ^ 0x80) + 128, so add 128 * sum(w)
      let extra = 0;
      if (packed && l.inDtype === 'uint8') for (let k = 0; k < rowLen; k++) extra += 128 * l.weights[i * rowLen + k]!;
      bv.setInt32(4 * i, (v + extra) | 0, true);
    });
    const b = alloc(bBytes.length, `the bias of ${l.node}`);
    let mult: { address: number; memory: string } | undefined;
    if (l.requant !== undefined) {
      const mBytes = new Uint8Array(4 * l.channels);
      const mv = new DataView(mBytes.buffer);
      l.requant.multipliers.forEach((v, i) => mv.setFloat32(4 * i, v, true));
      mult = alloc(mBytes.length, `the requantization multipliers of ${l.node}`);
      if (mult !== undefined) images.push({ address: mult.address, bytes: mBytes, what: `multipliers of ${l.node}`, memory: mult.memory });
    }
    if (w === undefined || b === undefined || (l.requant !== undefined && mult === undefined)) return undefined;
    images.push({ address: w.address, bytes: wBytes, what: `weights of ${l.node}`, memory: w.memory });
    images.push({ address: b.address, bytes: bBytes, what: `bias of ${l.node}`, memory: b.memory });
    const y = placements.get(l.output)!;
    const ey = ACT_BYTES[y.dtype];
    const ys = y.strides;
    const consts = { wBase: w.address, biasBase: b.address, multBase: mult?.address ?? 0, memories: { input: x.memory, output: y.memory, weights: w.memory }, simd: packed };
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
  }
  return { placements, addressing, images, codeOrigin, codeMemory: mem.code.target };
}
