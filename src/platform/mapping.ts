/**
 * Mapping files: which layers of a network go where, forcing the compiler's choice per layer.
 *
 * ```yaml
 * mapping: resnet8-diana          # optional name
 * doc: every conv on the PE array except the first
 * layers:
 *   conv_2d_0: cores              # a node name of the model: 'cores' or an accelerator instance
 *   conv_2d_9: dacc
 *   conv_2d_6: { split: 0.5 }     # ODiMO: this share of the output channels on the AIMC tile, the rest on the PE array
 * ```
 * Node names are checked by the compiler against the model (`unknown-node`); targets here
 * against the platform: `cores`, or an instance of an accelerator kind (`pe-array`, `aimc-tile`);
 * a split needs a fraction in [0, 1] (the compiler checks that the platform has both units).
 */
import { isMap, isScalar, type Node, type YAMLMap } from 'yaml';
import type { Diagnostic } from '../util/index.js';
import { unknownNameHint } from '../util/index.js';
import type { PlatformGraph } from './graph.js';
import { Source } from './source.js';

/** Keys of a mapping file. */
export const MAPPING_KEYS = ['mapping', 'doc', 'layers'] as const;

/** Module kinds a layer can be mapped onto (besides the cores). */
const ACCELERATOR_KINDS = new Set(['pe-array', 'aimc-tile']);

/** A loaded mapping file: target by node name, and channel splits by node name. */
export interface MappingFile {
  readonly name: string | undefined;
  readonly targets: ReadonlyMap<string, string>;
  /** Share of each listed layer's output channels on the AIMC tile (`{ split: f }`). */
  readonly splits: ReadonlyMap<string, number>;
}

/**
 * Loads a mapping file, reporting every problem with its position: unknown keys (with "did you
 * mean"), a missing `layers`, targets that are neither `cores` nor an accelerator of `platform`.
 */
export function loadMapping(file: string, text: string, platform: PlatformGraph): { value?: MappingFile; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const src = new Source(file, text, diagnostics);
  if (diagnostics.length > 0) return { diagnostics };
  const top = src.map(src.doc.contents, 'a mapping file');
  if (top === undefined) return { diagnostics };
  const e = src.entries(top, 'the mapping file', MAPPING_KEYS, ['layers']);
  const nameNode = e.get('mapping')?.value;
  const name = nameNode === undefined ? undefined : src.str(nameNode, 'mapping');
  const layers = e.get('layers');
  const targets = new Map<string, string>();
  const splits = new Map<string, number>();
  const accels = Object.values(platform.instances).filter((i) => ACCELERATOR_KINDS.has(i.kind)).map((i) => i.name);
  if (layers !== undefined) {
    const m = src.map(layers.value, 'layers', layers.key);
    for (const p of m === undefined ? [] : src.pairs(m, 'layer', /^[^\s]+$/)) {
      if (isMap(p.value)) {
        const f = src.entries(p.value as YAMLMap<Node, Node>, `layer '${p.name}'`, ['split'], ['split']).get('split');
        const v = f === undefined || !isScalar(f.value) ? undefined : f.value.value;
        if (f !== undefined && (typeof v !== 'number' || !(v >= 0 && v <= 1))) src.error(f.value ?? f.key, 'bad-value', `layer '${p.name}': split must be a fraction in [0, 1] of the output channels on the AIMC tile, got ${JSON.stringify(v)}`, 'write e.g. { split: 0.5 }');
        else if (typeof v === 'number') splits.set(p.name, v);
        continue;
      }
      if (!isScalar(p.value) || typeof p.value.value !== 'string') {
        src.error(p.value ?? p.key, 'bad-type', `layer '${p.name}': the target must be a name (or { split: f })`, `write 'cores' or one of: ${accels.join(', ') || '(this platform has no accelerator)'}`);
        continue;
      }
      const t = p.value.value;
      if (t !== 'cores' && !accels.includes(t)) {
        const inst = platform.instances[t];
        src.error(p.value, 'unknown-target', inst === undefined
          ? `layer '${p.name}': '${t}' is not an instance of platform '${platform.platform}'`
          : `layer '${p.name}': '${t}' is a ${inst.kind}, not an accelerator (pe-array, aimc-tile)`, unknownNameHint(t, ['cores', ...accels], 'targets'));
        continue;
      }
      targets.set(p.name, t);
    }
  }
  if (diagnostics.some((d) => d.severity === 'error')) return { diagnostics };
  return { value: { name, targets, splits }, diagnostics };
}
