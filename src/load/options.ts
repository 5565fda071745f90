/**
 * Options of `loadModel` and `loadImageFrom`.
 * @module
 */

import type { EngineOptions } from "../engine/create.ts";
import { ENGINE_OPTIONS } from "../engine/options.ts";

/** The option names of {@linkcode LoadOptions}. */
export const LOAD_OPTIONS: readonly string[] = [...ENGINE_OPTIONS, "fetch", "sha256", "onProgress"];

/** Options of {@linkcode loadModel}: the engine's layout plus where and how the bytes are read. */
export interface LoadOptions extends EngineOptions {
  /** `fetch` to use for URL sources. */
  fetch?: typeof fetch;
  /** Expected sha256 (hex) per file, e.g. `{ "model.safetensors": "ab12..." }`; checked while streaming. */
  sha256?: Record<string, string>;
  /** Called as weight bytes arrive: (bytes so far, total bytes or undefined). */
  onProgress?: (loaded: number, total: number | undefined) => void;
}
