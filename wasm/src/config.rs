//! A model's shape and what of it an instance holds (`Part`), as
//! `model_create` receives them, with the checks the kernels need.

use crate::kernels::matmul_t2_i8::{MAX_IN, MAX_TOKENS};
use crate::model::{GATE, K, N_PROJ, O, Q, STAGE_ROWS, UP, V};

#[derive(Clone, Copy, Default)]
pub struct Config {
    pub n_layers: usize,
    pub hidden: usize,
    pub inter: usize,
    pub n_heads: usize,
    pub n_kv: usize,
    pub head_dim: usize,
    pub vocab: usize,
    pub eps: f32,
    pub theta: f64,
    pub ctx: usize,      // positions per session
    pub sessions: usize, // KV caches
    pub block: usize,    // tokens per forward call
    pub kv_f32: bool,    // KV cache in f32 instead of IEEE f16
    pub lm_q8: bool,     // lm_head held as q8 (converted while loading), not BF16
    pub threads: usize,  // threads sharing the work (1 without +atomics)
    pub part: Part,      // what of the model this instance holds (all of it, or a shard's share)
}

/// The share of a model an instance holds: a range of layers, a range of
/// embedding rows, and (with the final norm) a range of lm_head rows. The
/// whole model is `Part::whole`; a pipeline shard holds less (see
/// `forward::forward_part`). Ranges are half-open, in the model's indices.
#[derive(Clone, Copy, Default)]
pub struct Part {
    pub l0: usize,
    pub l1: usize,
    pub e0: usize,
    pub e1: usize,
    pub h0: usize,
    pub h1: usize,
}

impl Part {
    pub fn whole(n_layers: usize, vocab: usize) -> Part {
        Part { l0: 0, l1: n_layers, e0: 0, e1: vocab, h0: 0, h1: vocab }
    }
}

impl Config {
    pub fn q_dim(&self) -> usize {
        self.n_heads * self.head_dim
    }
    pub fn kv_dim(&self) -> usize {
        self.n_kv * self.head_dim
    }
    /// Bytes of one KV cache value.
    pub fn kv_elem(&self) -> usize {
        if self.kv_f32 { 4 } else { 2 }
    }
    /// Layers this instance holds.
    pub fn held_layers(&self) -> usize {
        self.part.l1 - self.part.l0
    }
    /// lm_head rows this instance holds (0: neither the lm_head nor the final norm).
    pub fn head_rows(&self) -> usize {
        self.part.h1 - self.part.h0
    }
    /// Embedding rows this instance holds.
    pub fn embed_rows(&self) -> usize {
        self.part.e1 - self.part.e0
    }
    /// Whether it holds every embedding row (and so can start from token ids).
    pub fn whole_embed(&self) -> bool {
        self.part.e0 == 0 && self.part.e1 == self.vocab
    }
    /// Rows of the lm_head's loading window: 64 (a multiple of 4), fewer for
    /// a smaller vocabulary; none when the lm_head stays BF16.
    pub fn stage_rows(&self) -> usize {
        if self.lm_q8 { self.head_rows().min(STAGE_ROWS) } else { 0 }
    }
    /// (out, in) of projection `p`.
    pub fn proj_shape(&self, p: usize) -> (usize, usize) {
        let (h, i) = (self.hidden, self.inter);
        match p {
            Q => (self.q_dim(), h),
            K | V => (self.kv_dim(), h),
            O => (h, self.q_dim()),
            GATE | UP => (i, h),
            _ => (h, i),
        }
    }
    pub fn valid(&self) -> bool {
        let nonzero = self.n_layers > 0 && self.hidden > 0 && self.inter > 0 && self.n_heads > 0
            && self.n_kv > 0 && self.head_dim > 0 && self.vocab > 0 && self.ctx > 0
            && self.sessions > 0 && self.block > 0 && self.threads > 0;
        nonzero
            && self.n_heads % self.n_kv == 0
            && self.head_dim % 2 == 0
            && (0..N_PROJ).all(|p| self.proj_shape(p).0 % 4 == 0)
            && self.block <= MAX_TOKENS
            && (0..N_PROJ).all(|p| self.proj_shape(p).1 <= MAX_IN)
            && self.eps > 0.0
            && self.theta > 0.0
            && self.part_valid()
    }
    /// Ranges in bounds, lm_head rows starting on a 4-row group (the
    /// interleaved layouts' unit) and ending on one or at the vocabulary's
    /// end, and something held.
    fn part_valid(&self) -> bool {
        let p = &self.part;
        p.l0 <= p.l1 && p.l1 <= self.n_layers
            && p.e0 <= p.e1 && p.e1 <= self.vocab
            && p.h0 <= p.h1 && p.h1 <= self.vocab
            && p.h0 % 4 == 0 && (p.h1 % 4 == 0 || p.h1 == self.vocab)
            && (p.l1 > p.l0 || p.e1 > p.e0 || p.h1 > p.h0)
    }
}

