// The fetch handler, called directly (no server): routes, formats, sampling
// controls and every error status.
import assert from "node:assert/strict";
import { createHandler } from "../src/serve/handler.ts";
import { TILE_FORMS } from "../src/engine/tiles.ts";
import { chat, post, readyHandler, sseEvents, tinyModel } from "./handler_helpers.ts";

const tm = await tinyModel(1);
const h = await readyHandler(tm);
type Json = Record<string, any>;

Deno.test("chat completions answer in the OpenAI shape with usage", async () => {
  const res = await h.fetch(
    post(
      "/v1/chat/completions",
      chat("the river city holds a bright number", {
        max_tokens: 6,
        temperature: 0,
      }),
    ),
  );
  assert.equal(res.status, 200);
  assert.match(res.headers.get("content-type")!, /application\/json/);
  const j: Json = await res.json();
  assert.match(j.id, /^chatcmpl-/);
  assert.equal(j.object, "chat.completion");
  assert.equal(j.model, "tiny-falcon-e");
  assert.equal(j.choices.length, 1);
  assert.equal(j.choices[0].message.role, "assistant");
  assert.equal(typeof j.choices[0].message.content, "string");
  assert.equal(j.choices[0].finish_reason, "length");
  // the fixture's chat renders to 22 tokens (reference.json)
  assert.deepEqual({ ...j.usage, prompt_tokens_details: undefined }, {
    prompt_tokens: 22,
    completion_tokens: 6,
    total_tokens: 28,
    prompt_tokens_details: undefined,
  });
});

Deno.test("greedy chat is deterministic and equals the engine's own greedy ids", async () => {
  const a: Json = await (await h.fetch(
    post(
      "/v1/chat/completions",
      chat("which bridge opens at 7?", { max_tokens: 10, temperature: 0 }),
    ),
  )).json();
  const b: Json = await (await h.fetch(
    post(
      "/v1/chat/completions",
      chat("which bridge opens at 7?", { max_tokens: 10, temperature: 0 }),
    ),
  )).json();
  assert.equal(a.choices[0].message.content, b.choices[0].message.content);
  // the second request reuses the cached prompt prefix
  assert.ok(b.usage.prompt_tokens_details.cached_tokens > 0);
  // same ids as a fresh engine session running argmax
  const ids = tm.tokenizer.encode(
    tm.chatTemplate!.render([{
      role: "user",
      content: "which bridge opens at 7?",
    }], { addGenerationPrompt: true }),
    { addSpecialTokens: false },
  );
  const m = await tinyModel(1);
  using s = m.model.createSession();
  let logits = s.feed(ids);
  const out: number[] = [];
  for (let i = 0; i < 10; i++) {
    let best = 0;
    for (let j = 1; j < logits.length; j++) {
      if (logits[j] > logits[best]) best = j;
    }
    out.push(best);
    logits = s.feed([best]);
  }
  if (!out.some((id) => tm.stopTokenIds.includes(id))) {
    assert.equal(
      a.choices[0].message.content,
      tm.tokenizer.decode(out, { skipSpecialTokens: true }),
    );
  }
});

Deno.test("the same seed gives the same sampled text; another seed another", async () => {
  const ask = (seed: number) =>
    h.fetch(
      post(
        "/v1/chat/completions",
        chat("hello there", { max_tokens: 16, temperature: 1, seed }),
      ),
    );
  const [a, b, c]: Json[] = await Promise.all(
    [ask(7), ask(7), ask(8)].map(async (p) => (await p).json()),
  );
  assert.equal(a.choices[0].message.content, b.choices[0].message.content);
  assert.notEqual(a.choices[0].message.content, c.choices[0].message.content);
});

