//! The int8 lm_head (opt-in, converted at load from BF16): 8-bit weights with a
//! per-row f32 scale, times int8-quantized activations, exact int32 dots.
//!
//! Format `q8`: row r of `rows` x `cols` is `cols` bytes b = q + 64 with
//! q = round_half_even(w / scale[r]) in -63..=63, scale[r] = max_i |w[r][i]| / 63
//! (7-bit levels stored offset in a byte, so that every stored byte is in
//! 0..=127: the range where the relaxed-SIMD dot, whose second operand is
//! i7, is exact and deterministic on every engine). Activations are the
//! BitLinear int8 quantization of the normed row: s = 127 / max|x|.
//!
//! `y[t * rows + r] = (sum_i (b_ri - 64) x_ti) * scale[r] / s[t]`; the integer
//! dot is exact in every path, so the reference and both SIMD builds agree to
//! the bit.
//!
//! The SIMD kernel reads layout `q8i` (made by `prepare_q8`, or written so by
//! the load-time conversion): rows in groups of 4, interleaved in 16-byte
//! chunks (chunk j of rows 4g..4g+3 one after another), then the 4 rows'
//! `cols % 16` tail bytes; rows past the last whole group stay as they are.
//! Decoding thus reads the lm_head as one sequential stream, as the ternary
//! kernels do (4 separate row streams ran at ~6.5 GB/s here, one stream of
//! plain loads at ~13).

use super::interleave::{interleave4, interleave_rows, scratch};
use crate::math::round_half_even;
use core::arch::wasm32::*;

/// Offset of the stored bytes (q = b - 64).
pub const OFFSET: i32 = 64;
/// Largest |q|.
pub const LEVELS: f32 = 63.0;

/// Largest |v| over `w`, starting from `m`; NaN is skipped.
fn max_abs(w: &[f32], mut m: f32) -> f32 {
    for &v in w {
        let a = if v < 0.0 { -v } else { v };
        if a > m {
            m = a;
        }
    }
    m
}

/// The stored byte of one value, `inv` = LEVELS / max |w|.
#[inline]
fn level(v: f32, inv: f32) -> u8 {
    let q = round_half_even(v * inv);
    let q = if q > LEVELS { LEVELS } else if q < -LEVELS { -LEVELS } else { q };
    (q as i32 + OFFSET) as u8
}

/// (scale, inv) of a row whose largest |w| is `m` (0, 0 for an all-zero row).
fn scales_of(m: f32) -> (f32, f32) {
    (m / LEVELS, if m > 0.0 { LEVELS / m } else { 0.0 })
}

/// BF16 row (as f32 values) -> q8 bytes; returns the row's scale (0 for an
/// all-zero row). Scalar reference of `quantize_row`.
pub fn quantize_row_ref(w: &[f32], out: &mut [u8]) -> f32 {
    let (scale, inv) = scales_of(max_abs(w, 0.0));
    for (o, &v) in out.iter_mut().zip(w) {
        *o = level(v, inv);
    }
    scale
}

/// SIMD `quantize_row_ref`, to the bit: the same max, the same products,
/// `f32x4.nearest` rounds half to even as the reference does, then clamp,
/// convert and narrow, 16 values per step.
pub fn quantize_row(w: &[f32], out: &mut [u8]) -> f32 {
    let n = w.len().min(out.len());
    let (body4, body16) = (n & !3, n & !15);
    let p = w.as_ptr();
    let mut mv = f32x4_splat(0.0);
    let mut i = 0;
    while i < body4 {
        // pmax keeps the accumulator when the value is NaN, as the reference skips it
        mv = f32x4_pmax(mv, f32x4_abs(unsafe { v128_load(p.add(i) as *const v128) }));
        i += 4;
    }
    let lanes = [f32x4_extract_lane::<0>(mv), f32x4_extract_lane::<1>(mv), f32x4_extract_lane::<2>(mv), f32x4_extract_lane::<3>(mv)];
    let (scale, inv) = scales_of(max_abs(&w[body4..n], max_abs(&lanes, 0.0)));
    let (iv, hi, lo, off) = (f32x4_splat(inv), f32x4_splat(LEVELS), f32x4_splat(-LEVELS), i16x8_splat(OFFSET as i16));
    let q4 = |at: usize| unsafe {
        let q = f32x4_nearest(f32x4_mul(v128_load(p.add(at) as *const v128), iv));
        i32x4_trunc_sat_f32x4(f32x4_pmax(f32x4_pmin(q, hi), lo))
    };
    let mut i = 0;
    unsafe {
        while i < body16 {
            let a = i16x8_add(i16x8_narrow_i32x4(q4(i), q4(i + 4)), off);
            let b = i16x8_add(i16x8_narrow_i32x4(q4(i + 8), q4(i + 12)), off);
            v128_store(out.as_mut_ptr().add(i) as *mut v128, u8x16_narrow_i16x8(a, b));
            i += 16;
        }
    }
    for (o, &v) in out[body16..n].iter_mut().zip(&w[body16..n]) {
        *o = level(v, inv);
    }
    scale
}

