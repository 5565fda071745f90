// The pre-laid-out image (`deno task convert`): same logits as the checkpoint,
// from a file or a URL, and clear refusals of broken or foreign images.
import assert from "node:assert/strict";
import { loadModel } from "../mod.ts";
import { EMBEDDED_FILES, writeImage } from "../src/load/image.ts";
import { loadTextModel } from "../src/generate/text_model.ts";
import { readReference, TINY, WIDE } from "./reference.ts";
import { serveDir } from "./serve_dir.ts";

const dir = await Deno.makeTempDir({ prefix: "falcon-e-image-" });

async function convert(from: string, out: string): Promise<void> {
  const tm = await loadModel(from, { contextLength: 1 });
  const files: Record<string, string> = {};
  for (const f of EMBEDDED_FILES) {
    try {
      files[f] = await Deno.readTextFile(`${from}/${f}`);
    } catch {
      // optional file
    }
  }
  await writeImage(tm, files, out);
}

for (const [name, fixture] of [["tiny", TINY], ["wide", WIDE]]) {
  Deno.test(`an image of ${name}-falcon-e gives exactly the checkpoint's logits`, async () => {
    const img = `${dir}/${name}.feimg`;
    await convert(fixture, img);
    const run = (await readReference(fixture)).runs[2];
    const a = (await loadModel(fixture)).createSession().feed(run.ids, { allLogits: true });
    const b = (await loadModel(img)).createSession().feed(run.ids, { allLogits: true });
    assert.deepEqual(b, a);
  });
}

Deno.test('lmHead "int8" from an image gives exactly the int8 logits of the checkpoint', async () => {
  const img = `${dir}/tiny-int8.feimg`;
  await convert(TINY, img);
  const run = (await readReference(TINY)).runs[2];
  const fromDir = await loadModel(TINY, { lmHead: "int8" }), fromImg = await loadModel(img, { lmHead: "int8" });
  assert.equal(fromImg.lmHead, "int8");
  const a = fromDir.createSession().feed(run.ids, { allLogits: true });
  const b = fromImg.createSession().feed(run.ids, { allLogits: true });
  assert.deepEqual(b, a);
});

Deno.test("an image carries its tokenizer and chat template, and loads over HTTP", async () => {
  const img = `${dir}/tiny.feimg`;
  await convert(TINY, img);
  const local = await loadTextModel(img);
  assert.equal(local.id, "tiny");
  assert.ok(local.chatTemplate);
  assert.deepEqual(local.tokenizer.encode("the quick edge model"), [577, 467, 511, 519]);
  const srv = serveDir(dir);
  try {
    const remote = await loadTextModel(`${srv.url}/tiny.feimg`);
    const ids = [577, 467, 511];
    assert.deepEqual(remote.model.createSession().feed(ids), local.model.createSession().feed(ids));
  } finally {
    await srv.close();
  }
});

Deno.test("broken images are refused with clear errors", async () => {
  const img = `${dir}/tiny.feimg`;
  await convert(TINY, img);
  const bytes = await Deno.readFile(img);
  const write = async (b: Uint8Array) => (await Deno.writeFile(`${dir}/bad.feimg`, b), `${dir}/bad.feimg`);
  await assert.rejects(
    loadModel(await write(new TextEncoder().encode("not an image at all"))),
    /not a Falcon-E image \(bad magic\)/,
  );
  await assert.rejects(loadModel(await write(bytes.slice(0, bytes.length - 1000))), /the image is truncated/);
  // a layout made by another build
  // flip one hex digit of the fingerprint inside the JSON header (after magic + u32 length)
  const len = new DataView(bytes.buffer).getUint32(8, true);
  const json = new TextDecoder().decode(bytes.subarray(12, 12 + len));
  const at = 12 + new TextEncoder().encode(json.slice(0, json.indexOf('"fingerprint":"') + 15)).length;
  const forged = bytes.slice();
  forged[at] = forged[at] === 0x30 ? 0x31 : 0x30;
  await assert.rejects(loadModel(await write(forged)), /made by another kernel build/);
  const badJson = bytes.slice();
  badJson[13] = 0x7b; // '{' inside the JSON header
  badJson[14] = 0x7b;
  await assert.rejects(loadModel(await write(badJson)), /image header is not valid JSON/);
});

Deno.test("an image over the memory limit is refused before its weights are read", async () => {
  const img = `${dir}/tiny.feimg`;
  await convert(TINY, img);
  let progress = 0;
  await assert.rejects(
    loadModel(img, { maxMemoryBytes: 4_000_000, onProgress: (n) => (progress = n) }),
    /tiny.feimg: the model needs \d+\.\d MB of WebAssembly memory .* over the 4\.0 MB limit/,
  );
  assert.equal(progress, 0);
});

Deno.test("deno task convert writes an image with a progress bar", async () => {
  const out = `${dir}/cli.feimg`;
  const p = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", new URL("../src/cli/convert.ts", import.meta.url).pathname, "--model", TINY, "--out", out],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const err = new TextDecoder().decode(p.stderr);
  assert.equal(p.code, 0, err);
  assert.match(err, /write \[#{24}\] 100%/);
  assert.match(err, new RegExp(`wrote ${out}: \\d+ bytes`));
  assert.ok((await loadModel(out)).createSession().feed([1, 2]).length === 640);
});
