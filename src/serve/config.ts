/**
 * One reading of the serving configuration, shared by every entry point
 * (`deno task serve`, `deploy/deno/main.ts`, `deploy/cloudflare/worker.ts`):
 * which model, under what id, with which context, KV cache and lm_head, and
 * the API key. Each entry passes its own `get` (flags then environment,
 * `Deno.env`, or a Worker's bindings).
 *
 *   MODEL_URL     a directory, a URL base, a `.feimg` image (path or URL) or a
 *                 Hugging Face repo id (owner/name); default tiiuae/Falcon-E-1B-Instruct
 *   MODEL_BUCKET  an R2 bucket binding holding the files under MODEL_PREFIX (Workers)
 *   MODEL_ID      the id clients name the model by (default: derived from the location)
 *   HF_ENDPOINT   the hub for repo ids (default https://huggingface.co)
 *   API_KEY       when set, /v1/* needs `Authorization: Bearer <API_KEY>`
 *                 (FALCON_E_API_KEY, the old name, still works and says so)
 *   CONTEXT       positions per session
 *   KV_CACHE      f32 or f16
 *   LM_HEAD       bf16 or int8
 *   TERNARY_TILES auto (measured at load), dot16, dot-add or mixed
 *   THREADS       threads per forward pass (default: every core, where the runtime has threads)
 * @module
 */

import type { TextModel, TextModelOptions } from "../generate/text_model.ts";
import { loadTextModel, loadTextModelFrom } from "../generate/text_model.ts";
import {
  DEFAULT_ENDPOINT,
  hubUrlBase,
  isRepoId,
  modelIdOf,
  type ModelSource,
  openSource,
  type R2BucketLike,
  R2Source,
  UrlSource,
} from "../load/source/mod.ts";
import { createHandler, type Handler, type HandlerOptions } from "./handler.ts";
import { TILE_CHOICES } from "../engine/tiles.ts";

/** The model served when none is named. */
export const DEFAULT_MODEL = "tiiuae/Falcon-E-1B-Instruct";

/** Where the model comes from. */
export type ModelLocation =
  | { kind: "hub"; repo: string; endpoint: string }
  | { kind: "bucket"; bucket: R2BucketLike; prefix: string }
  | { kind: "url" | "path"; location: string };

/** The configuration every entry point serves with. */
export interface ServeConfig {
  /** Where the model comes from. */
  model: ModelLocation;
  /** The id clients use (`model` in requests). */
  id: string;
  /** Engine options read from the configuration. */
  load: Pick<TextModelOptions, "contextLength" | "kvCache" | "lmHead" | "ternaryTiles" | "threads">;
  /** The bearer token `/v1/*` requires, if any. */
  apiKey?: string;
  /** Deprecated names in use, as one line each for the log. */
  warnings: string[];
}

/** A configuration variable with a value it cannot take; names the variable. */
export class ConfigVarError extends Error {
  /** Always `"ConfigVarError"`. */
  override name = "ConfigVarError";
}

/** Defaults an entry point picks (the edge entries default the KV cache to f16). */
export interface ConfigDefaults {
  /** KV cache precision when KV_CACHE is unset. */
  kvCache?: "f16" | "f32";
}

function choice<T extends string>(get: (k: string) => unknown, name: string, allowed: readonly T[]): T | undefined {
  const v = get(name);
  if (v === undefined || v === "") return undefined;
  if (!allowed.includes(v as T)) {
    throw new ConfigVarError(`${name} must be ${allowed.join(" or ")}, got ${JSON.stringify(v)}`);
  }
  return v as T;
}

function positiveInt(get: (k: string) => unknown, name: string): number | undefined {
  const v = get(name);
  if (v === undefined || v === "") return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) {
    throw new ConfigVarError(`${name} must be a positive integer, got ${JSON.stringify(v)}`);
  }
  return n;
}

function text(get: (k: string) => unknown, name: string): string | undefined {
  const v = get(name);
  return typeof v === "string" && v !== "" ? v : undefined;
}

