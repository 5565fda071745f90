// Layer shards (issue 15): a model split into parts gives logits bit-identical
// to the single-isolate engine, for every plan shape, through the in-process
// link and through the binary wire; the planner's byte counts are the
// kernels' own; lost caches are rebuilt, never computed on.
import assert from "node:assert/strict";
import { loadModel } from "../src/load/mod.ts";
import { loadShard } from "../src/shard/load_shard.ts";
import { Pipeline } from "../src/shard/coordinator.ts";
import { fetchLink, localLink, shardHandler, type ShardLink } from "../src/shard/transport.ts";
import type { ModelPart, PartRanges } from "../src/shard/part.ts";
import { partBytes, PlanError, planShards } from "../src/shard/plan.ts";
import { ShardError } from "../src/shard/shard.ts";
import { decodeAnswer, encodeAnswer, encodeCall, Op } from "../src/shard/wire.ts";
import { parseConfig } from "../src/load/config.ts";
import { createEngine } from "../src/engine/create.ts";
import type { Model } from "../src/engine/model.ts";
import { argmax } from "../src/engine/argmax.ts";

const FIX = new URL("./fixtures/", import.meta.url).pathname;
const FIXTURES = ["tiny-falcon-e", "odd-falcon-e", "wide-falcon-e"];
const OPTS = { threads: 1, blockSize: 4, maxSessions: 3, contextLength: 64 } as const;

/** Every way to cut [0, n) into consecutive runs. */
function cuts(n: number): [number, number][][] {
  if (n === 0) return [[]];
  const out: [number, number][][] = [];
  for (let first = 1; first <= n; first++) {
    for (const rest of cuts(n - first)) {
      out.push([
        [0, first],
        ...rest.map(([a, b]) => [a + first, b + first] as [number, number]),
      ]);
    }
  }
  return out;
}

/** Vocabulary slices on 4-row groups. */
function slices(V: number, k: number): [number, number][] {
  const g = Math.ceil(V / 4);
  return Array.from({ length: k }, (_, i) => [4 * Math.floor(g * i / k), Math.min(V, 4 * Math.floor(g * (i + 1) / k))]);
}

/** Plan shapes of a model: every layer cut, with the embedding/lm_head whole in the end shards or in 1-3 slices. */
function shapes(L: number, V: number): ModelPart[][] {
  const out: ModelPart[][] = [];
  for (const cut of cuts(L)) {
    const layers: ModelPart[] = cut.map((r) => ({ layers: r }));
    out.push(
      layers.map((p, i) => ({
        ...p,
        ...(i === 0 ? { embed: [0, V] } : {}),
        ...(i === cut.length - 1 ? { head: [0, V] } : {}),
      })),
    );
    for (const k of [1, 2, 3]) out.push([...slices(V, k).map((r) => ({ embed: r, head: r })), ...layers]);
  }
  // embedding and lm_head in separate slices, the embedding whole in the first layer shard
  out.push([{ layers: [0, L], embed: [0, V] }, ...slices(V, 2).map((r) => ({ head: r }))]);
  return out;
}

/** Three sessions fed in an interleaved schedule (prompts over several chunks, then decode steps). */
async function schedule(
  feed: (entries: { s: number; ids: number[] }[]) => Promise<Float32Array[]> | Float32Array[],
): Promise<Float32Array[]> {
  const steps = [
    [{ s: 0, ids: [1, 17, 33, 5, 9, 200, 3, 7, 11] }, { s: 1, ids: [4, 2] }],
    [{ s: 1, ids: [99] }, { s: 2, ids: [6, 7, 8, 9, 10, 11, 12] }],
    [{ s: 0, ids: [42] }, { s: 1, ids: [43] }, { s: 2, ids: [44] }],
  ];
  const out: Float32Array[] = [];
  const last: Float32Array[] = [];
  for (const st of steps) {
    const got = await feed(st);
    st.forEach(({ s }, i) => last[s] = got[i]);
    out.push(...got);
  }
  // two greedy steps: each session's most likely token, which the lm_head slices sent with the logits
  for (let g = 0; g < 2; g++) {
    const got = await feed([0, 1, 2].map((s) => ({ s, ids: [argmax(last[s])] })));
    got.forEach((l, s) => last[s] = l);
    out.push(...got);
  }
  return out;
}

