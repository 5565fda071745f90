/**
 * What every checkpoint source implements: a sequential byte reader per
 * file that fills caller-given views (the final places in wasm memory), so
 * weight bytes are copied at most once and never held twice.
 * @module
 */

export class SourceError extends Error {
  /** Always `"SourceError"`. */
  override name = "SourceError";
}

/** A sequential reader over one file from some offset on. */
export interface ByteReader {
  /** The file's total size, when the source knows it. */
  readonly size: number | undefined;
  /** Fills `dest` from the current position; returns bytes read (< dest.length only at end of file). */
  read(dest: Uint8Array): Promise<number>;
  /** Releases the connection or file handle. */
  close(): Promise<void>;
}

/** Reads the files of one checkpoint. */
export interface ModelSource {
  /** Human-readable location, for messages. */
  readonly location: string;
  /** A whole (small) file as text, or undefined if the file does not exist. */
  text(file: string): Promise<string | undefined>;
  /**
   * A reader over `file` starting at byte `offset`. With `end`, the caller
   * reads no byte at or past it, and a remote source asks for that range
   * only (a shard reads a few ranges of a large file).
   */
  open(file: string, offset?: number, end?: number): Promise<ByteReader>;
}

/** Reads until `dest` is full; fails naming `what` if the file ends first. */
export async function readExactly(
  r: ByteReader,
  dest: Uint8Array,
  file: string,
  what: string,
): Promise<void> {
  const n = await r.read(dest);
  if (n < dest.length) {
    throw new SourceError(
      `${file}: the file ended while reading ${what} (truncated)`,
    );
  }
}
