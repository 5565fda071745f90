//! Kernels. Each format has a portable scalar reference (`*_ref`) beside its
//! SIMD body (`*_simd`); tests hold the SIMD ones against the references on
//! random inputs with awkward sizes. The forward pass calls the SIMD ones.
//!
//! Two builds of the crate: the plain SIMD128 one (`wasm/falcon_e.wasm`) and,
//! with `-C target-feature=+relaxed-simd`, one whose ternary kernels use
//! relaxed SIMD (`wasm/falcon_e_relaxed.wasm`). `t2` names the ternary kernels of this build;
//! `relaxed.rs` holds the relaxed instructions (ternary and int8 dots, the f32
//! multiply-adds of the BF16 lm_head).

pub mod attention;
pub mod f32ops;
pub mod interleave;
pub mod matmul_q8;
pub mod matvec_bf16;
pub mod matmul_t2_i8;
#[cfg(target_feature = "relaxed-simd")]
pub mod matmul_t2_i8_relaxed;
#[cfg(target_feature = "relaxed-simd")]
mod matmul_t2_i8_tiles;
pub mod peak;
pub mod quantize_i8;
pub mod vec_math;
#[cfg(target_feature = "relaxed-simd")]
pub mod relaxed;

#[cfg(not(target_feature = "relaxed-simd"))]
pub use matmul_t2_i8 as t2;
#[cfg(target_feature = "relaxed-simd")]
pub use matmul_t2_i8_relaxed as t2;

/// Which ternary kernels this build runs (`abi::simd_build`).
pub const PATH: u32 =
    if cfg!(target_feature = "relaxed-simd") { crate::abi::simd_build::RELAXED } else { crate::abi::simd_build::PLAIN };
