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

/** A shard of the sharded bundle: its plan name and part (`deno task plan`). */
export interface PlannedPart {
  name: string;
  part: unknown;
}

/**
 * The workerd configs of the sharded bundle (dist/sharded.js) on one box,
 * each shard in its own process so its memory can be read from outside: per
 * shard, a host whose ShardObject Durable Object holds the part (on
 * `shardPorts[i]`); and the Worker on `port`, reaching shard i through a
 * service binding SHARD_i to that host over loopback. workerd evicts an
 * object after 10 s without calls (Cloudflare after 70-140 s); with
 * `preventEviction` the shards stay loaded (a workerd-only switch). With
 * `oneProcess`, one config instead (no shard configs): the Worker and its
 * shards' Durable Object namespace in one process, as Cloudflare runs the
 * bundle (stubs from SHARDS, not service bindings). Returns the paths.
 */
export async function writeShardedWorkerdConfigs(
  dist: string,
  port: number,
  shardPorts: number[],
  plan: PlannedPart[],
  vars: Record<string, string>,
  prefix = "sharded",
  preventEviction = false,
  v8Flags: string[] = [],
  oneProcess = false,
): Promise<{ main: string; shards: string[] }> {
  const wasm = [...Deno.readDirSync(dist)].filter((e) => e.name.endsWith(".wasm")).map((e) => e.name).sort();
  const text = (v: string) => JSON.stringify(v);
  const textBindings = (v: Record<string, string>) =>
    Object.entries(v).map(([k, x]) => `(name = ${text(k)}, text = ${text(x)})`);
  const worker = (bindings: string[], extra = "") =>
    `const worker :Workerd.Worker = (
  modules = [
    (name = "sharded.js", esModule = embed "sharded.js"),
${wasm.map((w) => `    (name = "${w}", wasm = embed "${w}"),`).join("\n")}
  ],
  compatibilityDate = "2025-09-01",
  compatibilityFlags = ["nodejs_compat"],
  bindings = [${bindings.join(", ")}],
  globalOutbound = "internet",${extra}
);
`;
  const head = (services: string[], p: number) =>
    `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [
    (name = "main", worker = .worker),
    (name = "internet", network = (allow = ["public", "private", "local"])),
${services.map((s) => `    ${s},`).join("\n")}
  ],
  sockets = [(name = "http", address = "127.0.0.1:${p}", http = (), service = "main")],${
      v8Flags.length ? `\n  v8Flags = ${JSON.stringify(v8Flags)},` : ""
    }
);
`;
  const objects = (key: string) => `
  durableObjectNamespaces = [(className = "ShardObject", uniqueKey = ${text(key)}${
    preventEviction ? ", preventEviction = true" : ""
  })],
  durableObjectStorage = (inMemory = void),`;
  const plannedVars = { ...vars, SHARD_PLAN: JSON.stringify(plan.map(({ name, part }) => ({ name, part }))) };
  if (oneProcess) { // as Cloudflare deploys it (wrangler.sharded.toml): the Worker reaches its objects by the namespace
    const main = `${dist}/${prefix}-main.capnp`;
    const bindings = [...textBindings(plannedVars), `(name = "SHARDS", durableObjectNamespace = "ShardObject")`];
    await Deno.writeTextFile(main, head([], port) + worker(bindings, objects("falcon-e-shards")));
    return { main, shards: [] };
  }
  const shards: string[] = [];
  for (const [i, s] of plan.entries()) {
    const bindings = [
      ...textBindings({ ...vars, SHARD_SELF: s.name }),
      `(name = "SHARDS", durableObjectNamespace = "ShardObject")`,
    ];
    const path = `${dist}/${prefix}-${s.name}.capnp`;
    await Deno.writeTextFile(path, head([], shardPorts[i]) + worker(bindings, objects(`falcon-e-${s.name}`)));
    shards.push(path);
  }
  const external = plan.map((s, i) =>
    `(name = ${text(s.name)}, external = (address = "127.0.0.1:${shardPorts[i]}", http = ()))`
  );
  const bindings = [
    ...textBindings(plannedVars),
    ...plan.map((s, i) => `(name = "SHARD_${i}", service = ${text(s.name)})`),
  ];
  const main = `${dist}/${prefix}-main.capnp`;
  await Deno.writeTextFile(main, head(external, port) + worker(bindings));
  return { main, shards };
}
