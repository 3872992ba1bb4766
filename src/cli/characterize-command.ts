/**
 * `edgesim characterize [-o data.json] [--module area.ts] [--quick] [--jobs N] [--from data.json]`:
 * QUIDAM-style pre-characterization of the PE array's area. For every PE type with generated
 * RTL (int8, int16, lightpe1, lightpe2) and a grid of array sizes it generates the array alone
 * (`peArrayUnitRtl`: the PE module and the output-stationary array, at the pe-array defaults:
 * the type's default accumulator, LightPE 8-bit activations, mMax 7, exact shifts), synthesizes
 * it with Yosys (generic `synth -flatten`, then ABC mapped to a fixed small gate set, so the
 * counts are reproducible for one Yosys version), counts the cells by type and converts them to
 * NAND2 gate equivalents (GE) with the per-cell weights {@link GE_WEIGHTS}. It writes the
 * characterization data (JSON, deterministic: sorted points, no times or dates), then fits
 * GE(rows, cols) per PE type with `selectPolynomial` (degree by k-fold cross-validation, MAPE
 * and RMSPE reported) and writes the coefficients as a generated TypeScript module that the
 * pe-array declaration reads (src/modules/pe-array/area.ts).
 *
 * What this is not: a place-and-route area (no wiring, no utilization, no clock tree, no
 * buffering), a real library mapping (GE weights of a typical library stand in for the node's
 * cells), nor a power model (the MAC-energy scaling built on it is a switched-capacitance
 * proxy). Yosys time per point grows with rows x cols (about 0.4-1.2 s per PE on one core,
 * int16 the slowest), so the grid stays small; `--quick` runs a 3 x 3 grid for a smoke test.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { selectPolynomial, type PolyModel } from '../dse/index.js';
import { peArrayUnitRtl, type RtlPeType } from '../rtl/index.js';
import { SimError, deriveRng } from '../util/index.js';

/** PE types characterized (those with generated RTL). */
export const CHARACTERIZED_PE_TYPES: readonly RtlPeType[] = ['int8', 'int16', 'lightpe1', 'lightpe2'];
/** Array sizes (rows and cols) of the full run and of `--quick`. */
export const FULL_SIZES: readonly number[] = [1, 2, 4, 8];
export const QUICK_SIZES: readonly number[] = [1, 2, 4];

/** The Yosys commands run on every point (`{top}` is the array module). */
export const YOSYS_SCRIPT: readonly string[] = [
  'read_verilog unit.v',
  'hierarchy -check -top {top}',
  'synth -flatten -top {top}',
  'abc -g AND,NAND,OR,NOR,XOR,XNOR,MUX',
  'opt_clean -purge',
  'tee -o stat.txt stat',
];

/** Source of {@link GE_WEIGHTS}. */
export const GE_SOURCE =
  'Nangate 45 nm Open Cell Library (FreePDK45, typical corner) X1 cell areas divided by NAND2_X1 (0.798 um2): INV 0.532, NAND2/NOR2 0.798, AND2/OR2 1.064, XOR2/XNOR2 1.596, MUX2 1.862, DFF 4.522, DFFR/DFFS 5.32 um2 (values as commonly quoted, estimate; one library\'s ratios stand in for every node). The library has no enable flip-flop: an enable flop counts as DFF(R) + MUX2.';

/**
 * NAND2 gate equivalents per Yosys internal cell (after `abc -g` only these appear; any other
 * cell type stops the characterization so that the weights stay complete). Source {@link GE_SOURCE}.
 */
export const GE_WEIGHTS: Readonly<Record<string, number>> = {
  $_NOT_: 0.667,
  $_NAND_: 1,
  $_NOR_: 1,
  $_AND_: 1.333,
  $_OR_: 1.333,
  $_XOR_: 2,
  $_XNOR_: 2,
  $_MUX_: 2.333,
  $_DFF_P_: 5.667,
  $_DFF_N_: 5.667,
  $_DFF_PN0_: 6.667,
  $_DFF_PN1_: 6.667,
  $_DFF_PP0_: 6.667,
  $_DFF_PP1_: 6.667,
  $_DFFE_PP_: 8,
  $_DFFE_PN0P_: 9,
  $_DFFE_PN1P_: 9,
  $_DFFE_PP0P_: 9,
  $_DFFE_PP1P_: 9,
};

