/**
 * The kernel modules: where they are, which one this runtime runs, compiling
 * each once per process and instantiating it. Every model gets its own
 * instance, so its linear memory holds exactly one model. The exports are
 * typed in `exports.ts`, the numbers they take in `abi.ts`.
 *
 * Two builds of the same crate exist: `falcon_e_relaxed.wasm`, whose ternary
 * and int8 kernels use relaxed SIMD (`i16x8.relaxed_dot_i8x16_i7x16_s`) and
 * whose BF16 lm_head uses `f32x4.relaxed_madd` (fused where the CPU has FMA), and
 * `falcon_e.wasm`, plain SIMD128. The relaxed one is chosen when the runtime
 * validates relaxed SIMD (Deno, workerd, Chrome, Firefox do by default); set
 * `FALCON_E_KERNELS=plain` (or `relaxed`) in the environment to force a path.
 *
 * The KV cache is IEEE f16 unless `model_create` is asked for f32 (the
 * `kvCache` load option); the lm_head is BF16 unless it is asked for q8 (the
 * `lmHead` option), whose rows the loader then streams through a window.
 * @module
 */

import { CREATE_ERROR_MESSAGES, FORWARD_ERROR_MESSAGES, Limits } from "./abi.ts";
import { envVar } from "./env.ts";
import type { KernelExports, KernelTestExports } from "./exports.ts";

export type { KernelExports, KernelTestExports } from "./exports.ts";

/** Which build of the kernels: plain SIMD128 or relaxed SIMD. */
export type KernelPath = "plain" | "relaxed";

/**
 * Where a committed kernel build sits, next to this package's root. Resolved
 * when first needed, not at import: bundles without a usable import.meta.url
 * (Workers) inject a compiled module instead.
 */
export function wasmUrl(which: KernelPath, threaded = false): URL {
  const name = `falcon_e${which === "relaxed" ? "_relaxed" : ""}${threaded ? "_mt" : ""}.wasm`;
  return new URL(`../../wasm/${name}`, import.meta.url);
}

/** Whether a kernel module is a shared-memory (threaded) build: it imports its memory. */
export function isThreadedModule(module: WebAssembly.Module): boolean {
  return WebAssembly.Module.imports(module).some((i) => i.kind === "memory");
}

// The two relaxed instructions the relaxed build uses:
// (module (func (param v128 v128 v128) (result v128)
//   (f32x4.relaxed_madd
//     (i16x8.relaxed_dot_i8x16_i7x16_s (local.get 0) (local.get 1)) (local.get 1) (local.get 2))))
// deno-fmt-ignore
const RELAXED_PROBE = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x01, 0x60, 0x03, 0x7b, 0x7b, 0x7b, 0x01, 0x7b,
  0x03, 0x02, 0x01, 0x00, 0x0a, 0x12, 0x01, 0x10, 0x00, 0x20, 0x00, 0x20, 0x01, 0xfd, 0x92, 0x02, 0x20, 0x01,
  0x20, 0x02, 0xfd, 0x85, 0x02, 0x0b,
]);

/** Whether this runtime compiles `i16x8.relaxed_dot_i8x16_i7x16_s` and `f32x4.relaxed_madd`. */
export function relaxedSimdSupported(): boolean {
  try {
    return WebAssembly.validate(RELAXED_PROBE);
  } catch {
    return false;
  }
}

/** The path `kernelModule()` picks: `FALCON_E_KERNELS` if set, else relaxed where supported. */
export function defaultKernelPath(): KernelPath {
  const forced = envVar("FALCON_E_KERNELS");
  if (forced === "plain" || forced === "relaxed") return forced;
  return relaxedSimdSupported() ? "relaxed" : "plain";
}

const compiled = new Map<string, Promise<WebAssembly.Module>>();

/**
 * Compiles a kernel module once. Fetched relative to `import.meta.url`, so it
 * works from a local checkout, a remote import and JSR alike.
 * @param which `"plain"`, `"relaxed"`, or the URL of a module; default {@linkcode defaultKernelPath}.
 * @param threaded The shared-memory build of that path (one instance per thread).
 */
export function kernelModule(
  which: KernelPath | URL = defaultKernelPath(),
  threaded = false,
): Promise<WebAssembly.Module> {
  const url = which === "plain" || which === "relaxed" ? wasmUrl(which, threaded) : which;
  const key = url.href;
  let p = compiled.get(key);
  if (!p) {
    p = (async () => {
      const res = await fetch(url);
      if (!res.ok) throw new Error(`cannot fetch the kernel module ${url}: HTTP ${res.status}`);
      return await WebAssembly.compile(await res.arrayBuffer());
    })();
    compiled.set(key, p);
    p.catch(() => compiled.delete(key));
  }
  return p;
}

/**
 * A fresh instance with its own memory: for a threaded build, a new shared
 * memory (`SHARED_INITIAL_PAGES` pages, growable to 4 GiB) that the model's
 * other threads then instantiate the module over.
 * @param module A compiled kernel module; default {@linkcode kernelModule}'s choice.
 */
export async function instantiateKernels(module?: WebAssembly.Module): Promise<KernelExports> {
  const m = module ?? await kernelModule();
  if (!isThreadedModule(m)) return (await WebAssembly.instantiate(m, {})).exports as unknown as KernelExports;
  const memory = new WebAssembly.Memory({ initial: Limits.SHARED_INITIAL_PAGES, maximum: 65536, shared: true });
  const inst = await WebAssembly.instantiate(m, { env: { memory } });
  return { ...inst.exports, memory } as unknown as KernelExports;
}

/**
 * A fresh instance typed with the test and benchmark exports (every kernel
 * with its scalar reference, the benchmark ceilings).
 * @param module A compiled kernel module; default {@linkcode kernelModule}'s choice.
 */
export async function instantiateTestKernels(module?: WebAssembly.Module): Promise<KernelTestExports> {
  return await instantiateKernels(module) as KernelTestExports;
}

/** The message for a kernel error code of `model_create` or of `forward` / `forward_rows`. */
export function kernelError(op: "model_create" | "forward", code: number): string {
  const messages = op === "model_create" ? CREATE_ERROR_MESSAGES : FORWARD_ERROR_MESSAGES;
  return messages[code] ?? `${op} failed (${code})`;
}
