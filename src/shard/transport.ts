/**
 * How a coordinator reaches its shards: a `ShardLink` per shard. In-process
 * (`localLink`, for tests and one-box runs) the calls are method calls; across
 * isolates (`fetchLink`) they are binary messages (`wire.ts`) POSTed to a
 * shard's fetch handler (`shardHandler`): a Durable Object's `fetch`, a
 * service binding, or a `deno serve` process on loopback.
 * @module
 */

import { type Answer, type Call, decodeAnswer, decodeCall, encodeAnswer, encodeCall, Op } from "./wire.ts";
import { type Shard, ShardError, type ShardInfo, type StepReply, type StepRequest } from "./shard.ts";

/** One shard as the coordinator sees it. Every call may reject with a {@linkcode ShardError}. */
export interface ShardLink {
  /** What the shard holds (and its instance, new at every load). */
  info(): Promise<ShardInfo>;
  /** Rows through the shard. */
  step(req: StepRequest): Promise<StepReply>;
  /** The held embedding rows of these token ids, in order. */
  embed(tokens: Int32Array): Promise<Float32Array>;
  /** Frees these sessions' caches. */
  drop(ids: string[]): Promise<void>;
}

/** A shard in this isolate. */
export function localLink(shard: Shard): ShardLink {
  return {
    info: () => Promise.resolve(shard.info()),
    step: (req) => Promise.resolve().then(() => shard.step(req)),
    embed: (tokens) => Promise.resolve().then(() => shard.embed(tokens)),
    drop: (ids) => Promise.resolve(shard.drop(ids)),
  };
}

/** Runs a decoded call on a shard; the rows it gives back are views, valid until its next call. */
function run(shard: Shard, call: Call): Answer {
  switch (call.op) {
    case Op.STEP:
      return shard.step(call.req, true);
    case Op.EMBED:
      return shard.embed(call.tokens, true);
    case Op.DROP:
      shard.drop(call.ids);
      return undefined;
    case Op.INFO:
      return shard.info();
  }
}

/** Most bytes a call may carry (a full block of hidden rows of a wide model is a few MB). */
const MAX_CALL_BYTES = 64 << 20;
/** Most request buffers a handler keeps for reuse, and their most bytes in all. */
const POOL_BUFFERS = 4, POOL_BYTES = 16 << 20;
/**
 * Bodies from this size on are read into the pool; smaller ones (a decode step's few rows) whole, which costs
 * less CPU per call in workerd than a BYOB read loop (measured: bench/RESULTS.md) and leaves little garbage.
 */
const POOL_FROM_BYTES = 64 << 10;

/**
 * Bodies read into buffers that are used again, so calls leave no garbage
 * of their size behind: a prefill call carries up to a block of hidden rows,
 * and uncollected bodies were seen to add 20+ MiB to an isolate that must
 * stay inside 128 MB. A shard takes a buffer for a request and gives it back
 * when the call has run (its rows are in wasm memory then); a link takes one
 * for an answer and gives it back when the reply is released. Calls that
 * overlap take more, up to the pool's bounds.
 */
