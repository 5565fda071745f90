//! Load-time layout changes shared by the kernels: one static scratch for the
//! in-place repacks, and the 4-row interleaving of the lm_head layouts
//! (`b16i` in `matvec_bf16.rs`, `q8i` in `matmul_q8.rs`): rows in groups of 4,
//! 16-byte chunk j of rows 4g..4g+3 one after another, then the 4 rows' tail
//! bytes (row length % 16); rows past the last whole group stay as they are.

use super::matmul_t2_i8::MAX_IN;

#[repr(align(16))]
struct Scratch([u8; 8 * MAX_IN]);

static mut SCRATCH: Scratch = Scratch([0; 8 * MAX_IN]);

/// `n` bytes (at most 8 * MAX_IN) of the load-time scratch. Single-threaded,
/// and no caller holds it across a call to another user.
pub(crate) fn scratch(n: usize) -> &'static mut [u8] {
    assert!(n <= 8 * MAX_IN);
    unsafe { core::slice::from_raw_parts_mut((&raw mut SCRATCH.0) as *mut u8, n) }
}

/// Writes 4 rows of `row_bytes` bytes each (`src`, one after another) to `dst`
/// in the interleaved group layout.
pub fn interleave4(src: &[u8], row_bytes: usize, dst: &mut [u8]) {
    let body = row_bytes & !15;
    let tail = row_bytes - body;
    for j in (0..body).step_by(16) {
        for k in 0..4 {
            dst[4 * j + 16 * k..4 * j + 16 * k + 16].copy_from_slice(&src[k * row_bytes + j..k * row_bytes + j + 16]);
        }
    }
    for k in 0..4 {
        dst[4 * body + k * tail..4 * body + (k + 1) * tail].copy_from_slice(&src[k * row_bytes + body..(k + 1) * row_bytes]);
    }
}

/// Row-major rows of `row_bytes` bytes -> the interleaved group layout, in place.
pub fn interleave_rows(w: &mut [u8], rows: usize, row_bytes: usize) {
    assert!(w.len() >= rows * row_bytes && 4 * row_bytes <= 8 * MAX_IN);
    let tmp = scratch(4 * row_bytes);
    for g in 0..rows / 4 {
        let at = &mut w[4 * g * row_bytes..4 * (g + 1) * row_bytes];
        tmp.copy_from_slice(at);
        interleave4(tmp, row_bytes, at);
    }
}
