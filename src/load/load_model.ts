/**
 * Loading a Hugging Face Falcon-E checkpoint: read the config, check every
 * safetensors header against it, lay the model out in a fresh wasm instance
 * (memory grown once) and copy each tensor's bytes straight into place.
 * Nothing is handed out until every byte is in and checked.
 * @module
 */

import { ConfigError, type ModelConfig, parseConfig, parseJsonFile } from "./config.ts";
import { CheckpointError, expectedTensors, projectionShape, SCALE_KINDS, type TensorSpec } from "./checkpoint.ts";
import { Tensor } from "../engine/abi.ts";
import { isImagePath, loadImageFrom } from "./image.ts";
import { LOAD_OPTIONS, type LoadOptions } from "./options.ts";
import { checkOptionNames } from "../engine/options.ts";
import type { Model } from "../engine/model.ts";
import type { TensorEntry } from "./safetensors.ts";
import {
  fillRegions,
  finishTensorFile,
  type OpenTensorFile,
  openTensorFile,
  type Region,
} from "./safetensors_stream.ts";
import { DirectorySource, type ModelSource, openSource, UrlSource } from "./source/mod.ts";
import { createEngine, type Engine, finishEngine, type LayoutPart, stopEngine } from "../engine/create.ts";
import { lmHeadSink } from "./lm_head_sink.ts";

export { CheckpointError } from "./checkpoint.ts";
export type { LoadOptions } from "./options.ts";

const INDEX = "model.safetensors.index.json";

/**
 * Loads a Falcon-E checkpoint from a local directory or a URL base holding
 * `config.json`, optional `generation_config.json`, and `model.safetensors`
 * (or shards listed in `model.safetensors.index.json`).
 *
 * @example
 * ```ts ignore
 * import { loadModel } from "./mod.ts";
 * const model = await loadModel("tests/fixtures/tiny-falcon-e", { contextLength: 512 });
 * console.log(model.config.numLayers, model.memory());
 * model.dispose();
 * ```
 *
 * @param location A directory path, a `file:` URL, or an `http(s):` URL base.
 * @param options Context length, session slots, block size, fetch.
 * @returns The model, every weight in WebAssembly memory.
 * @throws {ConfigError} for a missing, non-JSON or unsupported `config.json`.
 * @throws {SafetensorsError} for a corrupt or truncated safetensors header.
 * @throws {CheckpointError} naming the tensor that is missing, unexpected or mis-shaped.
 */
export async function loadModel(location: string | URL, options: LoadOptions = {}): Promise<Model> {
  checkOptionNames(options, LOAD_OPTIONS, "loadModel");
  const image = imageLocation(location, options.fetch);
  if (image) return (await loadImageFrom(image.src, image.file, options)).model;
  return loadModelFrom(openSource(location, options.fetch), options);
}

/** For a `.feimg` path or URL: the source holding it and its file name. */
export function imageLocation(
  location: string | URL,
  fetchImpl?: typeof fetch,
): { src: ModelSource; file: string } | undefined {
  const s = String(location);
  if (!isImagePath(s)) return undefined;
  const url = /^(https?|file):\/\//i.test(s) ? new URL(s) : undefined;
  const file = decodeURIComponent(s.replace(/\/+$/, "").split("/").pop()!);
  if (url && url.protocol !== "file:") return { src: new UrlSource(new URL(".", url), fetchImpl), file };
  const dir = url ? decodeURIComponent(new URL(".", url).pathname) : s.slice(0, s.length - file.length) || ".";
  return { src: new DirectorySource(dir), file };
}

/**
 * {@linkcode loadModel} from an open {@linkcode ModelSource}.
 *
 * @param src Where the checkpoint files are.
 * @param options Context length, session slots, block size.
 * @returns The model, every weight in WebAssembly memory.
 */
export async function loadModelFrom(src: ModelSource, options: LoadOptions = {}): Promise<Model> {
  checkOptionNames(options, LOAD_OPTIONS, "loadModelFrom");
  const configText = await src.text("config.json");
  if (configText === undefined) throw new ConfigError(`no config.json in ${src.location}`);
  const config = parseConfig(configText, await src.text("generation_config.json"));
  for (let i = 0; i < 7; i++) {
    if (projectionShape(config, i)[0] % 4 !== 0) {
      throw new ConfigError(`config.json: projection output sizes must be multiples of 4 for 2-bit packing`);
    }
  }
  const shards = await planFiles(src, config, options.sha256 ?? {});
  try {
    const engine = await createEngine(config, options, src.location);
    try {
      await fillEngine(engine, shards, config, options);
      return finishEngine(engine, config, src.location);
    } catch (e) {
      stopEngine(engine);
      throw e;
    }
  } finally {
    for (const s of shards) await s.shard.reader.close();
  }
}