Deno.test("streaming chat sends role, content pieces, finish_reason, usage and [DONE]", async () => {
  const res = await h.fetch(
    post(
      "/v1/chat/completions",
      chat("hello", {
        max_tokens: 5,
        stream: true,
        stream_options: { include_usage: true },
        seed: 1,
      }),
    ),
  );
  assert.equal(res.status, 200);
  assert.match(res.headers.get("content-type")!, /text\/event-stream/);
  const ev = await sseEvents(res) as Json[];
  assert.equal(ev.at(-1), "[DONE]");
  const chunks = ev.slice(0, -1);
  assert.ok(
    chunks.every((c) => c.object === "chat.completion.chunk" && c.id === chunks[0].id),
  );
  assert.deepEqual(chunks[0].choices[0].delta, {
    role: "assistant",
    content: "",
  });
  const usage = chunks.at(-1)!;
  assert.deepEqual(usage.choices, []);
  assert.equal(usage.usage.completion_tokens, 5);
  const last = chunks.at(-2)!;
  assert.equal(last.choices[0].finish_reason, "length");
  const text = chunks.slice(1, -2).map((c) => c.choices[0].delta.content).join(
    "",
  );
  const whole: Json = await (await h.fetch(
    post("/v1/chat/completions", chat("hello", { max_tokens: 5, seed: 1 })),
  )).json();
  assert.equal(text, whole.choices[0].message.content);
});

Deno.test("stop strings end the answer before them, across token boundaries", async () => {
  const full: Json = await (await h.fetch(
    post("/v1/completions", {
      prompt: "the quick edge model",
      max_tokens: 24,
      temperature: 0,
    }),
  )).json();
  const text: string = full.choices[0].text;
  const cut = Math.floor(text.length / 2);
  const stop = text.slice(cut, cut + 3);
  assert.ok(stop.length === 3);
  const expect = text.slice(0, text.indexOf(stop));
  const res: Json = await (await h.fetch(
    post("/v1/completions", {
      prompt: "the quick edge model",
      max_tokens: 24,
      temperature: 0,
      stop: [stop],
    }),
  )).json();
  assert.equal(res.choices[0].text, expect);
  assert.equal(res.choices[0].finish_reason, "stop");
  const ev = await sseEvents(
    await h.fetch(
      post("/v1/completions", {
        prompt: "the quick edge model",
        max_tokens: 24,
        temperature: 0,
        stop,
        stream: true,
      }),
    ),
  ) as Json[];
  assert.equal(ev.slice(0, -1).map((c) => c.choices[0].text).join(""), expect);
});

Deno.test("completions take text or token ids and return logprobs when asked", async () => {
  const a: Json = await (await h.fetch(
    post("/v1/completions", {
      prompt: "the quick",
      max_tokens: 4,
      temperature: 0,
      logprobs: 3,
    }),
  )).json();
  assert.equal(a.object, "text_completion");
  const lp = a.choices[0].logprobs;
  assert.equal(lp.tokens.length, 4);
  assert.equal(lp.token_logprobs.length, 4);
  assert.ok(lp.token_logprobs.every((x: number) => x <= 0));
  assert.ok(
    lp.top_logprobs.every((t: Json) => Object.keys(t).length <= 3 && Object.keys(t).length >= 1),
  );
  assert.equal(lp.tokens.join(""), a.choices[0].text);
  const ids = tm.tokenizer.encode("the quick");
  const b: Json = await (await h.fetch(
    post("/v1/completions", { prompt: ids, max_tokens: 4, temperature: 0 }),
  )).json();
  assert.equal(b.choices[0].text, a.choices[0].text);
  const c: Json = await (await h.fetch(
    post(
      "/v1/chat/completions",
      chat("hi", {
        max_tokens: 3,
        temperature: 0,
        logprobs: true,
        top_logprobs: 2,
      }),
    ),
  )).json();
  const content = c.choices[0].logprobs.content;
  assert.equal(content.length, 3);
  assert.ok(
    content.every((t: Json) => t.top_logprobs.length === 2 && t.logprob <= 0 && Array.isArray(t.bytes)),
  );
  // greedy, logprobs without top ones (the sampler skips its softmax only when no logprob is asked for)
  const d: Json = await (await h.fetch(
    post("/v1/chat/completions", chat("hi", { max_tokens: 3, temperature: 0, logprobs: true })),
  )).json();
  assert.deepEqual(d.choices[0].logprobs.content.map((t: Json) => typeof t.logprob), ["number", "number", "number"]);
  assert.ok(d.choices[0].logprobs.content.every((t: Json) => t.logprob <= 0 && t.top_logprobs.length === 0));
  const e: Json = await (await h.fetch(
    post("/v1/completions", { prompt: "the quick", max_tokens: 3, temperature: 0, logprobs: 0 }),
  )).json();
  assert.ok(e.choices[0].logprobs.token_logprobs.every((x: unknown) => typeof x === "number" && x <= 0));
});

