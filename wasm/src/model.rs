//! The model in linear memory: config, where every weight lives, the KV cache
//! and the scratch buffers. Everything is placed once by `Model::create`, which
//! grows memory a single time to its final size; the forward pass allocates nothing.

use crate::arena;
pub use crate::config::{Config, Part};
use crate::kernels::attention::Heads;
use crate::kernels::matvec_bf16::prepare_bf16;
use crate::kernels::{matmul_q8, t2};
use crate::abi::{create_error, tensor};
use crate::math::{pow64, sincos64};

/// The seven BitLinear projections of a block, in checkpoint naming order.
pub const N_PROJ: usize = 7;
pub const Q: usize = 0;
pub const K: usize = 1;
pub const V: usize = 2;
pub const O: usize = 3;
pub const GATE: usize = 4;
pub const UP: usize = 5;
pub const DOWN: usize = 6;


#[derive(Clone, Copy, Default)]
pub struct Layer {
    pub ln1: usize,            // [hidden] bf16
    pub ln2: usize,            // [hidden] bf16
    pub w: [usize; N_PROJ],    // packed t2 [out/4, in]
    pub scale: [usize; N_PROJ], // [1] bf16, stored 1/mean|W|
}

/// Activations for one block of `block` tokens.
#[derive(Clone, Copy, Default)]
pub struct Scratch {
    pub x: usize,      // [block, hidden] f32 residual stream
    pub xn: usize,     // [block, hidden] f32 normed
    pub q: usize,      // [block, q_dim] f32
    pub k: usize,      // [block, kv_dim] f32
    pub v: usize,      // [block, kv_dim] f32
    pub att: usize,    // [block, q_dim] f32 attention output
    pub gate: usize,   // [block, inter] f32
    pub up: usize,     // [block, inter] f32
    pub xq: usize,     // [block, max_in] i8 quantized activations
    pub xs: usize,     // [block] f32 activation scales
    pub acc: usize,    // [block, max_out] i32 integer dot products
    pub scores: usize, // [threads] x Heads::scratch(ctx) f32: attention scores and widened rows, per thread
    pub logits: usize, // [block, head_rows] f32
    pub tokens: usize, // [block] i32
    pub rows: usize,   // [block] u32 session slot of each token row
    pub rowpos: usize, // [block] u32 position of each row (set by forward_rows)
    pub want: usize,   // [block] u8 rows whose logits are wanted (`abi::logits::WANTED`)
    pub lm_stage: usize, // [stage_rows, hidden] bf16 loading window of the lm_head (q8 only)
    pub stacks: usize, // [threads - 1] x THREAD_STACK bytes: the other threads' stacks
}

pub struct Model {
    pub cfg: Config,
    pub embed: usize,   // [embed_rows, hidden] bf16 (rows e0..e1)
    pub layers: usize,  // [held_layers] Layer (layers l0..l1)
    pub norm: usize,    // [hidden] bf16
    pub lm_head: usize, // [head_rows, hidden] bf16 (b16i), or q8 bytes (q8i) with cfg.lm_q8 (rows h0..h1)
    pub lm_scale: usize, // [head_rows] f32 row scales of the q8 lm_head
    pub rope: usize,    // [ctx, head_dim/2, 2] f32 (cos, sin)
    pub kv: usize,      // [sessions, held_layers, 2, ctx, kv_dim] f16 (IEEE binary16 bits), or f32 (cfg.kv_f32)
    pub pos: usize,     // [sessions] u32 filled positions
    pub s: Scratch,
    pub bytes_weights: usize,
    pub bytes_kv: usize,
    pub bytes_scratch: usize,
    /// u32 inside the weight region: `PREPARED` once the packed projections
    /// are in this build's kernel layout. Kept with the weights (not in this
    /// struct) so that a copy of the weight region, such as a pre-laid-out
    /// image, carries it along.
    pub mark: usize,
}

/// Value of `Model::mark` once `prepare_weights` ran: "t2", the layout
/// generation 0x71 (projections in `t2p` / `t2r`, lm_head in `b16i`), and the
/// build (`abi::simd_build`), whose ternary layouts differ. A change of any
/// prepared layout must change it, so that older images are refused.
pub const PREPARED: u32 = 0x7432_7100 | crate::kernels::PATH;

