//! Typed views of linear memory at the addresses `model.rs` plans. The
//! forward pass works on addresses (every buffer is placed once, up front);
//! these turn one into a slice for the length at hand.

/// `n` f32 at `p`.
pub fn f32s<'a>(p: usize, n: usize) -> &'a mut [f32] {
    unsafe { core::slice::from_raw_parts_mut(p as *mut f32, n) }
}

/// `n` u16 at `p` (BF16 or f16 bits).
pub fn u16s<'a>(p: usize, n: usize) -> &'a [u16] {
    unsafe { core::slice::from_raw_parts(p as *const u16, n) }
}

/// `n` u32 at `p`.
pub fn u32s<'a>(p: usize, n: usize) -> &'a mut [u32] {
    unsafe { core::slice::from_raw_parts_mut(p as *mut u32, n) }
}

/// `n` i32 at `p`.
pub fn i32s<'a>(p: usize, n: usize) -> &'a mut [i32] {
    unsafe { core::slice::from_raw_parts_mut(p as *mut i32, n) }
}

/// `n` i8 at `p`.
pub fn i8s<'a>(p: usize, n: usize) -> &'a mut [i8] {
    unsafe { core::slice::from_raw_parts_mut(p as *mut i8, n) }
}

/// `n` bytes at `p`.
pub fn bytes<'a>(p: usize, n: usize) -> &'a [u8] {
    unsafe { core::slice::from_raw_parts(p as *const u8, n) }
}
