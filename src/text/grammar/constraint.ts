/**
 * One generation's grammar state: which token ids may come next (a bitmask
 * over the vocabulary, bit `id & 31` of word `id >> 5`), advanced by every
 * token the sampler picks. Tokens that would break UTF-8 are never allowed
 * (`utf8_guard.ts`).
 * @module
 */

import { CHAR_BOUNDARY, type Utf8Guard, type Utf8State } from "./utf8_guard.ts";
import type { GrammarMatcher } from "./xgrammar.ts";
import { GrammarError } from "./xgrammar.ts";

/** What a generation needs of its grammar (in this thread, or in the grammar worker's). */
export interface GrammarConstraint {
  /** The ids allowed next, as a bitmask of `ceil(vocabSize / 32)` words (bit `id & 31` of word `id >> 5`). */
  allowed(): Promise<Int32Array>;
  /**
   * Advances past a chosen token. A token the grammar does not allow is a
   * GrammarError, here or (in a worker) from the next `allowed()`.
   */
  accept(id: number): void;
  /** Frees it; it cannot be used afterwards. Safe to call twice. */
  dispose(): void;
}

/** The grammar a generation follows, token by token. */
export class Constraint implements GrammarConstraint {
  #matcher: GrammarMatcher | undefined;
  #utf8: Utf8State = CHAR_BOUNDARY;
  /** Tokens accepted so far. */
  accepted = 0;

  /**
   * @param matcher A fresh matcher (owned from now on).
   * @param guard The vocabulary's UTF-8 tables.
   * @param vocabSize Rows of the logits.
   */
  constructor(matcher: GrammarMatcher, readonly guard: Utf8Guard, readonly vocabSize: number) {
    this.#matcher = matcher;
  }

  /** The ids allowed next, as a bitmask of `ceil(vocabSize / 32)` words. */
  async allowed(): Promise<Int32Array> {
    const mask = await this.#live().getNextTokenBitmask();
    this.guard.restrict(mask, this.#utf8);
    return mask;
  }

  /**
   * Advances past a chosen token (a stop token where the grammar may end
   * terminates it).
   * @throws {GrammarError} if the grammar does not allow the token (the mask was not applied).
   */
  accept(id: number): void {
    if (!this.#live().acceptToken(id)) throw new GrammarError(`token ${id} is not allowed by the grammar here`);
    this.#utf8 = this.guard.after(this.#utf8, id);
    this.accepted++;
  }

  /** Whether the grammar has ended (a stop token was accepted where it may end). */
  get terminated(): boolean {
    return this.#live().isTerminated();
  }

  /** Frees the matcher; the constraint cannot be used afterwards. Safe to call twice. */
  dispose(): void {
    this.#matcher?.dispose();
    this.#matcher = undefined;
  }

  #live(): GrammarMatcher {
    if (!this.#matcher) throw new GrammarError("the constraint was disposed");
    return this.#matcher;
  }
}

/** Whether bit `id` is set in a mask from {@linkcode Constraint.allowed}. */
export function isAllowed(mask: Int32Array, id: number): boolean {
  return ((mask[id >>> 5] >>> (id & 31)) & 1) === 1;
}

/** Whether a mask allows any token at all. */
export function anyAllowed(mask: Int32Array): boolean {
  return mask.some((w) => w !== 0);
}
