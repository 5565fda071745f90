/**
 * Where a tensor's bytes go while loading: straight into place in wasm
 * memory, or through a window that is refilled and flushed (the int8
 * lm_head, `lm_head_sink.ts`), and the one read loop both loaders use.
 * @module
 */

/** A destination for a tensor's bytes. */
export interface Sink {
  /** The tensor's bytes: the whole tensor, or (with `flush`) a window that is refilled. */
  dest: Uint8Array;
  /** Called with the number of bytes in the window each time it fills, and at the end. */
  flush?: (bytes: number) => void;
  /** Throws unless every byte was flushed (windowed sinks only). */
  done?: () => void;
}

/**
 * Reads `length` bytes into `sink` in views of at most `chunk` bytes, each
 * filled by `read` (which must fill it or throw), flushing a windowed sink
 * each time its window fills and at the end.
 */
export async function readInto(
  length: number,
  sink: Sink,
  chunk: number,
  read: (view: Uint8Array) => Promise<void>,
): Promise<void> {
  const window = sink.dest.length;
  if (!sink.flush && window !== length) throw new Error(`internal: ${window}-byte destination for ${length} bytes`);
  for (let off = 0; off < length;) {
    const at = off % window;
    const n = Math.min(chunk, window - at, length - off);
    await read(sink.dest.subarray(at, at + n));
    off += n;
    if (sink.flush && (at + n === window || off === length)) sink.flush(at + n);
  }
  sink.done?.();
}
