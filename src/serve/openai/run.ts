/**
 * Runs one completion request: take a slot, generate, answer as one JSON
 * body or as Server-Sent Events. Shared by /v1/chat/completions and
 * /v1/completions, which differ only in their `Format`.
 * @module
 */

import { generate, type GeneratedPiece, type GenerationSummary } from "../../generate/generate.ts";
import type { Scheduler } from "../../generate/scheduler.ts";
import { QueueFullError } from "../../generate/scheduler.ts";
import type { TextModel } from "../../generate/text_model.ts";
import { errorResponse, HttpError, json } from "./errors.ts";
import { fitMaxTokens, type RequestOptions } from "./params.ts";
import { sseResponse } from "./sse.ts";

/** How an endpoint shapes its responses. */
export interface Format {
  /** `chatcmpl-` or `cmpl-`. */
  idPrefix: string;
  /** `object` of a whole response. */
  object: string;
  /** `object` of a stream chunk. */
  chunkObject: string;
  /** The first streamed choice (chat sends the role), if any. */
  first?(): Record<string, unknown>;
  /** A streamed choice carrying text. */
  piece(text: string, logprobs: unknown): Record<string, unknown>;
  /** The last streamed choice, carrying the finish reason. */
  last(finish: string): Record<string, unknown>;
  /** The choice of a whole response. */
  whole(
    text: string,
    finish: string,
    logprobs: unknown,
  ): Record<string, unknown>;
  /** Logprobs of some pieces in this endpoint's shape. */
  logprobs(pieces: GeneratedPiece[], tm: TextModel): unknown;
}

/** What a route hands to the runner. */
export interface RunRequest {
  tm: TextModel;
  scheduler: Scheduler;
  request: Request;
  prompt: number[];
  options: RequestOptions;
  format: Format;
  headers: Record<string, string>;
}

function usage(s: GenerationSummary) {
  return {
    prompt_tokens: s.promptTokens,
    completion_tokens: s.completionTokens,
    total_tokens: s.promptTokens + s.completionTokens,
    prompt_tokens_details: { cached_tokens: s.cachedTokens },
  };
}

/** Generates for a checked request and builds the response. */
export async function runCompletion(r: RunRequest): Promise<Response> {
  const { tm, scheduler, request, prompt, options, format } = r;
  const maxTokens = fitMaxTokens(
    prompt.length,
    options.maxTokens,
    tm.model.contextLength,
    format.object === "text_completion" ? "prompt" : "messages",
  );
  if (prompt.length === 0) {
    throw new HttpError(
      400,
      "The prompt is empty.",
      "invalid_request_error",
      "prompt",
    );
  }
  let lease;
  try {
    lease = await scheduler.acquire(request.signal);
  } catch (e) {
    if (e instanceof QueueFullError) {
      return errorResponse(
        new HttpError(503, e.message, "server_error", null, "server_busy", {
          ...r.headers,
          "retry-after": String(e.retryAfter),
        }),
      );
    }
    return new Response(null, { status: 499, headers: r.headers }); // the client left while waiting
  }
  const stop = new AbortController();
  const signal = AbortSignal.any([request.signal, stop.signal]);
  const id = format.idPrefix + crypto.randomUUID().replaceAll("-", "");
  const created = Math.floor(Date.now() / 1000);
  const model = tm.id;
  const gen = generate(tm, lease.slot, prompt, {
    ...options.gen,
    maxTokens,
    signal,
  });
  const finish = (
    s: GenerationSummary,
  ) => (s.finishReason === "abort" ? "stop" : s.finishReason);

  if (!options.stream) {
    try {
      const pieces: GeneratedPiece[] = [];
      let text = "";
      let res = await gen.next();
      while (!res.done) {
        pieces.push(res.value);
        text += res.value.text;
        res = await gen.next();
      }
      const lp = options.logprobs ? format.logprobs(pieces.filter((p) => p.id !== undefined), tm) : null;
      return json(
        {
          id,
          object: format.object,
          created,
          model,
          system_fingerprint: `seed-${res.value.seed}`,
          choices: [format.whole(text, finish(res.value), lp)],
          usage: usage(res.value),
        },
        200,
        r.headers,
      );
    } finally {
      lease.release();
    }
  }

  const chunk = (
    choice: Record<string, unknown> | null,
    extra: Record<string, unknown> = {},
  ) => ({
    id,
    object: format.chunkObject,
    created,
    model,
    choices: choice ? [choice] : [],
    ...extra,
  });
  async function* frames() {
    try {
      if (format.first) yield chunk(format.first());
      let res = await gen.next();
      while (!res.done) {
        const p = res.value;
        const lp = options.logprobs && p.id !== undefined ? format.logprobs([p], tm) : null;
        if (p.text || lp) yield chunk(format.piece(p.text, lp));
        res = await gen.next();
      }
      yield chunk(format.last(finish(res.value)));
      if (options.includeUsage) yield chunk(null, { usage: usage(res.value) });
    } finally {
      stop.abort();
      await gen.return(undefined as never);
      lease!.release();
    }
  }
  // Cancel may come before the first pull (frames never started): release here too.
  return sseResponse(
    frames(),
    () => (stop.abort(), lease!.release()),
    r.headers,
  );
}
