/**
 * Server-Sent Events: `data: <json>\n\n` frames ending with `data: [DONE]`.
 * Pull-based: the next frame is produced only when the client reads, so a
 * slow reader slows generation instead of piling frames up in memory.
 * @module
 */

const enc = new TextEncoder();

/** An SSE comment line (`: text`): clients ignore it; the chat page reads prefill progress from it. */
export class SseComment {
  /**
   * A comment.
   * @param text One line of text.
   */
  constructor(readonly text: string) {}
}

/** One SSE frame: data (a string as is, anything else as JSON), or a comment. */
export function sseFrame(data: unknown): Uint8Array {
  if (data instanceof SseComment) return enc.encode(`: ${data.text}\n\n`);
  return enc.encode(`data: ${typeof data === "string" ? data : JSON.stringify(data)}\n\n`);
}

/**
 * A streaming response of the frames `frames` yields, then `[DONE]`. When the
 * client goes away the generator is returned (its `finally` blocks run) and
 * `onCancel` is called; nothing is logged for it, since a client leaving is
 * not an error. An error mid-stream becomes an error frame (and is logged).
 */
export function sseResponse(
  frames: AsyncGenerator<unknown, void>,
  onCancel: () => void,
  headers: Record<string, string> = {},
): Response {
  let done = false;
  /** Enqueues unless the client has gone (a cancel may land while a frame is being made). */
  const send = (c: ReadableStreamDefaultController<Uint8Array>, bytes: Uint8Array, close = false) => {
    if (done && !close) return;
    try {
      c.enqueue(bytes);
      if (close) c.close();
    } catch {
      done = true; // cancelled meanwhile
    }
  };
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (done) return;
      try {
        const r = await frames.next();
        if (done) return;
        if (r.done) {
          done = true;
          send(controller, sseFrame("[DONE]"), true);
        } else {
          send(controller, sseFrame(r.value));
        }
      } catch (e) {
        if (done) return;
        done = true;
        console.error("stream failed:", e);
        const error = {
          message: "The server had an error while generating.",
          type: "server_error",
          param: null,
          code: null,
        };
        send(controller, sseFrame({ error }), true);
      }
    },
    async cancel() {
      done = true;
      onCancel();
      await frames.return(undefined);
    },
  }, { highWaterMark: 0 });
  return new Response(body, {
    headers: {
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "no-cache",
      "x-accel-buffering": "no",
      ...headers,
    },
  });
}
