/**
 * `GET /health`: whether the model is loading, ready or failed, with loading
 * progress, memory in use (the model's, and the grammar library's) and the
 * queue.
 * @module
 */

import { json } from "./openai/errors.ts";
import type { ModelState } from "./state.ts";
import { grammarMemory } from "../generate/structured.ts";

/** Bytes loaded so far of how many (when the source knows). */
export type LoadProgress = () => { loaded: number; total?: number };

/** The health response: 200 when ready, 503 (with Retry-After while loading) otherwise. */
export function health(state: ModelState, loadProgress?: LoadProgress): Response {
  const s = state.status;
  const base = { status: s.kind === "ready" ? "ok" : s.kind, state: s.kind };
  if (s.kind === "loading") {
    const p = loadProgress?.();
    const progress = p
      ? {
        loaded_bytes: p.loaded,
        total_bytes: p.total ?? null,
        fraction: p.total ? Math.min(1, p.loaded / p.total) : null,
      }
      : null;
    return json({ ...base, progress }, 503, { "retry-after": "5" });
  }
  if (s.kind === "error") return json({ ...base, error: "the model failed to load" }, 503);
  const { tm, scheduler } = s;
  const info = tm.model.info();
  const grammar = grammarMemory();
  return json({
    ...base,
    model: tm.id,
    context_length: tm.model.contextLength,
    kernels: info.kernels,
    threads: info.threads,
    lm_head: tm.model.lmHead,
    memory: tm.model.memory(),
    grammar: { runs: grammar.place, memory_bytes: grammar.bytes }, // 0 bytes until a grammar was compiled
    queue: scheduler.stats(),
    batching: { passes: scheduler.batcher.stats.passes, rows: scheduler.batcher.stats.rows },
  });
}
