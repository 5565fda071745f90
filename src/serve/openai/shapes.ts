/**
 * What the completion runner works with: an endpoint's response format, the
 * checked request, the run under way, and the OpenAI `usage` and finish
 * reason of a generation.
 * @module
 */

import type { GeneratedPiece, GenerationSummary } from "../../generate/generate.ts";
import type { Lease, Scheduler } from "../../generate/scheduler.ts";
import type { TextModel } from "../../generate/text_model.ts";
import type { RequestOptions } from "./params.ts";
import type { GenerationRecord } from "../metrics.ts";
import type { Structured } from "./structured.ts";

/** How one choice of a response is shaped, as it streams and whole. */
export interface ChoiceShape {
  /** The first streamed choice (chat sends the role), if any. */
  first?(): Record<string, unknown>;
  /** Streamed choices for a piece of text (none while text is held back). */
  piece(text: string, logprobs: unknown): Record<string, unknown>[];
  /** The last streamed choices: what was held back, and the finish reason. */
  last(finish: string): Record<string, unknown>[];
  /** The choice of a whole response. */
  whole(text: string, finish: string, logprobs: unknown): Record<string, unknown>;
}

/** How an endpoint shapes its responses. */
export interface Format {
  /** `chatcmpl-` or `cmpl-`. */
  idPrefix: string;
  /** `object` of a whole response. */
  object: string;
  /** `object` of a stream chunk. */
  chunkObject: string;
  /** The shape of choice `index` of a request. */
  choice(index: number, r: RunRequest): ChoiceShape;
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
  /** Messages the history policy left out (`truncate`), if it ran. */
  truncated?: number;
  /** The grammar and tools the output follows, if any. */
  structured?: Structured;
  /** When the request arrived (performance.now() ms), for its time to first token. */
  received?: number;
  /** Hears each finished generation (metrics, the request log). */
  observe?: (g: FinishedRun) => void;
  /** A stream whose client reads nothing for this long is dropped (ms; default sse.ts's). */
  writeTimeoutMs?: number;
}

/** What a route hands an endpoint: the request, its parsed body, and the runner's context. */
export type EndpointRequest = Omit<RunRequest, "prompt" | "options" | "format" | "truncated" | "structured"> & {
  /** The parsed JSON body. */
  body: Record<string, unknown>;
};

/** A finished generation, for metrics and the request log. */
export interface FinishedRun extends GenerationRecord {
  /** The response id. */
  id: string;
  /** OpenAI's finish reason, "abort" when the client left, "error" when the generation failed mid-answer. */
  finish: string;
  /** Whether it was streamed. */
  stream: boolean;
}

/** One generation under way: its generator, ids, the slot it holds, and how to end it. */
export interface Run {
  /** The request being answered. */
  r: RunRequest;
  /** Choice `index`'s generation: yields pieces, returns the summary (choices run one after another). */
  choice(index: number): Promise<AsyncGenerator<GeneratedPiece, GenerationSummary>>;
  /** Response id. */
  id: string;
  /** Creation time (Unix seconds). */
  created: number;
  /** The slot; released once the run ends. */
  lease: Lease;
  /** Stops generation (the client left). */
  stop: AbortController;
  /** Hears prefill progress (prompt tokens in the cache, of all), when set. */
  progress?: (done: number, total: number) => void;
  /** When the slot was taken, and when the first token came (performance.now() ms; 0: not yet). */
  clock: { started: number; first: number };
}

/** Notes the first generated token's time (once). */
export function firstToken(run: Run): void {
  if (run.clock.first === 0) run.clock.first = performance.now();
}

/** Tells the request's observer how the run went (all its choices; `finish` instead of the last one's reason). */
export function finished(run: Run, all: GenerationSummary[], finish?: string): void {
  const now = performance.now(), { started, first } = run.clock;
  const s = all[all.length - 1];
  run.r.observe?.({
    id: run.id,
    finish: finish ?? s.finishReason,
    stream: run.r.options.stream,
    promptTokens: all[0].promptTokens,
    cachedTokens: all[0].cachedTokens,
    completionTokens: all.reduce((n, x) => n + x.completionTokens, 0),
    ...(first && run.r.received !== undefined ? { ttft: (first - run.r.received) / 1000 } : {}),
    prefillSeconds: ((first || now) - started) / 1000,
    decodeSeconds: first ? (now - first) / 1000 : 0,
  });
}

/**
 * OpenAI `usage` of a request's choices (the prompt counted once, as the
 * first choice saw it); `truncated_messages` (an extension) when the history policy ran.
 */
export function usage(all: GenerationSummary[], truncated?: number): Record<string, unknown> {
  const s = all[0];
  const completion = all.reduce((n, x) => n + x.completionTokens, 0);
  return {
    prompt_tokens: s.promptTokens,
    completion_tokens: completion,
    total_tokens: s.promptTokens + completion,
    prompt_tokens_details: { cached_tokens: s.cachedTokens },
    ...(truncated === undefined ? {} : { truncated_messages: truncated }),
  };
}

/** OpenAI's finish reason (an abort ends like a stop). */
export function finishReason(s: GenerationSummary): string {
  return s.finishReason === "abort" ? "stop" : s.finishReason;
}
