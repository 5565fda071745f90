//! The numbers the TypeScript binding shares with this crate, defined once:
//! tensor kinds, error codes with their messages, logits modes, memory kinds,
//! limits. `abi!` makes each group a module of constants and also lists every
//! constant in `TABLE`, which `exports::abi_table` hands to the host;
//! `deno task build:wasm` writes `src/engine/abi.ts` from it (`wasm/gen_abi.ts`),
//! and a test holds that file to both committed modules.

macro_rules! abi {
    ($( $(#[doc = $gdoc:literal])* $group:ident: $ty:ty {
        $( $(#[doc = $doc:literal])* $name:ident = $val:literal $(=> $msg:literal)? ),* $(,)?
    } )*) => {
        $( $(#[doc = $gdoc])* pub mod $group { $( $(#[doc = $doc])* pub const $name: $ty = $val; )* } )*
        /// Every group (a `#group<TAB>doc` line) and its constants (one
        /// `group<TAB>name<TAB>value<TAB>message<TAB>doc` line each; message and doc may be empty).
        pub static TABLE: &str = concat!($(
            "#", stringify!($group), "\t", $($gdoc,)* "\n",
            $( stringify!($group), "\t", stringify!($name), "\t", stringify!($val), "\t", $($msg,)? "\t", $($doc,)* "\n", )*
        )*);
    };
}

abi! {
    /// Tensor kinds of `tensor_ptr` / `tensor_bytes`: where the loader writes each checkpoint tensor.
    tensor: u32 {
        /// [vocab, hidden] bf16
        EMBED = 0,
        /// [hidden] bf16, per layer
        INPUT_NORM = 1,
        /// [hidden] bf16, per layer
        POST_NORM = 2,
        /// packed ternary [out/4, in] u8, per layer (the seven projections in checkpoint order)
        Q_PROJ = 3, K_PROJ = 4, V_PROJ = 5, O_PROJ = 6, GATE_PROJ = 7, UP_PROJ = 8, DOWN_PROJ = 9,
        /// weight_scale [1] bf16, per layer, in the projections' order
        Q_SCALE = 10, K_SCALE = 11, V_SCALE = 12, O_SCALE = 13, GATE_SCALE = 14, UP_SCALE = 15, DOWN_SCALE = 16,
        /// [hidden] bf16
        NORM = 17,
        /// [vocab, hidden] bf16
        LM_HEAD = 18,
    }
    /// Errors of `model_create`.
    create_error: i32 {
        CONFIG = -1 => "the kernels reject this model configuration",
        MEMORY = -2 => "the model does not fit in WebAssembly memory (4 GiB at most)",
        EXISTS = -3 => "this instance already holds a model",
        THREADS = -4 => "more than one thread needs the shared-memory build of the kernels",
    }
    /// Errors of `forward` and `forward_rows` (checked in this order, before any state changes).
    forward_error: i32 {
        SLOT = -1 => "no such session slot",
        CONTEXT = -2 => "the context is full",
        TOKEN = -3 => "a token id is out of the vocabulary",
        COUNT = -4 => "bad token count for one block",
        NO_MODEL = -5 => "no model loaded",
        NOT_PREPARED = -6 => "the weights were not prepared (prepare_weights) after loading",
        PART = -7 => "this instance does not hold the part of the model the call needs",
    }
    /// Where the rows of a `forward_part` call start.
    part_input: u32 {
        /// token ids at `tokens_ptr()` (needs the whole embedding)
        TOKENS = 0,
        /// hidden rows (f32, [n, hidden]) at `hidden_ptr()`, from the previous part
        HIDDEN = 1,
    }
    /// Which rows of a `forward_rows` call get logits.
    logits: u32 {
        /// the last row only
        LAST = 0,
        /// every row
        ALL = 1,
        /// the rows flagged in `want_ptr()` (e.g. the last row of each session)
        WANTED = 2,
    }
    /// What `memory_bytes` reports.
    memory_kind: u32 {
        /// embedding, packed projections, norms, lm_head
        WEIGHTS = 0,
        /// every session's KV cache at full context
        KV_CACHE = 1,
        /// activations, RoPE table, logits and loading buffers
        SCRATCH = 2,
    }
    /// `kernel_path()`: which build of the kernels this module is (the ternary kernels differ).
    simd_build: u32 { PLAIN = 0, RELAXED = 1 }
    /// The relaxed build's ternary tiles (`set_ternary_tiles`, `ternary_tiles`); the plain build has DOT16 only.
    ternary_tiles: u32 {
        /// `i16x8.relaxed_dot_i8x16_i7x16_s` + `i16x8.add`, widened every few steps
        DOT16 = 0,
        /// `i32x4.relaxed_dot_i8x16_i7x16_add_s` (one vpdpbusd with AVX-VNNI)
        DOT_ADD = 1,
        /// two of the four fields as DOT_ADD, two as DOT16
        MIXED = 2,
    }
    /// `lm_head_mode()`: the lm_head weights in use (-1 without a model).
    lm_head: i32 { BF16 = 0, Q8 = 1 }
    /// Bounds the kernels are built for.
    limits: u32 {
        /// most token rows in one forward call (the prefill block)
        MAX_BLOCK = 64,
        /// widest projection input the ternary kernels accept
        MAX_IN = 65536,
        /// initial pages of the shared memory a threaded build imports (its data and first stack fit)
        SHARED_INITIAL_PAGES = 32,
    }
}
