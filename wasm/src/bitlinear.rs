//! BitLinear: y[n, out] = (int8(x) . W) / (s_x * weight_scale), for a group of
//! projections that share their input (q, k, v; gate, up). The activations
//! are quantized once (a block's rows by the threads, row by row); then the threads claim pieces of each
//! projection's output rows (`threads::claim`: a run of the product's units
//! each, taken by whichever thread is free) and scale them to f32 in place,
//! so each row is computed exactly as on one thread.

use crate::kernels::quantize_i8::quantize_i8_simd;
use crate::kernels::t2::{matmul_t2_i8_rows, token_sums, units, MAX_TOKENS};
use crate::math::bf16;
use crate::mem::{bytes, f32s, i32s, i8s, u16s};
use crate::model::{Layer, Model};
use crate::threads::{claim, pieces, run, share};

/// Scales units [u0, u1) of projection rows from exact i32 dots to f32 in
/// place: `y` holds [n, out] i32 on entry, f32 on return for those rows.
/// Unit q < R/2 is packed rows 2q and 2q+1, unit R/2 (R odd) the last one;
/// packed row p holds output rows p + k R, k < 4.
fn scale_units(y: usize, out: usize, n: usize, u0: usize, u1: usize, xs: &[f32], ws: f32) {
    let rp = out / 4;
    let (yi, yf) = (y as *mut i32, y as *mut f32);
    for t in 0..n {
        let denom = xs[t] * ws;
        for u in u0..u1 {
            let (p0, p1) = if u < rp / 2 { (2 * u, 2 * u + 2) } else { (rp - 1, rp) };
            for p in p0..p1 {
                for k in 0..4 {
                    let i = t * out + k * rp + p;
                    unsafe { *yf.add(i) = *yi.add(i) as f32 / denom };
                }
            }
        }
    }
}

/// Projections `outs` (projection index, output address) of layer `lay` over
/// the n rows at `x` (f32 [n, in]); all of them take the same input width.
/// `prep(t)`, when given, first writes row t of `x` from something else (a
/// norm of the residual row, SwiGLU of the gate and up rows): it only reads
/// and writes row t's own data, so blocks of several rows prepare and
/// quantize their rows on all the threads, each row computed as on one.
pub fn bitlinear(m: &Model, lay: &Layer, outs: &[(usize, usize)], x: usize, n: usize, prep: Option<&(dyn Fn(usize) + Sync)>) {
    let n_in = m.cfg.proj_shape(outs[0].0).1;
    let s = &m.s;
    let mut sums = [0i32; MAX_TOKENS];
    let sums_at = sums.as_mut_ptr() as usize;
    // row t ready for the product: prepared, quantized (its scale in xs[t]), its int8 sum in sums[t]
    let row = |t: usize| {
        if let Some(p) = prep {
            p(t);
        }
        let q = i8s(s.xq + t * n_in, n_in);
        f32s(s.xs, n)[t] = quantize_i8_simd(f32s(x + t * n_in * 4, n_in), q);
        token_sums(q, n_in, 1, unsafe { core::slice::from_raw_parts_mut((sums_at as *mut i32).add(t), 1) });
    };
    if n > 1 {
        run(&|_tid, nt| claim(n, nt, &row));
    } else {
        row(0);
    }
    let (xq, xs, sums) = (&*i8s(s.xq, n * n_in), &*f32s(s.xs, n), &sums);
    run(&|_tid, nt| {
        // of each projection: one per thread for a single row (a decode step's products are short, and cutting
        // them 8 per thread made 2-thread decode 11-13% slower: bench/RESULTS.md, 2026-12-03 fourth session)
        let per = if n == 1 { nt } else { pieces(nt) };
        claim(outs.len() * per, nt, |piece| {
            let (p, y) = outs[piece / per];
            let out = m.cfg.proj_shape(p).0;
            let (u0, u1) = share(units(out), piece % per, per);
            if u0 == u1 {
                return;
            }
            let w = bytes(lay.w[p], out / 4 * n_in);
            matmul_t2_i8_rows(w, out, n_in, xq, n, sums, i32s(y, n * out), u0, u1);
            scale_units(y, out, n, u0, u1, xs, bf16(u16s(lay.scale[p], 1)[0]));
        });
    });
}
