/**
 * A completion answered as one JSON body: every piece collected, then the
 * whole choice with usage.
 * @module
 */

import type { GeneratedPiece } from "../../generate/generate.ts";
import { json } from "./errors.ts";
import { finished, finishReason, firstToken, type Run, usage } from "./shapes.ts";

/** Runs the generation to its end and answers with the whole response. */
export async function collect(run: Run): Promise<Response> {
  const { r, gen } = run;
  try {
    const pieces: GeneratedPiece[] = [];
    let text = "";
    let res = await gen.next();
    while (!res.done) {
      if (res.value.id !== undefined) firstToken(run);
      pieces.push(res.value);
      text += res.value.text;
      res = await gen.next();
    }
    finished(run, res.value);
    const lp = r.options.logprobs ? r.format.logprobs(pieces.filter((p) => p.id !== undefined), r.tm) : null;
    return json(
      {
        id: run.id,
        object: r.format.object,
        created: run.created,
        model: r.tm.id,
        system_fingerprint: `seed-${res.value.seed}`,
        choices: [r.format.whole(text, finishReason(res.value), lp)],
        usage: usage(res.value, r.truncated),
      },
      200,
      r.headers,
    );
  } finally {
    run.lease.release();
  }
}
