//! Exports for tests and benchmarks, not used by the engine: each kernel
//! (`simd` = 0 runs its scalar reference, 1 the SIMD body), the scalar math,
//! and the benchmark ceilings. Typed as `KernelTestExports` in
//! `src/engine/kernels.ts`.

use crate::arena;
use crate::kernels::attention::{attention_ref, attention_simd, Heads, Kv};
use crate::kernels::vec_math::{exp_f32_simd, f16_to_f32_simd};
use crate::kernels::{f32ops::*, matmul_q8::{matmul_q8_ref, matmul_q8_simd}, matvec_bf16::*, quantize_i8::*, t2};
use crate::math;
use core::slice::{from_raw_parts as view, from_raw_parts_mut as view_mut};

/// Bump-allocates `bytes` (for tests and benchmarks; the engine plans its own).
#[no_mangle]
pub extern "C" fn alloc(bytes: usize, align: usize) -> usize {
    arena::alloc(bytes, align)
}

#[no_mangle]
pub unsafe extern "C" fn k_quantize_i8(x: *const f32, n: usize, q: *mut i8, simd: u32) -> f32 {
    let (x, q) = (view(x, n), view_mut(q, n));
    if simd != 0 { quantize_i8_simd(x, q) } else { quantize_i8_ref(x, q) }
}

/// Ternary product. simd = 0: the scalar reference on the checkpoint layout;
/// simd = 1: this build's kernel, on weights `k_prepare_t2` converted.
#[no_mangle]
pub unsafe extern "C" fn k_matmul_t2_i8(w: *const u8, out: usize, n_in: usize, x: *const i8, n_tok: usize, y: *mut i32, simd: u32) {
    let (w, x, y) = (view(w, out / 4 * n_in), view(x, n_tok * n_in), view_mut(y, n_tok * out));
    if simd != 0 { t2::matmul_t2_i8_simd(w, out, n_in, x, n_tok, y) } else { t2::matmul_t2_i8_ref(w, out, n_in, x, n_tok, y) }
}

/// Units [u0, u1) (`t2::units`) of the ternary product, with the tiles in use,
/// on weights `k_prepare_t2` converted; the other rows of `y` are left as they were.
#[no_mangle]
pub unsafe extern "C" fn k_matmul_t2_i8_units(
    w: *const u8, out: usize, n_in: usize, x: *const i8, n_tok: usize, y: *mut i32, u0: usize, u1: usize,
) {
    let (w, x, y) = (view(w, out / 4 * n_in), view(x, n_tok * n_in), view_mut(y, n_tok * out));
    let mut sums = [0i32; crate::kernels::matmul_t2_i8::MAX_TOKENS];
    t2::token_sums(x, n_in, n_tok, &mut sums);
    t2::matmul_t2_i8_rows(w, out, n_in, x, n_tok, &sums, y, u0, u1)
}

/// Units of work of a ternary product with `out` rows.
#[no_mangle]
pub extern "C" fn k_t2_units(out: usize) -> usize {
    t2::units(out)
}

/// Checkpoint layout -> this build's kernel layout, in place.
#[no_mangle]
pub unsafe extern "C" fn k_prepare_t2(w: *mut u8, out: usize, n_in: usize) {
    t2::prepare_t2(view_mut(w, out / 4 * n_in), out, n_in)
}

/// Kernel layout -> checkpoint layout, in place (the inverse of `k_prepare_t2`).
#[no_mangle]
pub unsafe extern "C" fn k_unprepare_t2(w: *mut u8, out: usize, n_in: usize) {
    t2::unprepare_t2(view_mut(w, out / 4 * n_in), out, n_in)
}

/// q8 lm_head product: y [n, rows] from int8 x [n, cols] with scales xs [n]. simd = 0: the
/// reference on row-major weights; 1: the kernel, on weights in layout `q8i` (`k_prepare_q8`).
#[no_mangle]
pub unsafe extern "C" fn k_matmul_q8(
    w: *const u8, scale: *const f32, rows: usize, cols: usize, x: *const i8, xs: *const f32, n: usize, y: *mut f32, simd: u32,
) {
    let (w, scale, x, xs, y) = (view(w, rows * cols), view(scale, rows), view(x, n * cols), view(xs, n), view_mut(y, n * rows));
    if simd != 0 { matmul_q8_simd(w, scale, rows, cols, x, xs, n, y) } else { matmul_q8_ref(w, scale, rows, cols, x, xs, n, y) }
}

/// Row-major BF16 rows -> the lm_head kernels' layout `b16i`, in place.
#[no_mangle]
pub unsafe extern "C" fn k_prepare_bf16(w: *mut u16, rows: usize, cols: usize) {
    prepare_bf16(view_mut(w, rows * cols), rows, cols)
}

