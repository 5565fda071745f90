// A model on several threads (the shared-memory build, one instance per
// thread over one memory) computes exactly what one thread does: every
// fixture, both KV cache precisions and lm_heads, prefill blocks, decode
// steps and batches of sessions, bit for bit.
import assert from "node:assert/strict";
import { FilesSource, loadModel, loadModelFrom } from "../mod.ts";
import type { Model } from "../src/engine/model.ts";
import { kernelModule } from "../src/engine/kernels.ts";
import { threadSupport } from "../src/engine/threads.ts";
import { ODD, readReference, TINY, WIDE } from "./reference.ts";

const cores = threadSupport().max;

/** Every logit of: each reference prompt (all positions), 6 greedy steps after it, and a batch of two sessions. */
async function logitsOf(m: Model, dir: string): Promise<Float32Array[]> {
  const ref = await readReference(dir);
  const out: Float32Array[] = [];
  for (const run of ref.runs) {
    using s = m.createSession();
    const all = s.feed(run.ids, { allLogits: true });
    out.push(all);
    let l = all.subarray(all.length - m.config.vocabSize);
    for (let i = 0; i < 6; i++) {
      let best = 0;
      for (let j = 1; j < l.length; j++) if (l[j] > l[best]) best = j;
      l = s.feed([best]);
      out.push(l);
    }
  }
  using a = m.createSession(), b = m.createSession();
  out.push(...m.feedBatch([{ session: a, ids: ref.runs[0].ids }, { session: b, ids: ref.runs[1].ids }]));
  out.push(...m.feedBatch([{ session: a, ids: [3] }, { session: b, ids: [4] }]));
  return out;
}

function assertBitIdentical(got: Float32Array[], want: Float32Array[], what: string): void {
  assert.equal(got.length, want.length, what);
  got.forEach((g, i) => {
    const [x, y] = [
      new Uint32Array(g.buffer, g.byteOffset, g.length),
      new Uint32Array(want[i].buffer, want[i].byteOffset, want[i].length),
    ];
    const at = x.findIndex((v, j) => v !== y[j]);
    assert.equal(at, -1, `${what}: logits ${i} differ at ${at}: ${g[at]} vs ${want[i][at]}`);
  });
}

for (const dir of [TINY, WIDE, ODD]) {
  const name = dir.split("/").pop();
  Deno.test({
    name: `${name}: ${cores} threads give the logits of one, bit for bit (f32/f16 KV, bf16/int8 lm_head, blocks 32/5)`,
    ignore: cores < 2,
    async fn() {
      for (const kvCache of ["f32", "f16"] as const) {
        for (const lmHead of ["bf16", "int8"] as const) {
          for (const blockSize of [32, 5]) {
            const opts = { kvCache, lmHead, blockSize, maxSessions: 2, contextLength: 256 };
            const one = await loadModel(dir, { ...opts, threads: 1 });
            const many = await loadModel(dir, { ...opts, threads: cores });
            assert.equal(one.info().threads.count, 1);
            assert.equal(many.info().threads.count, cores);
            assertBitIdentical(
              await logitsOf(many, dir),
              await logitsOf(one, dir),
              `${kvCache}/${lmHead}/block ${blockSize}`,
            );
            one.dispose(), many.dispose();
          }
        }
      }
    },
  });
}

Deno.test("threads: the default is every core; asking for more is capped and says why; 0 is refused", async () => {
  const m = await loadModel(TINY, { contextLength: 16 });
  assert.equal(m.info().threads.count, cores);
  m.dispose();
  const over = await loadModel(TINY, { contextLength: 16, threads: cores + 3 });
  assert.equal(over.info().threads.count, cores);
  assert.match(over.info().threads.reason ?? "", new RegExp(`capped at the ${cores} cores`));
  over.dispose();
  await assert.rejects(loadModel(TINY, { threads: 0 }), /threads must be an integer in \[1, 256\], got 0/);
});

Deno.test("threads: a kernel module given without shared memory runs on one thread and says so", async () => {
  const m = await loadModel(TINY, { contextLength: 16, threads: 2, kernels: await kernelModule("relaxed") });
  assert.deepEqual(m.info().threads, {
    count: 1,
    reason: "the kernel module given is not a shared-memory (threaded) build",
  });
  m.dispose();
});

Deno.test("threads: a process whose threaded model is never disposed still exits", async () => {
  const script = `import { loadModel } from ${JSON.stringify(new URL("../mod.ts", import.meta.url).href)};
const m = await loadModel(${JSON.stringify(TINY)}, { threads: 2, contextLength: 16 });
using s = m.createSession();
console.log(m.info().threads.count, s.feed([1, 2, 3]).length);`;
  const p = new Deno.Command(Deno.execPath(), { args: ["eval", script], stdout: "piped", stderr: "piped" }).spawn();
  const timer = setTimeout(() => p.kill("SIGKILL"), 30_000);
  const out = await p.output();
  clearTimeout(timer);
  assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
  assert.equal(new TextDecoder().decode(out.stdout), `${Math.min(2, cores)} 640\n`);
});

Deno.test("threads: a load that fails after its threads started rejects (no hang), and the next load works", async () => {
  const files = Object.fromEntries(
    await Promise.all(["config.json", "model.safetensors"].map(async (f) => [f, await Deno.readFile(`${TINY}/${f}`)])),
  );
  const cut = files["model.safetensors"].subarray(0, files["model.safetensors"].length - 1000);
  const stream = new ReadableStream<Uint8Array>({ start: (c) => (c.enqueue(cut), c.close()) });
  await assert.rejects(
    loadModelFrom(new FilesSource({ "config.json": files["config.json"], "model.safetensors": stream }), {
      threads: 2,
    }),
    /ended while reading tensor|truncated/,
  );
  const m = await loadModel(TINY, { threads: 2, contextLength: 16 });
  using s = m.createSession();
  assert.equal(s.feed([1, 2]).length, 640);
  m.dispose();
});
