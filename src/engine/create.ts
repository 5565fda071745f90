/**
 * A fresh kernel instance with a model laid out in it: options checked, memory
 * grown once, the limit enforced. Shared by the checkpoint and image loaders.
 * @module
 */

import { CheckpointError } from "../load/checkpoint.ts";
import type { ModelConfig } from "../load/config.ts";
import type { LoadOptions } from "../load/options.ts";
import { instantiateKernels, kernelError, type KernelExports } from "./kernels.ts";

/** An instance with the model's layout in place (weights still zero). */
export interface Engine {
  k: KernelExports;
  ctx: number;
  sessions: number;
  block: number;
}

/** Checks the options, instantiates the kernels and lays the model out. */
export async function createEngine(config: ModelConfig, options: LoadOptions, where: string): Promise<Engine> {
  const ctx = options.contextLength ?? Math.min(2048, config.maxPositions);
  const sessions = options.maxSessions ?? 1;
  const block = options.blockSize ?? 32;
  if (!Number.isInteger(ctx) || ctx < 1 || ctx > config.maxPositions) {
    throw new RangeError(`contextLength must be an integer in [1, ${config.maxPositions}], got ${ctx}`);
  }
  if (!Number.isInteger(sessions) || sessions < 1 || sessions > 256) {
    throw new RangeError(`maxSessions must be an integer in [1, 256], got ${sessions}`);
  }
  if (!Number.isInteger(block) || block < 1 || block > 64) {
    throw new RangeError(`blockSize must be an integer in [1, 64], got ${block}`);
  }
  if (options.kvCache !== undefined && options.kvCache !== "f16" && options.kvCache !== "f32") {
    throw new RangeError(`kvCache must be "f16" or "f32", got ${JSON.stringify(options.kvCache)}`);
  }
  if (options.lmHead !== undefined && options.lmHead !== "bf16" && options.lmHead !== "int8") {
    throw new RangeError(`lmHead must be "bf16" or "int8", got ${JSON.stringify(options.lmHead)}`);
  }
  const k = await instantiateKernels(options.kernels);
  const c = config;
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
  );
  if (rc !== 0) throw new CheckpointError(`${where}: ${kernelError("model_create", rc)}`);
  const need = k.memory.buffer.byteLength;
  if (options.maxMemoryBytes !== undefined && need > options.maxMemoryBytes) {
    const mb = (n: number) => (n / 1e6).toFixed(1);
    throw new CheckpointError(
      `${where}: the model needs ${
        mb(need)
      } MB of WebAssembly memory (context ${ctx} x ${sessions} sessions), over the ${
        mb(options.maxMemoryBytes)
      } MB limit`,
    );
  }
  return { k, ctx, sessions, block };
}
