// The parts of structured output below the server: the tool-call text
// format (rendering, parsing at every split), the strict-schema keyword
// check, the UTF-8 guard, and a chat template that takes `tools` itself.
import assert from "node:assert/strict";
import { parseToolCalls, ToolCallParser } from "../src/text/tools/parser.ts";
import { messagesWithTools, toolsSystemPrompt } from "../src/text/tools/format.ts";
import { unsupportedKeywords } from "../src/text/grammar/schema_check.ts";
import { afterBytes, CHAR_BOUNDARY } from "../src/text/grammar/utf8_guard.ts";
import { chatPromptIds } from "../src/generate/prompt.ts";
import { ChatTemplate } from "../src/text/chat_template.ts";
import { tinyModel } from "./handler_helpers.ts";

const ANSWER =
  'Let me check.\n<tool_call>\n{"name": "get_weather", "arguments": {"city": "Pa}ris\\n", "d": {"n": 1}}}\n' +
  '</tool_call>\n<tool_call>\n{"name": "noop", "arguments": {}}\n</tool_call>';

Deno.test("tool calls parse out of the text the same at every split of the stream", () => {
  const whole = parseToolCalls(ANSWER);
  assert.equal(whole.content, "Let me check.\n");
  assert.deepEqual(whole.calls, [
    { name: "get_weather", arguments: '{"city": "Pa}ris\\n", "d": {"n": 1}}' },
    { name: "noop", arguments: "{}" },
  ]);
  for (let step = 1; step <= 7; step++) {
    const p = new ToolCallParser();
    const events = [];
    for (let i = 0; i < ANSWER.length; i += step) events.push(...p.push(ANSWER.slice(i, i + step)));
    events.push(...p.flush());
    let content = "";
    const calls: { name: string; arguments: string }[] = [];
    for (const e of events) {
      if (e.type === "content") content += e.text;
      if (e.type === "call") calls.push({ name: e.name, arguments: "" });
      if (e.type === "arguments") calls[e.index].arguments += e.text;
    }
    assert.equal(content, whole.content, `step ${step}`);
    assert.deepEqual(calls, whole.calls, `step ${step}`);
  }
  assert.deepEqual(parseToolCalls("no calls <tool_ here"), { content: "no calls <tool_ here", calls: [] });
});

