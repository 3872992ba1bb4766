/**
 * `edgesim slurm` and `edgesim k8s` without a cluster: the generated job array and merge scripts
 * (directives, the command line each task runs, quoting of paths with spaces checked by letting
 * bash expand them), option validation, submission through a stand-in `sbatch` (order, the
 * afterok dependency, missing and failing sbatch), the Kubernetes manifests as YAML, and
 * `slurm status` on hand-made shard folders (missing, incomplete, complete, merged, foreign).
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { checkSlurmTime, parseSlurmOptions, shardSize, shardStatus, slurmStatusCommand } from '../../src/cli/scaleout.js';
import { tfcScenario } from '../campaign/helpers.js';
import { cliMain, cliTestFolder, repoRootCli as repoRoot, runCli } from '../helpers/cli.js';

const tmp = cliTestFolder('edgesim-slurm-');
const read = (p: string): string => readFileSync(p, 'utf8');

/** A small TFC scenario in a folder whose name has a space (1 chip x 6 inferences). */
function scenario(name = 'tfc-s'): string {
  const dir = join(tmp(), 'my scenarios');
  mkdirSync(dir, { recursive: true });
  const f = join(dir, `${name}.yaml`);
  writeFileSync(f, `${tfcScenario(name, { seed: 3, chips: 1, inferences: 6 })}faults:\n  - { kind: bit-flip, target: l1, count: 1, window: [0ns, 40us] }\n`);
  return f;
}

/** Runs a generated script with bash, `exec` replaced by printing the argument vector, one per line. */
function argv(script: string, env: Record<string, string>, cwd: string): string[] {
  const text = read(script).replace(/^exec /m, "printf '%s\\n' ");
  const r = spawnSync('bash', ['-c', text], { encoding: 'utf8', cwd, env: { PATH: process.env['PATH'] ?? '', ...env } });
  expect(r.status, r.stderr).toBe(0);
  return r.stdout.replace(/\n$/, '').split('\n');
}