async function reference(dir: string): Promise<{ model: Model; logits: Float32Array[] }> {
  const model = await loadModel(dir, OPTS);
  const sessions = [0, 1, 2].map(() => model.createSession());
  const logits = await schedule((e) => model.feedBatch(e.map(({ s, ids }) => ({ session: sessions[s], ids }))));
  return { model, logits };
}

/**
 * An answer as `fetch` gives it: a byte stream with a content-length, so the
 * link reads it into its reused buffers (a `new Response(bytes)` body is no
 * byte stream in Deno, and would be read whole).
 */
async function asFetched(res: Response): Promise<Response> {
  const bytes = new Uint8Array(await res.arrayBuffer());
  const length = String(bytes.length); // before the stream takes (detaches) the bytes
  const body = new ReadableStream({
    type: "bytes",
    start(c) {
      c.enqueue(bytes);
      c.close();
    },
  });
  return new Response(body, { status: res.status, headers: { "content-length": length } });
}

/** A link that crosses the binary wire (encode, the shard's fetch handler, decode) without a socket. */
function wireLink(shard: Parameters<typeof shardHandler>[0], name: string): ShardLink {
  const handle = shardHandler(shard);
  // answers arrive after a random delay, so chunks reach stages out of order and must be put back in it, and a
  // stage's next answer can come before the last one was sent on: its buffer must not be reused before then
  return fetchLink(async (body) => {
    const req = new Request("http://shard/", { method: "POST", body }); // copies the body, as fetch does
    await new Promise((r) => setTimeout(r, Math.random() * 3));
    return asFetched(await handle(req));
  }, name);
}

async function throughPipeline(dir: string, parts: ModelPart[], wire: boolean): Promise<Float32Array[]> {
  const config = parseConfig(Deno.readTextFileSync(dir + "/config.json"));
  const shards = await Promise.all(parts.map((part) => loadShard(dir, { ...OPTS, part })));
  const links = shards.map((s, i) => (wire ? wireLink(s, `shard-${i}`) : localLink(s)));
  const p = await Pipeline.connect(config, links.reverse()); // any order
  const sessions = [0, 1, 2].map(() => p.createSession());
  try {
    return await schedule((e) => p.feedBatch(e.map(({ s, ids }) => ({ session: sessions[s], ids }))));
  } finally {
    await p.close();
    for (const s of shards) s.dispose();
  }
}

function sameBits(got: Float32Array[], want: Float32Array[], what: string): void {
  assert.equal(got.length, want.length);
  got.forEach((g, i) => {
    const a = new Uint32Array(g.buffer, g.byteOffset, g.length),
      b = new Uint32Array(want[i].buffer, want[i].byteOffset, want[i].length);
    const j = a.findIndex((x, k) => x !== b[k]);
    assert.equal(j, -1, `${what}: step ${i} logit ${j}: ${g[j]} vs ${want[i][j]}`);
  });
}

for (const fixture of FIXTURES) {
  Deno.test(`shards of ${fixture}: every plan shape gives logits bit-identical to one engine (in-process and over the wire)`, async () => {
    const dir = FIX + fixture;
    const { model, logits } = await reference(dir);
    const c = model.config;
    model.dispose();
    const all = shapes(c.numLayers, c.vocabSize);
    assert.ok(all.length >= 5);
    for (const [i, parts] of all.entries()) {
      const what = JSON.stringify(parts);
      sameBits(await throughPipeline(dir, parts, false), logits, what);
      if (i % 2 === 0) sameBits(await throughPipeline(dir, parts, true), logits, what + " (wire)");
    }
  });
}

