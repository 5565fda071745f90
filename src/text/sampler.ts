/**
 * Next-token choice from logits, with the OpenAI / Hugging Face sampling
 * options, a seedable PRNG, and logprobs.
 *
 * Order, as in transformers: repetition penalty, then frequency and presence
 * penalties, then OpenAI's logit bias, then the grammar's mask of allowed
 * tokens (a constraint; the others become -Infinity), then temperature, then top-k, top-p (over the top-k survivors,
 * renormalized) and min-p. `logprob`s are the log-softmax over the whole
 * vocabulary of the logits after penalties and temperature, before the
 * top-k / top-p / min-p truncation (so they describe the model's adjusted
 * distribution, not the truncated one); with temperature 0 (greedy) the
 * temperature is taken as 1.
 *
 * Truncation keeps every token whose probability relative to the top one is
 * above a threshold, found by selection, never by sorting the vocabulary;
 * tokens tied with the cut are all kept (like transformers' top-k). Cost per
 * token is a few passes over the logits (one `Math.exp` each).
 * @module
 */

import { Rng } from "./rng.ts";
import { kthLargest, selectFloor, topIds } from "./select.ts";

export { Rng } from "./rng.ts";

/** Sampling options; every field is optional. */
export interface SamplerOptions {
  /** 0 is greedy (argmax). In [0, 2]; default 1. */
  temperature?: number;
  /** Keep the k most likely tokens (and any tied with the k-th); 0 turns it off. Integer >= 0; default 0. */
  topK?: number;
  /** Keep the smallest set of most likely tokens holding this much probability. In (0, 1]; default 1. */
  topP?: number;
  /** Drop tokens less likely than `minP` times the most likely one. In [0, 1]; default 0. */
  minP?: number;
  /** HF-style: divide positive / multiply negative logits of every seen token (prompt and output). > 0; default 1. */
  repetitionPenalty?: number;
  /** OpenAI-style: minus `frequencyPenalty * count` for tokens generated so far. In [-2, 2]; default 0. */
  frequencyPenalty?: number;
  /** OpenAI-style: minus `presencePenalty` for every token generated at least once. In [-2, 2]; default 0. */
  presencePenalty?: number;
  /** Integer seed: same seed, options and logits give the same ids. Default: a random seed. */
  seed?: number;
  /** How many most likely tokens to report with their logprobs. Integer >= 0; default 0. */
  topLogprobs?: number;
  /**
   * Compute the chosen token's logprob; default true. With false, greedy
   * sampling without top logprobs skips the softmax (a `Math.exp` per
   * vocabulary entry per token) and reports the logprob as NaN.
   */
  logprobs?: boolean;
  /** OpenAI's `logit_bias`: added to the logits of these token ids, each in [-100, 100] (-100 bans a token). */
  logitBias?: ReadonlyMap<number, number>;
}

/** A token id with its log probability. */
export interface TokenLogprob {
  /** Token id. */
  id: number;
  /** Natural log of its probability. */
  logprob: number;
}

/** What {@linkcode Sampler.sample} returns. */
export interface SampleResult extends TokenLogprob {
  /** The `topLogprobs` most likely tokens, most likely first (empty unless asked). */
  topLogprobs: TokenLogprob[];
}

function check(
  name: string,
  v: unknown,
  ok: (v: number) => boolean,
  range: string,
): number | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== "number" || Number.isNaN(v) || !ok(v)) {
    throw new RangeError(
      `${name} must be ${range}, got ${JSON.stringify(v) ?? String(v)}`,
    );
  }
  return v;
}

/**
 * Chooses token ids from logits. One sampler per generated sequence: it
 * remembers the prompt and the ids it chose, for the penalties.
 *
 * @example Seeded sampling
 * ```ts
 * import { Sampler } from "./sampler.ts";
 * const s = new Sampler({ temperature: 0.7, topP: 0.9, seed: 7 }, [1, 2, 3]);
 * const { id, logprob } = s.sample(new Float32Array([0.1, 2.5, -1, 0.3]));
 * ```
 */
export class Sampler {
  /** The seed in use (the given one, or the random one drawn). */
  readonly seed: number;
  readonly #temperature: number;
  readonly #topK: number;
  readonly #topP: number;
  readonly #minP: number;
  readonly #repetition: number;
  readonly #frequency: number;
  readonly #presence: number;
  readonly #topLogprobs: number;
  readonly #logprobs: boolean;
  readonly #bias: ReadonlyMap<number, number>;
  readonly #rng: Rng;
  /** Prompt and generated ids (repetition penalty). */
  readonly #seen = new Set<number>();
  /** Counts of generated ids (frequency and presence penalties). */
  readonly #counts = new Map<number, number>();
  /** Penalized, temperature-scaled logits. */
  #x = new Float32Array(0);
  /** exp(x - max): weights relative to the most likely token. */
  #e = new Float64Array(0);
  #scratch = new Float64Array(0);

