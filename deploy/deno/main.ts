/**
 * Deno Deploy / `deno serve` entry: `deno serve -A deploy/deno/main.ts`.
 *
 * Environment:
 *   MODEL_URL   a URL base holding config.json, model.safetensors, tokenizer.json,
 *               tokenizer_config.json, or a Hugging Face repo id (owner/name), or
 *               a local directory; default tiiuae/Falcon-E-1B-Instruct
 *   HF_ENDPOINT the hub for repo ids (default https://huggingface.co)
 *   API_KEY     when set, /v1/* needs `Authorization: Bearer <API_KEY>`
 *   CONTEXT     positions per request (default 2048)
 *   KV_CACHE    f16 (default here: half the KV memory) or f32 (transformers-exact)
 *   LM_HEAD     bf16 (default: as shipped, exact) or int8 (9-16% faster decoding, logits approximate)
 *
 * The model loads once per isolate, behind one shared promise; requests that
 * come while it loads wait up to 10 s, then get 503 with Retry-After, and
 * /health shows the loading progress.
 * @module
 */

import { createHandler } from "../../src/serve/handler.ts";
import { hubUrlBase, isRepoId } from "../../src/load/source/hub.ts";
import { loadTextModel } from "../../src/generate/text_model.ts";

const spec = Deno.env.get("MODEL_URL") ?? "tiiuae/Falcon-E-1B-Instruct";
const local = await Deno.stat(spec).then(() => true, () => false);
const location = !local && isRepoId(spec) ? hubUrlBase(spec) : spec;
const progress = { loaded: 0, total: undefined as number | undefined };

const model = loadTextModel(location, {
  id: isRepoId(spec) ? spec : undefined,
  contextLength: Number(Deno.env.get("CONTEXT") ?? 2048),
  // passed as given: a misspelled value fails the load with the option's name, as CONTEXT does
  kvCache: (Deno.env.get("KV_CACHE") ?? "f16") as "f16" | "f32",
  lmHead: (Deno.env.get("LM_HEAD") ?? "bf16") as "bf16" | "int8",
  onProgress: (loaded, total) => Object.assign(progress, { loaded, total }),
});

export default createHandler({
  model,
  apiKey: Deno.env.get("API_KEY"),
  loadWaitMs: 10_000,
  loadProgress: () => progress,
});