Deno.test("a decoded token among the lm_head slices' candidates skips the embedding call; any other gets one, exactly", async () => {
  const dir = FIX + "tiny-falcon-e";
  const config = parseConfig(Deno.readTextFileSync(dir + "/config.json"));
  const V = config.vocabSize;
  const model = await loadModel(dir, OPTS);
  const parts: ModelPart[] = [...slices(V, 3).map((r) => ({ embed: r, head: r })), { layers: [0, 2] }];
  const shards = await Promise.all(parts.map((part) => loadShard(dir, { ...OPTS, part })));
  let embedCalls = 0;
  const links = shards.map((s, i) => {
    const l = i % 2 ? localLink(s) : wireLink(s, `shard-${i}`); // both transports carry the candidates
    return { ...l, embed: (t: Int32Array) => (embedCalls++, l.embed(t)) };
  });
  const p = await Pipeline.connect(config, links);
  assert.equal(p.candidates, 4);
  const ref = model.createSession(), s = p.createSession();
  try {
    const prompt = [1, 17, 33, 5, 9];
    let want = ref.feed(prompt), got = await s.feed(prompt);
    sameBits([got], [want], "prompt");
    const before = embedCalls;
    for (let i = 0; i < 6; i++) { // greedy: always among them
      const next = argmax(want);
      [want, got] = [ref.feed([next]), await s.feed([next])];
      sameBits([got], [want], `greedy step ${i}`);
    }
    assert.equal(embedCalls, before, "no embedding call while decoding greedily");
    assert.equal(p.stats.rowsFromCandidates, 6);
    for (const pick of [(l: Float32Array) => argmax(l.map((x) => -x)), () => 0]) { // the least likely; id 0
      const next = pick(want);
      [want, got] = [ref.feed([next]), await s.feed([next])];
      sameBits([got], [want], `token ${next}`);
    }
    assert.equal(embedCalls, before + 2, "a token outside the candidates is embedded by its slice");
    assert.equal(p.stats.rowsFromCandidates, 6);
    // asked for none (SHARD_CANDIDATES=0): every decoded token is embedded by its slice, the logits the same
    const none = await Pipeline.connect(config, links, "none", 1000, 0);
    assert.equal(none.candidates, 0);
    const [r0, s0] = [model.createSession(), none.createSession()];
    let [w0, g0] = [r0.feed(prompt), await s0.feed(prompt)];
    const calls0 = embedCalls;
    for (let i = 0; i < 3; i++) {
      const next = argmax(w0);
      [w0, g0] = [r0.feed([next]), await s0.feed([next])];
      sameBits([g0], [w0], `without candidates, step ${i}`);
    }
    assert.equal(embedCalls, calls0 + 3, "one embedding call per decoded token");
    assert.equal(none.stats.rowsFromCandidates, 0);
    r0.dispose(), s0.dispose();
    await assert.rejects(
      Pipeline.connect(config, links, "bad", 1000, -1),
      /candidates must be an integer in \[0, 16\]/,
    );
  } finally {
    s.dispose(), ref.dispose(), model.dispose();
    for (const sh of shards) sh.dispose();
  }
});

Deno.test("candidate rows cross the wire bit for bit: as BF16 halves when they are BF16 values, else as f32", () => {
  const ids = Int32Array.of(7, 3);
  for (
    const [rows, bytes] of [[Float32Array.of(1.5, -2, 0.25, -0), 8], [Float32Array.of(1.1, -2, 0.25, 3), 16]] as const
  ) {
    const reply = { instance: 1, epochs: [0], logits: Float32Array.of(0.5, 1), candidates: { ids, rows } };
    const encoded = encodeAnswer(Op.STEP, reply);
    const got = decodeAnswer(Op.STEP, encoded) as typeof reply;
    assert.deepEqual(got.candidates.ids, ids);
    const r = got.candidates.rows;
    assert.deepEqual(new Uint32Array(r.buffer, r.byteOffset, r.length), new Uint32Array(rows.buffer));
    const plain = encodeAnswer(Op.STEP, { ...reply, candidates: undefined }).length;
    assert.equal(encoded.length - plain, 20 + bytes, "ids and their length, the format, the rows and their length");
  }
});

