/**
 * Options of `loadModel` and `loadImageFrom`.
 * @module
 */

/** Options of {@linkcode loadModel}. */
export interface LoadOptions {
  /** Positions per session (default: the smaller of 2048 and the model's max_position_embeddings). */
  contextLength?: number;
  /** KV cache slots allocated up front (default 1). */
  maxSessions?: number;
  /**
   * KV cache precision. `"f32"` (the default) is transformers' float32 cache:
   * logits match the reference to ~1e-5. `"f16"` halves the cache (Falcon-E-1B
   * at 2048 positions: 50 MB instead of 100 MB) and moves logits by up to 0.066
   * on the test fixtures (argmax and greedy output unchanged there); the edge
   * deploy entries use it.
   */
  kvCache?: "f16" | "f32";
  /**
   * lm_head weights. `"bf16"` (the default) computes logits from the weights as
   * shipped, exactly as transformers does. `"int8"` quantizes them while they
   * load, a few rows at a time as they stream in, to 8-bit bytes with one
   * scale per row (7-bit levels, see `wasm/src/kernels/matmul_q8.rs`) and the
   * normed hidden state to int8: half the lm_head bytes per token, in memory
   * too (the BF16 matrix is never whole), and faster decoding, with logits
   * moved slightly (`bench/lm_head_agreement.ts` measures top-1 agreement with BF16).
   */
  lmHead?: "bf16" | "int8";
  /** Tokens per forward call while prefilling (default 32, at most 64). */
  blockSize?: number;
  /** `fetch` to use for URL sources. */
  fetch?: typeof fetch;
  /** Expected sha256 (hex) per file, e.g. `{ "model.safetensors": "ab12..." }`; checked while streaming. */
  sha256?: Record<string, string>;
  /** Refuse a model whose WebAssembly memory (weights + KV caches + scratch) would exceed this many bytes. */
  maxMemoryBytes?: number;
  /** A compiled kernel module to use (Workers import it statically); default: fetched next to this package. */
  kernels?: WebAssembly.Module;
  /** Called as weight bytes arrive: (bytes so far, total bytes or undefined). */
  onProgress?: (loaded: number, total: number | undefined) => void;
}
