/**
 * The sharded pipeline on loopback against the single-isolate engine, in the
 * same run: each shard of a plan (`src/shard/plan.ts`, 128 MB isolates by
 * default) in its own `deno task shard` process, the coordinator here over
 * HTTP. Reports each shard process's RSS and JS heap, the logits' agreement
 * (bit for bit), decode tok/s, prefill-512 tok/s, 4 concurrent streams, and
 * what one hop (an empty call) costs; medians of interleaved rounds.
 *
 *   deno run -A bench/pipeline.ts [--model DIR] [--budget-mb 128] [--rounds 3]
 * @module
 */

import { flag } from "./args.ts";
import { machine } from "./machine.ts";
import { readUntil } from "./child.ts";
import { loadModel } from "../src/load/mod.ts";
import { parseConfig } from "../src/load/config.ts";
import { planShards } from "../src/shard/plan.ts";
import { Pipeline, type PipelineSession } from "../src/shard/coordinator.ts";
import { urlLink } from "../src/shard/transport.ts";
import type { Session } from "../src/engine/model.ts";

const model = flag("model", "/tmp/falcon-e-synth/falcon-e-1b");
const budgetMb = Number(flag("budget-mb", "128"));
const rounds = Number(flag("rounds", "3"));
const SESSIONS = 4, CTX = 1024;
const config = parseConfig(await Deno.readTextFile(`${model}/config.json`));
const plan = planShards(config, { budgetBytes: budgetMb * 2 ** 20, sessions: SESSIONS, contextLength: CTX });

// the shards, one process each
const procs = await Promise.all(plan.shards.map(async (s) => {
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      "src/cli/shard.ts",
      "--model",
      model,
      "--part",
      JSON.stringify(s.part),
      "--sessions",
      String(SESSIONS),
      "--ctx",
      String(CTX),
    ],
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const line = await readUntil(child.stdout, (t) => t.includes("\n"), s.name);
  const hello = JSON.parse(line.split("\n")[0]);
  return { name: s.name, holds: s.holds, planned: s.bytes.total, child, url: `http://127.0.0.1:${hello.port}/` };
}));

try {
  const rss = (pid: number) => Number(Deno.readTextFileSync(`/proc/${pid}/status`).match(/VmRSS:\s+(\d+)/)![1]) * 1024;
  const pipeline = await Pipeline.connect(config, procs.map((p) => urlLink(p.url, 120_000)));
  const single = await loadModel(model, { threads: 1, kvCache: "f16", contextLength: CTX, maxSessions: SESSIONS });
  const rand = (n: number, seed: number) =>
    Array.from({ length: n }, (_, i) => (i * 7919 + seed * 104729) % config.vocabSize);

  // bit for bit, on a prompt spanning several chunks and a few decode steps
  {
    const a = single.createSession(), b = pipeline.createSession();
    const prompt = rand(70, 1);
    let same = 0, total = 0;
    const cmp = (x: Float32Array, y: Float32Array) => {
      total++;
      if (x.every((v, i) => Object.is(v, y[i]))) same++;
    };
    cmp(a.feed(prompt), await b.feed(prompt));
    for (let t = 0; t < 8; t++) cmp(a.feed([t + 3]), await b.feed([t + 3]));
    a.dispose(), b.dispose();
    console.log(JSON.stringify({ bitIdentical: `${same}/${total} logit vectors` }));
  }

  const time = async (f: () => Promise<unknown> | unknown) => {
    const t0 = performance.now();
    await f();
    return performance.now() - t0;
  };
  const results: Record<string, number[]> = {};
  const note = (k: string, v: number) => (results[k] ??= []).push(v);
  for (let r = 0; r < rounds; r++) {
    for (const kind of ["single", "pipeline"] as const) {
      const open = () => (kind === "single" ? single.createSession() : pipeline.createSession());
      const feed = (s: Session | PipelineSession, ids: number[]) => s.feed(ids);
      // prefill 512
      {
        const s = open();
        note(`${kind}.prefill512`, 512 / (await time(() => feed(s, rand(512, r + 2)))) * 1000);
        // decode 64
        note(
          `${kind}.decode`,
          64 / (await time(async () => {
            for (let t = 0; t < 64; t++) await feed(s, [t + 5]);
          })) * 1000,
        );
        s.dispose();
      }
      // 4 concurrent streams of 32 tokens after a 16-token prompt (single: batched, one pass per step)
      {
        const ss = Array.from({ length: 4 }, open);
        for (const s of ss) await feed(s, rand(16, r + 9));
        const ms = await time(async () => {
          if (kind === "single") {
            for (let t = 0; t < 32; t++) single.feedBatch(ss.map((s) => ({ session: s as Session, ids: [t + 1] })));
          } else {
            await Promise.all(ss.map(async (s) => {
              for (let t = 0; t < 32; t++) await feed(s, [t + 1]);
            }));
          }
        });
        note(`${kind}.streams4`, 128 / ms * 1000);
        for (const s of ss) s.dispose();
      }
    }
    // one hop: an INFO call to the first layer shard
    const link = urlLink(procs[plan.shards.findIndex((s) => s.part.layers[1] > s.part.layers[0])].url);
    const hops: number[] = [];
    for (let i = 0; i < 50; i++) hops.push(await time(() => link.info()));
    note("hopMs", hops.sort((a, b) => a - b)[25]);
  }
  const med = (v: number[]) => [...v].sort((a, b) => a - b)[v.length >> 1];
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(results)) out[k] = +med(v).toFixed(2);
  for (const m of ["prefill512", "decode", "streams4"]) {
    out[`ratio.${m}`] = +(out[`pipeline.${m}`] / out[`single.${m}`]).toFixed(3);
  }
  const shardMem = await Promise.all(procs.map(async (p) => {
    const heap = await (await fetch(p.url + "memory")).json();
    return {
      name: p.name,
      holds: p.holds,
      plannedWasm: p.planned,
      rss: rss(p.child.pid),
      heapUsed: heap.heapUsed,
      heapTotal: heap.heapTotal,
      external: heap.external,
    };
  }));
  for (const s of shardMem) console.log(JSON.stringify(s));
  console.log(JSON.stringify({
    bench: "pipeline",
    model,
    budgetMb,
    shards: plan.shards.length,
    callsPerDecodeToken: "embed slices + layer shards + lm_head slices",
    ...out,
    rounds,
    machine: machine(1),
  }));
  single.dispose();
} finally {
  for (const p of procs) {
    try {
      p.child.kill();
    } catch { /* gone */ }
  }
}
