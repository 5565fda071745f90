/**
 * Where checkpoint files come from: a local directory or a URL base. A source
 * reads small files whole, byte ranges for headers, and scatters a file's
 * tensor bytes straight into their destinations (wasm memory views), so the
 * model never exists twice.
 * @module
 */

/** A byte range of a file and the view it must land in. */
export interface Region {
  /** Tensor name, for messages. */
  name: string;
  /** First byte in the file. */
  start: number;
  /** The destination; its length is the range's length. */
  dest: Uint8Array;
}

/** Reads the files of one checkpoint. */
export interface ModelSource {
  /** Human-readable location, for messages. */
  readonly location: string;
  /** A whole file as text, or undefined if the file does not exist. */
  text(file: string): Promise<string | undefined>;
  /** Bytes [start, min(end, size)) of a file, and the file's total size. */
  range(file: string, start: number, end: number): Promise<{ bytes: Uint8Array; size: number }>;
  /** Copies each region (sorted by start, non-overlapping) into its destination. */
  scatter(file: string, regions: Region[]): Promise<void>;
}

/** A checkpoint file that could not be read; names the file. */
export class SourceError extends Error {
  override name = "SourceError";
}

/** Files of a directory on the local file system. */
export class DirectorySource implements ModelSource {
  readonly location: string;
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
      throw new SourceError(`cannot read ${this.#path(file)}: ${(e as Error).message}`);
    }
  }
  async #open(file: string): Promise<Deno.FsFile> {
    try {
      return await Deno.open(this.#path(file));
    } catch (e) {
      throw new SourceError(`cannot open ${this.#path(file)}: ${(e as Error).message}`);
    }
  }
  async range(file: string, start: number, end: number): Promise<{ bytes: Uint8Array; size: number }> {
    using f = await this.#open(file);
    const size = (await f.stat()).size;
    const bytes = new Uint8Array(Math.max(0, Math.min(end, size) - start));
    await f.seek(start, Deno.SeekMode.Start);
    await readFull(f, bytes, file, "header");
    return { bytes, size };
  }
  async scatter(file: string, regions: Region[]): Promise<void> {
    using f = await this.#open(file);
    for (const r of regions) {
      await f.seek(r.start, Deno.SeekMode.Start);
      await readFull(f, r.dest, file, r.name); // straight into wasm memory
    }
  }
}

async function readFull(f: Deno.FsFile, dest: Uint8Array, file: string, what: string): Promise<void> {
  let got = 0;
  while (got < dest.length) {
    const n = await f.read(dest.subarray(got));
    if (n === null) throw new SourceError(`${file}: file ended while reading ${what} (truncated)`);
    got += n;
  }
}

