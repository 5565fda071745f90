//! Per-token activation quantization (BitLinear input), exactly as
//! transformers computes it in float32:
//!   s = 127 / max(max_i |x_i|, 1e-5);  q_i = clamp(round_half_even(x_i * s), -128, 127)
//! Returns s; the matmul divides its int32 result by (s * weight_scale).

use crate::math::round_half_even;
use core::arch::wasm32::*;

#[inline]
fn scale_for(max_abs: f32) -> f32 {
    127.0 / if max_abs > 1e-5 { max_abs } else { 1e-5 }
}

/// Scalar reference.
pub fn quantize_i8_ref(x: &[f32], q: &mut [i8]) -> f32 {
    let mut m = 0.0f32;
    for &v in x {
        let a = if v < 0.0 { -v } else { v };
        if a > m {
            m = a;
        }
    }
    let s = scale_for(m);
    for (qi, &v) in q.iter_mut().zip(x) {
        let r = round_half_even(v * s);
        *qi = if r > 127.0 { 127 } else if r < -128.0 { -128 } else { r as i8 };
    }
    s
}

/// SIMD128: 16 values per step (abs/max, mul, nearest, saturating narrow).
pub fn quantize_i8_simd(x: &[f32], q: &mut [i8]) -> f32 {
    let n = x.len();
    let body = n & !15;
    let xp = x.as_ptr();
    let mut mv = f32x4_splat(0.0);
    let mut i = 0;
    unsafe {
        while i < (n & !3) {
            mv = f32x4_max(mv, f32x4_abs(v128_load(xp.add(i) as *const v128)));
            i += 4;
        }
    }
    let mut m = f32x4_extract_lane::<0>(mv)
        .max(f32x4_extract_lane::<1>(mv))
        .max(f32x4_extract_lane::<2>(mv).max(f32x4_extract_lane::<3>(mv)));
    while i < n {
        let a = if x[i] < 0.0 { -x[i] } else { x[i] };
        if a > m {
            m = a;
        }
        i += 1;
    }
    let s = scale_for(m);
    let sv = f32x4_splat(s);
    let conv = |p: *const f32| unsafe {
        i32x4_trunc_sat_f32x4(f32x4_nearest(f32x4_mul(v128_load(p as *const v128), sv)))
    };
    let mut i = 0;
    unsafe {
        while i < body {
            let p = xp.add(i);
            let a = i16x8_narrow_i32x4(conv(p), conv(p.add(4)));
            let b = i16x8_narrow_i32x4(conv(p.add(8)), conv(p.add(12)));
            v128_store(q.as_mut_ptr().add(i) as *mut v128, i8x16_narrow_i16x8(a, b));
            i += 16;
        }
    }
    for j in body..n {
        let r = round_half_even(x[j] * s);
        q[j] = if r > 127.0 { 127 } else if r < -128.0 { -128 } else { r as i8 };
    }
    s
}
