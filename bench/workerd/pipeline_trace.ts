/**
 * Where a sharded decoded token's wall time goes, call by call: the sharded
 * bundle's shards in workerd processes (one Durable Object host each, as
 * `deno task workerd --sharded` runs them), driven by the coordinator in this
 * Deno process (so each call can be timed with a clock that runs: a Worker's
 * does not move while it computes), against the same shards' steps in this
 * process and the one-isolate engine, rounds interleaved. Prints per token:
 * each stage's call (wall), the same step in-process (wall), and the rest
 * (the coordinator's own time between calls).
 *
 *   deno task build:cloudflare
 *   deno run -A bench/workerd/pipeline_trace.ts [--model DIR] [--tokens 64] [--rounds 3] [--sessions 4] [--lm-head bf16]
 *        [--tiles dot16|dot-add|mixed]   the workerd shards' TERNARY_TILES (unset: auto, which keeps dot16 there)
 * @module
 */

import { flag } from "../args.ts";
import { machine } from "../machine.ts";
import { parseConfig } from "../../src/load/config.ts";
import { planShards } from "../../src/shard/plan.ts";
import { Pipeline } from "../../src/shard/coordinator.ts";
import { fetchLink, localLink, type ShardLink } from "../../src/shard/transport.ts";
import { loadShard } from "../../src/shard/load_shard.ts";
import { loadModel } from "../../src/load/mod.ts";
import { startSharded } from "../../deploy/cloudflare/sharded_local.ts";
import { rangeServer } from "../../tools/static.ts";
import { freePort } from "../../tests/net.ts";

const DIR = flag("model", "/tmp/falcon-e-synth/falcon-e-1b");
const TOKENS = Number(flag("tokens", "64")), ROUNDS = Number(flag("rounds", "3"));
const SESSIONS = Number(flag("sessions", "4")), CTX = 2048, LM_HEAD = flag("lm-head", "bf16") as "bf16" | "int8";
const config = parseConfig(Deno.readTextFileSync(`${DIR}/config.json`));
const plan = planShards(config, { sessions: SESSIONS, contextLength: CTX, lmHead: LM_HEAD });
const files = rangeServer(DIR);
const TILES = flag("tiles", "");
const run = await startSharded(files.url + "/", freePort(), TILES ? { TERNARY_TILES: TILES } : {}, {
  sessions: SESSIONS,
  contextLength: CTX,
  lmHead: LM_HEAD,
}, {
  shardPorts: plan.shards.map(() => freePort()),
  quiet: true,
  prefix: "bench-trace",
  preventEviction: true,
});

/** Wall ms of every call per link, in order. */
const calls = plan.shards.map(() => [] as number[]);
const timed = (link: ShardLink, i: number): ShardLink => ({
  ...link,
  step: async (req) => {
    const t = performance.now();
    try {
      return await link.step(req);
    } finally {
      calls[i].push(performance.now() - t);
    }
  },
});
const remote = plan.shards.map((s, i) =>
  timed(
    fetchLink(
      (body, signal) =>
        fetch(`http://127.0.0.1:${run.shardPorts[i]}/`, {
          method: "POST",
          body,
          signal,
          headers: { "x-shard-part": JSON.stringify(s.part) },
        }),
      s.name,
      120_000,
      600_000,
    ),
    i,
  )
);
const opts = { threads: 1, maxSessions: SESSIONS, contextLength: CTX, kvCache: "f16", lmHead: LM_HEAD } as const;
const local = await Promise.all(plan.shards.map((s) => loadShard(DIR, { ...opts, part: s.part })));
const localCalls = plan.shards.map(() => [] as number[]);
const inWorkerd = await Pipeline.connect(config, remote, "workerd", 600_000);
const inProcess = await Pipeline.connect(
  config,
  local.map((s, i) => {
    const l = localLink(s);
    return {
      ...l,
      step: (req) => {
        const t = performance.now();
        const r = s.step(req);
        localCalls[i].push(performance.now() - t);
        return Promise.resolve(r);
      },
    } as ShardLink;
  }),
);
const single = await loadModel(DIR, opts);
const prompt = Array.from({ length: 24 }, (_, i) => (i * 7919 + 11) % config.vocabSize);
const argmax = (l: Float32Array) => {
  let b = 0;
  for (let i = 1; i < l.length; i++) if (l[i] > l[b]) b = i;
  return b;
};
const median = (a: number[]) => [...a].sort((x, y) => x - y)[a.length >> 1];

try {
  for (let r = 0; r <= ROUNDS; r++) { // round 0 warms every way up
    const row: Record<string, unknown> = { round: r };
    for (const way of ["single", "inProcess", "workerd"] as const) {
      const s = way === "single" ? single.createSession() : (way === "workerd" ? inWorkerd : inProcess).createSession();
      let logits = await s.feed(prompt);
      for (const c of [...calls, ...localCalls]) c.length = 0;
      const t0 = performance.now();
      for (let t = 0; t < TOKENS; t++) logits = await s.feed([argmax(logits)]); // greedy, as a served request
      row[`${way}MsPerToken`] = +((performance.now() - t0) / TOKENS).toFixed(2);
      s.dispose();
      if (way === "single") continue;
      const per = way === "workerd" ? calls : localCalls;
      row[`${way}Calls`] = Object.fromEntries(
        plan.shards.map((sh, i) => [sh.holds.replace(/norm \+ /, ""), +median(per[i]).toFixed(2)]).filter((e) => e[1]),
      );
    }
    if (r > 0) console.log(JSON.stringify(row));
  }
  console.log(JSON.stringify({
    bench: "pipeline_trace",
    plan: plan.shards.length,
    // the tile forms the in-process layer shards measured at load (workerd's keep dot16: their clock does not run)
    inProcessTiles: [...new Set(local.filter((s) => s.tiles).map((s) => `${s.tiles!.decode}/${s.tiles!.prefill}`))],
    machine: machine(1),
  }));
} finally {
  await run.stop();
  await files.close();
  for (const f of Deno.readDirSync(new URL("../../deploy/cloudflare/dist/", import.meta.url))) {
    if (f.name.startsWith("bench-trace")) {
      Deno.removeSync(new URL(`../../deploy/cloudflare/dist/${f.name}`, import.meta.url));
    }
  }
}
