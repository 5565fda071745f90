/**
 * `deno task static --dir DIR [--port 8080]`: a loopback file server that
 * answers Range requests (a checkpoint for `deno task workerd`, whose sharded
 * mode reads byte ranges; python's http.server ignores Range and sends whole files).
 * @module
 */

import { parseTask, type TaskSpec, UsageError } from "../src/cli/args.ts";

/**
 * Serves the files of `dir` on 127.0.0.1 (by base name: `/any/path/config.json`
 * is `dir/config.json`), byte ranges streamed from the file (never read whole);
 * HEAD answers the size, a range past the end is a 416.
 */
export function rangeServer(dir: string, port = 0): { url: string; close: () => Promise<void> } {
  const server = Deno.serve({ hostname: "127.0.0.1", port, onListen() {} }, async (req) => {
    const name = decodeURIComponent(new URL(req.url).pathname.split("/").pop()!);
    if (name === "" || name === "." || name === "..") return new Response("not found", { status: 404 });
    let f: Deno.FsFile;
    try {
      f = await Deno.open(`${dir}/${name}`);
    } catch {
      return new Response("not found", { status: 404 });
    }
    const size = (await f.stat()).size;
    const m = req.headers.get("range")?.match(/^bytes=(\d+)-(\d*)$/);
    const start = m ? Number(m[1]) : 0, end = m && m[2] !== "" ? Math.min(size, Number(m[2]) + 1) : size;
    if (m && start >= end) {
      f.close();
      return new Response(null, { status: 416, headers: { "content-range": `bytes */${size}` } });
    }
    const headers = new Headers({ "accept-ranges": "bytes", "content-length": String(end - start) });
    if (m) headers.set("content-range", `bytes ${start}-${end - 1}/${size}`);
    const status = m ? 206 : 200;
    if (req.method === "HEAD") return (f.close(), new Response(null, { status, headers }));
    await f.seek(start, Deno.SeekMode.Start);
    let left = end - start, open = true;
    const close = () => {
      if (open) f.close();
      open = false;
    };
    const body = new ReadableStream<Uint8Array>({
      async pull(c) {
        const buf = new Uint8Array(Math.min(1 << 20, left));
        const n = left > 0 ? await f.read(buf) : null;
        if (!n) return (close(), c.close());
        left -= n;
        c.enqueue(buf.subarray(0, n));
      },
      cancel: close,
    });
    return new Response(body, { status, headers });
  });
  return { url: `http://127.0.0.1:${(server.addr as Deno.NetAddr).port}/m`, close: () => server.shutdown() };
}

if (import.meta.main) {
  const spec: TaskSpec = {
    usage: "deno task static --dir DIR [--port 8080]",
    about: "Serves a checkpoint directory on 127.0.0.1 with Range requests (what deno task workerd --sharded reads).",
    options: {
      dir: { type: "string", value: "DIR", help: "the directory to serve (required)" },
      port: { type: "string", value: "N", int: [0, 65535], help: "port (default 8080)" },
    },
  };
  try {
    const args = parseTask(Deno.args, spec);
    if (args) {
      const dir = args.flags.get("dir");
      if (!dir) throw new UsageError("--dir is required: the checkpoint directory to serve");
      const s = rangeServer(dir, Number(args.flags.get("port") ?? 8080));
      console.log(`serving ${dir} at ${s.url.replace(/\/m$/, "/")}`); // bench/memory_load.ts reads this line
    }
  } catch (e) {
    console.error(`error: ${(e as Error).message}`);
    Deno.exit(e instanceof UsageError ? 2 : 1);
  }
}
