//! The Falcon-E forward pass (Llama + BitLinear) over one block of token rows,
//! each row a token of some session (continuous batching: every projection
//! runs over all rows at once, so one read of the weights serves every active
//! sequence; attention reads each row's own session cache). Reads like the model:
//!   x = embed(tokens)
//!   per layer:  x += o(attention(rope(q(n1(x))), rope(k(n1(x))), v(n1(x))))
//!               x += down(silu(gate(n2(x))) * up(n2(x)))
//!   logits = lm_head(norm(x))
//! where every projection is a BitLinear (int8 activations x ternary weights).

use crate::kernels::attention::{attention_simd, Heads, Kv};
use crate::kernels::f32ops::{rmsnorm_simd, swiglu_simd};
use crate::kernels::matmul_q8::matmul_q8_simd;
use crate::kernels::t2::matmul_t2_i8_simd;
use crate::kernels::matvec_bf16::{matmul_bf16_simd, matvec_bf16_simd};
use crate::kernels::quantize_i8::quantize_i8_simd;
use crate::math::bf16;
use crate::model::*;

use crate::abi::forward_error;
use crate::abi::logits;

fn f32s<'a>(p: usize, n: usize) -> &'a mut [f32] {
    unsafe { core::slice::from_raw_parts_mut(p as *mut f32, n) }
}
fn u16s<'a>(p: usize, n: usize) -> &'a [u16] {
    unsafe { core::slice::from_raw_parts(p as *const u16, n) }
}
fn u32s<'a>(p: usize, n: usize) -> &'a mut [u32] {
    unsafe { core::slice::from_raw_parts_mut(p as *mut u32, n) }
}

/// y[n, out] = BitLinear(x[n, in]) with projection `p` of layer `lay`:
/// quantize each token row to int8, exact integer matmul, then / (s * weight_scale).
fn bitlinear(m: &Model, lay: &Layer, p: usize, x: usize, n: usize, y: usize) {
    let (out, n_in) = m.cfg.proj_shape(p);
    let s = &m.s;
    let xq = unsafe { core::slice::from_raw_parts_mut(s.xq as *mut i8, n * n_in) };
    let xs = f32s(s.xs, n);
    for t in 0..n {
        xs[t] = quantize_i8_simd(f32s(x + t * n_in * 4, n_in), &mut xq[t * n_in..(t + 1) * n_in]);
    }
    let w = unsafe { core::slice::from_raw_parts(lay.w[p] as *const u8, out / 4 * n_in) };
    let acc = unsafe { core::slice::from_raw_parts_mut(s.acc as *mut i32, n * out) };
    matmul_t2_i8_simd(w, out, n_in, xq, n, acc);
    let ws = bf16(u16s(lay.scale[p], 1)[0]);
    let yv = f32s(y, n * out);
    for t in 0..n {
        let denom = xs[t] * ws;
        for r in 0..out {
            yv[t * out + r] = acc[t * out + r] as f32 / denom;
        }
    }
}

/// Rotate-half RoPE of one head vector at position `pos`.
fn rope(m: &Model, v: &mut [f32], pos: usize) {
    let half = m.cfg.head_dim / 2;
    let tab = f32s(m.rope + pos * half * 8, half * 2);
    for i in 0..half {
        let (c, s) = (tab[2 * i], tab[2 * i + 1]);
        let (a, b) = (v[i], v[i + half]);
        v[i] = a * c - b * s;
        v[i + half] = b * c + a * s;
    }
}

/// The loaded model, if it can run.
fn ready() -> Result<&'static Model, i32> {
    match loaded() {
        Some(m) if m.prepared() => Ok(m),
        Some(_) => Err(forward_error::NOT_PREPARED),
        None => Err(forward_error::NO_MODEL),
    }
}

