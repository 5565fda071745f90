/**
 * `deno task cli <command>`: drive the engine from a terminal.
 *
 *   logits   --model DIR|URL --ids 1,2,3 [--ctx N]
 *            prints {"argmax": [per position], "last_logits": [vocab floats]}
 *   generate --model DIR|URL --ids 1,2,3 [--max-tokens 24] [--temperature 0] [--ctx N] [--stop-at-eos]
 *            prints {"ids": [generated], "timings": {...}}
 *   generate --model DIR|URL --prompt "text" [--chat] [--system S] [sampling flags] [--json]
 *            streams the text (or prints {"text", "ids", "timings"} with --json)
 *   chat     --model DIR|URL [--system S] [sampling flags]   an interactive chat
 * Sampling flags: --max-tokens N --temperature T --top-p P --top-k K --min-p P --seed S
 * @module
 */

import { type Args, idsFlag, intFlag, kvFlag, lmHeadFlag, numberFlag, parseArgs, UsageError } from "./args.ts";
import { loadModel } from "../load/load_model.ts";
import type { Model } from "../engine/model.ts";
import { argmax } from "../engine/argmax.ts";
import { chatRepl, generateText } from "./text.ts";

const USAGE = `usage:
  deno task cli logits   --model DIR|URL --ids 1,2,3 [--ctx N]
  deno task cli generate --model DIR|URL --ids 1,2,3 [--max-tokens 24] [--temperature 0] [--ctx N] [--stop-at-eos]
  deno task cli generate --model DIR|URL --prompt "text" [--chat] [--system S] [--json] [sampling flags]
  deno task cli chat     --model DIR|URL [--system S] [sampling flags]
sampling flags: --max-tokens N --temperature T --top-p P --top-k K --min-p P --seed S --ctx N
every command: --kv f32|f16 (KV cache precision, default f32 = transformers' numbers)
              --threads N (threads per forward pass, default every core)
              --lm-head bf16|int8 (lm_head weights, default bf16 as shipped; int8: faster, logits approximate)`;

async function load(args: Args): Promise<{ model: Model; loadMs: number }> {
  const dir = args.flags.get("model");
  if (!dir) {
    throw new UsageError(
      "--model is required: a checkpoint directory or URL base",
    );
  }
  const t0 = performance.now();
  const ctx = intFlag(args, "ctx", undefined, 1);
  const threads = intFlag(args, "threads", undefined, 1, 256);
  const model = await loadModel(
    dir,
    {
      ...(ctx === undefined ? {} : { contextLength: ctx }),
      kvCache: kvFlag(args),
      lmHead: lmHeadFlag(args),
      ...(threads === undefined ? {} : { threads }),
    },
  );
  return { model, loadMs: performance.now() - t0 };
}

async function logits(args: Args): Promise<unknown> {
  const ids = idsFlag(args);
  const { model } = await load(args);
  using s = model.createSession();
  const all = s.feed(ids, { allLogits: true });
  const v = model.config.vocabSize;
  const am = ids.map((_, t) => argmax(all.subarray(t * v, (t + 1) * v)));
  return {
    argmax: am,
    last_logits: Array.from(all.subarray((ids.length - 1) * v)),
  };
}

async function generate(args: Args): Promise<unknown> {
  if (args.flags.has("prompt")) return await generateText(args);
  const ids = idsFlag(args);
  const maxTokens = intFlag(args, "max-tokens", 24, 0)!;
  const temperature = numberFlag(args, "temperature", 0, 0, 0);
  void temperature; // greedy only here; sampling comes with the text layer
  const stopAtEos = args.flags.get("stop-at-eos") === "true";
  const { model, loadMs } = await load(args);
  using s = model.createSession();
  if (ids.length + maxTokens > model.contextLength) {
    throw new UsageError(
      `${ids.length} prompt + ${maxTokens} new tokens exceed the context (${model.contextLength}); raise --ctx`,
    );
  }
  const eos = new Set(model.config.eosTokenIds);
  const out: number[] = [];
  const t0 = performance.now();
  let logits = s.feed(ids);
  const prefillMs = performance.now() - t0;
  const t1 = performance.now();
  let decoded = 0;
  while (out.length < maxTokens) {
    const next = argmax(logits);
    out.push(next);
    if ((stopAtEos && eos.has(next)) || out.length === maxTokens) break;
    logits = s.feed([next]);
    decoded++;
  }
  const decodeMs = performance.now() - t1;
  return {
    ids: out,
    timings: {
      load_ms: round(loadMs),
      prefill_tokens: ids.length,
      prefill_ms: round(prefillMs),
      decode_tokens: decoded,
      decode_ms: round(decodeMs),
    },
  };
}

function round(x: number): number {
  return Math.round(x * 100) / 100;
}

const COMMANDS: Record<string, (a: Args) => Promise<unknown>> = {
  logits,
  generate,
  chat: chatRepl,
};

/** Runs one CLI command; returns the process exit code. */
export async function main(argv: string[]): Promise<number> {
  try {
    const args = parseArgs(argv, ["stop-at-eos", "help", "chat", "json"]);
    const cmd = args.positional[0];
    if (!cmd || args.flags.has("help") || !(cmd in COMMANDS)) {
      console.error(
        cmd && !(cmd in COMMANDS) ? `unknown command "${cmd}"\n${USAGE}` : USAGE,
      );
      return cmd && !args.flags.has("help") ? 2 : 0;
    }
    const result = await COMMANDS[cmd](args);
    if (result !== undefined) console.log(JSON.stringify(result));
    return 0;
  } catch (e) {
    console.error(`error: ${(e as Error).message}`);
    return e instanceof UsageError ? 2 : 1;
  }
}

if (import.meta.main) Deno.exit(await main(Deno.args));
