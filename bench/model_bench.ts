/**
 * `deno task bench` (with bench/kernels_bench.ts): whole-model speed on a
 * synthetic Falcon-E-1B-shaped checkpoint (`deno task synth`), on `--threads`
 * threads (default 1).
 * Prints JSON lines: decode tok/s (8-token prompt, then 64 tokens; with the
 * BF16 lm_head as shipped and with the int8 one, alternating), prefill
 * tok/s (128- and 512-token prompts), and the aggregate tok/s of 4 concurrent
 * streams against 1 (continuous batching), each the median of several runs
 * after a warm-up, with the machine and runtime.
 *
 *   deno run -A bench/model_bench.ts [--model DIR] [--runs 3] [--threads 1] [--skip-prefill-512] [--only-load]
 *   deno run -A bench/model_bench.ts --long [--context 2048] [--runs 1]   decode at a long context, f16 and f32 KV
 * @module
 */

import { argmax } from "../src/engine/argmax.ts";
import { generate } from "../src/generate/generate.ts";
import { loadModel } from "../src/load/load_model.ts";
import type { KernelTestExports } from "../src/engine/kernels.ts";
import { kernelsOf, type Model } from "../src/engine/model.ts";
import { Scheduler } from "../src/generate/scheduler.ts";
import type { TextModel } from "../src/generate/text_model.ts";
import { loadTextModel } from "../src/generate/text_model.ts";
import { synthesize } from "./synth.ts";
import { flag, has } from "./args.ts";
import { machine } from "./machine.ts";

const DIR = flag("model", "/tmp/falcon-e-synth/falcon-e-1b");
const RUNS = Number(flag("runs", "3"));
const THREADS = Number(flag("threads", "1"));

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const emit = (o: Record<string, unknown>) => console.log(JSON.stringify({ ...o, machine: machine(THREADS) }));
const ids = (n: number, seed: number) => Array.from({ length: n }, (_, i) => 3 + ((i * 7919 + seed * 104729) % 32000));

async function ensureModel(): Promise<void> {
  try {
    await Deno.stat(`${DIR}/tokenizer.json`);
  } catch {
    console.error(`synthesizing ${DIR} ...`);
    await synthesize("falcon-e-1b", DIR, 1);
  }
}

function decode(model: Model): number {
  using s = model.createSession();
  let logits = s.feed(ids(8, 1));
  const t0 = performance.now();
  for (let i = 0; i < 64; i++) {
    let best = 0;
    for (let j = 1; j < logits.length; j++) if (logits[j] > logits[best]) best = j;
    logits = s.feed([best]);
  }
  return 64 / ((performance.now() - t0) / 1000);
}

function prefill(model: Model, n: number, seed: number): number {
  using s = model.createSession();
  const t0 = performance.now();
  s.feed(ids(n, seed));
  return n / ((performance.now() - t0) / 1000);
}

/** Aggregate tok/s of `streams` generations of `tokens` tokens running at once through one scheduler. */
async function concurrent(tm: TextModel, scheduler: Scheduler, streams: number, tokens: number): Promise<number> {
  const leases = await Promise.all(Array.from({ length: streams }, () => scheduler.acquire()));
  try {
    // prompts prefilled first, so the timing is decode only
    await Promise.all(leases.map((l, i) => l.session.prefill(ids(8, 10 + i))));
    const t0 = performance.now();
    const counts = await Promise.all(leases.map(async (l, i) => {
      const it = generate(tm, l.session, [...l.session.ids, ...ids(1, 20 + i)], {
        maxTokens: tokens,
        temperature: 0,
        stopTokenIds: [],
      });
      let r = await it.next();
      while (!r.done) r = await it.next();
      return r.value.completionTokens;
    }));
    return counts.reduce((a, b) => a + b, 0) / ((performance.now() - t0) / 1000);
  } finally {
    for (const l of leases) l.release();
  }
}

