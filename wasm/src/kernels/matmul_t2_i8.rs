//! Ternary (2-bit packed) x int8 matrix products with exact int32 results.
//!
//! Weight format `t2`: the checkpoint's own layout, kept as is (so bytes stream
//! from the file straight to their final place). A matrix with `out` rows and
//! `n_in` columns is stored as `R = out / 4` packed rows of `n_in` bytes; bits
//! 2k..2k+1 of packed[p][i] hold code c = w + 1 (0, 1, 2 for -1, 0, +1) of
//! output row p + k*R, column i. One byte load therefore feeds four output rows.
//!
//! Since c = w + 1:  sum_i w_i x_i = sum_i c_i x_i - sum_i x_i.
//! `y[t * out + r]` receives the exact integer dot of row r with token t.

use core::arch::wasm32::*;

/// Scalar reference, written straight from the format definition.
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

#[inline(always)]
fn hsum(v: v128) -> i32 {
    i32x4_extract_lane::<0>(v) + i32x4_extract_lane::<1>(v) + i32x4_extract_lane::<2>(v) + i32x4_extract_lane::<3>(v)
}

/// sum_i c_i * x_t[i] for the four output rows of one packed row, for N tokens.
/// The codes are unpacked once per 16 bytes and reused across the N tokens.
#[inline(always)]
unsafe fn tile<const N: usize>(w: *const u8, x: [*const i8; N], n_in: usize) -> [[i32; 4]; N] {
    let m3 = u8x16_splat(3);
    let zero = i32x4_splat(0);
    let mut acc = [[zero; 4]; N];
    let body = n_in & !15;
    let mut j = 0;
    while j < body {
        // |c*x| <= 256, two per lane per step: 32 steps stay inside i16.
        let end = if body - j > 512 { j + 512 } else { body };
        let mut a16 = [[zero; 4]; N];
        while j < end {
            let wv = v128_load(w.add(j) as *const v128);
            let c = [
                v128_and(wv, m3),
                v128_and(u8x16_shr(wv, 2), m3),
                v128_and(u8x16_shr(wv, 4), m3),
                u8x16_shr(wv, 6),
            ];
            for t in 0..N {
                let xv = v128_load(x[t].add(j) as *const v128);
                for k in 0..4 {
                    let p = i16x8_add(i16x8_extmul_low_i8x16(c[k], xv), i16x8_extmul_high_i8x16(c[k], xv));
                    a16[t][k] = i16x8_add(a16[t][k], p);
                }
            }
            j += 16;
        }
        for t in 0..N {
            for k in 0..4 {
                acc[t][k] = i32x4_add(acc[t][k], i32x4_extadd_pairwise_i16x8(a16[t][k]));
            }
        }
    }
    let mut out = [[0i32; 4]; N];
    for t in 0..N {
        for k in 0..4 {
            out[t][k] = hsum(acc[t][k]);
        }
    }
    while j < n_in {
        let b = *w.add(j);
        for t in 0..N {
            let xv = *x[t].add(j) as i32;
            for k in 0..4 {
                out[t][k] += ((b >> (2 * k)) & 3) as i32 * xv;
            }
        }
        j += 1;
    }
    out
}

/// One packed row p (four output rows) against tokens t0..t0+N.
#[inline(always)]
unsafe fn row_tokens<const N: usize>(w: &[u8], out: usize, n_in: usize, x: &[i8], p: usize, t0: usize, sums: &[i32], y: &mut [i32]) {
    let rp = out / 4;
    let mut xs = [x.as_ptr(); N];
    for t in 0..N {
        xs[t] = x.as_ptr().add((t0 + t) * n_in);
    }
    let d = tile::<N>(w.as_ptr().add(p * n_in), xs, n_in);
    for t in 0..N {
        for k in 0..4 {
            *y.get_unchecked_mut((t0 + t) * out + k * rp + p) = d[t][k] - sums[t0 + t];
        }
    }
}

/// Largest token block `matmul_t2_i8_simd` is called with.
pub const MAX_TOKENS: usize = 64;

/// SIMD128 matrix-matrix product over a block of tokens (prefill); with
/// n_tok = 1 it is the decode matrix-vector product. Tokens go four at a time
/// so each unpacked weight tile serves four activation rows.
pub fn matmul_t2_i8_simd(w: &[u8], out: usize, n_in: usize, x: &[i8], n_tok: usize, y: &mut [i32]) {
    assert!(out % 4 == 0 && w.len() >= out / 4 * n_in && x.len() >= n_tok * n_in && y.len() >= n_tok * out);
    assert!(n_tok <= MAX_TOKENS);
    let mut sums = [0i32; MAX_TOKENS];
    for t in 0..n_tok {
        sums[t] = x[t * n_in..(t + 1) * n_in].iter().map(|&v| v as i32).sum();
    }
    // Packed rows outside, tokens inside: a row (n_in bytes) stays in L1
    // while every token group reads it, so the matrix streams from memory once.
    unsafe {
        for p in 0..out / 4 {
            let mut t = 0;
            while t + 4 <= n_tok {
                row_tokens::<4>(w, out, n_in, x, p, t, &sums, y);
                t += 4;
            }
            match n_tok - t {
                3 => row_tokens::<3>(w, out, n_in, x, p, t, &sums, y),
                2 => row_tokens::<2>(w, out, n_in, x, p, t, &sums, y),
                1 => row_tokens::<1>(w, out, n_in, x, p, t, &sums, y),
                _ => {}
            }
        }
    }
}