/** One synthesized point. */
export interface CharPoint {
  readonly peType: RtlPeType;
  readonly rows: number;
  readonly cols: number;
  /** Accumulator width, bits (the type's default). */
  readonly accBits: number;
  /** The synthesized module. */
  readonly top: string;
  /** Cells by Yosys type, sorted by name. */
  readonly cells: Readonly<Record<string, number>>;
  readonly cellCount: number;
  /** NAND2 gate equivalents, sum of cells x weight (rounded to 0.001 GE). */
  readonly ge: number;
}

/** The characterization data file. */
export interface CharData {
  readonly generator: string;
  readonly component: 'pe-array';
  readonly yosys: string;
  readonly script: readonly string[];
  readonly geSource: string;
  readonly geWeights: Readonly<Record<string, number>>;
  readonly sizes: readonly number[];
  readonly points: readonly CharPoint[];
}

/** Fit of one PE type. */
export interface CharFit {
  readonly peType: RtlPeType;
  readonly model: PolyModel;
  readonly points: number;
}

/** Cross-validation settings of the fits (seed, folds; degrees 1..3 or fewer when the data are few). */
export const FIT_SEED = 1;
export const FIT_FOLDS = 4;

/** Parses Yosys `stat` text of one flattened module: its cells by type. */
export function parseYosysStat(text: string): Record<string, number> {
  const cells: Record<string, number> = {};
  const after = text.split(/Number of cells:\s+\d+\n/)[1];
  if (after === undefined) throw new SimError('characterize-yosys', 'no "Number of cells" in the Yosys stat output');
  for (const l of after.split('\n')) {
    const m = /^\s+(\$\S+|\S+)\s+(\d+)$/.exec(l);
    if (m === null) {
      if (l.trim() === '') continue;
      break;
    }
    cells[m[1]!] = Number(m[2]);
  }
  return cells;
}

/** NAND2 gate equivalents of a cell count (throws on a cell type without a weight). */
export function gateEquivalents(cells: Readonly<Record<string, number>>): number {
  let ge = 0;
  for (const [t, n] of Object.entries(cells)) {
    const w = GE_WEIGHTS[t];
    if (w === undefined) throw new SimError('characterize-cell', `Yosys cell type '${t}' has no gate-equivalent weight (GE_WEIGHTS in src/cli/characterize-command.ts)`);
    ge += w * n;
  }
  return Math.round(ge * 1000) / 1000;
}

/** The installed Yosys's version line, or undefined when it is not installed. */
export function yosysVersion(): string | undefined {
  const r = spawnSync('yosys', ['-V'], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : undefined;
}

const sortCells = (c: Readonly<Record<string, number>>): Record<string, number> => Object.fromEntries(Object.entries(c).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));

/** Synthesizes one point in a fresh temporary folder; resolves with the point and the Yosys wall time in s. */
export function synthesizePoint(peType: RtlPeType, rows: number, cols: number): Promise<{ point: CharPoint; seconds: number }> {
  const unit = peArrayUnitRtl(rows, cols, peType);
  const dir = mkdtempSync(join(tmpdir(), 'edgesim-char-'));
  writeFileSync(join(dir, 'unit.v'), unit.verilog);
  writeFileSync(join(dir, 'char.ys'), `${YOSYS_SCRIPT.map((l) => l.replace('{top}', unit.top)).join('\n')}\n`);
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    const p = spawn('yosys', ['-q', '-s', 'char.ys'], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    p.stdout.on('data', (d: Buffer) => (out += d.toString()));
    p.stderr.on('data', (d: Buffer) => (out += d.toString()));
    p.on('error', (e) => {
      rmSync(dir, { recursive: true, force: true });
      reject(new SimError('characterize-yosys', `cannot run yosys: ${e.message}`));
    });
    p.on('close', (code) => {
      const seconds = (performance.now() - t0) / 1000;
      try {
        if (code !== 0) throw new SimError('characterize-yosys', `yosys failed on ${peType} ${rows}x${cols} (exit ${code}): ${out.slice(0, 2000)}`);
        const cells = sortCells(parseYosysStat(readFileSync(join(dir, 'stat.txt'), 'utf8')));
        const accBits = Number(/_a(\d+)$/.exec(unit.top)?.[1] ?? 'NaN');
        const cellCount = Object.values(cells).reduce((a, b) => a + b, 0);
        resolve({ point: { peType, rows, cols, accBits, top: unit.top, cells, cellCount, ge: gateEquivalents(cells) }, seconds });
      } catch (e) {
        reject(e instanceof Error ? e : new Error(String(e)));
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });
}

/** The points of a run, in data-file order (PE type, rows, cols). */
export function characterizationPoints(sizes: readonly number[]): { peType: RtlPeType; rows: number; cols: number }[] {
  return CHARACTERIZED_PE_TYPES.flatMap((peType) => sizes.flatMap((rows) => sizes.map((cols) => ({ peType, rows, cols }))));
}

/**
 * Synthesizes every point with up to `jobs` Yosys processes at a time; `onPoint` sees each as
 * it finishes (with its Yosys wall time). The result is in {@link characterizationPoints} order.
 */
export async function runCharacterization(sizes: readonly number[], jobs: number, onPoint?: (p: CharPoint, seconds: number) => void): Promise<CharData> {
  const yosys = yosysVersion();
  if (yosys === undefined) throw new SimError('characterize-yosys', 'yosys is not installed (yosys -V failed); install Yosys to characterize');
  const todo = characterizationPoints(sizes);
  // largest first, so that the slowest points do not finish last alone
  const order = todo.map((_, i) => i).sort((a, b) => todo[b]!.rows * todo[b]!.cols - todo[a]!.rows * todo[a]!.cols || a - b);
  const done: (CharPoint | undefined)[] = new Array<CharPoint | undefined>(todo.length).fill(undefined);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < order.length) {
      const i = order[next++]!;
      const t = todo[i]!;
      const r = await synthesizePoint(t.peType, t.rows, t.cols);
      done[i] = r.point;
      onPoint?.(r.point, r.seconds);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(jobs, todo.length)) }, () => worker()));
  return {
    generator: 'edgesim characterize',
    component: 'pe-array',
    yosys,
    script: YOSYS_SCRIPT,
    geSource: GE_SOURCE,
    geWeights: GE_WEIGHTS,
    sizes,
    points: done.map((p) => p!),
  };
}