static mut MODEL: Option<Model> = None;

/// The model of this instance, once `Model::create` has laid it out.
pub fn loaded() -> Option<&'static Model> {
    unsafe { (*&raw const MODEL).as_ref() }
}

/// Bytes of stack each thread but the first gets (the first has the module's own).
pub const THREAD_STACK: usize = 1 << 20;

/// Most lm_head rows in the loading window of a q8 model.
pub const STAGE_ROWS: usize = 64;


/// Plans every region as an offset from a base, then grows memory once.
struct Planner {
    at: usize,
}

impl Planner {
    fn take(&mut self, bytes: usize, align: usize) -> usize {
        let p = arena::aligned(self.at, align);
        self.at = p + bytes;
        p
    }
}

impl Model {
    /// Places every region, grows memory once to the final size and fills the
    /// RoPE table. Weights are zero until the loader writes them.
    pub fn create(cfg: Config) -> Result<(), i32> {
        if loaded().is_some() {
            return Err(create_error::EXISTS);
        }
        if !cfg.valid() {
            return Err(create_error::CONFIG);
        }
        if cfg.threads > 1 && !cfg!(target_feature = "atomics") {
            return Err(create_error::THREADS);
        }
        let c = &cfg;
        let f = 4; // bytes of an f32
        let base = arena::aligned(arena::current(), 64);
        let mut pl = Planner { at: base };

        let nl = c.held_layers();
        let embed = pl.take(c.embed_rows() * c.hidden * 2, 64);
        let layers = pl.take(nl * core::mem::size_of::<Layer>(), 64);
        // Offsets inside one layer's block of weights; layers follow each other.
        let mut lp = Planner { at: 0 };
        let ln1 = lp.take(c.hidden * 2, 64);
        let ln2 = lp.take(c.hidden * 2, 64);
        let mut w = [0usize; N_PROJ];
        for (p, wp) in w.iter_mut().enumerate() {
            let (o, i) = c.proj_shape(p);
            *wp = lp.take(o / 4 * i, 64);
        }
        let mut scale = [0usize; N_PROJ];
        for sp in scale.iter_mut() {
            *sp = lp.take(2, 2);
        }
        // The prepared mark: in the first layer's block, in the padding after
        // the scales (so no tensor moves); on its own without layers.
        let mark_off = lp.take(4, 4);
        let stride = arena::aligned(lp.at, 64);
        let l0 = pl.take(stride * nl, 64);
        let mark = if nl > 0 { l0 + mark_off } else { pl.take(4, 64) };
        let hv = c.head_rows();
        let norm = pl.take(if hv > 0 { c.hidden * 2 } else { 0 }, 64);
        // q8: one byte per weight; the loader streams the BF16 rows through
        // `lm_stage` (see `lm_head_rows_q8`), so the BF16 matrix is never whole
        let lm_head = pl.take(hv * c.hidden * if c.lm_q8 { 1 } else { 2 }, 64);
        let weights_end = pl.at;
        let kv = pl.take(c.sessions * nl * 2 * c.ctx * c.kv_dim() * c.kv_elem(), 64);
        let kv_end = pl.at;
        let rope = pl.take(if nl > 0 { c.ctx * c.head_dim * f } else { 0 }, 64);
        let lm_scale = pl.take(if c.lm_q8 { hv * f } else { 0 }, 64);
        let pos = pl.take(c.sessions * 4, 16);
        let b = c.block;
        let max_in = c.hidden.max(c.inter).max(c.q_dim());
        let max_out = max_in.max(c.kv_dim());
        let s = Scratch {
            x: pl.take(b * c.hidden * f, 64),
            xn: pl.take(b * c.hidden * f, 64),
            q: pl.take(b * c.q_dim() * f, 64),
            k: pl.take(b * c.kv_dim() * f, 64),
            v: pl.take(b * c.kv_dim() * f, 64),
            att: pl.take(b * c.q_dim() * f, 64),
            gate: pl.take(b * c.inter * f, 64),
            up: pl.take(b * c.inter * f, 64),
            xq: pl.take(b * max_in, 64),
            xs: pl.take(b * f, 64),
            acc: pl.take(b * max_out * 4, 64),
            scores: pl.take(c.threads * Heads { n_heads: c.n_heads, n_kv: c.n_kv, head_dim: c.head_dim }.scratch(c.ctx) * f, 64),
            logits: pl.take(b * hv * f, 64),
            tokens: pl.take(b * 4, 64),
            rows: pl.take(b * 4, 64),
            rowpos: pl.take(b * 4, 64),
            want: pl.take(b, 64),
            lm_stage: pl.take(c.stage_rows() * c.hidden * 2, 64),
            stacks: pl.take((c.threads - 1) * THREAD_STACK, 16),
        };
        let end = pl.at;
        // One growth to the final size; refuse rather than half-allocate.
        if end > u32::MAX as usize || arena::alloc(end - arena::current(), 1) == 0 {
            return Err(create_error::MEMORY);
        }
        for l in 0..nl {
            let at = l0 + l * stride;
            let mut lay = Layer { ln1: at + ln1, ln2: at + ln2, w, scale };
            for p in 0..N_PROJ {
                lay.w[p] += at;
                lay.scale[p] += at;
            }
            unsafe { *((layers + l * core::mem::size_of::<Layer>()) as *mut Layer) = lay };
        }
        let m = Model {
            cfg,
            embed,
            layers,
            norm,
            lm_head,
            lm_scale,
            rope,
            kv,
            pos,
            s,
            bytes_weights: weights_end - base,
            bytes_kv: kv_end - weights_end,
            bytes_scratch: end - kv_end,
            mark,
        };
        m.fill_rope();
        crate::threads::set_team(c.threads);
        unsafe { *&raw mut MODEL = Some(m) };
        Ok(())
    }

