// A shard that answers out of shape (another build, a bug) is a clear `bad` error from the coordinator, never wrong
// tokens: the checks of src/shard/replies.ts, each triggered by a link that bends one field of a real answer.
import assert from "node:assert/strict";
import { loadShard } from "../src/shard/load_shard.ts";
import { Pipeline } from "../src/shard/coordinator.ts";
import { localLink, type ShardLink } from "../src/shard/transport.ts";
import type { ModelPart } from "../src/shard/part.ts";
import { ShardError, type StepReply } from "../src/shard/shard.ts";
import { parseConfig } from "../src/load/config.ts";

const DIR = new URL("./fixtures/tiny-falcon-e", import.meta.url).pathname;
const OPTS = { threads: 1, blockSize: 4, maxSessions: 3, contextLength: 64 } as const;

Deno.test("answers out of shape are 'bad' errors naming the shard and what was wrong", async () => {
  const config = parseConfig(Deno.readTextFileSync(DIR + "/config.json"));
  const V = config.vocabSize, h = config.hiddenSize;
  // two vocabulary slices holding embedding and lm_head rows, then the layers
  const parts: ModelPart[] = [{ embed: [0, 320], head: [0, 320] }, { embed: [320, V], head: [320, V] }, {
    layers: [0, 2],
  }];
  const shards = await Promise.all(parts.map((part) => loadShard(DIR, { ...OPTS, part })));
  let bend: ((i: number, r: StepReply) => void) | undefined;
  let bendEmbed: ((rows: Float32Array) => Float32Array) | undefined;
  const links: ShardLink[] = shards.map((s, i) => {
    const l = localLink(s);
    return {
      ...l,
      step: async (req) => {
        const r = await l.step(req);
        bend?.(i, r);
        return r;
      },
      embed: async (t) => (bendEmbed ?? ((x) => x))(await l.embed(t)),
    };
  });
  const p = await Pipeline.connect(config, links);
  const cases: [string, (i: number, r: StepReply) => void, RegExp][] = [
    ["an epoch missing", (i, r) => i === 2 && r.epochs.pop(), /layers 0-1 answered 0 epochs for 1 sessions/],
    ["short hidden rows", (i, r) => i === 2 && (r.hidden = r.hidden!.subarray(h)), /hidden values for \d+ rows of 256/],
    ["short logits", (i, r) => i === 1 && (r.logits = r.logits!.subarray(1)), /rows 320-639 answered 319 logits/],
    [
      "a candidate outside the slice",
      (i, r) => i === 0 && (r.candidates!.ids[1] = 500),
      /a candidate 500 outside its rows 0-320/,
    ],
    [
      "too few candidates",
      (i, r) => i === 0 && (r.candidates!.ids = r.candidates!.ids.subarray(1)),
      /3 candidates for 1 rows of 4/,
    ],
    [
      "short candidate rows",
      (i, r) => i === 1 && (r.candidates!.rows = new Float32Array(3)),
      /3 values for 4 rows of 256/,
    ],
  ];
  try {
    for (const [what, f, message] of cases) {
      const s = p.createSession();
      bend = f;
      await assert.rejects(
        s.feed([1, 17, 33]),
        (e) => {
          assert.ok(e instanceof ShardError && e.code === "bad", `${what}: ${e}`);
          assert.match(e.message, message, `${what}: ${e.message}`);
          return true;
        },
      );
      bend = undefined;
      s.dispose();
    }
    // an embedding slice that sends too few rows (candidates off, so every token is embedded)
    const none = await Pipeline.connect(config, links, "none", 1000, 0);
    const s = none.createSession();
    bendEmbed = (x) => x.subarray(h);
    await assert.rejects(s.feed([1, 400]), /answered 0 embedding values for 1 tokens of 256/);
    bendEmbed = undefined;
    s.dispose();
    // and straight answers still work, after all that
    const ok = p.createSession();
    assert.equal((await ok.feed([1, 17, 33])).length, V);
    ok.dispose();
  } finally {
    for (const sh of shards) sh.dispose();
  }
});
