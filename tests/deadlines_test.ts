// The handler's own deadlines, in-process: a body that does not finish
// arriving is a 408, a stream nobody reads is dropped and frees its slot.
import assert from "node:assert/strict";
import { post, readyHandler, tinyModel } from "./handler_helpers.ts";

Deno.test("a request body that does not arrive in time is a 408, and one past the limit a 413", async () => {
  const tm = await tinyModel(1, 256);
  try {
    const h = await readyHandler(tm, { bodyTimeoutMs: 200, maxBodyBytes: 4096 });
    let pulls = 0;
    const slow = new ReadableStream<Uint8Array>({
      async pull(c) {
        await new Promise((r) => setTimeout(r, 50));
        c.enqueue(new TextEncoder().encode(pulls++ === 0 ? '{"prompt": "' : "x"));
      },
    });
    const t0 = performance.now();
    const res = await h.fetch(
      new Request("http://x/v1/completions", {
        method: "POST",
        body: slow,
        headers: { "content-type": "application/json" },
      }),
    );
    assert.equal(res.status, 408);
    assert.equal((await res.json()).error.code, "request_timeout");
    assert.ok(performance.now() - t0 < 1000);
    const big = await h.fetch(post("/v1/completions", { prompt: "x".repeat(5000) }));
    assert.equal(big.status, 413);
    await big.body?.cancel();
  } finally {
    tm.model.dispose();
  }
});

Deno.test("a stream whose client stops reading is dropped after the write deadline, freeing its slot", async () => {
  const tm = await tinyModel(1, 2048);
  try {
    const h = await readyHandler(tm, { streamWriteTimeoutMs: 300 });
    const res = await h.fetch(
      post("/v1/completions", { prompt: "the", max_tokens: 2000, stream: true, ignore_eos: true }),
    );
    const reader = res.body!.getReader();
    await reader.read(); // one frame, then nothing
    const active = async () => (await (await h.fetch(new Request("http://x/health"))).json()).queue.active;
    assert.equal(await active(), 1);
    await new Promise((r) => setTimeout(r, 700));
    assert.equal(await active(), 0, "the slot is free");
    await assert.rejects(async () => {
      for (;;) if ((await reader.read()).done) break;
    }, /read nothing/);
    const next = await h.fetch(post("/v1/completions", { prompt: "the", max_tokens: 2 }));
    assert.equal(next.status, 200);
    await next.json();
  } finally {
    tm.model.dispose();
  }
});
