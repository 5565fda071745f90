/**
 * How far the int8 lm_head (`lmHead: "int8"`) moves the model's choices from
 * the BF16 lm_head as shipped. Not a test: prints JSON lines.
 *
 * - every fixture in tests/fixtures: top-1 agreement at every prompt position
 *   of every reference prompt, max |dlogit|, and whether the 24-token greedy
 *   continuations stay identical;
 * - the synthetic Falcon-E-1B (`deno task synth`): a long greedy run with the
 *   BF16 lm_head, then the same token sequence fed to the int8 model (teacher
 *   forcing): top-1 agreement at every position, plus how many greedy tokens
 *   the int8 model produces before it first diverges.
 *
 *   deno run -A bench/lm_head_agreement.ts [--model DIR] [--tokens 1024]
 * @module
 */

import { argmax } from "../src/engine/argmax.ts";
import { loadModel } from "../src/load/load_model.ts";
import type { Model } from "../src/engine/model.ts";
import { cpuModel } from "./machine.ts";
import { comparePositions, greedy } from "../tests/reference.ts";
import { flag } from "./args.ts";

const SYNTH = flag("model", "/tmp/falcon-e-synth/falcon-e-1b");
const TOKENS = Number(flag("tokens", "1024"));
const FIXTURES = ["tiny-falcon-e", "wide-falcon-e", "odd-falcon-e"];
const here = new URL("../tests/fixtures/", import.meta.url);

const emit = (o: Record<string, unknown>) =>
  console.log(JSON.stringify({ ...o, cpu: cpuModel(), deno: Deno.version.deno }));

function greedyRun(m: Model, prompt: number[], n: number): number[] {
  using s = m.createSession();
  return greedy(s, s.feed(prompt), n);
}

for (const name of FIXTURES) {
  const dir = new URL(name, here).pathname;
  const ref = JSON.parse(await Deno.readTextFile(`${dir}/reference.json`)) as { runs: { ids: number[] }[] };
  const bf = await loadModel(dir, { contextLength: 256, maxSessions: 2 });
  const q8 = await loadModel(dir, { contextLength: 256, maxSessions: 2, lmHead: "int8" });
  let positions = 0, agree = 0, dmax = 0, greedySame = 0;
  for (const run of ref.runs) {
    for (const { sameTop1, maxDiff } of comparePositions(bf, q8, run.ids)) {
      positions++;
      if (sameTop1) agree++;
      dmax = Math.max(dmax, maxDiff);
    }
    if (greedyRun(bf, run.ids, 24).join() === greedyRun(q8, run.ids, 24).join()) greedySame++;
  }
  emit({
    bench: "lm_head_agreement",
    model: name,
    positions,
    top1_agree: agree / positions,
    max_abs_dlogit: dmax,
    greedy24_identical: `${greedySame}/${ref.runs.length}`,
  });
  bf.dispose();
  q8.dispose();
}

// Long synthetic run. Random weights make near-ties rarer than in a trained
// model's flat distributions, so this bounds kernel error, not model behavior.
{
  const prompt = Array.from({ length: 8 }, (_, i) => 3 + ((i * 7919 + 104729) % 32000));
  const bf = await loadModel(SYNTH, { contextLength: TOKENS + 16 });
  const seq = greedyRun(bf, prompt, TOKENS);
  bf.dispose();
  const q8 = await loadModel(SYNTH, { contextLength: TOKENS + 16, lmHead: "int8" });
  const v = q8.config.vocabSize;
  let agree = 0;
  {
    using s = q8.createSession();
    const full = [...prompt, ...seq];
    // teacher forcing: logits at each position of the BF16 sequence
    let pos = 0;
    for (let o = 0; o < TOKENS; o += 32) {
      const chunk = full.slice(pos, Math.min(prompt.length + o + 32, prompt.length + TOKENS - 1));
      pos += chunk.length;
      const l = s.feed(chunk, { allLogits: true });
      for (let t = 0; t < chunk.length; t++) {
        const at = pos - chunk.length + t; // position of this row; it predicts full[at + 1]
        if (
          at + 1 >= prompt.length && at + 1 < full.length && argmax(l.subarray(t * v, (t + 1) * v)) === full[at + 1]
        ) agree++;
      }
    }
  }
  const free = greedyRun(q8, prompt, TOKENS);
  let firstDiff = free.findIndex((t, i) => t !== seq[i]);
  if (firstDiff < 0) firstDiff = TOKENS;
  emit({
    bench: "lm_head_agreement",
    model: "synthetic falcon-e-1b",
    tokens: TOKENS,
    top1_agree_teacher_forced: agree / TOKENS,
    greedy_identical_prefix: firstDiff,
  });
  q8.dispose();
}