Deno.test("the planner's bytes are what the kernels lay out, for every kind of part", async () => {
  const dir = FIX + "wide-falcon-e";
  const c = parseConfig(Deno.readTextFileSync(dir + "/config.json"));
  const V = c.vocabSize;
  const parts: PartRanges[] = [
    { layers: [0, 3], embed: [0, V], head: [0, V] },
    { layers: [1, 2], embed: [0, 0], head: [0, 0] },
    { layers: [0, 1], embed: [0, V], head: [0, 0] },
    { layers: [0, 0], embed: [0, 264], head: [0, 264] },
    { layers: [0, 0], embed: [264, V], head: [264, V] },
    { layers: [2, 3], embed: [0, 0], head: [0, V] },
  ];
  for (const part of parts) {
    for (const lmHead of ["bf16", "int8"] as const) {
      for (const kvCache of ["f16", "f32"] as const) {
        const o = { sessions: 3, contextLength: 100, kvCache, lmHead, blockSize: 8 };
        const e = await createEngine(c, { ...o, maxSessions: 3, threads: 1 }, "test", part);
        const want = partBytes(c, part, o);
        assert.deepEqual(
          [0, 1, 2].map((w) => e.k.memory_bytes(w)),
          [want.weights, want.kvCache, want.scratch],
          JSON.stringify({ part, o }),
        );
        const planned = planShards(c, { ...o, budgetBytes: 1 << 30 }).shards[0].bytes.total;
        assert.ok(planned >= e.k.memory.buffer.byteLength || JSON.stringify(part) !== JSON.stringify(parts[0]));
      }
    }
  }
});

Deno.test("a plan for Falcon-E-1B's shapes fits 128 MB isolates; a budget too small is refused with the reason", () => {
  const c = parseConfig(JSON.stringify({
    vocab_size: 32768,
    hidden_size: 2048,
    intermediate_size: 9216,
    num_hidden_layers: 24,
    num_attention_heads: 16,
    num_key_value_heads: 2,
    head_dim: 128,
    max_position_embeddings: 8192,
    rms_norm_eps: 1e-5,
    rope_theta: 1000042,
    hidden_act: "silu",
    tie_word_embeddings: false,
    bos_token_id: 1,
    eos_token_id: 2,
    quantization_config: { quant_method: "bitnet" },
  }));
  const plan = planShards(c);
  assert.ok(plan.shards.length > 2);
  for (const s of plan.shards) assert.ok(s.bytes.total <= plan.settings.wasmBudgetBytes, `${s.name} ${s.bytes.total}`);
  const layers = plan.shards.flatMap((s) => (s.part.layers[1] > s.part.layers[0] ? [s.part.layers] : []));
  assert.deepEqual(layers.flat().filter((_, i, a) => i === 0 || i === a.length - 1), [0, 24]);
  assert.throws(
    () => planShards(c, { budgetBytes: 40 << 20 }),
    (e) => e instanceof PlanError && /one layer needs/.test(e.message),
  );
  assert.throws(
    () => planShards(c, { sessions: 64 }),
    (e) => e instanceof PlanError && /fewer sessions/.test(e.message),
  );
});

/** A link whose shard can be replaced (a restart) or silenced (it stops answering). */
function swappable(first: ShardLink): { link: ShardLink; swap(l: ShardLink): void } {
  let cur = first;
  return {
    link: { info: () => cur.info(), step: (r) => cur.step(r), embed: (t) => cur.embed(t), drop: (i) => cur.drop(i) },
    swap: (l) => void (cur = l),
  };
}

/** The tiny fixture's reference logits, and its two layers as two shards (the embedding first, the lm_head last). */
async function twoStages() {
  const dir = FIX + "tiny-falcon-e";
  const { model, logits } = await reference(dir);
  const config = model.config;
  model.dispose();
  const parts: ModelPart[] = [{ layers: [0, 1], embed: [0, 640] }, { layers: [1, 2], head: [0, 640] }];
  const shards = await Promise.all(parts.map((part) => loadShard(dir, { ...OPTS, part })));
  return { dir, config, logits, parts, shards };
}

