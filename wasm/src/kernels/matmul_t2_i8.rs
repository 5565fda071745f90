//! Ternary (2-bit packed) x int8 matrix products with exact int32 results.
//!
//! Checkpoint format `t2` (what the loader writes): a matrix with `out` rows and
//! `n_in` columns is stored as `R = out / 4` packed rows of `n_in` bytes; bits
//! 2k..2k+1 of packed[p][i] hold code c = w + 1 (0, 1, 2 for -1, 0, +1) of
//! output row p + k*R, column i.
//!
//! Since c = w + 1:  sum_i w_i x_i = sum_i c_i x_i - sum_i x_i.
//! `y[t * out + r]` receives the exact integer dot of row r with token t.
//!
//! The kernels run on a layout `prepare_t2` makes in place, once, at load:
//!
//! * plain SIMD128 build (this file): `t2p`, packed rows interleaved by pairs.
//!   Bytes 2i and 2i+1 of pair q are packed[2q][i] and packed[2q+1][i], so one
//!   16-bit lane holds the codes of 8 output rows at one column, and 16 bytes
//!   hold 8 rows x 8 columns. With int8 activations widened to i16 as they
//!   load (`v128.load8x8_s`), each row is one mask and one `i32x4.dot_i16x8_s`
//!   (x86 pmaddwd): masking without shifting leaves the code times 4^k, which
//!   the dot carries exactly and the end divides out. That is 9 bit-ops, 8 dots
//!   and 8 adds per 64 weights, no multiplies emulated by widening.
//!   With R odd, the last packed row stays as it is (handled 4 rows at a time).
//! * relaxed-SIMD build (`matmul_t2_i8_relaxed.rs`): the checkpoint layout itself.

use core::arch::wasm32::*;

/// Scalar reference on the checkpoint layout, written straight from the format definition.
pub fn matmul_t2_i8_ref(w: &[u8], out: usize, n_in: usize, x: &[i8], n_tok: usize, y: &mut [i32]) {
    let rp = out / 4;
    for t in 0..n_tok {
        let xt = &x[t * n_in..(t + 1) * n_in];
        for r in 0..out {
            let row = &w[(r % rp) * n_in..(r % rp + 1) * n_in];
            let shift = 2 * (r / rp);
            let mut acc = 0i32;
            for i in 0..n_in {
                let code = ((row[i] >> shift) & 3) as i32;
                acc += (code - 1) * xt[i] as i32;
            }
            y[t * out + r] = acc;
        }
    }
}

/// Widest input `prepare_t2` and the kernels accept (bounds the scratch and
/// keeps every scaled dot product inside i32).
pub const MAX_IN: usize = crate::abi::limits::MAX_IN as usize;

/// Largest token block `matmul_t2_i8_simd` is called with.
pub const MAX_TOKENS: usize = crate::abi::limits::MAX_BLOCK as usize;

/// Checkpoint layout -> `t2p`, in place (a static scratch of one row, no second copy).
/// Interleaving rows A = packed[2q] and B = packed[2q+1]: A goes to the scratch,
/// then the pair is written front to back; byte 2i+1 is written only after B[i]
/// was read, and never reaches B[i'] for i' > i, so B needs no copy.
pub fn prepare_t2(w: &mut [u8], out: usize, n_in: usize) {
    assert!(out % 4 == 0 && n_in <= MAX_IN && w.len() >= out / 4 * n_in);
    let rp = out / 4;
    let tmp = super::interleave::scratch(n_in);
    for q in 0..rp / 2 {
        let base = q * 2 * n_in;
        tmp.copy_from_slice(&w[base..base + n_in]);
        let mut i = 0;
        unsafe {
            let p = w.as_mut_ptr().add(base);
            while i + 16 <= n_in {
                let a = v128_load(tmp.as_ptr().add(i) as *const v128);
                let b = v128_load(p.add(n_in + i) as *const v128);
                let lo = i8x16_shuffle::<0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23>(a, b);
                let hi = i8x16_shuffle::<8, 24, 9, 25, 10, 26, 11, 27, 12, 28, 13, 29, 14, 30, 15, 31>(a, b);
                v128_store(p.add(2 * i) as *mut v128, lo);
                v128_store(p.add(2 * i + 16) as *mut v128, hi);
                i += 16;
            }
            while i < n_in {
                let b = *p.add(n_in + i);
                *p.add(2 * i) = tmp[i];
                *p.add(2 * i + 1) = b;
                i += 1;
            }
        }
    }
}

