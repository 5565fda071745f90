/**
 * What the lm_head slices' candidate rows save per decoded token in the
 * sharded bundle in workerd: two Workers (one asking each lm_head slice for
 * its 4 likeliest tokens' embedding rows, one asking for none, so every token
 * makes an embedding call) over the same shard processes, their streams
 * taking turns, as ms per token of greedy decoding; medians and the median
 * of the pairwise ratios. The same shards under both keep the machine's
 * drift out of the ratio.
 *
 *   deno task build:cloudflare && deno run -A bench/workerd_candidates.ts [--model DIR] [--pairs 8] [--tokens 96]
 * @module
 */

import { flag } from "./args.ts";
import { machine } from "./machine.ts";
import { end, startSharded } from "../deploy/cloudflare/sharded_local.ts";
import { writeShardedWorkerdConfigs } from "../deploy/cloudflare/workerd_config.ts";
import { freePort } from "../tests/net.ts";
import { rangeServer } from "../tools/static.ts";
import { streamChat } from "./stream_chat.ts";

const DIR = flag("model", "/tmp/falcon-e-synth/falcon-e-1b");
const PAIRS = Number(flag("pairs", "8")), TOKENS = Number(flag("tokens", "96"));
const CF = new URL("../deploy/cloudflare/", import.meta.url).pathname;

async function ready(base: string): Promise<void> {
  for (let i = 0; i < 6000; i++) {
    const h = await fetch(`${base}/health`).then((r) => r.json(), () => ({}));
    if (h.state === "ready") return;
    if (h.state === "error") throw new Error(`${base}: ${JSON.stringify(h)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${base} never became ready`);
}

/** ms per token between the first and the last streamed token of a greedy completion. */
async function msPerToken(base: string, content: string): Promise<number> {
  const t = await streamChat(base, content, TOKENS);
  return (t.last - t.first) / (t.tokens - 1);
}

const files = rangeServer(DIR);
const url = files.url + "/";
const port = freePort(), offPort = freePort();
const shardPorts = Array.from({ length: 16 }, () => freePort());
const plan = { sessions: 4, contextLength: 2048 };
const run = await startSharded(url, port, {}, plan, { shardPorts, quiet: true, prefix: "bench-cand" });
// a second Worker, without candidates, over the same shard processes
const vars = {
  MODEL_URL: url,
  CONTEXT: String(run.plan.settings.contextLength),
  KV_CACHE: run.plan.settings.kvCache,
  LM_HEAD: run.plan.settings.lmHead,
  SHARD_SESSIONS: String(run.plan.settings.sessions),
  SHARD_CANDIDATES: "0",
};
const off = await writeShardedWorkerdConfigs(`${CF}dist`, offPort, shardPorts, run.plan.shards, vars, "bench-cand-off");
const offWorker = new Deno.Command(`${CF}node_modules/.bin/workerd`, {
  args: ["serve", off.main],
  stdout: "null",
  stderr: "null",
}).spawn();
try {
  const on = `http://127.0.0.1:${port}`, without = `http://127.0.0.1:${offPort}`;
  await ready(on), await ready(without);
  await msPerToken(on, "warm up"), await msPerToken(without, "warm up");
  const a: number[] = [], b: number[] = [];
  for (let i = 0; i < PAIRS; i++) {
    const prompt = `count ${i}`;
    if (i % 2) b.push(await msPerToken(without, prompt)), a.push(await msPerToken(on, prompt));
    else a.push(await msPerToken(on, prompt)), b.push(await msPerToken(without, prompt));
  }
  const med = (v: number[]) => [...v].sort((x, y) => x - y)[v.length >> 1];
  const ratios = a.map((x, i) => b[i] / x).sort((x, y) => x - y);
  console.log(JSON.stringify({
    bench: "workerd_candidates",
    shards: run.plan.shards.length,
    tokens: TOKENS,
    candidatesMsPerToken: +med(a).toFixed(2),
    noCandidatesMsPerToken: +med(b).toFixed(2),
    speedup: +med(ratios).toFixed(3), // ms without / ms with, per pair
    spread: [+ratios[0].toFixed(3), +ratios.at(-1)!.toFixed(3)],
    pairs: PAIRS,
    machine: machine(1),
  }));
} finally {
  await run.stop();
  await end(offWorker);
  await files.close();
  for (const f of Deno.readDirSync(`${CF}dist`)) {
    if (f.name.startsWith("bench-cand")) await Deno.remove(`${CF}dist/${f.name}`);
  }
}