Deno.test("a shard restarted mid-generation: the coordinator notices, feeds the history again, and the logits stay exact", async () => {
  const { dir, config, logits, parts, shards } = await twoStages();
  const second = swappable(localLink(shards[1]));
  const p = await Pipeline.connect(config, [localLink(shards[0]), second.link]);
  const sessions = [0, 1, 2].map(() => p.createSession());
  let step = 0;
  const fresh = await loadShard(dir, { ...OPTS, part: parts[1] });
  const got = await schedule(async (e) => {
    if (step++ === 2) second.swap(localLink(fresh)); // the second shard restarts: its caches are empty
    return await p.feedBatch(e.map(({ s, ids }) => ({ session: sessions[s], ids })));
  });
  sameBits(got, logits, "after a restart");
  assert.equal(p.stats.recoveries, 1);
  // a request that ends frees its caches on every shard
  for (const s of sessions) s.dispose();
  await new Promise((r) => setTimeout(r, 0));
  assert.deepEqual(shards[0].sessionIds(), []);
  assert.deepEqual(fresh.sessionIds(), []);
  for (const s of [...shards, fresh]) s.dispose();
});

Deno.test("a stage that answers its next chunk before the last one was sent on keeps that one's rows whole", async () => {
  const { config, logits, shards } = await twoStages();
  // the first stage answers at once, the second after 8 ms: chunks queue between them, each holding the first
  // stage's answer (read into the first link's reused buffers) until the second stage has taken it
  const delayed = (shard: (typeof shards)[number], ms: number) => {
    const handle = shardHandler(shard);
    return fetchLink(async (body) => {
      const req = new Request("http://shard/", { method: "POST", body });
      await new Promise((r) => setTimeout(r, ms));
      return asFetched(await handle(req));
    }, `delayed ${ms} ms`);
  };
  const p = await Pipeline.connect(config, [delayed(shards[0], 0), delayed(shards[1], 8)]);
  const sessions = [0, 1, 2].map(() => p.createSession());
  try {
    sameBits(
      await schedule((e) => p.feedBatch(e.map(({ s, ids }) => ({ session: sessions[s], ids })))),
      logits,
      "queued",
    );
  } finally {
    await p.close();
    for (const s of shards) s.dispose();
  }
});

Deno.test("a shard that does not answer is a clear 'down' error, and the other shards drop the session", async () => {
  const dir = FIX + "tiny-falcon-e";
  const config = parseConfig(Deno.readTextFileSync(dir + "/config.json"));
  const parts: ModelPart[] = [{ layers: [0, 1], embed: [0, 640] }, { layers: [1, 2], head: [0, 640] }];
  const shards = await Promise.all(parts.map((part) => loadShard(dir, { ...OPTS, part })));
  const handler = shardHandler(shards[1]);
  let silent = false;
  const slow = fetchLink(
    async (body, signal) => {
      if (silent) await new Promise((_, reject) => signal.addEventListener("abort", () => reject(signal.reason)));
      return await handler(new Request("http://s/", { method: "POST", body }));
    },
    "shard-1",
    200,
  );
  const p = await Pipeline.connect(config, [localLink(shards[0]), slow]);
  const s = p.createSession();
  await s.feed([1, 2, 3]);
  assert.equal(shards[0].sessionIds().length, 1);
  silent = true;
  await assert.rejects(
    s.feed([4]),
    (e) => e instanceof ShardError && e.code === "down" && /no answer within 200 ms/.test(e.message),
  );
  assert.deepEqual(shards[0].sessionIds(), [], "the first shard dropped the session");
  assert.equal(s.position, 0, "nothing is kept of a failed feed");
  silent = false;
  await s.feed([1, 2, 3]); // and it works again from scratch
  for (const sh of shards) sh.dispose();
});

