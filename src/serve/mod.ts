/**
 * Serving: `createHandler`, an OpenAI-compatible `fetch(request) =>
 * Response` over one model (chat page, `/health`, `/v1/models`,
 * `/v1/chat/completions`, `/v1/completions`), and the configuration every
 * entry point reads (`configFromEnv`).
 *
 * @example Serve a local checkpoint
 * ```ts ignore
 * import { createHandler } from "./mod.ts";
 * import { loadTextModel } from "../generate/mod.ts";
 * Deno.serve(createHandler({ model: loadTextModel("tests/fixtures/tiny-falcon-e") }).fetch);
 * ```
 * @module
 */

export { createHandler, type Handler, type HandlerOptions } from "./handler.ts";
export type { CorsOptions } from "./cors.ts";
export type { LoadProgress } from "./health.ts";
export {
  type ConfigDefaults,
  configFromEnv,
  type ConfiguredOptions,
  ConfigVarError,
  createConfiguredHandler,
  DEFAULT_MODEL,
  handlerFromEnv,
  isLocalPath,
  loadConfigured,
  type ModelLocation,
  type ServeConfig,
} from "./config.ts";
