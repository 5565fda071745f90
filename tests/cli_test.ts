// The command-line tasks as a user runs them: subprocesses, their output,
// their exit codes; `cli chat` through a pipe and through a pseudo-terminal.
import assert from "node:assert/strict";
import { readReference, TINY, WIDE } from "./reference.ts";
import { maxAbsDiff } from "./reference.ts";
import { synthesize } from "../bench/synth.ts";

const CLI = new URL("../src/cli/cli.ts", import.meta.url).pathname;
const dec = new TextDecoder();

async function run(
  file: string,
  args: string[],
  input?: string,
  env: Record<string, string> = {},
): Promise<{ code: number; out: string; err: string }> {
  const p = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", file, ...args],
    stdin: input === undefined ? "null" : "piped",
    stdout: "piped",
    stderr: "piped",
    env,
  }).spawn();
  if (input !== undefined) {
    const w = p.stdin.getWriter();
    await w.write(new TextEncoder().encode(input));
    await w.close();
  }
  const o = await p.output();
  return { code: o.code, out: dec.decode(o.stdout), err: dec.decode(o.stderr) };
}
const cli = (...args: string[]) => run(CLI, args);

Deno.test("cli logits prints per-position argmax and the last logits", async () => {
  const r0 = (await readReference(WIDE)).runs[2];
  const r = await cli("logits", "--model", WIDE, "--ids", r0.ids.join(","));
  assert.equal(r.code, 0, r.err);
  const j = JSON.parse(r.out);
  assert.deepEqual(Object.keys(j), ["argmax", "last_logits"]);
  assert.deepEqual(j.argmax, r0.all_argmax);
  assert.ok(maxAbsDiff(j.last_logits, r0.last_logits) < 1e-3);
});

Deno.test("cli generate --ids prints the greedy continuation and timings", async () => {
  const r0 = (await readReference(TINY)).runs[0];
  const r = await cli("generate", "--model", TINY, "--ids", r0.ids.join(","), "--max-tokens", "24", "--ctx", "64");
  assert.equal(r.code, 0, r.err);
  const j = JSON.parse(r.out);
  assert.deepEqual(j.ids, r0.greedy_24);
  assert.deepEqual(Object.keys(j.timings), ["load_ms", "prefill_tokens", "prefill_ms", "decode_tokens", "decode_ms"]);
  assert.equal(j.timings.decode_tokens, 23);
});

const TASKS: [string, string[]][] = [
  [CLI, []],
  [CLI, ["chat"]],
  [CLI, ["generate"]],
  [CLI, ["logits"]],
  [new URL("../src/cli/serve.ts", import.meta.url).pathname, []],
  [new URL("../src/cli/convert.ts", import.meta.url).pathname, []],
  [new URL("../bench/synth.ts", import.meta.url).pathname, []],
  [new URL("../src/cli/plan.ts", import.meta.url).pathname, []],
  [new URL("../src/cli/shard.ts", import.meta.url).pathname, []],
  [new URL("../tools/static.ts", import.meta.url).pathname, []],
];

Deno.test("every task answers --help and -h with its usage and exits 0, starting nothing", async () => {
  for (const [file, pre] of TASKS) {
    for (const flag of ["--help", "-h"]) {
      const r = await run(file, [...pre, flag]);
      assert.equal(r.code, 0, `${file} ${pre} ${flag}: ${r.err}`);
      assert.match(r.out, /^usage: /, `${file} ${pre} ${flag}`);
      assert.doesNotMatch(r.err, /downloading|loaded|listening/);
    }
  }
});

Deno.test("a misspelled flag or a bad value exits 2 naming the flag", async () => {
  const cases: [string, string[], RegExp][] = [
    [CLI, ["generate", "--model", TINY, "--prompt", "hi", "--max-token", "5"], /unknown option --max-token/],
    [
      CLI,
      ["generate", "--model", TINY, "--prompt", "hi", "--temperature", "9"],
      /--temperature must be a number in \[0, 2\], got "9"/,
    ],
    [CLI, ["chat", "--model", TINY, "--threads", "0"], /--threads must be an integer in \[1, 256\], got "0"/],
    [CLI, ["logits", "--model", TINY, "--ids", "1", "--kv", "f8"], /--kv must be f32 or f16, got "f8"/],
    [
      CLI,
      ["generate", "--model", TINY, "--ids", "1", "--prompt", "hi"],
      /give one of --prompt, --prompt-file and --ids|either --ids or a text prompt/,
    ],
    [CLI, ["generate", "--model", TINY, "--prompt"], /--prompt needs a value/],
    [CLI, ["frobnicate"], /unknown command "frobnicate"/],
    [CLI, ["logits", "--model", TINY], /logits needs --ids/],
    [
      CLI,
      ["logits", "--model", "./no/such/dir", "--ids", "1"],
      /no such file or directory, and not a URL or a Hugging Face repo id/,
    ],
    [TASKS[4][0], ["--model", TINY, "--lm-head", "q4"], /--lm-head must be bf16 or int8, got "q4"/],
    [TASKS[4][0], ["--model", "./no/such/dir"], /--model \.\/no\/such\/dir: no such file or directory/],
    [TASKS[4][0], ["--prot", "80"], /unknown option --prot/],
    [TASKS[5][0], ["--model", TINY], /--out is required/],
    [TASKS[5][0], ["--model", TINY, "--out", "/tmp/x.bin"], /--out must end in \.feimg/],
    [
      TASKS[6][0],
      ["--shape", "falcon-e-9b", "--out", "/tmp/x"],
      /--shape must be falcon-e-1b or falcon-e-3b or tiny or small/,
    ],
  ];
  for (const [file, args, msg] of cases) {
    const r = await run(file, args);
    assert.equal(r.code, 2, `${args.join(" ")}: ${r.err}`);
    assert.match(r.err, msg);
    assert.equal(r.out, "");
  }
});