/**
 * Where tensor `spec` goes in engine `k`: its file range and its sink (the
 * int8 lm_head is quantized as it streams in). `row0`: the engine holds rows
 * of it from row `row0` on (a shard's slice of the embedding or lm_head), not all of it.
 */
function regionOf(k: Engine["k"], config: ModelConfig, entry: TensorEntry, spec: TensorSpec, row0?: number): Region {
  const ptr = k.tensor_ptr(spec.kind, spec.layer);
  const bytes = k.tensor_bytes(spec.kind, spec.layer);
  const skip = (row0 ?? 0) * config.hiddenSize * 2, room = entry.end - entry.start - skip;
  if (ptr === 0 || (row0 === undefined ? bytes !== room : bytes > room)) {
    throw new Error(`internal: engine layout disagrees with ${spec.name}`);
  }
  const sink = spec.kind === Tensor.LM_HEAD
    ? lmHeadSink(k, bytes / (config.hiddenSize * 2), config.hiddenSize)
    : { dest: new Uint8Array(k.memory.buffer, ptr, bytes) };
  return { name: spec.name, start: entry.start + skip, length: bytes, sink };
}

/** Streams every planned tensor into the engine's memory and prepares the weights. */
async function fillEngine(engine: Engine, shards: Planned[], config: ModelConfig, options: LoadOptions): Promise<void> {
  const { k } = engine;
  {
    const sizes = shards.map((s) => s.shard.reader.size);
    const total = sizes.every((x) => x !== undefined) ? sizes.reduce((a, b) => a! + b!, 0) : undefined;
    let loaded = shards.reduce((a, s) => a + s.shard.pos, 0);
    const onBytes = (n: number) => {
      loaded += n;
      options.onProgress?.(loaded, total);
    };
    for (const { shard, entries } of shards) {
      const regions = entries.map(({ entry, spec }) => regionOf(k, config, entry, spec));
      await fillRegions(shard, regions, onBytes); // straight into wasm memory
      await finishTensorFile(shard, onBytes);
    }
    k.prepare_weights(); // packed projections -> the kernels' layout, in place
    checkScales(k.memory.buffer, shards.flatMap((s) => s.entries), (s) => k.tensor_ptr(s.kind, s.layer));
  }
}

/**
 * A pipeline shard's load: only the tensors planned (`planFiles` with its
 * `holds`), and of the embedding and lm_head only the held rows, each run of
 * nearby tensors through a reader of that byte range alone (a Range request
 * for URL sources), so a shard never downloads the rest; then the weights
 * are prepared.
 * @internal
 */
export async function fillPart(
  engine: Engine,
  shards: Planned[],
  config: ModelConfig,
  options: LoadOptions,
  src: ModelSource,
  ranges: LayoutPart,
): Promise<void> {
  const { k } = engine;
  const runs: { shard: Planned; regions: Region[] }[] = [];
  let total = 0;
  for (const planned of shards) {
    const regions = planned.entries.map(({ entry, spec }) => {
      const row0 = spec.kind === Tensor.EMBED
        ? ranges.embed[0]
        : spec.kind === Tensor.LM_HEAD
        ? ranges.head[0]
        : undefined;
      const r = regionOf(k, config, entry, spec, row0);
      total += r.length;
      return r;
    }).sort((a, b) => a.start - b.start);
    // tensors less than 1 MiB apart share one reader (the gap is read and dropped)
    for (const r of regions) {
      const last = runs.at(-1);
      const prev = last?.regions.at(-1);
      if (last && last.shard === planned && prev && r.start - (prev.start + prev.length) <= 1 << 20) {
        last.regions.push(r);
      } else runs.push({ shard: planned, regions: [r] });
    }
    await planned.shard.reader.close(); // each run opens its own
  }
  let loaded = 0;
  const onBytes = (n: number) => {
    loaded += n;
    options.onProgress?.(loaded, total);
  };
  for (const { shard, regions } of runs) {
    const at = regions[0].start, last = regions.at(-1)!;
    const reader = await src.open(shard.shard.file, at, last.start + last.length); // that range only
    try {
      const run: OpenTensorFile = { ...shard.shard, reader, pos: at };
      await fillRegions(run, regions, onBytes);
    } finally {
      await reader.close();
    }
  }
  k.prepare_weights();
  checkScales(k.memory.buffer, shards.flatMap((s) => s.entries), (s) => k.tensor_ptr(s.kind, s.layer));
}

