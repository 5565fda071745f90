//! Relaxed-SIMD ternary x int8 products (built only with `+relaxed-simd`, into
//! `wasm/falcon_e_relaxed.wasm`). Same contract as `matmul_t2_i8.rs`: exact
//! int32 dots of the ternary rows with int8 activations, y = sum c*x - sum x.
//!
//! `i16x8.relaxed_dot_i8x16_i7x16_s(x, c)` multiplies 16 int8 activations by 16
//! codes and adds adjacent pairs into i16 (x86: one pmaddubsw). Codes are 0..2,
//! inside the i7 range where the instruction is deterministic and exact:
//! |pair| <= 2 * 2 * 128 = 512, so 32 steps fit an i16 accumulator.
//! Decoding (one token) unpacks with one shift and four masks per 16 bytes,
//! leaving rows 1 and 3 scaled by 4 (`b & 12`), and flushes every 16 steps:
//! 16% fewer instructions per step than shifting every field down, measured
//! 1.10x faster over 24 layers' products. The prefill tile keeps the full
//! unpack: with 2 tokens the extra mask register spills (measured 0.95x).
//!
//! Layout `t2r` (made in place by `prepare_t2`): packed rows are taken in pairs
//! (2q, 2q+1) and interleaved in 16-byte chunks: chunk j of row 2q, chunk j of
//! row 2q+1, chunk j+1 of row 2q, ...; the n_in % 16 tail bytes of row 2q, then
//! of row 2q+1, close the pair. Decoding thus reads the matrix as one
//! sequential stream (two interleaved streams measured ~25% slower), and each
//! 16-byte activation load feeds 8 output rows. With R odd, the last packed
//! row stays as it is.

use core::arch::wasm32::*;

use super::interleave::scratch;
use super::matmul_t2_i8_tiles::{decode_tile, tile, Dot16, DotAdd, Mac, Mixed};
use crate::abi::ternary_tiles;
use core::sync::atomic::{AtomicU32, Ordering};
pub use super::matmul_t2_i8::{matmul_t2_i8_ref, token_sums, MAX_IN, MAX_TOKENS};

/// Checkpoint layout -> `t2r`, in place through a static scratch of two rows.
pub fn prepare_t2(w: &mut [u8], out: usize, n_in: usize) {
    assert!(out % 4 == 0 && n_in <= MAX_IN && w.len() >= out / 4 * n_in);
    let (rp, body, tail) = (out / 4, n_in & !15, n_in & 15);
    let tmp = scratch(2 * n_in);
    for q in 0..rp / 2 {
        let g = &mut w[q * 2 * n_in..(q + 1) * 2 * n_in];
        tmp.copy_from_slice(g);
        for j in (0..body).step_by(16) {
            g[2 * j..2 * j + 16].copy_from_slice(&tmp[j..j + 16]);
            g[2 * j + 16..2 * j + 32].copy_from_slice(&tmp[n_in + j..n_in + j + 16]);
        }
        g[2 * body..2 * body + tail].copy_from_slice(&tmp[body..n_in]);
        g[2 * body + tail..].copy_from_slice(&tmp[n_in + body..]);
    }
}

/// `t2r` -> checkpoint layout (the inverse of `prepare_t2`; for tests).
pub fn unprepare_t2(w: &mut [u8], out: usize, n_in: usize) {
    assert!(out % 4 == 0 && n_in <= MAX_IN && w.len() >= out / 4 * n_in);
    let (rp, body, tail) = (out / 4, n_in & !15, n_in & 15);
    let tmp = scratch(2 * n_in);
    for q in 0..rp / 2 {
        let g = &mut w[q * 2 * n_in..(q + 1) * 2 * n_in];
        tmp.copy_from_slice(g);
        for j in (0..body).step_by(16) {
            g[j..j + 16].copy_from_slice(&tmp[2 * j..2 * j + 16]);
            g[n_in + j..n_in + j + 16].copy_from_slice(&tmp[2 * j + 16..2 * j + 32]);
        }
        g[body..n_in].copy_from_slice(&tmp[2 * body..2 * body + tail]);
        g[n_in + body..].copy_from_slice(&tmp[2 * body + tail..]);
    }
}

