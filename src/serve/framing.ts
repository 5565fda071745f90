/**
 * Where a connection is in its HTTP/1.1 messages, from the bytes one side
 * sends: in headers (and since when), in a body (by Content-Length or
 * chunked), or between messages, and how many it has finished. Enough for
 * the listener's header deadline on every request of a kept-alive
 * connection, and to tell whether a response is still owed; the server
 * behind parses the requests for real.
 * @module
 */

const CRLF2 = [13, 10, 13, 10];
const MAX_HEAD = 64 * 1024;

/** The framing of the requests on one connection. */
export class RequestFraming {
  #state: "headers" | "body" | "chunk-size" | "chunk-data" | "chunk-end" | "trailers" | "opaque" = "headers";
  /** performance.now() of the current request's first byte, while its headers come; undefined between requests. */
  since: number | undefined;
  #head: number[] = [];
  #matched = 0;
  #left = 0;
  #line = "";
  /** Messages finished. */
  completed = 0;

  /** Past a message it could not frame (an upgrade, a malformed length): bytes are what they are. */
  get opaque(): boolean {
    return this.#state === "opaque";
  }

  /** Waiting for or reading a request's headers (not in a body, not behind an unparsed one). */
  get inHeaders(): boolean {
    return this.#state === "headers";
  }

  /** Feeds bytes the client sent. */
  push(bytes: Uint8Array): void {
    let i = 0;
    while (i < bytes.length) {
      switch (this.#state) {
        case "headers":
          i = this.#headers(bytes, i);
          break;
        case "body": {
          const take = Math.min(this.#left, bytes.length - i);
          i += take;
          this.#left -= take;
          if (this.#left === 0) (this.#state = "headers", this.completed++);
          break;
        }
        case "opaque":
          return; // a request we cannot frame (an upgrade, a malformed length): no more header deadlines here
        default:
          i = this.#chunked(bytes, i);
      }
    }
  }

  #headers(bytes: Uint8Array, i: number): number {
    this.since ??= performance.now();
    for (; i < bytes.length; i++) {
      const b = bytes[i];
      if (this.#head.length < MAX_HEAD) this.#head.push(b);
      this.#matched = b === CRLF2[this.#matched] ? this.#matched + 1 : b === 13 ? 1 : 0;
      if (this.#matched === 4) {
        this.#endOfHeaders();
        return i + 1;
      }
    }
    return i;
  }

  #endOfHeaders(): void {
    const text = new TextDecoder().decode(new Uint8Array(this.#head));
    this.#head = [];
    this.#matched = 0;
    this.since = undefined;
    const field = (name: string) => text.match(new RegExp(`\\r\\n${name}:[ \\t]*([^\\r\\n]*)`, "i"))?.[1].trim();
    const te = field("transfer-encoding"), cl = field("content-length");
    if (/^upgrade\b/i.test(field("connection") ?? "") || (te && !/chunked\s*$/i.test(te))) {
      this.#state = "opaque";
    } else if (te) {
      this.#state = "chunk-size";
    } else if (cl !== undefined) {
      const n = /^\d{1,15}$/.test(cl) ? Number(cl) : NaN;
      if (Number.isNaN(n)) this.#state = "opaque";
      else if (n > 0) (this.#left = n, this.#state = "body");
      else this.completed++;
    } else {
      this.completed++; // no body
    }
  }

  #chunked(bytes: Uint8Array, i: number): number {
    if (this.#state === "chunk-data") {
      const take = Math.min(this.#left, bytes.length - i);
      this.#left -= take;
      if (this.#left === 0) this.#state = "chunk-end";
      return i + take;
    }
    // line-based states: a chunk size, the CRLF after a chunk's data, trailers
    for (; i < bytes.length; i++) {
      const c = bytes[i];
      if (c !== 10) {
        if (c !== 13 && this.#line.length < 1024) this.#line += String.fromCharCode(c);
        continue;
      }
      const line = this.#line;
      this.#line = "";
      if (this.#state === "chunk-end") {
        this.#state = "chunk-size";
      } else if (this.#state === "chunk-size") {
        const size = parseInt(line.split(";")[0], 16);
        if (!Number.isFinite(size)) {
          this.#state = "opaque";
          return bytes.length;
        }
        if (size === 0) this.#state = "trailers";
        else (this.#left = size, this.#state = "chunk-data");
      } else if (line === "") {
        this.#state = "headers"; // the end of the trailers: the message is over
        this.completed++;
      }
      return i + 1;
    }
    return i;
  }
}
