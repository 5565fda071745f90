/**
 * One streamed, greedy chat completion against an OpenAI-compatible server
 * (`ignore_eos`, so it runs to `max_tokens`), timed as its tokens arrive:
 * what the benches of a served model measure.
 * @module
 */

/** When a streamed completion started, got its first and last content token, and how many it got. */
export interface StreamTiming {
  /** `performance.now()` before the request. */
  start: number;
  /** When the first non-empty content delta arrived. */
  first: number;
  /** When the last one did. */
  last: number;
  /** Non-empty content deltas (one per generated token). */
  tokens: number;
}

/**
 * Streams `maxTokens` greedy tokens for one user message and times them.
 * @throws {Error} for an HTTP error or an error event in the stream.
 */
export async function streamChat(base: string, content: string, maxTokens: number): Promise<StreamTiming> {
  const start = performance.now();
  const res = await fetch(`${base}/v1/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      model: "m",
      messages: [{ role: "user", content }],
      max_tokens: maxTokens,
      ignore_eos: true,
      temperature: 0,
      stream: true,
    }),
  });
  if (!res.ok) throw new Error(`${res.status} ${await res.text()}`);
  let first = 0, last = 0, tokens = 0, buf = "";
  for await (const text of res.body!.pipeThrough(new TextDecoderStream())) {
    buf += text;
    let end;
    while ((end = buf.indexOf("\n\n")) >= 0) { // an event may arrive in pieces
      const frame = buf.slice(0, end);
      buf = buf.slice(end + 2);
      if (!frame.startsWith("data: {")) continue;
      const d = JSON.parse(frame.slice(6));
      if (d.error) throw new Error(JSON.stringify(d.error));
      if (d.choices?.[0]?.delta?.content) {
        tokens++;
        last = performance.now();
        if (!first) first = last;
      }
    }
  }
  return { start, first, last, tokens };
}
