/**
 * Checkpoint files of a local directory.
 * @module
 */

import type { ByteReader, ModelSource } from "./types.ts";
import { SourceError } from "./types.ts";

/** Files of a directory on the local file system (read straight into place). */
export class DirectorySource implements ModelSource {
  readonly location: string;
  /**
   * A source over a local directory.
   * @param dir The checkpoint directory.
   */
  constructor(readonly dir: string) {
    this.location = dir;
  }
  #path(file: string): string {
    return `${this.dir.replace(/\/+$/, "")}/${file}`;
  }
  async text(file: string): Promise<string | undefined> {
    try {
      return await Deno.readTextFile(this.#path(file));
    } catch (e) {
      if (e instanceof Deno.errors.NotFound) return undefined;
      throw new SourceError(
        `cannot read ${this.#path(file)}: ${(e as Error).message}`,
      );
    }
  }
  async open(file: string, offset = 0): Promise<ByteReader> {
    let f: Deno.FsFile;
    try {
      f = await Deno.open(this.#path(file));
    } catch (e) {
      throw new SourceError(
        `cannot open ${this.#path(file)}: ${(e as Error).message}`,
      );
    }
    const info = await f.stat();
    if (!info.isFile) {
      f.close();
      throw new SourceError(
        `cannot read ${this.#path(file)}: it is ${info.isDirectory ? "a directory" : "not a file"}`,
      );
    }
    const size = info.size;
    if (offset) await f.seek(offset, Deno.SeekMode.Start);
    let open = true;
    return {
      size,
      async read(dest) {
        let got = 0;
        while (got < dest.length) {
          const n = await f.read(dest.subarray(got));
          if (n === null) break;
          got += n;
        }
        return got;
      },
      close: () => {
        if (open) f.close();
        open = false;
        return Promise.resolve();
      },
    };
  }
}
