/**
 * `createHandler`: an OpenAI-compatible `fetch(request) => Response` over one
 * model. Runs unchanged on `Deno.serve`, Deno Deploy and Cloudflare Workers.
 * The routes are in `routes.ts`; this file composes them with the wrappers
 * every request passes: errors in the OpenAI shape, CORS, method check, API key.
 * @module
 */

import type { TextModel } from "../generate/text_model.ts";
import { UnavailableError } from "../engine/errors.ts";
import { authorize } from "./auth.ts";
import { corsHeaders, type CorsOptions, preflight } from "./cors.ts";
import type { LoadProgress } from "./health.ts";
import { errorResponse, HttpError, internalError } from "./openai/errors.ts";
import { matchRoute, type Route, type RouteContext, routeTable } from "./routes.ts";
import { ModelState } from "./state.ts";
import { BODY_TIMEOUT_MS } from "./body.ts";
import { STREAM_WRITE_TIMEOUT_MS } from "./openai/sse.ts";
import { Metrics } from "./metrics.ts";
import type { FinishedRun } from "./openai/shapes.ts";

/** Options of {@linkcode createHandler}. */
export interface HandlerOptions {
  /** The model, or a promise of it (requests get 503 while it loads). */
  model: TextModel | Promise<TextModel>;
  /** When set, `/v1/*` requires `Authorization: Bearer <apiKey>`. */
  apiKey?: string;
  /** CORS: allowed origins (`"*"` for any). Off when absent. */
  cors?: CorsOptions;
  /** Largest request body in bytes (default 1 MiB). */
  maxBodyBytes?: number;
  /** How long a request body may take to arrive (default 30 s); slower ones get 408. */
  bodyTimeoutMs?: number;
  /**
   * How long a streaming client may go without reading (default 30 s): past
   * that its stream is dropped and its slot freed.
   */
  streamWriteTimeoutMs?: number;
  /** Requests that may wait for a busy model (default 16); more get 503 with Retry-After. */
  maxQueue?: number;
  /** Serve the chat page at `GET /` (default true). */
  chatPage?: boolean;
  /** How long a request may wait for a model that is still loading before it gets 503 (default 0 ms). */
  loadWaitMs?: number;
  /** Loading progress for `/health` while the model loads. */
  loadProgress?: LoadProgress;
  /**
   * Hears one line per finished generation: request id, tokens in (cached)
   * and out, time to first token, decode tok/s, finish reason. Off when absent.
   */
  log?: (line: string) => void;
}

/** The request log's line for a finished generation. */
export function logLine(g: FinishedRun): string {
  const ttft = g.ttft === undefined ? "-" : `${Math.round(g.ttft * 1000)}ms`;
  const rate = g.decodeSeconds > 0 ? ((g.completionTokens - 1) / g.decodeSeconds).toFixed(1) : "-";
  return `${g.id} ${g.stream ? "stream" : "json"} prompt=${g.promptTokens} cached=${g.cachedTokens} ` +
    `completion=${g.completionTokens} ttft=${ttft} decode=${rate}tok/s finish=${g.finish}`;
}

/** What {@linkcode createHandler} returns: `fetch` is an arrow property, so `export default handler` works. */
export interface Handler {
  /** Answers one request. */
  fetch: (request: Request) => Promise<Response>;
}

/** The route's answer, after the method and API-key checks; HEAD gets GET's status and headers. */
async function dispatch(route: Route, ctx: RouteContext, path: string, apiKey?: string): Promise<Response> {
  const method = ctx.req.method === "HEAD" && route.methods.includes("GET") ? "GET" : ctx.req.method;
  if (!route.methods.includes(method)) {
    const allow = route.methods.includes("GET") ? [...route.methods, "HEAD"] : route.methods;
    throw new HttpError(
      405,
      `${ctx.req.method} is not allowed on ${path}; use ${route.methods.join(", ")}.`,
      "invalid_request_error",
      null,
      "method_not_allowed",
      { allow: allow.join(", ") },
    );
  }
  if (route.auth) authorize(ctx.req, apiKey);
  const res = await route.handle(ctx);
  return ctx.req.method === "HEAD" ? new Response(null, { status: res.status, headers: res.headers }) : res;
}

/**
 * Creates the handler.
 *
 * @example Serve a local checkpoint
 * ```ts ignore
 * import { createHandler, loadTextModel } from "../../mod.ts";
 * const handler = createHandler({ model: loadTextModel("tests/fixtures/tiny-falcon-e") });
 * Deno.serve(handler.fetch);
 * ```
 *
 * @param options The model (or its promise), API key, CORS, limits.
 * @returns An object with a `fetch` arrow function.
 */
export function createHandler(options: HandlerOptions): Handler {
  const state = new ModelState(options.model, options.maxQueue ?? 16);
  const table = routeTable(options.chatPage !== false);
  const waitMs = options.loadWaitMs ?? 0;
  const metrics = new Metrics();
  const log = options.log;
  const answer = async (
    req: Request,
    headers: Record<string, string>,
    received: number,
  ): Promise<[string, Response]> => {
    let path = "-";
    try {
      if (req.method === "OPTIONS" && options.cors) return ["OPTIONS", preflight(headers)];
      path = new URL(req.url).pathname.replace(/\/+$/, "") || "/";
      const { route, rest } = matchRoute(table, path);
      if (rest) path = path.slice(0, path.length - rest.length) + "*";
      const ctx: RouteContext = {
        req,
        received,
        rest,
        headers,
        state,
        ready: () => state.ready(waitMs),
        loadProgress: options.loadProgress,
        maxBodyBytes: options.maxBodyBytes ?? 1 << 20,
        bodyTimeoutMs: options.bodyTimeoutMs ?? BODY_TIMEOUT_MS,
        streamWriteTimeoutMs: options.streamWriteTimeoutMs ?? STREAM_WRITE_TIMEOUT_MS,
        metrics,
        ...(log ? { onGeneration: (g: FinishedRun) => log(logLine(g)) } : {}),
      };
      return [path, await dispatch(route, ctx, path, options.apiKey)];
    } catch (e) {
      if (e instanceof UnavailableError) {
        const r = errorResponse(
          new HttpError(503, e.message, "server_error", null, "model_unavailable", { "retry-after": "1" }),
        );
        for (const [k, v] of Object.entries(headers)) r.headers.set(k, v);
        return [path, r];
      }
      if (!(e instanceof HttpError)) return [path, internalError(e)];
      const r = errorResponse(e);
      for (const [k, v] of Object.entries(headers)) r.headers.set(k, v);
      return [e.status === 404 ? "unknown" : path, r];
    }
  };
  const fetch = async (req: Request): Promise<Response> => {
    const [route, res] = await answer(req, corsHeaders(req, options.cors), performance.now());
    metrics.request(route, res.status);
    return res;
  };
  return { fetch };
}
