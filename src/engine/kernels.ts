/**
 * Hand-written binding of the Rust kernels (`wasm/src/exports.rs`). The
 * module is compiled once per process; every model gets its own instance,
 * so its linear memory holds exactly one model.
 *
 * Two builds of the same crate exist: `falcon_e_relaxed.wasm`, whose ternary
 * and int8 kernels use relaxed SIMD (`i16x8.relaxed_dot_i8x16_i7x16_s`) and
 * whose BF16 lm_head uses `f32x4.relaxed_madd` (fused where the CPU has FMA), and
 * `falcon_e.wasm`, plain SIMD128. The relaxed one is chosen when the runtime
 * validates relaxed SIMD (Deno, workerd, Chrome, Firefox do by default); set
 * `FALCON_E_KERNELS=plain` (or `relaxed`) in the environment to force a path.
 *
 * The KV cache is IEEE f16 unless `model_create` is asked for f32 (the
 * `kvCache` load option); the lm_head is BF16 unless it is asked for q8 (the
 * `lmHead` option), whose rows the loader then streams through a window.
 * @module
 */

import { envVar } from "./env.ts";

/** The raw exports of `falcon_e.wasm`. Addresses are byte offsets into `memory`. */
export interface KernelExports {
  /** The instance's linear memory: weights, KV caches and scratch. */
  memory: WebAssembly.Memory;
  model_create(
    nLayers: number,
    hidden: number,
    inter: number,
    nHeads: number,
    nKv: number,
    headDim: number,
    vocab: number,
    eps: number,
    theta: number,
    ctx: number,
    sessions: number,
    block: number,
    /** 1: f32 KV cache; 0: IEEE f16 (half the bytes). */
    kvF32: number,
    /** 1: q8 lm_head, quantized while loading through `lm_stage`; 0: BF16 as shipped. */
    lmQ8: number,
  ): number;
  tensor_ptr(kind: number, layer: number): number;
  tensor_bytes(kind: number, layer: number): number;
  tokens_ptr(): number;
  logits_ptr(): number;
  memory_bytes(which: number): number;
  session_pos(slot: number): number;
  session_truncate(slot: number, n: number): number;
  /** Runs `n` tokens of the tokens buffer through session `slot` (fills the rows buffer with `slot`, then `forward_rows`). */
  forward(slot: number, n: number, allLogits: number): number;
  /** Session slot of each token row for `forward_rows`: [block] u32. */
  /** Rows whose logits `forward_rows(n, 2)` computes: [block] u8, nonzero = wanted. */
  want_ptr(): number;
  rows_ptr(): number;
  /**
   * Continuous batching: row t feeds tokens[t] to session rows[t], at that session's length plus the number of
   * earlier rows of the same session in this call; each session grows by its row count. Every projection runs over
   * the n rows together; row t attends to its own session's positions [0, its position]. Logits, one vocab row per
   * selected row in row order: `logits` 0 = the last row, 1 = every row, 2 = the rows flagged in `want_ptr()`.
   * Checked before any state changes: E_COUNT (n outside [1, block]), E_SLOT, E_CONTEXT, E_TOKEN.
   */
  forward_rows(n: number, logits: number): number;
  /** Converts the packed projections to the kernels' layout; once, after every tensor is written. */
  prepare_weights(): number;
  /** Loading window of a q8 lm_head: address for `lm_stage_rows()` BF16 rows (0 for a BF16 model). */
  lm_stage(): number;
  lm_stage_rows(): number;
  /**
   * Quantizes the window's `n` rows into lm_head rows [row0, row0 + n), the window holding them row-major
   * (`b16i` 0, as in a checkpoint) or in the prepared layout (1, as in an image): 0; 1 if refused; E_NO_MODEL.
   */
  lm_head_rows_q8(row0: number, n: number, b16i: number): number;
  /** 0: BF16 lm_head, 1: q8, -1: no model. */
  lm_head_mode(): number;
  /** The weight layout the kernels read (changes when a prepared layout does). */
  weights_layout(): number;
  /** 0: plain SIMD128 ternary kernels, 1: relaxed SIMD. */
  kernel_path(): number;
  alloc(bytes: number, align: number): number;
  k_quantize_i8(x: number, n: number, q: number, simd: number): number;
  /** simd 0: scalar reference on the checkpoint layout; 1: the kernel, on `k_prepare_t2`'d weights. */
  k_matmul_t2_i8(w: number, out: number, nIn: number, x: number, nTok: number, y: number, simd: number): void;
  /** BF16 rows [row0, row0 + n) (row-major, or `b16i` 1: prepared layout) -> q8i rows of `dst` and `scales`. */
  k_bf16_rows_to_q8i(
    src: number,
    b16i: number,
    row0: number,
    n: number,
    dst: number,
    rows: number,
    cols: number,
    row: number,
    scales: number,
  ): void;
  k_prepare_t2(w: number, out: number, nIn: number): void;
  /** Benchmark: `iters` iterations of the build's dot-and-add primitive on registers only (96 seed bytes at `seed`). */
  k_dot_peak?(iters: number, seed: number): number;
  /** Multiply-accumulates per `k_dot_peak` iteration. */
  k_dot_peak_macs?(): number;
  /** Benchmark: one sequential stream of 16-byte loads over `n` bytes at `p`. */
  k_stream_read(p: number, n: number): number;
  /** Benchmark: `iters` decode inner steps (64 multiply-accumulates each) on registers; lut 0: multiply, 1: table lookup. */
  k_decode_step_peak(iters: number, seed: number, lut: number): number;
  k_unprepare_t2(w: number, out: number, nIn: number): void;
  /** q8 lm_head product: y [n, rows] = ((w - 64) . x) * scale[row] / xs[token]; simd 0: reference on row-major weights, 1: kernel on `k_prepare_q8`'d ones. */
  k_matmul_q8(
    w: number,
    scale: number,
    rows: number,
    cols: number,
    x: number,
    xs: number,
    n: number,
    y: number,
    simd: number,
  ): void;
  /** Row-major BF16 rows -> the lm_head kernels' layout (`b16i`), in place. */
  k_prepare_bf16(w: number, rows: number, cols: number): void;
  /** Row-major q8 rows -> the kernel's layout (`q8i`), in place. */
  k_prepare_q8(w: number, rows: number, cols: number): void;
  /** f32 row -> q8 bytes at `out`; returns the row scale. simd 0: the scalar reference; 1: the SIMD conversion. */
  k_quantize_row_q8(w: number, n: number, out: number, simd: number): number;
  /** Batched lm_head kernel: y [n, rows] from x [n, cols] (simd 0: reference). */
  k_matmul_bf16(w: number, rows: number, cols: number, x: number, n: number, y: number, xs: number, simd: number): void;
  k_matvec_bf16(w: number, rows: number, cols: number, x: number, y: number, xs: number, simd: number): void;
  k_dot_f32(a: number, b: number, n: number, simd: number): number;
  k_axpy_f32(a: number, x: number, y: number, n: number, simd: number): void;
  /** SwiGLU in place: g = silu(g) * u (simd 0: reference). */
  k_swiglu(g: number, u: number, n: number, simd: number): void;
  k_rmsnorm(x: number, w: number, n: number, eps: number, y: number, simd: number): void;
  /** Attention of one query row over a K/V cache of `len` positions (f16 bits, or f32 with kvF32); scratch: nHeads * len + 64 * headDim floats. */
  k_attention(
    q: number,
    k: number,
    v: number,
    len: number,
    nHeads: number,
    nKv: number,
    headDim: number,
    scratch: number,
    out: number,
    simd: number,
    kvF32: number,
  ): void;
  /** f16 bits -> f32; simd 0: scalar `math::f16_to_f32`, 1: the attention kernel's SIMD widening. */
  k_f16_to_f32(src: number, n: number, dst: number, simd: number): void;
  /** f32 -> f16 bits, round to nearest even. */
  k_f32_to_f16(src: number, n: number, dst: number): void;
  /** e^x; simd 0: scalar `math::expf`, 1: the attention kernel's f32x4 exp. */
  k_exp_f32(x: number, n: number, y: number, simd: number): void;
  m_exp(x: number): number;
  m_ln(x: number): number;
  m_sin(x: number): number;
  m_cos(x: number): number;
}

