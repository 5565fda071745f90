/**
 * The model a handler serves, while it loads and once it is ready: requests
 * may wait (bounded) for a loading model, `/health` reports the progress.
 * @module
 */

import { Scheduler } from "../generate/scheduler.ts";
import type { TextModel } from "../generate/text_model.ts";
import { HttpError } from "./openai/errors.ts";

/** Where the model stands. */
export type ModelStatus =
  | { kind: "loading" }
  | { kind: "ready"; tm: TextModel; scheduler: Scheduler }
  | { kind: "error"; message: string };

/** The served model's state, settled once by its promise. */
export class ModelState {
  /** The current status. */
  status: ModelStatus = { kind: "loading" };
  readonly #settled: Promise<void>;

  /**
   * Tracks `model` until it settles.
   * @param model The model or a promise of it.
   * @param maxQueue Requests that may wait for a busy model.
   */
  constructor(model: TextModel | Promise<TextModel>, maxQueue: number) {
    this.#settled = Promise.resolve(model).then(
      (tm) => void (this.status = { kind: "ready", tm, scheduler: new Scheduler(tm.model, maxQueue) }),
      (e) => {
        console.error("model failed to load:", e);
        this.status = { kind: "error", message: (e as Error).message };
      },
    );
  }

  /**
   * The ready model, after waiting up to `waitMs` for one that is still
   * loading.
   * @throws {HttpError} 503 with Retry-After while it loads or when it failed.
   */
  async ready(waitMs: number): Promise<{ tm: TextModel; scheduler: Scheduler }> {
    if (this.status.kind === "loading" && waitMs > 0) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([this.#settled, new Promise((r) => (timer = setTimeout(r, waitMs)))]);
      clearTimeout(timer);
    }
    const s = this.status;
    if (s.kind === "ready") return s;
    throw new HttpError(
      503,
      s.kind === "loading" ? "The model is still loading; try again shortly." : "The model failed to load.",
      "server_error",
      null,
      "model_not_ready",
      { "retry-after": "5" },
    );
  }
}
