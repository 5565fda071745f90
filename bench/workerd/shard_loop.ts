/**
 * Where a layer shard's decode step spends its CPU in workerd: the same
 * steps of one 4-layer shard of the 128 MB plan (synthetic Falcon-E-1B), run
 * (a) by method call in this Deno process, and in a workerd process
 * (bench/workerd/shard_loop_worker.ts) (b) by method call inside one request,
 * (c) through the production shard handler inside one request, (d) one HTTP
 * request per step from this process to that handler (no Durable Object).
 * So (b) - (a) is workerd running the step itself, (c) - (b) the handler's JS,
 * (d) - (c) workerd's request path. Each way takes its turn in every round
 * (a fresh session of N steps from position 0); CPU from /proc.
 *
 *   deno task build:cloudflare   # installs workerd and esbuild
 *   deno run -A bench/workerd/shard_loop.ts [--model DIR] [--steps 100] [--rounds 5]
 * @module
 */

import { flag } from "../args.ts";
import { machine, processCpuMs } from "../machine.ts";
import { loadShard } from "../../src/shard/load_shard.ts";
import { planShards } from "../../src/shard/plan.ts";
import { parseConfig } from "../../src/load/config.ts";
import { fetchLink } from "../../src/shard/transport.ts";
import { rangeServer } from "../../tools/static.ts";
import { freePort } from "../../tests/net.ts";
import { bundleWorker } from "./bundle.ts";

const DIR = flag("model", "/tmp/falcon-e-synth/falcon-e-1b");
const STEPS = Number(flag("steps", "100")), ROUNDS = Number(flag("rounds", "5"));
const GAP = Number(flag("gap-ms", "50")); // the spaced ways idle this long before each step, as a shard of a pipeline does
const root = new URL("../../", import.meta.url).pathname, cf = `${root}deploy/cloudflare/`;
const config = parseConfig(Deno.readTextFileSync(`${DIR}/config.json`));
const plan = planShards(config, { sessions: 4, contextLength: 2048 });
const layers = plan.shards.find((s) => s.holds.startsWith("layers"))!;

// bundle the bench Worker with deploy/cloudflare's esbuild
const dir = Deno.makeTempDirSync({ prefix: "shard-loop-" });
bundleWorker("shard_loop_worker.ts", `${dir}/worker.js`);
Deno.copyFileSync(`${root}wasm/falcon_e_relaxed.wasm`, `${dir}/falcon_e_relaxed.wasm`);
const files = rangeServer(DIR), port = freePort();
Deno.writeTextFileSync(
  `${dir}/w.capnp`,
  `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [(name = "main", worker = (modules = [(name = "worker.js", esModule = embed "worker.js"),
      (name = "falcon_e_relaxed.wasm", wasm = embed "falcon_e_relaxed.wasm")],
    compatibilityDate = "2025-09-01", compatibilityFlags = ["nodejs_compat"], globalOutbound = "net",
    bindings = [(name = "MODEL_URL", text = ${JSON.stringify(files.url + "/")}),
      (name = "PART", text = ${JSON.stringify(JSON.stringify(layers.part))})])),
    (name = "net", network = (allow = ["private", "local", "public"]))],
  sockets = [(name = "http", address = "127.0.0.1:${port}", http = (), service = "main")],
);`,
);
const proc = new Deno.Command(`${cf}node_modules/.bin/workerd`, { args: ["serve", `${dir}/w.capnp`] }).spawn();
const base = `http://127.0.0.1:${port}`;
const link = fetchLink((body, signal) => fetch(`${base}/call`, { method: "POST", body, signal }), "shard", 60_000);
const shard = await loadShard(DIR, {
  part: layers.part,
  threads: 1,
  maxSessions: 4,
  contextLength: 2048,
  kvCache: "f16",
});
const hidden = new Float32Array(config.hiddenSize).map((_, i) => Math.sin(i) * 0.5), want = new Uint8Array(1);
const get = async (path: string) => {
  const res = await fetch(base + path);
  const text = await res.text();
  if (res.status !== 200 || text !== "ok") throw new Error(`${path}: HTTP ${res.status} ${text.slice(0, 300)}`);
};
let sid = 0;
type Cost = { cpu: number; wall: number };
/** CPU (of process `pid`) and wall ms of `STEPS` calls of `one(pos)`, each after `gap` ms of idling (not counted). */
async function steps(pid: number, one: (pos: number) => unknown, gap = 0): Promise<Cost> {
  const cost = { cpu: 0, wall: 0 };
  for (let pos = 0; pos < STEPS; pos++) {
    if (gap) await new Promise((r) => setTimeout(r, gap));
    const c0 = processCpuMs(pid), t0 = performance.now();
    await one(pos);
    cost.wall += performance.now() - t0;
    cost.cpu += processCpuMs(pid) - c0;
  }
  return cost;
}
/** CPU and wall ms of one request to the workerd process. */
async function request(path: string): Promise<Cost> {
  const c0 = processCpuMs(proc.pid), t0 = performance.now();
  await get(path);
  return { cpu: processCpuMs(proc.pid) - c0, wall: performance.now() - t0 };
}
const direct = (id: string) => (pos: number) => shard.step({ sessions: [{ id, pos, rows: 1 }], hidden, want }, true);
const call = (id: string) => async (pos: number) =>
  (await link.step({ sessions: [{ id, pos, rows: 1 }], hidden, want })).release?.();
