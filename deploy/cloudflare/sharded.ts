/**
 * Cloudflare Worker entry of the sharded mode: the model as a pipeline of
 * shards, each a Durable Object (`ShardObject`) small enough for a 128 MB
 * isolate, driven by the Worker (tokenizer, chat template, sampler, the
 * OpenAI handler and the coordinator). One bundle, three roles, by binding:
 * - SHARDS (a Durable Object namespace) + SHARD_PLAN: the Worker; shard i is
 *   the instance named in the plan (`wrangler.sharded.toml`, written by
 *   `deno task plan --wrangler`);
 * - SHARD_0..SHARD_n (service bindings) + SHARD_PLAN: the Worker, shards in
 *   other processes (`deno task workerd --sharded`);
 * - SHARD_SELF: a shard host that hands every request to its Durable Object.
 * Weights from MODEL_BUCKET (R2) + MODEL_PREFIX or MODEL_URL; each shard
 * reads only its part's byte ranges. Settings besides the usual ones:
 * SHARD_TIMEOUT_MS (a call, default 60 s), SHARD_LOAD_TIMEOUT_MS (a call that
 * waits for a shard's load, default the larger of 120 s and the call's),
 * SHARD_CANDIDATES (likely next tokens per lm_head slice, default 4; 0 off),
 * SHARD_SESSIONS (slots per shard, from the plan). TERNARY_TILES reaches the
 * layer shards (a Worker's clock does not run while it computes, so `auto`
 * goes by a probe of the dot-add there: mixed where it is one fused
 * instruction, dot16 elsewhere). Built by `deno task build:cloudflare`.
 * @module
 */

// @ts-ignore: Workers module imports, resolved next to dist/sharded.js
import plainKernels from "./falcon_e.wasm";
// @ts-ignore: as above
import relaxedKernels from "./falcon_e_relaxed.wasm";
// @ts-ignore: as above (the grammar library of structured output)
import grammarWasm from "./xgrammar.wasm";
import { useGrammarWasm } from "../../src/text/grammar/xgrammar.ts";
import { relaxedSimdSupported } from "../../src/engine/kernels.ts";
import { configFromEnv, configuredSource } from "../../src/serve/config.ts";
import { createHandler, type Handler } from "../../src/serve/handler.ts";
import { loadShard } from "../../src/shard/load_shard.ts";
import { fetchLink, shardHandler, type ShardLink } from "../../src/shard/transport.ts";
import { pipelineTextModel } from "../../src/shard/text_model.ts";
import type { Shard } from "../../src/shard/shard.ts";
import type { ModelPart } from "../../src/shard/part.ts";

const kernels = (relaxedSimdSupported() ? relaxedKernels : plainKernels) as WebAssembly.Module;
useGrammarWasm(grammarWasm as WebAssembly.Module);

type Env = Record<string, unknown>;
interface Fetcher {
  fetch(input: string, init: RequestInit): Promise<Response>;
}
interface Namespace {
  idFromName(name: string): unknown;
  get(id: unknown): Fetcher;
}

/** The header carrying a shard's part on every call (a Durable Object does not know its own name). */
const PART_HEADER = "x-shard-part";
/** A whole-number setting, or `d` when unset. @throws {RangeError} naming it when it is not a whole number >= 0. */
const int = (env: Env, k: string, d: number) => {
  if (env[k] === undefined || env[k] === "") return d;
  const v = Number(env[k]);
  if (!Number.isSafeInteger(v) || v < 0) {
    throw new RangeError(`${k} must be a whole number >= 0, got ${JSON.stringify(env[k])}`);
  }
  return v;
};

/** How long after a failed load a shard answers 503 at once instead of loading again. */
const RELOAD_AFTER_MS = 1000;

/** A Durable Object's state, as far as a shard uses it. */
interface ObjectState {
  blockConcurrencyWhile<T>(f: () => Promise<T>): Promise<T>;
}

/**
 * One shard of the plan: loads its part on the first call, inside
 * `blockConcurrencyWhile` (so calls that arrive meanwhile wait at the
 * object's input gate instead of on another request's I/O, which Workers
 * cancel as hung), then answers calls. A load that fails answers 503 with
 * why (so do calls in the next second), and the next call after that tries
 * again. An evicted or restarted object starts empty; the coordinator
 * notices and feeds the lost sessions again.
 */
export class ShardObject {
  #shard?: Shard;
  #handle?: (request: Request) => Promise<Response>;
  #part?: string;
  #failed?: string;
  #failedAt = -Infinity;
  constructor(readonly state: ObjectState, readonly env: Env) {}

