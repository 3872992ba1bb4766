/**
 * Every command's --help through the built command: an "Examples:" section whose examples name
 * files that exist (from the repository root), one exit-code convention for every command
 * (0 ok, 1 user error, 2 internal error), and --json / --quiet where the commands have them.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cliTestFolder, repoRootCli as repoRoot, runCli } from '../helpers/cli.js';

const root = repoRoot;
const cli = (...args: string[]): { code: number; out: string; err: string } => runCli(args);
const tmp = cliTestFolder('edgesim-help-');

/** Subcommand names listed under "Commands:" of a help text (without `help`). */
function commandsOf(help: string): string[] {
  const part = help.slice(help.indexOf('Commands:'));
  return [...part.matchAll(/^ {2}([a-z][a-z0-9-]*)\b/gm)].map((m) => m[1]!).filter((c) => c !== 'help');
}

const COMMANDS = ['demo', 'bench', 'compile', 'run', 'campaign', 'sweep', 'characterize', 'check', 'describe', 'schema', 'rtl', 'init', 'merge', 'slurm', 'k8s'];
const BENCH = ['kernel', 'compare-systemc', 'platform', 'aimc', 'pe', 'nn', 'campaign', 'sweep', 'shard'];
const SLURM = ['campaign', 'sweep', 'status'];
const K8S = ['campaign', 'sweep'];
/** Arguments with these endings are input files that must exist (outputs follow -o, --out or >). */
const INPUT = /\.(ya?ml|onnx|s|elf|bin)$/;

describe('--help of every command', () => {
  it('the lists of commands are complete', () => {
    const top = cli('--help');
    expect(top.code).toBe(0);
    expect(commandsOf(top.out).sort()).toEqual([...COMMANDS].sort());
    expect(top.out).toContain('Exit codes: 0 ok, 1 user error');
    expect(commandsOf(cli('bench', '--help').out).sort()).toEqual([...BENCH].sort());
    expect(commandsOf(cli('slurm', '--help').out).sort()).toEqual([...SLURM].sort());
    expect(commandsOf(cli('k8s', '--help').out).sort()).toEqual([...K8S].sort());
  });

  for (const path of [...COMMANDS.map((c) => [c]), ...BENCH.map((b) => ['bench', b]), ...SLURM.map((c) => ['slurm', c]), ...K8S.map((c) => ['k8s', c])]) {
    it(`edgesim ${path.join(' ')} --help has examples naming existing files`, () => {
      const r = cli(...path, '--help');
      expect(r.code).toBe(0);
      expect(r.err).toBe('');
      const at = r.out.indexOf('\nExamples:\n');
      expect(at, r.out).toBeGreaterThan(0);
      const lines = r.out.slice(at + '\nExamples:\n'.length).split('\n').filter((l) => l.trim() !== '');
      expect(lines.length).toBeGreaterThanOrEqual(1);
      expect(lines.length).toBeLessThanOrEqual(3);
      for (const line of lines) {
        const m = /^ {2}\$ edgesim (.+)$/.exec(line);
        expect(m, line).not.toBeNull();
        const args = m![1]!.split(/\s+/);
        expect(args.slice(0, path.length), line).toEqual(path);
        for (let i = 0; i < args.length; i++) {
          const a = args[i]!;
          if (a === '>') break;
          if (INPUT.test(a) && args[i - 1] !== '-o' && args[i - 1] !== '--out') expect(existsSync(join(root, a)), `${line}: ${a}`).toBe(true);
        }
      }
    });
  }
});