#[inline]
fn finish(d: i32, scale: f32, s: f32) -> f32 {
    d as f32 * scale / s
}

/// Scalar reference.
pub fn matmul_q8_ref(w: &[u8], scale: &[f32], rows: usize, cols: usize, x: &[i8], xs: &[f32], n: usize, y: &mut [f32]) {
    for t in 0..n {
        for r in 0..rows {
            let mut d = 0i32;
            for i in 0..cols {
                d += (w[r * cols + i] as i32 - OFFSET) * x[t * cols + i] as i32;
            }
            y[t * rows + r] = finish(d, scale[r], xs[t]);
        }
    }
}

#[inline(always)]
fn hsum(v: v128) -> i32 {
    i32x4_extract_lane::<0>(v) + i32x4_extract_lane::<1>(v) + i32x4_extract_lane::<2>(v) + i32x4_extract_lane::<3>(v)
}

/// acc += the 16-column dot of int8 activations `x` and offset bytes `w`, widened to i32.
#[cfg(target_feature = "relaxed-simd")]
#[inline(always)]
unsafe fn step(acc: v128, x: *const i8, w: *const u8) -> v128 {
    // |x * b + x * b| <= 2 * 128 * 127 < 2^15: the i16 pairs are exact
    let p = super::relaxed::dot(v128_load(x as *const v128), v128_load(w as *const v128));
    i32x4_add(acc, i32x4_extadd_pairwise_i16x8(p))
}
#[cfg(not(target_feature = "relaxed-simd"))]
#[inline(always)]
unsafe fn step(acc: v128, x: *const i8, w: *const u8) -> v128 {
    let (xl, xh) = (i16x8_load_extend_i8x8(x), i16x8_load_extend_i8x8(x.add(8)));
    let (wl, wh) = (u16x8_load_extend_u8x8(w), u16x8_load_extend_u8x8(w.add(8)));
    i32x4_add(acc, i32x4_add(i32x4_dot_i16x8(xl, wl), i32x4_dot_i16x8(xh, wh)))
}

/// Where R rows of a tile live: chunk j (16 bytes) of row k at
/// `row[k] + j * stride`, its `cols % 16` tail bytes at `tail[k]`.
#[derive(Clone, Copy)]
struct Rows<const R: usize> {
    row: [*const u8; R],
    stride: usize,
    tail: [*const u8; R],
}

/// Rows r0..r0+R (within one group of 4, or past the last group) in layout `q8i`.
#[inline(always)]
unsafe fn rows_at<const R: usize>(w: *const u8, rows: usize, cols: usize, r0: usize) -> Rows<R> {
    let body = cols & !15;
    let mut rs = Rows { row: [w; R], stride: 16, tail: [w; R] };
    for k in 0..R {
        let r = r0 + k;
        if r < rows / 4 * 4 {
            let g = w.add(r / 4 * 4 * cols);
            rs.row[k] = g.add(16 * (r % 4));
            rs.tail[k] = g.add(4 * body + (r % 4) * (cols - body));
            rs.stride = 64;
        } else {
            rs.row[k] = w.add(r * cols);
            rs.tail[k] = w.add(r * cols + body);
        }
    }
    rs
}

/// R rows x N tokens: the exact dots sum_i (b - 64) x.
#[inline(always)]
unsafe fn tile<const R: usize, const N: usize>(w: Rows<R>, x: [*const i8; N], cols: usize, sums: [i32; N]) -> [[i32; N]; R] {
    let mut acc = [[i32x4_splat(0); N]; R];
    let body = cols & !15;
    let (mut i, mut off) = (0, 0);
    while i < body {
        for r in 0..R {
            for t in 0..N {
                acc[r][t] = step(acc[r][t], x[t].add(i), w.row[r].add(off));
            }
        }
        i += 16;
        off += w.stride;
    }
    let mut d = [[0i32; N]; R];
    for r in 0..R {
        for t in 0..N {
            let mut v = hsum(acc[r][t]);
            for j in body..cols {
                v += *w.tail[r].add(j - body) as i32 * *x[t].add(j) as i32;
            }
            d[r][t] = v - OFFSET * sums[t];
        }
    }
    d
}

#[inline(always)]
unsafe fn rows_tokens<const R: usize, const N: usize>(
    w: &[u8], scale: &[f32], rows: usize, cols: usize, x: &[i8], xs: &[f32], sums: &[i32], r0: usize, t0: usize,
    y: &mut [f32],
) {
    let mut xp = [x.as_ptr(); N];
    let mut sm = [0i32; N];
    for t in 0..N {
        xp[t] = x.as_ptr().add((t0 + t) * cols);
        sm[t] = sums[t0 + t];
    }
    let d = tile::<R, N>(rows_at::<R>(w.as_ptr(), rows, cols, r0), xp, cols, sm);
    for r in 0..R {
        for t in 0..N {
            *y.get_unchecked_mut((t0 + t) * rows + r0 + r) = finish(d[r][t], scale[r0 + r], xs[t0 + t]);
        }
    }
}

