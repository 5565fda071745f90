/**
 * The workerd side of bench/workerd/link_cost.ts. Two roles, by the ROLE
 * binding: `answer` answers every POST with a canned decode-step answer (one
 * hidden row); `call` runs `GET /run?way=W&n=N`: N step calls to PEER (a
 * service binding to the answering process), made the way W names, so the
 * caller's CPU per call can be read from outside.
 * @module
 */

import { fetchLink } from "../../src/shard/transport.ts";
import { decodeAnswer, encodeAnswer, encodeCall, Op } from "../../src/shard/wire.ts";
import type { StepRequest } from "../../src/shard/shard.ts";

interface Fetcher {
  fetch(input: string, init: RequestInit): Promise<Response>;
}
const HIDDEN = 2048;
const hidden = new Float32Array(HIDDEN).map((_, i) => Math.sin(i));
const step: StepRequest = { sessions: [{ id: "chat-0123456789", pos: 7, rows: 1 }], hidden, want: new Uint8Array(1) };
const answer = encodeAnswer(Op.STEP, { instance: 1, epochs: [1], hidden });
const headers = { "x-shard-part": JSON.stringify({ layers: [4, 8], embed: [0, 0], head: [0, 0] }) };
const allHeaders = { ...headers, "content-type": "application/octet-stream" };
let scratch = new Uint8Array(64 << 10);

type Way = (peer: Fetcher) => Promise<void>;
let link: ReturnType<typeof fetchLink> | undefined;
const ways: Record<string, Way> = {
  link: async (peer) => {
    link ??= fetchLink(
      (body, signal) => peer.fetch("http://shard/", { method: "POST", body, headers: allHeaders, signal }),
      "peer",
      60_000,
    );
    (await link.step(step)).release?.();
  },
  raw: async (peer) => {
    const body = scratch = encodeCall({ op: Op.STEP, req: step }, scratch);
    const res = await peer.fetch("http://shard/", { method: "POST", body, headers: allHeaders });
    decodeAnswer(Op.STEP, new Uint8Array(await res.arrayBuffer()));
  },
  rawSignal: async (peer) => {
    const body = scratch = encodeCall({ op: Op.STEP, req: step }, scratch);
    const signal = AbortSignal.timeout(60_000);
    const res = await peer.fetch("http://shard/", { method: "POST", body, headers: allHeaders, signal });
    decodeAnswer(Op.STEP, new Uint8Array(await res.arrayBuffer()));
  },
  rawBare: async (peer) => {
    const body = scratch = encodeCall({ op: Op.STEP, req: step }, scratch);
    const res = await peer.fetch("http://shard/", { method: "POST", body });
    decodeAnswer(Op.STEP, new Uint8Array(await res.arrayBuffer()));
  },
};

export default {
  async fetch(req: Request, env: { ROLE: string; PEER: Fetcher }): Promise<Response> {
    if (env.ROLE === "answer") {
      await req.arrayBuffer();
      return new Response(answer, { headers: { "content-type": "application/octet-stream" } });
    }
    const url = new URL(req.url), way = ways[url.searchParams.get("way") ?? ""];
    if (!way) return new Response("no such way", { status: 404 });
    const n = Number(url.searchParams.get("n") ?? 100);
    for (let i = 0; i < n; i++) await way(env.PEER);
    return new Response("ok");
  },
};