/// `t2p` -> checkpoint layout (the inverse of `prepare_t2`; for tests).
pub fn unprepare_t2(w: &mut [u8], out: usize, n_in: usize) {
    assert!(out % 4 == 0 && n_in <= MAX_IN && w.len() >= out / 4 * n_in);
    let rp = out / 4;
    let tmp = super::interleave::scratch(n_in);
    for q in 0..rp / 2 {
        let base = q * 2 * n_in;
        for i in 0..n_in {
            tmp[i] = w[base + 2 * i + 1];
        }
        for i in 0..n_in {
            w[base + i] = w[base + 2 * i];
        }
        w[base + n_in..base + 2 * n_in].copy_from_slice(tmp);
    }
}

/// The four 16-bit code masks 0x0003, 0x000c, 0x0030, 0x00c0, read from memory
/// so that V8 keeps them in registers instead of rematerializing each constant
/// (3 instructions) in every iteration.
static MASKS: [[u16; 8]; 4] = [[0x0003; 8], [0x000c; 8], [0x0030; 8], [0x00c0; 8]];

#[inline(always)]
fn masks() -> [v128; 4] {
    unsafe {
        let p = MASKS.as_ptr() as *const v128;
        [
            core::ptr::read_volatile(p),
            core::ptr::read_volatile(p.add(1)),
            core::ptr::read_volatile(p.add(2)),
            core::ptr::read_volatile(p.add(3)),
        ]
    }
}

#[inline(always)]
fn hsum(v: v128) -> i32 {
    i32x4_extract_lane::<0>(v) + i32x4_extract_lane::<1>(v) + i32x4_extract_lane::<2>(v) + i32x4_extract_lane::<3>(v)
}

/// sum_i c_i x_i for the 8 rows of interleaved pair `w` (2 * n_in bytes).
/// Row k < 4: bits 2k of the even bytes; row 4 + k: bits 2k of the odd bytes.
#[inline(always)]
unsafe fn pair_dot(w: *const u8, x: *const i8, n_in: usize) -> [i32; 8] {
    let [m0, m1, m2, m3] = masks();
    let z = i32x4_splat(0);
    let mut a = [z; 8];
    let body = n_in & !7;
    let mut j = 0;
    while j < body {
        let v = v128_load(w.add(2 * j) as *const v128);
        let xv = i16x8_load_extend_i8x8(x.add(j));
        let h = u16x8_shr(v, 8);
        a[0] = i32x4_add(a[0], i32x4_dot_i16x8(v128_and(v, m0), xv));
        a[1] = i32x4_add(a[1], i32x4_dot_i16x8(v128_and(v, m1), xv));
        a[2] = i32x4_add(a[2], i32x4_dot_i16x8(v128_and(v, m2), xv));
        a[3] = i32x4_add(a[3], i32x4_dot_i16x8(v128_and(v, m3), xv));
        a[4] = i32x4_add(a[4], i32x4_dot_i16x8(v128_and(h, m0), xv));
        a[5] = i32x4_add(a[5], i32x4_dot_i16x8(v128_and(h, m1), xv));
        a[6] = i32x4_add(a[6], i32x4_dot_i16x8(v128_and(h, m2), xv));
        a[7] = i32x4_add(a[7], i32x4_dot_i16x8(u16x8_shr(v, 14), xv));
        j += 8;
    }
    // Exact: each sum is a multiple of its scale 4^k (row 7 was shifted down).
    let mut r = [0i32; 8];
    for k in 0..8 {
        r[k] = hsum(a[k]) >> (2 * (k % 4));
    }
    r[7] = hsum(a[7]);
    while j < n_in {
        let (lo, hi) = (*w.add(2 * j), *w.add(2 * j + 1));
        let xv = *x.add(j) as i32;
        for k in 0..4 {
            r[k] += ((lo >> (2 * k)) & 3) as i32 * xv;
            r[4 + k] += ((hi >> (2 * k)) & 3) as i32 * xv;
        }
        j += 1;
    }
    r
}

