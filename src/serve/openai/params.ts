/**
 * OpenAI request fields, checked into generation options. The sampling
 * fields are a table (name, type, range, option); every bad field is a 400
 * that names it.
 * @module
 */

import type { GenerateOptions } from "../../generate/generate.ts";
import { badParam, HttpError } from "./errors.ts";

type Body = Record<string, unknown>;

/** A value shown in a message, cut short so an error never echoes a huge field. */
export function shown(v: unknown, max = 100): string {
  const s = JSON.stringify(v) ?? String(v);
  return s.length > max ? `${s.slice(0, max)}...` : s;
}

function num(b: Body, key: string, ok: (v: number) => boolean, what: string): number | undefined {
  const v = b[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "number" || !Number.isFinite(v)) {
    throw badParam(key, `'${key}' must be ${what}, got ${shown(v)}.`, "invalid_type");
  }
  if (!ok(v)) throw badParam(key, `'${key}' must be ${what}, got ${v}.`);
  return v;
}

function int(b: Body, key: string, min: number, max = Number.MAX_SAFE_INTEGER): number | undefined {
  return num(b, key, (v) => Number.isInteger(v) && v >= min && v <= max, `an integer in [${min}, ${max}]`);
}

function bool(b: Body, key: string): boolean | undefined {
  const v = b[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "boolean") throw badParam(key, `'${key}' must be a boolean, got ${shown(v)}.`, "invalid_type");
  return v;
}

/** A numeric sampling field: its request name, the option it sets, and its range. */
interface NumberField {
  key: string;
  option: keyof Sampling;
  integer?: boolean;
  min: number;
  max: number;
  /** The lower bound is excluded. */
  open?: boolean;
}

type Sampling = Omit<
  GenerateOptions,
  | "maxTokens"
  | "signal"
  | "stop"
  | "stopTokenIds"
  | "topLogprobs"
  | "logprobs"
  | "onPrefill"
  | "logitBias"
  | "constraint"
>;

/** The sampling fields both endpoints take. */
const SAMPLING: NumberField[] = [
  { key: "temperature", option: "temperature", min: 0, max: 2 },
  { key: "top_p", option: "topP", min: 0, max: 1, open: true },
  { key: "top_k", option: "topK", integer: true, min: 0, max: Number.MAX_SAFE_INTEGER },
  { key: "min_p", option: "minP", min: 0, max: 1 },
  { key: "frequency_penalty", option: "frequencyPenalty", min: -2, max: 2 },
  { key: "presence_penalty", option: "presencePenalty", min: -2, max: 2 },
  { key: "repetition_penalty", option: "repetitionPenalty", min: 0, max: 10, open: true },
  { key: "seed", option: "seed", integer: true, min: -(2 ** 53) + 1, max: 2 ** 53 - 1 },
];

function numberField(b: Body, f: NumberField): number | undefined {
  if (f.integer) return int(b, f.key, f.min, f.max);
  const range = `a number in ${f.open ? "(" : "["}${f.min}, ${f.max}]`;
  return num(b, f.key, (v) => (f.open ? v > f.min : v >= f.min) && v <= f.max, range);
}

/** Fields the engine cannot honour; refused rather than silently ignored. */
const UNSUPPORTED: Record<string, string> = {
  functions: "'functions' is deprecated and not supported; use 'tools'.",
  function_call: "'function_call' is deprecated and not supported; use 'tool_choice'.",
  audio: "'audio' is not supported by this server.",
  modalities: "'modalities' is not supported by this server.",
  prediction: "'prediction' is not supported by this server.",
  best_of: "'best_of' is not supported by this server; use 'n'.",
};

/** Most choices one request may ask for (`n`); they run one after another on one slot. */
export const MAX_CHOICES = 8;

/** Request options common to both endpoints, after checking. */
export interface RequestOptions {
  /** Generation options (maxTokens is filled in once the prompt length is known; stop ids once the model is). */
  gen: Omit<GenerateOptions, "maxTokens" | "signal" | "onPrefill" | "stopTokenIds" | "constraint">;
  /** `stop_token_ids`: ids that end generation besides the model's EOS ids. */
  stopTokenIds: number[];
  /** `ignore_eos`: the model's EOS ids do not end generation (only max_tokens, stops and stop_token_ids). */
  ignoreEos: boolean;
  /** `n`: independent choices for the one prompt. */
  n: number;
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

function refuseUnsupported(b: Body): void {
  for (const [k, message] of Object.entries(UNSUPPORTED)) {
    const v = b[k];
    if (v !== undefined && v !== null && !(Array.isArray(v) && v.length === 0) && !(k === "best_of" && v === 1)) {
      throw badParam(k, message, "unsupported_parameter");
    }
  }
}

/** `logit_bias`: token id (as a string key) -> bias in [-100, 100]. */
function logitBias(b: Body): Map<number, number> | undefined {
  const v = b.logit_bias;
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "object" || Array.isArray(v)) {
    throw badParam("logit_bias", "'logit_bias' must be an object mapping token ids to numbers.", "invalid_type");
  }
  const out = new Map<number, number>();
  for (const [key, bias] of Object.entries(v as Body)) {
    const id = Number(key);
    if (!/^\d+$/.test(key) || !Number.isSafeInteger(id)) {
      throw badParam("logit_bias", `'logit_bias' keys must be token ids, got ${shown(key)}.`);
    }
    if (typeof bias !== "number" || !(bias >= -100 && bias <= 100)) {
      throw badParam("logit_bias", `'logit_bias[${key}]' must be a number in [-100, 100], got ${shown(bias)}.`);
    }
    out.set(id, bias);
  }
  if (out.size > 1024) throw badParam("logit_bias", `'logit_bias' may hold at most 1024 tokens, got ${out.size}.`);
  return out;
}

