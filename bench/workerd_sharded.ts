/**
 * The sharded Cloudflare bundle in workerd, on the synthetic Falcon-E-1B,
 * planned for 128 MB isolates: one workerd process per shard (Durable Object
 * hosts) and the Worker, weights from a loopback static server (ranged
 * reads). Against the unsharded bundle (one isolate holding the whole model)
 * in the same run, through the OpenAI routes: time to first token of a
 * ~500-token chat prompt, decode tok/s of the stream after it, 4 concurrent
 * streams aggregate (rounds interleaved, medians); then the CPU each process
 * spends per decoded token and each process's RSS. Last, in a fresh set of
 * shard processes with the V8 inspector open (`bench/workerd/heap.ts`), the
 * memory inside each isolate after the same work: JS heap, ArrayBuffer
 * stores, and the wasm memory the shard reports.
 *
 *   deno task build:cloudflare && deno run -A bench/workerd_sharded.ts [--model DIR] [--rounds 3]
 *     [--sessions 4] [--lm-head bf16|int8]   (the plan's; the one isolate gets the same lm_head)
 * @module
 */

import { flag } from "./args.ts";
import { machine, processCpuMs, threadCpuMs, threadCpuSince } from "./machine.ts";
import { end, startSharded } from "../deploy/cloudflare/sharded_local.ts";
import { writeWorkerdConfig } from "../deploy/cloudflare/workerd_config.ts";
import { freePort } from "../tests/net.ts";
import { rangeServer } from "../tools/static.ts";
import { fetchLink } from "../src/shard/transport.ts";
import { heapPeaks, type HeapUsage, heapUsage } from "./workerd/heap.ts";
import { streamChat } from "./stream_chat.ts";

const DIR = flag("model", "/tmp/falcon-e-synth/falcon-e-1b");
const ROUNDS = Number(flag("rounds", "3"));
const CF = new URL("../deploy/cloudflare/", import.meta.url).pathname;
const CTX = Number(flag("ctx", "2048")), SESSIONS = Number(flag("sessions", "4")), GEN = 48, LONG = 192;
const LM_HEAD = flag("lm-head", "bf16") as "bf16" | "int8";
const rss = (pid: number) => Number(Deno.readTextFileSync(`/proc/${pid}/status`).match(/VmRSS:\s+(\d+)/)![1]) / 1024;
/** An isolate's memory in MiB, summed over the process's isolates: as it ran, then after a full GC (if it ran). */
const isolateMiB = (list: { usage: HeapUsage; afterGc: HeapUsage | null }[]) => {
  const sum = (f: (x: (typeof list)[number]) => number) => +(list.reduce((a, x) => a + f(x), 0) / 2 ** 20).toFixed(1);
  const gc = list.every((x) => x.afterGc);
  return {
    heapUsedMiB: sum((x) => x.usage.usedSize),
    heapMiB: sum((x) => x.usage.totalSize),
    buffersMiB: sum((x) => x.usage.backingStorageSize),
    ...(gc ? { liveHeapMiB: sum((x) => x.afterGc!.usedSize), heapAfterGcMiB: sum((x) => x.afterGc!.totalSize) } : {}),
  };
};
const cpuMs = processCpuMs;

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
async function streamOnce(
  base: string,
  content: string,
  maxTokens = GEN,
): Promise<{ ttft: number; decode: number; tokens: number }> {
  const { start, first, last, tokens } = await streamChat(base, content, maxTokens);
  return { ttft: first - start, decode: (tokens - 1) / ((last - first) / 1000), tokens };
}

