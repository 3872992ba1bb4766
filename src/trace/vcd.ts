import type { Time } from '../util/index.js';
import type { TraceHub } from './hub.js';

/** Options of {@link formatVcd}. */
export interface VcdOptions {
  /** Text of the `$version` section (default `edgesim`). */
  readonly version?: string;
  /** Text of the `$comment` section, e.g. the platform and the program. */
  readonly comment?: string;
}

/** VCD identifier code `n` (printable ASCII `!`..`~`, base 94, IEEE 1364 §18.2.1). */
export function vcdId(n: number): string {
  let s = '';
  let k = n;
  do {
    s += String.fromCharCode(33 + (k % 94));
    k = Math.floor(k / 94);
  } while (k > 0);
  return s;
}

interface Var {
  readonly id: string;
  readonly name: string;
  readonly width: 1 | 32;
  /** Changes, ordered by time. */
  readonly times: readonly Time[];
  readonly values: readonly number[];
}

const vecValue = (v: number): string => `b${(v >>> 0).toString(2)}`;

/**
 * The hub's recordings as a four-state VCD file (IEEE 1364-2005 §18, readable by GTKWave),
 * `$timescale 1 ps`: one `$scope module` per instance path component (`cluster.dma` nests `dma`
 * in `cluster`), in each traced component a 1-bit `busy` wire (its busy union), a 1-bit wire per
 * lane (a scratchpad's `bank0`, `bank1`, ...: the cycles each bank is reserved) and one 32-bit
 * `integer` per state variable it recorded (`in_flight`, `transfer`, `queue`, `command`; the
 * `layers` track's `layer`: 1 + the index of the running layer, 0 between layers). All
 * variables start at 0 in `$dumpvars`; a time with several changes of a variable keeps the last.
 * Not written: slices and flows (VCD has no such notion; see the Perfetto trace).
 */
export function formatVcd(hub: TraceHub, opts: VcdOptions = {}): string {
  const end = hub.endPs;
  const vars: Var[] = [];
  interface Scope { readonly children: Map<string, Scope>; readonly vars: Var[] }
  const root: Scope = { children: new Map(), vars: [] };
  for (const r of hub.recorders) {
    let s = root;
    for (const part of r.path.split('.')) {
      let c = s.children.get(part);
      if (c === undefined) {
        c = { children: new Map(), vars: [] };
        s.children.set(part, c);
      }
      s = c;
    }
    const iv = r.busyIntervals();
    const bt: Time[] = [];
    const bv: number[] = [];
    for (let i = 0; i < iv.length; i += 2) {
      bt.push(iv[i]!, iv[i + 1]!);
      bv.push(1, 0);
    }
    const busy: Var = { id: vcdId(vars.length), name: 'busy', width: 1, times: bt, values: bv };
    vars.push(busy);
    s.vars.push(busy);
    for (const [name, lane] of r.lanes) {
      const li = lane.intervals();
      const lt: Time[] = [];
      const lv: number[] = [];
      for (let i = 0; i < li.length; i += 2) {
        lt.push(li[i]!, li[i + 1]!);
        lv.push(1, 0);
      }
      const v: Var = { id: vcdId(vars.length), name, width: 1, times: lt, values: lv };
      vars.push(v);
      s.vars.push(v);
    }
    for (const l of r.levels.values()) {
      const order = l.times.map((_, i) => i).sort((a, b) => l.times[a]! - l.times[b]!);
      const v: Var = { id: vcdId(vars.length), name: l.name, width: l.bit ? 1 : 32, times: order.map((i) => l.times[i]!), values: order.map((i) => l.values[i]!) };
      vars.push(v);
      s.vars.push(v);
    }
  }

  const out: string[] = [];
  out.push(`$version ${opts.version ?? 'edgesim'} $end`);
  if (opts.comment !== undefined) out.push(`$comment ${opts.comment.replace(/\$end/g, '')} $end`);
  out.push('$timescale 1 ps $end');
  const safe = (n: string): string => n.replace(/[\s$]/g, '_');
  const emitScope = (name: string, s: Scope): void => {
    out.push(`$scope module ${safe(name)} $end`);
    for (const v of s.vars) out.push(v.width === 1 ? `$var wire 1 ${v.id} ${v.name} $end` : `$var integer 32 ${v.id} ${v.name} $end`);
    for (const [k, c] of s.children) emitScope(k, c);
    out.push('$upscope $end');
  };
  for (const [k, c] of root.children) emitScope(k, c);
  out.push('$enddefinitions $end');

  const fmt = (v: Var, x: number): string => (v.width === 1 ? `${x}${v.id}` : `${vecValue(x)} ${v.id}`);
  out.push('#0', '$dumpvars', ...vars.map((v) => fmt(v, 0)), '$end');
  // merge all changes by time; per variable, keep the last change at a time and drop repeats
  const cur = vars.map(() => 0);
  const idx = vars.map(() => 0);
  let t = -1;
  for (;;) {
    let next = Infinity;
    for (let k = 0; k < vars.length; k++) {
      const v = vars[k]!;
      if (idx[k]! < v.times.length && v.times[idx[k]!]! < next) next = v.times[idx[k]!]!;
    }
    if (next === Infinity) break;
    const lines: string[] = [];
    for (let k = 0; k < vars.length; k++) {
      const v = vars[k]!;
      let i = idx[k]!;
      if (i >= v.times.length || v.times[i] !== next) continue;
      while (i + 1 < v.times.length && v.times[i + 1] === next) i++;
      const x = v.values[i]!;
      idx[k] = i + 1;
      if (x !== cur[k]) {
        cur[k] = x;
        lines.push(fmt(v, x));
      }
    }
    if (lines.length > 0) {
      if (next !== 0 || t >= 0) out.push(`#${next}`);
      out.push(...lines);
      t = next;
    }
  }
  if (end > t) out.push(`#${end}`);
  return `${out.join('\n')}\n`;
}
