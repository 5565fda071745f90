/**
 * Shard calls as binary messages (never JSON for rows: hidden states and
 * logits travel as raw little-endian f32), for transports that cross an
 * isolate: a Durable Object's `fetch`, or another process over HTTP.
 *
 * A message is a sequence of u32 words and byte runs padded to 4 bytes:
 *   request: MAGIC, op, then per op:
 *     STEP   sessions, rows, has-tokens, candidates; per session (pos, rows, id); want [rows] u8;
 *            tokens [rows] i32 | hidden [rows*h] f32
 *     EMBED  rows; tokens [rows] i32
 *     DROP   count; ids
 *     INFO   (nothing)
 *   reply: MAGIC, status (0, or 1 + a ShardErrorCode index followed by the message), then per op:
 *     STEP   instance, sessions, epochs [sessions] u32, kind (1 hidden, 2 logits, 3 logits + candidates), floats;
 *            f32 data; kind 3: candidate ids [wanted*k] i32, row format (1 f32, 2 bf16: the rows' high halves,
 *            when every low half is zero, as a BF16 embedding's rows are), their embedding rows [wanted*k*h]
 *     EMBED  floats; f32 data      INFO  the info as UTF-8 JSON (metadata only)      DROP  (nothing)
 * @module
 */

import { ShardError, type ShardErrorCode, type ShardInfo, type StepReply, type StepRequest } from "./shard.ts";

const MAGIC = 0x32534546; // "FES2": the version of this format (FES1 had no candidates); both ends must agree
const NOT_THIS_VERSION = "not a shard message of this version (FES2): is every part deployed from one build?";
/** Message operations. */
export const Op = { STEP: 1, EMBED: 2, DROP: 3, INFO: 4 } as const;
const CODES: ShardErrorCode[] = ["lost", "full", "bad", "down"];

