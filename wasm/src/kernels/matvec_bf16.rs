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

/// Scalar reference for several token rows: `y[t * rows + r] = sum_i bf16(w[r, i]) * x[t * cols + i]`.
pub fn matmul_bf16_ref(w: &[u16], rows: usize, cols: usize, x: &[f32], n: usize, y: &mut [f32]) {
    for t in 0..n {
        matvec_bf16_ref(w, rows, cols, &x[t * cols..(t + 1) * cols], &mut y[t * rows..(t + 1) * rows]);
    }
}

/// One weight row against T token rows: the row is loaded (and widened) once
/// and serves every token. Each token keeps its own accumulators, so its result
/// does not depend on which other tokens share the call.
#[inline(always)]
unsafe fn row_tokens<const T: usize>(w: *const u16, x: [*const f32; T], cols: usize, y: [*mut f32; T]) {
    let hi = core::ptr::read_volatile(HI16.as_ptr() as *const v128);
    let z = f32x4_splat(0.0);
    let (mut ae, mut ao) = ([z; T], [z; T]);
    let body = cols & !7;
    let mut i = 0;
    while i < body {
        let wv = v128_load(w.add(i) as *const v128);
        let (we, wo) = (i32x4_shl(wv, 16), v128_and(wv, hi));
        for t in 0..T {
            let xa = v128_load(x[t].add(i) as *const v128);
            let xb = v128_load(x[t].add(i + 4) as *const v128);
            ae[t] = f32x4_add(ae[t], f32x4_mul(we, i32x4_shuffle::<0, 2, 4, 6>(xa, xb)));
            ao[t] = f32x4_add(ao[t], f32x4_mul(wo, i32x4_shuffle::<1, 3, 5, 7>(xa, xb)));
        }
        i += 8;
    }
    for t in 0..T {
        let mut s = hsum(f32x4_add(ae[t], ao[t]));
        for j in i..cols {
            s += bf16(*w.add(j)) * *x[t].add(j);
        }
        *y[t] = s;
    }
}

/// SIMD128 lm_head over n token rows (batched decoding): each weight row is
/// read once per group of four tokens instead of once per token.
pub fn matmul_bf16_simd(w: &[u16], rows: usize, cols: usize, x: &[f32], n: usize, y: &mut [f32]) {
    assert!(w.len() >= rows * cols && x.len() >= n * cols && y.len() >= n * rows);
    let (wp, xp, yp) = (w.as_ptr(), x.as_ptr(), y.as_mut_ptr());
    let mut t0 = 0;
    unsafe {
        while t0 < n {
            let nt = if n - t0 >= 4 { 4 } else { n - t0 };
            for r in 0..rows {
                let wr = wp.add(r * cols);
                let xs = |k: usize| xp.add((t0 + k) * cols);
                let ys = |k: usize| yp.add((t0 + k) * rows + r);
                match nt {
                    4 => row_tokens::<4>(wr, [xs(0), xs(1), xs(2), xs(3)], cols, [ys(0), ys(1), ys(2), ys(3)]),
                    3 => row_tokens::<3>(wr, [xs(0), xs(1), xs(2)], cols, [ys(0), ys(1), ys(2)]),
                    2 => row_tokens::<2>(wr, [xs(0), xs(1)], cols, [ys(0), ys(1)]),
                    _ => row_tokens::<1>(wr, [xs(0)], cols, [ys(0)]),
                }
            }
            t0 += nt;
        }
    }
}
