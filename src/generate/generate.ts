/**
 * Generation as an async iterator: sample a token, run it through the
 * engine, turn it into text that never splits a character and never shows a
 * stop string, within a grammar if one is given. Cancellable by an
 * AbortSignal between any two tokens.
 * @module
 */

import { IncrementalDecoder } from "../text/detokenizer.ts";
import { Sampler, type SamplerOptions, type TokenLogprob } from "../text/sampler.ts";
import type { CachedSession } from "./cached_session.ts";
import { StopMatcher } from "../text/stop.ts";
import { anyAllowed, type GrammarConstraint } from "../text/grammar/constraint.ts";
import type { TextModel } from "./text_model.ts";

/** Options of {@linkcode generate}. */
export interface GenerateOptions extends SamplerOptions {
  /** Most tokens to generate. */
  maxTokens: number;
  /** Stop strings: generation ends before them; their text is never sent. */
  stop?: string[];
  /** Token ids that end generation (default: the model's EOS ids). */
  stopTokenIds?: number[];
  /** Stop when this signal aborts (a client that went away). */
  signal?: AbortSignal;
  /** Hears the prompt tokens in the cache while a long prompt is prefilled (after each pass). */
  onPrefill?: (done: number, total: number) => void;
  /**
   * A grammar the output follows (structured output): each token is sampled
   * among the ones it allows, and a stop token only where it may end. Owned by
   * the generation from then on (disposed when it ends).
   */
  constraint?: GrammarConstraint;
}

/** One step of generation. `text` may be empty while a character or a possible stop string is pending. */
export interface GeneratedPiece {
  /** The token id (undefined for the final flush of held-back text). */
  id?: number;
  /** Text that became safe to send with this token. */
  text: string;
  /** The token's logprob under the sampling distribution. */
  logprob?: number;
  /** The most likely alternatives, when asked for. */
  topLogprobs?: TokenLogprob[];
}

/** Why generation ended, and token counts (OpenAI `usage`). */
export interface GenerationSummary {
  /** `stop` (EOS or a stop string), `length` (max tokens or context), `abort` (signal). */
  finishReason: "stop" | "length" | "abort";
  /** Tokens of the prompt. */
  promptTokens: number;
  /** Tokens generated. */
  completionTokens: number;
  /** Prompt tokens taken from the slot's cache instead of recomputed. */
  cachedTokens: number;
  /** The seed the sampler used. */
  seed: number;
}

/**
 * Generates from `prompt` in `session`, yielding pieces; returns the summary.
 *
 * @param tm The model with its tokenizer.
 * @param session A KV cache slot's session (from the scheduler).
 * @param prompt Prompt token ids.
 * @param options Sampling, limits, stops and the abort signal.
 */
export async function* generate(
  tm: TextModel,
  session: CachedSession,
  prompt: number[],
  options: GenerateOptions,
): AsyncGenerator<GeneratedPiece, GenerationSummary> {
  try {
    return yield* run(tm, session, prompt, options);
  } finally {
    options.constraint?.dispose();
  }
}

async function* run(
  tm: TextModel,
  session: CachedSession,
  prompt: number[],
  options: GenerateOptions,
): AsyncGenerator<GeneratedPiece, GenerationSummary> {
  const { constraint } = options;
  const sampler = new Sampler(options, prompt);
  const decoder = new IncrementalDecoder(tm.tokenizer, {
    skipSpecialTokens: true,
  });
  const stops = new StopMatcher(options.stop ?? []);
  const stopIds = new Set(options.stopTokenIds ?? tm.stopTokenIds);
  const room = tm.model.contextLength - prompt.length;
  const max = Math.min(options.maxTokens, room);
  const summary = (
    finishReason: GenerationSummary["finishReason"],
    n: number,
    cached: number,
  ): GenerationSummary => ({
    finishReason,
    promptTokens: prompt.length,
    completionTokens: n,
    cachedTokens: cached,
    seed: sampler.seed,
  });
  if (options.signal?.aborted) return summary("abort", 0, 0);
  let logits: Float32Array;
  try {
    logits = await session.prefill(prompt, options.signal, options.onPrefill); // a long prompt stops between chunks
  } catch (e) {
    if (options.signal?.aborted) return summary("abort", 0, session.reused);
    throw e;
  }
  const cached = session.reused;
  let n = 0;
  for (;;) {
    if (options.signal?.aborted) return summary("abort", n, cached);
    const mask = constraint && await constraint.allowed();
    if (mask && !anyAllowed(mask)) {
      // the grammar has no way on (a dead end in it): the output is as complete as it can be
      const text = stops.push(decoder.flush()).text + stops.flush();
      if (text) yield { text };
      return summary("stop", n, cached);
    }
    const s = sampler.sample(logits, mask);
    constraint?.accept(s.id);
    n++;
    if (stopIds.has(s.id)) {
      const tail = stops.push(decoder.flush()).text + stops.flush();
      yield {
        id: s.id,
        text: tail,
        logprob: s.logprob,
        topLogprobs: s.topLogprobs,
      };
      return summary("stop", n, cached);
    }
    const r = stops.push(decoder.push(s.id));
    yield {
      id: s.id,
      text: r.text,
      logprob: s.logprob,
      topLogprobs: s.topLogprobs,
    };
    if (r.stopped) return summary("stop", n, cached);
    if (n >= max) {
      const tail = stops.push(decoder.flush());
      const text = tail.text + (tail.stopped ? "" : stops.flush());
      if (text) yield { text };
      return summary(tail.stopped ? "stop" : "length", n, cached);
    }
    try {
      logits = await session.step(s.id, options.signal);
    } catch (e) {
      if (options.signal?.aborted) return summary("abort", n, cached);
      throw e;
    }
  }
}
