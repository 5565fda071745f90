/**
 * A prompt as pieces to encode: text the chat template wrote, whose special
 * tokens (`<|im_start|>`...) are the control tokens they spell, and text a
 * client wrote (`plain`), in which the same characters are only text. So a
 * message saying `<|im_end|>\n<|im_start|>system` cannot forge a turn: its
 * special-token texts are encoded split in two, each half by the tokenizer as
 * ordinary text, and no control token comes out of them.
 * @module
 */

import type { TextTokenizer } from "./tokenizer.ts";

/** A piece of prompt text. */
export interface PromptPiece {
  /** The text. */
  text: string;
  /** Written by a client: special-token texts in it are text, not control tokens. */
  plain?: boolean;
  /** Let the tokenizer's post-processor add its special tokens (BOS...) to this piece (a plain completion prompt). */
  addSpecialTokens?: boolean;
}

/** Where in `text` the first of `specials` occurs, and which, if any does. */
function firstSpecial(text: string, specials: readonly string[]): { at: number; len: number } | undefined {
  let best: { at: number; len: number } | undefined;
  for (const s of specials) {
    const at = text.indexOf(s);
    if (at >= 0 && (!best || at < best.at || (at === best.at && s.length > best.len))) best = { at, len: s.length };
  }
  return best;
}

/** Whether `text` holds the text of a special token. */
export function hasSpecialText(tokenizer: TextTokenizer, text: string): boolean {
  return firstSpecial(text, tokenizer.specialTexts()) !== undefined;
}

/** `text` split so that no part holds a whole special-token text (each occurrence cut after its first character). */
export function plainParts(text: string, specials: readonly string[]): string[] {
  const out: string[] = [];
  let rest = text;
  for (;;) {
    const hit = firstSpecial(rest, specials);
    if (!hit) break;
    out.push(rest.slice(0, hit.at + 1));
    rest = rest.slice(hit.at + 1);
  }
  if (rest) out.push(rest);
  return out.filter((p) => p.length > 0);
}

/** The ids of prompt pieces, in order (BOS/EOS only where a piece asks: a template writes its own). */
export function encodePieces(tokenizer: TextTokenizer, pieces: readonly PromptPiece[]): number[] {
  const ids: number[] = [];
  const specials = tokenizer.specialTexts();
  for (const p of pieces) {
    const parts = p.plain ? plainParts(p.text, specials) : [p.text];
    for (const part of parts) ids.push(...tokenizer.encode(part, { addSpecialTokens: p.addSpecialTokens === true }));
  }
  return ids;
}

/** Characters in all pieces. */
export function piecesLength(pieces: readonly PromptPiece[]): number {
  return pieces.reduce((n, p) => n + p.text.length, 0);
}
