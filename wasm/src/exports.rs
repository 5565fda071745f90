//! The engine's ABI: plain `extern "C"` functions over numbers and
//! linear-memory addresses, bound by hand in `src/engine/kernels.ts`
//! (`KernelExports`). Negative returns are error codes, and every shared
//! number is named in `abi.rs`. Kernel exports for tests and benchmarks are
//! in `test_exports.rs`.

use crate::abi::{self, forward_error};
use crate::forward;
use crate::kernels::PATH;
use crate::model::{loaded, Config, Model, Part};

fn model() -> Option<&'static Model> {
    loaded()
}

/// The part the next `model_create` lays out (`model_part`); None: the whole model.
static mut NEXT_PART: Option<Part> = None;

/// Makes the next `model_create` lay out only part of the model (a pipeline
/// shard): layers [l0, l1), embedding rows [e0, e1), and lm_head rows
/// [h0, h1) with the final norm; empty ranges hold nothing of that kind.
/// `model_create` checks the ranges (`create_error::CONFIG`).
#[no_mangle]
pub extern "C" fn model_part(l0: u32, l1: u32, e0: u32, e1: u32, h0: u32, h1: u32) {
    let (l0, l1, e0, e1, h0, h1) = (l0 as usize, l1 as usize, e0 as usize, e1 as usize, h0 as usize, h1 as usize);
    unsafe { *&raw mut NEXT_PART = Some(Part { l0, l1, e0, e1, h0, h1 }) };
}

/// Lays out the model, KV caches and scratch, growing memory once. The KV
/// cache holds IEEE f16 values, or f32 with `kv_f32` != 0. `threads` (0 or
/// 1: one) lays out a stack and attention scratch per thread (more than one
/// needs the shared-memory build: `create_error::THREADS`). With `lm_q8` != 0 the
/// lm_head is held as q8, fed through the loading window (`lm_stage`).
/// 0, or an `abi::create_error`.
#[no_mangle]
pub extern "C" fn model_create(
    n_layers: u32, hidden: u32, inter: u32, n_heads: u32, n_kv: u32, head_dim: u32, vocab: u32,
    eps: f32, theta: f64, ctx: u32, sessions: u32, block: u32, kv_f32: u32, lm_q8: u32, threads: u32,
) -> i32 {
    let cfg = Config {
        n_layers: n_layers as usize,
        hidden: hidden as usize,
        inter: inter as usize,
        n_heads: n_heads as usize,
        n_kv: n_kv as usize,
        head_dim: head_dim as usize,
        vocab: vocab as usize,
        eps,
        theta,
        ctx: ctx as usize,
        sessions: sessions as usize,
        block: block as usize,
        kv_f32: kv_f32 != 0,
        lm_q8: lm_q8 != 0,
        threads: threads.max(1) as usize,
        part: unsafe { *&raw const NEXT_PART }.unwrap_or(Part::whole(n_layers as usize, vocab as usize)),
    };
    match Model::create(cfg) {
        Ok(()) => 0,
        Err(e) => e,
    }
}

/// Address where the loader writes tensor `kind` of `layer` (0 if none).
#[no_mangle]
pub extern "C" fn tensor_ptr(kind: u32, layer: u32) -> usize {
    model().and_then(|m| m.tensor(kind, layer as usize)).map_or(0, |t| t.0)
}

/// Byte size of tensor `kind` (0 if none).
#[no_mangle]
pub extern "C" fn tensor_bytes(kind: u32, layer: u32) -> usize {
    model().and_then(|m| m.tensor(kind, layer as usize)).map_or(0, |t| t.1)
}

/// Token ids in: [block] i32.
#[no_mangle]
pub extern "C" fn tokens_ptr() -> usize {
    model().map_or(0, |m| m.s.tokens)
}

/// Rows whose logits `forward_rows(n, logits::WANTED)` computes: [block] u8, nonzero = wanted.
#[no_mangle]
pub extern "C" fn want_ptr() -> usize {
    model().map_or(0, |m| m.s.want)
}

/// Session slot of each token row, for `forward_rows`: [block] u32.
#[no_mangle]
pub extern "C" fn rows_ptr() -> usize {
    model().map_or(0, |m| m.s.rows)
}

/// Hidden rows in and out of `forward_part` (and `embed_part`): [block, hidden] f32.
#[no_mangle]
pub extern "C" fn hidden_ptr() -> usize {
    model().map_or(0, |m| m.s.x)
}

/// Logits out: [block, vocab] f32 (a part holding lm_head rows [h0, h1): [block, h1 - h0]).
#[no_mangle]
pub extern "C" fn logits_ptr() -> usize {
    model().map_or(0, |m| m.s.logits)
}

