/**
 * Where a decoded token's CPU goes inside the sharded bundle's isolates: the
 * V8 sampling profiler (through `workerd serve --inspector-addr`) on the
 * Worker and on every shard while one stream decodes, then each isolate's
 * self time by function, per decoded token. The profiler slows what it
 * samples, so read shares, not totals (`bench/workerd_sharded.ts` times
 * without it).
 *
 *   deno task build:cloudflare && deno run -A bench/workerd_profile.ts [--model DIR] [--tokens 128] [--top 15]
 * @module
 */

import { flag } from "./args.ts";
import { machine } from "./machine.ts";
import { startSharded } from "../deploy/cloudflare/sharded_local.ts";
import { freePort } from "../tests/net.ts";
import { rangeServer } from "../tools/static.ts";
import { openIsolates } from "./workerd/heap.ts";
import { streamChat } from "./stream_chat.ts";

const DIR = flag("model", "/tmp/falcon-e-synth/falcon-e-1b");
const TOKENS = Number(flag("tokens", "128")), TOP = Number(flag("top", "15"));
const CF = new URL("../deploy/cloudflare/", import.meta.url).pathname;

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}

/** Self ms per function name (with file:line) from a V8 CPU profile. */
function selfTimes(p: { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] }): Map<string, number> {
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const out = new Map<string, number>();
  p.samples.forEach((id, i) => {
    const f = byId.get(id)!.callFrame;
    const file = f.url.split("/").pop() || "";
    const key = `${f.functionName || "(anonymous)"} ${file}${file ? ":" + (f.lineNumber + 1) : ""}`;
    out.set(key, (out.get(key) ?? 0) + (p.timeDeltas[i + 1] ?? 0) / 1000);
  });
  return out;
}

/** Tokens streamed for one greedy completion of up to `max`. */
async function streamTokens(base: string, content: string, max: number): Promise<number> {
  return (await streamChat(base, content, max)).tokens;
}

const files = rangeServer(DIR);
const port = freePort();
const inspectors = Array.from({ length: 17 }, () => freePort());
const run = await startSharded(files.url + "/", port, {}, { sessions: 4, contextLength: 2048 }, {
  shardPorts: Array.from({ length: 16 }, () => freePort()),
  quiet: true,
  prefix: "bench-profile",
  inspectorPorts: inspectors,
});
const base = `http://127.0.0.1:${port}`;
try {
  for (let i = 0; i < 6000; i++) {
    const h = await fetch(`${base}/health`).then((r) => r.json(), () => ({}));
    if (h.state === "ready") break;
    if (h.state === "error") throw new Error(JSON.stringify(h));
    await new Promise((r) => setTimeout(r, 100));
  }
  await streamTokens(base, "warm up the isolates", 48);
  const names = ["worker", ...run.plan.shards.map((s) => `${s.name} (${s.holds})`)];
  const sessions = (await Promise.all(inspectors.slice(0, names.length).map(openIsolates)))
    .flatMap((list, i) => list.map((s) => ({ ...s, name: `${names[i]} [${s.title}]` })));
  await Promise.all(sessions.map(async (s) => {
    await s.call("Profiler.enable");
    await s.call("Profiler.setSamplingInterval", { interval: 100 });
    await s.call("Profiler.start");
  }));
  const t0 = performance.now();
  const n = await streamTokens(base, "count", TOKENS);
  const wall = performance.now() - t0;
  const profiles = await Promise.all(sessions.map((s) => s.call("Profiler.stop", {}, 60_000)));
  for (const s of sessions) s.ws.close();
  console.log(`${n} tokens, ${(wall / n).toFixed(1)} ms/token with the profiler on; self ms per token:`);
  profiles.forEach((p, i) => {
    const times = [...selfTimes(p.profile as never).entries()].sort((a, b) => b[1] - a[1]);
    const total = times.reduce((a, [k, v]) => a + (k.startsWith("(idle)") ? 0 : v), 0);
    console.log(`\n${sessions[i].name}: ${(total / n).toFixed(2)} ms busy per token`);
    for (const [k, v] of times.slice(0, TOP)) console.log(`  ${(v / n).toFixed(3).padStart(8)}  ${k}`);
  });
  console.log(JSON.stringify({ bench: "workerd_profile", tokens: n, machine: machine(1) }));
} finally {
  await run.stop();
  await files.close();
  for (const f of Deno.readDirSync(`${CF}dist`)) {
    if (f.name.startsWith("bench-profile")) await Deno.remove(`${CF}dist/${f.name}`);
  }
}
