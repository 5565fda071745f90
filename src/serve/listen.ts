/**
 * The guarded listener of `deno task serve`: `Deno.serve` has no header,
 * idle or write timeouts and no connection cap (denoland/deno#3515), and its
 * accept loop ends the process when the open-file limit is reached. So the
 * public port is a small TCP front of our own, and `Deno.serve` answers
 * behind it on a Unix socket no one else can reach. The front:
 *
 * - accepts in a loop that survives every error (EMFILE included: it waits
 *   and tries again);
 * - caps open connections; past the cap the oldest connection with nothing
 *   in flight (sending its headers, or kept alive between requests) is
 *   dropped to make room, and when there is none the new one gets a 503;
 * - gives each request's headers `headerTimeoutMs` to arrive (a 408
 *   otherwise), closes a connection with no bytes either way for
 *   `idleTimeoutMs`, and one whose client does not take a write within
 *   `writeTimeoutMs`;
 * - connects to the server only once a connection has sent bytes, so idle
 *   connections cost one file descriptor.
 *
 * Request bodies are read by the handler with its own size cap and deadline
 * (`body.ts`), streams have their write deadline in `openai/sse.ts`.
 * @module
 */

import { RequestFraming } from "./framing.ts";

/** Options of {@linkcode listen}. */
export interface ListenOptions {
  /** The port (0: any free one). */
  port: number;
  /** The address to listen on. */
  hostname: string;
  /** How long a request's headers may take to arrive (default 10 s). */
  headerTimeoutMs?: number;
  /** How long a connection may be silent both ways (default 60 s). */
  idleTimeoutMs?: number;
  /** How long a write to a client may wait for it to read (default 30 s). */
  writeTimeoutMs?: number;
  /** Most open connections (default 256; each open one holds up to 3 file descriptors). */
  maxConnections?: number;
  /** Called once listening, with the address. */
  onListen?: (addr: Deno.NetAddr) => void;
  /** Where to say what went wrong (accept errors, at most once a second). */
  log?: (line: string) => void;
}

/** A running server: its address, counters, and how to stop it. */
export interface Listening {
  addr: Deno.NetAddr;
  /** Connections open now, and in all, and how many were refused or timed out. */
  stats(): { open: number; accepted: number; refused: number; evicted: number; timedOut: number };
  close(): Promise<void>;
}

const enc = new TextEncoder();

/** Client bytes held back before they go on to the server (unless a request ends first). */
const FORWARD_BYTES = 256 * 1024;

/** Bytes held back, copied into one buffer that grows by doubling. */
class Held {
  #buf = new Uint8Array(4096);
  size = 0;

