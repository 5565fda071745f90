/**
 * Streaming detokenization: token ids in, text pieces out, never a broken
 * character. A byte-level BPE token can hold part of a UTF-8 character
 * ("日" is three tokens in a small vocabulary); its text is held back until
 * the character is complete.
 * @module
 */

/** What the decoder needs of a tokenizer (a `TextTokenizer` fits). */
export interface Detokenizer {
  /** The text of ids; an unfinished character at the end decodes to U+FFFD. */
  decode(ids: number[], options?: { skipSpecialTokens?: boolean }): string;
}

/** Options of {@linkcode IncrementalDecoder}. */
export interface IncrementalDecoderOptions {
  /** Leave out special tokens' text. Default false. */
  skipSpecialTokens?: boolean;
}

const REPLACEMENT = "\uFFFD";

/**
 * Turns generated token ids into text pieces one id at a time.
 *
 * It keeps a window of ids: `prefix` (already emitted, decoded again only so
 * that word-joining decoders see the left context) and the ids not yet
 * emitted. Each push decodes the window; text beyond the prefix's text is
 * emitted unless it ends in U+FFFD (an unfinished character). After an
 * emission the window drops all but the ids just emitted, so work per token
 * stays proportional to the window, not the whole output. Concatenating every
 * piece and `flush()` gives `decode(allIds)`.
 *
 * @example
 * ```ts ignore
 * const dec = new IncrementalDecoder(tokenizer);
 * let text = "";
 * for (const id of tokenizer.encode("日本")) text += dec.push(id); // "" until a character is whole
 * text += dec.flush(); // "日本"
 * ```
 */
export class IncrementalDecoder {
  readonly #tok: Detokenizer;
  readonly #skip: boolean;
  /** The window: ids from the prefix start on. */
  #ids: number[] = [];
  /** Ids of the window already emitted (the prefix). */
  #read = 0;
  /** Text of the prefix ids. */
  #prefixText = "";
  #count = 0;

  /**
   * A decoder with nothing pushed yet.
   * @param tokenizer Decodes id lists to text.
   * @param options See {@linkcode IncrementalDecoderOptions}.
   */
  constructor(tokenizer: Detokenizer, options: IncrementalDecoderOptions = {}) {
    this.#tok = tokenizer;
    this.#skip = options.skipSpecialTokens ?? false;
  }

  /** Ids pushed so far. */
  get tokenCount(): number {
    return this.#count;
  }

  /**
   * Adds one generated id.
   *
   * @param id A token id.
   * @returns The text that became complete with it; often "" (inside a character).
   */
  push(id: number): string {
    this.#ids.push(id);
    this.#count++;
    const text = this.#decode();
    if (text.length <= this.#prefixText.length || text.endsWith(REPLACEMENT)) {
      return "";
    }
    return this.#emit(text);
  }

  /**
   * Emits whatever is held back (at the end of generation), U+FFFD included
   * if the output ended inside a character.
   *
   * @returns The rest of the text.
   */
  flush(): string {
    if (this.#read === this.#ids.length) return "";
    const text = this.#decode();
    return text.length > this.#prefixText.length ? this.#emit(text) : "";
  }

  #decode(): string {
    return this.#tok.decode(this.#ids, { skipSpecialTokens: this.#skip });
  }

  #emit(text: string): string {
    const piece = text.slice(this.#prefixText.length);
    // The ids just emitted become the next prefix.
    this.#ids = this.#ids.slice(this.#read);
    this.#read = this.#ids.length;
    this.#prefixText = this.#tok.decode(this.#ids, {
      skipSpecialTokens: this.#skip,
    });
    return piece;
  }
}
