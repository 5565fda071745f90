/**
 * Cloudflare Worker entry. The kernels are imported as a compiled
 * WebAssembly.Module (Workers refuse to compile wasm from bytes); the model is
 * read from an R2 bucket binding (MODEL_BUCKET + MODEL_PREFIX) or a MODEL_URL
 * var (a URL base or a Hugging Face repo id), once per isolate.
 *
 * Built by `deno task build:cloudflare` into dist/worker.js + dist/falcon_e.wasm.
 * @module
 */

// @ts-ignore: Workers module imports, resolved next to dist/worker.js
import plainKernels from "./falcon_e.wasm";
// @ts-ignore: as above
import relaxedKernels from "./falcon_e_relaxed.wasm";
import { createHandler, type Handler } from "../../src/serve/handler.ts";
import { hubUrlBase, isRepoId } from "../../src/load/source/hub.ts";
import { type ModelSource, type R2BucketLike, R2Source, UrlSource } from "../../src/load/source/source.ts";
import { loadTextModelFrom, type TextModel } from "../../src/generate/text_model.ts";
import { relaxedSimdSupported } from "../../src/engine/kernels.ts";

/** The relaxed-SIMD build where the runtime has it (workerd does), else plain SIMD128. */
const kernels = (relaxedSimdSupported() ? relaxedKernels : plainKernels) as WebAssembly.Module;

/** Bindings and vars (wrangler.toml). */
export interface Env {
  /** R2 bucket holding the checkpoint files under MODEL_PREFIX. */
  MODEL_BUCKET?: R2BucketLike;
  /** Key prefix inside MODEL_BUCKET, e.g. "Falcon-E-1B-Instruct/". */
  MODEL_PREFIX?: string;
  /** A URL base or a Hugging Face repo id, when no bucket is bound. */
  MODEL_URL?: string;
  /** Hub for repo ids. */
  HF_ENDPOINT?: string;
  /** When set, /v1/* needs this bearer token. */
  API_KEY?: string;
  /** Positions per request (default 2048). */
  CONTEXT?: string;
  /** KV cache precision: "f16" (default here, half the memory) or "f32". */
  KV_CACHE?: string;
  /** lm_head weights: "bf16" (default, as shipped) or "int8" (faster decoding, logits approximate). */
  LM_HEAD?: string;
}

/** What Workers pass as the third argument of fetch. */
interface Ctx {
  waitUntil(p: Promise<unknown>): void;
}

let handler: Handler | undefined; // one model per isolate
const progress = { loaded: 0, total: undefined as number | undefined };

function source(env: Env): { src: ModelSource; id: string } {
  if (env.MODEL_BUCKET) {
    return {
      src: new R2Source(env.MODEL_BUCKET, env.MODEL_PREFIX ?? ""),
      id: (env.MODEL_PREFIX ?? "model").replace(/\/+$/, ""),
    };
  }
  const spec = env.MODEL_URL;
  if (!spec) {
    throw new Error("set MODEL_BUCKET (R2) or MODEL_URL in wrangler.toml");
  }
  if (isRepoId(spec)) {
    return { src: new UrlSource(hubUrlBase(spec, env.HF_ENDPOINT)), id: spec };
  }
  return {
    src: new UrlSource(new URL(spec)),
    id: spec.replace(/\/+$/, "").split("/").pop() || "falcon-e",
  };
}

export default {
  fetch(request: Request, env: Env, ctx: Ctx): Promise<Response> {
    if (!handler) {
      let model: Promise<TextModel>;
      try {
        const { src, id } = source(env);
        model = loadTextModelFrom(src, {
          id,
          kernels,
          contextLength: Number(env.CONTEXT ?? 2048),
          // passed as given: a misspelled value fails the load with the option's name, as CONTEXT does
          kvCache: (env.KV_CACHE ?? "f16") as "f16" | "f32",
          lmHead: (env.LM_HEAD ?? "bf16") as "bf16" | "int8",
          onProgress: (loaded, total) => Object.assign(progress, { loaded, total }),
        });
      } catch (e) {
        model = Promise.reject(e);
      }
      // The first request's context carries the load's I/O until it is done.
      ctx.waitUntil(model.catch(() => {}));
      handler = createHandler({
        model,
        apiKey: env.API_KEY,
        loadWaitMs: 10_000,
        loadProgress: () => progress,
      });
    }
    return handler.fetch(request);
  },
};
