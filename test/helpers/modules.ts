import { Simulation } from '../../src/kernel/index.js';
import type { AddressWindow, ModuleContext } from '../../src/modules/index.js';
import type { AnyModuleDef, ParamShape, ParamsOf } from '../../src/spec/index.js';
import { InitiatorSocket, tlmBase } from '../../src/tlm/index.js';

/** Declared defaults, with 0 for technology params that have none, then `over`. */
export function paramsFor<D extends AnyModuleDef>(def: D, over: Partial<Record<keyof ParamsOf<D>, unknown>> = {}): ParamsOf<D> {
  const out: Record<string, unknown> = {};
  for (const [n, s] of Object.entries(def.params as ParamShape)) {
    const r = s.default === undefined ? undefined : s.parse(s.default);
    out[n] = r?.ok ? r.value : 0;
  }
  return { ...out, ...over } as ParamsOf<D>;
}

/** A context for a module built by hand in a test. */
export function ctxFor<D extends AnyModuleDef>(
  sim: Simulation,
  def: D,
  path: string,
  over: Partial<Record<keyof ParamsOf<D>, unknown>>,
  extra: Partial<Omit<ModuleContext<D>, 'sim' | 'path' | 'params'>> = {},
): ModuleContext<D> {
  return { sim, path, params: paramsFor(def, over), periodPs: 1000, ...extra };
}

/** An address window. */
export const win = (target: string, base: number, size: number): AddressWindow => ({ target, base, size, end: base + size });

/** A test initiator socket of the TLM base protocol. */
export const initiator = (sim: Simulation, path: string, widthBits = 32): InitiatorSocket => new InitiatorSocket(sim, path, tlmBase(widthBits));

export { Simulation };
