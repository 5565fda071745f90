/**
 * Memory of a workerd isolate from inside, through the V8 inspector that
 * `workerd serve --inspector-addr` opens: `Runtime.getHeapUsage` gives the JS
 * heap (used and reserved) and the bytes of ArrayBuffer backing stores (a
 * wasm instance's memory is not among them: a shard's 102 MiB does not show). That is the isolate's own accounting,
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
    if (m.id && waiting.has(m.id)) waiting.get(m.id)!(m.error ? { error: m.error } : m.result ?? {});
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

/** A DevTools session with each isolate behind the inspector at `port` (one per service that has run code). */
export async function openIsolates(
  port: number,
): Promise<{ title: string; ws: WebSocket; call: ReturnType<typeof rpc> }[]> {
  const targets = await (await fetch(`http://127.0.0.1:${port}/json/list`)).json() as {
    title?: string;
    id: string;
    webSocketDebuggerUrl?: string;
  }[];
  return await Promise.all(targets.map(async (t) => {
    const url = t.webSocketDebuggerUrl ?? `ws://127.0.0.1:${port}/${t.id}`;
    const ws = new WebSocket(url);
    await new Promise((resolve, reject) => {
      ws.onopen = resolve;
      ws.onerror = () => reject(new Error(`inspector ${url}: cannot connect`));
    });
    return { title: t.title ?? t.id, ws, call: rpc(ws) };
  }));
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
  const out: { title: string; usage: HeapUsage; afterGc: HeapUsage | null }[] = [];
  const read = (u: Record<string, unknown>): HeapUsage => ({
    usedSize: Number(u.usedSize),
    totalSize: Number(u.totalSize),
    backingStorageSize: Number(u.backingStorageSize ?? NaN),
  });
  for (const { title, ws, call } of await openIsolates(port)) {
    try {
      const usage = read(await call("Runtime.getHeapUsage"));
      // workerd runs the collection at the isolate's next task, and not always then: 5 s, then without
      const gc = call("HeapProfiler.collectGarbage", {}, 5_000);
      await poke();
      const collected = await gc.then(() => true, () => false);
      out.push({ title, usage, afterGc: collected ? read(await call("Runtime.getHeapUsage")) : null });
    } finally {
      ws.close();
    }
  }
  return out;
}

/** The most each isolate behind some inspectors held while `work` ran, sampled every `everyMs`. */
export interface HeapPeak {
  /** Most JS heap reserved, bytes. */
  totalSize: number;
  /** Most bytes of ArrayBuffer backing stores. */
  backingStorageSize: number;
  /** Most of the two at one sample. */
  sum: number;
  /** Samples taken (an isolate busy with a call answers after it). */
  samples: number;
}

/**
 * Polls `Runtime.getHeapUsage` of every isolate behind each inspector port
 * while `work` runs, and gives each port's peaks (summed over its
 * isolates per sample): what a memory limit checked at any moment would see,
 * where `heapUsage` reads one moment after the work.
 */
export async function heapPeaks(ports: number[], work: () => Promise<unknown>, everyMs = 20): Promise<HeapPeak[]> {
  const sessions = await Promise.all(ports.map(openIsolates));
  const peaks = ports.map(() => ({ totalSize: 0, backingStorageSize: 0, sum: 0, samples: 0 }));
  let running = true;
  const pollers = sessions.map(async (isolates, i) => {
    while (running) {
      const all = await Promise.all(isolates.map((s) => s.call("Runtime.getHeapUsage", {}, 60_000)));
      const total = all.reduce((a, u) => a + Number(u.totalSize), 0);
      const buffers = all.reduce((a, u) => a + Number(u.backingStorageSize ?? 0), 0);
      const p = peaks[i];
      [p.totalSize, p.backingStorageSize, p.sum] = [
        Math.max(p.totalSize, total),
        Math.max(p.backingStorageSize, buffers),
        Math.max(p.sum, total + buffers),
      ];
      p.samples++;
      await new Promise((r) => setTimeout(r, everyMs));
    }
  });
  try {
    await work();
  } finally {
    running = false;
    await Promise.all(pollers).catch(() => {});
    for (const s of sessions.flat()) s.ws.close();
  }
  return peaks;
}