describe('edgesim slurm <campaign|sweep>: the scripts', () => {
  it('job array: directives, the shard command line with absolute paths, quoting of paths with spaces', () => {
    const f = scenario();
    const out = join(tmp(), 'slurm out', 'run 1');
    const r = runCli(['slurm', 'campaign', f, '--shards', '4', '--cpus', '3', '--partition', 'cpu,gpu', '--time', '1-02:03:04', '--mem', '2g', '--account', 'proj_1', '-o', out]);
    expect(r.code, r.err).toBe(0);
    expect(r.err).toBe('');
    expect(r.out).toMatch(/campaign 'tfc-s' in 4 shard\(s\) \(6 item\(s\), 2 or fewer per shard\), 3 CPU\(s\) per shard/);
    expect(r.out).toContain(`bash "${join(out, 'submit.sh')}"`);
    expect(r.out).toContain('sbatch --dependency=afterok:<array job id>');
    expect(readdirSync(out).sort()).toEqual(['logs', 'merge.sbatch', 'scaleout.json', 'shards.sbatch', 'submit.sh']);

    const s = read(join(out, 'shards.sbatch'));
    const directives = s.split('\n').filter((l) => l.startsWith('#SBATCH'));
    expect(directives).toEqual([
      '#SBATCH --job-name=edgesim-tfc-s',
      '#SBATCH --array=0-3',
      '#SBATCH --ntasks=1',
      '#SBATCH --cpus-per-task=3',
      '#SBATCH --partition=cpu,gpu',
      '#SBATCH --account=proj_1',
      '#SBATCH --time=1-02:03:04',
      '#SBATCH --mem=2G',
      `#SBATCH --output="${join(out, 'logs', 'shard-%a.out')}"`,
    ]);
    expect(s.startsWith('#!/bin/bash\n')).toBe(true);
    expect(s).toContain(`exec "${process.execPath}" "${cliMain}" campaign "${f}" --shard "$SLURM_ARRAY_TASK_ID/4" --workers "\${SLURM_CPUS_PER_TASK:-1}" -o "${out}/shard-$SLURM_ARRAY_TASK_ID" --quiet`);
    // bash sees one argument per path, spaces and all
    expect(argv(join(out, 'shards.sbatch'), { SLURM_ARRAY_TASK_ID: '2', SLURM_CPUS_PER_TASK: '3' }, tmp())).toEqual(
      [process.execPath, cliMain, 'campaign', f, '--shard', '2/4', '--workers', '3', '-o', join(out, 'shard-2'), '--quiet']);
    expect(argv(join(out, 'shards.sbatch'), { SLURM_ARRAY_TASK_ID: '0' }, tmp())).toContain('1'); // --workers defaults to 1

    // the merge job: every shard folder, merged into <dir>/merged
    const m = read(join(out, 'merge.sbatch'));
    expect(m).toContain(`#SBATCH --output="${join(out, 'logs', 'merge.out')}"`);
    expect(m).toContain('#SBATCH --cpus-per-task=1');
    expect(m).toContain('#SBATCH --time=1-02:03:04');
    expect(m).not.toContain('--array');
    expect(m).not.toContain('--mem');
    for (const k of [0, 1, 2, 3]) mkdirSync(join(out, `shard-${k}`));
    expect(argv(join(out, 'merge.sbatch'), {}, tmp())).toEqual([process.execPath, cliMain, 'merge', ...[0, 1, 2, 3].map((k) => join(out, `shard-${k}`)), '-o', join(out, 'merged')]);
    expect(read(join(out, 'submit.sh'))).toContain(`merge=$(sbatch --parsable --dependency=afterok:$array "${join(out, 'merge.sbatch')}")`);
    expect(JSON.parse(read(join(out, 'scaleout.json')))).toEqual({ kind: 'campaign', name: 'tfc-s', file: f, shards: 4, total: 6, scheduler: 'slurm' });
    for (const x of ['shards.sbatch', 'merge.sbatch', 'submit.sh']) expect(spawnSync('bash', ['-n', join(out, x)]).status, x).toBe(0);
  });

  it('sweep: the default folder traces/slurm-<name> (relative to the working folder), the point count', () => {
    const cwd = join(tmp(), 'cwd');
    mkdirSync(cwd);
    const r = runCli(['slurm', 'sweep', join(repoRoot, 'scenarios/sweep-adc-hermes.yaml'), '--shards', '5'], cwd);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/sweep 'adc-hermes' in 5 shard\(s\) \(12 point\(s\), 3 or fewer per shard\)/);
    const s = read(join(cwd, 'traces', 'slurm-adc-hermes', 'shards.sbatch'));
    expect(s).toContain('#SBATCH --array=0-4');
    expect(s).toContain('#SBATCH --cpus-per-task=1');
    expect(s).toMatch(/ sweep ".*scenarios\/sweep-adc-hermes\.yaml" --shard "\$SLURM_ARRAY_TASK_ID\/5" /);
    expect(s).not.toMatch(/--partition|--time|--mem|--account/);
  });

  it('validates the options with messages naming them; a bad or missing file writes nothing', () => {
    const bad = (a: Parameters<typeof parseSlurmOptions>[0]): string => {
      try {
        parseSlurmOptions(a);
      } catch (e) {
        return (e as Error).message;
      }
      return 'no error';
    };
    expect(bad({ shards: '0' })).toBe("--shards '0' must be an integer between 1 and 1000000");
    expect(bad({ shards: '2.5' })).toMatch(/^--shards '2.5' must be an integer/);
    expect(bad({ shards: 'four' })).toMatch(/^--shards 'four' must be an integer/);
    expect(bad({ shards: '4', cpus: '0' })).toBe("--cpus '0' must be an integer between 1 and 4096");
    expect(bad({ shards: '4', time: 'soon' })).toMatch(/^--time 'soon' is not a Slurm time limit: use minutes \('90'\), MM:SS .*HH:MM:SS .*D-HH:MM:SS/);
    expect(bad({ shards: '4', time: '10:75' })).toMatch(/^--time '10:75': seconds 75 must be below 60/);
    expect(bad({ shards: '4', time: '1:60:00' })).toMatch(/^--time '1:60:00': minutes 60 must be below 60/);
    expect(bad({ shards: '4', time: '2-24:00' })).toMatch(/^--time '2-24:00': hours 24 must be below 24 after the days/);
    expect(bad({ shards: '4', time: '0' })).toMatch(/^--time '0' is zero/);
    expect(bad({ shards: '4', mem: 'lots' })).toMatch(/^--mem 'lots' must be a Slurm memory size/);
    expect(bad({ shards: '4', partition: 'a b' })).toMatch(/^--partition 'a b' must be a Slurm partition name/);
    expect(bad({ shards: '4', account: 'x;rm' })).toMatch(/^--account 'x;rm' must be a Slurm account name/);
    for (const t of ['90', '90:30', '1:30:00', '2-12', '2-12:30', '2-12:30:00', '100:00:00']) expect(checkSlurmTime(t), t).toBe(t);
    expect(checkSlurmTime('unlimited')).toBe('UNLIMITED');
    expect(parseSlurmOptions({ shards: '3' })).toEqual({ shards: 3, cpus: 1 });

    const out = join(tmp(), 'never');
    const cases: [string[], RegExp][] = [
      [['slurm', 'campaign', join(tmp(), 'nope.yaml'), '--shards', '2', '-o', out], /error \[bad-argument\]: cannot read scenario file '.*nope\.yaml': no such file/],
      [['slurm', 'sweep', join(tmp(), 'nope.yaml'), '--shards', '2', '-o', out], /cannot read sweep file/],
      [['slurm', 'campaign', scenario(), '--shards', '-3', '-o', out], /--shards '-3' must be an integer/],
      [['slurm', 'campaign', scenario(), '--shards', '2', '--time', '1:2:3:4', '-o', out], /--time '1:2:3:4' is not a Slurm time limit/],
      [['slurm', 'campaign', scenario(), '-o', out], /required option '--shards <n>' not specified/],
      [['slurm', 'frobnicate', 'x.yaml', '--shards', '2'], /unknown command 'frobnicate'|error: too many arguments/],
    ];
    for (const [args, msg] of cases) {
      const r = runCli(args);
      expect(r.code, args.join(' ')).toBe(1);
      expect(r.err, args.join(' ')).toMatch(msg);
    }
    // a scenario that does not load: its diagnostics, and nothing written
    const broken = join(tmp(), 'broken.yaml');
    writeFileSync(broken, read(scenario()).replace('chips: 1', 'chips: many'));
    const r = runCli(['slurm', 'campaign', broken, '--shards', '2', '-o', out]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/broken\.yaml does not load, nothing written:\n.*broken\.yaml:\d+:\d+: error/);
    expect(existsSync(out)).toBe(false);
  });
});

