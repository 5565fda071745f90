// bench/synth.ts: synthetic checkpoints load and speak, their tokenizer is a
// valid 32768-entry byte-level BPE, and the 1B file has the real size.
import assert from "node:assert/strict";
import { buildTokenizerJson, safetensorsLayout, synthesize, tokenizerFiles } from "../bench/synth.ts";
import { generate } from "../src/generate/generate.ts";
import { Scheduler } from "../src/generate/scheduler.ts";
import { loadTextModel } from "../src/generate/text_model.ts";
import { TextTokenizer } from "../src/text/tokenizer.ts";

const FIXTURE = new URL("./fixtures/tiny-falcon-e/", import.meta.url);
const fixtureText = (f: string) => Deno.readTextFileSync(new URL(f, FIXTURE));

const SAMPLES = [
  "Hello, world! The quick brown fox jumps over the lazy dog.",
  'if (x.y[0] >= 42) { return "done"; } // ok?! ... (a|b) ~^`$',
  "Pi is 3.14159, e is 2.71828; 2024-06-01 12:00:00 +0100 #7 100% $5",
  "naïve café, Ελληνικά, Привет мир, 東京タワー, 한국어, emoji 😀🚀 and ∑ ≠ ∞",
  "  leading and trailing spaces \n\n\ttabs\r\nCRLF   ",
  "<|im_start|>user\nHi there<|im_end|>\n<|im_start|>assistant\n",
];

Deno.test("synthesize(tiny) writes a checkpoint that loads, round-trips text and generates", async () => {
  const dir = await Deno.makeTempDir({ prefix: "synth_tiny_" });
  try {
    const size = await synthesize("tiny", dir, 7);
    assert.equal(size, (await Deno.stat(`${dir}/model.safetensors`)).size);
    assert.equal(size, safetensorsLayout("tiny").fileBytes);
    // the tiny shape carries the fixture's tokenizer files as they are
    assert.equal(await Deno.readTextFile(`${dir}/tokenizer.json`), fixtureText("tokenizer.json"));
    assert.equal(await Deno.readTextFile(`${dir}/tokenizer_config.json`), fixtureText("tokenizer_config.json"));
    const tm = await loadTextModel(dir, { contextLength: 128 });
    try {
      assert.equal(tm.tokenizer.vocabSize, tm.model.config.vocabSize);
      assert.equal(tm.tokenizer.eosTokenId, 2);
      for (const s of SAMPLES) assert.equal(tm.tokenizer.decode(tm.tokenizer.encode(s)), s);
      assert.ok(tm.chatTemplate, "the fixture's ChatML template comes along");
      const prompt = tm.tokenizer.encode("the quick edge model");
      const lease = await new Scheduler(tm.model, 0).acquire();
      try {
        const ids: number[] = [];
        let text = "";
        const it = generate(tm, lease.session, prompt, { maxTokens: 8, temperature: 0, stopTokenIds: [] });
        let r = await it.next();
        while (!r.done) {
          if (r.value.id !== undefined) ids.push(r.value.id);
          text += r.value.text;
          r = await it.next();
        }
        assert.equal(r.value.finishReason, "length");
        assert.equal(ids.length, 8);
        for (const id of ids) assert.ok(Number.isInteger(id) && id >= 0 && id < tm.model.config.vocabSize);
        assert.equal(text, tm.tokenizer.decode(ids, { skipSpecialTokens: true }));
      } finally {
        lease.release();
      }
    } finally {
      tm.model.dispose();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("buildTokenizerJson(32768) is a valid byte-level BPE that round-trips text", () => {
  const t0 = performance.now();
  const json = buildTokenizerJson(32768, 1);
  const buildMs = performance.now() - t0;
  assert.ok(buildMs < 2000, `building took ${buildMs.toFixed(0)} ms`);
  const parsed = JSON.parse(json);
  const fixture = JSON.parse(fixtureText("tokenizer.json"));
  for (const key of ["normalizer", "pre_tokenizer", "post_processor", "decoder", "added_tokens"]) {
    assert.deepEqual(parsed[key], fixture[key], key);
  }
  const vocab = parsed.model.vocab as Record<string, number>;
  const merges = parsed.model.merges as [string, string][];
  assert.equal(parsed.model.type, "BPE");
  assert.equal(Object.keys(vocab).length, 32768);
  assert.deepEqual(new Set(Object.values(vocab)).size, 32768);
  assert.equal(merges.length, 32768 - 5 - 256);
  // each merge joins existing tokens and its result is the next id
  merges.forEach(([a, b], i) => {
    assert.ok(vocab[a] < 261 + i && vocab[b] < 261 + i, `merge ${i} ${a} ${b}`);
    assert.equal(vocab[a + b], 261 + i);
  });
  // the byte symbols are the fixture's (ids 5-260)
  for (const [k, v] of Object.entries(fixture.model.vocab as Record<string, number>)) {
    if (v < 261) assert.equal(vocab[k], v, k);
  }

  const tok = TextTokenizer.fromFiles(json, tokenizerFiles("falcon-e-1b").tokenizerConfigJson);
  assert.equal(tok.vocabSize, 32768);
  assert.deepEqual([tok.padTokenId, tok.bosTokenId, tok.eosTokenId], [0, 1, 2]);
  assert.equal(tok.tokenId("<|im_start|>"), 3);
  assert.equal(tok.tokenId("<|im_end|>"), 4);
  assert.deepEqual(tok.specialIds(), [0, 1, 2, 3, 4]);
  for (const s of SAMPLES) {
    const ids = tok.encode(s);
    assert.equal(tok.decode(ids), s, s);
    for (const id of ids) assert.ok(id >= 0 && id < 32768);
  }
  // the merges are used: English text takes fewer tokens than bytes
  const en = SAMPLES[0];
  assert.ok(tok.encode(en).length < new TextEncoder().encode(en).length * 0.7);
  // deterministic per seed
  assert.equal(buildTokenizerJson(32768, 1), json);
  assert.notEqual(buildTokenizerJson(32768, 2), json);
});

Deno.test("the synthetic 1B safetensors is 665,041,488 bytes (computed, not written)", () => {
  const l = safetensorsLayout("falcon-e-1b");
  assert.equal(l.fileBytes, 665_041_488);
  assert.equal(l.head.length % 8, 0);
  assert.equal(Number(new DataView(l.head.buffer).getBigUint64(0, true)), l.head.length - 8);
  const header = JSON.parse(new TextDecoder().decode(l.head.subarray(8)));
  let end = 0;
  for (const s of l.specs) {
    const [a, b] = header[s.name].data_offsets;
    assert.equal(a, end, s.name);
    end = b;
  }
  assert.equal(end, l.dataBytes);
  assert.ok(safetensorsLayout("falcon-e-3b").fileBytes > l.fileBytes);
});
