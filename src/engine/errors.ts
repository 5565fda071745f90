/**
 * The engine's error.
 * @module
 */

/** An error the engine reports for a call it cannot run (full context, bad ids...). */
export class EngineError extends Error {
  /** Always `"EngineError"`. */
  override name = "EngineError";
}

/**
 * The model cannot answer now, though the request was fine: part of it (a
 * shard of a pipeline) did not answer, had no room, or lost its state. A
 * server answers 503 with `Retry-After` and this message.
 */
export class UnavailableError extends EngineError {
  /** Always `"UnavailableError"` (subclasses name themselves). */
  override name: string = "UnavailableError";
}
