/**
 * Bounded access to a model's session slots: a request takes a slot (a KV
 * cache) or waits in a bounded FIFO queue; a full queue is refused at once.
 * Each slot's session remembers the tokens its cache holds
 * (`CachedSession`), so a request that shares a prefix with the slot's last
 * one (a chat growing turn by turn) skips it.
 * @module
 */

import { Batcher } from "./batcher.ts";
import { CachedSession } from "./cached_session.ts";
import type { ServedModel } from "../engine/served.ts";

export { CachedSession } from "./cached_session.ts";

/** The queue is full; try again after `retryAfter` seconds. */
export class QueueFullError extends Error {
  /** Always `"QueueFullError"`. */
  override name = "QueueFullError";
  /**
   * A refusal because the wait queue is full.
   * @param retryAfter Seconds after which a retry is likely to find room.
   * @param waiting Requests already in line.
   */
  constructor(readonly retryAfter: number, waiting: number) {
    super(`the server is busy: ${waiting} requests are already waiting`);
  }
}

/** A KV cache slot held by one request; `release` gives it back (once). */
export interface Lease {
  /** The slot's session, with the token ids its cache holds. */
  session: CachedSession;
  /** Returns the slot to the pool; safe to call twice. */
  release(): void;
}

/** Counts for `/health`. */
export interface SchedulerStats {
  /** Slots in use. */
  active: number;
  /** Requests waiting for a slot. */
  waiting: number;
  /** Slots in all. */
  slots: number;
  /** Longest allowed wait queue. */
  maxQueue: number;
}

interface Waiter {
  resolve(l: Lease): void;
  reject(e: unknown): void;
}

/** How often a waiting request's own timer fires (see `acquire`). */
const KEEPALIVE_MS = 50;

/** Hands out a model's session slots to requests. */
export class Scheduler {
  readonly #free: CachedSession[] = [];
  readonly #queue: Waiter[] = [];
  readonly #slots: number;
  readonly #maxQueue: number;
  /** How long a slot is held, on average (ms; an exponential moving average), once one has been. */
  #hold: number | undefined;
  /** The batcher every slot feeds through. */
  readonly batcher: Batcher;

  /**
   * A scheduler over the session slots of `model` that are free when it is made.
   * @param model The model whose free slots are shared.
   * @param maxQueue How many requests may wait for a slot (default 16).
   */
  constructor(model: ServedModel, maxQueue = 16) {
    this.#slots = model.freeSessions;
    this.#maxQueue = maxQueue;
    this.batcher = new Batcher(model);
    for (let i = 0; i < this.#slots; i++) {
      this.#free.push(new CachedSession(model.createSession(), this.batcher));
    }
  }

  /** Slots in use, waiters, capacity. */
  stats(): SchedulerStats {
    return {
      active: this.#slots - this.#free.length,
      waiting: this.#queue.length,
      slots: this.#slots,
      maxQueue: this.#maxQueue,
    };
  }

  /**
   * Takes a slot, waiting in line if none is free.
   * @throws {QueueFullError} at once when the line is full.
   * @throws the signal's reason when it aborts while waiting (the place in line is given up).
   */
  acquire(signal?: AbortSignal): Promise<Lease> {
    signal?.throwIfAborted();
    const free = this.#free.pop();
    if (free) return Promise.resolve(this.#lease(free));
    if (this.#queue.length >= this.#maxQueue) {
      return Promise.reject(
        new QueueFullError(this.#retryAfter(), this.#queue.length),
      );
    }
    return new Promise<Lease>((resolve, reject) => {
      const w: Waiter = { resolve, reject };
      // Workers cancel a request as hung when it waits on a promise that only another request can settle and
      // has nothing of its own pending: a timer of its own, renewed while it waits, says it has not hung
      let timer = setTimeout(function tick() {
        timer = setTimeout(tick, KEEPALIVE_MS);
      }, KEEPALIVE_MS);
      const onAbort = () => {
        clearTimeout(timer);
        const i = this.#queue.indexOf(w);
        if (i >= 0) this.#queue.splice(i, 1);
        reject(signal!.reason);
      };
      w.resolve = (l) => {
        clearTimeout(timer);
        signal?.removeEventListener("abort", onAbort);
        resolve(l);
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      this.#queue.push(w);
    });
  }

  /** Seconds until a slot is likely free for one more request: the line ahead of it, at the slots' pace. */
  #retryAfter(): number {
    if (this.#hold === undefined) return 1;
    return Math.max(1, Math.ceil(((this.#queue.length + 1) * this.#hold) / this.#slots / 1000));
  }

  #lease(session: CachedSession): Lease {
    let done = false;
    const taken = performance.now();
    return {
      session,
      release: () => {
        if (done) return;
        done = true;
        const held = performance.now() - taken;
        this.#hold = this.#hold === undefined ? held : 0.8 * this.#hold + 0.2 * held;
        const next = this.#queue.shift();
        if (next) next.resolve(this.#lease(session));
        else this.#free.push(session);
      },
    };
  }
}