/// Bytes of `which` (`abi::memory_kind`: weights, KV caches, scratch and tables); 0 for another kind.
#[no_mangle]
pub extern "C" fn memory_bytes(which: u32) -> usize {
    model().map_or(0, |m| match which {
        abi::memory_kind::WEIGHTS => m.bytes_weights,
        abi::memory_kind::KV_CACHE => m.bytes_kv,
        abi::memory_kind::SCRATCH => m.bytes_scratch,
        _ => 0,
    })
}

/// Positions filled in session `slot`'s cache.
#[no_mangle]
pub extern "C" fn session_pos(slot: u32) -> i32 {
    match model() {
        Some(m) if (slot as usize) < m.cfg.sessions => *m.pos_of(slot as usize) as i32,
        _ => forward_error::SLOT,
    }
}

/// Keeps the first `n` positions of session `slot` (0 empties it).
#[no_mangle]
pub extern "C" fn session_truncate(slot: u32, n: u32) -> i32 {
    match model() {
        Some(m) if (slot as usize) < m.cfg.sessions => {
            let p = m.pos_of(slot as usize);
            if n > *p {
                return forward_error::CONTEXT;
            }
            *p = n;
            0
        }
        _ => forward_error::SLOT,
    }
}

/// Converts the packed projections to the kernels' layout, in place. The loader
/// calls it once, after writing every tensor of a checkpoint. 0, or 1 if the
/// weights already are in that layout (a prepared image), or `forward_error::NO_MODEL`.
#[no_mangle]
pub extern "C" fn prepare_weights() -> i32 {
    match model() {
        Some(m) => !m.prepare_weights() as i32,
        None => forward_error::NO_MODEL,
    }
}

/// The lm_head loading window of a q8 model: where the loader writes up to
/// `lm_stage_rows()` BF16 rows (as its source lays them out) before
/// `lm_head_rows_q8`; 0 for a BF16 model (whose lm_head is written in place
/// like every tensor).
#[no_mangle]
pub extern "C" fn lm_stage() -> usize {
    model().map_or(0, |m| if m.cfg.lm_q8 { m.s.lm_stage } else { 0 })
}

/// Rows the window holds (0 for a BF16 model).
#[no_mangle]
pub extern "C" fn lm_stage_rows() -> usize {
    model().map_or(0, |m| m.cfg.stage_rows())
}

/// Quantizes the window's n rows into lm_head rows [row0, row0 + n) of a q8
/// model; b16i != 0: the window holds them in layout `b16i` (from an image),
/// else row-major (from a checkpoint). 0, or 1 if refused (BF16 model; row0
/// not a multiple of 4; n over the window or not a multiple of 4 short of
/// the end), or `forward_error::NO_MODEL`.
#[no_mangle]
pub extern "C" fn lm_head_rows_q8(row0: usize, n: usize, b16i: u32) -> i32 {
    match model() {
        Some(m) => !m.lm_head_rows_q8(row0, n, b16i != 0) as i32,
        None => forward_error::NO_MODEL,
    }
}

/// `abi::lm_head`: BF16 (as shipped) or q8; -1 without a model.
#[no_mangle]
pub extern "C" fn lm_head_mode() -> i32 {
    model().map_or(-1, |m| m.cfg.lm_q8 as i32)
}

/// The weight layout this build's kernels read (`model::PREPARED`): part of
/// an image's layout fingerprint, so an image of another layout is refused.
#[no_mangle]
pub extern "C" fn weights_layout() -> u32 {
    crate::model::PREPARED
}

/// Which ternary kernels this module runs (`abi::simd_build`).
#[no_mangle]
pub extern "C" fn kernel_path() -> u32 {
    PATH
}

/// 1 when this runtime runs the relaxed dot-add as one fused instruction
/// (x86 with AVX-VNNI), else 0 (always 0 in the plain build): what the loader
/// goes by where its clock cannot time the tile forms (Workers).
#[no_mangle]
pub extern "C" fn dot_add_fused() -> u32 {
    #[cfg(target_feature = "relaxed-simd")]
    return crate::kernels::relaxed::dot_add_fused() as u32;
    #[cfg(not(target_feature = "relaxed-simd"))]
    0
}

/// Runs `n` tokens from the tokens buffer through session `slot` (fills the
/// rows buffer with `slot`, then `forward_rows`).
#[no_mangle]
pub extern "C" fn forward(slot: u32, n: u32, all_logits: u32) -> i32 {
    forward::forward(slot as usize, n as usize, all_logits != 0)
}