Deno.test("models and health describe the model, memory and queue", async () => {
  const m: Json = await (await h.fetch(new Request("http://localhost/v1/models"))).json();
  assert.deepEqual(m.data.map((d: Json) => d.id), ["tiny-falcon-e"]);
  assert.equal(
    (await h.fetch(new Request("http://localhost/v1/models/tiny-falcon-e")))
      .status,
    200,
  );
  assert.equal(
    (await h.fetch(new Request("http://localhost/v1/models/other"))).status,
    404,
  );
  const hl: Json = await (await h.fetch(new Request("http://localhost/health")))
    .json();
  assert.equal(hl.status, "ok");
  assert.equal(hl.model, "tiny-falcon-e");
  assert.ok(["relaxed", "plain"].includes(hl.kernels.build));
  assert.ok(
    TILE_FORMS.includes(hl.kernels.tiles.decode) && TILE_FORMS.includes(hl.kernels.tiles.prefill),
  );
  assert.ok(
    hl.memory.weights > 900_000 && hl.memory.kvCache > 0 &&
      hl.memory.total >= hl.memory.weights,
  );
  assert.deepEqual(hl.queue, { active: 0, waiting: 0, slots: 1, maxQueue: 16 });
  assert.deepEqual(Object.keys(hl.batching), ["passes", "rows"]);
});

Deno.test("the chat page is served at /", async () => {
  const res = await h.fetch(new Request("http://localhost/"));
  assert.equal(res.status, 200);
  assert.match(res.headers.get("content-type")!, /text\/html/);
  assert.match(await res.text(), /v1\/chat\/completions/);
});

async function expectError(
  res: Response,
  status: number,
  code: string | null,
  param?: string | null,
  message?: RegExp,
): Promise<Json> {
  assert.equal(res.status, status);
  const j: Json = await res.json();
  assert.deepEqual(Object.keys(j), ["error"]);
  assert.deepEqual(Object.keys(j.error).sort(), [
    "code",
    "message",
    "param",
    "type",
  ]);
  assert.equal(j.error.code, code);
  if (param !== undefined) assert.equal(j.error.param, param);
  if (message) assert.match(j.error.message, message);
  return j;
}

