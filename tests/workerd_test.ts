// The Cloudflare bundle (deploy/cloudflare, built by `deno task build:cloudflare`)
// in Cloudflare's own runtime, workerd, reading the tiny fixture from a loopback
// HTTP server through MODEL_URL, answering the openai client.
import assert from "node:assert/strict";
import OpenAI from "openai";
import { writeWorkerdConfig } from "../deploy/cloudflare/workerd_config.ts";
import { buildCloudflare, CF } from "./cloudflare_build.ts";
import { freePort } from "./net.ts";
import { TINY } from "./reference.ts";
import { serveDir } from "./serve_dir.ts";

Deno.test({
  name: "the Worker bundle runs in workerd and completes chat requests from the openai client",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await buildCloudflare();
    const files = serveDir(TINY);
    const port = freePort();
    const config = await writeWorkerdConfig(`${CF}dist`, port, {
      MODEL_URL: files.url + "/",
      API_KEY: "wk",
      CONTEXT: "256",
    }, "test.capnp");
    const child = new Deno.Command(`${CF}node_modules/.bin/workerd`, {
      args: ["serve", config],
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    let log = "";
    const collect = async (s: ReadableStream<Uint8Array>) => {
      for await (const c of s.pipeThrough(new TextDecoderStream())) log += c;
    };
    const logs = Promise.all([collect(child.stdout), collect(child.stderr)]);
    try {
      const base = `http://127.0.0.1:${port}`;
      let health: Record<string, any> = {};
      for (let i = 0; i < 300 && health.state !== "ready"; i++) {
        try {
          health = await (await fetch(`${base}/health`)).json();
        } catch {
          // not listening yet
        }
        if (health.state === "error") break;
        if (health.state !== "ready") {
          await new Promise((r) => setTimeout(r, 50));
        }
      }
      assert.equal(health.state, "ready", `${JSON.stringify(health)}\n${log}`);
      assert.equal(health.model, "tiny");
      assert.equal(health.kernels.build, "relaxed", "workerd has relaxed SIMD, so the worker picks that build");
      const client = new OpenAI({
        baseURL: `${base}/v1`,
        apiKey: "wk",
        maxRetries: 0,
      });
      const whole = await client.chat.completions.create({
        model: "tiny",
        messages: [{ role: "user", content: "hello" }],
        max_tokens: 6,
        temperature: 0,
      });
      assert.equal(whole.object, "chat.completion");
      assert.ok(whole.usage!.completion_tokens >= 1);
      let streamed = "";
      const stream = await client.chat.completions.create({
        model: "tiny",
        messages: [{ role: "user", content: "hello" }],
        max_tokens: 6,
        temperature: 0,
        stream: true,
      });
      for await (const chunk of stream) {
        streamed += chunk.choices[0]?.delta?.content ?? "";
      }
      assert.equal(streamed, whole.choices[0].message.content);
      // structured output: the grammar library's wasm is a module import in the bundle
      const shaped = await client.chat.completions.create({
        model: "tiny",
        messages: [{ role: "user", content: "a colour" }],
        max_tokens: 40,
        seed: 1,
        response_format: {
          type: "json_schema",
          json_schema: {
            name: "colour",
            strict: true,
            schema: {
              type: "object",
              properties: {
                colour: { enum: ["red", "green", "blue"] },
                n: { type: "integer", minimum: 0, maximum: 9 },
              },
              required: ["colour", "n"],
              additionalProperties: false,
            },
          },
        },
      });
      const value = JSON.parse(shaped.choices[0].message.content!);
      assert.ok(["red", "green", "blue"].includes(value.colour) && value.n >= 0 && value.n <= 9, JSON.stringify(value));
      // no threads in a Worker: the grammar runs inline, and its wasm counts against this isolate
      const { grammar } = await (await fetch(`${base}/health`)).json();
      assert.equal(grammar.runs, "inline");
      assert.ok(grammar.memory_bytes > 0 && grammar.memory_bytes % 65536 === 0, JSON.stringify(grammar));
      await assert.rejects(
        new OpenAI({ baseURL: `${base}/v1`, apiKey: "bad", maxRetries: 0 })
          .models.list(),
        (e: any) => e.status === 401,
      );
    } finally {
      try {
        child.kill("SIGTERM");
      } catch {
        // already exited; its log is in the assertion message
      }
      await child.status;
      await logs;
      await files.close();
      await Deno.remove(config);
    }
  },
});
