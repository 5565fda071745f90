/**
 * One shard of a pipeline: a kernel instance holding part of a model
 * (`part.ts`), with its layers' KV caches kept per session id. It takes rows
 * in (token ids or f32 hidden rows) and gives hidden rows or a slice of the
 * logits out. A transport (`transport.ts`) carries its calls: in-process, or
 * as binary messages (`wire.ts`) to a Durable Object or another process.
 *
 * Every session a shard holds has an epoch, new each time its cache is
 * created, and the coordinator says at which position each session's rows
 * start: a shard whose cache is shorter (it was evicted or restarted) refuses
 * the step (`ShardError` "lost") instead of computing on a partial cache, and
 * one whose cache is longer keeps the prefix (the coordinator truncated it).
 * @module
 */

import { LmHead, Logits, MemoryKind, PartInput, SimdBuild } from "../engine/abi.ts";
import type { Engine } from "../engine/create.ts";
import { stopEngine } from "../engine/create.ts";
import { UnavailableError } from "../engine/errors.ts";
import type { TileReport } from "../engine/tiles.ts";
import { kernelError } from "../engine/kernels.ts";
import type { ModelConfig } from "../engine/model_config.ts";
import { describePart, type PartRanges, size } from "./part.ts";

/** Most candidates a step may ask for per wanted row. */
export const MAX_CANDIDATES = 16;

/** Why a shard refused a call. */
export type ShardErrorCode = "lost" | "full" | "bad" | "down";

/**
 * A call a shard refused: `lost` (a session's cache is gone), `full` (no free
 * cache slot), `bad` (a malformed call), `down` (it did not answer). The
 * model is then unavailable for that request (a server answers 503).
 */
export class ShardError extends UnavailableError {
  /** Always `"ShardError"`. */
  override name: string = "ShardError";
  /** What went wrong. */
  readonly code: ShardErrorCode;
  /** A `down` that a new attempt may get past (the connection failed; not a timeout). */
  readonly retryable: boolean;
  /**
   * A refusal.
   * @param code What went wrong.
   * @param message Says which shard and session.
   * @param retryable Whether trying again soon may work (a dropped connection, a restarting shard).
   */
  constructor(code: ShardErrorCode, message: string, retryable = false) {
    super(message);
    this.code = code;
    this.retryable = retryable;
  }
}

/** A session's rows in a step: `rows` consecutive rows, the first at position `pos` of its cache. */
export interface StepSession {
  /** The session's id (unique across coordinators: random). */
  id: string;
  /** Position of its first row: what the coordinator knows the cache holds. */
  pos: number;
  /** Its rows in this step. */
  rows: number;
}

/** Rows through one shard. */
export interface StepRequest {
  /** The sessions whose rows these are, in row order. */
  sessions: StepSession[];
  /** Token ids, one per row (for a shard that starts from tokens). */
  tokens?: Int32Array;
  /** f32 hidden rows [rows, hidden] (for a shard that starts from the previous one's output). */
  hidden?: Float32Array;
  /** Per row, nonzero when its logits are wanted (the lm_head runs for those rows only). */
  want: Uint8Array;
  /**
   * For an lm_head slice that also holds those rows' embedding: per wanted row, the
   * embedding rows of its this many most likely tokens (`StepReply.candidates`), so
   * the coordinator can skip the next token's embedding call when it is among them.
   */
  candidates?: number;
}

/** Per wanted row, a few likely next tokens and their embedding rows (what an embedding call would give). */
export interface Candidates {
  /** Token ids [wanted, k]. */
  ids: Int32Array;
  /** Their embedding rows [wanted, k, hidden] f32. */
  rows: Float32Array;
}

/** What a shard gives back. */
export interface StepReply {
  /** The shard instance (new at every load). */
  instance: number;
  /** Per session of the request: the epoch of its cache on this shard. */
  epochs: number[];
  /** Hidden rows out [rows, hidden] (no lm_head here). */
  hidden?: Float32Array;
  /** Logits of the wanted rows over this shard's lm_head rows [wanted, head rows]. */
  logits?: Float32Array;
  /** When the request asked for them: likely next tokens of each wanted row, among this slice's rows. */
  candidates?: Candidates;
  /**
   * Set by links that read answers into buffers they use again: gives the
   * buffer back, after which `hidden` and `logits` must not be read. Call it
   * once the rows have been used (copied, or sent on in a call that has
   * answered); a reply never released is only garbage.
   */
  release?: () => void;
}

