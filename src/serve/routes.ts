/**
 * The route table: each path with its methods, whether it needs the API key,
 * and what answers it.
 *
 *   GET  /                      chat page (GET /favicon.svg, /assets/*: its icon and scripts)
 *   GET  /health                model id, state, memory, queue
 *   GET  /metrics               Prometheus text: requests, tokens, prefill/decode time, TTFT, queue
 *   GET  /props                 model, context, slots, chat template, kernels (like llama-server's)
 *   GET  /v1/models             the model
 *   GET  /v1/models/{id}        the model, by id
 *   POST /v1/chat/completions   chat (JSON or SSE)
 *   POST /v1/completions        plain completion (JSON or SSE)
 *   POST /tokenize, /detokenize llama-server's shapes
 * @module
 */

import type { Scheduler } from "../generate/scheduler.ts";
import type { TextModel } from "../generate/text_model.ts";
import { assetResponse, ASSETS } from "./assets.ts";
import { readJsonBody } from "./body.ts";
import { health, type LoadProgress } from "./health.ts";
import type { Metrics } from "./metrics.ts";
import { chatCompletions } from "./openai/chat_completions.ts";
import { completions } from "./openai/completions.ts";
import { HttpError, json } from "./openai/errors.ts";
import { getModel, listModels } from "./openai/models.ts";
import type { EndpointRequest, FinishedRun } from "./openai/shapes.ts";
import { detokenize, tokenize } from "./openai/tokens.ts";
import { CHAT_PAGE } from "./page.ts";
import type { ModelState } from "./state.ts";

/** What a route's handler gets. */
export interface RouteContext {
  /** The request. */
  req: Request;
  /** When it arrived (performance.now() ms). */
  received: number;
  /** The path after the route's prefix (`/v1/models/{id}`), else "". */
  rest: string;
  /** Headers every response carries (CORS). */
  headers: Record<string, string>;
  /** The served model's state. */
  state: ModelState;
  /** The ready model (waited for, bounded), or a 503. */
  ready(): Promise<{ tm: TextModel; scheduler: Scheduler }>;
  /** Loading progress for `/health`. */
  loadProgress?: LoadProgress;
  /** Largest request body in bytes. */
  maxBodyBytes: number;
  /** How long a body may take to arrive. */
  bodyTimeoutMs: number;
  /** How long a streaming client may go without reading. */
  streamWriteTimeoutMs: number;
  /** The handler's counters. */
  metrics: Metrics;
  /** Hears each finished generation (the request log). */
  onGeneration?: (g: FinishedRun) => void;
}

/** One route. */
export interface Route {
  /** Allowed methods (HEAD is answered wherever GET is). */
  methods: string[];
  /** Whether the API key is required. */
  auth: boolean;
  /** Answers the request. */
  handle(ctx: RouteContext): Promise<Response> | Response;
}

const page = (ctx: RouteContext) =>
  new Response(CHAT_PAGE, { headers: { "content-type": "text/html; charset=utf-8", ...ctx.headers } });

/** A POST route whose JSON body goes to `run` with the ready model and the runner's hooks. */
function completionRoute(run: (e: EndpointRequest) => Promise<Response>): Route {
  return {
    methods: ["POST"],
    auth: true,
    async handle(ctx) {
      const { tm, scheduler } = await ctx.ready();
      const body = await readJsonBody(ctx.req, ctx.maxBodyBytes, ctx.bodyTimeoutMs);
      return await run({
        writeTimeoutMs: ctx.streamWriteTimeoutMs,
        tm,
        scheduler,
        request: ctx.req,
        body,
        headers: ctx.headers,
        received: ctx.received,
        observe: (g) => (ctx.metrics.generation(g), ctx.onGeneration?.(g)),
      });
    },
  };
}

