//! Causal grouped-query attention of one query row (every head of one token)
//! against a session's f16 K/V cache:
//!   s_hj = (q_h . k_gj) / sqrt(head_dim)         g = h / (n_heads / n_kv)
//!   p_hj = exp(s_hj - max_j s_hj) / sum_j exp(...)
//!   out_h = sum_j p_hj v_gj                       j in [0, len)
//! The cache holds one row of kv_dim = n_kv * head_dim values per position
//! (kv head g at offset g * head_dim), IEEE f16 bits (the engine's default)
//! or f32 (`Kv` below). The SIMD kernel widens each K and V head row once and
//! uses it for every query head of its group.

use super::f32ops::madd;
use super::vec_math::{exp_f32x4, widen};
use crate::math::{expf, f16_to_f32, sqrtf};
use core::arch::wasm32::*;

/// An element type of the KV cache.
pub trait Kv: Copy {
    /// Whether the cache holds f32 (read in place) rather than f16 (widened first).
    const IS_F32: bool;
    fn to_f32(self) -> f32;
    fn from_f32(x: f32) -> Self;
    /// The f32 values of `n` elements at `src`: widened into `tmp`, or `src` itself for f32.
    fn row(src: *const Self, tmp: *mut f32, n: usize) -> *const f32;
}

