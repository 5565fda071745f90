/**
 * Next-token choice from logits, with the OpenAI / Hugging Face sampling
 * options, a seedable PRNG, and logprobs.
 *
 * Order, as in transformers: repetition penalty, then frequency and presence
 * penalties, then temperature, then top-k, top-p (over the top-k survivors,
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

/**
 * xoshiro128** (Blackman & Vigna), seeded through splitmix32. Small, fast,
 * and the same stream everywhere for the same seed.
 *
 * @example
 * ```ts
 * import { Rng } from "./sampler.ts";
 * const a = new Rng(42), b = new Rng(42);
 * a.nextFloat() === b.nextFloat(); // true
 * ```
 */
export class Rng {
  #s: Uint32Array = new Uint32Array(4);

  /**
   * @param seed Any integer (its low 64 bits are used).
   * @throws {RangeError} when seed is not an integer.
   */
  constructor(seed: number) {
    if (typeof seed !== "number" || !Number.isInteger(seed)) {
      throw new RangeError(
        `seed must be an integer, got ${JSON.stringify(seed)}`,
      );
    }
    const lo = ((seed % 2 ** 32) + 2 ** 32) % 2 ** 32;
    const hi = ((Math.floor(seed / 2 ** 32) % 2 ** 32) + 2 ** 32) % 2 ** 32;
    let a = lo | 0, b = (hi ^ 0x5bd1e995) | 0;
    for (let i = 0; i < 4; i++) {
      a = (a + 0x9e3779b9) | 0;
      b = (b + 0x7f4a7c15) | 0;
      this.#s[i] = splitmix32(a) ^ Math.imul(splitmix32(b), 0x2c1b3c6d);
    }
    if ((this.#s[0] | this.#s[1] | this.#s[2] | this.#s[3]) === 0) {
      this.#s[0] = 1;
    }
  }

  /** @returns The next 32 random bits as an unsigned integer. */
  nextUint32(): number {
    const s = this.#s;
    const result = Math.imul(rotl(Math.imul(s[1], 5), 7), 9) >>> 0;
    const t = s[1] << 9;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 11);
    return result;
  }

  /** @returns A uniform double in [0, 1) with 53 random bits. */
  nextFloat(): number {
    return ((this.nextUint32() >>> 5) * 2 ** 26 + (this.nextUint32() >>> 6)) /
      2 ** 53;
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

function splitmix32(x: number): number {
  let t = x ^ (x >>> 16);
  t = Math.imul(t, 0x21f0aaad);
  t ^= t >>> 15;
  t = Math.imul(t, 0x735a2d97);
  return (t ^ (t >>> 15)) >>> 0;
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

/** `a` ranks above `b`: larger value, then smaller id (so ties go to the lowest id, like argmax). */
function above(x: Float32Array, a: number, b: number): boolean {
  return x[a] > x[b] || (x[a] === x[b] && a < b);
}

/**
 * The `k` highest-ranked ids of `x`, best first, with a size-k min-heap: O(V log k).
 * @param x Values.
 * @param k How many (<= x.length).
 * @returns The ids.
 */
function topIds(x: Float32Array, k: number): Int32Array {
  const heap = new Int32Array(k);
  let n = 0;
  const down = (i: number) => {
    for (;;) {
      const l = 2 * i + 1, r = l + 1;
      let w = i;
      if (l < n && above(x, heap[w], heap[l])) w = l;
      if (r < n && above(x, heap[w], heap[r])) w = r;
      if (w === i) return;
      [heap[i], heap[w]] = [heap[w], heap[i]];
      i = w;
    }
  };
  for (let id = 0; id < x.length; id++) {
    if (n < k) {
      let i = n++;
      heap[i] = id;
      while (i > 0) {
        const p = (i - 1) >> 1;
        if (!above(x, heap[p], heap[i])) break;
        [heap[i], heap[p]] = [heap[p], heap[i]];
        i = p;
      }
    } else if (above(x, id, heap[0])) {
      heap[0] = id;
      down(0);
    }
  }
  return heap.sort((a, b) => (above(x, a, b) ? -1 : 1));
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
   * @returns The id, its logprob, and the top logprobs when asked.
   * @throws {RangeError} for empty logits, NaN or +Infinity, or all -Infinity.
   */
  sample(logits: Float32Array): SampleResult {
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

/**
 * The k-th largest of `e`: a size-k min-heap (in `tmp`) for small k, where
 * nearly every value fails the one comparison with the heap's root; else
 * {@linkcode selectFloor}.
 */
function kthLargest(e: Float64Array, k: number, tmp: Float64Array): number {
  if (k > 256) {
    tmp.set(e);
    return selectFloor(tmp, e.length, k, false);
  }
  const h = tmp.subarray(0, k);
  for (let i = 0; i < k; i++) h[i] = e[i];
  h.sort();
  for (let i = k; i < e.length; i++) {
    const v = e[i];
    if (v <= h[0]) continue;
    let j = 0; // sift v down from the root
    for (;;) {
      const l = 2 * j + 1, r = l + 1;
      let c = l;
      if (l >= k) break;
      if (r < k && h[r] < h[l]) c = r;
      if (h[c] >= v) break;
      h[j] = h[c];
      j = c;
    }
    h[j] = v;
  }
  return h[0];
}

/**
 * The largest threshold `t` such that the values `>= t` among `v[0, len)`
 * weigh at least `need` (weight = the value itself, or 1 each when not
 * `weighted`): the top-p cut or the k-th largest value. A quickselect with
 * a three-way partition, expected O(len); it reorders `v`.
 */
function selectFloor(
  v: Float64Array,
  len: number,
  need: number,
  weighted: boolean,
): number {
  let lo = 0, hi = len;
  for (;;) {
    const pivot = v[lo + ((hi - lo) >> 1)];
    // [lo, gt) > pivot, [gt, i) == pivot, [lt, hi) < pivot
    let gt = lo, i = lo, lt = hi, wGt = 0, wEq = 0;
    while (i < lt) {
      const a = v[i];
      if (a > pivot) {
        v[i++] = v[gt];
        v[gt++] = a;
        wGt += weighted ? a : 1;
      } else if (a < pivot) {
        v[i] = v[--lt];
        v[lt] = a;
      } else {
        i++;
        wEq += weighted ? a : 1;
      }
    }
    if (wGt >= need && gt > lo) {
      hi = gt;
    } else if (wGt + wEq >= need || lt >= hi) {
      return pivot;
    } else {
      need -= wGt + wEq;
      lo = lt;
    }
  }
}
