/**
 * `createHandler`: an OpenAI-compatible `fetch(request) => Response` over one
 * model. Runs unchanged on `Deno.serve`, Deno Deploy and Cloudflare Workers.
 *
 *   GET  /                      chat page
 *   GET  /health                model id, state, memory, queue
 *   GET  /v1/models             the model
 *   POST /v1/chat/completions   chat (JSON or SSE)
 *   POST /v1/completions        plain completion (JSON or SSE)
 * @module
 */

import { readJsonBody } from "./body.ts";
import { chatCompletions } from "./openai/chat_completions.ts";
import { completions } from "./openai/completions.ts";
import { errorResponse, HttpError, internalError, json } from "./openai/errors.ts";
import { CHAT_PAGE } from "./page.ts";
import { Scheduler } from "../generate/scheduler.ts";
import type { TextModel } from "../generate/text_model.ts";

/** Options of {@linkcode createHandler}. */
export interface HandlerOptions {
  /** The model, or a promise of it (requests get 503 while it loads). */
  model: TextModel | Promise<TextModel>;
  /** When set, `/v1/*` requires `Authorization: Bearer <apiKey>`. */
  apiKey?: string;
  /** CORS: allowed origins (`"*"` for any). Off when absent. */
  cors?: { origins: string[] | "*" };
  /** Largest request body in bytes (default 1 MiB). */
  maxBodyBytes?: number;
  /** Requests that may wait for a busy model (default 16); more get 503 with Retry-After. */
  maxQueue?: number;
  /** Serve the chat page at `GET /` (default true). */
  chatPage?: boolean;
  /** How long a request may wait for a model that is still loading before it gets 503 (default 0 ms). */
  loadWaitMs?: number;
  /** Loading progress for `/health` while the model loads. */
  loadProgress?: () => { loaded: number; total?: number };
}

/** What {@linkcode createHandler} returns: `fetch` is an arrow property, so `export default handler` works. */
export interface Handler {
  /** Answers one request. */
  fetch: (request: Request) => Promise<Response>;
}

type State = { kind: "loading" } | {
  kind: "ready";
  tm: TextModel;
  scheduler: Scheduler;
} | { kind: "error"; message: string };

const ROUTES: Record<string, string[]> = {
  "/": ["GET"],
  "/health": ["GET"],
  "/v1/models": ["GET"],
  "/v1/chat/completions": ["POST"],
  "/v1/completions": ["POST"],
};

/**
 * Creates the handler.
 *
 * @example Serve a local checkpoint
 * ```ts ignore
 * import { createHandler, loadTextModel } from "./mod.ts";
 * const handler = createHandler({ model: loadTextModel("tests/fixtures/tiny-falcon-e") });
 * Deno.serve(handler.fetch);
 * ```
 *
 * @param options The model (or its promise), API key, CORS, limits.
 * @returns An object with a `fetch` arrow function.
 */
