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
  whole(text: string, finish: string, logprobs: unknown): Record<string, unknown>;
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
  /** When the request arrived (performance.now() ms), for its time to first token. */
  received?: number;
  /** Hears each finished generation (metrics, the request log). */
  observe?: (g: FinishedRun) => void;
}

/** What a route hands an endpoint: the request, its parsed body, and the runner's context. */
export type EndpointRequest = Omit<RunRequest, "prompt" | "options" | "format" | "truncated"> & {
  /** The parsed JSON body. */
  body: Record<string, unknown>;
};

/** A finished generation, for metrics and the request log. */
export interface FinishedRun extends GenerationRecord {
  /** The response id. */
  id: string;
  /** OpenAI's finish reason, or "abort" when the client left. */
  finish: string;
  /** Whether it was streamed. */
  stream: boolean;
}

/** One generation under way: its generator, ids, the slot it holds, and how to end it. */
export interface Run {
  /** The request being answered. */
  r: RunRequest;
  /** Yields pieces, returns the summary. */
  gen: AsyncGenerator<GeneratedPiece, GenerationSummary>;
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

/** Tells the request's observer how the run went. */
export function finished(run: Run, s: GenerationSummary): void {
  const now = performance.now(), { started, first } = run.clock;
  run.r.observe?.({
    id: run.id,
    finish: s.finishReason,
    stream: run.r.options.stream,
    promptTokens: s.promptTokens,
    cachedTokens: s.cachedTokens,
    completionTokens: s.completionTokens,
    ...(first && run.r.received !== undefined ? { ttft: (first - run.r.received) / 1000 } : {}),
    prefillSeconds: ((first || now) - started) / 1000,
    decodeSeconds: first ? (now - first) / 1000 : 0,
  });
}

/** OpenAI `usage` of a summary; `truncated_messages` (an extension) when the history policy ran. */
export function usage(s: GenerationSummary, truncated?: number): Record<string, unknown> {
  return {
    prompt_tokens: s.promptTokens,
    completion_tokens: s.completionTokens,
    total_tokens: s.promptTokens + s.completionTokens,
    prompt_tokens_details: { cached_tokens: s.cachedTokens },
    ...(truncated === undefined ? {} : { truncated_messages: truncated }),
  };
}

/** OpenAI's finish reason (an abort ends like a stop). */
export function finishReason(s: GenerationSummary): string {
  return s.finishReason === "abort" ? "stop" : s.finishReason;
}
