/**
 * The workerd config that runs dist/worker.js locally (Cloudflare's own
 * runtime): the worker's modules embedded from dist/, its vars as text
 * bindings, loopback and public network allowed for fetching the model.
 * Used by `deno task workerd` and tests/workerd_test.ts.
 * @module
 */

/** Writes `dist/<name>` (capnp embeds resolve beside it) and returns its path. */
export async function writeWorkerdConfig(
  dist: string,
  port: number,
  vars: Record<string, string>,
  name = "workerd.capnp",
): Promise<string> {
  const wasm = [...Deno.readDirSync(dist)].filter((e) => e.name.endsWith(".wasm")).map((e) => e.name).sort();
  const text = (v: string) => JSON.stringify(v); // capnp string literals accept JSON escapes
  const config = `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [
    (name = "main", worker = .worker),
    (name = "internet", network = (allow = ["public", "private", "local"])),
  ],
  sockets = [(name = "http", address = "127.0.0.1:${port}", http = (), service = "main")],
);
const worker :Workerd.Worker = (
  modules = [
    (name = "worker.js", esModule = embed "worker.js"),
${wasm.map((w) => `    (name = "${w}", wasm = embed "${w}"),`).join("\n")}
  ],
  compatibilityDate = "2025-09-01",
  compatibilityFlags = ["nodejs_compat"],
  bindings = [${Object.entries(vars).map(([k, v]) => `(name = ${text(k)}, text = ${text(v)})`).join(", ")}],
  globalOutbound = "internet",
);
`;
  const path = `${dist}/${name}`;
  await Deno.writeTextFile(path, config);
  return path;
}