class BodyPool {
  #free: ArrayBuffer[] = [];
  /** A buffer of at least `n` bytes. */
  take(n: number): ArrayBuffer {
    const i = this.#free.findIndex((b) => b.byteLength >= n);
    if (i >= 0) return this.#free.splice(i, 1)[0];
    return new ArrayBuffer(Math.max(n, 64 << 10));
  }
  give(b: ArrayBuffer): void {
    if (b.detached || this.#free.length >= POOL_BUFFERS) return;
    if (this.#free.reduce((a, f) => a + f.byteLength, b.byteLength) <= POOL_BYTES) this.#free.push(b);
  }
}

const lengthError = (got: number, len: number) =>
  new ShardError("bad", `the call's body is ${got > len ? "longer" : "shorter"} than its content-length ${len}`);

/**
 * Reads a body of `len` bytes (its content-length) into a pooled buffer with
 * a BYOB reader; a body under `from` bytes, a body without a length, or a runtime whose body stream has
 * no BYOB reader, is read whole instead. @throws {ShardError} `bad` when the
 * body is not `len` bytes long.
 */
async function readBody(
  req: Request | Response,
  len: number,
  pool: BodyPool,
  from = POOL_FROM_BYTES,
): Promise<{ bytes: Uint8Array; buf?: ArrayBuffer }> {
  let reader: ReadableStreamBYOBReader | undefined;
  try {
    if (len > 0 && len >= from && req.body) reader = req.body.getReader({ mode: "byob" });
  } catch { /* no BYOB reader here */ }
  if (!reader) {
    const bytes = new Uint8Array(await req.arrayBuffer());
    if (len > 0 && bytes.length !== len) throw lengthError(bytes.length, len);
    return { bytes };
  }
  let buf = pool.take(len + 1), at = 0; // one byte more, to see a body longer than it said
  for (;;) {
    const { value, done } = await reader.read(new Uint8Array(buf, at, buf.byteLength - at));
    if (value) [buf, at] = [value.buffer as ArrayBuffer, at + value.byteLength];
    if (done || at > len) break;
  }
  if (at !== len) {
    await reader.cancel().catch(() => {});
    pool.give(buf);
    throw lengthError(at, len);
  }
  return { bytes: new Uint8Array(buf, 0, len), buf };
}

/**
 * A shard's fetch handler: `POST` a binary call, get the binary answer (200,
 * errors included, as the wire carries them); anything else is a 405.
 * `shard` may be a promise (a shard still loading: calls wait for it).
 * Bodies are read into reused buffers and answers encoded into one reused
 * buffer (a Response copies its body), so calls make no garbage of their size.
 */
export function shardHandler(shard: Shard | Promise<Shard>): (req: Request) => Promise<Response> {
  const pool = new BodyPool();
  let out = new Uint8Array(64 << 10);
  return async (req) => {
    if (req.method !== "POST") return new Response("shard calls are POSTed\n", { status: 405 });
    const len = Number(req.headers.get("content-length") ?? 0);
    if (!Number.isInteger(len) || len < 0) return new Response("a bad content-length\n", { status: 400 });
    if (len > MAX_CALL_BYTES) return new Response("call too large\n", { status: 413 });
    let op = 0, buf: ArrayBuffer | undefined;
    let answer: Answer | ShardError;
    try {
      const body = await readBody(req, len, pool);
      buf = body.buf;
      const call = decodeCall(body.bytes);
      op = call.op;
      answer = run(await shard, call);
    } catch (e) {
      answer = e instanceof ShardError ? e : new ShardError("bad", (e as Error).message);
    }
    if (buf) pool.give(buf);
    const bytes = encodeAnswer(op, answer, out);
    if (bytes.buffer !== out.buffer && bytes.buffer.byteLength <= POOL_BYTES) out = new Uint8Array(bytes.buffer);
    // the Response copies its body (Deno and workerd both), so `out` can take the next answer at once
    return new Response(bytes, { headers: { "content-type": "application/octet-stream" } });
  };
}

/**
 * A shard behind a fetch handler: `send` POSTs a body and returns the
 * answer's bytes (`fetch` to a URL, or a Durable Object stub's `fetch`).
 * A call that does not answer within `timeoutMs`, or fails to connect, is a `down` ShardError; the
 * `info` call, which a shard answers once it has loaded its part, has `loadTimeoutMs` instead.
 * Calls are encoded into one buffer the link reuses, so `send` must take the body's bytes before it
 * returns, as `fetch` and `new Request` do (they copy it: Deno and workerd both). Step answers are
 * read into buffers the link uses again: their rows are valid until the reply's `release()`.
 */
export function fetchLink(
  send: (body: Uint8Array<ArrayBuffer>, signal: AbortSignal) => Promise<Response>,
  name: string,
  timeoutMs = 30_000,
  loadTimeoutMs: number = Math.max(timeoutMs, 120_000),
): ShardLink {
  let scratch = new Uint8Array(64 << 10);
  const answers = new BodyPool();
  const call = async (c: Call): Promise<Answer> => {
    const ms = c.op === Op.INFO ? loadTimeoutMs : timeoutMs;
    const signal = AbortSignal.timeout(ms);
    let bytes: Uint8Array, buf: ArrayBuffer | undefined;
    try {
      const body = encodeCall(c, scratch);
      if (body.buffer !== scratch.buffer && body.buffer.byteLength <= POOL_BYTES) scratch = new Uint8Array(body.buffer);
      const sent = send(body, signal); // it has the bytes now: the next call may write `scratch`
      const res = await sent;
      if (res.status !== 200) throw new Error(`HTTP ${res.status}: ${(await res.text()).slice(0, 200)}`);
      if (c.op === Op.STEP) { // every size: a decode step's answers would otherwise be garbage at every token
        ({ bytes, buf } = await readBody(res, Number(res.headers.get("content-length") ?? 0), answers, 1));
      } else bytes = new Uint8Array(await res.arrayBuffer());
    } catch (e) {
      const why = signal.aborted ? `no answer within ${ms} ms` : (e as Error).message;
      throw new ShardError("down", `${name}: ${why}`, !signal.aborted);
    }
    try {
      const answer = decodeAnswer(c.op, bytes);
      if (buf) {
        (answer as StepReply).release = () => {
          if (buf) answers.give(buf);
          buf = undefined;
        };
      }
      return answer;
    } catch (e) {
      if (buf) answers.give(buf);
      throw e;
    }
  };
  return {
    info: async () => (await call({ op: Op.INFO })) as ShardInfo,
    step: async (req) => (await call({ op: Op.STEP, req })) as StepReply,
    embed: async (tokens) => (await call({ op: Op.EMBED, tokens })) as Float32Array,
    drop: async (ids) => void (await call({ op: Op.DROP, ids })),
  };
}

/** {@linkcode fetchLink} to a URL (a shard process on loopback, say). */
export function urlLink(url: string, timeoutMs?: number): ShardLink {
  return fetchLink((body, signal) => fetch(url, { method: "POST", body, signal }), url, timeoutMs);
}
