/**
 * `config.json` (and `generation_config.json`) of a Falcon-E checkpoint,
 * read and checked into the numbers the engine needs.
 * @module
 */

import type { ModelConfig } from "../engine/model_config.ts";
import { Limits } from "../engine/abi.ts";

export type { ModelConfig } from "../engine/model_config.ts";

/** A config file that cannot be used; the message says which field and why. */
export class ConfigError extends Error {
  /** Always `"ConfigError"`. */
  override name = "ConfigError";
}

/**
 * Upper bounds of the config's sizes, checked before anything is allocated
 * or listed: far above any Falcon-E, and each alone within what a wasm32
 * engine (4 GiB of memory) could hold.
 */
export const CONFIG_LIMITS: Readonly<Record<string, number>> = {
  num_hidden_layers: 1024,
  hidden_size: Limits.MAX_IN,
  intermediate_size: Limits.MAX_IN,
  num_attention_heads: 1024,
  num_key_value_heads: 1024,
  head_dim: 4096,
  vocab_size: 1 << 20,
  max_position_embeddings: 1 << 24,
};

/** Bytes of wasm32 memory. */
const WASM32_BYTES = 2 ** 32;

const shown = (v: unknown) => {
  const s = JSON.stringify(v) ?? String(v);
  return s.length > 80 ? `${s.slice(0, 80)}...` : s;
};

function int(obj: Record<string, unknown>, key: string, min = 1): number {
  const v = obj[key];
  const max = CONFIG_LIMITS[key] ?? Number.MAX_SAFE_INTEGER;
  if (typeof v !== "number" || !Number.isInteger(v) || v < min || v > max) {
    throw new ConfigError(`config.json: "${key}" must be an integer in [${min}, ${max}], got ${shown(v)}`);
  }
  return v;
}

function positive(key: string, v: unknown, min = Number.MIN_VALUE, max = Number.MAX_VALUE): number {
  if (typeof v !== "number" || !Number.isFinite(v) || v < min || v > max) {
    throw new ConfigError(`config.json: "${key}" must be a number in [${min}, ${max}], got ${shown(v)}`);
  }
  return v;
}

/** What the engine does not implement, refused by name rather than computed wrongly. */
function refuseUnsupported(c: Record<string, unknown>): void {
  const act = c.hidden_act ?? c.hidden_activation;
  if (act !== undefined && act !== "silu") {
    throw new ConfigError(`config.json: "hidden_act" ${shown(act)} is not supported (Falcon-E uses "silu")`);
  }
  for (const key of ["attention_bias", "mlp_bias"]) {
    if (c[key] !== undefined && c[key] !== false) {
      throw new ConfigError(`config.json: "${key}" ${shown(c[key])} is not supported (Falcon-E has no biases)`);
    }
  }
  if (c.tie_word_embeddings === true) {
    throw new ConfigError('config.json: "tie_word_embeddings" is true, but Falcon-E has a separate lm_head');
  }
}

/** The bytes the weights alone would take, refused when no wasm32 engine could hold them. */
function checkFits(c: ModelConfig): void {
  const h = c.hiddenSize, q = c.numHeads * c.headDim, kv = c.numKvHeads * c.headDim, m = c.intermediateSize;
  const ternary = c.numLayers * (h * (q + 2 * kv) + q * h + 3 * h * m) / 4;
  const bytes = 2 * 2 * c.vocabSize * h + ternary;
  if (bytes > WASM32_BYTES) {
    throw new ConfigError(
      `config.json: these sizes (num_hidden_layers ${c.numLayers}, hidden_size ${h}, intermediate_size ${m}, ` +
        `vocab_size ${c.vocabSize}) need ${(bytes / 2 ** 30).toFixed(1)} GiB of weights; a wasm32 engine holds 4 GiB`,
    );
  }
  for (
    const [key, v] of [["hidden_size", h], ["intermediate_size", m], ["num_attention_heads x head_dim", q]] as const
  ) {
    if (v % 4 !== 0) throw new ConfigError(`config.json: ${key} = ${v} must be a multiple of 4 (packed ternary rows)`);
    if (v > Limits.MAX_IN) throw new ConfigError(`config.json: ${key} = ${v} is over the kernels' ${Limits.MAX_IN}`);
  }
  if (kv % 4 !== 0) {
    throw new ConfigError(`config.json: num_key_value_heads x head_dim = ${kv} must be a multiple of 4`);
  }
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
      `config.json: model_type must be "llama", got ${shown(c.model_type)}`,
    );
  }
  refuseUnsupported(c);
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
  const ropeTheta = positive("rope_theta", theta, Number.MIN_VALUE, 1e12);
  const scaling = c.rope_scaling ??
    (rp && rp.rope_type !== undefined && rp.rope_type !== "default" ? rp : null);
  if (scaling) {
    const type = (scaling as Record<string, unknown>).rope_type ?? (scaling as Record<string, unknown>).type;
    throw new ConfigError(
      `config.json: "rope_scaling" of type ${shown(type)} is not supported (only plain RoPE): ${shown(scaling)}`,
    );
  }
  const bos = ids(g.bos_token_id ?? c.bos_token_id)[0];
  const config: ModelConfig = {
    numLayers: int(c, "num_hidden_layers"),
    hiddenSize,
    intermediateSize: int(c, "intermediate_size"),
    numHeads,
    numKvHeads,
    headDim,
    vocabSize: int(c, "vocab_size"),
    // the kernels keep eps as an f32: below f32's smallest normal number it would be 0 or lose precision
    rmsNormEps: positive("rms_norm_eps", c.rms_norm_eps, 1.1754943508222875e-38, 1),
    ropeTheta,
    maxPositions: int(c, "max_position_embeddings"),
    eosTokenIds: [...new Set([...ids(c.eos_token_id), ...ids(g.eos_token_id)])],
    ...(bos === undefined ? {} : { bosTokenId: bos }),
  };
  checkFits(config);
  return config;
}
