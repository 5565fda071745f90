/**
 * Cloudflare Worker entry. The kernels and the grammar library are imported
 * as compiled modules (Workers refuse to compile wasm from bytes); the configuration is the
 * Worker's bindings and vars, read like every entry's (src/serve/config.ts):
 * MODEL_BUCKET (an R2 binding) + MODEL_PREFIX, or MODEL_URL; API_KEY,
 * CONTEXT, KV_CACHE (f16 by default here), LM_HEAD, HF_ENDPOINT, MODEL_ID.
 * Built by `deno task build:cloudflare` into dist/.
 * @module
 */

// @ts-ignore: Workers module imports, resolved next to dist/worker.js
import plainKernels from "./falcon_e.wasm";
// @ts-ignore: as above
import relaxedKernels from "./falcon_e_relaxed.wasm";
// @ts-ignore: as above (the grammar library of structured output)
import grammarWasm from "./xgrammar.wasm";
import { useGrammarWasm } from "../../src/text/grammar/xgrammar.ts";
import { relaxedSimdSupported } from "../../src/engine/kernels.ts";
import { handlerFromEnv } from "../../src/serve/config.ts";
import type { Handler } from "../../src/serve/handler.ts";

const kernels = (relaxedSimdSupported() ? relaxedKernels : plainKernels) as WebAssembly.Module;
useGrammarWasm(grammarWasm as WebAssembly.Module);
let handler: Handler | undefined; // one model per isolate

export default {
  fetch(request: Request, env: Record<string, unknown>, ctx: { waitUntil(p: Promise<unknown>): void }) {
    if (!handler) {
      const served = handlerFromEnv((k) => env[k], { kvCache: "f16" }, { loadWaitMs: 10_000, load: { kernels } });
      ctx.waitUntil(served.model.catch(() => {})); // the first request carries the load's I/O
      handler = served.handler;
    }
    return handler.fetch(request);
  },
};
