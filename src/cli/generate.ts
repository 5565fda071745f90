/**
 * `deno task cli generate`: a completion of a prompt (from --prompt,
 * --prompt-file or stdin), streamed to stdout or printed as one JSON line
 * with --json; with --ids, greedy ids of token ids and their timings.
 * @module
 */

import { FalconE, type GenerationOptions } from "../generate/falcon_e.ts";
import { loadTextModel } from "../generate/text_model.ts";
import { argmax } from "../engine/argmax.ts";
import {
  type Args,
  idsFlag,
  intFlag,
  MODEL_OPTIONS,
  numberFlag,
  type OptionSpec,
  type TaskSpec,
  UsageError,
} from "./args.ts";
import { modelLocation, modelOptions } from "./model.ts";

/** The sampling flags of `generate` and `chat`, as in the HTTP API. */
export const SAMPLING_OPTIONS: Record<string, OptionSpec> = {
  "max-tokens": {
    type: "string",
    value: "N",
    int: [1, 1 << 20],
    help: "most tokens to generate (default: what the context leaves)",
  },
  temperature: { type: "string", value: "T", number: [0, 2], help: "0 is greedy (default 0.7)" },
  "top-p": { type: "string", value: "P", number: [Number.MIN_VALUE, 1], help: "nucleus sampling mass (default 1)" },
  "top-k": { type: "string", value: "K", int: [0, 1 << 20], help: "keep the K most likely tokens (0: off)" },
  "min-p": { type: "string", value: "P", number: [0, 1], help: "drop tokens less likely than P times the top one" },
  "repetition-penalty": {
    type: "string",
    value: "R",
    number: [Number.MIN_VALUE, 10],
    help: "transformers' repetition penalty",
  },
  seed: { type: "string", value: "S", int: [0, Number.MAX_SAFE_INTEGER], help: "same seed, same output" },
  stop: { type: "string", value: "TEXT", help: "end before this text" },
};

/** The options of `cli generate`. */
export const GENERATE_SPEC: TaskSpec = {
  usage: 'deno task cli generate --model M (--prompt "text" | --prompt-file F | --ids 1,2,3 | < file) [options]',
  about: "Streams a completion of the prompt (stdin when neither --prompt nor --prompt-file is given).",
  options: {
    ...MODEL_OPTIONS,
    ...SAMPLING_OPTIONS,
    prompt: { type: "string", value: "TEXT", help: "the prompt" },
    "prompt-file": { type: "string", value: "FILE", help: "read the prompt from a file" },
    ids: { type: "string", value: "1,2,3", help: "token ids instead of text: prints greedy ids and timings as JSON" },
    chat: { type: "boolean", help: "wrap the prompt in the chat template, as a user message" },
    system: { type: "string", value: "TEXT", help: "a system message (with --chat)" },
    json: {
      type: "boolean",
      help: 'print one JSON line {"text", "finish_reason", "usage", "timings"} instead of streaming',
    },
    "stop-at-eos": { type: "boolean", help: "with --ids: stop at the end-of-sequence token" },
  },
};

/** The sampling options the flags ask for. */
export function samplingOf(args: Args, temperature = 0.7): GenerationOptions {
  const o: GenerationOptions = { temperature: numberFlag(args, "temperature", temperature) };
  const set = <K extends keyof GenerationOptions>(k: K, v: GenerationOptions[K] | undefined) =>
    v !== undefined && (o[k] = v);
  set("maxTokens", intFlag(args, "max-tokens"));
  set("topP", numberFlag(args, "top-p"));
  set("topK", intFlag(args, "top-k"));
  set("minP", numberFlag(args, "min-p"));
  set("repetitionPenalty", numberFlag(args, "repetition-penalty"));
  set("seed", intFlag(args, "seed"));
  set("stop", args.flags.get("stop"));
  return o;
}

