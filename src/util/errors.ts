/**
 * The one error type the simulator throws for model and usage errors at run time.
 *
 * `code` is a stable kebab-case identifier that tests and tools can match on (`delta-limit`,
 * `port-unbound`, `wait-outside-thread`, ...); the message is for people and names the process
 * or port path and the simulated time where they are known. Configuration files do not throw
 * these one by one: their loaders collect `Diagnostic`s instead (platform layer).
 */
export class SimError extends Error {
  /** Stable machine-readable code, e.g. `delta-limit`. */
  readonly code: string;
  /** Instance path of the process, port or channel involved, when known. */
  readonly path: string | undefined;
  /** Simulated time in picoseconds when the error was raised, when known. */
  readonly time: number | undefined;

  constructor(code: string, message: string, where?: { path?: string; time?: number; cause?: unknown }) {
    super(message, where?.cause === undefined ? undefined : { cause: where.cause });
    this.name = 'SimError';
    this.code = code;
    this.path = where?.path;
    this.time = where?.time;
  }
}

/** Type guard for {@link SimError}. */
export function isSimError(e: unknown): e is SimError {
  return e instanceof SimError;
}
