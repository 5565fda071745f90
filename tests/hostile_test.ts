// The real server (`deno task serve`) against hostile clients: slow bodies,
// idle connections past the open-file limit, a client that stops reading,
// floods of huge prompts. Each of these took the server down or stalled it
// before the guarded listener, the body reader and the prompt bounds.
import assert from "node:assert/strict";
import { startServer } from "./serve_process.ts";
import { TINY } from "./reference.ts";

const enc = new TextEncoder();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The resident memory of a process, in MB. */
function rssMb(pid: number): number {
  const status = Deno.readTextFileSync(`/proc/${pid}/status`);
  return Number(status.match(/VmRSS:\s+(\d+) kB/)![1]) / 1024;
}

async function health(base: string, timeoutMs = 5000): Promise<Record<string, unknown>> {
  const res = await fetch(`${base}/health`, { signal: AbortSignal.timeout(timeoutMs) });
  return await res.json();
}

/** A completion request of `maxTokens` tokens, timed. */
async function timedCompletion(base: string, maxTokens = 8): Promise<number> {
  const t0 = performance.now();
  const res = await fetch(`${base}/v1/completions`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ prompt: "the river", max_tokens: maxTokens, temperature: 0 }),
  });
  assert.equal(res.status, 200, await res.clone().text());
  await res.json();
  return performance.now() - t0;
}

Deno.test("bodies sent a byte at a time do not pin memory: 8 such connections stay within 50 MB", async () => {
  const srv = await startServer(["--model", TINY, "--ctx", "2048"]);
  try {
    await timedCompletion(srv.base);
    const base = rssMb(srv.pid);
    const body = JSON.stringify({ prompt: "hi ".repeat(1000), max_tokens: 1 });
    let peak = base;
    const clients = Array.from({ length: 8 }, async () => {
      const c = await Deno.connect({ hostname: "127.0.0.1", port: srv.port });
      c.setNoDelay(true);
      await c.write(enc.encode(
        `POST /v1/completions HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: ${body.length}\r\n\r\n`,
      ));
      for (let i = 0; i < body.length; i++) {
        await c.write(enc.encode(body[i]));
        if (i % 16 === 0) await sleep(1);
      }
      const buf = new Uint8Array(4096);
      const n = await c.read(buf);
      c.close();
      return new TextDecoder().decode(buf.subarray(0, n ?? 0));
    });
    const sampler = setInterval(() => (peak = Math.max(peak, rssMb(srv.pid))), 50);
    const answers = await Promise.all(clients);
    clearInterval(sampler);
    for (const a of answers) assert.match(a, /^HTTP\/1.1 200/);
    assert.ok(peak - base < 50, `RSS went from ${base.toFixed(0)} to ${peak.toFixed(0)} MB`);
  } finally {
    await srv.stop();
  }
});

Deno.test("1,100 idle connections under ulimit -n 1024 do not take the server down; /health still answers", async () => {
  const srv = await startServer(["--model", TINY, "--ctx", "256", "--header-timeout", "3"], { fileLimit: 1024 });
  const conns: Deno.Conn[] = [];
  try {
    for (let i = 0; i < 1100; i++) {
      try {
        conns.push(await Deno.connect({ hostname: "127.0.0.1", port: srv.port }));
      } catch {
        break; // the backlog is full: the kernel holds the rest
      }
    }
    assert.ok(conns.length >= 1000, `opened ${conns.length}`);
    await sleep(300);
    const t0 = performance.now();
    const h = await health(srv.base, 10_000);
    assert.equal(h.state, "ready");
    assert.ok(performance.now() - t0 < 5000, "answered while the idle connections are open");
    assert.equal(srv.exited(), undefined, "the server is alive");
    // the header deadline closes them: a read sees the 408 or the end
    const buf = new Uint8Array(512);
    const first = await conns[conns.length - 1].read(buf).catch(() => null);
    assert.ok(first === null || new TextDecoder().decode(buf.subarray(0, first)).startsWith("HTTP/1.1 408"));
    assert.ok(await timedCompletion(srv.base) < 2000);
  } finally {
    for (const c of conns) {
      try {
        c.close();
      } catch { /* closed by the server */ }
    }
    await srv.stop();
  }
});

