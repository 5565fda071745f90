// The OpenAI handler over a pipeline of shards (issue 15): the same answers,
// token for token, as over one engine, whole and streamed, several at once
// (the batcher feeds the pipeline asynchronously, a pass at a time).
import assert from "node:assert/strict";
import { createHandler } from "../src/serve/handler.ts";
import { pipelineTextModel } from "../src/shard/text_model.ts";
import { loadShard } from "../src/shard/load_shard.ts";
import { fetchLink, shardHandler } from "../src/shard/transport.ts";
import { DirectorySource } from "../src/load/source/mod.ts";
import { chat, post, tinyModel } from "./handler_helpers.ts";
import { TINY } from "./reference.ts";

const OPTS = { threads: 1, blockSize: 8, maxSessions: 3, contextLength: 256 } as const;

Deno.test("chat completions through a 4-shard pipeline equal one engine's, whole, streamed and three at once", async () => {
  const parts = [{ embed: [0, 320], head: [0, 320] }, { embed: [320, 640], head: [320, 640] }, { layers: [0, 1] }, {
    layers: [1, 2],
  }] as const;
  const shards = await Promise.all(parts.map((p) => loadShard(TINY, { ...OPTS, part: structuredClone(p) as never })));
  const links = shards.map((s, i) => {
    const handle = shardHandler(s);
    return fetchLink(async (body) => {
      const req = new Request("http://shard/", { method: "POST", body }); // copies the body, as fetch does
      await new Promise((r) => setTimeout(r, Math.random() * 2));
      return handle(req);
    }, `shard-${i}`);
  });
  const piped = createHandler({
    model: pipelineTextModel(new DirectorySource(TINY), links, "tiny"),
    loadWaitMs: 10_000,
  });
  const single = createHandler({ model: tinyModel(3, 256).then((tm) => ({ ...tm, id: "tiny" })), loadWaitMs: 10_000 });
  const ask = async (h: typeof piped, content: string, stream = false) => {
    const res = await h.fetch(
      post(
        "/v1/chat/completions",
        chat(content, { model: "tiny", max_tokens: 24, temperature: 0, ignore_eos: true, stream }),
      ),
    );
    assert.equal(res.status, 200, await res.clone().text());
    if (!stream) return (await res.json()).choices[0].message.content as string;
    // (progress comments, `: prompt_progress`, come first: the prompt takes several passes)
    const frames = (await res.text()).split("\n\n").filter((f) => f.startsWith("data: {"));
    return frames.map((f) => JSON.parse(f.slice(6)).choices[0]?.delta?.content ?? "").join("");
  };
  const prompts = ["which bridge opens at 7?", "a long question about ".repeat(12) + "rivers", "hi"];
  for (const p of prompts) assert.equal(await ask(piped, p), await ask(single, p), p);
  assert.equal(await ask(piped, prompts[0], true), await ask(single, prompts[0], true));
  const together = await Promise.all(prompts.map((p) => ask(piped, p)));
  for (const [i, p] of prompts.entries()) assert.equal(together[i], await ask(single, p));
  const health = await (await piped.fetch(new Request("http://localhost/health"))).json();
  assert.equal(health.state, "ready");
  assert.match(health.threads?.reason ?? JSON.stringify(health), /pipeline of 4 shards/);
  for (const s of shards) s.dispose();
});