Deno.test("a shard refuses a step whose session it does not hold at that position, changing nothing", async () => {
  const dir = FIX + "tiny-falcon-e";
  const sh = await loadShard(dir, { ...OPTS, part: { layers: [1, 2] } });
  const h = new Float32Array(2 * 256).fill(0.5);
  sh.step({ sessions: [{ id: "a", pos: 0, rows: 2 }], hidden: h, want: new Uint8Array(2) });
  assert.throws(
    () => sh.step({ sessions: [{ id: "b", pos: 3, rows: 2 }], hidden: h, want: new Uint8Array(2) }),
    (e) => e instanceof ShardError && e.code === "lost",
  );
  assert.throws(
    () => sh.step({ sessions: [{ id: "a", pos: 5, rows: 2 }], hidden: h, want: new Uint8Array(2) }),
    (e) => e instanceof ShardError && e.code === "lost" && /holds 2 positions/.test(e.message),
  );
  assert.deepEqual(sh.sessionIds(), ["a"]);
  await assert.rejects(loadShard(dir, { ...OPTS, part: { head: [2, 640] } }), /multiple of 4/);
  await assert.rejects(loadShard(dir, { ...OPTS, part: {} }), /must hold something/);
  sh.dispose();
});

Deno.test("deno task plan --wrangler writes the sharded deployment's wrangler.toml from the plan", async () => {
  const out = await Deno.makeTempFile({ suffix: ".toml" });
  try {
    const p = await new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "-A",
        "src/cli/plan.ts",
        "--model",
        FIX + "wide-falcon-e",
        "--budget-mb",
        "3",
        "--headroom-mb",
        "0",
        "--sessions",
        "1",
        "--ctx",
        "64",
        "--wrangler",
        out,
        "--bucket",
        "models",
        "--prefix",
        "wide/",
      ],
      stdout: "piped",
      stderr: "piped",
    }).output();
    assert.equal(p.code, 0, new TextDecoder().decode(p.stderr));
    const lines = new TextDecoder().decode(p.stdout).trim().split("\n").map((l) => JSON.parse(l));
    assert.ok(lines.length > 1);
    const toml = await Deno.readTextFile(out);
    const plan = JSON.parse(JSON.parse(toml.match(/^SHARD_PLAN = (".*")$/m)![1]));
    assert.deepEqual(plan, lines.map(({ name, part }) => ({ name, part })));
    for (
      const want of [
        /^main = "dist\/sharded.js"$/m,
        /^class_name = "ShardObject"$/m,
        /^new_sqlite_classes = \["ShardObject"\]/m,
        /^cpu_ms = 300000$/m,
        /^bucket_name = "models"$/m,
        /^MODEL_PREFIX = "wide\/"$/m,
        /^SHARD_SESSIONS = "1"$/m,
        /^CONTEXT = "64"$/m,
      ]
    ) {
      assert.match(toml, want);
    }
    const none = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", "src/cli/plan.ts", "--model", FIX + "wide-falcon-e", "--budget-mb", "1"],
      stdout: "piped",
      stderr: "piped",
    }).output();
    assert.equal(none.code, 2);
    assert.match(new TextDecoder().decode(none.stderr), /no plan fits: a 1.0 MiB budget leaves nothing/);
  } finally {
    await Deno.remove(out);
  }
});