Deno.test("a streaming client that stops reading is dropped; the next request is answered within the deadline", async () => {
  const srv = await startServer(["--model", TINY, "--ctx", "2048", "--slots", "1", "--write-timeout", "2"]);
  try {
    const c = await Deno.connect({ hostname: "127.0.0.1", port: srv.port });
    // ~10 MB of events (8 x 2000 tokens with their top-5 logprobs): more than loopback buffers hold (4 MB seen)
    const body = JSON.stringify({ prompt: "the", max_tokens: 2000, stream: true, ignore_eos: true, n: 8, logprobs: 5 });
    await c.write(enc.encode(
      `POST /v1/completions HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: ${body.length}\r\n\r\n${body}`,
    ));
    // and never reads
    await sleep(200);
    assert.equal(((await health(srv.base)).queue as { active: number }).active, 1);
    const t0 = performance.now();
    const took = await timedCompletion(srv.base);
    assert.ok(performance.now() - t0 < 8000, `answered after ${took.toFixed(0)} ms`);
    c.close();
  } finally {
    await srv.stop();
  }
});

Deno.test("4 clients flooding 1 MB prompts leave an 8-token completion's p50 under 1 s", async () => {
  const srv = await startServer(["--model", TINY, "--ctx", "2048", "--max-body-bytes", "2000000"]);
  try {
    const huge = JSON.stringify({ prompt: "word ".repeat(200_000), max_tokens: 8 });
    let stop = false, refused = 0;
    const flood = Array.from({ length: 4 }, async () => {
      while (!stop) {
        const res = await fetch(`${srv.base}/v1/completions`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: huge,
        });
        const j = await res.json();
        assert.equal(res.status, 400);
        assert.equal(j.error.code, "context_length_exceeded");
        refused++;
      }
    });
    await sleep(200);
    const times: number[] = [];
    for (let i = 0; i < 15; i++) times.push(await timedCompletion(srv.base));
    stop = true;
    await Promise.all(flood);
    times.sort((a, b) => a - b);
    assert.ok(refused > 4, `the flood ran (${refused} refused)`);
    assert.ok(times[7] < 1000, `p50 ${times[7].toFixed(0)} ms`);
  } finally {
    await srv.stop();
  }
});

Deno.test("past the connection cap, connections waiting for headers make room; none waiting: 503", async () => {
  const srv = await startServer([
    "--model",
    TINY,
    "--ctx",
    "2048",
    "--slots",
    "4",
    "--max-connections",
    "4",
    "--header-timeout",
    "30",
  ]);
  try {
    const idle = await Promise.all(
      Array.from({ length: 4 }, () => Deno.connect({ hostname: "127.0.0.1", port: srv.port })),
    );
    assert.equal((await health(srv.base)).state, "ready", "an idle connection was dropped to answer");
    for (const c of idle) c.close();
    // four requests in flight (streams that are never read) leave no room: the fifth connection gets 503
    const streams = await Promise.all(Array.from({ length: 4 }, async () => {
      const c = await Deno.connect({ hostname: "127.0.0.1", port: srv.port });
      // ~10 MB of events (8 x 2000 tokens with their top-5 logprobs): more than loopback buffers hold (4 MB seen)
      const body = JSON.stringify({
        prompt: "the",
        max_tokens: 2000,
        stream: true,
        ignore_eos: true,
        n: 8,
        logprobs: 5,
      });
      await c.write(enc.encode(
        `POST /v1/completions HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: ${body.length}\r\n\r\n${body}`,
      ));
      return c;
    }));
    await sleep(300);
    const res = await fetch(`${srv.base}/health`);
    assert.equal(res.status, 503);
    assert.equal(res.headers.get("retry-after"), "1");
    assert.equal((await res.json()).error.code, "server_busy");
    for (const c of streams) c.close();
  } finally {
    await srv.stop();
  }
});
