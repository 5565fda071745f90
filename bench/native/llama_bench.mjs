// llama.cpp (through node-llama-cpp, prebuilt CPU binaries) on the GGUF that
// gguf_tq2.ts makes from the synthetic Falcon-E checkpoint: measures what
// bench/model_bench.ts measures for our wasm engine, on the same shape and
// weights, and prints JSON lines of the same shape.
//
//   node bench/native/llama_bench.mjs [--model FILE.gguf] [--threads 1] [--runs 3] [--skip-prefill-512]
//
// decode: 8-token prompt, then 64 greedy tokens (end-of-generation tokens are
// yielded and fed back like any other, so generation never stops early);
// prefill: 128- and 512-token prompts, cleared sequence each run, one batch
// (batchSize 512); each the median of --runs runs after one warm-up.
// Prompt ids are model_bench.ts's ids(n, seed).

import { readFileSync } from "node:fs";
import os from "node:os";
import { getLlama, LlamaLogLevel } from "node-llama-cpp";

const VERSION = JSON.parse(
  readFileSync(
    new URL("node_modules/node-llama-cpp/package.json", import.meta.url),
    "utf8",
  ),
).version;
const RUNTIME = `llama.cpp (node-llama-cpp ${VERSION}) TQ2_0`;

const argv = process.argv.slice(2);
const flag = (k) => {
  const i = argv.indexOf(`--${k}`);
  return i >= 0 ? argv[i + 1] : undefined;
};
const MODEL = flag("model") ?? "/tmp/falcon-e-synth/falcon-e-1b.tq2_0.gguf";
const THREADS = Number(flag("threads") ?? 1);
const RUNS = Number(flag("runs") ?? 3);

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const ids = (n, seed) => Array.from({ length: n }, (_, i) => 3 + ((i * 7919 + seed * 104729) % 32000));
const round2 = (x) => +x.toFixed(2);

function machine() {
  let cpu = os.cpus()[0]?.model ?? "unknown";
  try {
    cpu = readFileSync("/proc/cpuinfo", "utf8").match(/^model name\s*:\s*(.*)$/m)
      ?.[1] ?? cpu;
  } catch { /* no /proc access */ }
  return {
    cpu,
    cores: os.availableParallelism?.() ?? os.cpus().length,
    node: process.versions.node,
  };
}
const emit = (o) =>
  console.log(
    JSON.stringify({
      ...o,
      runtime: RUNTIME,
      threads: THREADS,
      machine: machine(),
    }),
  );

const llama = await getLlama({
  gpu: false,
  build: "never",
  maxThreads: THREADS,
  logLevel: LlamaLogLevel.error,
});
let t0 = performance.now();
const model = await llama.loadModel({ modelPath: MODEL, gpuLayers: 0 });
const context = await model.createContext({
  contextSize: 1024,
  batchSize: 512,
  sequences: 1,
  threads: { ideal: THREADS, min: THREADS },
});
const seq = context.getSequence();
emit({
  bench: "load",
  model: MODEL,
  load_ms: Math.round(performance.now() - t0),
  gpu: llama.gpu,
  cpu_build: llama.buildType,
  flash_attention: context.flashAttention,
  batch_size: context.batchSize,
  context_size: context.contextSize,
});

/** Greedy decode: the prompt first (untimed), then 64 tokens, each one forward pass. */
async function decode() {
  await seq.clearHistory();
  const it = seq.evaluate(ids(8, 1), { temperature: 0, yieldEogToken: true });
  const first = await it.next(); // the prompt evaluated, first token chosen from its logits
  if (first.done) throw new Error("no token after the prompt");
  const tokens = [];
  t0 = performance.now();
  for (let i = 0; i < 64; i++) {
    const r = await it.next(); // feeds the previous token, returns the next greedy one
    if (r.done) throw new Error(`generation stopped after ${i} tokens`);
    tokens.push(r.value);
  }
  const tokS = 64 / ((performance.now() - t0) / 1000);
  await it.return();
  return { tokS, tokens };
}

/** One prompt of n tokens in one batch, logits of its last token sampled (as model_bench's feed returns them). */
async function prefill(n, seed) {
  await seq.clearHistory();
  t0 = performance.now();
  const it = seq.evaluate(ids(n, seed), {
    temperature: 0,
    yieldEogToken: true,
  });
  const r = await it.next();
  const tokS = n / ((performance.now() - t0) / 1000);
  if (r.done) throw new Error("no token after the prompt");
  await it.return();
  return tokS;
}

const warm = await decode();
const decodes = [];
for (let r = 0; r < RUNS; r++) decodes.push((await decode()).tokS);
emit({
  bench: "decode",
  prompt: 8,
  tokens: 64,
  tok_per_s: round2(median(decodes)),
  runs: decodes.map(round2),
  first_tokens: warm.tokens.slice(0, 8),
});
await prefill(32, 0); // warm-up
for (const n of argv.includes("--skip-prefill-512") ? [128] : [128, 512]) {
  const runs = [];
  for (let r = 0; r < RUNS; r++) runs.push(await prefill(n, r + 1));
  emit({
    bench: "prefill",
    prompt: n,
    tok_per_s: round2(median(runs)),
    runs: runs.map(round2),
  });
}
await context.dispose();
await model.dispose();
await llama.dispose();
