/**
 * Text to token ids and back, with the checkpoint's own `tokenizer.json`
 * (run by tokenizers.js, a JS port of Hugging Face `tokenizers`) and the
 * special tokens named in `tokenizer_config.json`.
 * @module
 */

// Pinned inline: deno.json has no import map entry for it (yet).
// deno-lint-ignore no-import-prefix -- inline so the module also works imported from a URL
import { Tokenizer } from "npm:@huggingface/tokenizers@0.2.0";

/** A tokenizer file that cannot be used, or ids that cannot be decoded. */
export class TokenizerError extends Error {
  /** Always `"TokenizerError"`. */
  override name = "TokenizerError";
}

/** Parses one of the tokenizer's JSON files, naming it when it is not a JSON object. */
function jsonObject(text: string, file: string): Record<string, unknown> {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    throw new TokenizerError(`${file} is not valid JSON: ${(e as Error).message}`);
  }
  if (typeof v !== "object" || v === null || Array.isArray(v)) {
    throw new TokenizerError(`${file} must hold a JSON object`);
  }
  return v as Record<string, unknown>;
}

/** Options of {@linkcode TextTokenizer.encode}. */
export interface EncodeOptions {
  /**
   * Let `tokenizer.json`'s post-processor add its special tokens (BOS...).
   * Default true, like `tokenizer(text)` in transformers. Encode a rendered
   * chat prompt with `false`: the template already wrote its special tokens.
   */
  addSpecialTokens?: boolean;
}

/** Options of {@linkcode TextTokenizer.decode}. */
export interface DecodeOptions {
  /** Leave out special tokens (`<|im_end|>`, `<|end_of_text|>`...). Default false. */
  skipSpecialTokens?: boolean;
  /**
   * Apply transformers' `clean_up_tokenization` (" ," to ","...). Defaults to
   * `clean_up_tokenization_spaces` of tokenizer_config.json, else false (the
   * transformers default, and lossless).
   */
  cleanUpTokenizationSpaces?: boolean;
}

/** The special tokens tokenizer_config.json names, as a token string with its id. */
export interface SpecialToken {
  /** The token text, e.g. `<|end_of_text|>`. */
  token: string;
  /** Its id in the vocabulary. */
  id: number;
}

/** tokenizer_config.json writes a token as a string or as `{ "content": ... }`. */
function tokenText(
  config: Record<string, unknown>,
  key: string,
): string | undefined {
  const v = config[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v === "string") return v;
  if (
    typeof v === "object" &&
    typeof (v as { content?: unknown }).content === "string"
  ) {
    return (v as { content: string }).content;
  }
  throw new TokenizerError(
    `tokenizer_config.json: "${key}" must be a string or {"content": string}, got ${JSON.stringify(v)}`,
  );
}

/**
 * A checkpoint's tokenizer.
 *
 * @example Round trip
 * ```ts ignore
 * const dir = "tests/fixtures/tiny-falcon-e/";
 * const tok = TextTokenizer.fromFiles(
 *   Deno.readTextFileSync(dir + "tokenizer.json"),
 *   Deno.readTextFileSync(dir + "tokenizer_config.json"),
 * );
 * const ids = tok.encode("naïve café");
 * tok.decode(ids); // "naïve café"
 * ```
 */
export class TextTokenizer {
  readonly #tok: Tokenizer;
  readonly #special: ReadonlyMap<string, SpecialToken | undefined>;
  readonly #cleanUp: boolean;

  /** Rows of the vocabulary: one past the largest id (added tokens included). */
  readonly vocabSize: number;
  /** The most characters one token stands for (its string's length): bounds a prompt's characters by its tokens. */
  readonly longestToken: number;

  private constructor(
    tok: Tokenizer,
    /** The parsed tokenizer_config.json (`{}` when the checkpoint has none). */
    readonly config: Readonly<Record<string, unknown>>,
    /** The texts it was built from (a copy can be built elsewhere, e.g. in a worker). */
    readonly files: { readonly json: string; readonly config?: string },
  ) {
    this.#tok = tok;
    let max = -1, longest = 1;
    for (const [token, id] of tok.get_vocab(true)) {
      if (id > max) max = id;
      if (token.length > longest) longest = token.length;
    }
    this.vocabSize = max + 1;
    this.longestToken = longest;
    const special = new Map<string, SpecialToken | undefined>();
    for (const key of ["bos_token", "eos_token", "pad_token", "unk_token"]) {
      const token = tokenText(config, key);
      if (token === undefined) continue;
      const id = tok.token_to_id(token);
      if (id === undefined) {
        throw new TokenizerError(
          `tokenizer_config.json: ${key} ${JSON.stringify(token)} is not in tokenizer.json's vocabulary`,
        );
      }
      special.set(key, { token, id });
    }
    this.#special = special;
    this.#cleanUp = config.clean_up_tokenization_spaces === true;
  }

