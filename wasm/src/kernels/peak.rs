//! The ceiling of the ternary kernels: this build's multiply-accumulate
//! primitive in a loop that touches no memory (8 independent accumulators, the
//! activations changed every iteration so nothing is loop-invariant). No
//! unpacking, no loads: a real kernel can only approach this rate. Used by
//! `bench/kernels_bench.ts` to report how close the kernels run to it.
//!
//! * relaxed build: `i16x8.relaxed_dot_i8x16_i7x16_s` + `i16x8.add`
//!   (16 multiply-accumulates per dot), as in `matmul_t2_i8_relaxed.rs`;
//! * plain build: `i32x4.dot_i16x8_s` + `i32x4.add` (8 per dot), as in `matmul_t2_i8.rs`.

use core::arch::wasm32::*;

#[cfg(relaxed)]
const MACS_PER_DOT: usize = 16;
#[cfg(not(relaxed))]
const MACS_PER_DOT: usize = 8;

/// Multiply-accumulates per loop iteration (8 dots).
pub const MACS_PER_ITER: usize = 8 * MACS_PER_DOT;

#[cfg(relaxed)]
#[inline(always)]
fn mac(acc: v128, x: v128, c: v128) -> v128 {
    i16x8_add(acc, super::matmul_t2_i8_relaxed::dot(x, c))
}
#[cfg(not(relaxed))]
#[inline(always)]
fn mac(acc: v128, x: v128, c: v128) -> v128 {
    i32x4_add(acc, i32x4_dot_i16x8(x, c))
}

/// `iters` iterations of 8 dot-and-add steps on registers; returns a lane of
/// the sum so the work cannot be dropped. `seed`: 96 bytes of operands.
pub fn dot_peak(iters: usize, seed: &[u8]) -> i32 {
    assert!(seed.len() >= 96);
    let ld = |i: usize| unsafe { v128_load(seed.as_ptr().add(16 * i) as *const v128) };
    let c = [ld(0), ld(1), ld(2), ld(3)];
    let (mut x0, mut x1) = (ld(4), ld(5));
    let one = i8x16_splat(1);
    let mut a = [i32x4_splat(0); 8];
    for _ in 0..iters {
        x0 = i8x16_add(x0, one);
        x1 = i8x16_sub(x1, one);
        for k in 0..4 {
            a[k] = mac(a[k], x0, c[k]);
            a[4 + k] = mac(a[4 + k], x1, c[k]);
        }
    }
    let mut s = a[0];
    for v in &a[1..] {
        s = i32x4_add(s, *v);
    }
    i32x4_extract_lane::<0>(s)
}
