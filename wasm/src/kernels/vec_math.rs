//! Vector math of the attention kernel: e^x on f32x4 lanes (softmax) and
//! f16 -> f32 widening (the f16 KV cache), each beside the scalar function it
//! is held to (`math::expf`, `math::f16_to_f32`).

use crate::math::f16_to_f32;
use core::arch::wasm32::*;

/// f16 -> f32 of four halfs, sign-extended into the i32 lanes, with integer
/// ops: `<< 13` puts mantissa and exponent where an f32 has them (and copies
/// of the sign at bits 28-31, of which the mask keeps bit 31); read as an f32
/// that has the f16 exponent bias, and multiplying by 2^112 rebiases it
/// (exact, subnormals included). Exponent 31 (inf / NaN) instead gets the f32
/// all-ones exponent. 7 ops per 4 values.
#[inline(always)]
fn f16x4_to_f32x4(h: v128, exp: v128) -> v128 {
    let v = v128_and(i32x4_shl(h, 13), i32x4_splat(0x8fff_e000u32 as i32));
    let finite = f32x4_mul(v, f32x4_splat(5.192_296_858_534_828e33)); // 2^112
    let special = v128_or(v, i32x4_splat(0x7f80_0000));
    v128_bitselect(special, finite, i32x4_eq(v128_and(v, exp), exp))
}

/// The f16 exponent field after `<< 13` (0x0f800000 in every lane), read from
/// memory: with the constant in sight, LLVM moves the exponent test back onto
/// the 16-bit halfs and adds a shuffle per 8 values (measured 0.84x).
static EXP_F16_AT_F32: [u32; 4] = [0x0f80_0000; 4];

/// Widens `n` halfs to f32 (SIMD body, scalar tail).
#[inline(always)]
pub(crate) fn widen(src: *const u16, dst: *mut f32, n: usize) {
    let body = n & !7;
    let mut i = 0;
    unsafe {
        let exp = core::ptr::read_volatile(EXP_F16_AT_F32.as_ptr() as *const v128);
        while i < body {
            let h = v128_load(src.add(i) as *const v128);
            v128_store(dst.add(i) as *mut v128, f16x4_to_f32x4(i32x4_extend_low_i16x8(h), exp));
            v128_store(dst.add(i + 4) as *mut v128, f16x4_to_f32x4(i32x4_extend_high_i16x8(h), exp));
            i += 8;
        }
        while i < n {
            *dst.add(i) = f16_to_f32(*src.add(i));
            i += 1;
        }
    }
}

/// `n` halfs to f32 with the SIMD widening (exported for tests).
pub fn f16_to_f32_simd(src: &[u16], dst: &mut [f32]) {
    assert!(dst.len() >= src.len());
    widen(src.as_ptr(), dst.as_mut_ptr(), src.len());
}

/// e^x for four f32 lanes (Cephes' expf): x = n ln2 + r with |r| <= ln2/2
/// (Cody-Waite, two-part ln2), e^r by its minimax polynomial, 2^n added to
/// the exponent bits. Within ~2 ulp for x in [-87.33, 88]; 0 below -87.33
/// (where e^x leaves the normal range), inf above 88 (softmax only ever
/// passes x <= 0).
#[inline(always)]
pub fn exp_f32x4(x: v128) -> v128 {
    let xc = f32x4_max(f32x4_min(x, f32x4_splat(88.0)), f32x4_splat(-87.33));
    let n = f32x4_nearest(f32x4_mul(xc, f32x4_splat(core::f32::consts::LOG2_E)));
    let r = f32x4_sub(f32x4_sub(xc, f32x4_mul(n, f32x4_splat(0.693_359_375))), f32x4_mul(n, f32x4_splat(-2.121_944_4e-4)));
    let mut p = f32x4_splat(1.987_569_150_0e-4);
    p = f32x4_add(f32x4_mul(p, r), f32x4_splat(1.398_199_950_7e-3));
    p = f32x4_add(f32x4_mul(p, r), f32x4_splat(8.333_451_907_3e-3));
    p = f32x4_add(f32x4_mul(p, r), f32x4_splat(4.166_579_589_4e-2));
    p = f32x4_add(f32x4_mul(p, r), f32x4_splat(1.666_666_545_9e-1));
    p = f32x4_add(f32x4_mul(p, r), f32x4_splat(5.000_000_120_1e-1));
    // e^r = 1 + r + r^2 p(r)
    let e = f32x4_add(f32x4_add(f32x4_mul(f32x4_mul(p, r), r), r), f32x4_splat(1.0));
    let y = i32x4_add(e, i32x4_shl(i32x4_trunc_sat_f32x4(n), 23));
    let y = v128_bitselect(f32x4_splat(0.0), y, f32x4_lt(x, f32x4_splat(-87.33)));
    v128_bitselect(f32x4_splat(f32::INFINITY), y, f32x4_gt(x, f32x4_splat(88.0)))
}

/// e^x of every element (exported for tests).
pub fn exp_f32_simd(x: &[f32], y: &mut [f32]) {
    assert!(y.len() >= x.len());
    let n = x.len();
    let mut i = 0;
    unsafe {
        while i + 4 <= n {
            v128_store(y.as_mut_ptr().add(i) as *mut v128, exp_f32x4(v128_load(x.as_ptr().add(i) as *const v128)));
            i += 4;
        }
        if i < n {
            let mut t = [0.0f32; 4];
            t[..n - i].copy_from_slice(&x[i..]);
            let e = exp_f32x4(v128_load(t.as_ptr() as *const v128));
            v128_store(t.as_mut_ptr() as *mut v128, e);
            y[i..n].copy_from_slice(&t[..n - i]);
        }
    }
}
