/**
 * Splitting a model into shards that each fit one isolate's memory: from
 * `config.json` and a budget, which shards hold what and the bytes each
 * needs (weights + KV caches for N sessions at the context length +
 * scratch), computed as `wasm/src/model.rs` lays a part out (a test holds
 * the two together). Layers go in consecutive, balanced runs; the embedding
 * and the lm_head, too large for one isolate at Falcon-E's vocabulary, in
 * vocabulary slices, each slice's embedding rows and lm_head rows together.
 * @module
 */

import type { ModelConfig } from "../engine/model_config.ts";
import { Limits } from "../engine/abi.ts";
import { describePart, type PartRanges, size } from "./part.ts";

/** An isolate's memory on Cloudflare Workers (Durable Objects too), every plan. */
export const WORKER_MEMORY_BYTES = 128 * 2 ** 20;
/**
 * What a shard's isolate needs besides its WebAssembly memory: the runtime, the
 * shard's code and its JS heap (measured under Deno with `bench/shard_memory.ts`:
 * a few MB; the rest is margin for message buffers of a full block). In workerd
 * the most seen besides the wasm memory was 13.6 MiB (`bench/workerd_sharded.ts`).
 */
export const JS_HEADROOM_BYTES = 16 * 2 ** 20;

/** How shards will be laid out. */
export interface PlanOptions {
  /** Bytes one isolate may use in all (default {@linkcode WORKER_MEMORY_BYTES}). */
  budgetBytes?: number;
  /** Of which the JS heap and runtime take (default {@linkcode JS_HEADROOM_BYTES}). */
  headroomBytes?: number;
  /** Sessions each layer shard holds KV caches for (default 4). */
  sessions?: number;
  /** Positions per session (default 2048, at most the model's). */
  contextLength?: number;
  /** KV cache precision (default `"f16"`, as the edge entries run). */
  kvCache?: "f16" | "f32";
  /** lm_head weights (default `"bf16"`). */
  lmHead?: "bf16" | "int8";
  /** Rows per step (default 32). */
  blockSize?: number;
  /** The kernel module's own memory before any model (its data and stack; default 1.56 MiB, 25 pages, what the builds start with). */
  moduleBytes?: number;
}

/** One shard of a plan. */
export interface PlannedShard {
  /** `shard-0`, `shard-1`, ... in pipeline order. */
  name: string;
  /** What it holds. */
  part: PartRanges;
  /** The same, in words. */
  holds: string;
  /** WebAssembly memory it will need, by purpose, and in all (whole 64 KiB pages). */
  bytes: { weights: number; kvCache: number; scratch: number; total: number };
}

/** A plan: the shards and the settings they were sized for. */
export interface ShardPlan {
  /** In pipeline order: the vocabulary slices, then the layer runs. */
  shards: PlannedShard[];
  /** What the shards were sized for, and the WebAssembly memory each may use. */
  settings: Required<Omit<PlanOptions, "moduleBytes">> & { wasmBudgetBytes: number };
}

/** No plan fits: says why. */
export class PlanError extends Error {
  /** Always `"PlanError"`. */
  override name = "PlanError";
}

const align = (n: number, a: number) => Math.ceil(n / a) * a;

/** Bytes `wasm/src/model.rs` (`Model::create`) lays out for a part, by purpose (module memory not included). */
export function partBytes(
  c: ModelConfig,
  part: PartRanges,
  o: { sessions: number; contextLength: number; kvCache: "f16" | "f32"; lmHead: "bf16" | "int8"; blockSize: number },
): { weights: number; kvCache: number; scratch: number } {
  const h = c.hiddenSize, m = c.intermediateSize, qd = c.numHeads * c.headDim, kvd = c.numKvHeads * c.headDim;
  const nl = size(part.layers), hv = size(part.head), er = size(part.embed), b = o.blockSize, ctx = o.contextLength;
  let at = 0;
  const take = (bytes: number, a = 64) => (at = align(at, a) + bytes);
  take(er * h * 2);
  take(nl * 64); // the Layer table (16 u32 each)
  let stride = 0;
  for (
    const bytes of [h * 2, h * 2, qd / 4 * h, kvd / 4 * h, kvd / 4 * h, h / 4 * qd, m / 4 * h, m / 4 * h, h / 4 * m]
  ) {
    stride = align(stride, 64) + bytes;
  }
  stride = align(stride + 7 * 2 + 4, 64); // the scales and the prepared mark
  take(stride * nl);
  if (nl === 0) take(4);
  take(hv > 0 ? h * 2 : 0);
  take(hv * h * (o.lmHead === "int8" ? 1 : 2));
  const weights = at;
  take(o.sessions * nl * 2 * ctx * kvd * (o.kvCache === "f32" ? 4 : 2));
  const kvCache = at - weights;
  const maxIn = Math.max(h, m, qd), maxOut = Math.max(maxIn, kvd);
  take(nl > 0 ? ctx * c.headDim * 4 : 0);
  take(o.lmHead === "int8" ? hv * 4 : 0);
  take(o.sessions * 4, 16);
  for (const bytes of [b * h * 4, b * h * 4, b * qd * 4, b * kvd * 4, b * kvd * 4, b * qd * 4, b * m * 4, b * m * 4]) {
    take(bytes);
  }
  take(b * maxIn);
  take(b * 4);
  take(b * maxOut * 4);
  take((c.numHeads * ctx + c.headDim * 64) * 4); // attention scores, one thread (V_CHUNK 64)
  take(b * hv * 4);
  take(b * 4), take(b * 4), take(b * 4), take(b);
  take(o.lmHead === "int8" ? Math.min(hv, 64) * h * 2 : 0);
  take(0, 16);
  return { weights, kvCache, scratch: at - weights - kvCache };
}