/// sum_i c_i x_i for the 4 rows of one un-paired packed row (the last one when R is odd).
#[inline(always)]
unsafe fn single_dot(w: *const u8, x: *const i8, n_in: usize) -> [i32; 4] {
    let [m0, m1, m2, _] = masks();
    let z = i32x4_splat(0);
    let mut a = [z; 4];
    let body = n_in & !7;
    let mut j = 0;
    while j < body {
        let v = i16x8_load_extend_u8x8(w.add(j));
        let xv = i16x8_load_extend_i8x8(x.add(j));
        a[0] = i32x4_add(a[0], i32x4_dot_i16x8(v128_and(v, m0), xv));
        a[1] = i32x4_add(a[1], i32x4_dot_i16x8(v128_and(v, m1), xv));
        a[2] = i32x4_add(a[2], i32x4_dot_i16x8(v128_and(v, m2), xv));
        a[3] = i32x4_add(a[3], i32x4_dot_i16x8(u16x8_shr(v, 6), xv));
        j += 8;
    }
    let mut r = [hsum(a[0]), hsum(a[1]) >> 2, hsum(a[2]) >> 4, hsum(a[3])];
    while j < n_in {
        let b = *w.add(j);
        let xv = *x.add(j) as i32;
        for k in 0..4 {
            r[k] += ((b >> (2 * k)) & 3) as i32 * xv;
        }
        j += 1;
    }
    r
}

/// Each token's sum of activations (the `- sum x` of the product).
pub fn token_sums(x: &[i8], n_in: usize, n_tok: usize, sums: &mut [i32]) {
    for t in 0..n_tok {
        sums[t] = x[t * n_in..(t + 1) * n_in].iter().map(|&v| v as i32).sum();
    }
}

/// Units of work of a product with `out` rows: pairs of packed rows, and the
/// last packed row when their count is odd. Threads split a product by units.
pub fn units(out: usize) -> usize {
    let rp = out / 4;
    rp / 2 + rp % 2
}

/// This build has one form of tiles: only `abi::ternary_tiles::DOT16` is accepted.
pub fn set_tiles(decode: u32, prefill: u32) -> bool {
    decode == crate::abi::ternary_tiles::DOT16 && prefill == crate::abi::ternary_tiles::DOT16
}

/// The decode and prefill tiles in use (always DOT16 here).
pub fn tiles() -> (u32, u32) {
    (crate::abi::ternary_tiles::DOT16, crate::abi::ternary_tiles::DOT16)
}

/// Units [u0, u1) (see `units`) of the SIMD128 product over `t2p` weights for
/// a block of tokens; `sums` from `token_sums`. Each interleaved pair (2 *
/// n_in bytes) stays in L1 while every token reads it, so the matrix streams
/// from memory once per call. Any split of the units gives the same rows.
pub fn matmul_t2_i8_rows(
    w: &[u8], out: usize, n_in: usize, x: &[i8], n_tok: usize, sums: &[i32], y: &mut [i32], u0: usize, u1: usize,
) {
    assert!(out % 4 == 0 && w.len() >= out / 4 * n_in && x.len() >= n_tok * n_in && y.len() >= n_tok * out);
    assert!(n_tok <= MAX_TOKENS && n_in <= MAX_IN && sums.len() >= n_tok && u1 <= units(out));
    let rp = out / 4;
    unsafe {
        let yp = y.as_mut_ptr();
        for q in u0..u1.min(rp / 2) {
            let wq = w.as_ptr().add(q * 2 * n_in);
            for t in 0..n_tok {
                let d = pair_dot(wq, x.as_ptr().add(t * n_in), n_in);
                let yt = yp.add(t * out);
                for k in 0..4 {
                    *yt.add(k * rp + 2 * q) = d[k] - sums[t];
                    *yt.add(k * rp + 2 * q + 1) = d[4 + k] - sums[t];
                }
            }
        }
        if rp % 2 == 1 && u0 <= rp / 2 && rp / 2 < u1 {
            let p = rp - 1;
            for t in 0..n_tok {
                let d = single_dot(w.as_ptr().add(p * n_in), x.as_ptr().add(t * n_in), n_in);
                for k in 0..4 {
                    *yp.add(t * out + k * rp + p) = d[k] - sums[t];
                }
            }
        }
    }
}

/// The whole SIMD128 product over `t2p` weights (see `prepare_t2`) for a block
/// of tokens; with n_tok = 1 it is the decode matrix-vector product.
pub fn matmul_t2_i8_simd(w: &[u8], out: usize, n_in: usize, x: &[i8], n_tok: usize, y: &mut [i32]) {
    assert!(n_tok <= MAX_TOKENS && x.len() >= n_tok * n_in);
    let mut sums = [0i32; MAX_TOKENS];
    token_sums(x, n_in, n_tok, &mut sums);
    matmul_t2_i8_rows(w, out, n_in, x, n_tok, &sums, y, 0, units(out));
}
