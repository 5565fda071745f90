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

#[cfg(target_feature = "relaxed-simd")]
const MACS_PER_DOT: usize = 16;
#[cfg(not(target_feature = "relaxed-simd"))]
const MACS_PER_DOT: usize = 8;

/// Multiply-accumulates per loop iteration (8 dots).
pub const MACS_PER_ITER: usize = 8 * MACS_PER_DOT;

#[cfg(target_feature = "relaxed-simd")]
#[inline(always)]
fn mac(acc: v128, x: v128, c: v128) -> v128 {
    i16x8_add(acc, super::relaxed::dot(x, c))
}
#[cfg(not(target_feature = "relaxed-simd"))]
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

/// The dot-add form of the primitive on registers only, 8 independent
/// accumulators as in `dot_peak`: `i32x4.relaxed_dot_i8x16_i7x16_add_s`, 16
/// multiply-accumulates into i32 lanes per instruction (one `vpdpbusd` where
/// the CPU has VNNI and the runtime uses it, three instructions otherwise).
/// Returns a lane of the sum. Relaxed build only.
#[cfg(target_feature = "relaxed-simd")]
pub fn dot_add_peak(iters: usize, seed: &[u8]) -> i32 {
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
            a[k] = super::relaxed::dot_add(x0, c[k], a[k]);
            a[4 + k] = super::relaxed::dot_add(x1, c[k], a[4 + k]);
        }
    }
    let mut s = a[0];
    for v in &a[1..] {
        s = i32x4_add(s, *v);
    }
    i32x4_extract_lane::<0>(s)
}

/// The two decode inner steps compared on registers only, each covering 64
/// ternary multiply-accumulates (16 rows x 4 columns, or 4 rows x 16 columns)
/// with one fresh weight vector per step: what the multiply kernel does per
/// 16 packed bytes (unpack 4 fields with shifts and masks, 4 dots, 4 adds),
/// and what an exact table-lookup kernel (T-MAC / bitnet.cpp TL1 style: 2
/// weights -> one 4-bit index into a table of the 9 possible signed sums of
/// 2 activations) would do: 2 nibble extractions, 4 `i8x16.swizzle` lookups
/// (a 9-bit sum needs a low and a high byte table), the high bytes summed as
/// i8 and the low bytes widened to u16 before adding. Returns a lane of the
/// sums so nothing can be dropped. The multiply step is the relaxed kernel's
/// (`matmul_t2_i8_relaxed.rs`); in the plain build it runs the same unpack
/// with that build's primitive, which is not the plain kernel's own step
/// (that one works on the `t2p` layout with widening loads).
pub fn decode_step_peak(iters: usize, seed: &[u8], lut: bool) -> i32 {
    assert!(seed.len() >= 96);
    let ld = |i: usize| unsafe { v128_load(seed.as_ptr().add(16 * i) as *const v128) };
    let one = i8x16_splat(1);
    let mut w = ld(0);
    let mut a = [i32x4_splat(0); 4];
    if lut {
        let (tl0, th0, tl1, th1) = (ld(1), ld(2), ld(3), ld(4));
        let m15 = i8x16_splat(15);
        for _ in 0..iters {
            w = i8x16_add(w, one);
            let lo = v128_and(w, m15);
            let hi = v128_and(u16x8_shr(w, 4), m15);
            let (l0, h0) = (i8x16_swizzle(tl0, lo), i8x16_swizzle(th0, lo));
            let (l1, h1) = (i8x16_swizzle(tl1, hi), i8x16_swizzle(th1, hi));
            a[0] = i8x16_add(a[0], i8x16_add(h0, h1));
            a[1] = i16x8_add(a[1], i16x8_add(u16x8_extend_low_u8x16(l0), u16x8_extend_low_u8x16(l1)));
            a[2] = i16x8_add(a[2], i16x8_add(u16x8_extend_high_u8x16(l0), u16x8_extend_high_u8x16(l1)));
        }
    } else {
        let x = ld(1);
        let m3 = i8x16_splat(3);
        for _ in 0..iters {
            w = i8x16_add(w, one);
            let c = [v128_and(w, m3), v128_and(u16x8_shr(w, 2), m3), v128_and(u16x8_shr(w, 4), m3), v128_and(u16x8_shr(w, 6), m3)];
            for k in 0..4 {
                a[k] = mac(a[k], x, c[k]);
            }
        }
    }
    let s = i32x4_add(i32x4_add(a[0], a[1]), i32x4_add(a[2], a[3]));
    i32x4_extract_lane::<0>(s)
}

/// The memory side of the ceiling: one sequential stream of 16-byte loads
/// over `n` bytes at `p` (4 accumulators, nothing else), as the decode kernels'
/// weight streams read. Returns a lane of the sum so the loads stay.
///
/// # Safety
/// `p` must hold `n` bytes; `n` a multiple of 64.
pub unsafe fn stream_read(p: *const u8, n: usize) -> i32 {
    let mut a = [i32x4_splat(0); 4];
    let mut o = 0;
    while o + 64 <= n {
        for k in 0..4 {
            a[k] = i32x4_add(a[k], v128_load(p.add(o + 16 * k) as *const v128));
        }
        o += 64;
    }
    i32x4_extract_lane::<0>(i32x4_add(i32x4_add(a[0], a[1]), i32x4_add(a[2], a[3])))
}
