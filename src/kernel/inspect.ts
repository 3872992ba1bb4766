import type { Time } from '../util/index.js';
import type { Process } from './process.js';

/**
 * What the kernel reports to an inspector (tracing, profiling, debugging). A discriminated
 * union so that sinks can match exhaustively.
 *
 * Cost: with no inspector attached each report point is one `!== null` branch; objects are
 * built only when an inspector is attached.
 */
export type SimInspection =
  | { readonly type: 'process-run'; readonly process: Process; readonly time: Time; readonly delta: number }
  | { readonly type: 'delta-end'; readonly time: Time; readonly delta: number }
  | { readonly type: 'time-advance'; readonly from: Time; readonly to: Time }
  | { readonly type: 'channel-update'; readonly channel: string; readonly time: Time; readonly delta: number };

/** Receives {@link SimInspection} reports. */
export interface Inspector {
  inspect(report: SimInspection): void;
}
