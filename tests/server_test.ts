// The real server (`deno task serve`) on loopback, driven by the official
// `openai` npm client, streaming and not.
import assert from "node:assert/strict";
import OpenAI from "openai";
import { freePort } from "./net.ts";
import { startServer } from "./serve_process.ts";
import { TINY } from "./reference.ts";

Deno.test("the openai client chats with the server, whole and streamed, with an API key", async () => {
  const srv = await startServer([
    "--model",
    TINY,
    "--api-key",
    "k-123",
    "--ctx",
    "512",
  ]);
  try {
    const client = new OpenAI({ baseURL: `${srv.base}/v1`, apiKey: "k-123" });
    const models = await client.models.list();
    assert.deepEqual(models.data.map((m) => m.id), ["tiny-falcon-e"]);
    const whole = await client.chat.completions.create({
      model: "tiny-falcon-e",
      messages: [{ role: "system", content: "answer quietly" }, {
        role: "user",
        content: "which bridge opens at 7?",
      }],
      max_tokens: 12,
      temperature: 0,
    });
    assert.equal(whole.choices[0].message.role, "assistant");
    assert.equal(
      whole.usage?.completion_tokens,
      whole.choices[0].finish_reason === "length" ? 12 : whole.usage?.completion_tokens,
    );
    const stream = await client.chat.completions.create({
      model: "tiny-falcon-e",
      messages: [{ role: "system", content: "answer quietly" }, {
        role: "user",
        content: "which bridge opens at 7?",
      }],
      max_tokens: 12,
      temperature: 0,
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = "", finish: string | null = null, usage;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta?.content ?? "";
      finish = chunk.choices[0]?.finish_reason ?? finish;
      usage = chunk.usage ?? usage;
    }
    assert.equal(text, whole.choices[0].message.content);
    assert.equal(finish, whole.choices[0].finish_reason);
    assert.deepEqual(usage?.completion_tokens, whole.usage?.completion_tokens);
    const comp = await client.completions.create({
      model: "tiny-falcon-e",
      prompt: "the quick edge model",
      max_tokens: 5,
      temperature: 0,
    });
    assert.equal(comp.choices[0].text.length > 0, true);

    const wrong = new OpenAI({
      baseURL: `${srv.base}/v1`,
      apiKey: "nope",
      maxRetries: 0,
    });
    await assert.rejects(
      wrong.chat.completions.create({
        model: "x",
        messages: [{ role: "user", content: "hi" }],
      }),
      (e: any) => e.status === 401 && e.code === "invalid_api_key",
    );
    await assert.rejects(
      client.chat.completions.create({
        model: "x",
        messages: [{ role: "user", content: "hi" }],
        max_tokens: 100_000,
      }, { maxRetries: 0 }),
      (e: any) => e.status === 400 && e.code === "context_length_exceeded",
    );
    // curl-style raw request, as the README shows
    const raw = await fetch(`${srv.base}/v1/chat/completions`, {
      method: "POST",
      headers: {
        authorization: "Bearer k-123",
        "content-type": "application/json",
      },
      body: JSON.stringify({
        messages: [{ role: "user", content: "hello" }],
        max_tokens: 3,
      }),
    });
    assert.equal(raw.status, 200);
    assert.equal((await raw.json()).object, "chat.completion");
  } finally {
    await srv.stop();
  }
});

Deno.test("a client dropping a stream mid-way frees the server's slot", async () => {
  const srv = await startServer(["--model", TINY, "--ctx", "2048"]);
  try {
    const ctrl = new AbortController();
    const res = await fetch(`${srv.base}/v1/completions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        prompt: "the",
        max_tokens: 2000,
        stream: true,
        ignore_eos: true,
      }),
      signal: ctrl.signal,
    });
    const reader = res.body!.getReader();
    await reader.read();
    const busy = await (await fetch(`${srv.base}/health`)).json();
    assert.equal(busy.queue.active, 1);
    ctrl.abort();
    await reader.cancel().catch(() => {});
    let active = 1;
    for (let i = 0; i < 100 && active !== 0; i++) {
      await new Promise((r) => setTimeout(r, 20));
      active = (await (await fetch(`${srv.base}/health`)).json()).queue.active;
    }
    assert.equal(active, 0);
    // and the server still answers
    const ok = await fetch(`${srv.base}/v1/completions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ prompt: "the", max_tokens: 2 }),
    });
    assert.equal(ok.status, 200);
    await ok.body?.cancel();
  } finally {
    await srv.stop();
  }
});

Deno.test("serve without network says how to use a local directory", async () => {
  const port = freePort();
  const p = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      new URL("../src/cli/serve.ts", import.meta.url).pathname,
      "--port",
      String(port),
      "--hub-endpoint",
      "http://127.0.0.1:9",
    ],
    stdout: "null",
    stderr: "piped",
    env: { XDG_CACHE_HOME: await Deno.makeTempDir() },
  }).output();
  assert.equal(p.code, 1);
  assert.match(
    new TextDecoder().decode(p.stderr),
    /cannot reach http:\/\/127.0.0.1:9 to download tiiuae\/Falcon-E-1B-Instruct .* pass --model \/path\/to\/that\/dir/,
  );
});