#[inline(always)]
fn hsum(v: v128) -> i32 {
    i32x4_extract_lane::<0>(v) + i32x4_extract_lane::<1>(v) + i32x4_extract_lane::<2>(v) + i32x4_extract_lane::<3>(v)
}

/// The 0x03 byte mask, read from memory so that V8 keeps it in a register
/// instead of rematerializing the constant (3 instructions) in every iteration.
static MASK3: [u8; 16] = [3; 16];

#[inline(always)]
pub(super) fn mask3() -> v128 {
    unsafe { core::ptr::read_volatile(MASK3.as_ptr() as *const v128) }
}

/// The 0x0c byte mask (see `mask3`).
static MASK12: [u8; 16] = [12; 16];

#[inline(always)]
pub(super) fn mask12() -> v128 {
    unsafe { core::ptr::read_volatile(MASK12.as_ptr() as *const v128) }
}

/// Where the P packed rows of a tile live: chunk j (16 bytes) of row p at
/// `w + j * stride + 16 p`; the tail bytes of row p at `tail + p * (n_in % 16)`.
#[derive(Clone, Copy)]
pub(super) struct Rows {
    pub(super) w: *const u8,
    pub(super) stride: usize,
    pub(super) tail: *const u8,
}

/// The tiles' end: the i32 accumulators summed across lanes, plus the
/// `n_in % 16` tail columns done in scalar.
#[inline(always)]
pub(super) unsafe fn finish<const P: usize, const N: usize>(
    acc: [[[v128; 4]; N]; P], r: Rows, x: [*const i8; N], n_in: usize,
) -> [[[i32; 4]; N]; P] {
    let mut out = [[[0i32; 4]; N]; P];
    for p in 0..P {
        for t in 0..N {
            for k in 0..4 {
                out[p][t][k] = hsum(acc[p][t][k]);
            }
        }
    }
    let (body, tail) = (n_in & !15, n_in & 15);
    for i in 0..tail {
        for p in 0..P {
            let b = *r.tail.add(p * tail + i);
            for t in 0..N {
                let xv = *x[t].add(body + i) as i32;
                for k in 0..4 {
                    out[p][t][k] += ((b >> (2 * k)) & 3) as i32 * xv;
                }
            }
        }
    }
    out
}

/// P packed rows at `r` (packed row indices p0..p0+P) against tokens t0..t0+N.
#[inline(always)]
unsafe fn rows_tokens<M: Mac, const P: usize, const N: usize>(
    r: Rows, out: usize, n_in: usize, x: &[i8], p0: usize, t0: usize, sums: &[i32], y: &mut [i32],
) {
    let rp = out / 4;
    let mut xs = [x.as_ptr(); N];
    for t in 0..N {
        xs[t] = x.as_ptr().add((t0 + t) * n_in);
    }
    let d = if N == 1 {
        let o = decode_tile::<M, P>(r, xs[0], n_in);
        let mut d = [[[0i32; 4]; N]; P];
        for p in 0..P {
            d[p][0] = o[p][0];
        }
        d
    } else {
        tile::<M, P, N>(r, xs, n_in)
    };
    for p in 0..P {
        for t in 0..N {
            for k in 0..4 {
                *y.get_unchecked_mut((t0 + t) * out + k * rp + p0 + p) = d[p][t][k] - sums[t0 + t];
            }
        }
    }
}

/// Tokens per unpacked weight tile in the prefill product.
pub const TOKEN_TILE: usize = 2;

/// The tiles in use, as `abi::ternary_tiles` values: decode (bits 0-7) and
/// prefill (bits 8-15). Both default to Dot16.
static TILES: AtomicU32 = AtomicU32::new(0);

/// Chooses the decode and prefill tiles (`abi::ternary_tiles`); false (nothing
/// changed) for an unknown value.
pub fn set_tiles(decode: u32, prefill: u32) -> bool {
    let ok = |v| v == ternary_tiles::DOT16 || v == ternary_tiles::DOT_ADD || v == ternary_tiles::MIXED;
    if !ok(decode) || !ok(prefill) {
        return false;
    }
    TILES.store(decode | prefill << 8, Ordering::Relaxed);
    true
}

