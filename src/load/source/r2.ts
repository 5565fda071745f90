/**
 * Checkpoint files stored as objects of an R2-style bucket (`get(key, {range})`).
 * @module
 */

import { type Opener, streamReader } from "./stream.ts";
import { type ByteReader, type ModelSource, SourceError } from "./types.ts";

/** The part of an R2 object this source uses. */
export interface R2ObjectLike {
  /** The object's bytes (from the requested offset). */
  body: ReadableStream<Uint8Array>;
  /** The whole object's size. */
  size: number;
  /** The body as text. */
  text(): Promise<string>;
}

/** The part of an R2 bucket binding this source uses (`env.MODEL_BUCKET`). */
export interface R2BucketLike {
  /** The object at `key`, from `range.offset` on (`range.length` bytes, if given), or null when absent. */
  get(
    key: string,
    options?: { range?: { offset: number; length?: number } },
  ): Promise<R2ObjectLike | null>;
}

/** Files stored as objects `<prefix><file>` in an R2-style bucket. */
export class R2Source implements ModelSource {
  readonly location: string;
  /**
   * A source over objects `<prefix><file>` of a bucket.
   * @param bucket The R2 binding (or anything with its `get`).
   * @param prefix Key prefix, e.g. `"Falcon-E-1B-Instruct/"`.
   */
  constructor(readonly bucket: R2BucketLike, readonly prefix = "") {
    this.location = `r2:${prefix}`;
  }
  async text(file: string): Promise<string | undefined> {
    const o = await this.bucket.get(this.prefix + file);
    return o ? await o.text() : undefined;
  }
  open(file: string, offset = 0, end?: number): Promise<ByteReader> {
    const key = this.prefix + file;
    const opener: Opener = async (at) => {
      const range = end !== undefined ? { offset: at, length: end - at } : at > 0 ? { offset: at } : undefined;
      const o = await this.bucket.get(key, range ? { range } : undefined);
      if (!o) throw new SourceError(`r2:${key}: no such object`);
      return { body: o.body, size: o.size, ranged: true };
    };
    return streamReader(opener, offset, `r2:${key}`, true, end);
  }
}