/// For every row t of layer `l`: RoPE on its q and k at its position, k and v
/// appended (as `T`) to its session's cache, then attention of its q over that
/// cache's positions [0, its position] into the att buffer.
fn cache_and_attend<T: Kv>(m: &Model, l: usize, rows: &[u32], rowpos: &[u32]) {
    let (c, s) = (&m.cfg, &m.s);
    let (qd, kvd, hd) = (c.q_dim(), c.kv_dim(), c.head_dim);
    let heads = Heads { n_heads: c.n_heads, n_kv: c.n_kv, head_dim: hd };
    let e = core::mem::size_of::<T>();
    // KV cache of session `slot`, layer `l`: [2, ctx, kv_dim] (K, then V)
    let cache = |slot: u32| {
        let k = m.kv + ((slot as usize * c.n_layers + l) * 2 * c.ctx * kvd) * e;
        (k as *mut T, (k + c.ctx * kvd * e) as *mut T)
    };
    for t in 0..rows.len() {
        let pos = rowpos[t] as usize;
        for hh in 0..c.n_heads {
            rope(m, f32s(s.q + (t * qd + hh * hd) * 4, hd), pos);
        }
        for hh in 0..c.n_kv {
            rope(m, f32s(s.k + (t * kvd + hh * hd) * 4, hd), pos);
        }
        let (kc, vc) = cache(rows[t]);
        let (ks, vs) = (f32s(s.k + t * kvd * 4, kvd), f32s(s.v + t * kvd * 4, kvd));
        for i in 0..kvd {
            unsafe {
                *kc.add(pos * kvd + i) = T::from_f32(ks[i]);
                *vc.add(pos * kvd + i) = T::from_f32(vs[i]);
            }
        }
    }
    let scratch = f32s(s.scores, heads.scratch(c.ctx));
    for t in 0..rows.len() {
        let len = rowpos[t] as usize + 1;
        let (kc, vc) = cache(rows[t]);
        let (k, v) = unsafe { (core::slice::from_raw_parts(kc, len * kvd), core::slice::from_raw_parts(vc, len * kvd)) };
        attention_simd(heads, f32s(s.q + t * qd * 4, qd), k, v, len, scratch, f32s(s.att + t * qd * 4, qd));
    }
}

/// Runs `n` tokens (already in the tokens buffer) of session `slot`: fills
/// the rows buffer with `slot` and runs `forward_rows`.
pub fn forward(slot: usize, n: usize, all: bool) -> i32 {
    let m = match ready() {
        Ok(m) => m,
        Err(e) => return e,
    };
    if slot >= m.cfg.sessions {
        return forward_error::SLOT;
    }
    if n == 0 || n > m.cfg.block {
        return forward_error::COUNT;
    }
    u32s(m.s.rows, n).fill(slot as u32);
    forward_rows(n, if all { logits::ALL } else { logits::LAST })
}


