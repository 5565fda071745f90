/**
 * What a shard call costs the caller's isolate in workerd (the sharded
 * Worker makes ~10 per decoded token): one workerd process makes N decode-step
 * calls (8 KB each way) to another over a service binding, in one request,
 * each of several ways: the production link (`fetchLink`: a timeout signal,
 * answers read into pooled buffers), and plain `fetch` with the answer read
 * whole, with and without the timeout signal and the call's headers. Reads
 * both processes' CPU per call from /proc, and the wall time per call (the
 * round trip: both sides' CPU plus the wake-ups between them); the ways take
 * turns each round.
 *
 *   deno task build:cloudflare   # installs workerd and esbuild
 *   deno run -A bench/workerd/link_cost.ts [--calls 2000] [--rounds 5]
 * @module
 */

import { flag } from "../args.ts";
import { machine, processCpuMs } from "../machine.ts";
import { freePort } from "../../tests/net.ts";
import { bundleWorker } from "./bundle.ts";

const CALLS = Number(flag("calls", "2000")), ROUNDS = Number(flag("rounds", "5"));
const WAYS = ["link", "raw", "rawSignal", "rawBare"];
const root = new URL("../../", import.meta.url).pathname, cf = `${root}deploy/cloudflare/`;
const dir = Deno.makeTempDirSync({ prefix: "link-cost-" });
bundleWorker("link_cost_worker.ts", `${dir}/worker.js`);
const [callPort, answerPort] = [freePort(), freePort()];
const config = (role: string, port: number, peer?: number) =>
  `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [(name = "main", worker = (modules = [(name = "worker.js", esModule = embed "worker.js")],
    compatibilityDate = "2025-09-01", bindings = [(name = "ROLE", text = "${role}")${
    peer ? `, (name = "PEER", service = "peer")` : ""
  }]))${peer ? `, (name = "peer", external = (address = "127.0.0.1:${peer}", http = ()))` : ""}],
  sockets = [(name = "http", address = "127.0.0.1:${port}", http = (), service = "main")],
);`;
Deno.writeTextFileSync(`${dir}/answer.capnp`, config("answer", answerPort));
Deno.writeTextFileSync(`${dir}/call.capnp`, config("call", callPort, answerPort));
const spawn = (f: string) =>
  new Deno.Command(`${cf}node_modules/.bin/workerd`, { args: ["serve", `${dir}/${f}`] }).spawn();
const answerer = spawn("answer.capnp"), caller = spawn("call.capnp");
const run = async (way: string, n: number) => {
  const res = await fetch(`http://127.0.0.1:${callPort}/run?way=${way}&n=${n}`);
  const text = await res.text();
  if (text !== "ok") throw new Error(`${way}: HTTP ${res.status} ${text.slice(0, 300)}`);
};
const median = (a: number[]) => [...a].sort((x, y) => x - y)[a.length >> 1];
try {
  for (let i = 0;; i++) {
    try {
      await run("raw", 1);
      break;
    } catch (e) {
      if (i > 100) throw e;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  for (const w of WAYS) await run(w, 300); // warm-up
  const all: Record<string, { caller: number[]; answerer: number[]; wall: number[] }> = {};
  for (let r = 0; r < ROUNDS; r++) {
    const row: Record<string, string> = {};
    for (const w of WAYS) {
      const a0 = processCpuMs(caller.pid), b0 = processCpuMs(answerer.pid), t0 = performance.now();
      await run(w, CALLS);
      const wall = (performance.now() - t0) / CALLS;
      const a = (processCpuMs(caller.pid) - a0) / CALLS, b = (processCpuMs(answerer.pid) - b0) / CALLS;
      (all[w] ??= { caller: [], answerer: [], wall: [] }).caller.push(a);
      all[w].answerer.push(b);
      all[w].wall.push(wall);
      row[w] = `${a.toFixed(3)} / ${b.toFixed(3)} (${wall.toFixed(3)} wall)`;
    }
    console.log(JSON.stringify({ round: r, "cpuMsPerCall caller / answerer": row }));
  }
  console.log(JSON.stringify({
    bench: "link_cost",
    calls: CALLS,
    callerMsPerCall: Object.fromEntries(WAYS.map((w) => [w, +median(all[w].caller).toFixed(3)])),
    answererMsPerCall: Object.fromEntries(WAYS.map((w) => [w, +median(all[w].answerer).toFixed(3)])),
    wallMsPerCall: Object.fromEntries(WAYS.map((w) => [w, +median(all[w].wall).toFixed(3)])),
    machine: machine(1),
  }));
} finally {
  for (const p of [caller, answerer]) {
    p.kill("SIGKILL");
    await p.status;
  }
  Deno.removeSync(dir, { recursive: true });
}
