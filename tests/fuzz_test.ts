// A seeded fuzz of the handler: a few thousand malformed requests (mutated
// fields, wrong types, huge and odd values, broken JSON, odd paths, methods
// and headers). No 5xx, and every error in OpenAI's shape.
import assert from "node:assert/strict";
import { readyHandler, tinyModel } from "./handler_helpers.ts";
import { rng } from "./rng.ts";

const SEED = 20261201;
const REQUESTS = 3000;

const odd: unknown[] = [
  null,
  true,
  -1,
  0,
  1.5,
  1e308,
  -1e308,
  2 ** 53,
  "",
  "x".repeat(5000),
  "\ud800",
  "<|im_start|>system",
  "%ZZ",
  [],
  [1, "a", null],
  {},
  { a: { b: { c: [] } } },
  [[[[[]]]]],
  "NaN",
  { role: "user" },
];

const validChat = () => ({
  model: "tiny-falcon-e",
  messages: [{ role: "system", content: "s" }, { role: "user", content: "hi" }],
  max_tokens: 4,
  temperature: 0.7,
});
const validCompletion = () => ({ prompt: "the", max_tokens: 4, stream: false });
const FIELDS = [
  "messages",
  "prompt",
  "max_tokens",
  "max_completion_tokens",
  "temperature",
  "top_p",
  "top_k",
  "min_p",
  "n",
  "stop",
  "stream",
  "stream_options",
  "logprobs",
  "top_logprobs",
  "seed",
  "logit_bias",
  "stop_token_ids",
  "ignore_eos",
  "response_format",
  "grammar",
  "tools",
  "tool_choice",
  "parallel_tool_calls",
  "truncate",
  "frequency_penalty",
  "presence_penalty",
  "repetition_penalty",
  "model",
  "functions",
  "user",
];

const schemas: unknown[] = [
  { type: "strng" },
  { type: "array", minItems: 3, maxItems: 1, items: { type: "string" } },
  { $ref: "#/$defs/none" },
  { type: "object", properties: { a: { type: "string", pattern: "(" } } },
  { type: "integer", minimum: 10, maximum: 1 },
  { type: "object", minProperties: 2 },
  { oneOf: [] },
  { type: "string", format: "email" },
  { enum: [] },
  { type: "object", properties: { a: { $ref: "#" } }, required: ["a"] },
  { type: "object", additionalProperties: { type: "array", items: { anyOf: [{ type: "null" }, { type: "number" }] } } },
];
const grammars = ['root ::= "a" | "b"', "root ::= (", "x ::= y", "root ::= [a-", "root ::= root", ""];

/** A structured-output or tools field, often malformed. */
function structured(r: () => number, pick: <T>(xs: readonly T[]) => T): [string, unknown] {
  const roll = r();
  if (roll < 0.35) {
    return ["response_format", {
      type: "json_schema",
      json_schema: { name: pick(["s", "", "bad name", 3]), strict: pick([true, false, "yes"]), schema: pick(schemas) },
    }];
  }
  if (roll < 0.55) return ["grammar", pick(grammars)];
  const fn = {
    name: pick(["f", "", "a b", "x".repeat(70)]),
    parameters: pick([...schemas, null, "x"]),
    strict: r() < 0.5,
  };
  return r() < 0.5
    ? ["tools", pick([[{ type: "function", function: fn }], [{ type: "function", function: fn }, fn], [null], "x"])]
    : ["tool_choice", pick(["required", "auto", "none", "bogus", { type: "function", function: { name: "f" } }, 3])];
}

/** One fuzzed request. */
function request(r: () => number): Request {
  const pick = <T>(xs: readonly T[]) => structuredClone(xs[Math.floor(r() * xs.length)]); // (a copy: mutations stay here)
  const route = pick(["/v1/chat/completions", "/v1/completions", "/tokenize", "/detokenize"]);
  const body: Record<string, unknown> = route === "/v1/completions" ? validCompletion() : validChat();
  if (route === "/tokenize") body.content = "hello";
  if (route === "/detokenize") body.tokens = [1, 2, 3];
  const mutations = 1 + Math.floor(r() * 3);
  for (let i = 0; i < mutations; i++) {
    const field = pick([...FIELDS, "content", "tokens"]);
    const roll = r();
    if (roll < 0.6) body[field] = pick(odd);
    else if (roll < 0.7) delete body[field];
    else if (roll < 0.85 && Array.isArray(body.messages)) {
      (body.messages as unknown[])[Math.floor(r() * 3)] = pick(odd);
    } else {
      body[field] = { type: pick(["json_schema", "json_object", "function", "text", "x"]), json_schema: pick(odd) };
    }
  }
  if (r() < 0.4) {
    const [k, v] = structured(r, pick);
    body[k] = v;
    if (k === "tool_choice" && r() < 0.7) {
      body.tools = [{ type: "function", function: { name: "f", parameters: pick(schemas) } }];
    }
  }
  if (r() < 0.2) body.stream = true;
  body.max_tokens = typeof body.max_tokens === "number" ? Math.min(Math.abs(body.max_tokens), 8) : body.max_tokens;
  let text = JSON.stringify(body);
  const form = r();
  if (form < 0.05) text = text.slice(0, Math.floor(r() * text.length)); // broken JSON
  else if (form < 0.08) text = JSON.stringify(pick(odd));
  const method = r() < 0.05 ? pick(["GET", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"]) : "POST";
  const path = r() < 0.05
    ? pick(["/v1/models/%ZZ", "/v1/models/%", "/v1/models/%ED%A0%80", "/nope", "//", "/v1/"])
    : route;
  const type = r() < 0.05
    ? pick(["text/plain", "", "application/json; charset=latin1", "multipart/form-data"])
    : "application/json";
  return new Request(`http://x${path}`, {
    method,
    headers: type ? { "content-type": type } : {},
    ...(method === "GET" || method === "HEAD" ? {} : { body: text }),
  });
}

Deno.test(`fuzz: ${REQUESTS} seeded malformed requests, no 5xx, every error in OpenAI's shape`, async () => {
  const tm = await tinyModel(1, 64);
  try {
    const h = await readyHandler(tm);
    const r = rng(SEED);
    const statuses = new Map<number, number>();
    for (let i = 0; i < REQUESTS; i++) {
      const req = request(r);
      const sent = await req.clone().text();
      const res = await h.fetch(req);
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
      const what = `request ${i}: ${req.method} ${new URL(req.url).pathname} -> ${res.status}`;
      assert.ok(res.status < 500, `${what} ${(await res.clone().text()).slice(0, 200)}\nsent: ${sent.slice(0, 600)}`);
      if (res.status >= 400 && req.method !== "HEAD") {
        const j = await res.json();
        assert.equal(typeof j.error?.message, "string", what);
        assert.ok(j.error.message.length <= 1003, `${what}: a ${j.error.message.length}-character message`);
        assert.equal(typeof j.error.type, "string", what);
        assert.ok(j.error.param === null || typeof j.error.param === "string", what);
        assert.ok(j.error.code === null || typeof j.error.code === "string", what);
      } else if (res.headers.get("content-type")?.startsWith("text/event-stream")) {
        const text = await res.text();
        assert.ok(!text.includes('"server_error"'), `${what}: a stream ended in an error\nsent: ${sent.slice(0, 600)}`);
      } else {
        await res.body?.cancel();
      }
    }
    assert.ok((statuses.get(200) ?? 0) > 0 && (statuses.get(400) ?? 0) > REQUESTS / 3, JSON.stringify([...statuses]));
  } finally {
    tm.model.dispose();
  }
});
