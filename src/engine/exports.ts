/**
 * The exports of the kernel modules (`wasm/src/exports.rs` and
 * `wasm/src/test_exports.rs`), bound by hand: the crate has no dependencies,
 * so no wasm-bindgen. Addresses are byte offsets into `memory`; the numbers
 * passed in and out are named in `abi.ts`.
 * @module
 */

/** What the engine calls: model layout, loading, sessions, forward passes. */
export interface KernelExports {
  /** The instance's linear memory: weights, KV caches and scratch. */
  memory: WebAssembly.Memory;
  /** Lays the model out and grows memory once: 0, or a `CreateError`. */
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
    /** Threads sharing the work (more than 1: the shared-memory build). */
    threads: number,
  ): number;
  /** Where the loader writes tensor `kind` (a `Tensor`) of `layer`; 0 if none. */
  tensor_ptr(kind: number, layer: number): number;
  /** Byte size of tensor `kind` of `layer` as the checkpoint stores it; 0 if none. */
  tensor_bytes(kind: number, layer: number): number;
  /** Token ids in: [block] i32. */
  tokens_ptr(): number;
  /** Session slot of each token row for `forward_rows`: [block] u32. */
  rows_ptr(): number;
  /** Rows whose logits `forward_rows(n, Logits.WANTED)` computes: [block] u8, nonzero = wanted. */
  want_ptr(): number;
  /** Logits out: [block, vocab] f32. */
  logits_ptr(): number;
  /** Bytes of a `MemoryKind`. */
  memory_bytes(which: number): number;
  /** Positions filled in session `slot`'s cache, or `ForwardError.SLOT`. */
  session_pos(slot: number): number;
  /** Keeps the first `n` positions of session `slot` (0 empties it): 0, or a `ForwardError`. */
  session_truncate(slot: number, n: number): number;
  /** Runs `n` tokens of the tokens buffer through session `slot`; `allLogits` 1: every row's logits. */
  forward(slot: number, n: number, allLogits: number): number;
  /**
   * Continuous batching: row t feeds tokens[t] to session rows[t], at that session's length plus the number of
   * earlier rows of the same session in this call; each session grows by its row count. Every projection runs over
   * the n rows together; row t attends to its own session's positions [0, its position]. `logits` (a `Logits`
   * mode) picks the rows that get logits, which land in row order at `logits_ptr()`. Checked before any state
   * changes: 0, or a `ForwardError` (COUNT, SLOT, CONTEXT, TOKEN).
   */
  forward_rows(n: number, logits: number): number;
  /**
   * Makes the next `model_create` lay out part of the model (a pipeline shard): layers [l0, l1), embedding rows
   * [e0, e1), lm_head rows [h0, h1) with the final norm; an empty range holds nothing of that kind.
   */
  model_part(l0: number, l1: number, e0: number, e1: number, h0: number, h1: number): void;
  /**
   * `forward_rows` for the part this instance holds: rows start from token ids or (`PartInput.HIDDEN`) from hidden
   * rows at `hidden_ptr()`; the held layers run; with lm_head rows the selected rows' logits over them land at
   * `logits_ptr()`, else the hidden rows stay at `hidden_ptr()`. 0, or a `ForwardError` with nothing changed.
   */
  forward_part(n: number, logits: number, input: number): number;
  /** Writes the held embedding rows of the first `n` token ids into their rows at `hidden_ptr()`: how many, or a `ForwardError`. */
  embed_part(n: number): number;
  /** Hidden rows in and out of `forward_part`: [block, hidden] f32. */
  hidden_ptr(): number;
  /** Converts the packed projections to the kernels' layout; once, after every tensor is written. */
  prepare_weights(): number;
  /** Loading window of a q8 lm_head: address for `lm_stage_rows()` BF16 rows (0 for a BF16 model). */
  lm_stage(): number;
  /** Rows the q8 loading window holds (0 for a BF16 model). */
  lm_stage_rows(): number;
  /**
   * Quantizes the window's `n` rows into lm_head rows [row0, row0 + n), the window holding them row-major
   * (`b16i` 0, as in a checkpoint) or in the prepared layout (1, as in an image): 0; 1 if refused; or NO_MODEL.
   */
  lm_head_rows_q8(row0: number, n: number, b16i: number): number;
  /** The lm_head in use (an `LmHead`), -1 without a model. */
  lm_head_mode(): number;
  /** The weight layout the kernels read (changes when a prepared layout does). */
  weights_layout(): number;
  /** Which build of the kernels this is (a `SimdBuild`). */
  kernel_path(): number;
  /** Chooses the ternary tiles (`TernaryTiles`) for decoding and prefill: 0, or -1 if this build lacks one. */
  set_ternary_tiles(decode: number, prefill: number): number;
  /** The ternary tiles in use: `which` 0 decoding, 1 prefill. */
  ternary_tiles(which: number): number;
  /** 1 where the relaxed dot-add runs as one fused instruction (x86 AVX-VNNI), else 0; older modules lack it. */
  dot_add_fused?(): number;
  /** Runs layer 0's gate projection over `nTok` made-up rows `reps` times (the load-time tile choice times it). */
  bench_ternary(nTok: number, reps: number): number;
  /** Where thread `tid`'s stack starts (its instance's `__stack_pointer`); 0 for thread 0. */
  thread_stack_top(tid: number): number;
  /** 1: thread 0 may sleep while it waits for the others; 0: it spins (a browser's main thread). */
  threads_can_wait(yes: number): void;
  /** Shared-memory builds only: makes every thread's `thread_run` return. */
  threads_stop?(): void;
  /** Where the module's ABI table (`wasm/src/abi.rs`) starts. */
  abi_table(): number;
  /** Bytes of the ABI table. */
  abi_table_len(): number;
}

