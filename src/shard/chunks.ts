/**
 * A call's rows cut into micro-batches for the pipeline: at most a block of
 * rows each, each session's rows consecutive, the last row of each entry
 * wanted (its logits are the call's answer for it).
 * @module
 */

import type { StepSession } from "./shard.ts";

/** One chunk of rows: at most a block, the rows of each session consecutive. */
export interface Chunk {
  sessions: StepSession[];
  tokens: Int32Array;
  want: Uint8Array;
  /** For each wanted row: the entry whose logits it gives. */
  wantedBy: number[];
}

/** The chunks of a call: rows in entry order, at most `block` each, the last row of each entry wanted. */
export function chunksOf(entries: { id: string; pos: number; ids: number[] }[], block: number): Chunk[] {
  const rows: { e: number; id: number; last: boolean }[] = [];
  entries.forEach(({ ids }, e) => ids.forEach((id, i) => rows.push({ e, id, last: i === ids.length - 1 })));
  const done = entries.map(() => 0);
  const chunks: Chunk[] = [];
  for (let i = 0; i < rows.length; i += block) {
    const part = rows.slice(i, i + block);
    const sessions: StepSession[] = [];
    for (const r of part) {
      const s = sessions.at(-1);
      if (s && s.id === entries[r.e].id) s.rows++;
      else sessions.push({ id: entries[r.e].id, pos: entries[r.e].pos + done[r.e], rows: 1 });
      done[r.e]++;
    }
    chunks.push({
      sessions,
      tokens: Int32Array.from(part, (r) => r.id),
      want: Uint8Array.from(part, (r) => (r.last ? 1 : 0)),
      wantedBy: part.filter((r) => r.last).map((r) => r.e),
    });
  }
  return chunks;
}
