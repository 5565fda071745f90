// Structured output through the real server, driven by the official openai
// client, on the tiny fixture: its weights are random, so every valid answer
// here is the grammar's doing.
import assert from "node:assert/strict";
import OpenAI from "openai";
import { zodFunction, zodResponseFormat } from "openai/helpers/zod";
import { z } from "zod";
import { startServer } from "./serve_process.ts";
import { TINY } from "./reference.ts";

const Person = z.object({
  name: z.string().max(16),
  age: z.number().int().min(0).max(120),
  role: z.enum(["admin", "editor", "viewer"]),
  tags: z.array(z.enum(["red", "green", "blue"])).max(3),
  score: z.number().min(0).max(10),
  address: z.object({ city: z.string().max(12), zip: z.string().regex(/^[0-9]{5}$/) }),
});

const Weather = z.object({ city: z.string().max(12), unit: z.enum(["c", "f"]), days: z.number().int().min(1).max(7) });

const EOS = 2; // <|end_of_text|> in the fixture

/** One server for the whole file. */
const srv = await startServer(["--model", TINY, "--ctx", "1024"]);
const client = new OpenAI({ baseURL: `${srv.base}/v1`, apiKey: "none", maxRetries: 0 });
const model = "tiny-falcon-e";
const ask = (content: string) => [{ role: "user" as const, content }];
type Completion = OpenAI.Chat.Completions.ChatCompletion;
type Chunk = OpenAI.Chat.Completions.ChatCompletionChunk;

Deno.test("chat.completions.parse with a zod schema returns a valid object, 50 seeds in a row", async () => {
  const format = zodResponseFormat(Person, "person");
  for (let seed = 0; seed < 50; seed++) {
    const r = await client.chat.completions.parse({
      model,
      messages: ask("Describe a person."),
      response_format: format,
      max_tokens: 300,
      seed,
    });
    const c = r.choices[0];
    assert.equal(c.finish_reason, "stop", `seed ${seed}: ${c.message.content}`);
    assert.ok(c.message.parsed, `seed ${seed}: ${c.message.content}`);
    Person.parse(c.message.parsed); // parse already validated it; this states it
  }
});

Deno.test("json_object returns a parseable JSON object", async () => {
  for (const seed of [1, 2, 3]) {
    const r = await client.chat.completions.create({
      model,
      messages: ask("Answer in JSON."),
      response_format: { type: "json_object" },
      max_tokens: 900,
      seed,
      // the random model wanders in strings; ending them is likelier with the quote favoured
      logit_bias: { "6": 8 },
    });
    const text = r.choices[0].message.content!;
    assert.equal(r.choices[0].finish_reason, "stop", text);
    const v = JSON.parse(text);
    assert.equal(typeof v, "object");
    assert.ok(v !== null && !Array.isArray(v));
  }
});

Deno.test("a named tool_choice returns a tool call whose arguments validate, whole and streamed alike", async () => {
  const tools = [
    zodFunction({ name: "get_weather", parameters: Weather, description: "Weather forecast" }),
    {
      type: "function" as const,
      function: { name: "noop", parameters: { type: "object", properties: {} }, strict: true },
    },
  ];
  const tool_choice = { type: "function" as const, function: { name: "get_weather" } };
  const body = { model, messages: ask("Weather in Paris?"), tools, tool_choice, max_tokens: 120, seed: 7 };
  const whole = await client.chat.completions.create(body);
  const c = whole.choices[0];
  assert.equal(c.finish_reason, "tool_calls");
  assert.equal(c.message.content, null);
  assert.equal(c.message.tool_calls!.length, 1);
  const call = c.message.tool_calls![0] as OpenAI.Chat.Completions.ChatCompletionMessageFunctionToolCall;
  assert.match(call.id, /^call_[0-9a-f]{24}$/);
  assert.equal(call.type, "function");
  assert.equal(call.function.name, "get_weather");
  Weather.parse(JSON.parse(call.function.arguments));
  const parsed = await client.chat.completions.parse(body);
  const pc = parsed.choices[0].message.tool_calls![0] as { function: { parsed_arguments: unknown } };
  Weather.parse(pc.function.parsed_arguments);

  const stream = await client.chat.completions.create({ ...body, stream: true });
  const chunks: Chunk[] = [];
  for await (const chunk of stream) chunks.push(chunk);
  const deltas = chunks.flatMap((k) => k.choices.flatMap((ch: Chunk["choices"][number]) => ch.delta.tool_calls ?? []));
  assert.equal(deltas[0].index, 0);
  assert.match(deltas[0].id!, /^call_/);
  assert.equal(deltas[0].type, "function");
  assert.equal(deltas[0].function!.name, "get_weather");
  assert.equal(deltas[0].function!.arguments, "");
  for (const d of deltas.slice(1)) assert.deepEqual(Object.keys(d).sort(), ["function", "index"]);
  const args = deltas.map((d) => d.function?.arguments ?? "").join("");
  assert.equal(args, call.function.arguments, "the same seed streams the same call");
  assert.equal(chunks.at(-1)!.choices[0].finish_reason, "tool_calls");
});