/**
 * Fits GE(rows, cols) per PE type: `selectPolynomial` over total degrees 1..3 (fewer when a
 * training fold is too small for degree 3), {@link FIT_FOLDS}-fold cross-validation with folds
 * drawn from `deriveRng(FIT_SEED, 'characterize/pe-array/<type>', 'cv-folds')`, RMSPE criterion.
 */
export function fitCharacterization(data: CharData): CharFit[] {
  return CHARACTERIZED_PE_TYPES.map((peType) => {
    const pts = data.points.filter((p) => p.peType === peType);
    if (pts.length < 4) throw new SimError('characterize-data', `${pts.length} points of ${peType} in the data: at least 4 are needed to fit`);
    const train = pts.length - Math.ceil(pts.length / FIT_FOLDS);
    const maxDegree = train >= 10 ? 3 : train >= 6 ? 2 : 1;
    const model = selectPolynomial(pts.map((p) => [p.rows, p.cols]), pts.map((p) => p.ge), {
      rng: deriveRng(FIT_SEED, `characterize/pe-array/${peType}`, 'cv-folds'),
      folds: FIT_FOLDS,
      minDegree: 1,
      maxDegree,
      criterion: 'rmspe',
    });
    return { peType, model, points: pts.length };
  });
}

/** Round to 12 significant digits, so that the generated text is stable against last-bit noise. */
const sig12 = (v: number): number => Number(v.toPrecision(12));

