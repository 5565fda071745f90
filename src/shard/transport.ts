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

/** Runs a decoded call on a shard. */
function run(shard: Shard, call: Call): Answer {
  switch (call.op) {
    case Op.STEP:
      return shard.step(call.req);
    case Op.EMBED:
      return shard.embed(call.tokens);
    case Op.DROP:
      shard.drop(call.ids);
      return undefined;
    case Op.INFO:
      return shard.info();
  }
}

/** Most bytes a call may carry (a full block of hidden rows of a wide model is a few MB). */
const MAX_CALL_BYTES = 64 << 20;

/**
 * A shard's fetch handler: `POST` a binary call, get the binary answer (200,
 * errors included, as the wire carries them); anything else is a 405.
 * `shard` may be a promise (a shard still loading: calls wait for it).
 */
export function shardHandler(shard: Shard | Promise<Shard>): (req: Request) => Promise<Response> {
  return async (req) => {
    if (req.method !== "POST") return new Response("shard calls are POSTed\n", { status: 405 });
    const len = Number(req.headers.get("content-length") ?? 0);
    if (len > MAX_CALL_BYTES) return new Response("call too large\n", { status: 413 });
    const body = new Uint8Array(await req.arrayBuffer());
    let op = 0;
    let answer: Answer | ShardError;
    try {
      const call = decodeCall(body);
      op = call.op;
      answer = run(await shard, call);
    } catch (e) {
      answer = e instanceof ShardError ? e : new ShardError("bad", (e as Error).message);
    }
    return new Response(encodeAnswer(op, answer), { headers: { "content-type": "application/octet-stream" } });
  };
}

/**
 * A shard behind a fetch handler: `send` POSTs a body and returns the
 * answer's bytes (`fetch` to a URL, or a Durable Object stub's `fetch`).
 * A call that does not answer within `timeoutMs`, or fails to connect, is a `down` ShardError.
 */
export function fetchLink(
  send: (body: Uint8Array<ArrayBuffer>, signal: AbortSignal) => Promise<Response>,
  name: string,
  timeoutMs = 30_000,
): ShardLink {
  const call = async (c: Call): Promise<Answer> => {
    const signal = AbortSignal.timeout(timeoutMs);
    let bytes: Uint8Array;
    try {
      const res = await send(encodeCall(c), signal);
      if (res.status !== 200) throw new Error(`HTTP ${res.status}: ${(await res.text()).slice(0, 200)}`);
      bytes = new Uint8Array(await res.arrayBuffer());
    } catch (e) {
      const why = signal.aborted ? `no answer within ${timeoutMs} ms` : (e as Error).message;
      throw new ShardError("down", `${name}: ${why}`, !signal.aborted);
    }
    return decodeAnswer(c.op, bytes);
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
