/**
 * What one call costs workerd's request path, apart from any model work: a
 * client POSTs 8 KB (a decode step's hidden row) and reads 8 KB back, either
 * answered by the entry Worker itself, or forwarded to a Durable Object in
 * the same process (the sharded bundle's shard host: `SHARD_SELF`). Reads
 * the workerd process's CPU per call from /proc, interleaved rounds.
 *
 *   deno run -A bench/workerd_call_cost.ts [--calls 3000] [--rounds 3]
 * @module
 */

import { flag } from "./args.ts";
import { machine, processCpuMs } from "./machine.ts";
import { freePort } from "../tests/net.ts";

const CALLS = Number(flag("calls", "3000")), ROUNDS = Number(flag("rounds", "3"));
const workerd = new URL("../deploy/cloudflare/node_modules/.bin/workerd", import.meta.url).pathname;
const dir = await Deno.makeTempDir({ prefix: "call-cost-" });
const port = freePort();
await Deno.writeTextFile(
  `${dir}/w.js`,
  `export class D { async fetch(req) { return new Response(new Uint8Array(await req.arrayBuffer())); } }
export default { async fetch(req, env) {
  const path = new URL(req.url).pathname;
  if (path === "/object") return env.D.get(env.D.idFromName("s")).fetch(req);
  if (path === "/stubs") { for (let i = 0; i < 20000; i++) env.D.get(env.D.idFromName("shard-3")); return new Response(""); }
  return new Response(new Uint8Array(await req.arrayBuffer()));
} };`,
);
await Deno.writeTextFile(
  `${dir}/w.capnp`,
  `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [(name = "main", worker = (modules = [(name = "w.js", esModule = embed "w.js")],
    compatibilityDate = "2025-09-01", durableObjectNamespaces = [(className = "D", uniqueKey = "k")],
    durableObjectStorage = (inMemory = void), bindings = [(name = "D", durableObjectNamespace = "D")]))],
  sockets = [(name = "http", address = "127.0.0.1:${port}", http = (), service = "main")],
);`,
);
const proc = new Deno.Command(workerd, { args: ["serve", `${dir}/w.capnp`, "--experimental"], stderr: "null" }).spawn();
const cpuMs = () => processCpuMs(proc.pid);
const body = new Uint8Array(8192);
const post = async (path: string) =>
  await (await fetch(`http://127.0.0.1:${port}${path}`, { method: "POST", body })).arrayBuffer();
try {
  for (let i = 0; i < 100; i++) {
    try {
      await post("/");
      break;
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  const runs: Record<string, number[]> = { worker: [], object: [] };
  for (let r = 0; r < ROUNDS; r++) {
    for (const [name, path] of [["worker", "/"], ["object", "/object"]] as const) {
      for (let i = 0; i < 200; i++) await post(path); // warm
      const a = cpuMs();
      for (let i = 0; i < CALLS; i++) await post(path);
      runs[name].push((cpuMs() - a) / CALLS);
    }
  }
  const a = cpuMs();
  await post("/stubs"); // idFromName + get, 20,000 times in one request
  const stubUs = (cpuMs() - a) / 20;
  const med = (v: number[]) => [...v].sort((a, b) => a - b)[v.length >> 1];
  console.log(JSON.stringify({
    bench: "workerd_call_cost",
    bodyBytes: body.length,
    workerCpuMsPerCall: +med(runs.worker).toFixed(3), // HTTP in, answered by the entry Worker
    objectCpuMsPerCall: +med(runs.object).toFixed(3), // HTTP in, forwarded to a Durable Object and back
    stubCpuUsPerCall: +stubUs.toFixed(2), // one idFromName + get (10 ms ticks over 20,000)
    calls: CALLS,
    rounds: ROUNDS,
    machine: machine(1),
  }));
} finally {
  proc.kill("SIGKILL");
  await proc.status;
  await Deno.remove(dir, { recursive: true });
}