/** The prompt text from --prompt, --prompt-file or stdin (exactly one). */
async function promptText(args: Args): Promise<string> {
  const given = ["prompt", "prompt-file", "ids"].filter((f) => args.flags.has(f));
  if (given.length > 1) {
    throw new UsageError(
      `give one of --prompt, --prompt-file and --ids, not ${given.map((f) => `--${f}`).join(" and ")}`,
    );
  }
  if (args.flags.has("prompt")) return args.flags.get("prompt")!;
  if (args.flags.has("prompt-file")) return await Deno.readTextFile(args.flags.get("prompt-file")!);
  if (Deno.stdin.isTerminal()) {
    throw new UsageError("no prompt: give --prompt, --prompt-file or --ids, or pipe the prompt to stdin");
  }
  return await new Response(Deno.stdin.readable).text();
}

/** `--ids`: greedy continuation of token ids, as JSON with timings. */
async function generateIds(args: Args): Promise<unknown> {
  if (["prompt", "prompt-file"].some((f) => args.flags.has(f))) {
    throw new UsageError("give either --ids or a text prompt, not both");
  }
  const ids = idsFlag(args);
  const maxTokens = intFlag(args, "max-tokens", 24)!;
  const t0 = performance.now();
  const { location, id } = await modelLocation(args);
  const tm = await loadTextModel(location, { ...modelOptions(args), ...(id ? { id } : {}) });
  const loadMs = performance.now() - t0;
  const model = tm.model;
  if (ids.length + maxTokens > model.contextLength) {
    throw new UsageError(
      `${ids.length} prompt + ${maxTokens} new tokens exceed the context (${model.contextLength}); raise --ctx`,
    );
  }
  using s = model.createSession();
  const t1 = performance.now();
  let logits = s.feed(ids);
  const prefillMs = performance.now() - t1, t2 = performance.now(), out: number[] = [];
  while (out.length < maxTokens) {
    const next = argmax(logits);
    out.push(next);
    if ((args.flags.has("stop-at-eos") && tm.stopTokenIds.includes(next)) || out.length === maxTokens) break;
    logits = s.feed([next]);
  }
  const round = (x: number) => Math.round(x * 100) / 100;
  const timings = { load_ms: round(loadMs), prefill_tokens: ids.length, prefill_ms: round(prefillMs) };
  model.dispose();
  return { ids: out, timings: { ...timings, decode_tokens: out.length - 1, decode_ms: round(performance.now() - t2) } };
}

/** `generate`: streams the text (or prints one JSON line with --json). */
export async function generateText(args: Args): Promise<unknown> {
  if (args.flags.has("ids")) return await generateIds(args);
  const text = await promptText(args);
  const t0 = performance.now();
  const { location, id } = await modelLocation(args);
  const llm = FalconE.from(await loadTextModel(location, { ...modelOptions(args), ...(id ? { id } : {}) }));
  const loadMs = performance.now() - t0;
  try {
    const json = args.flags.has("json"), opts = samplingOf(args);
    const system = args.flags.get("system");
    const messages = [...(system ? [{ role: "system", content: system }] : []), { role: "user", content: text }];
    const t1 = performance.now();
    let first = 0;
    const stream = args.flags.has("chat") ? llm.chat(messages, opts) : llm.stream(text, opts);
    const enc = new TextEncoder();
    for await (const piece of stream) {
      first ||= performance.now();
      if (!json) Deno.stdout.writeSync(enc.encode(piece));
    }
    const c = await stream.completion, end = performance.now();
    const tps = c.usage.completionTokens > 1 && first ? (c.usage.completionTokens - 1) / ((end - first) / 1000) : 0;
    if (!json) {
      Deno.stdout.writeSync(enc.encode("\n"));
      console.error(`[${c.usage.completionTokens} tokens, ${tps.toFixed(1)} tok/s, finish: ${c.finishReason}]`);
      return undefined;
    }
    return {
      text: c.text,
      finish_reason: c.finishReason,
      usage: c.usage,
      timings: {
        load_ms: Math.round(loadMs),
        prefill_ms: Math.round((first || end) - t1),
        total_ms: Math.round(end - t1),
      },
    };
  } finally {
    llm.dispose();
  }
}
