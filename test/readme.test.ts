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

/**
 * The `$ npx edgesim ...` lines of the guide's code blocks, each with the lines shown under it
 * (up to the next `$` line or the end of the block): those must appear in its output.
 */
function guideCommands(text: string): { args: string[]; expected: string[] }[] {
  const out: { args: string[]; expected: string[] }[] = [];
  for (const block of text.matchAll(/^```[a-z]*\n([\s\S]*?)^```$/gm)) {
    let cur: { args: string[]; expected: string[] } | undefined;
    for (const line of block[1]!.split('\n')) {
      const m = /^\$ npx edgesim (.+)$/.exec(line);
      if (m !== null) out.push((cur = { args: m[1]!.trim().split(/\s+/), expected: [] }));
      else if (line.startsWith('$')) cur = undefined;
      else if (cur !== undefined && line.trim() !== '' && line.trim() !== '...') cur.expected.push(line.trim());
    }
  }
  return out;
}

describe('README user guide', () => {
  const commands = guideCommands(guide);

  it('has commands to check, every one found by the parser', () => {
    expect(commands.length).toBeGreaterThanOrEqual(3);
    expect(commands.map((c) => c.args.join(' '))).toEqual([...guide.matchAll(/^\$ npx edgesim (.+)$/gm)].map((m) => m[1]!.trim().split(/\s+/).join(' ')));
  });

  it('the step-by-step session covers init, describe, check, compile, run, campaign, rtl and sweep, with outputs to check', () => {
    const session = guideCommands(guide.slice(guide.indexOf('### A first session'), guide.indexOf('### More commands')));
    expect(session.map((c) => c.args[0])).toEqual(['init', 'describe', 'check', 'compile', 'run', 'campaign', 'rtl', 'sweep']);
    for (const c of session) expect(c.expected.length, c.args.join(' ')).toBeGreaterThan(0);
    expect(session.find((c) => c.args[0] === 'run')?.expected.join('\n')).toMatch(/accuracy: .* %/);
  });

  for (const { args, expected } of commands) {
    it(`edgesim ${args.join(' ')}`, () => {
      const r = spawnSync(process.execPath, [join(root, 'dist/cli/main.js'), ...args], { encoding: 'utf8', cwd: root });
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      expect(r.stdout.length).toBeGreaterThan(0);
      for (const e of expected) expect(r.stdout, `expected line: ${e}`).toContain(e);
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
