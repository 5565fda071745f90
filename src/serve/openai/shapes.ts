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
}

/** OpenAI `usage` of a summary. */
export function usage(s: GenerationSummary): Record<string, unknown> {
  return {
    prompt_tokens: s.promptTokens,
    completion_tokens: s.completionTokens,
    total_tokens: s.promptTokens + s.completionTokens,
    prompt_tokens_details: { cached_tokens: s.cachedTokens },
  };
}

/** OpenAI's finish reason (an abort ends like a stop). */
export function finishReason(s: GenerationSummary): string {
  return s.finishReason === "abort" ? "stop" : s.finishReason;
}
