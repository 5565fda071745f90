/**
 * Which ternary tiles the relaxed build runs, chosen at load by timing both
 * forms on the model's own layer: `dot16` (`i16x8.relaxed_dot_i8x16_i7x16_s`
 * + add, widened every few steps) and `dot-add`
 * (`i32x4.relaxed_dot_i8x16_i7x16_add_s`, one `vpdpbusd` on CPUs with
 * AVX-VNNI, three instructions elsewhere). No wasm code can ask the CPU which
 * it is, so the loader measures: a few milliseconds per candidate, decode
 * and prefill separately. The choice changes speed only; results are exact
 * integers either way.
 * @module
 */

import { SimdBuild, TernaryTiles } from "./abi.ts";
import { EngineError } from "./errors.ts";
import type { KernelExports } from "./exports.ts";

/** A tile form by name. */
export type TileForm = "dot16" | "dot-add";

/** The `ternaryTiles` option: measure at load (`"auto"`), or one form for both. */
export type TileChoice = "auto" | TileForm;

/** The tiles in use, and how the choice was made. */
export interface TileReport {
  /** Tiles of the one-token (decode) product. */
  decode: TileForm;
  /** Tiles of the many-token (prefill) product. */
  prefill: TileForm;
  /**
   * `"measured"` (timed at load), `"forced"` (the option named a form), `"only"` (the build has one form), or
   * `"unmeasured"` (the runtime's clock does not advance while code runs, as in Cloudflare Workers, or moves in steps
   * too coarse to time a few milliseconds: dot16 is kept).
   */
  chosen: "measured" | "forced" | "only" | "unmeasured";
  /** Per measured case, the time ratio dot16 / dot-add, each form's fastest sample (> 1: dot-add faster). */
  ratios?: { decode: number; prefill: number };
}

const CODE: Record<TileForm, number> = { "dot16": TernaryTiles.DOT16, "dot-add": TernaryTiles.DOT_ADD };

/** ms per rep of the gate projection over `nTok` rows with `form`, over about `ms` milliseconds. */
function sample(k: KernelExports, form: number, nTok: number, reps: number): number {
  k.set_ternary_tiles(form, form);
  const t0 = performance.now();
  if (k.bench_ternary(nTok, reps) !== 0) throw new EngineError("internal: bench_ternary failed");
  return (performance.now() - t0) / reps;
}

/**
 * The smallest step of `performance.now()` seen in a short spin, ms;
 * Infinity when it does not move. Workers freeze the clock between I/O (a
 * timing-attack defence) and some runtimes coarsen it: timing kernels there
 * measures nothing, and sizing repetitions by it would run thousands.
 */
function clockStep(): number {
  let step = Infinity, last = performance.now();
  for (let i = 0, seen = 0; i < 200_000 && seen < 5; i++) {
    const t = performance.now();
    if (t !== last) step = Math.min(step, t - last), last = t, seen++;
  }
  return step;
}

/** Longest clock step that still times a 2 ms sample to 1%. */
const FINE_CLOCK_MS = 0.02;

/**
 * time(dot16) / time(dot-add) from samples of each: the fastest of each
 * form's, since whatever disturbs a sample (the process preempted, a
 * compile to V8's optimizing tier still under way) only ever adds time; a
 * median of a few pairs was seen to pick the slower form on a busy machine.
 */
export function fastestRatio(dot16: readonly number[], dotAdd: readonly number[]): number {
  return Math.min(...dot16) / Math.min(...dotAdd);
}

/** time(dot16) / time(dot-add) for `nTok` rows over `pairs` alternating pairs of ~`targetMs` samples: > 1 when dot-add is faster. */
function ratio(k: KernelExports, nTok: number, pairs = 9, targetMs = 1): number {
  sample(k, TernaryTiles.DOT16, nTok, 1), sample(k, TernaryTiles.DOT_ADD, nTok, 1); // warm-up (TurboFan)
  // at most 32: a clock that moves in coarse steps (Workers advance it only at I/O) reads ~0 and would ask for thousands
  const reps = Math.min(32, Math.max(1, Math.round(targetMs / Math.max(1e-3, sample(k, TernaryTiles.DOT16, nTok, 1)))));
  const a: number[] = [], b: number[] = [];
  for (let p = 0; p < pairs; p++) { // each form first in every other pair
    if (p % 2) b.push(sample(k, TernaryTiles.DOT_ADD, nTok, reps));
    a.push(sample(k, TernaryTiles.DOT16, nTok, reps));
    if (!(p % 2)) b.push(sample(k, TernaryTiles.DOT_ADD, nTok, reps));
  }
  return fastestRatio(a, b);
}

/**
 * Sets the tiles of a loaded model's kernels (weights in place and prepared)
 * and says which are in use. `"auto"` keeps dot-add only where it measures at
 * least 3% faster, so a noisy tie keeps the default.
 * @param k The instance.
 * @param choice The `ternaryTiles` option.
 * @param block The model's block size (prefill is timed on up to 8 rows).
 * @throws {EngineError} when a form is forced that this build lacks.
 */
export function chooseTiles(k: KernelExports, choice: TileChoice, block: number): TileReport {
  const relaxed = k.kernel_path() === SimdBuild.RELAXED;
  if (!relaxed) {
    if (choice === "dot-add") {
      throw new EngineError('ternaryTiles "dot-add" needs the relaxed-SIMD build; this runtime runs the plain one');
    }
    return { decode: "dot16", prefill: "dot16", chosen: "only" };
  }
  if (choice !== "auto") {
    k.set_ternary_tiles(CODE[choice], CODE[choice]);
    return { decode: choice, prefill: choice, chosen: "forced" };
  }
  if (!(clockStep() <= FINE_CLOCK_MS)) {
    k.set_ternary_tiles(CODE.dot16, CODE.dot16);
    return { decode: "dot16", prefill: "dot16", chosen: "unmeasured" };
  }
  const decode = ratio(k, 1), prefill = ratio(k, Math.min(8, block));
  const pick = (r: number): TileForm => (r >= 1.03 ? "dot-add" : "dot16");
  const report: TileReport = {
    decode: pick(decode),
    prefill: pick(prefill),
    chosen: "measured",
    ratios: { decode: +decode.toFixed(3), prefill: +prefill.toFixed(3) },
  };
  k.set_ternary_tiles(CODE[report.decode], CODE[report.prefill]);
  return report;
}
