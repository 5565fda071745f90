/**
 * The ternary kernels in workerd (Cloudflare's runtime) against the same
 * calls in Deno, one process each, alternating: does the runtime change the
 * kernels' speed (e.g. by skipping the explicit bounds checks Deno compiles
 * in)? Needs `npm ci` in deploy/cloudflare (for its workerd). Not a test.
 *
 *   deno run -A bench/workerd/kernels.ts [--runs 7] [--workerd-v8-flags "--no-liftoff ..."]
 *
 * Deno times its calls in-process; workerd's are timed over loopback HTTP,
 * minus an empty request's time. Prints one JSON line per kernel.
 * @module
 */

import { setup } from "./kernel_run.js";
import { cpuModel } from "../machine.ts";
import { startKernelServer } from "./kernel_server.ts";

const root = new URL("../../", import.meta.url).pathname;
const runsAt = Deno.args.indexOf("--runs");
const RUNS = runsAt >= 0 ? Number(Deno.args[runsAt + 1]) : 7;
const flagsAt = Deno.args.indexOf("--workerd-v8-flags"); // workerd's Config.v8Flags, to find what changes its speed
const V8_FLAGS = flagsAt >= 0 ? Deno.args[flagsAt + 1].split(/\s+/).filter(Boolean) : [];
const workerd = `${root}deploy/cloudflare/node_modules/.bin/workerd`;
const server = startKernelServer(V8_FLAGS);
const port = server.port;
try {
  const inWorkerd = async (op: string, reps: number) => {
    const t0 = performance.now();
    const res = await fetch(`http://127.0.0.1:${port}/?op=${op}&reps=${reps}`);
    if ((await res.text()) !== "ok") throw new Error(`workerd answered ${res.status}`);
    return performance.now() - t0;
  };
  for (let i = 0;; i++) { // wait for workerd to listen
    try {
      await inWorkerd("decode", 1);
      break;
    } catch (e) {
      if (i > 100) throw e;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  const mod = await WebAssembly.compile(await Deno.readFile(`${root}wasm/falcon_e_relaxed.wasm`));
  const run = setup(await WebAssembly.instantiate(mod, {}));
  const version = new TextDecoder().decode((await new Deno.Command(workerd, { args: ["--version"] }).output()).stdout)
    .trim();
  const median = (a: number[]) => [...a].sort((x, y) => x - y)[a.length >> 1];
  const cpu = cpuModel();
  for (const [op, reps] of [["decode", 400], ["prefill", 40]] as const) {
    run(op, reps); // warm-up: both runtimes tier up to their optimizing compiler
    await inWorkerd(op, reps);
    const deno: number[] = [], wd: number[] = [];
    for (let r = 0; r < RUNS; r++) {
      const t0 = performance.now();
      run(op, reps);
      deno.push((performance.now() - t0) / reps);
      const empty = await inWorkerd(op, 0);
      wd.push((await inWorkerd(op, reps) - empty) / reps);
    }
    console.log(JSON.stringify({
      machine: `${cpu} x${navigator.hardwareConcurrency}`,
      deno: Deno.version.deno,
      workerd: version,
      workerd_v8_flags: V8_FLAGS.join(" "),
      kernel: `t2 relaxed, 2048x2048, ${op === "decode" ? 1 : 64} token(s)`,
      deno_ms: +median(deno).toFixed(3),
      workerd_ms: +median(wd).toFixed(3),
      workerd_vs_deno: +(median(deno) / median(wd)).toFixed(2),
    }));
  }
} finally {
  await server.close();
}
