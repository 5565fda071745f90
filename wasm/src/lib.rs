//! Falcon-E (BitNet b1.58) kernels and forward pass for `wasm32-unknown-unknown`
//! with `simd128`. `no_std`, zero dependencies, plain `extern "C"` exports
//! (see `exports.rs`); the TypeScript binding lives in `src/engine/`.
//!
//! Reading order: `abi` (every number shared with TypeScript) -> `math`
//! (scalar functions no_std lacks) -> `kernels/*` (each SIMD kernel beside its
//! scalar reference) -> `config` (a model's shape and the part an instance
//! holds) -> `model` (layout of weights, KV cache and scratch in
//! linear memory) -> `forward` (the transformer) -> `exports` (the engine's
//! ABI) and `test_exports` (kernels for tests and benchmarks).
#![no_std]
#![cfg_attr(target_feature = "atomics", feature(stdarch_wasm_atomic_wait))]

pub mod abi;
pub mod arena;
pub mod attend;
pub mod bitlinear;
pub mod config;
pub mod forward;
pub mod kernels;
pub mod lm_head;
pub mod math;
pub mod mem;
pub mod model;
pub mod exports;
pub mod test_exports;
pub mod threads;

#[panic_handler]
fn panic(_: &core::panic::PanicInfo) -> ! {
    // Trap: the host sees a RuntimeError instead of a hang.
    core::arch::wasm32::unreachable()
}
