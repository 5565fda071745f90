import assert from "node:assert/strict";
import {
  ChatMessageError,
  ChatTemplate,
  ChatTemplateError,
  chatTemplateOf,
  normalizeMessages,
  renderChat,
} from "../src/text/chat_template.ts";
import { TextTokenizer } from "../src/text/tokenizer.ts";

const DIR = new URL("./fixtures/tiny-falcon-e/", import.meta.url);
const read = (name: string) => Deno.readTextFileSync(new URL(name, DIR));
const config = JSON.parse(read("tokenizer_config.json"));
const ref = JSON.parse(read("reference.json")) as {
  chats: {
    messages: { role: string; content: string }[];
    rendered: string;
    ids: number[];
  }[];
};
const template = chatTemplateOf(config);
const tok = TextTokenizer.fromFiles(
  read("tokenizer.json"),
  read("tokenizer_config.json"),
);
const tokens = { bosToken: tok.bosToken, eosToken: tok.eosToken };

for (const [i, c] of ref.chats.entries()) {
  Deno.test(`reference chat ${i} (${c.messages.length} messages) renders exactly as transformers did and tokenizes to its ids`, () => {
    const text = renderChat(template, c.messages, {
      addGenerationPrompt: true,
      ...tokens,
    });
    assert.equal(text, c.rendered);
    assert.deepStrictEqual(
      tok.encode(text, { addSpecialTokens: false }),
      c.ids,
    );
  });
}

Deno.test("without a generation prompt the chat ends after the last message", () => {
  const text = renderChat(template, [{ role: "system", content: "be brief" }, {
    role: "user",
    content: "hi",
  }]);
  assert.equal(
    text,
    "<|im_start|>system\nbe brief<|im_end|>\n<|im_start|>user\nhi<|im_end|>\n",
  );
});

Deno.test("OpenAI-style text parts are joined into one content string", () => {
  const parts = [{ type: "text", text: "the river " }, {
    type: "text",
    text: "city",
  }];
  const text = renderChat(template, [{ role: "user", content: parts }], {
    addGenerationPrompt: true,
  });
  assert.equal(
    text,
    "<|im_start|>user\nthe river city<|im_end|>\n<|im_start|>assistant\n",
  );
});

Deno.test("bos_token, eos_token and extra variables reach the template", () => {
  const t =
    "{{ bos_token }}{% for m in messages %}{{ m.content }}{{ eos_token }}{% endfor %}{{ greeting }}{{ add_generation_prompt }}";
  const text = renderChat(t, [{ role: "user", content: "x" }], {
    bosToken: "<s>",
    eosToken: "</s>",
    greeting: "!",
  });
  assert.equal(text, "<s>x</s>!false");
});

Deno.test("fields beside role and content reach the template", () => {
  const t = "{% for m in messages %}{{ m.name }}:{{ m.content }}{% endfor %}";
  assert.equal(
    renderChat(t, [{ role: "user", name: "ana", content: "x" }]),
    "ana:x",
  );
});

Deno.test("an assistant message with null content renders as empty text", () => {
  assert.deepStrictEqual(
    normalizeMessages([{ role: "assistant", content: null }]),
    [{
      role: "assistant",
      content: "",
    }],
  );
});

Deno.test("raise_exception in a template becomes a ChatTemplateError carrying its message", () => {
  const t =
    "{% if messages[0].role != 'user' %}{{ raise_exception('first message must be from the user') }}{% endif %}ok";
  assert.equal(renderChat(t, [{ role: "user", content: "x" }]), "ok");
  assert.throws(
    () => renderChat(t, [{ role: "system", content: "x" }]),
    (e) =>
      e instanceof ChatTemplateError &&
      /first message must be from the user/.test(e.message),
  );
});

Deno.test("a template that does not parse is a ChatTemplateError", () => {
  assert.throws(
    () => new ChatTemplate("{% for m in messages %}{{ m.content }}"),
    (e) => e instanceof ChatTemplateError && /does not parse/.test(e.message),
  );
  assert.throws(
    () => renderChat("{{ messages[ }}", [{ role: "user", content: "x" }]),
    ChatTemplateError,
  );
  assert.throws(
    () => renderChat("", [{ role: "user", content: "x" }]),
    (e) => e instanceof ChatTemplateError && /empty/.test(e.message),
  );
});

Deno.test("a checkpoint without chat_template is a clear ChatTemplateError", () => {
  assert.throws(
    () => chatTemplateOf({ eos_token: "x" }),
    (e) => e instanceof ChatTemplateError && /no chat_template/.test(e.message),
  );
});

Deno.test("named chat templates are picked by name", () => {
  const cfg = {
    chat_template: [{ name: "default", template: "A" }, {
      name: "tool_use",
      template: "B",
    }],
  };
  assert.equal(chatTemplateOf(cfg), "A");
  assert.equal(chatTemplateOf(cfg, "tool_use"), "B");
  assert.throws(
    () => chatTemplateOf(cfg, "rag"),
    (e) => e instanceof ChatTemplateError && /"rag"/.test(e.message),
  );
});

Deno.test("malformed messages are ChatMessageErrors that say which message and why", () => {
  const bad: [unknown, RegExp][] = [
    ["hi", /must be an array/],
    [[], /must not be empty/],
    [[42], /message 0 must be an object/],
    [[{ content: "x" }], /message 0: "role" must be a non-empty string/],
    [
      [{ role: "user", content: "x" }, { role: "user", content: 5 }],
      /message 1: content must be a string or an array/,
    ],
    [[{ role: "user" }], /message 0 \(user\) has no content/],
    [
      [{ role: "user", content: [{ type: "image_url", image_url: {} }] }],
      /content part 0: type "image_url" is not supported/,
    ],
    [
      [{ role: "user", content: [{ type: "text", text: 3 }] }],
      /content part 0: "text" must be a string/,
    ],
    [[{ role: "user", content: ["x"] }], /content part 0: must be an object/],
  ];
  for (const [messages, re] of bad) {
    assert.throws(
      () => renderChat(template, messages as unknown[]),
      (e) => e instanceof ChatMessageError && re.test(e.message),
      String(re),
    );
  }
});
