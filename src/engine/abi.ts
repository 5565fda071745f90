// Generated from wasm/src/abi.rs (the module's abi_table()) by wasm/gen_abi.ts; do not edit.
// `deno task build:wasm` rewrites it; tests/abi_test.ts checks it against both committed modules.
/**
 * The numbers shared with the kernels: tensor kinds, error codes and their
 * messages, logits modes, memory kinds, limits.
 * @module
 */

/** Tensor kinds of `tensor_ptr` / `tensor_bytes`: where the loader writes each checkpoint tensor. */
export const Tensor = {
  /** [vocab, hidden] bf16 */
  EMBED: 0,
  /** [hidden] bf16, per layer */
  INPUT_NORM: 1,
  /** [hidden] bf16, per layer */
  POST_NORM: 2,
  /** packed ternary [out/4, in] u8, per layer (the seven projections in checkpoint order) */
  Q_PROJ: 3,
  K_PROJ: 4,
  V_PROJ: 5,
  O_PROJ: 6,
  GATE_PROJ: 7,
  UP_PROJ: 8,
  DOWN_PROJ: 9,
  /** weight_scale [1] bf16, per layer, in the projections' order */
  Q_SCALE: 10,
  K_SCALE: 11,
  V_SCALE: 12,
  O_SCALE: 13,
  GATE_SCALE: 14,
  UP_SCALE: 15,
  DOWN_SCALE: 16,
  /** [hidden] bf16 */
  NORM: 17,
  /** [vocab, hidden] bf16 */
  LM_HEAD: 18,
} as const;

/** Errors of `model_create`. */
export const CreateError = {
  CONFIG: -1,
  MEMORY: -2,
  EXISTS: -3,
  THREADS: -4,
} as const;

/** Messages of {@linkcode CreateError}, by code. */
export const CREATE_ERROR_MESSAGES: Readonly<Record<number, string>> = {
  [-1]: "the kernels reject this model configuration",
  [-2]: "the model does not fit in WebAssembly memory (4 GiB at most)",
  [-3]: "this instance already holds a model",
  [-4]: "more than one thread needs the shared-memory build of the kernels",
};

/** Errors of `forward` and `forward_rows` (checked in this order, before any state changes). */
export const ForwardError = {
  SLOT: -1,
  CONTEXT: -2,
  TOKEN: -3,
  COUNT: -4,
  NO_MODEL: -5,
  NOT_PREPARED: -6,
  PART: -7,
} as const;

/** Messages of {@linkcode ForwardError}, by code. */
export const FORWARD_ERROR_MESSAGES: Readonly<Record<number, string>> = {
  [-1]: "no such session slot",
  [-2]: "the context is full",
  [-3]: "a token id is out of the vocabulary",
  [-4]: "bad token count for one block",
  [-5]: "no model loaded",
  [-6]: "the weights were not prepared (prepare_weights) after loading",
  [-7]: "this instance does not hold the part of the model the call needs",
};

/** Where the rows of a `forward_part` call start. */
export const PartInput = {
  /** token ids at `tokens_ptr()` (needs the whole embedding) */
  TOKENS: 0,
  /** hidden rows (f32, [n, hidden]) at `hidden_ptr()`, from the previous part */
  HIDDEN: 1,
} as const;

/** Which rows of a `forward_rows` call get logits. */
export const Logits = {
  /** the last row only */
  LAST: 0,
  /** every row */
  ALL: 1,
  /** the rows flagged in `want_ptr()` (e.g. the last row of each session) */
  WANTED: 2,
} as const;

/** What `memory_bytes` reports. */
export const MemoryKind = {
  /** embedding, packed projections, norms, lm_head */
  WEIGHTS: 0,
  /** every session's KV cache at full context */
  KV_CACHE: 1,
  /** activations, RoPE table, logits and loading buffers */
  SCRATCH: 2,
} as const;

/** `kernel_path()`: which build of the kernels this module is (the ternary kernels differ). */
export const SimdBuild = {
  PLAIN: 0,
  RELAXED: 1,
} as const;

/** The relaxed build's ternary tiles (`set_ternary_tiles`, `ternary_tiles`); the plain build has DOT16 only. */
export const TernaryTiles = {
  /** `i16x8.relaxed_dot_i8x16_i7x16_s` + `i16x8.add`, widened every few steps */
  DOT16: 0,
  /** `i32x4.relaxed_dot_i8x16_i7x16_add_s` (one vpdpbusd with AVX-VNNI) */
  DOT_ADD: 1,
  /** two of the four fields as DOT_ADD, two as DOT16 */
  MIXED: 2,
} as const;

/** `lm_head_mode()`: the lm_head weights in use (-1 without a model). */
export const LmHead = {
  BF16: 0,
  Q8: 1,
} as const;

/** Bounds the kernels are built for. */
export const Limits = {
  /** most token rows in one forward call (the prefill block) */
  MAX_BLOCK: 64,
  /** widest projection input the ternary kernels accept */
  MAX_IN: 65536,
  /** initial pages of the shared memory a threaded build imports (its data and first stack fit) */
  SHARED_INITIAL_PAGES: 32,
} as const;