/** Which build of the kernels: plain SIMD128 or relaxed SIMD. */
export type KernelPath = "plain" | "relaxed";

/**
 * Where a committed kernel build sits, next to this package's root. Resolved
 * when first needed, not at import: bundles without a usable import.meta.url
 * (Workers) inject a compiled module instead.
 */
export function wasmUrl(which: KernelPath): URL {
  return new URL(which === "relaxed" ? "../../wasm/falcon_e_relaxed.wasm" : "../../wasm/falcon_e.wasm", import.meta.url);
}

// The two relaxed instructions the relaxed build uses:
// (module (func (param v128 v128 v128) (result v128)
//   (f32x4.relaxed_madd
//     (i16x8.relaxed_dot_i8x16_i7x16_s (local.get 0) (local.get 1)) (local.get 1) (local.get 2))))
// deno-fmt-ignore
const RELAXED_PROBE = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x01, 0x60, 0x03, 0x7b, 0x7b, 0x7b, 0x01, 0x7b,
  0x03, 0x02, 0x01, 0x00, 0x0a, 0x12, 0x01, 0x10, 0x00, 0x20, 0x00, 0x20, 0x01, 0xfd, 0x92, 0x02, 0x20, 0x01,
  0x20, 0x02, 0xfd, 0x85, 0x02, 0x0b,
]);

