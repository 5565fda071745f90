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
  const asked = tokens.filter((t) => t >= 0);
  await Promise.all(
    slices.map(async (s) => {
      const [e0, e1] = s.info.part.embed;
      const held = asked.filter((t) => t >= e0 && t < e1).length;
      if (held === 0) return; // only the slices holding these tokens are called
      stats.calls++;
      const rows = checkEmbed(s, held, await s.link.embed(asked), h);
      let j = 0;
      tokens.forEach((t, i) => {
        if (t >= e0 && t < e1) x.set(rows.subarray(j * h, ++j * h), i * h);
      });
    }),
  );
  return x;
}
