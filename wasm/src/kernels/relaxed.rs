//! The relaxed-SIMD instructions the relaxed build uses (compiled only with
//! `-C target-feature=+relaxed-simd`, into `wasm/falcon_e_relaxed.wasm`),
//! named once so that every kernel says what it relies on.

use core::arch::wasm32::*;

/// `i16x8.relaxed_dot_i8x16_i7x16_s(x, c)` with c in 0..127: lane i =
/// x[2i] * c[2i] + x[2i+1] * c[2i+1] (x86: one pmaddubsw). Exact and
/// deterministic while c stays in the i7 range, as every caller's codes do.
#[inline(always)]
pub(crate) fn dot(x: v128, c: v128) -> v128 {
    i16x8_relaxed_dot_i8x16_i7x16(x, c)
}

/// `i32x4.relaxed_dot_i8x16_i7x16_add_s(x, c, acc)` with c in 0..127: lane i =
/// acc[i] + the sum of x[4i+j] * c[4i+j] over j < 4 (x86 with VNNI: one
/// vpdpbusd; otherwise pmaddubsw, pmaddwd and paddd). Exact while c stays in
/// the i7 range: each pair sum is at most 2 * 128 * 127 in magnitude, inside
/// the i16 an implementation may saturate to.
#[inline(always)]
pub(crate) fn dot_add(x: v128, c: v128, acc: v128) -> v128 {
    i32x4_relaxed_dot_i8x16_i7x16_add(x, c, acc)
}

/// `f32x4.relaxed_madd(a, b, c)` = a * b + c per lane, rounded once (x86
/// with FMA3: one vfmadd) or twice (no FMA); which one is the runtime's
/// choice, the only non-determinism this build admits.
#[inline(always)]
pub(crate) fn madd(a: v128, b: v128, c: v128) -> v128 {
    f32x4_relaxed_madd(a, b, c)
}

/// Whether this runtime runs `dot_add` as one fused multiply-accumulate with
/// no i16 step (x86 with AVX-VNNI: vpdpbusd). 16 bytes of 127 against 16 of
/// 255 (outside the i7 range, where the two lowerings part): fused, a lane is
/// 4 * 127 * 255 = 129540; through pmaddubsw + pmaddwd each pair saturates at
/// 32767, so a lane is at most 65534. Read from memory so that nothing can
/// fold it at compile time.
pub(crate) fn dot_add_fused() -> bool {
    static X: [u8; 16] = [127; 16];
    static C: [u8; 16] = [255; 16];
    let (x, c) = unsafe {
        (core::ptr::read_volatile(X.as_ptr() as *const v128), core::ptr::read_volatile(C.as_ptr() as *const v128))
    };
    i32x4_extract_lane::<0>(dot_add(x, c, i32x4_splat(0))) > 2 * 32767
}
