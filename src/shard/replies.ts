/**
 * A shard's answers checked against the call that asked for them, so that a
 * shard answering out of shape (another version of the code, a bug) is a
 * clear error and never wrong tokens: the right number of epochs, hidden
 * values or logits, and candidate rows of the asked count from the rows the
 * shard holds.
 * @module
 */

import { size } from "./part.ts";
import { ShardError, type StepReply, type StepRequest } from "./shard.ts";
import type { Stage } from "./stages.ts";

const bad = (s: Stage, what: string): never => {
  throw new ShardError("bad", `the shard holding ${s.info.holds} answered ${what}`);
};

/** `r`, when it has the shape `req` asks of stage `s` (hidden size `h`). @throws {ShardError} `bad` when not. */
export function checkStep(s: Stage, req: StepRequest, r: StepReply, h: number): StepReply {
  if (r.epochs?.length !== req.sessions.length) {
    bad(s, `${r.epochs?.length} epochs for ${req.sessions.length} sessions`);
  }
  const part = s.info.part, head = size(part.head);
  if (head === 0) {
    const rows = req.tokens?.length ?? (req.hidden?.length ?? 0) / h;
    if (r.hidden?.length !== rows * h) bad(s, `${r.hidden?.length ?? "no"} hidden values for ${rows} rows of ${h}`);
    return r;
  }
  const wanted = req.want.reduce((a, w) => a + (w ? 1 : 0), 0);
  if (r.logits?.length !== wanted * head) bad(s, `${r.logits?.length ?? "no"} logits for ${wanted} rows of ${head}`);
  const k = req.candidates ?? 0, c = r.candidates;
  if (k === 0) return r;
  if (c?.ids.length !== wanted * k) bad(s, `${c?.ids.length ?? "no"} candidates for ${wanted} rows of ${k}`);
  if (c!.rows.length !== c!.ids.length * h) bad(s, `${c!.rows.length} values for ${c!.ids.length} rows of ${h}`);
  for (const id of c!.ids) {
    if (!(id >= part.head[0] && id < part.head[1])) bad(s, `a candidate ${id} outside its rows ${part.head.join("-")}`);
  }
  return r;
}

/** `rows`, when they are `n` embedding rows of `h`. @throws {ShardError} `bad` when not. */
export function checkEmbed(s: Stage, n: number, rows: Float32Array, h: number): Float32Array {
  if (rows.length !== n * h) bad(s, `${rows.length} embedding values for ${n} tokens of ${h}`);
  return rows;
}
