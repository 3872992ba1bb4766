/**
 * A sweep worker thread (piscina): prepares the sweep file once per thread, then evaluates the
 * points it is given. A point's result depends only on the point (its platform, model, mapping,
 * precision and the seeded noise streams of its inferences), not on the worker.
 */
import type { PointResult } from '../dse/index.js';
import { SimError } from '../util/index.js';
import { contextFor, evaluatePoint, preparePoint, restricted } from './sweep-eval.js';

/** Evaluates point `index` of the sweep in `file` (an absolute path); `path` restricts the evaluation to one path (`bench sweep`). */
export default function evaluate(task: { readonly file: string; readonly index: number; readonly path?: 'analytic' | 'simulate'; readonly inferences?: number }): PointResult {
  const full = contextFor(task.file);
  const ctx = task.path === undefined ? full : restricted(full, task.path, task.inferences);
  const point = ctx.points[task.index];
  if (point === undefined) throw new SimError('sweep-worker', `${task.file} has no point ${task.index}`);
  return evaluatePoint(ctx, preparePoint(ctx, point));
}
