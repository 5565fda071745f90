/**
 * The real server (`src/cli/serve.ts`, what `deno task serve` runs) as a
 * child process on a free loopback port, for tests that drive it over HTTP.
 * @module
 */

import { freePort } from "./net.ts";

/** A running server: where, its process, its log so far, and how to stop it. */
export interface RunningServer {
  base: string;
  port: number;
  pid: number;
  /** Whether the process has exited (and how). */
  exited(): Deno.CommandStatus | undefined;
  stop: () => Promise<void>;
  log: () => string;
}

/**
 * Starts `deno task serve` as a user would and waits until it listens.
 * @param args Its flags.
 * @param opts `fileLimit`: the open-file limit it runs under (`ulimit -n`).
 */
export async function startServer(args: string[], opts: { fileLimit?: number } = {}): Promise<RunningServer> {
  const port = freePort();
  const serve = new URL("../src/cli/serve.ts", import.meta.url).pathname;
  const argv = ["run", "-A", serve, "--port", String(port), ...args];
  const child =
    (opts.fileLimit === undefined
      ? new Deno.Command(Deno.execPath(), { args: argv, stdout: "null", stderr: "piped" })
      : new Deno.Command("bash", {
        args: ["-c", `ulimit -n ${opts.fileLimit} && exec "$0" "$@"`, Deno.execPath(), ...argv],
        stdout: "null",
        stderr: "piped",
      })).spawn();
  let status: Deno.CommandStatus | undefined;
  child.status.then((s) => (status = s));
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
    if (Date.now() - t0 > 30_000 || status) {
      throw new Error(`server did not start:\n${log}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    base: `http://127.0.0.1:${port}`,
    port,
    pid: child.pid,
    exited: () => status,
    log: () => log,
    stop: async () => {
      if (!status) child.kill("SIGTERM");
      await child.status;
      await pump;
    },
  };
}
