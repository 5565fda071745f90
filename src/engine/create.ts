/**
 * A fresh kernel instance with a model laid out in it: options checked, memory
 * grown once, the limit enforced. Loaders fill the weights in afterwards.
 * @module
 */

import { Limits } from "./abi.ts";
import { EngineError } from "./errors.ts";
import {
  defaultKernelPath,
  instantiateKernels,
  isThreadedModule,
  kernelError,
  type KernelExports,
  kernelModule,
} from "./kernels.ts";
import { startTeam, type Team, threadSupport } from "./threads.ts";
import { Model } from "./model.ts";
import type { ModelConfig } from "./model_config.ts";
import { chooseTiles, TILE_CHOICES, type TileChoice } from "./tiles.ts";

/** How the engine lays a model out: context, sessions, precision, memory. */
export interface EngineOptions {
  /** Positions per session (default: the smaller of 2048 and the model's max_position_embeddings). */
  contextLength?: number;
  /** KV cache slots allocated up front (default 1). */
  maxSessions?: number;
  /**
   * KV cache precision. `"f32"` (the default) is transformers' float32 cache:
   * logits match the reference to ~1e-5. `"f16"` halves the cache (Falcon-E-1B
   * at 2048 positions: 50 MB instead of 100 MB) and moves logits by up to 0.066
   * on the test fixtures (argmax and greedy output unchanged there); the edge
   * deploy entries use it.
   */
  kvCache?: "f16" | "f32";
  /**
   * lm_head weights. `"bf16"` (the default) computes logits from the weights as
   * shipped, exactly as transformers does. `"int8"` quantizes them while they
   * load, a few rows at a time as they stream in, to 8-bit bytes with one
   * scale per row (7-bit levels, see `wasm/src/kernels/matmul_q8.rs`) and the
   * normed hidden state to int8: half the lm_head bytes per token, in memory
   * too (the BF16 matrix is never whole), and faster decoding, with logits
   * moved slightly (`bench/lm_head_agreement.ts` measures top-1 agreement with BF16).
   */
  lmHead?: "bf16" | "int8";
  /** Tokens per forward call while prefilling (default 32, at most 64). */
  blockSize?: number;
  /** Refuse a model whose WebAssembly memory (weights + KV caches + scratch) would exceed this many bytes. */
  maxMemoryBytes?: number;
  /** A compiled kernel module to use (Workers import it statically); default: fetched next to this package. */
  kernels?: WebAssembly.Module;
  /**
   * The relaxed build's ternary tiles: `"auto"` (the default) times `"dot16"`,
   * `"dot-add"` and `"mixed"` on the model's own layer at load and keeps the
   * fastest for decoding and for prefill; naming one forces it. Speed only:
   * logits are the same bit for bit.
   */
  ternaryTiles?: TileChoice;
  /**
   * Threads sharing each forward pass (default: `navigator.hardwareConcurrency`,
   * capped by what the runtime allows: one where it has no Workers or shared
   * memory, such as Cloudflare Workers). Every thread computes whole rows and
   * heads, so logits are bit-identical for any count.
   */
  threads?: number;
}

/** Ranges of a model one instance holds (a pipeline shard; `src/shard/part.ts` checks them). */
export interface LayoutPart {
  /** Decoder layers [from, to). */
  layers: [number, number];
  /** Embedding rows [from, to). */
  embed: [number, number];
  /** lm_head rows [from, to), with the final norm. */
  head: [number, number];
}

/** An instance with the model's layout in place (weights still zero). */
export interface Engine {
  /** The instance's exports. */
  k: KernelExports;
  /** Positions per session. */
  ctx: number;
  /** Session slots. */
  sessions: number;
  /** Token rows per forward call. */
  block: number;
  /** KV cache precision. */
  kvCache: "f16" | "f32";
  /** The tiles option, applied once the weights are in (`finishEngine`). */
  tiles: TileChoice;
  /** Threads in use, and why not more when fewer than asked. */
  threads: { count: number; reason?: string };
  /** The other threads (when more than one). */
  team?: Team;
}

/** Threads to use: as asked (or every core), capped by the runtime and the kernel module given. */
function threadCount(options: EngineOptions): { count: number; reason?: string } {
  const support = threadSupport();
  const asked = options.threads ?? support.max;
  intIn("threads", asked, 1, 256);
  if (asked > 1 && options.kernels && !isThreadedModule(options.kernels)) {
    return { count: 1, reason: "the kernel module given is not a shared-memory (threaded) build" };
  }
  if (asked > support.max) {
    return { count: support.max, reason: support.reason ?? `capped at the ${support.max} cores the runtime reports` };
  }
  return { count: asked };
}