/// Runs token rows through the model: row t feeds tokens[t] to session
/// rows[t], at that session's current length plus the number of earlier rows
/// of the same session in this call; each session then grows by its row
/// count. Keys and values go to each row's session cache; row t attends to
/// its session's positions [0, its position]. Logits land in the logits
/// buffer, one vocab row per selected row, in row order: the last row
/// (`logits::LAST`), every row (`logits::ALL`) or the rows flagged in `want`
/// (`logits::WANTED`), so prompt rows of a batch do not pay for the lm_head.
/// Everything is checked before any state changes (COUNT, SLOT, CONTEXT,
/// TOKEN of `abi::forward_error`, in that order), so an error leaves every cache as it was.
pub fn forward_rows(n: usize, logits: u32) -> i32 {
    let m = match ready() {
        Ok(m) => m,
        Err(e) => return e,
    };
    let c = m.cfg;
    if n == 0 || n > c.block {
        return forward_error::COUNT;
    }
    let s = &m.s;
    let rows = u32s(s.rows, n);
    if rows.iter().any(|&r| r as usize >= c.sessions) {
        return forward_error::SLOT;
    }
    let rowpos = u32s(s.rowpos, n);
    for t in 0..n {
        let before = rows[..t].iter().filter(|&&r| r == rows[t]).count();
        let p = *m.pos_of(rows[t] as usize) as usize + before;
        if p >= c.ctx {
            return forward_error::CONTEXT;
        }
        rowpos[t] = p as u32;
    }
    let tokens = unsafe { core::slice::from_raw_parts(s.tokens as *const i32, n) };
    if tokens.iter().any(|&t| t < 0 || t as usize >= c.vocab) {
        return forward_error::TOKEN;
    }
    let h = c.hidden;
    let x = f32s(s.x, n * h);

    // x = embed(tokens)  (bf16 rows -> f32)
    for t in 0..n {
        let row = u16s(m.embed + tokens[t] as usize * h * 2, h);
        for i in 0..h {
            x[t * h + i] = bf16(row[i]);
        }
    }

    for l in 0..c.n_layers {
        let lay = m.layer(l);

        // attention: xn = rmsnorm(x); q, k, v = BitLinear(xn)
        for t in 0..n {
            rmsnorm_simd(&x[t * h..(t + 1) * h], u16s(lay.ln1, h), c.eps, f32s(s.xn + t * h * 4, h));
        }
        bitlinear(m, lay, Q, s.xn, n, s.q);
        bitlinear(m, lay, K, s.xn, n, s.k);
        bitlinear(m, lay, V, s.xn, n, s.v);
        // rope(q), rope(k); append k, v to each row's session cache; attention
        if c.kv_f32 {
            cache_and_attend::<f32>(m, l, rows, rowpos);
        } else {
            cache_and_attend::<u16>(m, l, rows, rowpos);
        }
        // x += o_proj(att)
        bitlinear(m, lay, O, s.att, n, s.xn);
        for i in 0..n * h {
            x[i] += f32s(s.xn, n * h)[i];
        }

        // MLP: x += down(silu(gate(xn)) * up(xn)), xn = rmsnorm(x)
        for t in 0..n {
            rmsnorm_simd(&x[t * h..(t + 1) * h], u16s(lay.ln2, h), c.eps, f32s(s.xn + t * h * 4, h));
        }
        bitlinear(m, lay, GATE, s.xn, n, s.gate);
        bitlinear(m, lay, UP, s.xn, n, s.up);
        let (g, u) = (f32s(s.gate, n * c.inter), f32s(s.up, n * c.inter));
        swiglu_simd(g, u);
        bitlinear(m, lay, DOWN, s.gate, n, s.xn);
        for i in 0..n * h {
            x[i] += f32s(s.xn, n * h)[i];
        }
    }

    // logits = lm_head(norm(x)) for the rows asked for; several rows share
    // each read of the lm_head (batched decoding), one row takes the matvec
    let want = unsafe { core::slice::from_raw_parts(s.want as *const u8, n) };
    let mut nl = 0;
    for t in 0..n {
        let wanted = match logits {
            logits::ALL => true,
            logits::WANTED => want[t] != 0,
            _ => t == n - 1,
        };
        if wanted {
            rmsnorm_simd(&x[t * h..(t + 1) * h], u16s(m.norm, h), c.eps, f32s(s.xn + nl * h * 4, h));
            nl += 1;
        }
    }
    if c.lm_q8 {
        // int8 lm_head: the normed rows quantized as BitLinear inputs are
        lm_head_q8(m, nl);
    } else if nl >= 1 {
        // the residual stream `x` is no longer needed: it holds the split rows
        let (head, split) = (u16s(m.lm_head, c.vocab * h), f32s(s.x, nl * h));
        if nl == 1 {
            matvec_bf16_simd(head, c.vocab, h, f32s(s.xn, h), f32s(s.logits, c.vocab), split);
        } else {
            matmul_bf16_simd(head, c.vocab, h, f32s(s.xn, nl * h), nl, f32s(s.logits, nl * c.vocab), split);
        }
    }
    for t in 0..n {
        *m.pos_of(rows[t] as usize) += 1;
    }
    0
}

/// Layer 0's gate projection over `n` made-up activation rows, `reps` times
/// (`exports::bench_ternary`). Writes only scratch.
pub fn bench_projection(n: usize, reps: usize) -> Result<(), i32> {
    let m = ready()?;
    if n == 0 || n > m.cfg.block {
        return Err(forward_error::COUNT);
    }
    let (out, n_in) = m.cfg.proj_shape(GATE);
    let xq = unsafe { core::slice::from_raw_parts_mut(m.s.xq as *mut i8, n * n_in) };
    for (i, v) in xq.iter_mut().enumerate() {
        *v = ((i * 37 + 11) % 255) as i8; // any activations: the time does not depend on them
    }
    let w = unsafe { core::slice::from_raw_parts(m.layer(0).w[GATE] as *const u8, out / 4 * n_in) };
    let acc = unsafe { core::slice::from_raw_parts_mut(m.s.acc as *mut i32, n * out) };
    for _ in 0..reps {
        matmul_t2_i8_simd(w, out, n_in, xq, n, acc);
    }
    Ok(())
}

/// logits [nl, vocab] = q8 lm_head x int8(normed rows in `xn`).
fn lm_head_q8(m: &Model, nl: usize) {
    let (c, s) = (&m.cfg, &m.s);
    let h = c.hidden;
    let xq = unsafe { core::slice::from_raw_parts_mut(s.xq as *mut i8, nl * h) };
    let xs = f32s(s.xs, nl);
    for t in 0..nl {
        xs[t] = quantize_i8_simd(&f32s(s.xn, nl * h)[t * h..(t + 1) * h], &mut xq[t * h..(t + 1) * h]);
    }
    let w = unsafe { core::slice::from_raw_parts(m.lm_head as *const u8, c.vocab * h) };
    let scale = f32s(m.lm_scale, c.vocab);
    matmul_q8_simd(w, scale, c.vocab, h, xq, xs, nl, f32s(s.logits, nl * c.vocab));
}
