/**
 * Helpers for holding the engine to a fixture's reference.json with the
 * tolerances of falcon-e.md.
 * @module
 */

import { argmax } from "../src/engine/argmax.ts";
import type { Model, Session } from "../src/engine/model.ts";

/** One reference run: prompt ids, last-position logits, per-position argmax, greedy continuation. */
export interface ReferenceRun {
  ids: number[];
  last_logits: number[];
  all_argmax: number[];
  greedy_24: number[];
}

/** Reads a fixture's reference.json. */
export async function readReference(
  dir: string,
): Promise<{ runs: ReferenceRun[] }> {
  return JSON.parse(await Deno.readTextFile(`${dir}/reference.json`));
}

/** Largest |a_i - b_i|. */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

/** Both models fed the same prompt: at each position, whether their logits
 * pick the same top-1 token, and the largest |difference| between them. */
export function comparePositions(a: Model, b: Model, ids: number[]): { sameTop1: boolean; maxDiff: number }[] {
  using sa = a.createSession();
  using sb = b.createSession();
  const la = sa.feed(ids, { allLogits: true }), lb = sb.feed(ids, { allLogits: true });
  const v = a.config.vocabSize;
  return ids.map((_, t) => {
    const ra = la.subarray(t * v, (t + 1) * v), rb = lb.subarray(t * v, (t + 1) * v);
    return { sameTop1: argmax(ra) === argmax(rb), maxDiff: maxAbsDiff(ra, rb) };
  });
}

/** Greedy continuation of `n` tokens from logits already computed for the prompt. */
export function greedy(
  session: Session,
  logits: Float32Array,
  n: number,
): number[] {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const next = argmax(logits);
    out.push(next);
    if (i + 1 < n) logits = session.feed([next]);
  }
  return out;
}

/** Fixture paths, relative to this file. */
export const TINY = new URL("./fixtures/tiny-falcon-e", import.meta.url).pathname;
export const WIDE = new URL("./fixtures/wide-falcon-e", import.meta.url).pathname;
/** One layer, explicit head_dim 32: query width 256 differs from hidden 384. */
export const ODD = new URL("./fixtures/odd-falcon-e", import.meta.url).pathname;
