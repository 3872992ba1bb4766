import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import { catalog } from '../../src/modules/index.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const main = `${root}dist/cli/main.js`;
const cli = (...args: string[]) => {
  const r = spawnSync(process.execPath, [main, ...args], { encoding: 'utf8', cwd: root });
  return { code: r.status ?? -1, out: r.stdout, err: r.stderr };
};

beforeAll(() => {
  if (!existsSync(main)) execFileSync('npm', ['run', 'build'], { cwd: root, stdio: 'ignore' });
});

type Schema = { [k: string]: unknown };
/** A small structural JSON Schema check (type, const, enum, pattern, min/max, required, properties, additionalProperties, items, oneOf, anyOf). */
function validate(s: Schema, v: unknown, path = '$'): string[] {
  const errs: string[] = [];
  const type = s['type'];
  const isObj = typeof v === 'object' && v !== null && !Array.isArray(v);
  if (type === 'object' && !isObj) return [`${path}: not an object`];
  if (type === 'array' && !Array.isArray(v)) return [`${path}: not an array`];
  if (type === 'string' && typeof v !== 'string') return [`${path}: not a string`];
  if (type === 'integer' && !Number.isInteger(v)) return [`${path}: not an integer`];
  if (type === 'boolean' && typeof v !== 'boolean') return [`${path}: not a boolean`];
  if ('const' in s && s['const'] !== v) return [`${path}: not ${JSON.stringify(s['const'])}`];
  if (Array.isArray(s['enum']) && !s['enum'].includes(v)) return [`${path}: not in enum`];
  if (typeof s['pattern'] === 'string' && typeof v === 'string' && !new RegExp(s['pattern'], 'u').test(v)) errs.push(`${path}: ${JSON.stringify(v)} does not match ${s['pattern']}`);
  if (typeof s['minimum'] === 'number' && typeof v === 'number' && v < s['minimum']) errs.push(`${path}: below minimum`);
  if (typeof s['maximum'] === 'number' && typeof v === 'number' && v > s['maximum']) errs.push(`${path}: above maximum`);
  if (Array.isArray(s['oneOf'])) {
    const ok = (s['oneOf'] as Schema[]).filter((o) => validate(o, v, path).length === 0).length;
    if (ok !== 1) errs.push(`${path}: matches ${ok} of oneOf`);
  }
  if (Array.isArray(s['anyOf']) && !(s['anyOf'] as Schema[]).some((o) => validate(o, v, path).length === 0)) errs.push(`${path}: matches none of anyOf`);
  if (isObj) {
    const o = v as Record<string, unknown>;
    const props = (s['properties'] ?? {}) as Record<string, Schema>;
    for (const r of (s['required'] ?? []) as string[]) if (!(r in o)) errs.push(`${path}: missing ${r}`);
    for (const [k, x] of Object.entries(o)) {
      if (props[k]) errs.push(...validate(props[k], x, `${path}.${k}`));
      else if (s['additionalProperties'] === false) errs.push(`${path}: unexpected ${k}`);
      else if (typeof s['additionalProperties'] === 'object') errs.push(...validate(s['additionalProperties'] as Schema, x, `${path}.${k}`));
    }
  }
  if (Array.isArray(v) && typeof s['items'] === 'object') v.forEach((x, i) => errs.push(...validate(s['items'] as Schema, x, `${path}[${i}]`)));
  return errs;
}

describe('edgesim check / describe / schema', () => {
  it('check: a clean platform exits 0 with a summary', () => {
    const r = cli('check', 'platforms/pulp-cluster.yaml');
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toBe("platforms/pulp-cluster.yaml: ok, platform 'pulp-cluster': 15 instances, 2 clock domains, 36 connections, 3 address regions\n");
    const j = cli('check', 'platforms/pulp-cluster.yaml', '--json');
    expect(JSON.parse(j.out).platform).toBe('pulp-cluster');
  });

  it('check: diagnostics compiler-style on stderr, exit 1, no stack trace', () => {
    const r = cli('check', 'test/platform/fixtures/unknown-key.yaml');
    expect(r.code).toBe(1);
    expect(r.out).toBe('');
    expect(r.err).toBe("test/platform/fixtures/unknown-key.yaml:5:34: error[unknown-key]: unknown key 'parms' in instance 'cpu'\n  hint: did you mean 'params'?\n1 error, 0 warnings\n");
    const missing = cli('check', 'nope.yaml');
    expect(missing.code).toBe(1);
    expect(missing.err).toBe("edgesim: error [file-not-found]: cannot read 'nope.yaml'\n");
    expect(cli('check').code).toBe(1);
  });

  it('describe lists every kind and documents one from its declaration', () => {
    const all = cli('describe');
    expect(all.code).toBe(0);
    for (const k of catalog.keys()) expect(all.out).toMatch(new RegExp(`^${k} `, 'm'));
    const one = cli('describe', 'dma');
    expect(one.code).toBe(0);
    for (const s of ['Models:', 'Does not model:', 'Timing:', 'Energy:', 'Parameters:', 'maxBurstBytes (bytes, B; default 256B; min 4 B)', 'Ports (at the defaults):', 'local[4] (initiator, mem, 32 bits, required)', 'Energy events:', 'active: busy, activePower', 'Statistics:', 'Fault points:']) {
      expect(one.out).toContain(s);
    }
    const bad = cli('describe', 'scrachpad');
    expect(bad.code).toBe(1);
    expect(bad.err).toBe("edgesim: error [bad-argument]: unknown module kind 'scrachpad': did you mean 'scratchpad'?\n");
  });

  it('schema is JSON Schema generated from the declarations; pulp-cluster validates, broken files do not', () => {
    const r = cli('schema');
    expect(r.code).toBe(0);
    const schema = JSON.parse(r.out) as Schema;
    expect(schema['$schema']).toBe('https://json-schema.org/draft/2020-12/schema');
    const inst = ((schema['properties'] as Record<string, Schema>)['instances']!['additionalProperties'] as Schema)['oneOf'] as Schema[];
    expect(inst.map((s) => s['title'])).toEqual([...catalog.keys()]);
    const pulp = parse(readFileSync(`${root}platforms/pulp-cluster.yaml`, 'utf8'));
    expect(validate(schema, pulp)).toEqual([]);
    const fixture = (n: string) => parse(readFileSync(`${root}test/platform/fixtures/${n}.yaml`, 'utf8'));
    expect(validate(schema, fixture('ok'))).toEqual([]);
    expect(validate(schema, fixture('unknown-key')).join()).toContain('matches 0 of oneOf');
    expect(validate(schema, fixture('bad-unit')).join()).toMatch(/100Mhz/);
    expect(validate(schema, fixture('connections')).join()).toMatch(/=>/);
  });
});
