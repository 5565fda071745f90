/**
 * `deno task workerd`: runs the built Worker (deno task build:cloudflare) in
 * workerd on http://127.0.0.1:$PORT (default 8787), with the model from
 * MODEL_URL (a URL base, e.g. any static server holding a checkpoint
 * directory, or a Hugging Face repo id) and optional API_KEY, CONTEXT, KV_CACHE, LM_HEAD.
 * @module
 */

import { writeWorkerdConfig } from "./workerd_config.ts";

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
const config = await writeWorkerdConfig(`${here}dist`, port, vars);
console.error(`workerd: http://127.0.0.1:${port}/ (model ${modelUrl})`);
const child = new Deno.Command(`${here}node_modules/.bin/workerd`, { args: ["serve", config] }).spawn();
Deno.exit((await child.status).code);
