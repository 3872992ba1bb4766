import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it, vi } from 'vitest';

/** The README's user guide: every `$ npx edgesim ...` command runs and succeeds; the code example runs. */
const root = fileURLToPath(new URL('../', import.meta.url));
const readme = readFileSync(join(root, 'README.md'), 'utf8');
const guide = readme.slice(readme.indexOf('## User guide'), readme.indexOf('## SystemC to edgesim'));

describe('README user guide', () => {
  const commands = [...guide.matchAll(/^\$ npx edgesim (.+)$/gm)].map((m) => m[1]!.split(/\s+/));

  it('has commands to check', () => {
    expect(commands.length).toBeGreaterThanOrEqual(3);
  });

  for (const args of commands) {
    it(`edgesim ${args.join(' ')}`, () => {
      const r = spawnSync(process.execPath, [join(root, 'dist/cli/main.js'), ...args], { encoding: 'utf8' });
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      expect(r.stdout.length).toBeGreaterThan(0);
    });
  }

  it('the quick start names the install+demo and the test commands', () => {
    expect(readme).toContain('npm ci && npx edgesim demo');
    expect(readme).toContain('npm test');
  });

  it('the TypeScript example runs and prints what it says', async () => {
    const code = /```ts\n([\s\S]*?)```/.exec(guide)?.[1];
    expect(code).toBeDefined();
    const dir = mkdtempSync(join(tmpdir(), 'edgesim-readme-'));
    try {
      const file = join(dir, 'example.ts');
      writeFileSync(file, code!.replace("from 'edgesim'", `from '${pathToFileURL(join(root, 'src/index.ts')).href}'`));
      const logs: string[] = [];
      const spy = vi.spyOn(console, 'log').mockImplementation((m: string) => void logs.push(m));
      await import(pathToFileURL(file).href);
      spy.mockRestore();
      expect(logs).toEqual(['10 ns: got 1', '20 ns: got 2', '30 ns: got 3']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
