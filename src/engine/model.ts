/**
 * A loaded model and its sessions. The model's bytes live once, in the wasm
 * instance's memory; a session is one sequence's KV cache slot in it.
 * @module
 */

import type { ModelConfig } from "../load/config.ts";
import { Logits, LmHead, MemoryKind, SimdBuild } from "./abi.ts";
import { kernelError, type KernelExports } from "./kernels.ts";

/** Bytes the engine holds in WebAssembly memory, by purpose. */
export interface MemoryReport {
  /** Weights (embedding, packed ternary projections, norms, lm_head). */
  weights: number;
  /** KV caches of every session slot, at full context. */
  kvCache: number;
  /** Activations, RoPE table and logits buffers. */
  scratch: number;
  /** The whole linear memory (includes the module's stack and data). */
  total: number;
}

/** Checks token ids and context room before anything is fed. */
function checkIds(ids: ArrayLike<number>, vocab: number, position: number, context: number): void {
  const n = ids.length;
  if (n === 0) throw new EngineError("feed needs at least one token id");
  for (let i = 0; i < n; i++) {
    const t = ids[i];
    if (!Number.isInteger(t) || t < 0 || t >= vocab) {
      throw new EngineError(`token id ${t} at index ${i} is outside the vocabulary [0, ${vocab})`);
    }
  }
  if (position + n > context) {
    throw new EngineError(`${n} tokens do not fit: the session holds ${position} of ${context} positions`);
  }
}

/** An error the engine reports for a call it cannot run (full context, bad ids...). */
export class EngineError extends Error {
  /** Always `"EngineError"`. */
  override name = "EngineError";
}

/** Options of `Session.feed`. */
export interface FeedOptions {
  /** Return the logits of every fed position ([n * vocab]) instead of the last one. */
  allLogits?: boolean;
}

/** @internal The kernel instance behind each model (for the image writer); not part of the API. */
export const kernelsOf: WeakMap<Model, KernelExports> = new WeakMap();

/**
 * A Falcon-E model in WebAssembly memory. Create with {@linkcode loadModel}.
 *
 * @example Greedy next token
 * ```ts ignore
 * import { loadModel } from "./mod.ts";
 * const model = await loadModel("tests/fixtures/tiny-falcon-e");
 * using session = model.createSession();
 * const logits = session.feed([1, 2, 3]);
 * model.dispose();
 * ```
 */
export class Model {
  readonly #k: KernelExports;
  readonly #free: number[];
  #disposed = false;

  /** @internal Built by `loadModel`. */
  constructor(
    kernels: KernelExports,
    /** The checked `config.json`. */
    readonly config: ModelConfig,
    /** Positions each session holds. */
    readonly contextLength: number,
    /** Session slots (KV caches) allocated at load. */
    readonly maxSessions: number,
    /** Tokens per forward call (prefill block). */
    readonly blockSize: number,
    /** Where the checkpoint came from. */
    readonly location: string,
  ) {
    this.#k = kernels;
    kernelsOf.set(this, kernels);
    this.#free = Array.from(
      { length: maxSessions },
      (_, i) => maxSessions - 1 - i,
    );
  }

  /** Bytes of weights, KV cache and scratch in WebAssembly memory. */
  memory(): MemoryReport {
    const k = this.#k;
    return {
      weights: k.memory_bytes(MemoryKind.WEIGHTS),
      kvCache: k.memory_bytes(MemoryKind.KV_CACHE),
      scratch: k.memory_bytes(MemoryKind.SCRATCH),
      total: this.#disposed ? 0 : k.memory.buffer.byteLength,
    };
  }

  /** lm_head weights in use: `"bf16"` as shipped, or `"int8"` (the `lmHead` load option). */
  get lmHead(): "bf16" | "int8" {
    return this.#k.lm_head_mode() === LmHead.Q8 ? "int8" : "bf16";
  }

  /** Which ternary kernels run: `"relaxed"` (relaxed SIMD) or `"plain"` (SIMD128). */
  get kernelPath(): "relaxed" | "plain" {
    return this.#k.kernel_path() === SimdBuild.RELAXED ? "relaxed" : "plain";
  }

  /** Session slots not in use. */
  get freeSessions(): number {
    return this.#free.length;
  }

  /**
   * Takes a free session slot: an empty KV cache of `contextLength` positions.
   * @throws {EngineError} when every slot is in use or the model is disposed.
   */
  createSession(): Session {
    this.#alive();
    const slot = this.#free.pop();
    if (slot === undefined) {
      throw new EngineError(
        `all ${this.maxSessions} session slots are in use; dispose one or load with a larger maxSessions`,
      );
    }
    this.#k.session_truncate(slot, 0);
    return new Session(this, this.#k, slot, () => this.#free.push(slot));
  }

  /**
   * Feeds several sessions at once: their rows go through the model together,
   * so every weight read serves all of them (continuous batching). Each entry's
   * tokens follow what its session already holds. Checks everything first: on
   * an error nothing has been fed.
   *
   * @param entries Sessions of this model (each at most once) with their token ids.
   * @returns The logits after each entry's last token, in entry order (copies).
   * @throws {EngineError} for a foreign or disposed session, bad ids or a full context.
   */
  feedBatch(entries: readonly { session: Session; ids: ArrayLike<number> }[]): Float32Array[] {
    this.#alive();
    const vocab = this.config.vocabSize;
    const seen = new Set<number>();
    for (const { session, ids } of entries) {
      if (session.model !== this) throw new EngineError("feedBatch got a session of another model");
      if (seen.has(session.slot)) throw new EngineError("feedBatch got the same session twice");
      seen.add(session.slot);
      checkIds(ids, vocab, session.position, this.contextLength);
    }
    const k = this.#k;
    const block = this.blockSize;
    const out = entries.map(() => new Float32Array(vocab));
    // rows of one session stay consecutive; calls of at most `block` rows
    const rows: { entry: number; id: number; last: boolean }[] = [];
    entries.forEach(({ ids }, e) => {
      for (let i = 0; i < ids.length; i++) rows.push({ entry: e, id: ids[i], last: i === ids.length - 1 });
    });
    for (let i = 0; i < rows.length; i += block) {
      const part = rows.slice(i, i + block);
      const tok = new Int32Array(k.memory.buffer, k.tokens_ptr(), block);
      const slots = new Uint32Array(k.memory.buffer, k.rows_ptr(), block);
      const want = new Uint8Array(k.memory.buffer, k.want_ptr(), block);
      part.forEach((r, j) => {
        tok[j] = r.id;
        slots[j] = entries[r.entry].session.slot;
        want[j] = r.last ? 1 : 0; // prompt rows skip the lm_head
      });
      const rc = k.forward_rows(part.length, Logits.WANTED);
      if (rc !== 0) throw new EngineError(kernelError("forward", rc));
      const wanted = part.filter((r) => r.last);
      const logits = new Float32Array(k.memory.buffer, k.logits_ptr(), wanted.length * vocab);
      wanted.forEach((r, j) => out[r.entry].set(logits.subarray(j * vocab, (j + 1) * vocab)));
    }
    return out;
  }

  /** Releases the instance (and with it every weight byte). Sessions stop working. */
  dispose(): void {
    this.#disposed = true;
    this.#free.length = 0;
  }

  /** @internal */
  get disposed(): boolean {
    return this.#disposed;
  }

  #alive(): void {
    if (this.#disposed) throw new EngineError("the model has been disposed");
  }
}

