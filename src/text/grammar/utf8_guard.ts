/**
 * Keeps constrained output valid UTF-8. Byte-level tokens may hold part of
 * a character, and the grammar library reads multi-byte sequences loosely
 * (it lets through surrogates and code points past U+10FFFF), which text
 * decoders turn into U+FFFD, one per byte: a string the grammar counted as
 * within `maxLength` could then come out longer. So, on top of the
 * grammar's mask, tokens whose bytes would break UTF-8 where the output
 * stands are masked too (RFC 3629's table of well-formed sequences).
 * @module
 */

import { byteLevelBytes } from "../bytelevel.ts";

/** Where the output stands in a character: continuation bytes still needed, and the next one's range. */
export interface Utf8State {
  need: number;
  lo: number;
  hi: number;
}

export const CHAR_BOUNDARY: Utf8State = { need: 0, lo: 0x80, hi: 0xbf };

/** The state after byte `b`, or undefined if `b` cannot come here. */
function step(s: Utf8State, b: number): Utf8State | undefined {
  if (s.need > 0) {
    if (b < s.lo || b > s.hi) return undefined;
    return s.need === 1 ? CHAR_BOUNDARY : { need: s.need - 1, lo: 0x80, hi: 0xbf };
  }
  if (b < 0x80) return CHAR_BOUNDARY;
  if (b >= 0xc2 && b <= 0xdf) return { need: 1, lo: 0x80, hi: 0xbf };
  if (b === 0xe0) return { need: 2, lo: 0xa0, hi: 0xbf };
  if (b === 0xed) return { need: 2, lo: 0x80, hi: 0x9f };
  if (b >= 0xe1 && b <= 0xef) return { need: 2, lo: 0x80, hi: 0xbf };
  if (b === 0xf0) return { need: 3, lo: 0x90, hi: 0xbf };
  if (b >= 0xf1 && b <= 0xf3) return { need: 3, lo: 0x80, hi: 0xbf };
  if (b === 0xf4) return { need: 3, lo: 0x80, hi: 0x8f };
  return undefined;
}

/** The state after a token's bytes, or undefined if they break UTF-8 from `s`. */
export function afterBytes(s: Utf8State, bytes: ArrayLike<number>): Utf8State | undefined {
  let cur: Utf8State | undefined = s;
  for (let i = 0; i < bytes.length && cur; i++) cur = step(cur, bytes[i]);
  return cur;
}

/** Per-vocabulary tables: each token's bytes, and which tokens need checking. */
export class Utf8Guard {
  readonly #bytes: (number[] | undefined)[];
  /** Tokens that do not take the output from a character boundary to one (checked at boundaries). */
  readonly #unclean: number[] = [];
  /** Tokens that start with a continuation byte (the only ones that can follow a partial character). */
  readonly #continuing: number[] = [];

  /** @param vocab Byte-level token strings, one per row of the logits ("" for special tokens). */
  constructor(vocab: readonly string[]) {
    this.#bytes = vocab.map((t) => (t === "" ? undefined : byteLevelBytes(t)));
    this.#bytes.forEach((b, id) => {
      if (!b || b.length === 0) return; // special tokens and unused rows: no text
      if (afterBytes(CHAR_BOUNDARY, b)?.need !== 0) this.#unclean.push(id);
      if (b[0] >= 0x80 && b[0] <= 0xbf) this.#continuing.push(id);
    });
  }

  /** The state after token `id`. */
  after(s: Utf8State, id: number): Utf8State {
    const b = this.#bytes[id];
    if (!b) return s; // a special token: no text
    return afterBytes(s, b) ?? CHAR_BOUNDARY; // (a broken sequence ends its character, as decoders do)
  }

  /** Clears, in a grammar's mask, the tokens that would break UTF-8 from state `s` (in place). */
  restrict(mask: Int32Array, s: Utf8State): void {
    const allowed = (id: number) => ((mask[id >>> 5] >>> (id & 31)) & 1) === 1;
    const clear = (id: number) => (mask[id >>> 5] &= ~(1 << (id & 31)));
    if (s.need === 0) {
      for (const id of this.#unclean) if (allowed(id) && afterBytes(s, this.#bytes[id]!) === undefined) clear(id);
      return;
    }
    // mid-character: only a token continuing it may come
    const keep: number[] = [];
    for (const id of this.#continuing) if (allowed(id) && afterBytes(s, this.#bytes[id]!) !== undefined) keep.push(id);
    mask.fill(0);
    for (const id of keep) mask[id >>> 5] |= 1 << (id & 31);
  }
}
