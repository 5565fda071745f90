//! The relaxed build's ternary tiles, in two forms of the multiply-accumulate
//! (both exact: the codes stay in the i7 range and every sum fits its lanes):
//!
//! * `Dot16`: `i16x8.relaxed_dot_i8x16_i7x16_s` + `i16x8.add` into i16
//!   partial sums, widened into i32 every few steps (x86: pmaddubsw + paddw).
//! * `DotAdd`: `i32x4.relaxed_dot_i8x16_i7x16_add_s` straight into i32 lanes,
//!   no widening. On a CPU with AVX-VNNI, V8 makes it one vpdpbusd; elsewhere
//!   three instructions, and `Dot16` is faster. No wasm code can ask the CPU,
//!   so the engine times both at load (`bench_ternary`) and keeps the faster.
//!
//! A tile is generic over the form (`Mac`); the layout (`t2r`) is the same.

use super::matmul_t2_i8_relaxed::{finish, mask12, mask3, Rows};
use super::relaxed::{dot, dot_add};
use core::arch::wasm32::*;

/// One form of the multiply-accumulate: partial sums over at most `FLUSH`
/// steps (`DECODE_FLUSH` in the decode tile, whose rows 1 and 3 hold 4 x
/// code), then added into the i32 totals.
pub(super) trait Mac {
    const FLUSH: usize;
    const DECODE_FLUSH: usize;
    /// acc + the dot of 16 activations with 16 codes.
    fn mac(acc: v128, x: v128, c: v128) -> v128;
    /// total + partial, widened where the partial is i16.
    fn widen(total: v128, partial: v128) -> v128;
    /// partial / 4, exactly (every term is a multiple of 4).
    fn quarter(partial: v128) -> v128;
}

/// i16 partial sums: 32 steps of |2 * 2 * 128| fit, or 16 steps of codes up to 8.
pub(super) struct Dot16;
impl Mac for Dot16 {
    const FLUSH: usize = 32;
    const DECODE_FLUSH: usize = 16; // 16 * 2 * 8 * 128 = 32768 in magnitude, +32512 at most: exact in i16
    #[inline(always)]
    fn mac(acc: v128, x: v128, c: v128) -> v128 {
        i16x8_add(acc, dot(x, c))
    }
    #[inline(always)]
    fn widen(total: v128, partial: v128) -> v128 {
        i32x4_add(total, i32x4_extadd_pairwise_i16x8(partial))
    }
    #[inline(always)]
    fn quarter(partial: v128) -> v128 {
        i16x8_shr(partial, 2)
    }
}

/// i32 partial sums: |4 * 8 * 128| per step fits for any row the kernels take.
pub(super) struct DotAdd;
impl Mac for DotAdd {
    const FLUSH: usize = usize::MAX;
    const DECODE_FLUSH: usize = usize::MAX;
    #[inline(always)]
    fn mac(acc: v128, x: v128, c: v128) -> v128 {
        dot_add(x, c, acc)
    }
    #[inline(always)]
    fn widen(total: v128, partial: v128) -> v128 {
        i32x4_add(total, partial)
    }
    #[inline(always)]
    fn quarter(partial: v128) -> v128 {
        i32x4_shr(partial, 2)
    }
}

/// One 16-column step: unpack the codes of P packed rows (at `wp`, 16 bytes
/// apart) once and add their dots with the N tokens' activations at `xo`.
#[inline(always)]
unsafe fn step<M: Mac, const P: usize, const N: usize>(
    part: &mut [[[v128; 4]; N]; P], wp: *const u8, x: &[*const i8; N], xo: usize, m3: v128,
) {
    let mut c = [[m3; 4]; P];
    for p in 0..P {
        let wv = v128_load(wp.add(16 * p) as *const v128);
        // 16-bit shifts: the bits they pull in from the next byte are masked off.
        c[p] = [
            v128_and(wv, m3),
            v128_and(u16x8_shr(wv, 2), m3),
            v128_and(u16x8_shr(wv, 4), m3),
            v128_and(u16x8_shr(wv, 6), m3),
        ];
    }
    for t in 0..N {
        let xv = v128_load(x[t].add(xo) as *const v128);
        for p in 0..P {
            for k in 0..4 {
                part[p][t][k] = M::mac(part[p][t][k], xv, c[p][k]);
            }
        }
    }
}

/// sum_i c_i * x_t[i] for the 4 output rows of each of P packed rows, for N
/// tokens (prefill). Codes are unpacked once per 16 bytes and reused across
/// the N tokens.
#[inline(always)]
pub(super) unsafe fn tile<M: Mac, const P: usize, const N: usize>(
    r: Rows, x: [*const i8; N], n_in: usize,
) -> [[[i32; 4]; N]; P] {
    let m3 = mask3();
    let zero = i32x4_splat(0);
    let mut acc = [[[zero; 4]; N]; P];
    let steps = n_in / 16;
    let mut wp = r.w;
    let mut s = 0;
    while s < steps {
        let end = if steps - s > M::FLUSH { s + M::FLUSH } else { steps };
        let mut part = [[[zero; 4]; N]; P];
        while s < end {
            step::<M, P, N>(&mut part, wp, &x, 16 * s, m3);
            wp = wp.add(r.stride);
            s += 1;
        }
        for p in 0..P {
            for t in 0..N {
                for k in 0..4 {
                    acc[p][t][k] = M::widen(acc[p][t][k], part[p][t][k]);
                }
            }
        }
    }
    finish(acc, r, x, n_in)
}

/// Decode (one token) over P packed rows: sum_i c_i * x[i] for their 4 P
/// output rows. Unpacking takes one shift and four masks per 16 bytes: fields
/// 1 and 3 stay in place, as 4 * code (0, 4 or 8, still in the i7 range), and
/// their sums are divided by 4 (exactly: every term is a multiple of 4) when
/// they are flushed. 16% fewer instructions per step than shifting every
/// field down, measured 1.10x over 24 layers' products (Dot16).
#[inline(always)]
pub(super) unsafe fn decode_tile<M: Mac, const P: usize>(r: Rows, x: *const i8, n_in: usize) -> [[[i32; 4]; 1]; P] {
    let (m3, m12) = (mask3(), mask12());
    let zero = i32x4_splat(0);
    let mut acc = [[[zero; 4]; 1]; P];
    let steps = n_in / 16;
    let mut wp = r.w;
    let mut s = 0;
    while s < steps {
        let end = if steps - s > M::DECODE_FLUSH { s + M::DECODE_FLUSH } else { steps };
        let mut part = [[zero; 4]; P];
        while s < end {
            let xv = v128_load(x.add(16 * s) as *const v128);
            for p in 0..P {
                let wv = v128_load(wp.add(16 * p) as *const v128);
                let hi = u16x8_shr(wv, 4);
                part[p][0] = M::mac(part[p][0], xv, v128_and(wv, m3));
                part[p][1] = M::mac(part[p][1], xv, v128_and(wv, m12));
                part[p][2] = M::mac(part[p][2], xv, v128_and(hi, m3));
                part[p][3] = M::mac(part[p][3], xv, v128_and(hi, m12));
            }
            wp = wp.add(r.stride);
            s += 1;
        }
        for p in 0..P {
            part[p][1] = M::quarter(part[p][1]);
            part[p][3] = M::quarter(part[p][3]);
            for k in 0..4 {
                acc[p][0][k] = M::widen(acc[p][0][k], part[p][k]);
            }
        }
    }
    finish(acc, r, [x], n_in)
}