/** The generated TypeScript module with the fitted coefficients (`dataFile`: the data file's repository path). */
export function renderAreaModule(data: CharData, fits: readonly CharFit[], dataFile: string): string {
  const sizes = `${Math.min(...data.sizes)}..${Math.max(...data.sizes)}`;
  const lines: string[] = [
    '/**',
    ' * GENERATED by `edgesim characterize` (src/cli/characterize-command.ts): do not edit; re-run the',
    ' * command to regenerate it.',
    ' *',
    ` * NAND2 gate equivalents (GE) of one output-stationary PE array as generated by src/rtl, fitted as`,
    ` * polynomials GE(rows, cols) per PE type to the Yosys characterization in ${dataFile}`,
    ` * (${data.yosys}; generic synth -flatten, abc -g AND,NAND,OR,NOR,XOR,XNOR,MUX; cells weighted by`,
    ' * the GE table in the data file). Characterized sizes: rows and cols in ' + `{${data.sizes.join(', ')}}` + '; degree by',
    ` * ${FIT_FOLDS}-fold cross-validation (RMSPE criterion), held-out errors below.`,
    ' *',
    ' * What this counts: the PE logic (multiplier or shifters, adder, accumulator and pipeline',
    ' * registers) and the array\'s skew registers and done logic, at the pe-array defaults (the',
    ' * type\'s default accumulator; LightPE 8-bit activations, mMax 7, exact shifts). Not counted:',
    ' * wiring, placement utilization, clock tree, the global buffer and per-PE scratchpads (priced',
    ' * apart), other accBits/actBits/lightMaxShift settings, ws dataflow, fp32 (no RTL).',
    ' *',
    ` * Extrapolation: the fits are checked only on ${sizes} x ${sizes}. Beyond that the GE of an array of`,
    ` * R x C PEs is taken as (R x C) / (${Math.max(...data.sizes)} x ${Math.max(...data.sizes)}) times the largest characterized`,
    ' * array, scaled per PE (a systolic array grows linearly with its PE count; the skew registers',
    ' * are a small edge term), so no polynomial is evaluated outside its data.',
    ' */',
    '',
    '/** PE types with a characterized area. */',
    `export type CharacterizedPeType = ${CHARACTERIZED_PE_TYPES.map((t) => `'${t}'`).join(' | ')};`,
    '',
    '/** One fitted polynomial: GE = sum coefficient x rows^e0 x cols^e1. */',
    'export interface PeAreaFit {',
    '  /** Total degree chosen by cross-validation. */',
    '  readonly degree: number;',
    '  /** [coefficient, exponent of rows, exponent of cols], in GE. */',
    '  readonly terms: readonly (readonly [number, number, number])[];',
    '  /** Held-out (cross-validation) MAPE and RMSPE of the chosen degree, %. */',
    '  readonly cvMape: number;',
    '  readonly cvRmspe: number;',
    '  /** In-sample MAPE of the final fit, %. */',
    '  readonly mape: number;',
    '  /** Points fitted. */',
    '  readonly points: number;',
    '}',
    '',
    `/** Largest characterized rows and cols. */`,
    `export const PE_AREA_MAX_SIZE = ${Math.max(...data.sizes)};`,
    `/** Smallest characterized rows and cols. */`,
    `export const PE_AREA_MIN_SIZE = ${Math.min(...data.sizes)};`,
    `/** The characterization data file and the Yosys that produced it. */`,
    `export const PE_AREA_DATA = { file: '${dataFile}', yosys: '${data.yosys.replace(/'/g, '')}' } as const;`,
    '',
    '/** The fits per PE type. */',
    'export const PE_AREA_FITS: Readonly<Record<CharacterizedPeType, PeAreaFit>> = {',
  ];
  for (const f of fits) {
    const cv = f.model.cv.find((c) => c.degree === f.model.degree)!;
    lines.push(`  ${f.peType}: {`);
    lines.push(`    degree: ${f.model.degree},`);
    lines.push(`    terms: [${f.model.terms.map((t) => `[${sig12(t.coefficient)}, ${t.exponents[0]}, ${t.exponents[1]}]`).join(', ')}],`);
    lines.push(`    cvMape: ${Number(cv.mape.toPrecision(4))},`);
    lines.push(`    cvRmspe: ${Number(cv.rmspe.toPrecision(4))},`);
    lines.push(`    mape: ${Number(f.model.mape.toPrecision(4))},`);
    lines.push(`    points: ${f.points},`);
    lines.push('  },');
  }
  lines.push(
    '};',
    '',
    'const evalFit = (f: PeAreaFit, rows: number, cols: number): number => f.terms.reduce((s, [c, er, ec]) => s + c * rows ** er * cols ** ec, 0);',
    '',
    '/**',
    ' * NAND2 gate equivalents of a `rows x cols` array of `peType` PEs: the fit inside the',
    ' * characterized range (rows and cols clamped to at least the smallest size), linear in the PE',
    ' * count beyond it (see the header). Undefined for PE types without a characterization (fp32).',
    ' */',
    'export function peArrayGateEquivalents(peType: string, rows: number, cols: number): number | undefined {',
    '  const f = (PE_AREA_FITS as Readonly<Record<string, PeAreaFit>>)[peType];',
    '  if (f === undefined) return undefined;',
    '  const r = Math.max(rows, PE_AREA_MIN_SIZE);',
    '  const c = Math.max(cols, PE_AREA_MIN_SIZE);',
    '  if (r <= PE_AREA_MAX_SIZE && c <= PE_AREA_MAX_SIZE) return evalFit(f, r, c);',
    '  const rIn = Math.min(r, PE_AREA_MAX_SIZE);',
    '  const cIn = Math.min(c, PE_AREA_MAX_SIZE);',
    '  return (evalFit(f, rIn, cIn) * r * c) / (rIn * cIn);',
    '}',
    '',
    '/** GE of one PE of `peType`: the largest characterized array over its PE count (undefined without a characterization). */',
    'export function peGateEquivalents(peType: string): number | undefined {',
    '  const ge = peArrayGateEquivalents(peType, PE_AREA_MAX_SIZE, PE_AREA_MAX_SIZE);',
    '  return ge === undefined ? undefined : ge / (PE_AREA_MAX_SIZE * PE_AREA_MAX_SIZE);',
    '}',
    '',
  );
  return lines.join('\n');
}

