/**
 * A completion answered as one JSON body: each choice generated to its end,
 * one after another, then the whole response with usage.
 * @module
 */

import type { GeneratedPiece, GenerationSummary } from "../../generate/generate.ts";
import { json } from "./errors.ts";
import { finished, finishReason, firstToken, type Run, usage } from "./shapes.ts";

/** Runs every choice to its end and answers with the whole response. */
export async function collect(run: Run): Promise<Response> {
  const { r } = run;
  try {
    const choices: Record<string, unknown>[] = [];
    const summaries: GenerationSummary[] = [];
    for (let i = 0; i < r.options.n; i++) {
      const gen = await run.choice(i);
      const pieces: GeneratedPiece[] = [];
      let text = "";
      let res = await gen.next();
      while (!res.done) {
        if (res.value.id !== undefined) firstToken(run);
        pieces.push(res.value);
        text += res.value.text;
        res = await gen.next();
      }
      summaries.push(res.value);
      const lp = r.options.logprobs ? r.format.logprobs(pieces.filter((p) => p.id !== undefined), r.tm) : null;
      choices.push(r.format.choice(i, r).whole(text, finishReason(res.value), lp));
      if (res.value.finishReason === "abort") break; // the client left
    }
    finished(run, summaries);
    return json(
      {
        id: run.id,
        object: r.format.object,
        created: run.created,
        model: r.tm.id,
        system_fingerprint: `seed-${summaries[0].seed}`,
        choices,
        usage: usage(summaries, r.truncated),
      },
      200,
      r.headers,
    );
  } finally {
    run.lease.release();
  }
}
