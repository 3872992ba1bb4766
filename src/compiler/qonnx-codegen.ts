/**
 * Code of the element-wise chain layers ({@link ChainOp}): QONNX Quant / BipolarQuant,
 * BatchNormalization, the float epilogue of integer dot products and element-wise operations
 * with constant operands, fused into one loop over the elements of one run-time tensor. Each
 * step is the RV32F instruction that computes the evaluator's float32 operation bit for bit
 * (see src/compiler/README.md, "QONNX").
 *
 * Registers: s2/s3 plane bases (input, output), s5/s6 row bases, a2/a3 element pointers, a4 row
 * end, s9 planes left, s10 rows left; per-channel constants: s11 elements left in the current
 * channel block, s8 the channel's table row, s1 the table end; ft0 the value, ft1 scratch, the
 * step constants in fs0-fs11, fa0-fa7, ft2-ft11 (in that order); t0-t6 scratch.
 */
import { Asm } from './asm-builder.js';
import { ACT_BYTES, type ChainOp, type ChainStep, type FloatLayer, type Placement } from './ir.js';

/** Float registers for step constants, in allocation order. */
export const CHAIN_CONST_REGS: readonly string[] = [
  ...Array.from({ length: 12 }, (_, i) => `fs${i}`), ...Array.from({ length: 8 }, (_, i) => `fa${i}`), ...Array.from({ length: 10 }, (_, i) => `ft${i + 2}`),
];

/** Constant registers a chain needs: one per constant step, plus 0.0 for `sign` and 2^23 for an unbounded `round`. */
export function chainRegisters(steps: readonly ChainStep[]): number {
  let n = 0;
  for (const s of steps) {
    if (s.k === 'sign' || (s.k === 'round' && !s.safe)) n++;
    else if (s.k !== 'round') n++;
  }
  return n;
}

const perChannel = (s: ChainStep): s is ChainStep & { c: Float32Array } => 'c' in s && s.c.length > 1;

/** The per-channel constant table of a chain layer (channel-major, float32 LE), or undefined when it has none. */
export function chainTable(op: ChainOp): Uint8Array | undefined {
  const cols = op.steps.filter(perChannel);
  if (cols.length === 0) return undefined;
  const out = new Uint8Array(4 * cols.length * op.channels);
  const v = new DataView(out.buffer);
  for (let c = 0; c < op.channels; c++) cols.forEach((s, j) => v.setFloat32(4 * (c * cols.length + j), s.c[c]!, true));
  return out;
}

const f32bits = (v: number): number => {
  const b = new DataView(new ArrayBuffer(4));
  b.setFloat32(0, v, true);
  return b.getInt32(0, true);
};

const sizeOfShape = (s: readonly number[]): number => s.reduce((p, x) => p * x, 1);

interface Geo { readonly U: number; readonly H: number; readonly W: number; readonly plane: number; readonly row: number; readonly col: number }

const isDense = (p: Placement): boolean => {
  let st = 1;
  for (let k = p.shape.length - 1; k >= 0; k--) {
    if (p.shape[k] !== 1 && p.strides[k] !== st) return false;
    st *= p.shape[k]!;
  }
  return true;
};

/** Planes x rows x columns (strides in bytes) of an operand; planes are consecutive blocks of H*W elements in row-major order. */
function geometryOf(p: Placement): Geo {
  const eb = ACT_BYTES[p.dtype];
  const s = p.shape;
  const r = s.length;
  if (r === 0) return { U: 1, H: 1, W: 1, plane: 0, row: 0, col: eb };
  if (r === 1) return { U: 1, H: 1, W: s[0]!, plane: 0, row: 0, col: p.strides[0]! * eb };
  for (let k = 0; k + 3 < r; k++) if (s[k + 1] !== 1 && p.strides[k] !== p.strides[k + 1]! * s[k + 1]!) throw new Error(`internal: outer dimensions of '${p.name}' are not contiguous`);
  return { U: sizeOfShape(s.slice(0, r - 2)), H: s[r - 2]!, W: s[r - 1]!, plane: r > 2 ? p.strides[r - 3]! * eb : 0, row: p.strides[r - 2]! * eb, col: p.strides[r - 1]! * eb };
}

/** The largest divisor of `e` not above `e / (4P)` (at least 1): planes of a dense tensor split across P cores. */
function planeSize(e: number, P: number): number {
  const want = Math.max(1, Math.floor(e / (4 * P)));
  for (let s = Math.min(want, e); s > 1; s--) if (e % s === 0) return s;
  return 1;
}

