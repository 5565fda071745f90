// Streaming loads: integrity (sha256 while streaming), memory limits,
// progress, R2-style buckets, Responses and one-shot streams.
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { loadModel } from "../mod.ts";
import { loadModelFrom } from "../src/load/load_model.ts";
import { FilesSource, type R2BucketLike, R2Source } from "../src/load/source/mod.ts";
import { readReference, TINY } from "./reference.ts";

const ref = await readReference(TINY);
const prompt = ref.runs[1].ids;
const weights = await Deno.readFile(`${TINY}/model.safetensors`);
const sha = createHash("sha256").update(weights).digest("hex");
const text = async (f: string) => await Deno.readTextFile(`${TINY}/${f}`);
const base = await loadModel(TINY);
const expected = base.createSession().feed(prompt);

function logits(m: Awaited<ReturnType<typeof loadModel>>): Float32Array {
  using s = m.createSession();
  return s.feed(prompt);
}

Deno.test("a matching sha256 loads; a wrong one is refused and nothing is served", async () => {
  assert.deepEqual(
    logits(await loadModel(TINY, { sha256: { "model.safetensors": sha } })),
    expected,
  );
  const wrong = sha.replace(/^./, (c) => (c === "0" ? "1" : "0"));
  await assert.rejects(
    loadModel(TINY, { sha256: { "model.safetensors": wrong } }),
    new RegExp(`model.safetensors: sha256 is ${sha}, expected ${wrong}`),
  );
  // a flipped weight byte with the true checksum of the original file
  const bad = weights.slice();
  bad[bad.length - 10] ^= 1;
  const src = new FilesSource({
    "config.json": await text("config.json"),
    "model.safetensors": bad,
  });
  await assert.rejects(
    loadModelFrom(src, { sha256: { "model.safetensors": sha } }),
    /sha256 is [0-9a-f]{64}, expected/,
  );
});

Deno.test("a model over the memory limit is refused before any weight is read", async () => {
  let progress = 0;
  await assert.rejects(
    loadModel(TINY, {
      maxMemoryBytes: 4_000_000,
      onProgress: (n) => (progress = n),
    }),
    /needs \d+\.\d MB of WebAssembly memory \(context 2048 x 1 sessions\), over the 4\.0 MB limit/,
  );
  assert.ok(progress < 10_000, "no weight bytes were read");
  assert.ok(await loadModel(TINY, { maxMemoryBytes: 64_000_000 }));
});

Deno.test("progress reports every byte of the file against its size", async () => {
  const seen: [number, number | undefined][] = [];
  await loadModel(TINY, { onProgress: (n, t) => seen.push([n, t]) });
  assert.ok(seen.length >= 2);
  assert.deepEqual(seen.at(-1), [weights.length, weights.length]);
  assert.ok(seen.every(([n], i) => i === 0 || n >= seen[i - 1][0]));
});

/** A bucket over the fixture directory with R2's get(key, {range}) shape; can drop a body once. */
function bucket(dropAfter?: number): R2BucketLike & { gets: string[] } {
  const gets: string[] = [];
  return {
    gets,
    async get(key, options) {
      const offset = options?.range?.offset ?? 0;
      gets.push(`${key}@${offset}`);
      let bytes: Uint8Array;
      try {
        bytes = await Deno.readFile(
          `${TINY}/${key.replace(/^models\/tiny\//, "")}`,
        );
      } catch {
        return null;
      }
      const part = bytes.subarray(offset);
      const cut = dropAfter !== undefined && part.length > dropAfter ? dropAfter : undefined;
      if (cut !== undefined) dropAfter = undefined;
      return {
        size: bytes.length,
        text: () => Promise.resolve(new TextDecoder().decode(bytes)),
        body: new ReadableStream<Uint8Array>(
          {
            sent: false,
            pull(c) { // deliver the bytes, then fail on the next pull (as a reset connection does)
              if (this.sent) {
                return c.error(new Error("R2 stream reset (test)"));
              }
              this.sent = true;
              if (cut !== undefined) c.enqueue(part.slice(0, cut));
              else c.enqueue(part.slice()), c.close();
            },
          } as UnderlyingDefaultSource<Uint8Array> & { sent: boolean },
        ),
      };
    },
  };
}

