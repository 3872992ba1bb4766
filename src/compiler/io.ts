/** Moving tensors in and out of placed buffers (pure: bytes in, bytes out). */
import { SimError } from '../util/index.js';
import { type Tensor, sizeOf, zeros } from '../nn/index.js';
import { ACT_BYTES, type Placement } from './ir.js';

function checkShape(p: Placement, t: Tensor): void {
  if (t.dtype !== p.dtype) throw new SimError('bad-input', `tensor '${p.name}' must be ${p.dtype}, got ${t.dtype}`);
  if (t.shape.length !== p.shape.length || t.shape.some((d, i) => d !== p.shape[i])) {
    throw new SimError('bad-input', `tensor '${p.name}' must have shape [${p.shape.join(',')}], got [${t.shape.join(',')}]`);
  }
}

/** Calls `f(k, offset)` for every element k (row-major) with its element offset from `p.address`. */
function forEachElement(p: Placement, f: (k: number, off: number) => void): void {
  const rank = p.shape.length;
  const total = sizeOf(p.shape);
  const ctr = new Array<number>(rank).fill(0);
  let off = 0;
  for (let k = 0; k < total; k++) {
    f(k, off);
    for (let d = rank - 1; d >= 0; d--) {
      ctr[d]!++;
      off += p.strides[d]!;
      if (ctr[d]! < p.shape[d]!) break;
      off -= p.strides[d]! * p.shape[d]!;
      ctr[d] = 0;
    }
  }
}

/** The whole buffer of a placement holding `t` (padding filled with the placement's fill value). */
export function packTensor(p: Placement, t: Tensor): { address: number; bytes: Uint8Array } {
  checkShape(p, t);
  const eb = ACT_BYTES[p.dtype];
  const bytes = new Uint8Array(p.buffer.bytes);
  const v = new DataView(bytes.buffer);
  if (p.fill !== 0) for (let i = 0; i < bytes.length; i += eb) eb === 1 ? v.setInt8(i, p.fill) : p.dtype === 'float32' ? v.setFloat32(i, p.fill, true) : v.setInt32(i, p.fill, true);
  const base = p.address - p.buffer.address;
  forEachElement(p, (k, off) => {
    const a = base + off * eb;
    const x = t.data[k]!;
    if (eb === 1) v.setUint8(a, x & 0xff);
    else if (p.dtype === 'float32') v.setFloat32(a, x, true);
    else v.setInt32(a, x, true);
  });
  return { address: p.buffer.address, bytes };
}

/** The tensor held by a placement, from the bytes of its whole buffer. */
export function unpackTensor(p: Placement, buffer: Uint8Array): Tensor {
  const t = zeros(p.dtype, p.shape);
  const v = new DataView(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  const eb = ACT_BYTES[p.dtype];
  const base = p.address - p.buffer.address;
  forEachElement(p, (k, off) => {
    const a = base + off * eb;
    t.data[k] = p.dtype === 'uint8' ? v.getUint8(a) : p.dtype === 'int8' ? v.getInt8(a) : p.dtype === 'float32' ? v.getFloat32(a, true) : v.getInt32(a, true);
  });
  return t;
}