  /**
   * Builds the tokenizer from the texts of the checkpoint's files.
   *
   * @param tokenizerJson The text of `tokenizer.json`.
   * @param tokenizerConfigJson The text of `tokenizer_config.json`, if the checkpoint has one.
   * @returns The tokenizer.
   * @throws {TokenizerError} when a file is not a JSON object.
   * @throws {TokenizerError} when tokenizers.js rejects tokenizer.json, or a
   *   special token of tokenizer_config.json is not in the vocabulary.
   */
  static fromFiles(
    tokenizerJson: string,
    tokenizerConfigJson?: string,
  ): TextTokenizer {
    const json = jsonObject(tokenizerJson, "tokenizer.json");
    const config = tokenizerConfigJson === undefined ? {} : jsonObject(tokenizerConfigJson, "tokenizer_config.json");
    if (typeof json.model !== "object" || json.model === null) {
      throw new TokenizerError('tokenizer.json has no "model" object');
    }
    // tokenizers.js insists on these keys; the Rust library treats absent as null.
    const full = {
      normalizer: null,
      pre_tokenizer: null,
      post_processor: null,
      decoder: null,
      added_tokens: [],
      ...json,
    };
    // Decoding follows our own clean-up default (false), not tokenizers.js's (true).
    const jsConfig = {
      ...config,
      clean_up_tokenization_spaces: config.clean_up_tokenization_spaces === true,
    };
    let tok: Tokenizer;
    try {
      tok = new Tokenizer(full, jsConfig);
    } catch (e) {
      throw new TokenizerError(
        `tokenizer.json cannot be loaded: ${(e as Error).message}`,
      );
    }
    return new TextTokenizer(tok, config, { json: tokenizerJson, config: tokenizerConfigJson });
  }

  /**
   * Token ids of a text. Special tokens written in the text (`<|im_start|>`)
   * become their ids.
   *
   * @param text The text.
   * @param options See {@linkcode EncodeOptions}.
   * @returns The ids.
   */
  encode(text: string, options: EncodeOptions = {}): number[] {
    if (typeof text !== "string") {
      throw new TypeError(`encode takes a string, got ${typeof text}`);
    }
    return this.#tok.encode(text, {
      add_special_tokens: options.addSpecialTokens ?? true,
    }).ids;
  }

  /**
   * The text of token ids. Ids that end inside a multi-byte character end in U+FFFD.
   *
   * @param ids Token ids, each in [0, vocabSize).
   * @param options See {@linkcode DecodeOptions}.
   * @returns The text.
   * @throws {TokenizerError} for an id outside the vocabulary.
   */
  decode(ids: ArrayLike<number>, options: DecodeOptions = {}): string {
    const list = Array.from(ids);
    if (list.length === 0) return "";
    for (let i = 0; i < list.length; i++) {
      const id = list[i];
      if (
        !Number.isInteger(id) || id < 0 || id >= this.vocabSize ||
        this.#tok.id_to_token(id) === undefined
      ) {
        throw new TokenizerError(
          `token id ${id} at index ${i} is not in the vocabulary [0, ${this.vocabSize})`,
        );
      }
    }
    return this.#tok.decode(list, {
      skip_special_tokens: options.skipSpecialTokens ?? false,
      clean_up_tokenization_spaces: options.cleanUpTokenizationSpaces ??
        this.#cleanUp,
    });
  }

  /**
   * The id of one token string (as the vocabulary writes it, e.g. `Ġthe` or `<|im_end|>`).
   *
   * @param token The token string.
   * @returns Its id, or undefined when it is not in the vocabulary.
   */
  tokenId(token: string): number | undefined {
    return this.#tok.token_to_id(token);
  }

  /**
   * The vocabulary string of one id.
   *
   * @param id A token id.
   * @returns The token string, or undefined when no token has this id.
   */
  idToToken(id: number): string | undefined {
    return this.#tok.id_to_token(id);
  }

  /** `bos_token` of tokenizer_config.json with its id, if it names one. */
  get bos(): SpecialToken | undefined {
    return this.#special.get("bos_token");
  }
  /** `eos_token` of tokenizer_config.json with its id, if it names one. */
  get eos(): SpecialToken | undefined {
    return this.#special.get("eos_token");
  }
  /** `pad_token` of tokenizer_config.json with its id, if it names one. */
  get pad(): SpecialToken | undefined {
    return this.#special.get("pad_token");
  }
  /** `unk_token` of tokenizer_config.json with its id, if it names one. */
  get unk(): SpecialToken | undefined {
    return this.#special.get("unk_token");
  }
  /** The BOS token string, if any. */
  get bosToken(): string | undefined {
    return this.bos?.token;
  }
  /** The BOS token id, if any. */
  get bosTokenId(): number | undefined {
    return this.bos?.id;
  }
  /** The EOS token string, if any. */
  get eosToken(): string | undefined {
    return this.eos?.token;
  }
  /** The EOS token id, if any. */
  get eosTokenId(): number | undefined {
    return this.eos?.id;
  }
  /** The padding token string, if any. */
  get padToken(): string | undefined {
    return this.pad?.token;
  }
  /** The padding token id, if any. */
  get padTokenId(): number | undefined {
    return this.pad?.id;
  }

  /**
   * The ids of tokenizer.json's added tokens marked `"special": true`.
   *
   * @returns The ids, ascending.
   */
  specialIds(): number[] {
    const out: number[] = [];
    for (const [id, t] of this.#tok.get_added_tokens_decoder()) {
      if (t.special) out.push(id);
    }
    return out.sort((a, b) => a - b);
  }

  /** The texts of the special tokens (`<|im_start|>`...): in untrusted text they must not become control tokens. */
  specialTexts(): string[] {
    this.#specialTexts ??= [...this.#tok.get_added_tokens_decoder().values()].filter((t) => t.special)
      .map((t) => t.content).filter((c) => c.length > 0);
    return this.#specialTexts;
  }
  #specialTexts?: string[];
}
