/**
 * The sharded bundle in workerd on one box: the plan from the model's
 * config.json, one workerd process per shard (each a Durable Object host on
 * its own port) and one for the Worker, which reaches them over loopback.
 * Used by `deno task workerd --sharded` and tests/workerd_sharded_test.ts.
 * @module
 */

import { parseConfig } from "../../src/load/config.ts";
import { type PlanOptions, planShards, type ShardPlan } from "../../src/shard/plan.ts";
import { writeShardedWorkerdConfigs } from "./workerd_config.ts";

const here = new URL(".", import.meta.url).pathname;

/** A running sharded deployment. */
export interface ShardedRun {
  plan: ShardPlan;
  /** The Worker's process, then one per shard (plan order). */
  main: Deno.ChildProcess;
  shards: Deno.ChildProcess[];
  shardPorts: number[];
  /** Restarts shard i's process (its Durable Object starts empty). */
  restart(i: number): Promise<void>;
  /** Ends every process. */
  stop(): Promise<void>;
}

/** Starts the Worker on `port` and the plan's shards on the ports after it (or `shardPorts`). */
export async function startSharded(
  modelUrl: string,
  port: number,
  vars: Record<string, string>,
  planOptions: PlanOptions,
  options: { shardPorts?: number[]; quiet?: boolean; prefix?: string; preventEviction?: boolean } = {},
): Promise<ShardedRun> {
  const base = modelUrl.endsWith("/") ? modelUrl : modelUrl + "/";
  const res = await fetch(base + "config.json");
  if (!res.ok) {
    throw new Error(`${base}config.json: HTTP ${res.status} (the sharded mode needs MODEL_URL to be a URL base)`);
  }
  const config = parseConfig(await res.text());
  const plan = planShards(config, planOptions);
  const shardPorts = options.shardPorts ?? plan.shards.map((_, i) => port + 1 + i);
  const all = {
    ...vars,
    MODEL_URL: base,
    CONTEXT: String(plan.settings.contextLength),
    KV_CACHE: plan.settings.kvCache,
    LM_HEAD: plan.settings.lmHead,
    SHARD_SESSIONS: String(plan.settings.sessions),
  };
  const dist = `${here}dist`;
  const files = await writeShardedWorkerdConfigs(
    dist,
    port,
    shardPorts,
    plan.shards,
    all,
    options.prefix,
    options.preventEviction,
  );
  const io = options.quiet ? "null" : "inherit";
  const spawn = (config: string) =>
    new Deno.Command(`${here}node_modules/.bin/workerd`, { args: ["serve", config], stdout: io, stderr: io }).spawn();
  const shards = files.shards.map(spawn);
  const main = spawn(files.main);
  return {
    plan,
    main,
    shards,
    shardPorts,
    async restart(i) {
      shards[i].kill("SIGKILL");
      await shards[i].status;
      shards[i] = spawn(files.shards[i]);
    },
    async stop() {
      for (const p of [main, ...shards]) {
        try {
          p.kill("SIGTERM");
        } catch { /* already gone */ }
      }
      await Promise.allSettled([main, ...shards].map((p) => p.status));
    },
  };
}
