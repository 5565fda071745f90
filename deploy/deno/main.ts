/**
 * Deno Deploy / `deno serve` entry: `deno serve -A deploy/deno/main.ts`.
 * Configured by environment variables (MODEL_URL, API_KEY, CONTEXT, KV_CACHE,
 * LM_HEAD, HF_ENDPOINT, MODEL_ID: see src/serve/config.ts); the KV cache
 * defaults to f16 here. The model loads once per isolate; requests that come
 * while it loads wait up to 10 s, then get 503, and /health shows the progress.
 * @module
 */

import { handlerFromEnv } from "../../src/serve/config.ts";

export default handlerFromEnv((name) => Deno.env.get(name), { kvCache: "f16" }, { loadWaitMs: 10_000 }).handler;
