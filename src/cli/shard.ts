/**
 * `deno task shard --model DIR|URL --part JSON [--port N]`: one pipeline
 * shard served over HTTP (binary calls, `src/shard/transport.ts`), for a
 * pipeline of processes on one box or on loopback. The Cloudflare bundle
 * serves the same handler from a Durable Object.
 * @module
 */

import { parseTask, type TaskSpec, UsageError } from "./args.ts";
import { loadShard } from "../shard/load_shard.ts";
import { shardHandler } from "../shard/transport.ts";
import type { ModelPart } from "../shard/part.ts";
import type { Shard } from "../shard/shard.ts";

const SPEC: TaskSpec = {
  usage: `deno task shard --model DIR|URL --part '{"layers":[0,4]}' [--port N]`,
  about: "Serves one shard of a model (a part from `deno task plan`) to a pipeline coordinator.",
  options: {
    model: { type: "string", value: "DIR|URL", help: "the checkpoint (only the part's byte ranges are read)" },
    part: {
      type: "string",
      value: "JSON",
      help: 'what it holds: {"layers":[a,b],"embed":[a,b],"head":[a,b]} (required)',
    },
    port: { type: "string", value: "N", int: [0, 65535], help: "port on 127.0.0.1 (default 0: any; printed)" },
    sessions: { type: "string", value: "N", int: [1, 256], help: "sessions cached (default 4)" },
    ctx: { type: "string", value: "N", int: [1, 1 << 20], help: "positions per session (default 2048)" },
    block: { type: "string", value: "N", int: [1, 64], help: "rows per step (default 32)" },
    "kv-cache": { type: "string", value: "P", choices: ["f16", "f32"], help: "KV cache precision (default f16)" },
    threads: { type: "string", value: "N", int: [1, 256], help: "threads (default 1)" },
  },
};

/** Runs `deno task shard` with these arguments. */
export async function main(argv: string[]): Promise<void> {
  const args = parseTask(argv, SPEC);
  if (!args) return;
  const model = args.flags.get("model"), partText = args.flags.get("part");
  if (!model || !partText) throw new UsageError("--model and --part are required");
  let part: ModelPart;
  try {
    part = JSON.parse(partText);
  } catch {
    throw new UsageError(`--part must be JSON such as {"layers":[0,4]}, got ${partText.slice(0, 100)}`);
  }
  const n = (k: string, d: number) => Number(args.flags.get(k) ?? d);
  const t0 = performance.now();
  const shard: Shard = await loadShard(model, {
    part,
    maxSessions: n("sessions", 4),
    contextLength: n("ctx", 2048),
    blockSize: n("block", 32),
    kvCache: (args.flags.get("kv-cache") ?? "f16") as "f16" | "f32",
    threads: n("threads", 1),
  });
  const handle = shardHandler(shard);
  const server = Deno.serve({
    hostname: "127.0.0.1",
    port: n("port", 0),
    onListen: ({ port }) => {
      const info = shard.info();
      console.log(
        JSON.stringify({ port, holds: info.holds, memory: info.memory, loadMs: Math.round(performance.now() - t0) }),
      );
    },
  }, (req) => new URL(req.url).pathname === "/memory" ? Response.json(Deno.memoryUsage()) : handle(req));
  await server.finished;
}

if (import.meta.main) {
  main(Deno.args).catch((e) => {
    console.error(`error: ${(e as Error).message}`);
    Deno.exit(e instanceof UsageError ? 2 : 1);
  });
}