describe('edgesim slurm --submit (a stand-in sbatch)', () => {
  /** A folder with an `sbatch` that logs its arguments and prints job ids (or fails). */
  function fakeSbatch(name: string, body: string): string {
    const bin = join(tmp(), name);
    mkdirSync(bin);
    writeFileSync(join(bin, 'sbatch'), `#!/bin/bash\n${body}\n`);
    chmodSync(join(bin, 'sbatch'), 0o755);
    return bin;
  }
  const submit = (bin: string, out: string): ReturnType<typeof runCli> => {
    const r = spawnSync(process.execPath, [cliMain, 'slurm', 'campaign', scenario(), '--shards', '3', '-o', out, '--submit'], { encoding: 'utf8', cwd: repoRoot, env: { ...process.env, PATH: `${bin}:/usr/bin:/bin` } });
    return { code: r.status ?? -1, out: r.stdout, err: r.stderr };
  };

  it('submits the array, then the merge with --dependency=afterok:<array id>, and prints the ids', () => {
    const bin = fakeSbatch('ok', `echo "$@" >> "$(dirname "$0")/calls"\nn=$(wc -l < "$(dirname "$0")/calls")\n[ "$n" = 1 ] && echo 4711 || echo "4712;cluster1"`);
    const out = join(tmp(), 'submitted');
    const r = submit(bin, out);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toContain('submitted: shard array job 4711, merge job 4712 (after the array succeeds)');
    expect(read(join(bin, 'calls')).trim().split('\n')).toEqual([`--parsable ${join(out, 'shards.sbatch')}`, `--parsable --dependency=afterok:4711 ${join(out, 'merge.sbatch')}`]);
    expect(JSON.parse(read(join(out, 'jobs.json')))).toEqual({ array: '4711', merge: '4712' });
  });

  it('sbatch missing or failing: a clear error with sbatch\'s message; the scripts stay written', () => {
    const none = join(tmp(), 'missing');
    mkdirSync(none);
    const out = join(tmp(), 'no-sbatch');
    const r = spawnSync(process.execPath, [cliMain, 'slurm', 'campaign', scenario(), '--shards', '2', '-o', out, '--submit'], { encoding: 'utf8', cwd: repoRoot, env: { ...process.env, PATH: none } });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/error \[sbatch-missing\]: sbatch is not on the PATH: run this on a Slurm login node, or copy the folder there and run its submit\.sh/);
    expect(existsSync(join(out, 'shards.sbatch'))).toBe(true);

    const failing = fakeSbatch('failing', 'echo "sbatch: error: invalid partition specified: nope" >&2\nexit 1');
    const f = submit(failing, join(tmp(), 'failed'));
    expect(f.code).toBe(1);
    expect(f.err).toContain('edgesim: error [sbatch-failed]: sbatch of the shard array failed (exit 1): sbatch: error: invalid partition specified: nope');

    const second = fakeSbatch('second', `if [ -e "$(dirname "$0")/once" ]; then echo "sbatch: error: Job dependency problem" >&2; exit 1; fi\ntouch "$(dirname "$0")/once"\necho 99`);
    const s = submit(second, join(tmp(), 'half'));
    expect(s.code).toBe(1);
    expect(s.err).toMatch(/sbatch of the merge job failed \(exit 1\): sbatch: error: Job dependency problem \(the shard array is submitted as job 99; submit the merge by hand .*sbatch --dependency=afterok:99 /);
  });
});

