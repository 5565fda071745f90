import assert from "node:assert/strict";
import { TextTokenizer, TokenizerError } from "../src/text/tokenizer.ts";
import { byteLevelBytes } from "../src/text/bytelevel.ts";

const DIR = new URL("./fixtures/tiny-falcon-e/", import.meta.url);
const read = (name: string) => Deno.readTextFileSync(new URL(name, DIR));
const TOKENIZER_JSON = read("tokenizer.json");
const CONFIG_JSON = read("tokenizer_config.json");
const ref = JSON.parse(read("reference.json")) as {
  special_ids: Record<string, number>;
  encodings: { text: string; ids: number[]; decoded: string }[];
  chats: { rendered: string; ids: number[] }[];
};
const tok = TextTokenizer.fromFiles(TOKENIZER_JSON, CONFIG_JSON);

for (const [i, e] of ref.encodings.entries()) {
  Deno.test(`encoding reference text ${i} (${JSON.stringify([...e.text].slice(0, 24).join(""))}) gives transformers' ids and decodes back`, () => {
    const ids = tok.encode(e.text);
    assert.deepStrictEqual(ids, e.ids);
    assert.equal(tok.decode(ids), e.decoded);
  });
}

for (const [i, c] of ref.chats.entries()) {
  Deno.test(`the rendered reference chat ${i} encodes to transformers' ids with its special tokens recognized`, () => {
    const ids = tok.encode(c.rendered, { addSpecialTokens: false });
    assert.deepStrictEqual(ids, c.ids);
    assert.equal(tok.decode(ids), c.rendered);
  });
}

Deno.test("special tokens resolve to the ids transformers reports", () => {
  for (const [token, id] of Object.entries(ref.special_ids)) {
    assert.equal(tok.tokenId(token), id, token);
  }
  assert.deepStrictEqual(
    tok.specialIds(),
    Object.values(ref.special_ids).sort((a, b) => a - b),
  );
  assert.deepStrictEqual([tok.bosToken, tok.bosTokenId], [
    "<|begin_of_text|>",
    1,
  ]);
  assert.deepStrictEqual([tok.eosToken, tok.eosTokenId], [
    "<|end_of_text|>",
    2,
  ]);
  assert.deepStrictEqual([tok.padToken, tok.padTokenId], ["<|pad|>", 0]);
  assert.equal(tok.unk, undefined);
});

Deno.test("the vocabulary size matches config.json", () => {
  const config = JSON.parse(read("config.json"));
  assert.equal(tok.vocabSize, config.vocab_size);
  assert.equal(tok.idToToken(3), "<|im_start|>");
  assert.equal(tok.tokenId("no-such-token-here"), undefined);
});

Deno.test("skipping special tokens drops their text only", () => {
  const ids = tok.encode("<|im_start|>user\nhi<|im_end|>");
  assert.equal(ids[0], 3);
  assert.equal(tok.decode(ids, { skipSpecialTokens: true }), "user\nhi");
});

Deno.test("decoding keeps spaces before punctuation unless clean-up is asked for", () => {
  const ids = tok.encode("a , b .");
  assert.equal(tok.decode(ids), "a , b .");
  assert.equal(tok.decode(ids, { cleanUpTokenizationSpaces: true }), "a, b.");
});

Deno.test("decoding half of a multi-byte character ends in U+FFFD", () => {
  const ids = tok.encode("é");
  assert.ok(ids.length > 1);
  assert.equal(tok.decode(ids.slice(0, 1)), "\uFFFD");
  assert.equal(tok.decode(ids), "é");
});

Deno.test("empty text encodes to no ids and no ids decode to empty text", () => {
  assert.deepStrictEqual(tok.encode(""), []);
  assert.equal(tok.decode([]), "");
});

Deno.test("decoding an id outside the vocabulary throws a TokenizerError naming it", () => {
  assert.throws(
    () => tok.decode([5, 640]),
    (e) => e instanceof TokenizerError && /640 at index 1/.test(e.message),
  );
  assert.throws(() => tok.decode([-1]), TokenizerError);
  assert.throws(() => tok.decode([1.5]), TokenizerError);
});

Deno.test("a tokenizer without tokenizer_config.json has no special token names", () => {
  const bare = TextTokenizer.fromFiles(TOKENIZER_JSON);
  assert.equal(bare.eosTokenId, undefined);
  assert.deepStrictEqual(
    bare.encode(ref.encodings[0].text),
    ref.encodings[0].ids,
  );
});

Deno.test("special tokens written as {content} objects are understood", () => {
  const cfg = JSON.stringify({
    eos_token: { content: "<|im_end|>", __type: "AddedToken" },
    bos_token: null,
  });
  const t = TextTokenizer.fromFiles(TOKENIZER_JSON, cfg);
  assert.deepStrictEqual(t.eos, { token: "<|im_end|>", id: 4 });
  assert.equal(t.bos, undefined);
});

Deno.test("broken tokenizer files are rejected with errors that name the problem", () => {
  assert.throws(
    () => TextTokenizer.fromFiles("{not json"),
    (e) => e instanceof TokenizerError && /tokenizer\.json/.test(e.message),
  );
  assert.throws(
    () => TextTokenizer.fromFiles("{}"),
    (e) => e instanceof TokenizerError && /model/.test(e.message),
  );
  assert.throws(
    () =>
      TextTokenizer.fromFiles(
        TOKENIZER_JSON,
        JSON.stringify({ eos_token: "<eos>" }),
      ),
    (e) =>
      e instanceof TokenizerError &&
      /eos_token "<eos>" is not in/.test(e.message),
  );
  assert.throws(
    () => TextTokenizer.fromFiles(TOKENIZER_JSON, JSON.stringify({ eos_token: 7 })),
    (e) =>
      e instanceof TokenizerError &&
      /"eos_token" must be a string/.test(e.message),
  );
});

Deno.test("byte-level tokens map back to their exact bytes, also halves of a character", async () => {
  const tok = TextTokenizer.fromFiles(
    await Deno.readTextFile(new URL("tokenizer.json", DIR)),
    await Deno.readTextFile(new URL("tokenizer_config.json", DIR)),
  );
  for (const text of ["the quick edge", "é 日本 🙂", "x^2 + y^2"]) {
    const ids = tok.encode(text, { addSpecialTokens: false });
    const bytes = ids.flatMap((id) => byteLevelBytes(tok.idToToken(id)!)!);
    assert.deepEqual(new Uint8Array(bytes), new TextEncoder().encode(text));
  }
  assert.deepEqual(byteLevelBytes("Ġthe"), [0x20, 0x74, 0x68, 0x65]);
  assert.equal(byteLevelBytes("<|im_start|>\u4e00"), undefined);
});
