/**
 * `edgesim init`: the scaffold checks clean, its scenario loads and names existing package files
 * and valid fault targets, its campaign runs, and existing files are not overwritten without
 * --force.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cliTestFolder, runCli } from '../helpers/cli.js';
import { readPlatform } from '../../src/cli/compile-command.js';
import { initCommand } from '../../src/cli/init-command.js';
import { catalog } from '../../src/modules/index.js';
import { checkScenarioTargets, loadScenario } from '../../src/platform/index.js';
import { hasErrors } from '../../src/util/index.js';

const cli = (cwd: string, ...args: string[]): { code: number; out: string; err: string } => runCli(args, cwd);
const tmp = cliTestFolder('edgesim-init-');

describe('edgesim init', () => {
  it('scaffolds a platform that checks clean and a scenario that loads, with a README', () => {
    const r = cli(tmp(), 'init', 'proj');
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toContain('wrote proj/platform.yaml, proj/scenario.yaml, proj/sweep.yaml, proj/README.md');
    const dir = join(tmp(), 'proj');
    const check = cli(dir, 'check', 'platform.yaml');
    expect(check).toMatchObject({ code: 0, err: '' });
    expect(check.out).toMatch(/^platform\.yaml: ok, platform 'my-cluster': 8 instances/);
    const text = readFileSync(join(dir, 'platform.yaml'), 'utf8');
    for (const kind of ['core', 'scratchpad', 'dma', 'pe-array', 'memory', 'xbar']) expect(text).toContain(`kind: ${kind}`);
    expect(text).toMatch(/^include: \[.*platforms\/tech\/diana-22nm\.yaml, .*platforms\/tech\/pulp-open\.yaml\]$/m);
    expect(text.split('\n').filter((l) => l.trimStart().startsWith('#')).length).toBeGreaterThan(10); // commented

    const file = join(dir, 'scenario.yaml');
    const s = loadScenario(file, readFileSync(file, 'utf8'));
    expect(s.diagnostics).toEqual([]);
    const sc = s.value!;
    for (const f of [sc.platform, sc.model, sc.data.images, sc.data.labels!]) expect(existsSync(resolve(dirname(file), f)), f).toBe(true);
    const plat = readPlatform(resolve(dir, sc.platform));
    expect(hasErrors(plat.diagnostics)).toBe(false);
    const t = checkScenarioTargets(sc, plat.graph!, catalog);
    expect(t.diagnostics).toEqual([]);
    expect(t.value?.length).toBe(sc.faults.length);
    expect(readFileSync(join(dir, 'README.md'), 'utf8')).toContain('npx edgesim campaign scenario.yaml');
  });

  it('the scaffolded campaign runs (10 items, a summary with accuracy)', () => {
    initCommand(join(tmp(), 'camp'));
    const r = cli(join(tmp(), 'camp'), 'campaign', 'scenario.yaml', '--workers', '1', '--json', '-o', 'out');
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const summary = JSON.parse(r.out) as { items: number; scenario: string };
    expect(summary).toMatchObject({ items: 10, scenario: 'my-first-campaign' });
  });

  it('refuses to overwrite existing files (exit 1, nothing written) unless --force', () => {
    const dir = join(tmp(), 'again');
    expect(cli(tmp(), 'init', dir).code).toBe(0);
    writeFileSync(join(dir, 'platform.yaml'), 'mine\n');
    const r = cli(tmp(), 'init', dir);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^edgesim: error \[file-exists\]: .*platform\.yaml, .*scenario\.yaml, .*README\.md already exist; nothing written \(use --force/);
    expect(readFileSync(join(dir, 'platform.yaml'), 'utf8')).toBe('mine\n');
    const f = cli(tmp(), 'init', dir, '--force');
    expect(f.code).toBe(0);
    expect(f.out).toContain('(overwrote platform.yaml, scenario.yaml, sweep.yaml, README.md)');
    expect(readFileSync(join(dir, 'platform.yaml'), 'utf8')).toContain('platform: my-cluster');
    writeFileSync(join(tmp(), 'afile'), 'x');
    expect(cli(tmp(), 'init', 'afile')).toMatchObject({ code: 1, err: "edgesim: error [bad-argument]: 'afile' exists and is not a folder\n" });
  });

  it('defaults to ./edgesim-project', () => {
    const cwd = join(tmp(), 'default');
    mkdirSync(cwd, { recursive: true });
    expect(cli(cwd, 'init').code).toBe(0);
    expect(existsSync(join(cwd, 'edgesim-project', 'platform.yaml'))).toBe(true);
  });
});
