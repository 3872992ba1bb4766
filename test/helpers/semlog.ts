import { formatTime } from '../../src/util/time.js';
import type { Simulation } from '../../src/kernel/index.js';

interface Line {
  readonly who: string;
  readonly text: string;
}

/**
 * The semantics suite's logger (port of shared semlog.h): process lines are buffered per
 * (time, delta) group and flushed stably sorted by label; `main`/`direct` lines flush and print.
 */
export class SemLog {
  private readonly out: string[] = [];
  private group: Line[] = [];
  private open = false;
  private time = 0;
  private delta = 0;
  private readonly sim: Simulation;

  constructor(sim: Simulation) {
    this.sim = sim;
  }

  private line(who: string, msg: string): string {
    return `@${formatTime(this.sim.now)} d${this.sim.deltaCount} ${who}: ${msg}\n`;
  }

  private flush(): void {
    const sorted = [...this.group].sort((a, b) => (a.who < b.who ? -1 : a.who > b.who ? 1 : 0));
    for (const l of sorted) this.out.push(l.text);
    this.group = [];
    this.open = false;
  }

  /** Log from a process. */
  log(who: string, msg: string): void {
    const now = this.sim.now;
    const d = this.sim.deltaCount;
    if (this.open && (this.time !== now || this.delta !== d)) this.flush();
    this.group.push({ who, text: this.line(who, msg) });
    this.open = true;
    this.time = now;
    this.delta = d;
  }

  /** Log from outside processes (callbacks). */
  direct(who: string, msg: string): void {
    this.flush();
    this.out.push(this.line(who, msg));
  }

  /** Log from the test bench. */
  main(msg: string): void {
    this.direct('main', msg);
  }

  /** Everything logged, as the golden file's text. */
  finish(): string {
    this.flush();
    return this.out.join('');
  }
}

/** C printf's `%g` (precision 6 by default) for the doubles the scenarios print. */
export function formatG(x: number, precision = 6): string {
  if (x === 0) return '0';
  const exp = Math.floor(Math.log10(Math.abs(x)));
  if (exp < -4 || exp >= precision) {
    const [m, e] = x.toExponential(precision - 1).split('e') as [string, string];
    const mant = m.includes('.') ? m.replace(/\.?0+$/, '') : m;
    const en = Number(e);
    return `${mant}e${en < 0 ? '-' : '+'}${String(Math.abs(en)).padStart(2, '0')}`;
  }
  const s = x.toFixed(Math.max(0, precision - 1 - exp));
  return s.includes('.') ? s.replace(/\.?0+$/, '') : s;
}

/** `%08x`-style hex. */
export function hex(v: number, width = 0): string {
  return (v >>> 0).toString(16).padStart(width, '0');
}