describe('edgesim k8s', () => {
  it('an Indexed Job (completions n, the completion index as the shard) and a merge Job, as YAML', () => {
    const f = scenario('tfc-k8s');
    const out = join(tmp(), 'k8s');
    const r = runCli(['k8s', 'campaign', f, '--shards', '5', '--image', 'registry.example.com/edgesim:0.1.0', '--cpus', '2', '--parallelism', '3', '-o', out]);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/must be shared storage \(ReadWriteMany\)/);
    expect(readdirSync(out).sort()).toEqual(['README.md', 'job.yaml', 'merge-job.yaml', 'scaleout.json']);
    interface Container { image: string; command: string[]; args?: string[]; env?: { name: string; valueFrom: { fieldRef: { fieldPath: string } } }[]; volumeMounts: { name: string; mountPath: string }[]; resources?: { requests: { cpu: string } } }
    interface Job { apiVersion: string; kind: string; metadata: { name: string }; spec: { completionMode?: string; completions: number; parallelism?: number; template: { spec: { restartPolicy: string; containers: Container[]; volumes: { name: string; persistentVolumeClaim: { claimName: string } }[] } } } }
    const job = parse(read(join(out, 'job.yaml'))) as Job;
    expect(job).toMatchObject({ apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'edgesim-tfc-k8s' }, spec: { completionMode: 'Indexed', completions: 5, parallelism: 3 } });
    const c = job.spec.template.spec.containers[0]!;
    expect(c.image).toBe('registry.example.com/edgesim:0.1.0');
    expect([...c.command, ...c.args!]).toEqual(['edgesim', 'campaign', f, '--shard', '$(JOB_COMPLETION_INDEX)/5', '--workers', '2', '-o', '/results/shard-$(JOB_COMPLETION_INDEX)', '--quiet']);
    expect(c.env).toEqual([{ name: 'JOB_COMPLETION_INDEX', valueFrom: { fieldRef: { fieldPath: "metadata.annotations['batch.kubernetes.io/job-completion-index']" } } }]);
    expect(c.resources).toEqual({ requests: { cpu: '2' } });
    expect(c.volumeMounts).toEqual([{ name: 'results', mountPath: '/results' }]);
    expect(job.spec.template.spec.volumes).toEqual([{ name: 'results', persistentVolumeClaim: { claimName: 'edgesim-results' } }]);

    const merge = parse(read(join(out, 'merge-job.yaml'))) as Job;
    expect(merge).toMatchObject({ kind: 'Job', metadata: { name: 'edgesim-tfc-k8s-merge' }, spec: { completions: 1 } });
    expect(merge.spec.completionMode).toBeUndefined();
    expect(merge.spec.template.spec.containers[0]!.command).toEqual(['sh', '-c', 'edgesim merge /results/shard-* -o /results/merged']);
    const readme = read(join(out, 'README.md'));
    expect(readme).toMatch(/must be shared storage/);
    expect(readme).toContain('kubectl apply -f merge-job.yaml');

    const bad = runCli(['k8s', 'sweep', join(repoRoot, 'scenarios/sweep-adc-hermes.yaml'), '--shards', '2', '--image', 'x', '--parallelism', '0', '-o', join(tmp(), 'k8s-bad')]);
    expect(bad.code).toBe(1);
    expect(bad.err).toMatch(/--parallelism '0' must be an integer/);
    expect(runCli(['k8s', 'campaign', f, '--shards', '2']).err).toMatch(/required option '--image <img>' not specified/);
  });
});

