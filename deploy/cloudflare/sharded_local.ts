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
  /** What the processes printed, when started with `capture` (last 64 KB, each line tagged with its process). */
  output(): string;
}

/** Starts the Worker on `port` and the plan's shards on the ports after it (or `shardPorts`). */
export async function startSharded(
  modelUrl: string,
  port: number,
  vars: Record<string, string>,
  planOptions: PlanOptions,
  options: {
    shardPorts?: number[];
    quiet?: boolean;
    /** Keeps what the processes print for {@linkcode ShardedRun.output} instead of showing it. */
    capture?: boolean;
    prefix?: string;
    preventEviction?: boolean;
    /** V8 flags for every process (workerd's `v8Flags`; benches: `--trace-gc`, say). */
    v8Flags?: string[];
    /**
     * The Worker and every shard's Durable Object in one process, reached through the SHARDS namespace as on
     * Cloudflare (no shard processes: `shards` and `shardPorts` are empty, `restart` is not available).
     */
    oneProcess?: boolean;
    /** Opens each process's V8 inspector on these loopback ports (the Worker's, then the shards'). */
    inspectorPorts?: number[];
  } = {},
): Promise<ShardedRun> {
  const base = modelUrl.endsWith("/") ? modelUrl : modelUrl + "/";
  const res = await fetch(base + "config.json");
  if (!res.ok) {
    throw new Error(`${base}config.json: HTTP ${res.status} (the sharded mode needs MODEL_URL to be a URL base)`);
  }
  const config = parseConfig(await res.text());
  const plan = planShards(config, planOptions);
  const shardPorts = options.oneProcess ? [] : options.shardPorts ?? plan.shards.map((_, i) => port + 1 + i);
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
    options.v8Flags,
    options.oneProcess,
  );
  const io = options.capture ? "piped" : options.quiet ? "null" : "inherit";
  let printed = "";
  const keep = async (stream: ReadableStream<Uint8Array>, tag: string) => {
    let rest = "";
    for await (const text of stream.pipeThrough(new TextDecoderStream())) {
      const lines = (rest + text).split("\n");
      rest = lines.pop()!;
      for (const line of lines) printed = (printed + `[${tag}] ${line}\n`).slice(-65536);
    }
    if (rest) printed += `[${tag}] ${rest}\n`;
  };
  const spawn = (config: string, i: number) => {
    const inspector = options.inspectorPorts?.[i];
    const args = ["serve", config, ...(inspector ? [`--inspector-addr=127.0.0.1:${inspector}`] : [])];
    const p = new Deno.Command(`${here}node_modules/.bin/workerd`, { args, stdout: io, stderr: io }).spawn();
    if (options.capture) {
      const tag = i === 0 ? "worker" : plan.shards[i - 1].name;
      void keep(p.stdout, tag);
      void keep(p.stderr, tag);
    }
    return p;
  };
  const shards = files.shards.map((f, i) => spawn(f, i + 1));
  const main = spawn(files.main, 0);
  return {
    plan,
    main,
    shards,
    shardPorts,
    async restart(i) {
      if (!shards[i]) throw new RangeError(`no shard process ${i}${options.oneProcess ? " (one process)" : ""}`);
      shards[i].kill("SIGKILL");
      await shards[i].status;
      shards[i] = spawn(files.shards[i], i + 1);
    },
    async stop() {
      await Promise.allSettled([main, ...shards].map(end));
    },
    output: () => printed,
  };
}

/** SIGTERM, then SIGKILL after 3 s (workerd with an inspector session open can outlive SIGTERM). */
export async function end(p: Deno.ChildProcess): Promise<void> {
  const kill = (sig: Deno.Signal) => {
    try {
      p.kill(sig);
    } catch { /* already gone */ }
  };
  kill("SIGTERM");
  const timer = setTimeout(() => kill("SIGKILL"), 3000);
  await p.status;
  clearTimeout(timer);
}