  async fetch(request: Request): Promise<Response> {
    const part = request.headers.get(PART_HEADER);
    if (!part) return new Response(`shard calls carry their part in ${PART_HEADER}\n`, { status: 400 });
    if (this.#part === undefined) {
      // calls queued behind a failed load do not each load again
      if (Date.now() - this.#failedAt < RELOAD_AFTER_MS) return this.#loadFailed();
      this.#part = part;
      await this.state.blockConcurrencyWhile(() => this.#load(part));
    } else if (part !== this.#part) {
      return new Response(`this shard holds ${this.#part}, not ${part}\n`, { status: 409 });
    }
    if (!this.#shard) {
      if (this.#part === part) this.#part = undefined; // a call from 1 s on loads again (a network error may pass)
      return this.#loadFailed();
    }
    this.#handle ??= shardHandler(this.#shard); // one handler: its buffers are reused across calls
    return await this.#handle(request);
  }

  #loadFailed(): Response {
    return new Response(`the shard failed to load: ${this.#failed}\n`, { status: 503 });
  }

  async #load(part: string): Promise<void> {
    const t0 = Date.now();
    try {
      const cfg = configFromEnv((k) => this.env[k], { kvCache: "f16" });
      this.#shard = await loadShard(configuredSource(cfg), {
        part: JSON.parse(part) as ModelPart,
        kernels,
        threads: 1,
        maxSessions: int(this.env, "SHARD_SESSIONS", 4),
        contextLength: cfg.load.contextLength ?? 2048,
        kvCache: cfg.load.kvCache ?? "f16",
        ...(cfg.load.lmHead ? { lmHead: cfg.load.lmHead } : {}),
        ...(cfg.load.ternaryTiles ? { ternaryTiles: cfg.load.ternaryTiles } : {}),
      });
      const { holds, tiles } = this.#shard.info();
      const how = tiles ? `, tiles ${tiles.decode}/${tiles.prefill} (${tiles.chosen})` : "";
      console.log(`shard ${holds}: loaded in ${Date.now() - t0} ms (instance ${this.#shard.instance})${how}`);
    } catch (e) {
      this.#failed = (e as Error).message;
      this.#failedAt = Date.now();
      console.error(`shard ${part}: ${this.#failed}`);
    }
  }
}

/** Links to the plan's shards: Durable Object stubs, or service bindings SHARD_i. */
function shardLinks(env: Env): ShardLink[] {
  const plan = JSON.parse(String(env.SHARD_PLAN)) as { name: string; part: ModelPart }[];
  const timeoutMs = int(env, "SHARD_TIMEOUT_MS", 60_000);
  const loadTimeoutMs = int(env, "SHARD_LOAD_TIMEOUT_MS", Math.max(timeoutMs, 120_000));
  const ns = env.SHARDS as Namespace | undefined;
  return plan.map(({ name, part }, i) => {
    // A Durable Object stub belongs to the request that made it (another request's calls on it throw), so each call
    // gets its own (5.5 us: bench/workerd_call_cost.ts); a service binding is the isolate's.
    const binding = env[`SHARD_${i}`] as Fetcher | undefined;
    if (!ns && !binding) throw new Error(`no SHARDS namespace and no SHARD_${i} binding for ${name}`);
    const target = (): Fetcher => ns ? ns.get(ns.idFromName(name)) : binding!;
    const headers = { [PART_HEADER]: JSON.stringify(part), "content-type": "application/octet-stream" };
    return fetchLink(
      (body, signal) => target().fetch("http://shard/", { method: "POST", body, headers, signal }),
      name,
      timeoutMs,
      loadTimeoutMs,
    );
  });
}

let handler: Handler | undefined; // one coordinator per isolate
let failedAt = 0; // when its shards could not be reached: a request 5 s later tries again

export default {
  fetch(request: Request, env: Env, ctx: { waitUntil(p: Promise<unknown>): void }) {
    if (env.SHARD_SELF) { // a shard host: every request goes to its Durable Object
      const ns = env.SHARDS as Namespace;
      return (ns.get(ns.idFromName(String(env.SHARD_SELF))) as unknown as { fetch(r: Request): Promise<Response> })
        .fetch(request);
    }
    if (!handler || (failedAt && Date.now() - failedAt >= 5_000)) {
      failedAt = 0;
      let model;
      try {
        const cfg = configFromEnv((k) => env[k], { kvCache: "f16" });
        model = pipelineTextModel(configuredSource(cfg), shardLinks(env), cfg.id, int(env, "SHARD_CANDIDATES", 4));
        handler = createHandler({
          model,
          ...(cfg.apiKey ? { apiKey: cfg.apiKey } : {}),
          loadWaitMs: 10_000,
          log: (line) => console.log(line),
        });
      } catch (e) {
        model = Promise.reject(e);
        handler = createHandler({ model });
      }
      const t0 = Date.now();
      ctx.waitUntil(model.then(
        (tm) => console.log(`sharded model: ${tm.model.info().threads.reason}, connected in ${Date.now() - t0} ms`),
        (e) => {
          failedAt = Date.now();
          console.error(`sharded model: ${(e as Error).message} (the next request after 5 s tries again)`);
        },
      ));
    }
    return handler.fetch(request);
  },
};
