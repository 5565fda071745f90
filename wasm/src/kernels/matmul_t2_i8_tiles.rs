//! The relaxed build's ternary tiles, in three forms of the multiply-accumulate
//! (all exact: the codes stay in the i7 range and every sum fits its lanes):
//!
//! * `Dot16`: `i16x8.relaxed_dot_i8x16_i7x16_s` + `i16x8.add` into i16
//!   partial sums, widened into i32 every few steps (x86: pmaddubsw + paddw).
//! * `DotAdd`: `i32x4.relaxed_dot_i8x16_i7x16_add_s` straight into i32 lanes,
//!   no widening. On a CPU with AVX-VNNI, V8 makes it one vpdpbusd; elsewhere
//!   three instructions, and `Dot16` is faster. But each accumulator's chain
//!   then waits a whole dot-add per step, and the prefill tile's 8 chains
//!   bind it (measured: 0.88-0.94x of `Dot16` for prefill on a Zen 5).
//! * `Mixed`: fields 0 and 1 as `DotAdd`, 2 and 3 as `Dot16`: fewer
//!   instructions per step than `Dot16`, half the long chains of `DotAdd`
//!   (measured on that Zen 5, whole model, forms forced: prefill-512 1.044x
//!   over `Dot16`).
//!
//! No wasm code can ask the CPU, so the engine times the forms at load
//! (`bench_ternary`) and keeps the fastest.
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
    /// acc + the dot of 16 activations with 16 codes of field `k` (0..4).
    fn mac(k: usize, acc: v128, x: v128, c: v128) -> v128;
    /// total + partial of field `k`, widened where the partial is i16.
    fn widen(k: usize, total: v128, partial: v128) -> v128;
    /// partial / 4 of field `k`, exactly (every term is a multiple of 4).
    fn quarter(k: usize, partial: v128) -> v128;
}

/// i16 partial sums: 32 steps of |2 * 2 * 128| fit, or 16 steps of codes up to 8.
pub(super) struct Dot16;
impl Mac for Dot16 {
    const FLUSH: usize = 32;
    const DECODE_FLUSH: usize = 16; // 16 * 2 * 8 * 128 = 32768 in magnitude, +32512 at most: exact in i16
    #[inline(always)]
    fn mac(_k: usize, acc: v128, x: v128, c: v128) -> v128 {
        i16x8_add(acc, dot(x, c))
    }
    #[inline(always)]
    fn widen(_k: usize, total: v128, partial: v128) -> v128 {
        i32x4_add(total, i32x4_extadd_pairwise_i16x8(partial))
    }
    #[inline(always)]
    fn quarter(_k: usize, partial: v128) -> v128 {
        i16x8_shr(partial, 2)
    }
}

/// i32 partial sums: |4 * 8 * 128| per step fits for any row the kernels take.
pub(super) struct DotAdd;
impl Mac for DotAdd {
    const FLUSH: usize = usize::MAX;
    const DECODE_FLUSH: usize = usize::MAX;
    #[inline(always)]
    fn mac(_k: usize, acc: v128, x: v128, c: v128) -> v128 {
        dot_add(x, c, acc)
    }
    #[inline(always)]
    fn widen(_k: usize, total: v128, partial: v128) -> v128 {
        i32x4_add(total, partial)
    }
    #[inline(always)]
    fn quarter(_k: usize, partial: v128) -> v128 {
        i32x4_shr(partial, 2)
    }
}

/// Fields 0 and 1 as `DotAdd`, 2 and 3 as `Dot16` (flushed as `Dot16`'s):
/// half the accumulators' chains are one dot-add per step (one instruction
/// with AVX-VNNI, but each waits for the one before), half are dot16's
/// multiply off the chain and a 1-cycle add on it. Of the splits tried on a
/// Zen 5 (1, 2 or 3 fields as dot-add), 2 was the fastest.
pub(super) struct Mixed;
impl Mac for Mixed {
    const FLUSH: usize = Dot16::FLUSH;
    const DECODE_FLUSH: usize = Dot16::DECODE_FLUSH;
    #[inline(always)]
    fn mac(k: usize, acc: v128, x: v128, c: v128) -> v128 {
        if k < 2 { DotAdd::mac(k, acc, x, c) } else { Dot16::mac(k, acc, x, c) }
    }
    #[inline(always)]
    fn widen(k: usize, total: v128, partial: v128) -> v128 {
        if k < 2 { DotAdd::widen(k, total, partial) } else { Dot16::widen(k, total, partial) }
    }
    #[inline(always)]
    fn quarter(k: usize, partial: v128) -> v128 {
        if k < 2 { DotAdd::quarter(k, partial) } else { Dot16::quarter(k, partial) }
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
                part[p][t][k] = M::mac(k, part[p][t][k], xv, c[p][k]);
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
                    acc[p][t][k] = M::widen(k, acc[p][t][k], part[p][t][k]);
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
                part[p][0] = M::mac(0, part[p][0], xv, v128_and(wv, m3));
                part[p][1] = M::mac(1, part[p][1], xv, v128_and(wv, m12));
                part[p][2] = M::mac(2, part[p][2], xv, v128_and(hi, m3));
                part[p][3] = M::mac(3, part[p][3], xv, v128_and(hi, m12));
            }
            wp = wp.add(r.stride);
            s += 1;
        }
        for p in 0..P {
            part[p][1] = M::quarter(1, part[p][1]);
            part[p][3] = M::quarter(3, part[p][3]);
            for k in 0..4 {
                acc[p][0][k] = M::widen(k, acc[p][0][k], part[p][k]);
            }
        }
    }
    finish(acc, r, [x], n_in)
}
