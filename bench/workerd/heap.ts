/**
 * Memory of a workerd isolate from inside, through the V8 inspector that
 * `workerd serve --inspector-addr` opens: `Runtime.getHeapUsage` gives the JS
 * heap (used and reserved) and the bytes of ArrayBuffer backing stores, which
 * include a wasm instance's memory. That is the isolate's own accounting,
 * what a 128 MB limit is about, where a process's RSS also counts the
 * runtime, its threads' allocators and compiled code.
 * @module
 */

/** One isolate's memory, bytes. */
export interface HeapUsage {
  /** Live JS objects (after a full GC when asked). */
  usedSize: number;
  /** The JS heap V8 has reserved. */
  totalSize: number;
  /** Bytes of ArrayBuffer backing stores: wasm memories and buffers. */
  backingStorageSize: number;
}

/** Calls one DevTools-protocol method over a socket, in order. */
function rpc(ws: WebSocket) {
  let next = 1;
  const waiting = new Map<number, (v: Record<string, unknown>) => void>();
  ws.onmessage = (e) => {
    const m = JSON.parse(String(e.data));
    if (m.id && waiting.has(m.id)) waiting.get(m.id)!(m.error ? { error: m.error } : m.result);
  };
  return (method: string, params: Record<string, unknown> = {}, timeoutMs = 20_000) =>
    new Promise<Record<string, unknown>>((resolve, reject) => {
      const id = next++;
      const timer = setTimeout(() => reject(new Error(`${method}: no answer within ${timeoutMs} ms`)), timeoutMs);
      waiting.set(id, (v) => {
        clearTimeout(timer);
        v.error ? reject(new Error(`${method}: ${JSON.stringify(v.error)}`)) : resolve(v);
      });
      ws.send(JSON.stringify({ id, method, params }));
    });
}

/**
 * Heap usage of every isolate behind the inspector at `port` (one per
 * service that has run code): as it is, and after a full garbage
 * collection (null when the isolate did not run it within 5 s). workerd
 * runs the collection at the isolate's next task, so `poke` sends the
 * process a request meanwhile.
 */
export async function heapUsage(
  port: number,
  poke: () => Promise<unknown>,
): Promise<{ title: string; usage: HeapUsage; afterGc: HeapUsage | null }[]> {
  const targets = await (await fetch(`http://127.0.0.1:${port}/json/list`)).json() as {
    title?: string;
    id: string;
    webSocketDebuggerUrl?: string;
  }[];
  const out: { title: string; usage: HeapUsage; afterGc: HeapUsage | null }[] = [];
  const read = (u: Record<string, unknown>): HeapUsage => ({
    usedSize: Number(u.usedSize),
    totalSize: Number(u.totalSize),
    backingStorageSize: Number(u.backingStorageSize ?? NaN),
  });
  for (const t of targets) {
    const url = t.webSocketDebuggerUrl ?? `ws://127.0.0.1:${port}/${t.id}`;
    const ws = new WebSocket(url);
    await new Promise((resolve, reject) => {
      ws.onopen = resolve;
      ws.onerror = () => reject(new Error(`inspector ${url}: cannot connect`));
    });
    try {
      const call = rpc(ws);
      const usage = read(await call("Runtime.getHeapUsage"));
      // workerd runs the collection at the isolate's next task, and not always then: 5 s, then without
      const gc = call("HeapProfiler.collectGarbage", {}, 5_000);
      await poke();
      const collected = await gc.then(() => true, () => false);
      out.push({ title: t.title ?? t.id, usage, afterGc: collected ? read(await call("Runtime.getHeapUsage")) : null });
    } finally {
      ws.close();
    }
  }
  return out;
}