Deno.test("an R2-style bucket loads, and a dropped object body resumes at its offset", async () => {
  const b = bucket(500_000);
  assert.deepEqual(
    logits(await loadModelFrom(new R2Source(b, "models/tiny/"))),
    expected,
  );
  assert.ok(
    b.gets.some((g) => /^models\/tiny\/model.safetensors@[1-9]\d*$/.test(g)),
    b.gets.join(" "),
  );
  await assert.rejects(
    loadModelFrom(new R2Source(bucket(), "nothing/")),
    /no config.json in r2:nothing\//,
  );
});

Deno.test("a Response or a one-shot ReadableStream loads; one that ends early is a clear error", async () => {
  const files = async () => ({
    "config.json": await text("config.json"),
    "generation_config.json": await text("generation_config.json"),
  });
  const res = new Response(weights.slice(), {
    headers: { "content-length": String(weights.length) },
  });
  assert.deepEqual(
    logits(
      await loadModelFrom(
        new FilesSource({ ...await files(), "model.safetensors": res }),
      ),
    ),
    expected,
  );
  const stream = new Response(weights.slice()).body!;
  assert.deepEqual(
    logits(
      await loadModelFrom(
        new FilesSource({ ...await files(), "model.safetensors": stream }),
      ),
    ),
    expected,
  );
  const short = new Response(weights.slice(0, 700_000)).body!;
  await assert.rejects(
    loadModelFrom(
      new FilesSource({ ...await files(), "model.safetensors": short }),
    ),
    /model.safetensors: the file ended while reading tensor "[a-z_.0-9]+" \(truncated\)/,
  );
  // a Content-Length that promises more than the stream holds: a one-shot stream cannot resume
  const liar = new Response(new Response(weights.slice(0, 700_000)).body, {
    headers: { "content-length": String(weights.length) },
  });
  await assert.rejects(
    loadModelFrom(
      new FilesSource({ ...await files(), "model.safetensors": liar }),
    ),
    /model.safetensors: the download failed at byte 700000: the stream ended at byte 700000 of 956500/,
  );
});

Deno.test("two loads at once each hash their own bytes (no shared scratch between loads)", async () => {
  // files with trailing bytes, so the hash runs through the scratch buffer while both loads interleave
  const withTail = (fill: number) => {
    const b = new Uint8Array(weights.length + 300_000);
    b.set(weights);
    b.fill(fill, weights.length);
    return b;
  };
  const slow = (bytes: Uint8Array) => () =>
    Promise.resolve(
      new ReadableStream<Uint8Array>(
        {
          offset: 0,
          async pull(c) {
            await new Promise((r) => setTimeout(r, 1));
            const end = Math.min(bytes.length, this.offset + 50_000);
            c.enqueue(bytes.slice(this.offset, end));
            this.offset = end;
            if (end === bytes.length) c.close();
          },
        } as UnderlyingDefaultSource<Uint8Array> & { offset: number },
      ),
    );
  const [a, b] = [withTail(0x11), withTail(0x22)];
  const sha = (x: Uint8Array) => createHash("sha256").update(x).digest("hex");
  const config = await text("config.json");
  const [ma, mb] = await Promise.all([
    loadModelFrom(new FilesSource({ "config.json": config, "model.safetensors": slow(a) }), {
      sha256: { "model.safetensors": sha(a) },
    }),
    loadModelFrom(new FilesSource({ "config.json": config, "model.safetensors": slow(b) }), {
      sha256: { "model.safetensors": sha(b) },
    }),
  ]);
  assert.deepEqual(logits(ma), expected);
  assert.deepEqual(logits(mb), expected);
});
