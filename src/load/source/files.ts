/**
 * Checkpoint files handed over directly: texts, bytes, a Response, a
 * one-shot stream, or a function opening one.
 * @module
 */

import { type Opener, streamReader } from "./stream.ts";
import { type ByteReader, type ModelSource, SourceError } from "./types.ts";

/** A file given directly: text, bytes, a Response, a stream, or a function opening one. */
export type FileInput =
  | string
  | Uint8Array
  | Response
  | ReadableStream<Uint8Array>
  | (() => Promise<Response | ReadableStream<Uint8Array>>);

/**
 * Files handed over directly, e.g. `{ "config.json": text, "model.safetensors": response }`.
 * A stream or Response can be read once; a function is called for each (re)open.
 */
export class FilesSource implements ModelSource {
  readonly location = "files";
  /**
   * A source over files given by name.
   * @param files File name -> contents, Response, stream or opener.
   */
  constructor(readonly files: Record<string, FileInput>) {}
  async text(file: string): Promise<string | undefined> {
    const f = this.files[file];
    if (f === undefined) return undefined;
    if (typeof f === "string") return f;
    if (f instanceof Uint8Array) return new TextDecoder().decode(f);
    const s = await this.#stream(f);
    return await new Response(s.body).text();
  }
  async #stream(
    f: Exclude<FileInput, string | Uint8Array>,
  ): Promise<{ body: ReadableStream<Uint8Array>; size: number | undefined }> {
    const v = typeof f === "function" ? await f() : f;
    if (v instanceof Response) {
      if (!v.ok || !v.body) {
        throw new SourceError(`a file Response has HTTP ${v.status}`);
      }
      if (v.bodyUsed) throw new SourceError("a file Response was already read");
      const len = v.headers.get("content-length");
      return { body: v.body, size: len ? Number(len) : undefined };
    }
    if (v.locked) throw new SourceError("a file stream was already read");
    return { body: v, size: undefined };
  }
  open(file: string, offset = 0): Promise<ByteReader> {
    const f = this.files[file];
    if (f === undefined) {
      return Promise.reject(new SourceError(`no file ${file} was given`));
    }
    const bytes = typeof f === "string" ? new TextEncoder().encode(f) : f instanceof Uint8Array ? f : undefined;
    const opener: Opener = async (at) => {
      if (bytes) {
        const body = new ReadableStream<Uint8Array>({
          start(c) {
            c.enqueue(bytes.subarray(at)); // a view, not a copy
            c.close();
          },
        });
        return { body, size: bytes.length, ranged: true };
      }
      const s = await this.#stream(
        f as Exclude<FileInput, string | Uint8Array>,
      );
      return { ...s, ranged: false };
    };
    return streamReader(
      opener,
      offset,
      file,
      typeof f === "function" || bytes !== undefined,
    );
  }
}
