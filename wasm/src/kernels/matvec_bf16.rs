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

/// R rows, 8 columns per step. A bf16 is the top half of an f32, so of the
/// 8 bf16s in a 16-byte load, `shl 16` yields the even ones as f32 and
/// `and 0xffff0000` the odd ones, 1 op each; x is split into even and odd
/// columns once per step (two shuffles) and shared by the R rows.
/// 0xffff0000 in every lane, read from memory so that V8 keeps it in a
/// register instead of rematerializing the constant in every iteration.
static mut HI16: [u32; 4] = [0xffff0000; 4];

#[inline(always)]
unsafe fn rows_dot<const R: usize>(w: *const u16, x: *const f32, cols: usize, y: *mut f32) {
    let hi = core::ptr::read_volatile(HI16.as_ptr() as *const v128);
    let z = f32x4_splat(0.0);
    let (mut ae, mut ao) = ([z; R], [z; R]);
    let body = cols & !7;
    let mut i = 0;
    while i < body {
        let xa = v128_load(x.add(i) as *const v128);
        let xb = v128_load(x.add(i + 4) as *const v128);
        let xe = i32x4_shuffle::<0, 2, 4, 6>(xa, xb);
        let xo = i32x4_shuffle::<1, 3, 5, 7>(xa, xb);
        for r in 0..R {
            let wv = v128_load(w.add(r * cols + i) as *const v128);
            ae[r] = f32x4_add(ae[r], f32x4_mul(i32x4_shl(wv, 16), xe));
            ao[r] = f32x4_add(ao[r], f32x4_mul(v128_and(wv, hi), xo));
        }
        i += 8;
    }
    for r in 0..R {
        let mut s = hsum(f32x4_add(ae[r], ao[r]));
        let mut j = i;
        while j < cols {
            s += bf16(*w.add(r * cols + j)) * *x.add(j);
            j += 1;
        }
        *y.add(r) = s;
    }
}

/// SIMD128, four rows at a time.
pub fn matvec_bf16_simd(w: &[u16], rows: usize, cols: usize, x: &[f32], y: &mut [f32]) {
    assert!(w.len() >= rows * cols && x.len() >= cols && y.len() >= rows);
    let (wp, xp, yp) = (w.as_ptr(), x.as_ptr(), y.as_mut_ptr());
    let mut r = 0;
    unsafe {
        while r + 4 <= rows {
            rows_dot::<4>(wp.add(r * cols), xp, cols, yp.add(r));
            r += 4;
        }
        while r < rows {
            rows_dot::<1>(wp.add(r * cols), xp, cols, yp.add(r));
            r += 1;
        }
    }
}