    /// cos/sin of every (position, frequency), computed as transformers does in
    /// float32: inv_freq = 1 / theta^(2i/d), angle = inv_freq * pos.
    fn fill_rope(&self) {
        let c = &self.cfg;
        if c.held_layers() == 0 {
            return; // no table: nothing here attends
        }
        let half = c.head_dim / 2;
        let t = unsafe { core::slice::from_raw_parts_mut(self.rope as *mut f32, c.ctx * half * 2) };
        for i in 0..half {
            let e = (2 * i) as f32 / c.head_dim as f32;
            let inv = 1.0f32 / (pow64(c.theta, e as f64) as f32);
            for p in 0..c.ctx {
                let ang = inv * p as f32;
                let (s, co) = sincos64(ang as f64);
                t[(p * half + i) * 2] = co as f32;
                t[(p * half + i) * 2 + 1] = s as f32;
            }
        }
    }

    /// Layer `l` (the model's index; one this instance holds).
    pub fn layer(&self, l: usize) -> &Layer {
        debug_assert!(l >= self.cfg.part.l0 && l < self.cfg.part.l1);
        let i = l - self.cfg.part.l0;
        unsafe { &*((self.layers + i * core::mem::size_of::<Layer>()) as *const Layer) }
    }

    /// Where tensor `kind` of layer `l` lives, and its byte size as the
    /// checkpoint stores it (for the embedding and the lm_head: the rows this
    /// instance holds, `Part::e0..e1` and `h0..h1`, which are contiguous bytes
    /// of the checkpoint's tensor); None for what it does not hold. The one exception is a q8 lm_head: its region
    /// is half that size, and the loader feeds the BF16 bytes through the
    /// `lm_stage` window instead (`lm_head_rows_q8`); the address and size
    /// stay those of the BF16 layout, so every layout fingerprint is the same.
    pub fn tensor(&self, kind: u32, l: usize) -> Option<(usize, usize)> {
        let c = &self.cfg;
        let per_layer = (tensor::INPUT_NORM..=tensor::DOWN_SCALE).contains(&kind);
        if per_layer && (l < c.part.l0 || l >= c.part.l1) {
            return None;
        }
        let held = |rows: usize| if rows > 0 { Some(()) } else { None };
        Some(match kind {
            tensor::EMBED => held(c.embed_rows()).map(|_| (self.embed, c.embed_rows() * c.hidden * 2))?,
            tensor::INPUT_NORM => (self.layer(l).ln1, c.hidden * 2),
            tensor::POST_NORM => (self.layer(l).ln2, c.hidden * 2),
            k if (tensor::Q_PROJ..=tensor::DOWN_PROJ).contains(&k) => {
                let p = (k - tensor::Q_PROJ) as usize;
                let (o, i) = c.proj_shape(p);
                (self.layer(l).w[p], o / 4 * i)
            }
            k if (tensor::Q_SCALE..=tensor::DOWN_SCALE).contains(&k) => (self.layer(l).scale[(k - tensor::Q_SCALE) as usize], 2),
            tensor::NORM => held(c.head_rows()).map(|_| (self.norm, c.hidden * 2))?,
            tensor::LM_HEAD => held(c.head_rows()).map(|_| (self.lm_head, c.head_rows() * c.hidden * 2))?,
            _ => return None,
        })
    }

