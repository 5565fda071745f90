// The package as users get it: `deno publish --dry-run` is clean, and mod.ts
// imported from a remote URL finds its .wasm over HTTP (relative to
// import.meta.url), not on the file system.
import assert from "node:assert/strict";
import { TINY } from "./reference.ts";

const ROOT = new URL("../", import.meta.url).pathname;

Deno.test("deno publish --dry-run passes with no slow types", async () => {
  const p = await new Deno.Command(Deno.execPath(), {
    args: ["publish", "--dry-run", "--allow-dirty"],
    cwd: ROOT,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const out = new TextDecoder().decode(p.stdout) +
    new TextDecoder().decode(p.stderr);
  assert.equal(p.code, 0, out);
  assert.match(out, /Success.*Dry run complete/s);
  assert.doesNotMatch(
    out,
    /(warning|error)\[/i,
    "no diagnostics (slow types, missing docs...)",
  );
  assert.match(out, /wasm\/falcon_e\.wasm/, "the wasm ships in the package");
});

Deno.test("every export of every subpath (deno.json exports) is documented (deno doc --lint)", async () => {
  const exports = JSON.parse(await Deno.readTextFile(`${ROOT}deno.json`)).exports as Record<string, string>;
  assert.ok([".", "./engine", "./serve"].every((k) => k in exports), "subpath exports . ./engine ./serve");
  const p = await new Deno.Command(Deno.execPath(), {
    args: ["doc", "--lint", ...Object.values(exports)],
    cwd: ROOT,
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(p.code, 0, new TextDecoder().decode(p.stderr));
});

Deno.test("mod.ts imported from a remote URL loads its wasm over HTTP and runs the fixture", async () => {
  const served: string[] = [];
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    async (req) => {
      const path = decodeURIComponent(new URL(req.url).pathname);
      served.push(path);
      if (path.includes("..")) return new Response("no", { status: 400 });
      try {
        const body = await Deno.readFile(ROOT + path.slice(1));
        const type = path.endsWith(".ts")
          ? "application/typescript"
          : path.endsWith(".wasm")
          ? "application/wasm"
          : "application/octet-stream";
        return new Response(body, { headers: { "content-type": type } });
      } catch {
        return new Response("not found", { status: 404 });
      }
    },
  );
  const port = (server.addr as Deno.NetAddr).port;
  const dir = await Deno.makeTempDir();
  try {
    const script = `${dir}/remote.ts`;
    await Deno.writeTextFile(
      script,
      `import { loadModel } from "http://127.0.0.1:${port}/mod.ts";
const m = await loadModel(${JSON.stringify(TINY)});
const s = m.createSession();
const l = s.feed([577, 467, 511]);
let best = 0;
for (let i = 1; i < l.length; i++) if (l[i] > l[best]) best = i;
console.log(JSON.stringify({ best, vocab: l.length }));`,
    );
    const p = await new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "--no-config",
        "--no-lock",
        `--allow-import=127.0.0.1:${port}`,
        `--allow-net=127.0.0.1:${port}`,
        `--allow-read=${TINY}`,
        "--allow-env",
        script,
      ],
      stdout: "piped",
      stderr: "piped",
    }).output();
    const err = new TextDecoder().decode(p.stderr);
    assert.equal(p.code, 0, err);
    assert.equal(JSON.parse(new TextDecoder().decode(p.stdout)).vocab, 640);
    assert.ok(
      served.some((s) => /^\/wasm\/falcon_e(_relaxed)?(_mt)?\.wasm$/.test(s)),
      served.join("\n"),
    );
  } finally {
    await server.shutdown();
    await Deno.remove(dir, { recursive: true });
  }
});
