/**
 * A session's cached token ids, for prompt-prefix reuse.
 * @module
 */

import type { Batcher } from "./batcher.ts";
import type { EngineSession } from "../engine/served.ts";

/**
 * An engine session (one of the model's KV cache slots) that remembers the
 * token ids its cache holds, so that a prompt sharing a prefix with the last
 * one (a chat growing turn by turn) skips it.
 */
export class CachedSession {
  /** Token ids in the cache, in order. */
  readonly ids: number[] = [];
  /** Prompt tokens the last `prefill` took from the cache instead of recomputing. */
  reused = 0;
  /**
   * Remembers what `engine`'s cache holds (nothing yet).
   * @param engine The engine session whose KV cache this manages.
   * @param batcher Runs this session's tokens together with the other sessions'.
   */
  constructor(readonly engine: EngineSession, readonly batcher: Batcher) {}

  /**
   * Brings the cache to exactly `prompt` and returns the logits after it.
   * Keeps the longest common prefix with what the cache holds (at least one
   * token is always run, to produce logits). `progress` hears the prompt
   * tokens in the cache (reused ones included) after each pass.
   */
  async prefill(
    prompt: number[],
    signal?: AbortSignal,
    progress?: (done: number, total: number) => void,
  ): Promise<Float32Array> {
    let keep = 0;
    const max = Math.min(this.ids.length, prompt.length - 1);
    while (keep < max && this.ids[keep] === prompt[keep]) keep++;
    this.engine.truncate(keep);
    this.ids.length = keep;
    this.reused = keep;
    const rest = prompt.slice(keep);
    try {
      const report = progress && ((fed: number) => progress(keep + fed, prompt.length));
      const logits = await this.batcher.feed(this.engine, rest, signal, report);
      this.ids.push(...rest);
      return logits;
    } catch (e) {
      this.#resync();
      throw e;
    }
  }

  /** Runs one generated token (batched with the other sessions'); returns the next logits. */
  async step(id: number, signal?: AbortSignal): Promise<Float32Array> {
    try {
      const logits = await this.batcher.feed(this.engine, [id], signal);
      this.ids.push(id);
      return logits;
    } catch (e) {
      this.#resync();
      throw e;
    }
  }

  /** After a failure the cache may hold part of a feed: forget what it holds. */
  #resync(): void {
    this.engine.truncate(0);
    this.ids.length = 0;
  }
}