Deno.test("malformed shard calls are refused with a message, before any cache changes", async () => {
  const dir = FIX + "tiny-falcon-e";
  const whole = await loadShard(dir, { ...OPTS, part: { layers: [0, 2], embed: [0, 640], head: [0, 640] } });
  const upper = await loadShard(dir, { ...OPTS, part: { layers: [1, 2] } });
  const bad = (f: () => unknown, re: RegExp) =>
    assert.throws(f, (e) => e instanceof ShardError && e.code === "bad" && re.test(e.message), String(re));
  const one = [{ id: "a", pos: 0, rows: 2 }];
  bad(() => whole.step({ sessions: [], want: new Uint8Array(), tokens: new Int32Array() }), /takes 1 to 4 rows, got 0/);
  bad(
    () => whole.step({ sessions: one, want: new Uint8Array(3), tokens: new Int32Array(2) }),
    /want has 3 entries for 2 rows/,
  );
  bad(() => whole.step({ sessions: one, want: new Uint8Array(2), tokens: new Int32Array(3) }), /does not hold 2 rows/);
  bad(
    () => upper.step({ sessions: one, want: new Uint8Array(2), tokens: new Int32Array(2) }),
    /not hold the whole embedding/,
  );
  bad(
    () => whole.step({ sessions: one, want: new Uint8Array(2), tokens: Int32Array.from([1, 640]) }),
    /outside the vocabulary \[0, 640\)/,
  );
  bad(
    () => whole.step({ sessions: [{ id: "a", pos: 63, rows: 2 }], want: new Uint8Array(2), tokens: new Int32Array(2) }),
    /do not fit 64 positions/,
  );
  bad(
    () => whole.step({ sessions: [{ id: "", pos: 0, rows: 2 }], want: new Uint8Array(2), tokens: new Int32Array(2) }),
    /distinct non-empty/,
  );
  assert.deepEqual(whole.sessionIds(), [], "no refused step took a slot");
  // the wire: anything but a well-formed message is a `bad` answer, not a crash
  const handle = shardHandler(whole);
  const call = async (body: Uint8Array<ArrayBuffer>) => {
    const link = fetchLink(() => handle(new Request("http://s/", { method: "POST", body })), "s");
    return await link.info().then(() => "ok", (e) => (e as Error).message);
  };
  assert.match(await call(new Uint8Array([1, 2, 3])), /truncated/);
  assert.match(await call(new Uint8Array(8)), /not a shard message/);
  // a message of the earlier version ("FES1", before candidate rows) says so, not that it is malformed
  assert.match(
    await call(Uint8Array.from([0x46, 0x45, 0x53, 0x31, 4, 0, 0, 0])),
    /not a shard message of this version \(FES2\): is every part deployed from one build\?/,
  );
  assert.match(await call(Uint8Array.from([0x46, 0x45, 0x53, 0x32, 9, 0, 0, 0])), /unknown operation 9/);
  assert.match(await call(Uint8Array.from([0x46, 0x45, 0x53, 0x32, 4, 0, 0, 0, 0])), /trailing bytes/);
  assert.equal((await handle(new Request("http://s/"))).status, 405);
  // a body that is not the length it says is refused: a small one (read whole) and a large byte stream (read
  // into a pooled buffer, in pieces)
  const small = encodeCall({ op: Op.INFO }); // 8 bytes
  const tokens = Int32Array.from({ length: 20_000 }, (_, i) => (i * 7) % 640);
  const large = encodeCall({ op: Op.EMBED, tokens }); // 80 KB
  const byteStream = (m: Uint8Array) => {
    let at = 0;
    return new ReadableStream({
      type: "bytes",
      pull(c) { // a piece per pull: the body arrives in several reads
        c.enqueue(m.slice(at, at += 30_001));
        if (at >= m.length) c.close();
      },
    });
  };
  const post = (body: BodyInit, length: number) =>
    handle(new Request("http://s/", { method: "POST", body, headers: { "content-length": String(length) } }))
      .then(async (res) => new Uint8Array(await res.arrayBuffer()));
  for (const [m, body, op] of [[small, () => small, Op.INFO], [large, () => byteStream(large), Op.EMBED]] as const) {
    for (const [length, re] of [[m.length + 4, /shorter than/], [m.length - 4, /longer than/]] as const) {
      const answer = await post(body(), length);
      assert.throws(() => decodeAnswer(op, answer), (e) => e instanceof ShardError && re.test(e.message), String(re));
    }
  }
  assert.ok((decodeAnswer(Op.INFO, await post(small, small.length)) as { holds: string }).holds);
  const lengthless = new Request("http://s/", { method: "POST", body: small, headers: { "content-length": "eight" } });
  assert.equal((await handle(lengthless)).status, 400);
  for (let i = 0; i < 3; i++) { // the pooled buffer, used again
    assert.deepEqual(decodeAnswer(Op.EMBED, await post(byteStream(large), large.length)), whole.embed(tokens));
  }
  // a step's answer that is not the length it says (read by the link into its reused buffers) is a 'down' error
  for (const [length, re] of [[large.length + 4, /shorter than/], [large.length - 4, /longer than/]] as const) {
    const headers = { "content-length": String(length) };
    const cut = fetchLink(() => Promise.resolve(new Response(byteStream(large), { headers })), "cut");
    await assert.rejects(
      cut.step({ sessions: [{ id: "a", pos: 0, rows: 1 }], tokens: Int32Array.of(1), want: Uint8Array.of(1) }),
      (e) => e instanceof ShardError && e.code === "down" && re.test(e.message) && /^cut: /.test(e.message),
    );
  }
  whole.dispose(), upper.dispose();
});

