/**
 * What the text path costs on top of the engine: the same prompt and greedy
 * decode of N tokens, (a) raw (`Session.feed` of argmax ids) and (b) streamed
 * through the real server (`deno serve`-style `Deno.serve` over loopback, SSE read by
 * fetch), alternating in rounds. Not a test; prints one JSON line per round
 * and a summary with the median ratio.
 *
 *   deno run -A bench/serve_overhead.ts [--model DIR] [--tokens 200] [--rounds 5] [--threads N]
 */
import { argmax } from "../src/engine/argmax.ts";
import { loadTextModel } from "../src/generate/text_model.ts";
import { createHandler } from "../src/serve/handler.ts";
import { flag } from "./args.ts";
import { cpuModel } from "./machine.ts";

const MODEL = flag("model", new URL("../tests/fixtures/tiny-falcon-e", import.meta.url).pathname);
const TOKENS = Number(flag("tokens", "200"));
const ROUNDS = Number(flag("rounds", "5"));
const THREADS = Number(flag("threads", "1"));
const PROMPT = [577, 467, 511, 300, 12, 99, 5, 42];

const tm = await loadTextModel(MODEL, { contextLength: PROMPT.length + TOKENS + 8, maxSessions: 2, threads: THREADS });
const rawSession = tm.model.createSession(); // the other slot goes to the server's scheduler

/** Raw engine: the prompt, then TOKENS greedy steps (TOKENS + 1 tokens, as the server's); ms in all. */
function raw(): number {
  const t0 = performance.now();
  const s = rawSession;
  s.reset();
  let logits = s.feed(PROMPT);
  for (let i = 0; i < TOKENS; i++) logits = s.feed([argmax(logits)]);
  return performance.now() - t0;
}

const handler = createHandler({ model: tm });
const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, handler.fetch);
const url = `http://127.0.0.1:${(server.addr as Deno.NetAddr).port}/v1/completions`;

/** Through the server: ms from sending the request to the stream's end (TOKENS + 1 tokens). */
async function served(): Promise<number> {
  const t0 = performance.now();
  const res = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      prompt: PROMPT,
      max_tokens: TOKENS + 1,
      temperature: 0,
      stream: true,
      ignore_eos: true,
      stop_token_ids: [],
      stream_options: { include_usage: true },
    }),
  });
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  let generated = -1, buf = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buf += value;
    let i;
    while ((i = buf.indexOf("\n\n")) >= 0) {
      const frame = buf.slice(0, i);
      buf = buf.slice(i + 2);
      // a token whose text is held back (part of a UTF-8 character) sends no chunk: count by the usage
      if (frame.startsWith("data: {") && frame.includes('"usage":{')) {
        generated = JSON.parse(frame.slice(6)).usage.completion_tokens;
      }
    }
  }
  if (generated !== TOKENS + 1) throw new Error(`the server generated ${generated} tokens, not ${TOKENS + 1}`);
  return performance.now() - t0;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
raw(), await served(); // warm-up
const ratios: number[] = [], raws: number[] = [], serves: number[] = [];
for (let r = 0; r < ROUNDS; r++) {
  const [a, b] = r % 2 ? [await served(), raw()].reverse() : [raw(), await served()];
  raws.push(a), serves.push(b), ratios.push(b / a);
  console.log(
    JSON.stringify({ round: r, raw_ms: +a.toFixed(1), served_ms: +b.toFixed(1), ratio: +(b / a).toFixed(3) }),
  );
}
console.log(JSON.stringify({
  machine: `${cpuModel()} x${navigator.hardwareConcurrency}`,
  runtime: `Deno ${Deno.version.deno}`,
  model: MODEL,
  tokens: TOKENS,
  threads: THREADS,
  raw_ms: +median(raws).toFixed(1),
  served_ms: +median(serves).toFixed(1),
  served_over_raw_time: +median(ratios).toFixed(3),
}));
await server.shutdown();
tm.model.dispose();
