// Bundles worker.ts and sharded.ts into dist/ with esbuild and copies the wasm
// modules it imports by relative name: the kernels and the grammar library. Run by `deno task build:cloudflare`.
import * as esbuild from "esbuild";
import { copyFileSync, mkdirSync, readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const dist = join(here, "dist");
mkdirSync(dist, { recursive: true });
const wasmDir = join(here, "..", "..", "wasm");
const grammarWasm = join(here, "..", "..", "src", "text", "vendor", "xgrammar.wasm");
const wasmFiles = readdirSync(wasmDir).filter((f) => f.endsWith(".wasm"));
// worker.ts: one model per isolate; sharded.ts: the model as Durable Object shards
await esbuild.build({
  entryPoints: [join(here, "worker.ts"), join(here, "sharded.ts")],
  outdir: dist,
  bundle: true,
  format: "esm",
  platform: "neutral",
  target: "es2022",
  mainFields: ["module", "main"],
  conditions: ["workerd", "worker", "import"],
  nodePaths: [join(here, "node_modules")],
  external: ["node:*", "./xgrammar.wasm", ...wasmFiles.map((f) => `./${f}`)],
  plugins: [{
    // The sources import npm packages as `npm:name@version` (Deno style); resolve them from node_modules.
    name: "npm-specifiers",
    setup(build) {
      build.onResolve({ filter: /^npm:/ }, (args) => {
        const spec = args.path.slice(4).replace(/^(@[^/]+\/[^@/]+|[^@/]+)@[^/]+/, "$1");
        return build.resolve(spec, { kind: args.kind, resolveDir: here });
      });
    },
  }],
  logLevel: "warning",
});
for (const f of wasmFiles) copyFileSync(join(wasmDir, f), join(dist, f));
copyFileSync(grammarWasm, join(dist, "xgrammar.wasm")); // the grammar library (structured output)
console.log(`built ${join(dist, "worker.js")}, ${join(dist, "sharded.js")} + ${[...wasmFiles, "xgrammar.wasm"].join(", ")}`);