Deno.test("the shard handler's reused buffers: answers already given stay as they were, overlapping calls stay apart", async () => {
  const dir = FIX + "tiny-falcon-e";
  const shard = await loadShard(dir, { ...OPTS, part: { embed: [0, 640] } });
  const handle = shardHandler(shard);
  const link = fetchLink((body) => handle(new Request("http://s/", { method: "POST", body })), "s");
  const ids = [[1, 2, 3], [7, 8], [100, 200, 300, 400, 500, 600]].map((t) => Int32Array.from(t));
  const want = ids.map((t) => shard.embed(t)); // copies, straight from the shard
  const first = await link.embed(ids[0]);
  const later = await Promise.all(ids.map((t) => link.embed(t))); // in flight together
  assert.deepEqual(first, want[0], "a later answer did not overwrite an earlier one");
  later.forEach((got, i) => assert.deepEqual(got, want[i]));
  shard.dispose();
});

Deno.test("shards that do not hold the whole model in order cannot form a pipeline; a part out of bounds is named", async () => {
  const dir = FIX + "tiny-falcon-e";
  const config = parseConfig(Deno.readTextFileSync(dir + "/config.json"));
  const load = (part: ModelPart) => loadShard(dir, { ...OPTS, part });
  const a = await load({ layers: [0, 1], embed: [0, 640] }), b = await load({ layers: [1, 2] });
  const h = await load({ head: [0, 320] });
  const pipe = (s: typeof a[]) => Pipeline.connect(config, s.map(localLink));
  await assert.rejects(pipe([b]), /gap or overlap at layer 0/);
  await assert.rejects(pipe([a]), /hold layers 0-0 of 2/);
  await assert.rejects(pipe([a, b, h]), /lm_head rows do not cover the vocabulary exactly \(0-319 of 640/);
  await assert.rejects(
    load({ layers: [1, 3] }),
    /part.layers must be \[from, to\) with 0 <= from <= to <= 2, got \[1,3\]/,
  );
  for (const s of [a, b, h]) s.dispose();
});

Deno.test("connecting waits for a shard that is still starting, and gives up on one that refuses or never comes", async () => {
  const dir = FIX + "tiny-falcon-e";
  const config = parseConfig(Deno.readTextFileSync(dir + "/config.json"));
  const whole = await loadShard(dir, { ...OPTS, part: { layers: [0, 2], embed: [0, 640], head: [0, 640] } });
  const starting = (failures: number, retryable = true): ShardLink => {
    const link = localLink(whole);
    let calls = 0;
    return {
      ...link,
      info:
        () => (++calls <= failures
          ? Promise.reject(new ShardError("down", `shard: connection refused (${calls})`, retryable))
          : link.info()),
    };
  };
  const p = await Pipeline.connect(config, [starting(3)]); // a process that binds its port a moment late
  assert.equal(p.freeSessions, OPTS.maxSessions);
  await assert.rejects(Pipeline.connect(config, [starting(1, false)]), /connection refused \(1\)/); // not retryable
  const t0 = Date.now();
  await assert.rejects(Pipeline.connect(config, [starting(Infinity)], "pipeline", 300), /connection refused/);
  assert.ok(Date.now() - t0 < 2000, "gave up after its wait");
  whole.dispose();
});
