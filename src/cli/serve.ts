/**
 * `deno task serve`: the OpenAI-compatible server on this machine.
 *
 *   deno task serve [--model DIR|URL|IMAGE|owner/name] [--port 8000] [--host 127.0.0.1]
 *                   [--api-key KEY] [--ctx 2048] [--hub-endpoint URL] [--cors *|origin,...]
 *                   [--max-queue 16] [--slots 1] [--kv f32|f16] [--lm-head bf16|int8]
 *                   [--ternary-tiles auto|dot16|dot-add] [--threads N]
 *
 * Each flag may also come from the environment variable of the same meaning
 * (src/serve/config.ts: MODEL_URL, API_KEY, CONTEXT, KV_CACHE, LM_HEAD,
 * HF_ENDPOINT, MODEL_ID); a flag wins. A hub repo id is downloaded once into
 * the local cache with a progress bar.
 * @module
 */

import { intFlag, kvFlag, lmHeadFlag, parseArgs, UsageError } from "./args.ts";
import { downloadRepo } from "../load/source/hub.ts";
import { configFromEnv, isLocalPath, loadConfigured } from "../serve/config.ts";
import { createHandler } from "../serve/handler.ts";
import { showDownload } from "./progress.ts";

/** Flags that stand for configuration variables. */
const FLAG_VARS: Record<string, string> = {
  "model": "MODEL_URL",
  "api-key": "API_KEY",
  "ctx": "CONTEXT",
  "kv": "KV_CACHE",
  "lm-head": "LM_HEAD",
  "hub-endpoint": "HF_ENDPOINT",
  "ternary-tiles": "TERNARY_TILES",
  "threads": "THREADS",
};

/** Runs `deno task serve` with these arguments; resolves once the server listens. */
export async function main(argv: string[]): Promise<void> {
  const args = parseArgs(argv);
  const port = intFlag(args, "port", 8000, 0, 65535)!;
  const hostname = args.flags.get("host") ?? "127.0.0.1";
  const slots = intFlag(args, "slots", 1, 1, 64)!;
  const maxQueue = intFlag(args, "max-queue", 16, 0, 10_000)!;
  const cors = args.flags.get("cors");
  intFlag(args, "ctx", undefined, 1), intFlag(args, "threads", undefined, 1, 256), kvFlag(args), lmHeadFlag(args); // flag-named errors first
  const byVar = Object.fromEntries(Object.entries(FLAG_VARS).map(([f, v]) => [v, args.flags.get(f)]));
  const cfg = configFromEnv((name) => byVar[name] ?? Deno.env.get(name), { kvCache: "f32" });
  if (cfg.model.kind === "path" && !isLocalPath(cfg.model.location)) {
    throw new UsageError(
      `--model ${cfg.model.location}: no such directory, and not a URL or a Hugging Face repo id (owner/name)`,
    );
  }
  if (cfg.model.kind === "hub") {
    const dir = await downloadRepo(cfg.model.repo, { endpoint: cfg.model.endpoint, onProgress: showDownload });
    cfg.model = { kind: "path", location: dir };
  }
  for (const w of cfg.warnings) console.warn(`warning: ${w}`);
  const t0 = performance.now();
  const tm = await loadConfigured(cfg, { maxSessions: slots });
  const handler = createHandler({
    model: tm,
    maxQueue,
    ...(cfg.apiKey ? { apiKey: cfg.apiKey } : {}),
    ...(cors ? { cors: { origins: cors === "*" ? "*" as const : cors.split(",") } } : {}),
  });
  const mem = tm.model.memory();
  console.error(
    `loaded ${tm.id} in ${((performance.now() - t0) / 1000).toFixed(2)} s: weights ${
      (mem.weights / 1e6).toFixed(1)
    } MB, ` +
      `KV cache ${(mem.kvCache / 1e6).toFixed(1)} MB (${tm.model.contextLength} positions x ${slots} slots), ` +
      `${tm.model.info().threads.count} thread(s)${
        tm.model.info().threads.reason ? ` (${tm.model.info().threads.reason})` : ""
      }`,
  );
  Deno.serve({
    port,
    hostname,
    onListen: (a) =>
      console.error(
        `listening on http://${a.hostname}:${a.port}/ (chat page at /, OpenAI API at /v1)${
          cfg.apiKey ? " - API key required" : ""
        }`,
      ),
  }, handler.fetch);
}

if (import.meta.main) {
  main(Deno.args).catch((e) => {
    console.error(`error: ${(e as Error).message}`);
    Deno.exit(e instanceof UsageError ? 2 : 1);
  });
}
