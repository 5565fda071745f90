/**
 * Child processes of the benches: what a started server or shard says
 * before it is ready.
 * @module
 */

/**
 * Reads a child's output (`child.stdout` or `child.stderr`) until
 * `ready(text so far)` holds, and returns that text; the stream's lock is
 * released after. @throws {Error} naming `who` when the output ends first.
 */
export async function readUntil(
  output: ReadableStream<Uint8Array>,
  ready: (text: string) => boolean,
  who: string,
): Promise<string> {
  const reader = output.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  try {
    while (!ready(text)) {
      const { value, done } = await reader.read();
      if (done) throw new Error(`${who} exited before it was ready${text ? `:\n${text}` : ""}`);
      text += value;
    }
    return text;
  } finally {
    reader.releaseLock();
  }
}