describe('exit codes: 0 ok, 1 user error, 2 internal error', () => {
  it('usage errors from commander and from the commands are 1, with one line and no stack trace', () => {
    for (const args of [['frobnicate'], ['check'], ['run', '--nope'], ['compile', 'x.onnx'], ['bench', 'pe', '--size', 'x'], ['describe', 'nope'], ['campaign', 'nope.yaml']]) {
      const r = cli(...args);
      expect(r.code, args.join(' ')).toBe(1);
      expect(r.err).not.toMatch(/^\s+at /m);
      expect(r.err).not.toContain('internal error');
    }
  });

  it('--help and --version are 0', () => {
    expect(cli('--version')).toMatchObject({ code: 0, out: '0.1.0\n' });
    expect(cli('run', '--help').code).toBe(0);
  });
});

describe('--json and --quiet', () => {
  it('check: --json is the resolved platform, --quiet prints nothing', () => {
    expect(JSON.parse(cli('check', 'platforms/diana-like.yaml', '--json').out).platform).toBe('diana-like');
    expect(cli('check', 'platforms/diana-like.yaml', '--quiet')).toMatchObject({ code: 0, out: '', err: '' });
  });

  it('describe --json: the kinds, or one kind with params and ports', () => {
    const all = JSON.parse(cli('describe', '--json').out) as { kinds: { kind: string; summary: string }[] };
    expect(all.kinds.map((k) => k.kind)).toContain('scratchpad');
    const one = JSON.parse(cli('describe', 'dma', '--json').out) as { kind: string; params: Record<string, { unit: string }>; ports: { name: string }[] };
    expect(one.kind).toBe('dma');
    expect(one.params['maxBurstBytes']?.unit).toBe('B');
    expect(one.ports.map((p) => p.name)).toContain('local');
  });

  it('compile: --json has the manifest and the mapping, --quiet only the summary line', () => {
    const args = ['compile', 'test/fixtures/models/qonnx_tfc_2w2a_mnist.qonnx.onnx', '--platform', 'platforms/diana-like.yaml'];
    const j = cli(...args, '-o', join(tmp(), 'c1'), '--json');
    expect(j.code, j.err).toBe(0);
    const r = JSON.parse(j.out) as { summary: string; manifest: { platform: string }; mapping: unknown[] };
    expect(r.manifest.platform).toBe('diana-like');
    expect(r.mapping.length).toBeGreaterThan(0);
    const q = cli(...args, '-o', join(tmp(), 'c2'), '--quiet');
    expect(q.code).toBe(0);
    expect(q.out.trim().split('\n')).toHaveLength(1);
    expect(q.out).toMatch(/^compiled 'qonnx_tfc_2w2a_mnist\.qonnx\.onnx' for platform 'diana-like'/);
  });

  it('bench kernel, pe, aimc and rtl print JSON with --json', () => {
    const k = JSON.parse(cli('bench', 'kernel', 'w1', '100', '10', '1000', '--json').out) as { workload: string; matchesSpec: boolean };
    expect(k).toMatchObject({ workload: 'w1', matchesSpec: true });
    const pe = JSON.parse(cli('bench', 'pe', '--size', '8', '--json').out) as { peType: string }[];
    expect(pe.map((f) => f.peType)).toEqual(['int8', 'int16']);
    const aimc = JSON.parse(cli('bench', 'aimc', '--iterations', '2', '--json').out) as { shapes: { iterations: number }[] };
    expect(aimc.shapes.length).toBe(2);
    const rtl = cli('rtl', 'platforms/pulp-cluster.yaml', '--ci-size', '-o', join(tmp(), 'rtl'), '--json');
    expect(rtl.code, rtl.err).toBe(0);
    expect((JSON.parse(rtl.out) as { files: string[] }).files).toContain('README.md');
  });

  it('run (program) --json is one JSON document on stdout', () => {
    const r = cli('run', 'platforms/pulp-cluster.yaml', 'test/fixtures/asm/vadd.s', '--cores', 'pe0', '--out', join(tmp(), 'run'), '--json');
    expect(r.code, r.err).toBe(0);
    expect(Object.keys(JSON.parse(r.out) as object)).toEqual(expect.arrayContaining(['run', 'report', 'energy']));
  });
});
