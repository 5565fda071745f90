// deploy/deno/main.ts as `deno serve` runs it: the model from MODEL_URL (a URL
// base on a loopback server), loaded once, /health progress, then answers.
import assert from "node:assert/strict";
import { freePort } from "./net.ts";
import { TINY } from "./reference.ts";
import { serveDir } from "./serve_dir.ts";

/** `deno serve deploy/deno/main.ts` on a free loopback port with `env`. */
function serveDeploy(env: Record<string, string>) {
  const port = freePort();
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "serve",
      "-A",
      "--port",
      String(port),
      "--host",
      "127.0.0.1",
      new URL("../deploy/deno/main.ts", import.meta.url).pathname,
    ],
    env,
    stdout: "null",
    stderr: "piped",
  }).spawn();
  return { child, base: `http://127.0.0.1:${port}` };
}

/** Polls /health until the state is no longer "loading" (or ~10 s pass). */
async function settledHealth(base: string): Promise<Record<string, any>> {
  let health: Record<string, any> = {};
  for (let i = 0; i < 200; i++) {
    try {
      health = await (await fetch(`${base}/health`)).json();
      if (health.state !== "loading") break;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return health;
}

Deno.test("deno serve deploy/deno/main.ts loads MODEL_URL over HTTP and answers chat", async () => {
  const files = serveDir(TINY);
  const { child, base } = serveDeploy({ MODEL_URL: files.url, API_KEY: "dk", CONTEXT: "256", LM_HEAD: "int8" });
  try {
    const health = await settledHealth(base);
    assert.equal(health.state, "ready", JSON.stringify(health));
    assert.equal(health.context_length, 256);
    assert.equal(health.lm_head, "int8", "LM_HEAD reaches the load options");
    const res = await fetch(`${base}/v1/chat/completions`, {
      method: "POST",
      headers: {
        authorization: "Bearer dk",
        "content-type": "application/json",
      },
      body: JSON.stringify({
        messages: [{ role: "user", content: "hello" }],
        max_tokens: 4,
      }),
    });
    assert.equal(res.status, 200);
    assert.equal((await res.json()).usage.completion_tokens <= 4, true);
    assert.equal(
      files.requests.filter((r) => r.startsWith("model.safetensors") && !r.includes("index")).length,
      1,
      "loaded once",
    );
  } finally {
    child.kill("SIGTERM");
    await child.status;
    await child.stderr.cancel();
    await files.close();
  }
});

Deno.test("a misspelled LM_HEAD or KV_CACHE fails the load naming the variable, and /health says so", async () => {
  const files = serveDir(TINY);
  for (
    const [name, value, message] of [
      ["LM_HEAD", "q4", 'LM_HEAD must be bf16 or int8, got "q4"'],
      ["KV_CACHE", "f8", 'KV_CACHE must be f16 or f32, got "f8"'],
    ]
  ) {
    const { child, base } = serveDeploy({ MODEL_URL: files.url, CONTEXT: "64", [name]: value });
    try {
      const health = await settledHealth(base);
      assert.equal(health.state, "error", JSON.stringify(health));
      assert.equal(health.error, "the model failed to load");
    } finally {
      child.kill("SIGTERM");
      await child.status;
      const err = new TextDecoder().decode(await new Response(child.stderr).arrayBuffer());
      assert.ok(err.includes(message), err);
    }
  }
  await files.close();
});

Deno.test("while loading, /health shows progress and requests wait (bounded) or get 503", async () => {
  const { createHandler } = await import("../src/serve/handler.ts");
  const { loadTextModel } = await import("../src/generate/text_model.ts");
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const progress = { loaded: 123, total: 1000 };
  const h = createHandler({
    model: gate.then(() => loadTextModel(TINY)),
    loadWaitMs: 50,
    loadProgress: () => progress,
  });
  const health = await h.fetch(new Request("http://x/health"));
  assert.equal(health.status, 503);
  assert.deepEqual((await health.json()).progress, {
    loaded_bytes: 123,
    total_bytes: 1000,
    fraction: 0.123,
  });
  const t0 = Date.now();
  const busy = await h.fetch(new Request("http://x/v1/models"));
  assert.equal(busy.status, 503);
  assert.ok(Date.now() - t0 >= 45, "waited before giving up");
  await busy.body?.cancel();
  // a longer wait is served once the model is ready (the first handler's model never loads)
  let release2!: () => void;
  const gate2 = new Promise<void>((r) => (release2 = r));
  const patient = createHandler({ model: gate2.then(() => loadTextModel(TINY)), loadWaitMs: 30_000 });
  const waiting = patient.fetch(new Request("http://x/v1/models"));
  release2();
  assert.equal((await waiting).status, 200, "a request that arrives during loading is served once the model is ready");
  release();
});
