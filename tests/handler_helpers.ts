/**
 * Shared set-up for handler tests: the tiny fixture loaded once, handlers
 * over it, and request helpers.
 * @module
 */

import { createHandler, type HandlerOptions } from "../src/serve/handler.ts";
import { loadTextModel } from "../src/generate/text_model.ts";
import type { TextModel } from "../src/generate/text_model.ts";
import type { Model } from "../src/engine/model.ts";
import { TINY } from "./reference.ts";

/** Loads the tiny fixture with `slots` KV caches. */
export function tinyModel(slots = 1, contextLength = 2048): Promise<TextModel<Model>> {
  return loadTextModel(TINY, { maxSessions: slots, contextLength });
}

/** A handler over `tm` that is ready (its model promise has settled). */
export async function readyHandler(
  tm: TextModel,
  options: Partial<HandlerOptions> = {},
) {
  const h = createHandler({ model: tm, ...options });
  await new Promise((r) => setTimeout(r, 0));
  return h;
}

/** A POST with a JSON body. */
export function post(
  path: string,
  body: unknown,
  headers: Record<string, string> = {},
  signal?: AbortSignal,
): Request {
  return new Request(`http://localhost${path}`, {
    method: "POST",
    body: typeof body === "string" ? body : JSON.stringify(body),
    headers: { "content-type": "application/json", ...headers },
    signal,
  });
}

/** Parses an SSE body into its data payloads (JSON objects, and the final "[DONE]"). */
export async function sseEvents(res: Response): Promise<unknown[]> {
  const text = await res.text();
  return text.split("\n\n").filter((f) => f.length > 0).map((f) => {
    if (!f.startsWith("data: ")) {
      throw new Error(`not an SSE data frame: ${JSON.stringify(f)}`);
    }
    const d = f.slice(6);
    return d === "[DONE]" ? d : JSON.parse(d);
  });
}

/** A chat request body with one user message. */
export function chat(content: string, extra: Record<string, unknown> = {}) {
  return {
    model: "tiny-falcon-e",
    messages: [{ role: "user", content }],
    ...extra,
  };
}
