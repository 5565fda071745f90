/**
 * `deno task plan --model DIR|URL [--budget-mb 128] [--sessions N] [--ctx N]`:
 * splits a model into shards that fit one isolate each (`src/shard/plan.ts`)
 * and prints one JSON line per shard (`name`, what it holds, `bytes`); exits
 * 2 with the reason when no plan fits.
 * @module
 */

import { parseTask, type TaskSpec, UsageError } from "./args.ts";
import { parseConfig } from "../load/config.ts";
import { openSource } from "../load/source/mod.ts";
import { JS_HEADROOM_BYTES, PlanError, planShards, WORKER_MEMORY_BYTES } from "../shard/plan.ts";
import { wranglerToml } from "../shard/wrangler.ts";

const SPEC: TaskSpec = {
  usage: "deno task plan --model DIR|URL [--budget-mb 128] [--sessions N] [--ctx N]",
  about:
    "Plans the shards of a model for isolates of a memory budget (Cloudflare Workers: 128 MB); one JSON line per shard.",
  options: {
    model: { type: "string", value: "DIR|URL", help: "where config.json is (only it is read)" },
    "budget-mb": {
      type: "string",
      value: "MB",
      number: [1, 4096],
      help: `memory per isolate in MiB (default ${WORKER_MEMORY_BYTES / 2 ** 20})`,
    },
    "headroom-mb": {
      type: "string",
      value: "MB",
      number: [0, 4096],
      help: `of which the JS heap and runtime take (default ${JS_HEADROOM_BYTES / 2 ** 20})`,
    },
    sessions: { type: "string", value: "N", int: [1, 256], help: "sessions each layer shard caches (default 4)" },
    ctx: { type: "string", value: "N", int: [1, 1 << 20], help: "positions per session (default 2048)" },
    "kv-cache": { type: "string", value: "P", choices: ["f16", "f32"], help: "KV cache precision (default f16)" },
    "lm-head": { type: "string", value: "W", choices: ["bf16", "int8"], help: "lm_head weights (default bf16)" },
    block: { type: "string", value: "N", int: [1, 64], help: "rows per step (default 32)" },
    wrangler: { type: "string", value: "FILE", help: "also write the sharded Cloudflare deployment's wrangler.toml" },
    bucket: {
      type: "string",
      value: "NAME",
      help: "with --wrangler: the R2 bucket holding the checkpoint (else MODEL_URL = --model)",
    },
    prefix: { type: "string", value: "P", help: "with --bucket: the checkpoint's key prefix (default: none)" },
  },
};

/** Runs `deno task plan` with these arguments; the exit code. */
export async function main(argv: string[]): Promise<number> {
  const args = parseTask(argv, SPEC);
  if (!args) return 0;
  const model = args.flags.get("model");
  if (!model) throw new UsageError("--model is required: the directory or URL base holding config.json");
  const src = openSource(model);
  const text = await src.text("config.json");
  if (text === undefined) throw new UsageError(`no config.json in ${src.location}`);
  const config = parseConfig(text);
  const num = (k: string) => (args.flags.has(k) ? Number(args.flags.get(k)) : undefined);
  const mib = (k: string) => (args.flags.has(k) ? Math.round(Number(args.flags.get(k)) * 2 ** 20) : undefined);
  try {
    const plan = planShards(config, {
      budgetBytes: mib("budget-mb"),
      headroomBytes: mib("headroom-mb"),
      sessions: num("sessions"),
      contextLength: num("ctx"),
      kvCache: args.flags.get("kv-cache") as "f16" | "f32" | undefined,
      lmHead: args.flags.get("lm-head") as "bf16" | "int8" | undefined,
      blockSize: num("block"),
    });
    for (const s of plan.shards) console.log(JSON.stringify(s));
    const wrangler = args.flags.get("wrangler");
    if (wrangler) {
      const bucket = args.flags.get("bucket");
      if (!bucket && !/^https?:\/\//.test(model)) {
        throw new UsageError("--wrangler needs --bucket NAME (R2) or an http(s) --model the deployed shards can read");
      }
      const weights = bucket ? { bucket, prefix: args.flags.get("prefix") ?? "" } : { url: model };
      await Deno.writeTextFile(wrangler, wranglerToml(plan, weights));
      console.error(`wrote ${wrangler}`);
    }
    console.error(`${plan.shards.length} shards; settings ${JSON.stringify(plan.settings)}`);
    return 0;
  } catch (e) {
    if (!(e instanceof PlanError)) throw e;
    console.error(`no plan fits: ${e.message}`);
    return 2;
  }
}

if (import.meta.main) {
  main(Deno.args).then((code) => Deno.exit(code), (e) => {
    console.error(`error: ${(e as Error).message}`);
    Deno.exit(e instanceof UsageError ? 2 : 1);
  });
}
