/**
 * A completion answered as Server-Sent Events: the first chunk (chat sends
 * the role), a chunk per piece of text, the finish reason, optionally usage,
 * then `[DONE]`.
 * @module
 */

import { finished, finishReason, firstToken, type Run, usage } from "./shapes.ts";
import { SseComment, sseResponse } from "./sse.ts";

/** The streaming response of a run; the slot is released when the stream ends or the client leaves. */
export function stream(run: Run): Response {
  const { r, gen } = run;
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
  async function* next() {
    const pending = gen.next();
    for (;;) {
      const tick = new Promise<undefined>((resolve) => (wake = () => resolve(undefined)));
      const res = await Promise.race([pending, tick]);
      while (progress.length > 0) yield progress.shift()!;
      if (res !== undefined) return res;
    }
  }
  async function* frames() {
    try {
      if (r.format.first) yield chunk(r.format.first());
      let res = yield* next();
      while (!res.done) {
        const p = res.value;
        if (p.id !== undefined) firstToken(run);
        const lp = r.options.logprobs && p.id !== undefined ? r.format.logprobs([p], r.tm) : null;
        if (p.text || lp) yield chunk(r.format.piece(p.text, lp));
        res = yield* next();
      }
      finished(run, res.value);
      yield chunk(r.format.last(finishReason(res.value)));
      if (r.options.includeUsage) yield chunk(null, { usage: usage(res.value, r.truncated) });
    } finally {
      run.stop.abort();
      await gen.return(undefined as never);
      run.lease.release();
    }
  }
  // Cancel may come before the first pull (frames never started): release here too.
  return sseResponse(frames(), () => (run.stop.abort(), run.lease.release()), r.headers);
}
