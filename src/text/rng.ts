/**
 * The samplers' seedable PRNG.
 * @module
 */

/**
 * xoshiro128** (Blackman & Vigna), seeded through splitmix32. Small, fast,
 * and the same stream everywhere for the same seed.
 *
 * @example
 * ```ts
 * import { Rng } from "./rng.ts";
 * const a = new Rng(42), b = new Rng(42);
 * a.nextFloat() === b.nextFloat(); // true
 * ```
 */
export class Rng {
  #s: Uint32Array = new Uint32Array(4);

  /**
   * A generator seeded by `seed`.
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

  /** The next 32 random bits, as an unsigned integer. */
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

  /** A uniform double in [0, 1) with 53 random bits. */
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
