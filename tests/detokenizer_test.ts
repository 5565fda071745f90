import assert from "node:assert/strict";
import { IncrementalDecoder } from "../src/text/detokenizer.ts";
import { TextTokenizer } from "../src/text/tokenizer.ts";

const DIR = new URL("./fixtures/tiny-falcon-e/", import.meta.url);
const read = (name: string) => Deno.readTextFileSync(new URL(name, DIR));
const tok = TextTokenizer.fromFiles(
  read("tokenizer.json"),
  read("tokenizer_config.json"),
);
const ref = JSON.parse(read("reference.json")) as {
  encodings: { text: string }[];
  chats: { rendered: string }[];
};

function stream(
  ids: number[],
  skipSpecialTokens = false,
): { pieces: string[]; rest: string } {
  const dec = new IncrementalDecoder(tok, { skipSpecialTokens });
  const pieces = ids.map((id) => dec.push(id));
  return { pieces, rest: dec.flush() };
}

const texts = [
  ...new Set([
    "é",
    "日本",
    "😀",
    "naïve café über 東京 😀 it's we're",
    "emoji run 😀😀🎉 then 日本語 and é",
    ...ref.encodings.map((e) => e.text),
    ...ref.chats.map((c) => c.rendered),
  ]),
];

for (const text of texts) {
  Deno.test(`streaming ${JSON.stringify([...text].slice(0, 20).join(""))} token by token yields decode(all) with no broken characters`, () => {
    const ids = tok.encode(text, { addSpecialTokens: false });
    const { pieces, rest } = stream(ids);
    assert.equal(pieces.join("") + rest, tok.decode(ids));
    assert.equal(pieces.join("") + rest, text);
    for (const p of pieces) {
      assert.ok(!p.includes("\uFFFD"), `piece ${JSON.stringify(p)} has U+FFFD`);
    }
  });
}

Deno.test("a character split over byte tokens is held back until its last byte arrives", () => {
  const ids = tok.encode("日");
  assert.equal(ids.length, 3);
  const { pieces, rest } = stream(ids);
  assert.deepStrictEqual(pieces, ["", "", "日"]);
  assert.equal(rest, "");
});

Deno.test("plain ASCII tokens are emitted at once, one piece per token", () => {
  const ids = tok.encode("the quick edge model");
  const { pieces } = stream(ids);
  assert.deepStrictEqual(pieces, ids.map((id) => tok.decode([id])));
});

Deno.test("flush releases an unfinished character as U+FFFD, like decode does", () => {
  const ids = tok.encode("a😀").slice(0, -1);
  const { pieces, rest } = stream(ids);
  assert.equal(pieces.join(""), "a");
  assert.equal(rest, "\uFFFD");
  assert.equal(pieces.join("") + rest, tok.decode(ids));
});

Deno.test("skipping special tokens leaves their text out of the stream", () => {
  const ids = tok.encode("<|im_start|>assistant\nhi 日本<|im_end|>");
  const { pieces, rest } = stream(ids, true);
  assert.equal(pieces.join("") + rest, "assistant\nhi 日本");
});

Deno.test("the decoder's window stays small on a long output", () => {
  let calls = 0, longest = 0;
  const counting = {
    decode(ids: number[], o?: { skipSpecialTokens?: boolean }) {
      calls++;
      longest = Math.max(longest, ids.length);
      return tok.decode(ids, o);
    },
  };
  const ids = tok.encode(
    "the quick edge model reads seven numbers 日本 ".repeat(40),
  );
  const dec = new IncrementalDecoder(counting);
  let out = "";
  for (const id of ids) out += dec.push(id);
  out += dec.flush();
  assert.equal(out, tok.decode(ids));
  assert.equal(dec.tokenCount, ids.length);
  assert.ok(longest <= 6, `window grew to ${longest} ids`);
  assert.ok(
    calls <= 2 * ids.length + 1,
    `${calls} decode calls for ${ids.length} ids`,
  );
});