    /// Converts every packed projection, in place, from the checkpoint layout
    /// the loader wrote to the layout this build's ternary kernels read
    /// (`kernels::t2::prepare_t2`). Once, after the last tensor is written;
    /// `forward` refuses to run before. Returns false if it already ran (or
    /// the weight region was copied from a prepared model, e.g. an image).
    pub fn prepare_weights(&self) -> bool {
        if self.prepared() {
            return false;
        }
        for l in self.cfg.part.l0..self.cfg.part.l1 {
            let lay = *self.layer(l);
            for p in 0..N_PROJ {
                let (o, i) = self.cfg.proj_shape(p);
                let w = unsafe { core::slice::from_raw_parts_mut(lay.w[p] as *mut u8, o / 4 * i) };
                t2::prepare_t2(w, o, i);
            }
        }
        let (v, h) = (self.cfg.head_rows(), self.cfg.hidden);
        if !self.cfg.lm_q8 && v > 0 {
            prepare_bf16(unsafe { core::slice::from_raw_parts_mut(self.lm_head as *mut u16, v * h) }, v, h);
        }
        unsafe { *(self.mark as *mut u32) = PREPARED };
        true
    }

    /// q8 lm_head, while loading: BF16 rows [row0, row0 + n) of those this
    /// instance holds (0 is `Part::h0`), which the
    /// loader put in the `lm_stage` window (n <= `stage_rows()`), row-major
    /// as a checkpoint holds them or, with `b16i`, as an image does,
    /// quantized into place (`kernels::matmul_q8::bf16_rows_to_q8i`). row0 a
    /// multiple of 4, n too unless the rows reach the vocabulary's end.
    /// False (nothing written) for a BF16 model or rows out of that contract.
    pub fn lm_head_rows_q8(&self, row0: usize, n: usize, b16i: bool) -> bool {
        let (c, v, h) = (&self.cfg, self.cfg.head_rows(), self.cfg.hidden);
        if !c.lm_q8 || n == 0 || n > c.stage_rows() || row0 % 4 != 0 || row0 + n > v || (n % 4 != 0 && row0 + n != v) {
            return false;
        }
        let row = unsafe { core::slice::from_raw_parts_mut(self.s.xn as *mut f32, h) };
        let scales = unsafe { core::slice::from_raw_parts_mut(self.lm_scale as *mut f32, v) };
        unsafe { matmul_q8::bf16_rows_to_q8i(self.s.lm_stage as *const u16, b16i, row0, n, self.lm_head as *mut u8, v, h, row, scales) };
        true
    }

    /// Whether the packed projections are in this build's kernel layout.
    pub fn prepared(&self) -> bool {
        unsafe { *(self.mark as *const u32) == PREPARED }
    }

    /// The top of thread `tid`'s stack (0 for thread 0, which has the module's, or past the team).
    pub fn stack_top(&self, tid: usize) -> usize {
        if tid == 0 || tid >= self.cfg.threads { 0 } else { self.s.stacks + tid * THREAD_STACK }
    }

    pub fn pos_of(&self, slot: usize) -> &mut u32 {
        unsafe { &mut *((self.pos + slot * 4) as *mut u32) }
    }
}
