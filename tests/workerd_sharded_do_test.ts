// The sharded Cloudflare bundle as Cloudflare runs it: the Worker and its
// shards' Durable Objects in one workerd process, the Worker reaching each
// object through the SHARDS namespace (wrangler.sharded.toml's binding), not
// through service bindings. Requests one after another, streams at once (more
// than the plan's sessions) and a stream whose client goes away while another
// goes on, clients leaving mid-answer more often than the plan has sessions:
// every answer is one engine's. (Each stub belongs to the request that made
// it: a stub kept across requests failed every request after the first.)
import assert from "node:assert/strict";
import OpenAI from "openai";
import { startSharded } from "../deploy/cloudflare/sharded_local.ts";
import { buildCloudflare } from "./cloudflare_build.ts";
import { healthWhen, oneEngine, removeConfigs } from "./sharded_helpers.ts";
import { freePort } from "./net.ts";
import { TINY } from "./reference.ts";
import { serveDir } from "./serve_dir.ts";

Deno.test({
  name:
    "the sharded bundle with Durable Object stubs from the namespace (as on Cloudflare) serves request after request",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await buildCloudflare();
    const files = serveDir(TINY);
    const port = freePort();
    const sharded = await startSharded(
      files.url + "/",
      port,
      { API_KEY: "do" },
      { budgetBytes: 2.5 * 2 ** 20, headroomBytes: 0, sessions: 2, contextLength: 256 },
      { oneProcess: true, capture: true, prefix: "test-sharded-do" },
    );
    const want = oneEngine();
    try {
      assert.equal(sharded.plan.shards.length, 4);
      assert.deepEqual(sharded.shards, []);
      const base = `http://127.0.0.1:${port}`;
      const health = await healthWhen(base, "ready");
      assert.equal(health.state, "ready", JSON.stringify(health));
      const client = new OpenAI({ baseURL: `${base}/v1`, apiKey: "do", maxRetries: 0 });
      const ask = { model: "tiny", temperature: 0, ignore_eos: true } as const;
      const stream = async (content: string, max: number, stopAfter = Infinity) => {
        const s = await client.chat.completions.create(
          { ...ask, messages: [{ role: "user", content }], max_tokens: max, stream: true } as never,
        ) as any;
        let text = "", chunks = 0;
        for await (const chunk of s) {
          text += chunk.choices[0]?.delta?.content ?? "";
          if (++chunks >= stopAfter) {
            s.controller.abort(); // the client goes away mid-answer
            break;
          }
        }
        return text;
      };
      const hello = await want("hello", 16);
      for (let i = 0; i < 3; i++) { // each request after the first calls the objects again
        const r = await client.chat.completions.create(
          { ...ask, messages: [{ role: "user", content: "hello" }], max_tokens: 16 } as never,
        ) as any;
        assert.equal(r.choices[0].message.content, hello, `request ${i + 1}`);
      }
      assert.equal(await stream("hello", 16), hello);
      // more streams at once than the plan's 2 sessions
      assert.deepEqual(await Promise.all([0, 1, 2].map(() => stream("hello", 16))), [hello, hello, hello]);
      // one client leaves mid-answer while another's answer goes on (their steps may share calls)
      const long = await want("tell me about bridges", 120);
      const [left, stayed] = await Promise.all([stream("hello", 120, 4), stream("tell me about bridges", 120)]);
      assert.ok(left.length > 0);
      assert.equal(stayed, long);
      assert.equal(await stream("hello", 16), hello); // and the next request is served
      // clients that leave free their sessions: more of them than the plan has, then a full house again
      for (let i = 0; i < 3; i++) assert.ok((await stream(`hi ${i}`, 120, 3)).length > 0);
      await new Promise((r) => setTimeout(r, 300));
      assert.deepEqual(await Promise.all([0, 1, 2].map(() => stream("hello", 16))), [hello, hello, hello]);
    } catch (e) {
      console.error(`what the workerd process printed:\n${sharded.output()}`);
      throw e;
    } finally {
      await sharded.stop();
      await files.close();
      await removeConfigs("test-sharded-do");
    }
  },
});
