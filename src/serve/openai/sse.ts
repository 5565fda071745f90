/**
 * Server-Sent Events: `data: <json>\n\n` frames ending with `data: [DONE]`.
 * Pull-based: the next frame is produced only when the client reads, so a
 * slow reader slows generation instead of piling frames up in memory.
 * @module
 */

const enc = new TextEncoder();

/** One SSE frame. */
export function sseFrame(data: unknown): Uint8Array {
  return enc.encode(
    `data: ${typeof data === "string" ? data : JSON.stringify(data)}\n\n`,
  );
}

/**
 * A streaming response of the frames `frames` yields, then `[DONE]`. When the
 * client goes away the generator is returned (its `finally` blocks run) and
 * `onCancel` is called. An error mid-stream becomes an error frame.
 */
export function sseResponse(
  frames: AsyncGenerator<unknown, void>,
  onCancel: () => void,
  headers: Record<string, string> = {},
): Response {
  let done = false;
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (done) return;
      try {
        const r = await frames.next();
        if (r.done) {
          done = true;
          controller.enqueue(sseFrame("[DONE]"));
          controller.close();
        } else {
          controller.enqueue(sseFrame(r.value));
        }
      } catch (e) {
        done = true;
        console.error("stream failed:", e);
        controller.enqueue(
          sseFrame({
            error: {
              message: "The server had an error while generating.",
              type: "server_error",
              param: null,
              code: null,
            },
          }),
        );
        controller.close();
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
