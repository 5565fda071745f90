/**
 * What the text side needs of a model to serve it: sessions, batched feeding
 * and a report of itself. {@linkcode Model} (one wasm instance) is one; a
 * pipeline of shards (`src/shard/coordinator.ts`) is another, whose feeding
 * is asynchronous because its shards are elsewhere.
 * @module
 */

import type { ModelConfig } from "./model_config.ts";
import type { MemoryReport, ModelInfo } from "./model.ts";

/** One sequence's KV cache, as the scheduler uses it. */
export interface EngineSession {
  /** Tokens in the cache. */
  readonly position: number;
  /** Keeps the first `n` cached tokens. */
  truncate(n: number): void;
  /** Returns the slot. */
  dispose(): void;
}

/** A model that can be served: a {@linkcode Model}, or a pipeline of shards. */
export interface ServedModel {
  /** The checked `config.json`. */
  readonly config: ModelConfig;
  /** Where the weights came from. */
  readonly location: string;
  /** Positions per session. */
  readonly contextLength: number;
  /** Session slots. */
  readonly maxSessions: number;
  /** Rows per forward call. */
  readonly blockSize: number;
  /** Rows the batcher hands over per pass (default `blockSize`; a pipeline takes several blocks to overlap its stages). */
  readonly passRows?: number;
  /**
   * Feed each session on its own, from the caller (a pipeline): its calls
   * are I/O that Workers must see in the request that waits on it (a request
   * waiting on another's I/O is cancelled as hung), and sessions fed at once
   * overlap across the shards anyway. Unset: rows of many sessions share one pass.
   */
  readonly direct?: boolean;
  /** Session slots not in use. */
  readonly freeSessions: number;
  /** lm_head weights in use. */
  readonly lmHead: "bf16" | "int8";
  /** How it runs. */
  info(): ModelInfo;
  /** Bytes of WebAssembly memory it holds. */
  memory(): MemoryReport;
  /** Takes a free session slot. */
  createSession(): EngineSession;
  /** Feeds several sessions at once; the logits after each entry's last token (a promise only for a `direct` model). */
  feedBatch(
    entries: readonly { session: EngineSession; ids: ArrayLike<number> }[],
  ): Float32Array[] | Promise<Float32Array[]>;
  /** Releases it. */
  dispose(): void;
}
