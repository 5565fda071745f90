//! Bump allocation over wasm linear memory. The engine allocates everything
//! once at `model_create`; nothing is ever freed (one model per instance).

use core::arch::wasm32::{memory_grow, memory_size};

extern "C" {
    static __heap_base: u8;
}

const PAGE: usize = 65536;
static mut TOP: usize = 0;

fn top() -> usize {
    unsafe {
        if TOP == 0 {
            TOP = &__heap_base as *const u8 as usize;
        }
        TOP
    }
}

/// Bytes `alloc(bytes, align)` would consume from `top` (alignment padding included).
pub fn aligned(at: usize, align: usize) -> usize {
    (at + align - 1) & !(align - 1)
}

/// Grows memory so that `[0, end)` is addressable. Returns false when the
/// engine cannot have that much (wasm32 tops out at 4 GiB).
pub fn ensure(end: usize) -> bool {
    let have = memory_size(0) * PAGE;
    if end <= have {
        return true;
    }
    let need = (end - have + PAGE - 1) / PAGE;
    memory_grow(0, need) != usize::MAX
}

/// Reserves `bytes` aligned to `align` (a power of two). The bytes are zero:
/// memory fresh from `memory.grow` is zeroed and the arena never reuses.
/// Returns 0 when memory cannot grow.
pub fn alloc(bytes: usize, align: usize) -> usize {
    let start = aligned(top(), align);
    let end = match start.checked_add(bytes) {
        Some(e) => e,
        None => return 0,
    };
    if !ensure(end) {
        return 0;
    }
    unsafe { TOP = end };
    start
}

/// The first free address.
pub fn current() -> usize {
    top()
}