/** A POST route answering from the text model alone (no slot needed). */
function textRoute(
  answer: (tm: TextModel, body: Record<string, unknown>, headers: Record<string, string>) => Response,
): Route {
  return {
    methods: ["POST"],
    auth: true,
    async handle(ctx) {
      const { tm } = await ctx.ready();
      return answer(tm, await readJsonBody(ctx.req, ctx.maxBodyBytes, ctx.bodyTimeoutMs), ctx.headers);
    },
  };
}

/** `/props`: what a client may want to know before it asks (llama-server has the same route). */
async function props(ctx: RouteContext): Promise<Response> {
  const { tm, scheduler } = await ctx.ready();
  const info = tm.model.info();
  return json(
    {
      model: tm.id,
      model_path: tm.model.location,
      total_slots: scheduler.stats().slots,
      default_generation_settings: { n_ctx: tm.model.contextLength, max_tokens: tm.model.contextLength },
      chat_template: tm.chatTemplate?.source ?? null,
      bos_token: tm.tokenizer.bos?.token ?? null,
      eos_token: tm.tokenizer.eos?.token ?? null,
      vocab_size: tm.model.config.vocabSize,
      kernels: info.kernels,
      threads: info.threads,
      lm_head: info.lmHead,
      kv_cache: info.kvCache,
    },
    200,
    ctx.headers,
  );
}

/** `/metrics`: the counters, with the queue as it is now. */
function metrics(ctx: RouteContext): Response {
  const s = ctx.state.status;
  return new Response(ctx.metrics.render(s.kind === "ready" ? s.scheduler.stats() : undefined), {
    headers: { "content-type": "text/plain; version=0.0.4; charset=utf-8", ...ctx.headers },
  });
}

/** The routes by exact path; `/v1/models/` and `/assets/` are prefix routes. */
export function routeTable(chatPage: boolean): { exact: Record<string, Route>; prefix: Record<string, Route> } {
  const exact: Record<string, Route> = {
    "/health": { methods: ["GET"], auth: false, handle: (ctx) => health(ctx.state, ctx.loadProgress) },
    "/metrics": { methods: ["GET"], auth: true, handle: metrics },
    "/props": { methods: ["GET"], auth: true, handle: props },
    "/v1/models": {
      methods: ["GET"],
      auth: true,
      handle: async (ctx) => listModels((await ctx.ready()).tm.id, ctx.headers),
    },
    "/v1/chat/completions": completionRoute(chatCompletions),
    "/v1/completions": completionRoute(completions),
    "/tokenize": textRoute(tokenize),
    "/detokenize": textRoute(detokenize),
  };
  const prefix: Record<string, Route> = {
    "/v1/models/": {
      methods: ["GET"],
      auth: true,
      handle: (ctx) => {
        const s = ctx.state.status;
        return getModel(ctx.rest, s.kind === "ready" ? s.tm.id : undefined, ctx.headers);
      },
    },
  };
  if (chatPage) {
    exact["/"] = { methods: ["GET"], auth: false, handle: page };
    exact["/favicon.ico"] = {
      methods: ["GET"],
      auth: false,
      handle: (ctx) => assetResponse("favicon.svg", ctx.headers),
    };
    prefix["/assets/"] = { methods: ["GET"], auth: false, handle: (ctx) => assetResponse(ctx.rest, ctx.headers) };
  }
  return { exact, prefix };
}

/** The route for `path` and the rest after a prefix route's prefix. */
export function matchRoute(
  table: ReturnType<typeof routeTable>,
  path: string,
): { route: Route; rest: string } {
  const route = table.exact[path];
  if (route) return { route, rest: "" };
  for (const [p, r] of Object.entries(table.prefix)) {
    if (path.startsWith(p) && path.length > p.length) return { route: r, rest: path.slice(p.length) };
  }
  const shown = path.length > 200 ? `${path.slice(0, 200)}...` : path;
  throw new HttpError(404, `Unknown path ${shown}.`, "invalid_request_error", null, "not_found");
}

export { ASSETS };
