/**
 * A model as a pipeline of shards, each small enough for one isolate (128 MB
 * on Cloudflare Workers): plan the split, load a shard's part, serve it, and
 * drive the shards as one model from a coordinator.
 *
 * @example In one process (every shard here; across isolates use `shardHandler` and `urlLink`/`fetchLink`)
 * ```ts ignore
 * import { loadShard, localLink, Pipeline, planShards } from "./mod.ts";
 * const plan = planShards(config, { budgetBytes: 128 * 2 ** 20 });
 * const shards = await Promise.all(plan.shards.map((s) => loadShard(dir, { part: s.part })));
 * const pipeline = await Pipeline.connect(config, shards.map(localLink));
 * const logits = await pipeline.createSession().feed([1, 2, 3]);
 * ```
 * @module
 */

export { checkPart, describePart, type ModelPart, type PartRanges } from "./part.ts";
export {
  JS_HEADROOM_BYTES,
  partBytes,
  PlanError,
  type PlannedShard,
  type PlanOptions,
  planShards,
  type ShardPlan,
  WORKER_MEMORY_BYTES,
} from "./plan.ts";
export { type ByteReader, loadShard, type ModelSource, type ShardOptions } from "./load_shard.ts";
export {
  type Candidates,
  MAX_CANDIDATES,
  Shard,
  ShardError,
  type ShardErrorCode,
  type ShardInfo,
  type StepReply,
  type StepRequest,
  type StepSession,
} from "./shard.ts";
export { fetchLink, localLink, shardHandler, type ShardLink, urlLink } from "./transport.ts";
export { CANDIDATES, Pipeline, PipelineSession, type PipelineStats } from "./coordinator.ts";
export { pipelineTextModel } from "./text_model.ts";
export { type WeightsFrom, wranglerToml } from "./wrangler.ts";