Deno.test("malformed and out-of-range requests get 400 naming the field", async () => {
  const p = (body: unknown) => h.fetch(post("/v1/chat/completions", body));
  await expectError(
    await p("{not json"),
    400,
    "invalid_json",
    null,
    /not valid JSON/,
  );
  await expectError(await p("[1,2]"), 400, "invalid_json", null, /JSON object/);
  await expectError(
    await p({ model: "x" }),
    400,
    "missing_required_parameter",
    "messages",
  );
  await expectError(
    await p({ messages: "hi" }),
    400,
    "invalid_type",
    "messages",
  );
  await expectError(
    await p({ messages: [] }),
    400,
    "invalid_value",
    "messages",
  );
  await expectError(
    await p({ messages: [{ role: "user" }] }),
    400,
    "invalid_value",
    "messages",
    /no content/,
  );
  await expectError(
    await p(chat("x", { temperature: "hot" })),
    400,
    "invalid_type",
    "temperature",
  );
  await expectError(
    await p(chat("x", { temperature: 3 })),
    400,
    "invalid_value",
    "temperature",
    /\[0, 2\]/,
  );
  await expectError(
    await p(chat("x", { top_p: 0 })),
    400,
    "invalid_value",
    "top_p",
  );
  await expectError(
    await p(chat("x", { max_tokens: 0 })),
    400,
    "invalid_value",
    "max_tokens",
  );
  await expectError(
    await p(chat("x", { max_tokens: 1.5 })),
    400,
    "invalid_value",
    "max_tokens",
  );
  await expectError(await p(chat("x", { n: 9 })), 400, "invalid_value", "n", /\[1, 8\]/);
  await expectError(
    await p(chat("x", { stop: ["a", "b", "c", "d", "e"] })),
    400,
    "invalid_value",
    "stop",
  );
  await expectError(
    await p(chat("x", { stop: 5 })),
    400,
    "invalid_type",
    "stop",
  );
  await expectError(
    await p(chat("x", { stream: "yes" })),
    400,
    "invalid_type",
    "stream",
  );
  await expectError(
    await p(chat("x", { stream_options: { include_usage: true } })),
    400,
    "invalid_value",
    "stream_options",
  );
  await expectError(
    await p(chat("x", { top_logprobs: 3 })),
    400,
    "invalid_value",
    "top_logprobs",
  );
  await expectError(await p(chat("x", { tools: [{ type: "function" }] })), 400, "invalid_type", "tools[0]");
  await expectError(await p(chat("x", { functions: [{ name: "f" }] })), 400, "unsupported_parameter", "functions");
  await expectError(
    await p(chat("x", { frequency_penalty: -3 })),
    400,
    "invalid_value",
    "frequency_penalty",
  );
  await expectError(
    await h.fetch(post("/v1/completions", { prompt: 5 })),
    400,
    "invalid_type",
    "prompt",
  );
  await expectError(
    await h.fetch(post("/v1/completions", { prompt: [1, 99999] })),
    400,
    "invalid_value",
    "prompt",
    /outside the vocabulary/,
  );
  await expectError(
    await h.fetch(post("/v1/completions", { prompt: "x", echo: true })),
    400,
    "unsupported_parameter",
    "echo",
  );
  await expectError(
    await h.fetch(
      new Request("http://localhost/v1/completions", {
        method: "POST",
        body: "{}",
        headers: { "content-type": "text/plain" },
      }),
    ),
    400,
    null,
    null,
    /Content-Type must be application\/json/,
  );
});

Deno.test("a prompt plus max_tokens beyond the context is context_length_exceeded", async () => {
  const small = await readyHandler(await tinyModel(1, 32));
  await expectError(
    await small.fetch(
      post("/v1/chat/completions", chat("hi", { max_tokens: 100 })),
    ),
    400,
    "context_length_exceeded",
    "max_tokens",
    /maximum context length is 32 tokens/,
  );
  const long = "the quick edge model reads seven numbers ".repeat(10);
  await expectError(
    await small.fetch(post("/v1/completions", { prompt: long })),
    400,
    "context_length_exceeded",
    "prompt",
  );
  // without max_tokens a chat that fits gets what the context leaves
  const ok: Json = await (await small.fetch(
    post(
      "/v1/chat/completions",
      chat("hi", { temperature: 0, ignore_eos: true }),
    ),
  )).json();
  assert.equal(ok.usage.total_tokens, 32);
  assert.equal(ok.choices[0].finish_reason, "length");
});

Deno.test("a chat template that raises is a 400", async () => {
  const t2 = await tinyModel(1), t3 = await tinyModel(1);
  const raising = {
    ...t2,
    chatTemplate: new (tm.chatTemplate!.constructor as any)(
      "{{ raise_exception('only user turns, please') }}",
    ),
  };
  const hh = await readyHandler(raising);
  await expectError(
    await hh.fetch(post("/v1/chat/completions", chat("hi"))),
    400,
    "chat_template_error",
    "messages",
    /only user turns, please/,
  );
  const none = await readyHandler({ ...t3, chatTemplate: undefined });
  await expectError(
    await none.fetch(post("/v1/chat/completions", chat("hi"))),
    400,
    "no_chat_template",
    "messages",
  );
});

