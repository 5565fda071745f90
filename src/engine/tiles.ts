/**
 * Which ternary tiles the relaxed build runs, chosen at load by timing the
 * forms on the model's own layer: `dot16` (`i16x8.relaxed_dot_i8x16_i7x16_s`
 * + add, widened every few steps), `dot-add`
 * (`i32x4.relaxed_dot_i8x16_i7x16_add_s`, one `vpdpbusd` on CPUs with
 * AVX-VNNI, three instructions elsewhere) and `mixed` (half the fields each
 * way). No wasm code can ask the CPU which it is, so the loader measures: a
 * few milliseconds per candidate, decode and prefill separately. Where no
 * clock can time them (Workers), the dot-add's result on bytes outside the i7
 * range tells whether it runs fused, and that decides. The choice changes
 * speed only; results are exact integers either way.
 * @module
 */

import { SimdBuild, TernaryTiles } from "./abi.ts";
import { EngineError } from "./errors.ts";
import type { KernelExports } from "./exports.ts";

/** A tile form by name. */
export type TileForm = "dot16" | "dot-add" | "mixed";

/** Every form, dot16 (the default) first. */
export const TILE_FORMS: readonly TileForm[] = ["dot16", "dot-add", "mixed"];

/**
 * Per alternative form, time(dot16) / time(form): > 1 when the form is
 * faster. A form the kernel module lacks (an older build passed as
 * `kernels`) has no entry.
 */
export type FormRatios = { "dot-add"?: number; mixed?: number };

/** The `ternaryTiles` option: measure at load (`"auto"`), or one form for both. */
export type TileChoice = "auto" | TileForm;

/** Every value of the `ternaryTiles` option (and of `--ternary-tiles`, `TERNARY_TILES`). */
export const TILE_CHOICES: readonly TileChoice[] = ["auto", ...TILE_FORMS];

/** The tiles in use, and how the choice was made. */
export interface TileReport {
  /** Tiles of the one-token (decode) product. */
  decode: TileForm;
  /** Tiles of the many-token (prefill) product. */
  prefill: TileForm;
  /**
   * `"measured"` (timed at load), `"forced"` (the option named a form), `"only"` (the build has one form),
   * `"unmeasured"` (the runtime's clock does not advance while code runs, as in Cloudflare Workers, or moves in steps
   * too coarse to time a few milliseconds: dot16 is kept), or `"probed"` (no such clock, but the dot-add's result on
   * out-of-range bytes shows it runs as one fused instruction, as with AVX-VNNI: mixed is kept, the form that
   * measured fastest on such a CPU).
   */
  chosen: "measured" | "forced" | "only" | "unmeasured" | "probed";
  /** Per measured case and form, the time ratio dot16 / form, each form's fastest sample (> 1: the form is faster). */
  ratios?: { decode: FormRatios; prefill: FormRatios };
}

const CODE: Record<TileForm, number> = {
  "dot16": TernaryTiles.DOT16,
  "dot-add": TernaryTiles.DOT_ADD,
  "mixed": TernaryTiles.MIXED,
};

/** ms per rep of the gate projection over `nTok` rows with `form`, over about `ms` milliseconds. */
function sample(k: KernelExports, form: number, nTok: number, reps: number): number {
  if (k.set_ternary_tiles(form, form) !== 0) throw new EngineError(`internal: tile form ${form} refused`);
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

/** The forms this kernel module has: dot16 (always, first), then those older builds may lack. */
function formsOf(k: KernelExports): TileForm[] {
  const have = TILE_FORMS.filter((f) => k.set_ternary_tiles(CODE[f], CODE[f]) === 0);
  k.set_ternary_tiles(CODE.dot16, CODE.dot16);
  return have;
}

/**
 * time(dot16) / time(form) for each of `forms` but dot16, `nTok` rows, over
 * `rounds` rounds of ~`targetMs` samples of every form (their order rotating
 * round by round): > 1 when the form is faster.
 */
function ratios(k: KernelExports, forms: TileForm[], nTok: number, rounds = 9, targetMs = 1): FormRatios {
  for (const f of forms) sample(k, CODE[f], nTok, 1); // warm-up (TurboFan)
  // at most 32: a clock that moves in coarse steps (Workers advance it only at I/O) reads ~0 and would ask for thousands
  const reps = Math.min(32, Math.max(1, Math.round(targetMs / Math.max(1e-3, sample(k, TernaryTiles.DOT16, nTok, 1)))));
  const times = forms.map(() => [] as number[]);
  for (let r = 0; r < rounds; r++) {
    for (let i = 0; i < forms.length; i++) {
      const f = (i + r) % forms.length;
      times[f].push(sample(k, CODE[forms[f]], nTok, reps));
    }
  }
  const out: FormRatios = {};
  forms.forEach((f, i) => {
    if (f !== "dot16") out[f] = +fastestRatio(times[0], times[i]).toFixed(3); // forms[0] is dot16 (formsOf)
  });
  return out;
}

/** The form `auto` keeps for measured ratios: the fastest, if it beats dot16 by 3% (a noisy tie keeps the default). */
export function pickForm(r: FormRatios): TileForm {
  let best: TileForm = "dot16", top = 1.03;
  for (const f of ["dot-add", "mixed"] as const) {
    const v = r[f];
    if (v !== undefined && v >= top) best = f, top = v;
  }
  return best;
}

/**
 * Sets the tiles of a loaded model's kernels (weights in place and prepared)
 * and says which are in use. `"auto"` keeps another form than dot16 only
 * where it measures at least 3% faster (`pickForm`).
 * @param k The instance.
 * @param choice The `ternaryTiles` option.
 * @param block The model's block size (prefill is timed on up to 8 rows).
 * @throws {EngineError} when a form is forced that this build lacks.
 */
export function chooseTiles(k: KernelExports, choice: TileChoice, block: number): TileReport {
  const relaxed = k.kernel_path() === SimdBuild.RELAXED;
  if (!relaxed) {
    if (choice !== "auto" && choice !== "dot16") {
      throw new EngineError(`ternaryTiles "${choice}" needs the relaxed-SIMD build; this runtime runs the plain one`);
    }
    return { decode: "dot16", prefill: "dot16", chosen: "only" };
  }
  if (choice !== "auto") {
    if (k.set_ternary_tiles(CODE[choice], CODE[choice]) !== 0) {
      throw new EngineError(`ternaryTiles "${choice}": this kernel module has no such tiles (an older build?)`);
    }
    return { decode: choice, prefill: choice, chosen: "forced" };
  }
  if (!(clockStep() <= FINE_CLOCK_MS)) {
    // no clock to time the forms by: where the dot-add is one fused instruction (AVX-VNNI), mixed (whole model on a
    // Zen 5, forced: decode 1.03-1.04x, prefill 1.01-1.04x over dot16); elsewhere dot-add costs three and dot16 stays
    const form: TileForm = k.dot_add_fused?.() === 1 && formsOf(k).includes("mixed") ? "mixed" : "dot16";
    k.set_ternary_tiles(CODE[form], CODE[form]);
    return { decode: form, prefill: form, chosen: form === "mixed" ? "probed" : "unmeasured" };
  }
  const forms = formsOf(k);
  const decode = ratios(k, forms, 1), prefill = ratios(k, forms, Math.min(8, block));
  const report: TileReport = {
    decode: pickForm(decode),
    prefill: pickForm(prefill),
    chosen: "measured",
    ratios: { decode, prefill },
  };
  k.set_ternary_tiles(CODE[report.decode], CODE[report.prefill]);
  return report;
}
