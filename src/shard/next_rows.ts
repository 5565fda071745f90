/**
 * The embedding rows of each session's likely next tokens, as the lm_head
 * slices sent them back with the last logits (`StepRequest.candidates`), so
 * that a decoded token whose id is among them needs no embedding call. A
 * row is its token's embedding whatever came before it, so using one is
 * exact; each session's are kept only until its next step takes them.
 * @module
 */

import type { Candidates } from "./shard.ts";

/** One lm_head slice's logits of a chunk's wanted rows (from row h0 of the vocabulary), and its candidates. */
export interface HeadRows {
  h0: number;
  rows: number;
  data: Float32Array;
  candidates?: Candidates;
}

/** Candidate rows by session: one step's at most. */
export class NextRows {
  readonly #bySession = new Map<string, Map<number, Float32Array>>();

  /** Keeps (copies) the candidates of wanted row `j` from every slice, for `session`'s next step. */
  keep(session: string, slices: readonly HeadRows[], j: number, hidden: number): void {
    const rows = new Map<number, Float32Array>();
    for (const s of slices) {
      const c = s.candidates;
      if (!c) continue;
      const k = c.ids.length / (s.data.length / s.rows); // candidates per wanted row
      for (let i = j * k; i < (j + 1) * k; i++) rows.set(c.ids[i], c.rows.slice(i * hidden, (i + 1) * hidden));
    }
    if (rows.size) this.#bySession.set(session, rows);
    else this.#bySession.delete(session);
  }

  /** The rows kept for these sessions, together; they are no longer kept. */
  take(sessions: readonly string[]): Map<number, Float32Array> {
    const out = new Map<number, Float32Array>();
    for (const id of sessions) {
      for (const [t, row] of this.#bySession.get(id) ?? []) out.set(t, row);
      this.#bySession.delete(id);
    }
    return out;
  }

  /** Drops what is kept for a session. */
  forget(session: string): void {
    this.#bySession.delete(session);
  }
}
