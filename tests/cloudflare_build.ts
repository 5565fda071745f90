/**
 * Builds the Cloudflare bundles (deploy/cloudflare: `npm ci` + `node build.mjs`,
 * what `deno task build:cloudflare` runs) for the workerd tests.
 * @module
 */

/** The Cloudflare entry's folder. */
export const CF = new URL("../deploy/cloudflare/", import.meta.url).pathname;

async function run(cmd: string, args: string[]): Promise<void> {
  const p = await new Deno.Command(cmd, { args, cwd: CF, stdout: "piped", stderr: "piped" }).output();
  if (p.code !== 0) throw new Error(`${cmd} ${args.join(" ")} failed:\n${new TextDecoder().decode(p.stderr)}`);
}

/** dist/worker.js, dist/sharded.js and the wasm modules beside them. */
export async function buildCloudflare(): Promise<void> {
  await run("npm", ["ci", "--no-audit", "--no-fund", "--silent", "--prefer-offline"]);
  await run("node", ["build.mjs"]);
}