const body = new Uint8Array(8192);
/** Runs `f` on a fresh session id, then frees that session with `drop`. */
const fresh = async (f: (id: string) => Promise<Cost>, drop: (id: string) => unknown = () => {}) => {
  const id = `s${sid++}`;
  try {
    return await f(id);
  } finally {
    await drop(id);
  }
};
const dropHere = (id: string) => shard.drop([id]), dropThere = (id: string) => link.drop([id]);
const ways: Record<string, () => Promise<Cost>> = { // each gives the CPU and wall ms its steps took
  denoDirect: () => fresh((id) => steps(Deno.pid, direct(id)), dropHere),
  denoSpaced: () => fresh((id) => steps(Deno.pid, direct(id), GAP), dropHere),
  workerdDirect: () => fresh((id) => request(`/loop?mode=direct&n=${STEPS}&id=${id}`)),
  workerdHandler: () => fresh((id) => request(`/loop?mode=handler&n=${STEPS}&id=${id}`)),
  workerdGetStep: () =>
    fresh((id) => steps(proc.pid, (pos) => get(`/loop?mode=direct&n=1&from=${pos}&id=${id}&keep`)), dropThere),
  workerdEcho: () =>
    steps(proc.pid, async () => await (await fetch(`${base}/echo`, { method: "POST", body })).arrayBuffer()),
  workerdHttp: () => fresh((id) => steps(proc.pid, call(id)), dropThere),
  workerdHttpSpaced: () => fresh((id) => steps(proc.pid, call(id), GAP), dropThere),
};
try {
  for (let i = 0;; i++) { // the first request loads the part
    try {
      await get(`/drop?id=none`);
      break;
    } catch (e) {
      if (i > 600) throw e;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  for (const w of Object.values(ways)) await w(); // warm-up: every way reaches V8's optimizing tier
  const all: Record<string, { cpu: number[]; wall: number[] }> = {};
  for (let r = 0; r < ROUNDS; r++) {
    const row: Record<string, string> = {};
    for (const [name, w] of Object.entries(ways)) {
      const { cpu, wall } = await w();
      (all[name] ??= { cpu: [], wall: [] }).cpu.push(cpu / STEPS);
      all[name].wall.push(wall / STEPS);
      row[name] = `${(cpu / STEPS).toFixed(2)} / ${(wall / STEPS).toFixed(2)}`;
    }
    console.log(JSON.stringify({ round: r, shard: layers.holds, "ms per step, cpu / wall": row }));
  }
  const median = (a: number[]) => [...a].sort((x, y) => x - y)[a.length >> 1];
  console.log(JSON.stringify({
    bench: "shard_loop",
    steps: STEPS,
    denoTiles: shard.tiles, // the tile forms measured at load (workerd keeps dot16: its clock does not run)
    cpuMsPerStep: Object.fromEntries(Object.entries(all).map(([k, v]) => [k, +median(v.cpu).toFixed(2)])),
    wallMsPerStep: Object.fromEntries(Object.entries(all).map(([k, v]) => [k, +median(v.wall).toFixed(2)])),
    machine: machine(1),
  }));
} finally {
  proc.kill("SIGKILL");
  await proc.status;
  await files.close();
  Deno.removeSync(dir, { recursive: true });
}
