/**
 * What a decode step costs one layer shard of the 128 MB plan in each way it
 * can be called, the ways taking turns step by step (so the VM's speed
 * changes hit all alike): in this process back to back; after 5 ms of idling
 * (as a shard waits for the other shards' turns); after a 96 MiB read swept
 * the caches (as other shards' weights pass through a shared L3); and the
 * same part in a `src/cli/shard.ts` process over loopback HTTP (wall time
 * here, and that process's CPU per step); and, after `deno task
 * build:cloudflare`, as the Durable Object of a workerd shard process of the
 * sharded bundle (its entry Worker passes the call on to the object, as on
 * one box). A warm-up round, then 5 rounds of 100 steps each way.
 *
 *   deno run -A bench/shard_call.ts [--model DIR] [--steps 100] [--workerd]
 * @module
 */

import { flag } from "./args.ts";
import { machine, processCpuMs } from "./machine.ts";
import { readUntil } from "./child.ts";
import { loadShard } from "../src/shard/load_shard.ts";
import { planShards } from "../src/shard/plan.ts";
import { parseConfig } from "../src/load/config.ts";
import { fetchLink, type ShardLink, urlLink } from "../src/shard/transport.ts";
import { startSharded } from "../deploy/cloudflare/sharded_local.ts";
import { rangeServer } from "../tools/static.ts";
import { freePort } from "../tests/net.ts";

const DIR = flag("model", "/tmp/falcon-e-synth/falcon-e-1b");
const STEPS = Number(flag("steps", "100"));
const SESSIONS = 4, CTX = 2048;
const config = parseConfig(Deno.readTextFileSync(`${DIR}/config.json`));
const plan = planShards(config, { sessions: SESSIONS, contextLength: CTX });
const layers = plan.shards.find((s) => s.holds.startsWith("layers"))!;
const opts = { threads: 1, maxSessions: SESSIONS, contextLength: CTX, kvCache: "f16" } as const;
const shard = await loadShard(DIR, { ...opts, part: layers.part });
const child = new Deno.Command(Deno.execPath(), {
  args: ["run", "-A", new URL("../src/cli/shard.ts", import.meta.url).pathname, "--model", DIR]
    .concat(["--part", JSON.stringify(layers.part), "--sessions", String(SESSIONS), "--ctx", String(CTX)]),
  stdout: "piped",
  stderr: "inherit",
}).spawn();
const hello = await readUntil(child.stdout, (t) => t.includes("\n"), "the shard process");
const remote = urlLink(`http://127.0.0.1:${JSON.parse(hello.split("\n")[0]).port}/`);
// the sharded bundle in workerd: only the shard called here loads its part
const files = Deno.args.includes("--workerd") ? rangeServer(DIR) : undefined;
const bundle = files &&
  await startSharded(files.url + "/", freePort(), {}, { sessions: SESSIONS, contextLength: CTX }, {
    shardPorts: plan.shards.map(() => freePort()),
    quiet: true,
    prefix: "bench-call",
    preventEviction: true,
  });
const at = plan.shards.indexOf(layers);
const inWorkerd: ShardLink | undefined = bundle && fetchLink(
  (body, signal) =>
    fetch(`http://127.0.0.1:${bundle.shardPorts[at]}/`, {
      method: "POST",
      body,
      signal,
      headers: { "x-shard-part": JSON.stringify(layers.part) },
    }),
  layers.name,
);
const hidden = new Float32Array(config.hiddenSize).map((_, i) => Math.sin(i) * 0.5), want = new Uint8Array(1);
const sweep = new Uint8Array(96 << 20).fill(1); // more than the L3
let sink = 0, sid = 0;

for (let i = 0; inWorkerd; i++) { // until the shard's process listens and its part is loaded
  try {
    await inWorkerd.info();
    break;
  } catch (e) {
    if (i > 300) throw e;
    await new Promise((r) => setTimeout(r, 100));
  }
}

type Way = { before?: () => void | Promise<void>; link?: ShardLink; pid?: number };
const ways: Record<string, Way> = {
  backToBack: {},
  afterIdle5ms: { before: () => new Promise<void>((r) => setTimeout(r, 5)) },
  afterSweep: {
    before: () => {
      for (let i = 0; i < sweep.length; i += 64) sink += sweep[i];
    },
  },
  overHttp: { link: remote, pid: child.pid },
  ...(inWorkerd ? { inWorkerd: { link: inWorkerd, pid: bundle!.shards[at].pid } } : {}),
};

/** Mean ms per step each way, and each shard process's CPU per step it ran. */
async function round(): Promise<Record<string, number>> {
  const names = Object.keys(ways), total = names.map(() => 0), id = `s${sid++}`;
  const pos = new Map<ShardLink | undefined, number>();
  const cpu0 = names.map((n) => ways[n].pid && processCpuMs(ways[n].pid!));
  for (let p = 0; p < STEPS * names.length; p++) {
    const w = ways[names[p % names.length]];
    await w.before?.();
    const at = pos.get(w.link) ?? 0;
    pos.set(w.link, at + 1);
    const req = { sessions: [{ id, pos: at, rows: 1 }], hidden, want };
    const t = performance.now();
    if (w.link) await w.link.step(req);
    else shard.step(req, true);
    total[p % names.length] += performance.now() - t;
  }
  const out = Object.fromEntries(names.map((n, i) => [n, +(total[i] / STEPS).toFixed(2)]));
  names.forEach((n, i) => {
    if (ways[n].pid) out[`${n}ShardCpu`] = +((processCpuMs(ways[n].pid!) - cpu0[i]!) / STEPS).toFixed(2);
  });
  shard.drop([id]);
  await remote.drop([id]);
  await inWorkerd?.drop([id]);
  return out;
}

try {
  await round(); // warm-up: the kernels reach V8's optimizing tier
  for (let r = 0; r < 5; r++) {
    console.log(JSON.stringify({ round: r, shard: layers.holds, msPerStep: await round(), machine: machine(1) }));
  }
} finally {
  child.kill();
  await child.status;
  await bundle?.stop();
  await files?.close();
  for (const f of Deno.readDirSync(new URL("../deploy/cloudflare/dist/", import.meta.url))) {
    if (f.name.startsWith("bench-call")) {
      Deno.removeSync(new URL(`../deploy/cloudflare/dist/${f.name}`, import.meta.url));
    }
  }
}
if (sink < 0) console.log(sink); // keeps the sweep's reads