Deno.test("cli generate reads the prompt from --prompt, --prompt-file or stdin; --json gives text, finish reason, usage", async () => {
  const opts = ["--model", TINY, "--max-tokens", "8", "--temperature", "0"];
  const j = JSON.parse((await cli("generate", ...opts, "--prompt", "the quick edge model", "--json")).out);
  assert.equal(j.finish_reason, "length");
  assert.equal(j.usage.completionTokens, 8);
  const plain = await cli("generate", ...opts, "--prompt", "the quick edge model");
  assert.equal(plain.code, 0, plain.err);
  assert.equal(plain.out, j.text + "\n");
  assert.match(plain.err, /\[8 tokens, [\d.]+ tok\/s, finish: length\]/);
  const file = await Deno.makeTempFile();
  await Deno.writeTextFile(file, "the quick edge model");
  assert.equal((await cli("generate", ...opts, "--prompt-file", file)).out, plain.out);
  assert.equal((await run(CLI, ["generate", ...opts], "the quick edge model")).out, plain.out);
  await Deno.remove(file);
});

Deno.test("cli chat: each line answered with the cached conversation; empty lines, /help, /system, /clear, /save", async () => {
  const save = await Deno.makeTempFile();
  const input = "hello there\n\n/help\nwhich bridge opens at 7?\n/save " + save + "\n/system be brief\n/clear\nagain\n";
  const r = await run(CLI, ["chat", "--model", TINY, "--max-tokens", "6", "--seed", "1"], input);
  assert.equal(r.code, 0, r.err);
  const stats = [...r.err.matchAll(/\[(\d+) tokens, [\d.-]+ tok\/s, (\d+) prompt tokens reused\]/g)];
  assert.equal(stats.length, 3, r.err);
  assert.ok(Number(stats[1][2]) > 10, "the second turn reuses the first turn's tokens");
  assert.match(r.err, /commands:\n {2}\/help/);
  assert.match(r.err, /\(system prompt set; chat cleared\)/);
  const saved = JSON.parse(await Deno.readTextFile(save));
  assert.deepEqual(saved.map((m: { role: string }) => m.role), ["user", "assistant", "user", "assistant"]);
  assert.equal(saved[0].content, "hello there");
  await Deno.remove(save);
});

Deno.test("cli chat outgrowing the context leaves out the oldest turns instead of exiting", async () => {
  const lines = Array.from({ length: 8 }, (_, i) => `message number ${i} about the river city and its bridges`);
  const r = await run(
    CLI,
    ["chat", "--model", TINY, "--ctx", "96", "--max-tokens", "8", "--seed", "2"],
    lines.join("\n") + "\n",
  );
  assert.equal(r.code, 0, r.err);
  assert.equal([...r.err.matchAll(/\[\d+ tokens/g)].length, 8, r.err);
  assert.match(r.err, /earlier messages left out: the chat outgrew the context/);
  assert.doesNotMatch(r.err, /error:/);
});

Deno.test({
  name: "cli chat in a terminal: Ctrl-C stops the reply and keeps the chat; Ctrl-C twice at the prompt quits",
  ignore: !(await Deno.stat("/usr/bin/script").then(() => true, () => false)),
  async fn() {
    // `script` runs the chat in a pseudo-terminal; its stdin is what the user types. The
    // model is a synthetic one with the real vocabulary, slow enough to be interrupted.
    const dir = await Deno.makeTempDir();
    await synthesize("small", dir, 1);
    const cmd = `${Deno.execPath()} run -A ${CLI} chat --model ${dir} --ctx 4096 --temperature 0 --threads 1`;
    const p = new Deno.Command("/usr/bin/script", {
      args: ["-qfec", cmd, "/dev/null"],
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
      env: { TERM: "dumb" },
    }).spawn();
    const w = p.stdin.getWriter();
    const type = (s: string) => w.write(new TextEncoder().encode(s));
    let out = "";
    const reader = (async () => {
      for await (const c of p.stdout.pipeThrough(new TextDecoderStream())) out += c;
    })();
    const until = async (re: RegExp, what: string) => {
      for (let i = 0; i < 600 && !re.test(out); i++) await new Promise((r) => setTimeout(r, 50));
      assert.match(out, re, `${what}:\n${out}`);
    };
    await until(/type a message/, "the greeting");
    await type("tell me a very long story about the river\r"); // no --max-tokens: a long answer
    await new Promise((r) => setTimeout(r, 1500));
    await type("\x03");
    await until(/\(stopped\)/, "Ctrl-C stopped the reply");
    await type("/help\r");
    await until(/\/save FILE/, "still chatting after the stop");
    await type("\x03");
    await until(/Ctrl-C again to quit/, "the first Ctrl-C at the prompt");
    await type("\x03");
    const status = await p.status;
    await reader;
    await Deno.remove(dir, { recursive: true });
    assert.equal(status.code, 0, out);
  },
});
