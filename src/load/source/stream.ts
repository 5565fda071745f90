/**
 * Readers over byte streams, shared by the URL, R2 and in-memory sources: a
 * BYOB reader refilling one buffer where the stream allows it, and reopening
 * a broken stream at the current position (skipping what a reopen that
 * cannot range repeats).
 * @module
 */

import { type ByteReader, SourceError } from "./types.ts";

/** How to (re)open a file's byte stream at an offset. `ranged` says whether it really starts there. */
export type Opener = (
  offset: number,
) => Promise<
  {
    body: ReadableStream<Uint8Array>;
    size: number | undefined;
    ranged: boolean;
  }
>;

/** Attempts without progress before a broken stream is given up. */
const RETRIES = 3;

/** Chunks of a body: a BYOB reader refilling one buffer where the stream allows it (no garbage per chunk). */
interface Chunks {
  next(): Promise<Uint8Array | undefined>;
  cancel(): Promise<void>;
}

const CHUNK_BYTES = 1 << 20;

function chunksOf(body: ReadableStream<Uint8Array>): Chunks {
  let byob: ReadableStreamBYOBReader | undefined;
  try {
    byob = body.getReader({ mode: "byob" });
  } catch {
    // not a byte stream: default reader below
  }
  if (byob) {
    const r = byob;
    let buf = new ArrayBuffer(CHUNK_BYTES);
    return {
      async next() {
        const { value, done } = await r.read(new Uint8Array(buf, 0, CHUNK_BYTES));
        if (done || !value) return undefined;
        buf = value.buffer as ArrayBuffer; // the same memory, handed back
        return value;
      },
      cancel: () => r.cancel().catch(() => {}),
    };
  }
  const r = body.getReader();
  return {
    async next() {
      const { value, done } = await r.read();
      return done ? undefined : value;
    },
    cancel: () => r.cancel().catch(() => {}),
  };
}

/**
 * A reader over a stream that reopens it at the current position when it
 * breaks (if the opener can range), skipping bytes a non-ranged reopen repeats.
 */
export async function streamReader(
  open: Opener,
  offset: number,
  where: string,
  resumable: boolean,
  end?: number,
): Promise<ByteReader> {
  let pos = offset; // next file byte the caller gets
  let first = await open(offset);
  let reader = chunksOf(first.body);
  let at = first.ranged ? offset : 0; // file offset of the stream's next byte
  let left: Uint8Array | undefined; // unread part of the last chunk
  let stalled = 0;
  const size = first.size;
  const limit = end !== undefined && size !== undefined ? Math.min(end, size) : end ?? size; // where the stream ends
  const reopen = async (why: unknown) => {
    if (!resumable || ++stalled > RETRIES) {
      throw new SourceError(
        `${where}: the download failed at byte ${pos}: ${(why as Error)?.message ?? why}`,
      );
    }
    await reader.cancel();
    first = await open(pos);
    reader = chunksOf(first.body);
    at = first.ranged ? pos : 0;
    left = undefined;
  };
  return {
    size,
    async read(dest) {
      let got = 0;
      while (got < dest.length) {
        if (!left || left.length === 0) {
          let chunk: Uint8Array | undefined;
          try {
            chunk = await reader.next();
          } catch (e) {
            await reopen(e);
            continue;
          }
          if (chunk === undefined) {
            if (limit !== undefined && pos < limit) {
              await reopen(
                new Error(`the stream ended at byte ${pos} of ${limit}`),
              );
              continue;
            }
            break;
          }
          left = chunk;
          if (at < pos) { // a reopen that could not range repeats earlier bytes
            const skip = Math.min(left.length, pos - at);
            at += skip;
            left = left.subarray(skip);
            continue;
          }
        }
        const n = Math.min(left.length, dest.length - got);
        dest.set(left.subarray(0, n), got);
        left = left.subarray(n);
        got += n;
        pos += n;
        at += n;
        stalled = 0;
      }
      return got;
    },
    close: () => reader.cancel(),
  };
}