Deno.test("an API key is required when configured: 401 without or with a wrong one", async () => {
  const hk = await readyHandler(await tinyModel(1), { apiKey: "s3cret" });
  await expectError(
    await hk.fetch(post("/v1/chat/completions", chat("hi", { max_tokens: 1 }))),
    401,
    "invalid_api_key",
  );
  await expectError(
    await hk.fetch(
      post("/v1/chat/completions", chat("hi", { max_tokens: 1 }), {
        authorization: "Bearer nope",
      }),
    ),
    401,
    "invalid_api_key",
  );
  await expectError(
    await hk.fetch(new Request("http://localhost/v1/models")),
    401,
    "invalid_api_key",
  );
  const ok = await hk.fetch(
    post("/v1/chat/completions", chat("hi", { max_tokens: 1 }), {
      authorization: "Bearer s3cret",
    }),
  );
  assert.equal(ok.status, 200);
  await ok.body?.cancel();
  assert.equal(
    (await hk.fetch(new Request("http://localhost/health"))).status,
    200,
  );
});

Deno.test("unknown paths are 404 and wrong methods 405 with Allow", async () => {
  await expectError(
    await h.fetch(new Request("http://localhost/v2/nothing")),
    404,
    "not_found",
  );
  const r = await h.fetch(new Request("http://localhost/v1/chat/completions"));
  assert.equal(r.headers.get("allow"), "POST");
  await expectError(r, 405, "method_not_allowed");
  await expectError(
    await h.fetch(new Request("http://localhost/health", { method: "DELETE" })),
    405,
    "method_not_allowed",
  );
});

Deno.test("oversized bodies are 413, by Content-Length or by actual bytes", async () => {
  const hs = await readyHandler(await tinyModel(1), { maxBodyBytes: 1000 });
  await expectError(
    await hs.fetch(post("/v1/chat/completions", chat("x".repeat(2000)))),
    413,
    "request_too_large",
  );
  const stream = new ReadableStream<Uint8Array>({
    start(c) {
      c.enqueue(
        new TextEncoder().encode('{"messages": [{"role": "user", "content": "'),
      );
      for (let i = 0; i < 10; i++) c.enqueue(new Uint8Array(200).fill(97));
      c.close();
    },
  });
  const req = new Request("http://localhost/v1/chat/completions", {
    method: "POST",
    body: stream,
    headers: { "content-type": "application/json" },
  });
  await expectError(await hs.fetch(req), 413, "request_too_large");
});

Deno.test("a full queue is a 503 with Retry-After, and the queue drains in order", async () => {
  const hq = await readyHandler(await tinyModel(1), { maxQueue: 1 });
  const first = await hq.fetch(
    post(
      "/v1/chat/completions",
      chat("a", { max_tokens: 400, stream: true, ignore_eos: true }),
    ),
  );
  const reader = first.body!.getReader();
  await reader.read(); // the first request holds the only slot
  const second = hq.fetch(
    post("/v1/chat/completions", chat("b", { max_tokens: 2 })),
  ); // waits in line
  await new Promise((r) => setTimeout(r, 10));
  const health: Json = await (await hq.fetch(new Request("http://localhost/health"))).json();
  assert.deepEqual([health.queue.active, health.queue.waiting], [1, 1]);
  const third = await hq.fetch(
    post("/v1/chat/completions", chat("c", { max_tokens: 2 })),
  );
  assert.ok(Number(third.headers.get("retry-after")) >= 1);
  await expectError(third, 503, "server_busy");
  await reader.cancel();
  assert.equal((await second).status, 200);
});

Deno.test("a client that goes away stops generation and frees its slot at once", async () => {
  const hd = await readyHandler(await tinyModel(1), { maxQueue: 4 });
  const ctrl = new AbortController();
  const res = await hd.fetch(
    post(
      "/v1/chat/completions",
      chat("a", { max_tokens: 1500, stream: true, ignore_eos: true }),
      {},
      ctrl.signal,
    ),
  );
  const reader = res.body!.getReader();
  await reader.read();
  await reader.read();
  const busy: Json = await (await hd.fetch(new Request("http://localhost/health"))).json();
  assert.equal(busy.queue.active, 1);
  ctrl.abort();
  await reader.cancel().catch(() => {});
  await new Promise((r) => setTimeout(r, 5));
  const free: Json = await (await hd.fetch(new Request("http://localhost/health"))).json();
  assert.equal(free.queue.active, 0);
  // a non-streaming request aborted mid-way also frees the slot
  const ctrl2 = new AbortController();
  const pending = hd.fetch(
    post(
      "/v1/completions",
      { prompt: "x", max_tokens: 1500, ignore_eos: true },
      {},
      ctrl2.signal,
    ),
  );
  await new Promise((r) => setTimeout(r, 20));
  ctrl2.abort();
  await pending.then((r) => r.body?.cancel(), () => {});
  const after: Json = await (await hd.fetch(new Request("http://localhost/health"))).json();
  assert.equal(after.queue.active, 0);
});

