/**
 * A campaign worker thread (piscina): prepares the scenario once per thread, then runs the
 * items it is given. Results do not depend on which worker runs an item (every draw comes from
 * the item's own seeded streams, the fault-free reference is deterministic).
 */
import { CampaignRunner, type CampaignItem, type ItemResult } from '../campaign/index.js';
import { SimError, formatDiagnostics } from '../util/index.js';
import { prepareCampaign } from './campaign-command.js';

const runners = new Map<string, CampaignRunner>();

/** Runs one item of the scenario in `file` (an absolute path), at sweep point `point` when it sweeps. */
export default function runItem(task: { readonly file: string; readonly point: readonly number[] | undefined; readonly item: CampaignItem }): ItemResult {
  const key = `${task.file}\u0000${JSON.stringify(task.point ?? null)}`;
  let r = runners.get(key);
  if (r === undefined) {
    const p = prepareCampaign(task.file, task.point);
    if (p.value === undefined) throw new SimError('campaign-worker', `worker could not prepare ${task.file}:\n${formatDiagnostics(p.diagnostics)}`);
    r = new CampaignRunner(p.value.ctx);
    runners.set(key, r);
  }
  return r.run(task.item);
}