/**
 * Plans shards for a model within a per-isolate budget.
 * @throws {PlanError} when even one layer or a 4-row vocabulary slice does not fit, saying what it needs.
 */
export function planShards(c: ModelConfig, options: PlanOptions = {}): ShardPlan {
  const settings = {
    budgetBytes: options.budgetBytes ?? WORKER_MEMORY_BYTES,
    headroomBytes: options.headroomBytes ?? JS_HEADROOM_BYTES,
    sessions: options.sessions ?? 4,
    contextLength: options.contextLength ?? Math.min(2048, c.maxPositions),
    kvCache: options.kvCache ?? "f16",
    lmHead: options.lmHead ?? "bf16",
    blockSize: options.blockSize ?? 32,
  };
  const moduleBytes = options.moduleBytes ?? 1_638_400;
  const wasmBudget = settings.budgetBytes - settings.headroomBytes;
  if (settings.contextLength < 1 || settings.contextLength > c.maxPositions) {
    throw new PlanError(`the context length must be in [1, ${c.maxPositions}], got ${settings.contextLength}`);
  }
  if (settings.blockSize < 1 || settings.blockSize > Limits.MAX_BLOCK) {
    throw new PlanError(`the block size must be in [1, ${Limits.MAX_BLOCK}], got ${settings.blockSize}`);
  }
  const mb = (n: number) => `${(n / 2 ** 20).toFixed(1)} MiB`;
  if (wasmBudget <= moduleBytes) {
    throw new PlanError(
      `a ${mb(settings.budgetBytes)} budget leaves nothing after ${mb(settings.headroomBytes)} of headroom`,
    );
  }
  const sized = (part: PartRanges) => {
    const b = partBytes(c, part, settings);
    const total = align(moduleBytes + b.weights + b.kvCache + b.scratch, 65536);
    return { ...b, total };
  };
  const fits = (part: PartRanges) => sized(part).total <= wasmBudget;
  const none: [number, number] = [0, 0];
  const V = c.vocabSize, L = c.numLayers;
  const whole: PartRanges = { layers: [0, L], embed: [0, V], head: [0, V] };
  const parts: PartRanges[] = [];
  if (fits(whole)) parts.push(whole);
  else {
    // layers: the fewest shards whose balanced runs fit
    let n = 1;
    const runs = (k: number) =>
      Array.from({ length: k }, (_, i) => [Math.floor(L * i / k), Math.floor(L * (i + 1) / k)]);
    const one = { layers: [0, 1] as [number, number], embed: none, head: none };
    if (!fits(one)) {
      throw new PlanError(
        `one layer needs ${
          mb(sized(one).total)
        } of WebAssembly memory (${settings.sessions} sessions x ${settings.contextLength} positions of KV cache), ` +
          `over the ${mb(wasmBudget)} a ${
            mb(settings.budgetBytes)
          } isolate leaves; try fewer sessions or a shorter context`,
      );
    }
    while (!runs(n).every(([a, b]) => fits({ layers: [a, b], embed: none, head: none }))) n++;
    // the vocabulary: the fewest slices (of whole 4-row groups) holding embedding and lm_head rows together
    const groups = Math.ceil(V / 4);
    const slices = (k: number) =>
      Array.from({ length: k }, (_, i): [number, number] => [
        4 * Math.floor(groups * i / k),
        Math.min(V, 4 * Math.floor(groups * (i + 1) / k)),
      ]);
    const tiny = { layers: none, embed: [0, 4] as [number, number], head: [0, 4] as [number, number] };
    if (!fits(tiny)) {
      throw new PlanError(`even 4 vocabulary rows need ${mb(sized(tiny).total)}, over ${mb(wasmBudget)}`);
    }
    let v = 1;
    while (!slices(v).every((r) => fits({ layers: none, embed: r, head: r }))) v++;
    const vocab = slices(v);
    // pipeline order: the embedding slices, the layer runs, then the lm_head (the same vocabulary shards)
    for (const r of vocab) parts.push({ layers: none, embed: r, head: r });
    for (const [a, b] of runs(n)) parts.push({ layers: [a, b], embed: none, head: none });
  }
  return {
    shards: parts.map((part, i) => ({ name: `shard-${i}`, part, holds: describePart(part), bytes: sized(part) })),
    settings: { ...settings, wasmBudgetBytes: wasmBudget },
  };
}
