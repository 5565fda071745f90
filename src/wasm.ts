/**
 * Hand-written binding of the Rust kernels (`wasm/src/exports.rs`). The
 * module is compiled once per process; every model gets its own instance,
 * so its linear memory holds exactly one model.
 * @module
 */

/** The raw exports of `falcon_e.wasm`. Addresses are byte offsets into `memory`. */
export interface KernelExports {
  /** The instance's linear memory: weights, KV caches and scratch. */
  memory: WebAssembly.Memory;
  model_create(
    nLayers: number,
    hidden: number,
    inter: number,
    nHeads: number,
    nKv: number,
    headDim: number,
    vocab: number,
    eps: number,
    theta: number,
    ctx: number,
    sessions: number,
    block: number,
  ): number;
  tensor_ptr(kind: number, layer: number): number;
  tensor_bytes(kind: number, layer: number): number;
  tokens_ptr(): number;
  logits_ptr(): number;
  memory_bytes(which: number): number;
  session_pos(slot: number): number;
  session_truncate(slot: number, n: number): number;
  forward(slot: number, n: number, allLogits: number): number;
  alloc(bytes: number, align: number): number;
  k_quantize_i8(x: number, n: number, q: number, simd: number): number;
  k_matmul_t2_i8(w: number, out: number, nIn: number, x: number, nTok: number, y: number, simd: number): void;
  k_matvec_bf16(w: number, rows: number, cols: number, x: number, y: number, simd: number): void;
  k_dot_f32(a: number, b: number, n: number, simd: number): number;
  k_axpy_f32(a: number, x: number, y: number, n: number, simd: number): void;
  k_rmsnorm(x: number, w: number, n: number, eps: number, y: number, simd: number): void;
  m_exp(x: number): number;
  m_ln(x: number): number;
  m_sin(x: number): number;
  m_cos(x: number): number;
}

/**
 * Where the committed kernel build sits, next to this package's root. Resolved
 * when first needed, not at import: bundles without a usable import.meta.url
 * (Workers) inject a compiled module instead.
 */
export function wasmUrl(): URL {
  return new URL("../wasm/falcon_e.wasm", import.meta.url);
}

let compiled: Promise<WebAssembly.Module> | undefined;

/**
 * Compiles the kernel module once. Fetched relative to `import.meta.url`, so it
 * works from a local checkout, a remote import and JSR alike.
 */
export function kernelModule(url: URL = wasmUrl()): Promise<WebAssembly.Module> {
  compiled ??= (async () => {
    const res = await fetch(url);
    if (!res.ok) throw new Error(`cannot fetch the kernel module ${url}: HTTP ${res.status}`);
    return await WebAssembly.compile(await res.arrayBuffer());
  })();
  compiled.catch(() => (compiled = undefined));
  return compiled;
}

/** A fresh instance with its own memory. */
export async function instantiateKernels(module?: WebAssembly.Module): Promise<KernelExports> {
  const inst = await WebAssembly.instantiate(module ?? await kernelModule(), {});
  return inst.exports as unknown as KernelExports;
}

/** Tensor kinds of `tensor_ptr` (mirrors `wasm/src/model.rs`). */
export const TensorKind = {
  embed: 0,
  inputNorm: 1,
  postNorm: 2,
  proj0: 3,
  scale0: 10,
  norm: 17,
  lmHead: 18,
} as const;

/** Error codes of `model_create` and `forward`. */
export function kernelError(op: "model_create" | "forward", code: number): string {
  if (op === "model_create") {
    return ({
      [-1]: "the kernels reject this model configuration",
      [-2]: "the model does not fit in WebAssembly memory (4 GiB at most)",
      [-3]: "this instance already holds a model",
    } as Record<number, string>)[code] ?? `model_create failed (${code})`;
  }
  return ({
    [-1]: "no such session slot",
    [-2]: "the context is full",
    [-3]: "a token id is out of the vocabulary",
    [-4]: "bad token count for one block",
    [-5]: "no model loaded",
  } as Record<number, string>)[code] ?? `forward failed (${code})`;
}
