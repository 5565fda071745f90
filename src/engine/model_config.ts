/**
 * The shape of a model as the engine needs it: the numbers a loader reads
 * from a checkpoint's `config.json` (`load/config.ts` parses and checks them).
 * @module
 */

/** The model facts the engine uses, all from `config.json`. */
export interface ModelConfig {
  /** Transformer blocks. */
  numLayers: number;
  /** Residual width. */
  hiddenSize: number;
  /** MLP width. */
  intermediateSize: number;
  /** Query heads. */
  numHeads: number;
  /** Key/value heads (grouped-query attention). */
  numKvHeads: number;
  /** Width of one head. */
  headDim: number;
  /** Vocabulary size (rows of the embedding and lm_head). */
  vocabSize: number;
  /** RMSNorm epsilon. */
  rmsNormEps: number;
  /** RoPE base. */
  ropeTheta: number;
  /** Longest context the model was trained for. */
  maxPositions: number;
  /** Token ids that end generation (config and generation_config merged). */
  eosTokenIds: number[];
  /** Beginning-of-sequence id, if any. */
  bosTokenId?: number;
}