/**
 * Emits a chain layer. Core h takes planes [floor(U h / P), floor(U (h+1) / P)); a dense tensor
 * is viewed as planes of about E / 4P elements so every core gets work. Returns the predicted
 * instructions of the busiest core.
 */
export function emitChain(a: Asm, l: FloatLayer, op: ChainOp, placements: ReadonlyMap<string, Placement>, tableAddress: number, P: number, index: number): number {
  const x = placements.get(l.inputs[0]!)!;
  const y = placements.get(l.output)!;
  const E = sizeOfShape(y.shape);
  let gx: Geo;
  let gy: Geo;
  if (isDense(x) && isDense(y)) {
    const S = planeSize(E, P);
    const ex = ACT_BYTES[x.dtype];
    const ey = ACT_BYTES[y.dtype];
    gx = { U: E / S, H: 1, W: S, plane: S * ex, row: 0, col: ex };
    gy = { U: E / S, H: 1, W: S, plane: S * ey, row: 0, col: ey };
  } else {
    gx = geometryOf(x);
    gy = geometryOf(y);
    if (gx.row === gx.W * gx.col && gy.row === gy.W * gy.col) {
      gx = { ...gx, W: gx.H * gx.W, H: 1, row: 0 };
      gy = { ...gy, W: gy.H * gy.W, H: 1, row: 0 };
    }
  }
  const planeElems = gx.H * gx.W;
  const L = a.fresh(`Q${index}`);
  a.comment(`---- layer ${index}: ${l.node} (${l.opType}): ${op.steps.length} element-wise steps, ${op.inDtype} -> ${op.outDtype}`);
  // core h's planes
  a.li('t2', gx.U);
  a.ins('mul t0, t2, s0');
  a.ins('divu t0, t0, a1');
  a.ins('addi t1, s0, 1');
  a.ins('mul t1, t2, t1');
  a.ins('divu t1, t1, a1');
  a.ins(`bgeu t0, t1, ${L}_end`);
  a.ins('sub s9, t1, t0');
  // constants: scalar ones once, per-channel ones from the table row of the first element's channel
  const regs = [...CHAIN_CONST_REGS];
  const reg = new Map<ChainStep, string>();
  let zeroReg = '';
  let bigReg = '';
  const cols: { s: ChainStep; r: string }[] = [];
  const fconst = (r: string, v: number): void => {
    a.li('t6', f32bits(v));
    a.ins(`fmv.w.x ${r}, t6`);
  };
  for (const s of op.steps) {
    if (s.k === 'sign') {
      if (zeroReg === '') {
        zeroReg = regs.shift()!;
        a.ins(`fmv.w.x ${zeroReg}, zero`);
      }
    } else if (s.k === 'round') {
      if (!s.safe && bigReg === '') {
        bigReg = regs.shift()!;
        fconst(bigReg, 8388608);
      }
    } else {
      const r = regs.shift();
      if (r === undefined) throw new Error(`internal: ${l.node}: too many constants in one chain`);
      reg.set(s, r);
      if (s.c.length === 1) fconst(r, s.c[0]!);
      else cols.push({ s, r });
    }
  }
  const rowBytes = 4 * cols.length;
  const loadCols = (): void => cols.forEach((c, j) => a.ins(`flw ${c.r}, ${4 * j}(s8)`));
  if (cols.length > 0) {
    a.li('t2', planeElems);
    a.ins('mul t2, t0, t2');
    a.li('t4', op.inner);
    a.ins('divu t5, t2, t4');
    a.ins('remu t6, t2, t4');
    a.ins('sub s11, t4, t6');
    a.li('t4', op.channels);
    a.ins('remu t5, t5, t4');
    a.li('t4', rowBytes);
    a.ins('mul t5, t5, t4');
    a.la('s8', tableAddress);
    a.ins('add s8, s8, t5');
    a.la('s1', tableAddress + rowBytes * op.channels);
    loadCols();
  }
  a.li('t3', gx.plane);
  a.ins('mul t3, t0, t3');
  a.la('s2', x.address);
  a.ins('add s2, s2, t3');
  a.li('t3', gy.plane);
  a.ins('mul t3, t0, t3');
  a.la('s3', y.address);
  a.ins('add s3, s3, t3');

  // the element: load, steps, store
  const body: string[] = [];
  const ld = x.dtype === 'int8' ? 'lb' : x.dtype === 'uint8' ? 'lbu' : x.dtype === 'int32' ? 'lw' : 'flw';
  if (ld === 'flw') body.push('flw ft0, 0(a2)');
  else body.push(`${ld} t0, 0(a2)`, 'fcvt.s.w ft0, t0, rne');
  const codes = op.outDtype !== 'float32';
  let stored = false;
  op.steps.forEach((s, i) => {
    const last = i === op.steps.length - 1;
    switch (s.k) {
      case 'add': body.push(`fadd.s ft0, ft0, ${reg.get(s)}, rne`); break;
      case 'sub': body.push(`fsub.s ft0, ft0, ${reg.get(s)}, rne`); break;
      case 'rsub': body.push(`fsub.s ft0, ${reg.get(s)}, ft0, rne`); break;
      case 'mul': body.push(`fmul.s ft0, ft0, ${reg.get(s)}, rne`); break;
      case 'div': body.push(`fdiv.s ft0, ft0, ${reg.get(s)}, rne`); break;
      case 'rdiv': body.push(`fdiv.s ft0, ${reg.get(s)}, ft0, rne`); break;
      case 'max': body.push(`fmax.s ft0, ft0, ${reg.get(s)}`); break;
      case 'min': body.push(`fmin.s ft0, ft0, ${reg.get(s)}`); break;
      case 'round':
        if (last && codes) {
          body.push(`fcvt.w.s t0, ft0, ${s.mode}`, 'sb t0, 0(a3)');
          stored = true;
        } else if (s.safe) {
          body.push(`fcvt.w.s t0, ft0, ${s.mode}`, 'fcvt.s.w ft1, t0, rne', 'fsgnj.s ft0, ft1, ft0');
        } else {
          const skip = `${L}_r${i}`;
          body.push('fabs.s ft1, ft0', `flt.s t0, ft1, ${bigReg}`, `beqz t0, ${skip}`, `fcvt.w.s t0, ft0, ${s.mode}`, 'fcvt.s.w ft1, t0, rne', 'fsgnj.s ft0, ft1, ft0', `@${skip}`);
        }
        break;
      case 'sign':
        body.push(`fle.s t0, ${zeroReg}, ft0`, 'slli t0, t0, 1', 'addi t0, t0, -1');
        if (last && codes) {
          body.push('sb t0, 0(a3)');
          stored = true;
        } else body.push('fcvt.s.w ft0, t0, rne');
        break;
    }
  });
  if (!stored) body.push(...(codes ? ['fcvt.w.s t0, ft0, rne', 'sb t0, 0(a3)'] : ['fsw ft0, 0(a3)']));

  a.label(`${L}_pl`);
  a.ins('mv s5, s2');
  a.ins('mv s6, s3');
  a.li('s10', gx.H);
  a.label(`${L}_row`);
  a.ins('mv a2, s5');
  a.ins('mv a3, s6');
  a.addConst('a4', 'a2', gx.W * gx.col, 't3');
  a.label(`${L}_col`);
  for (const b of body) {
    if (b.startsWith('@')) a.label(b.slice(1));
    else a.ins(b);
  }
  a.addConst('a2', 'a2', gx.col, 't3');
  a.addConst('a3', 'a3', gy.col, 't3');
  if (cols.length > 0) {
    a.ins('addi s11, s11, -1');
    a.ins(`bnez s11, ${L}_next`);
    a.addConst('s8', 's8', rowBytes, 't3');
    a.ins(`bne s8, s1, ${L}_ld`);
    a.la('s8', tableAddress);
    a.label(`${L}_ld`);
    loadCols();
    a.li('s11', op.inner);
    a.label(`${L}_next`);
  }
  a.ins(`bne a2, a4, ${L}_col`);
  a.addConst('s5', 's5', gx.row, 't3');
  a.addConst('s6', 's6', gy.row, 't3');
  a.ins('addi s10, s10, -1');
  a.ins(`bnez s10, ${L}_row`);
  a.addConst('s2', 's2', gx.plane, 't3');
  a.addConst('s3', 's3', gy.plane, 't3');
  a.ins('addi s9, s9, -1');
  a.ins(`bnez s9, ${L}_pl`);
  a.label(`${L}_end`);
  const perElem = body.filter((b) => !b.startsWith('@')).length + 3 + (cols.length > 0 ? 2 : 0);
  const changes = cols.length > 0 ? Math.ceil(E / P / op.inner) + 1 : 0;
  return 30 + 2 * op.steps.length + 3 * cols.length + Math.ceil(gx.U / P) * (8 + gx.H * (6 + gx.W * perElem)) + changes * (6 + cols.length);
}
