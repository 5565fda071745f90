/**
 * A model's threads: where the runtime has Workers and shared WebAssembly
 * memory (Deno, `deno serve`, Deno Deploy, Node, cross-origin-isolated
 * browsers), the shared-memory build of the kernels runs one instance per
 * thread over one memory, so the weights exist once. Thread 0 is the caller;
 * the others wait for jobs inside wasm (`wasm/src/threads.rs`). Where threads
 * are impossible (Cloudflare Workers: no Worker), a model runs on one, and
 * says why.
 * @module
 */

import { EngineError } from "./errors.ts";

/** How many threads a model may use here, and why not more. */
export interface ThreadSupport {
  /** Most threads: `navigator.hardwareConcurrency` where threads work, else 1. */
  max: number;
  /** Why there is only one (absent when threads work). */
  reason?: string;
}

/** What this runtime allows. */
export function threadSupport(): ThreadSupport {
  const g = globalThis as { Worker?: unknown; SharedArrayBuffer?: unknown; Deno?: unknown; process?: unknown };
  if (typeof g.SharedArrayBuffer === "undefined") {
    return { max: 1, reason: "no SharedArrayBuffer here (a browser needs cross-origin isolation)" };
  }
  if (typeof g.Worker === "undefined" && !g.Deno && !g.process) return { max: 1, reason: "no Workers in this runtime" };
  try {
    new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true });
  } catch {
    return { max: 1, reason: "no shared WebAssembly memory in this runtime" };
  }
  return { max: Math.max(1, navigator.hardwareConcurrency ?? 1) };
}

/** The other threads of a model, once started. */
export interface Team {
  /** Threads in all (this one included). */
  size: number;
  /** Makes the threads return and ends them. */
  stop(): void;
}

/** A started thread: how to end it. */
interface Handle {
  terminate(): unknown;
}

/** A worker thread: messages to it, and how to end it. */
export interface WorkerHandle extends Handle {
  post(m: unknown, transfer?: Transferable[]): void;
  /** Whether the worker keeps the process alive (node:worker_threads; Web Workers always do). */
  keepAlive(on: boolean): void;
}

/**
 * Starts a worker thread running the module at `worker`: a
 * `node:worker_threads` Worker where there is one (an unref'd one does not
 * keep the process alive; it takes file: and data: URLs, so a remote module
 * is imported through a data: one), else a Web Worker.
 */
export async function spawnWorker(
  worker: URL,
  onMessage: (m: Record<string, unknown>) => void,
  onError: (e: unknown) => void,
): Promise<WorkerHandle> {
  const g = globalThis as { Deno?: unknown; process?: unknown };
  const node = g.Deno || g.process ? await import("node:worker_threads").catch(() => undefined) : undefined;
  if (node) {
    const url = worker.protocol === "file:"
      ? worker
      : new URL(`data:text/javascript,import ${encodeURIComponent(JSON.stringify(worker.href))};`);
    const w = new node.Worker(url);
    w.unref();
    w.on("message", onMessage);
    w.on("error", onError);
    return {
      post: (m, t) => w.postMessage(m, t as never),
      terminate: () => w.terminate(),
      keepAlive: (on) => on ? w.ref() : w.unref(),
    };
  }
  const w = new Worker(worker.href, { type: "module" });
  w.onmessage = (e) => onMessage(e.data);
  w.onerror = (e) => onError(e);
  return { post: (m, t) => w.postMessage(m, t ?? []), terminate: () => w.terminate(), keepAlive: () => {} };
}

/**
 * Starts threads 1..size-1 of a model over `memory`, each on the stack the
 * model laid out for it, and resolves once every one is waiting for jobs.
 * @param module The shared-memory kernel build the model's instance runs.
 * @param memory The model's shared memory.
 * @param size Threads in all.
 * @param stackTop The top of thread `tid`'s stack (`thread_stack_top`).
 * @param stop Makes the threads' loops return (`threads_stop`).
 * @throws {EngineError} when a thread cannot start (within 30 s).
 */
export async function startTeam(
  module: WebAssembly.Module,
  memory: WebAssembly.Memory,
  size: number,
  stackTop: (tid: number) => number,
  stop: () => void,
): Promise<Team> {
  const handles: Handle[] = [];
  const end = () => {
    stop();
    for (const h of handles) h.terminate();
  };
  try {
    await Promise.all(Array.from({ length: size - 1 }, (_, i) => startOne(i + 1)));
  } catch (e) {
    end();
    throw e;
  }
  return { size, stop: end };

  function startOne(tid: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new EngineError(`thread ${tid} did not start within 30 s`)), 30_000);
      const fail = (why: unknown) => (clearTimeout(timer), reject(new EngineError(`thread ${tid} failed: ${why}`)));
      const worker = new URL("./thread_worker.ts", import.meta.url); // not at import: bundles have no usable import.meta.url
      spawnWorker(worker, (m) => {
        if (m.ready === tid) clearTimeout(timer), resolve();
        else if (m.error) fail(m.error);
      }, (e) => fail((e as Error)?.message ?? e)).then((h) => {
        handles.push(h);
        h.post({ module, memory, tid, stackTop: stackTop(tid) });
      }, fail);
    });
  }
}
