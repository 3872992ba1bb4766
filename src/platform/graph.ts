/** The elaborated platform: plain data, frozen, dumpable as resolved JSON. */
import type { PortSpec } from '../spec/index.js';
import { formatAddress } from '../util/index.js';

/** A clock domain. */
export interface ClockDomain {
  readonly name: string;
  readonly freqHz: number;
  /** Period in picoseconds (rounded to the 1 ps resolution). */
  readonly periodPs: number;
}

/** One module instance with fully resolved parameters. */
export interface InstanceNode {
  readonly name: string;
  readonly kind: string;
  readonly clock: string;
  /** Typed values in internal units (bytes, Hz, ps, pJ, uW, um2). */
  readonly params: Readonly<Record<string, unknown>>;
  /** Where each value came from: `default`, `tech:<file>: <source>` or `instance`. */
  readonly paramOrigin: Readonly<Record<string, string>>;
  /** Ports computed from the params. */
  readonly ports: readonly PortSpec[];
}

/** One end of a connection; `index` for elements of port arrays. */
export interface Endpoint {
  readonly instance: string;
  readonly port: string;
  readonly index?: number;
}

/** A checked connection from an initiator (or event source) to a target (or event sink). */
export interface Connection {
  readonly from: Endpoint;
  readonly to: Endpoint;
  readonly protocol: string;
  readonly fromWidthBits: number;
  readonly toWidthBits: number;
}

/** A region of the address map, decoded to `target`. `end` is exclusive. */
export interface AddressRegion {
  readonly target: string;
  readonly base: number;
  readonly size: number;
  readonly end: number;
}

/** The elaborated platform. */
export interface PlatformGraph {
  readonly platform: string;
  readonly doc: string;
  /** The platform file and the tech files it included, in order. */
  readonly file: string;
  readonly tech: readonly string[];
  readonly clocks: Readonly<Record<string, ClockDomain>>;
  readonly instances: Readonly<Record<string, InstanceNode>>;
  readonly connections: readonly Connection[];
  readonly addressMap: readonly AddressRegion[];
}

/** `name` or `name[3]`. */
/**
 * The address-map regions an initiator port element reaches: the region of the instance it
 * connects to, or, for an instance without a region that has initiator ports (an interconnect),
 * whatever those ports reach, recursively (each instance visited once). The simulator builds
 * interconnect decode tables and DMA local windows from it, and the RTL generator the same ones.
 */
export function reachableRegions(g: PlatformGraph, inst: string, port: string, index: number | undefined, seen: Set<string> = new Set([inst])): AddressRegion[] {
  const out: AddressRegion[] = [];
  for (const c of g.connections) {
    if (c.from.instance !== inst || c.from.port !== port || c.from.index !== index) continue;
    const peer = c.to.instance;
    const r = g.addressMap.find((x) => x.target === peer);
    if (r !== undefined) out.push(r);
    else if (!seen.has(peer)) {
      seen.add(peer);
      for (const q of g.instances[peer]?.ports ?? []) {
        if (q.role !== 'initiator') continue;
        const ids = q.count === undefined ? [undefined] : Array.from({ length: q.count }, (_, i) => i);
        for (const i of ids) out.push(...reachableRegions(g, peer, q.name, i, seen));
      }
    }
  }
  return out;
}

export const formatEndpoint = (e: Endpoint): string => `${e.instance}.${e.port}${e.index === undefined ? '' : `[${e.index}]`}`;

/**
 * The resolved platform as JSON (stable key order as elaborated; addresses also in hex), for
 * `traces/<run>/platform.resolved.json` and `edgesim check --json`.
 */
export function dumpPlatform(g: PlatformGraph): string {
  return JSON.stringify(
    {
      ...g,
      connections: g.connections.map((c) => ({ ...c, text: `${formatEndpoint(c.from)} -> ${formatEndpoint(c.to)}` })),
      addressMap: g.addressMap.map((r) => ({ ...r, baseHex: formatAddress(r.base), endHex: formatAddress(r.end) })),
    },
    null,
    2,
  );
}
