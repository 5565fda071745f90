/**
 * Prefill alone at a thread count: four 512-token prompts in one process
 * (after a warm-up), as tok/s, with each thread's CPU time as a share of
 * the wall time (by thread name). Run it for each count in alternating
 * processes to compare counts without the other benches' noise:
 *
 *   for t in 1 2 1 2; do deno run -A bench/prefill_threads.ts --threads $t; done
 * @module
 */

import { flag } from "./args.ts";
import { machine, threadCpuMs, threadCpuSince } from "./machine.ts";
import { loadModel } from "../src/load/load_model.ts";

const DIR = flag("model", "/tmp/falcon-e-synth/falcon-e-1b");
const THREADS = Number(flag("threads", "1"));
const PROMPTS = Number(flag("prompts", "4"));
const TOKENS = Number(flag("tokens", "512"));

const m = await loadModel(DIR, { threads: THREADS, contextLength: 1024 });
const ids = (n: number, seed: number) => Array.from({ length: n }, (_, i) => 3 + ((i * 7919 + seed * 104729) % 32000));
{
  using s = m.createSession();
  s.feed(ids(64, 9)); // warm-up
}
const cpu0 = threadCpuMs(Deno.pid), t0 = performance.now();
for (let r = 0; r < PROMPTS; r++) {
  using s = m.createSession();
  s.feed(ids(TOKENS, r));
}
const wallMs = performance.now() - t0, rate = (PROMPTS * TOKENS) / (wallMs / 1000);
// CPU by thread name over the prompts, as a share of the wall time: how busy the main thread and the kernel workers were
const cpu = Object.fromEntries(
  Object.entries(threadCpuSince(cpu0, threadCpuMs(Deno.pid)))
    .map(([name, t]) => [name, +((t.user + t.system) / wallMs).toFixed(2)])
    .filter(([, share]) => (share as number) > 0),
);
console.log(
  JSON.stringify({
    bench: "prefill_threads",
    tokens: TOKENS,
    prompts: PROMPTS,
    tok_per_s: +rate.toFixed(1),
    cpu_share_by_thread: cpu,
    machine: machine(THREADS),
  }),
);
m.dispose();
