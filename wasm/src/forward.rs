//! The Falcon-E forward pass (Llama + BitLinear) over one block of token rows,
//! each row a token of some session (continuous batching: every projection
//! runs over all rows at once, so one read of the weights serves every active
//! sequence; attention reads each row's own session cache). Reads like the model:
//!   x = embed(tokens)
//!   per layer:  x += o(attention(rope(q(n1(x))), rope(k(n1(x))), v(n1(x))))
//!               x += down(silu(gate(n2(x))) * up(n2(x)))
//!   logits = lm_head(norm(x))
//! An instance may hold only part of the model (a pipeline shard,
//! `model::Part`): then `forward_part` starts from hidden rows instead of
//! tokens, runs the layers it holds, and ends with hidden rows or a slice of
//! the logits; the whole model is the part that holds everything.
//! Where every projection is a BitLinear (int8 activations x ternary weights,
//! `bitlinear.rs`). The projections, attention and the lm_head are shared
//! among the model's threads (`threads.rs`), and so are a block's norms,
//! SwiGLU and activation quantization, row by row; the rest runs on thread 0.

use crate::abi::{forward_error, logits, part_input};
use crate::attend::cache_and_attend;
use crate::bitlinear::bitlinear;
use crate::kernels::f32ops::{rmsnorm_simd, swiglu_simd};
use crate::kernels::t2::matmul_t2_i8_simd;
use crate::lm_head;
use crate::math::bf16;
use crate::mem::{f32s, i32s, i8s, u16s, u32s};
use crate::model::*;

