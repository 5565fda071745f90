/**
 * The text commands of `deno task cli`: `generate --prompt` and `chat`.
 * @module
 */

import { type Args, intFlag, kvFlag, lmHeadFlag, numberFlag, UsageError } from "./args.ts";
import { generate, type GenerateOptions } from "../generate/generate.ts";
import { type CachedSession, Scheduler } from "../generate/scheduler.ts";
import { loadTextModel, type TextModel } from "../generate/text_model.ts";

const enc = new TextEncoder();
const write = (s: string) => Deno.stdout.writeSync(enc.encode(s));

async function load(args: Args): Promise<TextModel> {
  const dir = args.flags.get("model");
  if (!dir) {
    throw new UsageError(
      "--model is required: a checkpoint directory or URL base",
    );
  }
  const ctx = intFlag(args, "ctx", undefined, 1);
  const threads = intFlag(args, "threads", undefined, 1, 256);
  return await loadTextModel(
    dir,
    {
      ...(ctx === undefined ? {} : { contextLength: ctx }),
      kvCache: kvFlag(args),
      lmHead: lmHeadFlag(args),
      ...(threads === undefined ? {} : { threads }),
    },
  );
}

function sampling(
  args: Args,
  tm: TextModel,
  promptTokens: number,
): GenerateOptions {
  const room = tm.model.contextLength - promptTokens;
  const maxTokens = Math.min(intFlag(args, "max-tokens", 256, 1)!, room);
  if (room < 1) {
    throw new UsageError(
      `the prompt (${promptTokens} tokens) fills the context (${tm.model.contextLength}); raise --ctx`,
    );
  }
  const o: GenerateOptions = {
    maxTokens,
    temperature: numberFlag(args, "temperature", 0.7, 0, 2),
    topP: numberFlag(args, "top-p", 1, Number.MIN_VALUE, 1),
    topK: intFlag(args, "top-k", 0, 0)!,
    minP: numberFlag(args, "min-p", 0, 0, 1),
  };
  const seed = intFlag(args, "seed", undefined, 0);
  if (seed !== undefined) o.seed = seed;
  return o;
}

function render(
  tm: TextModel,
  messages: { role: string; content: string }[],
): number[] {
  if (!tm.chatTemplate) {
    throw new UsageError(
      "this checkpoint has no chat template; use generate --prompt without --chat",
    );
  }
  const text = tm.chatTemplate.render(messages, {
    addGenerationPrompt: true,
    bosToken: tm.tokenizer.bos?.token ?? "",
    eosToken: tm.tokenizer.eos?.token ?? "",
  });
  return tm.tokenizer.encode(text, { addSpecialTokens: false });
}

async function stream(
  tm: TextModel,
  session: CachedSession,
  prompt: number[],
  opts: GenerateOptions,
  out: (s: string) => void,
) {
  const t0 = performance.now();
  const it = generate(tm, session, prompt, opts);
  const ids: number[] = [];
  let text = "";
  let first = 0;
  let r = await it.next();
  while (!r.done) {
    if (r.value.id !== undefined) ids.push(r.value.id);
    if (!first) first = performance.now();
    text += r.value.text;
    out(r.value.text);
    r = await it.next();
  }
  const end = performance.now();
  return {
    text,
    ids,
    summary: r.value,
    prefillMs: first - t0,
    decodeMs: end - first,
  };
}

/** `generate --prompt "..." [--chat]`: streams the text; `--json` prints one JSON line instead. */
export async function generateText(args: Args): Promise<unknown> {
  const t0 = performance.now();
  const tm = await load(args);
  const loadMs = performance.now() - t0;
  const promptText = args.flags.get("prompt")!;
  const system = args.flags.get("system");
  const prompt = args.flags.get("chat") === "true"
    ? render(tm, [...(system ? [{ role: "system", content: system }] : []), {
      role: "user",
      content: promptText,
    }])
    : tm.tokenizer.encode(promptText);
  const lease = await new Scheduler(tm.model, 0).acquire();
  const json = args.flags.get("json") === "true";
  try {
    const r = await stream(
      tm,
      lease.session,
      prompt,
      sampling(args, tm, prompt.length),
      json ? () => {} : write,
    );
    const timings = {
      load_ms: Math.round(loadMs),
      prefill_tokens: prompt.length,
      prefill_ms: Math.round(r.prefillMs),
      decode_tokens: Math.max(0, r.summary.completionTokens - 1),
      decode_ms: Math.round(r.decodeMs),
    };
    if (json) {
      return {
        text: r.text,
        ids: r.ids,
        finish_reason: r.summary.finishReason,
        timings,
      };
    }
    write("\n");
    console.error(
      `[${r.summary.completionTokens} tokens, ${
        (timings.decode_tokens / (timings.decode_ms / 1000 || 1)).toFixed(1)
      } tok/s, finish: ${r.summary.finishReason}]`,
    );
    return undefined;
  } finally {
    lease.release();
  }
}

/** `chat`: an interactive chat on the terminal. Empty line or EOF ends it; /reset clears the history. */
export async function chatRepl(args: Args): Promise<undefined> {
  const tm = await load(args);
  const system = args.flags.get("system");
  const messages: { role: string; content: string }[] = system ? [{ role: "system", content: system }] : [];
  const lease = await new Scheduler(tm.model, 0).acquire();
  const interactive = Deno.stdin.isTerminal();
  console.error(
    `${tm.id}: type a message; /reset clears the chat; an empty line or Ctrl-D quits.`,
  );
  const lines = Deno.stdin.readable.pipeThrough(new TextDecoderStream())
    .getReader();
  let buf = "";
  const readLine = async (): Promise<string | null> => {
    for (;;) {
      const i = buf.indexOf("\n");
      if (i >= 0) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 1);
        return line.replace(/\r$/, "");
      }
      const { value, done } = await lines.read();
      if (done) return buf.length ? (buf = "", buf) : null;
      buf += value;
    }
  };
  try {
    for (;;) {
      if (interactive) write("> ");
      const line = await readLine();
      if (line === null || line.trim() === "") break;
      if (line.trim() === "/reset") {
        messages.splice(system ? 1 : 0);
        console.error("(chat cleared)");
        continue;
      }
      messages.push({ role: "user", content: line });
      const prompt = render(tm, messages);
      const r = await stream(
        tm,
        lease.session,
        prompt,
        sampling(args, tm, prompt.length),
        write,
      );
      write("\n");
      messages.push({ role: "assistant", content: r.text });
      const tps = (r.summary.completionTokens - 1) / (r.decodeMs / 1000 || 1);
      console.error(
        `[${r.summary.completionTokens} tokens, ${
          tps.toFixed(1)
        } tok/s, ${r.summary.cachedTokens} prompt tokens reused]`,
      );
    }
  } finally {
    lease.release();
  }
  return undefined;
}
