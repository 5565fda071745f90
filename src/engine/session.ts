/**
 * A session: one sequence's KV cache slot in a model's memory.
 * @module
 */

import { EngineError } from "./errors.ts";
import { kernelError, type KernelExports } from "./kernels.ts";
import type { Model } from "./model.ts";

/** Checks token ids and context room before anything is fed. */
export function checkIds(ids: ArrayLike<number>, vocab: number, position: number, context: number): void {
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

/** Options of `Session.feed`. */
export interface FeedOptions {
  /** Return the logits of every fed position ([n * vocab]) instead of the last one. */
  allLogits?: boolean;
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