/** `stop`: a string or up to 4 non-empty strings. */
function stops(b: Body): string[] {
  const stop = b.stop;
  const list = typeof stop === "string" ? [stop] : Array.isArray(stop) ? stop : [];
  if (stop !== undefined && stop !== null && typeof stop !== "string" && !Array.isArray(stop)) {
    throw badParam("stop", "'stop' must be a string or an array of strings.", "invalid_type");
  }
  if (list.length > 4) throw badParam("stop", `'stop' may hold at most 4 strings, got ${list.length}.`);
  if (!list.every((s) => typeof s === "string" && s.length > 0)) {
    throw badParam("stop", "every 'stop' entry must be a non-empty string.", "invalid_type");
  }
  return list;
}

/** `stream` and `stream_options.include_usage`. */
function streaming(b: Body): { stream: boolean; includeUsage: boolean } {
  const stream = bool(b, "stream") ?? false;
  const so = b.stream_options;
  if (so !== undefined && so !== null && (typeof so !== "object" || Array.isArray(so))) {
    throw badParam("stream_options", "'stream_options' must be an object.", "invalid_type");
  }
  if (so && !stream) throw badParam("stream_options", "'stream_options' is only allowed when 'stream' is true.");
  return { stream, includeUsage: bool((so ?? {}) as Body, "include_usage") ?? false };
}

/** `logprobs` (a count on completions, a boolean on chat) and `top_logprobs`. */
function logprobFields(b: Body, asCount: boolean): { logprobs: boolean; top: number } {
  if (asCount) {
    const top = int(b, "logprobs", 0, 20);
    return { logprobs: top !== undefined, top: top ?? 0 };
  }
  const logprobs = bool(b, "logprobs") ?? false;
  const top = int(b, "top_logprobs", 0, 20);
  if (top !== undefined && !logprobs) throw badParam("top_logprobs", "'top_logprobs' needs 'logprobs': true.");
  return { logprobs, top: logprobs ? top ?? 0 : 0 };
}

function stopTokenIds(b: Body): number[] {
  const ids = b.stop_token_ids;
  if (ids === undefined || ids === null) return [];
  if (!Array.isArray(ids) || !ids.every((x) => Number.isInteger(x) && x >= 0)) {
    throw badParam("stop_token_ids", "'stop_token_ids' must be an array of token ids.", "invalid_type");
  }
  if (ids.length > 64) throw badParam("stop_token_ids", `'stop_token_ids' may hold at most 64 ids, got ${ids.length}.`);
  return ids as number[];
}

/**
 * Checks the sampling, limit and streaming fields of a request body.
 * @param b The parsed body.
 * @param maxTokensKeys The names max_tokens may go by on this endpoint.
 * @param logprobsAsCount `logprobs` is an integer count (completions) rather than a boolean (chat).
 */
export function readOptions(b: Body, maxTokensKeys: string[], logprobsAsCount: boolean): RequestOptions {
  refuseUnsupported(b);
  if (b.model !== undefined && typeof b.model !== "string") {
    throw badParam("model", "'model' must be a string.", "invalid_type");
  }
  const n = int(b, "n", 1, MAX_CHOICES) ?? 1;
  let maxTokens: number | undefined;
  for (const k of maxTokensKeys) maxTokens ??= int(b, k, 1);
  const { logprobs, top } = logprobFields(b, logprobsAsCount);
  const gen: RequestOptions["gen"] = { topLogprobs: top, logprobs, stop: stops(b) };
  for (const f of SAMPLING) {
    const v = numberField(b, f);
    if (v !== undefined) gen[f.option] = v;
  }
  const bias = logitBias(b);
  if (bias) gen.logitBias = bias;
  return {
    gen,
    stopTokenIds: stopTokenIds(b),
    ignoreEos: bool(b, "ignore_eos") ?? false,
    n,
    maxTokens,
    ...streaming(b),
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
