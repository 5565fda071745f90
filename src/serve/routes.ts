/**
 * The route table: each path with its methods, whether it needs the API key,
 * and what answers it.
 *
 *   GET  /                      chat page
 *   GET  /health                model id, state, memory, queue
 *   GET  /v1/models             the model
 *   GET  /v1/models/{id}        the model, by id
 *   POST /v1/chat/completions   chat (JSON or SSE)
 *   POST /v1/completions        plain completion (JSON or SSE)
 * @module
 */

import type { Scheduler } from "../generate/scheduler.ts";
import type { TextModel } from "../generate/text_model.ts";
import { readJsonBody } from "./body.ts";
import { health, type LoadProgress } from "./health.ts";
import { chatCompletions } from "./openai/chat_completions.ts";
import { completions } from "./openai/completions.ts";
import { HttpError } from "./openai/errors.ts";
import { getModel, listModels } from "./openai/models.ts";
import { CHAT_PAGE } from "./page.ts";
import type { ModelState } from "./state.ts";

/** What a route's handler gets. */
export interface RouteContext {
  /** The request. */
  req: Request;
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

/** A POST route whose JSON body goes to `run` with the ready model. */
function completionRoute(
  run: (
    tm: TextModel,
    s: Scheduler,
    req: Request,
    body: Record<string, unknown>,
    h: Record<string, string>,
  ) => Promise<Response>,
): Route {
  return {
    methods: ["POST"],
    auth: true,
    async handle(ctx) {
      const { tm, scheduler } = await ctx.ready();
      return await run(tm, scheduler, ctx.req, await readJsonBody(ctx.req, ctx.maxBodyBytes), ctx.headers);
    },
  };
}

/** The routes by exact path; `/v1/models/` is a prefix route. */
export function routeTable(chatPage: boolean): { exact: Record<string, Route>; prefix: Record<string, Route> } {
  const exact: Record<string, Route> = {
    "/health": { methods: ["GET"], auth: false, handle: (ctx) => health(ctx.state, ctx.loadProgress) },
    "/v1/models": {
      methods: ["GET"],
      auth: true,
      handle: async (ctx) => listModels((await ctx.ready()).tm.id, ctx.headers),
    },
    "/v1/chat/completions": completionRoute(chatCompletions),
    "/v1/completions": completionRoute(completions),
  };
  if (chatPage) exact["/"] = { methods: ["GET"], auth: false, handle: page };
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
