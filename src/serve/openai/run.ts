/**
 * Runs one completion request: check the prompt against the context, compile
 * its grammar, take a slot, generate each of its `n` choices one after
 * another on that slot (the prompt is prefilled once: later choices find it
 * in the slot's cache), and answer as one JSON body (`collect.ts`) or as
 * Server-Sent Events (`stream.ts`). Shared by /v1/chat/completions and
 * /v1/completions, which differ only in their `Format`.
 * @module
 */

import { generate } from "../../generate/generate.ts";
import { type Lease, QueueFullError } from "../../generate/scheduler.ts";
import { constrain, GrammarError } from "../../generate/structured.ts";
import type { GrammarConstraint } from "../../text/grammar/constraint.ts";
import { collect } from "./collect.ts";
import { badParam, errorResponse, HttpError } from "./errors.ts";
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

/** The ids that end a generation: the model's EOS ids (unless `ignore_eos`) and `stop_token_ids`. */
function stopIds(r: RunRequest): number[] {
  const { options, tm } = r;
  const vocab = tm.model.config.vocabSize;
  for (const id of options.stopTokenIds) {
    if (id >= vocab) throw badParam("stop_token_ids", `token id ${id} is outside the vocabulary (0..${vocab - 1}).`);
  }
  for (const id of options.gen.logitBias?.keys() ?? []) {
    if (id >= vocab) throw badParam("logit_bias", `token id ${id} is outside the vocabulary (0..${vocab - 1}).`);
  }
  if (options.ignoreEos && r.structured?.grammar) {
    throw badParam("ignore_eos", "'ignore_eos' cannot be used with a grammar, which ends with the end of text.");
  }
  return [...new Set([...(options.ignoreEos ? [] : tm.stopTokenIds), ...options.stopTokenIds])];
}

/** The constraint of one choice, if the request has a grammar; a bad grammar is a 400 naming its field. */
async function constraintOf(r: RunRequest, stops: number[]): Promise<GrammarConstraint | undefined> {
  const s = r.structured;
  if (!s?.grammar) return undefined;
  try {
    return await constrain(r.tm, s.grammar, stops);
  } catch (e) {
    if (!(e instanceof GrammarError)) throw e;
    const field = s.grammar.kind === "tool_calls" ? "tools" : s.grammar.kind === "ebnf" ? "grammar" : "response_format";
    throw badParam(field, `${e.message}.`, "invalid_grammar");
  }
}

/** Generates for a checked request and builds the response. */
export async function runCompletion(r: RunRequest): Promise<Response> {
  const { tm, prompt, options, format } = r;
  const promptParam = format.object === "text_completion" ? "prompt" : "messages";
  const maxTokens = fitMaxTokens(prompt.length, options.maxTokens, tm.model.contextLength, promptParam);
  if (prompt.length === 0) throw new HttpError(400, "The prompt is empty.", "invalid_request_error", "prompt");
  const stops = stopIds(r);
  // compiled before a slot is taken: a bad schema fails fast, and compiling holds no slot
  let first = await constraintOf(r, stops);
  const lease = await acquire(r);
  if (lease instanceof Response) {
    first?.dispose();
    return lease;
  }
  const stop = new AbortController();
  const signal = AbortSignal.any([r.request.signal, stop.signal]);
  const onPrefill = (done: number, total: number) => run.progress?.(done, total);
  const seed = options.gen.seed;
  const run: Run = {
    r,
    async choice(i) {
      const constraint = i === 0 && first ? first : await constraintOf(r, stops);
      first = undefined;
      return generate(tm, lease.session, prompt, {
        ...options.gen,
        ...(seed === undefined ? {} : { seed: seed + i }),
        maxTokens,
        signal,
        onPrefill: i === 0 ? onPrefill : undefined,
        stopTokenIds: stops,
        ...(constraint ? { constraint } : {}),
      });
    },
    id: format.idPrefix + crypto.randomUUID().replaceAll("-", ""),
    created: Math.floor(Date.now() / 1000),
    lease,
    stop,
    clock: { started: performance.now(), first: 0 },
  };
  return options.stream ? stream(run) : await collect(run);
}
