/**
 * A completion answered as Server-Sent Events: for each choice in turn, its
 * first chunk (chat sends the role), a chunk per piece of text or tool call,
 * and its finish reason; then optionally usage, then `[DONE]`.
 * @module
 */

import type { GeneratedPiece, GenerationSummary } from "../../generate/generate.ts";
import { finished, finishReason, firstToken, type Run, usage } from "./shapes.ts";
import { SseComment, sseResponse } from "./sse.ts";

/** The streaming response of a run; the slot is released when the stream ends or the client leaves. */
export function stream(run: Run): Response {
  const { r } = run;
  const chunk = (choice: Record<string, unknown> | null, extra: Record<string, unknown> = {}) => ({
    id: run.id,
    object: r.format.chunkObject,
    created: run.created,
    model: r.tm.id,
    choices: choice ? [choice] : [],
    ...extra,
  });
  // prefill progress, as SSE comments between the frames (`: prompt_progress {"done":n,"total":m}`)
  const progress: SseComment[] = [];
  let wake: (() => void) | undefined;
  run.progress = (done, total) => {
    progress.push(new SseComment(`prompt_progress ${JSON.stringify({ done, total })}`));
    wake?.();
  };
  /** The generator's next result, with any progress comments that come first. */
  async function* next(gen: AsyncGenerator<GeneratedPiece, GenerationSummary>) {
    const pending = gen.next();
    for (;;) {
      const tick = new Promise<undefined>((resolve) => (wake = () => resolve(undefined)));
      const res = await Promise.race([pending, tick]);
      while (progress.length > 0) yield progress.shift()!;
      if (res !== undefined) return res;
    }
  }
  let current: AsyncGenerator<GeneratedPiece, GenerationSummary> | undefined;
  async function* frames() {
    const summaries: GenerationSummary[] = [];
    let reported = false, failed = false, tokens = 0; // tokens: the choice under way's so far
    try {
      for (let i = 0; i < r.options.n; i++) {
        const shape = r.format.choice(i, r);
        const gen = current = await run.choice(i);
        tokens = 0;
        if (shape.first) yield chunk(shape.first());
        let res = yield* next(gen);
        while (!res.done) {
          const p = res.value;
          if (p.id !== undefined) firstToken(run), tokens++;
          const lp = r.options.logprobs && p.id !== undefined ? r.format.logprobs([p], r.tm) : null;
          for (const c of shape.piece(p.text, lp)) yield chunk(c);
          res = yield* next(gen);
        }
        summaries.push(res.value);
        current = undefined;
        for (const c of shape.last(finishReason(res.value))) yield chunk(c);
        if (res.value.finishReason === "abort") break;
      }
      reported = true;
      finished(run, summaries);
      if (r.options.includeUsage) yield chunk(null, { usage: usage(summaries, r.truncated) });
    } catch (e) {
      failed = true;
      throw e;
    } finally {
      if (!reported && current) { // the client left, a write timed out, or the generation failed, mid-answer
        const soFar = {
          finishReason: "abort",
          promptTokens: r.prompt.length,
          completionTokens: tokens,
          cachedTokens: summaries[0]?.cachedTokens ?? run.lease.session.reused,
          seed: summaries[0]?.seed ?? 0,
        } as const;
        finished(run, [...summaries, soFar], failed ? "error" : "abort");
      } else if (!reported && summaries.length > 0) finished(run, summaries); // it left after the last token
      run.stop.abort();
      await current?.return(undefined as never);
      run.lease.release();
    }
  }
  // Cancel may come before the first pull (frames never started): release here too.
  return sseResponse(frames(), () => (run.stop.abort(), run.lease.release()), r.headers, r.writeTimeoutMs);
}
