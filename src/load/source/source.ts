/**
 * Where checkpoint files come from. Every source hands out a sequential
 * byte reader per file that fills caller-given views (the final places in
 * wasm memory), so weight bytes are copied at most once and never held
 * twice. Sources: a local directory, an `http(s):` URL base (Range requests,
 * resume after a dropped connection, servers that ignore Range), an R2-style
 * bucket (`get(key, {range})`), and in-memory files or one-shot streams.
 * @module
 */

/** A checkpoint file that could not be read; names the file. */
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
  /** A reader over `file` starting at byte `offset`. */
  open(file: string, offset?: number): Promise<ByteReader>;
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

// ---------------------------------------------------------------------------
// local directory

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
    const size = (await f.stat()).size;
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

// ---------------------------------------------------------------------------
// streams (shared by URL, R2 and in-memory sources)

/** How to (re)open a file's byte stream at an offset. `ranged` says whether it really starts there. */
type Opener = (
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
async function streamReader(
  open: Opener,
  offset: number,
  where: string,
  resumable: boolean,
): Promise<ByteReader> {
  let pos = offset; // next file byte the caller gets
  let first = await open(offset);
  let reader = chunksOf(first.body);
  let at = first.ranged ? offset : 0; // file offset of the stream's next byte
  let left: Uint8Array | undefined; // unread part of the last chunk
  let stalled = 0;
  const size = first.size;
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
            if (size !== undefined && pos < size) {
              await reopen(
                new Error(`the stream ended at byte ${pos} of ${size}`),
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

// ---------------------------------------------------------------------------
// URL base

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
  open(file: string, offset = 0): Promise<ByteReader> {
    const where = this.#url(file).href;
    const opener: Opener = async (at) => {
      const res = await this.#get(
        file,
        at > 0 ? { range: `bytes=${at}-` } : undefined,
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
    return streamReader(opener, offset, where, true);
  }
}

// ---------------------------------------------------------------------------
// R2-style bucket

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
  /** The object at `key`, from `range.offset` on, or null when absent. */
  get(
    key: string,
    options?: { range?: { offset: number } },
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
  open(file: string, offset = 0): Promise<ByteReader> {
    const key = this.prefix + file;
    const opener: Opener = async (at) => {
      const o = await this.bucket.get(
        key,
        at > 0 ? { range: { offset: at } } : undefined,
      );
      if (!o) throw new SourceError(`r2:${key}: no such object`);
      return { body: o.body, size: o.size, ranged: true };
    };
    return streamReader(opener, offset, `r2:${key}`, true);
  }
}

// ---------------------------------------------------------------------------
// in-memory files and one-shot streams

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

/** A source for a directory path, or an `http(s):`/`file:` URL base. */
export function openSource(
  location: string | URL,
  fetchImpl?: typeof fetch,
): ModelSource {
  const s = String(location);
  if (/^https?:\/\//i.test(s)) return new UrlSource(new URL(s), fetchImpl);
  if (/^file:\/\//i.test(s)) {
    return new DirectorySource(decodeURIComponent(new URL(s).pathname));
  }
  return new DirectorySource(s);
}
