//! Causal grouped-query attention of one query row (every head of one token)
//! against a session's f16 K/V cache:
//!   s_hj = (q_h . k_gj) / sqrt(head_dim)         g = h / (n_heads / n_kv)
//!   p_hj = exp(s_hj - max_j s_hj) / sum_j exp(...)
//!   out_h = sum_j p_hj v_gj                       j in [0, len)
//! The cache holds one row of kv_dim = n_kv * head_dim values per position
//! (kv head g at offset g * head_dim), IEEE f16 bits (the engine's default)
//! or f32 (`Kv` below). The SIMD kernel widens each K and V head row once and
//! uses it for every query head of its group.

use crate::math::{expf, f16_to_f32, sqrtf};
use core::arch::wasm32::*;

/// An element type of the KV cache.
pub trait Kv: Copy {
    fn to_f32(self) -> f32;
    fn from_f32(x: f32) -> Self;
    /// The f32 values of `n` elements at `src`: widened into `tmp`, or `src` itself for f32.
    fn row(src: *const Self, tmp: *mut f32, n: usize) -> *const f32;
}

impl Kv for u16 {
    #[inline(always)]
    fn to_f32(self) -> f32 {
        f16_to_f32(self)
    }
    #[inline(always)]
    fn from_f32(x: f32) -> Self {
        crate::math::f32_to_f16(x)
    }
    #[inline(always)]
    fn row(src: *const u16, tmp: *mut f32, n: usize) -> *const f32 {
        widen(src, tmp, n);
        tmp
    }
}

impl Kv for f32 {
    #[inline(always)]
    fn to_f32(self) -> f32 {
        self
    }
    #[inline(always)]
    fn from_f32(x: f32) -> Self {
        x
    }
    #[inline(always)]
    fn row(src: *const f32, _: *mut f32, _: usize) -> *const f32 {
        src
    }
}

/// Where one call reads and writes. `k` and `v` hold `len` rows of
/// `n_kv * head_dim` f16 values; `q` and `out` hold `n_heads * head_dim` f32.
#[derive(Clone, Copy)]
pub struct Heads {
    pub n_heads: usize,
    pub n_kv: usize,
    pub head_dim: usize,
}

impl Heads {
    /// f32 scratch an attention call over `len` positions needs.
    pub fn scratch(&self, len: usize) -> usize {
        self.n_heads * len + self.head_dim
    }
    fn check<T>(&self, q: &[f32], k: &[T], v: &[T], len: usize, scratch: &[f32], out: &[f32]) {
        let (qd, kvd) = (self.n_heads * self.head_dim, self.n_kv * self.head_dim);
        assert!(self.n_kv > 0 && self.n_heads % self.n_kv == 0 && len > 0);
        assert!(q.len() >= qd && out.len() >= qd && k.len() >= len * kvd && v.len() >= len * kvd);
        assert!(scratch.len() >= self.scratch(len));
    }
}

/// Scalar reference (f16 read with `f16_to_f32`, exp from `math::expf`).
pub fn attention_ref<T: Kv>(sh: Heads, q: &[f32], k: &[T], v: &[T], len: usize, scratch: &mut [f32], out: &mut [f32]) {
    sh.check(q, k, v, len, scratch, out);
    let (hd, kvd, group) = (sh.head_dim, sh.n_kv * sh.head_dim, sh.n_heads / sh.n_kv);
    let scale = 1.0 / sqrtf(hd as f32);
    let sc = &mut scratch[..len];
    for h in 0..sh.n_heads {
        let koff = (h / group) * hd;
        let qh = &q[h * hd..(h + 1) * hd];
        let mut mx = f32::NEG_INFINITY;
        for j in 0..len {
            let mut d = 0.0f32;
            for i in 0..hd {
                d += qh[i] * k[j * kvd + koff + i].to_f32();
            }
            sc[j] = d * scale;
            if sc[j] > mx {
                mx = sc[j];
            }
        }
        let mut sum = 0.0f32;
        for j in 0..len {
            sc[j] = expf(sc[j] - mx);
            sum += sc[j];
        }
        let o = &mut out[h * hd..(h + 1) * hd];
        o.fill(0.0);
        for j in 0..len {
            let p = sc[j] / sum;
            for i in 0..hd {
                o[i] += p * v[j * kvd + koff + i].to_f32();
            }
        }
    }
}

/// f16 -> f32 of four halfs in the low 16 bits of each u32 lane, with integer
/// ops: place exponent and mantissa as an f32 with the f16 exponent bias, then
/// scale by 2^112 (exact, and right for subnormals too); inf / NaN (exponent
/// 31) get the f32 all-ones exponent instead; the sign goes back on last.
#[inline(always)]
fn f16x4_to_f32x4(h: v128) -> v128 {
    let em = v128_and(h, i32x4_splat(0x7fff));
    let sign = i32x4_shl(v128_and(h, i32x4_splat(0x8000)), 16);
    let shifted = i32x4_shl(em, 13);
    let finite = f32x4_mul(shifted, f32x4_splat(5.192_296_858_534_828e33)); // 2^112
    let special = v128_or(shifted, i32x4_splat(0x7f80_0000));
    let is_special = i32x4_ge(em, i32x4_splat(0x7c00));
    v128_or(v128_bitselect(special, finite, is_special), sign)
}

