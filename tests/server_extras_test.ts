// The server's conveniences: the truncate extension, prefill progress in the
// stream, /tokenize, /detokenize, /props, /metrics (parsed as Prometheus text),
// the request log, HEAD, the favicon and the page's assets, quiet disconnects.
import assert from "node:assert/strict";
import { chat, post, readyHandler, tinyModel } from "./handler_helpers.ts";
import { CachedSession } from "../src/generate/cached_session.ts";

/** A fresh model per test: a handler's scheduler takes the model's free slots. */
const model = (ctx = 128) => tinyModel(1, ctx);

const longChat = Array.from({ length: 16 }, (_, i) => ({
  role: i % 2 ? "assistant" : "user",
  content: `turn ${i}: the river city holds a bright number and the south bridge`,
}));

Deno.test("truncate: without it a long chat is context_length_exceeded; with it the oldest turns go and the answer says how many", async () => {
  const tm = await model();
  const h = await readyHandler(tm);
  const no = await h.fetch(post("/v1/chat/completions", { messages: longChat, max_tokens: 8 }));
  assert.equal(no.status, 400);
  assert.equal((await no.json()).error.code, "context_length_exceeded");
  const yes = await h.fetch(post("/v1/chat/completions", { messages: longChat, max_tokens: 8, truncate: true }));
  assert.equal(yes.status, 200);
  const dropped = Number(yes.headers.get("x-truncated-messages"));
  const body = await yes.json();
  assert.ok(dropped > 0 && dropped % 2 === 0, `whole turns dropped: ${dropped}`);
  assert.equal(body.usage.truncated_messages, dropped);
  assert.ok(body.usage.prompt_tokens + 8 <= 128);
  const bad = await h.fetch(post("/v1/chat/completions", { messages: longChat, truncate: "yes" }));
  assert.equal((await bad.json()).error.param, "truncate");
});

Deno.test("a streamed answer to a long prompt carries prompt_progress comments before its first token", async () => {
  const tm = await model(512);
  const h = await readyHandler(tm);
  const content = Array.from({ length: 40 }, (_, i) => `word${i}`).join(" "); // several prefill blocks of 32
  // Greedy: a sampled answer may stop at once (an end-of-text token first), with no content to come after the progress.
  const res = await h.fetch(
    post("/v1/chat/completions", chat(content, { stream: true, max_tokens: 2, temperature: 0 })),
  );
  const text = await res.text();
  const progress = [...text.matchAll(/^: prompt_progress (\{.*\})$/gm)].map((m) => JSON.parse(m[1]));
  assert.ok(progress.length >= 1, text.slice(0, 300));
  assert.ok(progress.every((p) => p.done < p.total && p.total > 40));
  const firstContent = text.search(/"content":"[^"]/);
  assert.ok(firstContent > 0, `the greedy answer has content: ${text.slice(-400)}`);
  assert.ok(text.lastIndexOf("prompt_progress") < firstContent, "all progress comes before the answer");
});

Deno.test("/tokenize and /detokenize in llama-server's shapes", async () => {
  const tm = await model();
  const h = await readyHandler(tm);
  const t = await (await h.fetch(post("/tokenize", { content: "the quick edge model" }))).json();
  assert.deepEqual(t.tokens, tm.tokenizer.encode("the quick edge model", { addSpecialTokens: false }));
  const pieces = await (await h.fetch(post("/tokenize", { content: "the quick", with_pieces: true }))).json();
  assert.equal(pieces.tokens.map((p: { piece: string }) => p.piece).join(""), "the quick");
  const d = await (await h.fetch(post("/detokenize", { tokens: t.tokens }))).json();
  assert.equal(d.content, "the quick edge model");
  const bad = await h.fetch(post("/detokenize", { tokens: [1, 99999] }));
  assert.equal(bad.status, 400);
  assert.equal((await bad.json()).error.param, "tokens");
});

Deno.test("/props says what a client needs; /metrics is Prometheus text that parses and counts", async () => {
  const lines: string[] = [];
  const tm = await model();
  const h = await readyHandler(tm, { log: (l) => lines.push(l) });
  const props = await (await h.fetch(new Request("http://x/props"))).json();
  assert.equal(props.model, "tiny-falcon-e");
  assert.equal(props.default_generation_settings.n_ctx, 128);
  assert.ok(props.chat_template.length > 0 && props.total_slots === 1);
  // EOS ignored: the counts below are the 4 tokens asked for, whatever is sampled (an end-of-text token would stop short).
  await (await h.fetch(post("/v1/chat/completions", chat("hello", { max_tokens: 4, ignore_eos: true })))).json();
  await (await h.fetch(new Request("http://x/nope"))).body?.cancel();
  const text = await (await h.fetch(new Request("http://x/metrics"))).text();
  const samples = new Map<string, number>();
  for (const line of text.split("\n")) {
    if (line === "" || line.startsWith("#")) continue;
    const m = line.match(/^([a-z_]+(?:\{[^}]*\})?) (-?[\d.e+-]+|\+Inf)$/);
    assert.ok(m, `not an exposition line: ${JSON.stringify(line)}`);
    samples.set(m[1], Number(m[2]));
  }
  assert.equal(samples.get('falcon_e_requests_total{route="/v1/chat/completions",status="200"}'), 1);
  assert.equal(samples.get('falcon_e_requests_total{route="unknown",status="404"}'), 1);
  assert.equal(samples.get("falcon_e_generated_tokens_total"), 4);
  assert.equal(samples.get("falcon_e_time_to_first_token_seconds_count"), 1);
  assert.equal(samples.get('falcon_e_time_to_first_token_seconds_bucket{le="+Inf"}'), 1);
  assert.equal(samples.get("falcon_e_slots"), 1);
  assert.match(
    lines.join("\n"),
    /^chatcmpl-\w+ json prompt=\d+ cached=\d+ completion=4 ttft=\d+ms decode=[\d.]+tok\/s finish=length$/m,
  );
});

