/**
 * Continuous batching: every generating request hands its next tokens to the
 * batcher, which runs them together in one pass through the model per tick
 * (`Model.feedBatch`), so one read of the weights serves every active
 * sequence. Decode steps go first (one row each); prompts fill the rows left
 * over in chunks, so a long prompt does not stall the others' decoding.
 * @module
 */

import type { EngineSession, ServedModel } from "../engine/served.ts";

interface Pending {
  session: EngineSession;
  ids: number[]; // tokens still to feed
  total: number; // tokens asked for
  progress?: (fed: number, total: number) => void;
  resolve(logits: Float32Array): void;
  reject(e: unknown): void;
}

/**
 * Runs `fn` as soon as the event loop has served what is ready: `setImmediate`
 * where the runtime has it (Deno, Node, workerd with nodejs_compat; ~3 us in
 * Deno), else a MessageChannel message (browsers). Never `setTimeout(fn, 0)`,
 * whose clamp cost ~2 ms per pass in Deno.
 */
export function nextMacrotask(fn: () => void): void {
  const immediate = (globalThis as { setImmediate?: (f: () => void) => unknown }).setImmediate;
  if (immediate) {
    immediate(fn);
    return;
  }
  const ch = new MessageChannel();
  ch.port1.onmessage = () => {
    ch.port1.close();
    fn();
  };
  ch.port2.postMessage(null);
}

/** Runs the pending tokens of many sessions together, one model pass per tick. */
export class Batcher {
  readonly #model: ServedModel;
  readonly #queue: Pending[] = [];
  #scheduled = false;
  /** Passes run and token rows fed since the start (`/health` shows them as `batching`). */
  readonly stats = { passes: 0, rows: 0 };

  /**
   * A batcher over one model's sessions.
   * @param model The model whose sessions are batched.
   */
  constructor(model: ServedModel) {
    this.#model = model;
  }

  /**
   * Feeds `ids` to `session` in upcoming passes; resolves with the logits
   * after the last one. When `signal` aborts, the rest is dropped at once and
   * the promise rejects with the signal's reason (the session may hold part
   * of the ids). `progress` hears how many are in after each pass.
   */
  feed(
    session: EngineSession,
    ids: number[],
    signal?: AbortSignal,
    progress?: (fed: number, total: number) => void,
  ): Promise<Float32Array> {
    if (ids.length === 0) return Promise.reject(new RangeError("feed needs at least one token id"));
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (this.#model.direct) return this.#direct(session, ids, signal, progress);
    return new Promise((resolve, reject) => {
      const onAbort = () => this.#fail(p, signal!.reason);
      const p: Pending = {
        session,
        ids: ids.slice(),
        total: ids.length,
        progress,
        resolve: (l) => (signal?.removeEventListener("abort", onAbort), resolve(l)),
        reject: (e) => (signal?.removeEventListener("abort", onAbort), reject(e)),
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      this.#queue.push(p);
      this.#schedule();
    });
  }

  /** A direct model: this session's rows in pieces of a pass, one call after another, from the caller. */
  async #direct(
    session: EngineSession,
    ids: number[],
    signal?: AbortSignal,
    progress?: (fed: number, total: number) => void,
  ): Promise<Float32Array> {
    const step = this.#model.passRows ?? this.#model.blockSize;
    let logits: Float32Array | undefined;
    for (let i = 0; i < ids.length; i += step) {
      signal?.throwIfAborted();
      logits = (await this.#model.feedBatch([{ session, ids: ids.slice(i, i + step) }]))[0];
      this.stats.passes++;
      this.stats.rows += Math.min(step, ids.length - i);
      if (i + step < ids.length) progress?.(i + step, ids.length);
    }
    return logits!;
  }

  #schedule(): void {
    if (this.#scheduled) return;
    this.#scheduled = true;
    // A macrotask, so every request that is ready this turn joins the same pass
    // and I/O (new requests, aborts, SSE writes) is served between passes.
    nextMacrotask(() => this.#pass());
  }

  #pass(): void {
    this.#scheduled = false;
    if (this.#queue.length === 0) return;
    let budget = this.#model.passRows ?? this.#model.blockSize;
    // decode steps (one token) first, then prompt chunks, oldest first
    const order = [...this.#queue].sort((a, b) => Number(a.ids.length > 1) - Number(b.ids.length > 1));
    const batch: { p: Pending; take: number }[] = [];
    for (const p of order) {
      if (budget === 0) break;
      const take = Math.min(p.ids.length, budget);
      batch.push({ p, take });
      budget -= take;
    }
    const entries = batch.map(({ p, take }) => ({ session: p.session, ids: p.ids.slice(0, take) }));
    // not `direct`: feeding is synchronous (ServedModel's contract)
    const feed = (e: typeof entries) => this.#model.feedBatch(e) as Float32Array[];
    try {
      this.#done(batch, feed(entries));
    } catch {
      // feedBatch checks before feeding anything: run the entries one by one so
      // that only a bad one fails.
      batch.forEach((b, i) => {
        try {
          this.#done([b], feed([entries[i]]));
        } catch (e) {
          this.#fail(b.p, e);
        }
      });
    }
    if (this.#queue.length > 0) this.#schedule();
  }

  #done(batch: { p: Pending; take: number }[], logits: Float32Array[]): void {
    this.stats.passes++;
    batch.forEach(({ p, take }, i) => {
      this.stats.rows += take;
      p.ids.splice(0, take);
      if (p.ids.length > 0) p.progress?.(p.total - p.ids.length, p.total);
      if (p.ids.length === 0) {
        this.#queue.splice(this.#queue.indexOf(p), 1);
        p.resolve(logits[i]);
      }
    });
  }

  #fail(p: Pending, e: unknown): void {
    const i = this.#queue.indexOf(p);
    if (i < 0) return; // already done
    this.#queue.splice(i, 1);
    p.reject(e);
  }
}
