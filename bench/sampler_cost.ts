/**
 * What the sampler costs per token over a 32768-token vocabulary, greedy,
 * with the chosen token's logprob computed (the softmax pass) and without
 * (`logprobs: false`, as the OpenAI routes ask when a request wants none).
 * Rounds alternate the two.
 *
 *   deno run -A bench/sampler_cost.ts [--rounds 3] [--samples 2000]
 * @module
 */

import { flag } from "./args.ts";
import { machine } from "./machine.ts";
import { Sampler } from "../src/text/sampler.ts";

const ROUNDS = Number(flag("rounds", "3")), SAMPLES = Number(flag("samples", "2000"));
const logits = Float32Array.from({ length: 32768 }, (_, i) => Math.sin(i * 1.7) * 8);
const msPerToken = (logprobs: boolean) => {
  const s = new Sampler({ temperature: 0, logprobs });
  const t0 = performance.now();
  for (let i = 0; i < SAMPLES; i++) s.sample(logits);
  return (performance.now() - t0) / SAMPLES;
};
msPerToken(true), msPerToken(false); // warm-up
const withLp: number[] = [], without: number[] = [];
for (let r = 0; r < ROUNDS; r++) withLp.push(msPerToken(true)), without.push(msPerToken(false));
const median = (a: number[]) => [...a].sort((x, y) => x - y)[a.length >> 1];
console.log(JSON.stringify({
  bench: "sampler_cost",
  vocab: logits.length,
  greedyWithLogprobMs: +median(withLp).toFixed(3),
  greedyWithoutMs: +median(without).toFixed(3),
  rounds: ROUNDS,
  samples: SAMPLES,
  machine: machine(1),
}));
