/**
 * Checkpoint files under an `http(s):` URL base: Range requests, resume after
 * a dropped connection, servers that ignore Range, HTML error pages refused.
 * @module
 */

import { type Opener, streamReader } from "./stream.ts";
import { type ByteReader, type ModelSource, SourceError } from "./types.ts";

/** Files under a URL base (`<base>/config.json`, ...), read with `fetch` (redirects followed). */
export class UrlSource implements ModelSource {
  readonly location: string;
  readonly #fetch: typeof fetch;
  /**
   * A source over `<base>/<file>` URLs.
   * @param base The URL base (a trailing slash is added if missing).
   * @param fetchImpl fetch to use (default the global one).
   */
  constructor(readonly base: URL, fetchImpl?: typeof fetch) {
    this.location = base.href;
    // Workers need fetch called with globalThis as `this`.
    this.#fetch = fetchImpl ?? ((input, init) => fetch(input, init));
  }
  #url(file: string): URL {
    const b = this.base.href.endsWith("/") ? this.base : new URL(this.base.href + "/");
    return new URL(file, b);
  }
  async #get(file: string, headers?: HeadersInit): Promise<Response> {
    try {
      return await this.#fetch(this.#url(file), { headers });
    } catch (e) {
      throw new SourceError(
        `cannot fetch ${this.#url(file)}: ${(e as Error).message}`,
      );
    }
  }
  async text(file: string): Promise<string | undefined> {
    const res = await this.#get(file);
    if (res.status === 404) {
      await res.body?.cancel();
      return undefined;
    }
    if (!res.ok) {
      await res.body?.cancel();
      throw new SourceError(
        `cannot fetch ${this.#url(file)}: HTTP ${res.status}`,
      );
    }
    return await res.text();
  }
  open(file: string, offset = 0, end?: number): Promise<ByteReader> {
    const where = this.#url(file).href;
    const opener: Opener = async (at) => {
      const res = await this.#get(
        file,
        at > 0 || end !== undefined ? { range: `bytes=${at}-${end !== undefined ? end - 1 : ""}` } : undefined,
      );
      if (!res.ok || !res.body) {
        await res.body?.cancel();
        throw new SourceError(`cannot fetch ${where}: HTTP ${res.status}`);
      }
      if ((res.headers.get("content-type") ?? "").startsWith("text/html")) {
        await res.body.cancel();
        throw new SourceError(
          `${where}: the server sent an HTML page, not the file (a login or error page?)`,
        );
      }
      const ranged = res.status === 206;
      const total = ranged
        ? res.headers.get("content-range")?.match(/\/(\d+)\s*$/)?.[1]
        : res.headers.get("content-length");
      return {
        body: res.body,
        size: total ? Number(total) : undefined,
        ranged,
      };
    };
    return streamReader(opener, offset, where, true, end);
  }
}