Deno.test("a stream whose client leaves mid-answer is logged and counted, finish=abort, with the tokens it got", async () => {
  const tm = await model();
  const lines: string[] = [];
  const h = await readyHandler(tm, { log: (l) => lines.push(l) });
  const res = await h.fetch(
    post("/v1/chat/completions", chat("hello", { max_tokens: 60, stream: true, ignore_eos: true })),
  );
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  while ((text.match(/"content":/g) ?? []).length < 4) text += (await reader.read()).value; // role chunk + 3 tokens
  await reader.cancel();
  for (let i = 0; i < 50 && lines.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
  assert.equal(lines.length, 1, "one line for the generation");
  const got = Number(lines[0].match(/ completion=(\d+) /)?.[1]);
  assert.match(lines[0], /^chatcmpl-\w+ stream prompt=\d+ cached=\d+ completion=\d+ ttft=\d+ms .* finish=abort$/);
  assert.ok(got >= 3 && got < 60, lines[0]);
  const metrics = await (await h.fetch(new Request("http://x/metrics"))).text();
  assert.match(metrics, new RegExp(`^falcon_e_generated_tokens_total ${got}$`, "m"));
});

Deno.test("a stream whose generation fails mid-answer is logged finish=error, with the tokens it got", async () => {
  const tm = await model();
  const lines: string[] = [];
  const h = await readyHandler(tm, { log: (l) => lines.push(l) });
  const step = CachedSession.prototype.step;
  let calls = 0;
  CachedSession.prototype.step = function (id, signal) {
    if (++calls > 3) return Promise.reject(new Error("the engine broke (test)"));
    return step.call(this, id, signal);
  };
  try {
    const res = await h.fetch(
      post("/v1/chat/completions", chat("hello", { max_tokens: 60, stream: true, ignore_eos: true })),
    );
    await res.text().catch(() => "");
  } finally {
    CachedSession.prototype.step = step;
  }
  for (let i = 0; i < 50 && lines.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
  assert.equal(lines.length, 1, "one line for the generation");
  assert.match(lines[0], / stream prompt=\d+ cached=\d+ completion=4 ttft=\d+ms .* finish=error$/);
});

Deno.test("HEAD on GET routes answers with GET's status and headers, no body; favicon and assets are served", async () => {
  const tm = await model();
  const h = await readyHandler(tm);
  const head = await h.fetch(new Request("http://x/health", { method: "HEAD" }));
  assert.equal(head.status, 200);
  assert.equal(await head.text(), "");
  const icon = await h.fetch(new Request("http://x/favicon.ico"));
  assert.equal(icon.headers.get("content-type"), "image/svg+xml");
  await icon.body?.cancel();
  for (const a of ["marked.js", "purify.js"]) {
    const r = await h.fetch(new Request(`http://x/assets/${a}`));
    assert.equal(r.status, 200);
    assert.match(await r.text(), a === "marked.js" ? /marked v\d/ : /DOMPurify \d/);
  }
  assert.equal((await h.fetch(new Request("http://x/assets/../mod.ts"))).status, 404);
});

Deno.test("a client that leaves mid-stream is not logged as an error", async () => {
  const tm = await model();
  const h = await readyHandler(tm);
  const logged: unknown[][] = [];
  const orig = console.error;
  console.error = (...a: unknown[]) => void logged.push(a);
  try {
    for (let i = 0; i < 5; i++) {
      const ctrl = new AbortController();
      const res = await h.fetch(post("/v1/chat/completions", chat("tell me more", { stream: true }), {}, ctrl.signal));
      const reader = res.body!.getReader();
      await reader.read();
      await reader.read();
      ctrl.abort();
      await reader.cancel();
    }
    await new Promise((r) => setTimeout(r, 50));
  } finally {
    console.error = orig;
  }
  assert.deepEqual(logged, []);
  const health = await (await h.fetch(new Request("http://x/health"))).json();
  assert.equal(health.queue.active, 0, "every slot was freed");
});
