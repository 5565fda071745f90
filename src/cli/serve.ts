/**
 * `deno task serve`: the OpenAI-compatible server on this machine.
 *
 *   deno task serve [--model DIR|URL|owner/name] [--port 8000] [--host 127.0.0.1]
 *                   [--api-key KEY] [--ctx 2048] [--hub-endpoint URL] [--cors *|origin,...]
 *                   [--max-queue 16] [--slots 1] [--kv f32|f16] [--lm-head bf16|int8]
 * @module
 */

import { intFlag, kvFlag, lmHeadFlag, parseArgs, UsageError } from "./args.ts";
import { createHandler } from "../serve/handler.ts";
import { downloadRepo, isRepoId } from "../load/source/hub.ts";
import { loadTextModel } from "../generate/text_model.ts";

/** The model served when `--model` is not given. */
export const DEFAULT_MODEL = "tiiuae/Falcon-E-1B-Instruct";

async function main(argv: string[]): Promise<void> {
  const args = parseArgs(argv);
  const model = args.flags.get("model") ?? DEFAULT_MODEL;
  const port = intFlag(args, "port", 8000, 0, 65535)!;
  const hostname = args.flags.get("host") ?? "127.0.0.1";
  const apiKey = args.flags.get("api-key") ??
    Deno.env.get("FALCON_E_API_KEY") ?? undefined;
  const ctx = intFlag(args, "ctx", undefined, 1);
  const slots = intFlag(args, "slots", 1, 1, 64)!;
  const maxQueue = intFlag(args, "max-queue", 16, 0, 10_000)!;
  const cors = args.flags.get("cors");
  let location = model;
  let id = model.replace(/\/+$/, "").split("/").pop()!;
  const isLocal = await Deno.stat(model).then(() => true, () => false);
  if (!isLocal && !/^(https?|file):\/\//.test(model)) {
    if (!isRepoId(model)) {
      throw new UsageError(
        `--model ${model}: no such directory, and not a URL or a Hugging Face repo id (owner/name)`,
      );
    }
    location = await downloadRepo(model, {
      endpoint: args.flags.get("hub-endpoint"),
    });
    id = model;
  }
  const t0 = performance.now();
  const tm = await loadTextModel(location, {
    id,
    maxSessions: slots,
    kvCache: kvFlag(args),
    lmHead: lmHeadFlag(args),
    ...(ctx ? { contextLength: ctx } : {}),
  });
  const mem = tm.model.memory();
  console.error(
    `loaded ${id} in ${((performance.now() - t0) / 1000).toFixed(2)} s: weights ${
      (mem.weights / 1e6).toFixed(1)
    } MB, ` +
      `KV cache ${(mem.kvCache / 1e6).toFixed(1)} MB (${tm.model.contextLength} positions x ${slots} slots)`,
  );
  const handler = createHandler({
    model: tm,
    apiKey,
    maxQueue,
    ...(cors ? { cors: { origins: cors === "*" ? "*" as const : cors.split(",") } } : {}),
  });
  Deno.serve({
    port,
    hostname,
    onListen: (a) =>
      console.error(
        `listening on http://${a.hostname}:${a.port}/ (chat page at /, OpenAI API at /v1)${
          apiKey ? " - API key required" : ""
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
