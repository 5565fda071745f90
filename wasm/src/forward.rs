//! The Falcon-E forward pass (Llama + BitLinear) over one block of tokens of
//! one session. Reads like the model:
//!   x = embed(tokens)
//!   per layer:  x += o(attention(rope(q(n1(x))), rope(k(n1(x))), v(n1(x))))
//!               x += down(silu(gate(n2(x))) * up(n2(x)))
//!   logits = lm_head(norm(x))
//! where every projection is a BitLinear (int8 activations x ternary weights).

use crate::kernels::f32ops::{axpy_f32_simd, dot_f32_simd, rmsnorm_simd};
use crate::kernels::t2::matmul_t2_i8_simd;
use crate::kernels::matvec_bf16::matvec_bf16_simd;
use crate::kernels::quantize_i8::quantize_i8_simd;
use crate::math::{bf16, expf, silu, sqrtf};
use crate::model::*;

/// Errors of `forward`.
pub const E_SLOT: i32 = -1;
pub const E_CONTEXT: i32 = -2;
pub const E_TOKEN: i32 = -3;
pub const E_COUNT: i32 = -4;
pub const E_NO_MODEL: i32 = -5;
pub const E_NOT_PREPARED: i32 = -6;

fn f32s<'a>(p: usize, n: usize) -> &'a mut [f32] {
    unsafe { core::slice::from_raw_parts_mut(p as *mut f32, n) }
}
fn u16s<'a>(p: usize, n: usize) -> &'a [u16] {
    unsafe { core::slice::from_raw_parts(p as *const u16, n) }
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

/// Runs `n` tokens (already in the tokens buffer) of session `slot` through the
/// model, appending their keys and values to its cache. Logits land in the
/// logits buffer: for every token when `all`, else for the last one only.
pub fn forward(slot: usize, n: usize, all: bool) -> i32 {
    let m = match unsafe { MODEL.as_ref() } {
        Some(m) => m,
        None => return E_NO_MODEL,
    };
    if !m.prepared() {
        return E_NOT_PREPARED;
    }
    let c = m.cfg;
    if slot >= c.sessions {
        return E_SLOT;
    }
    if n == 0 || n > c.block {
        return E_COUNT;
    }
    let pos0 = *m.pos_of(slot) as usize;
    if pos0 + n > c.ctx {
        return E_CONTEXT;
    }
    let tokens = unsafe { core::slice::from_raw_parts(m.s.tokens as *const i32, n) };
    if tokens.iter().any(|&t| t < 0 || t as usize >= c.vocab) {
        return E_TOKEN;
    }
    let (h, qd, kvd, hd) = (c.hidden, c.q_dim(), c.kv_dim(), c.head_dim);
    let s = &m.s;
    let x = f32s(s.x, n * h);

    // x = embed(tokens)  (bf16 rows -> f32)
    for t in 0..n {
        let row = u16s(m.embed + tokens[t] as usize * h * 2, h);
        for i in 0..h {
            x[t * h + i] = bf16(row[i]);
        }
    }

    let group = c.n_heads / c.n_kv;
    let scale = 1.0 / sqrtf(hd as f32);
    for l in 0..c.n_layers {
        let lay = m.layer(l);
        // KV cache of this layer: [2, ctx, kv_dim]
        let kc = m.kv + ((slot * c.n_layers + l) * 2 * c.ctx * kvd) * 4;
        let vc = kc + c.ctx * kvd * 4;

        // attention: xn = rmsnorm(x); q, k, v = BitLinear(xn)
        for t in 0..n {
            rmsnorm_simd(&x[t * h..(t + 1) * h], u16s(lay.ln1, h), c.eps, f32s(s.xn + t * h * 4, h));
        }
        bitlinear(m, lay, Q, s.xn, n, s.q);
        bitlinear(m, lay, K, s.xn, n, s.k);
        bitlinear(m, lay, V, s.xn, n, s.v);
        // rope(q), rope(k); append k, v to the cache
        for t in 0..n {
            let pos = pos0 + t;
            for hh in 0..c.n_heads {
                rope(m, f32s(s.q + (t * qd + hh * hd) * 4, hd), pos);
            }
            for hh in 0..c.n_kv {
                rope(m, f32s(s.k + (t * kvd + hh * hd) * 4, hd), pos);
            }
            f32s(kc + pos * kvd * 4, kvd).copy_from_slice(f32s(s.k + t * kvd * 4, kvd));
            f32s(vc + pos * kvd * 4, kvd).copy_from_slice(f32s(s.v + t * kvd * 4, kvd));
        }
        // causal grouped-query attention: head hh reads kv head hh / group
        let sc = f32s(s.scores, c.ctx);
        for t in 0..n {
            let len = pos0 + t + 1;
            for hh in 0..c.n_heads {
                let q = f32s(s.q + (t * qd + hh * hd) * 4, hd);
                let koff = (hh / group) * hd;
                let mut mx = f32::NEG_INFINITY;
                for j in 0..len {
                    let d = dot_f32_simd(q, f32s(kc + (j * kvd + koff) * 4, hd)) * scale;
                    sc[j] = d;
                    if d > mx {
                        mx = d;
                    }
                }
                let mut sum = 0.0f32;
                for j in 0..len {
                    sc[j] = expf(sc[j] - mx);
                    sum += sc[j];
                }
                let o = f32s(s.att + (t * qd + hh * hd) * 4, hd);
                o.fill(0.0);
                for j in 0..len {
                    axpy_f32_simd(sc[j] / sum, f32s(vc + (j * kvd + koff) * 4, hd), o);
                }
            }
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
        for i in 0..n * c.inter {
            g[i] = silu(g[i]) * u[i];
        }
        bitlinear(m, lay, DOWN, s.gate, n, s.xn);
        for i in 0..n * h {
            x[i] += f32s(s.xn, n * h)[i];
        }
    }

    // logits = lm_head(norm(x)) for the rows asked for
    let first = if all { 0 } else { n - 1 };
    for t in first..n {
        let xn = f32s(s.xn, h);
        rmsnorm_simd(&x[t * h..(t + 1) * h], u16s(m.norm, h), c.eps, xn);
        let out = f32s(s.logits + (t - first) * c.vocab * 4, c.vocab);
        matvec_bf16_simd(u16s(m.lm_head, c.vocab * h), c.vocab, h, xn, out);
    }
    *m.pos_of(slot) = (pos0 + n) as u32;
    0
}