/** The characterization as a table: per PE type the chosen degree and the CV errors. */
export function formatFits(fits: readonly CharFit[]): string {
  const rows = fits.map((f) => {
    const cv = f.model.cv.find((c) => c.degree === f.model.degree)!;
    const all = f.model.cv.map((c) => `d${c.degree} ${c.mape.toFixed(2)}/${c.rmspe.toFixed(2)}`).join(', ');
    return `  ${f.peType.padEnd(9)} ${String(f.points).padStart(3)} points  degree ${f.model.degree}  CV MAPE ${cv.mape.toFixed(2)} %  CV RMSPE ${cv.rmspe.toFixed(2)} %  in-sample MAPE ${f.model.mape.toFixed(2)} %  (all degrees MAPE/RMSPE: ${all})`;
  });
  return ['fits GE(rows, cols) per PE type:', ...rows].join('\n');
}

/** Options of the command. */
export interface CharacterizeOptions {
  readonly out?: string;
  readonly module?: string;
  readonly quick?: boolean;
  readonly jobs?: number;
  /** Refit an existing data file instead of synthesizing. */
  readonly from?: string;
  /** Called with progress lines (one per point). */
  readonly progress?: (line: string) => void;
}

/** Default outputs: the committed data and module, or a scratch folder for `--quick`. */
export const DEFAULT_DATA_FILE = 'platforms/tech/characterization/pe-array.json';
export const DEFAULT_MODULE_FILE = 'src/modules/pe-array/area.ts';
const QUICK_DIR = 'traces/characterize-quick';

/** Runs the command; returns the text to print. */
export async function characterizeCommand(o: CharacterizeOptions): Promise<{ stdout: string; stderr: string; exitCode: number }> {
  const out = o.out ?? (o.quick === true ? join(QUICK_DIR, 'pe-array.json') : DEFAULT_DATA_FILE);
  const mod = o.module ?? (o.quick === true ? join(QUICK_DIR, 'area.ts') : DEFAULT_MODULE_FILE);
  const jobs = o.jobs ?? Math.max(1, availableParallelism());
  if (!Number.isSafeInteger(jobs) || jobs < 1) throw new SimError('bad-argument', `--jobs ${String(o.jobs)} must be a positive integer`);
  const log: string[] = [];
  let data: CharData;
  if (o.from !== undefined) {
    let text: string;
    try {
      text = readFileSync(o.from, 'utf8');
    } catch {
      throw new SimError('file-not-found', `cannot read characterization data '${o.from}'`);
    }
    data = JSON.parse(text) as CharData;
    log.push(`refitting ${data.points.length} points of ${o.from} (${data.yosys})`);
  } else {
    const sizes = o.quick === true ? QUICK_SIZES : FULL_SIZES;
    const t0 = performance.now();
    let total = 0;
    data = await runCharacterization(sizes, jobs, (p, s) => {
      total += s;
      const line = `${p.peType.padEnd(9)} ${String(p.rows).padStart(2)} x ${String(p.cols).padEnd(2)} ${String(p.cellCount).padStart(7)} cells ${p.ge.toFixed(1).padStart(10)} GE  yosys ${s.toFixed(1)} s`;
      if (o.progress === undefined) log.push(line);
      else o.progress(line);
    });
    log.push(`${data.points.length} points, yosys ${total.toFixed(1)} s in all (${(total / data.points.length).toFixed(1)} s per point), ${((performance.now() - t0) / 1000).toFixed(1)} s wall with ${jobs} job(s); ${data.yosys}`);
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(out, `${JSON.stringify(data, null, 1)}\n`);
    log.push(`wrote ${out}`);
  }
  const fits = fitCharacterization(data);
  log.push(formatFits(fits));
  mkdirSync(dirname(mod), { recursive: true });
  writeFileSync(mod, renderAreaModule(data, fits, o.from ?? out));
  log.push(`wrote ${mod}`);
  return { stdout: `${log.join('\n')}\n`, stderr: '', exitCode: 0 };
}
