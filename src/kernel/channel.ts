import type { Simulation } from './simulation.js';

/**
 * A primitive channel: state written in the evaluation phase and committed in the update
 * phase (SystemC `sc_prim_channel`). Subclasses call {@link PrimitiveChannel.requestUpdate}
 * when they have something to commit and implement {@link PrimitiveChannel.update}.
 */
export abstract class PrimitiveChannel {
  readonly sim: Simulation;
  /** Instance path. */
  readonly path: string;
  /** @internal Already in the update list this delta. */
  updateRequested = false;

  constructor(sim: Simulation, path: string) {
    this.sim = sim;
    this.path = path;
    sim.registerName(path, this);
  }

  /** Asks the kernel to call {@link update} in the next update phase (once per delta). */
  requestUpdate(): void {
    if (!this.updateRequested) {
      this.updateRequested = true;
      this.sim.queueUpdate(this);
    }
  }

  /** Commits the state written in the evaluation phase. Called by the kernel only. */
  abstract update(): void;

  toString(): string {
    return this.path;
  }
}
