/**
 * The first stage's input when the layers start from hidden rows: each
 * token's embedding row, from the rows that came with the last step's logits
 * where they have it, else from the embedding slices that hold it.
 * @module
 */

import { checkEmbed } from "./replies.ts";
import type { Stage } from "./stages.ts";

/**
 * x = embed(tokens): the rows `known` has (candidates of the last step), the
 * rest from the embedding slices that hold them, in parallel; counts the
 * calls and the rows taken from `known` in `stats`.
 */
export async function embedRows(
  slices: readonly Stage[],
  all: Int32Array,
  known: Map<number, Float32Array>,
  h: number,
  stats: { calls: number; rowsFromCandidates: number },
): Promise<Float32Array> {
  const x = new Float32Array(all.length * h);
  all.forEach((t, i) => {
    const row = known.get(t);
    if (row) x.set(row, i * h), stats.rowsFromCandidates++;
  });
  const tokens = all.map((t) => (known.has(t) ? -1 : t)); // -1: no slice holds it
  const held = (s: Stage) => tokens.filter((t) => t >= s.info.part.embed[0] && t < s.info.part.embed[1]).length;
  await Promise.all(
    slices.filter((s) => held(s) > 0).map(async (s) => { // only the slices holding these tokens
      stats.calls++;
      const rows = checkEmbed(s, held(s), await s.link.embed(tokens.filter((t) => t >= 0)), h);
      const [e0, e1] = s.info.part.embed;
      let j = 0;
      tokens.forEach((t, i) => {
        if (t >= e0 && t < e1) x.set(rows.subarray(j * h, ++j * h), i * h);
      });
    }),
  );
  return x;
}
