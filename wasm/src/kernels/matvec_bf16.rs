//! BF16 weights x f32 vector (the lm_head), f32 accumulation.
//! `y[r] = sum_i bf16(w[r * cols + i]) * x[i]` for r < rows.

use crate::math::bf16;
use core::arch::wasm32::*;

/// Scalar reference.
pub fn matvec_bf16_ref(w: &[u16], rows: usize, cols: usize, x: &[f32], y: &mut [f32]) {
    for r in 0..rows {
        let mut acc = 0.0f32;
        for i in 0..cols {
            acc += bf16(w[r * cols + i]) * x[i];
        }
        y[r] = acc;
    }
}

#[inline(always)]
fn hsum(v: v128) -> f32 {
    (f32x4_extract_lane::<0>(v) + f32x4_extract_lane::<1>(v)) + (f32x4_extract_lane::<2>(v) + f32x4_extract_lane::<3>(v))
}

/// One row, 8 columns per step: a bf16 widens to f32 by a zero-interleaving shuffle.
#[inline(always)]
unsafe fn row_dot(w: *const u16, x: *const f32, cols: usize) -> f32 {
    let zero = i32x4_splat(0);
    let (mut a0, mut a1) = (f32x4_splat(0.0), f32x4_splat(0.0));
    let body = cols & !7;
    let mut i = 0;
    while i < body {
        let wv = v128_load(w.add(i) as *const v128);
        let lo = i16x8_shuffle::<0, 8, 0, 9, 0, 10, 0, 11>(zero, wv);
        let hi = i16x8_shuffle::<0, 12, 0, 13, 0, 14, 0, 15>(zero, wv);
        a0 = f32x4_add(a0, f32x4_mul(lo, v128_load(x.add(i) as *const v128)));
        a1 = f32x4_add(a1, f32x4_mul(hi, v128_load(x.add(i + 4) as *const v128)));
        i += 8;
    }
    let mut s = hsum(f32x4_add(a0, a1));
    while i < cols {
        s += bf16(*w.add(i)) * *x.add(i);
        i += 1;
    }
    s
}

/// SIMD128.
pub fn matvec_bf16_simd(w: &[u16], rows: usize, cols: usize, x: &[f32], y: &mut [f32]) {
    assert!(w.len() >= rows * cols && x.len() >= cols && y.len() >= rows);
    for r in 0..rows {
        y[r] = unsafe { row_dot(w.as_ptr().add(r * cols), x.as_ptr(), cols) };
    }
}
