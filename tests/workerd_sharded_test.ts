// The sharded Cloudflare bundle (deploy/cloudflare/sharded.ts) in workerd:
// the tiny fixture planned into 4 shards (2 vocabulary slices, 2 layers), each
// a Durable Object in its own workerd process, the Worker reaching them over
// loopback; the openai client gets the same greedy answers as from one engine.
// A shard process killed mid-generation and restarted: the request fails with
// a clear error or finishes with the right tokens, never with tokens from a
// partial cache, and the next request is right again.
import assert from "node:assert/strict";
import OpenAI from "openai";
import { startSharded } from "../deploy/cloudflare/sharded_local.ts";
import { buildCloudflare } from "./cloudflare_build.ts";
import { healthWhen, oneEngine, removeConfigs } from "./sharded_helpers.ts";
import { freePort } from "./net.ts";
import { TINY } from "./reference.ts";
import { serveDir } from "./serve_dir.ts";

const rss = (pid: number) => Number(Deno.readTextFileSync(`/proc/${pid}/status`).match(/VmRSS:\s+(\d+)/)![1]) / 1024;

Deno.test({
  name:
    "the sharded bundle: 4 Durable Object shards in 4 workerd processes answer like one engine, and survive a restart",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await buildCloudflare();
    const files = serveDir(TINY, { failFirst: 2 }); // two shards' first loads fail: they load again
    const port = freePort();
    const planOptions = { budgetBytes: 2.5 * 2 ** 20, headroomBytes: 0, sessions: 2, contextLength: 256 };
    const sharded = await startSharded(
      files.url + "/",
      port,
      // tiles forced on the shards (a Worker's clock cannot time them): the answers stay the one engine's
      { API_KEY: "wk", SHARD_TIMEOUT_MS: "3000", TERNARY_TILES: "mixed" },
      planOptions,
      {
        shardPorts: [0, 1, 2, 3].map(() => freePort()),
        capture: true,
        prefix: "test-sharded",
      },
    );
    // the reference: one engine, same settings
    // (the sharded bundle keeps an f16 KV cache, as the edge entries do)
    const want = oneEngine();
    try {
      assert.deepEqual(sharded.plan.shards.map((s) => s.holds), [
        "embed rows 0-319, norm + lm_head rows 0-319",
        "embed rows 320-639, norm + lm_head rows 320-639",
        "layers 0-0",
        "layers 1-1",
      ]);
      const base = `http://127.0.0.1:${port}`;
      // (a Worker whose shards could not be reached yet tries again on a request 5 s later)
      const health = await healthWhen(base, "ready");
      assert.equal(health.state, "ready", JSON.stringify(health));
      assert.equal(files.requests.filter((r) => r.includes(".safetensors")).length > 4, true);
      assert.equal(
        sharded.output().match(/^\[shard-\d\] shard \{.*cannot fetch .*HTTP 503/gm)?.length,
        2,
        sharded.output(),
      );
      assert.match(health.threads.reason, /pipeline of 4 shards/);
      const forced = /^\[shard-[23]\] shard layers \d-\d: loaded in .*, tiles mixed\/mixed \(forced\)$/gm;
      for (let i = 0; i < 40 && (sharded.output().match(forced)?.length ?? 0) < 2; i++) {
        await new Promise((r) => setTimeout(r, 50)); // the log line may trail the answer
      }
      assert.equal(sharded.output().match(forced)?.length, 2, sharded.output());
      // a shard's object answers only calls that carry its own part
      const host = `http://127.0.0.1:${sharded.shardPorts[2]}/`;
      const noPart = await fetch(host, { method: "POST", body: new Uint8Array(8) });
      assert.equal(noPart.status, 400);
      assert.match(await noPart.text(), /carry their part in x-shard-part/);
      const other = await fetch(host, {
        method: "POST",
        body: new Uint8Array(8),
        headers: { "x-shard-part": '{"layers":[1,2]}' },
      });
      assert.equal(other.status, 409);
      assert.match(await other.text(), /this shard holds .*"layers":\[0,1\].*, not \{"layers":\[1,2\]\}/);
      const client = new OpenAI({ baseURL: `${base}/v1`, apiKey: "wk", maxRetries: 0 });
      const ask = { model: "tiny", temperature: 0, ignore_eos: true } as const;
      const whole = await client.chat.completions.create(
        { ...ask, messages: [{ role: "user", content: "hello" }], max_tokens: 16 } as never,
      ) as any;
      assert.equal(whole.choices[0].message.content, await want("hello", 16));
      let streamed = "";
      const stream = await client.chat.completions.create(
        { ...ask, messages: [{ role: "user", content: "hello" }], max_tokens: 16, stream: true } as never,
      ) as any;
      for await (const chunk of stream) streamed += chunk.choices[0]?.delta?.content ?? "";
      assert.equal(streamed, whole.choices[0].message.content);
      // more streams at once than the plan's 2 sessions: the third waits for a slot (a request that waits on
      // other requests' promises alone, Workers cancel as hung: the 500 this once gave)
      const three = await Promise.all([0, 1, 2].map(async () => {
        const s = await client.chat.completions.create(
          { ...ask, messages: [{ role: "user", content: "hello" }], max_tokens: 16, stream: true } as never,
        ) as any;
        let text = "";
        for await (const chunk of s) text += chunk.choices[0]?.delta?.content ?? "";
        return text;
      }));
      assert.deepEqual(three, [0, 1, 2].map(() => whole.choices[0].message.content));
      for (const [i, p] of sharded.shards.entries()) {
        const mb = rss(p.pid);
        console.log(
          `  ${sharded.plan.shards[i].name} (${sharded.plan.shards[i].holds}): workerd RSS ${mb.toFixed(1)} MB`,
        );
        assert.ok(mb < 128, `${sharded.plan.shards[i].name}: ${mb} MB`);
      }

      // a layer shard's process is killed and restarted while a long answer streams
      const long = await want("tell me about bridges", 200);
      let got = "", finished = false, failure = "";
      const s2 = await client.chat.completions.create({
        ...ask,
        messages: [{ role: "user", content: "tell me about bridges" }],
        max_tokens: 200,
        stream: true,
      } as never) as any;
      const reading = (async () => {
        try {
          for await (const chunk of s2) {
            got += chunk.choices[0]?.delta?.content ?? "";
            if (chunk.choices[0]?.finish_reason) finished = true;
          }
        } catch (e) {
          failure = (e as Error).message;
        }
      })();
      await new Promise((r) => setTimeout(r, 150));
      await sharded.restart(3);
      await reading;
      const at = [...got].findIndex((ch, i) => ch !== long[i]);
      assert.ok(
        long.startsWith(got),
        `tokens from a partial cache: the answer differs from one engine's at character ${at}: ${
          JSON.stringify(got.slice(Math.max(0, at - 20), at + 40))
        } vs ${JSON.stringify(long.slice(Math.max(0, at - 20), at + 40))}`,
      );
      if (finished) assert.equal(got, long);
      else assert.match(failure, /shard-3|model_unavailable|no answer|down/, failure);
      console.log(`  restart mid-stream: ${finished ? "recovered, the whole answer" : `failed clearly: ${failure}`}`);
      // and the next request is answered right, by the restarted shard
      let again = "";
      for (let i = 0; i < 40 && again === ""; i++) {
        try {
          const r = await client.chat.completions.create(
            { ...ask, messages: [{ role: "user", content: "hello" }], max_tokens: 16 } as never,
          ) as any;
          again = r.choices[0].message.content;
        } catch (e) {
          assert.equal((e as any).status, 503, String(e)); // the shard is still starting
          await new Promise((r) => setTimeout(r, 100));
        }
      }
      assert.equal(again, whole.choices[0].message.content);
    } catch (e) {
      console.error(`what the workerd processes printed:\n${sharded.output()}`);
      throw e;
    } finally {
      await sharded.stop();
      await files.close();
      await removeConfigs("test-sharded");
    }
  },
});

