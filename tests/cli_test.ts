// `deno task cli` as a user runs it: a subprocess printing one JSON line.
import assert from "node:assert/strict";
import { readReference, TINY, WIDE } from "./reference.ts";
import { maxAbsDiff } from "./reference.ts";

const CLI = new URL("../src/cli/cli.ts", import.meta.url).pathname;

async function cli(
  ...args: string[]
): Promise<{ code: number; out: string; err: string }> {
  const p = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", CLI, ...args],
    stdout: "piped",
    stderr: "piped",
  }).output();
  return {
    code: p.code,
    out: new TextDecoder().decode(p.stdout),
    err: new TextDecoder().decode(p.stderr),
  };
}

Deno.test("cli logits prints per-position argmax and the last logits", async () => {
  const run = (await readReference(WIDE)).runs[2];
  const r = await cli("logits", "--model", WIDE, "--ids", run.ids.join(","));
  assert.equal(r.code, 0, r.err);
  const j = JSON.parse(r.out);
  assert.deepEqual(Object.keys(j), ["argmax", "last_logits"]);
  assert.deepEqual(j.argmax, run.all_argmax);
  assert.ok(maxAbsDiff(j.last_logits, run.last_logits) < 1e-3);
});

Deno.test("cli generate prints the greedy continuation and timings", async () => {
  const run = (await readReference(TINY)).runs[0];
  const r = await cli(
    "generate",
    "--model",
    TINY,
    "--ids",
    run.ids.join(","),
    "--max-tokens",
    "24",
    "--temperature",
    "0",
    "--ctx",
    "64",
  );
  assert.equal(r.code, 0, r.err);
  const j = JSON.parse(r.out);
  assert.deepEqual(j.ids, run.greedy_24);
  assert.deepEqual(Object.keys(j.timings), [
    "load_ms",
    "prefill_tokens",
    "prefill_ms",
    "decode_tokens",
    "decode_ms",
  ]);
  assert.equal(j.timings.prefill_tokens, run.ids.length);
  assert.equal(j.timings.decode_tokens, 23);
});

Deno.test("cli errors are one clear line and a non-zero exit", async () => {
  const cases: [string[], RegExp][] = [
    [["generate", "--ids", "1,2"], /--model is required/],
    [["logits", "--model", TINY], /--ids is required/],
    [["logits", "--model", TINY, "--ids", "1,x"], /"x" is not a token id/],
    [
      ["logits", "--model", TINY, "--ids", "1,9999"],
      /token id 9999 at index 1 is outside the vocabulary/,
    ],
    [[
      "generate",
      "--model",
      TINY,
      "--ids",
      "1",
      "--max-tokens",
      "100",
      "--ctx",
      "50",
    ], /exceed the context \(50\)/],
    [
      ["logits", "--model", "/nonexistent", "--ids", "1"],
      /no config.json in \/nonexistent/,
    ],
    [["frobnicate"], /unknown command "frobnicate"/],
    [["logits", "--model", TINY, "--ids", "1", "--kv", "f8"], /--kv must be f32 or f16, got "f8"/],
  ];
  for (const [args, msg] of cases) {
    const r = await cli(...args);
    assert.notEqual(r.code, 0, args.join(" "));
    assert.match(r.err, msg);
    assert.equal(r.out, "");
  }
});

Deno.test("cli generate --prompt streams text; --json gives text, ids and timings", async () => {
  const r = await cli(
    "generate",
    "--model",
    TINY,
    "--prompt",
    "the quick edge model",
    "--max-tokens",
    "8",
    "--temperature",
    "0",
    "--json",
  );
  assert.equal(r.code, 0, r.err);
  const j = JSON.parse(r.out);
  assert.equal(j.ids.length, 8);
  assert.equal(j.finish_reason, "length");
  const plain = await cli(
    "generate",
    "--model",
    TINY,
    "--prompt",
    "the quick edge model",
    "--max-tokens",
    "8",
    "--temperature",
    "0",
  );
  assert.equal(plain.code, 0, plain.err);
  assert.equal(plain.out, j.text + "\n");
  assert.match(plain.err, /\[8 tokens, [\d.]+ tok\/s, finish: length\]/);
});

Deno.test("cli chat answers each line and reuses the cached conversation", async () => {
  const p = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      CLI,
      "chat",
      "--model",
      TINY,
      "--max-tokens",
      "6",
      "--seed",
      "1",
    ],
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const w = p.stdin.getWriter();
  await w.write(
    new TextEncoder().encode("hello there\nwhich bridge opens at 7?\n\n"),
  );
  await w.close();
  const out = await p.output();
  const err = new TextDecoder().decode(out.stderr);
  assert.equal(out.code, 0, err);
  const stats = [
    ...err.matchAll(
      /\[(\d+) tokens, [\d.]+ tok\/s, (\d+) prompt tokens reused\]/g,
    ),
  ];
  assert.equal(stats.length, 2, err);
  assert.equal(stats[0][2], "0");
  assert.ok(
    Number(stats[1][2]) > 10,
    "the second turn reuses the first turn's tokens",
  );
});

Deno.test("convert, serve and the local workerd runner refuse bad arguments with one clear line", async () => {
  const run = async (file: string, args: string[], env: Record<string, string> = {}) => {
    const p = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", new URL(file, import.meta.url).pathname, ...args],
      env,
      stdout: "piped",
      stderr: "piped",
    }).output();
    return { code: p.code, err: new TextDecoder().decode(p.stderr) };
  };
  const cases: [string, string[], RegExp, Record<string, string>?][] = [
    ["../src/cli/convert.ts", ["--model", TINY], /usage: deno task convert --model DIR\|URL --out FILE\.feimg/],
    ["../src/cli/convert.ts", ["--model", TINY, "--out", "/tmp/x.bin"], /--out must end in \.feimg/],
    [
      "../src/cli/serve.ts",
      ["--model", "./no/such/dir"],
      /--model \.\/no\/such\/dir: no such directory, and not a URL or a Hugging Face repo id/,
    ],
    ["../src/cli/serve.ts", ["--model", TINY, "--kv", "f8"], /--kv must be f32 or f16, got "f8"/],
    ["../src/cli/serve.ts", ["--model", TINY, "--lm-head", "q4"], /--lm-head must be bf16 or int8, got "q4"/],
    ["../deploy/cloudflare/run_local.ts", [], /set MODEL_URL/, { MODEL_URL: "" }],
  ];
  for (const [file, args, msg, env] of cases) {
    const r = await run(file, args, env);
    assert.equal(r.code, 2, `${file} ${args.join(" ")}: ${r.err}`);
    assert.match(r.err, msg);
  }
});