/** Files under a URL base (`<base>/config.json`, ...), read with `fetch`. */
export class UrlSource implements ModelSource {
  readonly location: string;
  readonly #fetch: typeof fetch;
  constructor(readonly base: URL, fetchImpl: typeof fetch = fetch) {
    this.location = base.href;
    this.#fetch = fetchImpl;
  }
  #url(file: string): URL {
    const b = this.base.href.endsWith("/") ? this.base : new URL(this.base.href + "/");
    return new URL(file, b);
  }
  async #get(file: string, headers?: HeadersInit): Promise<Response> {
    try {
      return await this.#fetch(this.#url(file), { headers });
    } catch (e) {
      throw new SourceError(`cannot fetch ${this.#url(file)}: ${(e as Error).message}`);
    }
  }
  async #ok(file: string, headers?: HeadersInit): Promise<Response & { body: ReadableStream<Uint8Array> }> {
    const res = await this.#get(file, headers);
    if (!res.ok || !res.body) {
      await res.body?.cancel();
      throw new SourceError(`cannot fetch ${this.#url(file)}: HTTP ${res.status}`);
    }
    return res as Response & { body: ReadableStream<Uint8Array> };
  }
  async text(file: string): Promise<string | undefined> {
    const res = await this.#get(file);
    if (res.status === 404) {
      await res.body?.cancel();
      return undefined;
    }
    if (!res.ok) {
      await res.body?.cancel();
      throw new SourceError(`cannot fetch ${this.#url(file)}: HTTP ${res.status}`);
    }
    return await res.text();
  }
  async range(file: string, start: number, end: number): Promise<{ bytes: Uint8Array; size: number }> {
    const res = await this.#ok(file, { range: `bytes=${start}-${end - 1}` });
    const total = res.headers.get("content-range")?.match(/\/(\d+)\s*$/);
    const len = res.headers.get("content-length");
    const size = res.status === 206 ? Number(total?.[1]) : Number(len ?? NaN);
    if (!Number.isFinite(size)) {
      await res.body.cancel();
      throw new SourceError(`${this.#url(file)}: the server sent no file size (Content-Range or Content-Length)`);
    }
    const bytes = new Uint8Array(Math.max(0, Math.min(end, size) - start));
    const at = res.status === 206 ? start : 0; // a server that ignores Range sends from byte 0
    const cur: Cursor = { i: 0, pos: start };
    const regions = [{ name: "header", start, dest: bytes }];
    skipEmpty(regions, cur);
    try {
      await copyStream(res.body, at, regions, cur);
    } catch (e) {
      throw new SourceError(`${this.#url(file).href}: the download failed: ${(e as Error).message}`);
    }
    if (cur.i < 1) throw new SourceError(`${this.#url(file).href}: the download ended early (truncated)`);
    return { bytes, size };
  }
  async scatter(file: string, regions: Region[]): Promise<void> {
    const where = this.#url(file).href;
    const cur: Cursor = { i: 0, pos: regions[0]?.start ?? 0 };
    skipEmpty(regions, cur);
    let stalled = 0;
    while (cur.i < regions.length) {
      const from = cur.pos;
      const res = await this.#ok(file, { range: `bytes=${from}-` });
      try {
        // A server that ignores Range sends the whole file from byte 0.
        await copyStream(res.body, res.status === 206 ? from : 0, regions, cur);
      } catch (e) {
        if (e instanceof SourceError) throw e;
        if (cur.pos === from && ++stalled >= RETRIES) {
          throw new SourceError(`${where}: the download failed while reading ${regions[cur.i].name}: ${(e as Error).message}`);
        }
        if (cur.pos !== from) stalled = 0;
        continue; // resume with a Range request from the first missing byte
      }
      if (cur.i < regions.length) {
        if (cur.pos === from || ++stalled >= RETRIES) {
          throw new SourceError(`${where}: the download ended while reading ${regions[cur.i].name} (truncated)`);
        }
      }
    }
  }
}

/** Attempts without progress before a download is given up. */
const RETRIES = 3;

/** Progress of a scatter: the region being filled and the next file byte it needs. */
interface Cursor {
  i: number;
  pos: number;
}

function skipEmpty(regions: Region[], cur: Cursor): void {
  while (cur.i < regions.length && cur.pos >= regions[cur.i].start + regions[cur.i].dest.length) {
    cur.i++;
    if (cur.i < regions.length) cur.pos = regions[cur.i].start;
  }
}

/**
 * Copies a byte stream that begins at file offset `at` into the regions from
 * `cur` on, skipping the gaps between them. Each chunk is copied once, into
 * place. Returns when the stream ends or every region is full.
 */
async function copyStream(body: ReadableStream<Uint8Array>, at: number, regions: Region[], cur: Cursor): Promise<void> {
  const reader = body.getReader();
  try {
    while (cur.i < regions.length) {
      const { value, done } = await reader.read();
      if (done) return;
      let off = Math.max(0, cur.pos - at); // bytes before the one we need
      while (off < value.length && cur.i < regions.length) {
        const r = regions[cur.i];
        const n = Math.min(value.length - off, r.start + r.dest.length - (at + off));
        r.dest.set(value.subarray(off, off + n), at + off - r.start);
        off += n;
        cur.pos = at + off;
        skipEmpty(regions, cur);
        off = Math.max(off, cur.pos - at);
      }
      at += value.length;
    }
  } finally {
    await reader.cancel().catch(() => {});
  }
}

/** A source for a directory path, or an `http(s):`/`file:` URL base. */
export function openSource(location: string | URL, fetchImpl?: typeof fetch): ModelSource {
  const s = String(location);
  if (/^https?:\/\//i.test(s)) return new UrlSource(new URL(s), fetchImpl);
  if (/^file:\/\//i.test(s)) return new DirectorySource(decodeURIComponent(new URL(s).pathname));
  return new DirectorySource(s);
}