Deno.test({
  name: "the sharded bundle: a malformed setting is a clear error in the Worker's log and /health, not a crash",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await buildCloudflare();
    const files = serveDir(TINY);
    const port = freePort();
    const sharded = await startSharded(
      files.url + "/",
      port,
      { SHARD_TIMEOUT_MS: "soon" },
      { budgetBytes: 2.5 * 2 ** 20, headroomBytes: 0, sessions: 2, contextLength: 256 },
      { shardPorts: [0, 1, 2, 3].map(() => freePort()), capture: true, prefix: "test-sharded-bad" },
    );
    try {
      const health = await healthWhen(`http://127.0.0.1:${port}`, "error");
      assert.equal(health.state, "error", JSON.stringify(health));
      for (let i = 0; i < 40 && !/SHARD_TIMEOUT_MS must/.test(sharded.output()); i++) {
        await new Promise((r) => setTimeout(r, 50)); // the log line may trail the answer
      }
      assert.match(sharded.output(), /SHARD_TIMEOUT_MS must be a whole number >= 0, got "soon"/);
      const res = await fetch(`http://127.0.0.1:${port}/v1/models`);
      assert.equal(res.status, 503);
      await res.body?.cancel();
    } finally {
      await sharded.stop();
      await files.close();
      await removeConfigs("test-sharded-bad");
    }
  },
});