  add(bytes: Uint8Array): void {
    if (this.size + bytes.length > this.#buf.length) {
      const grown = new Uint8Array(Math.max(this.#buf.length * 2, this.size + bytes.length));
      grown.set(this.#buf.subarray(0, this.size));
      this.#buf = grown;
    }
    this.#buf.set(bytes, this.size);
    this.size += bytes.length;
  }

  /** The bytes held (a copy), and nothing held any more. */
  take(): Uint8Array {
    const out = this.#buf.slice(0, this.size);
    this.size = 0;
    if (this.#buf.length > 64 * 1024) this.#buf = new Uint8Array(4096);
    return out;
  }
}

/** A whole HTTP/1.1 error response that closes the connection. */
function plainResponse(status: number, reason: string, message: string, code: string, extra = ""): Uint8Array {
  const body = JSON.stringify({ error: { message, type: "server_error", param: null, code } });
  return enc.encode(
    `HTTP/1.1 ${status} ${reason}\r\ncontent-type: application/json\r\ncontent-length: ${
      enc.encode(body).length
    }\r\nconnection: close\r\n${extra}\r\n${body}`,
  );
}

const BUSY = plainResponse(
  503,
  "Service Unavailable",
  "Too many open connections.",
  "server_busy",
  "retry-after: 1\r\n",
);
const SLOW = plainResponse(408, "Request Timeout", "The request headers did not arrive in time.", "request_timeout");

/** One client connection and, once it sends bytes, its connection to the server behind. */
class Link {
  upstream?: Deno.UnixConn;
  /** performance.now() of the last byte either way. */
  last = performance.now();
  closed = false;
  readonly framing = new RequestFraming();
  /** The responses' framing, to know when no response is owed. */
  readonly replies = new RequestFraming();

  constructor(readonly conn: Deno.Conn, readonly opened: number) {}

  /** Whether the client has sent anything yet. */
  spoke = false;

  /** Waiting for a request's headers (the first, or a later one on a kept-alive connection). */
  get inHeaders(): boolean {
    return this.framing.inHeaders;
  }

  /** Nothing in flight: no request being sent, no response owed (may be dropped to make room). */
  get idle(): boolean {
    return this.framing.inHeaders && this.replies.completed >= this.framing.completed;
  }

  /** Since when the headers of a request have been awaited (a silent new connection counts), if they are. */
  get headersSince(): number | undefined {
    if (!this.inHeaders) return undefined;
    return this.framing.since ?? (this.spoke ? undefined : this.opened);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    try {
      this.conn.close();
    } catch { /* already closed */ }
    try {
      this.upstream?.close();
    } catch { /* already closed */ }
  }
}

/** The front: its connections, its limits and its loops. */
class Front {
  readonly links = new Set<Link>();
  readonly counts = { accepted: 0, refused: 0, evicted: 0, timedOut: 0 };
  stopping = false;
  #lastLog = 0;
  readonly headerMs: number;
  readonly idleMs: number;
  readonly writeMs: number;
  readonly max: number;

  constructor(readonly o: ListenOptions, readonly sock: string) {
    this.headerMs = o.headerTimeoutMs ?? 10_000;
    this.idleMs = o.idleTimeoutMs ?? 60_000;
    this.writeMs = o.writeTimeoutMs ?? 30_000;
    this.max = o.maxConnections ?? 256;
  }

  say(line: string): void {
    if (performance.now() - this.#lastLog < 1000) return;
    this.#lastLog = performance.now();
    this.o.log?.(line);
  }

  /** Closes connections past their header or idle deadline. */
  sweep(): void {
    const now = performance.now();
    for (const l of this.links) {
      const since = l.headersSince;
      const timedOut = since !== undefined && now - since > this.headerMs;
      if (timedOut || now - l.last > this.idleMs) {
        this.counts.timedOut++;
        if (timedOut) l.conn.write(SLOW).catch(() => {}).finally(() => l.close());
        else l.close();
        this.links.delete(l);
      }
    }
  }

  /** A new connection's link, making room if the cap is reached; undefined when it was refused. */
  admit(conn: Deno.Conn): Link | undefined {
    if (this.links.size >= this.max) {
      // between requests or sending headers: nothing in flight to lose
      const since = (l: Link) => l.headersSince ?? l.last;
      let oldest: Link | undefined;
      for (const l of this.links) if (l.idle && (!oldest || since(l) < since(oldest))) oldest = l;
      if (!oldest) {
        this.counts.refused++;
        conn.write(BUSY).catch(() => {}).finally(() => {
          try {
            conn.close();
          } catch { /* gone */ }
        });
        return undefined;
      }
      this.counts.evicted++;
      oldest.close();
      this.links.delete(oldest);
    }
    const link = new Link(conn, performance.now());
    this.links.add(link);
    return link;
  }

  async pump(link: Link): Promise<void> {
    try {
      await this.#clientToServer(link);
    } catch {
      /* a reset connection */
    } finally {
      link.close();
      this.links.delete(link);
    }
  }

  /**
   * Client bytes go on to the server a whole request at a time (or 256 KiB
   * at a time): a request sent a byte at a time reaches the server as one
   * piece, not as thousands of body chunks (each of which the runtime would
   * hold in a 64 KiB buffer until it is collected).
   */
  async #clientToServer(link: Link): Promise<void> {
    const buf = new Uint8Array(16 * 1024);
    const held = new Held();
    for (;;) {
      const n = await link.conn.read(buf);
      if (n === null) break;
      link.last = performance.now();
      link.spoke = true;
      const done = link.framing.completed;
      link.framing.push(buf.subarray(0, n));
      held.add(buf.subarray(0, n));
      if (link.framing.completed === done && !link.framing.opaque && held.size < FORWARD_BYTES) continue;
      if (!link.upstream) {
        link.upstream = await Deno.connect({ transport: "unix", path: this.sock });
        this.#serverToClient(link).catch(() => {}).finally(() => link.close());
      }
      await writeAll(link.upstream, held.take());
    }
    await link.upstream?.closeWrite().catch(() => {});
    await new Promise((r) => setTimeout(r, 0));
  }

  async #serverToClient(link: Link): Promise<void> {
    const buf = new Uint8Array(16 * 1024);
    for (;;) {
      const n = await link.upstream!.read(buf);
      if (n === null) break;
      link.last = performance.now();
      link.replies.push(buf.subarray(0, n));
      let timer: ReturnType<typeof setTimeout> | undefined;
      const late = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error("write deadline")), this.writeMs);
      });
      try {
        await Promise.race([writeAll(link.conn, buf.subarray(0, n)), late]);
      } catch (e) {
        this.counts.timedOut++;
        throw e;
      } finally {
        clearTimeout(timer);
      }
      link.last = performance.now();
    }
  }

  /** Accepts until stopped; no error ends it (EMFILE: connections will close and free descriptors). */
  async accept(listener: Deno.Listener): Promise<void> {
    while (!this.stopping) {
      let conn: Deno.Conn;
      try {
        conn = await listener.accept();
      } catch (e) {
        if (this.stopping) break;
        this.say(`accept failed (${(e as Error).message}); retrying`);
        await new Promise((r) => setTimeout(r, 50));
        continue;
      }
      this.counts.accepted++;
      const link = this.admit(conn);
      if (link) this.pump(link);
    }
  }
}

/**
 * Serves `handler` on `port` behind the guarded front.
 * @param handler The fetch handler (`createHandler(...).fetch`).
 * @param o Where to listen, timeouts and the connection cap.
 */
export async function listen(handler: (req: Request) => Promise<Response>, o: ListenOptions): Promise<Listening> {
  const dir = await Deno.makeTempDir({ prefix: "falcon-e-serve-" });
  const path = `${dir}/http.sock`;
  const inner = Deno.serve({ path, onListen() {} }, handler);
  const listener = Deno.listen({ port: o.port, hostname: o.hostname });
  const front = new Front(o, path);
  const sweep = setInterval(() => front.sweep(), Math.max(5, Math.min(front.headerMs, front.idleMs) / 10));
  const accepting = front.accept(listener);
  const addr = listener.addr as Deno.NetAddr;
  o.onListen?.(addr);
  return {
    addr,
    stats: () => ({ open: front.links.size, ...front.counts }),
    close: async () => {
      front.stopping = true;
      clearInterval(sweep);
      listener.close();
      await accepting;
      for (const l of front.links) l.close();
      await inner.shutdown();
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    },
  };
}

async function writeAll(w: Deno.Conn, bytes: Uint8Array): Promise<void> {
  let at = 0;
  while (at < bytes.length) at += await w.write(bytes.subarray(at));
}
