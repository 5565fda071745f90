/**
 * Two builds of the kernels as whole models, pass by pass: the same
 * checkpoint loaded twice in one process (each build on its own threads),
 * then decode and prefill timed in turns A, B, A, B... and per case the
 * median of the pairwise ratios time(A) / time(B) (> 1: B is faster), with
 * each side's median tok/s. Alternating in one process keeps a machine whose
 * speed drifts from favouring either side; whole-process runs of
 * `bench/model_bench.ts` on these VMs swing more than most changes.
 *
 *   deno run -A bench/model_ab.ts --a old_mt.wasm --b wasm/falcon_e_relaxed_mt.wasm --threads 2 [--pairs 12]
 *     [--tiles-a FORM] [--tiles-b FORM]   (ternaryTiles of each side; default auto: timed at load, printed first)
 * @module
 */

import type { TileChoice } from "../src/engine/tiles.ts";
import { flag } from "./args.ts";
import { machine } from "./machine.ts";
import { loadModel } from "../src/load/load_model.ts";
import type { Model } from "../src/engine/model.ts";

const DIR = flag("model", "/tmp/falcon-e-synth/falcon-e-1b");
const THREADS = Number(flag("threads", "2"));
const PAIRS = Number(flag("pairs", "12"));
const LM_HEAD = flag("lm-head", "bf16") as "bf16" | "int8";

const load = async (path: string, tiles: string) =>
  await loadModel(DIR, {
    threads: THREADS,
    contextLength: 1024,
    lmHead: LM_HEAD,
    kernels: await WebAssembly.compile(await Deno.readFile(path)),
    ternaryTiles: tiles as TileChoice,
  });
const a = await load(flag("a", ""), flag("tiles-a", "auto")), b = await load(flag("b", ""), flag("tiles-b", "auto"));
console.log(JSON.stringify({ bench: "model_ab_tiles", a: a.info().kernels.tiles, b: b.info().kernels.tiles }));
const ids = (n: number, seed: number) => Array.from({ length: n }, (_, i) => 3 + ((i * 7919 + seed * 104729) % 32000));

/** ms for `tokens` decode steps after an 8-token prompt. */
function decode(m: Model, tokens: number, seed: number): number {
  using s = m.createSession();
  s.feed(ids(8, seed));
  const t0 = performance.now();
  for (const id of ids(tokens, seed + 1)) s.feed([id]);
  return performance.now() - t0;
}
/** ms to prefill an n-token prompt. */
function prefill(m: Model, n: number, seed: number): number {
  using s = m.createSession();
  const t0 = performance.now();
  s.feed(ids(n, seed));
  return performance.now() - t0;
}

const cases: [string, number, (m: Model, seed: number) => number][] = [
  ["decode", 32, (m, seed) => decode(m, 32, seed)],
  ["prefill-128", 128, (m, seed) => prefill(m, 128, seed)],
  ["prefill-512", 512, (m, seed) => prefill(m, 512, seed)],
];
const med = (v: number[]) => [...v].sort((x, y) => x - y)[v.length >> 1];
for (const [name, tokens, f] of cases) {
  f(a, 0), f(b, 0); // warm-up
  const ta: number[] = [], tb: number[] = [];
  for (let i = 0; i < PAIRS; i++) {
    const [first, second] = i % 2 ? [b, a] : [a, b]; // which goes first alternates too
    const t1 = f(first, i + 1), t2 = f(second, i + 1);
    (first === a ? ta : tb).push(t1);
    (first === a ? tb : ta).push(t2);
  }
  const ratios = ta.map((t, i) => t / tb[i]).sort((x, y) => x - y);
  console.log(JSON.stringify({
    bench: "model_ab",
    case: name,
    lm_head: LM_HEAD,
    a_tok_per_s: +(tokens / med(ta) * 1000).toFixed(2),
    b_tok_per_s: +(tokens / med(tb) * 1000).toFixed(2),
    a_over_b: +med(ratios).toFixed(3),
    spread: [+ratios[0].toFixed(3), +ratios[ratios.length - 1].toFixed(3)],
    pairs: PAIRS,
    machine: machine(THREADS),
  }));
}
a.dispose(), b.dispose();
Deno.exit(0);
