/**
 * The real server (`src/cli/serve.ts`, what `deno task serve` runs) as a
 * child process on a free loopback port, for tests that drive it over HTTP.
 * @module
 */

import { freePort } from "./net.ts";

/** Starts `deno task serve` as a user would and waits until it listens. */
export async function startServer(
  args: string[],
): Promise<{ base: string; stop: () => Promise<void>; log: () => string }> {
  const port = freePort();
  const serve = new URL("../src/cli/serve.ts", import.meta.url).pathname;
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", serve, "--port", String(port), ...args],
    stdout: "null",
    stderr: "piped",
  }).spawn();
  let log = "";
  const reader = child.stderr.pipeThrough(new TextDecoderStream()).getReader();
  const pump = (async () => {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      log += value;
    }
  })();
  const t0 = Date.now();
  while (!log.includes("listening on")) {
    if (Date.now() - t0 > 30_000) {
      throw new Error(`server did not start:\n${log}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    base: `http://127.0.0.1:${port}`,
    log: () => log,
    stop: async () => {
      child.kill("SIGTERM");
      await child.status;
      await pump;
    },
  };
}
