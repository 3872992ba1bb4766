/** Port bundles: how a platform port (mem or event) becomes Verilog signals. */
import type { PortSpec } from '../spec/index.js';
import { ADDR_W } from './scratchpad.js';

/** One signal of a port element, seen from the port's owner. */
export interface BundleSignal {
  /** Suffix: req, we, be, addr, wdata, gnt, rvalid, rdata, or '' for an event. */
  readonly sig: string;
  readonly width: number;
  /** Driven by the port's owner. */
  readonly out: boolean;
  /** Data-width dependent (zero-extended / truncated between different widths). */
  readonly data: boolean;
}

/**
 * The signals of one element of `p`. Every transaction port (mem, and the cores' sync
 * requests to the event unit) uses the same request/grant bundle. An initiator drives req, we, be, addr, wdata and
 * receives gnt, rvalid, rdata (the scratchpad protocol: grant in the request cycle, response
 * one cycle after the grant); a mem target the reverse; an event port one bit.
 */
export function bundleSignals(p: PortSpec): BundleSignal[] {
  if (p.role === 'event-out' || p.role === 'event-in') return [{ sig: '', width: 1, out: p.role === 'event-out', data: false }];
  const ini = p.role === 'initiator';
  const w = p.widthBits;
  return [
    { sig: 'req', width: 1, out: ini, data: false },
    { sig: 'we', width: 1, out: ini, data: false },
    { sig: 'be', width: Math.max(1, w / 8), out: ini, data: true },
    { sig: 'addr', width: ADDR_W, out: ini, data: false },
    { sig: 'wdata', width: w, out: ini, data: true },
    { sig: 'gnt', width: 1, out: !ini, data: false },
    { sig: 'rvalid', width: 1, out: !ini, data: false },
    { sig: 'rdata', width: w, out: !ini, data: true },
  ];
}

/** Verilog port name of a signal of port `p` on the owner's module: `<port>_<sig>_i|o`. */
export const modulePortName = (p: PortSpec, s: BundleSignal): string => `${p.name}${s.sig === '' ? '' : `_${s.sig}`}_${s.out ? 'o' : 'i'}`;

/** Elements of a port: `count` or 1. */
export const elements = (p: PortSpec): number => p.count ?? 1;
