//! Attention of a block of token rows: RoPE on each row's q and k at its
//! position, k and v appended to its session's cache (thread 0), then each
//! (row, kv head) pair's attention over that cache's positions [0, position],
//! the pairs claimed by the threads one at a time, each with its own scratch.

use crate::kernels::attention::{attention_groups, Heads, Kv};
use crate::mem::f32s;
use crate::model::Model;
use crate::threads::{claim, run};

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

/// The K and V caches of session `slot`, layer `l` (one this instance holds): [ctx, kv_dim] each (`T` values).
fn cache<T: Kv>(m: &Model, l: usize, slot: u32) -> (*mut T, *mut T) {
    let c = &m.cfg;
    let e = core::mem::size_of::<T>();
    let k = m.kv + ((slot as usize * c.held_layers() + (l - c.part.l0)) * 2 * c.ctx * c.kv_dim()) * e;
    (k as *mut T, (k + c.ctx * c.kv_dim() * e) as *mut T)
}

/// For every row t of layer `l`: RoPE, cache append, then attention of its q
/// over its session's cache into the att buffer.
pub fn cache_and_attend<T: Kv>(m: &Model, l: usize, rows: &[u32], rowpos: &[u32]) {
    let (c, s) = (&m.cfg, &m.s);
    let (qd, kvd, hd) = (c.q_dim(), c.kv_dim(), c.head_dim);
    for t in 0..rows.len() {
        let pos = rowpos[t] as usize;
        for hh in 0..c.n_heads {
            rope(m, f32s(s.q + (t * qd + hh * hd) * 4, hd), pos);
        }
        for hh in 0..c.n_kv {
            rope(m, f32s(s.k + (t * kvd + hh * hd) * 4, hd), pos);
        }
        let (kc, vc) = cache::<T>(m, l, rows[t]);
        let (ks, vs) = (f32s(s.k + t * kvd * 4, kvd), f32s(s.v + t * kvd * 4, kvd));
        for i in 0..kvd {
            unsafe {
                *kc.add(pos * kvd + i) = T::from_f32(ks[i]);
                *vc.add(pos * kvd + i) = T::from_f32(vs[i]);
            }
        }
    }
    let heads = Heads { n_heads: c.n_heads, n_kv: c.n_kv, head_dim: hd };
    let per = heads.scratch(c.ctx);
    run(&|tid, nt| {
        let scratch = f32s(s.scores + tid * per * 4, per);
        // one (row, kv group) at a time: rows further on attend over more positions
        claim(rows.len() * c.n_kv, nt, |i| {
            let (t, g) = (i / c.n_kv, i % c.n_kv);
            let len = rowpos[t] as usize + 1;
            let (kc, vc) = cache::<T>(m, l, rows[t]);
            let (k, v) = unsafe { (core::slice::from_raw_parts(kc, len * kvd), core::slice::from_raw_parts(vc, len * kvd)) };
            let (q, out) = (f32s(s.q + t * qd * 4, qd), f32s(s.att + t * qd * 4, qd));
            attention_groups(heads, q, k, v, len, scratch, out, g, g + 1);
        });
    });
}
