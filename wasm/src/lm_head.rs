//! logits = lm_head(norm(x)) for the rows that want them: the final norm on
//! thread 0, then the lm_head's rows (those this instance holds: all, or a
//! shard's slice) cut into pieces of whole 4-row groups (the interleaved
//! layouts' unit) that the threads claim, each row computed as on one thread.
//! Several token rows share each read of the lm_head (batched decoding).

use crate::kernels::f32ops::rmsnorm_simd;
use crate::kernels::matmul_q8::matmul_q8_rows;
use crate::kernels::matvec_bf16::{matmul_bf16_rows, matvec_bf16_rows, split_even_odd};
use crate::kernels::quantize_i8::quantize_i8_simd;
use crate::mem::{bytes, f32s, i8s, u16s};
use crate::model::Model;
use crate::threads::{claim, pieces, run, share};

/// Runs `f(r0, r1)` for the lm_head's rows in pieces of whole 4-row groups,
/// each piece on whichever of the job's threads claims it.
fn head_pieces(vocab: usize, f: impl Fn(usize, usize) + Sync) {
    run(&|_tid, nt| {
        let per = pieces(nt);
        claim(per, nt, |piece| {
            let (g0, g1) = share((vocab + 3) / 4, piece, per);
            if g0 < g1 {
                f(4 * g0, (4 * g1).min(vocab));
            }
        });
    });
}

/// Norms the rows `wanted` picks from x [n, hidden] into xn, then their logits
/// into the logits buffer, in row order. Returns how many rows got logits.
pub fn logits(m: &Model, x: &[f32], n: usize, wanted: impl Fn(usize) -> bool) -> usize {
    let (c, s) = (&m.cfg, &m.s);
    let (h, v) = (c.hidden, c.head_rows());
    let mut nl = 0;
    for t in 0..n {
        if wanted(t) {
            rmsnorm_simd(&x[t * h..(t + 1) * h], u16s(m.norm, h), c.eps, f32s(s.xn + nl * h * 4, h));
            nl += 1;
        }
    }
    if nl == 0 {
        return 0;
    }
    if c.lm_q8 {
        // int8 lm_head: the normed rows quantized as BitLinear inputs are
        let (xq, xs) = (i8s(s.xq, nl * h), f32s(s.xs, nl));
        for t in 0..nl {
            xs[t] = quantize_i8_simd(&f32s(s.xn, nl * h)[t * h..(t + 1) * h], &mut xq[t * h..(t + 1) * h]);
        }
        let (w, scale, xq, xs) = (bytes(m.lm_head, v * h), f32s(m.lm_scale, v), &*xq, &*xs);
        head_pieces(v, |r0, r1| matmul_q8_rows(w, scale, v, h, xq, xs, nl, f32s(s.logits, nl * v), r0, r1));
    } else {
        // the residual stream `x` is no longer needed: it holds the split rows
        let split = f32s(s.x, nl * h);
        split_even_odd(f32s(s.xn, nl * h), h, nl, split);
        let (head, split) = (u16s(m.lm_head, v * h), &*split);
        head_pieces(v, |r0, r1| {
            let y = f32s(s.logits, nl * v);
            if nl == 1 {
                matvec_bf16_rows(head, v, h, split, y, r0, r1);
            } else {
                matmul_bf16_rows(head, v, h, split, nl, y, r0, r1);
            }
        });
    }
    nl
}
