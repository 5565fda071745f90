// Checkpoints load the same from a directory, a sharded directory and HTTP.
import assert from "node:assert/strict";
import { loadModel } from "../mod.ts";
import { editedCopy, joinSafetensors, splitSafetensors } from "./checkpoint_edit.ts";
import { readReference, TINY } from "./reference.ts";
import { serveDir } from "./serve_dir.ts";

const ref = await readReference(TINY);
const prompt = ref.runs[1].ids;
const local = await loadModel(TINY);
const expected = local.createSession().feed(prompt);

async function logitsFrom(location: string): Promise<Float32Array> {
  const m = await loadModel(location);
  using s = m.createSession();
  return s.feed(prompt);
}

/** Splits model.safetensors into two shards plus model.safetensors.index.json. */
function shard(files: Map<string, Uint8Array>): void {
  const { header, data } = splitSafetensors(files.get("model.safetensors")!);
  files.delete("model.safetensors");
  const names = Object.keys(header).filter((n) => n !== "__metadata__").sort();
  const weightMap: Record<string, string> = {};
  [names.slice(0, 20), names.slice(20)].forEach((part, i) => {
    const file = `model-0000${i + 1}-of-00002.safetensors`;
    const h: Record<string, unknown> = {};
    const chunks: Uint8Array[] = [];
    let off = 0;
    for (const n of part.reverse()) { // another order than the source file
      const e = header[n] as {
        dtype: string;
        shape: number[];
        data_offsets: [number, number];
      };
      const b = data.subarray(e.data_offsets[0], e.data_offsets[1]);
      h[n] = {
        dtype: e.dtype,
        shape: e.shape,
        data_offsets: [off, off + b.length],
      };
      chunks.push(b);
      off += b.length;
      weightMap[n] = file;
    }
    const all = new Uint8Array(off);
    let at = 0;
    for (const c of chunks) all.set(c, at), at += c.length;
    files.set(file, joinSafetensors(h, all));
  });
  files.set(
    "model.safetensors.index.json",
    new TextEncoder().encode(
      JSON.stringify({ metadata: {}, weight_map: weightMap }),
    ),
  );
}

Deno.test("a sharded checkpoint (model.safetensors.index.json) loads to the same logits", async () => {
  const dir = await editedCopy(TINY, shard);
  try {
    assert.deepEqual(await logitsFrom(dir), expected);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a shard that holds a tensor the index puts elsewhere is refused", async () => {
  const dir = await editedCopy(TINY, (f) => {
    shard(f);
    const idx = JSON.parse(
      new TextDecoder().decode(f.get("model.safetensors.index.json")!),
    );
    idx.weight_map["lm_head.weight"] = idx.weight_map["lm_head.weight"].includes("00001")
      ? "model-00002-of-00002.safetensors"
      : "model-00001-of-00002.safetensors";
    f.set(
      "model.safetensors.index.json",
      new TextEncoder().encode(JSON.stringify(idx)),
    );
  });
  try {
    await assert.rejects(
      loadModel(dir),
      /tensor "lm_head.weight" is listed in model.safetensors.index.json under/,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a URL base loads over HTTP in one streamed request per file, to the same logits", async () => {
  const srv = serveDir(TINY);
  try {
    assert.deepEqual(await logitsFrom(srv.url), expected);
    assert.deepEqual(
      srv.requests.filter((r) => r.startsWith("model.safetensors") && !r.includes("index")),
      ["model.safetensors"],
    );
  } finally {
    await srv.close();
  }
});

Deno.test("a server that ignores Range still loads", async () => {
  const srv = serveDir(TINY, { ignoreRange: true });
  try {
    assert.deepEqual(await logitsFrom(srv.url + "/"), expected);
  } finally {
    await srv.close();
  }
});

Deno.test("a dropped connection resumes with Range requests where it stopped", async () => {
  const srv = serveDir(TINY, { cutAfter: 300_000 });
  try {
    assert.deepEqual(await logitsFrom(srv.url), expected);
    const resumes = srv.requests.filter((r) => /^model.safetensors bytes=[1-9]\d*-$/.test(r));
    assert.ok(resumes.length >= 3, srv.requests.join("\n"));
  } finally {
    await srv.close();
  }
});

Deno.test("a download that keeps breaking off without progress is a clear error", async () => {
  // Ignoring Range, every retry restarts at byte 0 and breaks before new bytes arrive.
  const srv = serveDir(TINY, { cutAfter: 300_000, ignoreRange: true });
  try {
    await assert.rejects(
      loadModel(srv.url),
      /model.safetensors: the download failed at byte \d+: .* \(while reading tensor "[a-z_.0-9]+"\)/,
    );
  } finally {
    await srv.close();
  }
});

Deno.test("an HTML page instead of the weights is a clear error", async () => {
  const srv = serveDir(TINY, { html: true });
  try {
    await assert.rejects(
      loadModel(srv.url),
      /model.safetensors: the server sent an HTML page, not the file/,
    );
  } finally {
    await srv.close();
  }
});

Deno.test("a URL base without config.json says so", async () => {
  const srv = serveDir("/nonexistent");
  try {
    await assert.rejects(
      loadModel(srv.url),
      /no config.json in http:\/\/127.0.0.1/,
    );
  } finally {
    await srv.close();
  }
});
