/**
 * A loopback static file server for loader tests, with switchable misbehaviour.
 * @module
 */

/** How the server should (mis)behave. */
export interface ServeOptions {
  /** Answer Range requests with the whole file (200). */
  ignoreRange?: boolean;
  /** Close the body after this many bytes while promising the full length. */
  cutAfter?: number;
  /** Serve an HTML page with 200 for every .safetensors file. */
  html?: boolean;
  /** Answer the first this many requests for .safetensors files with a 503. */
  failFirst?: number;
}

/** Serves `dir` on 127.0.0.1 at a free port. */
export function serveDir(
  dir: string,
  opts: ServeOptions = {},
): { url: string; requests: string[]; close: () => Promise<void> } {
  const requests: string[] = [];
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    async (req) => {
      const name = decodeURIComponent(
        new URL(req.url).pathname.split("/").pop()!,
      );
      const range = req.headers.get("range");
      requests.push(`${name} ${range ?? ""}`.trim());
      let bytes: Uint8Array<ArrayBuffer>;
      try {
        bytes = await Deno.readFile(`${dir}/${name}`);
      } catch {
        return new Response("not found", { status: 404 });
      }
      if (opts.failFirst && name.endsWith(".safetensors")) {
        opts = { ...opts, failFirst: opts.failFirst - 1 };
        return new Response("busy (test server)", { status: 503 });
      }
      if (opts.html && name.endsWith(".safetensors")) {
        return new Response(
          "<!doctype html><html><body>Sign in to continue</body></html>",
          { headers: { "content-type": "text/html" } },
        );
      }
      let status = 200, start = 0, end = bytes.length;
      const headers = new Headers({ "accept-ranges": "bytes" });
      const m = range?.match(/^bytes=(\d+)-(\d*)$/);
      if (m && !opts.ignoreRange) {
        start = Number(m[1]);
        end = m[2] === "" ? bytes.length : Math.min(bytes.length, Number(m[2]) + 1);
        status = 206;
        headers.set(
          "content-range",
          `bytes ${start}-${end - 1}/${bytes.length}`,
        );
      }
      const body = bytes.subarray(start, end);
      headers.set("content-length", String(body.length));
      if (opts.cutAfter !== undefined && body.length > opts.cutAfter) {
        const cut = body.subarray(0, opts.cutAfter);
        const stream = new ReadableStream<Uint8Array>({
          async start(c) {
            c.enqueue(cut);
            await new Promise((r) => setTimeout(r, 30)); // let the bytes reach the client first
            c.error(new Error("connection dropped (test server)"));
          },
        });
        return new Response(stream, { status, headers });
      }
      return new Response(body, { status, headers });
    },
  );
  const addr = server.addr as Deno.NetAddr;
  return {
    url: `http://127.0.0.1:${addr.port}/models/tiny`,
    requests,
    close: () => server.shutdown(),
  };
}