/// The loaded model, if it can run.
fn ready() -> Result<&'static Model, i32> {
    match loaded() {
        Some(m) if m.prepared() => Ok(m),
        Some(_) => Err(forward_error::NOT_PREPARED),
        None => Err(forward_error::NO_MODEL),
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

/// Checks a `forward_part` call and fills `rowpos`: PART, COUNT, SLOT,
/// CONTEXT, TOKEN, in that order, before any state changes. Sessions and
/// positions matter only where layers are held (their KV caches), token ids
/// only where the rows start from them.
fn check_rows(m: &Model, n: usize, tokens_in: bool) -> Result<(), i32> {
    let (c, s) = (&m.cfg, &m.s);
    if tokens_in && !c.whole_embed() {
        return Err(forward_error::PART);
    }
    if n == 0 || n > c.block {
        return Err(forward_error::COUNT);
    }
    if tokens_in {
        let tokens = unsafe { core::slice::from_raw_parts(s.tokens as *const i32, n) };
        if tokens.iter().any(|&t| t < 0 || t as usize >= c.vocab) {
            return Err(forward_error::TOKEN);
        }
    }
    if c.held_layers() == 0 {
        return Ok(());
    }
    let rows = u32s(s.rows, n);
    if rows.iter().any(|&r| r as usize >= c.sessions) {
        return Err(forward_error::SLOT);
    }
    let rowpos = u32s(s.rowpos, n);
    for t in 0..n {
        let before = rows[..t].iter().filter(|&&r| r == rows[t]).count();
        let p = *m.pos_of(rows[t] as usize) as usize + before;
        if p >= c.ctx {
            return Err(forward_error::CONTEXT);
        }
        rowpos[t] = p as u32;
    }
    Ok(())
}

/// x[t] += y[t] over the n rows.
fn add(x: &mut [f32], y: usize) {
    let y = f32s(y, x.len());
    for i in 0..x.len() {
        x[i] += y[i];
    }
}

/// Runs token rows through the model: row t feeds tokens[t] to session
/// rows[t], at that session's current length plus the number of earlier rows
/// of the same session in this call; each session then grows by its row
/// count. Keys and values go to each row's session cache; row t attends to
/// its session's positions [0, its position]. Logits land in the logits
/// buffer, one vocab row per selected row, in row order: the last row
/// (`logits::LAST`), every row (`logits::ALL`) or the rows flagged in `want`
/// (`logits::WANTED`), so prompt rows of a batch do not pay for the lm_head.
/// Everything is checked before any state changes, so an error leaves every
/// cache as it was.
pub fn forward_rows(n: usize, mode: u32) -> i32 {
    forward_part(n, mode, part_input::TOKENS)
}

/// `forward_rows` for whatever part of the model this instance holds: the
/// rows start from token ids (`part_input::TOKENS`, which needs the whole
/// embedding) or from hidden rows the host wrote at `hidden` (`HIDDEN`);
/// they go through the layers held, in order, each row's keys and values
/// going to its session's cache of those layers (whose position then grows);
/// with the lm_head (some rows of it) the selected rows' logits over those
/// rows land in the logits buffer, and without it the hidden rows stay in
/// `hidden` for the next part. The whole model is the part holding all.
pub fn forward_part(n: usize, mode: u32, input: u32) -> i32 {
    let m = match ready() {
        Ok(m) => m,
        Err(e) => return e,
    };
    let tokens_in = input == part_input::TOKENS;
    if let Err(e) = check_rows(m, n, tokens_in) {
        return e;
    }
    let (c, s) = (&m.cfg, &m.s);
    let (rows, rowpos) = (u32s(s.rows, n), u32s(s.rowpos, n));
    let h = c.hidden;
    let x = f32s(s.x, n * h);
    if tokens_in {
        // x = embed(tokens)  (bf16 rows -> f32)
        let tokens = unsafe { core::slice::from_raw_parts(s.tokens as *const i32, n) };
        for t in 0..n {
            embed_row(m, tokens[t] as usize, &mut x[t * h..(t + 1) * h]);
        }
    }
    for l in c.part.l0..c.part.l1 {
        let lay = m.layer(l);
        // attention: xn = rmsnorm(x); q, k, v = BitLinear(xn); rope, cache, attend; x += o(att)
        let (xa, inter) = (s.x, c.inter);
        let norm = |w: usize| {
            move |t: usize| rmsnorm_simd(f32s(xa + t * h * 4, h), u16s(w, h), c.eps, f32s(s.xn + t * h * 4, h))
        };
        bitlinear(m, lay, &[(Q, s.q), (K, s.k), (V, s.v)], s.xn, n, Some(&norm(lay.ln1)));
        if c.kv_f32 {
            cache_and_attend::<f32>(m, l, rows, rowpos);
        } else {
            cache_and_attend::<u16>(m, l, rows, rowpos);
        }
        bitlinear(m, lay, &[(O, s.xn)], s.att, n, None);
        add(x, s.xn);
        // MLP: xn = rmsnorm(x); x += down(silu(gate(xn)) * up(xn)), SwiGLU row by row
        bitlinear(m, lay, &[(GATE, s.gate), (UP, s.up)], s.xn, n, Some(&norm(lay.ln2)));
        let swiglu = |t: usize| swiglu_simd(f32s(s.gate + t * inter * 4, inter), f32s(s.up + t * inter * 4, inter));
        bitlinear(m, lay, &[(DOWN, s.xn)], s.gate, n, Some(&swiglu));
        add(x, s.xn);
    }
    if c.head_rows() > 0 {
        let want = unsafe { core::slice::from_raw_parts(s.want as *const u8, n) };
        lm_head::logits(m, x, n, |t| match mode {
            logits::ALL => true,
            logits::WANTED => want[t] != 0,
            _ => t == n - 1,
        });
    }
    if c.held_layers() > 0 {
        for t in 0..n {
            *m.pos_of(rows[t] as usize) += 1;
        }
    }
    0
}

/// Embedding row `token` (one this instance holds) as f32.
fn embed_row(m: &Model, token: usize, out: &mut [f32]) {
    let h = m.cfg.hidden;
    let row = u16s(m.embed + (token - m.cfg.part.e0) * h * 2, h);
    for i in 0..h {
        out[i] = bf16(row[i]);
    }
}

/// The embedding rows this instance holds of the first `n` token ids, into
/// their rows of `hidden` (rows of other tokens untouched): a shard's share
/// of `x = embed(tokens)`. How many rows it wrote, or a `forward_error`
/// (NO_MODEL, COUNT, TOKEN) with nothing written.
pub fn embed_part(n: usize) -> i32 {
    let m = match loaded() {
        Some(m) => m,
        None => return forward_error::NO_MODEL,
    };
    let (c, s) = (&m.cfg, &m.s);
    if n == 0 || n > c.block {
        return forward_error::COUNT;
    }
    let tokens = unsafe { core::slice::from_raw_parts(s.tokens as *const i32, n) };
    if tokens.iter().any(|&t| t < 0 || t as usize >= c.vocab) {
        return forward_error::TOKEN;
    }
    let (h, x) = (c.hidden, f32s(s.x, n * c.hidden));
    let mut wrote = 0;
    for t in 0..n {
        let tok = tokens[t] as usize;
        if tok >= c.part.e0 && tok < c.part.e1 {
            embed_row(m, tok, &mut x[t * h..(t + 1) * h]);
            wrote += 1;
        }
    }
    wrote
}

/// The first held layer's gate projection over `n` made-up activation rows, `reps` times
/// (`exports::bench_ternary`), on this thread alone. Writes only scratch.
pub fn bench_projection(n: usize, reps: usize) -> Result<(), i32> {
    let m = ready()?;
    if m.cfg.held_layers() == 0 {
        return Err(forward_error::PART);
    }
    if n == 0 || n > m.cfg.block {
        return Err(forward_error::COUNT);
    }
    let (out, n_in) = m.cfg.proj_shape(GATE);
    let xq = i8s(m.s.xq, n * n_in);
    for (i, v) in xq.iter_mut().enumerate() {
        *v = ((i * 37 + 11) % 255) as i8; // any activations: the time does not depend on them
    }
    let w = unsafe { core::slice::from_raw_parts(m.layer(m.cfg.part.l0).w[GATE] as *const u8, out / 4 * n_in) };
    for _ in 0..reps {
        matmul_t2_i8_simd(w, out, n_in, xq, n, i32s(m.s.acc, n * out));
    }
    Ok(())
}