/** Whether this runtime compiles `i16x8.relaxed_dot_i8x16_i7x16_s` and `f32x4.relaxed_madd`. */
export function relaxedSimdSupported(): boolean {
  try {
    return WebAssembly.validate(RELAXED_PROBE);
  } catch {
    return false;
  }
}

/** The path `kernelModule()` picks: `FALCON_E_KERNELS` if set, else relaxed where supported. */
export function defaultKernelPath(): KernelPath {
  const forced = envVar("FALCON_E_KERNELS");
  if (forced === "plain" || forced === "relaxed") return forced;
  return relaxedSimdSupported() ? "relaxed" : "plain";
}

const compiled = new Map<string, Promise<WebAssembly.Module>>();

/**
 * Compiles a kernel module once. Fetched relative to `import.meta.url`, so it
 * works from a local checkout, a remote import and JSR alike.
 * @param which `"plain"`, `"relaxed"`, or the URL of a module; default {@linkcode defaultKernelPath}.
 */
export function kernelModule(which: KernelPath | URL = defaultKernelPath()): Promise<WebAssembly.Module> {
  const url = which === "plain" || which === "relaxed" ? wasmUrl(which) : which;
  const key = url.href;
  let p = compiled.get(key);
  if (!p) {
    p = (async () => {
      const res = await fetch(url);
      if (!res.ok) throw new Error(`cannot fetch the kernel module ${url}: HTTP ${res.status}`);
      return await WebAssembly.compile(await res.arrayBuffer());
    })();
    compiled.set(key, p);
    p.catch(() => compiled.delete(key));
  }
  return p;
}

/**
 * A fresh instance with its own memory.
 * @param module A compiled kernel module; default {@linkcode kernelModule}'s choice.
 */
export async function instantiateKernels(module?: WebAssembly.Module): Promise<KernelExports> {
  const inst = await WebAssembly.instantiate(module ?? await kernelModule(), {});
  return inst.exports as unknown as KernelExports;
}

/** Tensor kinds of `tensor_ptr` (mirrors `wasm/src/model.rs`). */
export const TensorKind = {
  embed: 0,
  inputNorm: 1,
  postNorm: 2,
  proj0: 3,
  scale0: 10,
  norm: 17,
  lmHead: 18,
} as const;

/** Error codes of `model_create` and `forward` / `forward_rows`. */
export function kernelError(op: "model_create" | "forward", code: number): string {
  if (op === "model_create") {
    return ({
      [-1]: "the kernels reject this model configuration",
      [-2]: "the model does not fit in WebAssembly memory (4 GiB at most)",
      [-3]: "this instance already holds a model",
    } as Record<number, string>)[code] ?? `model_create failed (${code})`;
  }
  return ({
    [-1]: "no such session slot",
    [-2]: "the context is full",
    [-3]: "a token id is out of the vocabulary",
    [-4]: "bad token count for one block",
    [-5]: "no model loaded",
    [-6]: "the weights were not prepared (prepare_weights) after loading",
  } as Record<number, string>)[code] ?? `forward failed (${code})`;
}
