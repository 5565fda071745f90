//! The relaxed-SIMD instructions the relaxed build uses (only with `--cfg
//! relaxed`, into `wasm/falcon_e_relaxed.wasm`).
//!
//! rustc 1.63 has no intrinsics for them. Each is an exported, never-inlined
//! stand-in function with the same meaning in plain SIMD128; `wasm/build.sh`
//! rewrites every call of a stand-in into its instruction and drops the export.
//! A stand-in's body only runs if that step was skipped; its results are then
//! one of the instruction's allowed results, only slower to get.

use core::arch::wasm32::*;

/// Stand-in for `i16x8.relaxed_dot_i8x16_i7x16_s(a, b)` with b in 0..127:
/// lane i = a[2i] * b[2i] + a[2i+1] * b[2i+1] (x86: one pmaddubsw). Exact
/// and deterministic while b stays in the i7 range.
#[no_mangle]
#[inline(never)]
#[allow(improper_ctypes_definitions)]
pub extern "C" fn falcon_e_relaxed_dot_i8x16_i7x16_s(a: v128, b: v128) -> v128 {
    let ae = i16x8_shr(i16x8_shl(a, 8), 8);
    let ao = i16x8_shr(a, 8);
    let be = i16x8_shr(i16x8_shl(b, 8), 8);
    let bo = i16x8_shr(b, 8);
    i16x8_add(i16x8_mul(ae, be), i16x8_mul(ao, bo))
}

/// Stand-in for `f32x4.relaxed_madd(a, b, c)`: a * b + c per lane, rounded
/// once (x86 with FMA3: one vfmadd) or twice (no FMA); which one is the
/// runtime's choice, the only non-determinism this build admits.
#[no_mangle]
#[inline(never)]
#[allow(improper_ctypes_definitions)]
pub extern "C" fn falcon_e_relaxed_madd_f32x4(a: v128, b: v128, c: v128) -> v128 {
    f32x4_add(f32x4_mul(a, b), c)
}

/// `i16x8.relaxed_dot_i8x16_i7x16_s(x, c)`, c in 0..127.
#[inline(always)]
pub(crate) fn dot(x: v128, c: v128) -> v128 {
    falcon_e_relaxed_dot_i8x16_i7x16_s(x, c)
}

/// `f32x4.relaxed_madd(a, b, c)` = a * b + c.
#[inline(always)]
pub(crate) fn madd(a: v128, b: v128, c: v128) -> v128 {
    falcon_e_relaxed_madd_f32x4(a, b, c)
}
