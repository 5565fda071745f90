/**
 * `deno task workerd`: runs the built Worker (deno task build:cloudflare) in
 * workerd on http://127.0.0.1:$PORT (default 8787), with the model from
 * MODEL_URL (a URL base, e.g. any static server holding a checkpoint
 * directory, or a Hugging Face repo id) and optional API_KEY, CONTEXT, KV_CACHE, LM_HEAD.
 *
 * `deno task workerd --sharded`: the sharded bundle instead, planned for
 * SHARD_BUDGET_MB (default 128) per isolate with SHARD_SESSIONS (default 4):
 * one workerd process per shard (ports PORT+1, PORT+2, ...), the OpenAI
 * routes on PORT. MODEL_URL must be a URL base there.
 * @module
 */

import { writeWorkerdConfig } from "./workerd_config.ts";
import { startSharded } from "./sharded_local.ts";

const here = new URL(".", import.meta.url).pathname;
const modelUrl = Deno.env.get("MODEL_URL");
if (!modelUrl) {
  console.error(
    "set MODEL_URL, e.g. MODEL_URL=http://127.0.0.1:8080/ (a server holding config.json, model.safetensors, tokenizer files)",
  );
  Deno.exit(2);
}
try {
  await Deno.stat(`${here}dist/worker.js`);
} catch {
  console.error("no dist/worker.js: run `deno task build:cloudflare` first");
  Deno.exit(2);
}
const port = Number(Deno.env.get("PORT") ?? 8787);
const vars: Record<string, string> = { MODEL_URL: modelUrl };
for (const k of ["API_KEY", "CONTEXT", "KV_CACHE", "LM_HEAD", "HF_ENDPOINT"]) {
  const v = Deno.env.get(k);
  if (v) vars[k] = v;
}
if (Deno.args.includes("--sharded")) {
  const num = (k: string) => (Deno.env.get(k) ? Number(Deno.env.get(k)) : undefined);
  const run = await startSharded(modelUrl, port, vars, {
    budgetBytes: (num("SHARD_BUDGET_MB") ?? 128) * 2 ** 20,
    headroomBytes: num("SHARD_HEADROOM_MB") !== undefined ? num("SHARD_HEADROOM_MB")! * 2 ** 20 : undefined,
    sessions: num("SHARD_SESSIONS"),
    contextLength: num("CONTEXT"),
    kvCache: vars.KV_CACHE as "f16" | "f32" | undefined,
    lmHead: vars.LM_HEAD as "bf16" | "int8" | undefined,
  });
  for (const [i, s] of run.plan.shards.entries()) {
    console.error(
      `workerd: ${s.name} (${s.holds}, ${(s.bytes.total / 2 ** 20).toFixed(1)} MiB) on port ${run.shardPorts[i]}`,
    );
  }
  console.error(`workerd: http://127.0.0.1:${port}/ (model ${modelUrl}, ${run.plan.shards.length} shards)`);
  Deno.addSignalListener("SIGINT", () => run.stop().then(() => Deno.exit(130)));
  Deno.exit((await run.main.status).code);
}
const config = await writeWorkerdConfig(`${here}dist`, port, vars);
console.error(`workerd: http://127.0.0.1:${port}/ (model ${modelUrl})`);
const child = new Deno.Command(`${here}node_modules/.bin/workerd`, { args: ["serve", config] }).spawn();
Deno.exit((await child.status).code);