Deno.test("without template support, tools become a system message and earlier calls are written back as text", () => {
  const tools = [{ name: "get_weather", parameters: { type: "object", properties: { city: { type: "string" } } } }];
  const out = messagesWithTools([
    { role: "system", content: "Be brief." },
    { role: "user", content: "Weather?" },
    {
      role: "assistant",
      content: null,
      tool_calls: [{ id: "c1", type: "function", function: { name: "get_weather", arguments: '{"city": "Oslo"}' } }],
    },
    { role: "tool", tool_call_id: "c1", content: '{"temp": -3}' },
  ], tools) as { role: string; content: string }[];
  assert.equal(out[0].content, `Be brief.\n\n${toolsSystemPrompt(tools)}`);
  assert.match(out[0].content, /<tools>\n\{"type":"function","function":\{"name":"get_weather"/);
  assert.equal(out[2].content, '<tool_call>\n{"name": "get_weather", "arguments": {"city": "Oslo"}}\n</tool_call>');
  assert.equal(out[3].role, "tool");
  assert.deepEqual(parseToolCalls(out[2].content).calls, [{ name: "get_weather", arguments: '{"city": "Oslo"}' }]);
});

Deno.test("a chat template that reads `tools` gets them, and calls with their arguments as objects", async () => {
  const tm = await tinyModel(1, 256);
  try {
    const source = "{% for t in tools %}[{{ t.function.name }}]{% endfor %}" +
      "{% for m in messages %}{{ m.role }}:{{ m.content }}" +
      "{% if m.tool_calls %}{% for c in m.tool_calls %}<{{ c.function.name }} {{ c.function.arguments.city }}>" +
      "{% endfor %}{% endif %};{% endfor %}";
    const withTemplate = { ...tm, chatTemplate: new ChatTemplate(source) };
    const ids = chatPromptIds(withTemplate, [
      { role: "user", content: "hi" },
      { role: "assistant", content: "", tool_calls: [{ function: { name: "w", arguments: '{"city": "Oslo"}' } }] },
    ], { tools: [{ name: "w", parameters: { type: "object" } }] });
    assert.equal(tm.tokenizer.decode(ids), "[w]user:hi;assistant:<w Oslo>;");
  } finally {
    tm.model.dispose();
  }
});

Deno.test("strict schemas: keywords the grammar would not enforce are found, with where they are", () => {
  assert.deepEqual(
    unsupportedKeywords({
      type: "object",
      properties: {
        tags: { type: "array", items: { type: "string", format: "color" }, uniqueItems: true },
        n: { type: "number", multipleOf: 0.5 },
        k: { type: "integer", multipleOf: 2 },
        "a/b": { not: { type: "null" } },
      },
      $defs: { x: { if: { type: "string" }, then: { minLength: 1 } } },
      required: ["tags"],
      title: "ignored annotation",
    }).map((k) => `${k.keyword} @ ${k.path}`),
    [
      "uniqueItems @ /properties/tags",
      "format: color @ /properties/tags/items",
      "multipleOf (on a non-integer type) @ /properties/n",
      "not @ /properties/a~1b",
      "if @ /$defs/x",
      "then @ /$defs/x",
    ],
  );
  assert.deepEqual(unsupportedKeywords({ anyOf: [{ type: "string", pattern: "^a" }, { const: 3 }] }), []);
});

Deno.test("the UTF-8 guard follows RFC 3629: no surrogates, nothing past U+10FFFF, no overlong forms", () => {
  const ok = (bytes: number[]) => afterBytes(CHAR_BOUNDARY, bytes)?.need === 0;
  assert.ok(ok([0x41]) && ok([0xc3, 0xa9]) && ok([0xe2, 0x82, 0xac]) && ok([0xf0, 0x9f, 0x98, 0x80]));
  assert.ok(ok([0xf4, 0x8f, 0xbf, 0xbf]), "U+10FFFF");
  assert.ok(!ok([0xf4, 0x90, 0x80, 0x80]), "past U+10FFFF");
  assert.ok(!ok([0xed, 0xa0, 0x80]), "a surrogate");
  assert.ok(!ok([0xc0, 0xaf]) && !ok([0xe0, 0x80, 0xaf]), "overlong");
  assert.ok(!ok([0x80]) && !ok([0xff]), "a stray continuation, a byte never used");
  assert.equal(afterBytes(CHAR_BOUNDARY, [0xe2, 0x82])?.need, 1, "half a character waits for the rest");
});

Deno.test("a grammar gives the same masks in its own thread as in this one", async () => {
  const { constrain } = await import("../src/generate/structured.ts");
  const tm = await tinyModel(1, 256);
  try {
    const spec = {
      kind: "json_schema" as const,
      strict: true,
      schema: { type: "object", properties: { a: { type: "string", maxLength: 5 }, b: { enum: [1, 2] } } },
    };
    const text = '{"a": "héllo", "b": 2}';
    const ids = [...tm.tokenizer.encode(text), ...tm.stopTokenIds.slice(0, 1)];
    const inline = await constrain(tm, spec, tm.stopTokenIds, "inline");
    const thread = await constrain(tm, spec, tm.stopTokenIds, "thread");
    for (const id of ids) {
      const [a, b] = [await inline.allowed(), await thread.allowed()];
      assert.deepEqual(b, a);
      assert.ok(((a[id >>> 5] >>> (id & 31)) & 1) === 1, `token ${id} allowed`);
      inline.accept(id);
      thread.accept(id);
    }
    inline.dispose();
    thread.dispose();
    // a token the grammar forbids: an error at once inline, with the next mask in the thread
    const bad = tm.tokenizer.encode("x")[0];
    const i2 = await constrain(tm, spec, tm.stopTokenIds, "inline");
    assert.throws(() => i2.accept(bad), /not allowed/);
    const t2 = await constrain(tm, spec, tm.stopTokenIds, "thread");
    t2.accept(bad);
    await assert.rejects(t2.allowed(), /not allowed/);
    i2.dispose();
    t2.dispose();
  } finally {
    tm.model.dispose();
  }
});

Deno.test("a grammar engine over its memory limit starts the library afresh; generations under way go on", async () => {
  const { GrammarEngine, grammarVocabulary } = await import("../src/text/grammar/engine.ts");
  const { grammarMemoryBytes, xgrammarGeneration } = await import("../src/text/grammar/xgrammar.ts");
  const tm = await tinyModel(1, 256);
  try {
    const vocab = grammarVocabulary(tm.tokenizer, tm.model.config.vocabSize);
    const bounded = new GrammarEngine(vocab, tm.stopTokenIds, { memoryLimit: 0 }); // every compile is over it
    const free = new GrammarEngine(vocab, tm.stopTokenIds);
    const schema = (n: number) => ({ type: "object", properties: { a: { type: "string", maxLength: n } } });
    const text = '{"a": "héllo"}';
    const ids = [...tm.tokenizer.encode(text), ...tm.stopTokenIds.slice(0, 1)];
    const spec = { kind: "json_schema" as const, strict: true, schema: schema(5) };
    const gen0 = xgrammarGeneration();
    const early = await bounded.constrain(spec); // made in the instance that is then dropped
    assert.equal(bounded.renewals, 1);
    assert.equal(bounded.cached, 0, "the cache went with the instance");
    assert.equal(xgrammarGeneration(), gen0 + 1);
    const late = await bounded.constrain(spec); // compiled again, in a fresh instance
    const reference = await free.constrain(spec);
    assert.equal(bounded.renewals, 2);
    assert.ok(grammarMemoryBytes() > 0);
    for (const id of ids) {
      const want = await reference.allowed();
      assert.deepEqual(await early.allowed(), want, "the matcher of the dropped instance still works");
      assert.deepEqual(await late.allowed(), want);
      for (const c of [early, late, reference]) c.accept(id);
    }
    for (const c of [early, late, reference]) c.dispose();
  } finally {
    tm.model.dispose();
  }
});
