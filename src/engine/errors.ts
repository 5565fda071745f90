/**
 * The engine's error.
 * @module
 */

/** An error the engine reports for a call it cannot run (full context, bad ids...). */
export class EngineError extends Error {
  /** Always `"EngineError"`. */
  override name = "EngineError";
}
