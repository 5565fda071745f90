/**
 * Loading one shard: only the tensors of its part, and of the embedding and
 * lm_head only the rows it holds, read as byte ranges from the source (Range
 * requests, R2 ranged gets, file seeks).
 * @module
 */

import { ConfigError, parseConfig } from "../load/config.ts";
import { fillPart, planFiles } from "../load/load_model.ts";
import { type ModelSource, openSource } from "../load/source/mod.ts";

export type { ByteReader, ModelSource } from "../load/source/mod.ts";
import type { TensorSpec } from "../load/checkpoint.ts";
import { Tensor } from "../engine/abi.ts";
import { createEngine, type EngineOptions, stopEngine } from "../engine/create.ts";
import { chooseTiles } from "../engine/tiles.ts";
import { checkOptionNames, ENGINE_OPTIONS } from "../engine/options.ts";
import { checkPart, type ModelPart, type PartRanges, size } from "./part.ts";
import { Shard } from "./shard.ts";

/** Options of {@linkcode loadShard}: the engine's layout, the part, where the bytes come from. */
export interface ShardOptions extends EngineOptions {
  /** What of the model this shard holds. */
  part: ModelPart;
  /** `fetch` for URL sources. */
  fetch?: typeof fetch;
  /** A session not stepped for this long (ms) may be evicted when every slot is taken (default 300000). */
  idleMs?: number;
}

const SHARD_OPTIONS = [...ENGINE_OPTIONS, "part", "fetch", "idleMs"];

/** Whether a part holds a tensor. */
function holds(p: PartRanges, spec: TensorSpec): boolean {
  if (spec.kind === Tensor.EMBED) return size(p.embed) > 0;
  if (spec.kind === Tensor.NORM || spec.kind === Tensor.LM_HEAD) return size(p.head) > 0;
  return spec.layer >= p.layers[0] && spec.layer < p.layers[1];
}

/**
 * Loads the part of a checkpoint one shard holds.
 * @param location A directory, `file:` or `http(s):` URL base, or an open source (an R2 bucket's, say).
 * @param options The part, and the engine's layout (context, sessions, precision, threads).
 * @throws {ConfigError} for a bad `config.json`; {@link RangeError} for a part out of the model's bounds.
 */
export async function loadShard(location: string | URL | ModelSource, options: ShardOptions): Promise<Shard> {
  checkOptionNames(options, SHARD_OPTIONS, "loadShard");
  const src = typeof location === "object" && "open" in location ? location : openSource(location, options.fetch);
  const configText = await src.text("config.json");
  if (configText === undefined) throw new ConfigError(`no config.json in ${src.location}`);
  const config = parseConfig(configText, await src.text("generation_config.json"));
  const part = checkPart(config, options.part ?? {});
  const files = await planFiles(src, config, {}, (spec) => holds(part, spec), true); // headers by bounded ranges
  try {
    const engine = await createEngine(config, options, src.location, part);
    try {
      await fillPart(engine, files, config, {}, src, part);
      const tiles = size(part.layers) > 0 ? chooseTiles(engine.k, engine.tiles, engine.block) : undefined;
      const shard = new Shard(engine, config, part, options.idleMs);
      if (tiles) shard.tiles = tiles;
      return shard;
    } catch (e) {
      stopEngine(engine);
      throw e;
    }
  } finally {
    for (const f of files) await f.shard.reader.close().catch(() => {});
  }
}