/** Appends words, bytes and floats to a growing buffer. */
class Writer {
  #buf: Uint8Array<ArrayBuffer>;
  #n = 0;
  /**
   * @param start The size to start with (a message's whole size, so the buffer is allocated once), or a
   *   buffer to write into from its start (it is replaced if the message outgrows it).
   */
  constructor(start: number | Uint8Array<ArrayBuffer> = 1024) {
    this.#buf = typeof start === "number" ? new Uint8Array(start) : start;
  }
  #room(bytes: number): void {
    if (this.#n + bytes <= this.#buf.length) return;
    const next = new Uint8Array(Math.max(this.#buf.length * 2, this.#n + bytes));
    next.set(this.#buf.subarray(0, this.#n));
    this.#buf = next;
  }
  u32(v: number): this {
    this.#room(4);
    new DataView(this.#buf.buffer).setUint32(this.#n, v >>> 0, true);
    this.#n += 4;
    return this;
  }
  bytes(b: Uint8Array): this {
    this.u32(b.length);
    this.#room(b.length + 3);
    this.#buf.set(b, this.#n);
    this.#n = (this.#n + b.length + 3) & ~3;
    return this;
  }
  raw(b: ArrayBufferView): this {
    return this.bytes(new Uint8Array(b.buffer, b.byteOffset, b.byteLength));
  }
  text(s: string): this {
    return this.bytes(new TextEncoder().encode(s));
  }
  done(): Uint8Array<ArrayBuffer> {
    return this.#buf.subarray(0, this.#n); // a view: the buffer was sized for the message
  }
}

/** Reads what a Writer wrote; any overrun is a `bad` ShardError. */
class Reader {
  #v: DataView;
  #at = 0;
  constructor(readonly buf: Uint8Array) {
    this.#v = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }
  u32(): number {
    if (this.#at + 4 > this.buf.length) throw new ShardError("bad", "the message is truncated");
    const v = this.#v.getUint32(this.#at, true);
    this.#at += 4;
    return v;
  }
  /** A run of bytes, copied. */
  bytes(): Uint8Array {
    return this.view().slice();
  }
  /** A run of bytes as a view (no copy); runs start 4-aligned in the message. */
  view(): Uint8Array {
    const n = this.u32();
    if (this.#at + n > this.buf.length) throw new ShardError("bad", "the message is truncated");
    const out = this.buf.subarray(this.#at, this.#at + n);
    this.#at = (this.#at + n + 3) & ~3;
    return out;
  }
  /** A run of 4-byte values: a view where the message is aligned, else a copy. */
  #words(what: string): Uint8Array {
    const b = this.buf.byteOffset % 4 === 0 ? this.view() : this.bytes();
    if (b.length % 4) throw new ShardError("bad", `${what} data of a length not a multiple of 4`);
    return b;
  }
  f32(): Float32Array {
    const b = this.#words("float");
    return new Float32Array(b.buffer, b.byteOffset, b.length / 4);
  }
  i32(): Int32Array {
    const b = this.#words("int");
    return new Int32Array(b.buffer, b.byteOffset, b.length / 4);
  }
  text(): string {
    return new TextDecoder("utf-8", { fatal: true }).decode(this.bytes());
  }
  end(): void {
    if (this.#at !== this.buf.length) throw new ShardError("bad", "the message has trailing bytes");
  }
}

/** The high 16 bits of each float, or null when some low half is not zero (the rows are not BF16 values). */
function highHalves(x: Float32Array): Uint16Array | null {
  const u = new Uint32Array(x.buffer, x.byteOffset, x.length), out = new Uint16Array(x.length);
  for (let i = 0; i < u.length; i++) {
    if (u[i] & 0xffff) return null;
    out[i] = u[i] >>> 16;
  }
  return out;
}

/** BF16 bytes (little-endian u16) back to the f32 values they are the high halves of. */
function widen(b: Uint8Array): Float32Array {
  if (b.length % 2) throw new ShardError("bad", "bf16 rows of an odd byte length");
  const out = new Float32Array(b.length / 2), u = new Uint32Array(out.buffer);
  for (let i = 0; i < out.length; i++) u[i] = (b[2 * i] | (b[2 * i + 1] << 8)) << 16;
  return out;
}

/** A shard call, decoded. */
export type Call =
  | { op: typeof Op.STEP; req: StepRequest }
  | { op: typeof Op.EMBED; tokens: Int32Array }
  | { op: typeof Op.DROP; ids: string[] }
  | { op: typeof Op.INFO };

/** Encodes a call; with `into`, there (the result is a view of it) unless it does not fit. */
export function encodeCall(call: Call, into?: Uint8Array<ArrayBuffer>): Uint8Array<ArrayBuffer> {
  const data = call.op === Op.STEP
    ? (call.req.tokens ?? call.req.hidden!).byteLength + call.req.want.length +
      call.req.sessions.reduce((a, s) => a + 16 + 4 * s.id.length, 0)
    : call.op === Op.EMBED
    ? call.tokens.byteLength
    : 0;
  const bytes = 64 + data + (call.op === Op.DROP ? call.ids.reduce((a, id) => a + 8 + 4 * id.length, 0) : 0);
  const w = new Writer(into && into.length >= bytes ? into : bytes).u32(MAGIC).u32(call.op);
  if (call.op === Op.STEP) {
    const r = call.req;
    w.u32(r.sessions.length).u32(r.want.length).u32(r.tokens ? 1 : 0).u32(r.candidates ?? 0);
    for (const s of r.sessions) w.u32(s.pos).u32(s.rows).text(s.id);
    w.bytes(r.want);
    if (r.tokens) w.raw(r.tokens);
    else w.raw(r.hidden!);
  } else if (call.op === Op.EMBED) w.raw(call.tokens);
  else if (call.op === Op.DROP) {
    w.u32(call.ids.length);
    for (const id of call.ids) w.text(id);
  }
  return w.done();
}

/** Decodes a call. @throws {ShardError} `bad` for anything malformed. */
export function decodeCall(buf: Uint8Array): Call {
  const r = new Reader(buf);
  if (r.u32() !== MAGIC) throw new ShardError("bad", NOT_THIS_VERSION);
  const op = r.u32();
  let call: Call;
  if (op === Op.STEP) {
    const ns = r.u32(), rows = r.u32(), tokens = r.u32(), candidates = r.u32();
    if (ns > rows || rows > 4096) throw new ShardError("bad", `a step of ${rows} rows in ${ns} sessions`);
    const sessions = Array.from({ length: ns }, () => ({ pos: r.u32(), rows: r.u32(), id: r.text() }));
    const want = r.bytes();
    const input = tokens ? { tokens: r.i32() } : { hidden: r.f32() };
    call = { op, req: { sessions, want, ...input, ...(candidates ? { candidates } : {}) } };
  } else if (op === Op.EMBED) call = { op, tokens: r.i32() };
  else if (op === Op.DROP) {
    const n = r.u32();
    if (n > 4096) throw new ShardError("bad", `${n} ids in one drop`);
    call = { op, ids: Array.from({ length: n }, () => r.text()) };
  } else if (op === Op.INFO) call = { op };
  else throw new ShardError("bad", `unknown operation ${op}`);
  r.end();
  return call;
}

/** What a call gives back, by op. */
export type Answer = StepReply | Float32Array | ShardInfo | undefined;

/**
 * Encodes a call's answer, or the ShardError it failed with. With `into`, the
 * message is written there (the result is a view of it) unless it does not fit.
 */
export function encodeAnswer(
  op: number,
  answer: Answer | ShardError,
  into?: Uint8Array<ArrayBuffer>,
): Uint8Array<ArrayBuffer> {
  const data = answer instanceof ShardError || answer === undefined
    ? 0
    : answer instanceof Float32Array
    ? answer.byteLength
    : "epochs" in answer
    ? 4 * answer.epochs.length + (answer.logits ?? answer.hidden!).byteLength +
      (answer.candidates ? answer.candidates.ids.byteLength + answer.candidates.rows.byteLength + 12 : 0)
    : 0;
  const w = new Writer(into && into.length >= 64 + data ? into : 64 + data).u32(MAGIC);
  if (answer instanceof ShardError) return w.u32(1 + CODES.indexOf(answer.code)).text(answer.message).done();
  w.u32(0);
  if (op === Op.STEP) {
    const a = answer as StepReply;
    w.u32(a.instance).u32(a.epochs.length);
    for (const e of a.epochs) w.u32(e);
    w.u32(a.candidates ? 3 : a.logits ? 2 : 1).raw(a.logits ?? a.hidden!);
    if (a.candidates) {
      const bf = highHalves(a.candidates.rows);
      w.raw(a.candidates.ids).u32(bf ? 2 : 1).raw(bf ?? a.candidates.rows);
    }
  } else if (op === Op.EMBED) w.raw(answer as Float32Array);
  else if (op === Op.INFO) w.text(JSON.stringify(answer));
  return w.done();
}

/** Decodes an answer. @throws {ShardError} the shard's own, or `bad` for a malformed answer. */
export function decodeAnswer(op: number, buf: Uint8Array): Answer {
  const r = new Reader(buf);
  if (r.u32() !== MAGIC) throw new ShardError("bad", `the shard's answer is ${NOT_THIS_VERSION}`);
  const status = r.u32();
  if (status !== 0) throw new ShardError(CODES[status - 1] ?? "bad", r.text());
  let out: Answer;
  if (op === Op.STEP) {
    const instance = r.u32(), n = r.u32();
    const epochs = Array.from({ length: n }, () => r.u32());
    const kind = r.u32(), data = r.f32();
    if (kind < 1 || kind > 3) throw new ShardError("bad", `a step answer of unknown kind ${kind}`);
    out = kind === 1 ? { instance, epochs, hidden: data } : { instance, epochs, logits: data };
    if (kind === 3) {
      const ids = r.i32(), format = r.u32();
      if (format !== 1 && format !== 2) throw new ShardError("bad", `candidate rows of unknown format ${format}`);
      out.candidates = { ids, rows: format === 1 ? r.f32() : widen(r.view()) };
    }
  } else if (op === Op.EMBED) out = r.f32();
  else if (op === Op.INFO) out = JSON.parse(r.text()) as ShardInfo;
  r.end();
  return out;
}