/// Runs `n` token rows: row t feeds tokens[t] to session rows[t] at that
/// session's length plus its earlier rows in this call; every projection runs
/// over all rows together. `logits` (`abi::logits`) picks the rows that get
/// logits: the last, every one, or those flagged in `want_ptr()`; they land in
/// row order at `logits_ptr()`. 0, or a `forward_error` (COUNT, SLOT, CONTEXT,
/// TOKEN) with nothing changed.
#[no_mangle]
pub extern "C" fn forward_rows(n: u32, logits: u32) -> i32 {
    forward::forward_rows(n as usize, logits)
}

/// `forward_rows` for the part of the model this instance holds: `input`
/// (`abi::part_input`) says whether the rows start from token ids or from
/// hidden rows at `hidden_ptr()`; the held layers run (keys and values to
/// each row's session cache of those layers); with lm_head rows the rows
/// `logits` selects get logits over them at `logits_ptr()`, else the hidden
/// rows stay at `hidden_ptr()`. 0, or a `forward_error` (PART, COUNT, SLOT,
/// CONTEXT, TOKEN) with nothing changed.
#[no_mangle]
pub extern "C" fn forward_part(n: u32, logits: u32, input: u32) -> i32 {
    forward::forward_part(n as usize, logits, input)
}

/// Writes the embedding rows this instance holds of the first `n` token ids
/// into their rows at `hidden_ptr()`; the rows of other tokens are left as
/// they were. How many it wrote, or a `forward_error` (NO_MODEL, COUNT, TOKEN).
#[no_mangle]
pub extern "C" fn embed_part(n: u32) -> i32 {
    forward::embed_part(n as usize)
}

/// Chooses the ternary tiles for decoding (one token) and prefill
/// (`abi::ternary_tiles`): 0, or -1 when this build lacks one of them (the
/// plain build has DOT16 only). The choice changes speed, never results.
#[no_mangle]
pub extern "C" fn set_ternary_tiles(decode: u32, prefill: u32) -> i32 {
    if crate::kernels::t2::set_tiles(decode, prefill) { 0 } else { -1 }
}

/// The ternary tiles in use: `which` 0 for decoding, 1 for prefill.
#[no_mangle]
pub extern "C" fn ternary_tiles(which: u32) -> u32 {
    let (d, p) = crate::kernels::t2::tiles();
    if which == 0 { d } else { p }
}

/// Runs layer 0's gate projection over `n_tok` token rows (1..=block, made-up
/// activations in the scratch) `reps` times with the tiles in use: what the
/// loader times to choose the tiles on the model's own shapes. 0, or a
/// `forward_error` (NO_MODEL, NOT_PREPARED, COUNT).
#[no_mangle]
pub extern "C" fn bench_ternary(n_tok: u32, reps: u32) -> i32 {
    match forward::bench_projection(n_tok as usize, reps as usize) {
        Ok(()) => 0,
        Err(e) => e,
    }
}

/// The top of thread `tid`'s stack, where its instance's `__stack_pointer`
/// must start (0 for thread 0 and ids past the model's threads).
#[no_mangle]
pub extern "C" fn thread_stack_top(tid: u32) -> usize {
    model().map_or(0, |m| m.stack_top(tid as usize))
}

/// Lets thread 0 sleep while it waits for the others (1), or makes it spin
/// (0: a browser's main thread, where waiting traps).
#[no_mangle]
pub extern "C" fn threads_can_wait(yes: u32) {
    crate::threads::set_main_can_wait(yes != 0)
}

/// The loop of thread `tid` (1..threads) of a shared-memory build, in its own
/// instance over the same memory, its `__stack_pointer` set to
/// `thread_stack_top(tid)`: blocks until `threads_stop`, then returns 0;
/// -1 without a model or for a bad id.
#[cfg(target_feature = "atomics")]
#[no_mangle]
pub extern "C" fn thread_run(tid: u32) -> i32 {
    match model() {
        Some(m) if tid >= 1 && (tid as usize) < m.cfg.threads => crate::threads::thread_loop(tid as usize),
        _ => -1,
    }
}

/// Makes every `thread_run` return.
#[cfg(target_feature = "atomics")]
#[no_mangle]
pub extern "C" fn threads_stop() {
    crate::threads::stop_threads()
}

/// Where `abi::TABLE` (every shared constant as text) starts.
#[no_mangle]
pub extern "C" fn abi_table() -> *const u8 {
    abi::TABLE.as_ptr()
}

/// Bytes of `abi::TABLE`.
#[no_mangle]
pub extern "C" fn abi_table_len() -> usize {
    abi::TABLE.len()
}