/// Row-major q8 rows -> the kernel's layout `q8i`, in place.
#[no_mangle]
pub unsafe extern "C" fn k_prepare_q8(w: *mut u8, rows: usize, cols: usize) {
    crate::kernels::matmul_q8::prepare_q8(view_mut(w, rows * cols), rows, cols)
}

/// The loading conversion: BF16 rows [row0, row0 + n) at `src` (row-major,
/// or layout `b16i` with b16i != 0) -> rows of the q8i matrix `dst` ([rows,
/// cols]) and their `scales`; `row`: cols f32 of scratch.
#[no_mangle]
pub unsafe extern "C" fn k_bf16_rows_to_q8i(
    src: *const u16, b16i: u32, row0: usize, n: usize, dst: *mut u8, rows: usize, cols: usize, row: *mut f32,
    scales: *mut f32,
) {
    let (row, scales) = (view_mut(row, cols), view_mut(scales, rows));
    crate::kernels::matmul_q8::bf16_rows_to_q8i(src, b16i != 0, row0, n, dst, rows, cols, row, scales)
}

/// One f32 row -> q8 bytes; returns the row scale.
#[no_mangle]
pub unsafe extern "C" fn k_quantize_row_q8(w: *const f32, n: usize, out: *mut u8, simd: u32) -> f32 {
    use crate::kernels::matmul_q8::{quantize_row, quantize_row_ref};
    let (w, out) = (view(w, n), view_mut(out, n));
    if simd != 0 { quantize_row(w, out) } else { quantize_row_ref(w, out) }
}

/// Batched lm_head kernel: n token rows of x [n, cols] -> y [n, rows];
/// `xs` [n, cols] f32 is the SIMD kernel's scratch.
#[no_mangle]
pub unsafe extern "C" fn k_matmul_bf16(w: *const u16, rows: usize, cols: usize, x: *const f32, n: usize, y: *mut f32, xs: *mut f32, simd: u32) {
    let (w, x, y) = (view(w, rows * cols), view(x, n * cols), view_mut(y, n * rows));
    if simd != 0 { matmul_bf16_simd(w, rows, cols, x, n, y, view_mut(xs, n * cols)) } else { matmul_bf16_ref(w, rows, cols, x, n, y) }
}

/// lm_head kernel for one token; `xs` [cols] f32 is the SIMD kernel's scratch.
#[no_mangle]
pub unsafe extern "C" fn k_matvec_bf16(w: *const u16, rows: usize, cols: usize, x: *const f32, y: *mut f32, xs: *mut f32, simd: u32) {
    let (w, x, y) = (view(w, rows * cols), view(x, cols), view_mut(y, rows));
    if simd != 0 { matvec_bf16_simd(w, rows, cols, x, y, view_mut(xs, cols)) } else { matvec_bf16_ref(w, rows, cols, x, y) }
}

#[no_mangle]
pub unsafe extern "C" fn k_dot_f32(a: *const f32, b: *const f32, n: usize, simd: u32) -> f32 {
    let (a, b) = (view(a, n), view(b, n));
    if simd != 0 { dot_f32_simd(a, b) } else { dot_f32_ref(a, b) }
}

#[no_mangle]
pub unsafe extern "C" fn k_axpy_f32(a: f32, x: *const f32, y: *mut f32, n: usize, simd: u32) {
    let (x, y) = (view(x, n), view_mut(y, n));
    if simd != 0 { axpy_f32_simd(a, x, y) } else { axpy_f32_ref(a, x, y) }
}

/// SwiGLU in place: g = silu(g) * u over n values.
#[no_mangle]
pub unsafe extern "C" fn k_swiglu(g: *mut f32, u: *const f32, n: usize, simd: u32) {
    let (g, u) = (view_mut(g, n), view(u, n));
    if simd != 0 { swiglu_simd(g, u) } else { swiglu_ref(g, u) }
}

#[no_mangle]
pub unsafe extern "C" fn k_rmsnorm(x: *const f32, w: *const u16, n: usize, eps: f32, y: *mut f32, simd: u32) {
    let (x, w, y) = (view(x, n), view(w, n), view_mut(y, n));
    if simd != 0 { rmsnorm_simd(x, w, eps, y) } else { rmsnorm_ref(x, w, eps, y) }
}

