/**
 * What a Falcon-E checkpoint must contain, derived from its config: every
 * tensor's name, dtype, shape and where the engine keeps it.
 * @module
 */

import type { ModelConfig } from "./config.ts";
import { Tensor } from "../engine/abi.ts";

/** One tensor the engine needs. */
export interface TensorSpec {
  /** Hugging Face name, e.g. `model.layers.3.mlp.up_proj.weight`. */
  name: string;
  /** Required safetensors dtype. */
  dtype: "BF16" | "U8";
  /** Required shape. */
  shape: number[];
  /** Engine tensor kind (`wasm/src/model.rs`). */
  kind: number;
  /** Layer index (0 for global tensors). */
  layer: number;
}

/** Checkpoint names of the seven BitLinear projections, in engine order. */
export const PROJECTIONS = [
  "self_attn.q_proj",
  "self_attn.k_proj",
  "self_attn.v_proj",
  "self_attn.o_proj",
  "mlp.gate_proj",
  "mlp.up_proj",
  "mlp.down_proj",
] as const;

/** Tensor kinds of the seven projections' packed weights, in {@linkcode PROJECTIONS} order. */
export const PROJECTION_KINDS: readonly number[] = [
  Tensor.Q_PROJ,
  Tensor.K_PROJ,
  Tensor.V_PROJ,
  Tensor.O_PROJ,
  Tensor.GATE_PROJ,
  Tensor.UP_PROJ,
  Tensor.DOWN_PROJ,
];

/** Tensor kinds of the seven projections' weight_scale, in {@linkcode PROJECTIONS} order. */
export const SCALE_KINDS: readonly number[] = [
  Tensor.Q_SCALE,
  Tensor.K_SCALE,
  Tensor.V_SCALE,
  Tensor.O_SCALE,
  Tensor.GATE_SCALE,
  Tensor.UP_SCALE,
  Tensor.DOWN_SCALE,
];

/** [out, in] of each projection. */
export function projectionShape(c: ModelConfig, i: number): [number, number] {
  const q = c.numHeads * c.headDim,
    kv = c.numKvHeads * c.headDim,
    h = c.hiddenSize,
    m = c.intermediateSize;
  return ([[q, h], [kv, h], [kv, h], [h, q], [m, h], [m, h], [h, m]] as [
    number,
    number,
  ][])[i];
}

/**
 * Every tensor a Falcon-E checkpoint holds, with the dtype and shape the
 * config implies. Packed BitLinear weights are U8 `[out/4, in]`.
 */
export function expectedTensors(c: ModelConfig): TensorSpec[] {
  const h = c.hiddenSize;
  const out: TensorSpec[] = [
    {
      name: "model.embed_tokens.weight",
      dtype: "BF16",
      shape: [c.vocabSize, h],
      kind: Tensor.EMBED,
      layer: 0,
    },
  ];
  for (let l = 0; l < c.numLayers; l++) {
    const p = `model.layers.${l}.`;
    out.push({
      name: p + "input_layernorm.weight",
      dtype: "BF16",
      shape: [h],
      kind: Tensor.INPUT_NORM,
      layer: l,
    });
    out.push({
      name: p + "post_attention_layernorm.weight",
      dtype: "BF16",
      shape: [h],
      kind: Tensor.POST_NORM,
      layer: l,
    });
    PROJECTIONS.forEach((proj, i) => {
      const [o, n] = projectionShape(c, i);
      out.push({
        name: `${p}${proj}.weight`,
        dtype: "U8",
        shape: [o / 4, n],
        kind: PROJECTION_KINDS[i],
        layer: l,
      });
      out.push({
        name: `${p}${proj}.weight_scale`,
        dtype: "BF16",
        shape: [1],
        kind: SCALE_KINDS[i],
        layer: l,
      });
    });
  }
  out.push({
    name: "model.norm.weight",
    dtype: "BF16",
    shape: [h],
    kind: Tensor.NORM,
    layer: 0,
  });
  out.push({
    name: "lm_head.weight",
    dtype: "BF16",
    shape: [c.vocabSize, h],
    kind: Tensor.LM_HEAD,
    layer: 0,
  });
  return out;
}

/** A checkpoint whose tensors disagree with its config or are unusable; names the tensor. */
export class CheckpointError extends Error {
  /** Always `"CheckpointError"`. */
  override name = "CheckpointError";
}
