/**
 * One safetensors file read as a stream: the header is parsed off its first
 * bytes, then tensor bytes go straight to their destinations in order, the
 * gaps skipped, every byte optionally hashed (sha256) on the way.
 * @module
 */

import { createHash, type Hash } from "node:crypto";
import { headerLength, parseHeader, type SafetensorsHeader } from "./safetensors.ts";
import { type ByteReader, type ModelSource, readExactly, SourceError } from "./source/mod.ts";
import { readInto, type Sink } from "./sink.ts";

/** A safetensors file whose header has been read; the reader stands at the data section. */
export interface OpenTensorFile {
  /** File name within the checkpoint. */
  file: string;
  /** The checked header. */
  header: SafetensorsHeader;
  /** Positioned right after the header. */
  reader: ByteReader;
  /** File offset of the reader. */
  pos: number;
  /** Running sha256 when one is expected. */
  hash?: Hash;
  /** The expected sha256 (lowercase hex). */
  sha256?: string;
  /** This shard's own buffer for skipped and trailing bytes (never shared: loads may run at once). */
  scratch: Uint8Array;
}

/** A sha256 of a checkpoint file that does not match. */
export class IntegrityError extends Error {
  /** Always `"IntegrityError"`. */
  override name = "IntegrityError";
}

/**
 * Opens `file` and reads and checks its header. Sizes are checked against the
 * file's size when the source knows it. `headerOnly`: read just the header,
 * as two bounded ranges (a shard reads its tensors' ranges afterwards; an
 * open-ended read of a remote file would start sending all of it); the
 * reader returned is then closed.
 */
export async function openTensorFile(
  src: ModelSource,
  file: string,
  sha256?: string,
  headerOnly = false,
): Promise<OpenTensorFile> {
  if (headerOnly) return await readHeaderOnly(src, file);
  const reader = await src.open(file, 0);
  try {
    const size = reader.size ?? Number.MAX_SAFE_INTEGER;
    const first8 = new Uint8Array(8);
    const got = await reader.read(first8);
    const n = headerLength(
      first8.subarray(0, got),
      reader.size ?? (got < 8 ? got : size),
      file,
    );
    const json = new Uint8Array(n);
    await readExactly(reader, json, file, "the header");
    const header = parseHeader(json, size, file);
    const hash = sha256 ? createHash("sha256").update(first8).update(json) : undefined;
    return {
      file,
      header,
      reader,
      pos: 8 + n,
      scratch: new Uint8Array(1 << 16),
      ...(hash ? { hash, sha256: sha256!.toLowerCase() } : {}),
    };
  } catch (e) {
    await reader.close();
    throw e;
  }
}

async function readHeaderOnly(src: ModelSource, file: string): Promise<OpenTensorFile> {
  const first8 = new Uint8Array(8);
  let size: number | undefined, got: number;
  const r8 = await src.open(file, 0, 8);
  try {
    size = r8.size;
    got = await r8.read(first8);
  } finally {
    await r8.close();
  }
  const n = headerLength(first8.subarray(0, got), size ?? got, file);
  const json = new Uint8Array(n);
  const rj = await src.open(file, 8, 8 + n);
  try {
    await readExactly(rj, json, file, "the header");
  } finally {
    await rj.close();
  }
  const header = parseHeader(json, size ?? Number.MAX_SAFE_INTEGER, file);
  const closed = { size, read: () => Promise.resolve(0), close: () => Promise.resolve() };
  return { file, header, reader: closed, pos: 8 + n, scratch: new Uint8Array(1 << 16) };
}

/** A tensor's file range and where its bytes go. */
export interface Region {
  /** Tensor name, for messages. */
  name: string;
  /** First byte in the file. */
  start: number;
  /** The tensor's size in bytes. */
  length: number;
  /** Where the bytes go: straight into place, or through a window (see `sink.ts`). */
  sink: Sink;
}

async function skipTo(
  s: OpenTensorFile,
  target: number,
  what: string,
  onBytes: (n: number) => void,
): Promise<void> {
  while (s.pos < target) {
    const view = s.scratch.subarray(0, Math.min(s.scratch.length, target - s.pos));
    const n = await s.reader.read(view);
    s.hash?.update(view.subarray(0, n));
    s.pos += n;
    onBytes(n);
    if (n < view.length) {
      throw new SourceError(
        `${s.file}: the file ended before ${what} (truncated)`,
      );
    }
  }
}

/** Streams the regions (sorted by start) into their destinations. */
export async function fillRegions(
  s: OpenTensorFile,
  regions: Region[],
  onBytes: (n: number) => void,
): Promise<void> {
  const CHUNK = 4 << 20; // progress and hashing granularity
  for (const r of regions) {
    await skipTo(s, r.start, `tensor "${r.name}"`, onBytes);
    await readInto(r.length, r.sink, CHUNK, async (view) => {
      let n: number;
      try {
        n = await s.reader.read(view);
      } catch (e) {
        if (e instanceof SourceError) {
          throw new SourceError(
            `${e.message} (while reading tensor "${r.name}")`,
          );
        }
        throw e;
      }
      s.hash?.update(view.subarray(0, n));
      s.pos += n;
      onBytes(n);
      if (n < view.length) {
        throw new SourceError(
          `${s.file}: the file ended while reading tensor "${r.name}" (truncated)`,
        );
      }
    });
  }
}

/** Reads what is left (for the hash), checks the sha256, and closes the reader. */
export async function finishTensorFile(
  s: OpenTensorFile,
  onBytes: (n: number) => void,
): Promise<void> {
  try {
    if (s.hash) {
      for (;;) {
        const n = await s.reader.read(s.scratch);
        if (n === 0) break;
        s.hash.update(s.scratch.subarray(0, n));
        s.pos += n;
        onBytes(n);
        if (n < s.scratch.length) break;
      }
      const got = s.hash.digest("hex");
      if (got !== s.sha256) {
        throw new IntegrityError(
          `${s.file}: sha256 is ${got}, expected ${s.sha256}; the file is corrupt or not the one expected`,
        );
      }
    }
  } finally {
    await s.reader.close();
  }
}
