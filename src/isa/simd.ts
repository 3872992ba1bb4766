/**
 * Reference semantics of the Xesimd data path (packed int8 lanes, lane k = bits [8k+7:8k]),
 * exactly as `docs/ISA.md` states them, for the core model and for compiler tests.
 */

const lane = (x: number, k: number): number => (x << (24 - 8 * k)) >> 24;
const sat8 = (x: number): number => (x > 127 ? 127 : x < -128 ? -128 : x);
/** Packs four lane values (low byte of each) into a word. */
const pack = (b0: number, b1: number, b2: number, b3: number): number => ((b0 & 0xff) | (b1 & 0xff) << 8 | (b2 & 0xff) << 16 | (b3 & 0xff) << 24) | 0;
const max = (a: number, b: number): number => (a > b ? a : b);
const min = (a: number, b: number): number => (a < b ? a : b);
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
    // lane by lane, written out: no closure per instruction (this runs in the core's hot loop)
    case 'pv.adds.b': return pack(sat8(lane(rs1, 0) + lane(rs2, 0)), sat8(lane(rs1, 1) + lane(rs2, 1)), sat8(lane(rs1, 2) + lane(rs2, 2)), sat8(lane(rs1, 3) + lane(rs2, 3)));
    case 'pv.subs.b': return pack(sat8(lane(rs1, 0) - lane(rs2, 0)), sat8(lane(rs1, 1) - lane(rs2, 1)), sat8(lane(rs1, 2) - lane(rs2, 2)), sat8(lane(rs1, 3) - lane(rs2, 3)));
    case 'pv.max.b': return pack(max(lane(rs1, 0), lane(rs2, 0)), max(lane(rs1, 1), lane(rs2, 1)), max(lane(rs1, 2), lane(rs2, 2)), max(lane(rs1, 3), lane(rs2, 3)));
    case 'pv.min.b': return pack(min(lane(rs1, 0), lane(rs2, 0)), min(lane(rs1, 1), lane(rs2, 1)), min(lane(rs1, 2), lane(rs2, 2)), min(lane(rs1, 3), lane(rs2, 3)));
    case 'pv.avg.b': return pack((lane(rs1, 0) + lane(rs2, 0) + 1) >> 1, (lane(rs1, 1) + lane(rs2, 1) + 1) >> 1, (lane(rs1, 2) + lane(rs2, 2) + 1) >> 1, (lane(rs1, 3) + lane(rs2, 3) + 1) >> 1);
    case 'pv.dot.b': return dot(rs1, rs2) | 0;
    case 'pv.mac.b': return (rd + dot(rs1, rs2)) | 0;
    case 'pv.hsum.b': return lane(rs1, 0) + lane(rs1, 1) + lane(rs1, 2) + lane(rs1, 3);
    case 'pv.relu.b': return pack(max(lane(rs1, 0), 0), max(lane(rs1, 1), 0), max(lane(rs1, 2), 0), max(lane(rs1, 3), 0));
    case 'pv.clip.b': {
      const lo = lane(rs2, 0);
      const hi = lane(rs2, 1);
      return pack(min(max(lane(rs1, 0), lo), hi), min(max(lane(rs1, 1), lo), hi), min(max(lane(rs1, 2), lo), hi), min(max(lane(rs1, 3), lo), hi));
    }
    case 'pv.rq': return requantize(rs1, rs2);
    case 'pv.pack.b': return ((rs2 & 0xff) << 24 | (rs1 & 0xff) << 16 | (rd >>> 16)) | 0;
    default: throw new RangeError(`simdExec: '${op}' is not an Xesimd instruction`);
  }
}
