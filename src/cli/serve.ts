/**
 * `deno task serve`: the OpenAI-compatible server on this machine.
 *
 * Each model flag may also come from the environment variable of the same
 * meaning (src/serve/config.ts: MODEL_URL, API_KEY, CONTEXT, KV_CACHE,
 * LM_HEAD, TERNARY_TILES, THREADS, HF_ENDPOINT, MODEL_ID); a flag wins. A hub
 * repo id is downloaded once into the local cache with a progress bar.
 * @module
 */

import { MODEL_OPTIONS, parseTask, type TaskSpec, UsageError } from "./args.ts";
import { downloadRepo } from "../load/source/hub.ts";
import { configFromEnv, isLocalPath, loadConfigured } from "../serve/config.ts";
import { createHandler } from "../serve/handler.ts";
import { listen } from "../serve/listen.ts";
import { showDownload } from "./progress.ts";

const SPEC: TaskSpec = {
  usage: "deno task serve [--model M] [options]",
  about: "Serves the model: the OpenAI API at /v1, the chat page at /, /health, /metrics, /props, /tokenize.",
  options: {
    ...MODEL_OPTIONS,
    port: { type: "string", value: "N", int: [0, 65535], help: "the port (default 8000)" },
    host: { type: "string", value: "HOST", help: "the address to listen on (default 127.0.0.1)" },
    "api-key": { type: "string", value: "KEY", help: "require 'Authorization: Bearer KEY' on the API (or API_KEY)" },
    cors: { type: "string", value: "*|ORIGINS", help: "allow these origins (comma-separated), or any" },
    slots: { type: "string", value: "N", int: [1, 64], help: "KV cache slots: requests decoded together (default 1)" },
    "max-queue": {
      type: "string",
      value: "N",
      int: [0, 10_000],
      help: "requests that may wait for a slot (default 16)",
    },
    "max-body-bytes": {
      type: "string",
      value: "N",
      int: [1024, 1 << 30],
      help: "largest request body (default 1048576)",
    },
    "max-connections": {
      type: "string",
      value: "N",
      int: [1, 100_000],
      help: "open connections at most; past it idle ones are dropped, else 503 (default 256)",
    },
    "header-timeout": {
      type: "string",
      value: "S",
      int: [1, 3600],
      help: "seconds for a request's headers (default 10)",
    },
    "body-timeout": { type: "string", value: "S", int: [1, 3600], help: "seconds for a request's body (default 30)" },
    "idle-timeout": {
      type: "string",
      value: "S",
      int: [1, 86_400],
      help: "seconds a silent connection stays (default 60)",
    },
    "write-timeout": {
      type: "string",
      value: "S",
      int: [1, 3600],
      help: "seconds a client may leave a stream unread before it is dropped and its slot freed (default 30)",
    },
  },
};
SPEC.options.model = {
  ...SPEC.options.model,
  help: SPEC.options.model.help + " (default tiiuae/Falcon-E-1B-Instruct)",
};

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
  const args = parseTask(argv, SPEC);
  if (!args) return;
  const num = (name: string, fallback: number) => Number(args.flags.get(name) ?? fallback);
  const byVar = Object.fromEntries(Object.entries(FLAG_VARS).map(([f, v]) => [v, args.flags.get(f)]));
  const cfg = configFromEnv((name) => byVar[name] ?? Deno.env.get(name), { kvCache: "f32" });
  if (cfg.model.kind === "path" && !isLocalPath(cfg.model.location)) {
    throw new UsageError(
      `--model ${cfg.model.location}: no such file or directory, and not a URL or a Hugging Face repo id (owner/name)`,
    );
  }
  if (cfg.model.kind === "hub") {
    const dir = await downloadRepo(cfg.model.repo, { endpoint: cfg.model.endpoint, onProgress: showDownload });
    cfg.model = { kind: "path", location: dir };
  }
  for (const w of cfg.warnings) console.warn(`warning: ${w}`);
  const t0 = performance.now(), slots = num("slots", 1), cors = args.flags.get("cors");
  const tm = await loadConfigured(cfg, { maxSessions: slots });
  const handler = createHandler({
    model: tm,
    maxQueue: num("max-queue", 16),
    maxBodyBytes: num("max-body-bytes", 1 << 20),
    bodyTimeoutMs: num("body-timeout", 30) * 1000,
    streamWriteTimeoutMs: num("write-timeout", 30) * 1000,
    log: (line) => console.log(line),
    ...(cfg.apiKey ? { apiKey: cfg.apiKey } : {}),
    ...(cors ? { cors: { origins: cors === "*" ? "*" as const : cors.split(",") } } : {}),
  });
  const mem = tm.model.memory(), info = tm.model.info();
  console.error(
    `loaded ${tm.id} in ${((performance.now() - t0) / 1000).toFixed(2)} s: weights ${
      (mem.weights / 1e6).toFixed(1)
    } MB, ` +
      `KV cache ${(mem.kvCache / 1e6).toFixed(1)} MB (${tm.model.contextLength} positions x ${slots} slots), ` +
      `${info.threads.count} thread(s)${info.threads.reason ? ` (${info.threads.reason})` : ""}`,
  );
  await listen(handler.fetch, {
    port: num("port", 8000),
    hostname: args.flags.get("host") ?? "127.0.0.1",
    headerTimeoutMs: num("header-timeout", 10) * 1000,
    idleTimeoutMs: num("idle-timeout", 60) * 1000,
    writeTimeoutMs: num("write-timeout", 30) * 1000,
    maxConnections: num("max-connections", 256),
    log: (line) => console.error(`warning: ${line}`),
    onListen: (a) =>
      console.error(
        `listening on http://${a.hostname}:${a.port}/ (chat page at /, OpenAI API at /v1)${
          cfg.apiKey ? " - API key required" : ""
        }`,
      ),
  });
}

if (import.meta.main) {
  main(Deno.args).catch((e) => {
    console.error(`error: ${(e as Error).message}`);
    Deno.exit(e instanceof UsageError ? 2 : 1);
  });
}