/** One sequence's KV cache. Feed token ids, read logits. */
export class Session {
  #open = true;
  /** @internal Built by `Model.createSession`. */
  constructor(
    /** The model this session runs on. */
    readonly model: Model,
    private readonly k: KernelExports,
    /** The KV cache slot this session owns (an index below `model.maxSessions`). */
    readonly slot: number,
    private readonly release: () => void,
  ) {}

  /** Tokens in the cache. */
  get position(): number {
    this.#check();
    return this.k.session_pos(this.slot);
  }

  /** Room left in the context. */
  get remaining(): number {
    return this.model.contextLength - this.position;
  }

  /**
   * Runs token ids through the model after what the cache already holds.
   * Checks everything first: on an error nothing has been fed.
   *
   * @param ids Token ids, each in [0, vocab).
   * @returns The last position's logits (vocab floats), or with `allLogits`
   *   every fed position's, row after row. The array is a copy the caller owns.
   * @throws {EngineError} for ids out of the vocabulary or a full context.
   */
  feed(ids: ArrayLike<number>, options: FeedOptions = {}): Float32Array {
    this.#check();
    // the last position's logits only: feedBatch runs the lm_head for that row alone
    if (options.allLogits !== true) return this.model.feedBatch([{ session: this, ids }])[0];
    const n = ids.length;
    const vocab = this.model.config.vocabSize;
    checkIds(ids, vocab, this.position, this.model.contextLength);
    const out = new Float32Array(n * vocab);
    const block = this.model.blockSize;
    const tok = new Int32Array(this.k.memory.buffer, this.k.tokens_ptr(), block);
    for (let i = 0; i < n; i += block) {
      const m = Math.min(block, n - i);
      for (let j = 0; j < m; j++) tok[j] = ids[i + j];
      const rc = this.k.forward(this.slot, m, 1);
      if (rc !== 0) throw new EngineError(kernelError("forward", rc));
      out.set(new Float32Array(this.k.memory.buffer, this.k.logits_ptr(), m * vocab), i * vocab);
    }
    return out;
  }

  /** Keeps the first `n` cached tokens (for reusing a shared prompt prefix). */
  truncate(n: number): void {
    this.#check();
    if (!Number.isInteger(n) || n < 0 || n > this.position) {
      throw new EngineError(
        `cannot truncate to ${n}: the session holds ${this.position} tokens`,
      );
    }
    this.k.session_truncate(this.slot, n);
  }

  /** Empties the cache. */
  reset(): void {
    this.truncate(0);
  }

  /** Returns the slot to the model. Safe to call twice. */
  dispose(): void {
    if (!this.#open) return;
    this.#open = false;
    if (!this.model.disposed) this.release();
  }

  /** `using session = model.createSession()` disposes it at scope end. */
  [Symbol.dispose](): void {
    this.dispose();
  }

  #check(): void {
    if (!this.#open) throw new EngineError("the session has been disposed");
    if (this.model.disposed) {
      throw new EngineError("the model has been disposed");
    }
  }
}