/// Attention of one query row [n_heads * head_dim] over `len` positions of a
/// K and V cache ([len, n_kv * head_dim] each, f16 bits, or f32 with
/// `kv_f32`); `scratch` holds n_heads * len + head_dim floats.
#[no_mangle]
pub unsafe extern "C" fn k_attention(
    q: *const f32, k: *const u8, v: *const u8, len: usize, n_heads: usize, n_kv: usize, head_dim: usize,
    scratch: *mut f32, out: *mut f32, simd: u32, kv_f32: u32,
) {
    unsafe fn run<T: Kv>(
        sh: Heads, q: *const f32, k: *const u8, v: *const u8, len: usize, scratch: *mut f32, out: *mut f32, simd: u32,
    ) {
        let (qd, kvd) = (sh.n_heads * sh.head_dim, sh.n_kv * sh.head_dim);
        let (q, k, v) = (view(q, qd), view(k as *const T, len * kvd), view(v as *const T, len * kvd));
        let (scratch, out) = (view_mut(scratch, sh.scratch(len)), view_mut(out, qd));
        if simd != 0 { attention_simd(sh, q, k, v, len, scratch, out) } else { attention_ref(sh, q, k, v, len, scratch, out) }
    }
    let sh = Heads { n_heads, n_kv, head_dim };
    if kv_f32 != 0 { run::<f32>(sh, q, k, v, len, scratch, out, simd) } else { run::<u16>(sh, q, k, v, len, scratch, out, simd) }
}

/// f16 bits -> f32 of `n` values: simd = 0 with `math::f16_to_f32`, 1 with the attention kernel's widening.
#[no_mangle]
pub unsafe extern "C" fn k_f16_to_f32(src: *const u16, n: usize, dst: *mut f32, simd: u32) {
    let (src, dst) = (view(src, n), view_mut(dst, n));
    if simd != 0 {
        f16_to_f32_simd(src, dst)
    } else {
        for i in 0..n {
            dst[i] = math::f16_to_f32(src[i]);
        }
    }
}

/// f32 -> f16 bits of `n` values (round to nearest even).
#[no_mangle]
pub unsafe extern "C" fn k_f32_to_f16(src: *const f32, n: usize, dst: *mut u16) {
    let (src, dst) = (view(src, n), view_mut(dst, n));
    for i in 0..n {
        dst[i] = math::f32_to_f16(src[i]);
    }
}

/// e^x of `n` f32 values: simd = 0 `math::expf`, 1 the attention kernel's f32x4 exp.
#[no_mangle]
pub unsafe extern "C" fn k_exp_f32(x: *const f32, n: usize, y: *mut f32, simd: u32) {
    let (x, y) = (view(x, n), view_mut(y, n));
    if simd != 0 {
        exp_f32_simd(x, y)
    } else {
        for i in 0..n {
            y[i] = math::expf(x[i]);
        }
    }
}

/// Scalar math, exported so tests can hold it against the host's libm.
#[no_mangle]
pub extern "C" fn m_exp(x: f64) -> f64 {
    math::exp64(x)
}
#[no_mangle]
pub extern "C" fn m_ln(x: f64) -> f64 {
    math::ln64(x)
}
#[no_mangle]
pub extern "C" fn m_sin(x: f64) -> f64 {
    math::sincos64(x).0
}
#[no_mangle]
pub extern "C" fn m_cos(x: f64) -> f64 {
    math::sincos64(x).1
}


/// Multiply-accumulates per call of `k_dot_peak` iteration (see kernels/peak.rs).
#[no_mangle]
pub extern "C" fn k_dot_peak_macs() -> u32 {
    crate::kernels::peak::MACS_PER_ITER as u32
}

/// Runs `iters` iterations of the register-only multiply-accumulate loop.
#[no_mangle]
pub unsafe extern "C" fn k_dot_peak(iters: usize, seed: *const u8) -> i32 {
    crate::kernels::peak::dot_peak(iters, view(seed, 96))
}

/// Benchmark: `iters` decode inner steps of 64 multiply-accumulates on
/// registers; lut = 0: the multiply kernel's, 1: an exact table-lookup one.
#[no_mangle]
pub unsafe extern "C" fn k_decode_step_peak(iters: usize, seed: *const u8, lut: u32) -> i32 {
    crate::kernels::peak::decode_step_peak(iters, view(seed, 96), lut != 0)
}

/// Runs `iters` iterations of the dot-add form of the primitive (relaxed build only).
#[cfg(target_feature = "relaxed-simd")]
#[no_mangle]
pub unsafe extern "C" fn k_dot_add_peak(iters: usize, seed: *const u8) -> i32 {
    crate::kernels::peak::dot_add_peak(iters, view(seed, 96))
}

/// Benchmark: one sequential read stream over `n` bytes at `p` (see kernels/peak.rs).
#[no_mangle]
pub unsafe extern "C" fn k_stream_read(p: *const u8, n: usize) -> i32 {
    crate::kernels::peak::stream_read(p, n & !63)
}