/** One structured-output completion (a JSON schema over the whole vocabulary), so the Worker runs its grammar. */
async function structuredOnce(base: string): Promise<void> {
  const schema = {
    type: "object",
    properties: {
      name: { type: "string", maxLength: 24 },
      n: { type: "integer" },
      tags: { type: "array", items: { type: "string" } },
    },
    required: ["name", "n", "tags"],
    additionalProperties: false,
  };
  const res = await fetch(`${base}/v1/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      model: "m",
      messages: [{ role: "user", content: "a record" }],
      max_tokens: 32,
      temperature: 0,
      response_format: { type: "json_schema", json_schema: { name: "r", strict: true, schema } },
    }),
  });
  if (!res.ok) throw new Error(`structured: ${res.status} ${await res.text()}`);
  await res.body?.cancel();
}

const words = ["edge", "model", "ternary", "weights", "stream", "kernel", "token", "memory", "thread", "prefill"];
const prompt = (seed: number) =>
  Array.from({ length: 135 }, (_, i) => words[(i * 7 + seed) % 10] + ((i * seed) % 97)).join(" ");

const files = rangeServer(DIR);
const url = files.url + "/";
const port = freePort(), wholePort = freePort();
const startShards = (inspectorPorts?: number[]) =>
  startSharded(url, port, {}, { sessions: SESSIONS, contextLength: CTX, lmHead: LM_HEAD }, {
    shardPorts: Array.from({ length: 16 }, () => freePort()),
    quiet: true,
    prefix: "bench-sharded",
    preventEviction: true, // the rounds of the other bundle leave the shards idle longer than workerd's 10 s
    ...(inspectorPorts ? { inspectorPorts } : {}),
  });
let sharded = await startShards();
const wholeCfg = await writeWorkerdConfig(
  `${CF}dist`,
  wholePort,
  { MODEL_URL: url, CONTEXT: String(CTX), LM_HEAD },
  "bench-whole.capnp",
);
const whole = new Deno.Command(`${CF}node_modules/.bin/workerd`, {
  args: ["serve", wholeCfg],
  stdout: "null",
  stderr: "null",
})
  .spawn();
const streamsOf4 = (base: string, r: number) =>
  Promise.all([0, 1, 2, 3].map((i) => streamOnce(base, `short ${r} ${i}: ` + prompt(i).slice(0, 80))));
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
      const four = await streamsOf4(base, r);
      note(`${kind}.streams4`, four.reduce((a, x) => a + x.tokens, 0) / ((performance.now() - t1) / 1000));
    }
  }
  // where a token's time goes: each process's CPU per decoded token against the wall time per token (LONG tokens
  // from a short prompt), and the wall time per token after a ~500-token prompt
  const profile = async (p: number, pids: number[], content: string) => {
    const before = pids.map(cpuMs), threadsBefore = pids.map(threadCpuMs);
    const one = await streamOnce(`http://127.0.0.1:${p}`, content, LONG);
    const cpu = pids.map((pid, i) => (cpuMs(pid) - before[i]) / one.tokens); // with a short prompt's prefill
    // the same by thread name, user/system ms per token: the isolate's thread against V8's GC and compiler workers
    const threads = pids.map((pid, i) => {
      const out: Record<string, string> = {};
      for (const [name, t] of Object.entries(threadCpuSince(threadsBefore[i], threadCpuMs(pid)))) {
        const [u, s] = [t.user / one.tokens, t.system / one.tokens];
        if (u + s > 0) out[name] = `${u.toFixed(2)}u+${s.toFixed(2)}s`;
      }
      return out;
    });
    return { msPerToken: +(1000 / one.decode).toFixed(2), cpu, threads };
  };
  const pids = [sharded.main.pid, ...sharded.shards.map((p) => p.pid)];
  const profiles = {
    whole: { short: await profile(wholePort, [whole.pid], "count"), at500: await profile(wholePort, [], prompt(9)) },
    sharded: { short: await profile(port, pids, "count"), at500: await profile(port, [], prompt(9)) },
  };
  const rssAfter = sharded.shards.map((p) => rss(p.pid)), workerRss = rss(sharded.main.pid);

  // memory inside the isolates: a fresh set of shard processes with the V8 inspector open (it slows the isolates,
  // so the timings above ran without it), through the same work, then each isolate's heap and each shard's wasm memory
  await sharded.stop();
  const inspectors = Array.from({ length: 17 }, () => freePort()); // the Worker's, then up to 16 shards'
  sharded = await startShards(inspectors);
  await ready(`http://127.0.0.1:${port}`);
  // the most each isolate held at any sample while the work ran, then one reading after it (with a full GC)
  const peaks = await heapPeaks(inspectors.slice(0, sharded.shards.length + 1), async () => {
    await streamOnce(`http://127.0.0.1:${port}`, prompt(1));
    await streamsOf4(`http://127.0.0.1:${port}`, 0);
    await structuredOnce(`http://127.0.0.1:${port}`); // the Worker compiles a schema: the grammar library's wasm grows
  });
  const grammar = (await (await fetch(`http://127.0.0.1:${port}/health`)).json()).grammar;
  const poke = (p: number, path = "") => () => fetch(`http://127.0.0.1:${p}/${path}`).then((r) => r.body?.cancel());
  const memory = [await heapUsage(inspectors[0], poke(port, "health"))];
  const wasm: number[] = [];
  for (let i = 0; i < sharded.shards.length; i++) {
    memory.push(await heapUsage(inspectors[i + 1], poke(sharded.shardPorts[i])));
    const headers = { "x-shard-part": JSON.stringify(sharded.plan.shards[i].part) };
    const link = fetchLink(
      (body, signal) => fetch(`http://127.0.0.1:${sharded.shardPorts[i]}/`, { method: "POST", body, headers, signal }),
      sharded.plan.shards[i].name,
    );
    wasm.push((await link.info()).memory.total); // the instance's memory.buffer.byteLength
  }

  const med = (v: number[]) => [...v].sort((a, b) => a - b)[v.length >> 1];
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(results)) out[k] = +med(v).toFixed(1);
  for (const m of ["decode", "streams4"]) out[`ratio.${m}`] = +(out[`sharded.${m}`] / out[`whole.${m}`]).toFixed(3);
  out["ratio.ttft"] = +(out["whole.ttftMs"] / out["sharded.ttftMs"]).toFixed(3);
  const mib = (b: number) => +(b / 2 ** 20).toFixed(1);
  sharded.plan.shards.forEach((s, i) => {
    const isolate = isolateMiB(memory[i + 1]);
    console.log(
      JSON.stringify({
        shard: s.name,
        holds: s.holds,
        plannedWasmMiB: mib(s.bytes.total),
        wasmMiB: mib(wasm[i]),
        // inside the isolate (V8 inspector): JS heap used / reserved, ArrayBuffer stores (wasm memory not among them)
        ...isolate,
        isolateMiB: +(mib(wasm[i]) + isolate.heapMiB + isolate.buffersMiB).toFixed(1), // wasm + heap + buffers
        // the most seen at any sample during the work: heap reserved, buffers, and wasm + both at one sample
        peakHeapMiB: mib(peaks[i + 1].totalSize),
        peakBuffersMiB: mib(peaks[i + 1].backingStorageSize),
        peakIsolateMiB: mib(wasm[i] + peaks[i + 1].sum),
        peakSamples: peaks[i + 1].samples,
        idleRssMB: +idle[i].toFixed(1), // the process before its first call: the bundle, no model
        rssMB: +rssAfter[i].toFixed(1),
        cpuMsPerToken: +profiles.sharded.short.cpu[i + 1].toFixed(2),
        cpuByThread: profiles.sharded.short.threads[i + 1],
      }),
    );
  });
  console.log(JSON.stringify({
    bench: "workerd_sharded",
    model: DIR,
    shards: sharded.plan.shards.length,
    plan: { sessions: SESSIONS, lmHead: LM_HEAD, contextLength: CTX },
    shardedLoadMs: Math.round(shardedLoad),
    workerRssMB: +workerRss.toFixed(1),
    wholeRssMB: +rss(whole.pid).toFixed(1),
    workerIsolate: isolateMiB(memory[0]),
    // the Worker's isolate: the most heap and buffers at one sample, plus the grammar library's wasm (after its compile)
    workerPeak: {
      heapMiB: mib(peaks[0].totalSize),
      buffersMiB: mib(peaks[0].backingStorageSize),
      grammarWasmMiB: mib(grammar.memory_bytes),
      grammarRuns: grammar.runs,
      isolateMiB: mib(peaks[0].sum + grammar.memory_bytes),
    },
    // LONG tokens decoded: wall ms per token from a short prompt and after a ~500-token one; CPU ms per token
    decodeProfile: {
      wholeMs: profiles.whole.short.msPerToken,
      shardedMs: profiles.sharded.short.msPerToken,
      ratio: +(profiles.whole.short.msPerToken / profiles.sharded.short.msPerToken).toFixed(3),
      wholeMsAt500: profiles.whole.at500.msPerToken,
      shardedMsAt500: profiles.sharded.at500.msPerToken,
      ratioAt500: +(profiles.whole.at500.msPerToken / profiles.sharded.at500.msPerToken).toFixed(3),
      wholeCpuMs: +profiles.whole.short.cpu[0].toFixed(2),
      workerCpuMs: +profiles.sharded.short.cpu[0].toFixed(2),
      wholeCpuByThread: profiles.whole.short.threads[0],
      workerCpuByThread: profiles.sharded.short.threads[0],
      shardsCpuMs: +profiles.sharded.short.cpu.slice(1).reduce((a, b) => a + b, 0).toFixed(2),
    },
    ...out,
    rounds: ROUNDS,
    machine: machine(1),
  }));
} finally {
  await sharded.stop();
  await end(whole);
  await files.close();
  for (const f of Deno.readDirSync(`${CF}dist`)) {
    if (f.name.startsWith("bench-")) await Deno.remove(`${CF}dist/${f.name}`);
  }
}