describe('edgesim slurm status', () => {
  /** A hand-made shard folder. */
  function shard(dir: string, k: number, n: number, done: number, total: number, o: { hash?: string; name?: string } = {}): void {
    mkdirSync(join(dir, `shard-${k}`), { recursive: true });
    writeFileSync(join(dir, `shard-${k}`, 'shard.json'), JSON.stringify({ kind: 'campaign', name: o.name ?? 'c', hash: o.hash ?? 'abc123', file: '/x/c.yaml', shard: k, shards: n, total, done, complete: done === total, run: {} }));
  }

  it('missing, incomplete and complete shards, overall percent; then the merged result', () => {
    const dir = join(tmp(), 'status');
    mkdirSync(dir);
    mkdirSync(join(tmp(), 'status-empty'));
    writeFileSync(join(dir, 'scaleout.json'), JSON.stringify({ kind: 'campaign', name: 'c', file: '/x/c.yaml', shards: 4, total: 10, scheduler: 'slurm' }));
    expect(slurmStatusCommand(join(tmp(), 'status-empty')).stdout).toMatch(/status-empty: no shard folders yet/);
    const none = slurmStatusCommand(dir).stdout;
    expect(none).toMatch(/^campaign 'c': 4 shard\(s\), 0 complete, 4 missing/);
    expect(none).toContain('overall: 0/10 items (0.0 %)\nmissing shards: 0, 1, 2, 3');
    shard(dir, 0, 4, 3, 3);
    shard(dir, 1, 4, 1, 3);
    mkdirSync(join(dir, 'shard-2')); // started, no shard.json yet
    const s = shardStatus(dir);
    expect(s).toMatchObject({ kind: 'campaign', name: 'c', hash: 'abc123', shards: 4, done: 4, total: 10, complete: 1, missing: [2, 3], foreign: [], merged: null });
    expect(s.percent).toBeCloseTo(40, 9);
    expect(s.rows.map((r) => [r.shard, r.done, r.total, r.complete])).toEqual([[0, 3, 3, true], [1, 1, 3, false], [2, null, 2, false], [3, null, 2, false]]);
    const text = slurmStatusCommand(dir);
    expect(text.exitCode).toBe(0);
    expect(text.stdout).toMatch(/^campaign 'c' \(hash abc123\): 4 shard\(s\), 1 complete, 2 missing/);
    expect(text.stdout).toMatch(/0 +3\/3 +complete\n +1 +1\/3 +running\n +2 +-\/2 +missing\n +3 +-\/2 +missing/);
    expect(text.stdout).toContain('overall: 4/10 items (40.0 %)');
    expect(text.stdout).toContain('missing shards: 2, 3');

    // another run's shard is named, not counted
    shard(dir, 2, 4, 1, 2, { hash: 'fff000' });
    const mixed = shardStatus(dir);
    expect(mixed.missing).toEqual([2, 3]);
    expect(mixed.foreign).toEqual([`${join(dir, 'shard-2')}: hash fff000, not abc123 (another version of the file or its inputs)`]);

    // every shard complete, then merged
    shard(dir, 1, 4, 3, 3);
    shard(dir, 2, 4, 2, 2);
    shard(dir, 3, 4, 2, 2);
    const all = slurmStatusCommand(dir).stdout;
    expect(all).toContain('overall: 10/10 items (100.0 %)');
    expect(all).toContain(`every shard is complete; merge: edgesim merge "${dir}"/shard-* -o "${join(dir, 'merged')}"`);
    mkdirSync(join(dir, 'merged'));
    writeFileSync(join(dir, 'merged', 'summary.json'), JSON.stringify({ accuracy: { mean: 0.9 }, verdict: 'PASS' }));
    writeFileSync(join(dir, 'merged', 'report.html'), '<html></html>');
    expect(slurmStatusCommand(dir).stdout).toContain(`merged: ${join(dir, 'merged')} (report.html, summary.json), accuracy 90.00 % PASS`);
    const j = JSON.parse(runCli(['slurm', 'status', dir, '--json']).out) as { complete: number; percent: number };
    expect(j).toMatchObject({ complete: 4, percent: 100 });
  });

  it('without the plan file: the shard count from shard.json; a missing folder is an error', () => {
    const dir = join(tmp(), 'copied');
    shard(dir, 1, 3, 2, 3);
    const s = shardStatus(dir);
    expect(s).toMatchObject({ shards: 3, missing: [0, 2], done: 2, total: null, percent: null });
    expect(slurmStatusCommand(dir).stdout).toContain('overall: 2/? items');
    const r = runCli(['slurm', 'status', join(tmp(), 'nowhere')]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/slurm status: '.*nowhere' is not a folder/);
    expect([0, 1, 2, 3].map((k) => shardSize(10, k, 4))).toEqual([3, 3, 2, 2]);
    expect([0, 1, 2].map((k) => shardSize(2, k, 3))).toEqual([1, 1, 0]);
  });
});