/** What a shard says about itself. */
export interface ShardInfo {
  /** The shard instance (new at every load). */
  instance: number;
  /** What it holds. */
  part: PartRanges;
  /** The same, in words. */
  holds: string;
  /** Bytes of WebAssembly memory: weights, KV caches, scratch, whole. */
  memory: { weights: number; kvCache: number; scratch: number; total: number };
  /** Sessions held, and slots. */
  sessions: { held: number; slots: number };
  /** The kernel build it runs (`"relaxed"` or `"plain"` SIMD). */
  kernels: "relaxed" | "plain";
  /** The ternary tiles it chose (layer shards; others run no ternary kernel). */
  tiles?: TileReport;
  /** lm_head weights (of the rows it holds). */
  lmHead: "bf16" | "int8";
  /** KV cache precision. */
  kvCache: "f16" | "f32";
  /** Positions per session. */
  contextLength: number;
  /** Rows per step at most. */
  blockSize: number;
}

interface Held {
  slot: number;
  epoch: number;
  used: number;
}

/** One shard: a kernel instance holding part of a model. */
export class Shard {
  readonly #e: Engine;
  readonly #sessions = new Map<string, Held>();
  readonly #free: number[];
  #epochs = 0;
  /** Where `embed(tokens, true)` writes (grown as needed, reused). */
  #embedOut = new Float32Array(0);
  /** The model's shape. */
  readonly config: ModelConfig;
  /** What it holds. */
  readonly part: PartRanges;
  /** A session not stepped for this long (ms) may be evicted when every slot is taken. */
  readonly idleMs: number;
  /** The ternary tiles chosen at load (layer shards). */
  tiles?: TileReport;
  /** New at every load: a coordinator that sees another one knows the shard restarted. */
  readonly instance: number = crypto.getRandomValues(new Uint32Array(1))[0];

  /**
   * A shard over an engine (`loadShard` builds it).
   * @param engine An engine laid out for `part`, weights in place and prepared.
   * @param config The model's shape.
   * @param part What it holds.
   * @param idleMs A session not stepped for this long may be evicted when every slot is taken.
   */
  constructor(engine: Engine, config: ModelConfig, part: PartRanges, idleMs = 300_000) {
    this.#e = engine;
    this.config = config;
    this.part = part;
    this.idleMs = idleMs;
    this.#free = Array.from({ length: engine.sessions }, (_, i) => engine.sessions - 1 - i);
  }

  /** Whether it holds decoder layers (and so KV caches). */
  get hasLayers(): boolean {
    return size(this.part.layers) > 0;
  }

  /** Rows per step at most. */
  get blockSize(): number {
    return this.#e.block;
  }

