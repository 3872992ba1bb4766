/**
 * Reference semantics of the Xesimd data path (packed int8 lanes, lane k = bits [8k+7:8k]),
 * exactly as `docs/ISA.md` states them, for the core model and for compiler tests.
 */

const lane = (x: number, k: number): number => (x << (24 - 8 * k)) >> 24;
const sat8 = (x: number): number => (x > 127 ? 127 : x < -128 ? -128 : x);
const lanes = (f: (k: number) => number): number =>
  ((f(0) & 0xff) | (f(1) & 0xff) << 8 | (f(2) & 0xff) << 16 | (f(3) & 0xff) << 24) | 0;
const dot = (a: number, b: number): number =>
  lane(a, 0) * lane(b, 0) + lane(a, 1) * lane(b, 1) + lane(a, 2) * lane(b, 2) + lane(a, 3) * lane(b, 3);

/** `pv.rq`: requantize int32 `acc` with rs2 = zp[31:24] | shift[20:16] | multiplier[15:0]; returns the sign-extended int8. */
export function requantize(acc: number, params: number): number {
  const m = (params << 16) >> 16;
  const s = (params >>> 16) & 31;
  const zp = params >> 24;
  const p = (acc | 0) * m; // |p| < 2^46: exact in a double
  const r = s === 0 ? p : Math.floor((p + 2 ** (s - 1)) / 2 ** s);
  return sat8(r + zp);
}

/** Packs requantization parameters into the rs2 word of `pv.rq`. */
export function rqParams(multiplier: number, shift: number, zeroPoint = 0): number {
  return ((zeroPoint & 0xff) << 24 | (shift & 31) << 16 | (multiplier & 0xffff)) | 0;
}

/**
 * The result (signed int32) of Xesimd instruction `op` with source registers `rs1`, `rs2` and the
 * old value of `rd` (read by `pv.mac.b` and `pv.pack.b`). Throws for a mnemonic outside Xesimd.
 */
export function simdExec(op: string, rs1: number, rs2: number, rd: number): number {
  switch (op) {
    case 'pv.adds.b': return lanes((k) => sat8(lane(rs1, k) + lane(rs2, k)));
    case 'pv.subs.b': return lanes((k) => sat8(lane(rs1, k) - lane(rs2, k)));
    case 'pv.max.b': return lanes((k) => Math.max(lane(rs1, k), lane(rs2, k)));
    case 'pv.min.b': return lanes((k) => Math.min(lane(rs1, k), lane(rs2, k)));
    case 'pv.avg.b': return lanes((k) => (lane(rs1, k) + lane(rs2, k) + 1) >> 1);
    case 'pv.dot.b': return dot(rs1, rs2) | 0;
    case 'pv.mac.b': return (rd + dot(rs1, rs2)) | 0;
    case 'pv.hsum.b': return lane(rs1, 0) + lane(rs1, 1) + lane(rs1, 2) + lane(rs1, 3);
    case 'pv.relu.b': return lanes((k) => Math.max(lane(rs1, k), 0));
    case 'pv.clip.b': {
      const lo = lane(rs2, 0);
      const hi = lane(rs2, 1);
      return lanes((k) => Math.min(Math.max(lane(rs1, k), lo), hi));
    }
    case 'pv.rq': return requantize(rs1, rs2);
    case 'pv.pack.b': return ((rs2 & 0xff) << 24 | (rs1 & 0xff) << 16 | (rd >>> 16)) | 0;
    default: throw new RangeError(`simdExec: '${op}' is not an Xesimd instruction`);
  }
}
