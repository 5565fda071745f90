/**
 * Server-Sent Events: `data: <json>\n\n` frames ending with `data: [DONE]`.
 * Pull-based: the next frame is produced only when the client reads, so a
 * slow reader slows generation instead of piling frames up in memory; a
 * client that reads nothing for the write deadline is dropped, so it cannot
 * hold its slot (and every request queued behind it) forever.
 * @module
 */

import { UnavailableError } from "../../engine/errors.ts";

const enc = new TextEncoder();

/** How long a client may go without reading the stream, by default. */
export const STREAM_WRITE_TIMEOUT_MS = 30_000;

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
 * When a frame waits more than `writeTimeoutMs` to be read, the stream is
 * ended as if the client had gone (the connection is closed).
 */
export function sseResponse(
  frames: AsyncGenerator<unknown, void>,
  onCancel: () => void,
  headers: Record<string, string> = {},
  writeTimeoutMs: number = STREAM_WRITE_TIMEOUT_MS,
): Response {
  let done = false;
  let deadline: ReturnType<typeof setTimeout> | undefined;
  const gone = () => {
    if (done) return;
    done = true;
    onCancel();
    frames.return(undefined).catch(() => {});
  };
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
      clearTimeout(deadline);
      if (done) return;
      try {
        const r = await frames.next();
        if (done) return;
        if (r.done) {
          done = true;
          send(controller, sseFrame("[DONE]"), true);
        } else {
          send(controller, sseFrame(r.value));
          // the client must ask for the next frame within the deadline
          deadline = setTimeout(() => {
            gone();
            try {
              controller.error(new Error(`the client read nothing for ${writeTimeoutMs / 1000} s`));
            } catch { /* already closed */ }
          }, writeTimeoutMs);
        }
      } catch (e) {
        if (done) return;
        done = true;
        console.error("stream failed:", e);
        const error = e instanceof UnavailableError
          ? { message: e.message, type: "server_error", param: null, code: "model_unavailable" }
          : { message: "The server had an error while generating.", type: "server_error", param: null, code: null };
        send(controller, sseFrame({ error }), true);
      }
    },
    async cancel() {
      clearTimeout(deadline);
      if (done) return;
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
