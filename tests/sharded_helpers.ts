// What the workerd tests of the sharded bundle share: the one-engine answers
// they compare with, waiting for /health, and removing their configs.
import { createHandler } from "../src/serve/handler.ts";
import { loadTextModel } from "../src/generate/text_model.ts";
import { CF } from "./cloudflare_build.ts";
import { chat, post } from "./handler_helpers.ts";
import { TINY } from "./reference.ts";

/**
 * The greedy answer of one engine with the bundle's settings (an f16 KV cache, as the edge entries keep) to a
 * chat message, `max` tokens, EOS ignored.
 */
export function oneEngine(contextLength = 256): (content: string, max: number) => Promise<string> {
  const single = createHandler({
    model: loadTextModel(TINY, { maxSessions: 1, contextLength, kvCache: "f16" }),
    loadWaitMs: 10_000,
  });
  return async (content, max) =>
    (await (await single.fetch(
      post("/v1/chat/completions", chat(content, { max_tokens: max, temperature: 0, ignore_eos: true })),
    )).json()).choices[0].message.content as string;
}

/** Polls `base`/health until its state is `state` (or 30 s pass); returns the last answer. */
export async function healthWhen(base: string, state: string): Promise<Record<string, any>> {
  let health: Record<string, any> = {};
  for (let i = 0; i < 600 && health.state !== state; i++) {
    health = await fetch(`${base}/health`).then((r) => r.json(), () => ({}));
    if (health.state !== state) await new Promise((r) => setTimeout(r, 50));
  }
  return health;
}

/** Removes the workerd configs a test wrote into deploy/cloudflare/dist under `prefix`. */
export async function removeConfigs(prefix: string): Promise<void> {
  for (const f of Deno.readDirSync(`${CF}dist`)) {
    if (f.name.startsWith(prefix)) await Deno.remove(`${CF}dist/${f.name}`);
  }
}