/** The model's location from MODEL_BUCKET (+ MODEL_PREFIX) or MODEL_URL. */
function locate(get: (k: string) => unknown, isLocal: (p: string) => boolean): ModelLocation {
  const bucket = get("MODEL_BUCKET");
  if (bucket && typeof bucket === "object") {
    return { kind: "bucket", bucket: bucket as R2BucketLike, prefix: text(get, "MODEL_PREFIX") ?? "" };
  }
  const spec = text(get, "MODEL_URL") ?? DEFAULT_MODEL;
  if (/^(https?|file):\/\//i.test(spec)) return { kind: "url", location: spec };
  if (!isLocal(spec) && isRepoId(spec)) {
    return { kind: "hub", repo: spec, endpoint: text(get, "HF_ENDPOINT") ?? DEFAULT_ENDPOINT };
  }
  return { kind: "path", location: spec };
}

/** Whether `path` exists on the local file system (false where there is none, as in Workers). */
export function isLocalPath(path: string): boolean {
  try {
    (globalThis as { Deno?: { statSync(p: string): unknown } }).Deno?.statSync(path);
    return "Deno" in globalThis;
  } catch {
    return false;
  }
}

/**
 * Reads the serving configuration.
 * @param get The value of a variable (a string, or for MODEL_BUCKET a bucket binding), undefined when unset.
 * @param defaults The entry point's own defaults.
 * @param isLocal Whether a path exists locally (a local directory named like a repo id wins over the hub).
 * @throws {ConfigVarError} naming a variable with a value it cannot take.
 */
export function configFromEnv(
  get: (name: string) => unknown,
  defaults: ConfigDefaults = {},
  isLocal: (path: string) => boolean = isLocalPath,
): ServeConfig {
  const model = locate(get, isLocal);
  const warnings: string[] = [];
  let apiKey = text(get, "API_KEY");
  if (apiKey === undefined && text(get, "FALCON_E_API_KEY") !== undefined) {
    apiKey = text(get, "FALCON_E_API_KEY");
    warnings.push("FALCON_E_API_KEY is deprecated: set API_KEY instead (same meaning)");
  }
  const id = text(get, "MODEL_ID") ??
    (model.kind === "hub" ? model.repo : model.kind === "bucket" ? modelIdOf(model.prefix) : modelIdOf(model.location));
  const contextLength = positiveInt(get, "CONTEXT");
  const threads = positiveInt(get, "THREADS");
  const kvCache = choice(get, "KV_CACHE", ["f16", "f32"] as const) ?? defaults.kvCache;
  const lmHead = choice(get, "LM_HEAD", ["bf16", "int8"] as const);
  const ternaryTiles = choice(get, "TERNARY_TILES", TILE_CHOICES);
  const load: ServeConfig["load"] = {
    ...(contextLength ? { contextLength } : {}),
    ...(kvCache ? { kvCache } : {}),
    ...(lmHead ? { lmHead } : {}),
    ...(ternaryTiles ? { ternaryTiles } : {}),
    ...(threads ? { threads } : {}),
  };
  return { model, id, load, ...(apiKey ? { apiKey } : {}), warnings };
}

/**
 * Loads the configured model, streaming it from where it is (a hub repo is
 * read from its resolve URLs; `deno task serve` downloads it into a cache first).
 * @param cfg The configuration.
 * @param options More load options (kernels, progress, sessions).
 */
export function loadConfigured(cfg: ServeConfig, options: TextModelOptions = {}): Promise<TextModel> {
  const opts = { ...cfg.load, ...options, id: cfg.id };
  const m = cfg.model;
  if (m.kind === "path" || m.kind === "url") return loadTextModel(m.location, opts); // a directory, URL base or .feimg image
  return loadTextModelFrom(configuredSource(cfg, options.fetch), opts);
}

/** Where the configured checkpoint's files are: an R2 bucket, a hub repo's resolve URLs, a URL base or a directory. */
export function configuredSource(cfg: ServeConfig, fetchImpl?: typeof fetch): ModelSource {
  const m = cfg.model;
  if (m.kind === "bucket") return new R2Source(m.bucket, m.prefix);
  if (m.kind === "hub") return new UrlSource(hubUrlBase(m.repo, m.endpoint), fetchImpl);
  return openSource(m.location, fetchImpl);
}

/** Options of {@linkcode createConfiguredHandler}: the handler's own, and more load options. */
export interface ConfiguredOptions extends Omit<HandlerOptions, "model" | "apiKey" | "loadProgress"> {
  /** More load options (kernels, sessions). */
  load?: TextModelOptions;
}

/**
 * The handler for a configuration: the model loads once behind one promise
 * (requests wait up to `loadWaitMs`, then get 503; `/health` shows the
 * progress), deprecation warnings are logged.
 * @returns The handler and the model's promise.
 */
export function createConfiguredHandler(
  cfg: ServeConfig,
  options: ConfiguredOptions = {},
): { handler: Handler; model: Promise<TextModel> } {
  for (const w of cfg.warnings) console.warn(`warning: ${w}`);
  const progress = { loaded: 0, total: undefined as number | undefined };
  const { load, ...handlerOptions } = options;
  const model = loadConfigured(cfg, {
    ...load,
    onProgress: (loaded, total) => Object.assign(progress, { loaded, total }),
  });
  const handler = createHandler({
    log: (line) => console.log(line),
    ...handlerOptions,
    model,
    ...(cfg.apiKey ? { apiKey: cfg.apiKey } : {}),
    loadProgress: () => progress,
  });
  return { handler, model };
}

/**
 * The handler an edge entry exports: {@linkcode configFromEnv} then
 * {@linkcode createConfiguredHandler}. A variable with a value it cannot
 * take does not crash the isolate: the error is logged, naming the
 * variable, and every request is answered as for a model that failed to load.
 */
export function handlerFromEnv(
  get: (name: string) => unknown,
  defaults: ConfigDefaults = {},
  options: ConfiguredOptions = {},
): { handler: Handler; model: Promise<TextModel> } {
  try {
    return createConfiguredHandler(configFromEnv(get, defaults), options);
  } catch (e) {
    const model = Promise.reject(e);
    return { handler: createHandler({ ...options, model }), model };
  }
}