Deno.test("tool_choice required makes the answer tool calls; none leaves the text free", async () => {
  const tools = [zodFunction({ name: "get_weather", parameters: Weather })];
  for (const seed of [1, 2, 3]) {
    const r = await client.chat.completions.create({
      model,
      messages: ask("Weather?"),
      tools,
      tool_choice: "required",
      parallel_tool_calls: false,
      max_tokens: 120,
      seed,
    });
    const calls = r.choices[0].message.tool_calls ?? [];
    assert.equal(calls.length, 1, JSON.stringify(r.choices[0]));
    Weather.parse(JSON.parse((calls[0] as { function: { arguments: string } }).function.arguments));
  }
  const free = await client.chat.completions.create({
    model,
    messages: ask("Weather?"),
    tools,
    tool_choice: "none",
    max_tokens: 8,
    seed: 1,
  });
  assert.equal(free.choices[0].message.tool_calls, undefined);
  assert.equal(free.choices[0].finish_reason, "length");
});

Deno.test("a conversation with a tool result renders and continues", async () => {
  const tools = [zodFunction({ name: "get_weather", parameters: Weather })];
  const first = await client.chat.completions.create({
    model,
    messages: ask("Weather in Oslo?"),
    tools,
    tool_choice: "required",
    max_tokens: 120,
    seed: 3,
  });
  const msg = first.choices[0].message;
  const call = msg.tool_calls![0];
  const next = await client.chat.completions.create({
    model,
    messages: [
      ...ask("Weather in Oslo?"),
      msg,
      { role: "tool", tool_call_id: call.id, content: '{"temp": -3}' },
    ],
    tools,
    max_tokens: 6,
    seed: 4,
  });
  assert.ok(next.usage!.prompt_tokens > first.usage!.prompt_tokens + 10, "the call and its result are in the prompt");
  assert.ok(["stop", "length", "tool_calls"].includes(next.choices[0].finish_reason));
});

Deno.test("/health reports the grammar library's wasm memory once a grammar has run", async () => {
  await client.chat.completions.create({
    model,
    messages: ask("x"),
    max_tokens: 8,
    response_format: { type: "json_object" },
  });
  const health = await (await fetch(`${srv.base}/health`)).json();
  assert.equal(health.grammar.runs, "thread", "Deno runs grammars in the text thread");
  const bytes = health.grammar.memory_bytes;
  assert.ok(Number.isInteger(bytes) && bytes > 0 && bytes % 65536 === 0, `grammar.memory_bytes: ${bytes}`);
});

Deno.test("schema keywords the grammar cannot enforce are a 400 that names them", async () => {
  const bad = (schema: Record<string, unknown>) =>
    client.chat.completions.create({
      model,
      messages: ask("x"),
      response_format: { type: "json_schema", json_schema: { name: "s", strict: true, schema } },
    });
  await assert.rejects(
    bad({ type: "array", items: { type: "string" }, uniqueItems: true }),
    (e: any) => e.status === 400 && e.param === "response_format" && /'uniqueItems' at \//.test(e.message),
  );
  await assert.rejects(
    bad({ type: "object", properties: { a: { type: "string", not: { const: "x" } } } }),
    (e: any) => e.status === 400 && /'not' at \/properties\/a/.test(e.message),
  );
  await assert.rejects(
    bad({ type: "strng" }),
    (e: any) => e.status === 400 && /Unsupported type "strng"/.test(e.message),
  );
  await assert.rejects(
    client.chat.completions.create({ model, messages: ask("x"), grammar: "root ::= (" } as never),
    (e: any) => e.status === 400 && e.param === "grammar" && /EBNF/.test(e.message),
  );
  // not strict: the same schema is enforced as far as it goes
  const loose = await client.chat.completions.create({
    model,
    messages: ask("x"),
    max_tokens: 60,
    seed: 2,
    response_format: {
      type: "json_schema",
      json_schema: {
        name: "s",
        schema: { type: "array", items: { enum: ["a", "b"] }, maxItems: 3, uniqueItems: true },
      },
    },
  });
  assert.ok(Array.isArray(JSON.parse(loose.choices[0].message.content!)));
  // the server is fine after the library's fatal errors
  const after = await client.chat.completions.parse({
    model,
    messages: ask("x"),
    response_format: zodResponseFormat(Weather, "w"),
    max_tokens: 80,
    seed: 5,
  });
  Weather.parse(after.choices[0].message.parsed);
});

