/**
 * What structured output costs per token on the synthetic Falcon-E-1B
 * (32768-token vocabulary): a generation under a nested JSON schema, timing
 * separately each token's grammar work (the allowed-token mask with the UTF-8
 * guard, applying it in the sampler, advancing the matcher) and the decode
 * step, plus the one-off costs (the vocabulary's tables, compiling the
 * schema, a cached compile). Then the same generation with the grammar in
 * its own thread: how long each step waits for its mask (computed while
 * the forward pass runs), and the longest stall of this thread's event loop
 * while a new schema compiles, inline and in the thread.
 *
 *   deno run -A bench/grammar_cost.ts [--model DIR] [--tokens 200] [--runs 3] [--threads 1]
 * @module
 */

import { flag } from "./args.ts";
import { machine } from "./machine.ts";
import { loadTextModel } from "../src/generate/text_model.ts";
import { constrain, grammarEngine } from "../src/generate/structured.ts";
import { Sampler } from "../src/text/sampler.ts";

const DIR = flag("model", "/tmp/falcon-e-synth/falcon-e-1b");
const TOKENS = Number(flag("tokens", "200"));
const RUNS = Number(flag("runs", "3"));
const THREADS = Number(flag("threads", "1"));

const SCHEMA = {
  type: "object",
  properties: {
    id: { type: "integer", minimum: 0, maximum: 1_000_000 },
    name: { type: "string", maxLength: 40 },
    kind: { enum: ["person", "company", "place"] },
    tags: { type: "array", items: { type: "string", maxLength: 12 }, maxItems: 8 },
    address: {
      type: "object",
      properties: {
        street: { type: "string" },
        city: { type: "string", maxLength: 24 },
        geo: {
          type: "object",
          properties: { lat: { type: "number" }, lon: { type: "number" } },
          required: ["lat", "lon"],
        },
      },
      required: ["street", "city", "geo"],
    },
    contacts: {
      type: "array",
      items: {
        type: "object",
        properties: { type: { enum: ["email", "phone"] }, value: { type: "string", maxLength: 30 } },
        required: ["type", "value"],
      },
    },
  },
  required: ["id", "name", "kind", "tags", "address", "contacts"],
};

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
const pct = (xs: number[], p: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(p * xs.length))];

const tm = await loadTextModel(DIR, { threads: THREADS, contextLength: 1024 });
const engine = grammarEngine(tm);
const spec = { kind: "json_schema" as const, schema: SCHEMA, strict: true };
let t = performance.now();
(await engine.constrain(spec)).dispose(); // vocabulary tables + compile
const firstMs = performance.now() - t;
t = performance.now();
(await engine.constrain(spec)).dispose();
const cachedMs = performance.now() - t;

const mask: number[] = [], apply: number[] = [], accept: number[] = [], step: number[] = [];
const prompt = tm.tokenizer.encode("Describe an entity as JSON.");
for (let run = 0; run < RUNS; run++) {
  const c = await engine.constrain(spec);
  using s = tm.model.createSession();
  let logits = s.feed(prompt);
  const sampler = new Sampler({ seed: run, temperature: 0.8 });
  const plain = new Sampler({ seed: run, temperature: 0.8 });
  for (let i = 0; i < TOKENS; i++) {
    let t0 = performance.now();
    const allowed = await c.allowed();
    mask.push(performance.now() - t0);
    t0 = performance.now();
    const { id } = sampler.sample(logits, allowed);
    const sampleMasked = performance.now() - t0;
    t0 = performance.now();
    plain.sample(logits);
    apply.push(sampleMasked - (performance.now() - t0)); // what the mask adds to sampling
    t0 = performance.now();
    c.accept(id);
    accept.push(performance.now() - t0);
    if (tm.stopTokenIds.includes(id)) break;
    t0 = performance.now();
    logits = s.feed([id]);
    step.push(performance.now() - t0);
  }
  c.dispose();
}
/** The longest gap between 1 ms ticks of this thread's event loop while `work` runs. */
async function stall(work: () => Promise<unknown>): Promise<number> {
  let last = performance.now(), worst = 0;
  const tick = setInterval(() => {
    const now = performance.now();
    worst = Math.max(worst, now - last);
    last = now;
  }, 1);
  await work();
  clearInterval(tick);
  return Math.max(worst, performance.now() - last);
}
const fresh = (n: number) => ({
  ...spec,
  schema: { ...SCHEMA, properties: { ...SCHEMA.properties, [`x${n}`]: { type: "boolean" } } },
});
const stallInline = await stall(async () => (await constrain(tm, fresh(1), tm.stopTokenIds, "inline")).dispose());
(await constrain(tm, fresh(2), tm.stopTokenIds, "thread")).dispose(); // starts the thread, builds its tables
const stallThread = await stall(async () => (await constrain(tm, fresh(3), tm.stopTokenIds, "thread")).dispose());

const wait: number[] = [];
for (let run = 0; run < RUNS; run++) {
  const c = await constrain(tm, spec, tm.stopTokenIds, "thread");
  using s = tm.model.createSession();
  let logits = s.feed(prompt);
  const sampler = new Sampler({ seed: run, temperature: 0.8 });
  for (let i = 0; i < TOKENS; i++) {
    const t0 = performance.now();
    const allowed = await c.allowed();
    if (i > 0) wait.push(performance.now() - t0);
    const { id } = sampler.sample(logits, allowed);
    c.accept(id);
    if (tm.stopTokenIds.includes(id)) break;
    logits = s.feed([id]);
  }
  c.dispose();
}

const per = mask.map((m, i) => m + Math.max(0, apply[i]) + accept[i]);
console.log(JSON.stringify({
  bench: "grammar_cost",
  model: DIR,
  vocab: tm.model.config.vocabSize,
  tokens: mask.length,
  runs: RUNS,
  threads: THREADS,
  compile_first_ms: +firstMs.toFixed(1),
  compile_cached_ms: +cachedMs.toFixed(2),
  mask_ms: { median: +median(mask).toFixed(3), p95: +pct(mask, 0.95).toFixed(3), max: +Math.max(...mask).toFixed(3) },
  apply_ms: { median: +median(apply).toFixed(3), p95: +pct(apply, 0.95).toFixed(3) },
  accept_ms: { median: +median(accept).toFixed(3), p95: +pct(accept, 0.95).toFixed(3) },
  grammar_per_token_ms: { median: +median(per).toFixed(3), p95: +pct(per, 0.95).toFixed(3) },
  decode_step_ms: +median(step).toFixed(2),
  share_of_step: +(median(per) / median(step)).toFixed(4),
  thread_mask_wait_ms: { median: +median(wait).toFixed(3), p95: +pct(wait, 0.95).toFixed(3) },
  compile_stall_ms: { inline: +stallInline.toFixed(1), thread: +stallThread.toFixed(1) },
  machine: machine(THREADS),
}));
tm.model.dispose();
