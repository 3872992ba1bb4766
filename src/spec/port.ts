/**
 * Port declarations. Ports are computed from the parameters (`ports: (p) => [...]`), so their
 * count and widths may depend on them (`in[p.initiators]`, `widthBits: p.dataWidthBits`).
 */

/**
 * Port roles. A connection goes from an `initiator` to a `target` (memory-mapped transactions),
 * or from an `event-out` to an `event-in` (wires: interrupts, barrier and wake-up lines).
 */
export type PortRole = 'initiator' | 'target' | 'event-out' | 'event-in';

/**
 * Protocols: `mem` = memory-mapped load/store (TLM generic payload), `sync` = event-unit
 * requests (barrier, wait, mutex), `irq` = single event lines.
 */
export type PortProtocol = 'mem' | 'sync' | 'irq';

/** One declared port (or port array). */
export interface PortSpec {
  readonly name: string;
  readonly role: PortRole;
  readonly protocol: PortProtocol;
  /** Data width in bits. */
  readonly widthBits: number;
  /** Present = an indexed port array `name[0..count-1]`; absent = a single port. */
  readonly count?: number;
  /** Every element must be bound. */
  readonly required: boolean;
  /** A target that converts widths: narrower initiators are accepted (interconnect inputs). */
  readonly acceptsNarrower?: boolean;
  readonly doc: string;
}

/** The role a port of `role` connects to. */
export const PEER_ROLE: Readonly<Record<PortRole, PortRole>> = {
  initiator: 'target', target: 'initiator', 'event-out': 'event-in', 'event-in': 'event-out',
};

/** True for roles that start a connection (the left-hand side of `a.x -> b.y`). */
export const isSourceRole = (r: PortRole): boolean => r === 'initiator' || r === 'event-out';

type PortOpts = { readonly doc: string; readonly widthBits: number; readonly count?: number; readonly required?: boolean };

function make(name: string, role: PortRole, protocol: PortProtocol, o: PortOpts, extra: { acceptsNarrower?: boolean } = {}): PortSpec {
  return {
    name, role, protocol, widthBits: o.widthBits, required: o.required ?? true, doc: o.doc,
    ...(o.count === undefined ? {} : { count: o.count }),
    ...(extra.acceptsNarrower ? { acceptsNarrower: true } : {}),
  };
}

/** Port builders: `port.initiator('data', 'mem', { widthBits: 32, doc })`, ... Ports are required unless `required: false`. */
export const port = {
  initiator: (name: string, protocol: PortProtocol, o: PortOpts): PortSpec => make(name, 'initiator', protocol, o),
  target: (name: string, protocol: PortProtocol, o: PortOpts & { readonly acceptsNarrower?: boolean }): PortSpec =>
    make(name, 'target', protocol, o, o.acceptsNarrower === undefined ? {} : { acceptsNarrower: o.acceptsNarrower }),
  eventOut: (name: string, o: Omit<PortOpts, 'widthBits'>): PortSpec => make(name, 'event-out', 'irq', { ...o, widthBits: 1 }),
  eventIn: (name: string, o: Omit<PortOpts, 'widthBits'>): PortSpec => make(name, 'event-in', 'irq', { ...o, widthBits: 1 }),
};