await ensureModel();
if (has("only-load")) Deno.exit(0); // bench/compare.ts: just make sure the checkpoint exists
if (has("long")) {
  // Decoding at a long context, where attention reads the whole KV cache per
  // token: 64 tokens after a (CONTEXT - 64)-token prompt, against 64 after an
  // 8-token prompt, same model and cache precision, alternating (the long
  // prompt is prefilled once per run, untimed).
  const ctx = Number(flag("context", "2048"));
  for (const kv of ["f16", "f32"] as const) {
    const m = await loadModel(DIR, { threads: THREADS, contextLength: ctx, kvCache: kv });
    const long = ids(ctx - 64, 7);
    const at = (prompt: number[]) => {
      using s = m.createSession();
      let logits = s.feed(prompt);
      const t0 = performance.now();
      for (let i = 0; i < 64; i++) logits = s.feed([argmax(logits)]);
      return 64 / ((performance.now() - t0) / 1000);
    };
    const short: number[] = [], far: number[] = [];
    for (let r = 0; r < RUNS; r++) short.push(at(ids(8, 1))), far.push(at(long));
    emit({
      bench: "decode_long_context",
      kv_cache: kv,
      positions: `${ctx - 64}..${ctx - 1}`,
      tok_per_s: +median(far).toFixed(2),
      short_context_tok_per_s: +median(short).toFixed(2),
      attention_ms_per_token: +(1000 / median(far) - 1000 / median(short)).toFixed(1),
      runs: RUNS,
      kernels: m.kernelPath,
    });
    m.dispose();
  }
  Deno.exit(0);
}
const t0 = performance.now();
const model = await loadModel(DIR, { threads: THREADS, contextLength: 1024 });
emit({ bench: "load", model: DIR, load_ms: Math.round(performance.now() - t0), kernels: model.kernelPath });

// Decode with the lm_head as shipped (BF16) and converted to int8, runs
// alternating so that both see the same machine state.
const model8 = await loadModel(DIR, { threads: THREADS, contextLength: 1024, lmHead: "int8" });
decode(model), decode(model8); // warm-up
const dec: Record<"bf16" | "int8", number[]> = { bf16: [], int8: [] };
for (let r = 0; r < RUNS; r++) dec.bf16.push(decode(model)), dec.int8.push(decode(model8));
model8.dispose();
for (const head of ["bf16", "int8"] as const) {
  emit({
    bench: "decode",
    prompt: 8,
    tokens: 64,
    lm_head: head,
    tok_per_s: +median(dec[head]).toFixed(2),
    runs: RUNS,
    kernels: model.kernelPath,
    ...(head === "int8" ? { vs_bf16: +(median(dec.int8) / median(dec.bf16)).toFixed(3) } : {}),
  });
}
prefill(model, 32, 0); // warm-up
for (const n of has("skip-prefill-512") ? [128] : [128, 512]) {
  const runs = Array.from({ length: RUNS }, (_, i) => prefill(model, n, i + 1));
  emit({ bench: "prefill", prompt: n, tok_per_s: +median(runs).toFixed(2), runs: RUNS, kernels: model.kernelPath });
}

// The ceiling of this kernel build: its dot-and-add pair on registers only
// (wasm/src/kernels/peak.rs), as tok/s of Falcon-E-1B's 1.585e9 ternary
// multiply-accumulates per token with nothing else done.
{
  const k = kernelsOf.get(model)! as KernelTestExports;
  const seed = k.alloc(96, 16), iters = 1 << 22;
  new Uint8Array(k.memory.buffer, seed, 96).forEach((_, i, a) => (a[i] = (i * 37) & 63));
  k.k_dot_peak(iters >> 4, seed); // warm-up
  const rates = Array.from({ length: RUNS }, () => {
    const t = performance.now();
    k.k_dot_peak(iters, seed);
    return (iters * k.k_dot_peak_macs()) / ((performance.now() - t) * 1e6);
  });
  emit({
    bench: "ceiling",
    gmac_s: +median(rates).toFixed(1),
    tok_per_s: +(median(rates) / 1.585).toFixed(2),
    kernels: model.kernelPath,
  });
}
model.dispose();

const tm = await loadTextModel(DIR, { threads: THREADS, contextLength: 512, maxSessions: 4 });
const scheduler = new Scheduler(tm.model, 0);
await concurrent(tm, scheduler, 1, 4); // warm-up
const single: number[] = [], quad: number[] = [];
for (let r = 0; r < RUNS; r++) {
  single.push(await concurrent(tm, scheduler, 1, 32));
  quad.push(await concurrent(tm, scheduler, 4, 32));
}
emit({
  bench: "concurrent",
  streams: 4,
  tokens_each: 32,
  one_stream_tok_per_s: +median(single).toFixed(2),
  four_streams_aggregate_tok_per_s: +median(quad).toFixed(2),
  ratio: +(median(quad) / median(single)).toFixed(2),
  passes: scheduler.batcher.stats.passes,
  rows: scheduler.batcher.stats.rows,
  kernels: tm.model.kernelPath,
});
