/**
 * One thread of a threaded model: instantiates the shared-memory kernel
 * module over the model's memory, moves its stack to the region the model
 * laid out for it, and runs `thread_run` (which blocks this thread, waiting
 * for jobs, until the model is disposed). Started by `threads.ts`, as a
 * `node:worker_threads` Worker in Deno and Node or a Web Worker in browsers.
 * @module
 */

/** What the model sends each thread. */
interface Start {
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  tid: number;
  stackTop: number;
}

type Port = { postMessage(m: unknown): void };

function start(msg: Start, port: Port): void {
  try {
    const inst = new WebAssembly.Instance(msg.module, { env: { memory: msg.memory } });
    const x = inst.exports as { __stack_pointer: WebAssembly.Global; thread_run(tid: number): number };
    x.__stack_pointer.value = msg.stackTop;
    port.postMessage({ ready: msg.tid });
    port.postMessage({ done: msg.tid, rc: x.thread_run(msg.tid) });
  } catch (e) {
    port.postMessage({ error: `thread ${msg.tid}: ${(e as Error).message}` });
  }
}

const node = await import("node:worker_threads").catch(() => undefined);
if (node?.parentPort) {
  const port = node.parentPort;
  port.once("message", (m: Start) => start(m, port));
} else {
  const self = globalThis as unknown as Port & { onmessage: ((e: MessageEvent<Start>) => void) | null };
  self.onmessage = (e) => start(e.data, self);
}
