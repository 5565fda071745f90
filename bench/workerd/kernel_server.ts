/**
 * The kernel Worker of bench/workerd/kernels.ts and call_work.ts in a workerd
 * process on loopback: `kernel_worker.js` (GET /?op=decode|prefill&reps=N)
 * with the relaxed kernel build, from a temporary folder.
 * @module
 */

import { freePort } from "../../tests/net.ts";

const here = new URL(".", import.meta.url).pathname, root = new URL("../../", import.meta.url).pathname;

/** The running server: its port and process; `close` ends it and removes its folder. */
export interface KernelServer {
  port: number;
  child: Deno.ChildProcess;
  close(): Promise<void>;
}

/** Starts workerd with the kernel Worker (`v8Flags`: workerd's Config.v8Flags). */
export function startKernelServer(v8Flags: string[] = []): KernelServer {
  const workerd = `${root}deploy/cloudflare/node_modules/.bin/workerd`;
  try {
    Deno.statSync(workerd);
  } catch {
    throw new Error("needs workerd: run `npm ci` in deploy/cloudflare");
  }
  const dir = Deno.makeTempDirSync();
  for (const f of ["kernel_run.js", "kernel_worker.js"]) Deno.copyFileSync(`${here}${f}`, `${dir}/${f}`);
  Deno.copyFileSync(`${root}wasm/falcon_e_relaxed.wasm`, `${dir}/falcon_e_relaxed.wasm`);
  const port = freePort();
  Deno.writeTextFileSync(
    `${dir}/bench.capnp`,
    `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [(name = "main", worker = .worker)],
  sockets = [(name = "http", address = "127.0.0.1:${port}", http = (), service = "main")],
  v8Flags = ${JSON.stringify(v8Flags)},
);
const worker :Workerd.Worker = (
  modules = [
    (name = "worker.js", esModule = embed "kernel_worker.js"),
    (name = "kernel_run.js", esModule = embed "kernel_run.js"),
    (name = "falcon_e_relaxed.wasm", wasm = embed "falcon_e_relaxed.wasm"),
  ],
  compatibilityDate = "2025-09-01",
);
`,
  );
  const child = new Deno.Command(workerd, { args: ["serve", `${dir}/bench.capnp`], stdout: "null", stderr: "null" })
    .spawn();
  return {
    port,
    child,
    async close() {
      child.kill("SIGKILL");
      await child.status;
      Deno.removeSync(dir, { recursive: true });
    },
  };
}
