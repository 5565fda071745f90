/**
 * The workerd side of bench/workerd/shard_loop.ts: one layer shard of the
 * plan (loaded on the first request from MODEL_URL, part in PART), called
 * three ways so their CPU can be told apart from outside:
 * - `POST /call`: the production shard handler, one HTTP request per step;
 * - `GET /loop?mode=direct&n=N&id=S`: N decode steps of session S by method
 *   call inside one request (the step's compute, nothing around it);
 * - `GET /loop?mode=handler&n=N&id=S`: the same N steps through the handler
 *   inside one request (encode, Request, decode, step, encode the answer,
 *   Response, read it), so what is left of `/call` is workerd's request path.
 * Bundled by shard_loop.ts with deploy/cloudflare's esbuild.
 * @module
 */

// @ts-ignore: a Workers module import, resolved next to the bundle
import kernels from "./falcon_e_relaxed.wasm";
import { loadShard } from "../../src/shard/load_shard.ts";
import { shardHandler } from "../../src/shard/transport.ts";
import { encodeCall, Op } from "../../src/shard/wire.ts";
import type { Shard, StepRequest } from "../../src/shard/shard.ts";

let shard: Shard | undefined, handle: ((r: Request) => Promise<Response>) | undefined;
let scratch = new Uint8Array(64 << 10);

export default {
  async fetch(req: Request, env: Record<string, string>): Promise<Response> {
    shard ??= await loadShard(env.MODEL_URL, {
      part: JSON.parse(env.PART),
      kernels: kernels as WebAssembly.Module,
      threads: 1,
      maxSessions: 4,
      contextLength: 2048,
      kvCache: "f16",
    });
    handle ??= shardHandler(shard);
    const url = new URL(req.url);
    if (url.pathname === "/call") return await handle(req);
    if (url.pathname === "/echo") return new Response(new Uint8Array(await req.arrayBuffer()));
    const id = url.searchParams.get("id") ?? "s", n = Number(url.searchParams.get("n") ?? 100);
    if (url.pathname === "/drop") {
      shard.drop([id]);
      return new Response("ok");
    }
    const hidden = new Float32Array(shard.config.hiddenSize).map((_, i) => Math.sin(i) * 0.5);
    const want = new Uint8Array(1);
    const viaHandler = url.searchParams.get("mode") === "handler";
    const from = Number(url.searchParams.get("from") ?? 0);
    for (let pos = from; pos < from + n; pos++) {
      const step: StepRequest = { sessions: [{ id, pos, rows: 1 }], hidden, want };
      if (!viaHandler) {
        shard.step(step, true);
        continue;
      }
      const body = encodeCall({ op: Op.STEP, req: step }, scratch);
      scratch = body;
      const res = await handle(new Request("http://shard/", { method: "POST", body }));
      await res.arrayBuffer();
    }
    if (!url.searchParams.has("keep")) shard.drop([id]);
    return new Response("ok");
  },
};