export function createHandler(options: HandlerOptions): Handler {
  const maxBody = options.maxBodyBytes ?? 1 << 20;
  const maxQueue = options.maxQueue ?? 16;
  let state: State = { kind: "loading" };
  const settled = Promise.resolve(options.model).then((tm) =>
    ({
      kind: "ready",
      tm,
      scheduler: new Scheduler(tm.model, maxQueue),
    }) as const
  ).then(
    (ready) => (state = ready),
    (e) => {
      console.error("model failed to load:", e);
      state = { kind: "error", message: (e as Error).message };
    },
  );
  /** Waits (bounded) for a loading model; true once it is ready. */
  const waitReady = async (): Promise<void> => {
    const ms = options.loadWaitMs ?? 0;
    if (state.kind !== "loading" || ms <= 0) return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([
      settled,
      new Promise((r) => (timer = setTimeout(r, ms))),
    ]);
    clearTimeout(timer);
  };

  const corsHeaders = (req: Request): Record<string, string> => {
    const allowed = options.cors?.origins;
    const origin = req.headers.get("origin");
    if (!allowed || !origin) return {};
    if (allowed !== "*" && !allowed.includes(origin)) return {};
    return {
      "access-control-allow-origin": allowed === "*" ? "*" : origin,
      vary: "origin",
    };
  };

  const authorized = (req: Request): boolean => {
    if (!options.apiKey) return true;
    const m = req.headers.get("authorization")?.match(/^Bearer\s+(.+)$/i);
    return m !== null && m !== undefined &&
      timingSafeEqual(m[1].trim(), options.apiKey);
  };

  const health = (): Response => {
    const base = {
      status: state.kind === "ready" ? "ok" : state.kind,
      state: state.kind,
    };
    if (state.kind === "loading") {
      const p = options.loadProgress?.();
      const progress = p
        ? {
          loaded_bytes: p.loaded,
          total_bytes: p.total ?? null,
          fraction: p.total ? Math.min(1, p.loaded / p.total) : null,
        }
        : null;
      return json({ ...base, progress }, 503, { "retry-after": "5" });
    }
    if (state.kind !== "ready") {
      return json({ ...base, error: "the model failed to load" }, 503);
    }
    const { tm, scheduler } = state;
    return json({
      ...base,
      model: tm.id,
      context_length: tm.model.contextLength,
      kernels: tm.model.kernelPath,
      lm_head: tm.model.lmHead,
      memory: tm.model.memory(),
      queue: scheduler.stats(),
    });
  };

  const route = async (
    req: Request,
    path: string,
    headers: Record<string, string>,
  ): Promise<Response> => {
    if (path === "/" && options.chatPage !== false) {
      return new Response(CHAT_PAGE, {
        headers: { "content-type": "text/html; charset=utf-8", ...headers },
      });
    }
    if (path === "/health") return health();
    if (!authorized(req)) {
      throw new HttpError(
        401,
        "Incorrect API key provided. Send it as 'Authorization: Bearer <key>'.",
        "invalid_request_error",
        null,
        "invalid_api_key",
        { "www-authenticate": "Bearer" },
      );
    }
    await waitReady();
    if (state.kind !== "ready") {
      throw new HttpError(
        503,
        state.kind === "loading" ? "The model is still loading; try again shortly." : "The model failed to load.",
        "server_error",
        null,
        "model_not_ready",
        { "retry-after": "5" },
      );
    }
    const { tm, scheduler } = state;
    if (path === "/v1/models") {
      return json(
        {
          object: "list",
          data: [{
            id: tm.id,
            object: "model",
            created: 0,
            owned_by: "falcon-e-edge",
          }],
        },
        200,
        headers,
      );
    }
    const body = await readJsonBody(req, maxBody);
    if (path === "/v1/chat/completions") {
      return await chatCompletions(tm, scheduler, req, body, headers);
    }
    return await completions(tm, scheduler, req, body, headers);
  };

  const fetch = async (req: Request): Promise<Response> => {
    const cors = corsHeaders(req);
    try {
      const path = new URL(req.url).pathname.replace(/\/+$/, "") || "/";
      const methods = ROUTES[path] ??
        (path.startsWith("/v1/models/") ? ["GET"] : undefined);
      if (req.method === "OPTIONS" && options.cors) {
        return new Response(null, {
          status: 204,
          headers: {
            ...cors,
            "access-control-allow-methods": "GET, POST, OPTIONS",
            "access-control-allow-headers": "authorization, content-type",
            "access-control-max-age": "86400",
          },
        });
      }
      if (!methods || (path === "/" && options.chatPage === false)) {
        throw new HttpError(
          404,
          `Unknown path ${path}.`,
          "invalid_request_error",
          null,
          "not_found",
        );
      }
      if (!methods.includes(req.method)) {
        throw new HttpError(
          405,
          `${req.method} is not allowed on ${path}; use ${methods.join(", ")}.`,
          "invalid_request_error",
          null,
          "method_not_allowed",
          { allow: methods.join(", ") },
        );
      }
      if (path.startsWith("/v1/models/")) {
        if (!authorized(req)) {
          throw new HttpError(
            401,
            "Incorrect API key provided.",
            "invalid_request_error",
            null,
            "invalid_api_key",
          );
        }
        const id = decodeURIComponent(path.slice("/v1/models/".length));
        if (state.kind === "ready" && id === state.tm.id) {
          return json(
            { id, object: "model", created: 0, owned_by: "falcon-e-edge" },
            200,
            cors,
          );
        }
        throw new HttpError(
          404,
          `The model '${id}' does not exist.`,
          "invalid_request_error",
          "model",
          "model_not_found",
        );
      }
      return await route(req, path, cors);
    } catch (e) {
      if (e instanceof HttpError) {
        const r = errorResponse(e);
        for (const [k, v] of Object.entries(cors)) r.headers.set(k, v);
        return r;
      }
      return internalError(e);
    }
  };
  return { fetch };
}

function timingSafeEqual(a: string, b: string): boolean {
  const x = new TextEncoder().encode(a), y = new TextEncoder().encode(b);
  let diff = x.length ^ y.length;
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    diff |= (x[i] ?? 0) ^ (y[i] ?? 0);
  }
  return diff === 0;
}