/** The kernels, math and benchmark ceilings exported for tests and benchmarks (`simd` 0 runs the reference). */
export interface KernelTestExports extends KernelExports {
  /** Bump-allocates `bytes` aligned to `align` (the engine plans its own memory). */
  alloc(bytes: number, align: number): number;
  /** int8 quantization of n floats at `x` into `q`; returns the scale. */
  k_quantize_i8(x: number, n: number, q: number, simd: number): number;
  /** simd 0: scalar reference on the checkpoint layout; 1: the kernel, on `k_prepare_t2`'d weights. */
  k_matmul_t2_i8(w: number, out: number, nIn: number, x: number, nTok: number, y: number, simd: number): void;
  /** Units [u0, u1) of the ternary product (the rows one thread computes), tiles in use, prepared weights. */
  k_matmul_t2_i8_units(
    w: number,
    out: number,
    nIn: number,
    x: number,
    nTok: number,
    y: number,
    u0: number,
    u1: number,
  ): void;
  /** Units of work (pairs of packed rows, and an odd last one) of a ternary product with `out` rows. */
  k_t2_units(out: number): number;
  /** Benchmark (relaxed build only): the dot-add primitive on registers, as `k_dot_peak`. */
  k_dot_add_peak?(iters: number, seed: number): number;
  /** Checkpoint layout -> this build's ternary layout, in place. */
  k_prepare_t2(w: number, out: number, nIn: number): void;
  /** This build's ternary layout -> checkpoint layout, in place. */
  k_unprepare_t2(w: number, out: number, nIn: number): void;
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
  /** q8 lm_head product: y [n, rows] = ((w - 64) . x) * scale[row] / xs[token]; simd 1 on `k_prepare_q8`'d weights. */
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
  /** f32 row -> q8 bytes at `out`; returns the row scale. */
  k_quantize_row_q8(w: number, n: number, out: number, simd: number): number;
  /** Batched lm_head kernel: y [n, rows] from x [n, cols]; `xs` is scratch of n * cols floats. */
  k_matmul_bf16(w: number, rows: number, cols: number, x: number, n: number, y: number, xs: number, simd: number): void;
  /** lm_head kernel for one token; `xs` is scratch of cols floats. */
  k_matvec_bf16(w: number, rows: number, cols: number, x: number, y: number, xs: number, simd: number): void;
  /** sum a_i b_i over n floats. */
  k_dot_f32(a: number, b: number, n: number, simd: number): number;
  /** y += a x over n floats. */
  k_axpy_f32(a: number, x: number, y: number, n: number, simd: number): void;
  /** SwiGLU in place: g = silu(g) * u. */
  k_swiglu(g: number, u: number, n: number, simd: number): void;
  /** RMSNorm of n floats at `x` with BF16 weights `w` into `y`. */
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
  /** Benchmark: `iters` iterations of the build's dot-and-add primitive on registers only (96 seed bytes at `seed`). */
  k_dot_peak(iters: number, seed: number): number;
  /** Multiply-accumulates per `k_dot_peak` iteration. */
  k_dot_peak_macs(): number;
  /** Benchmark: one sequential stream of 16-byte loads over `n` bytes at `p`. */
  k_stream_read(p: number, n: number): number;
  /** Benchmark: `iters` decode inner steps (64 multiply-accumulates each) on registers; lut 0: multiply, 1: table lookup. */
  k_decode_step_peak(iters: number, seed: number, lut: number): number;
  /** The scalar math of `wasm/src/math.rs`, held against the host's libm by the tests. */
  m_exp(x: number): number;
  /** Natural logarithm (`math::ln64`). */
  m_ln(x: number): number;
  /** Sine (`math::sincos64`). */
  m_sin(x: number): number;
  /** Cosine (`math::sincos64`). */
  m_cos(x: number): number;
}
