/**
 * Server-Sent Events: `data: <json>\n\n` frames ending with `data: [DONE]`.
 * @module
 */

const enc = new TextEncoder();

/** One SSE frame. */
export function sseFrame(data: unknown): Uint8Array {
  return enc.encode(`data: ${typeof data === "string" ? data : JSON.stringify(data)}\n\n`);
}

/**
 * A streaming response fed by `produce`, which gets a `send` function. When
 * the client goes away, `onCancel` runs (it aborts generation).
 */
export function sseResponse(
  produce: (send: (data: unknown) => void) => Promise<void>,
  onCancel: () => void,
  headers: Record<string, string> = {},
): Response {
  let closed = false;
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      const send = (d: unknown) => {
        if (!closed) controller.enqueue(sseFrame(d));
      };
      produce(send).then(
        () => {
          if (!closed) send("[DONE]"), controller.close();
          closed = true;
        },
        (e) => {
          if (!closed) {
            send({ error: { message: (e as Error).message ?? "generation failed", type: "server_error", param: null, code: null } });
            controller.close();
          }
          closed = true;
        },
      );
    },
    cancel() {
      closed = true;
      onCancel();
    },
  });
  return new Response(body, {
    headers: { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-cache", "x-accel-buffering": "no", ...headers },
  });
}