Deno.test("CORS: preflight answered and allowed origins echoed, others not", async () => {
  const hc = await readyHandler(await tinyModel(1), {
    cors: { origins: ["https://app.example"] },
  });
  const pre = await hc.fetch(
    new Request("http://localhost/v1/chat/completions", {
      method: "OPTIONS",
      headers: {
        origin: "https://app.example",
        "access-control-request-method": "POST",
      },
    }),
  );
  assert.equal(pre.status, 204);
  assert.equal(
    pre.headers.get("access-control-allow-origin"),
    "https://app.example",
  );
  assert.match(
    pre.headers.get("access-control-allow-headers")!,
    /authorization/,
  );
  const res = await hc.fetch(
    post("/v1/chat/completions", chat("hi", { max_tokens: 1 }), {
      origin: "https://app.example",
    }),
  );
  assert.equal(
    res.headers.get("access-control-allow-origin"),
    "https://app.example",
  );
  await res.body?.cancel();
  const other = await hc.fetch(
    post("/v1/chat/completions", chat("hi", { max_tokens: 1 }), {
      origin: "https://evil.example",
    }),
  );
  assert.equal(other.headers.get("access-control-allow-origin"), null);
  await other.body?.cancel();
  const err = await hc.fetch(
    new Request("http://localhost/nope", {
      headers: { origin: "https://app.example" },
    }),
  );
  assert.equal(
    err.headers.get("access-control-allow-origin"),
    "https://app.example",
  );
  await err.body?.cancel();
});

Deno.test("while the model loads requests get 503 with Retry-After; a failed load says so without internals", async () => {
  let resolve!: (v: any) => void;
  const hl = createHandler({ model: new Promise((r) => (resolve = r)) });
  const res = await hl.fetch(post("/v1/chat/completions", chat("hi")));
  assert.equal(res.headers.get("retry-after"), "5");
  await expectError(res, 503, "model_not_ready", null, /still loading/);
  const health: Json = await (await hl.fetch(new Request("http://localhost/health"))).json();
  assert.equal(health.state, "loading");
  resolve(await tinyModel(1));
  await new Promise((r) => setTimeout(r, 0));
  assert.equal(
    (await hl.fetch(new Request("http://localhost/health"))).status,
    200,
  );
  const err = console.error;
  console.error = () => {};
  try {
    const hf = createHandler({
      model: Promise.reject(
        new Error("/secret/path/model.safetensors: truncated"),
      ),
    });
    await new Promise((r) => setTimeout(r, 0));
    const j = await expectError(
      await hf.fetch(post("/v1/chat/completions", chat("hi"))),
      503,
      "model_not_ready",
    );
    assert.doesNotMatch(JSON.stringify(j), /secret/);
  } finally {
    console.error = err;
  }
});

Deno.test("an unexpected failure is a 500 that leaks no internals", async () => {
  const t4 = await tinyModel(1);
  const broken = {
    ...t4,
    tokenizer: Object.assign(
      Object.create(Object.getPrototypeOf(tm.tokenizer)),
      tm.tokenizer,
      {
        encode() {
          throw new Error("at /srv/internal/secret.ts:42");
        },
      },
    ),
  };
  const hb = await readyHandler(broken);
  const err = console.error;
  console.error = () => {};
  try {
    const j = await expectError(
      await hb.fetch(post("/v1/chat/completions", chat("hi"))),
      500,
      "internal_error",
    );
    assert.doesNotMatch(JSON.stringify(j), /secret/);
  } finally {
    console.error = err;
  }
});
