/**
 * Stop strings over streamed text. A stop string can arrive split over
 * several pieces ("ab" then "c"); text that might be the start of one is held
 * back, so the client never sees any part of a stop string.
 * @module
 */

/** What {@linkcode StopMatcher.push} returns. */
export interface StopResult {
  /** Text that is safe to send now (it cannot be part of a stop string). */
  text: string;
  /** A stop string was found: `text` ends right before it; generation should end. */
  stopped: boolean;
}

/**
 * Finds the first occurrence of any stop string in streamed text.
 *
 * Held back is the suffix starting at the earliest position that could still
 * begin a stop string, i.e. the longest suffix that is a proper prefix of
 * some stop string; everything before it is released.
 *
 * @example
 * ```ts
 * import { StopMatcher } from "./stop.ts";
 * const m = new StopMatcher(["abc"]);
 * m.push("xa"); // { text: "x", stopped: false }
 * m.push("bc!"); // { text: "", stopped: true }
 * ```
 */
export class StopMatcher {
  readonly #stops: string[];
  readonly #longest: number;
  #held = "";
  #stop: string | undefined;

  /**
   * A matcher for these stop strings.
   * @param stops The stop strings (may be empty: nothing ever stops).
   * @throws {RangeError} for a stop that is not a non-empty string.
   */
  constructor(stops: readonly string[]) {
    if (!Array.isArray(stops)) {
      throw new RangeError("stop strings must be given as an array");
    }
    stops.forEach((s, i) => {
      if (typeof s !== "string" || s.length === 0) {
        throw new RangeError(
          `stop string ${i} must be a non-empty string, got ${JSON.stringify(s)}`,
        );
      }
    });
    this.#stops = [...new Set(stops)];
    this.#longest = Math.max(0, ...this.#stops.map((s) => s.length));
  }

  /** The stop string that ended the text, once one has. */
  get matched(): string | undefined {
    return this.#stop;
  }

  /** Whether a stop string has been found. */
  get stopped(): boolean {
    return this.#stop !== undefined;
  }

  /**
   * Adds a piece of generated text.
   *
   * @param piece The next piece.
   * @returns The text now safe to emit, and whether a stop string was found.
   *   After a stop every push returns `{ text: "", stopped: true }`.
   */
  push(piece: string): StopResult {
    if (this.#stop !== undefined) return { text: "", stopped: true };
    const buf = this.#held + piece;
    let at = -1;
    for (const s of this.#stops) {
      const i = buf.indexOf(s);
      if (i >= 0 && (at < 0 || i < at)) {
        at = i;
        this.#stop = s;
      }
    }
    if (at >= 0) {
      this.#held = "";
      return { text: buf.slice(0, at), stopped: true };
    }
    const keep = this.#partial(buf);
    this.#held = buf.slice(buf.length - keep);
    return { text: buf.slice(0, buf.length - keep), stopped: false };
  }

  /**
   * Releases the held-back text at the end of generation (no stop came).
   *
   * @returns The held text; "" after a stop.
   */
  flush(): string {
    const out = this.#held;
    this.#held = "";
    return out;
  }

  /** Length of the longest suffix of `buf` that is a proper prefix of a stop string. */
  #partial(buf: string): number {
    for (let k = Math.min(this.#longest - 1, buf.length); k > 0; k--) {
      const tail = buf.slice(buf.length - k);
      if (this.#stops.some((s) => s.length > k && s.startsWith(tail))) return k;
    }
    return 0;
  }
}
