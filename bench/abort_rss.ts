/**
 * Whether mid-stream aborts leak: the tiny fixture served by `deno task
 * serve`, then rounds of 250 streamed completions each dropped after its
 * first chunk, the server's RSS after each round (and after a pause). A leak
 * grows round after round; allocator and JIT warm-up levels off.
 *
 *   deno run -A bench/abort_rss.ts [--rounds 8]
 * @module
 */

import { flag } from "./args.ts";
import { cpuModel } from "./machine.ts";
import { startServer } from "../tests/serve_process.ts";

const ROUNDS = Number(flag("rounds", "8"));
const PER_ROUND = 250;
const TINY = new URL("../tests/fixtures/tiny-falcon-e", import.meta.url).pathname;

const rss = (pid: number) => Number(Deno.readTextFileSync(`/proc/${pid}/status`).match(/VmRSS:\s+(\d+) kB/)![1]) / 1024;
const srv = await startServer([
  "--model",
  TINY,
  "--ctx",
  "2048",
  "--slots",
  "4",
  ...Deno.args.filter((a) => a.startsWith("--v8-flags")),
]);
try {
  const before = rss(srv.pid);
  const after: number[] = [], heap: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    for (let i = 0; i < PER_ROUND; i += 4) {
      await Promise.all(Array.from({ length: 4 }, async () => {
        const ctrl = new AbortController();
        const res = await fetch(`${srv.base}/v1/completions`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ prompt: "the", max_tokens: 1500, stream: true, ignore_eos: true }),
          signal: ctrl.signal,
        });
        const reader = res.body!.getReader();
        await reader.read();
        ctrl.abort();
        await reader.cancel().catch(() => {});
      }));
    }
    await new Promise((res) => setTimeout(res, 500));
    after.push(+rss(srv.pid).toFixed(1));
    const metrics = await (await fetch(`${srv.base}/metrics`)).text();
    heap.push(+(Number(metrics.match(/^falcon_e_js_heap_used_bytes (\d+)/m)![1]) / 2 ** 20).toFixed(1));
  }
  console.log(JSON.stringify({
    bench: "abort_rss",
    aborts_per_round: PER_ROUND,
    rss_before_mb: +before.toFixed(1),
    rss_after_rounds_mb: after,
    js_heap_used_after_rounds_mb: heap,
    machine: cpuModel(),
  }));
} finally {
  await srv.stop();
}