/// BF16 rows [row0, row0 + n) of a [rows, cols] matrix at `src` (a window
/// the loader filled), row-major or, with `b16i`, in that layout (as a
/// pre-laid-out image holds them) -> q8 at their place in layout `q8i`
/// at `dst`, their scales to `scales[r]`. The 4 rows of a group are quantized
/// into a scratch, then interleaved into place; rows past the last whole
/// group are written row-major. `row0` is a multiple of 4, and so is `n`
/// unless the rows reach the end. `row`: `cols` f32 of scratch.
///
/// # Safety
/// `src` must hold `n * cols` BF16 values and `dst` `rows * cols` bytes.
pub unsafe fn bf16_rows_to_q8i(
    src: *const u16, b16i: bool, row0: usize, n: usize, dst: *mut u8, rows: usize, cols: usize, row: &mut [f32],
    scales: &mut [f32],
) {
    assert!(cols <= crate::kernels::matmul_t2_i8::MAX_IN && row.len() >= cols && scales.len() >= rows);
    assert!(row0 % 4 == 0 && row0 + n <= rows && (n % 4 == 0 || row0 + n == rows));
    let tmp = scratch(4 * cols);
    let widen = |r: usize, row: &mut [f32]| {
        if b16i {
            // the window starts at a group boundary: as a matrix of the rows
            // from row0 on, its groups and tail rows are where b16i puts them
            crate::kernels::matvec_bf16::read_row(src, rows - row0, cols, r - row0, row);
        } else {
            crate::kernels::f32ops::widen_bf16(core::slice::from_raw_parts(src.add((r - row0) * cols), cols), row);
        }
    };
    let groups_end = rows / 4 * 4;
    let mut r = row0;
    while r + 4 <= (row0 + n).min(groups_end) {
        for k in 0..4 {
            widen(r + k, row);
            scales[r + k] = quantize_row(&row[..cols], &mut tmp[k * cols..(k + 1) * cols]);
        }
        interleave4(tmp, cols, core::slice::from_raw_parts_mut(dst.add(r * cols), 4 * cols));
        r += 4;
    }
    for r in r..row0 + n {
        // past the last group: row-major
        widen(r, row);
        scales[r] = quantize_row(&row[..cols], core::slice::from_raw_parts_mut(dst.add(r * cols), cols));
    }
}

/// Row-major q8 rows -> layout `q8i`, in place (for tests and benchmarks; the
/// model's conversion writes `q8i` directly).
pub fn prepare_q8(w: &mut [u8], rows: usize, cols: usize) {
    interleave_rows(w, rows, cols);
}

/// Largest token count of one call (the forward pass's block).
pub const MAX_N: usize = 64;

/// SIMD product over layout `q8i`: 4 rows (one group) share each activation
/// load when decoding one token; with several tokens, 2 rows x 2 tokens share
/// each weight and activation load.
pub fn matmul_q8_simd(w: &[u8], scale: &[f32], rows: usize, cols: usize, x: &[i8], xs: &[f32], n: usize, y: &mut [f32]) {
    matmul_q8_rows(w, scale, rows, cols, x, xs, n, y, 0, rows)
}

/// Rows [r0, r1) of `matmul_q8_simd` (r0 a multiple of 4, r1 too or `rows`);
/// each row as in the whole call.
pub fn matmul_q8_rows(
    w: &[u8], scale: &[f32], rows: usize, cols: usize, x: &[i8], xs: &[f32], n: usize, y: &mut [f32], r0: usize, r1: usize,
) {
    assert!(w.len() >= rows * cols && scale.len() >= rows && x.len() >= n * cols && xs.len() >= n);
    assert!(y.len() >= n * rows && n <= MAX_N && r0 % 4 == 0 && r1 <= rows);
    let mut sums = [0i32; MAX_N];
    for t in 0..n {
        sums[t] = x[t * cols..(t + 1) * cols].iter().map(|&v| v as i32).sum();
    }
    unsafe {
        if n == 1 {
            let mut r = r0;
            while r + 4 <= r1 {
                rows_tokens::<4, 1>(w, scale, rows, cols, x, xs, &sums, r, 0, y);
                r += 4;
            }
            while r < r1 {
                rows_tokens::<1, 1>(w, scale, rows, cols, x, xs, &sums, r, 0, y);
                r += 1;
            }
            return;
        }
        let mut r = r0;
        while r < r1 {
            let two = r + 2 <= r1;
            let mut t = 0;
            while t + 2 <= n {
                if two {
                    rows_tokens::<2, 2>(w, scale, rows, cols, x, xs, &sums, r, t, y);
                } else {
                    rows_tokens::<1, 2>(w, scale, rows, cols, x, xs, &sums, r, t, y);
                }
                t += 2;
            }
            if t < n {
                if two {
                    rows_tokens::<2, 1>(w, scale, rows, cols, x, xs, &sums, r, t, y);
                } else {
                    rows_tokens::<1, 1>(w, scale, rows, cols, x, xs, &sums, r, t, y);
                }
            }
            r += if two { 2 } else { 1 };
        }
    }
}