  /**
   * A sampler for one request.
   * @param options See {@linkcode SamplerOptions}.
   * @param promptIds The prompt, seen by the repetition penalty.
   * @throws {RangeError} naming the option that is out of range.
   */
  constructor(options: SamplerOptions = {}, promptIds: ArrayLike<number> = []) {
    const o = options;
    this.#temperature = check(
      "temperature",
      o.temperature,
      (v) => v >= 0 && v <= 2,
      "a number in [0, 2]",
    ) ?? 1;
    this.#topK = check(
      "top_k",
      o.topK,
      (v) => Number.isInteger(v) && v >= 0,
      "an integer >= 0 (0 = off)",
    ) ?? 0;
    this.#topP = check("top_p", o.topP, (v) => v > 0 && v <= 1, "a number in (0, 1]") ?? 1;
    this.#minP = check("min_p", o.minP, (v) => v >= 0 && v <= 1, "a number in [0, 1]") ??
      0;
    this.#repetition = check(
      "repetition_penalty",
      o.repetitionPenalty,
      (v) => v > 0 && Number.isFinite(v),
      "a finite number > 0 (1 = off)",
    ) ?? 1;
    this.#frequency = check(
      "frequency_penalty",
      o.frequencyPenalty,
      (v) => v >= -2 && v <= 2,
      "a number in [-2, 2]",
    ) ??
      0;
    this.#presence = check(
      "presence_penalty",
      o.presencePenalty,
      (v) => v >= -2 && v <= 2,
      "a number in [-2, 2]",
    ) ?? 0;
    this.#topLogprobs = check(
      "top_logprobs",
      o.topLogprobs,
      (v) => Number.isInteger(v) && v >= 0,
      "an integer >= 0",
    ) ??
      0;
    if (o.logprobs !== undefined && typeof o.logprobs !== "boolean") {
      throw new RangeError(`logprobs must be a boolean, got ${JSON.stringify(o.logprobs) ?? String(o.logprobs)}`);
    }
    this.#logprobs = o.logprobs ?? true;
    for (const [id, b] of o.logitBias ?? []) {
      check(`logit_bias[${id}]`, b, (v) => v >= -100 && v <= 100, "a number in [-100, 100]");
      if (!Number.isInteger(id) || id < 0) throw new RangeError(`logit_bias keys must be token ids, got ${id}`);
    }
    this.#bias = o.logitBias ?? new Map();
    const seed = check("seed", o.seed, Number.isInteger, "an integer");
    this.seed = seed ?? crypto.getRandomValues(new Uint32Array(1))[0];
    this.#rng = new Rng(this.seed);
    if (this.#repetition !== 1) {
      for (let i = 0; i < promptIds.length; i++) this.#seen.add(promptIds[i]);
    }
  }

  /**
   * Chooses the next token and records it as generated (for the penalties).
   *
   * @param logits The model's logits for the next position (one per vocabulary id). Not modified.
   * @param allowed The ids a grammar allows next, as a bitmask (bit `id & 31` of word `id >> 5`); default all.
   * @returns The id, its logprob (NaN when not computed: see {@linkcode SamplerOptions.logprobs}), and the top logprobs when asked.
   * @throws {RangeError} for empty logits, NaN or +Infinity, or all -Infinity (nothing allowed).
   */
  sample(logits: Float32Array, allowed?: Int32Array): SampleResult {
    const n = logits.length;
    if (!(logits instanceof Float32Array) || n === 0) {
      throw new RangeError("logits must be a non-empty Float32Array");
    }
    if (this.#x.length !== n) {
      this.#x = new Float32Array(n);
      this.#e = new Float64Array(n);
      this.#scratch = new Float64Array(n);
    }
    const x = this.#x, e = this.#e;
    x.set(logits);
    this.#penalize(x);
    for (const [id, b] of this.#bias) if (id < n) x[id] += b;
    if (allowed) mask(x, allowed);
    const t = this.#temperature;
    if (t !== 0 && t !== 1) { for (let i = 0; i < n; i++) x[i] /= t; }
    let best = 0;
    for (let i = 0; i < n; i++) {
      const v = x[i];
      if (Number.isNaN(v) || v === Infinity) {
        throw new RangeError(
          `logit ${i} is ${v}; logits must be finite or -Infinity`,
        );
      }
      if (v > x[best]) best = i;
    }
    const max = x[best];
    if (max === -Infinity) {
      throw new RangeError("every logit is -Infinity: no token can be chosen");
    }
    if (t === 0 && !this.#logprobs && this.#topLogprobs === 0) { // greedy, nothing to report: no softmax
      this.#record(best);
      return { id: best, logprob: NaN, topLogprobs: [] };
    }
    let sum = 0;
    for (let i = 0; i < n; i++) sum += e[i] = Math.exp(x[i] - max);
    const logZ = max + Math.log(sum);
    const id = t === 0 ? best : this.#draw(sum);
    this.#record(id);
    const top = this.#topLogprobs === 0 ? [] : Array.from(
      topIds(x, Math.min(this.#topLogprobs, n)),
      (j) => ({ id: j, logprob: x[j] - logZ }),
    );
    return { id, logprob: x[id] - logZ, topLogprobs: top };
  }

  #penalize(x: Float32Array): void {
    const n = x.length;
    const r = this.#repetition;
    if (r !== 1) {
      for (const id of this.#seen) {
        if (id >= 0 && id < n) x[id] = x[id] > 0 ? x[id] / r : x[id] * r;
      }
    }
    if (this.#frequency !== 0 || this.#presence !== 0) {
      for (const [id, count] of this.#counts) {
        if (id < n) x[id] -= count * this.#frequency + this.#presence;
      }
    }
  }

  #record(id: number): void {
    if (this.#repetition !== 1) this.#seen.add(id);
    if (this.#frequency !== 0 || this.#presence !== 0) {
      this.#counts.set(id, (this.#counts.get(id) ?? 0) + 1);
    }
  }

  /**
   * Truncates and draws. Every filter keeps the tokens whose weight
   * `e = exp(x - max)` (probability relative to the top token) is at least a
   * threshold, so the kept set is `{e >= floor}` with `floor` the largest of
   * the three thresholds, each found by a selection in O(V), without sorting.
   * Tokens tied at a threshold are all kept (as transformers' top-k does).
   */
  #draw(sum: number): number {
    const e = this.#e, tmp = this.#scratch, n = e.length;
    let floor = 0;
    if (this.#topK > 0 && this.#topK < n) {
      floor = kthLargest(e, this.#topK, tmp);
    }
    if (this.#topP < 1) {
      let mass = 0;
      for (let i = 0; i < n; i++) if (e[i] >= floor) mass += e[i];
      const need = this.#topP * mass;
      // The nucleus lies above the first of these floors that holds enough
      // mass; selecting among those few tokens is cheaper than among all.
      let pool = floor;
      for (const f of [1e-2, 1e-4, 1e-7, 0]) {
        if (f <= floor) break;
        let m = 0;
        for (let i = 0; i < n; i++) if (e[i] >= f) m += e[i];
        if (m >= need) {
          pool = f;
          break;
        }
      }
      let len = 0;
      for (let i = 0; i < n; i++) if (e[i] >= pool) tmp[len++] = e[i];
      floor = Math.max(floor, selectFloor(tmp, len, need, true));
    }
    // e of the top token is exactly 1: min_p's floor is min_p itself.
    if (this.#minP > 0) floor = Math.max(floor, this.#minP);
    let total = sum;
    if (floor > 0) {
      total = 0;
      for (let i = 0; i < n; i++) if (e[i] >= floor) total += e[i];
    }
    let target = this.#rng.nextFloat() * total, last = -1;
    for (let i = 0; i < n; i++) {
      const w = e[i];
      if (w === 0 || w < floor) continue;
      last = i;
      target -= w;
      if (target < 0) return i;
    }
    return last; // rounding left a sliver of `target`: the last kept token
  }
}

/** Sets the logits of the ids a bitmask leaves out to -Infinity. */
function mask(x: Float32Array, allowed: Int32Array): void {
  const n = x.length;
  for (let w = 0; w * 32 < n; w++) {
    const bits = allowed[w] ?? 0;
    if (bits === -1) continue; // all 32 allowed
    const end = Math.min(n, w * 32 + 32);
    for (let i = w * 32; i < end; i++) if (((bits >>> (i & 31)) & 1) === 0) x[i] = -Infinity;
  }
}
