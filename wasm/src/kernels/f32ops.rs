//! f32 vector kernels for attention and normalization.

use crate::math::{bf16, sqrtf};
use core::arch::wasm32::*;

/// a * b + c in f32 lanes: `f32x4.relaxed_madd` (one fused multiply-add on
/// x86 with FMA3) in the relaxed build, a multiply then an add in the plain one.
#[inline(always)]
pub(crate) fn madd(a: v128, b: v128, c: v128) -> v128 {
    #[cfg(target_feature = "relaxed-simd")]
    return super::relaxed::madd(a, b, c);
    #[cfg(not(target_feature = "relaxed-simd"))]
    return f32x4_add(c, f32x4_mul(a, b));
}

#[inline(always)]
fn hsum(v: v128) -> f32 {
    (f32x4_extract_lane::<0>(v) + f32x4_extract_lane::<1>(v)) + (f32x4_extract_lane::<2>(v) + f32x4_extract_lane::<3>(v))
}

/// Scalar reference: sum_i a_i b_i.
pub fn dot_f32_ref(a: &[f32], b: &[f32]) -> f32 {
    let mut s = 0.0;
    for i in 0..a.len() {
        s += a[i] * b[i];
    }
    s
}

/// SIMD128 dot product.
pub fn dot_f32_simd(a: &[f32], b: &[f32]) -> f32 {
    let n = a.len();
    assert!(b.len() >= n);
    let body = n & !7;
    let (mut s0, mut s1) = (f32x4_splat(0.0), f32x4_splat(0.0));
    let mut i = 0;
    unsafe {
        while i < body {
            let (pa, pb) = (a.as_ptr().add(i), b.as_ptr().add(i));
            s0 = f32x4_add(s0, f32x4_mul(v128_load(pa as *const v128), v128_load(pb as *const v128)));
            s1 = f32x4_add(s1, f32x4_mul(v128_load(pa.add(4) as *const v128), v128_load(pb.add(4) as *const v128)));
            i += 8;
        }
    }
    let mut s = hsum(f32x4_add(s0, s1));
    while i < n {
        s += a[i] * b[i];
        i += 1;
    }
    s
}

/// Scalar reference: y += a * x.
pub fn axpy_f32_ref(a: f32, x: &[f32], y: &mut [f32]) {
    for i in 0..y.len() {
        y[i] += a * x[i];
    }
}

/// SIMD128 y += a * x.
pub fn axpy_f32_simd(a: f32, x: &[f32], y: &mut [f32]) {
    let n = y.len();
    assert!(x.len() >= n);
    let av = f32x4_splat(a);
    let body = n & !3;
    let mut i = 0;
    unsafe {
        while i < body {
            let py = y.as_mut_ptr().add(i) as *mut v128;
            v128_store(py, f32x4_add(v128_load(py), f32x4_mul(av, v128_load(x.as_ptr().add(i) as *const v128))));
            i += 4;
        }
    }
    while i < n {
        y[i] += a * x[i];
        i += 1;
    }
}

/// Scalar reference RMSNorm with bf16 weights, in transformers' order:
/// y = w * (x * (1 / sqrt(mean(x^2) + eps))).
pub fn rmsnorm_ref(x: &[f32], w: &[u16], eps: f32, y: &mut [f32]) {
    let mut ss = 0.0f32;
    for &v in x {
        ss += v * v;
    }
    let inv = 1.0 / sqrtf(ss / x.len() as f32 + eps);
    for i in 0..x.len() {
        y[i] = bf16(w[i]) * (x[i] * inv);
    }
}

/// SIMD128 RMSNorm.
pub fn rmsnorm_simd(x: &[f32], w: &[u16], eps: f32, y: &mut [f32]) {
    let n = x.len();
    assert!(w.len() >= n && y.len() >= n);
    let inv = 1.0 / sqrtf(dot_f32_simd(x, x) / n as f32 + eps);
    let iv = f32x4_splat(inv);
    let zero = i32x4_splat(0);
    let body = n & !7;
    let mut i = 0;
    unsafe {
        while i < body {
            let wv = v128_load(w.as_ptr().add(i) as *const v128);
            let wlo = i16x8_shuffle::<0, 8, 0, 9, 0, 10, 0, 11>(zero, wv);
            let whi = i16x8_shuffle::<0, 12, 0, 13, 0, 14, 0, 15>(zero, wv);
            let px = x.as_ptr().add(i);
            let py = y.as_mut_ptr().add(i);
            v128_store(py as *mut v128, f32x4_mul(wlo, f32x4_mul(v128_load(px as *const v128), iv)));
            v128_store(py.add(4) as *mut v128, f32x4_mul(whi, f32x4_mul(v128_load(px.add(4) as *const v128), iv)));
            i += 8;
        }
    }
    while i < n {
        y[i] = bf16(w[i]) * (x[i] * inv);
        i += 1;
    }
}

/// Scalar reference SwiGLU in place: g = silu(g) * u, silu(x) = x / (1 + e^-x).
pub fn swiglu_ref(g: &mut [f32], u: &[f32]) {
    for i in 0..g.len() {
        g[i] = crate::math::silu(g[i]) * u[i];
    }
}

/// SIMD128 SwiGLU in place, four lanes at a time with the f32x4 exp.
pub fn swiglu_simd(g: &mut [f32], u: &[f32]) {
    use crate::kernels::vec_math::exp_f32x4;
    let n = g.len();
    assert!(u.len() >= n);
    let body = n & !3;
    let one = f32x4_splat(1.0);
    let mut i = 0;
    unsafe {
        while i < body {
            let pg = g.as_mut_ptr().add(i) as *mut v128;
            let x = v128_load(pg);
            let s = f32x4_div(x, f32x4_add(one, exp_f32x4(f32x4_neg(x))));
            v128_store(pg, f32x4_mul(s, v128_load(u.as_ptr().add(i) as *const v128)));
            i += 4;
        }
    }
    swiglu_ref(&mut g[body..], &u[body..n]);
}

/// BF16 values -> f32, exactly (a bf16 is the top half of an f32); 8 per step.
pub fn widen_bf16(src: &[u16], out: &mut [f32]) {
    let n = src.len().min(out.len());
    let body = n & !7;
    let mut i = 0;
    unsafe {
        while i < body {
            let v = v128_load(src.as_ptr().add(i) as *const v128);
            v128_store(out.as_mut_ptr().add(i) as *mut v128, i32x4_shl(u32x4_extend_low_u16x8(v), 16));
            v128_store(out.as_mut_ptr().add(i + 4) as *mut v128, i32x4_shl(u32x4_extend_high_u16x8(v), 16));
            i += 8;
        }
    }
    for j in body..n {
        out[j] = bf16(src[j]);
    }
}