/** Whether this thread may block in `memory.atomic.wait32` (a browser's main thread may not). */
function canBlock(): boolean {
  const g = globalThis as { Deno?: unknown; process?: unknown; document?: unknown };
  return Boolean(g.Deno || g.process || !g.document);
}

/** Ends an engine's other threads (a failed load, or a disposed model). */
export function stopEngine(e: Engine): void {
  e.team?.stop();
  e.team = undefined;
}

/** A choice among fixed strings, or a RangeError naming the option. */
function oneOf<T extends string>(name: string, v: T | undefined, allowed: readonly T[]): void {
  if (v !== undefined && !allowed.includes(v)) {
    throw new RangeError(`${name} must be ${allowed.map((a) => `"${a}"`).join(" or ")}, got ${JSON.stringify(v)}`);
  }
}

/** An integer option in [min, max], or a RangeError naming it. */
function intIn(name: string, v: number, min: number, max: number): void {
  if (!Number.isInteger(v) || v < min || v > max) {
    throw new RangeError(`${name} must be an integer in [${min}, ${max}], got ${v}`);
  }
}

/**
 * Checks the options, instantiates the kernels and lays the model out.
 * @param config The model's shape.
 * @param options Context, sessions, precision, memory limit, kernel module.
 * @param where The model's location, for messages.
 * @param part Only these ranges of the model (a pipeline shard); default: all of it.
 * @throws {RangeError} naming an option out of range.
 * @throws {EngineError} when the kernels refuse the shape or it exceeds `maxMemoryBytes`.
 */
export async function createEngine(
  config: ModelConfig,
  options: EngineOptions,
  where: string,
  part?: LayoutPart,
): Promise<Engine> {
  const ctx = options.contextLength ?? Math.min(2048, config.maxPositions);
  const sessions = options.maxSessions ?? 1;
  const block = options.blockSize ?? 32;
  intIn("contextLength", ctx, 1, config.maxPositions);
  intIn("maxSessions", sessions, 1, 256);
  intIn("blockSize", block, 1, Limits.MAX_BLOCK);
  oneOf("kvCache", options.kvCache, ["f16", "f32"]);
  oneOf("lmHead", options.lmHead, ["bf16", "int8"]);
  oneOf("ternaryTiles", options.ternaryTiles, TILE_CHOICES);
  const threads = threadCount(options);
  const module = options.kernels ?? await kernelModule(defaultKernelPath(), threads.count > 1);
  const k = await instantiateKernels(module);
  const c = config;
  if (part) k.model_part(...part.layers, ...part.embed, ...part.head);
  const rc = k.model_create(
    c.numLayers,
    c.hiddenSize,
    c.intermediateSize,
    c.numHeads,
    c.numKvHeads,
    c.headDim,
    c.vocabSize,
    c.rmsNormEps,
    c.ropeTheta,
    ctx,
    sessions,
    block,
    options.kvCache === "f16" ? 0 : 1,
    options.lmHead === "int8" ? 1 : 0,
    threads.count,
  );
  if (rc !== 0) throw new EngineError(`${where}: ${kernelError("model_create", rc)}`);
  const need = k.memory.buffer.byteLength;
  if (options.maxMemoryBytes !== undefined && need > options.maxMemoryBytes) {
    const mb = (n: number) => (n / 1e6).toFixed(1);
    throw new EngineError(
      `${where}: the model needs ${mb(need)} MB of WebAssembly memory (context ${ctx} x ${sessions} sessions), ` +
        `over the ${mb(options.maxMemoryBytes)} MB limit`,
    );
  }
  const engine: Engine = {
    k,
    ctx,
    sessions,
    block,
    kvCache: options.kvCache ?? "f32",
    tiles: options.ternaryTiles ?? "auto",
    threads,
  };
  if (threads.count > 1) {
    k.threads_can_wait(canBlock() ? 1 : 0);
    engine.team = await startTeam(
      module,
      k.memory,
      threads.count,
      (t) => k.thread_stack_top(t),
      () => k.threads_stop!(),
    );
  }
  return engine;
}

/**
 * The model of an engine whose weights are in place and prepared: the
 * ternary tiles chosen (measured, for `"auto"`), the sessions ready.
 * @param e The engine.
 * @param config The model's shape.
 * @param location Where the weights came from.
 */
export function finishEngine(e: Engine, config: ModelConfig, location: string): Model {
  return new Model(e, config, location, chooseTiles(e.k, e.tiles, e.block));
}
