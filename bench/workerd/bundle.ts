/**
 * Bundles a bench-only Worker entry (TypeScript importing `src/`) into one
 * ES module for workerd, with deploy/cloudflare's esbuild (installed by
 * `deno task build:cloudflare`); wasm imports (`./x.wasm`) stay external.
 * @module
 */

const root = new URL("../../", import.meta.url).pathname;

/** Writes `outfile` from `entry` (a path under bench/workerd/). @throws {Error} with esbuild's output when it fails. */
export function bundleWorker(entry: string, outfile: string): void {
  const build = `import * as esbuild from "esbuild";
await esbuild.build({ entryPoints: [${JSON.stringify(`${root}bench/workerd/${entry}`)}],
  outfile: ${JSON.stringify(outfile)}, bundle: true, format: "esm", platform: "neutral", target: "es2022",
  mainFields: ["module", "main"], conditions: ["workerd", "worker", "import"], external: ["node:*", "./*.wasm"],
  logLevel: "warning" });`;
  const out = new Deno.Command("node", { args: ["--input-type=module", "-e", build], cwd: `${root}deploy/cloudflare/` })
    .outputSync();
  if (!out.success) {
    throw new Error(`esbuild: ${new TextDecoder().decode(out.stderr)} (run deno task build:cloudflare first)`);
  }
}