/// Widens `n` halfs to f32 (SIMD body, scalar tail).
#[inline(always)]
fn widen(src: *const u16, dst: *mut f32, n: usize) {
    let body = n & !7;
    let mut i = 0;
    unsafe {
        while i < body {
            let h = v128_load(src.add(i) as *const v128);
            v128_store(dst.add(i) as *mut v128, f16x4_to_f32x4(u32x4_extend_low_u16x8(h)));
            v128_store(dst.add(i + 4) as *mut v128, f16x4_to_f32x4(u32x4_extend_high_u16x8(h)));
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

#[inline(always)]
fn hsum(v: v128) -> f32 {
    (f32x4_extract_lane::<0>(v) + f32x4_extract_lane::<1>(v)) + (f32x4_extract_lane::<2>(v) + f32x4_extract_lane::<3>(v))
}

/// sum_i a_i b_i over n (two accumulators, scalar tail).
#[inline(always)]
fn dot(a: *const f32, b: *const f32, n: usize) -> f32 {
    let body = n & !7;
    let (mut s0, mut s1) = (f32x4_splat(0.0), f32x4_splat(0.0));
    let mut i = 0;
    unsafe {
        while i < body {
            s0 = f32x4_add(s0, f32x4_mul(v128_load(a.add(i) as *const v128), v128_load(b.add(i) as *const v128)));
            s1 = f32x4_add(s1, f32x4_mul(v128_load(a.add(i + 4) as *const v128), v128_load(b.add(i + 4) as *const v128)));
            i += 8;
        }
        let mut s = hsum(f32x4_add(s0, s1));
        while i < n {
            s += *a.add(i) * *b.add(i);
            i += 1;
        }
        s
    }
}

/// y += a x over n.
#[inline(always)]
fn axpy(a: f32, x: *const f32, y: *mut f32, n: usize) {
    let av = f32x4_splat(a);
    let body = n & !3;
    let mut i = 0;
    unsafe {
        while i < body {
            let py = y.add(i) as *mut v128;
            v128_store(py, f32x4_add(v128_load(py), f32x4_mul(av, v128_load(x.add(i) as *const v128))));
            i += 4;
        }
        while i < n {
            *y.add(i) += a * *x.add(i);
            i += 1;
        }
    }
}

/// In place: s_j <- exp(s_j - max s) / sum.
fn softmax(s: &mut [f32]) {
    let n = s.len();
    let p = s.as_mut_ptr();
    let body = n & !3;
    let mut mv = f32x4_splat(f32::NEG_INFINITY);
    let mut i = 0;
    unsafe {
        while i < body {
            mv = f32x4_max(mv, v128_load(p.add(i) as *const v128));
            i += 4;
        }
    }
    let mut mx = f32x4_extract_lane::<0>(mv)
        .max(f32x4_extract_lane::<1>(mv))
        .max(f32x4_extract_lane::<2>(mv))
        .max(f32x4_extract_lane::<3>(mv));
    while i < n {
        mx = mx.max(s[i]);
        i += 1;
    }
    let m4 = f32x4_splat(mx);
    let mut sv = f32x4_splat(0.0);
    i = 0;
    unsafe {
        while i < body {
            let e = exp_f32x4(f32x4_sub(v128_load(p.add(i) as *const v128), m4));
            v128_store(p.add(i) as *mut v128, e);
            sv = f32x4_add(sv, e);
            i += 4;
        }
        if i < n {
            let mut t = [f32::NEG_INFINITY; 4];
            t[..n - i].copy_from_slice(&s[i..]);
            let e = exp_f32x4(f32x4_sub(v128_load(t.as_ptr() as *const v128), m4)); // padding -> 0
            v128_store(t.as_mut_ptr() as *mut v128, e);
            s[i..].copy_from_slice(&t[..n - i]);
            sv = f32x4_add(sv, e);
        }
    }
    let inv = f32x4_splat(1.0 / hsum(sv));
    i = 0;
    unsafe {
        while i < body {
            v128_store(p.add(i) as *mut v128, f32x4_mul(v128_load(p.add(i) as *const v128), inv));
            i += 4;
        }
    }
    let inv = f32x4_extract_lane::<0>(inv);
    while i < n {
        s[i] *= inv;
        i += 1;
    }
}

/// SIMD128 attention: per kv head, each cached K row is widened once and
/// dotted with the group's query heads, then each V row is widened once and
/// accumulated into the group's outputs. `scratch`: `sh.scratch(len)` floats.
pub fn attention_simd<T: Kv>(sh: Heads, q: &[f32], k: &[T], v: &[T], len: usize, scratch: &mut [f32], out: &mut [f32]) {
    sh.check(q, k, v, len, scratch, out);
    let (hd, kvd, group) = (sh.head_dim, sh.n_kv * sh.head_dim, sh.n_heads / sh.n_kv);
    let scale = 1.0 / sqrtf(hd as f32);
    let (sc, row) = scratch.split_at_mut(sh.n_heads * len);
    let row = row.as_mut_ptr();
    let (qp, op) = (q.as_ptr(), out.as_mut_ptr());
    for g in 0..sh.n_kv {
        let h0 = g * group;
        // scores of the group's heads, key by key
        for j in 0..len {
            let kr = T::row(unsafe { k.as_ptr().add(j * kvd + g * hd) }, row, hd);
            for h in h0..h0 + group {
                sc[h * len + j] = dot(unsafe { qp.add(h * hd) }, kr, hd) * scale;
            }
        }
        for h in h0..h0 + group {
            softmax(&mut sc[h * len..(h + 1) * len]);
        }
        // out_h = sum_j p_hj v_j
        out[h0 * hd..(h0 + group) * hd].fill(0.0);
        for j in 0..len {
            let vr = T::row(unsafe { v.as_ptr().add(j * kvd + g * hd) }, row, hd);
            for h in h0..h0 + group {
                axpy(sc[h * len + j], vr, unsafe { op.add(h * hd) }, hd);
            }
        }
    }
}
