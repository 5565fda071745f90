/**
 * `config.json` (and `generation_config.json`) of a Falcon-E checkpoint,
 * read and checked into the numbers the engine needs.
 * @module
 */

import type { ModelConfig } from "../engine/model_config.ts";

export type { ModelConfig } from "../engine/model_config.ts";

/** A config file that cannot be used; the message says which field and why. */
export class ConfigError extends Error {
  /** Always `"ConfigError"`. */
  override name = "ConfigError";
}

function int(obj: Record<string, unknown>, key: string, min = 1): number {
  const v = obj[key];
  if (typeof v !== "number" || !Number.isInteger(v) || v < min) {
    throw new ConfigError(
      `config.json: "${key}" must be an integer >= ${min}, got ${JSON.stringify(v)}`,
    );
  }
  return v;
}

function positive(key: string, v: unknown): number {
  if (typeof v !== "number" || !Number.isFinite(v) || v <= 0) {
    throw new ConfigError(
      `config.json: "${key}" must be a positive number, got ${JSON.stringify(v)}`,
    );
  }
  return v;
}

function ids(v: unknown): number[] {
  if (v === undefined || v === null) return [];
  const list = Array.isArray(v) ? v : [v];
  return list.filter((x): x is number => Number.isInteger(x) && x >= 0);
}

/** Parses JSON text, naming the file when it is not JSON. */
export function parseJsonFile(
  text: string,
  file: string,
): Record<string, unknown> {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    throw new ConfigError(`${file} is not valid JSON: ${(e as Error).message}`);
  }
  if (typeof v !== "object" || v === null || Array.isArray(v)) {
    throw new ConfigError(`${file} must hold a JSON object`);
  }
  return v as Record<string, unknown>;
}

/**
 * Reads a Falcon-E `config.json` (a Llama config with BitNet quantization).
 * Accepts `rope_theta` at the top level or inside `rope_parameters`.
 *
 * @param configText The text of `config.json`.
 * @param generationText The text of `generation_config.json`, if the checkpoint has one.
 * @returns The checked configuration.
 * @throws {ConfigError} naming the field that is missing or wrong.
 */
export function parseConfig(
  configText: string,
  generationText?: string,
): ModelConfig {
  const c = parseJsonFile(configText, "config.json");
  const g = generationText === undefined ? {} : parseJsonFile(generationText, "generation_config.json");
  const quant = c.quantization_config as Record<string, unknown> | undefined;
  if (!quant || quant.quant_method !== "bitnet") {
    throw new ConfigError(
      `config.json: quantization_config.quant_method must be "bitnet" (a packed Falcon-E checkpoint), got ${
        JSON.stringify(quant?.quant_method)
      }`,
    );
  }
  if (c.model_type !== undefined && c.model_type !== "llama") {
    throw new ConfigError(
      `config.json: model_type must be "llama", got ${JSON.stringify(c.model_type)}`,
    );
  }
  const hiddenSize = int(c, "hidden_size");
  const numHeads = int(c, "num_attention_heads");
  const numKvHeads = c.num_key_value_heads === undefined ? numHeads : int(c, "num_key_value_heads");
  const headDim = c.head_dim === undefined || c.head_dim === null ? hiddenSize / numHeads : int(c, "head_dim");
  if (!Number.isInteger(headDim)) {
    throw new ConfigError(
      `config.json: hidden_size ${hiddenSize} is not a multiple of num_attention_heads ${numHeads}`,
    );
  }
  if (numHeads % numKvHeads !== 0) {
    throw new ConfigError(
      `config.json: num_attention_heads ${numHeads} is not a multiple of num_key_value_heads ${numKvHeads}`,
    );
  }
  if (headDim % 2 !== 0) {
    throw new ConfigError(
      `config.json: head_dim ${headDim} must be even for RoPE`,
    );
  }
  const rp = c.rope_parameters as Record<string, unknown> | undefined;
  const theta = c.rope_theta ?? rp?.rope_theta;
  const ropeTheta = positive("rope_theta", theta);
  const scaling = c.rope_scaling ??
    (rp && rp.rope_type !== undefined && rp.rope_type !== "default" ? rp : null);
  if (scaling) {
    throw new ConfigError(
      `config.json: rope scaling ${JSON.stringify(scaling)} is not supported`,
    );
  }
  if (c.tie_word_embeddings === true) {
    throw new ConfigError(
      "config.json: tie_word_embeddings is true, but Falcon-E has a separate lm_head",
    );
  }
  const bos = ids(g.bos_token_id ?? c.bos_token_id)[0];
  return {
    numLayers: int(c, "num_hidden_layers"),
    hiddenSize,
    intermediateSize: int(c, "intermediate_size"),
    numHeads,
    numKvHeads,
    headDim,
    vocabSize: int(c, "vocab_size"),
    rmsNormEps: positive("rms_norm_eps", c.rms_norm_eps),
    ropeTheta,
    maxPositions: int(c, "max_position_embeddings"),
    eosTokenIds: [...new Set([...ids(c.eos_token_id), ...ids(g.eos_token_id)])],
    ...(bos === undefined ? {} : { bosTokenId: bos }),
  };
}
