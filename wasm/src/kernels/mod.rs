//! Kernels. Each format has a portable scalar reference (`*_ref`) beside its
//! SIMD128 body (`*_simd`); tests hold the SIMD ones against the references on
//! random inputs with awkward sizes. The forward pass calls the SIMD ones.

pub mod f32ops;
pub mod matvec_bf16;
pub mod matmul_t2_i8;
pub mod quantize_i8;
