/** JSON Schema (draft 2020-12) for platform files, generated from the module declarations, for YAML editors. */
import type { AnyParamSpec, ModuleCatalog } from '../spec/index.js';
import { acceptedUnits, type Quantity } from '../util/index.js';

/** A JSON Schema object (plain JSON). */
export type JsonSchema = { readonly [k: string]: unknown };

const NUM = '[0-9]+(\\.[0-9]*)?([eE][+-]?[0-9]+)?';

function quantityPattern(q: Quantity): string {
  const units = q === 'time' ? ['fs', 'ps', 'ns', 'us', 'µs', 'ms', 's', 'sec'] : [...acceptedUnits(q), ...(q === 'energy' ? ['µJ'] : q === 'power' ? ['µW'] : q === 'area' ? ['µm2'] : [])];
  return `^\\s*${NUM}\\s*(${units.join('|')})\\s*$`;
}

/** The schema of one param's YAML value. */
export function paramSchema(s: AnyParamSpec): JsonSchema {
  const base = { description: s.doc + (s.unit !== '' && s.type === 'int' ? ` (${s.unit})` : ''), ...(s.default === undefined ? {} : { default: s.default }) };
  switch (s.type) {
    case 'int':
      return { ...base, type: 'integer', ...(s.min === undefined ? {} : { minimum: s.min }), ...(s.max === undefined ? {} : { maximum: s.max }) };
    case 'bool':
      return { ...base, type: 'boolean' };
    case 'enum':
      return { ...base, enum: s.values ?? [] };
    case 'set':
      return { ...base, type: 'array', uniqueItems: true, items: { enum: s.values ?? [] } };
    default:
      return { ...base, anyOf: [{ type: 'string', pattern: quantityPattern(s.type) }, { const: 0 }] };
  }
}

/** The schema of a whole platform file for the given kinds. */
export function platformSchema(catalog: ModuleCatalog): JsonSchema {
  const instance = [...catalog.values()].map((d) => ({
    title: d.kind,
    description: d.doc.summary,
    type: 'object',
    additionalProperties: false,
    required: ['kind', 'clock'],
    properties: {
      kind: { const: d.kind },
      clock: { type: 'string', description: 'A clock domain declared under clocks.' },
      doc: { type: 'string' },
      params: {
        type: 'object',
        additionalProperties: false,
        properties: Object.fromEntries(Object.entries(d.params).map(([n, s]) => [n, paramSchema(s as AnyParamSpec)])),
      },
    },
  }));
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: 'https://edgesim.dev/schema/platform.json',
    title: 'edgesim platform',
    type: 'object',
    additionalProperties: false,
    required: ['platform', 'clocks', 'instances'],
    properties: {
      platform: { type: 'string', description: 'Platform name.' },
      doc: { type: 'string' },
      include: { type: 'array', items: { type: 'string' }, description: 'Technology files (tech/*.yaml), relative to this file; later ones override earlier ones.' },
      clocks: { type: 'object', description: 'Clock domains and their frequencies.', additionalProperties: { type: 'string', pattern: quantityPattern('freq') } },
      instances: { type: 'object', additionalProperties: { oneOf: instance } },
      connections: {
        type: 'array',
        items: { type: 'string', pattern: '^\\s*[A-Za-z_]\\w*\\.[A-Za-z_]\\w*(\\[[0-9]+\\])?\\s*->\\s*[A-Za-z_]\\w*\\.[A-Za-z_]\\w*(\\[[0-9]+\\])?\\s*$' },
        description: "'initiator.port -> target.port', [i] for an element of a port array.",
      },
      addressMap: {
        type: 'array',
        items: {
          type: 'object',
          additionalProperties: false,
          required: ['target', 'base'],
          properties: {
            target: { type: 'string' },
            base: { anyOf: [{ type: 'integer', minimum: 0 }, { type: 'string', pattern: '^0x[0-9a-fA-F_]+$' }] },
            size: { type: 'string', pattern: quantityPattern('bytes') },
          },
        },
      },
    },
  };
}
