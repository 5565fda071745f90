// Hugging Face repo ids resolve to <endpoint>/<id>/resolve/main/<file>; tested
// against a loopback server that mimics the hub (LFS redirects, Range, 404s).
import assert from "node:assert/strict";
import { downloadRepo, isRepoId } from "../src/load/source/hub.ts";
import { downloadLine } from "../src/cli/progress.ts";
import { loadTextModel } from "../src/generate/text_model.ts";
import { TINY } from "./reference.ts";

interface Hub {
  endpoint: string;
  log: string[];
  close: () => Promise<void>;
}

/** A fake hub: /<owner>/<name>/resolve/main/<file>; big files redirect to /cdn/<file>. */
function fakeHub(
  dir: string,
  opts: { cutOnce?: number; html?: boolean } = {},
): Hub {
  const log: string[] = [];
  let cut = opts.cutOnce;
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    async (req) => {
      const url = new URL(req.url);
      log.push(`${url.pathname} ${req.headers.get("range") ?? ""}`.trim());
      const m = url.pathname.match(
        /^\/tiiuae\/Falcon-E-tiny\/resolve\/main\/([\w.-]+)$/,
      );
      if (m && m[1].endsWith(".safetensors")) {
        return Response.redirect(
          `${url.origin}/cdn/${m[1]}`,
          302,
        );
      }
      const file = m?.[1] ?? url.pathname.match(/^\/cdn\/([\w.-]+)$/)?.[1];
      if (!file) return new Response("Repository not found", { status: 404 });
      let bytes: Uint8Array<ArrayBuffer>;
      try {
        bytes = await Deno.readFile(`${dir}/${file}`);
      } catch {
        return new Response("Entry not found", { status: 404 });
      }
      if (opts.html && file.endsWith(".safetensors")) {
        return new Response("<html>login</html>", {
          headers: { "content-type": "text/html" },
        });
      }
      const r = req.headers.get("range")?.match(/^bytes=(\d+)-$/);
      const start = r ? Number(r[1]) : 0;
      const body = bytes.subarray(start);
      const headers: Record<string, string> = {
        "content-length": String(body.length),
      };
      if (r) {
        headers["content-range"] = `bytes ${start}-${bytes.length - 1}/${bytes.length}`;
      }
      if (cut !== undefined && body.length > cut) {
        const part = body.subarray(0, cut);
        cut = undefined;
        return new Response(
          new ReadableStream({
            async start(c) {
              c.enqueue(part);
              await new Promise((res) => setTimeout(res, 30));
              c.error(new Error("connection reset (test)"));
            },
          }),
          { status: r ? 206 : 200, headers },
        );
      }
      return new Response(body, { status: r ? 206 : 200, headers });
    },
  );
  return {
    endpoint: `http://127.0.0.1:${(server.addr as Deno.NetAddr).port}`,
    log,
    close: () => server.shutdown(),
  };
}

Deno.test("repo ids are told apart from paths and URLs", () => {
  assert.ok(isRepoId("tiiuae/Falcon-E-1B-Instruct"));
  assert.ok(!isRepoId("./models/x"));
  assert.ok(!isRepoId("/abs/path"));
  assert.ok(!isRepoId("https://example.com/a"));
  assert.ok(!isRepoId("a/b/c"));
  assert.ok(!isRepoId("../x"));
});

Deno.test("a repo id downloads through resolve URLs (following LFS redirects) into the cache, once", async () => {
  const hub = fakeHub(TINY);
  const cacheDir = await Deno.makeTempDir();
  try {
    const lines: string[] = [];
    const dir = await downloadRepo("tiiuae/Falcon-E-tiny", {
      endpoint: hub.endpoint,
      cacheDir,
      onProgress: (p) => p.done && lines.push(downloadLine(p)),
    });
    assert.ok(
      hub.log.includes("/tiiuae/Falcon-E-tiny/resolve/main/config.json"),
    );
    assert.ok(hub.log.includes("/cdn/model.safetensors"));
    assert.ok(
      lines.some((l) => /model.safetensors \[#{20}\] 100% 1.0\/1.0 MB/.test(l)),
      lines.join("\n"),
    );
    for (
      const f of [
        "config.json",
        "tokenizer.json",
        "tokenizer_config.json",
        "generation_config.json",
        "model.safetensors",
      ]
    ) {
      assert.deepEqual(
        await Deno.readFile(`${dir}/${f}`),
        await Deno.readFile(`${TINY}/${f}`),
        f,
      );
    }
    const tm = await loadTextModel(dir);
    assert.equal(tm.model.config.vocabSize, 640);
    const before = hub.log.length;
    assert.equal(
      await downloadRepo("tiiuae/Falcon-E-tiny", {
        endpoint: hub.endpoint,
        cacheDir,
      }),
      dir,
    );
    assert.equal(
      hub.log.filter((l) => l.endsWith(".safetensors")).length,
      hub.log.slice(0, before).filter((l) => l.endsWith(".safetensors")).length,
    );
  } finally {
    await hub.close();
    await Deno.remove(cacheDir, { recursive: true });
  }
});

Deno.test("an interrupted download resumes with a Range request", async () => {
  const hub = fakeHub(TINY, { cutOnce: 400_000 });
  const cacheDir = await Deno.makeTempDir();
  try {
    const dir = await downloadRepo("tiiuae/Falcon-E-tiny", {
      endpoint: hub.endpoint,
      cacheDir,
    });
    assert.ok(
      hub.log.some((l) => /^\/cdn\/model.safetensors bytes=\d+-$/.test(l)),
      hub.log.join("\n"),
    );
    assert.deepEqual(
      await Deno.readFile(`${dir}/model.safetensors`),
      await Deno.readFile(`${TINY}/model.safetensors`),
    );
  } finally {
    await hub.close();
    await Deno.remove(cacheDir, { recursive: true });
  }
});

Deno.test("a missing repo, an HTML page and no network are clear errors", async () => {
  const hub = fakeHub(TINY, { html: true });
  const cacheDir = await Deno.makeTempDir();
  try {
    await assert.rejects(
      downloadRepo("nobody/nothing", {
        endpoint: hub.endpoint,
        cacheDir,
      }),
      /nobody\/nothing\/resolve\/main\/config.json: HTTP 404/,
    );
    await assert.rejects(
      downloadRepo("tiiuae/Falcon-E-tiny", {
        endpoint: hub.endpoint,
        cacheDir,
      }),
      /sent an HTML page, not the file/,
    );
    await assert.rejects(
      downloadRepo("tiiuae/Falcon-E-tiny", {
        endpoint: "http://127.0.0.1:9",
        cacheDir,
      }),
      /cannot reach http:\/\/127.0.0.1:9 .*pass --model \/path\/to\/that\/dir/,
    );
  } finally {
    await hub.close();
    await Deno.remove(cacheDir, { recursive: true });
  }
});
