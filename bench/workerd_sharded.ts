/**
 * The sharded Cloudflare bundle in workerd, on the synthetic Falcon-E-1B,
 * planned for 128 MB isolates: one workerd process per shard (Durable Object
 * hosts) and the Worker, weights from a loopback static server (ranged
 * reads). Against the unsharded bundle (one isolate holding the whole model)
 * in the same run, through the OpenAI routes: time to first token of a
 * ~500-token chat prompt, decode tok/s of the stream after it, 4 concurrent
 * streams aggregate; each workerd process's RSS. Rounds interleaved, medians.
 *
 *   deno task build:cloudflare && deno run -A bench/workerd_sharded.ts [--model DIR] [--rounds 3]
 * @module
 */

import { flag } from "./args.ts";
import { machine } from "./machine.ts";
import { startSharded } from "../deploy/cloudflare/sharded_local.ts";
import { writeWorkerdConfig } from "../deploy/cloudflare/workerd_config.ts";
import { freePort } from "../tests/net.ts";
import { rangeServer } from "../tools/static.ts";

const DIR = flag("model", "/tmp/falcon-e-synth/falcon-e-1b");
const ROUNDS = Number(flag("rounds", "3"));
const CF = new URL("../deploy/cloudflare/", import.meta.url).pathname;
const CTX = Number(flag("ctx", "2048")), SESSIONS = 4, GEN = 48;
const rss = (pid: number) => Number(Deno.readTextFileSync(`/proc/${pid}/status`).match(/VmRSS:\s+(\d+)/)![1]) / 1024;

async function ready(base: string): Promise<void> {
  for (let i = 0; i < 6000; i++) {
    const h = await fetch(`${base}/health`).then((r) => r.json(), () => ({}));
    if (h.state === "ready") return;
    if (h.state === "error") throw new Error(`${base}: ${JSON.stringify(h)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${base} never became ready`);
}

/** One streamed chat completion: ms to the first token, then tok/s of the rest. */
async function streamOnce(base: string, content: string): Promise<{ ttft: number; decode: number; tokens: number }> {
  const t0 = performance.now();
  const res = await fetch(`${base}/v1/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      model: "m",
      messages: [{ role: "user", content }],
      max_tokens: GEN,
      ignore_eos: true,
      temperature: 0,
      stream: true,
    }),
  });
  if (!res.ok) throw new Error(`${res.status} ${await res.text()}`);
  let first = 0, last = 0, tokens = 0;
  for await (const text of res.body!.pipeThrough(new TextDecoderStream())) {
    for (const frame of text.split("\n\n")) {
      if (!frame.startsWith("data: {")) continue;
      const d = JSON.parse(frame.slice(6));
      if (d.error) throw new Error(JSON.stringify(d.error));
      if (d.choices?.[0]?.delta?.content !== undefined && d.choices[0].delta.content !== "") {
        tokens++;
        last = performance.now();
        if (!first) first = last;
      }
    }
  }
  return { ttft: first - t0, decode: (tokens - 1) / ((last - first) / 1000), tokens };
}

const words = ["edge", "model", "ternary", "weights", "stream", "kernel", "token", "memory", "thread", "prefill"];
const prompt = (seed: number) =>
  Array.from({ length: 135 }, (_, i) => words[(i * 7 + seed) % 10] + ((i * seed) % 97)).join(" ");

const files = rangeServer(DIR);
const url = files.url + "/";
const port = freePort(), wholePort = freePort();
const sharded = await startSharded(url, port, {}, { sessions: SESSIONS, contextLength: CTX }, {
  shardPorts: Array.from({ length: 16 }, () => freePort()),
  quiet: true,
  prefix: "bench-sharded",
  preventEviction: true, // the rounds of the other bundle leave the shards idle longer than workerd's 10 s
});
const wholeCfg = await writeWorkerdConfig(
  `${CF}dist`,
  wholePort,
  { MODEL_URL: url, CONTEXT: String(CTX) },
  "bench-whole.capnp",
);
const whole = new Deno.Command(`${CF}node_modules/.bin/workerd`, {
  args: ["serve", wholeCfg],
  stdout: "null",
  stderr: "null",
})
  .spawn();
try {
  // before any call: the shard processes with the bundle and nothing loaded
  await new Promise((r) => setTimeout(r, 3000));
  const idle = sharded.shards.map((p) => rss(p.pid));
  const t0 = performance.now();
  await ready(`http://127.0.0.1:${port}`);
  const shardedLoad = performance.now() - t0;
  await ready(`http://127.0.0.1:${wholePort}`);
  const results: Record<string, number[]> = {};
  const note = (k: string, v: number) => (results[k] ??= []).push(v);
  for (let r = 0; r < ROUNDS; r++) {
    for (const [kind, p] of [["whole", wholePort], ["sharded", port]] as const) {
      const base = `http://127.0.0.1:${p}`;
      const one = await streamOnce(base, prompt(r + 1));
      note(`${kind}.ttftMs`, one.ttft);
      note(`${kind}.decode`, one.decode);
      const t1 = performance.now();
      const four = await Promise.all(
        [0, 1, 2, 3].map((i) => streamOnce(base, `short ${r} ${i}: ` + prompt(i).slice(0, 80))),
      );
      note(`${kind}.streams4`, four.reduce((a, x) => a + x.tokens, 0) / ((performance.now() - t1) / 1000));
    }
  }
  const med = (v: number[]) => [...v].sort((a, b) => a - b)[v.length >> 1];
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(results)) out[k] = +med(v).toFixed(1);
  for (const m of ["decode", "streams4"]) out[`ratio.${m}`] = +(out[`sharded.${m}`] / out[`whole.${m}`]).toFixed(3);
  out["ratio.ttft"] = +(out["whole.ttftMs"] / out["sharded.ttftMs"]).toFixed(3);
  sharded.plan.shards.forEach((s, i) =>
    console.log(
      JSON.stringify({
        shard: s.name,
        holds: s.holds,
        plannedWasmMiB: +(s.bytes.total / 2 ** 20).toFixed(1),
        idleRssMB: +idle[i].toFixed(1), // the process before its first call: the bundle, no model
        rssMB: +rss(sharded.shards[i].pid).toFixed(1),
      }),
    )
  );
  console.log(JSON.stringify({
    bench: "workerd_sharded",
    model: DIR,
    shards: sharded.plan.shards.length,
    shardedLoadMs: Math.round(shardedLoad),
    workerRssMB: +rss(sharded.main.pid).toFixed(1),
    wholeRssMB: +rss(whole.pid).toFixed(1),
    ...out,
    rounds: ROUNDS,
    machine: machine(1),
  }));
} finally {
  await sharded.stop();
  whole.kill("SIGTERM");
  await whole.status;
  await files.close();
  for (const f of Deno.readDirSync(`${CF}dist`)) {
    if (f.name.startsWith("bench-")) await Deno.remove(`${CF}dist/${f.name}`);
  }
}