/// The decode and prefill tiles in use.
pub fn tiles() -> (u32, u32) {
    let t = TILES.load(Ordering::Relaxed);
    (t & 255, t >> 8)
}

/// Units of work of a product with `out` rows: pairs of packed rows, and the
/// last packed row when their count is odd. Threads split a product by units.
pub fn units(out: usize) -> usize {
    let rp = out / 4;
    rp / 2 + rp % 2
}

/// Units [u0, u1) of the product with the tile form `M` (see `matmul_t2_i8_rows`).
unsafe fn rows_with<M: Mac>(w: &[u8], out: usize, n_in: usize, x: &[i8], n_tok: usize, sums: &[i32], y: &mut [i32], u0: usize, u1: usize) {
    let (rp, body, tail) = (out / 4, n_in & !15, n_in & 15);
    let wp = w.as_ptr();
    for q in u0..u1.min(rp / 2) {
        let g = wp.add(q * 2 * n_in);
        let pair = Rows { w: g, stride: 32, tail: g.add(2 * body) };
        if n_tok == 1 {
            // decode: both rows of the pair (8 output rows) per activation load
            rows_tokens::<M, 2, 1>(pair, out, n_in, x, 2 * q, 0, sums, y);
            continue;
        }
        for h in 0..2 {
            let one = Rows { w: g.add(16 * h), stride: 32, tail: g.add(2 * body + h * tail) };
            let mut t = 0;
            while t + TOKEN_TILE <= n_tok {
                rows_tokens::<M, 1, TOKEN_TILE>(one, out, n_in, x, 2 * q + h, t, sums, y);
                t += TOKEN_TILE;
            }
            while t < n_tok {
                rows_tokens::<M, 1, 1>(one, out, n_in, x, 2 * q + h, t, sums, y);
                t += 1;
            }
        }
    }
    if rp % 2 == 1 && u0 <= rp / 2 && rp / 2 < u1 {
        let g = wp.add((rp - 1) * n_in);
        let one = Rows { w: g, stride: 16, tail: g.add(body) };
        for t in 0..n_tok {
            rows_tokens::<M, 1, 1>(one, out, n_in, x, rp - 1, t, sums, y);
        }
    }
}

/// Units [u0, u1) (see `units`) of the relaxed-SIMD product over `t2r`
/// weights for a block of tokens, with the chosen tiles; `sums` holds each
/// token's sum of activations (`token_sums`). Each unit's rows come out the
/// same whichever units a call covers, so any split is exact.
pub fn matmul_t2_i8_rows(
    w: &[u8], out: usize, n_in: usize, x: &[i8], n_tok: usize, sums: &[i32], y: &mut [i32], u0: usize, u1: usize,
) {
    assert!(out % 4 == 0 && w.len() >= out / 4 * n_in && x.len() >= n_tok * n_in && y.len() >= n_tok * out);
    assert!(n_tok <= MAX_TOKENS && n_in <= MAX_IN && sums.len() >= n_tok && u1 <= units(out));
    let (decode, prefill) = tiles();
    let form = if n_tok == 1 { decode } else { prefill };
    unsafe {
        if form == ternary_tiles::DOT_ADD {
            rows_with::<DotAdd>(w, out, n_in, x, n_tok, sums, y, u0, u1)
        } else if form == ternary_tiles::MIXED {
            rows_with::<Mixed>(w, out, n_in, x, n_tok, sums, y, u0, u1)
        } else {
            rows_with::<Dot16>(w, out, n_in, x, n_tok, sums, y, u0, u1)
        }
    }
}

/// The whole relaxed-SIMD product over `t2r` weights (see `prepare_t2`) for a
/// block of tokens; with n_tok = 1 it is the decode matrix-vector product.
pub fn matmul_t2_i8_simd(w: &[u8], out: usize, n_in: usize, x: &[i8], n_tok: usize, y: &mut [i32]) {
    assert!(n_tok <= MAX_TOKENS && x.len() >= n_tok * n_in);
    let mut sums = [0i32; MAX_TOKENS];
    token_sums(x, n_in, n_tok, &mut sums);
    matmul_t2_i8_rows(w, out, n_in, x, n_tok, &sums, y, 0, units(out));
}
