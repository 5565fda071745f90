// configFromEnv: the one reading of the serving configuration every entry
// point uses (deno task serve, deploy/deno, deploy/cloudflare).
import assert from "node:assert/strict";
import { configFromEnv, ConfigVarError, DEFAULT_MODEL } from "../src/serve/config.ts";
import { modelIdOf } from "../src/load/source/open.ts";

const env = (vars: Record<string, unknown>) => (name: string) => vars[name];
const nowhere = () => false;

Deno.test("a model served from a URL, image, directory or bucket gets a sensible id", () => {
  assert.equal(modelIdOf("http://127.0.0.1:8080/"), "falcon-e");
  assert.equal(modelIdOf("http://127.0.0.1:8080/models/Falcon-E-1B-Instruct/"), "Falcon-E-1B-Instruct");
  assert.equal(
    modelIdOf("https://huggingface.co/tiiuae/Falcon-E-1B-Instruct/resolve/main/"),
    "tiiuae/Falcon-E-1B-Instruct",
  );
  assert.equal(modelIdOf("https://cdn.example/falcon-e-1b.feimg"), "falcon-e-1b");
  assert.equal(modelIdOf("/data/models/falcon-e-3b.feimg"), "falcon-e-3b");
  assert.equal(modelIdOf("./checkpoints/tiny-falcon-e/"), "tiny-falcon-e");
  assert.equal(modelIdOf("file:///data/my%20model/"), "my model");
  const bucket = { get: () => Promise.resolve(null) };
  assert.equal(
    configFromEnv(env({ MODEL_BUCKET: bucket, MODEL_PREFIX: "Falcon-E-1B-Instruct/" }), {}, nowhere).id,
    "Falcon-E-1B-Instruct",
  );
  assert.equal(configFromEnv(env({ MODEL_URL: "http://h:1/", MODEL_ID: "mine" }), {}, nowhere).id, "mine");
});

Deno.test("the model spec: hub repo id, URL, local path (a local directory named owner/name wins over the hub)", () => {
  const hub = configFromEnv(env({}), {}, nowhere);
  assert.deepEqual(hub.model, { kind: "hub", repo: DEFAULT_MODEL, endpoint: "https://huggingface.co" });
  assert.equal(hub.id, DEFAULT_MODEL);
  const other = configFromEnv(env({ MODEL_URL: "a/b", HF_ENDPOINT: "http://mirror:9" }), {}, nowhere);
  assert.deepEqual(other.model, { kind: "hub", repo: "a/b", endpoint: "http://mirror:9" });
  assert.deepEqual(configFromEnv(env({ MODEL_URL: "a/b" }), {}, () => true).model, { kind: "path", location: "a/b" });
  assert.equal(configFromEnv(env({ MODEL_URL: "https://x.test/m/" }), {}, nowhere).model.kind, "url");
});

Deno.test("engine options come from CONTEXT, KV_CACHE, LM_HEAD with the entry's defaults; bad values name the variable", () => {
  const cfg = configFromEnv(env({ CONTEXT: "512", LM_HEAD: "int8", THREADS: "2" }), { kvCache: "f16" }, nowhere);
  assert.deepEqual(cfg.load, { contextLength: 512, kvCache: "f16", lmHead: "int8", threads: 2 });
  assert.deepEqual(configFromEnv(env({ KV_CACHE: "f32" }), { kvCache: "f16" }, nowhere).load, { kvCache: "f32" });
  for (
    const [name, value, msg] of [
      ["KV_CACHE", "f8", /KV_CACHE must be f16 or f32, got "f8"/],
      ["LM_HEAD", "q4", /LM_HEAD must be bf16 or int8, got "q4"/],
      ["CONTEXT", "lots", /CONTEXT must be a positive integer, got "lots"/],
      ["CONTEXT", "0", /CONTEXT must be a positive integer/],
    ] as const
  ) {
    assert.throws(
      () => configFromEnv(env({ [name]: value }), {}, nowhere),
      (e) => e instanceof ConfigVarError && msg.test(e.message),
    );
  }
});

Deno.test("API_KEY is the one key variable; the old FALCON_E_API_KEY still works and says it is deprecated", () => {
  assert.equal(configFromEnv(env({ API_KEY: "k1" }), {}, nowhere).apiKey, "k1");
  const old = configFromEnv(env({ FALCON_E_API_KEY: "k2" }), {}, nowhere);
  assert.equal(old.apiKey, "k2");
  assert.match(old.warnings.join("\n"), /FALCON_E_API_KEY is deprecated: set API_KEY/);
  const both = configFromEnv(env({ API_KEY: "new", FALCON_E_API_KEY: "old" }), {}, nowhere);
  assert.equal(both.apiKey, "new");
  assert.equal(configFromEnv(env({}), {}, nowhere).apiKey, undefined);
});
