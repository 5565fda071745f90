/**
 * `POST /tokenize` and `POST /detokenize`, in llama-server's shapes:
 * `{"content", "add_special"?, "with_pieces"?}` -> `{"tokens": [...]}` (ids, or
 * `{id, piece}` with `with_pieces`), and `{"tokens": [...]}` -> `{"content"}`.
 * @module
 */

import type { TextModel } from "../../generate/text_model.ts";
import { badParam, json } from "./errors.ts";

/** Answers a tokenize request. */
export function tokenize(tm: TextModel, body: Record<string, unknown>, headers: Record<string, string>): Response {
  const { content, add_special: special, with_pieces: pieces } = body;
  if (typeof content !== "string") throw badParam("content", "'content' must be a string.", "invalid_type");
  if (special !== undefined && typeof special !== "boolean") {
    throw badParam("add_special", "'add_special' must be a boolean.", "invalid_type");
  }
  if (pieces !== undefined && typeof pieces !== "boolean") {
    throw badParam("with_pieces", "'with_pieces' must be a boolean.", "invalid_type");
  }
  const ids = tm.tokenizer.encode(content, { addSpecialTokens: special === true });
  const tokens = pieces ? ids.map((id) => ({ id, piece: tm.tokenizer.decode([id]) })) : ids;
  return json({ tokens }, 200, headers);
}

/** Answers a detokenize request. */
export function detokenize(tm: TextModel, body: Record<string, unknown>, headers: Record<string, string>): Response {
  const { tokens } = body;
  const vocab = tm.model.config.vocabSize;
  if (!Array.isArray(tokens) || !tokens.every((t) => Number.isInteger(t))) {
    throw badParam("tokens", "'tokens' must be an array of token ids.", "invalid_type");
  }
  const bad = tokens.find((t) => t < 0 || t >= vocab);
  if (bad !== undefined) throw badParam("tokens", `token id ${bad} is outside the vocabulary [0, ${vocab}).`);
  return json({ content: tm.tokenizer.decode(tokens) }, 200, headers);
}
