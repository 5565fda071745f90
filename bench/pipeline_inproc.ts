/**
 * Decode through every shard of the 128 MB plan in this one Deno process
 * (`localLink`: no wire, no HTTP) against the whole engine, 3 interleaved
 * rounds of 96 tokens: splits the sharded per-token cost between the shards'
 * own work (time inside `Shard.step`/`embed`) and everything around a call.
 *
 *   deno run -A bench/pipeline_inproc.ts [--model DIR]   (default: the synthetic 1B of `deno task synth`)
 * @module
 */
import { flag } from "./args.ts";
import { machine } from "./machine.ts";
import { loadModel } from "../src/load/mod.ts";
import { parseConfig } from "../src/load/config.ts";
import { planShards } from "../src/shard/plan.ts";
import { loadShard } from "../src/shard/load_shard.ts";
import { Pipeline } from "../src/shard/coordinator.ts";
import { localLink, type ShardLink } from "../src/shard/transport.ts";
const DIR = flag("model", "/tmp/falcon-e-synth/falcon-e-1b");
const config = parseConfig(Deno.readTextFileSync(DIR + "/config.json"));
const plan = planShards(config, { sessions: 4, contextLength: 2048 });
const opts = { threads: 1, maxSessions: 4, contextLength: 2048, kvCache: "f16" } as const;
const shards = [];
for (const s of plan.shards) shards.push(await loadShard(DIR, { ...opts, part: s.part }));
const stepMs = shards.map(() => 0);
/** Runs `f` on shard i's turn, adding its time to the shard's. */
const timed = <T>(i: number, f: () => T) =>
  Promise.resolve().then(() => {
    const t = performance.now();
    const r = f();
    stepMs[i] += performance.now() - t;
    return r;
  });
const links: ShardLink[] = shards.map((sh, i) => ({
  ...localLink(sh),
  step: (req) => timed(i, () => sh.step(req)),
  embed: (tokens) => timed(i, () => sh.embed(tokens)),
}));
const p = await Pipeline.connect(config, links);
const whole = await loadModel(DIR, opts);
const N = 96;
console.log(JSON.stringify({ bench: "pipeline_inproc", shards: plan.shards.length, machine: machine(1) }));
for (let round = 0; round < 3; round++) {
  const ws = whole.createSession();
  await whole.feedBatch([{ session: ws, ids: [1, 2, 3, 4] }]);
  let t = performance.now();
  for (let i = 0; i < N; i++) await whole.feedBatch([{ session: ws, ids: [5 + i] }]);
  const wholeMs = (performance.now() - t) / N;
  const ps = p.createSession();
  await p.feedBatch([{ session: ps, ids: [1, 2, 3, 4] }]);
  stepMs.fill(0);
  t = performance.now();
  for (let i = 0; i < N; i++) await p.feedBatch([{ session: ps, ids: [5 + i] }]);
  const pipeMs = (performance.now() - t) / N;
  const shardMs = stepMs.reduce((a, b) => a + b, 0) / N;
  console.log(
    JSON.stringify({
      round,
      wholeMsPerToken: +wholeMs.toFixed(2),
      pipelineMsPerToken: +pipeMs.toFixed(2),
      insideShardStepsMs: +shardMs.toFixed(2),
      perShard: stepMs.map((x) => +(x / N).toFixed(2)),
    }),
  );
  ws.dispose();
  ps.dispose();
}
