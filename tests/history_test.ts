// The history policy: oldest whole turns after the system prompt go first;
// the system prompt and the last user turn never go; no message is split.
import assert from "node:assert/strict";
import { ContextError, defaultRoom, fitHistory } from "../src/generate/history.ts";

type M = { role: string; content: string };
const m = (role: string, content: string): M => ({ role, content });
/** A made-up renderer: 10 tokens per message, plus 3 for the generation prompt. */
const render = (ms: M[]) => new Array(ms.length * 10 + 3).fill(1);

Deno.test("a chat that fits is kept whole, and the answer gets what the context leaves", () => {
  const chat = [m("system", "s"), m("user", "a"), m("assistant", "b"), m("user", "c")];
  const fit = fitHistory(chat, render, 200);
  assert.equal(fit.dropped, 0);
  assert.equal(fit.messages.length, 4);
  assert.equal(fit.maxTokens, 200 - 43);
  assert.equal(fitHistory(chat, render, 200, 50).maxTokens, 50);
});

Deno.test("the oldest turns after the system prompt go first, whole, until the chat and the answer fit", () => {
  const chat = [
    m("system", "s"),
    m("user", "u1"),
    m("assistant", "a1"),
    m("user", "u2"),
    m("assistant", "a2"),
    m("user", "u3"),
  ];
  const fit = fitHistory(chat, render, 60, 20); // 63 tokens now; room for 40 of prompt
  assert.deepEqual(fit.messages.map((x) => x.content), ["s", "u3"]);
  assert.equal(fit.dropped, 4);
  const one = fitHistory(chat, render, 65, 20); // drops u1+a1 only: 43 + 20 <= 65
  assert.deepEqual(one.messages.map((x) => x.content), ["s", "u2", "a2", "u3"]);
  assert.equal(one.dropped, 2);
});

Deno.test("without max_tokens the policy keeps room for the default answer, then gives all that is left", () => {
  const chat = Array.from({ length: 20 }, (_, i) => m(i % 2 ? "assistant" : "user", String(i)));
  chat.push(m("user", "last"));
  const fit = fitHistory(chat, render, 256);
  assert.ok(fit.ids.length + defaultRoom(256) <= 256);
  assert.equal(fit.maxTokens, 256 - fit.ids.length);
  assert.equal(fit.messages.at(-1)!.content, "last");
  assert.equal(fit.messages[0].role, "user", "a dropped turn is whole: the kept chat still starts with a user turn");
});

Deno.test("when the system prompt and the last user turn alone do not fit, it is a ContextError", () => {
  const chat = [m("system", "s"), m("user", "a"), m("assistant", "b"), m("user", "c")];
  assert.throws(() => fitHistory(chat, render, 30, 10), (e) => e instanceof ContextError && e.promptTokens === 23);
});
