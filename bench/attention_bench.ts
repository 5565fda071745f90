/**
 * Attention / KV-cache measurements (not a test):
 *   deno run -A bench/attention_bench.ts precision
 *     max |dlogit| against each fixture's transformers/numpy reference (all prompts, last position),
 *     with an f32 and an f16 KV cache (the kvCache load option)
 *   deno run -A bench/attention_bench.ts batch --model DIR [--sessions 4] [--steps 32] [--prompt 16]
 *     aggregate decode tok/s of N sessions stepped together (forward_rows, every row's logits;
 *     ALL_LOGITS=0: only the last row's) vs 1 session alone (Session.feed)
 * @module
 */
import { loadModel } from "../mod.ts";
import { Logits } from "../src/engine/abi.ts";
import { flag } from "./args.ts";
import { kernelsOf } from "../src/engine/model.ts";
import { maxAbsDiff, readReference, TINY, WIDE } from "../tests/reference.ts";

const [cmd] = Deno.args;

if (cmd === "precision") {
  for (const kv of ["f32", "f16"] as const) {
    for (const [name, dir] of [["tiny-falcon-e", TINY], ["wide-falcon-e", WIDE]]) {
      const ref = await readReference(dir);
      const model = await loadModel(dir, { contextLength: 256, kvCache: kv });
      const v = model.config.vocabSize;
      const ds: number[] = [];
      for (const run of ref.runs) {
        using s = model.createSession();
        const all = s.feed(run.ids, { allLogits: true });
        ds.push(maxAbsDiff(all.subarray((run.ids.length - 1) * v), run.last_logits));
      }
      const sorted = ds.slice().sort((a, b) => a - b);
      console.log(
        `${name} (${model.kernelPath}, ${kv} KV ${model.memory().kvCache} B): max |dlogit| ${
          Math.max(...ds).toExponential(3)
        }` +
          `, median ${sorted[sorted.length >> 1].toExponential(3)}, per prompt [${
            ds.map((d) => d.toExponential(2)).join(", ")
          }]`,
      );
      model.dispose();
    }
  }
} else if (cmd === "batch") {
  const dir = flag("model", "/tmp/falcon-e-synth/falcon-e-1b");
  const nSess = Number(flag("sessions", "4"));
  const steps = Number(flag("steps", "32"));
  const promptLen = Number(flag("prompt", "16"));
  const model = await loadModel(dir, { contextLength: 512, maxSessions: nSess, blockSize: Math.max(nSess, 16) });
  const k = kernelsOf.get(model)!;
  const sessions = Array.from({ length: nSess }, () => model.createSession());
  const v = model.config.vocabSize;
  for (let i = 0; i < nSess; i++) {
    sessions[i].feed(Array.from({ length: promptLen }, (_, j) => (i * 7919 + j * 31) % v));
  }
  const pos0 = sessions.map((s) => s.position);
  // 1 session alone
  const single: number[] = [];
  for (let r = 0; r < 3; r++) {
    const t0 = performance.now();
    for (let i = 0; i < steps; i++) sessions[0].feed([(i * 13) % v]);
    single.push(steps / ((performance.now() - t0) / 1000));
    sessions[0].truncate(pos0[0]);
  }
  // N sessions together
  const tok = () => new Int32Array(k.memory.buffer, k.tokens_ptr(), nSess);
  const rows = () => new Uint32Array(k.memory.buffer, k.rows_ptr(), nSess);
  const together: number[] = [];
  const slotOf = sessions.map((s) => (s as unknown as { slot: number }).slot);
  for (let r = 0; r < 3; r++) {
    const t0 = performance.now();
    for (let i = 0; i < steps; i++) {
      const t = tok(), rw = rows();
      for (let j = 0; j < nSess; j++) t[j] = (i * 13 + j) % v, rw[j] = slotOf[j];
      const rc = k.forward_rows(nSess, Deno.env.get("ALL_LOGITS") === "0" ? Logits.LAST : Logits.ALL);
      if (rc !== 0) throw new Error(`forward_rows ${rc}`);
    }
    together.push((steps * nSess) / ((performance.now() - t0) / 1000));
    sessions.forEach((s, i) => s.truncate(pos0[i]));
  }
  const med = (a: number[]) => a.slice().sort((x, y) => x - y)[a.length >> 1];
  console.log(
    `${model.kernelPath}: 1 session ${med(single).toFixed(2)} tok/s [${single.map((x) => x.toFixed(2))}]; ` +
      `${nSess} sessions together ${med(together).toFixed(2)} tok/s aggregate [${
        together.map((x) => x.toFixed(2))
      }]; ` +
      `ratio ${(med(together) / med(single)).toFixed(2)}x`,
  );
  model.dispose();
} else {
  console.error("usage: attention_bench.ts precision | batch --model DIR [--sessions 4] [--steps 32]");
  Deno.exit(2);
}
