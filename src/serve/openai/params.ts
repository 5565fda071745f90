/**
 * OpenAI request fields, checked into generation options. Every bad field is
 * a 400 that names it.
 * @module
 */

import type { GenerateOptions } from "../../generate/generate.ts";
import { badParam, HttpError } from "./errors.ts";

type Body = Record<string, unknown>;

function num(
  b: Body,
  key: string,
  ok: (v: number) => boolean,
  what: string,
): number | undefined {
  const v = b[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "number" || !Number.isFinite(v)) {
    throw badParam(
      key,
      `'${key}' must be ${what}, got ${JSON.stringify(v)}.`,
      "invalid_type",
    );
  }
  if (!ok(v)) throw badParam(key, `'${key}' must be ${what}, got ${v}.`);
  return v;
}

function int(
  b: Body,
  key: string,
  min: number,
  max = Number.MAX_SAFE_INTEGER,
): number | undefined {
  return num(
    b,
    key,
    (v) => Number.isInteger(v) && v >= min && v <= max,
    `an integer in [${min}, ${max}]`,
  );
}

function bool(b: Body, key: string): boolean | undefined {
  const v = b[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "boolean") {
    throw badParam(
      key,
      `'${key}' must be a boolean, got ${JSON.stringify(v)}.`,
      "invalid_type",
    );
  }
  return v;
}

/** Fields the engine cannot honour; refused rather than silently ignored. */
const UNSUPPORTED = [
  "tools",
  "functions",
  "tool_choice",
  "function_call",
  "audio",
  "modalities",
  "prediction",
];

/** Request options common to both endpoints, after checking. */
export interface RequestOptions {
  /** Generation options (maxTokens is filled in once the prompt length is known). */
  gen: Omit<GenerateOptions, "maxTokens" | "signal">;
  /** max_tokens as asked, if at all. */
  maxTokens?: number;
  /** Stream as Server-Sent Events. */
  stream: boolean;
  /** Send a usage chunk before [DONE]. */
  includeUsage: boolean;
  /** Return logprobs. */
  logprobs: boolean;
  /** The model name the client asked for (echoed back). */
  model?: string;
}

/**
 * Checks the sampling, limit and streaming fields of a request body.
 * @param b The parsed body.
 * @param maxTokensKeys The names max_tokens may go by on this endpoint.
 * @param logprobsAsCount `logprobs` is an integer count (completions) rather than a boolean (chat).
 */
export function readOptions(
  b: Body,
  maxTokensKeys: string[],
  logprobsAsCount: boolean,
): RequestOptions {
  for (const k of UNSUPPORTED) {
    if (
      b[k] !== undefined && b[k] !== null &&
      !(Array.isArray(b[k]) && (b[k] as unknown[]).length === 0)
    ) {
      throw badParam(
        k,
        `'${k}' is not supported by this server.`,
        "unsupported_parameter",
      );
    }
  }
  if (b.model !== undefined && typeof b.model !== "string") {
    throw badParam("model", "'model' must be a string.", "invalid_type");
  }
  const n = int(b, "n", 1, 1);
  void n;
  let maxTokens: number | undefined;
  for (const k of maxTokensKeys) maxTokens ??= int(b, k, 1);
  const stop = b.stop;
  let stops: string[] = [];
  if (typeof stop === "string") stops = [stop];
  else if (Array.isArray(stop)) stops = stop;
  else if (stop !== undefined && stop !== null) {
    throw badParam(
      "stop",
      "'stop' must be a string or an array of strings.",
      "invalid_type",
    );
  }
  if (stops.length > 4) {
    throw badParam(
      "stop",
      `'stop' may hold at most 4 strings, got ${stops.length}.`,
    );
  }
  stops.forEach((s) => {
    if (typeof s !== "string" || s.length === 0) {
      throw badParam(
        "stop",
        "every 'stop' entry must be a non-empty string.",
        "invalid_type",
      );
    }
  });
  const stream = bool(b, "stream") ?? false;
  const so = b.stream_options;
  if (
    so !== undefined && so !== null &&
    (typeof so !== "object" || Array.isArray(so))
  ) {
    throw badParam(
      "stream_options",
      "'stream_options' must be an object.",
      "invalid_type",
    );
  }
  if (so && !stream) {
    throw badParam(
      "stream_options",
      "'stream_options' is only allowed when 'stream' is true.",
    );
  }
  const includeUsage = bool((so ?? {}) as Body, "include_usage") ?? false;
  let logprobs: boolean;
  let topLogprobs: number | undefined;
  if (logprobsAsCount) {
    topLogprobs = int(b, "logprobs", 0, 20);
    logprobs = topLogprobs !== undefined;
  } else {
    logprobs = bool(b, "logprobs") ?? false;
    topLogprobs = int(b, "top_logprobs", 0, 20);
    if (topLogprobs !== undefined && !logprobs) {
      throw badParam("top_logprobs", "'top_logprobs' needs 'logprobs': true.");
    }
  }
  const ids = b.stop_token_ids;
  if (
    ids !== undefined &&
    (!Array.isArray(ids) || !ids.every((x) => Number.isInteger(x) && x >= 0))
  ) {
    throw badParam(
      "stop_token_ids",
      "'stop_token_ids' must be an array of token ids.",
      "invalid_type",
    );
  }
  const gen: RequestOptions["gen"] = {
    temperature: num(
      b,
      "temperature",
      (v) => v >= 0 && v <= 2,
      "a number in [0, 2]",
    ),
    topP: num(b, "top_p", (v) => v > 0 && v <= 1, "a number in (0, 1]"),
    topK: int(b, "top_k", 0),
    minP: num(b, "min_p", (v) => v >= 0 && v <= 1, "a number in [0, 1]"),
    frequencyPenalty: num(
      b,
      "frequency_penalty",
      (v) => v >= -2 && v <= 2,
      "a number in [-2, 2]",
    ),
    presencePenalty: num(
      b,
      "presence_penalty",
      (v) => v >= -2 && v <= 2,
      "a number in [-2, 2]",
    ),
    repetitionPenalty: num(
      b,
      "repetition_penalty",
      (v) => v > 0 && v <= 10,
      "a number in (0, 10]",
    ),
    seed: int(b, "seed", -(2 ** 53) + 1, 2 ** 53 - 1),
    topLogprobs: logprobs ? topLogprobs ?? 0 : 0,
    stop: stops,
  };
  if (ids) gen.stopTokenIds = ids as number[];
  for (const k of Object.keys(gen) as (keyof typeof gen)[]) {
    if (gen[k] === undefined) delete gen[k];
  }
  return {
    gen,
    maxTokens,
    stream,
    includeUsage,
    logprobs,
    ...(typeof b.model === "string" ? { model: b.model } : {}),
  };
}

/** max_tokens for a prompt: as asked, or what the context leaves; 400 `context_length_exceeded` when it does not fit. */
export function fitMaxTokens(
  promptTokens: number,
  asked: number | undefined,
  context: number,
  promptParam = "messages",
): number {
  const room = context - promptTokens;
  if (room < 1 || (asked !== undefined && asked > room)) {
    throw new HttpError(
      400,
      `This model's maximum context length is ${context} tokens. However, you requested ${
        promptTokens + (asked ?? 1)
      } tokens (${promptTokens} in the messages, ${
        asked ?? 1
      } in the completion). Please reduce the length of the messages or completion.`,
      "invalid_request_error",
      asked !== undefined && room >= 1 ? "max_tokens" : promptParam,
      "context_length_exceeded",
    );
  }
  return asked ?? room;
}
