// Continuous batching: generations running at once share model passes and
// produce exactly what each produces alone.
import assert from "node:assert/strict";
import { generate } from "../src/generate/generate.ts";
import { Scheduler } from "../src/generate/scheduler.ts";
import { loadTextModel, type TextModel } from "../src/generate/text_model.ts";
import { TINY } from "./reference.ts";

async function run(tm: TextModel, scheduler: Scheduler, prompt: number[], maxTokens: number): Promise<number[]> {
  const lease = await scheduler.acquire();
  try {
    const out: number[] = [];
    const it = generate(tm, lease.session, prompt, { maxTokens, temperature: 0, stopTokenIds: [] });
    for (let r = await it.next(); !r.done; r = await it.next()) if (r.value.id !== undefined) out.push(r.value.id);
    return out;
  } finally {
    lease.release();
  }
}

const prompts = [[577, 467, 511], [55, 88, 353, 225, 21, 22, 23], [92, 66, 22]];

Deno.test("concurrent greedy generations equal their solo runs and share passes", async () => {
  const tm = await loadTextModel(TINY, { maxSessions: 3, contextLength: 256 });
  const scheduler = new Scheduler(tm.model, 0);
  const solo: number[][] = [];
  for (const p of prompts) solo.push(await run(tm, scheduler, p, 20));
  const before = { ...scheduler.batcher.stats };
  const together = await Promise.all(prompts.map((p) => run(tm, scheduler, p, 20)));
  assert.deepEqual(together, solo);
  const passes = scheduler.batcher.stats.passes - before.passes;
  const rows = scheduler.batcher.stats.rows - before.rows;
  assert.ok(rows >= 3 * 20, `rows ${rows}`);
  assert.ok(passes <= 25, `${passes} passes for ${rows} rows: the three streams shared passes`);
});

Deno.test("a long prompt is prefilled in chunks beside decoding streams, with the same results", async () => {
  // block 16: the 150-token prompt takes ~10 passes, sharing each with the two decoders
  const t = await loadTextModel(TINY, { maxSessions: 3, contextLength: 512, blockSize: 16 });
  const scheduler = new Scheduler(t.model, 0);
  const long = Array.from({ length: 150 }, (_, i) => 5 + ((i * 37) % 600));
  const solo = [
    await run(t, scheduler, long, 8),
    await run(t, scheduler, prompts[0], 30),
    await run(t, scheduler, prompts[1], 30),
  ];
  const [a, b, c] = await Promise.all([
    run(t, scheduler, long, 8),
    run(t, scheduler, prompts[0], 30),
    run(t, scheduler, prompts[1], 30),
  ]);
  assert.deepEqual([a, b, c], solo);
});

Deno.test("a bad entry in a batched pass fails alone; the others are fed", async () => {
  const tm = await loadTextModel(TINY, { maxSessions: 2, contextLength: 16 });
  const scheduler = new Scheduler(tm.model, 0);
  const [a, b] = [await scheduler.acquire(), await scheduler.acquire()];
  try {
    const good = a.session.prefill([577, 467, 511]);
    const bad = b.session.prefill(Array.from({ length: 20 }, (_, i) => i + 5)); // over the 16-position context
    assert.equal((await good).length, 640);
    await assert.rejects(bad, /20 tokens do not fit: the session holds 0 of 16 positions/);
    assert.equal(a.session.engine.position, 3);
    assert.equal(b.session.engine.position, 0, "the failed slot holds nothing");
    assert.equal((await b.session.prefill([1, 2])).length, 640, "and works afterwards");
  } finally {
    a.release();
    b.release();
  }
});

Deno.test("an abort during a long prefill stops it between chunks and frees the slot clean", async () => {
  const tm = await loadTextModel(TINY, { maxSessions: 1, contextLength: 2048, blockSize: 4 });
  const scheduler = new Scheduler(tm.model, 0);
  const lease = await scheduler.acquire();
  const ctrl = new AbortController();
  const long = Array.from({ length: 1800 }, (_, i) => 5 + ((i * 13) % 600));
  const it = generate(tm, lease.session, long, { maxTokens: 4, temperature: 0, signal: ctrl.signal });
  setTimeout(() => ctrl.abort(), 30);
  const t0 = performance.now();
  const r = await it.next();
  assert.equal(r.done, true);
  assert.equal(r.value && "finishReason" in r.value ? r.value.finishReason : undefined, "abort");
  assert.ok(scheduler.batcher.stats.rows < long.length, `stopped early (${scheduler.batcher.stats.rows} rows fed)`);
  assert.ok(performance.now() - t0 < 2000);
  assert.deepEqual(
    [lease.session.ids.length, lease.session.engine.position],
    [0, 0],
    "the partial prompt is forgotten",
  );
  lease.release();
  assert.equal((await run(tm, scheduler, prompts[0], 3)).length, 3, "the slot serves the next request");
});
