/**
 * Time to first token of a chat request through the real server: starts
 * `deno task serve` (src/cli/serve.ts) on the model at each thread count,
 * sends a streamed chat request whose prompt renders to about N tokens (a
 * fresh prompt each round, so no cached prefix helps), and times from
 * sending it to the first content chunk. Not a test; one JSON line per
 * round, then a summary per thread count.
 *
 *   deno run -A bench/ttft.ts [--model DIR] [--threads 1,2] [--prompt-tokens 500] [--rounds 3]
 */
import { TextTokenizer } from "../src/text/tokenizer.ts";
import { ChatTemplate, chatTemplateOf } from "../src/text/chat_template.ts";
import { flag } from "./args.ts";
import { cpuModel } from "./machine.ts";
import { readUntil } from "./child.ts";
import { freePort } from "../tests/net.ts";

const DIR = flag("model", "/tmp/falcon-e-synth/falcon-e-1b");
const THREADS = flag("threads", "1,2").split(",").map(Number);
const TOKENS = Number(flag("prompt-tokens", "500"));
const ROUNDS = Number(flag("rounds", "3"));

const tokJson = await Deno.readTextFile(`${DIR}/tokenizer.json`);
const tokConfig = await Deno.readTextFile(`${DIR}/tokenizer_config.json`);
const tok = TextTokenizer.fromFiles(tokJson, tokConfig);
const template = new ChatTemplate(chatTemplateOf(JSON.parse(tokConfig)));

/** A user message whose chat rendering is `TOKENS` tokens or just over, different per seed. */
function prompt(seed: number): { content: string; tokens: number } {
  const words = ["edge", "model", "ternary", "weights", "stream", "kernel", "token", "memory", "thread", "prefill"];
  const parts: string[] = [`round ${seed}:`];
  const count = () =>
    tok.encode(template.render([{ role: "user", content: parts.join(" ") }], { addGenerationPrompt: true }), {
      addSpecialTokens: false,
    }).length;
  for (let i = 0; count() < TOKENS; i++) parts.push(words[(i * 7 + seed) % words.length] + String((i * seed) % 97));
  return { content: parts.join(" "), tokens: count() };
}

async function serve(threads: number): Promise<{ url: string; stop: () => Promise<void> }> {
  const port = freePort();
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      new URL("../src/cli/serve.ts", import.meta.url).pathname,
      "--model",
      DIR,
      "--port",
      String(port),
    ]
      .concat(["--threads", String(threads), "--ctx", String(TOKENS + 64)]),
    stdout: "null",
    stderr: "piped",
  }).spawn();
  await readUntil(child.stderr, (t) => t.includes("listening on"), "the server");
  child.stderr.cancel().catch(() => {});
  return {
    url: `http://127.0.0.1:${port}/v1/chat/completions`,
    stop: async () => {
      child.kill("SIGTERM");
      await child.status;
    },
  };
}

/** ms from sending the request to the first chunk that carries text. */
async function ttft(url: string, content: string): Promise<number> {
  const t0 = performance.now();
  const res = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ messages: [{ role: "user", content }], max_tokens: 4, stream: true, temperature: 0 }),
  });
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  let buf = "", first = 0;
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buf += value;
    if (!first && /"content":"[^"]/.test(buf)) first = performance.now();
  }
  if (!first) throw new Error(`no content in the stream:\n${buf.slice(0, 500)}`);
  return first - t0;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
for (const threads of THREADS) {
  const server = await serve(threads);
  try {
    await ttft(server.url, prompt(0).content); // warm-up
    const times: number[] = [];
    for (let r = 1; r <= ROUNDS; r++) {
      const p = prompt(r);
      const ms = await ttft(server.url, p.content);
      times.push(ms);
      console.log(JSON.stringify({ threads, round: r, prompt_tokens: p.tokens, ttft_ms: Math.round(ms) }));
    }
    console.log(JSON.stringify({
      bench: "ttft",
      machine: `${cpuModel()} x${navigator.hardwareConcurrency}`,
      model: DIR,
      threads,
      prompt_tokens: TOKENS,
      ttft_ms_median: Math.round(median(times)),
      ttft_ms: times.map(Math.round),
    }));
  } finally {
    await server.stop();
  }
}
