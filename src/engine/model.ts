/**
 * A loaded model: one wasm instance whose memory holds the weights once, and
 * the session slots (KV caches) laid out beside them.
 * @module
 */

import { LmHead, Logits, MemoryKind, SimdBuild } from "./abi.ts";
import { EngineError } from "./errors.ts";
import type { Engine } from "./create.ts";
import { kernelError, type KernelExports } from "./kernels.ts";
import type { TileReport } from "./tiles.ts";
import type { ModelConfig } from "./model_config.ts";
import { checkIds, Session } from "./session.ts";

export { EngineError } from "./errors.ts";
export { type FeedOptions, Session } from "./session.ts";

/** What {@linkcode Model.info} reports. */
export interface ModelInfo {
  /** The kernel build (`"relaxed"` or `"plain"` SIMD) and the ternary tiles in use. */
  kernels: { build: "relaxed" | "plain"; tiles: TileReport };
  /** Threads sharing each forward pass, and why not more when fewer than asked or possible. */
  threads: { count: number; reason?: string };
  /** lm_head weights: `"bf16"` as shipped or `"int8"`. */
  lmHead: "bf16" | "int8";
  /** KV cache precision. */
  kvCache: "f16" | "f32";
  /** Positions per session. */
  contextLength: number;
  /** Session slots. */
  maxSessions: number;
  /** Tokens per forward call. */
  blockSize: number;
  /** Bytes in WebAssembly memory. */
  memory: MemoryReport;
}

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

  /** Positions each session holds. */
  readonly contextLength: number;
  /** Session slots (KV caches) allocated at load. */
  readonly maxSessions: number;
  /** Tokens per forward call (prefill block). */
  readonly blockSize: number;
  readonly #engine: Engine;
  readonly #tiles: TileReport;

  /** @internal Built by the loaders (`finishEngine`), once the weights are in place. */
  constructor(
    engine: Engine,
    /** The checked `config.json`. */
    readonly config: ModelConfig,
    /** Where the checkpoint came from. */
    readonly location: string,
    tiles: TileReport,
  ) {
    this.#engine = engine;
    this.#k = engine.k;
    this.#tiles = tiles;
    this.contextLength = engine.ctx;
    this.maxSessions = engine.sessions;
    this.blockSize = engine.block;
    kernelsOf.set(this, engine.k);
    this.#free = Array.from({ length: engine.sessions }, (_, i) => engine.sessions - 1 - i);
  }

  /** How the model runs: kernel build and tiles, lm_head, KV cache, context, sessions, memory. */
  info(): ModelInfo {
    return {
      kernels: { build: this.kernelPath, tiles: { ...this.#tiles } },
      threads: { ...this.#engine.threads },
      lmHead: this.lmHead,
      kvCache: this.#engine.kvCache,
      contextLength: this.contextLength,
      maxSessions: this.maxSessions,
      blockSize: this.blockSize,
      memory: this.memory(),
    };
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
    this.#engine.team?.stop();
    this.#engine.team = undefined;
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
