// The high-level TypeScript API (FalconE: load, chat, complete) and the
// option checks every loader does: misspelled options are errors that name them.
import assert from "node:assert/strict";
import { FalconE, loadModel, loadTextModel } from "../mod.ts";
import { ContextError } from "../src/generate/history.ts";
import { TINY } from "./reference.ts";

Deno.test("FalconE: chat streams text pieces and resolves the completion; complete returns text and usage", async () => {
  const llm = await FalconE.load(TINY, { contextLength: 512 });
  assert.equal(llm.id, "tiny-falcon-e");
  const stream = llm.chat([{ role: "user", content: "hello there" }], { maxTokens: 8, temperature: 0 });
  let text = "";
  for await (const piece of stream) text += piece;
  const c = await stream.completion;
  assert.equal(c.text, text);
  assert.equal(c.usage.completionTokens, 8);
  assert.equal(c.finishReason, "length");
  const again = await llm.complete("the quick edge model", { maxTokens: 5, temperature: 0 });
  assert.equal(again.usage.completionTokens, 5);
  assert.equal(again.usage.totalTokens, again.usage.promptTokens + 5);
  const same = await llm.complete("the quick edge model", { maxTokens: 5, temperature: 0 });
  assert.equal(same.text, again.text, "greedy is deterministic");
  llm.dispose();
});

Deno.test("FalconE: a chat outgrowing the context is an error unless truncate is asked; then it says what it dropped", async () => {
  const llm = await FalconE.load(TINY, { contextLength: 64 });
  const chat = Array.from({ length: 13 }, (_, i) => ({
    role: i % 2 ? "assistant" : "user",
    content: `turn ${i} with some words in it`,
  }));
  const long = llm.chat(chat, { maxTokens: 8 });
  await assert.rejects(async () => {
    for await (const _ of long);
  }, ContextError);
  const fit = llm.chat(chat, { maxTokens: 8, truncate: true, temperature: 0 });
  for await (const _ of fit);
  const c = await fit.completion;
  assert.ok((c.truncatedMessages ?? 0) > 0);
  assert.ok(c.usage.promptTokens + 8 <= 64);
  llm.dispose();
});

Deno.test("FalconE: a signal stops a chat mid-answer, with finish reason abort", async () => {
  const llm = await FalconE.load(TINY, { contextLength: 1024 });
  const ctrl = new AbortController();
  const s = llm.chat([{ role: "user", content: "go on" }], { signal: ctrl.signal, temperature: 0 });
  let n = 0;
  for await (const _ of s) if (++n === 3) ctrl.abort();
  const c = await s.completion;
  assert.equal(c.finishReason, "abort");
  assert.ok(c.usage.completionTokens < 50);
  llm.dispose();
});

Deno.test("misspelled options are refused by name, with a suggestion", async () => {
  await assert.rejects(
    loadModel(TINY, { contextLenght: 16 } as unknown as Record<string, never>),
    /loadModel: unknown option "contextLenght" \(did you mean "contextLength"\?\)/,
  );
  await assert.rejects(
    loadTextModel(TINY, { maxSesions: 2 } as unknown as Record<string, never>),
    /loadTextModel: unknown option "maxSesions" \(did you mean "maxSessions"\?\)/,
  );
  await assert.rejects(
    FalconE.load(TINY, { treads: 2 } as unknown as Record<string, never>),
    /unknown option "treads"/,
  );
  const llm = await FalconE.load(TINY, { contextLength: 64 });
  assert.throws(
    () => llm.chat([], { max_tokens: 5 } as unknown as Record<string, never>),
    /chat: unknown option "max_tokens"/,
  );
  await assert.rejects(
    llm.complete("x", { temprature: 1 } as unknown as Record<string, never>),
    /did you mean "temperature"/,
  );
  llm.dispose();
});

Deno.test("FalconE: responseFormat and tools constrain the answer; calls come back parsed, only text is streamed", async () => {
  const llm = await FalconE.load(TINY, { contextLength: 1024 });
  try {
    const schema = {
      type: "object",
      properties: { colour: { enum: ["red", "green"] }, n: { type: "integer", minimum: 1, maximum: 5 } },
      required: ["colour", "n"],
    };
    const c = await llm.complete("colour:", { responseFormat: { schema, strict: true }, maxTokens: 40, seed: 3 });
    const v = JSON.parse(c.text);
    assert.ok(["red", "green"].includes(v.colour) && v.n >= 1 && v.n <= 5, c.text);
    await assert.rejects(
      llm.complete("x", { responseFormat: { schema: { type: "array", uniqueItems: true }, strict: true } }),
      /uniqueItems/,
    );
    const tools = [{
      name: "lookup",
      parameters: { type: "object", properties: { q: { enum: ["a", "b"] } }, required: ["q"] },
    }];
    const s = llm.chat([{ role: "user", content: "look it up" }], {
      tools,
      toolChoice: "required",
      parallelToolCalls: false,
      maxTokens: 120,
      seed: 1,
    });
    let streamed = "";
    for await (const piece of s) streamed += piece;
    const done = await s.completion;
    assert.equal(streamed, "");
    assert.equal(done.finishReason, "tool_calls");
    assert.equal(done.toolCalls?.length, 1);
    assert.equal(done.toolCalls![0].name, "lookup");
    assert.ok(["a", "b"].includes(JSON.parse(done.toolCalls![0].arguments).q));
    assert.throws(() => llm.chat([{ role: "user", content: "x" }], { toolChoice: "required" }), /needs tools/);
  } finally {
    llm.dispose();
  }
});