  /** What it holds and what that costs. */
  info(): ShardInfo {
    const k = this.#e.k;
    return {
      instance: this.instance,
      part: this.part,
      holds: describePart(this.part),
      memory: {
        weights: k.memory_bytes(MemoryKind.WEIGHTS),
        kvCache: k.memory_bytes(MemoryKind.KV_CACHE),
        scratch: k.memory_bytes(MemoryKind.SCRATCH),
        total: k.memory.buffer.byteLength,
      },
      sessions: { held: this.#sessions.size, slots: this.#e.sessions },
      kernels: k.kernel_path() === SimdBuild.RELAXED ? "relaxed" : "plain",
      lmHead: k.lm_head_mode() === LmHead.Q8 ? "int8" : "bf16",
      kvCache: this.#e.kvCache,
      ...(this.tiles ? { tiles: this.tiles } : {}),
      contextLength: this.#e.ctx,
      blockSize: this.#e.block,
    };
  }

  /**
   * Runs rows through what this shard holds. With `view`, the reply's rows are a view
   * into the shard's memory, valid until its next call (a transport that encodes them at
   * once copies nothing); else a copy.
   * @throws {ShardError} `lost` when a session's cache is shorter than its `pos`, `full` when a new session finds
   *   no slot, `bad` for a malformed request; nothing has changed then.
   */
  step(req: StepRequest, view = false): StepReply {
    const k = this.#e.k, h = this.config.hiddenSize, block = this.#e.block;
    const n = req.sessions.reduce((a, s) => a + s.rows, 0);
    const fromTokens = req.tokens !== undefined;
    if (n === 0 || n > block) throw new ShardError("bad", `a step takes 1 to ${block} rows, got ${n}`);
    if (req.want.length !== n) throw new ShardError("bad", `want has ${req.want.length} entries for ${n} rows`);
    if (fromTokens ? req.tokens!.length !== n : req.hidden?.length !== n * h) {
      throw new ShardError("bad", `the step's input does not hold ${n} rows`);
    }
    if (fromTokens && !(this.part.embed[0] === 0 && this.part.embed[1] === this.config.vocabSize)) {
      throw new ShardError("bad", "this shard does not hold the whole embedding: send it hidden rows");
    }
    const V = this.config.vocabSize;
    const k0 = req.candidates ?? 0;
    if (k0 !== 0) this.#checkCandidates(k0);
    if (fromTokens && req.tokens!.some((t) => t < 0 || t >= V)) {
      throw new ShardError("bad", `a token id is outside the vocabulary [0, ${V})`); // before any cache is touched
    }
    const epochs = this.hasLayers ? this.#bind(req.sessions) : req.sessions.map(() => 0);
    const mem = k.memory.buffer;
    if (fromTokens) new Int32Array(mem, k.tokens_ptr(), n).set(req.tokens!);
    else new Float32Array(mem, k.hidden_ptr(), n * h).set(req.hidden!);
    new Uint8Array(mem, k.want_ptr(), n).set(req.want);
    if (this.hasLayers) {
      const rows = new Uint32Array(mem, k.rows_ptr(), n);
      let r = 0;
      for (const s of req.sessions) rows.fill(this.#sessions.get(s.id)!.slot, r, r += s.rows);
    }
    const rc = k.forward_part(n, Logits.WANTED, fromTokens ? PartInput.TOKENS : PartInput.HIDDEN);
    if (rc !== 0) throw new ShardError("bad", kernelError("forward", rc));
    const reply: StepReply = { instance: this.instance, epochs };
    if (size(this.part.head) > 0) {
      const wanted = req.want.reduce((a, w) => a + (w ? 1 : 0), 0);
      const logits = new Float32Array(mem, k.logits_ptr(), wanted * size(this.part.head));
      reply.logits = view ? logits : logits.slice();
      if (k0 !== 0) reply.candidates = this.#candidates(logits, wanted, k0, view);
    } else {
      const hidden = new Float32Array(mem, k.hidden_ptr(), n * h);
      reply.hidden = view ? hidden : hidden.slice();
    }
    return reply;
  }

  /**
   * The embedding rows of the token ids this shard holds (`part.embed`), in order: [held ids, hidden] f32.
   * With `view`, the rows are in a buffer the shard reuses, valid until its next call.
   * @throws {ShardError} `bad` for ids out of the vocabulary or too many at once.
   */
  embed(tokens: Int32Array, view = false): Float32Array {
    const k = this.#e.k, h = this.config.hiddenSize, block = this.#e.block;
    const [e0, e1] = this.part.embed;
    let held = 0;
    const n = tokens.filter((t) => t >= e0 && t < e1).length * h;
    if (view && this.#embedOut.length < n) this.#embedOut = new Float32Array(n);
    const out = view ? this.#embedOut.subarray(0, n) : new Float32Array(n);
    for (let i = 0; i < tokens.length; i += block) {
      const part = tokens.subarray(i, i + block);
      new Int32Array(k.memory.buffer, k.tokens_ptr(), part.length).set(part);
      const rc = k.embed_part(part.length);
      if (rc < 0) throw new ShardError("bad", kernelError("forward", rc));
      const x = new Float32Array(k.memory.buffer, k.hidden_ptr(), part.length * h);
      part.forEach((t, j) => {
        if (t >= e0 && t < e1) out.set(x.subarray(j * h, (j + 1) * h), h * held++);
      });
    }
    return out;
  }

  /** `bad` unless this shard can give `k` candidates a row: an lm_head slice holding its rows' embedding. */
  #checkCandidates(k: number): void {
    const [h0, h1] = this.part.head, [e0, e1] = this.part.embed;
    if (!Number.isInteger(k) || k < 0 || k > MAX_CANDIDATES) {
      throw new ShardError("bad", `candidates must be an integer in [0, ${MAX_CANDIDATES}], got ${k}`);
    }
    if (h1 - h0 < k || this.hasLayers || e0 > h0 || e1 < h1) {
      throw new ShardError(
        "bad",
        `shard ${
          describePart(this.part)
        } cannot give candidates: it needs an lm_head slice of at least ${k} rows and their embedding`,
      );
    }
  }

  /** The `k` most likely ids of each wanted row among this slice's rows (first of equals), with their embedding rows. */
  #candidates(logits: Float32Array, wanted: number, k: number, view: boolean): Candidates {
    const rows = size(this.part.head), h0 = this.part.head[0];
    const ids = new Int32Array(wanted * k);
    for (let w = 0; w < wanted; w++) {
      const row = logits.subarray(w * rows, (w + 1) * rows), top = ids.subarray(w * k, (w + 1) * k);
      let n = 0; // top[0..n) holds local indices, most likely first
      for (let i = 0; i < rows; i++) {
        const v = row[i];
        if (n === k && !(v > row[top[k - 1]])) continue;
        let j = n < k ? n++ : k - 1;
        while (j > 0 && v > row[top[j - 1]]) top[j] = top[--j];
        top[j] = i;
      }
      for (let j = 0; j < k; j++) top[j] += h0;
    }
    return { ids, rows: this.embed(ids, view) }; // the logits stay valid: embedding writes elsewhere
  }

  /** Frees the caches of these sessions (unknown ids are ignored). */
  drop(ids: readonly string[]): void {
    for (const id of ids) {
      const s = this.#sessions.get(id);
      if (!s) continue;
      this.#sessions.delete(id);
      this.#free.push(s.slot);
    }
  }

  /** Ids of the sessions held (for tests and `/health`). */
  sessionIds(): string[] {
    return [...this.#sessions.keys()];
  }

  /** Ends the instance's threads; the shard stops working. */
  dispose(): void {
    stopEngine(this.#e);
  }

  /** Checks every session of a step (nothing changes on a refusal), then takes slots and truncates caches. */
  #bind(sessions: StepSession[]): number[] {
    const k = this.#e.k, ctx = this.#e.ctx, now = Date.now();
    const ids = new Set<string>();
    let fresh = 0;
    for (const s of sessions) {
      if (typeof s.id !== "string" || s.id === "" || ids.has(s.id)) {
        throw new ShardError("bad", `session ids must be distinct non-empty strings, got ${JSON.stringify(s.id)}`);
      }
      ids.add(s.id);
      if (!Number.isInteger(s.pos) || s.pos < 0 || !Number.isInteger(s.rows) || s.pos + s.rows > ctx) {
        throw new ShardError("bad", `session ${s.id}: rows at ${s.pos}..${s.pos + s.rows} do not fit ${ctx} positions`);
      }
      const held = this.#sessions.get(s.id);
      const have = held ? k.session_pos(held.slot) : 0;
      if (s.pos > have) {
        throw new ShardError(
          "lost",
          `shard ${
            describePart(this.part)
          }: session ${s.id} holds ${have} positions here, not ${s.pos} (evicted or restarted)`,
        );
      }
      if (!held) fresh++;
    }
    if (fresh > this.#free.length) this.#evict(fresh - this.#free.length, ids, now);
    if (fresh > this.#free.length) {
      throw new ShardError(
        "full",
        `shard ${describePart(this.part)}: all ${this.#e.sessions} session slots are in use`,
      );
    }
    return sessions.map((s) => {
      let held = this.#sessions.get(s.id);
      if (!held) {
        held = { slot: this.#free.pop()!, epoch: ++this.#epochs, used: now };
        this.#sessions.set(s.id, held);
      }
      held.used = now;
      k.session_truncate(held.slot, s.pos);
      return held.epoch;
    });
  }

  /** Frees up to `n` slots of sessions idle for `idleMs` (least recently used first), none of `keep`. */
  #evict(n: number, keep: Set<string>, now: number): void {
    const idle = [...this.#sessions].filter(([id, s]) => !keep.has(id) && now - s.used >= this.idleMs)
      .sort((a, b) => a[1].used - b[1].used);
    this.drop(idle.slice(0, n).map(([id]) => id));
  }
}