impl Kv for u16 {
    const IS_F32: bool = false;
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
    const IS_F32: bool = true;
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
    /// f32 scratch an attention call over `len` positions needs: the scores,
    /// then room for V_CHUNK widened value rows (or 2 key rows).
    pub fn scratch(&self, len: usize) -> usize {
        self.n_heads * len + self.head_dim * V_CHUNK
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

#[inline(always)]
fn hsum(v: v128) -> f32 {
    (f32x4_extract_lane::<0>(v) + f32x4_extract_lane::<1>(v)) + (f32x4_extract_lane::<2>(v) + f32x4_extract_lane::<3>(v))
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

/// Scores of up to 4 query heads (`H`) against 2 keys (`J`): 8 dot products
/// sharing every load (each K chunk feeds H heads, each q chunk J keys).
/// `q[h]`, `k[j]`: rows of `hd` f32. Returns `d[h][j]`.
#[inline(always)]
unsafe fn scores_tile<const H: usize, const J: usize>(q: [*const f32; H], k: [*const f32; J], hd: usize) -> [[f32; J]; H] {
    let mut acc = [[f32x4_splat(0.0); J]; H];
    let body = hd & !3;
    let mut i = 0;
    while i < body {
        let mut kv = [f32x4_splat(0.0); J];
        for j in 0..J {
            kv[j] = v128_load(k[j].add(i) as *const v128);
        }
        for h in 0..H {
            let qv = v128_load(q[h].add(i) as *const v128);
            for j in 0..J {
                acc[h][j] = madd(qv, kv[j], acc[h][j]);
            }
        }
        i += 4;
    }
    let mut d = [[0.0f32; J]; H];
    for h in 0..H {
        for j in 0..J {
            let mut s = hsum(acc[h][j]);
            for t in body..hd {
                s += *q[h].add(t) * *k[j].add(t);
            }
            d[h][j] = s;
        }
    }
    d
}

/// out_h[c..c+8] += sum_j p_hj v_j[c..c+8] over `len` value rows, for up to 4
/// heads (`H`): the 8-column slice of each head's output stays in registers
/// for the whole loop. `p[h]`: that head's probabilities for these rows;
/// value row j at `vrows + j * vstride`.
#[inline(always)]
unsafe fn values_slice<const H: usize>(p: [*const f32; H], vrows: *const f32, vstride: usize, len: usize, c: usize, out: [*mut f32; H]) {
    let mut acc = [[f32x4_splat(0.0); 2]; H];
    for h in 0..H {
        acc[h] = [v128_load(out[h].add(c) as *const v128), v128_load(out[h].add(c + 4) as *const v128)];
    }
    for j in 0..len {
        let vr = vrows.add(j * vstride + c);
        let (v0, v1) = (v128_load(vr as *const v128), v128_load(vr.add(4) as *const v128));
        for h in 0..H {
            let pv = v128_load32_splat(p[h].add(j) as *const u32);
            acc[h][0] = madd(pv, v0, acc[h][0]);
            acc[h][1] = madd(pv, v1, acc[h][1]);
        }
    }
    for h in 0..H {
        v128_store(out[h].add(c) as *mut v128, acc[h][0]);
        v128_store(out[h].add(c + 4) as *mut v128, acc[h][1]);
    }
}

/// Value rows per pass of the output accumulation: small enough that a
/// pass's rows (64 x head_dim f32) stay in L1 while every head and column
/// slice runs over them.
const V_CHUNK: usize = 64;

/// SIMD128 attention, register-blocked. Per kv head g (its `group` query
/// heads share every K and V row):
/// * scores: tiles of 4 heads x 2 keys (`scores_tile`), so each loaded K chunk
///   serves 4 heads and each q chunk 2 keys; f16 keys are widened once per row;
/// * values: for each 8-column slice, 4 heads' outputs accumulate in registers
///   over all positions (`values_slice`): no output load/store per position.
///   An f16 cache is first widened into the scratch, `len` rows of this kv
///   head at a time (f32 caches are read in place).
/// `scratch`: `sh.scratch(len)` floats.
pub fn attention_simd<T: Kv>(sh: Heads, q: &[f32], k: &[T], v: &[T], len: usize, scratch: &mut [f32], out: &mut [f32]) {
    attention_groups(sh, q, k, v, len, scratch, out, 0, sh.n_kv)
}

/// `attention_simd` for kv heads [g0, g1) only: the outputs of their query
/// heads, each computed exactly as in the whole call (threads split
/// attention by kv head).
pub fn attention_groups<T: Kv>(
    sh: Heads, q: &[f32], k: &[T], v: &[T], len: usize, scratch: &mut [f32], out: &mut [f32], g0: usize, g1: usize,
) {
    sh.check(q, k, v, len, scratch, out);
    assert!(g0 <= g1 && g1 <= sh.n_kv);
    let (hd, kvd, group) = (sh.head_dim, sh.n_kv * sh.head_dim, sh.n_heads / sh.n_kv);
    let scale = 1.0 / sqrtf(hd as f32);
    let (sc, rest) = scratch.split_at_mut(sh.n_heads * len);
    let tmp = rest.as_mut_ptr(); // 2 widened K rows, then (f16) len widened V rows
    let (qp, op, scp) = (q.as_ptr(), out.as_mut_ptr(), sc.as_mut_ptr());
    unsafe {
        for g in g0..g1 {
            let h0 = g * group;
            let krow = |j: usize, slot: usize| T::row(k.as_ptr().add(j * kvd + g * hd), tmp.add(slot * hd), hd);
            // scores, 2 keys x up to 4 heads at a time
            let mut j = 0;
            while j < len {
                let two = j + 1 < len;
                let k0 = krow(j, 0);
                let k1 = if two { krow(j + 1, 1) } else { k0 };
                let mut h = h0;
                while h < h0 + group {
                    if h + 4 <= h0 + group {
                        let qs = [qp.add(h * hd), qp.add((h + 1) * hd), qp.add((h + 2) * hd), qp.add((h + 3) * hd)];
                        let d = scores_tile::<4, 2>(qs, [k0, k1], hd);
                        for (i, dh) in d.iter().enumerate() {
                            *scp.add((h + i) * len + j) = dh[0] * scale;
                            if two {
                                *scp.add((h + i) * len + j + 1) = dh[1] * scale;
                            }
                        }
                        h += 4;
                    } else {
                        let d = scores_tile::<1, 2>([qp.add(h * hd)], [k0, k1], hd);
                        *scp.add(h * len + j) = d[0][0] * scale;
                        if two {
                            *scp.add(h * len + j + 1) = d[0][1] * scale;
                        }
                        h += 1;
                    }
                }
                j += 2;
            }
            for h in h0..h0 + group {
                softmax(&mut sc[h * len..(h + 1) * len]);
            }
            // values, in chunks of V_CHUNK rows (f16 rows widened into the scratch first)
            for o in &mut out[h0 * hd..(h0 + group) * hd] {
                *o = 0.0;
            }
            let mut j0 = 0;
            while j0 < len {
                let jn = if len - j0 > V_CHUNK { V_CHUNK } else { len - j0 };
                let (vrows, vstride) = if T::IS_F32 {
                    (v.as_ptr().add(j0 * kvd + g * hd) as *const f32, kvd)
                } else {
                    for j in 0..jn {
                        T::row(v.as_ptr().add((j0 + j) * kvd + g * hd), tmp.add(j * hd), hd);
                    }
                    (tmp as *const f32, hd)
                };
                values_chunk(scp.add(j0) as *const f32, len, vrows, vstride, jn, h0, group, hd, op);
                j0 += jn;
            }
        }
    }
}

/// Adds the `jn` value rows of one chunk into the outputs of heads h0..h0+group;
/// `p`: the probabilities of the chunk's first row for head 0 (head h at `p + h * len`).
#[inline(always)]
unsafe fn values_chunk(p: *const f32, len: usize, vrows: *const f32, vstride: usize, jn: usize, h0: usize, group: usize, hd: usize, op: *mut f32) {
    let body = hd & !7;
    let mut h = h0;
    while h < h0 + group {
        let n = if h + 4 <= h0 + group { 4 } else { 1 };
        let mut c = 0;
        while c < body {
            if n == 4 {
                let ps = [p.add(h * len), p.add((h + 1) * len), p.add((h + 2) * len), p.add((h + 3) * len)];
                let os = [op.add(h * hd), op.add((h + 1) * hd), op.add((h + 2) * hd), op.add((h + 3) * hd)];
                values_slice::<4>(ps, vrows, vstride, jn, c, os);
            } else {
                values_slice::<1>([p.add(h * len)], vrows, vstride, jn, c, [op.add(h * hd)]);
            }
            c += 8;
        }
        for hh in h..h + n {
            for c in body..hd {
                let mut s = *op.add(hh * hd + c);
                for j in 0..jn {
                    s += *p.add(hh * len + j) * *vrows.add(j * vstride + c);
                }
                *op.add(hh * hd + c) = s;
            }
        }
        h += n;
    }
}
