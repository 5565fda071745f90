/**
 * A session of a pipeline: its id on every shard and the token ids the
 * coordinator keeps for it (what a lost cache is rebuilt from).
 * @module
 */

import { EngineError } from "../engine/errors.ts";
import type { Pipeline } from "./coordinator.ts";

/** A sequence's KV caches across the shards; the coordinator keeps its token ids. */
export class PipelineSession {
  /** Token ids the shards' caches hold (in the coordinator's view). */
  readonly ids: number[] = [];
  #open = true;
  /** @internal Built by {@linkcode Pipeline.createSession}. */
  constructor(readonly pipeline: Pipeline, readonly id: string, private readonly release: () => void) {}

  /** Tokens in the caches. */
  get position(): number {
    return this.ids.length;
  }

  /** Keeps the first `n` tokens (the shards keep that prefix on the next step). */
  truncate(n: number): void {
    if (!Number.isInteger(n) || n < 0 || n > this.ids.length) {
      throw new EngineError(`cannot truncate to ${n}: the session holds ${this.ids.length} tokens`);
    }
    this.ids.length = n;
  }

  /** Feeds token ids; the logits after the last. */
  async feed(ids: ArrayLike<number>): Promise<Float32Array> {
    return (await this.pipeline.feedBatch([{ session: this, ids }]))[0];
  }

  /** Frees the caches on every shard. Safe to call twice. */
  dispose(): void {
    if (!this.#open) return;
    this.#open = false;
    this.release();
  }

  /** Whether `dispose` has not run. */
  get open(): boolean {
    return this.#open;
  }
}