Deno.test("a grammar that forbids EOS until it is closed never ends early; max_tokens mid-object is 'length'", async () => {
  for (const seed of [1, 2, 3, 4]) {
    const r = await client.chat.completions.create({
      model,
      messages: ask("x"),
      grammar: 'root ::= "{" [a-z]{3,8} "}"',
      logit_bias: { [EOS]: 100 }, // the model would end at once if it could
      max_tokens: 40,
      seed,
    } as never);
    assert.equal(r.choices[0].finish_reason, "stop");
    assert.match(r.choices[0].message.content!, /^\{[a-z]{3,8}\}$/);
  }
  const cut = await client.chat.completions.create({
    model,
    messages: ask("x"),
    response_format: zodResponseFormat(Person, "person"),
    max_tokens: 5,
    seed: 1,
  });
  assert.equal(cut.choices[0].finish_reason, "length");
  assert.throws(() => JSON.parse(cut.choices[0].message.content!));
});

Deno.test("logit_bias, stop_token_ids, ignore_eos and n", async () => {
  const greedy = (extra: Record<string, unknown>) =>
    client.chat.completions.create(
      { model, messages: ask("hello"), max_tokens: 4, temperature: 0, ...extra } as never,
    ) as Promise<Completion>;
  const base = await greedy({ logprobs: true });
  const first = base.choices[0].logprobs!.content![0];
  const firstId = (await (await fetch(`${srv.base}/tokenize`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ content: first.token }),
  })).json()).tokens[0];
  const banned = await greedy({ logit_bias: { [firstId]: -100 }, logprobs: true });
  assert.notEqual(banned.choices[0].logprobs!.content![0].token, first.token);
  const forced = await greedy({ logit_bias: { "100": 100 }, logprobs: true });
  assert.ok(
    forced.choices[0].logprobs!.content!.every((t: { bytes: number[] | null }) => t.bytes![0] === 0xa2),
    "token 100 every time",
  );
  // EOS favoured: the answer ends at once; ignore_eos keeps going; stop_token_ids add to EOS
  assert.equal((await greedy({ logit_bias: { [EOS]: 100 } })).usage!.completion_tokens, 1);
  const on = await greedy({ logit_bias: { [EOS]: 100 }, ignore_eos: true, max_tokens: 6 });
  assert.equal(on.usage!.completion_tokens, 6);
  assert.equal(on.choices[0].finish_reason, "length");
  const byId = await greedy({ stop_token_ids: [100], logit_bias: { "100": 100 } });
  assert.equal(byId.usage!.completion_tokens, 1);
  assert.equal(byId.choices[0].finish_reason, "stop");
  await assert.rejects(
    greedy({ logit_bias: { "99999": 1 } }),
    (e: any) => e.status === 400 && e.param === "logit_bias",
  );
  await assert.rejects(greedy({ logit_bias: { "5": 101 } }), (e: any) => e.status === 400 && e.param === "logit_bias");
  // n: independent choices over one prefill
  const three: Completion = await client.chat.completions.create({
    model,
    messages: ask("hello"),
    max_tokens: 5,
    n: 3,
    seed: 9,
  });
  assert.deepEqual(three.choices.map((c: Completion["choices"][number]) => c.index), [0, 1, 2]);
  assert.equal(three.usage!.completion_tokens, 15);
  assert.ok(three.usage!.prompt_tokens_details!.cached_tokens! >= 0);
  const stream = await client.chat.completions.create({
    model,
    messages: ask("hello"),
    max_tokens: 5,
    n: 3,
    seed: 9,
    stream: true,
  });
  const texts = ["", "", ""];
  for await (const chunk of stream) for (const c of chunk.choices) texts[c.index] += c.delta.content ?? "";
  assert.deepEqual(texts, three.choices.map((c: Completion["choices"][number]) => c.message.content));
});

Deno.test({
  name: "(stops the shared server)",
  fn: () => srv.stop(),
  sanitizeOps: false,
  sanitizeResources: false,
});