/** @internal A safetensors file's header and the tensors to load from it. */
export interface Planned {
  shard: OpenTensorFile;
  entries: { entry: TensorEntry; spec: TensorSpec }[];
}

/**
 * Reads every shard's header and matches its tensors to what the config
 * requires (all of them, whatever is loaded); the entries are those `holds`
 * keeps (default: every tensor).
 * @internal
 */
export async function planFiles(
  src: ModelSource,
  config: ModelConfig,
  sha256: Record<string, string>,
  holds: (spec: TensorSpec) => boolean = () => true,
  headerOnly = false,
): Promise<Planned[]> {
  const indexText = await src.text(INDEX);
  let files = ["model.safetensors"];
  let weightMap: Record<string, string> | undefined;
  if (indexText !== undefined) {
    const idx = parseJsonFile(indexText, INDEX);
    weightMap = idx.weight_map as Record<string, string>;
    if (typeof weightMap !== "object" || weightMap === null) {
      throw new CheckpointError(`${INDEX}: "weight_map" is missing`);
    }
    files = [...new Set(Object.values(weightMap))];
    for (const f of files) {
      if (typeof f !== "string" || f.includes("/") || f.includes("..")) {
        throw new CheckpointError(`${INDEX}: bad shard file name ${JSON.stringify(f)}`);
      }
    }
  }
  const want = new Map(expectedTensors(config).map((s) => [s.name, s]));
  const seen = new Set<string>();
  const out: Planned[] = [];
  try {
    for (const file of files) planShard(await openTensorFile(src, file, sha256[file], headerOnly));
  } catch (e) {
    for (const p of out) await p.shard.reader.close();
    throw e;
  }
  function planShard(shard: OpenTensorFile): void {
    const { file, header } = shard;
    const entries: Planned["entries"] = [];
    for (const entry of header.tensors) {
      const spec = want.get(entry.name);
      if (!spec) {
        throw new CheckpointError(
          `${file}: unexpected tensor "${entry.name}" (not part of a Falcon-E checkpoint with this config.json)`,
        );
      }
      if (seen.has(entry.name)) {
        throw new CheckpointError(`${file}: tensor "${entry.name}" appears in more than one shard`);
      }
      if (weightMap && weightMap[entry.name] !== file) {
        throw new CheckpointError(
          `${file}: tensor "${entry.name}" is listed in ${INDEX} under ${weightMap[entry.name]}`,
        );
      }
      seen.add(entry.name);
      const shapeOk = SCALE_KINDS.includes(spec.kind)
        ? entry.shape.length <= 1 && (entry.shape[0] ?? 1) === 1 // a scalar scale may be stored as [] or [1]
        : entry.shape.length === spec.shape.length && entry.shape.every((d, i) => d === spec.shape[i]);
      if (entry.dtype !== spec.dtype || !shapeOk) {
        throw new CheckpointError(
          `${file}: tensor "${entry.name}" is ${entry.dtype} ${
            JSON.stringify(entry.shape)
          }, but config.json implies ${spec.dtype} ${JSON.stringify(spec.shape)}`,
        );
      }
      if (holds(spec)) entries.push({ entry, spec });
    }
    out.push({ shard, entries });
  }
  const missing = [...want.keys()].filter((name) => !seen.has(name));
  if (missing.length > 0) {
    for (const p of out) await p.shard.reader.close();
    const more = missing.length > 1 ? ` (and ${missing.length - 1} more)` : "";
    throw new CheckpointError(`${src.location}: missing tensor "${missing[0]}"${more}`);
  }
  return out;
}

/** Every weight_scale must be a positive finite number (it divides the output). */
function checkScales(buf: ArrayBufferLike, entries: Planned["entries"], ptr: (s: TensorSpec) => number): void {
  const view = new DataView(buf);
  for (const { spec } of entries) {
    if (!SCALE_KINDS.includes(spec.kind)) continue;
    const v = new Float32Array(new Uint32Array([view.getUint16(ptr(spec), true) << 16]).buffer)[0];
    if (!(v > 0) || !Number.isFinite(v)) {
      throw new CheckpointError(`tensor "${spec.name}" holds ${v}; a weight_scale must be a positive finite number`);
    }
  }
}
