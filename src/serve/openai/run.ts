/**
 * Runs one completion request: check the prompt against the context, take a
 * slot, generate, and answer as one JSON body (`collect.ts`) or as
 * Server-Sent Events (`stream.ts`). Shared by /v1/chat/completions and
 * /v1/completions, which differ only in their `Format`.
 * @module
 */

import { generate } from "../../generate/generate.ts";
import { type Lease, QueueFullError } from "../../generate/scheduler.ts";
import { collect } from "./collect.ts";
import { errorResponse, HttpError } from "./errors.ts";
import { fitMaxTokens } from "./params.ts";
import type { Run, RunRequest } from "./shapes.ts";
import { stream } from "./stream.ts";

export type { Format, RunRequest } from "./shapes.ts";

/** A slot for the request: the lease, or the response to send instead (503 queue full, 499 client gone). */
async function acquire(r: RunRequest): Promise<Lease | Response> {
  try {
    return await r.scheduler.acquire(r.request.signal);
  } catch (e) {
    if (!(e instanceof QueueFullError)) return new Response(null, { status: 499, headers: r.headers });
    return errorResponse(
      new HttpError(503, e.message, "server_error", null, "server_busy", {
        ...r.headers,
        "retry-after": String(e.retryAfter),
      }),
    );
  }
}

/** Generates for a checked request and builds the response. */
export async function runCompletion(r: RunRequest): Promise<Response> {
  const { tm, prompt, options, format } = r;
  const promptParam = format.object === "text_completion" ? "prompt" : "messages";
  const maxTokens = fitMaxTokens(prompt.length, options.maxTokens, tm.model.contextLength, promptParam);
  if (prompt.length === 0) throw new HttpError(400, "The prompt is empty.", "invalid_request_error", "prompt");
  const lease = await acquire(r);
  if (lease instanceof Response) return lease;
  const stop = new AbortController();
  const signal = AbortSignal.any([r.request.signal, stop.signal]);
  const onPrefill = (done: number, total: number) => run.progress?.(done, total);
  const run: Run = {
    r,
    gen: generate(tm, lease.session, prompt, { ...options.gen, maxTokens, signal, onPrefill }),
    id: format.idPrefix + crypto.randomUUID().replaceAll("-", ""),
    created: Math.floor(Date.now() / 1000),
    lease,
    stop,
    clock: { started: performance.now(), first: 0 },
  };
  return options.stream ? stream(run) : await collect(run);
}
